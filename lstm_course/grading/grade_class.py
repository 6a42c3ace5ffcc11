"""Grade a whole class with nbgrader, student by student, so no submission can spoil another's grade.

``nbgrader autograde ASSIGNMENT`` grades every student in one process. One hostile or broken submission (a
loop that swallows the KeyboardInterrupt sent on timeout, ``os._exit``, a notebook that is not JSON) makes that
command fail and leaves the submission unscored. This command instead:

1. (``--collect``) runs ``nbgrader collect``;
2. autogrades the students in ``submitted/`` with ``--jobs`` workers side by side (default: one per core). A
   worker (``lstm_course.grading.autograde_worker``) is one nbgrader process that grades student after student,
   each notebook in a fresh kernel, so nbgrader starts once per worker, not once per student. Each student has
   a wall-clock limit; a student the worker could not grade for a reason it cannot name (it hung, died, or
   failed oddly) is graded again alone, with ``nbgrader autograde ASSIGNMENT --student ID --force`` in a process
   of its own, and the worker is restarted if it had to be stopped: one hostile submission costs only its own
   grade. A progress bar shows the students done, the failures so far and the time left;
3. for a submission nbgrader could not grade, records it in the gradebook as failing: every grade 0 (nothing
   left to grade by hand), the reason as a comment; other students' grades are never touched;
4. runs ``nbgrader generate_feedback`` (hidden tests cleared, see nbgrader_config.py), and writes a short
   feedback page for every submission nbgrader had no notebook to build one from (failed, missing, misnamed);
5. rewrites the grades file of record, ``class-data/grades.csv``, and its Canvas import (export.py);
6. writes ``reports/ASSIGNMENT/``: ``grading.csv`` and ``grading.md`` (each student's score, the points still
   pending manual grading, and what happened), ``integrity.csv`` and ``integrity.md``, and ``mistakes/``: what
   the class gets wrong (mistake_report.py).

``--student ID`` (repeatable) grades only those students, e.g. after a resubmission: nobody else's grades,
feedback or report rows change, and their unchanged hand grades stand (regrade.py). Feedback is released in its
own step once manual grading is done (release.py).

Every kernel runs in the grading sandbox (``lstm_course.grading.sandbox``); where none can be made the command
refuses before grading anyone, unless ``--allow-unsandboxed`` (then the reports say so). What the sandbox denied a
submission while it was graded is listed next to its grade (``denied``) and in the integrity report.

Run it from the course root (the folder with nbgrader_config.py):

    python scripts/grade_class.py 04_gates --collect
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import nbformat
from tqdm import tqdm

from .autograde_worker import AutogradeWorker, kill_tree
from .deadlines import load_deadlines
from .denials import review_autograded
from .export import write_grades_of_record
from .integrity import HIGH, Finding, review_class, write_reports
from .limits import current_limits
from .mistake_report import build_report as build_mistake_report
from .mistake_report import write_report as write_mistake_report
from .pending import pending_points
from .regrade import merge_with_report, select_students
from .sandbox import SandboxUnavailable, require_sandbox, unsandboxed_note


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
    denied: str = ""      # what the grading sandbox refused it while it ran (lstm_course.grading.denials)


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


def default_jobs() -> int:
    """Students graded at the same time by default: one per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def nbgrader_environment() -> dict[str, str]:
    environment = dict(os.environ)
    # nbgrader runs the `alembic` command of its own environment when it creates a gradebook.
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    return environment


def nbgrader(course: Course, *arguments: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run one nbgrader command in the course root; stopped (with everything it started) after ``timeout``."""
    process = subprocess.Popen([sys.executable, "-m", "nbgrader", *arguments], cwd=course.root,
                               env=nbgrader_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(process.pid)  # nbgrader, its kernel and anything the student's code started
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
    known = known_cause(course, student, assignment, log, limits)
    if known:
        return known
    errors = [line.strip() for line in log.splitlines() if "[ERROR]" in line or "Error" in line]
    return f"nbgrader could not grade it: {errors[-1][:200] if errors else 'see the autograde log'}."


def known_cause(course: Course, student: str, assignment: str, log: str, limits) -> str | None:
    """The reason a submission failed, when the notebooks or nbgrader's log name it; else None."""
    folder = course.folder("submitted", student, assignment)
    for name in course.notebooks(assignment):
        path = folder / f"{name}.ipynb"
        if path.exists():
            try:
                nbformat.read(str(path), as_version=4)
            except Exception as error:
                return f"{name}.ipynb is not a valid notebook ({type(error).__name__}); it could not be run."
    refusal = next((line for line in log.splitlines() if "Refusing to grade" in line), None)
    if refusal:  # the grading kernel would not start without its sandbox (lstm_course/grading/sandbox.py)
        return f"the grading kernel refused to start: {refusal.strip()[:300]}"
    if "[grade_class: timed out]" in log:
        return f"grading this submission took longer than {limits.submission_wall_seconds} s and was stopped."
    if "Kernel died" in log:
        return ("the notebook's Python process ended while a cell was running: the code called os._exit() or "
                f"exit(), crashed, or used more than the {limits.kernel_cpu_seconds} s of CPU time allowed.")
    if "Timeout waiting for" in log or "CellTimeoutError" in log:
        return (f"a cell ran past the {limits.cell_timeout_seconds} s limit and ignored the interrupt "
                "(e.g. a loop that catches KeyboardInterrupt).")
    return None


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


def missing_reason(course: Course, student: str, assignment: str) -> str:
    """Why a submission is incomplete, or "" when every expected notebook is there."""
    missing = missing_notebooks(course, student, assignment)
    if not missing:
        return ""
    submitted = sorted(p.name for p in course.folder("submitted", student, assignment).glob("*.ipynb"))
    return (f"{', '.join(m + '.ipynb' for m in missing)} not submitted (received: "
            f"{', '.join(submitted) or 'no notebook'}); graded as zero.")


def nothing_to_grade(course: Course, student: str, assignment: str) -> bool:
    return len(missing_notebooks(course, student, assignment)) == len(course.notebooks(assignment))


def grade_student(course: Course, student: str, assignment: str, limits, *,
                  retry_hang: bool = True) -> tuple[str, str, float]:
    """Autograde one student in its own nbgrader run; returns (status, reason, seconds).

    A run that hangs is tried once more (the machine, not the student?) unless ``retry_hang`` is False (the
    student already hung a worker).
    """
    started = time.monotonic()
    if nothing_to_grade(course, student, assignment):
        reason = missing_reason(course, student, assignment)
        record_failure(course, student, assignment, reason)
        return "missing", reason, time.monotonic() - started
    for attempt in range(3):
        finished = nbgrader(course, "autograde", assignment, "--student", student, "--force",
                            timeout=limits.submission_wall_seconds)
        locked = "database is locked" in finished.stdout  # another student's run held the SQLite gradebook
        hung = "[grade_class: timed out]" in finished.stdout and attempt == 0 and retry_hang
        if not (locked or hung):
            break
        time.sleep(1 + attempt)
    seconds = time.monotonic() - started
    if finished.returncode != 0:
        reason = diagnose(course, student, assignment, finished.stdout, limits)
        record_failure(course, student, assignment, reason)
        return "failed", reason, seconds
    reason = missing_reason(course, student, assignment)
    return ("missing", reason, seconds) if reason else ("graded", "", seconds)


def grade_with_worker(course: Course, student: str, assignment: str, limits,
                      worker: AutogradeWorker) -> tuple[str, str, float]:
    """Autograde one student in a running worker; the student's own run (``grade_student``) when it must.

    The worker's verdict stands when it graded the submission, or when nbgrader's log names why it could not
    (a kernel that died, a cell that ignored the interrupt): the same reason a run of its own would give. Any
    other failure, a hang or a dead worker sends the student to a run of their own.
    """
    if nothing_to_grade(course, student, assignment):
        return grade_student(course, student, assignment, limits)  # records the zero; runs nothing
    for attempt in range(3):
        answer = worker.grade(student, timeout=limits.submission_wall_seconds)
        if answer.ok or "database is locked" not in answer.log or not worker.alive:
            break
        time.sleep(1 + attempt)  # another worker held the SQLite gradebook
    if answer.ok:
        reason = missing_reason(course, student, assignment)
        return ("missing", reason, answer.seconds) if reason else ("graded", "", answer.seconds)
    cause = None if answer.hung else known_cause(course, student, assignment, answer.log, limits)
    if cause:
        record_failure(course, student, assignment, cause)
        return "failed", cause, answer.seconds
    status, reason, seconds = grade_student(course, student, assignment, limits, retry_hang=not answer.hung)
    return status, reason, answer.seconds + seconds


class Progress:
    """The instructor's progress bar: students done, failures so far, time left (tqdm; on a terminal only)."""

    def __init__(self, total: int, assignment: str, *, show: bool | None = None):
        self.failures = 0
        self._lock = threading.Lock()
        self._bar = tqdm(total=total, desc=f"grading {assignment}", unit="student", dynamic_ncols=True,
                         disable=None if show is None else not show,
                         bar_format="{desc}: {n_fmt}/{total_fmt} {bar} [{elapsed} elapsed, {remaining} left, "
                                    "{rate_fmt}{postfix}]")
        self._bar.set_postfix_str("0 failed", refresh=False)

    def done(self, student: str, status: str) -> None:
        with self._lock:
            if status != "graded":
                self.failures += 1
                self._bar.set_postfix_str(f"{self.failures} failed or missing", refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def grade_students(course: Course, assignment: str, students: list[str], limits, *, jobs: int,
                   progress: Progress | None = None) -> dict[str, tuple[str, str, float]]:
    """Autograde ``students`` with ``jobs`` workers side by side; student -> (status, reason, seconds).

    Each worker takes the next student waiting, so a slow submission never holds up the others; a worker that had
    to be stopped is replaced for the students after it.
    """
    waiting: queue.Queue = queue.Queue()
    for student in students:
        waiting.put(student)
    outcomes: dict[str, tuple[str, str, float]] = {}

    def work() -> None:
        worker = None
        try:
            while True:
                try:
                    student = waiting.get_nowait()
                except queue.Empty:
                    return
                if worker is None or not worker.alive:
                    worker = AutogradeWorker(course.root, assignment, nbgrader_environment())
                outcomes[student] = grade_with_worker(course, student, assignment, limits, worker)
                if progress is not None:
                    progress.done(student, outcomes[student][0])
        finally:
            if worker is not None:
                worker.stop()

    threads = [threading.Thread(target=work, name=f"grade_class worker {k}") for k in range(min(jobs, len(students)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {student: outcomes[student] for student in students}


def scores(course: Course, assignment: str) -> dict[str, tuple[float, float]]:
    """student -> (score, max score) for this assignment, from the gradebook."""
    with course.gradebook() as gradebook:
        return {submission.student.id: (submission.score, submission.max_score)
                for submission in gradebook.assignment_submissions(assignment)}


def grade_class(course_root: Path, assignment: str, *, jobs: int | None = None, collect: bool = False,
                students: list[str] | None = None, report_folder: Path | None = None,
                progress: bool | None = None, allow_unsandboxed: bool = False) -> list[StudentResult]:
    """Grade every collected submission of ``assignment`` (or only ``students``'); write the reports.

    Returns one result per student graded. ``jobs``: students graded at the same time (default: one per core).
    ``progress``: show the progress bar (default: when standard error is a terminal). Raises
    ``SandboxUnavailable`` (before grading anyone) when no grading sandbox can be made, unless
    ``allow_unsandboxed``.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}.")
    sandbox = require_sandbox(allow_unsandboxed)
    if not sandbox.available:
        print(f"WARNING: {unsandboxed_note(sandbox)}", file=sys.stderr)
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

    bar = Progress(len(students), assignment, show=progress)
    try:
        outcomes = grade_students(course, assignment, students, limits, jobs=jobs, progress=bar)
    finally:
        bar.close()

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
    denied = review_autograded(course.root, assignment, autograded_directory=course.coursedir.autograded_directory)
    results = [StudentResult(student, status, *points.get(student, (0.0, 0.0)), reason, round(seconds, 1),
                             pending.get(student, 0.0), "; ".join(f"{f.cell}: {f.detail}" for f in denied.get(student, [])))
               for student, (status, reason, seconds) in outcomes.items()]
    if only:  # the other students' rows stay in the report
        results = merge_with_report(results, report_folder, points, pending)
    write_grading_report(results, report_folder, assignment,
                         note="" if sandbox.available else unsandboxed_note(sandbox))
    findings = review_class(course.root, assignment, submitted_directory=course.coursedir.submitted_directory,
                            release_directory=course.coursedir.release_directory)
    findings += [finding for student in denied.values() for finding in student]
    if not sandbox.available:
        findings.append(Finding("", "", "", 0, HIGH, "sandbox", unsandboxed_note(sandbox)))
    write_reports(findings, report_folder, title=assignment)
    # What the class gets wrong, rebuilt from the autograded notebooks alone (mistake_report.py).
    mistakes_folder = report_folder / "mistakes"
    write_mistake_report(build_mistake_report(course.root, [assignment], output=mistakes_folder,
                                              release_directory=course.coursedir.release_directory,
                                              source_directory=course.coursedir.source_directory), mistakes_folder)
    return results


def write_grading_report(results: list[StudentResult], folder: Path, assignment: str, *, note: str = "") -> None:
    """``grading.csv`` (one row per student) and ``grading.md`` (the ones to look at first); ``note`` heads
    grading.md (e.g. that the class was graded without the sandbox)."""
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
    if note:
        lines[1:1] = ["", f"**{note}**"]
    denied = [result for result in results if result.denied]
    if denied:
        lines += ["", "## Denied by the grading sandbox", "",
                  "What these submissions tried and the sandbox refused while they were graded (read the notebook; "
                  "integrity.md has the details):", ""]
        lines += [f"- {result.student}: {result.denied}" for result in sorted(denied, key=lambda r: r.student)]
    (folder / "grading.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grade_class", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="assignment id, e.g. 04_gates")
    parser.add_argument("--course-root", default=".", help="folder with nbgrader_config.py (default: here)")
    parser.add_argument("--jobs", type=int, default=None,
                        help=f"students graded at the same time (default: one per core, {default_jobs()} here)")
    parser.add_argument("--collect", action="store_true", help="run `nbgrader collect` first")
    parser.add_argument("--student", action="append", default=None,
                        help="grade only this student (repeat for several); nobody else's grades change")
    parser.add_argument("--release-feedback", action="store_true", help=argparse.SUPPRESS)  # moved: release.py
    parser.add_argument("--reports", default=None, help="report folder (default: reports/<assignment>)")
    parser.add_argument("--allow-unsandboxed", action="store_true",
                        help="grade even where no sandbox can be made (students' code then runs with your rights; "
                             "the reports say so)")
    options = parser.parse_args(argv)
    if options.release_feedback:
        parser.error("feedback is released in its own step, once manual grading is done: "
                     f"python -m lstm_course.grading.release {options.assignment}")
    try:
        results = grade_class(Path(options.course_root), options.assignment, jobs=options.jobs,
                              collect=options.collect, students=options.student, report_folder=options.reports,
                              allow_unsandboxed=options.allow_unsandboxed)
    except SandboxUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    except ValueError as error:  # a bad --student, a malformed deadlines file, no such assignment
        print(f"grade_class: {error}", file=sys.stderr)
        return 2
    for result in results:
        note = f"  ({result.reason})" if result.reason else ""
        note += f"  [denied: {result.denied}]" if result.denied else ""
        pending = f" ({result.pending:g} pending manual grading)" if result.pending else ""
        print(f"{result.student:24s} {result.status:8s} {result.score:g}/{result.max_score:g}{pending}{note}")
    print(f"Reports in {Path(options.reports or Path(options.course_root) / 'reports' / options.assignment)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
