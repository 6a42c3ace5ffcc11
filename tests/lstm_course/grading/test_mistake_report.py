"""The class mistake report counts exactly what was planted, and counts blank and hostile work as what it is.

A synthetic class (tests/lstm_course/grading/synthetic_autograded.py) with planted outcomes in two units: several
students per recognised mistake across four exercises, students with two mistakes, one unrecognised wrong answer
shared by three students (and another made by one), blank, partly started, hostile (flagged by the integrity
review, with a mistake that must not be counted) and ungradable submissions. Every expected count is computed
here from the plan, never typed in.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from lstm_course.grading import mistake_report
from lstm_course.grading.mistake_report import build_report, exercise_sections, write_report
from lstm_course.grading.outcomes import BLANK, FLAGGED, GRADED, NOT_GRADED
from synthetic_autograded import (PASS, STUB, Planted, SyntheticStudent, exercises_of, link_course,
                                  source_notebook, write_class)

TANH = Planted("forget_gate: wrong values.", "forget_gate/tanh_not_sigmoid", "sigmoid replaced by tanh.",
               "18 of 24 entries differ", "aaaa")
NO_FORGET = Planted("cell_update: wrong values.", "cell_update/forget_gate_missing", "c = i * g: f * c_prev missing.",
                    "24 of 24 entries differ", "bbbb")
MISSING_TANH = Planted("hidden_state: wrong values.", "hidden_state/missing_tanh", "h = o * c: tanh missing.",
                       "20 of 24 entries differ", "cccc")
STEP_ORDER = Planted("lstm_step: wrong values.", "lstm_step/gate_order", "gates taken in the order (f, i, g, o).",
                     "12 of 12 entries differ", "dddd")
SHARED_UNKNOWN = Planted("output_gate: wrong values.", detail="6 of 24 entries differ; largest difference 0.3",
                         signature="eeee")
LONE_UNKNOWN = Planted("output_gate: wrong values.", detail="24 of 24 entries differ; largest difference 0.9",
                       signature="ffff")

GATES, CELL = "04_gates", "05_cell_and_sequence"


def everything(value, assignment):
    return {exercise: value for exercise in exercises_of(source_notebook(assignment))}


CLASS = {
    GATES: [
        SyntheticStudent("s01", {"forget_gate": TANH, "cell_update": NO_FORGET}),      # two mistakes
        SyntheticStudent("s02", {"forget_gate": TANH, "hidden_state": MISSING_TANH}),  # two mistakes
        SyntheticStudent("s03", {"forget_gate": TANH}),
        SyntheticStudent("s04", {"cell_update": NO_FORGET}),
        SyntheticStudent("s05", {"cell_update": NO_FORGET}),
        SyntheticStudent("s06", {"hidden_state": MISSING_TANH}),
        SyntheticStudent("s07", {"output_gate": SHARED_UNKNOWN}),
        SyntheticStudent("s08", {"output_gate": SHARED_UNKNOWN}),
        SyntheticStudent("s09", {"output_gate": SHARED_UNKNOWN, "forget_gate": TANH}),
        SyntheticStudent("s10", {"output_gate": LONE_UNKNOWN}),
        SyntheticStudent("s11", everything(STUB, GATES)),                               # blank
        SyntheticStudent("s12", {**everything(STUB, GATES), "forget_gate": PASS}),      # partly started
        SyntheticStudent("s13", {"forget_gate": TANH}, hostile=True),                   # flagged: not a mistake
        SyntheticStudent("s14", not_graded=True),                                       # os._exit, say
        SyntheticStudent("s15"),                                                        # all correct
    ],
    CELL: [
        SyntheticStudent("s01", {"lstm_step": STEP_ORDER}),
        SyntheticStudent("s02", {"lstm_step": STEP_ORDER}),
        SyntheticStudent("s03", everything(STUB, CELL)),
        SyntheticStudent("s04"),
    ],
}


def planted_mistakes() -> dict[str, list[str]]:
    """mistake id -> students, from the plan: graded students only (not blank, flagged or ungraded)."""
    made = defaultdict(list)
    for students in CLASS.values():
        for student in students:
            if student.hostile or student.not_graded:
                continue
            for answer in student.answers.values():
                if isinstance(answer, Planted) and answer.mistake:
                    made[answer.mistake].append(student.id)
    return {mistake: sorted(students) for mistake, students in made.items()}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    link_course(root)
    for assignment, students in CLASS.items():
        write_class(root, assignment, students)
    return root


@pytest.fixture(scope="module")
def report(course):
    return build_report(course, output=course / "reports" / "mistakes")


@pytest.fixture(scope="module")
def written(course, report):
    """The report's files, written once for the tests that read them."""
    return write_report(report, course / "reports" / "mistakes")


def test_every_recognised_mistake_is_counted_exactly_with_who_made_it(report):
    found = {group.key: sorted(group.students) for group in report.mistakes}
    assert found == planted_mistakes()
    assert len({group.exercise for group in report.mistakes}) >= 3
    counts = [len(group.students) for group in report.mistakes]
    assert counts == sorted(counts, reverse=True)  # ranked


def test_the_hostile_students_mistake_is_not_counted_and_they_are_flagged(report):
    assert "s13" not in {student for group in report.mistakes for student in group.students}
    flagged = [entry for entry in report.statuses if entry.status == FLAGGED]
    assert [(entry.assignment, entry.student) for entry in flagged] == [(GATES, "s13")]
    assert "numpy.allclose" in flagged[0].reason


def test_blank_and_ungradable_students_are_counted_as_what_they_are(report):
    status = {(entry.assignment, entry.student): entry.status for entry in report.statuses}
    assert status[GATES, "s11"] == BLANK and status[CELL, "s03"] == BLANK
    assert status[GATES, "s12"] == GRADED  # one exercise done: partly started, not blank
    assert status[GATES, "s14"] == NOT_GRADED
    assert report.count(GATES, GRADED) == 12 and report.count(GATES, BLANK) == 1
    assert report.count(GATES, NOT_GRADED) == 1 and report.count(GATES, FLAGGED) == 1
    blank_or_stub = {"s11", "s12", "s03"}
    assert not blank_or_stub & {student for group in report.unrecognised for student in group.students}


def test_an_unrecognised_wrong_answer_shared_by_several_students_is_one_group(report):
    groups = {group.key: sorted(group.students) for group in report.unrecognised}
    shared = [key for key in groups if SHARED_UNKNOWN.signature in key]
    lone = [key for key in groups if LONE_UNKNOWN.signature in key]
    assert len(shared) == 1 and groups[shared[0]] == ["s07", "s08", "s09"]
    assert len(lone) == 1 and groups[lone[0]] == ["s10"]
    assert len(groups) == 2
    assert report.unrecognised[0].students == ["s07", "s08", "s09"]  # the bigger group ranks first


def test_per_exercise_figures_follow_the_plan(report):
    for assignment, students in CLASS.items():
        exercises = exercises_of(source_notebook(assignment))
        for exercise in exercises:
            summary = next(s for s in report.exercises if (s.assignment, s.exercise) == (assignment, exercise))
            graded = [student for student in students if not student.not_graded]
            passed = sum(student.answers.get(exercise, PASS) == PASS for student in graded)
            assert summary.submitted == len(students), (assignment, exercise)
            assert summary.passed_public == summary.passed_hidden == passed, (assignment, exercise)
            assert summary.not_started == sum(student.answers.get(exercise, PASS) == STUB for student in graded)
            assert summary.mean_points == pytest.approx(passed * summary.points / len(students))
        assert [s.exercise for s in report.exercises if s.assignment == assignment] == exercises  # notebook order


def test_scores_per_student_are_the_points_of_the_passed_tests(report):
    exercises = exercises_of(source_notebook(GATES))
    points = {s.exercise: s.points for s in report.exercises if s.assignment == GATES}
    for student in CLASS[GATES]:
        expected = 0.0 if student.not_graded else sum(
            points[exercise] for exercise in exercises if student.answers.get(exercise, PASS) == PASS)
        assert report.scores[GATES][student.id] == pytest.approx(expected), student.id
    assert report.max_scores[GATES] == pytest.approx(sum(points.values()))


def test_top_mistakes_link_to_the_section_that_teaches_the_exercise(course, report):
    sections = exercise_sections(course / "notebooks" / GATES / f"{GATES}.ipynb")
    for group in report.mistakes:
        path, anchor = group.section.split("#")
        assert (course / "reports" / "mistakes" / path).resolve().exists(), group.section
        assert (group.section_title, anchor) == sections.get(group.exercise) or group.assignment != GATES


def test_the_report_files_are_the_same_however_often_they_are_built(course, written):
    first = written
    second = write_report(build_report(course, output=course / "reports" / "again"), course / "reports" / "again")
    assert [path.name for path in first] == [path.name for path in second]
    for one, two in zip(first, second):
        assert one.read_bytes() == two.read_bytes(), one.name


def test_the_anonymised_version_names_no_student_and_keeps_the_counts(written):
    folder = written[0].parent
    ids = {student.id for students in CLASS.values() for student in students}
    for path in written:
        if "anonymised" in path.name or path.name == "score_distribution.csv":
            text = path.read_text(encoding="utf-8")
            assert not {student for student in ids if student in text}, path.name
    with open(folder / "mistakes_anonymised.csv", newline="", encoding="utf-8") as handle:
        rows = {row["mistake"]: int(row["students"]) for row in csv.DictReader(handle)}
    assert rows == {mistake: len(students) for mistake, students in planted_mistakes().items()}
    with open(folder / "mistakes.csv", newline="", encoding="utf-8") as handle:
        who = {row["mistake"]: sorted(row["who"].split()) for row in csv.DictReader(handle)}
    assert who == planted_mistakes()


def test_the_page_holds_a_plot_per_assignment_and_the_mistakes_plot(written):
    page = (written[0].parent / "index.html").read_text(encoding="utf-8")
    for figure_id in ("exercises-04_gates", "scores-04_gates", "exercises-05_cell_and_sequence",
                      "scores-05_cell_and_sequence", "mistakes"):
        start = page.index(f'<figure id="{figure_id}"')
        assert "<svg" in page[start:page.index("</figure>", start)], figure_id
    assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?(https?:)?//""", page)  # nothing to fetch from elsewhere


def test_the_command_writes_the_report_and_names_the_top_mistake(course, capsys):
    output = course / "reports" / "from-the-command"
    assert mistake_report.main([GATES, "--course-root", str(course), "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    most_common = max(planted_mistakes().items(), key=lambda item: len(item[1]))[0]
    assert most_common in printed and (output / "index.html").exists() and (output / "index-anonymised.html").exists()


def test_a_course_without_results_says_so(tmp_path, capsys):
    assert mistake_report.main(["--course-root", str(tmp_path)]) == 1
    assert "nothing to report" in capsys.readouterr().out
