"""The nbgrader course and exchange of a class, and the Jupyter configuration of each role.

Permissions (the exchange is a folder every user server reaches; owner = the first instructor, group = the
instructors' group, so every instructor can release and collect):

    exchange/                  root 1777        nbgrader insists every user can write here; the sticky bit
                                                keeps anyone from renaming or removing what is not theirs
    exchange/<course>/         owner 2775       made here, so no student can claim the course name first
      outbound/                owner 2775       released assignments: every student reads, only instructors write
      inbound/                 owner 2773       submissions: every student may add one, no student can list them
                                                (nbgrader names each with a random suffix, so none can be guessed)
      feedback/                owner 2771       feedback files, each named by a hash of its submission's secret
    course/                    owner 2770       the instructors' course folder: students have no access at all

nbgrader's ``CourseDirectory.groupshared`` is on for instructors, so what one instructor writes the others can
change. Each role reads its Jupyter configuration from ``<state>/jupyter/<role>`` (the spawner sets
JUPYTER_CONFIG_PATH); see ``write_role_config``.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from .roster import Member
from .settings import ClassSettings

REPO = Path(__file__).resolve().parents[3]
FRAMES_MODULE = Path(__file__).with_name("formgrader_frames.py")

# nbgrader's JupyterLab plugins a student must not see (the Assignments list and Validate stay).
STUDENT_HIDDEN_LAB_PLUGINS = {
    "@jupyter/nbgrader:formgrader": True,
    "@jupyter/nbgrader:create-assignment": True,
    "@jupyter/nbgrader:course-list": True,
}


def _own(path: Path, user: str, group: str, mode: int) -> None:
    os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
    os.chmod(path, mode)


def _make(path: Path, user: str, group: str, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    _own(path, user, group, mode)


def prepare_exchange(settings: ClassSettings) -> None:
    owner, group = settings.instructors[0], settings.instructors_group
    settings.exchange_dir.mkdir(parents=True, exist_ok=True)
    os.chown(settings.exchange_dir, 0, 0)
    os.chmod(settings.exchange_dir, 0o1777)
    course = settings.exchange_dir / settings.course_id
    _make(course, owner, group, 0o2775)
    _make(course / "outbound", owner, group, 0o2775)
    _make(course / "inbound", owner, group, 0o2773)
    _make(course / "feedback", owner, group, 0o2771)


def prepare_course(settings: ClassSettings, solutions: Path = REPO / "solutions") -> None:
    """The instructors' course folder with the instructor notebooks (units already there are left as they are:
    an instructor may have edited them) and a link to it from every instructor's home."""
    owner, group = settings.instructors[0], settings.instructors_group
    _make(settings.course_dir, owner, group, 0o2770)
    source = settings.course_dir / "solutions"
    _make(source, owner, group, 0o2770)
    for unit in sorted(p for p in solutions.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if not (source / unit.name).exists():
            shutil.copytree(unit, source / unit.name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
            for path in [source / unit.name, *(source / unit.name).rglob("*")]:
                _own(path, owner, group, 0o2770 if path.is_dir() else 0o660)
    for instructor in settings.instructors:
        home = Path(pwd.getpwnam(instructor).pw_dir)
        link = home / settings.course_id
        if not link.is_symlink() and not link.exists():
            link.symlink_to(settings.course_dir)
            os.lchown(link, pwd.getpwnam(instructor).pw_uid, grp.getgrnam(group).gr_gid)


def write_role_config(settings: ClassSettings) -> None:
    """Jupyter configuration per role, world-readable, outside root's home.

    student:    nbgrader knows the course and exchange (Assignments list, fetch, submit, Validate); the
                formgrader, course list, Create Assignment and the Nbgrader menu are off; the only kernel is the
                course's Python (the grading kernel stays out of the launcher).
    instructor: the course's nbgrader settings (nbgrader_config.py of this repository, copied) on the class's
                course folder; the formgrader may be framed by JupyterLab (``formgrader_frames``).
    """
    base = settings.state_path / "jupyter"
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    exchange = str(settings.exchange_dir)
    header = "# Written by deploy/jupyterhub (hub.sh up); rewritten at every start.\nc = get_config()  # noqa: F821\n"

    student = settings.jupyter_config_dir("student")
    (student / "labconfig").mkdir(parents=True, exist_ok=True)
    (student / "nbgrader_config.py").write_text(
        header
        + f"c.CourseDirectory.course_id = {settings.course_id!r}\n"
        + f"c.Exchange.root = {exchange!r}\n", encoding="utf-8")
    (student / "jupyter_server_config.py").write_text(
        header
        + "c.ServerApp.jpserver_extensions = {\n"
        + "    'nbgrader.server_extensions.formgrader': False,\n"
        + "    'nbgrader.server_extensions.course_list': False,\n"
        + "}\n"
        + "c.KernelSpecManager.allowed_kernelspecs = {'python3'}\n", encoding="utf-8")
    (student / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": STUDENT_HIDDEN_LAB_PLUGINS}, indent=1) + "\n", encoding="utf-8")

    instructor = settings.jupyter_config_dir("instructor")
    instructor.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "nbgrader_config.py", instructor / "lstm_course_nbgrader_settings.py")
    shutil.copyfile(FRAMES_MODULE, instructor / "lstm_hub_formgrader_frames.py")
    (instructor / "nbgrader_config.py").write_text(
        header
        + "import os\n"
        + f"load_subconfig({str(instructor / 'lstm_course_nbgrader_settings.py')!r})  # noqa: F821 -- the course's settings\n"
        + "# The course folder as each instructor's server sees it: ~/<course id>, a link to the class's folder\n"
        + "# (the formgrader needs the course inside the server's root folder).\n"
        + f"c.CourseDirectory.root = os.path.join(os.path.expanduser('~'), {settings.course_id!r})\n"
        + f"c.CourseDirectory.course_id = {settings.course_id!r}\n"
        + "c.CourseDirectory.groupshared = True\n"
        + f"c.Exchange.root = {exchange!r}\n", encoding="utf-8")
    (instructor / "jupyter_server_config.py").write_text(
        header
        + "import sys\n"
        + f"sys.path.insert(0, {str(instructor)!r})\n"
        + "c.ServerApp.jpserver_extensions = {'lstm_hub_formgrader_frames': True}\n", encoding="utf-8")
    for path in [base, *base.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def run_as(user: str, command: list[str], settings: ClassSettings, **kwargs) -> subprocess.CompletedProcess:
    """Run ``command`` as ``user`` (with the instructors' group), in the course environment."""
    entry = pwd.getpwnam(user)
    env = {"HOME": entry.pw_dir, "USER": user, "LANG": os.environ.get("LANG", "C.UTF-8"),
           "PATH": f"{settings.venv_bin}:/usr/local/bin:/usr/bin:/bin",
           "JUPYTER_CONFIG_PATH": str(settings.jupyter_config_dir("instructor"))}
    return subprocess.run(command, user=entry.pw_uid, group=entry.pw_gid,
                          extra_groups=[grp.getgrnam(settings.instructors_group).gr_gid],
                          env=env, cwd=entry.pw_dir, capture_output=True, text=True, **kwargs)


ADD_STUDENTS = """
import json, sys
from nbgrader.api import Gradebook
students = json.load(sys.stdin)
with Gradebook(sys.argv[1]) as gradebook:
    for student in students:
        gradebook.update_or_create_student(student.pop("id"), **student)
print(len(students))
"""


def add_students_to_gradebook(settings: ClassSettings, members: list[Member]) -> None:
    """Every student of the roster in the gradebook, with names and e-mail (updated if already there; a student
    no longer on the roster keeps their record and grades)."""
    students = [{"id": m.username, "first_name": m.first_name, "last_name": m.last_name, "email": m.email}
                for m in members if not m.is_instructor]
    db_url = "sqlite:///" + str(settings.course_dir / "gradebook.db")
    result = run_as(settings.instructors[0], [str(settings.venv_bin / "python"), "-c", ADD_STUDENTS, db_url],
                    settings, input=json.dumps(students))
    if result.returncode != 0:
        raise RuntimeError(f"Could not add the students to the gradebook:\n{result.stderr}")
    gradebook = settings.course_dir / "gradebook.db"
    os.chmod(gradebook, 0o660)
