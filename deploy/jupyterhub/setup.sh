#!/usr/bin/env bash
# Install the course environment for a JupyterHub class, from this repository's own files, where every account
# can run it. Idempotent and quiet: a step whose result is already in place is skipped.
#
#   bash deploy/jupyterhub/setup.sh            the hub machine: course environment + JupyterHub + the proxy
#   bash deploy/jupyterhub/setup.sh --image    a single-user image (deploy/z2jh/Dockerfile): no hub, no proxy
#
# Where (environment variables):
#   LSTM_HUB_PREFIX   install prefix, default /opt/lstm-course (must be readable by every account)
#   LSTM_HUB_PYTHON   the Python the venv is made from, default /usr/bin/python3
#   LSTM_HUB_JUPYTERHUB_VERSION   another JupyterHub than requirements.txt pins (an image for a hub of another
#                     version: user servers should run the hub's major version)
#
# What lands under the prefix:
#   venv/                  the course (lstm_ref, lstm_course, JupyterLab, nbgrader, widgets), jupyterhub, and the
#                          resource-limited grading kernel `lstm-grading` (installed into the venv, --sys-prefix)
#   proxy/node_modules/    configurable-http-proxy, exactly as pinned by deploy/jupyterhub/proxy/package-lock.json
#
# Why not the repository's .venv: a venv made from a Python under root's home (pyenv, here) cannot be run by the
# students' accounts ("bad interpreter: Permission denied"), and the course is installed as a copy (not editable)
# so user servers never read the repository itself.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PREFIX="${LSTM_HUB_PREFIX:-/opt/lstm-course}"
PYTHON="${LSTM_HUB_PYTHON:-/usr/bin/python3}"
MODE="hub"
case "${1:-}" in
  "") ;;
  --image) MODE="image" ;;
  -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
  *) echo "setup.sh: unknown option '$1' (expected nothing or --image)" >&2; exit 2 ;;
esac

say() { echo "deploy/jupyterhub/setup.sh: $*"; }

# --- system packages (Debian): only what is missing, only as root --------------------------------------------
missing=()
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ "$MODE" = hub ]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup.sh: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
if [ ! -x "$PYTHON" ]; then
  echo "setup.sh: no Python at $PYTHON; set LSTM_HUB_PYTHON to one every account can read" >&2
  exit 1
fi

# --- the course environment -------------------------------------------------------------------------------------
mkdir -p "$PREFIX"
chmod 755 "$PREFIX"
VENV="$PREFIX/venv"
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV from $PYTHON"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi

# The course is installed as a copy; reinstall only when its files changed (a hash of what pip would build).
stamp="$(cd "$REPO" && { echo "${LSTM_HUB_JUPYTERHUB_VERSION:-}"; cat pyproject.toml deploy/jupyterhub/requirements.txt \
          $(find lstm_ref lstm_course -type f \( -name '*.py' -o -name '*.json' -o -name '*.npz' \) | sort); } \
        | sha256sum | cut -c1-16)"
if [ "$(cat "$VENV/.lstm-course-stamp" 2>/dev/null)" != "$stamp" ]; then
  say "installing the course and JupyterHub into $VENV"
  build="$(mktemp -d)"
  # Build from a clean copy: pip would otherwise leave build/ and *.egg-info/ in the repository.
  (cd "$REPO" && tar cf - --exclude=__pycache__ pyproject.toml README.md LICENSE lstm_ref lstm_course) | tar xf - -C "$build"
  if [ -n "${LSTM_HUB_JUPYTERHUB_VERSION:-}" ]; then
    "$VENV/bin/python" -m pip install --quiet --no-cache-dir "jupyterhub==$LSTM_HUB_JUPYTERHUB_VERSION" "$build"
  else
    "$VENV/bin/python" -m pip install --quiet --no-cache-dir -r "$HERE/requirements.txt" "$build"
  fi
  rm -rf "$build"
  "$VENV/bin/python" -m lstm_course.grading.kernel install --sys-prefix >/dev/null
  echo "$stamp" > "$VENV/.lstm-course-stamp"
fi
# JupyterLab defaults for every user of this environment (a user may still change them): no pop-up asking to
# fetch Jupyter's news and check for updates (a class's machine may have no way out, and students should not
# be asked).
mkdir -p "$VENV/share/jupyter/lab/settings"
cat > "$VENV/share/jupyter/lab/settings/overrides.json" <<'JSON'
{
  "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}
}
JSON
chmod -R a+rX "$VENV"

# --- the proxy (configurable-http-proxy, pinned by the committed lock file) -------------------------------------
if [ "$MODE" = hub ]; then
  PROXY="$PREFIX/proxy"
  mkdir -p "$PROXY"
  if ! cmp -s "$HERE/proxy/package-lock.json" "$PROXY/package-lock.json" \
     || [ ! -x "$PROXY/node_modules/.bin/configurable-http-proxy" ]; then
    say "installing configurable-http-proxy into $PROXY (npm ci)"
    cp "$HERE/proxy/package.json" "$HERE/proxy/package-lock.json" "$PROXY/"
    # EBADENGINE: a dependency asks for a newer node than Debian's; the proxy runs fine on node 20.
    (cd "$PROXY" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
exit 0
