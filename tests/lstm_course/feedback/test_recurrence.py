"""The unit 2 checks (lstm_course.feedback.recurrence) accept right answers and reject wrong ones, with hints.

``TestRecurrenceChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py): the
checks pass on the solution notebook's code and on lstm_ref's implementation, say "not implemented yet" on the
stub, and fail on every plausible wrong answer in tests/wrong_answers/02_recurrence.py, naming the mistake
where the check knows it. The tests after the class are this unit's own: what only the hidden check catches.
"""

import numpy as np
import pytest

import lstm_course.feedback.recurrence
from lstm_ref import RNNParams, rnn_forward as reference_rnn_forward, rnn_step as reference_rnn_step
from lstm_course.feedback import CheckFailed
from lstm_course.feedback.recurrence import check_rnn_step, check_rnn_step_hidden
from tests.lstm_course.feedback.unit_contract import UnitChecksContract, message_of


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


class TestRecurrenceChecks(UnitChecksContract):
    UNIT = "02_recurrence"
    FEEDBACK = lstm_course.feedback.recurrence
    CORRECT = {
        "rnn_step": [lstm_ref_rnn_step, rnn_step_split_weights],
        "rnn_forward": [lstm_ref_rnn_forward, rnn_forward_with_a_list],
    }
    HINTS = {
        "rnn_step": {
            "sigmoid instead of tanh": "sigmoid used instead of tanh",
            "missing bias": "the bias b left out",
            "[h, x] order": "[h_prev, x_t] concatenated instead of [x_t, h_prev]",
            "transposed W": "the product is z @ W.T",
            "no activation": "tanh left out",
            "previous state ignored": "h_prev left out",
            "updates h_prev in place": "changed its argument `h_prev` in place",
        },
        "rnn_forward": {
            "state not carried": "the state is not carried",
            "stores h_{t-1} instead of h_t": "holds the state BEFORE step t",
            "first step dropped": "the first time step was skipped",
            "last step dropped": "the last time step was skipped",
            "h0 ignored": "h0 was ignored",
            "returns only the last state": "expected (B, T, H) = (2, 5, 4), got (2, 4)",
            "time axis taken as batch axis": "the input at step t is x[:, t]",
        },
    }


def test_failure_message_says_which_case_and_where():
    """A failure names the isolating case, counts the wrong entries and shows expected against received."""
    learner = TestRecurrenceChecks.define(TestRecurrenceChecks.WRONG["rnn_step"]["missing bias"], "rnn_step")
    message = message_of(check_rnn_step, learner)
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
