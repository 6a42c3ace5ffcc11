"""``hub.sh up`` / ``hub.sh down`` / ``hub.sh check``: bring a class's hub up from a roster, and stop it.

    up ROSTER [--host 127.0.0.1] [--port 8000] [--state /srv/lstm-course] [--home-base /home]
              [--instructors-group lstm-course-instructors]
        checks the roster and the machine first (nothing is created if anything is wrong), then creates the
        accounts, the course, the exchange, the gradebook's students and each role's Jupyter configuration, starts
        JupyterHub (which starts the proxy) in the background and waits until it answers.
    down [--state DIR] [--remove-accounts] [--delete-class-data]
        stops the hub, which stops the proxy and every user server; then makes sure none of them is left.
        --remove-accounts also removes the accounts and group ``up`` created; --delete-class-data removes the
        state folder (submissions, grades: back them up first).
    check ROSTER
        only checks the roster.
    role-config [--state DIR]
        only writes each role's Jupyter configuration under DIR/jupyter (for a single-user image:
        deploy/z2jh/Dockerfile), with the exchange at DIR/exchange.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import accounts, course
from .roster import RosterError, read_roster
from .settings import DEFAULT_PREFIX, DEFAULT_STATE, ClassSettings

HERE = Path(__file__).resolve().parent.parent  # deploy/jupyterhub
START_TIMEOUT = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def _pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None


def _fail(message: str, code: int = 2) -> int:
    print(f"hub.sh: {message}", file=sys.stderr)
    return code


# ============================================================================================== up
def up(options) -> int:
    try:
        members = read_roster(options.roster)
    except RosterError as error:
        return _fail(str(error))
    without = [m.username for m in members if not m.password and not os.environ.get("LSTM_HUB_PASSWORD")]
    if without:
        return _fail(f"no password for {', '.join(without)}: fill in the roster's 'password' column or set "
                     "LSTM_HUB_PASSWORD (the class password); nothing was created")
    if os.geteuid() != 0:
        return _fail("run as root: the hub creates local accounts and starts each user's server as that user")
    problems = accounts.check_existing(members)
    if problems:
        return _fail("the roster names existing system accounts; nothing was created:\n  " + "\n  ".join(problems))
    state = Path(options.state).resolve()
    settings = ClassSettings(
        state=str(state), prefix=options.prefix, host=options.host, port=options.port,
        hub_api_port=_free_port(), proxy_api_port=_free_port(), home_base=options.home_base,
        instructors_group=options.instructors_group,
        instructors=[m.username for m in members if m.is_instructor],
        students=[m.username for m in members if not m.is_instructor])
    if not settings.proxy_command.exists() or not (settings.venv_bin / "jupyterhub").exists():
        return _fail(f"the course environment is not installed under {options.prefix}: "
                     "run bash deploy/jupyterhub/setup.sh (hub.sh up does)")
    if _pid_alive(settings.hub_dir / "jupyterhub.pid"):
        return _fail(f"a hub is already running for {state}; stop it first: bash deploy/jupyterhub/hub.sh down "
                     f"--state {state}")
    if _port_taken(options.host, options.port):
        return _fail(f"{options.host}:{options.port} is already in use; choose another with --port")

    # ---- from here on, things are created (each step is idempotent: up again after a failure is safe)
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    settings.hub_dir.mkdir(exist_ok=True)
    os.chmod(settings.hub_dir, 0o700)
    settings.roster_copy.write_bytes(Path(options.roster).read_bytes())
    os.chmod(settings.roster_copy, 0o600)
    settings.save()
    Path(options.home_base).mkdir(parents=True, exist_ok=True)
    accounts.ensure_accounts(members, state, options.home_base, options.instructors_group)
    course.prepare_exchange(settings)
    course.prepare_course(settings)
    course.write_role_config(settings)
    course.add_students_to_gradebook(settings, members)
    print(f"hub.sh: class ready: {len(settings.instructors)} instructor(s), {len(settings.students)} student(s); "
          f"course folder {settings.course_dir}")
    return _start_hub(settings)


def _start_hub(settings: ClassSettings) -> int:
    log = open(settings.hub_dir / "jupyterhub.log", "ab")
    env = {key: value for key, value in os.environ.items()
           if key in ("LANG", "LC_ALL", "LSTM_HUB_PASSWORD", "LSTM_HUB_SERVICE_TOKEN")}
    env.update(PATH=f"{settings.venv_bin}:/usr/local/bin:/usr/bin:/bin", LSTM_HUB_STATE=settings.state,
               HOME=str(settings.hub_dir))
    process = subprocess.Popen(
        [str(settings.venv_bin / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
        cwd=settings.hub_dir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)  # the hub outlives this command; `down` stops it
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{settings.url}/hub/health", timeout=2) as response:
                if response.status == 200:
                    print(f"hub.sh: the class's hub is up at {settings.url}/  (log: {settings.hub_dir}/jupyterhub.log)")
                    print(f"hub.sh: stop it with: bash deploy/jupyterhub/hub.sh down --state {settings.state}")
                    return 0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    tail = (settings.hub_dir / "jupyterhub.log").read_text(errors="replace").splitlines()[-25:]
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    return _fail("JupyterHub did not start; the end of its log:\n  " + "\n  ".join(tail), code=1)


# ============================================================================================== down
def _processes_of(uids: set[int]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                continue
    return pids


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists()]
    return alive


def down(options) -> int:
    try:
        settings = ClassSettings.load(options.state)
    except FileNotFoundError as error:
        return _fail(str(error))
    hub_pid = _pid_alive(settings.hub_dir / "jupyterhub.pid")
    if hub_pid:
        os.kill(hub_pid, signal.SIGTERM)  # the hub stops every user server and the proxy, then exits
        if _wait_gone([hub_pid], 60):
            os.kill(hub_pid, signal.SIGKILL)
        print("hub.sh: JupyterHub stopped")
    else:
        print("hub.sh: JupyterHub was not running")
    leftovers = []
    proxy_pid = _pid_alive(settings.hub_dir / "proxy.pid")
    if proxy_pid:
        leftovers.append(proxy_pid)
    # Anything still running as a class member whose account this class created (a server the hub could not stop)
    created = {accounts.uid_of(name) for name in accounts.load_record(settings.state_path)["created_users"]}
    leftovers += _processes_of({uid for uid in created if uid is not None})
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in _wait_gone(leftovers, 10):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if leftovers:
        print(f"hub.sh: stopped {len(leftovers)} leftover process(es)")
    if options.remove_accounts:
        removed = accounts.remove_accounts(settings.state_path)
        print(f"hub.sh: removed {len(removed)} account(s) created for the class")
    if options.delete_class_data:
        import shutil

        shutil.rmtree(settings.state_path)
        print(f"hub.sh: deleted {settings.state_path}")
    return 0


def check(options) -> int:
    try:
        members = read_roster(options.roster)
    except RosterError as error:
        return _fail(str(error))
    roles = [m.role for m in members]
    print(f"hub.sh: the roster is fine: {roles.count('instructor')} instructor(s), {roles.count('student')} student(s)")
    return 0


def role_config(options) -> int:
    settings = ClassSettings(state=str(Path(options.state).resolve()))
    course.write_role_config(settings)
    print(f"hub.sh: wrote {settings.jupyter_config_dir('student')} and {settings.jupyter_config_dir('instructor')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hub.sh", description="A JupyterHub for a class of the LSTM course.")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="create the class from a roster and start its hub")
    start.add_argument("roster", help="CSV: username,first_name,last_name,email,role[,password]")
    start.add_argument("--host", default="127.0.0.1")
    start.add_argument("--port", type=int, default=8000)
    start.add_argument("--state", default=DEFAULT_STATE, help=f"the class's state folder (default {DEFAULT_STATE})")
    start.add_argument("--prefix", default=os.environ.get("LSTM_HUB_PREFIX", DEFAULT_PREFIX),
                       help="where setup.sh installed the course environment")
    start.add_argument("--home-base", default="/home", help="where new accounts' home folders go")
    start.add_argument("--instructors-group", default="lstm-course-instructors")
    stop = commands.add_parser("down", help="stop the hub, the proxy and every user server")
    stop.add_argument("--state", default=DEFAULT_STATE)
    stop.add_argument("--remove-accounts", action="store_true", help="also remove the accounts `up` created")
    stop.add_argument("--delete-class-data", action="store_true", help="also delete the state folder")
    checker = commands.add_parser("check", help="check a roster and change nothing")
    checker.add_argument("roster")
    roles = commands.add_parser("role-config", help="only write each role's Jupyter configuration")
    roles.add_argument("--state", default=DEFAULT_STATE)
    options = parser.parse_args(argv)
    return {"up": up, "down": down, "check": check, "role-config": role_config}[options.command](options)


if __name__ == "__main__":
    sys.exit(main())
