"""The unit 2 checks (lstm_ref.feedback.recurrence) accept right answers and reject wrong ones, with hints.

Every check must pass on the solution notebook's own code and on lstm_ref's implementation, fail with
CheckFailed on the unimplemented stub, and fail on every plausible wrong answer in
tests/wrong_answers/02_recurrence.py, naming the mistake where the check knows it.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from lstm_ref import RNNParams, rnn_forward as reference_rnn_forward, rnn_step as reference_rnn_step
from lstm_ref.feedback import CheckFailed, run_hidden
from lstm_ref.feedback.recurrence import (
    check_rnn_forward,
    check_rnn_forward_hidden,
    check_rnn_step,
    check_rnn_step_hidden,
)
from tests.wrong_answers import load_wrong_answers

REPO = Path(__file__).resolve().parents[2]
UNIT = "02_recurrence"
CHECKS = {
    "rnn_step": (check_rnn_step, check_rnn_step_hidden),
    "rnn_forward": (check_rnn_forward, check_rnn_forward_hidden),
}


def solution_source(unit, grade_id):
    """The source of the solution cell ``grade_id`` in solutions/<unit>/<unit>.ipynb."""
    notebook = json.loads((REPO / "solutions" / unit / f"{unit}.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"])
    raise LookupError(f"no cell with grade_id {grade_id!r} in {unit}")


def define(source, name):
    """Execute a cell's source like the notebook would (numpy already imported as np) and return ``name``."""
    namespace = {"np": np}
    exec(compile(source, f"<cell {name}>", "exec"), namespace)
    return namespace[name]


WRONG = load_wrong_answers(UNIT)


def test_every_exercise_has_at_least_three_wrong_answers():
    assert set(WRONG) == set(CHECKS)
    for grade_id, answers in WRONG.items():
        assert len(answers) >= 3, grade_id


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_pass_on_the_solution_cell(grade_id, capsys):
    learner = define(solution_source(UNIT, grade_id), grade_id)
    for check in CHECKS[grade_id]:
        check(learner)
    assert capsys.readouterr().out.count("all checks passed") == 2


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_hidden_checks_pass_on_the_solution_through_run_hidden(grade_id):
    # As the notebook's hidden test cell runs it (in a fresh process): the solution cell's own function.
    run_hidden(CHECKS[grade_id][1], define(solution_source(UNIT, grade_id), grade_id))


# lstm_ref's implementation and other correct ways of writing the exercises: none may be rejected for its style.
def lstm_ref_rnn_step(x_t, h_prev, W, b):
    return reference_rnn_step(x_t, h_prev, RNNParams(W, b))[0]


def rnn_step_split_weights(x_t, h_prev, W, b):
    D = x_t.shape[1]
    return np.tanh(x_t @ W[:, :D].T + h_prev @ W[:, D:].T + b)


def lstm_ref_rnn_forward(x, h0, W, b):
    return reference_rnn_forward(x, RNNParams(W, b), h0)[0]


def rnn_forward_with_a_list(x, h0, W, b):
    states, h = [], h0
    for x_t in np.moveaxis(x, 1, 0):  # iterate over time: x_t has shape (B, D)
        h = rnn_step_split_weights(x_t, h, W, b)
        states.append(h)
    return np.stack(states, axis=1)


@pytest.mark.parametrize("grade_id, implementation", [
    ("rnn_step", lstm_ref_rnn_step), ("rnn_step", rnn_step_split_weights),
    ("rnn_forward", lstm_ref_rnn_forward), ("rnn_forward", rnn_forward_with_a_list),
])
def test_checks_pass_on_other_correct_answers(grade_id, implementation):
    for check in CHECKS[grade_id]:
        check(implementation)


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_reject_the_stub_in_plain_words(grade_id):
    def stub(*args):
        raise NotImplementedError()

    stub.__name__ = grade_id
    for check in CHECKS[grade_id]:
        with pytest.raises(CheckFailed, match="not implemented yet"):
            check(stub)


@pytest.mark.parametrize("grade_id, mistake", [(g, m) for g in sorted(WRONG) for m in sorted(WRONG[g])])
def test_checks_reject_every_wrong_answer(grade_id, mistake):
    learner = define(WRONG[grade_id][mistake], grade_id)
    for check in CHECKS[grade_id]:
        with pytest.raises(CheckFailed):
            check(learner)


# The hint each of these mistakes must receive from the public check (a fragment of the message).
HINTS = {
    ("rnn_step", "sigmoid instead of tanh"): "sigmoid used instead of tanh",
    ("rnn_step", "missing bias"): "the bias b left out",
    ("rnn_step", "[h, x] order"): "[h_prev, x_t] concatenated instead of [x_t, h_prev]",
    ("rnn_step", "transposed W"): "the product is z @ W.T",
    ("rnn_step", "no activation"): "tanh left out",
    ("rnn_step", "previous state ignored"): "h_prev left out",
    ("rnn_step", "updates h_prev in place"): "changed its argument `h_prev` in place",
    ("rnn_forward", "state not carried"): "the state is not carried",
    ("rnn_forward", "stores h_{t-1} instead of h_t"): "holds the state BEFORE step t",
    ("rnn_forward", "first step dropped"): "the first time step was skipped",
    ("rnn_forward", "last step dropped"): "the last time step was skipped",
    ("rnn_forward", "h0 ignored"): "h0 was ignored",
    ("rnn_forward", "returns only the last state"): "expected (B, T, H) = (2, 5, 4), got (2, 4)",
    ("rnn_forward", "time axis taken as batch axis"): "the input at step t is x[:, t]",
}


@pytest.mark.parametrize("grade_id, mistake", sorted(HINTS))
def test_public_check_names_the_mistake(grade_id, mistake):
    learner = define(WRONG[grade_id][mistake], grade_id)
    with pytest.raises(CheckFailed) as failure:
        CHECKS[grade_id][0](learner)
    assert HINTS[grade_id, mistake] in str(failure.value)


def test_failure_message_says_which_case_and_where():
    """A failure names the isolating case, counts the wrong entries and shows expected against received."""
    learner = define(WRONG["rnn_step"]["missing bias"], "rnn_step")
    with pytest.raises(CheckFailed) as failure:
        check_rnn_step(learner)
    message = str(failure.value)
    assert message.startswith("rnn_step (W = 0: only the bias acts): wrong values.")
    assert "entries differ" in message and "expected" in message and "got 0" in message


def test_hidden_check_catches_a_float32_only_bug():
    """An answer right in float64 but computing garbage for float32 input passes the public check only."""
    def rnn_step(x_t, h_prev, W, b):
        h = np.tanh(np.concatenate([x_t, h_prev], axis=1) @ W.T + b)
        return h if h.dtype == np.float64 else np.zeros_like(h)

    check_rnn_step(rnn_step)
    with pytest.raises(CheckFailed, match="float32"):
        check_rnn_step_hidden(rnn_step)


def test_hidden_check_catches_an_overflowing_tanh():
    """tanh written with exp overflows to NaN for huge pre-activations; only the hidden check tries those."""
    def rnn_step(x_t, h_prev, W, b):
        a = np.concatenate([x_t, h_prev], axis=1) @ W.T + b
        with np.errstate(over="ignore", invalid="ignore"):
            return (np.exp(2 * a) - 1) / (np.exp(2 * a) + 1)

    check_rnn_step(rnn_step)
    with pytest.raises(CheckFailed, match="NaN or infinity"):
        check_rnn_step_hidden(rnn_step)
