"""A real class hub for tests and the benchmark, started and stopped by the documented commands.

``ClassHub(folder, students=N)`` writes a roster of one instructor and N students whose usernames carry a
random prefix (``h3f9a2c-s1``...), so a rerun, or a run beside another, never meets an account of an earlier
one. ``start()`` runs ``bash deploy/jupyterhub/hub.sh up`` on 127.0.0.1 and a free port, with a service token
for the REST API; ``stop()`` runs ``hub.sh down --remove-accounts --delete-class-data`` and then checks that no
process of the class's accounts, no hub and no proxy is left (killing any by its pid if one were).
"""

from __future__ import annotations

import os
import pwd
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HUB_SH = REPO / "deploy" / "jupyterhub" / "hub.sh"
sys.path.insert(0, str(REPO / "deploy" / "jupyterhub"))

from classhub.client import HubClient  # noqa: E402
from classhub.settings import COURSE_ID  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ClassHub:
    def __init__(self, folder: Path, students: int = 6):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o755)  # user servers must reach the state folder below it
        self.prefix = "h" + secrets.token_hex(3)
        self.instructor = f"{self.prefix}-ins"
        self.students = [f"{self.prefix}-s{i}" for i in range(1, students + 1)]
        self.passwords = {name: secrets.token_urlsafe(12) for name in [self.instructor, *self.students]}
        self.state = self.folder / "state"
        self.homes = self.folder / "home"
        self.group = f"{self.prefix}-instructors"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        self.roster = self.folder / "roster.csv"
        lines = ["username,first_name,last_name,email,role,password",
                 f"{self.instructor},Ada,Lovelace,ada@example.org,instructor,{self.passwords[self.instructor]}"]
        lines += [f"{name},Student,Number {i},s{i}@example.org,student,{self.passwords[name]}"
                  for i, name in enumerate(self.students, start=1)]
        self.roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.hub = HubClient(self.url, self.token)
        self.course_id = COURSE_ID
        self._uids: list[int] = []

    def command(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        env = {**os.environ, "LSTM_HUB_SERVICE_TOKEN": self.token}
        return subprocess.run(["bash", str(HUB_SH), *args], env=env, capture_output=True, text=True,
                              timeout=timeout)

    def start(self) -> None:
        result = self.command("up", str(self.roster), "--port", str(self.port), "--state", str(self.state),
                              "--home-base", str(self.homes), "--instructors-group", self.group)
        self._uids = [pwd.getpwnam(n).pw_uid for n in [self.instructor, *self.students] if _exists(n)]
        if result.returncode != 0:
            raise RuntimeError(f"hub.sh up failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def stop(self) -> list[str]:
        """Stop everything; returns what had to be killed after ``down`` (empty when ``down`` did its job)."""
        hub_pid = _read_pid(self.state / "hub" / "jupyterhub.pid")
        proxy_pid = _read_pid(self.state / "hub" / "proxy.pid")
        result = self.command("down", "--state", str(self.state), "--remove-accounts", "--delete-class-data")
        left = [f"hub {hub_pid}" for pid in [hub_pid] if _alive(pid)]
        left += [f"proxy {proxy_pid}" for pid in [proxy_pid] if _alive(pid)]
        left += [f"user process {pid}" for pid in _processes_of(set(self._uids))]
        for entry in left:  # make sure, then report
            _kill(int(entry.rsplit(" ", 1)[1]))
        if result.returncode != 0:
            left.append(f"hub.sh down failed: {result.stderr}")
        return left

    @property
    def exchange(self) -> Path:
        return self.state / "exchange" / self.course_id


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    return pid is not None and Path(f"/proc/{pid}").exists()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _processes_of(uids: set[int]) -> list[int]:
    time.sleep(0.5)
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    found.append(int(entry.name))
            except FileNotFoundError:
                pass
    return found
