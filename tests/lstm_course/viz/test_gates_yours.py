"""The unit 4 gate explorers with the learner's own function: theirs beside lstm_ref's, differences marked.

A correct function draws the same values with nothing marked; a wrong one is drawn as it is, its differing
entries marked and counted; an unfinished one (raise NotImplementedError) or a failing one leaves the reference
alone, with a line saying so. Moving a slider redraws theirs too.
"""

import numpy as np
import pytest

from lstm_ref.activations import sigmoid
from lstm_course.viz.gates import gate_explorer, run_lstm, sample_params, sample_sequence


def forget_gate(x, h_prev, W_f, b_f):
    return sigmoid(np.concatenate([x, h_prev], axis=1) @ W_f.T + b_f)


def forget_gate_with_tanh(x, h_prev, W_f, b_f):  # a classic mistake: the wrong activation
    return np.tanh(np.concatenate([x, h_prev], axis=1) @ W_f.T + b_f)


def forget_gate_stub(x, h_prev, W_f, b_f):
    raise NotImplementedError()


def cell_update(c_prev, f, i, g):
    return f * c_prev + i * g


def hidden_state_without_tanh(c, o):
    return o * c


def test_a_correct_function_matches_everywhere_and_nothing_is_marked():
    widget = gate_explorer("forget", yours=forget_gate)
    drawn = widget.last_drawn
    np.testing.assert_allclose(drawn["yours"], drawn["activations"], atol=1e-12)
    assert not drawn["differences"].any()
    assert "matches lstm_ref" in drawn["status"]
    assert len(widget.figure.axes) == 4  # input, reference, yours, colour bar


def test_a_wrong_gate_is_drawn_as_it_is_with_its_differences_marked_and_counted():
    widget = gate_explorer("forget", yours=forget_gate_with_tanh)
    drawn = widget.last_drawn
    expected = run_lstm(sample_sequence(), sample_params(), replace={"forget": forget_gate_with_tanh})["forget"]
    np.testing.assert_allclose(drawn["yours"], expected)
    assert drawn["differences"].sum() > 0
    assert f"differs at {int(drawn['differences'].sum())} of" in drawn["status"]
    marked = widget.figure.axes[2].collections[0].get_offsets()
    assert len(marked) == int(drawn["differences"].sum())


def test_the_learners_value_feeds_the_later_steps():
    # A wrong hidden state changes every later gate: the learner sees their own LSTM, not one patched quantity.
    mine = run_lstm(sample_sequence(), sample_params(), replace={"hidden": hidden_state_without_tanh})
    reference = run_lstm(sample_sequence(), sample_params())
    assert not np.allclose(mine["forget"][1:], reference["forget"][1:])
    np.testing.assert_allclose(mine["forget"][0], reference["forget"][0])


def test_the_cell_update_takes_the_learners_signature():
    widget = gate_explorer("cell", yours=cell_update)
    assert not widget.last_drawn["differences"].any()


@pytest.mark.parametrize("function, words", [
    (forget_gate_stub, "not finished yet"),
    (lambda x, h_prev, W_f, b_f: (x @ W_f.T), "failed (ValueError"),
    (lambda x, h_prev, W_f, b_f: np.full((1, 6), np.nan), "NaN or infinity"),
    (lambda x, h_prev, W_f, b_f: None, "failed (ValueError: it returned None"),
])
def test_an_unfinished_or_failing_function_leaves_the_reference_alone_and_says_why(function, words):
    widget = gate_explorer("forget", yours=function)
    drawn = widget.last_drawn
    assert drawn["yours"] is None and drawn["differences"] is None
    assert words in drawn["status"], drawn["status"]
    assert "showing lstm_ref's alone" in drawn["status"]
    assert widget.figure._suptitle.get_text() == drawn["status"]
    assert len(widget.figure.axes) == 3  # input, reference, colour bar: no empty panel for theirs


def test_moving_a_slider_redraws_the_learners_panel():
    widget = gate_explorer("forget", yours=forget_gate_with_tanh)
    before = widget.last_drawn["yours"].copy()
    widget.controls["bias"].value = 3.0
    assert widget.last_drawn["bias"] == 3.0
    assert not np.allclose(widget.last_drawn["yours"], before)


def test_without_the_learners_function_the_widget_is_unchanged():
    drawn = gate_explorer("forget").last_drawn
    assert "yours" not in drawn and drawn["title"].startswith("Forget gate f_t over time")


def test_something_not_callable_is_refused_clearly():
    with pytest.raises(TypeError, match="yours must be your function"):
        gate_explorer("forget", yours=np.zeros(3))
