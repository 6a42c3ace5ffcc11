#!/usr/bin/env bash
# A JupyterHub for a class of the LSTM course, on this machine.
#
#   bash deploy/jupyterhub/hub.sh up ROSTER.csv [--host 127.0.0.1] [--port 8000] [--state /srv/lstm-course]
#   bash deploy/jupyterhub/hub.sh down [--state /srv/lstm-course] [--remove-accounts] [--delete-class-data]
#   bash deploy/jupyterhub/hub.sh check ROSTER.csv
#
# `up` checks the roster first (nothing is created when a row is malformed), installs or updates the course
# environment (deploy/jupyterhub/setup.sh; quick when nothing changed), then creates the class and starts the hub.
# Passwords: the roster's `password` column, or the class password in LSTM_HUB_PASSWORD. Run as root.
# Everything else: deploy/jupyterhub/classhub/cli.py and docs/instructors.md.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# The roster check and `down` need only the standard library: run them with the system's Python.
cli() { PYTHONPATH="$HERE" "${LSTM_HUB_PYTHON:-/usr/bin/python3}" -m classhub.cli "$@"; }

case "${1:-}" in
  up)
    [ $# -ge 2 ] || { cli up --help; exit 2; }
    cli check "$2" >/dev/null
    bash "$HERE/setup.sh"
    cli "$@"
    ;;
  down|check|-h|--help) cli "$@" ;;
  *) cli --help; exit 2 ;;
esac
