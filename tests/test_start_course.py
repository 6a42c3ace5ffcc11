"""The README's first command, ``bash scripts/start_course.sh``, as a learner runs it on a fresh clone.

Slow: the first start creates the clone's own ``.venv`` and installs the course into it (pip's cache makes that a
minute or two where the suite's set-up ran before). As root (CI's user, and most containers'), it must
- print the address to open, and serve JupyterLab there (the lab page answers, set up for a learner);
- stop cleanly on SIGTERM (what ``docker stop`` or a terminal closing sends), taking its kernels with it;
- start again quietly: no installing, the address within a few lines.
The port is chosen at run time (``--port``), so parallel runs never collide; Jupyter's folders are temporary.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 900  # the first start installs the course; a loaded 2-core machine is slow
ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/lab\?token=(\w+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Started:
    """One run of the start command, its output collected in a file."""

    def __init__(self, clone: Path, scratch: Path, name: str):
        self.log = scratch / f"{name}.log"
        self.port = free_port()
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("JUPYTER", "VIRTUAL_ENV", "PYTHON"))}
        # A learner's shell: no virtualenv on PATH (the system's python3 starts it), Jupyter's folders temporary.
        env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep)
                                      if ".venv" not in Path(part).parts)
        env.update({"JUPYTER_CONFIG_DIR": str(scratch / "config"), "JUPYTER_DATA_DIR": str(scratch / "data"),
                    "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"), "IPYTHONDIR": str(scratch / "ipython")})
        self.started = time.monotonic()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                ["bash", "scripts/start_course.sh", "--port", str(self.port), "--ip", "127.0.0.1", "--no-browser"],
                cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_address(self, timeout_s: float) -> tuple[str, str]:
        """(base URL, token) once the lab page answers there."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the start command ended (exit {self.process.returncode}):\n{self.output()[-4000:]}")
            found = ADDRESS.search(self.output())
            if found:
                base = f"http://127.0.0.1:{found.group(1)}"
                try:
                    with urllib.request.urlopen(f"{base}/lab?token={found.group(2)}", timeout=10) as answer:
                        if answer.status == 200:
                            return base, found.group(2)
                except OSError:
                    pass
            time.sleep(1)
        pytest.fail(f"no JupyterLab address answered within {timeout_s} s:\n{self.output()[-4000:]}")

    def stop(self) -> int | None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
                return None
        return self.process.returncode


def api(base: str, token: str, method: str, path: str):
    request = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = answer.read()
    return json.loads(body) if body else None


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def kernel_pids(runtime: Path) -> list[int]:
    """Live processes whose command line names a connection file in ``runtime`` (this server's kernels)."""
    marker = str(runtime).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="the bash command; Windows runs py scripts\\start_course.py")
def test_the_readme_start_command_on_a_fresh_clone(tmp_path):
    clone, scratch = tmp_path / "course", tmp_path / "scratch"
    scratch.mkdir()
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    readme = (clone / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/start_course.sh" in readme and "py scripts\\start_course.py" in readme

    first = Started(clone, scratch, "first")
    try:
        base, token = first.wait_for_address(START_TIMEOUT_S)
        first_seconds = time.monotonic() - first.started
        page = urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30).read().decode()
        found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
        assert found, "the lab page did not come from JupyterLab"
        # The learner's set-up: nbgrader's instructor tools are disabled, its Validate button is not.
        disabled = json.loads(found.group(1))["disabledExtensions"]
        assert "@jupyter/nbgrader:formgrader" in disabled and "@jupyter/nbgrader:create-assignment" in disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        kernel = api(base, token, "POST", "/api/kernels")
        deadline = time.monotonic() + 120
        while not kernel_pids(scratch / "runtime") and time.monotonic() < deadline:
            time.sleep(0.5)
        kernels = kernel_pids(scratch / "runtime")
        assert kernels, f"the kernel {kernel['id']} did not start"
    finally:
        code = first.stop()
    assert code == 0, f"the server did not stop cleanly on SIGTERM (exit {code}):\n{first.output()[-3000:]}"
    time.sleep(2)
    assert not [pid for pid in kernels if alive(pid)], "a kernel outlived the server it belonged to"
    assert "Setting up the course" in first.output()

    second = Started(clone, scratch, "second")
    try:
        second.wait_for_address(300)
        second_seconds = time.monotonic() - second.started
    finally:
        code = second.stop()
    output = second.output()
    before_address = output[:ADDRESS.search(output).start()].splitlines()
    print(f"start on a fresh clone: {first_seconds:.0f} s to the lab page; second start: {second_seconds:.1f} s; "
          f"{len(before_address)} lines before the address")
    assert "Setting up the course" not in output and "pip" not in output.lower(), output
    assert len(before_address) <= 12, "the second start printed more than a few lines:\n" + output
    assert code == 0
