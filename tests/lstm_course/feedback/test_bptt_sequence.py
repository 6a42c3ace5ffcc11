"""Unit 6's loop through time (lstm_course.feedback.bptt_sequence): right answers, mistakes, hints.

The exercise ``lstm_backward`` belongs to unit 6, so the shared contract runs it from ``TestBpttChecks``
(tests/lstm_course/feedback/test_bptt.py), which takes ``SEQUENCE_CORRECT`` and ``SEQUENCE_HINTS`` from here. The
tests below check the module's own machinery: that the mistake variants are what they say (the correct one equals
lstm_ref, each mistaken one differs), that a mistake is named by its stable id, and that the checks pass the
learner lstm_ref's step.
"""

import numpy as np
import pytest

import lstm_ref
from lstm_course.feedback import CheckFailed
from lstm_course.feedback.bptt_sequence import MISTAKES, _bptt_variant, _case, check_lstm_backward, step_cache


# Other correct ways to write the loop: the checks must not reject a right answer for its style.
def lstm_backward_from_reference(dhs, cache, step_backward, dh_T=None, dc_T=None):
    # lstm_ref's whole pass: right, though it does not use the step it is given.
    return lstm_ref.lstm_backward(dhs, cache, dh_T, dc_T)


def lstm_backward_with_params_accumulator(dhs, cache, step_backward, dh_T=None, dc_T=None):
    # The final gradient folded into dhs first, a Params accumulator, an index that counts down by hand.
    T = cache.seq_len
    dhs = dhs.copy()
    if dh_T is not None:
        dhs[:, -1] += dh_T
    dh = np.zeros_like(dhs[:, 0])
    dc = np.zeros_like(dh) if dc_T is None else dc_T
    total = cache.params.zeros_like()
    dxs = []
    t = T - 1
    while t >= 0:
        dx_t, dh, dc, g = step_backward(dhs[:, t] + dh, dc, step_cache(cache, t))
        total = lstm_ref.LSTMParams(total.W + g.W, total.b + g.b)
        dxs.append(dx_t)
        t -= 1
    return np.stack(dxs[::-1], axis=1), dh, dc, total


SEQUENCE_CORRECT = [lstm_backward_from_reference, lstm_backward_with_params_accumulator]
SEQUENCE_HINTS = {
    "loop runs forward in time": "running forward in time",
    "output gradient added only at the last step": "used only at the last step",
    "cell-state gradient not carried (zeros at every step)": "not carried from step to step",
    "dW and db overwritten instead of summed": "dW += grads.W",
    "first step skipped (range(T - 1, 0, -1))": "stops before t = 0",
    "c_prev read one step late (cells[t + 1])": "started from cells[t]",
    "final-state gradients dh_T, dc_T ignored": "dh_T and dc_T ignored",
}


def test_the_exact_variant_equals_lstm_ref_and_every_mistake_differs():
    dhs, cache, dh_T, dc_T = _case(1, B=2, T=4, D=3, H=3, final=True)
    expected = lstm_ref.lstm_backward(dhs, cache, dh_T, dc_T)
    exact = _bptt_variant(dhs, cache, dh_T, dc_T)
    for got, want in zip((*exact[:3], exact[3].W, exact[3].b), (*expected[:3], expected[3].W, expected[3].b)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    for mistake, switches in MISTAKES.items():
        wrong = _bptt_variant(dhs, cache, dh_T, dc_T, **switches)
        assert not all(np.allclose(a, b) for a, b in zip((*wrong[:3], wrong[3].W), (*exact[:3], exact[3].W))), mistake


def test_mistakes_have_stable_ids_of_this_exercise():
    ids = [mistake.id for mistake in MISTAKES]
    assert len(set(ids)) == len(ids) == 16
    assert all(i.startswith("lstm_backward/") for i in ids)
    assert {"lstm_backward/forward_in_time", "lstm_backward/output_gradient_not_added",
            "lstm_backward/cell_carry_dropped", "lstm_backward/gradients_overwritten",
            "lstm_backward/first_step_skipped"} <= set(ids)


@pytest.mark.parametrize("mistake", list(MISTAKES), ids=[m.id for m in MISTAKES])
def test_each_variant_is_reported_with_its_id(mistake):
    def learner(dhs, cache, step_backward, dh_T=None, dc_T=None):
        return _bptt_variant(dhs, cache, dh_T, dc_T, **MISTAKES[mistake])

    with pytest.raises(CheckFailed) as failure:
        check_lstm_backward(learner)
    assert failure.value.mistake == mistake.id
    assert str(mistake) in str(failure.value)


def test_the_learner_is_handed_lstm_refs_step():
    seen = []

    def learner(dhs, cache, step_backward, dh_T=None, dc_T=None):
        seen.append(step_backward)
        return lstm_ref.lstm_backward(dhs, cache, dh_T, dc_T)

    check_lstm_backward(learner)
    assert seen and all(step is lstm_ref.lstm_step_backward for step in seen)


def test_changing_dhs_in_place_is_named():
    def learner(dhs, cache, step_backward, dh_T=None, dc_T=None):
        result = lstm_ref.lstm_backward(dhs, cache, dh_T, dc_T)
        dhs[:, 0] += 1.0
        return result

    with pytest.raises(CheckFailed, match="changed `dhs` in place"):
        check_lstm_backward(learner)


def test_a_wrong_result_in_a_simple_relation_to_the_right_one_is_named_with_the_outputs_hint():
    # No mistake of the loop's own catalogue gives dc0 * 1.1, but a constant factor is a thing the learner can
    # look for: the check names the relation (lstm_backward/constant_factor), with the factor, and still says
    # which step produces the output that is wrong.
    def learner(dhs, cache, step_backward, dh_T=None, dc_T=None):
        dx, dh0, dc0, grads = lstm_ref.lstm_backward(dhs, cache, dh_T, dc_T)
        return dx, dh0, dc0 * 1.1, grads

    with pytest.raises(CheckFailed) as failure:
        check_lstm_backward(learner)
    message = str(failure.value)
    assert message.startswith("lstm_backward (B=2, T=4, D=3, H=3), dc0: wrong values.")
    assert "is 1.1 times the right result everywhere" in message
    assert "dc0 is the dc_prev that step 0 hands back" in message
    assert failure.value.mistake == "lstm_backward/constant_factor"


def test_a_wrong_result_of_no_known_kind_gets_the_general_hint():
    # dc0 off by noise: no mistake of the catalogue and no simple relation: the output's own hint, no mistake id.
    def learner(dhs, cache, step_backward, dh_T=None, dc_T=None):
        dx, dh0, dc0, grads = lstm_ref.lstm_backward(dhs, cache, dh_T, dc_T)
        return dx, dh0, dc0 + np.random.default_rng(0).normal(scale=0.1, size=dc0.shape), grads

    with pytest.raises(CheckFailed, match="dc0 is the dc_prev that step 0 hands back") as failure:
        check_lstm_backward(learner)
    assert str(failure.value).startswith("lstm_backward (B=2, T=4, D=3, H=3), dc0: wrong values.")
    assert "Your result" not in str(failure.value)
    assert failure.value.mistake is None


def test_lstm_params_given_db_first_is_named():
    def learner(dhs, cache, step_backward, dh_T=None, dc_T=None):
        dx, dh0, dc0, grads = lstm_ref.lstm_backward(dhs, cache, dh_T, dc_T)
        return dx, dh0, dc0, lstm_ref.LSTMParams(grads.b, grads.W)

    with pytest.raises(CheckFailed) as failure:
        check_lstm_backward(learner)
    assert failure.value.mistake == "lstm_backward/params_swapped"
    assert "dW (4H, D + H) first" in str(failure.value)
