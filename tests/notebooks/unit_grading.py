"""What the notebook tests share: which units exist yet, grading one unit's test students, and timings.

``grade_unit(unit_id, folder)`` hands in the students the autograde tests need (the full solution, the blank
notebook, and one notebook per wrong answer in ``tests/wrong_answers/<unit>.py``) to temporary nbgrader
courses (``course_harness``) and autogrades them with real ``nbgrader autograde``. ``conftest.graded_unit``
caches the result per test session.

Cost: autograde runs every submission's whole notebook, so a unit costs about (its students) x (its
notebook's run time + about 1 s), plus 3-9 s per nbgrader process. One course per unit, graded by one nbgrader
process per core (2 on the CI machine) sharing the students, keeps the start-up to one per core and halves
the rest.
"""

from __future__ import annotations

import functools
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.notebooks.course_harness import (
    CellScore,
    GradingCourse,
    fill_solutions,
    read_notebook,
    source_notebook_path,
)
from tests.wrong_answers import load_wrong_answers, wrong_answers_path

SOLUTION_STUDENT = "solution"
BLANK_STUDENT = "blank"

# (seconds, what) for every timed step of the session; conftest prints them at the end of the run.
TIMINGS: list[tuple[float, str]] = []


@functools.lru_cache(maxsize=None)
def session_wrong_answers(unit_id: str) -> dict[str, dict[str, str]]:
    """The unit's wrong answers, read once per test session, so collection and grading see the same entries
    even if someone edits the file while a long run is going."""
    return load_wrong_answers(unit_id)


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
    """One unit after autograding: its students' scores, where each was graded, and who handed in what."""

    unit_id: str
    scores: dict[str, dict[str, CellScore]]  # student -> grade_id -> score
    wrong_students: dict[tuple[str, str], str]  # (exercise grade_id, mistake name) -> student id
    courses: dict[str, GradingCourse]  # student -> the temporary course that graded them
    seconds: float  # wall time from the first course's creation to the last score read

    def autograded_notebook(self, student_id: str):
        """The student's notebook as nbgrader executed and graded it (outputs and errors included)."""
        return read_notebook(self.courses[student_id].autograded_path(student_id, self.unit_id))


def autograde_workers() -> int:
    """How many autograde commands run side by side: one per core, at most 2 (the CI machine has 2 cores).

    ``LSTM_COURSE_AUTOGRADE_WORKERS=1`` runs them one at a time, e.g. on a machine busy with other work.
    """
    configured = os.environ.get("LSTM_COURSE_AUTOGRADE_WORKERS")
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"LSTM_COURSE_AUTOGRADE_WORKERS must be a positive integer, got {configured!r}")
        return int(configured)
    return max(1, min(2, os.cpu_count() or 1))


def _wrong_student_id(index: int, grade_id: str) -> str:
    """A folder-safe student id for the index-th wrong answer, readable in nbgrader's logs."""
    return f"wrong{index:02d}-" + re.sub(r"[^A-Za-z0-9_-]", "-", grade_id)[:40]


def _submissions(unit_id: str, release, source) -> tuple[dict[str, object], dict[tuple[str, str], str]]:
    """({student: notebook}, {(grade_id, mistake): student}) for the solution, blank and wrong-answer students."""
    notebooks = {SOLUTION_STUDENT: fill_solutions(release, source), BLANK_STUDENT: release}
    wrong_students = {}
    if wrong_answers_path(unit_id).is_file():
        for grade_id, mistakes in session_wrong_answers(unit_id).items():
            for mistake, replacement in mistakes.items():
                student = _wrong_student_id(len(wrong_students) + 1, grade_id)
                notebooks[student] = fill_solutions(release, source, {grade_id: replacement})
                wrong_students[(grade_id, mistake)] = student
    return notebooks, wrong_students


def grade_unit(unit_id: str, folder: Path, workers: int | None = None) -> GradedUnit:
    """Autograde the solution, the blank notebook and every wrong answer of ``unit_id``.

    Every student is handed in to ONE temporary course in ``folder``, graded by ``workers`` nbgrader processes
    side by side (default ``autograde_workers()``), each grading student after student (one fresh kernel per
    notebook), since each executes its notebooks one after the other on a single core.
    """
    workers = autograde_workers() if workers is None else workers
    start = time.perf_counter()
    course = GradingCourse.create(Path(folder), [unit_id])
    notebooks, wrong_students = _submissions(unit_id, course.release_notebook(unit_id), course.source_notebook(unit_id))
    for student, notebook in notebooks.items():
        course.add_submission(student, unit_id, notebook)
    run = course.autograde(unit_id, jobs=workers)
    scores = course.scores(unit_id)
    courses = {student: course for student in run.students}
    seconds = time.perf_counter() - start
    TIMINGS.append((seconds, f"autograde {unit_id}: {len(notebooks)} students by {workers} nbgrader worker(s), "
                             f"{seconds * workers / len(notebooks):.1f} s per student and core (set-up included)"))
    return GradedUnit(unit_id, scores, wrong_students, courses, seconds)
