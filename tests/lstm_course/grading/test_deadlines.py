"""Due dates, extensions and the late penalty: one file (class-data/deadlines.yaml), nbgrader's plugin mechanism.

The gradebook is nbgrader's own (built with its API); the late penalty is applied by nbgrader's
``AssignLatePenalties`` preprocessor with the course's ``LatePenalty`` plugin, as nbgrader_config.py sets it.
"""

import datetime as dt
import textwrap

import pytest
from nbgrader.api import Gradebook
from nbgrader.preprocessors import AssignLatePenalties
from traitlets.config import Config

from gradebook_helpers import (ASSIGNMENT, COURSE_ID, NOTEBOOK, autograded, grade_by_hand, make_gradebook,
                               resources_for, submitted_notebook)
from lstm_course.grading.deadlines import (EXAMPLE, ApplyDeadlines, DeadlinesError, LatePenalty, Penalty,
                                           load_deadlines, main, parse_deadlines, reapply_late_penalties)

DAY = 86400.0

SCHEDULE = textwrap.dedent("""\
    timezone: America/New_York
    late_penalty: {percent_per_day: 10, max_percent: 30, grace_minutes: 15}
    due:
      a1: 2027-01-15 17:00
    extensions:
      a1:
        bob: 2027-01-18 17:00
    """)
DUE_UTC = dt.datetime(2027, 1, 15, 22, 0)  # 17:00 in New York in January is 22:00 UTC


def write_schedule(root, text=SCHEDULE):
    (root / "class-data").mkdir(exist_ok=True)
    (root / "class-data" / "deadlines.yaml").write_text(text)


def test_due_dates_are_read_in_the_class_time_zone_and_stored_as_utc():
    import yaml

    deadlines = parse_deadlines(yaml.safe_load(SCHEDULE))
    assert deadlines.due_date("a1") == DUE_UTC
    assert deadlines.due_date("a1", "bob") == DUE_UTC + dt.timedelta(days=3)
    assert deadlines.due_date("a1", "alice") == DUE_UTC
    assert deadlines.extension("a1", "bob") == dt.timedelta(days=3) and deadlines.extension("a1", "alice") is None
    assert parse_deadlines(yaml.safe_load(EXAMPLE)).due_date("04_gates") == dt.datetime(2027, 1, 15, 17, 0)


@pytest.mark.parametrize("seconds_late, lost", [
    (0, 0.0), (14 * 60, 0.0),            # on time, and within the 15-minute grace
    (16 * 60, 1.0), (DAY, 1.0),          # a started day: 10 % of 10 points
    (DAY + 1, 2.0), (10 * DAY, 3.0),     # two days; never more than 30 %
])
def test_the_penalty_is_a_percentage_per_started_day_capped(seconds_late, lost):
    assert Penalty(10, 30, 15).points_lost(10.0, seconds_late) == pytest.approx(lost)


@pytest.mark.parametrize("text, words", [
    ("due: {a1: 15/01/2027}", "not a date and time like '2027-01-15 17:00'"),
    ("timezone: Mars/Olympus", "not a time zone name"),
    ("deadline: {a1: 2027-01-15 17:00}", "unknown key(s) ['deadline']"),
    ("due: {a1: 2027-01-15 17:00}\nextensions: {a1: {bob: 2027-01-14 17:00}}", "before the due date"),
    ("extensions: {a2: {bob: 2027-01-14 17:00}}", "a2 has no due date"),
    ("late_penalty: {percent_per_day: ten}", "late_penalty.percent_per_day must be a number"),
    ("late_penalty: {max_percent: 150}", "at most 100"),
])
def test_a_mistake_in_the_file_is_named(tmp_path, text, words):
    write_schedule(tmp_path, text)
    with pytest.raises(DeadlinesError) as raised:
        load_deadlines(tmp_path)
    assert words in str(raised.value) and "deadlines.yaml" in str(raised.value)


def test_no_file_means_no_deadlines_and_no_penalty(tmp_path):
    deadlines = load_deadlines(tmp_path)
    assert deadlines.due == {} and deadlines.penalty.points_lost(10.0, 5 * DAY) == 0.0


def late_penalties_as_nbgrader_applies_them(url, student):
    """nbgrader's AssignLatePenalties with the plugin nbgrader_config.py configures."""
    config = Config()
    config.AssignLatePenalties.plugin_class = LatePenalty
    AssignLatePenalties(config=config).preprocess(submitted_notebook(), resources_for(url, student))


def penalty_of(url, student):
    with Gradebook(url, COURSE_ID) as gradebook:
        return gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student).late_submission_penalty


def test_autograde_records_due_dates_extensions_and_penalties(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nbgrader's converters run in the course root
    write_schedule(tmp_path)
    url = make_gradebook(tmp_path)
    autograded(url, "alice", timestamp=DUE_UTC + dt.timedelta(days=1, hours=12))  # 1.5 days late
    autograded(url, "bob", timestamp=DUE_UTC + dt.timedelta(days=2))               # inside his extension
    for student in ("alice", "bob"):
        ApplyDeadlines().preprocess(submitted_notebook(), resources_for(url, student))
        late_penalties_as_nbgrader_applies_them(url, student)
    with Gradebook(url, COURSE_ID) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == DUE_UTC
        assert gradebook.find_submission(ASSIGNMENT, "bob").total_seconds_late == 0
        assert gradebook.find_submission(ASSIGNMENT, "alice").total_seconds_late == pytest.approx(1.5 * DAY)
    assert penalty_of(url, "alice") == pytest.approx(0.2 * 3)  # 2 started days, 20 % of the 3 autograded points
    assert not penalty_of(url, "bob")

    # After the written answer is graded by hand, the release step computes the penalty on the final score.
    grade_by_hand(url, "alice", "explain", 2.0)
    with Gradebook(url, COURSE_ID) as gradebook:
        reapply_late_penalties(gradebook, load_deadlines(tmp_path), ASSIGNMENT)
    assert penalty_of(url, "alice") == pytest.approx(0.2 * 5)


def test_the_command_shows_the_schedule_and_names_a_mistake(tmp_path, capsys):
    assert main(["--course-root", str(tmp_path)]) == 0
    assert "no due dates" in capsys.readouterr().out
    write_schedule(tmp_path)
    assert main(["--course-root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "a1: due 2027-01-15 17:00 EST" in out and "bob: extended to 2027-01-18 17:00 EST" in out
    write_schedule(tmp_path, "due: {a1: soon}")
    assert main(["--course-root", str(tmp_path)]) == 1
    assert "not a date and time" in capsys.readouterr().err
