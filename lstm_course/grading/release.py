"""Release feedback, as its own step, only once every answer that needs a person has been graded.

Feedback released early tells a student "8/16" while their written answers still wait for a grader, and a
perfect student reads 12/16 with no word of the 4 points pending. So this command refuses while anything of the
assignment awaits manual grading, and says who and what:

    python -m lstm_course.grading.release 04_gates                    # everyone, or nothing
    python -m lstm_course.grading.release 04_gates --student alice    # only alice (after her regrade)
    python -m lstm_course.grading.release 04_gates --complete-only    # everyone finished; lists who waits

"Awaits a person" is nbgrader's own flag, ``needs_manual_grade``: set on written answers until a grade is
entered in the formgrader, and on any answer whose hand grade must be looked at again. A collected submission
that was never autograded waits too.

When nothing is pending it: recomputes late penalties on the final scores (lstm_course/grading/deadlines.py),
regenerates the feedback so it carries the hand grades and comments (``nbgrader generate_feedback --force``),
releases it (``nbgrader release_feedback``) and rewrites the grades file of record (export.py).
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

from nbgrader.exchange.default import ExchangeReleaseFeedback

from .pending import describe_pending, pending_grading


def release_feedback(course_root: Path, assignment: str, *, students: list[str] | None = None,
                     complete_only: bool = False) -> tuple[list[str], list[Pending]]:
    """Release ``assignment``'s feedback; returns (students released, what held the others back).

    Raises ``FeedbackNotReady`` (with the list of pending answers) when something awaits a person and
    ``complete_only`` is False; nothing is released then.
    """
    from .deadlines import load_deadlines, reapply_late_penalties
    from .export import write_grades_of_record
    from .grade_class import Course

    course = Course(course_root)
    deadlines = load_deadlines(course.root)  # a malformed file stops here, before anything is released
    submitted = {student: collected_at(course, student, assignment) for student in course.students(assignment)}
    with course.gradebook() as gradebook:
        recorded = {submission.student.id for submission in gradebook.find_assignment(assignment).submissions}
        wanted = sorted(set(students) if students else (set(submitted) | recorded))
        unknown = sorted(set(wanted) - set(submitted) - recorded)
        if unknown:
            raise ValueError(f"student: no submission of {assignment} from {', '.join(unknown)}.")
        pending = pending_grading(gradebook, assignment, set(wanted), submitted)
        if pending and not complete_only:
            raise FeedbackNotReady(describe_pending(pending, assignment), pending)
        waiting = {item.student for item in pending}
        ready = [student for student in wanted if student not in waiting]
        reapply_late_penalties(gradebook, deadlines, assignment, set(ready))

    # One nbgrader run for the whole class when everyone is ready; one per student otherwise (each run costs
    # seconds of start-up). A submission with no graded notebook keeps the page grade_class wrote about it.
    everyone = set(ready) == set(submitted) | recorded
    for student in ([None] if everyone and ready else ready):
        selected = ["--student", student] if student else []
        if student is None or course.folder("autograded", student, assignment).is_dir():
            run_or_fail(course, "generate_feedback", assignment, "--force", *selected)
        if student is None or course.folder("feedback", student, assignment).is_dir():
            run_or_fail(course, "release_feedback", assignment, *selected)
    write_grades_of_record(course.root, course.coursedir)
    return ready, pending


def collected_at(course, student: str, assignment: str):
    """The timestamp (naive UTC) of the collected submission, as nbgrader reads it, or None."""
    return course.coursedir.get_existing_timestamp(str(course.folder("submitted", student, assignment)))


def run_or_fail(course, *arguments: str) -> None:
    from .grade_class import nbgrader

    finished = nbgrader(course, *arguments)
    if finished.returncode != 0:
        raise RuntimeError(f"`nbgrader {' '.join(arguments)}` failed:\n{finished.stdout}")


class FeedbackNotReady(RuntimeError):
    """Something awaits manual grading; ``pending`` says what."""

    def __init__(self, message: str, pending: list[Pending]):
        super().__init__(message)
        self.pending = pending


class GuardedReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's feedback release (``nbgrader release_feedback``, the formgrader's Release Feedback button),
    refused while anything it would release awaits manual grading.

    nbgrader_config.py sets it as ``c.ExchangeFactory.release_feedback``, so no path releases early: this
    command regenerates the feedback first; a bare ``nbgrader release_feedback`` or the button release the
    feedback already generated, once nothing is pending.
    """

    def start(self):
        from nbgrader.api import Gradebook

        assignment, only = self.coursedir.assignment_id, self.coursedir.student_id
        students = None if only in ("", "*") else {only}
        folders = self.coursedir.format_path(self.coursedir.submitted_directory, "*", assignment)
        submitted = {Path(folder).parent.name: self.coursedir.get_existing_timestamp(folder)
                     for folder in sorted(glob.glob(folders)) if Path(folder).is_dir()}
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            pending = pending_grading(gradebook, assignment, students, submitted)
        if pending:
            self.fail(describe_pending(pending, assignment))
        return super().start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="release", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="assignment id, e.g. 04_gates")
    parser.add_argument("--course-root", default=".", help="folder with nbgrader_config.py (default: here)")
    parser.add_argument("--student", action="append", default=None,
                        help="release only this student's feedback (repeat for several)")
    parser.add_argument("--complete-only", action="store_true",
                        help="release for every student with nothing pending; list the others")
    options = parser.parse_args(argv)
    try:
        ready, pending = release_feedback(Path(options.course_root), options.assignment, students=options.student,
                                          complete_only=options.complete_only)
    except FeedbackNotReady as refusal:
        print(refusal, file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"release: {error}", file=sys.stderr)
        return 2
    print(f"Feedback for {options.assignment} released to {len(ready)} student{'s' if len(ready) != 1 else ''}"
          f"{': ' + ', '.join(ready) if ready else ''}.")
    if pending:
        print(describe_pending(pending, options.assignment, held_back=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
