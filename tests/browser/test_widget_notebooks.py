"""Every fresh student notebook, as a learner first runs it: JupyterLab in Chromium, Run All Cells.

For each student notebook (``notebooks/NN_topic/``, found from the folders by ``tests.browser.discovery``, never
from a fixed list), nothing filled in, the test opens a copy in JupyterLab, runs Run > Run All Cells, and checks
what is on the screen:
  1. the run reached the last cell: every code cell ran (a number in its prompt). Each unfinished exercise's
     public test cell shows its failing check, visibly, with the check's own message ("... not implemented
     yet"), and no other cell shows an error (the test cells carry the ``raises-exception`` tag, so Run All
     goes on past them);
  2. every widget view was built: no "Loading widget..." left after waiting, no "Error displaying widget", and
     at least one view for each cell that displays a course widget;
  3. the notebook shows its figures, and each widget with a slider shows a plot;
  4. moving a slider with the keyboard (End, or Home if it sits at the end) makes the kernel redraw: the plot
     in the same widget is a different image afterwards.
It keeps a screenshot per notebook (``results/browser/<notebook>.png``) and every figure's PNG
(``results/browser/<notebook>/figure_NN.png``) for a person to review.
"""

from __future__ import annotations

import base64
import re
import shutil
import time

import pytest

from tests.browser.conftest import RESULTS, record_time
from tests.browser.discovery import code_cells, student_notebooks, tagged_test_cells, widget_cell_count, \
    widget_notebooks
from tests.browser.lab_page import NOTEBOOK

WIDGET_NOTEBOOKS = widget_notebooks()
STUDENT_NOTEBOOKS = student_notebooks()
RUN_TIMEOUT_S = 400  # the slowest widget notebook trains two small models; generous for a loaded 2-core machine
WIDGET_TIMEOUT_S = 30  # after the run, for the widget manager to build any view still loading
REDRAW_TIMEOUT_S = 90  # a redraw takes about a second; allow for a busy machine


def test_the_course_has_widget_notebooks():
    """The browser test below is only as good as the discovery: finding no widget notebook is a failure."""
    assert WIDGET_NOTEBOOKS, ("No notebook in solutions/ shows a widget (a cell importing ipywidgets, or reading "
                              "`.view` of a builder from lstm_course.viz): the browser test would check nothing.")


def save_figures(sources: list[str], folder) -> int:
    """Write each data:image/png figure to ``folder/figure_NN.png``; returns how many were written."""
    if folder.exists():
        shutil.rmtree(folder)  # figures of an earlier run must not pass for this one's
    folder.mkdir(parents=True)
    written = 0
    for source in sources:
        if source.startswith("data:image/png;base64,"):
            written += 1
            (folder / f"figure_{written:02d}.png").write_bytes(base64.b64decode(source.split(",", 1)[1]))
    return written


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("notebook", STUDENT_NOTEBOOKS or [None],
                         ids=[path.stem for path in STUDENT_NOTEBOOKS] or ["no-student-notebooks"])
def test_run_all_on_a_fresh_student_notebook_in_jupyterlab(notebook, lab, served_course):
    if notebook is None:
        pytest.fail("No student notebook in notebooks/: run scripts/generate_notebooks.py.")
    check_widget_notebook(lab, served_course.student_notebooks[notebook.stem], notebook.stem,
                          expected_views=widget_cell_count(notebook), expected_failures=tagged_test_cells(notebook),
                          draws=any("plt." in source or ".view" in source for source in code_cells(notebook)))


def check_widget_notebook(lab, served_path: str, name: str, expected_views: int, expected_failures: list[int],
                          draws: bool) -> None:
    """Steps 1-4 of the module docstring for the notebook at ``served_path``; fails with what the learner sees.

    ``expected_failures``: positions (among the code cells) of the test cells that must show a failing check;
    ``draws``: whether the notebook draws figures (plots or widgets) at all.
    """
    started = time.monotonic()
    lab.open_notebook(served_path, workspace=f"widgets-{name}")
    record_time(f"{name}: open the notebook and start its kernel", started)

    # 1. Run > Run All Cells reaches the last cell; exactly the unfinished exercises' checks fail, visibly.
    started = time.monotonic()
    lab.run_all_cells()
    state = lab.wait_until_run_finished(RUN_TIMEOUT_S)
    record_time(f"{name}: Run All Cells", started)
    not_run = [number for number, prompt in enumerate(state["prompts"], start=1)
               if not re.fullmatch(r"\[\d+\]:", prompt)]
    assert not not_run, (f"{name}: code cells {not_run} (counting code cells only) did not run after Run All "
                         f"Cells: the run stopped before the end; prompts: {' '.join(state['prompts'])}")
    failures = lab.failing_code_cells()
    unexpected = {index: text for index, text in failures.items() if index not in expected_failures}
    assert not unexpected, (f"{name}: cells other than the exercises' tests show an error after Run All Cells:\n"
                            + "\n".join(f"code cell {i + 1}: {t[-1500:]}" for i, t in unexpected.items()))
    silent = [index + 1 for index in expected_failures if index not in failures]
    assert not silent, f"{name}: the test cells {silent} (code cells) show no failing check on a fresh notebook."
    unclear = [index + 1 for index in expected_failures if "not implemented yet" not in failures[index]]
    assert not unclear, (f"{name}: the failing checks of code cells {unclear} do not say the exercise is not "
                         f"implemented yet: {[failures[i - 1][:300] for i in unclear]}")

    # 2. Every widget view was built.
    left = lab.wait_for_widgets(WIDGET_TIMEOUT_S)
    assert not left, (f"{name}: {len(left)} widget output(s) did not render in JupyterLab, e.g. {left[0]!r}. "
                      f"Browser console errors: {lab.console_errors[-5:]}")
    views = lab.widget_views()
    assert len(views) >= expected_views, (f"{name}: {expected_views} cell(s) display a widget, but only "
                                          f"{len(views)} widget view(s) appear in the notebook.")

    # 3. Figures are shown; save them for review.
    figures = lab.image_sources(lab.page.locator(NOTEBOOK))
    assert figures or not draws, f"{name}: no figure is shown anywhere in the notebook after Run All Cells."
    save_figures(figures, RESULTS / name)
    if not views:
        lab.screenshot(RESULTS / f"{name}.png")
        return

    # 4. Each widget with a slider shows a plot, and moving the slider redraws it.
    started = time.monotonic()
    moved = 0
    for number, view in enumerate(views, start=1):
        if view.locator(".widget-slider .noUi-handle").count() == 0:
            continue  # a widget without sliders (buttons, a live plot): rendering it was the check
        label = view.locator(".widget-slider .widget-label").first.inner_text()
        before = lab.image_sources(view)
        assert before, f"{name}, widget {number} ({label!r} ...): the widget shows no plot beside its sliders."
        old_value, new_value = lab.move_first_slider(view)
        assert new_value != old_value, (f"{name}, widget {number}: the slider {label!r} did not move with the "
                                        f"keyboard (value stayed {old_value}).")
        after = lab.wait_for_new_image(view, before, REDRAW_TIMEOUT_S)
        assert after and after != before, (
            f"{name}, widget {number}: moving {label!r} from {old_value} to {new_value} did not change the plot "
            f"within {REDRAW_TIMEOUT_S} s (the kernel did not redraw, or drew the same image). "
            f"Browser console errors: {lab.console_errors[-5:]}")
        moved += 1
        if moved == 1:
            view.scroll_into_view_if_needed()
            lab.screenshot(RESULTS / f"{name}.png")  # the first widget, just redrawn, as the learner sees it
    record_time(f"{name}: move a slider in each of {moved} widget(s), wait for the redraw", started)
    assert moved or expected_views == 0, f"{name}: none of the {len(views)} widget view(s) has a slider to move."
