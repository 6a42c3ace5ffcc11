"""Grade a whole class with nbgrader, one student at a time, so no submission can spoil another's grade.

``nbgrader autograde ASSIGNMENT`` grades every student in one process. One hostile or broken submission (a
loop that swallows the KeyboardInterrupt sent on timeout, ``os._exit``, a notebook that is not JSON) makes that
command fail and leaves the submission unscored. This command instead:

1. (``--collect``) runs ``nbgrader collect``;
2. runs ``nbgrader autograde ASSIGNMENT --student ID --force`` for each student in ``submitted/``, each in its
   own process with a wall-clock limit (``--jobs`` at a time);
3. for a submission nbgrader could not grade, records it in the gradebook as failing: every grade 0 (nothing
   left to grade by hand), the reason as a comment; other students' grades are never touched;
4. runs ``nbgrader generate_feedback`` (hidden tests cleared, see nbgrader_config.py), and writes a short
   feedback page for every submission nbgrader had no notebook to build one from (failed, missing, misnamed);
5. rewrites the grades file of record, ``class-data/grades.csv``, and its Canvas import (export.py);
6. writes ``reports/ASSIGNMENT/``: ``grading.csv`` and ``grading.md`` (each student's score, the points still
   pending manual grading, and what happened), ``integrity.csv`` and ``integrity.md``.

``--student ID`` (repeatable) grades only those students, e.g. after a resubmission: nobody else's grades,
feedback or report rows change, and their unchanged hand grades stand (regrade.py). Feedback is released in its
own step once manual grading is done (release.py).

Run it from the course root (the folder with nbgrader_config.py):

    python scripts/grade_class.py 04_gates --collect
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import nbformat

from .deadlines import load_deadlines
from .export import write_grades_of_record
from .integrity import review_class, write_reports
from .limits import current_limits
from .regrade import merge_with_report, select_students
from .pending import pending_points


@dataclass
class StudentResult:
    """What grading one student's submission gave."""

    student: str
    status: str           # "graded", "failed" (nbgrader could not run it: zero, with a reason) or "missing"
    score: float          # autograded + manual points in the gradebook
    max_score: float
    reason: str           # why it failed or what is missing; empty when graded normally
    seconds: float        # wall-clock time of its autograde run
    pending: float = 0.0  # points still awaiting manual grading (the score is not final while > 0)


class Course:
    """The paths and gradebook of an nbgrader course, read from its nbgrader_config.py."""

    def __init__(self, root: Path):
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").exists():
            raise ValueError(f"course_root: no nbgrader_config.py in {self.root}; run from the course folder.")
        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        self.coursedir = CourseDirectory(config=config)
        self.coursedir.root = str(self.root)

    def folder(self, kind: str, student: str, assignment: str) -> Path:
        """``kind`` is "submitted", "autograded" or "feedback"."""
        directory = getattr(self.coursedir, f"{kind}_directory")
        return Path(self.coursedir.format_path(directory, student, assignment))

    def release_folder(self, assignment: str) -> Path:
        return Path(self.coursedir.format_path(self.coursedir.release_directory, ".", assignment))

    def students(self, assignment: str) -> list[str]:
        submitted = self.root / self.coursedir.submitted_directory
        return sorted(path.parent.name for path in submitted.glob(f"*/{assignment}") if path.is_dir())

    def notebooks(self, assignment: str) -> list[str]:
        return sorted(path.stem for path in self.release_folder(assignment).glob("*.ipynb"))

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.coursedir.db_url, self.coursedir.course_id)


def nbgrader(course: Course, *arguments: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run one nbgrader command in the course root; stopped (with everything it started) after ``timeout``."""
    environment = dict(os.environ)
    # nbgrader runs the `alembic` command of its own environment when it creates a gradebook.
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    process = subprocess.Popen([sys.executable, "-m", "nbgrader", *arguments], cwd=course.root, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # nbgrader, its kernel and anything the student's code started
        output, _ = process.communicate()
        return subprocess.CompletedProcess(process.args, -signal.SIGKILL, output + "\n[grade_class: timed out]")
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # a kernel left behind by a crashed nbgrader
        except (ProcessLookupError, PermissionError):
            pass
    return subprocess.CompletedProcess(process.args, process.returncode, output)


def diagnose(course: Course, student: str, assignment: str, log: str, limits) -> str:
    """Say, in an instructor's words, why nbgrader could not grade this submission."""
    folder = course.folder("submitted", student, assignment)
    for name in course.notebooks(assignment):
        path = folder / f"{name}.ipynb"
        if path.exists():
            try:
                nbformat.read(str(path), as_version=4)
            except Exception as error:
                return f"{name}.ipynb is not a valid notebook ({type(error).__name__}); it could not be run."
    if "[grade_class: timed out]" in log:
        return f"grading this submission took longer than {limits.submission_wall_seconds} s and was stopped."
    if "Kernel died" in log:
        return ("the notebook's Python process ended while a cell was running: the code called os._exit() or "
                f"exit(), crashed, or used more than the {limits.kernel_cpu_seconds} s of CPU time allowed.")
    if "Timeout waiting for" in log or "CellTimeoutError" in log:
        return (f"a cell ran past the {limits.cell_timeout_seconds} s limit and ignored the interrupt "
                "(e.g. a loop that catches KeyboardInterrupt).")
    errors = [line.strip() for line in log.splitlines() if "[ERROR]" in line or "Error" in line]
    return f"nbgrader could not grade it: {errors[-1][:200] if errors else 'see the autograde log'}."


def record_failure(course: Course, student: str, assignment: str, reason: str) -> None:
    """Put a zero in the gradebook for this submission, with ``reason`` as the comment of its first answer.

    Any partial record nbgrader left is replaced; other students' records are not touched.
    """
    timestamp = course.coursedir.get_existing_timestamp(str(course.folder("submitted", student, assignment)))
    with course.gradebook() as gradebook:
        gradebook.update_or_create_student(student)
        try:
            gradebook.remove_submission(assignment, student)
        except Exception:  # nothing recorded yet (MissingEntry)
            pass
    with course.gradebook() as gradebook, warnings.catch_warnings():  # a fresh session: the removed rows are gone
        # nbgrader's add_submission trips SQLAlchemy's autoflush warnings on its own new rows; they are harmless.
        warnings.simplefilter("ignore", category=Warning)
        submission = gradebook.add_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0.0
                grade.needs_manual_grade = False
            for comment in notebook.comments:
                comment.manual_comment = f"Autograding failed: {reason}"
        gradebook.db.commit()


def write_fallback_feedback(course: Course, student: str, assignment: str, reason: str) -> list[Path]:
    """A short feedback page per expected notebook, where nbgrader had none to build; returns the pages written.

    Files go where ``nbgrader release_feedback`` looks (``feedback/<student>/<assignment>/<notebook>.html``) with
    the submission's timestamp.txt and submission_secret.txt, so the student can fetch them as usual.
    """
    submitted = course.folder("submitted", student, assignment)
    feedback = course.folder("feedback", student, assignment)
    written = []
    # A page under each expected name, and under the name of each notebook actually handed in (a misnamed one):
    # a student's `nbgrader fetch_feedback` looks for pages by the names of the notebooks they submitted.
    names = course.notebooks(assignment) + sorted(path.stem for path in submitted.glob("*.ipynb"))
    for name in dict.fromkeys(names):
        page = feedback / f"{name}.html"
        if page.exists():
            continue
        feedback.mkdir(parents=True, exist_ok=True)
        page.write_text(
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(name)}: feedback</title></head><body>"
            f"<h1>{html.escape(assignment)} / {html.escape(name)}.ipynb</h1>"
            f"<p>Score: 0 points. Your submission could not be graded automatically: {html.escape(reason)}</p>"
            "<p>Check the notebook runs from top to bottom (Kernel &rarr; Restart and Run All) under its original "
            "name, then ask your instructor about a resubmission.</p></body></html>",
            encoding="utf-8")
        written.append(page)
        for extra in ("timestamp.txt", "submission_secret.txt"):
            if (submitted / extra).exists() and not (feedback / extra).exists():
                shutil.copy(submitted / extra, feedback / extra)
    return written


def missing_notebooks(course: Course, student: str, assignment: str) -> list[str]:
    folder = course.folder("submitted", student, assignment)
    return [name for name in course.notebooks(assignment) if not (folder / f"{name}.ipynb").exists()]


def grade_student(course: Course, student: str, assignment: str, limits) -> tuple[str, str, float]:
    """Autograde one student in its own nbgrader run; returns (status, reason, seconds)."""
    started = time.monotonic()
    missing = missing_notebooks(course, student, assignment)
    if missing and len(missing) == len(course.notebooks(assignment)):  # nothing nbgrader could grade
        submitted = sorted(p.name for p in course.folder("submitted", student, assignment).glob("*.ipynb"))
        reason = (f"{', '.join(m + '.ipynb' for m in missing)} not submitted (received: "
                  f"{', '.join(submitted) or 'no notebook'}); graded as zero.")
        record_failure(course, student, assignment, reason)
        return "missing", reason, time.monotonic() - started
    for attempt in range(3):
        finished = nbgrader(course, "autograde", assignment, "--student", student, "--force",
                            timeout=limits.submission_wall_seconds)
        locked = "database is locked" in finished.stdout  # another student's run held the SQLite gradebook
        hung = "[grade_class: timed out]" in finished.stdout and attempt == 0  # once: the machine, not the student?
        if not (locked or hung):
            break
        time.sleep(1 + attempt)
    seconds = time.monotonic() - started
    if finished.returncode != 0:
        reason = diagnose(course, student, assignment, finished.stdout, limits)
        record_failure(course, student, assignment, reason)
        return "failed", reason, seconds
    missing = missing_notebooks(course, student, assignment)
    if missing:
        submitted = sorted(p.name for p in course.folder("submitted", student, assignment).glob("*.ipynb"))
        reason = (f"{', '.join(m + '.ipynb' for m in missing)} not submitted (received: "
                  f"{', '.join(submitted) or 'no notebook'}); graded as zero.")
        return "missing", reason, seconds
    return "graded", "", seconds


def scores(course: Course, assignment: str) -> dict[str, tuple[float, float]]:
    """student -> (score, max score) for this assignment, from the gradebook."""
    with course.gradebook() as gradebook:
        return {submission.student.id: (submission.score, submission.max_score)
                for submission in gradebook.assignment_submissions(assignment)}


def grade_class(course_root: Path, assignment: str, *, jobs: int = 2, collect: bool = False,
                students: list[str] | None = None, report_folder: Path | None = None) -> list[StudentResult]:
    """Grade every collected submission of ``assignment`` (or only ``students``'); write the reports.

    Returns one result per student graded.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}.")
    course = Course(course_root)
    load_deadlines(course.root)  # a mistake in class-data/deadlines.yaml stops here, before anyone is graded
    limits = current_limits()
    if not course.notebooks(assignment):
        raise ValueError(f"assignment: no released notebooks for {assignment!r} in {course.release_folder(assignment)}; "
                         "run `nbgrader generate_assignment` first.")
    if collect:
        nbgrader(course, "collect", assignment, "--update")
    only = students
    students = select_students(course.students(assignment), only, assignment)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = dict(zip(students, pool.map(lambda s: grade_student(course, s, assignment, limits), students)))

    for student in ([None] if only is None else [s for s in students if outcomes[s][0] == "graded"]):
        nbgrader(course, "generate_feedback", assignment, "--force", *(["--student", student] if student else []))
    for student, (status, reason, _) in outcomes.items():
        if status != "graded":
            write_fallback_feedback(course, student, assignment, reason)

    report_folder = Path(report_folder or course.root / "reports" / assignment)
    report_folder.mkdir(parents=True, exist_ok=True)
    write_grades_of_record(course.root, course.coursedir)
    points = scores(course, assignment)
    with course.gradebook() as gradebook:
        pending = pending_points(gradebook, assignment)
    results = [StudentResult(student, status, *points.get(student, (0.0, 0.0)), reason, round(seconds, 1),
                             pending.get(student, 0.0))
               for student, (status, reason, seconds) in outcomes.items()]
    if only:  # the other students' rows stay in the report
        results = merge_with_report(results, report_folder, points, pending)
    write_grading_report(results, report_folder, assignment)
    findings = review_class(course.root, assignment, submitted_directory=course.coursedir.submitted_directory,
                            release_directory=course.coursedir.release_directory)
    write_reports(findings, report_folder, title=assignment)
    return results


def write_grading_report(results: list[StudentResult], folder: Path, assignment: str) -> None:
    """``grading.csv`` (one row per student) and ``grading.md`` (the ones to look at first)."""
    with open(folder / "grading.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[field.name for field in fields(StudentResult)])
        writer.writeheader()
        writer.writerows(asdict(result) for result in results)
    waiting = [r for r in results if r.pending]
    lines = [f"# Grading: {assignment}", "",
             f"{len(results)} submissions; {sum(r.status == 'graded' for r in results)} graded normally; "
             f"{len(waiting)} with answers pending manual grading (their scores are not final).", "",
             "| student | status | score | reason |", "|---|---|---|---|"]
    for result in sorted(results, key=lambda r: (r.status == "graded", r.student)):
        score = f"{result.score:g} / {result.max_score:g}"
        if result.pending:
            score += f" ({result.pending:g} pending manual grading)"
        lines.append(f"| {result.student} | {result.status} | {score} | {result.reason.replace('|', '/')} |")
    (folder / "grading.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grade_class", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="assignment id, e.g. 04_gates")
    parser.add_argument("--course-root", default=".", help="folder with nbgrader_config.py (default: here)")
    parser.add_argument("--jobs", type=int, default=2, help="students graded at the same time (default 2)")
    parser.add_argument("--collect", action="store_true", help="run `nbgrader collect` first")
    parser.add_argument("--student", action="append", default=None,
                        help="grade only this student (repeat for several); nobody else's grades change")
    parser.add_argument("--release-feedback", action="store_true", help=argparse.SUPPRESS)  # moved: release.py
    parser.add_argument("--reports", default=None, help="report folder (default: reports/<assignment>)")
    options = parser.parse_args(argv)
    if options.release_feedback:
        parser.error("feedback is released in its own step, once manual grading is done: "
                     f"python -m lstm_course.grading.release {options.assignment}")
    try:
        results = grade_class(Path(options.course_root), options.assignment, jobs=options.jobs,
                              collect=options.collect, students=options.student, report_folder=options.reports)
    except ValueError as error:  # a bad --student, a malformed deadlines file, no such assignment
        print(f"grade_class: {error}", file=sys.stderr)
        return 2
    for result in results:
        note = f"  ({result.reason})" if result.reason else ""
        pending = f" ({result.pending:g} pending manual grading)" if result.pending else ""
        print(f"{result.student:24s} {result.status:8s} {result.score:g}/{result.max_score:g}{pending}{note}")
    print(f"Reports in {Path(options.reports or Path(options.course_root) / 'reports' / options.assignment)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
