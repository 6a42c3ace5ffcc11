"""What of an assignment still awaits a person: the answers to grade by hand, the submissions to (re)grade.

"Awaits a person" is nbgrader's own flag, ``needs_manual_grade``: set on written answers until a grade is
entered in the formgrader, and on any answer whose hand grade must be looked at again. A collected submission
that was never autograded, or was collected again after it was autograded, waits too. The reports
(grade_class), the grades file (export) and the feedback release (release) all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pending:
    """One thing of one student's submission that a person still has to grade."""

    student: str
    notebook: str      # "" when the whole submission is pending (not autograded yet)
    cell: str          # grade_id, or "" for the whole submission
    points: float      # the points that depend on it
    what: str          # in an instructor's words

    def __str__(self) -> str:
        where = f"{self.notebook}.ipynb, cell {self.cell}" if self.cell else "the whole submission"
        return f"{self.student}: {where}: {self.what} ({self.points:g} points)"


def pending_grading(gradebook, assignment: str, students=None, submitted=()) -> list[Pending]:
    """Everything of ``assignment`` awaiting a person, for ``students`` (default: every student).

    ``submitted``: ids of students with a collected submission; one with no record in the gradebook has not
    been autograded yet. Given as {student: timestamp of the collected submission}, a submission collected
    after it was autograded (a resubmission) is pending too.
    """
    found = []
    recorded = set()
    collected = submitted if isinstance(submitted, dict) else {}
    for submission in gradebook.find_assignment(assignment).submissions:
        student = submission.student.id
        recorded.add(student)
        if students is not None and student not in students:
            continue
        newer = collected.get(student)
        if newer is not None and submission.timestamp is not None and newer > submission.timestamp:
            found.append(Pending(student, "", "", float(submission.max_score),
                                 f"resubmitted ({newer:%Y-%m-%d %H:%M} UTC) after it was autograded: "
                                 f"regrade it with grade_class.py {assignment} --student {student}"))
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if not grade.needs_manual_grade:
                    continue
                if grade.manual_score is not None:
                    what = "graded by hand before, flagged for review when autograded again"
                elif grade.cell_type == "markdown":
                    what = "written answer not graded yet"
                else:
                    what = "answer the autograder could not score: grade it by hand"
                found.append(Pending(student, notebook.name, grade.name, float(grade.max_score), what))
    for student in sorted(set(submitted) - recorded):
        if students is None or student in students:
            found.append(Pending(student, "", "", float(gradebook.find_assignment(assignment).max_score),
                                 "collected but not autograded yet"))
    return found


def pending_points(gradebook, assignment: str) -> dict[str, float]:
    """student -> points of ``assignment`` still awaiting a person (students with nothing pending are left out)."""
    points: dict[str, float] = {}
    for item in pending_grading(gradebook, assignment):
        points[item.student] = points.get(item.student, 0.0) + item.points
    return points


def describe_pending(pending: list[Pending], assignment: str, *, held_back: bool = False) -> str:
    """The refusal message (or, ``held_back``, the note on who was left out): who waits, for what, what to do."""
    students = sorted({item.student for item in pending})
    lines = [f"Feedback for {assignment} {'held back' if held_back else 'not released'}: {len(pending)} "
             f"answer{'s' if len(pending) != 1 else ''} of {len(students)} student{'s' if len(students) != 1 else ''} "
             "still await manual grading:"]
    lines += [f"  {item}" for item in pending]
    lines.append("Grade them in the formgrader (Manual Grading; or autograde a submission not graded yet), then "
                 f"release again: python -m lstm_course.grading.release {assignment}")
    if not held_back:
        lines.append(f"To release now for the students who are fully graded: python -m lstm_course.grading.release "
                     f"{assignment} --complete-only")
    return "\n".join(lines)
