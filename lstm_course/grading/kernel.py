"""The grading kernel: an ordinary IPython kernel that starts under resource limits.

nbgrader runs each student's notebook in a Jupyter kernel with the grader's rights and no limits, so one runaway
submission (a loop that ignores interrupts, a memory hog, a fork bomb) can stall or crash the grading of the
whole class. This module is a kernel launcher: it lowers its own limits with ``resource.setrlimit`` and then
becomes the usual ``ipykernel`` kernel, so everything the notebook runs inherits them:

    RLIMIT_CPU    CPU seconds of the kernel process (soft limit: SIGXCPU, hard limit 5 s later: SIGKILL)
    RLIMIT_AS     bytes of address space (an allocation past it raises MemoryError in the learner's cell)
    RLIMIT_NPROC  processes and threads of this user (the tasks running now plus a margin)

The numbers live in ``lstm_course.grading.limits``. Before each cell the kernel also puts back any numpy or
lstm_ref function an earlier cell replaced (``lstm_course.grading.guard``).

The kernel then runs inside the grading sandbox (``lstm_course.grading.sandbox``: bubblewrap, seeing only a scratch
copy of its notebook's folder, the Python environment and the course's packages, without network). Where no
sandbox can be made, an autograding kernel (``NBGRADER_EXECUTION=autograde``) refuses to start unless
``LSTM_GRADING_ALLOW_UNSANDBOXED=1``; any other use (a learner's Validate) runs unsandboxed with a note.
Install the kernel once per grading environment:

    python -m lstm_course.grading.kernel install --sys-prefix     # into the virtualenv (what scripts/setup.sh runs)
    python -m lstm_course.grading.kernel install --user           # or for this user only

and ``nbgrader_config.py`` makes ``nbgrader autograde`` use it (``c.Execute.kernel_name``) whenever it is
installed. ``python -m lstm_course.grading.kernel show-limits`` prints the limits a kernel would get.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import tempfile
from pathlib import Path

from . import sandbox
from .limits import GradingLimits, current_limits

KERNEL_NAME = "lstm-grading"
DISPLAY_NAME = "Python 3 (LSTM course grading, resource-limited, sandboxed)"

# The first argument of the kernel's own command inside the sandbox (limits already applied, no second sandbox).
INSIDE_SANDBOX = "--inside-sandbox"
# Exit status of a grading kernel that refuses to run student code without a sandbox.
REFUSED_EXIT_STATUS = 3

# Seconds between the soft CPU limit (SIGXCPU, which code could catch) and the hard one (SIGKILL, which it
# cannot).
CPU_GRACE_SECONDS = 5


def count_user_tasks(uid: int | None = None) -> int:
    """Number of tasks (processes and their threads) owned by ``uid`` right now: what RLIMIT_NPROC counts.

    Reads /proc; returns 0 where /proc is not available.
    """
    uid = os.getuid() if uid is None else uid
    total = 0
    proc = Path("/proc")
    if not proc.is_dir():
        return 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            total += sum(1 for _ in (entry / "task").iterdir())
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue  # the process ended while we looked, or is not ours to read
    return total


def _lowered(kind: int, wanted_soft: int, wanted_hard: int) -> tuple[int, int]:
    """The (soft, hard) pair to set: never above the limits already in force (an unprivileged process can
    lower its limits but not raise them)."""
    soft_now, hard_now = resource.getrlimit(kind)
    hard = wanted_hard if hard_now == resource.RLIM_INFINITY else min(wanted_hard, hard_now)
    soft = min(wanted_soft, hard)
    return soft, hard


def apply_limits(limits: GradingLimits, *, cpu: bool = True, memory: bool = True, processes: bool = True,
                 uid: int | None = None) -> dict:
    """Lower this process's resource limits to ``limits``; return what was set, for logging and tests.

    ``uid``: the user whose running tasks the process bound starts from (default: this process's user).
    Returns ``{"RLIMIT_CPU": (soft, hard), "RLIMIT_AS": (soft, hard), "RLIMIT_NPROC": (soft, hard)}`` (only the
    kinds applied). Children of this process inherit every limit.
    """
    if not isinstance(limits, GradingLimits):
        raise TypeError(f"limits must be a GradingLimits, got {type(limits).__name__}.")
    applied = {}
    if cpu:
        used = int(sum(os.times()[:2]))  # CPU time is counted from the process start: add what is already used
        pair = _lowered(resource.RLIMIT_CPU, used + limits.kernel_cpu_seconds,
                        used + limits.kernel_cpu_seconds + CPU_GRACE_SECONDS)
        resource.setrlimit(resource.RLIMIT_CPU, pair)
        applied["RLIMIT_CPU"] = pair
    if memory:
        pair = _lowered(resource.RLIMIT_AS, limits.kernel_memory_bytes, limits.kernel_memory_bytes)
        resource.setrlimit(resource.RLIMIT_AS, pair)
        applied["RLIMIT_AS"] = pair
    if processes:
        bound = count_user_tasks(uid) + limits.extra_processes
        pair = _lowered(resource.RLIMIT_NPROC, bound, bound)
        resource.setrlimit(resource.RLIMIT_NPROC, pair)
        applied["RLIMIT_NPROC"] = pair
    return applied


def kernel_spec() -> dict:
    """The kernel.json of the grading kernel, for the Python running this function.

    ``-I`` (isolated mode) keeps the student's folder (the kernel's working directory) off ``sys.path`` while
    the launcher imports ``lstm_ref``, so a submitted file named ``lstm_ref`` cannot replace the launcher.
    """
    return {
        "argv": [sys.executable, "-I", "-m", "lstm_course.grading.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": False},
    }


def install(*, user: bool = False, prefix: str | None = None) -> str:
    """Install the kernelspec (``user``: for this user; ``prefix``: under that prefix, e.g. ``sys.prefix``).

    Returns the directory it was installed to.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1))
        return KernelSpecManager().install_kernel_spec(folder, KERNEL_NAME, user=user, prefix=prefix)


def is_installed() -> bool:
    """Whether Jupyter can find the grading kernel (under any of its data directories)."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME in KernelSpecManager().find_kernel_specs()


def _run_kernel(argv: list[str]) -> None:
    """Run ipykernel in this process with ``argv`` (e.g. ``-f connection.json``), limits already applied.

    Before any student code runs, the kernel snapshots numpy's and lstm_ref's functions and restores them before
    every cell (``lstm_course.grading.guard``).
    """
    # The launcher outside left SIGINT ignored (so that bubblewrap survives the grader's interrupt); the kernel
    # itself must turn it back into KeyboardInterrupt, which is how a cell past its time limit is stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from ipykernel.kernelapp import IPKernelApp

    from .guard import ModuleGuard

    guard = ModuleGuard()
    app = IPKernelApp.instance()
    app.initialize(argv)
    app.shell.events.register("pre_run_cell", guard.before_cell)
    app.start()


def connection_file_argument(argv: list[str]) -> str | None:
    """The connection file named by ``-f FILE`` / ``-f=FILE`` / ``--f=FILE`` in a kernel's arguments."""
    for index, argument in enumerate(argv):
        if argument in ("-f", "--f") and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith(("-f=", "--f=")):
            return argument.split("=", 1)[1]
    return None


def sandboxed_command(argv: list[str], environ=None) -> sandbox.SandboxCommand:
    """The bwrap command that runs this kernel (``argv``: the kernelspec's arguments) inside the sandbox.

    Raises ``SandboxUnavailable`` when no sandbox can be made (bwrap missing or refused, a TCP connection file:
    a kernel without network can only be reached over the Unix sockets nbgrader_config.py configures).
    """
    environ = os.environ if environ is None else environ
    availability = sandbox.probe(environ)
    if not availability.available:
        raise sandbox.SandboxUnavailable(availability.reason)
    connection_file = connection_file_argument(argv)
    if connection_file is None:
        raise sandbox.SandboxUnavailable("the kernel was started without a connection file (-f).")
    info = json.loads(Path(connection_file).read_text(encoding="utf-8"))
    if info.get("transport") != "ipc":
        raise sandbox.SandboxUnavailable(
            "the kernel's connection uses TCP, which cannot cross the sandbox's private network; set "
            "c.KernelManager.transport = 'ipc' (as the course's nbgrader_config.py does).")
    inner = [sys.executable, "-I", "-m", "lstm_course.grading.kernel", INSIDE_SANDBOX,
             "-f", sandbox.CONNECTION_FILE]
    return sandbox.sandbox_command(inner, work_folder=Path.cwd(), connection_file=Path(connection_file),
                                   socket_folder=Path(info["ip"]).parent, bwrap=availability.bwrap,
                                   environ=environ)


def _launch_kernel(argv: list[str]) -> None:
    """Apply the limits, then become the sandboxed kernel (bwrap running this module with INSIDE_SANDBOX).

    Limits are applied here, outside the sandbox: the process count RLIMIT_NPROC starts from must be the grader's
    whole count, which a process inside (its own PID namespace) cannot see; every limit is inherited inside.
    """
    if argv[:1] == [INSIDE_SANDBOX]:
        _run_kernel(argv[1:])
        return
    apply_limits(current_limits())
    try:
        command = sandboxed_command(argv)
    except sandbox.SandboxUnavailable as error:
        autograding = os.environ.get("NBGRADER_EXECUTION") == "autograde"
        if autograding and not sandbox.unsandboxed_allowed():
            print(sandbox.refusal_message(sandbox.Availability(False, None, str(error))), file=sys.stderr)
            sys.exit(REFUSED_EXIT_STATUS)
        print(f"{KERNEL_NAME}: running WITHOUT a sandbox ({error})", file=sys.stderr)
        _run_kernel(argv)
        return
    # bwrap would die of the interrupt nbgrader sends to the kernel's process group when a cell runs past its
    # limit (and take the kernel with it); an ignored signal stays ignored across exec. The kernel restores it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.execv(command.argv[0], command.argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["install"]:
        parser = argparse.ArgumentParser(prog="python -m lstm_course.grading.kernel install",
                                         description="Install the resource-limited grading kernel.")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--user", action="store_true", help="for this user only")
        where.add_argument("--sys-prefix", action="store_true", help="into this Python environment (the default)")
        where.add_argument("--prefix", help="under this prefix")
        options = parser.parse_args(argv[1:])
        prefix = options.prefix if options.prefix else (None if options.user else sys.prefix)
        print(f"Installed the kernel {KERNEL_NAME!r} in {install(user=options.user, prefix=prefix)}")
        return 0
    if argv[:1] == ["show-limits"]:
        limits = current_limits()
        for name, value in limits.__dict__.items():
            print(f"{name} = {value}")
        return 0
    _launch_kernel(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
