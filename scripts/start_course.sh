#!/usr/bin/env bash
# Set up the course in .venv (only when needed) and open the student notebooks in JupyterLab; see
# scripts/start_course.py for the options (--instructor, --port, --ip, --no-browser). Windows: py scripts\start_course.py
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" scripts/start_course.py "$@"
