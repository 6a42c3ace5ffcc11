"""Grading with real ``nbgrader autograde``: right answers earn every point, blank and wrong ones do not.

Each unit is autograded once per session (``unit_grading.grade_unit``, cached by ``conftest.graded_unit``),
with these students:
- ``solution``: the student notebook with every solution cell filled from the instructor notebook
  -> full marks on every autograded cell (public and hidden tests);
- ``blank``: the student notebook handed in untouched -> zero on every autograded cell;
- one student per wrong answer in ``tests/wrong_answers/<unit>.py``: the full solution except that one
  exercise -> fewer points in total, the exercise's hidden test cell fails (hidden checks must catch every
  listed mistake), and every OTHER exercise keeps its full marks (one wrong answer never spills over).

The fast tests at the bottom check the wrong-answers files themselves against the notebooks: one entry per
exercise, at least three mistakes each, each a different source that still defines what the exercise defines.
"""

from __future__ import annotations

import ast

import pytest

from tests.notebooks.unit_grading import (
    BLANK_STUDENT,
    SOLUTION_STUDENT,
    require_notebook,
    session_wrong_answers,
    unit_presence,
)
from tests.notebooks.course_harness import (
    UNIT_IDS,
    cell_by_grade_id,
    cell_errors,
    exercise_ids,
    read_notebook,
    source_notebook_path,
)
from tests.wrong_answers import wrong_answers_path

MIN_WRONG_ANSWERS = 3


def _wrong_answer_cases():
    """(unit, exercise grade_id, mistake) for every wrong answer of every unit, known at collection time."""
    cases = []
    for unit_id in UNIT_IDS:
        if wrong_answers_path(unit_id).is_file():
            for grade_id, mistakes in session_wrong_answers(unit_id).items():
                cases.extend(
                    pytest.param(unit_id, grade_id, mistake, id=f"{unit_id}-{grade_id}-{mistake}") for mistake in mistakes
                )
    return cases


def _autograded(scores: dict) -> dict:
    """Only the autograded (code) test cells: written answers wait for a person and score 0 until then."""
    return {grade_id: score for grade_id, score in scores.items() if score.cell_type == "code"}


def _failures_explained(graded, student: str, grade_ids) -> str:
    """The error each of ``grade_ids`` raised in ``student``'s autograded notebook, for the failure message."""
    errors = cell_errors(graded.autograded_notebook(student))
    lines = []
    for grade_id in grade_ids:
        error = errors.get(grade_id)
        detail = f"{error['ename']}: {error['evalue']}" if error else "no error recorded"
        lines.append(f"  {grade_id}: {detail[:600]}")
    return "\n".join(lines)


# --- slow: real nbgrader ----------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_solution_gets_full_marks(unit_id, graded_unit):
    require_notebook(unit_id)
    graded = graded_unit(unit_id)
    scores = _autograded(graded.scores[SOLUTION_STUDENT])
    assert scores, f"{unit_id} has no autograded test cells (code cells with grade: true)"
    short = [grade_id for grade_id, score in scores.items() if not score.full_marks]
    assert not short, (
        f"{unit_id}: the full solution loses points in {short} under nbgrader autograde:\n"
        + _failures_explained(graded, SOLUTION_STUDENT, short)
    )


@pytest.mark.slow
@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_blank_notebook_gets_zero(unit_id, graded_unit):
    require_notebook(unit_id)
    graded = graded_unit(unit_id)
    scores = _autograded(graded.scores[BLANK_STUDENT])
    earned = {grade_id: score.score for grade_id, score in scores.items() if score.score > 0}
    assert not earned, (
        f"{unit_id}: the untouched student notebook earns points in {earned}; a test that passes before the "
        "learner writes anything checks nothing."
    )


@pytest.mark.slow
@pytest.mark.parametrize("unit_id, grade_id, mistake", _wrong_answer_cases())
def test_wrong_answer_loses_marks_in_its_own_exercise(unit_id, grade_id, mistake, graded_unit):
    require_notebook(unit_id)
    graded = graded_unit(unit_id)
    student = graded.wrong_students[(grade_id, mistake)]
    scores = _autograded(graded.scores[student])
    own = [f"test_{grade_id}", f"test_{grade_id}_hidden"]
    missing = [test_id for test_id in own if test_id not in scores]
    assert not missing, f"{unit_id}: exercise {grade_id!r} has no autograded test cells {missing}"

    total = sum(score.score for score in scores.values())
    maximum = sum(score.max_score for score in scores.values())
    assert total < maximum, f"{unit_id}: wrong answer {grade_id} / {mistake!r} still earns full marks ({total}/{maximum})"

    hidden = scores[f"test_{grade_id}_hidden"]
    assert not hidden.full_marks, (
        f"{unit_id}: the hidden test of {grade_id!r} passes the wrong answer {mistake!r}; hidden checks must "
        "catch every listed mistake."
    )

    others_short = [test_id for test_id, score in scores.items() if test_id not in own and not score.full_marks]
    assert not others_short, (
        f"{unit_id}: the wrong answer {grade_id} / {mistake!r} also costs points in {others_short}. Later cells "
        "and checks must use lstm_ref's versions, so one exercise never breaks another:\n"
        + _failures_explained(graded, student, others_short)
    )


# --- fast: the wrong-answers files match the notebooks ----------------------------------------------------------

def _defined_names(source: str) -> set[str]:
    """Top-level names a cell defines (functions, classes, assignments)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_every_exercise_has_at_least_three_wrong_answers(unit_id):
    has_notebook, has_wrong_answers = unit_presence(unit_id)
    require_notebook(unit_id)
    source = read_notebook(source_notebook_path(unit_id))
    exercises = exercise_ids(source)
    if not exercises:
        pytest.skip(f"{unit_id} has no code exercises")
    assert has_wrong_answers, (
        f"{unit_id} has exercises {exercises} but no tests/wrong_answers/{unit_id}.py "
        f"(at least {MIN_WRONG_ANSWERS} plausible mistakes per exercise)"
    )
    wrong = session_wrong_answers(unit_id)
    assert set(wrong) == set(exercises), (
        f"tests/wrong_answers/{unit_id}.py covers {sorted(wrong)}, the notebook's exercises are {sorted(exercises)}"
    )
    too_few = {grade_id: len(mistakes) for grade_id, mistakes in wrong.items() if len(mistakes) < MIN_WRONG_ANSWERS}
    assert not too_few, f"{unit_id}: fewer than {MIN_WRONG_ANSWERS} wrong answers for {too_few}"


@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_wrong_answers_are_plausible_replacements(unit_id):
    """Each wrong answer parses, differs from the solution and defines what the solution cell defines."""
    require_notebook(unit_id)
    if not wrong_answers_path(unit_id).is_file():
        pytest.skip(f"no tests/wrong_answers/{unit_id}.py")
    source = read_notebook(source_notebook_path(unit_id))
    problems = []
    for grade_id, mistakes in session_wrong_answers(unit_id).items():
        try:
            solution = cell_by_grade_id(source, grade_id).source
        except KeyError:
            problems.append(f"{grade_id}: no such cell in the notebook")
            continue
        needed = _defined_names(solution)
        for mistake, replacement in mistakes.items():
            try:
                defined = _defined_names(replacement)
            except SyntaxError as error:
                problems.append(f"{grade_id} / {mistake!r}: does not parse ({error})")
                continue
            if replacement.strip() == solution.strip():
                problems.append(f"{grade_id} / {mistake!r}: identical to the solution")
            if not needed <= defined:
                problems.append(f"{grade_id} / {mistake!r}: does not define {sorted(needed - defined)}")
    assert not problems, f"tests/wrong_answers/{unit_id}.py:\n  " + "\n  ".join(problems)
