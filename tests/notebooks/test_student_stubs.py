"""The student notebooks, run exactly as a learner first opens them (nothing filled in), in a fresh kernel.

For every unit's ``notebooks/<id>/<id>.ipynb``:
- every public test cell fails, and with a check's learner-level message (``CheckFailed``), not a crash such
  as a NameError: a test that passes on the blank notebook checks nothing;
- every hidden test cell holds only its comment in the student version (nbgrader stripped the code; it comes
  back at grading, where ``test_autograde_wrong_answers`` shows it fails on the blank notebook too);
- the run goes on past each failing test cell to the last cell, as JupyterLab's *Run All Cells* does (the test
  cells carry the ``raises-exception`` tag), and no other cell fails: set-up, demos, figures and widgets run with every exercise still blank, because they
  use ``lstm_ref``'s versions (so one unfinished exercise never blocks the rest of the notebook).
"""

from __future__ import annotations

import shutil
import time

import pytest
from nbclient.exceptions import CellExecutionError

from tests.notebooks.course_harness import (
    RELEASE_DIR,
    UNIT_IDS,
    cell_errors,
    execute_notebook,
    nbgrader_metadata,
    read_notebook,
    release_notebook_path,
)
from tests.notebooks.unit_grading import TIMINGS

HIDDEN_MARKER = "### BEGIN HIDDEN TESTS"


def _test_cells(notebook):
    """(public, hidden) autograded test cells of a student notebook, as {grade_id: cell}."""
    public, hidden = {}, {}
    for cell in notebook.cells:
        meta = nbgrader_metadata(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            (hidden if meta["grade_id"].endswith("_hidden") else public)[meta["grade_id"]] = cell
    return public, hidden


@pytest.mark.slow
@pytest.mark.parametrize("unit_id", UNIT_IDS)
def test_blank_student_notebook_fails_every_test_and_nothing_else(unit_id, tmp_path):
    path = release_notebook_path(unit_id)
    if not path.is_file():
        pytest.skip(f"no student notebook notebooks/{unit_id}/ yet")
    notebook = read_notebook(path)
    public, hidden = _test_cells(notebook)
    assert public, f"{unit_id}: no public test cells (code cells with grade: true)"

    leaked = [grade_id for grade_id, cell in hidden.items()
              if any(line.strip() and not line.startswith("#") for line in cell.source.splitlines())]
    assert not leaked, f"{unit_id}: hidden test cells {leaked} are not empty in the student version"
    assert not any(HIDDEN_MARKER in cell.source for cell in notebook.cells), f"{unit_id}: hidden tests left in"

    # Run a copy of the unit's folder (data files included), so nothing is written into the repository.
    shutil.copytree(RELEASE_DIR / unit_id, tmp_path / unit_id)
    start = time.perf_counter()
    # As JupyterLab's Run All Cells: an error stops the run unless its cell carries the `raises-exception` tag
    # (every public test cell does), so the whole notebook must run to its last cell.
    try:
        executed = execute_notebook(notebook, tmp_path / unit_id, allow_errors=False)
    except CellExecutionError as error:
        pytest.fail(f"{unit_id}: Run All Cells stops before the end of the blank notebook, at a cell without the "
                    f"'raises-exception' tag:\n{str(error)[-2000:]}")
    TIMINGS.append((time.perf_counter() - start, f"blank student notebook {unit_id}"))
    errors = cell_errors(executed)

    passing = [grade_id for grade_id in public if grade_id not in errors]
    assert not passing, f"{unit_id}: public tests {passing} pass on the blank notebook"
    crashes = {
        grade_id: f"{errors[grade_id]['ename']}: {errors[grade_id]['evalue']}"[:300]
        for grade_id in public if errors[grade_id]["ename"] != "CheckFailed"
    }
    assert not crashes, (
        f"{unit_id}: on the blank notebook these public tests fail with an error instead of a check's message "
        f"(CheckFailed, e.g. 'not implemented yet'): {crashes}"
    )

    solution_ids = {nbgrader_metadata(c)["grade_id"] for c in notebook.cells if nbgrader_metadata(c).get("solution")}
    blocked = {
        grade_id: f"{error['ename']}: {error['evalue']}"[:300]
        for grade_id, error in errors.items() if grade_id not in public and grade_id not in solution_ids
    }
    assert not blocked, (
        f"{unit_id}: with the exercises still blank, these cells fail: {blocked}. Cells after an exercise must "
        "use lstm_ref's version (e.g. `from lstm_ref.gates import forget_gate`), not the learner's."
    )
