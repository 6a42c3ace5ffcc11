"""Unit 6's gradient-flow computation and widget (lstm_course.viz.bptt), driven headlessly.

The per-step gradient norms are checked against lstm_ref's whole-sequence backward passes: at t = 0 they are
the gradients of the initial states, and at any t they are the initial-state gradients of the same network
restarted at step t from (h_t, c_t). The widget is checked by moving its controls and reading what it drew.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lstm_ref  # noqa: E402
from lstm_course.viz.bptt import gradient_flow_explorer, lstm_gradient_norms, rnn_gradient_norms  # noqa: E402


def sequence(seed=0, B=2, T=6, D=3, H=4, forget_bias=1.0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, T, D))
    dh_T = rng.normal(size=(B, H))
    lstm = lstm_ref.LSTMParams.init(D, H, rng=rng, forget_bias=forget_bias)
    return x, dh_T, lstm, lstm_ref.RNNParams.init(D, H, rng=rng)


def last_step_only(dh_T, T):
    dhs = np.zeros(dh_T.shape[:1] + (T,) + dh_T.shape[1:])
    dhs[:, -1] = dh_T
    return dhs


# ----------------------------------------------------------------------------------------- computation
def test_lstm_norms_at_every_step_match_restarted_whole_sequence_backward_passes():
    x, dh_T, lstm, _ = sequence()
    B, T, _ = x.shape
    dh_norms, dc_norms = lstm_gradient_norms(x, lstm, dh_T)
    assert dh_norms.shape == dc_norms.shape == (B, T + 1)
    hs, _, cache = lstm_ref.lstm_forward(x, lstm)
    for t in range(T):
        # Restart at step t from (h_t, c_t): lstm_backward's dh0 is dL/dh_t, its dc0 the gradient reaching c_t
        # from the later steps; c_t also reaches L through h_t = o_t * tanh(c_t) (t >= 1).
        h_t = np.zeros_like(dh_T) if t == 0 else hs[:, t - 1]
        c_t = cache.cells[t]
        rest = lstm_ref.lstm_forward(x[:, t:], lstm, h_t, c_t)[2]
        _, dh0, dc0, _ = lstm_ref.lstm_backward(last_step_only(dh_T, T - t), rest)
        if t > 0:
            o_t = cache.gates[t - 1][:, 3 * lstm.hidden_size:]
            dc0 = dc0 + dh0 * o_t * (1.0 - cache.tanh_c[t - 1] ** 2)
        assert np.allclose(dh_norms[:, t], np.linalg.norm(dh0, axis=1), rtol=1e-10)
        assert np.allclose(dc_norms[:, t], np.linalg.norm(dc0, axis=1), rtol=1e-10)
    # The last state: dL/dh_T is given, and c_T reaches L only through h_T.
    o_T = cache.gates[-1][:, 3 * lstm.hidden_size:]
    assert np.allclose(dh_norms[:, T], np.linalg.norm(dh_T, axis=1))
    assert np.allclose(dc_norms[:, T], np.linalg.norm(dh_T * o_T * (1.0 - cache.tanh_c[-1] ** 2), axis=1))


def test_rnn_norms_match_restarted_whole_sequence_backward_passes():
    x, dh_T, _, rnn = sequence(1)
    B, T, _ = x.shape
    norms = rnn_gradient_norms(x, rnn, dh_T)
    hs = lstm_ref.rnn_forward(x, rnn)[0]
    for t in range(T):
        h_t = np.zeros_like(dh_T) if t == 0 else hs[:, t - 1]
        _, dh0, _ = lstm_ref.rnn_backward(last_step_only(dh_T, T - t), lstm_ref.rnn_forward(x[:, t:], rnn, h_t)[2])
        assert np.allclose(norms[:, t], np.linalg.norm(dh0, axis=1), rtol=1e-10)
    assert np.allclose(norms[:, T], np.linalg.norm(dh_T, axis=1))


def test_a_forget_gate_near_one_keeps_the_cell_gradient_alive_and_the_rnn_loses_it():
    # The claim the notebook's figure makes, on its own kind of setting (T = 100, H = 32, PyTorch init).
    x, dh_T, _, rnn = sequence(2, B=1, T=100, D=4, H=32)
    open_gate = lstm_ref.LSTMParams.init(4, 32, rng=5, forget_bias=3.0)
    usual_gate = lstm_ref.LSTMParams.init(4, 32, rng=5, forget_bias=1.0)
    assert lstm_gradient_norms(x, open_gate, dh_T)[1][0, 0] > 1e-2 * np.linalg.norm(dh_T)
    assert lstm_gradient_norms(x, usual_gate, dh_T)[1][0, 0] > 1e6 * rnn_gradient_norms(x, rnn, dh_T)[0, 0]
    assert rnn_gradient_norms(x, rnn, dh_T)[0, 0] < 1e-10 * np.linalg.norm(dh_T)


def test_bad_inputs_are_refused_with_the_expected_shape():
    x, dh_T, lstm, rnn = sequence()
    with pytest.raises(ValueError, match=r"dh_T must have shape \(B, H\) = \(2, 4\)"):
        lstm_gradient_norms(x, lstm, dh_T[:, :3])
    with pytest.raises(ValueError, match="x must be a 3-D array"):
        rnn_gradient_norms(x[:, 0], rnn, dh_T)


# ------------------------------------------------------------------------------------------------ widget
def test_widget_draws_on_creation_with_labelled_curves():
    widget = gradient_flow_explorer(length=40)
    drawn = widget.last_drawn
    assert set(widget.controls) == {"forget_bias", "rnn_scale", "length"}
    assert all(not control.continuous_update for control in widget.controls.values())
    assert drawn["steps"].shape == drawn["lstm_dc"].shape == drawn["lstm_dh"].shape == drawn["rnn_dh"].shape == (41,)
    assert drawn["lstm_dh"][-1] == pytest.approx(1.0) and drawn["rnn_dh"][-1] == pytest.approx(1.0)
    assert "T = 40" in drawn["title"]


def test_raising_the_forget_bias_keeps_more_of_the_cell_gradient_and_leaves_the_rnn_alone():
    widget = gradient_flow_explorer(length=60)
    before = dict(widget.last_drawn)
    widget.controls["forget_bias"].value = 4.0
    after = widget.last_drawn
    assert after["mean_forget_gate"] > before["mean_forget_gate"] + 0.2
    assert after["lstm_dc"][0] > 1e3 * before["lstm_dc"][0]
    assert np.array_equal(after["rnn_dh"], before["rnn_dh"])
    assert "+4.00" in after["title"]


def test_raising_the_rnn_weight_scale_turns_vanishing_into_exploding():
    widget = gradient_flow_explorer(length=60)
    vanishing = widget.last_drawn["rnn_dh"][0]
    lstm_before = widget.last_drawn["lstm_dc"].copy()
    widget.controls["rnn_scale"].value = 3.5
    exploding = widget.last_drawn["rnn_dh"][0]
    assert vanishing < 1e-6 and exploding > 1.0
    assert np.array_equal(widget.last_drawn["lstm_dc"], lstm_before)


def test_the_length_slider_changes_how_far_back_the_curves_reach():
    widget = gradient_flow_explorer(length=100)
    widget.controls["length"].value = 30
    assert widget.last_drawn["steps"].shape == (31,) and widget.last_drawn["length"] == 30
