"""The integrity report flags submissions that game the grading, and leaves honest ones alone."""

import csv

import nbformat
import pytest

from lstm_course.grading.integrity import HIGH, REVIEW, review_class, review_code, write_reports

SETUP = "import numpy as np\nfrom lstm_ref.activations import sigmoid\nfrom lstm_course.feedback.gates import check_forget_gate\n"
HONEST = '''
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_f.T + b_f)
'''


def review(source):
    from lstm_course.grading.integrity import collect_aliases

    return review_code(source, aliases=collect_aliases([SETUP]), exercises={"forget_gate"})


@pytest.mark.parametrize("source, category, words", [
    ("np.allclose = lambda *a, **k: True", "tampering", "numpy.allclose"),
    ("import numpy\nnumpy.testing.assert_allclose = lambda *a, **k: None", "tampering", "numpy.testing.assert_allclose"),
    ("check_forget_gate = lambda f: None", "tampering", "check_forget_gate"),
    ("def check_forget_gate(f):\n    pass", "tampering", "check_forget_gate"),
    ("import lstm_course.feedback.gates as g\ng.check_forget_gate_hidden = print", "tampering", "check_forget_gate_hidden"),
    ("import lstm_course.feedback.core\nlstm_course.feedback.core.expect_close = print", "tampering", "expect_close"),
    ("setattr(np.testing, 'assert_allclose', print)", "tampering", "setattr"),
    ("import sys\nsys.modules['lstm_course.feedback'] = None", "tampering", "sys.modules"),
    ("from lstm_course.grading import run_hidden\nrun_hidden = print", "tampering", "run_hidden"),
    ("from lstm_ref import forget_gate as reference\ndef forget_gate(x, h, W, b):\n    return reference(x, h, W, b)",
     "reference", "lstm_ref.forget_gate"),
    ("import lstm_ref\ndef forget_gate(x, h, W, b):\n    return lstm_ref.gates.forget_gate(x, h, W, b)",
     "reference", "lstm_ref.gates.forget_gate"),
    ("answers = open('/home/instructor/solutions.ipynb').read()", "files", "/home/instructor"),
    ("answers = np.load('../alice/answers.npy')", "files", "../alice"),
    ("import os\nos._exit(0)", "escape", "os._exit"),
    ("while True:\n    try:\n        pass\n    except KeyboardInterrupt:\n        pass", "escape", "KeyboardInterrupt"),
    ("for _ in range(10**9):\n    try:\n        pass\n    except:\n        pass", "escape", "bare"),
])
def test_gaming_the_grading_is_flagged_high(source, category, words):
    found = review(source)
    assert any(severity == HIGH and kind == category and words in detail for _, severity, kind, detail in found), found


@pytest.mark.parametrize("source", [
    HONEST,
    "def forget_gate(x, h_prev, W_f, b_f):\n    raise NotImplementedError()",
    "values = np.linspace(0, 1, 5)\nprint(np.allclose(values, values))",
    "try:\n    forget_gate(1, 2, 3, 4)\nexcept Exception as error:\n    print(error)",
    "%matplotlib inline\nx = 1",
    "with open('my_notes.txt', 'w') as handle:\n    handle.write('fine: inside my folder')",
])
def test_honest_code_is_not_flagged(source):
    assert review(source) == []


def test_using_a_non_exercise_helper_from_the_reference_is_only_for_review():
    found = review("from lstm_ref.activations import tanh\ndef forget_gate(x, h, W, b):\n    return tanh(x)")
    assert [severity for _, severity, _, _ in found] == [REVIEW]


def test_source_must_be_text():
    with pytest.raises(TypeError, match="source must be a str, got bytes"):
        review_code(b"x = 1")


def notebook(*cells):
    """A small nbgrader notebook: cells as (kind, grade_id, source, nbgrader flags)."""
    made = []
    for kind, grade_id, source, flags in cells:
        maker = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = maker(source)
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "solution": False, "grade": False,
                                     "locked": False, **flags}
        made.append(cell)
    return nbformat.v4.new_notebook(cells=made)


RELEASE = notebook(
    ("code", "setup", SETUP, {"locked": True}),
    ("code", "forget_gate", "def forget_gate(x, h_prev, W_f, b_f):\n    raise NotImplementedError()", {"solution": True}),
    ("code", "test_forget_gate", "check_forget_gate(forget_gate)", {"grade": True, "locked": True, "points": 1}),
    ("code", "test_forget_gate_hidden", "", {"grade": True, "locked": True, "points": 1}),
)


@pytest.fixture
def course(tmp_path):
    """A course folder with the release notebook and submissions of several kinds."""
    (tmp_path / "notebooks" / "unit").mkdir(parents=True)
    nbformat.write(RELEASE, str(tmp_path / "notebooks" / "unit" / "unit.ipynb"))

    def submit(student, nb=None, name="unit.ipynb", raw=None):
        folder = tmp_path / "submitted" / student / "unit"
        folder.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            (folder / name).write_text(raw)
        elif nb is not None:
            nbformat.write(nb, str(folder / name))
        return folder

    honest = nbformat.from_dict(RELEASE)
    honest.cells[1].source = HONEST
    submit("honest", honest)
    tampered = nbformat.from_dict(RELEASE)
    tampered.cells[1].source = HONEST.replace("sigmoid(", "np.tanh(") + "\nnp.allclose = lambda *a, **k: True\n"
    tampered.cells[2].source = "pass  # was the test"
    del tampered.cells[3]
    submit("tamperer", tampered)
    submit("broken", raw="{ this is not json")
    submit("misnamed", honest, name="unit (1).ipynb")
    submit("empty")
    shadow = submit("shadower", honest)
    (shadow / "numpy.py").write_text("allclose = lambda *a, **k: True\n")
    return tmp_path


def by_student(findings):
    grouped = {}
    for finding in findings:
        grouped.setdefault(finding.student, []).append(finding)
    return grouped


def test_the_class_report_lists_each_kind_of_problem(course):
    found = by_student(review_class(course, "unit"))
    assert "honest" not in found
    details = {student: " | ".join(f.detail for f in items) for student, items in found.items()}
    assert "numpy.allclose" in details["tamperer"]
    assert "test cell edited" in details["tamperer"] and "test cell deleted" in details["tamperer"]
    assert "not a valid notebook" in details["broken"]
    assert "unit.ipynb missing" in details["misnamed"] and "unit (1).ipynb" in details["misnamed"]
    assert "unit.ipynb missing" in details["empty"]
    assert "numpy.py" in details["shadower"]
    assert {f.severity for f in found["tamperer"]} >= {HIGH, REVIEW}


def test_the_reports_hold_every_finding(course, tmp_path):
    findings = review_class(course, "unit")
    csv_path, markdown_path = write_reports(findings, tmp_path / "reports", title="unit")
    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(findings)
    assert {row["student"] for row in rows} == {"tamperer", "broken", "misnamed", "empty", "shadower"}
    markdown = markdown_path.read_text()
    assert "## tamperer (high)" in markdown and "numpy.allclose" in markdown


def test_a_course_without_the_release_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no released notebooks"):
        review_class(tmp_path, "unit")


@pytest.mark.parametrize("source, category, words", [
    ("import sqlite3\nsqlite3.connect('gradebook.db').execute('UPDATE grade SET auto_score = 0')", "gradebook",
     "sqlite3"),
    ("path = 'course/gradebook.db'", "gradebook", "gradebook.db"),
    ("from nbgrader.api import Gradebook", "gradebook", "nbgrader"),
    ("import os\nprint(os.listdir('../../../submitted'))", "files", "submitted"),
    ("import os\nroot = os.path.join('..', '..', '..')\nprint(os.path.join(root, 'solutions'))", "files", "solutions"),
    ("import shutil\nshutil.rmtree(folder)", "files", "shutil.rmtree"),
    ("import os\nos.remove(path)", "files", "deletes a file"),
    ("import socket\nsocket.create_connection(('127.0.0.1', 8000))", "network", "socket"),
    ("from urllib.request import urlopen\nurlopen('http://example.org')", "network", "urllib"),
    ("import requests", "network", "requests"),
    ("import os\nos.popen('ls')", "escape", "os.popen"),
    ("import os\nos.spawnl(os.P_WAIT, '/bin/ls')", "escape", "os.spawnl"),
])
def test_reaching_past_the_submission_is_flagged_high(source, category, words):
    found = review(source)
    assert any(severity == HIGH and kind == category and words in detail for _, severity, kind, detail in found), found


@pytest.mark.parametrize("source, words", [
    ("import os\nprint(os.listdir(folder))", "os.listdir"),
    ("from pathlib import Path\nprint(Path.home())", "home folder"),
    ("from pathlib import Path\nprint(list(Path(folder).iterdir()))", "iterdir"),
])
def test_looking_around_the_file_system_is_flagged_for_review(source, words):
    found = review(source)
    assert any(severity == REVIEW and kind == "files" and words in detail for _, severity, kind, detail in found), found


@pytest.mark.parametrize("source", [
    "feedback = 'looks good'\nsource = np.ones(3)\nprint('my solutions:', feedback)",
    "np.save('my_weights.npy', np.ones(3))",
])
def test_ordinary_words_and_own_files_are_not_course_paths(source):
    assert review(source) == []
