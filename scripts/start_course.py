"""Set up the course in .venv (only when needed) and open it in JupyterLab. Needs only Python 3.10+.

    python3 scripts/start_course.py                 # Linux, macOS (bash scripts/start_course.sh does the same)
    py scripts\\start_course.py                      # Windows (PowerShell or cmd)
    python3 scripts/start_course.py --instructor    # with nbgrader's instructor tools
    python3 scripts/start_course.py --port 9000 --no-browser

The first start creates ``.venv`` and installs the course into it (a few minutes, one line of output). Later
starts install nothing unless the environment changed: a stamp in ``.venv`` holds a fingerprint of what was
installed (``pyproject.toml``, this script, the Python version), and only a different fingerprint reinstalls.
Then ``python -m lstm_course.launch`` opens JupyterLab with every option given here (see its docstring: the
learner's and the instructor's set-ups, running as root, containers).

Only the standard library is used here: this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / ".venv"
STAMP = VENV / "lstm-course-installed.txt"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def fingerprint() -> str:
    """What the installed environment depends on: the project's requirements, this script, the Python."""
    digest = hashlib.sha256()
    for path in (REPO / "pyproject.toml", Path(__file__)):
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def run_quietly(command: list[str], what: str) -> None:
    """Run ``command``; show its output only if it fails, then stop with what went wrong."""
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        print(result.stdout[-6000:], file=sys.stderr)
        raise SystemExit(f"start_course: {what} failed (exit code {result.returncode}); its output is above.")


def install() -> None:
    """Create .venv if needed and install the course into it, quietly; then write the stamp."""
    python = str(venv_python())
    if not venv_python().exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    run_quietly([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip"],
                "updating pip")
    run_quietly([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", "."],
                "installing the course (pip install -e .)")
    # The Validate button's server side, enabled in this environment (nbgrader enables it on install already).
    run_quietly([python, "-m", "jupyter", "server", "extension", "enable", "--sys-prefix", "nbgrader"],
                "enabling nbgrader's server extension")
    # The resource-limited kernel nbgrader grades in (nbgrader_config.py uses it when installed). It needs POSIX
    # resource limits: on Windows grading uses the ordinary kernel, as nbgrader_config.py says.
    if os.name == "posix":
        run_quietly([python, "-m", "lstm_course.grading.kernel", "install", "--sys-prefix"],
                    "installing the grading kernel")
    # Matplotlib builds its font cache on first import (tens of seconds on a busy machine): do it now rather than
    # in the learner's first cell or first Validate.
    run_quietly([python, "-c", "import matplotlib.pyplot"], "preparing matplotlib")
    STAMP.write_text(fingerprint() + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if sys.version_info < (3, 10):
        raise SystemExit(f"The course needs Python 3.10 or later; this is {sys.version.split()[0]}.")
    installed = STAMP.read_text(encoding="utf-8").strip() if STAMP.is_file() and venv_python().exists() else None
    if installed != fingerprint():
        print("Setting up the course in .venv (the first time takes a few minutes)...", flush=True)
        install()
    command = [str(venv_python()), "-m", "lstm_course.launch", *argv]
    if os.name == "posix":
        os.execv(command[0], command)  # the launcher (then JupyterLab) takes this process's place
    return subprocess.call(command, cwd=REPO)


if __name__ == "__main__":
    raise SystemExit(main())
