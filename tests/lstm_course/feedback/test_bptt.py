"""The unit 6 checks (lstm_course.feedback.bptt) accept right answers and reject wrong ones, with hints.

``TestBpttChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py): every check
passes on lstm_ref's own functions, on the solution notebook's code and on other correct ways of writing the
exercises; says "not implemented yet" on the stub; and fails on every wrong answer in
tests/wrong_answers/06_bptt.py (the hidden check on all of them, the public check on all but the ones only a
hidden case can expose), naming the mistake where it can. This unit's own tests follow the class; they also
check the demonstration helper lstm_backward_with_mistake against lstm_ref and against finite differences.
"""

import types

import numpy as np
import pytest

import lstm_ref
import lstm_course.feedback.bptt
import lstm_course.feedback.bptt_sequence
from lstm_course.feedback import CheckFailed
from lstm_course.feedback.bptt import (
    MISTAKES,
    _check_difference_case,
    check_step_backward_gates,
    check_step_backward_weights_hidden,
    lstm_backward_with_mistake,
    step_backward_with_mistake,
)
from tests.lstm_course.feedback.test_bptt_sequence import SEQUENCE_CORRECT, SEQUENCE_HINTS
from tests.lstm_course.feedback.unit_contract import UnitChecksContract, message_of


# Other correct ways to write the exercises: the checks must not reject a right answer for its style.
def reference_gates(dh, dc, cache):
    # lstm_ref's own answer, read back from its backward step: for one sample, db is that sample's da.
    rows, dc_prev = [], lstm_ref.lstm_step_backward(dh, dc, cache)[2]
    for b in range(dh.shape[0]):
        single = lstm_ref.LSTMStepCache(params=cache.params, z=cache.z[b:b + 1], gates=cache.gates[b:b + 1],
                                        c_prev=cache.c_prev[b:b + 1], tanh_c=cache.tanh_c[b:b + 1])
        rows.append(lstm_ref.lstm_step_backward(dh[b:b + 1], dc[b:b + 1], single)[3].b)
    return np.stack(rows), dc_prev


def gates_from_pre_activations(dh, dc, cache):
    # Recompute the pre-activations' slopes with lstm_ref's derivative functions instead of the cached values.
    H = cache.params.hidden_size
    a = cache.z @ cache.params.W.T + cache.params.b
    slopes = np.concatenate([lstm_ref.sigmoid_derivative(a[:, :2 * H]), lstm_ref.tanh_derivative(a[:, 2 * H:3 * H]),
                             lstm_ref.sigmoid_derivative(a[:, 3 * H:])], axis=1)
    dc_total = dc + dh * cache.o * lstm_ref.tanh_derivative_from_output(cache.tanh_c)
    upstream = np.concatenate([dc_total * cache.g, dc_total * cache.c_prev, dc_total * cache.i, dh * cache.tanh_c], 1)
    return upstream * slopes, dc_total * cache.f


def reference_weights(da, cache):
    W, z, D = cache.params.W, cache.z, cache.params.input_size
    return da @ W[:, :D], da @ W[:, D:], np.einsum("bk,bj->kj", da, z), np.einsum("bk->k", da)


def numerical_gradient_with_nditer(f, array, eps=1e-6):
    grad = np.empty_like(array)
    with np.nditer(array, flags=["multi_index"], op_flags=["readwrite"]) as entries:
        for entry in entries:
            old = float(entry)
            entry[...] = old + eps
            above = f()
            entry[...] = old - eps
            below = f()
            entry[...] = old
            grad[entries.multi_index] = (above - below) / (2.0 * eps)
    return grad


class TestBpttChecks(UnitChecksContract):
    UNIT = "06_bptt"
    # The loop through time (lstm_backward) has its checks in a module of its own.
    FEEDBACK = types.SimpleNamespace(**{**vars(lstm_course.feedback.bptt), **vars(lstm_course.feedback.bptt_sequence)})
    CORRECT = {
        "step_backward_gates": [reference_gates, gates_from_pre_activations],
        "step_backward_weights": [reference_weights],
        "numerical_gradient": [lstm_ref.numerical_gradient, numerical_gradient_with_nditer],
        "lstm_backward": SEQUENCE_CORRECT,
    }
    # The phrase each of these mistakes must produce in the public check's message.
    HINTS = {
        "step_backward_gates": {
            "sigmoid slope s instead of s * (1 - s)": "s instead of s * (1 - s)",
            "tanh slope missing on the cell path (dc_total = dc + dh * o)": "tanh's slope missing",
            "dc_prev = dc_total, without the forget gate's factor": "dc_prev = dc_total * f",
            "dh's path into the cell state left out": "dh's path into the cell state left out",
            "blocks of da in the order f, i, g, o": "the order f, i, g, o",
            "candidate slope 1 - g instead of 1 - g**2": "slope written as 1 - g",
            "dc updated in place (dc += ...)": "changed `dc` in place",
        },
        "step_backward_weights": {
            "dW transposed (z.T @ da)": "not z.T @ da",
            "dz not split: dx and dh_prev both the whole dz": "dx = dz[:, :D]",
            "dz split at H instead of D": "dx = dz[:, :D]",
            "dx and dh_prev swapped": "dx = dz[:, :D]",
            "db averaged over the batch": "db averaged over the batch",
        },
        "numerical_gradient": {
            "forward difference": "forward difference",
            "array not restored after each entry": "entries of `array` had changed",
            "divided by eps instead of 2 * eps": "divided by eps instead of 2 * eps",
            "a copy perturbed (f never sees the change)": "f did not see your changes",
        },
        "lstm_backward": SEQUENCE_HINTS,
    }
    # Right on every public case; only a hidden case (a non-contiguous view) exposes them.
    PUBLIC_SKIPS = {
        "numerical_gradient": {
            "a flattened reshape perturbed (a copy for non-contiguous views)": "column view",
        },
    }


# =================================================================================== this unit's own tests
def test_a_failing_gate_block_is_named_when_the_mistake_is_unknown():
    def only_the_output_block_wrong(dh, dc, cache):
        da, dc_prev = reference_gates(dh, dc, cache)
        H = cache.params.hidden_size
        da[:, 3 * H:] *= 1.5
        return da, dc_prev

    message = message_of(check_step_backward_gates, only_the_output_block_wrong)
    assert "output gate o (da[:, 3H:])" in message
    assert "forget gate" not in message


def test_the_hidden_check_names_a_swapped_split_when_D_equals_H():
    # With D = H the swapped halves have the right shapes; only their values can tell.
    wrong = TestBpttChecks.define(TestBpttChecks.WRONG["step_backward_weights"]["dx and dh_prev swapped"],
                                  "step_backward_weights")
    assert "dx and dh_prev swapped" in message_of(check_step_backward_weights_hidden, wrong)


def test_the_checks_leave_the_callers_array_intact_after_a_non_restoring_answer():
    # The check restores the array itself after detecting the damage, so one failure cannot spread.
    wrong = TestBpttChecks.define(TestBpttChecks.WRONG["numerical_gradient"]["array not restored after each entry"],
                                  "numerical_gradient")
    array = np.array([[0.5, -1.0], [2.0, 0.25]])
    original = array.copy()
    with pytest.raises(CheckFailed):
        _check_difference_case(wrong, "probe", lambda: float(np.sum(array ** 3)), array, 3 * original ** 2)
    assert np.array_equal(array, original)


# ------------------------------------------------------------------------ the demonstration's wrong gradients
def small_sequence(seed=0, B=2, T=4, D=3, H=3):
    """A small LSTM, its input and a loss L = sum(R * hs), so dL/dhs = R."""
    rng = np.random.default_rng(seed)
    params = lstm_ref.LSTMParams.init(D, H, rng=rng, forget_bias=None)
    x = rng.normal(size=(B, T, D))
    R = rng.normal(size=(B, T, H))
    return params, x, R


def test_backward_without_mistake_equals_lstm_ref():
    params, x, R = small_sequence()
    cache = lstm_ref.lstm_forward(x, params)[2]
    expected = lstm_ref.lstm_backward(R, cache)
    got = lstm_backward_with_mistake(R, cache, None)
    for a, b in zip((*got[:3], got[3].W, got[3].b), (*expected[:3], expected[3].W, expected[3].b)):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_every_demonstrated_mistake_fails_a_gradient_check(mistake):
    params, x, R = small_sequence(1)
    cache = lstm_ref.lstm_forward(x, params)[2]
    analytic = lstm_backward_with_mistake(R, cache, mistake)[3].W
    numeric = lstm_ref.numerical_gradient(lambda: float(np.sum(R * lstm_ref.lstm_forward(x, params)[0])), params.W)
    assert lstm_ref.relative_error(analytic, numeric) > 1e-3
    correct = lstm_backward_with_mistake(R, cache, None)[3].W
    assert lstm_ref.relative_error(correct, numeric) < 1e-7


def test_step_backward_with_an_unknown_mistake_is_refused():
    params, x, R = small_sequence()
    _, _, cache = lstm_ref.lstm_step(x[:, 0], np.zeros((2, 3)), np.zeros((2, 3)), params)
    with pytest.raises(ValueError, match="mistake must be None or one of"):
        step_backward_with_mistake(R[:, 0], R[:, 1], cache, "a typo")


def test_the_proposed_fix_lowers_the_toy_loss_but_the_correct_gradient_with_a_larger_step_does_better():
    # The notebook's history lesson, on its own setting: if this stops holding, the notebook's text is wrong.
    from lstm_ref.optim import SGD
    from lstm_ref.tasks import toy_regression
    from lstm_ref.training import SequenceModel, train

    class WithBackward(SequenceModel):
        mistake = None

        def backward(self, dy, cache):
            hs, cell_cache = cache
            dhs, readout_grads = self.readout.backward(dy, hs)
            grads = {f"cell.{k}": v for k, v in lstm_backward_with_mistake(dhs, cell_cache, self.mistake)[3]
                     .arrays().items()}
            grads.update({f"readout.{k}": v for k, v in readout_grads.items()})
            return grads

    batch = toy_regression(input_size=50, rng=1)

    def final_loss(mistake, lr):
        start = SequenceModel.for_task("lstm", batch, hidden_size=16, rng=1)
        model = WithBackward(start.kind, start.cell, start.readout)
        model.mistake = mistake
        return train(model, batch, steps=100, optimiser=SGD(lr=lr)).loss[-1]

    correct, proposal, larger_step = final_loss(None, 0.1), final_loss("sigmoid slope s", 0.1), final_loss(None, 0.2)
    assert proposal < correct / 10
    assert larger_step < proposal / 10
