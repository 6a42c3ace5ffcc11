"""Tests of deploy/: the class hub's own modules are importable as ``classhub`` (deploy/jupyterhub/classhub)."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HUB_DIR = REPO / "deploy" / "jupyterhub"
if str(HUB_DIR) not in sys.path:
    sys.path.insert(0, str(HUB_DIR))
