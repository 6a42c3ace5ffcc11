#!/usr/bin/env bash
# The fast test selection on the oldest and the newest Python the course claims (requires-python in
# pyproject.toml, e.g. ">=3.10": 3.10, and the newest 3.x this machine has), each in its own environment
# .venv-py3.X. PyTorch is left out there (its wheel on our machines is for the main environment's Python only),
# so the torch-marked tests are deselected. A claimed Python this machine lacks is skipped with a message.
# Interpreters are found on PATH (python3.X) or in pyenv's versions; nothing machine-specific is written here.
set -euo pipefail
cd "$(dirname "$0")/.."

oldest=$(sed -n 's/^requires-python *= *">= *\(3\.[0-9]*\)".*/\1/p' pyproject.toml)
if [ -z "$oldest" ]; then
  echo "test_other_pythons: cannot read requires-python (\">=3.N\") from pyproject.toml" >&2
  exit 1
fi

find_python() {  # find_python 3.10 -> the path of a working python3.10, or nothing
  local version=$1 candidate root
  root=$( (command -v pyenv >/dev/null && pyenv root) 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  for candidate in $(ls -d "$root"/versions/"$version".*/bin/python"$version" 2>/dev/null | sort -V -r) \
                   "$(command -v "python$version" 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && "$candidate" -c "import sys, venv; assert sys.version.startswith('$version.')" \
        >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
}

newest=""
for minor in $(seq 30 -1 "${oldest#3.}"); do
  if [ -n "$(find_python "3.$minor")" ]; then newest="3.$minor"; break; fi
done

status=0
for version in $(printf '%s\n' "$oldest" "$newest" | awk 'NF && !seen[$0]++'); do
  python=$(find_python "$version")
  if [ -z "$python" ]; then
    echo "== Python $version: SKIPPED, not on this machine (install it, e.g. 'pyenv install $version')"
    continue
  fi
  env_dir=".venv-py$version"
  echo "== Python $version ($python): fast selection in $env_dir"
  if [ ! -x "$env_dir/bin/python" ]; then
    "$python" -m venv "$env_dir"
  fi
  # Reinstall only when the project's requirements changed since this environment was made.
  stamp=$(cat pyproject.toml | sha256sum | cut -c1-16)
  if [ "$(cat "$env_dir/.installed" 2>/dev/null)" != "$stamp" ]; then
    "$env_dir/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
    "$env_dir/bin/python" -m pip install --quiet -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
    "$env_dir/bin/python" -c "import lstm_ref, lstm_course, pytest" && echo "$stamp" > "$env_dir/.installed"
  fi
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$env_dir/bin/python" -m pytest -q -p no:cacheprovider \
    -m "not slow and not torch" tests || status=1
done
exit $status
