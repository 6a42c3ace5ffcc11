"""A small nbgrader gradebook built directly with nbgrader's API (no nbgrader command, no kernel), for fast tests.

Assignment ``a1`` has one notebook ``a1`` with an exercise ``square`` (code answer), its test ``test_square``
(autograded, 3 points) and a written answer ``explain`` (markdown, graded by a person, 2 points): 5 points in all.
``autograded(gb, student, passed)`` records a submission as ``nbgrader autograde`` would leave it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import nbformat

ASSIGNMENT = "a1"
NOTEBOOK = "a1"
COURSE_ID = "lstm-course"


_TEMPLATES: dict[tuple, Path] = {}


def make_gradebook(folder: Path, students=("alice", "bob", "carol")):
    """``folder/gradebook.db`` holding assignment a1 and ``students``; returns its URL.

    nbgrader creating a gradebook takes seconds (it runs ``alembic``): each set of students is made once per
    test session and copied.
    """
    students = tuple(students)
    if students not in _TEMPLATES:
        template = Path(tempfile.mkdtemp(prefix="lstm-gradebook-"))
        _create(template, students)
        _TEMPLATES[students] = template / "gradebook.db"
    shutil.copy(_TEMPLATES[students], folder / "gradebook.db")
    return f"sqlite:///{folder / 'gradebook.db'}"


def _create(folder: Path, students) -> None:
    from nbgrader.api import Gradebook

    # nbgrader runs `alembic` from the PATH when it creates a gradebook
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    url = f"sqlite:///{folder / 'gradebook.db'}"
    with Gradebook(url, COURSE_ID) as gradebook:
        gradebook.add_assignment(ASSIGNMENT)
        gradebook.add_notebook(NOTEBOOK, ASSIGNMENT)
        gradebook.add_solution_cell("square", NOTEBOOK, ASSIGNMENT)
        gradebook.add_grade_cell("test_square", NOTEBOOK, ASSIGNMENT, max_score=3, cell_type="code")
        gradebook.add_grade_cell("explain", NOTEBOOK, ASSIGNMENT, max_score=2, cell_type="markdown")
        gradebook.add_solution_cell("explain", NOTEBOOK, ASSIGNMENT)
        for student in students:
            gradebook.add_student(student, first_name=student.title(), last_name="Doe", email=f"{student}@example.org")


def autograded(url: str, student: str, *, passed: bool = True, timestamp=None) -> None:
    """Record ``student``'s submission as autograde leaves it: the test scored, the written answer to grade."""
    from nbgrader.api import Gradebook

    with Gradebook(url, COURSE_ID) as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's add_submission trips SQLAlchemy autoflush warnings (harmless)
        gradebook.add_submission(ASSIGNMENT, student, **({"timestamp": timestamp} if timestamp else {}))
        notebook = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
        for grade in notebook.grades:
            if grade.name == "test_square":
                grade.auto_score, grade.needs_manual_grade = (3.0 if passed else 0.0), False
            else:
                grade.auto_score, grade.needs_manual_grade = None, True
        gradebook.db.commit()


def grade_by_hand(url: str, student: str, cell: str, score: float, comment: str | None = None) -> None:
    """What a grader does in the formgrader: a manual score (the flag cleared) and perhaps a comment."""
    from nbgrader.api import Gradebook

    with Gradebook(url, COURSE_ID) as gradebook:
        grade = gradebook.find_grade(cell, NOTEBOOK, ASSIGNMENT, student)
        grade.manual_score, grade.needs_manual_grade = score, False
        if comment is not None:
            gradebook.find_comment(cell, NOTEBOOK, ASSIGNMENT, student).manual_comment = comment
        gradebook.db.commit()


def submitted_notebook(square: str = "def square(x):\n    return x * x",
                       explain: str = "The square grows fast.") -> nbformat.NotebookNode:
    """The student's notebook of a1, as nbgrader's autograde passes it to its preprocessors."""
    def meta(grade_id, **flags):
        return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "locked": False, "solution": False,
                             "grade": False, **flags}}

    cells = [nbformat.v4.new_code_cell(square, metadata=meta("square", solution=True)),
             nbformat.v4.new_code_cell("assert square(3) == 9", metadata=meta("test_square", grade=True, points=3,
                                                                               locked=True)),
             nbformat.v4.new_markdown_cell(explain, metadata=meta("explain", solution=True, grade=True, points=2))]
    return nbformat.v4.new_notebook(cells=cells)


def resources_for(url: str, student: str) -> dict:
    return {"nbgrader": {"student": student, "assignment": ASSIGNMENT, "notebook": NOTEBOOK, "db_url": url}}
