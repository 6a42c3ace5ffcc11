#!/usr/bin/env bash
# Set up the course in a virtual environment at .venv (created if missing) from the project's own files.
#   bash scripts/setup.sh            the course: lstm_ref, JupyterLab, nbgrader, widgets, plots
#   bash scripts/setup.sh --dev      also everything the test suite needs, PyTorch (CPU) included
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip

if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install --quiet -e ".[dev,torch]"
else
  .venv/bin/python -m pip install --quiet -e .
fi

# The nbgrader extensions for JupyterLab (Assignments list, Validate button) ship with nbgrader 0.9; make sure
# the server extension is enabled in this environment.
.venv/bin/jupyter server extension enable --sys-prefix nbgrader >/dev/null 2>&1 || true

# The resource-limited kernel nbgrader grades student code in (CPU time, memory, processes): see
# lstm_course/grading/kernel.py. nbgrader_config.py uses it whenever it is installed.
.venv/bin/python -m lstm_course.grading.kernel install --sys-prefix >/dev/null

# The grading sandbox (lstm_course/grading/sandbox.py): every grading kernel runs under bubblewrap. Installed here
# when missing and we are root with apt; elsewhere autograding says what to install (or refuses, see
# docs/instructors.md, "The grading sandbox").
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null 2>&1 \
      || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null)) \
      || echo "warning: could not install bubblewrap; grading will refuse to run without a sandbox." >&2
  else
    echo "note: bubblewrap (bwrap) is not installed; install it (e.g. 'sudo apt-get install bubblewrap') to grade." >&2
  fi
fi
