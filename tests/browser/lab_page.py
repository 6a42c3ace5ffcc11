"""What a learner does in JupyterLab, as Playwright actions on one browser page.

``LabPage(page, server)`` opens a notebook, runs all cells from the Run menu, waits for the kernel, and reads
what the learner would see: cell prompts, error outputs, widget views, figures. Selectors are JupyterLab 4's
DOM (``.jp-NotebookPanel``, ``.jp-CodeCell``, ``.jp-OutputArea-output``) and ipywidgets 8's (``.jupyter-widgets``,
``.widget-slider``, noUiSlider handles ``.noUi-handle`` with ``role="slider"``).

A widget view is an output whose first element is a ``.jupyter-widgets`` node. While the widget manager is
still at work the same output holds the text "Loading widget..."; if the view could not be built, "Error
displaying widget" (both strings come from @jupyter-widgets/jupyterlab-manager).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
TOP_LEVEL_OUTPUT = f"{NOTEBOOK} .jp-OutputArea-output:not(.widget-output .jp-OutputArea-output)"
WIDGET_VIEW = f"{TOP_LEVEL_OUTPUT}:has(> .jupyter-widgets)"
LOADING_TEXT = "Loading widget..."
ERROR_TEXT = "Error displaying widget"

# ANSI colour codes survive in some tracebacks' text; strip them before reporting.
ANSI = re.compile(r"\x1b\[[0-9;]*m")

_EXECUTION_STATE = """
(notebook) => {
  const panel = document.querySelector(notebook);
  if (!panel) return null;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim());
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const kernel = panel.querySelector('[data-jp-item-name="kernelName"]');
  return {prompts, status: indicator && indicator.getAttribute('data-status'),
          kernel: kernel && kernel.textContent.trim()};
}
"""


_CELL_ERRORS = r"""
(notebook) => {
  const panel = document.querySelector(notebook);
  const error = /Traceback|^\w*(Error|Exception|Failed)\b/m;
  return [...panel.querySelectorAll('.jp-CodeCell')].map(cell => {
    const texts = [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(output => output.innerText).filter(text => error.test(text));
    return texts.length ? texts.join('\n') : null;
  });
}
"""


class LabPage:
    """One browser page of a JupyterLab server (``LabServer``), driven the way a learner would drive it."""

    def __init__(self, page: Page, server):
        self.page = page
        self.server = server

    # ------------------------------------------------------------------------------------------ open / run
    def open_notebook(self, path: str, workspace: str, timeout_s: float = 120) -> None:
        """Open ``path`` (relative to the server root) in a workspace of its own, and wait for an idle kernel.

        A workspace per notebook keeps tabs of an earlier test from being restored next to this one.
        """
        self.page.goto(self.server.url(f"/lab/workspaces/{workspace}/tree/{path}"))
        self.page.wait_for_selector(f"{NOTEBOOK} .jp-Notebook", timeout=timeout_s * 1000)
        self.wait_for_kernel_idle(timeout_s)

    def execution_state(self) -> dict:
        """{"prompts": ["[1]:", "[*]:", "[ ]:", ...], "status": "idle"|"busy"|..., "kernel": "Python 3 ..."}."""
        return self.page.evaluate(_EXECUTION_STATE, NOTEBOOK) or {"prompts": [], "status": None, "kernel": None}

    def wait_for_kernel_idle(self, timeout_s: float) -> dict:
        """Wait until the notebook has a kernel (not "No Kernel") and its execution indicator says idle."""
        return self._poll(lambda s: s["kernel"] not in (None, "", "No Kernel") and s["status"] == "idle",
                          timeout_s, "the notebook's kernel to start and go idle")

    def run_all_cells(self) -> None:
        """Run > Run All Cells, from the menu bar, as a learner would."""
        prompts_before = self.execution_state()["prompts"]
        self.open_menu("Run")
        self.page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
        # Wait until the run has visibly started (cells queued as [*], a busy kernel, or new execution counts)
        # so that wait_until_run_finished cannot mistake the idle kernel from before the click for the end.
        self._poll(lambda s: "[*]:" in s["prompts"] or s["status"] == "busy" or s["prompts"] != prompts_before,
                   30, "Run All Cells to start")

    def wait_until_run_finished(self, timeout_s: float) -> dict:
        """Wait until no cell is queued or running ([*]) and the kernel is idle; returns the final state."""
        return self._poll(lambda s: "[*]:" not in s["prompts"] and s["status"] == "idle", timeout_s,
                          "all cells to finish running")

    def _poll(self, done, timeout_s: float, what: str) -> dict:
        deadline = time.monotonic() + timeout_s
        state = self.execution_state()
        while not done(state):
            if time.monotonic() > deadline:
                raise TimeoutError(f"Waited {timeout_s:.0f} s for {what}; last state: kernel={state['kernel']!r}, "
                                   f"status={state['status']!r}, prompts={' '.join(state['prompts'])}")
            time.sleep(0.25)
            state = self.execution_state()
        return state

    # ------------------------------------------------------------------------------------------ what is shown
    def error_outputs(self) -> list[str]:
        """Text of every output that shows a Python exception (a traceback or ``SomeError: ...``)."""
        texts = self.page.locator(f'{NOTEBOOK} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
                                  ).all_inner_texts()
        looks_like_error = re.compile(r"Traceback|^\w*(Error|Exception)\b", re.MULTILINE)
        return [ANSI.sub("", text) for text in texts if looks_like_error.search(ANSI.sub("", text))]

    def failing_code_cells(self) -> dict[int, str]:
        """{position among the code cells: the text of its error output} for every code cell showing an error.

        An error is an stderr output that reads like one: a traceback, ``SomeError: ...``, or the course's
        ``CheckFailed: ...`` (its checks print their message in place of a traceback).
        """
        return {index: ANSI.sub("", text) for index, text in enumerate(self.page.evaluate(_CELL_ERRORS, NOTEBOOK))
                if text is not None}

    def widget_views(self) -> list[Locator]:
        return self.page.locator(WIDGET_VIEW).all()

    def unfinished_widget_outputs(self) -> list[str]:
        """Texts of outputs still saying "Loading widget..." or showing "Error displaying widget"."""
        texts = self.page.locator(TOP_LEVEL_OUTPUT).all_inner_texts()
        return [text.strip() for text in texts if LOADING_TEXT in text or ERROR_TEXT in text]

    def wait_for_widgets(self, timeout_s: float) -> list[str]:
        """Give the widget manager up to ``timeout_s`` to replace every placeholder; returns what is left."""
        deadline = time.monotonic() + timeout_s
        left = self.unfinished_widget_outputs()
        while left and not any(ERROR_TEXT in text for text in left) and time.monotonic() < deadline:
            time.sleep(0.5)
            left = self.unfinished_widget_outputs()
        return left

    def figures(self) -> list[Locator]:
        """Every figure (a PNG or SVG image output) in the notebook, inside widgets or not."""
        return self.page.locator(f"{NOTEBOOK} .jp-OutputArea-output[data-mime-type^='image/'] img, "
                                 f"{NOTEBOOK} .jp-OutputArea-output[data-mime-type='image/svg+xml'] svg").all()

    @staticmethod
    def image_sources(view: Locator) -> list[str]:
        """The ``src`` of every loaded image in ``view`` (inline figures are data: URLs of the PNG bytes)."""
        return view.evaluate("el => [...el.querySelectorAll('img')]"
                             ".filter(i => i.complete && i.naturalWidth > 0).map(i => i.src)")

    # ------------------------------------------------------------------------------------------ controls
    def move_first_slider(self, view: Locator) -> tuple[str, str]:
        """Focus the first slider handle of ``view`` and press End (Home if it already sits at its maximum).

        With ``continuous_update=False`` the course's widgets redraw when a slider is released; noUiSlider
        fires that same "change" event for a key press. Returns the slider's value before and after.
        """
        handle = view.locator(".widget-slider .noUi-handle").first
        before = handle.get_attribute("aria-valuenow")
        key = "Home" if before == handle.get_attribute("aria-valuemax") else "End"
        handle.scroll_into_view_if_needed()
        handle.focus()
        self.page.keyboard.press(key)
        return before, handle.get_attribute("aria-valuenow")

    def wait_for_new_image(self, view: Locator, old_sources: list[str], timeout_s: float) -> list[str]:
        """Wait until the images in ``view`` differ from ``old_sources`` (the kernel redrew the plot)."""
        deadline = time.monotonic() + timeout_s
        sources = self.image_sources(view)
        while (not sources or sources == old_sources) and time.monotonic() < deadline:
            time.sleep(0.25)
            sources = self.image_sources(view)
        return sources

    # ------------------------------------------------------------------------------------------ menus
    def open_menu(self, label: str) -> None:
        """Click a top-level menu of the menu bar by its exact label ("Run", "Nbgrader", ...)."""
        self.page.locator("#jp-menu-panel .lm-MenuBar-item").filter(
            has=self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(label)}$"))).click()

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
