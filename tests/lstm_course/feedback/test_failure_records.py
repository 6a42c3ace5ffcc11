"""A failing check leaves a machine-readable record in its cell's output, for the class mistake report.

The learner sees only the message (unchanged); the record carries the exercise, the check, the recognised
mistake's id (or none) and the message's first line. Hidden checks run in a fresh process and their records come
back with the mistake's id too.
"""

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from lstm_course.feedback.core import RECORD_MIME_TYPE, CheckFailed, Mistake, expect_close, matching_mistake

MISSING_TANH = Mistake("hidden_state/missing_tanh", "h = o * c: the tanh on the cell state is missing.")


def check_hidden_state(got):
    """A miniature exercise check, written the way the course's checks are."""
    c = np.array([[0.5, 2.0]])
    expect_close("hidden_state", got, np.tanh(c), mistakes={MISSING_TANH: c, "h = c: no output gate.": 2 * c})


def test_a_mistake_is_a_string_with_a_stable_id():
    assert MISSING_TANH == "h = o * c: the tanh on the cell state is missing."
    assert MISSING_TANH.id == "hidden_state/missing_tanh"
    assert matching_mistake(np.array([[0.5, 2.0]]), {MISSING_TANH: np.array([[0.5, 2.0]])}).id == MISSING_TANH.id


def test_a_recognised_mistake_is_recorded_by_its_id_and_the_message_is_unchanged():
    with pytest.raises(CheckFailed) as failure:
        check_hidden_state(np.array([[0.5, 2.0]]))
    assert "Hint: your output matches h = o * c: the tanh on the cell state is missing." in str(failure.value)
    record = failure.value.record()
    assert {key: record[key] for key in ("exercise", "check", "hidden", "mistake", "mistake_text", "message")} == {
        "exercise": "hidden_state", "check": "check_hidden_state", "hidden": False,
        "mistake": "hidden_state/missing_tanh", "mistake_text": str(MISSING_TANH),
        "message": "hidden_state: wrong values.",
    }
    assert record["detail"].startswith("2 of 2 entries differ")


def test_the_same_wrong_output_gives_the_same_signature_and_another_output_another():
    signatures = []
    for wrong in (np.array([[9.0, 9.0]]), np.array([[9.0, 9.0000000001]]), np.array([[9.0, 8.0]])):
        with pytest.raises(CheckFailed) as failure:
            check_hidden_state(wrong)
        signatures.append(failure.value.record()["signature"])
    assert signatures[0] == signatures[1] != signatures[2]


def test_a_mistake_without_an_id_and_an_unrecognised_answer_record_no_mistake():
    for wrong in (np.array([[1.0, 4.0]]), np.array([[9.0, 9.0]])):
        with pytest.raises(CheckFailed) as failure:
            check_hidden_state(wrong)
        record = failure.value.record()
        assert record["mistake"] is None and record["message"] == "hidden_state: wrong values."


def test_a_hidden_check_names_itself_and_brings_back_the_mistake_id():
    from lstm_course.feedback.gates import check_forget_gate_hidden
    from lstm_course.grading import run_hidden

    def forget_gate(x, h_prev, W_f, b_f):
        z = np.concatenate([x, h_prev], axis=1)
        return 0.5 * (1 + np.tanh((z @ W_f.T) / 2))  # sigmoid without the bias

    with pytest.raises(CheckFailed) as failure:
        run_hidden(check_forget_gate_hidden, forget_gate)
    record = failure.value.record()
    assert record["check"] == "check_forget_gate_hidden" and record["exercise"] == "forget_gate"
    assert record["hidden"] is True and record["signature"]  # the fingerprint came back from the fresh process


def test_in_a_kernel_the_record_is_in_the_output_and_nothing_more_is_shown():
    source = (
        "import numpy as np\n"
        "from lstm_course.feedback.core import Mistake, expect_close\n"
        "def check_cell_update(got):\n"
        "    expect_close('cell_update', got, np.ones(2), mistakes={Mistake('cell_update/no_forget', 'no f'): np.zeros(2)})\n"
        "check_cell_update(np.zeros(2))\n"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(notebook, timeout=60, kernel_name="python3", allow_errors=True).execute()
    outputs = notebook.cells[0].outputs
    records = [output for output in outputs if RECORD_MIME_TYPE in output.get("data", {})]
    assert len(records) == 1 and list(records[0]["data"]) == [RECORD_MIME_TYPE]  # nothing a front end renders
    assert records[0]["data"][RECORD_MIME_TYPE]["mistake"] == "cell_update/no_forget"
    errors = [output for output in outputs if output["output_type"] == "error"]
    assert errors and errors[0]["traceback"][0] == "CheckFailed: cell_update: wrong values."
