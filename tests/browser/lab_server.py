"""A throw-away JupyterLab server for the browser tests, isolated from the machine's own Jupyter set-up.

``LabServer(root)`` starts ``python -m jupyter lab`` (the interpreter running pytest, so the course's venv) on
127.0.0.1, a free port, a random token, with ``root`` as the folder a learner sees. Jupyter's config, data,
runtime, settings and workspace folders are fresh temporary folders, so nothing the machine's user set up
(another kernel, a theme, a half-open workspace) leaks into the test, and nothing the test does leaks out.

Two JupyterLab settings are written for the test (a learner's default works too, but slower to test):
  - windowing off: JupyterLab 4 may leave cells outside the viewport un-rendered, and the test checks every
    widget of the notebook, not only the visible ones;
  - no news or update checks: the machine has no network, and the pop-up would cover the notebook.

``stop()`` shuts the kernels down through the REST API, then ends the server's process group, and finally any
kernel still alive (found by the connection files in this server's own runtime folder).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

START_TIMEOUT_SECONDS = 120  # a cold start on a loaded 2-core machine took up to ~25 s; leave a wide margin

LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """One JupyterLab server serving ``root``; every private folder lives under ``scratch``."""

    def __init__(self, root: Path, scratch: Path, nbgrader_config: str | None = None,
                 extra_config_path: Path | None = None):
        self.root = Path(root)
        self.scratch = Path(scratch)
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.scratch / "jupyter-lab.log"
        self.dirs = {name: self.scratch / name for name in ("config", "data", "runtime", "settings", "workspaces",
                                                            "ipython")}
        self.nbgrader_config = nbgrader_config
        self.extra_config_path = extra_config_path  # first on JUPYTER_CONFIG_PATH (e.g. the learner's set-up)
        self.process: subprocess.Popen | None = None

    # ------------------------------------------------------------------------------------------ start / stop
    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "JUPYTER_CONFIG_DIR": str(self.dirs["config"]),
            "JUPYTER_DATA_DIR": str(self.dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(self.dirs["runtime"]),
            "JUPYTERLAB_SETTINGS_DIR": str(self.dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.dirs["workspaces"]),
            "IPYTHONDIR": str(self.dirs["ipython"]),
        })
        env.pop("JUPYTER_PATH", None)  # no extra kernel or extension folders from the caller's shell
        env.pop("JUPYTER_CONFIG_PATH", None)
        if self.extra_config_path is not None:
            env["JUPYTER_CONFIG_PATH"] = str(self.extra_config_path)
        return env

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            # If the test process is killed before its clean-up runs, the server still ends by itself: idle
            # kernels are culled after 10 minutes, and a server without kernels stops 10 minutes later.
            "--MappingKernelManager.cull_idle_timeout=600",
            "--MappingKernelManager.cull_interval=60",
            "--ServerApp.shutdown_no_activity_timeout=600",
            "--LabApp.extension_manager=readonly",  # no extension catalogue to fetch: the machine is offline
        ] + (["--allow-root"] if os.geteuid() == 0 else [])  # CI runs as root

    def start(self) -> None:
        for folder in self.dirs.values():
            folder.mkdir(parents=True, exist_ok=True)
        for relative, values in LAB_SETTINGS.items():
            path = self.dirs["settings"] / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        if self.nbgrader_config is not None:
            # nbgrader's Validate and Assignment List read nbgrader_config.py from the server's working folder.
            (self.root / "nbgrader_config.py").write_text(self.nbgrader_config, encoding="utf-8")
        with open(self.log_path, "wb") as log:
            # A session of its own: stop() can end the server and anything it started as one process group.
            self.process = subprocess.Popen(self.command(), cwd=self.root, env=self.environment(), stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode} while starting.\n"
                                   f"{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                self.api("GET", "/lab/api/settings")  # the lab extension answers too, not only the server
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer on {self.base_url} within {START_TIMEOUT_SECONDS} s.\n"
                           f"{self.log_tail()}")

    def stop(self) -> None:
        """Stop kernels, then the server, then anything left; safe to call twice or after a failed start."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.shutdown_kernels()
            except (OSError, urllib.error.URLError, ValueError):
                pass  # the server may be half-dead; the signals below still end it
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(timeout=10)
        for pid in self.kernel_pids():  # kernels run in sessions of their own, outside the server's group
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process = None

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def kernel_pids(self) -> list[int]:
        """PIDs of live processes whose command line names a connection file in this server's runtime folder."""
        marker = str(self.dirs["runtime"]).encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if marker in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue  # the process ended meanwhile, or is not ours to read
        return pids

    # ------------------------------------------------------------------------------------------ REST helpers
    def api(self, method: str, path: str, timeout: float = 10):
        """Call the server's REST API with the token; returns the decoded JSON (or None for an empty body)."""
        request = urllib.request.Request(self.base_url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel of this server (between notebooks: two cores are shared by everyone)."""
        for kernel in self.api("GET", "/api/kernels"):
            try:
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)
            except urllib.error.HTTPError:
                pass  # already gone

    def url(self, path: str) -> str:
        """A browser URL for ``path`` ("/lab/..."), carrying the token so the page logs in."""
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{separator}token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "--- last lines of the JupyterLab log ---\n" + "\n".join(text[-lines:])
