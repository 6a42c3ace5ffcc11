"""The grading sandbox: every grading kernel runs inside bubblewrap (``bwrap``), seeing only its own notebook.

Student code graded by nbgrader runs with the grader's rights: without a sandbox it can open ``gradebook.db``,
rewrite a classmate's submission, print ``solutions/`` into its own feedback or reach the network. The grading
kernel (``lstm_course.grading.kernel``) therefore starts itself under Debian's ``bubblewrap`` (Linux namespaces,
the tool Flatpak uses), so every path that uses the kernelspec (``scripts/grade_class.py``, the formgrader's
autograde button, a hub's grading) gets the same sandbox. Inside it, the kernel sees:

    /home/sandbox/<folder>   a scratch copy of its notebook's folder (its working folder; writes are thrown away)
    /home/sandbox            its home (an empty, size-limited tmpfs), /tmp likewise
    the Python environment   read-only (sys.prefix, sys.base_prefix), with /usr and a few files of /etc
    lstm_ref, lstm_course    read-only, at their own paths (where the hidden checks' fresh process imports them)
    the kernel's sockets     the private folder of Unix sockets nbgrader_config.py configures, and a read-only
                             copy of its connection file

and nothing else: not the course tree (``solutions/``, ``source``/``release`` folders, ``submitted/``,
``autograded/``, ``feedback/``, ``gradebook.db``), not the grader's home, not other processes (its own PID
namespace), not the network (its own network namespace, with only a loopback device). Its environment is
cleared down to a short allow-list (no tokens of the grader's session reach it). When the grader is root, all
capabilities are dropped and the writable corners of /proc (``/proc/sys``...) are made read-only.

Where no sandbox can be made (``bwrap`` missing, user namespaces refused: macOS, some containers and laptops),
autograding refuses, unless the instructor sets ``LSTM_GRADING_ALLOW_UNSANDBOXED=1`` (what
``scripts/grade_class.py --allow-unsandboxed`` does). ``LSTM_GRADING_BWRAP`` names the bwrap program to use
(default: ``bwrap`` on PATH). ``python -m lstm_course.grading.sandbox`` says whether a sandbox is available here.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BWRAP_VARIABLE = "LSTM_GRADING_BWRAP"
ALLOW_VARIABLE = "LSTM_GRADING_ALLOW_UNSANDBOXED"

# Where the kernel lives inside the sandbox.
SANDBOX_HOME = "/home/sandbox"
CONNECTION_FILE = "/run/lstm-grading/connection.json"
# Size of each writable tmpfs (/tmp and the home): they live in the machine's memory, which RLIMIT_AS does not
# count, so a submission writing without end meets "No space left on device" instead of filling the RAM.
TMPFS_BYTES = 512 * 1024**2
# A scratch copy larger than this is refused (an autograded folder holds a notebook and a few small files).
MAX_COPIED_FILES = 200
MAX_COPIED_BYTES = 100 * 1024**2

# The course's own packages, visible read-only in the sandbox (nothing else of the course tree is).
COURSE_PACKAGES = ("lstm_ref", "lstm_course")
# System folders bound read-only (where they are symbolic links, as on merged-/usr Debian, the link is copied).
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# The few files of /etc a Python process needs: the dynamic linker's cache, names of users and groups, time
# zone, locale aliases, TLS certificates. Not /etc as a whole: a root grader could read /etc/shadow there, and a
# hub keeps its secrets under /etc.
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd", "/etc/group",
             "/etc/nsswitch.conf", "/etc/localtime", "/etc/timezone", "/etc/locale.alias", "/etc/mime.types",
             "/etc/ssl/certs", "/etc/fonts", "/etc/alternatives")
# Parts of /proc a root process could write to change the host (e.g. /proc/sys/kernel/core_pattern runs a
# program as root on the host): read-only, as Docker does. bubblewrap covers /proc/irq and /proc/bus itself.
PROC_READ_ONLY = ("/proc/sys", "/proc/sysrq-trigger", "/proc/fs")
# Environment variables passed into the sandbox (everything else, e.g. a hub's API token, is cleared).
ENVIRONMENT_ALLOWED = ("LANG", "LANGUAGE", "TZ", "TERM", "NBGRADER_EXECUTION", "OPENBLAS_NUM_THREADS",
                       "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED", "MPLBACKEND",
                       "PYDEVD_DISABLE_FILE_VALIDATION")
ENVIRONMENT_ALLOWED_PREFIXES = ("LC_", "LSTM_GRADING_")


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made here; the message says why and what to do."""


@dataclass(frozen=True)
class Availability:
    """Whether a sandbox can be made: ``available``, the bwrap used, and ``reason`` when it cannot."""

    available: bool
    bwrap: str | None
    reason: str = ""


def find_bwrap(environ=None) -> str | None:
    """The bwrap program: ``$LSTM_GRADING_BWRAP`` if set (even if it does not exist), else ``bwrap`` on PATH."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(BWRAP_VARIABLE)
    if chosen:
        return chosen
    return shutil.which("bwrap")


def unsandboxed_allowed(environ=None) -> bool:
    """Whether the instructor accepted grading without a sandbox (``LSTM_GRADING_ALLOW_UNSANDBOXED=1``)."""
    environ = os.environ if environ is None else environ
    return environ.get(ALLOW_VARIABLE, "").strip().lower() in ("1", "yes", "true")


def _namespace_options() -> list[str]:
    """Isolation shared by the probe and the kernel: every namespace, no capabilities, die with the grader."""
    return ["--unshare-all", "--die-with-parent", "--cap-drop", "ALL"]


def _system_options() -> list[str]:
    options = []
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            options += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            options += ["--ro-bind", folder, folder]
    return options


def probe_command(bwrap: str) -> list[str]:
    """A sandbox made like the kernel's (same namespaces and mounts, nothing copied in) running ``true``."""
    return [bwrap, *_namespace_options(), *_system_options(), "--proc", "/proc", "--dev", "/dev",
            "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp", "--remount-ro", "/", "--", "true"]


def probe(environ=None) -> Availability:
    """Try to make a sandbox like the kernel's (same namespaces, /usr bound) and run ``true`` in it."""
    bwrap = find_bwrap(environ)
    if not bwrap:
        return Availability(False, None, "bubblewrap (`bwrap`) is not installed; on Debian/Ubuntu: "
                                         "`apt-get install bubblewrap` (scripts/setup.sh does it when run as root).")
    if not (os.path.isfile(bwrap) and os.access(bwrap, os.X_OK)):
        return Availability(False, bwrap, f"the sandbox program {bwrap!r} does not exist or cannot be run.")
    try:
        finished = subprocess.run(probe_command(bwrap), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Availability(False, bwrap, f"{bwrap} could not be run: {error}")
    if finished.returncode != 0:
        said = " ".join(finished.stderr.split())[:300] or f"exit status {finished.returncode}"
        return Availability(False, bwrap, f"{bwrap} cannot make a sandbox here ({said}). It needs Linux user "
                                          "namespaces (unprivileged ones when grading as an ordinary user).")
    return Availability(True, bwrap)


def refusal_message(availability: Availability) -> str:
    """What grading says when it refuses to run student code without a sandbox."""
    return ("Refusing to grade: no sandbox is available for the grading kernel, so students' code would run with "
            f"the grader's rights over the course and the network. Why: {availability.reason} "
            "To grade anyway, accepting that risk: scripts/grade_class.py --allow-unsandboxed, or set "
            f"{ALLOW_VARIABLE}=1 for nbgrader / the formgrader (docs/instructors.md, 'The grading sandbox').")


def require_sandbox(allow_unsandboxed: bool = False, environ=None) -> Availability:
    """What class grading calls first: the sandbox's availability, or ``SandboxUnavailable`` (the refusal).

    With ``allow_unsandboxed`` and no sandbox, sets ``LSTM_GRADING_ALLOW_UNSANDBOXED=1`` in ``environ`` (default
    ``os.environ``) so the nbgrader runs started afterwards let their kernels run unsandboxed; the caller then
    says so in its reports.
    """
    environ = os.environ if environ is None else environ
    availability = probe(environ)
    if not availability.available:
        if not (allow_unsandboxed or unsandboxed_allowed(environ)):
            raise SandboxUnavailable(refusal_message(availability))
        environ[ALLOW_VARIABLE] = "1"
    return availability


def unsandboxed_note(availability: Availability) -> str:
    """The line the reports carry when a class was graded without the sandbox."""
    return (f"Graded WITHOUT the grading sandbox (allowed by the instructor): {availability.reason} Students' code "
            "ran with the grader's rights over the course files, the gradebook and the network.")


def package_folders() -> list[Path]:
    """The folders of the course's packages (found without importing them)."""
    folders = []
    for name in COURSE_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise SandboxUnavailable(f"the course package {name!r} cannot be found by this Python ({sys.executable}).")
        folders += [Path(location).resolve() for location in spec.submodule_search_locations]
    return folders


def python_folders() -> list[Path]:
    """The Python environment: the virtualenv and the Python it was made from (real paths)."""
    candidates = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  str(Path(sys.executable).resolve().parent.parent)}
    folders = sorted({Path(candidate).resolve() for candidate in candidates})
    # Drop folders inside others (and those /usr covers already).
    return [folder for folder in folders
            if not any(other != folder and other in folder.parents for other in folders + [Path("/usr")])
            and folder != Path("/usr")]


def _environment(environ) -> dict[str, str]:
    """The kernel's environment: the allowed variables of ``environ``, and the sandbox's own home and paths."""
    kept = {name: value for name, value in environ.items()
            if name in ENVIRONMENT_ALLOWED or name.startswith(ENVIRONMENT_ALLOWED_PREFIXES)}
    kept.pop(ALLOW_VARIABLE, None)
    kept.pop(BWRAP_VARIABLE, None)
    kept.update({
        "HOME": SANDBOX_HOME,
        "USER": "sandbox",
        "TMPDIR": "/tmp",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "MPLCONFIGDIR": f"{SANDBOX_HOME}/.config/matplotlib",
        "IPYTHONDIR": f"{SANDBOX_HOME}/.ipython",
        "JUPYTER_RUNTIME_DIR": f"{SANDBOX_HOME}/.local/share/jupyter/runtime",
    })
    return kept


def _matplotlib_font_cache(environ) -> list[Path]:
    """The grader's matplotlib font list, copied in so the kernel does not rebuild it (about a second) each time."""
    folders = [environ.get("MPLCONFIGDIR"),
               os.path.join(environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib")]
    for folder in filter(None, folders):
        found = sorted(Path(folder).glob("fontlist-*.json"))
        if found:
            return found[-1:]
    return []


@dataclass
class SandboxCommand:
    """The bwrap command line and the file descriptors it reads the scratch files from."""

    argv: list[str]
    pass_fds: list[int]
    work_folder: str

    def close(self) -> None:
        for descriptor in self.pass_fds:
            try:
                os.close(descriptor)
            except OSError:
                pass


class _Files:
    """Opens files for bwrap's ``--file FD DEST`` (a copy made inside the sandbox's tmpfs)."""

    def __init__(self):
        self.options: list[str] = []
        self.fds: list[int] = []
        self.bytes = 0

    def add(self, source: Path, destination: str, *, option: str = "--file") -> None:
        descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        os.set_inheritable(descriptor, True)
        self.fds.append(descriptor)
        self.options += [option, str(descriptor), destination]

    def close(self):
        SandboxCommand([], self.fds, "").close()


def _copy_folder(files: _Files, folder: Path, destination: str) -> None:
    """Add the scratch copy of ``folder``: its subfolders and regular files; symbolic links are left out, so a
    submitted link cannot bring a grader's file in."""
    count = 0
    for current, subfolders, names in os.walk(folder):
        relative = os.path.relpath(current, folder)
        target = destination if relative == "." else f"{destination}/{relative}"
        if relative != ".":
            files.options += ["--dir", target]
        subfolders[:] = sorted(name for name in subfolders if not os.path.islink(os.path.join(current, name)))
        for name in sorted(names):
            path = Path(current) / name
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                continue
            count += 1
            files.bytes += info.st_size
            if count > MAX_COPIED_FILES or files.bytes > MAX_COPIED_BYTES:
                raise SandboxUnavailable(
                    f"the notebook's folder {folder} holds more than {MAX_COPIED_FILES} files or "
                    f"{MAX_COPIED_BYTES // 1024**2} MB; the grading kernel copies it into its sandbox and refuses "
                    "folders that large.")
            files.add(path, f"{target}/{name}")


def sandbox_command(inner_argv: list[str], *, work_folder: Path, connection_file: Path | None,
                    socket_folder: Path | None, bwrap: str, environ=None) -> SandboxCommand:
    """The bwrap command that runs ``inner_argv`` in the sandbox (see the module docstring for what it sees).

    ``work_folder``: the notebook's folder, copied in as ``/home/sandbox/<its name>`` (the working folder).
    ``connection_file``: copied read-only to ``CONNECTION_FILE`` (``inner_argv`` should use that path).
    ``socket_folder``: bound read-write at its own path (the kernel creates its Unix sockets there).
    Raises ``SandboxUnavailable`` if a folder that would be bound holds the work folder (the course tree would
    then be visible), or the work folder is too large to copy.
    """
    environ = os.environ if environ is None else environ
    work_folder = Path(work_folder).resolve()
    read_only = python_folders() + package_folders()
    for folder in read_only:
        if folder == work_folder or folder in work_folder.parents:
            raise SandboxUnavailable(f"{folder} would be visible in the sandbox and holds the notebook's folder "
                                     f"{work_folder}: keep the Python environment and the course packages outside "
                                     "the folders being graded.")
    inside = f"{SANDBOX_HOME}/{work_folder.name or 'work'}"
    files = _Files()
    try:
        options = [bwrap, *_namespace_options(), "--clearenv"]
        for name, value in sorted(_environment(environ).items()):
            options += ["--setenv", name, value]
        options += _system_options()
        for path in ETC_FILES:
            options += ["--ro-bind-try", path, path]
        options += ["--dev", "/dev", "--proc", "/proc"]
        for path in PROC_READ_ONLY:
            options += ["--ro-bind-try", path, path]
        options += ["--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"]
        for folder in read_only:
            options += ["--ro-bind", str(folder), str(folder)]
        if socket_folder is not None:
            options += ["--bind", str(socket_folder), str(socket_folder)]
        options += ["--size", str(TMPFS_BYTES), "--tmpfs", SANDBOX_HOME, "--dir", inside,
                    "--dir", f"{SANDBOX_HOME}/.config/matplotlib"]
        _copy_folder(files, work_folder, inside)
        for cache in _matplotlib_font_cache(environ):
            files.add(cache, f"{SANDBOX_HOME}/.config/matplotlib/{cache.name}")
        if connection_file is not None:
            files.add(Path(connection_file), CONNECTION_FILE, option="--ro-bind-data")
        options += files.options
        options += ["--remount-ro", "/", "--chdir", inside, "--", *inner_argv]
    except BaseException:
        files.close()
        raise
    return SandboxCommand(options, files.fds, inside)


def main(argv: list[str] | None = None) -> int:
    """``python -m lstm_course.grading.sandbox``: say whether grading kernels can be sandboxed here."""
    availability = probe()
    if availability.available:
        print(f"Sandbox available: grading kernels run under {availability.bwrap}.")
        return 0
    print(f"No sandbox: {availability.reason}")
    print("Autograding refuses to run unless LSTM_GRADING_ALLOW_UNSANDBOXED=1 (grade_class.py --allow-unsandboxed).")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
