"""Three of the checks' diagnoses as a learner reads them in JupyterLab, with a screenshot of each.

A notebook written here (into the served folder, nothing in the repository changes) holds three plausible wrong
answers, each followed by its check: a weight not transposed and a concatenation on axis 0 (the learner's own
code raises; the check names the mistake from the shapes), and a unit-6 gradient with the sigmoid's slope left
out of one gate's block (named from the values). Each failing cell is tagged ``raises-exception`` so Run All
goes on. The test reads each failure in the page: the diagnosis first, in a few short lines, then the line
saying hints exist; then it opens a hint. Screenshots go to results/browser/diagnosis-*.png.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import RESULTS, record_time
from tests.browser.lab_page import ANSI, NOTEBOOK

SETUP = """\
import numpy as np
from lstm_ref.activations import sigmoid
from lstm_course.feedback.gates import check_forget_gate
from lstm_course.feedback.bptt import check_step_backward_gates
from lstm_course.feedback.hints import hint"""

WRONG_ANSWERS = {
    "weight_not_transposed": ("""\
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_f + b_f)

check_forget_gate(forget_gate)""", ["z @ W_f multiplies z (3, 6) by W_f (4, 6)", "W_f is not transposed"]),
    "concatenate_wrong_axis": ("""\
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([x, h_prev], axis=0)
    return sigmoid(z @ W_f.T + b_f)

check_forget_gate(forget_gate)""", ["along axis 0", "axis=1"]),
    "forget_block_without_slope": ("""\
def step_backward_gates(dh, dc, cache):
    i, f, g, o = cache.i, cache.f, cache.g, cache.o
    dc_total = dc + dh * o * (1.0 - cache.tanh_c ** 2)
    da_i = dc_total * g * (i * (1.0 - i))
    da_f = dc_total * cache.c_prev
    da_g = dc_total * i * (1.0 - g ** 2)
    da_o = dh * cache.tanh_c * (o * (1.0 - o))
    return np.concatenate([da_i, da_f, da_g, da_o], axis=1), dc_total * f

check_step_backward_gates(step_backward_gates)""", ["forget gate f's block", "slope f * (1 - f) is left out"]),
}
MAX_LINES = 7  # read at a glance: the diagnosis and the hints line
MAX_LINE_LENGTH = 100  # JupyterLab's output area shows about 105 characters at 1280 px


def _cell(source: str, *, tags=()) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {"tags": list(tags)}, "outputs": [],
            "source": source}


@pytest.fixture
def diagnoses_notebook(served_course) -> str:
    cells = [_cell(SETUP)]
    cells += [_cell(source, tags=["raises-exception"]) for source, _ in WRONG_ANSWERS.values()]
    cells.append(_cell('hint("forget_gate")'))
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    folder = served_course.root / "diagnoses"
    folder.mkdir(exist_ok=True)
    (folder / "diagnoses.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return "diagnoses/diagnoses.ipynb"


@pytest.mark.slow
@pytest.mark.browser
def test_three_diagnoses_read_at_a_glance_in_jupyterlab(lab, diagnoses_notebook):
    import time

    started = time.monotonic()
    lab.open_notebook(diagnoses_notebook, "diagnoses")
    lab.run_all_cells()
    state = lab.wait_until_run_finished(240)
    record_time("diagnoses notebook: open and run all", started)
    assert "[ ]:" not in state["prompts"], f"Run All did not reach every cell: {state['prompts']}"

    failures = lab.page.locator(f"{NOTEBOOK} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                                has_text="CheckFailed")
    assert failures.count() == len(WRONG_ANSWERS)
    for k, (name, (_, words)) in enumerate(WRONG_ANSWERS.items()):
        output = failures.nth(k)
        text = ANSI.sub("", output.inner_text()).strip()
        lines = text.splitlines()
        assert all(word in text for word in words), text
        assert "Traceback" not in text and "Input operand" not in text, text  # no NumPy internals, no frames
        assert len(lines) <= MAX_LINES and max(map(len, lines)) <= MAX_LINE_LENGTH, text
        assert re.search(r'Stuck\? 3 hints, one at a time: hint\("\w+"\) opens hint 1 of 3\.$', lines[-1]), text
        output.scroll_into_view_if_needed()
        RESULTS.mkdir(parents=True, exist_ok=True)
        output.screenshot(path=str(RESULTS / f"diagnosis-{k + 1}-{name}.png"))

    shown = lab.page.locator(f"{NOTEBOOK} .jp-OutputArea-output", has_text="Hint 1 of 3 for forget_gate")
    assert shown.count() == 1
    assert "again opens hint 2 of 3" in shown.inner_text()
    shown.scroll_into_view_if_needed()
    shown.screenshot(path=str(RESULTS / "diagnosis-4-hint.png"))
