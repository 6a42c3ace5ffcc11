"""Fixtures of the site tests: the site built offline from a fresh clone, served on 127.0.0.1, and Chromium.

- ``offline_site``: first (network allowed) ``bash scripts/build_site.sh --tools-only`` makes sure the tools are
  installed (the [site] extra, MathJax in npm's cache), as a developer's first build does. Then the committed
  repository is cloned into a temporary folder and built there by ``bash scripts/build_site.sh --no-cache`` in a
  new network namespace (``unshare -n``, only the loopback up, which the notebooks' kernels talk over): no
  untracked file, no earlier build and no network can help it. The clone's own packages are imported
  (PYTHONPATH), with this environment's installed tools.
- ``site_server``: the built folder over HTTP on 127.0.0.1 and a free port, stopped afterwards.
- ``site_browser``: Debian's Chromium through Playwright (the flags of tests/browser/), closed afterwards.
Screenshots land in ``results/site/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, INSTALL_HINT, VIEWPORT
from tests.site.leaks import REPO

RESULTS = REPO / "results" / "site"
BUILD_TIMEOUT = 1800


class BuiltSite:
    def __init__(self, clone: Path, output: Path, log: str, seconds: float):
        self.clone, self.output, self.log, self.seconds = clone, output, log, seconds
        self.summary = json.loads((output / ".build-summary.json").read_text())

    def units(self) -> list[str]:
        """The units of the clone, found the way a reader of its folders would (instructor notebooks)."""
        return sorted(p.name for p in (self.clone / "solutions").iterdir() if (p / f"{p.name}.ipynb").is_file())


@pytest.fixture(scope="package")
def offline_site(tmp_path_factory) -> BuiltSite:
    tools = subprocess.run(["bash", "scripts/build_site.sh", "--tools-only"], cwd=REPO, capture_output=True,
                           text=True, env=dict(os.environ, PYTHON=sys.executable))
    assert tools.returncode == 0, f"installing the site's tools failed:\n{tools.stdout}\n{tools.stderr}"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"`unshare -n` is not permitted here, so the offline build cannot be shown: {probe.stderr}",
                    pytrace=False)

    scratch = tmp_path_factory.mktemp("site")
    clone, output = scratch / "clone", scratch / "site"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], check=True)
    env = dict(os.environ, PYTHON=sys.executable, PYTHONPATH=str(clone))
    script = f'ip link set lo up && exec bash scripts/build_site.sh --no-cache --output "{output}"'
    started = time.monotonic()
    build = subprocess.run(["unshare", "-n", "sh", "-c", script], cwd=clone, env=env, capture_output=True,
                           text=True, timeout=BUILD_TIMEOUT)
    seconds = time.monotonic() - started
    log = build.stdout + build.stderr
    assert build.returncode == 0, f"the offline build of a fresh clone failed (exit {build.returncode}):\n{log[-8000:]}"
    print(f"\noffline site build of a fresh clone: {seconds:.1f} s")
    return BuiltSite(clone, output, log, seconds)


@pytest.fixture(scope="package")
def site_server(offline_site):
    handler = functools.partial(_QuietHandler, directory=str(offline_site.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free port, chosen now
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reports what matters; no line per file served
        pass


# Package scope, not session: Playwright's sync API holds an event loop in the main thread while it is alive,
# so another folder's browser (tests/deploy, tests/site, the report's) or asyncio.run() would fail after it.
@pytest.fixture(scope="package")
def site_browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing. {INSTALL_HINT}", pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_FLAGS, viewport=VIEWPORT, timeout=120_000)
    except Exception as error:  # noqa: BLE001 -- whatever stops the browser, say it and fail
        playwright.stop()
        pytest.fail(f"Chromium ({CHROMIUM}) could not be started through Playwright: {error}\n{INSTALL_HINT}",
                    pytrace=False)
    try:
        yield context
    finally:
        try:
            context.close()
        finally:
            playwright.stop()
