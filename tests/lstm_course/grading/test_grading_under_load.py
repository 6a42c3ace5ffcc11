"""A class graded two at a time while every core is busy: no run stalls, and the gradebook is the serial one.

A widget cell could leave nbgrader waiting for the 60 s cell timeout when two grading runs shared a loaded CPU
(issue 15); the widgets are no longer built without a front end (lstm_course.viz.frontend) and grade_class
hands many students to each nbgrader worker. Here one unit's synthetic class (tests/lstm_course/grading/
synthetic_class.py, plus a second realistic mistake per exercise, at least 20 students) is graded twice in two
courses: once one student at a time on a quiet machine, once with ``--jobs 2`` while a process spins on every
core. Asserted: every student's run in the loaded, parallel grading takes under 30 s, and both gradings give
every student the same status, reason, score and cell-by-cell scores.

The two submissions that loop forever are left out: they wait for the 60 s cell timeout by design (the
end-to-end test grades them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from synthetic_class import Student, UnitFacts, build_class, unit_available, write

from course_harness import GradingCourse, fill_solutions, kernel_environment  # noqa: E402  (on sys.path via synthetic_class)
from tests.wrong_answers import load_wrong_answers

pytestmark = pytest.mark.slow

UNIT = os.environ.get("LSTM_GRADING_E2E_UNIT", "04_gates")
LONGEST_RUN_SECONDS = 30
ENDLESS = ("infinite_loop", "swallows_interrupt")


@pytest.fixture(scope="module")
def grading_environment(tmp_path_factory):
    """The grading kernel installed in a temporary Jupyter data folder that grade_class's nbgrader sees."""
    from lstm_course.grading.kernel import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(prefix=str(prefix))
    names = ("JUPYTER_PATH", "PATH", "PYTHONPATH", "LSTM_COURSE_FRONTEND")
    saved = {name: os.environ.get(name) for name in names}
    environment = kernel_environment()
    for name in ("PATH", "PYTHONPATH"):
        os.environ[name] = environment[name]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(prefix / "share" / "jupyter"), saved["JUPYTER_PATH"]]))
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def the_class(facts: UnitFacts) -> list[Student]:
    students = [student for student in build_class(facts) if not any(kind in student.id for kind in ENDLESS)]
    for number, (exercise, answers) in enumerate(load_wrong_answers(facts.unit).items()):
        name, source = list(answers.items())[1 % len(answers)]  # build_class has the first; take the second

        def make(folder, f, exercise=exercise, source=source):
            write(f, folder, fill_solutions(f.release, f.source, {exercise: source}))

        students.append(Student(f"s{60 + number:02d}_second_mistake_{exercise}", name, False, make, lambda f: set()))
    return students


def make_course(root: Path, students: list[Student]) -> GradingCourse:
    course = GradingCourse.create(root, [UNIT])
    facts = UnitFacts.read(UNIT, course.source_dir / UNIT / f"{UNIT}.ipynb", course.release_dir / UNIT / f"{UNIT}.ipynb")
    for student in students:
        submission = root / "submitted" / student.id / UNIT
        shutil.copytree(course.release_dir / UNIT, submission)
        (submission / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC")
        student.make(submission, facts)
    return course


def cell_scores(course: GradingCourse) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, "lstm-course") as gradebook:
        return {submission.student.id: {grade.name: float(grade.score) for nb in submission.notebooks
                                        for grade in nb.grades}
                for submission in gradebook.assignment_submissions(UNIT)}


@pytest.fixture(scope="module")
def graded(grading_environment, tmp_path_factory):
    from lstm_course.grading.grade_class import grade_class

    reason = unit_available(UNIT)
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("under-load")
    probe = GradingCourse.create(base / "probe", [UNIT])
    facts = UnitFacts.read(UNIT, probe.source_dir / UNIT / f"{UNIT}.ipynb", probe.release_dir / UNIT / f"{UNIT}.ipynb")
    students = the_class(facts)

    serial_course = make_course(base / "serial", students)
    serial = grade_class(serial_course.root, UNIT, jobs=1, progress=False)

    loaded_course = make_course(base / "loaded", students)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        loaded = grade_class(loaded_course.root, UNIT, jobs=2, progress=False)
        still_spinning = all(process.poll() is None for process in busy)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    return dict(students=students, serial=serial, loaded=loaded, still_spinning=still_spinning,
                serial_cells=cell_scores(serial_course), loaded_cells=cell_scores(loaded_course))


def test_the_class_is_big_enough_and_was_graded_under_load(graded):
    assert len(graded["students"]) >= 20
    assert graded["still_spinning"], "the busy processes stopped before the grading ended"
    assert {r.student for r in graded["loaded"]} == {s.id for s in graded["students"]}


def test_no_run_under_load_takes_more_than_30_seconds(graded):
    long_runs = {r.student: r.seconds for r in graded["loaded"] if r.seconds > LONGEST_RUN_SECONDS}
    assert not long_runs, f"runs over {LONGEST_RUN_SECONDS} s while every core was busy: {long_runs}"


def test_parallel_under_load_gives_the_serial_gradebook(graded):
    serial = {r.student: (r.status, r.reason, r.score, r.max_score) for r in graded["serial"]}
    loaded = {r.student: (r.status, r.reason, r.score, r.max_score) for r in graded["loaded"]}
    assert loaded == serial
    assert graded["loaded_cells"] == graded["serial_cells"]
    statuses = {r.status for r in graded["serial"]}
    assert statuses == {"graded", "failed", "missing"}  # the class exercises every outcome


def test_every_student_gets_the_status_their_submission_should(graded):
    expected = {student.id: student.status for student in graded["students"]}
    assert {r.student: r.status for r in graded["loaded"]} == expected
