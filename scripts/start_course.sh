#!/usr/bin/env bash
# Set up the course (first run only takes a minute) and open the student notebooks in JupyterLab.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jupyter lab notebooks/
