"""The seed tutorial's style: faithful per-sample code, its two bugs, and the exact conversion."""

import numpy as np
import pytest

from lstm_ref import LSTMParams, lstm_backward, lstm_forward, numerical_gradient, relative_error
from lstm_ref.tutorial_style import (
    from_lstm_params,
    rand_arr,
    rand_arr_reseeding,
    to_lstm_params,
    tutorial_backward,
    tutorial_forward,
    tutorial_hidden_state,
    tutorial_params,
    tutorial_step,
)

D, H = 3, 4
NAMES = ("wg", "wi", "wf", "wo", "bg", "bi", "bf", "bo")


def test_reseeding_bug_makes_all_four_gate_matrices_identical():
    state_before = np.random.get_state()
    tp = tutorial_params(D, H, reseed_bug=True)
    assert np.array_equal(tp.wg, tp.wi) and np.array_equal(tp.wi, tp.wf) and np.array_equal(tp.wf, tp.wo)
    assert np.array_equal(tp.bg, tp.bi) and np.array_equal(tp.bi, tp.bf) and np.array_equal(tp.bf, tp.bo)
    # They are the numbers the tutorial gets from np.random.seed(0); np.random.rand(...) on every call.
    expected = np.random.RandomState(0).rand(H, D + H) * 0.2 - 0.1
    assert np.array_equal(tp.wf, expected)
    # ...but we reproduce them without resetting NumPy's global random state.
    state_after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(state_before[1:3], state_after[1:3]))
    assert state_before[0] == state_after[0]


def test_with_identical_matrices_the_three_sigmoid_gates_agree():
    tp = tutorial_params(D, H, reseed_bug=True)
    x = np.random.default_rng(0).normal(size=D)
    _, _, state = tutorial_step(x, np.zeros(H), np.zeros(H), tp)
    assert np.array_equal(state.i, state.f) and np.array_equal(state.f, state.o)


def test_fixed_helper_gives_fresh_numbers_and_is_reproducible():
    rng = np.random.default_rng(7)
    first, second = rand_arr(rng, -0.1, 0.1, 2, 3), rand_arr(rng, -0.1, 0.1, 2, 3)
    assert not np.array_equal(first, second)
    assert np.all((first >= -0.1) & (first < 0.1))
    assert np.array_equal(rand_arr_reseeding(-0.1, 0.1, 2, 3), rand_arr_reseeding(-0.1, 0.1, 2, 3))
    tp = tutorial_params(D, H, rng=1)
    matrices = [tp.wg, tp.wi, tp.wf, tp.wo]
    assert all(not np.array_equal(a, b) for k, a in enumerate(matrices) for b in matrices[k + 1 :])
    again = tutorial_params(D, H, rng=1)
    assert all(np.array_equal(getattr(tp, n), getattr(again, n)) for n in NAMES)


def test_conversion_is_exact_both_ways():
    tp = tutorial_params(D, H, rng=2)
    p = to_lstm_params(tp)
    assert p.W.shape == (4 * H, D + H)
    for gate in "ifgo":
        assert np.array_equal(getattr(p, f"W_{gate}"), getattr(tp, f"w{gate}"))
        assert np.array_equal(getattr(p, f"b_{gate}"), getattr(tp, f"b{gate}"))
    back = from_lstm_params(p)
    assert all(np.array_equal(getattr(back, n), getattr(tp, n)) for n in NAMES)
    q = LSTMParams.init(D, H, rng=3)
    assert np.array_equal(to_lstm_params(from_lstm_params(q)).W, q.W)


def test_standard_version_matches_lstm_ref_forward_and_backward():
    rng = np.random.default_rng(4)
    B, T = 3, 6
    tp = tutorial_params(D, H, rng=rng)
    x = rng.normal(size=(B, T, D))
    h0, s0 = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    R, R_h, R_c = rng.normal(size=(B, T, H)), rng.normal(size=(B, H)), rng.normal(size=(B, H))

    hs, (h_T, s_T), states = tutorial_forward(x, tp, h0, s0)
    dx, dh0, ds0, grads = tutorial_backward(R, states, tp, R_h, R_c)
    p = to_lstm_params(tp)
    hs_ref, (h_ref, c_ref), cache = lstm_forward(x, p, h0, c0=s0)
    dx_ref, dh0_ref, dc0_ref, grads_ref = lstm_backward(R, cache, R_h, R_c)
    # Same equations; matrix-vector products per sample vs one matrix product: rounding may differ slightly.
    pairs = [(hs, hs_ref), (h_T, h_ref), (s_T, c_ref), (dx, dx_ref), (dh0, dh0_ref), (ds0, dc0_ref),
             (to_lstm_params(grads).W, grads_ref.W), (to_lstm_params(grads).b, grads_ref.b)]
    for k, (ours, ref) in enumerate(pairs):
        assert relative_error(ours, ref) < 1e-14, k


def test_tutorial_hidden_state_has_no_tanh_and_grows_with_the_cell():
    s = np.array([3.0, -2.0])
    o = np.array([0.5, 0.9])
    assert np.array_equal(tutorial_hidden_state(s, o), s * o)
    # A cell that keeps adding (forget gate ~1, input gate ~1, candidate ~1) makes s grow with t.
    tp = tutorial_params(1, 2, rng=5)
    for name in ("bf", "bi", "bo"):
        getattr(tp, name)[...] = 10.0
    tp.bg[...] = 10.0
    x = np.ones((1, 30, 1))
    hs_bug, _, _ = tutorial_forward(x, tp, tanh_on_cell=False)
    hs_std, _, _ = tutorial_forward(x, tp, tanh_on_cell=True)
    assert np.abs(hs_std).max() < 1.0, "the standard LSTM's h = o * tanh(s) stays in (-1, 1)"
    assert np.abs(hs_bug).max() > 25.0, "the tutorial's h = s * o follows s, which grows by ~1 per step"


@pytest.mark.parametrize("tanh_on_cell", [True, False])
def test_backward_is_the_gradient_of_its_own_forward(tanh_on_cell):
    rng = np.random.default_rng(6)
    tp = tutorial_params(2, 3, rng=rng)
    x = rng.normal(size=(2, 4, 2))
    R = rng.normal(size=(2, 4, 3))

    def loss():
        return np.sum(R * tutorial_forward(x, tp, tanh_on_cell=tanh_on_cell)[0])

    _, _, states = tutorial_forward(x, tp, tanh_on_cell=tanh_on_cell)
    dx, _, _, grads = tutorial_backward(R, states, tp, tanh_on_cell=tanh_on_cell)
    for name in ("wf", "wg", "bo", "bi"):
        error = relative_error(getattr(grads, name), numerical_gradient(loss, getattr(tp, name)))
        assert error < 1e-6, name
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-6
