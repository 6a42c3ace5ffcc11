"""What the notebook tests share: which units exist yet, grading one unit's test students, and timings.

``grade_unit(unit_id, folder)`` builds a temporary nbgrader course for the unit (``course_harness``), hands in
the students the autograde tests need (the full solution, the blank notebook, and one notebook per wrong
answer in ``tests/wrong_answers/<unit>.py``), and autogrades them all with ONE ``nbgrader autograde`` command
(each command costs about 3 s to start). ``conftest.graded_unit`` caches it per test session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.notebooks.course_harness import AutogradeRun, CellScore, GradingCourse, fill_solutions, source_notebook_path
from tests.wrong_answers import load_wrong_answers, wrong_answers_path

SOLUTION_STUDENT = "solution"
BLANK_STUDENT = "blank"

# (seconds, what) for every timed step of the session; conftest prints them at the end of the run.
TIMINGS: list[tuple[float, str]] = []


def unit_presence(unit_id: str) -> tuple[bool, bool]:
    """(has an instructor notebook, has a wrong-answers file)."""
    return source_notebook_path(unit_id).is_file(), wrong_answers_path(unit_id).is_file()


def require_notebook(unit_id: str) -> None:
    """Skip while a unit is not written yet (neither notebook nor wrong answers); fail on half a unit.

    A wrong-answers file without its notebook means the notebook is missing, not that the unit is pending.
    """
    has_notebook, has_wrong_answers = unit_presence(unit_id)
    if has_notebook:
        return
    if has_wrong_answers:
        pytest.fail(
            f"tests/wrong_answers/{unit_id}.py exists but solutions/{unit_id}/{unit_id}.ipynb does not: "
            "commit the unit's notebook (or hold back its wrong answers)."
        )
    pytest.skip(f"unit {unit_id} has no notebook yet (solutions/{unit_id}/{unit_id}.ipynb)")


@dataclass
class GradedUnit:
    """One unit's temporary course after autograding, and who handed in what."""

    unit_id: str
    course: GradingCourse
    run: AutogradeRun
    scores: dict[str, dict[str, CellScore]]  # student -> grade_id -> score
    wrong_students: dict[tuple[str, str], str]  # (exercise grade_id, mistake name) -> student id


def _wrong_student_id(index: int, grade_id: str) -> str:
    """A folder-safe student id for the index-th wrong answer, readable in nbgrader's logs."""
    return f"wrong{index:02d}-" + re.sub(r"[^A-Za-z0-9_-]", "-", grade_id)[:40]


def grade_unit(unit_id: str, folder: Path) -> GradedUnit:
    """Autograde the solution, the blank notebook and every wrong answer of ``unit_id`` in a course in ``folder``."""
    course = GradingCourse.create(folder, [unit_id])
    release, source = course.release_notebook(unit_id), course.source_notebook(unit_id)
    course.add_submission(SOLUTION_STUDENT, unit_id, fill_solutions(release, source))
    course.add_submission(BLANK_STUDENT, unit_id, release)

    wrong_students = {}
    if wrong_answers_path(unit_id).is_file():
        index = 0
        for grade_id, mistakes in load_wrong_answers(unit_id).items():
            for mistake, replacement in mistakes.items():
                index += 1
                student = _wrong_student_id(index, grade_id)
                course.add_submission(student, unit_id, fill_solutions(release, source, {grade_id: replacement}))
                wrong_students[(grade_id, mistake)] = student

    run = course.autograde(unit_id)
    TIMINGS.append((run.seconds, f"autograde {unit_id}: {len(run.students)} students, "
                                 f"{run.seconds / len(run.students):.1f} s per student (start-up included)"))
    return GradedUnit(unit_id, course, run, course.scores(unit_id), wrong_students)
