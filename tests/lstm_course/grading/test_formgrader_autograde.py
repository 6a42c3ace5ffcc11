"""The formgrader's Autograde button treats broken and hostile submissions as grade_class does.

The button posts to ``formgrader/api/submission/<assignment>/<student>/autograde``, whose handler calls
``NbGraderAPI.autograde(assignment, student)`` inside the Jupyter server. These tests build the API the way the
formgrader's handler does (the course's nbgrader_config.py, a CourseDirectory, an Authenticator) in a separate
process and press the button for one good and two broken submissions: one whose code calls ``os._exit``, one
that is not JSON. Each broken one gets 0 with the reason, the good student's grades are untouched, and the call
ends (a time limit on the process would catch a stuck page).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from synthetic_class import REPO_ROOT  # noqa: F401  (puts tests/notebooks on sys.path)

from course_harness import GradingCourse, fill_solutions, kernel_environment  # noqa: E402

pytestmark = pytest.mark.slow

UNIT = "01_welcome"
COURSE_ID = "lstm-course"

PRESS_AUTOGRADE = """
import json, sys
from nbgrader.apps.api import NbGraderAPI
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

root, assignment, extra, *students = sys.argv[1:]
config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
if extra:
    exec(extra, {"c": config})
coursedir = CourseDirectory(config=config)
coursedir.root = root
api = NbGraderAPI(coursedir, Authenticator(config=config), config=config)   # as the formgrader's handler builds it
results = {student: api.autograde(assignment, student) for student in students}
print("RESULTS" + json.dumps(results))
"""


def press_autograde(root: Path, *students: str, extra_config: str = "") -> dict:
    finished = subprocess.run([sys.executable, "-c", PRESS_AUTOGRADE, str(root), UNIT, extra_config, *students],
                              capture_output=True, text=True, env=kernel_environment(), timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return json.loads(finished.stdout.split("RESULTS", 1)[1])


def grades(root: Path, student: str) -> dict[str, tuple]:
    """cell -> (auto score, manual score, needs manual grade), and "comments" -> the grader's comments."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gradebook:
        notebook = gradebook.find_submission_notebook(UNIT, UNIT, student)
        found = {grade.name: (grade.auto_score, grade.manual_score, grade.needs_manual_grade)
                 for grade in notebook.grades}
        found["comments"] = sorted({comment.manual_comment or "" for comment in notebook.comments})
        return found


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("formgrader") / "course"
    course = GradingCourse.create(root, [UNIT])
    release, source = course.release_notebook(UNIT), course.source_notebook(UNIT)
    course.add_submission("good", UNIT, fill_solutions(release, source))
    exits = fill_solutions(release, source)
    exits.cells.insert(next(i for i, cell in enumerate(exits.cells) if "sigmoid_derivative" in
                            str(cell.metadata.get("nbgrader", {}).get("grade_id"))), __import__("nbformat").v4
                       .new_code_cell("import os\nos._exit(1)"))
    course.add_submission("exits", UNIT, exits)
    broken = course.submission_path("not_json", UNIT)
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [ this is not JSON')
    good = press_autograde(root, "good")
    before = grades(root, "good")
    results = press_autograde(root, "exits", "not_json")
    return dict(root=root, course=course, good=good, before=before, results=results)


def test_the_good_submission_is_graded_in_full(course):
    assert course["good"]["good"]["success"], course["good"]
    tests = {name: value[0] for name, value in course["before"].items() if name.startswith("test_")}
    assert tests and all(auto > 0 for auto in tests.values()), tests


def test_each_broken_submission_is_a_zero_with_its_reason_not_an_error(course):
    reasons = {"exits": "the notebook's Python process ended while a cell was running",
               "not_json": "01_welcome.ipynb is not a valid notebook"}
    for student, reason in reasons.items():
        assert course["results"][student]["success"], course["results"][student]
        recorded = grades(course["root"], student)
        comments = recorded.pop("comments")
        assert recorded and all(value == (0.0, None, False) for value in recorded.values()), recorded
        assert len(comments) == 1 and comments[0].startswith("Autograding failed: " + reason), comments


def test_the_graded_notebook_opens_with_the_reason(course):
    import nbformat

    for student in ("exits", "not_json"):
        graded = nbformat.read(str(course["course"].autograded_path(student, UNIT)), as_version=4)
        assert graded.cells[0].source.startswith("**This submission could not be graded automatically:")
    exits = nbformat.read(str(course["course"].autograded_path("exits", UNIT)), as_version=4)
    assert any("os._exit(1)" in cell.source for cell in exits.cells)  # the grader can see what the student wrote


def test_the_good_students_grades_are_untouched(course):
    assert grades(course["root"], "good") == course["before"]


def test_without_the_course_exporter_nbgrader_leaves_an_error_and_no_score(course):
    """The control: nbgrader's own exporter, same button, same submission."""
    plain = "c.NbGraderAPI.Autograde.exporter_class = 'nbconvert.exporters.NotebookExporter'"
    result = press_autograde(course["root"], "not_json", extra_config=plain)["not_json"]
    assert not result["success"] and "NotJSONError" in result.get("error", "") + result.get("log", "")
