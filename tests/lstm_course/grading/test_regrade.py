"""Autograding a submission again keeps the hand grades of unchanged answers and flags the changed ones.

The gradebook goes through what ``nbgrader autograde`` does to it, step by step: nbgrader's own
``SaveAutoGrades`` (which flags every hand-graded cell again), then the course's ``KeepUnchangedHandGrades``
(nbgrader_config.py puts it right after). No kernel runs: the notebooks are given as autograde would pass them.
"""

import json

import pytest
from nbgrader.api import Gradebook
from nbgrader.preprocessors import SaveAutoGrades

from gradebook_helpers import (ASSIGNMENT, COURSE_ID, NOTEBOOK, autograded, grade_by_hand, make_gradebook,
                               resources_for, submitted_notebook)
from lstm_course.grading.regrade import KeepUnchangedHandGrades, record_path

CHANGED_CODE = "def square(x):\n    return x ** 2"


def autograde_again(url, student, notebook):
    """nbgrader's SaveAutoGrades, then the course's step, on ``notebook`` (executed, no errors)."""
    resources = resources_for(url, student)
    notebook, resources = SaveAutoGrades().preprocess(notebook, resources)
    return KeepUnchangedHandGrades().preprocess(notebook, resources)


def state(url, student):
    """cell -> (manual score, needs manual grade, manual comment)."""
    with Gradebook(url, COURSE_ID) as gradebook:
        notebook = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
        comments = {comment.name: comment.manual_comment for comment in notebook.comments}
        return {grade.name: (grade.manual_score, grade.needs_manual_grade, comments.get(grade.name))
                for grade in notebook.grades} | {
            f"comment:{name}": text for name, text in comments.items()}


@pytest.fixture
def graded_once(tmp_path, monkeypatch):
    """alice and bob autograded once (answers recorded), then graded by hand with comments."""
    monkeypatch.chdir(tmp_path)  # nbgrader's converters run in the course root
    url = make_gradebook(tmp_path)
    for student in ("alice", "bob"):
        autograded(url, student)
        autograde_again(url, student, submitted_notebook())  # the first autograde: records what was graded
        grade_by_hand(url, student, "explain", 1.5, "Say why it grows.")
        with Gradebook(url, COURSE_ID) as gradebook:
            gradebook.find_comment("square", NOTEBOOK, ASSIGNMENT, student).manual_comment = "Neat loop-free code."
            gradebook.db.commit()
    return url, tmp_path


def test_nbgrader_alone_flags_every_hand_grade_again(graded_once):
    url, _ = graded_once
    SaveAutoGrades().preprocess(submitted_notebook(), resources_for(url, "alice"))
    assert state(url, "alice")["explain"][1] is True  # the trap this step removes


def test_unchanged_answers_keep_their_hand_grade_and_comments(graded_once):
    url, _ = graded_once
    before = state(url, "alice")
    autograde_again(url, "alice", submitted_notebook())
    after = state(url, "alice")
    assert after == before
    assert after["explain"] == (1.5, False, "Say why it grows.")


def test_a_changed_written_answer_is_flagged_and_its_old_comment_withdrawn(graded_once):
    url, root = graded_once
    autograde_again(url, "alice", submitted_notebook(explain="It grows quadratically: doubling x quadruples it."))
    after = state(url, "alice")
    assert after["explain"] == (None, True, None)
    assert after["comment:square"] == "Neat loop-free code."  # the code did not change: its comment stands
    history = json.loads(record_path(root, ASSIGNMENT, "alice", NOTEBOOK).with_name(f"{NOTEBOOK}.superseded.json")
                         .read_text())
    kept = history[-1]["grades"]
    assert {"cell": "explain", "score": 1.5} in kept and {"cell": "explain", "comment": "Say why it grows."} in kept


def test_changed_code_withdraws_its_comment_and_flags_a_hand_changed_test_score(graded_once):
    url, _ = graded_once
    grade_by_hand(url, "alice", "test_square", 2.0)  # the grader took a point off the autograded test
    autograde_again(url, "alice", submitted_notebook(square=CHANGED_CODE))
    after = state(url, "alice")
    assert after["comment:square"] is None
    assert after["test_square"] == (None, True, None)
    assert after["explain"] == (1.5, False, "Say why it grows.")  # the written answer did not change


def test_only_the_student_regraded_is_touched(graded_once):
    url, _ = graded_once
    bob = state(url, "bob")
    autograde_again(url, "alice", submitted_notebook(square=CHANGED_CODE, explain="New answer."))
    assert state(url, "bob") == bob


def test_a_hand_grade_older_than_the_record_is_flagged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = make_gradebook(tmp_path)
    autograded(url, "carol")
    grade_by_hand(url, "carol", "explain", 2.0)  # graded before any record of what was graded existed
    autograde_again(url, "carol", submitted_notebook())
    assert state(url, "carol")["explain"][1] is True
