#!/usr/bin/env bash
# Build the course as a website in build/site/ (open build/site/index.html, or serve it:
# python3 -m http.server -d build/site). Offline once its tools are installed; the first run installs them:
#   - the [site] extra (Jupyter Book 1) into .venv, through scripts/setup.sh when .venv is missing;
#   - MathJax 3 from npm (npm pack; npm keeps it in its cache, so later runs need no network), unpacked into
#     build/site-vendor/, from where the site serves its own copy.
# Arguments go to scripts/build_site.py (e.g. --no-cache); --tools-only installs the tools and stops.
# PYTHON=... picks another environment's interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

MATHJAX_VERSION=3.2.2
PYTHON=${PYTHON:-.venv/bin/python}

if [ ! -x "$PYTHON" ]; then
  bash scripts/setup.sh
fi
if ! "$PYTHON" -c "import jupyter_book, nbclient" 2>/dev/null; then
  echo "installing the site's tools (the [site] extra: Jupyter Book 1)..."
  "$PYTHON" -m pip install --quiet -e ".[site]"
fi

vendor=build/site-vendor
if [ ! -f "$vendor/mathjax-$MATHJAX_VERSION/tex-mml-chtml.js" ]; then
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    else
      echo "build_site: npm is needed once, to fetch MathJax (e.g. 'sudo apt-get install npm')." >&2
      exit 1
    fi
  fi
  rm -rf "$vendor/unpack" && mkdir -p "$vendor/unpack"
  # --prefer-offline: from npm's cache when it is there (an offline rebuild on a fresh checkout), else the registry.
  (cd "$vendor/unpack" && npm pack --silent --prefer-offline "mathjax@$MATHJAX_VERSION" >/dev/null)
  tar -xzf "$vendor/unpack/mathjax-$MATHJAX_VERSION.tgz" -C "$vendor/unpack"
  # What tex-mml-chtml.js loads: its TeX extensions on demand, the CHTML fonts, the menu and accessibility parts
  # (the speech rules, sre/, only on a reader's request: left out, 4 MB).
  es5="$vendor/unpack/package/es5"
  mkdir -p "$vendor/mathjax-$MATHJAX_VERSION/output"
  cp -r "$es5/tex-mml-chtml.js" "$es5/input" "$es5/a11y" "$es5/ui" "$vendor/mathjax-$MATHJAX_VERSION/"
  cp -r "$es5/output/chtml" "$vendor/mathjax-$MATHJAX_VERSION/output/"
  cp "$vendor/unpack/package/LICENSE" "$vendor/mathjax-$MATHJAX_VERSION/"
  rm -rf "$vendor/unpack"
fi

if [ "${1:-}" = "--tools-only" ]; then
  exit 0
fi

export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
exec "$PYTHON" scripts/build_site.py --mathjax "$vendor/mathjax-$MATHJAX_VERSION" "$@"
