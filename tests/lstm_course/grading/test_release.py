"""Feedback is released in its own step, and refused while any answer awaits a person (saying who and what)."""

import subprocess
import sys

import pytest

from gradebook_helpers import ASSIGNMENT, autograded, grade_by_hand, make_gradebook
from lstm_course.grading.pending import pending_grading
from lstm_course.grading.release import FeedbackNotReady, main, release_feedback

REPO_CONFIG = __import__("pathlib").Path(__file__).resolve().parents[3] / "nbgrader_config.py"


def make_course(root):
    """A course folder: the course's nbgrader settings, the gradebook of gradebook_helpers, collected folders."""
    (root / "nbgrader_config.py").write_text(f"c = get_config()\nload_subconfig({str(REPO_CONFIG)!r})\n"
                                             f"c.CourseDirectory.root = {str(root)!r}\n")
    url = make_gradebook(root)
    for student in ("alice", "bob", "carol"):
        (root / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
    autograded(url, "alice")                       # her written answer waits for a grader
    autograded(url, "bob")
    grade_by_hand(url, "bob", "explain", 2.0)      # bob: fully graded
    return url                                      # carol: collected, never autograded


def test_pending_work_is_listed_by_student_and_cell(tmp_path):
    from nbgrader.api import Gradebook

    url = make_course(tmp_path)
    with Gradebook(url) as gradebook:
        pending = pending_grading(gradebook, ASSIGNMENT, submitted=["alice", "bob", "carol"])
    assert [(p.student, p.cell, p.points) for p in pending] == [("alice", "explain", 2.0), ("carol", "", 5.0)]
    assert str(pending[0]) == "alice: a1.ipynb, cell explain: written answer not graded yet (2 points)"
    assert "carol: the whole submission: collected but not autograded yet" in str(pending[1])


def test_release_refuses_while_answers_await_a_person_and_releases_nothing(tmp_path):
    make_course(tmp_path)
    with pytest.raises(FeedbackNotReady) as refused:
        release_feedback(tmp_path, ASSIGNMENT)
    message = str(refused.value)
    assert "Feedback for a1 not released: 2 answers of 2 students still await manual grading" in message
    assert "alice: a1.ipynb, cell explain: written answer not graded yet" in message
    assert "--complete-only" in message and "bob" not in message
    assert not (tmp_path / "feedback").exists() and not (tmp_path / "class-data").exists()


def test_one_fully_graded_student_is_not_held_back_by_another_when_named(tmp_path):
    make_course(tmp_path)
    with pytest.raises(FeedbackNotReady) as refused:  # alice named: her pending answer refuses it
        release_feedback(tmp_path, ASSIGNMENT, students=["alice", "bob"])
    assert [p.student for p in refused.value.pending] == ["alice"]


def test_the_command_exits_1_with_the_message_and_2_for_an_unknown_student(tmp_path, capsys):
    make_course(tmp_path)
    assert main([ASSIGNMENT, "--course-root", str(tmp_path)]) == 1
    assert "written answer not graded yet" in capsys.readouterr().err
    assert main([ASSIGNMENT, "--course-root", str(tmp_path), "--student", "dave"]) == 2
    assert "no submission of a1 from dave" in capsys.readouterr().err


def test_grade_class_no_longer_releases_feedback(tmp_path):
    finished = subprocess.run([sys.executable, "-m", "lstm_course.grading.grade_class", ASSIGNMENT,
                               "--course-root", str(tmp_path), "--release-feedback"],
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 2
    assert "released in its own step" in finished.stderr and "lstm_course.grading.release a1" in finished.stderr


def test_a_resubmission_collected_after_autograding_holds_the_release(tmp_path):
    import datetime as dt

    from nbgrader.api import Gradebook

    url = make_gradebook(tmp_path)
    graded_at = dt.datetime(2027, 1, 15, 12, 0)
    autograded(url, "bob", timestamp=graded_at)
    grade_by_hand(url, "bob", "explain", 2.0)
    with Gradebook(url) as gradebook:
        assert pending_grading(gradebook, ASSIGNMENT, submitted={"bob": graded_at}) == []
        pending = pending_grading(gradebook, ASSIGNMENT, submitted={"bob": graded_at + dt.timedelta(hours=2)})
    assert [p.student for p in pending] == ["bob"]
    assert "resubmitted (2027-01-15 14:00 UTC) after it was autograded" in str(pending[0])
    assert "grade_class.py a1 --student bob" in str(pending[0])


def test_nbgraders_own_release_refuses_too(tmp_path):
    """`nbgrader release_feedback` and the formgrader's button use the exchange class nbgrader_config.py sets."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError
    from traitlets.config.loader import PyFileConfigLoader

    from lstm_course.grading.release import GuardedReleaseFeedback

    make_course(tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    config.Exchange.root = str(tmp_path / "exchange")
    assert config.ExchangeFactory.release_feedback is GuardedReleaseFeedback
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = ASSIGNMENT
    release = GuardedReleaseFeedback(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    with pytest.raises(ExchangeError) as refused:
        release.start()
    assert "alice: a1.ipynb, cell explain: written answer not graded yet" in str(refused.value)
    assert not (tmp_path / "exchange").exists()


def test_grade_class_stops_before_grading_anyone_when_the_deadlines_file_has_a_mistake(tmp_path, capsys):
    from lstm_course.grading.grade_class import main as grade_class

    make_course(tmp_path)
    (tmp_path / "class-data").mkdir()
    (tmp_path / "class-data" / "deadlines.yaml").write_text("due: {a1: next friday}\n")
    assert grade_class([ASSIGNMENT, "--course-root", str(tmp_path)]) == 2
    assert "due.a1: 'next friday' is not a date and time" in capsys.readouterr().err
    assert not (tmp_path / "autograded").exists()
