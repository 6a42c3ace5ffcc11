#!/usr/bin/env python
"""How long a learner's Validate takes on a fresh student notebook, and what the kernel choice costs.

Usage:
    python benchmarks/bench_validate.py                  # unit 1
    python benchmarks/bench_validate.py 01_welcome 04_gates --repeat 2

Validate (the JupyterLab button, ``nbgrader validate``) loads the course's nbgrader_config.py and runs the whole
notebook with nbgrader's Validator in a fresh kernel. For each unit this prints the seconds of
    config   loading the configuration (what the button's server side does on every click; the figure here
             includes importing nbgrader, which the server has done once at its start);
    notebook Validate as configured: the notebook's own kernel (nbgrader_config.py, ``c.Validator.Execute``);
    grading  the same in the resource-limited grading kernel autograde uses (what Validate used before);
each the best of ``--repeat`` runs, in a temporary copy so nothing is written into the repository. Times vary
with what else the machine does: read them as a range.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def course_config():
    """The configuration the Validate button loads: the server folder's nbgrader_config.py, then Jupyter's."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader

    app = NbGrader()
    app.config_file_paths.append([str(REPO_ROOT), *jupyter_config_path()])
    app.load_config_file()
    return app.config


def validate_seconds(notebook: Path, config) -> tuple[float, int]:
    """(seconds, failing cells) of one Validate of ``notebook`` with ``config``."""
    from nbgrader.validator import Validator

    started = time.monotonic()
    result = Validator(config=copy.deepcopy(config)).validate(str(notebook))
    return time.monotonic() - started, len(result.get("failed", []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("units", nargs="*", default=["01_welcome"])
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args(argv)
    from lstm_course.grading.kernel import KERNEL_NAME, is_installed

    os.chdir(REPO_ROOT)
    started = time.monotonic()
    config = course_config()
    config_seconds = time.monotonic() - started
    grading = copy.deepcopy(config)
    grading.Validator.Execute.kernel_name = KERNEL_NAME
    print(f"{'unit':<22} {'config':>7} {'notebook':>9} {'grading':>8}  (seconds, best of {options.repeat})")
    for unit in options.units:
        with tempfile.TemporaryDirectory() as scratch:
            shutil.copytree(REPO_ROOT / "notebooks" / unit, Path(scratch) / unit)
            notebook = Path(scratch) / unit / f"{unit}.ipynb"
            own = min(validate_seconds(notebook, config)[0] for _ in range(options.repeat))
            graded = (min(validate_seconds(notebook, grading)[0] for _ in range(options.repeat))
                      if is_installed() else float("nan"))
        print(f"{unit:<22} {config_seconds:7.1f} {own:9.1f} {graded:8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
