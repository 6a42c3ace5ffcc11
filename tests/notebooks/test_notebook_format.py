"""Every instructor notebook follows the course's nbgrader conventions (CONTRIBUTING.md, "Notebook conventions").

Fast: reads the JSON of ``solutions/<id>/<id>.ipynb``, executes nothing. What it checks, per notebook:
- nbformat 4.5+ with a unique id on every cell, stored without outputs;
- every cell has nbgrader metadata (schema_version 3) with a unique grade_id; instruction and set-up cells
  are locked;
- each code exercise (``solution: true``) keeps its signature and docstring outside
  ``### BEGIN SOLUTION`` / ``### END SOLUTION``, and is followed at once by its public test cell
  ``test_<exercise>`` and then its hidden one ``test_<exercise>_hidden`` (both graded, locked, with points);
  the hidden cell's code sits between the hidden-test markers and goes through ``run_hidden``, after a comment
  saying what the cell is (nbgrader keeps lines outside the markers, so the learner reads it in place of code);
  the public test cell carries the ``raises-exception`` tag, so *Run All Cells* goes past an unfinished
  exercise's failing check to the end of the notebook (nbgrader still counts the cell as failed);
  test cells call checks, never a bare ``assert``;
- written answers graded by a person are markdown cells with ``solution``, ``grade`` and points;
- the unit opens with learning objectives, prerequisites and an estimated time, and ends with a recap;
- no machine-specific absolute path in any cell.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.notebooks.course_harness import UNIT_IDS, source_notebook_path

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
RAISES_EXCEPTION = "raises-exception"  # JupyterLab and nbclient go on past an error in a cell so tagged
MACHINE_PATHS = re.compile(r"(?<![\w.])/(?:work|tmp|home|root|Users)/")


def _load(unit_id: str) -> dict:
    path = source_notebook_path(unit_id)
    if not path.is_file():
        pytest.skip(f"unit {unit_id} has no notebook yet")
    return json.loads(path.read_text(encoding="utf-8"))


def _text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _label(index: int, cell) -> str:
    return f"cell {index} ({_meta(cell).get('grade_id', cell.get('id', '?'))})"


@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_stored_clean_with_stable_ids(unit_id):
    notebook = _load(unit_id)
    assert (notebook["nbformat"], notebook["nbformat_minor"]) >= (4, 5), "nbformat 4.5 or later (cell ids)"
    ids = [cell.get("id") for cell in notebook["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), f"every cell needs a unique id, got {ids}"
    with_outputs = [_label(i, c) for i, c in enumerate(notebook["cells"])
                    if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not with_outputs, f"stored with outputs or execution counts: {with_outputs} (clear them before committing)"
    absolute = [_label(i, c) for i, c in enumerate(notebook["cells"]) if MACHINE_PATHS.search(_text(c))]
    assert not absolute, f"machine-specific absolute paths in {absolute}: use paths relative to the notebook"


@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_every_cell_has_nbgrader_metadata_and_locks(unit_id):
    notebook = _load(unit_id)
    problems, seen = [], set()
    for index, cell in enumerate(notebook["cells"]):
        meta, label = _meta(cell), _label(index, cell)
        if meta.get("schema_version") != 3 or not meta.get("grade_id"):
            problems.append(f"{label}: needs nbgrader metadata with schema_version 3 and a grade_id")
            continue
        if meta["grade_id"] in seen:
            problems.append(f"{label}: grade_id used twice")
        seen.add(meta["grade_id"])
        if not re.fullmatch(r"[A-Za-z0-9_-]+", meta["grade_id"]):
            problems.append(f"{label}: grade_id may only use letters, digits, '_' and '-'")
        if not meta.get("solution") and not meta.get("locked"):
            problems.append(f"{label}: instruction, set-up and test cells must be locked")
        if meta.get("grade") and not meta.get("points", 0) > 0:
            problems.append(f"{label}: a graded cell needs points > 0")
        if cell["cell_type"] == "markdown" and meta.get("solution") and not meta.get("grade"):
            problems.append(f"{label}: a written answer must be graded (grade: true, points)")
        if cell["cell_type"] == "code" and meta.get("solution") and meta.get("grade"):
            problems.append(f"{label}: code answers are graded by their test cells, not by hand")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_each_exercise_is_followed_by_its_public_and_hidden_tests(unit_id):
    cells = _load(unit_id)["cells"]
    problems = []
    exercises = [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code" and _meta(c).get("solution")]
    for index, cell in exercises:
        name, text = _meta(cell)["grade_id"], _text(cell)
        if BEGIN_SOLUTION not in text or END_SOLUTION not in text:
            problems.append(f"{name}: no {BEGIN_SOLUTION} / {END_SOLUTION} region")
            continue
        before = text.split(BEGIN_SOLUTION)[0]
        if not re.search(r"^\s*def \w+\(", before, re.MULTILINE) or not re.search(r'"""|\'\'\'', before):
            problems.append(f"{name}: the function signature and docstring must stay outside the solution region")
        expected = [f"test_{name}", f"test_{name}_hidden"]
        following = [_meta(c).get("grade_id") for c in cells[index + 1:index + 3]]
        if following != expected:
            problems.append(f"{name}: must be followed at once by {expected}, found {following}")
            continue
        public, hidden = cells[index + 1], cells[index + 2]
        for test in (public, hidden):
            if not (test["cell_type"] == "code" and _meta(test).get("grade") and _meta(test).get("locked")):
                problems.append(f"{_meta(test)['grade_id']}: must be a locked, graded code cell")
            if re.search(r"^\s*assert\b", _text(test), re.MULTILINE):
                problems.append(f"{_meta(test)['grade_id']}: call a check from lstm_course.feedback, not a bare assert")
        public_text, hidden_text = _text(public), _text(hidden)
        if BEGIN_HIDDEN in public_text:
            problems.append(f"test_{name}: hidden tests belong in test_{name}_hidden, not in the public cell")
        if RAISES_EXCEPTION not in public.get("metadata", {}).get("tags", []):
            problems.append(f"test_{name}: needs the cell tag {RAISES_EXCEPTION!r}, so Run All Cells goes on past it")
        before_marker, _, _ = hidden_text.partition(BEGIN_HIDDEN)
        comment_lines = [line for line in before_marker.splitlines() if line.strip()]
        if not comment_lines or not all(line.startswith("#") for line in comment_lines):
            problems.append(f"test_{name}_hidden: must open with a comment line saying what the hidden cell is "
                            f"(a learner sees only that line), then {BEGIN_HIDDEN}")
        if not hidden_text.strip().endswith(END_HIDDEN) or BEGIN_HIDDEN not in hidden_text:
            problems.append(f"test_{name}_hidden: its code must sit between {BEGIN_HIDDEN} and {END_HIDDEN}")
        if "run_hidden(" not in hidden_text:
            problems.append(f"test_{name}_hidden: must call lstm_course.grading.run_hidden(check, ...)")
    stray = [_meta(c)["grade_id"] for c in cells
             if _meta(c).get("grade") and c["cell_type"] == "code"
             and not any(_meta(c)["grade_id"] in (f"test_{_meta(e)['grade_id']}", f"test_{_meta(e)['grade_id']}_hidden")
                         for _, e in exercises)]
    if stray:
        problems.append(f"graded code cells that belong to no exercise: {stray}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_opens_with_objectives_prerequisites_time_and_ends_with_a_recap(unit_id):
    cells = _load(unit_id)["cells"]
    opening = " ".join(_text(c) for c in cells[:3] if c["cell_type"] == "markdown").lower()
    missing = [word for word in ("objective", "prerequisite", "time") if word not in opening]
    assert not missing, f"the first cells must state the learning objectives, prerequisites and estimated time: no {missing}"
    last = cells[-1]
    assert last["cell_type"] == "markdown" and "recap" in _text(last).lower(), "the notebook must end with a recap"
