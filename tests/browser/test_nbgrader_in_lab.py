"""nbgrader's JupyterLab extension, as a learner uses it: the Validate button and the assignment list.

The student notebook is a copy of the first generated notebook (``notebooks/01_welcome`` while it exists),
unfilled: every exercise still raises NotImplementedError. Validate must then say which test cells fail, and
the course's own checks must reach the learner through that dialog ("... is not implemented yet").
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.browser.conftest import RESULTS, record_time
from tests.browser.lab_page import NOTEBOOK

VALIDATE_TIMEOUT_S = 240  # nbgrader starts a kernel and runs the whole notebook; slow on a loaded machine


def graded_cells(notebook: Path) -> tuple[list[str], int]:
    """(sources of the visible graded code cells, number of written answers) of a student notebook.

    Hidden-test cells hold only a comment in a student notebook and pass; written answers (graded markdown cells
    with a solution) still hold the stub, which Validate reports as "You did not provide a response."
    """
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    graded = [cell for cell in cells if cell["metadata"].get("nbgrader", {}).get("grade")]
    tests = ["".join(cell["source"]) for cell in graded if cell["cell_type"] == "code"
             and not cell["metadata"]["nbgrader"]["grade_id"].endswith("_hidden")]
    written = [cell for cell in graded
               if cell["cell_type"] == "markdown" and cell["metadata"]["nbgrader"].get("solution")]
    return [source for source in tests if source.strip()], len(written)


@pytest.mark.slow
@pytest.mark.browser
def test_validate_button_reports_the_unfinished_exercises(lab, served_course):
    assert served_course.student_notebook, "No student notebook in notebooks/: run scripts/generate_notebooks.py."
    test_cells, written_answers = graded_cells(served_course.root / served_course.student_notebook)
    assert test_cells, "The student notebook has no visible test cell, so Validate has nothing to report."

    lab.open_notebook(served_course.student_notebook, workspace="validate")
    validate = lab.page.locator(f"{NOTEBOOK} .jp-NotebookPanel-toolbar .validate-button")
    validate.wait_for(state="visible")  # a jp-button labelled "Validate" (nbgrader 0.9's toolbar extension)
    assert validate.inner_text().strip() == "Validate", f"Unexpected Validate button label {validate.inner_text()!r}"
    started = time.monotonic()
    validate.click()
    # While it works, the button is disabled, reads "Validating..." and shows the set-up's spinner (custom CSS
    # from lstm_course.launch): the learner sees that something is happening.
    lab.page.wait_for_function(
        """(selector) => {
             const label = document.querySelector(selector + ' .jp-ToolbarButtonComponent-label');
             return label && label.innerText.trim() === 'Validating...'
               && getComputedStyle(label, '::before').animationName === 'lstm-course-validating';
           }""", arg=f"{NOTEBOOK} .jp-NotebookPanel-toolbar .validate-button", timeout=30_000)
    lab.screenshot(RESULTS / "validating.png")

    dialog = lab.page.locator(".jp-Dialog")
    dialog.wait_for(state="visible", timeout=VALIDATE_TIMEOUT_S * 1000)
    record_time("Validate on the unfilled student notebook", started)
    assert dialog.locator(".jp-Dialog-header").inner_text().strip() == "Validation Results", (
        f"Validate opened an unexpected dialog: {dialog.inner_text()[:1500]}")
    message = dialog.locator("#validation-message")
    text = message.inner_text()
    lab.screenshot(RESULTS / "validate.png")
    assert "validation-failed" in (message.get_attribute("class") or ""), (
        f"An unfilled notebook should fail validation, but the dialog says: {text[:1500]}")
    assert text.count("The following cell failed:") == len(test_cells) + written_answers, (
        f"Expected each of the {len(test_cells)} visible test cells and {written_answers} written answers to be "
        f"reported; the dialog says: {text[:3000]}")
    for source in test_cells:
        assert source.strip() in text, f"The failing test cell {source.strip()!r} is not shown in the dialog."
    assert text.count("You did not provide a response.") == written_answers, text[:3000]
    assert text.count("is not implemented yet") >= len(test_cells), (
        f"The course's checks should tell the learner each exercise is not implemented yet; dialog: {text[:3000]}")
    dialog.locator(".jp-Dialog-footer button").first.click()
    dialog.wait_for(state="hidden")


@pytest.mark.slow
@pytest.mark.browser
def test_the_learners_nbgrader_menu_holds_the_assignment_list_only(lab, served_course):
    """A learner's JupyterLab (set up as ``lstm_course.launch`` sets it up, here with a course exchange): the
    Nbgrader menu offers the Assignment List and no instructor tool, there is no Create Assignment sidebar, and
    the Assignment List loads from the (empty) exchange without an error."""
    lab.open_notebook(served_course.student_notebook, workspace="assignments")
    lab.open_menu("Nbgrader")
    menu = lab.page.locator("#jp-mainmenu-nbgrader")
    menu.wait_for(state="visible")
    items = [item.inner_text().strip() for item in menu.locator(".lm-Menu-item").all() if item.is_visible()]
    lab.screenshot(RESULTS / "nbgrader_menu.png")
    assert items == ["Assignment List"], f"The learner's Nbgrader menu shows {items}"
    assert lab.page.get_by_text("Create Assignment").count() == 0, "An instructor's Create Assignment is shown"
    assert lab.page.get_by_text("Formgrader").count() == 0, "An instructor's Formgrader is shown"

    # The panel asks the server (nbgrader's assignment_list extension) for the learner's courses on opening.
    with lab.page.expect_response(lambda response: response.url.split("?")[0].endswith("/courses")) as answer:
        lab.page.locator('.lm-Menu-item[data-command="nbgrader:open-assignment-list"]').click()
    lab.page.locator(".lm-TabBar-tab", has_text="Assignments").wait_for(state="visible")
    courses = answer.value
    assert courses.ok, f"GET /courses answered HTTP {courses.status}"
    body = courses.json()
    assert body.get("success") is True, f"nbgrader could not list the courses: {body.get('value')!r}"

    panel = lab.page.locator("#assignments")
    panel.wait_for(state="visible")
    placeholder = panel.locator("#released_assignments_list_placeholder")
    placeholder.wait_for(state="visible")
    lab.screenshot(RESULTS / "assignment_list.png")
    assert "Error" not in panel.locator("#assignments_toolbar").inner_text()
    for section in ("released", "fetched", "submitted"):
        error = panel.locator(f"#{section}_assignments_list_error")
        assert not error.is_visible(), f"The assignment list shows an error: {error.inner_text()!r}"
