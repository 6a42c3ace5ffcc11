"""The notebook-test helpers themselves (fast: no kernel, no nbgrader command)."""

from __future__ import annotations

import os

import pytest

from tests.notebooks.course_harness import (
    REPO_ROOT,
    GradingCourse,
    cell_by_grade_id,
    exercise_ids,
    fill_solutions,
    kernel_environment,
    nbgrader_metadata,
    read_notebook,
    release_notebook_path,
    source_notebook_path,
)
from tests.notebooks.unit_grading import autograde_workers

UNIT = "01_welcome"  # this course's own unit: always present


@pytest.fixture(scope="module")
def release_and_source():
    return read_notebook(release_notebook_path(UNIT)), read_notebook(source_notebook_path(UNIT))


def test_fill_solutions_takes_every_solution_cell_from_the_source(release_and_source):
    release, source = release_and_source
    filled = fill_solutions(release, source)
    assert len(filled.cells) == len(release.cells)
    for filled_cell, release_cell in zip(filled.cells, release.cells):
        meta = nbgrader_metadata(release_cell)
        if meta.get("solution"):
            assert filled_cell.source == cell_by_grade_id(source, meta["grade_id"]).source
            assert filled_cell.source != release_cell.source  # the stub was really replaced
        else:
            assert filled_cell == release_cell  # tests (hidden ones still empty) and text untouched
    assert "raise NotImplementedError()" in cell_by_grade_id(release, "sigmoid").source  # input not modified


def test_fill_solutions_puts_a_replacement_in_one_cell_only(release_and_source):
    release, source = release_and_source
    exercises = exercise_ids(source)
    filled = fill_solutions(release, source, {exercises[0]: "def sigmoid(x):\n    return x\n"})
    assert cell_by_grade_id(filled, exercises[0]).source == "def sigmoid(x):\n    return x\n"
    for other in exercises[1:]:
        assert cell_by_grade_id(filled, other).source == cell_by_grade_id(source, other).source
    with pytest.raises(KeyError, match="no_such_exercise"):
        fill_solutions(release, source, {"no_such_exercise": "pass"})


def test_add_submission_refuses_student_ids_that_are_not_folder_names(tmp_path, release_and_source):
    course = GradingCourse(tmp_path)
    for bad in ["", "../escape", "a b", "x/y"]:
        with pytest.raises(ValueError, match="student_id"):
            course.add_submission(bad, UNIT, release_and_source[0])
    path = course.add_submission("ok-student_1", UNIT, release_and_source[0])
    assert path == tmp_path / "submitted" / "ok-student_1" / UNIT / f"{UNIT}.ipynb" and path.is_file()
    assert course.students(UNIT) == ["ok-student_1"]


def test_create_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(ValueError, match="empty"):
        GradingCourse.create(tmp_path, [UNIT])


def test_kernel_environment_puts_this_checkout_first(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), str(REPO_ROOT)]))
    environment = kernel_environment()
    assert environment["PYTHONPATH"].split(os.pathsep) == [str(REPO_ROOT), str(tmp_path)]


def test_autograde_workers_setting(monkeypatch):
    monkeypatch.setenv("LSTM_COURSE_AUTOGRADE_WORKERS", "1")
    assert autograde_workers() == 1
    monkeypatch.setenv("LSTM_COURSE_AUTOGRADE_WORKERS", "zero")
    with pytest.raises(ValueError, match="LSTM_COURSE_AUTOGRADE_WORKERS"):
        autograde_workers()
    monkeypatch.delenv("LSTM_COURSE_AUTOGRADE_WORKERS")
    assert 1 <= autograde_workers() <= 2
