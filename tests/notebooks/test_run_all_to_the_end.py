"""Run All Cells goes to the end of a student notebook, and grading still counts every failing check.

Each public test cell carries the cell tag ``raises-exception`` (tests/notebooks/test_notebook_format.py requires
it). JupyterLab's *Run All Cells* and nbclient then go on past an error in that cell instead of stopping the
run there, so every figure and widget below an unfinished exercise still appears. The tag must change nothing
about grading: nbgrader decides pass or fail from the cell's output (an error output is a failure), and these
tests prove that it still does, with the tag in place:

- ``nbgrader autograde`` gives zero to every tagged test cell of a blank submission, full marks on a finished
  one (the session's cached autograde of unit 1, shared with test_autograde_wrong_answers);
- nbgrader's ``Validator`` (what the Validate button and ``nbgrader validate`` run) lists every tagged public
  test cell of a blank notebook as failed;
- nbval, which reads the tag as "an error is allowed", still fails an instructor notebook whose tagged check
  fails (the repository's conftest.py holds it to that);
- and the run itself: tests/notebooks/test_student_stubs.py runs every blank student notebook as a learner's
  Run All does (an error stops the run, except in a tagged cell) and requires it to reach the last cell.
"""

from __future__ import annotations

import shutil

import pytest

from tests.notebooks.course_harness import (
    RELEASE_DIR,
    nbgrader_metadata,
    read_notebook,
    release_notebook_path,
    source_notebook_path,
)
from tests.notebooks.unit_grading import BLANK_STUDENT, SOLUTION_STUDENT

TAG = "raises-exception"
UNIT = "01_welcome"  # the smallest unit; the tag is the same in every unit (the format test holds them to it)


def student_notebooks() -> list:
    """Every generated student notebook, found from the folders (a new unit is picked up without a list)."""
    return sorted(path for path in RELEASE_DIR.glob("*/*.ipynb") if ".ipynb_checkpoints" not in path.parts)


def tagged_test_cells(notebook) -> list[str]:
    """grade_ids of the graded code cells that carry the ``raises-exception`` tag."""
    return [nbgrader_metadata(cell)["grade_id"] for cell in notebook.cells
            if cell.cell_type == "code" and nbgrader_metadata(cell).get("grade")
            and TAG in cell.metadata.get("tags", [])]


def test_the_tag_reaches_the_student_notebooks():
    """nbgrader keeps ``metadata.tags`` when it generates the student version: every public test cell has it."""
    for path in student_notebooks():
        notebook = read_notebook(path)
        public = [nbgrader_metadata(cell)["grade_id"] for cell in notebook.cells
                  if cell.cell_type == "code" and nbgrader_metadata(cell).get("grade")
                  and not nbgrader_metadata(cell)["grade_id"].endswith("_hidden")]
        assert public and tagged_test_cells(notebook) == public, (
            f"{path.name}: public test cells {public}, tagged {tagged_test_cells(notebook)}: regenerate the "
            "student notebooks (scripts/generate_notebooks.py)")


@pytest.mark.slow
def test_autograde_scores_tagged_failing_cells_as_failed(graded_unit):
    graded = graded_unit(UNIT)
    tagged = tagged_test_cells(read_notebook(release_notebook_path(UNIT)))
    assert tagged, f"{UNIT}: no tagged test cell, so this test would prove nothing"
    blank, solution = graded.scores[BLANK_STUDENT], graded.scores[SOLUTION_STUDENT]
    scored_points = {grade_id: blank[grade_id].score for grade_id in tagged if blank[grade_id].score > 0}
    assert not scored_points, f"a blank submission earned points on tagged failing test cells: {scored_points}"
    missed = [grade_id for grade_id in tagged if not solution[grade_id].full_marks]
    assert not missed, f"a finished submission lost points on tagged test cells: {missed}"


@pytest.mark.slow
def test_validate_lists_tagged_failing_cells_as_failed(tmp_path):
    from nbgrader.validator import Validator

    shutil.copytree(RELEASE_DIR / UNIT, tmp_path / UNIT)
    path = tmp_path / UNIT / f"{UNIT}.ipynb"
    notebook = read_notebook(path)
    tagged = {cell.source.strip() for cell in notebook.cells
              if nbgrader_metadata(cell).get("grade_id") in tagged_test_cells(notebook)}
    result = Validator().validate(str(path))
    failed = {cell["source"].strip() for cell in result.get("failed", [])}
    assert tagged <= failed, f"Validate did not report these tagged, failing test cells: {sorted(tagged - failed)}"


@pytest.mark.slow
def test_nbval_still_fails_a_solution_whose_tagged_check_fails(tmp_path):
    """nbval reads ``raises-exception`` as "an error is allowed"; the repository's conftest.py turns that off for
    the instructor notebooks, whose checks must all pass. A solution with a wrong sigmoid (its hidden test cell
    removed, so only the tagged public test can notice) must fail under nbval as CI runs it."""
    import json
    import subprocess
    import sys

    from tests.notebooks.course_harness import REPO_ROOT, kernel_environment  # noqa: I001

    notebook = json.loads(source_notebook_path(UNIT).read_text(encoding="utf-8"))
    cells = []
    for cell in notebook["cells"]:
        grade_id = cell["metadata"]["nbgrader"]["grade_id"]
        if grade_id == "sigmoid":
            cell["source"] = ["def sigmoid(x):\n", "    return np.tanh(x)\n"]
        if not grade_id.endswith("_hidden"):
            cells.append(cell)
    notebook["cells"] = cells
    (tmp_path / "wrong_solution.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    shutil.copy(REPO_ROOT / "conftest.py", tmp_path / "conftest.py")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "", "--nbval-lax", "--nbval-current-env",
                          "-p", "no:cacheprovider", "wrong_solution.ipynb"],
                         cwd=tmp_path, env=kernel_environment(), capture_output=True, text=True, timeout=600)
    assert run.returncode != 0 and "1 failed" in run.stdout, run.stdout[-3000:]
