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

exec .venv/bin/python -m pytest --durations=25 -m "" --nbval-lax --nbval-current-env "$@" tests solutions
