#!/usr/bin/env bash
# Set up everything the tests need and run the whole test suite: the package, the notebooks (nbval), the
# generated-vs-source sync, the grading flow and the real-browser tests. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --dev

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: /usr/bin/chromium is missing; install it (e.g. 'sudo apt-get install chromium') or the browser tests fail." >&2
  fi
fi

# The course's matrices are small: one BLAS thread per process does the work, and the suite runs several
# processes at once (two grading courses side by side, kernels, the browser), so extra threads only contend.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

# The fast selection on the oldest and newest Python the course claims (each in its own .venv-py3.X), first,
# so the closing lines below are the main suite's.
other_pythons=0
bash scripts/test_other_pythons.sh || other_pythons=$?

status=0
.venv/bin/python -m pytest --durations=25 -m "" --nbval-lax --nbval-current-env "$@" tests solutions || status=$?
if [ "$other_pythons" != 0 ]; then
  echo "test_all: the fast selection failed on another claimed Python (see '== Python' above)" >&2
  [ "$status" != 0 ] || status=$other_pythons
fi
exit $status
