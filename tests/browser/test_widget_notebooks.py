"""Every notebook of the course that shows a widget, as a learner sees it: JupyterLab in Chromium.

For each instructor notebook with a widget (found by ``tests.browser.discovery``, never from a fixed list) the
test opens a copy in JupyterLab, runs Run > Run All Cells, and checks what is on the screen:
  1. every code cell ran (a number in its prompt) and none shows a Python error;
  2. every widget view was built: no "Loading widget..." left after waiting, no "Error displaying widget", and
     at least one view for each cell that displays a course widget;
  3. the notebook shows figures, and each widget with a slider shows a plot;
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
from tests.browser.discovery import widget_cell_count, widget_notebooks
from tests.browser.lab_page import NOTEBOOK

WIDGET_NOTEBOOKS = widget_notebooks()
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
@pytest.mark.parametrize("notebook", WIDGET_NOTEBOOKS or [None],
                         ids=[path.stem for path in WIDGET_NOTEBOOKS] or ["no-widget-notebooks"])
def test_widgets_render_and_respond_in_jupyterlab(notebook, lab, served_course):
    if notebook is None:
        pytest.fail("No widget notebook was found in solutions/; see test_the_course_has_widget_notebooks.")
    check_widget_notebook(lab, served_course.widget_notebooks[notebook.stem], notebook.stem,
                          expected_views=max(1, widget_cell_count(notebook)))


def check_widget_notebook(lab, served_path: str, name: str, expected_views: int) -> None:
    """Steps 1-4 of the module docstring for the notebook at ``served_path``; fails with what the learner sees."""
    started = time.monotonic()
    lab.open_notebook(served_path, workspace=f"widgets-{name}")
    record_time(f"{name}: open the notebook and start its kernel", started)

    # 1. Run > Run All Cells; every code cell ran, none raised.
    started = time.monotonic()
    lab.run_all_cells()
    state = lab.wait_until_run_finished(RUN_TIMEOUT_S)
    record_time(f"{name}: Run All Cells", started)
    errors = lab.error_outputs()
    assert not errors, f"{name}: a cell shows an error after Run All Cells in JupyterLab:\n{errors[0][-3000:]}"
    not_run = [number for number, prompt in enumerate(state["prompts"], start=1)
               if not re.fullmatch(r"\[\d+\]:", prompt)]
    assert not not_run, (f"{name}: code cells {not_run} (counting code cells only) did not run after Run All "
                         f"Cells; prompts: {' '.join(state['prompts'])}")

    # 2. Every widget view was built.
    left = lab.wait_for_widgets(WIDGET_TIMEOUT_S)
    assert not left, (f"{name}: {len(left)} widget output(s) did not render in JupyterLab, e.g. {left[0]!r}. "
                      f"Browser console errors: {lab.console_errors[-5:]}")
    views = lab.widget_views()
    assert len(views) >= expected_views, (f"{name}: {expected_views} cell(s) display a widget, but only "
                                          f"{len(views)} widget view(s) appear in the notebook.")

    # 3. Figures are shown; save them for review.
    figures = lab.image_sources(lab.page.locator(NOTEBOOK))
    assert figures, f"{name}: no figure is shown anywhere in the notebook after Run All Cells."
    save_figures(figures, RESULTS / name)

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
    assert moved, f"{name}: none of the {len(views)} widget view(s) has a slider to move."
