"""A whole class graded end to end through nbgrader's real exchange, broken and hostile submissions included.

One unit's assignment (``LSTM_GRADING_E2E_UNIT``, default 04_gates) is generated and released in a temporary
course with a temporary exchange; 21 synthetic students (tests/lstm_course/grading/synthetic_class.py) fetch it and submit
as themselves through nbgrader's exchange (the student id is normally the OS user name; here each submission
sets ``CourseDirectory.student_id``, as ``nbgrader submit --student`` does); the instructor collects and grades
with ``scripts/grade_class.py`` (one autograde run per student, in the resource-limited grading kernel);
the written answers wait for a person (the report says so, and releasing feedback is refused); once they are
graded by hand, feedback is released (``python -m lstm_course.grading.release``) and the students fetch it.

Asserted: every student's autograded score, cell by cell, against what their submission should earn (computed
from the notebook's points and checks); the grades file of record against the gradebook; that the broken
submissions changed no one else's grade (the good students graded alone give the same grades); that grading
twice gives the same result and keeps the hand grades; that every submission gets feedback, none of which shows
hidden-test source; and that the integrity report flags the patched checks.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from synthetic_class import REPO_ROOT, UnitFacts, build_class, unit_available

from course_harness import GradingCourse, kernel_environment  # noqa: E402  (put on sys.path by synthetic_class)

pytestmark = pytest.mark.slow

UNIT = os.environ.get("LSTM_GRADING_E2E_UNIT", "04_gates")
COURSE_ID = "lstm-course"


@pytest.fixture(scope="module")
def grading_kernel(tmp_path_factory):
    """The grading kernel installed in a temporary Jupyter data folder that the nbgrader commands see."""
    from lstm_course.grading.kernel import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(prefix=str(prefix))
    saved = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "PATH")}
    environment = kernel_environment()
    os.environ["PATH"] = environment["PATH"]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(prefix / "share" / "jupyter"), saved["JUPYTER_PATH"]]))
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def make_course(root: Path, exchange: Path | None = None) -> GradingCourse:
    course = GradingCourse.create(root, [UNIT])
    if exchange is not None:
        with open(root / "nbgrader_config.py", "a", encoding="utf-8") as handle:
            handle.write(f"c.Exchange.root = {str(exchange)!r}\n"
                         f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
                         "# Every synthetic student is the same OS user here: nothing to cross-check.\n"
                         "c.ExchangeCollect.check_owner = False\n")
    return course


def as_student(student: str, home: Path, exchange: Path, action: str) -> None:
    """Run nbgrader's exchange step ``action`` (fetch / submit / fetch_feedback) as ``student``."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeFetchFeedback, ExchangeSubmit
    from traitlets.config import Config

    config = Config()
    config.Exchange.root = str(exchange)
    config.Exchange.cache = str(home / ".nbgrader-cache")  # each student's own record of their submissions
    config.Exchange.assignment_dir = str(home)
    config.CourseDirectory.course_id = COURSE_ID
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = UNIT
    coursedir.student_id = student  # what `--student` sets; otherwise nbgrader takes the OS user name
    step = {"fetch": ExchangeFetchAssignment, "submit": ExchangeSubmit, "fetch_feedback": ExchangeFetchFeedback}[action]
    step(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()


def grade(course_root: Path, *options: str) -> None:
    finished = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "grade_class.py"), UNIT,
                               "--course-root", str(course_root), *options],
                              capture_output=True, text=True, env=kernel_environment())
    assert finished.returncode == 0, finished.stdout + finished.stderr


def release(course_root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lstm_course.grading.release", UNIT, "--course-root", str(course_root)],
                          capture_output=True, text=True, env=kernel_environment())


def grade_written_answers_by_hand(course_root: Path) -> dict[str, float]:
    """What the instructor does in the formgrader: full marks for every answer awaiting a person."""
    from nbgrader.api import Gradebook

    given = {}
    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}", COURSE_ID) as gradebook:
        for submission in gradebook.assignment_submissions(UNIT):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.needs_manual_grade:
                        grade.manual_score, grade.needs_manual_grade = grade.max_score, False
                        given[submission.student.id] = given.get(submission.student.id, 0.0) + grade.max_score
        gradebook.db.commit()
    return given


def cell_scores(course_root: Path) -> dict[str, dict[str, float]]:
    """student -> {grade_id: score} for the autograded (code) cells, from the gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}", COURSE_ID) as gradebook:
        for submission in gradebook.assignment_submissions(UNIT):
            notebook = next(nb for nb in submission.notebooks if nb.name == UNIT)
            scores[submission.student.id] = {grade.name: float(grade.score) for grade in notebook.grades
                                             if grade.cell_type == "code"}
    return scores


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def graded(grading_kernel, tmp_path_factory):
    reason = unit_available(UNIT)
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("class")
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)  # nbgrader's exchange: a folder every student can write to
    root = base / "course"
    course = make_course(root, exchange)
    course.run_nbgrader("release_assignment", UNIT)
    facts = UnitFacts.read(UNIT, root / "solutions" / UNIT / f"{UNIT}.ipynb", root / "notebooks" / UNIT / f"{UNIT}.ipynb")
    students = build_class(facts)

    homes = base / "homes"
    for student in students:
        home = homes / student.id
        home.mkdir(parents=True)
        as_student(student.id, home, exchange, "fetch")
        student.make(home / UNIT, facts)
        as_student(student.id, home, exchange, "submit")

    grade(root, "--collect")
    first = cell_scores(root)
    report = {row["student"]: row for row in read_csv(root / "reports" / UNIT / "grading.csv")}
    grading_md = (root / "reports" / UNIT / "grading.md").read_text()
    refused = release(root)  # the written answers have not been graded yet
    hand_graded = grade_written_answers_by_hand(root)
    released = release(root)
    exported = read_csv(root / "class-data" / "grades.csv")
    for student in students:
        as_student(student.id, homes / student.id, exchange, "fetch_feedback")
    integrity = read_csv(root / "reports" / UNIT / "integrity.csv")

    # The good students alone, in a course of their own: the same submitted files, graded the same way.
    alone_root = base / "good-alone"
    make_course(alone_root)
    for student in students:
        if not student.broken:
            shutil.copytree(root / "submitted" / student.id, alone_root / "submitted" / student.id)
    grade(alone_root)
    alone = cell_scores(alone_root)

    # And the whole class graded a second time.
    grade(root)
    second = cell_scores(root)
    second_report = {row["student"]: row for row in read_csv(root / "reports" / UNIT / "grading.csv")}
    return dict(root=root, homes=homes, facts=facts, students=students, first=first, report=report,
                exported=exported, alone=alone, second=second, second_report=second_report,
                grading_md=grading_md, integrity=integrity, refused=refused, released=released,
                hand_graded=hand_graded)


def expected_cells(student, facts) -> dict[str, float]:
    passed = student.passes(facts)
    return {grade_id: (facts.points[grade_id] if grade_id in passed else 0.0) for grade_id in facts.tests}


def test_the_class_is_big_enough(graded):
    assert len(graded["students"]) >= 20
    assert set(graded["first"]) == {student.id for student in graded["students"]}


def test_every_student_gets_the_score_their_submission_earns(graded):
    facts = graded["facts"]
    wrong = {}
    for student in graded["students"]:
        expected = expected_cells(student, facts)
        got = graded["first"][student.id]
        if got != expected:
            wrong[student.id] = {gid: (got.get(gid), points) for gid, points in expected.items() if got.get(gid) != points}
    assert not wrong, f"cells scored differently than expected (got, expected): {wrong}"


def test_each_submission_gets_the_right_status_and_a_reason_when_it_failed(graded):
    for student in graded["students"]:
        row = graded["report"][student.id]
        assert row["status"] == student.status, (student.id, row)
        assert bool(row["reason"]) == (student.status != "graded"), (student.id, row)
    assert "not a valid notebook" in graded["report"][next(s.id for s in graded["students"] if "not_json" in s.id)]["reason"]
    assert "ignored the interrupt" in graded["report"][next(s.id for s in graded["students"]
                                                          if "swallows" in s.id)]["reason"]
    assert "ended while a cell was running" in graded["report"][next(s.id for s in graded["students"]
                                                                   if "os_exit" in s.id)]["reason"]


def test_the_hidden_points_of_patched_checks_are_not_earned(graded):
    patched = next(student for student in graded["students"] if "patched" in student.id)
    scores = graded["first"][patched.id]
    hidden = [grade_id for grade_id in scores if grade_id.endswith("_hidden")]
    assert hidden and all(scores[grade_id] == 0 for grade_id in hidden)


def test_the_exported_csv_matches_the_gradebook(graded):
    from nbgrader.api import Gradebook

    rows = {row["student_id"]: row for row in graded["exported"] if row["assignment"] == UNIT}
    with Gradebook(f"sqlite:///{graded['root'] / 'gradebook.db'}", COURSE_ID) as gradebook:
        submissions = {s.student.id: s for s in gradebook.assignment_submissions(UNIT)}
        assert set(rows) == set(submissions)
        for student, submission in submissions.items():
            assert float(rows[student]["score"]) == pytest.approx(submission.score), student
            assert float(rows[student]["max_score"]) == pytest.approx(submission.max_score), student
    for student in graded["students"]:  # the report after grading again: hand grades included, nothing pending
        assert float(graded["second_report"][student.id]["score"]) == pytest.approx(float(rows[student.id]["score"]))
        assert float(graded["second_report"][student.id]["pending"]) == 0 and rows[student.id]["status"] == "complete"


def test_broken_submissions_do_not_change_anyone_elses_grade(graded):
    good = [student.id for student in graded["students"] if not student.broken]
    assert len(good) >= 10 and set(graded["alone"]) == set(good)
    for student in good:
        assert graded["first"][student] == graded["alone"][student], student


def test_grading_twice_gives_the_same_result_and_keeps_the_hand_grades(graded):
    assert graded["second"] == graded["first"]
    for student, row in graded["report"].items():
        assert graded["second_report"][student]["status"] == row["status"]
        hand = graded["hand_graded"].get(student, 0.0)
        assert float(graded["second_report"][student]["score"]) == pytest.approx(float(row["score"]) + hand)


def test_the_report_says_what_awaits_manual_grading_and_feedback_waits_for_it(graded):
    correct = graded["report"]["s01_correct"]
    assert float(correct["pending"]) == graded["hand_graded"]["s01_correct"] > 0
    assert f"{float(correct['pending']):g} pending manual grading" in graded["grading_md"]
    assert graded["refused"].returncode == 1 and "s01_correct" in graded["refused"].stderr
    assert "written answer not graded yet" in graded["refused"].stderr
    assert graded["released"].returncode == 0, graded["released"].stdout + graded["released"].stderr


def hidden_test_lines(facts) -> list[str]:
    """Every line of code inside the hidden-test regions of the source notebook."""
    lines = []
    for cell in facts.source.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and line.strip():
                lines.append(line.strip())
    return lines


def test_every_submission_gets_feedback_that_hides_the_hidden_tests(graded):
    facts, root, homes = graded["facts"], graded["root"], graded["homes"]
    secret_lines = hidden_test_lines(facts)
    assert secret_lines, "the unit should have hidden tests"
    for student in graded["students"]:
        pages = sorted((root / "feedback" / student.id / UNIT).glob("*.html"))
        assert pages, f"no feedback produced for {student.id}"
        for page in pages:
            text = page.read_text(encoding="utf-8")
            leaked = [line for line in secret_lines if line in text]
            assert not leaked, f"{page} shows hidden test source: {leaked}"
        if any((root / "submitted" / student.id / UNIT).glob("*.ipynb")):
            fetched = sorted((homes / student.id / UNIT / "feedback").glob("*/*.html"))
            assert fetched, f"{student.id} could not fetch their feedback through the exchange"
    graded_normally = [s for s in graded["students"] if s.status == "graded"]
    for student in graded_normally:
        assert (root / "feedback" / student.id / UNIT / f"{UNIT}.html").exists()


def test_deleted_and_edited_test_cells_are_restored_from_the_source(graded):
    facts, root = graded["facts"], graded["root"]
    student = next(s for s in graded["students"] if "tampered" in s.id)
    autograded = nbformat.read(str(root / "autograded" / student.id / UNIT / f"{UNIT}.ipynb"), as_version=4)
    sources = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source for cell in autograded.cells}
    for grade_id in facts.tests:
        original = next(cell.source for cell in facts.source.cells
                        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
        # nbgrader heads a cell it had to add back with a comment saying so; the rest is the source cell
        assert sources.get(grade_id, "").endswith(original), grade_id
        assert "was missing from the submission" in sources[grade_id] or sources[grade_id] == original, grade_id


def test_the_integrity_report_flags_the_patched_checks_and_not_the_honest(graded):
    high = {row["student"] for row in graded["integrity"] if row["severity"] == "high"}
    by_story = {student.id: student for student in graded["students"]}
    patched = next(s for s in by_story if "patched" in s)
    assert patched in high
    assert any("numpy.allclose" in row["detail"] for row in graded["integrity"] if row["student"] == patched)
    for student_id in ("s01_correct", "s02_correct", "s03_blank"):
        assert student_id not in high
    for kind in ("os_exit", "swallows", "not_json"):
        assert next(s for s in by_story if kind in s) in high


def test_the_mistake_report_names_each_planted_mistake_from_the_graded_notebooks(graded):
    """The records the checks left survive nbgrader: the report, built from the autograded notebooks alone, counts
    each planted mistake where the check named it, and blank, broken and hostile work as what it is."""
    from lstm_course.grading.mistake_report import build_report
    from lstm_course.grading.outcomes import BLANK

    root, facts = graded["root"], graded["facts"]
    report = build_report(root, [UNIT], output=root / "reports" / "mistakes")
    named = {student for group in report.mistakes for student in group.students}
    unnamed = {student for group in report.unrecognised for student in group.students}
    status = {entry.student: entry.status for entry in report.statuses}
    for student in graded["students"]:
        if "_mistake_" in student.id:
            exercise = student.id.split("_mistake_", 1)[1]
            mistake = facts.mistake_named_for(exercise, facts.first_mistake(exercise)[1])
            groups = [group for group in report.mistakes + report.unrecognised if student.id in group.students]
            assert [group.exercise for group in groups] == [exercise], (student.id, groups)
            assert groups[0].key == mistake if mistake else student.id in unnamed, (student.id, mistake)
        elif student.broken:
            assert student.id not in named, f"{student.id} ({student.story}) counted as a recognised mistake"
        elif "blank" in student.id:
            assert status[student.id] == BLANK and student.id not in named | unnamed
        elif student.story.startswith(("every answer right", "cells reordered")):
            assert student.id not in named | unnamed, student.id
