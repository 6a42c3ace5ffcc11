"""A throwaway nbgrader course in a temporary folder, for tests that grade notebooks the way an instructor does.

The course's notebooks are graded by real ``nbgrader`` commands; this module sets up what those commands
expect, runs them, and reads the results back, so a test reads as the instructor's workflow:

    course = GradingCourse.create(tmp_path / "course", ["01_welcome"])     # copy source, generate release
    release = course.release_notebook("01_welcome")                        # what learners receive
    course.add_submission("alice", "01_welcome", fill_solutions(release, course.source_notebook("01_welcome")))
    course.add_submission("bob", "01_welcome", release)                    # handed in untouched
    course.autograde("01_welcome")                                         # ONE nbgrader for all students
    scores = course.scores("01_welcome")    # {"alice": {"test_sigmoid": CellScore(...), ...}, "bob": {...}}

Layout of the temporary course (nbgrader's defaults, with the course's folder names):

    <root>/nbgrader_config.py        loads the repository's nbgrader_config.py, then moves the course root here
    <root>/solutions/<unit>/         copy of the instructor notebooks ("source")
    <root>/notebooks/<unit>/         generated student version ("release")
    <root>/submitted/<student>/<unit>/<unit>.ipynb
    <root>/autograded/<student>/<unit>/<unit>.ipynb, <root>/gradebook.db

Costs (``benchmarks/bench_notebooks.py --autograde``, a shared 2-core machine): each nbgrader command has a
fixed cost of 3-9 s, then autograde runs the submissions one after the other, each in a fresh kernel: about
2.6 s per student for unit 1, whose notebook alone runs in about 3 s. Hence one ``autograde`` call per unit
with all its students: one nbgrader process, or ``jobs`` of them side by side sharing the students
(``lstm_course.grading.autograde_worker``, as the class-grading command does).

The module also holds the notebook helpers the notebook tests share (reading cells by ``grade_id``, filling
solutions in, executing a notebook with nbclient in the right environment).
"""

from __future__ import annotations

import copy
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lstm_course.viz.frontend import FRONTEND_VARIABLE

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO_ROOT / "solutions"
RELEASE_DIR = REPO_ROOT / "notebooks"
CONFIG_FILE = REPO_ROOT / "nbgrader_config.py"

# The course's units, in order (CONTRIBUTING.md): each is one nbgrader assignment, id = folder = notebook name.
UNIT_IDS = (
    "01_welcome",
    "02_recurrence",
    "03_gradients",
    "04_gates",
    "05_cell_and_sequence",
    "06_bptt",
    "07_training",
    "08_capstone",
    "09_char_lstm",
)


def load_course_config(config_file: Path = CONFIG_FILE):
    """The traitlets Config an nbgrader command would read from ``config_file`` (the repository's by default)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(Path(config_file).name, path=str(Path(config_file).parent)).load_config()


def course_cell_timeout() -> int:
    """The per-cell time limit (s) nbgrader applies when grading, read from nbgrader_config.py (30 if unset)."""
    config = load_course_config()
    for section in ("Execute", "ExecutePreprocessor"):
        if "timeout" in config[section]:
            return int(config[section].timeout)
    return 30


# --- paths and notebooks -------------------------------------------------------------------------------------

def source_notebook_path(unit_id: str) -> Path:
    """The instructor notebook ``solutions/<unit_id>/<unit_id>.ipynb`` (may not exist yet)."""
    return SOURCE_DIR / unit_id / f"{unit_id}.ipynb"


def release_notebook_path(unit_id: str) -> Path:
    """The committed student notebook ``notebooks/<unit_id>/<unit_id>.ipynb`` (may not exist yet)."""
    return RELEASE_DIR / unit_id / f"{unit_id}.ipynb"


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat v4."""
    return nbformat.read(str(path), as_version=4)


def nbgrader_metadata(cell) -> dict:
    """The cell's ``nbgrader`` metadata ({} if it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def cell_by_grade_id(notebook, grade_id: str):
    """The cell whose nbgrader ``grade_id`` is ``grade_id``; KeyError naming the id if there is none."""
    for cell in notebook.cells:
        if nbgrader_metadata(cell).get("grade_id") == grade_id:
            return cell
    raise KeyError(f"no cell with grade_id {grade_id!r}")


def exercise_ids(notebook) -> list[str]:
    """grade_ids of the learner's code exercises (code cells with ``solution: true``), in notebook order."""
    return [
        nbgrader_metadata(cell)["grade_id"]
        for cell in notebook.cells
        if cell.cell_type == "code" and nbgrader_metadata(cell).get("solution")
    ]


def autograded_test_ids(notebook) -> list[str]:
    """grade_ids of the autograder's test cells (code cells with ``grade: true`` and no solution), in order."""
    return [
        nbgrader_metadata(cell)["grade_id"]
        for cell in notebook.cells
        if cell.cell_type == "code" and nbgrader_metadata(cell).get("grade") and not nbgrader_metadata(cell).get("solution")
    ]


def fill_solutions(release, source, replacements: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """A learner's notebook: ``release`` with every solution cell's source taken from ``source``.

    ``replacements`` ({grade_id: source}) puts a different answer into those solution cells instead, e.g. one
    wrong answer. Returns a new notebook; ``release`` and ``source`` are not changed. Written-answer
    (markdown) solution cells get the model answer too.
    """
    replacements = dict(replacements or {})
    filled = copy.deepcopy(release)
    for cell in filled.cells:
        meta = nbgrader_metadata(cell)
        if not meta.get("solution"):
            continue
        grade_id = meta["grade_id"]
        cell.source = replacements.pop(grade_id) if grade_id in replacements else cell_by_grade_id(source, grade_id).source
    if replacements:
        raise KeyError(f"no solution cells with grade_id {sorted(replacements)} in the release notebook")
    return filled


def kernel_environment() -> dict[str, str]:
    """The environment for the kernels and nbgrader commands the tests start.

    This process's environment with three additions: the repository first on PYTHONPATH, so a notebook run
    anywhere (a temporary course, a copy of the release folder) imports this checkout's ``lstm_ref``; this
    interpreter's ``bin`` folder first on PATH, because nbgrader runs the ``alembic`` command when it creates a
    gradebook and would not find it when the virtualenv is not activated; and ``LSTM_COURSE_FRONTEND=none``:
    no one looks at these kernels, so the course's widgets and reference figures are not built
    (``lstm_course.viz.frontend``; nbgrader's own runs say the same through NBGRADER_EXECUTION).
    """
    environment = dict(os.environ)
    environment[FRONTEND_VARIABLE] = "none"

    def prepend(variable: str, folder: Path) -> None:
        parts = [str(folder)] + [p for p in environment.get(variable, "").split(os.pathsep) if p]
        environment[variable] = os.pathsep.join(dict.fromkeys(parts))

    prepend("PYTHONPATH", REPO_ROOT)
    prepend("PATH", Path(sys.executable).parent)
    return environment


def execute_notebook(notebook, working_dir: Path, *, allow_errors: bool = False, timeout: int | None = None):
    """Run every cell of ``notebook`` in a fresh kernel started in ``working_dir``; return the executed copy.

    ``timeout`` (s per cell) defaults to the grading limit, ``course_cell_timeout()``. Uses nbclient with the ``python3`` kernel (jupyter_client maps it to this interpreter) and
    ``kernel_environment()``. With ``allow_errors`` a failing cell records its error as an output and execution
    goes on (as in nbgrader); otherwise the first error raises ``nbclient.exceptions.CellExecutionError``.
    """
    from nbclient import NotebookClient

    executed = copy.deepcopy(notebook)
    timeout = course_cell_timeout() if timeout is None else timeout
    client = NotebookClient(executed, kernel_name="python3", timeout=timeout, allow_errors=allow_errors)
    client.execute(cwd=str(working_dir), env=kernel_environment())
    return executed


def cell_errors(executed) -> dict[str, dict]:
    """{grade_id: error output} for every cell of an executed notebook that raised."""
    errors = {}
    for index, cell in enumerate(executed.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors[nbgrader_metadata(cell).get("grade_id", f"cell {index}")] = output
    return errors


# --- the temporary course ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CellScore:
    """One graded cell of one submission, as the gradebook holds it after autograding."""

    grade_id: str
    cell_type: str  # "code" (autograded test) or "markdown" (written answer, graded by a person)
    score: float
    max_score: float
    needs_manual_grade: bool

    @property
    def full_marks(self) -> bool:
        return self.score >= self.max_score


@dataclass(frozen=True)
class AutogradeRun:
    """What one ``nbgrader autograde`` command did: the students it graded, its log and its wall time."""

    unit_id: str
    students: tuple[str, ...]
    seconds: float
    log: str


class GradingCourse:
    """A temporary nbgrader course holding copies of some units, their students' submissions and a gradebook.

    Make one with ``GradingCourse.create(folder, unit_ids)``; the folder should be a test's temporary folder.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self._config = None

    # Construction --------------------------------------------------------------------------------------------

    @classmethod
    def create(cls, root: Path, unit_ids) -> "GradingCourse":
        """Set up a course in ``root`` (created; must not exist or be empty) with the given units generated.

        Copies ``solutions/<id>/`` for each unit and runs ``nbgrader generate_assignment <id>`` (which also
        records the assignment and its graded cells in the course's gradebook). Raises RuntimeError with
        nbgrader's output if a command fails.
        """
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        if any(root.iterdir()):
            raise ValueError(f"root must be a new or empty folder, got {root} with files in it")
        (root / "nbgrader_config.py").write_text(
            "# Written by tests/notebooks/course_harness.py: the course's own settings, rooted in this folder.\n"
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(CONFIG_FILE)!r})  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(root)!r}\n",
            encoding="utf-8",
        )
        course = cls(root)
        for unit_id in unit_ids:
            if not source_notebook_path(unit_id).is_file():
                raise FileNotFoundError(f"no instructor notebook for {unit_id}: {source_notebook_path(unit_id)}")
            shutil.copytree(
                SOURCE_DIR / unit_id, course.source_dir / unit_id,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            )
            course.run_nbgrader("generate_assignment", unit_id, "--force")
        return course

    # Where things are ----------------------------------------------------------------------------------------

    def _setting(self, name: str) -> str:
        """A CourseDirectory setting of this course, as nbgrader reads it (the config is loaded once)."""
        if self._config is None:
            self._config = load_course_config(self.root / "nbgrader_config.py")
        return self._config.CourseDirectory[name]

    @property
    def source_dir(self) -> Path:
        return self.root / self._setting("source_directory")

    @property
    def release_dir(self) -> Path:
        return self.root / self._setting("release_directory")

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def source_notebook(self, unit_id: str) -> nbformat.NotebookNode:
        return read_notebook(self.source_dir / unit_id / f"{unit_id}.ipynb")

    def release_notebook(self, unit_id: str) -> nbformat.NotebookNode:
        """The student version nbgrader generated in this course (what a learner starts from)."""
        return read_notebook(self.release_dir / unit_id / f"{unit_id}.ipynb")

    def submission_path(self, student_id: str, unit_id: str) -> Path:
        return self.root / "submitted" / student_id / unit_id / f"{unit_id}.ipynb"

    def autograded_path(self, student_id: str, unit_id: str) -> Path:
        return self.root / "autograded" / student_id / unit_id / f"{unit_id}.ipynb"

    # Actions -------------------------------------------------------------------------------------------------

    def run_nbgrader(self, *arguments: str) -> str:
        """Run ``nbgrader <arguments>`` in the course folder; return its output, RuntimeError if it fails."""
        completed = subprocess.run(
            [sys.executable, "-m", "nbgrader", *arguments],
            cwd=self.root, env=kernel_environment(), capture_output=True, text=True,
        )
        log = completed.stdout + completed.stderr
        if completed.returncode != 0:
            raise RuntimeError(f"`nbgrader {' '.join(arguments)}` failed (exit {completed.returncode}):\n{log}")
        return log

    def add_submission(self, student_id: str, unit_id: str, notebook) -> Path:
        """Hand in ``notebook`` as ``student_id``'s work for ``unit_id``; return where it was put.

        ``student_id`` becomes a folder name: letters, digits, ``-`` and ``_`` only.
        """
        if not student_id or not all(ch.isalnum() or ch in "-_" for ch in student_id):
            raise ValueError(f"student_id must use letters, digits, '-' and '_' only, got {student_id!r}")
        path = self.submission_path(student_id, unit_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(path))
        return path

    def students(self, unit_id: str) -> list[str]:
        """Students with a submission for ``unit_id``, sorted."""
        return sorted(p.parent.parent.name for p in (self.root / "submitted").glob(f"*/{unit_id}/{unit_id}.ipynb"))

    def autograde(self, unit_id: str, jobs: int = 1) -> AutogradeRun:
        """Autograde every submission of ``unit_id``: one ``nbgrader autograde`` command, or with ``jobs`` > 1
        that many nbgrader workers side by side, each taking the next student waiting.

        nbgrader restores the test cells (hidden tests included) from the gradebook, runs each notebook in a
        fresh kernel and records one grade per graded cell. RuntimeError with the log if nbgrader fails.
        """
        students = tuple(self.students(unit_id))
        if not students:
            raise ValueError(f"no submissions for {unit_id} in {self.root / 'submitted'}")
        start = time.perf_counter()
        if jobs <= 1:
            log = self.run_nbgrader("autograde", unit_id, "--force")
        else:
            log = self._autograde_in_workers(unit_id, students, jobs)
        return AutogradeRun(unit_id, students, time.perf_counter() - start, log)

    def _autograde_in_workers(self, unit_id: str, students, jobs: int) -> str:
        from lstm_course.grading.autograde_worker import AutogradeWorker
        from lstm_course.grading.limits import current_limits

        waiting: queue.Queue = queue.Queue()
        for student in students:
            waiting.put(student)
        answers = []

        def work() -> None:
            worker = AutogradeWorker(self.root, unit_id, kernel_environment())
            try:
                while True:
                    try:
                        student = waiting.get_nowait()
                    except queue.Empty:
                        return
                    if not worker.alive:
                        worker = AutogradeWorker(self.root, unit_id, kernel_environment())
                    answers.append(worker.grade(student, timeout=current_limits().submission_wall_seconds))
            finally:
                worker.stop()

        threads = [threading.Thread(target=work) for _ in range(min(jobs, len(students)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failed = [answer for answer in answers if not answer.ok]
        if failed or len(answers) != len(students):
            raise RuntimeError(f"`nbgrader autograde {unit_id}` failed for {[a.student for a in failed]}:\n"
                               + "\n".join(a.log for a in failed))
        return "\n".join(answer.log for answer in answers)

    def scores(self, unit_id: str) -> dict[str, dict[str, CellScore]]:
        """{student: {grade_id: CellScore}} for every graded cell of ``unit_id``, read from the gradebook."""
        from nbgrader.api import Gradebook

        results = {}
        with Gradebook(self.db_url, self._setting("course_id")) as gradebook:
            for student_id in self.students(unit_id):
                notebook = gradebook.find_submission_notebook(unit_id, unit_id, student_id)
                results[student_id] = {
                    grade.name: CellScore(
                        grade_id=grade.name, cell_type=grade.cell_type, score=float(grade.score),
                        max_score=float(grade.max_score), needs_manual_grade=bool(grade.needs_manual_grade),
                    )
                    for grade in notebook.grades
                }
        return results
