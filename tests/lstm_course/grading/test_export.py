"""One grades file of record in class-data/, with what is still pending, and a Canvas gradebook import."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from gradebook_helpers import ASSIGNMENT, COURSE_ID, NOTEBOOK, autograded, grade_by_hand, make_gradebook
from lstm_course.grading.export import COLUMNS, grade_rows, write_canvas_csv, write_grades_csv

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def gradebook_url(tmp_path):
    url = make_gradebook(tmp_path)
    autograded(url, "alice")                          # written answer not graded yet
    autograded(url, "bob", passed=False)
    grade_by_hand(url, "bob", "explain", 2.0)
    with Gradebook(url, COURSE_ID) as gradebook:      # bob was late: 0.5 points off; Canvas knows him by id
        gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, "bob").late_submission_penalty = 0.5
        gradebook.update_or_create_student("bob", lms_user_id="4711", last_name="Doe, Jr.")
        gradebook.db.commit()
    return url                                         # carol submitted nothing


def rows_by_student(url):
    with Gradebook(url, COURSE_ID) as gradebook:
        return {row["student_id"]: row for row in grade_rows(gradebook)}


def test_each_row_says_whether_the_score_is_final(gradebook_url):
    rows = rows_by_student(gradebook_url)
    assert rows["alice"]["status"] == "pending manual grading" and rows["alice"]["pending_manual_points"] == 2.0
    assert rows["alice"]["score"] == 3.0 and rows["alice"]["max_score"] == 5.0
    assert rows["bob"]["status"] == "complete" and rows["bob"]["pending_manual_points"] == 0.0
    assert (rows["bob"]["raw_score"], rows["bob"]["late_submission_penalty"], rows["bob"]["score"]) == (2.0, 0.5, 1.5)
    assert rows["carol"]["status"] == "not submitted" and rows["carol"]["score"] == 0.0


def test_the_csv_keeps_commas_in_names(gradebook_url, tmp_path):
    with Gradebook(gradebook_url, COURSE_ID) as gradebook:
        path = write_grades_csv(grade_rows(gradebook), tmp_path / "grades.csv")
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == COLUMNS
    assert next(row for row in rows if row["student_id"] == "bob")["last_name"] == "Doe, Jr."


def test_the_canvas_import_leaves_scores_that_are_not_final_blank(gradebook_url, tmp_path):
    with Gradebook(gradebook_url, COURSE_ID) as gradebook:
        path = write_canvas_csv(grade_rows(gradebook), gradebook, tmp_path / "canvas.csv")
    with open(path, newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert table[1] == ["Points Possible", "", "", "", "", "5"]
    by_login = {row[3]: row for row in table[2:]}
    assert by_login["alice"] == ["Doe, Alice", "", "", "alice", "", ""]       # pending: not sent to Canvas
    assert by_login["bob"] == ["Doe, Jr., Bob", "4711", "", "bob", "", "1.5"]
    assert by_login["carol"][-1] == "0"


@pytest.mark.slow
def test_nbgrader_export_writes_the_file_of_record_in_class_data(gradebook_url, tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(f"c = get_config()\nload_subconfig({str(REPO_ROOT / 'nbgrader_config.py')!r})\n"
                                                 f"c.CourseDirectory.root = {str(tmp_path)!r}\n")
    environment = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    finished = subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=tmp_path, env=environment,
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert not (tmp_path / "grades.csv").exists()
    with open(tmp_path / "class-data" / "grades.csv", newline="") as handle:
        assert {row["student_id"]: row["status"] for row in csv.DictReader(handle)} == {
            "alice": "pending manual grading", "bob": "complete", "carol": "not submitted"}
    assert (tmp_path / "class-data" / "canvas-grades.csv").exists()
    git = subprocess.run(["git", "check-ignore", "-q", "class-data/grades.csv"], cwd=REPO_ROOT)
    assert git.returncode == 0, "class-data/ must be ignored by git"
