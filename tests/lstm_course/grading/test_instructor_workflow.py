"""The instructor's workflow with real nbgrader runs: deadlines, a regrade of one student, feedback after manual
grading, the grades file of record.

Unit 01_welcome (two exercises and one written answer, ``overflow_answer``), two students: alice hands in 1.5
days late, bob on time. The course's deadlines file sets a 10 % per day penalty. Steps, as docs/instructors.md
tells an instructor:

1. ``grade_class`` grades the class: the written answers wait for a person; the report says so and releasing
   feedback is refused, naming both students and the cell;
2. the instructor grades both answers by hand, with comments;
3. alice resubmits a new written answer (same code); ``grade_class --student alice`` regrades her alone: bob's
   grades, files and report row do not change; alice's code comment stands, her changed answer is flagged;
4. release is refused for alice only; ``--complete-only`` releases bob's feedback;
5. once alice's new answer is graded, her feedback is released; her late penalty is on her final score.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from synthetic_class import REPO_ROOT  # noqa: F401  (puts tests/notebooks on sys.path)

from course_harness import GradingCourse, fill_solutions, kernel_environment  # noqa: E402

pytestmark = pytest.mark.slow

UNIT = "01_welcome"
ANSWER = "overflow_answer"
DUE = dt.datetime(2027, 1, 15, 17, 0)


def run(root: Path, module: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", f"lstm_course.grading.{module}", *options, "--course-root", str(root)],
                          capture_output=True, text=True, env=kernel_environment(), timeout=900)


def hand_in(course: GradingCourse, student: str, when: dt.datetime, answer: str | None = None) -> None:
    release, source = course.release_notebook(UNIT), course.source_notebook(UNIT)
    notebook = fill_solutions(release, source, {ANSWER: answer} if answer else None)
    path = course.add_submission(student, UNIT, notebook)
    (path.parent / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    (path.parent / "submission_secret.txt").write_text(f"secret-of-{student}")  # nbgrader submit writes one


def gradebook_state(root: Path, student: str) -> dict:
    """cell -> (auto, manual, needs manual grade); "comment:<cell>" -> the grader's comment."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "lstm-course") as gradebook:
        notebook = gradebook.find_submission_notebook(UNIT, UNIT, student)
        state = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in notebook.grades}
        state.update({f"comment:{c.name}": c.manual_comment for c in notebook.comments})
        return state


def grade_by_hand(root: Path, student: str, cell: str, comment: str, score: float | None = None) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "lstm-course") as gradebook:
        if score is not None:
            grade = gradebook.find_grade(cell, UNIT, UNIT, student)
            grade.manual_score, grade.needs_manual_grade = score, False
        gradebook.find_comment(cell, UNIT, UNIT, student).manual_comment = comment
        gradebook.db.commit()


def rows(path: Path, key: str) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def files_of(root: Path, student: str) -> dict[str, float]:
    """Every file nbgrader made for ``student`` (autograded notebook, feedback) -> its modification time."""
    return {str(path): path.stat().st_mtime_ns for kind in ("autograded", "feedback")
            for path in sorted((root / kind / student).rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    base = tmp_path_factory.mktemp("workflow")
    root, exchange = base / "course", base / "exchange"
    exchange.mkdir()
    course = GradingCourse.create(root, [UNIT])
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write(f"c.Exchange.root = {str(exchange)!r}\n")
    (root / "class-data").mkdir()
    (root / "class-data" / "deadlines.yaml").write_text(
        "timezone: UTC\nlate_penalty: {percent_per_day: 10, max_percent: 50}\n"
        f"due:\n  {UNIT}: {DUE:%Y-%m-%d %H:%M}\n")
    hand_in(course, "alice", DUE + dt.timedelta(days=1, hours=12))
    hand_in(course, "bob", DUE - dt.timedelta(hours=1))
    points = float(next(c.metadata["nbgrader"]["points"] for c in course.source_notebook(UNIT).cells
                        if c.metadata.get("nbgrader", {}).get("grade_id") == ANSWER))
    steps = {"points": points}

    graded = run(root, "grade_class", UNIT)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    steps["report"] = rows(root / "reports" / UNIT / "grading.csv", "student")
    steps["grading_md"] = (root / "reports" / UNIT / "grading.md").read_text()
    steps["refused"] = run(root, "release", UNIT)

    for student in ("alice", "bob"):
        grade_by_hand(root, student, ANSWER, "Clear and correct.", points)
        grade_by_hand(root, student, "sigmoid", "Nice use of np.exp.")
    steps["bob"], steps["bob_files"] = gradebook_state(root, "bob"), files_of(root, "bob")

    hand_in(course, "alice", DUE + dt.timedelta(days=1, hours=12), answer="A longer, new answer about overflow.")
    regraded = run(root, "grade_class", UNIT, "--student", "alice")
    assert regraded.returncode == 0, regraded.stdout + regraded.stderr
    steps["alice_regraded"] = gradebook_state(root, "alice")
    steps["bob_after"], steps["bob_files_after"] = gradebook_state(root, "bob"), files_of(root, "bob")
    steps["report_after"] = rows(root / "reports" / UNIT / "grading.csv", "student")
    steps["refused_alice"] = run(root, "release", UNIT)
    steps["bob_released"] = run(root, "release", UNIT, "--complete-only")
    steps["released_after_bob"] = sorted((exchange / "lstm-course" / "feedback").glob("*.html"))

    grade_by_hand(root, "alice", ANSWER, "Better.", points)
    steps["all_released"] = run(root, "release", UNIT)
    steps["released_at_end"] = sorted((exchange / "lstm-course" / "feedback").glob("*.html"))
    steps["grades"] = rows(root / "class-data" / "grades.csv", "student_id")
    return steps


def test_the_report_says_points_are_pending_and_release_is_refused(workflow):
    for student in ("alice", "bob"):
        assert float(workflow["report"][student]["pending"]) == workflow["points"]
    assert f"({workflow['points']:g} pending manual grading)" in workflow["grading_md"]
    refused = workflow["refused"]
    assert refused.returncode == 1
    for student in ("alice", "bob"):
        assert f"{student}: {UNIT}.ipynb, cell {ANSWER}: written answer not graded yet" in refused.stderr


def test_regrading_one_student_leaves_the_other_untouched(workflow):
    assert workflow["bob_after"] == workflow["bob"]
    assert workflow["bob_files_after"] == workflow["bob_files"] and workflow["bob_files"]
    assert set(workflow["report_after"]) == {"alice", "bob"}
    assert float(workflow["report_after"]["bob"]["pending"]) == 0


def test_the_changed_answer_is_flagged_and_the_unchanged_code_keeps_its_comment(workflow):
    alice = workflow["alice_regraded"]
    assert alice[ANSWER] == (None, None, True) and alice[f"comment:{ANSWER}"] is None
    assert alice["comment:sigmoid"] == "Nice use of np.exp."
    assert float(workflow["report_after"]["alice"]["pending"]) == workflow["points"]


def test_feedback_waits_for_alice_but_not_for_bob(workflow):
    refused = workflow["refused_alice"]
    assert refused.returncode == 1 and f"alice: {UNIT}.ipynb, cell {ANSWER}" in refused.stderr
    assert "bob" not in refused.stderr
    released = workflow["bob_released"]
    assert released.returncode == 0, released.stdout + released.stderr
    assert "released to 1 student: bob" in released.stdout
    assert len(workflow["released_after_bob"]) == 1
    assert workflow["all_released"].returncode == 0, workflow["all_released"].stderr
    assert len(workflow["released_at_end"]) == 2


def test_the_late_penalty_is_on_the_final_score_in_the_grades_of_record(workflow):
    alice, bob = workflow["grades"]["alice"], workflow["grades"]["bob"]
    raw = float(alice["raw_score"])
    assert raw == float(alice["max_score"])  # all correct, written answer included
    assert float(alice["late_submission_penalty"]) == pytest.approx(0.2 * raw)  # 1.5 days late: 2 started days
    assert float(alice["score"]) == pytest.approx(0.8 * raw)
    assert float(bob["late_submission_penalty"]) == 0 and float(bob["score"]) == float(bob["max_score"])
    assert alice["status"] == bob["status"] == "complete"
