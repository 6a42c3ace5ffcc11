"""``lstm_course.progress``: the learner's progress across units, from their saved notebooks.

The slow test builds a learner's folder with a mix across several units, as the course would be half-way:
- unit 1: ``sigmoid`` finished (the model answer), ``sigmoid_derivative`` wrong (a known wrong answer);
- unit 2: untouched (the student notebook as released);
- unit 4: ``forget_gate`` finished, ``input_gate`` wrong, the other four untouched;
- a unit whose notebook file is not a notebook at all (a learner's broken save);
and requires every exercise's status to be exactly right, the broken unit reported rather than crashing the
run, and nothing in the learner's folder changed or added. The fast tests check the table, the figure and the
command's answer for a folder without notebooks.
"""

from __future__ import annotations

import hashlib
import runpy

import nbformat
import pytest

from lstm_course import progress
from lstm_course.progress import FAILING, NOT_RUN, NOT_STARTED, PASSED, ExerciseResult
from tests.notebooks.course_harness import (
    exercise_ids,
    fill_solutions,
    read_notebook,
    release_notebook_path,
    source_notebook_path,
)
from tests.wrong_answers import wrong_answers_path


def wrong_answer(unit: str, exercise: str) -> str:
    """The first listed wrong answer for ``exercise`` of ``unit``."""
    answers = runpy.run_path(str(wrong_answers_path(unit)))["WRONG_ANSWERS"][exercise]
    return next(iter(answers.values()))


def learner_notebook(unit: str, finished: list[str], wrong: list[str]):
    """The released notebook of ``unit`` with ``finished`` exercises answered right and ``wrong`` ones wrong."""
    release, source = read_notebook(release_notebook_path(unit)), read_notebook(source_notebook_path(unit))
    filled = fill_solutions(release, source, {exercise: wrong_answer(unit, exercise) for exercise in wrong})
    answered = set(finished) | set(wrong)
    for cell, blank in zip(filled.cells, release.cells):  # untouched exercises keep the stub
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in answered:
            cell.source = blank.source
    return filled


def snapshot(folder) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_progress_of_a_learner_half_way(tmp_path):
    folder = tmp_path / "notebooks"
    plan = {  # unit -> (finished, wrong)
        "01_welcome": (["sigmoid"], ["sigmoid_derivative"]),
        "02_recurrence": ([], []),
        "04_gates": (["forget_gate"], ["input_gate"]),
    }
    expected = {}
    for unit, (finished, wrong) in plan.items():
        (folder / unit).mkdir(parents=True)
        notebook = learner_notebook(unit, finished, wrong)
        nbformat.write(notebook, str(folder / unit / f"{unit}.ipynb"))
        for exercise in exercise_ids(notebook):
            expected[(unit, exercise)] = PASSED if exercise in finished else FAILING if exercise in wrong \
                else NOT_STARTED
    (folder / "05_broken").mkdir()
    (folder / "05_broken" / "05_broken.ipynb").write_text("{ half a notebook", encoding="utf-8")
    before = snapshot(folder)

    seen_units = []
    results = progress.collect_progress(folder, on_unit=lambda number, count, unit: seen_units.append(
        (number, count, unit)))

    assert seen_units == [(1, 4, "01_welcome"), (2, 4, "02_recurrence"), (3, 4, "04_gates"), (4, 4, "05_broken")]
    got = {(r.unit, r.exercise): r.status for r in results if r.unit != "05_broken"}
    assert got == expected
    for result in results:
        if result.status == FAILING:
            assert result.message and "not implemented" not in result.message, result
    broken = [r for r in results if r.unit == "05_broken"]
    assert [r.status for r in broken] == [NOT_RUN] and "could not be read" in broken[0].message
    assert snapshot(folder) == before, "checking progress changed or added files in the learner's folder"

    table = progress.format_table(results)
    assert "01_welcome" in table and "04_gates" in table
    assert "04_gates · input_gate: failing" in table
    figure = progress.progress_figure(results)
    assert figure.axes[0].get_title().startswith("Your progress: 2 of")


def test_summary_table_and_figure_count_every_status():
    results = [ExerciseResult("01_welcome", "sigmoid", PASSED),
               ExerciseResult("01_welcome", "sigmoid_derivative", FAILING, "sigmoid_derivative: wrong values."),
               ExerciseResult("02_recurrence", "rnn_step", NOT_STARTED, "rnn_step is not implemented yet"),
               ExerciseResult("02_recurrence", "rnn_forward", NOT_RUN, "its test cell did not run")]
    assert progress.summary(results) == {
        "01_welcome": {PASSED: 1, FAILING: 1, NOT_STARTED: 0, NOT_RUN: 0},
        "02_recurrence": {PASSED: 0, FAILING: 0, NOT_STARTED: 1, NOT_RUN: 1},
    }
    table = progress.format_table(results).splitlines()
    assert table[2].split() == ["01_welcome", "1", "1", "0", "0", "2"]
    assert table[4].split() == ["all", "units", "1", "1", "1", "1", "4"]
    assert "  01_welcome · sigmoid_derivative: failing: sigmoid_derivative: wrong values." in table
    bars = progress.progress_figure(results).axes[0].patches
    # one segment per unit and status drawn: each status here is one exercise of one unit
    assert sorted(float(bar.get_width()) for bar in bars if bar.get_width() > 0) == [1.0, 1.0, 1.0, 1.0]
    assert "failing" in progress.html_table(results)


def test_the_command_says_where_it_looked_when_there_are_no_notebooks(tmp_path, capsys):
    assert progress.main([str(tmp_path)]) == 2
    assert "No unit notebooks" in capsys.readouterr().out


def test_default_folder_from_the_course_or_a_unit_folder(tmp_path):
    (tmp_path / "notebooks" / "01_welcome").mkdir(parents=True)
    (tmp_path / "notebooks" / "01_welcome" / "01_welcome.ipynb").write_text("{}")
    assert progress.default_folder(tmp_path) == tmp_path / "notebooks"
    assert progress.default_folder(tmp_path / "notebooks" / "01_welcome") == tmp_path / "notebooks"
    assert progress.default_folder(tmp_path / "notebooks") == tmp_path / "notebooks"
