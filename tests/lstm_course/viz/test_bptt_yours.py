"""The unit 6 gradient-flow widget with the learner's own step backward drawn over lstm_ref's.

A correct step gives the reference's curves with nothing marked; a wrong one (the classic missing forget
factor) draws its own curves with the steps that differ marked; an unfinished or failing one leaves the
reference alone with a line saying why. The learner's step really is the one used, step after step.
"""

import numpy as np
import pytest

import lstm_ref
from lstm_course.feedback.bptt import step_backward_with_mistake
from lstm_course.viz.bptt import gradient_flow_explorer, lstm_gradient_norms


def my_step_backward(dh, dc, cache):
    return lstm_ref.lstm_step_backward(dh, dc, cache)


def step_without_forget_factor(dh, dc, cache):
    return step_backward_with_mistake(dh, dc, cache, "no forget factor")


def unfinished_step(dh, dc, cache):
    raise NotImplementedError()


def test_a_correct_step_gives_the_reference_curves_and_nothing_is_marked():
    drawn = gradient_flow_explorer(length=30, yours=my_step_backward).last_drawn
    np.testing.assert_allclose(drawn["yours_dc"], drawn["lstm_dc"], rtol=1e-10)
    np.testing.assert_allclose(drawn["yours_dh"], drawn["lstm_dh"], rtol=1e-10)
    assert not drawn["differs"].any()
    assert "gives lstm_ref's curves at every step" in drawn["title"]


def test_a_wrong_step_is_drawn_as_it_is_with_the_differing_steps_marked():
    drawn = gradient_flow_explorer(length=30, yours=step_without_forget_factor).last_drawn
    assert drawn["differs"].sum() > 0 and not drawn["differs"][-1]  # the last step starts from the same dh_T
    assert f"differs from lstm_ref at {int(drawn['differs'].sum())} of 31 steps" in drawn["status"]
    # Without the forget factor nothing shrinks the cell state's gradient: theirs stays above the reference.
    assert drawn["yours_dc"][0] > drawn["lstm_dc"][0]


def test_the_learners_step_is_called_for_every_step():
    calls = []

    def counting_step(dh, dc, cache):
        calls.append(1)
        return lstm_ref.lstm_step_backward(dh, dc, cache)

    x = np.random.default_rng(1).normal(size=(1, 7, 2))
    params = lstm_ref.LSTMParams.init(2, 3, rng=0)
    lstm_gradient_norms(x, params, np.ones((1, 3)), step_backward=counting_step)
    assert len(calls) == 7


@pytest.mark.parametrize("step, words", [
    (unfinished_step, "not finished yet"),
    (lambda dh, dc, cache: (None, dh[:, :1], dc, None), "failed (ValueError: the step returned dh_prev (1, 1)"),
])
def test_an_unfinished_step_leaves_the_reference_alone_and_says_so(step, words):
    widget = gradient_flow_explorer(length=20, yours=step)
    drawn = widget.last_drawn
    assert drawn["yours_dc"] is None and drawn["differs"] is None
    assert words in drawn["status"] and "showing lstm_ref's alone" in drawn["status"]
    assert drawn["status"] in drawn["title"]
    assert drawn["lstm_dc"].shape == (21,)


def test_moving_a_slider_redraws_the_learners_curves():
    widget = gradient_flow_explorer(length=20, yours=step_without_forget_factor)
    widget.controls["length"].value = 40
    assert widget.last_drawn["yours_dc"].shape == (41,)
