"""The vanilla tanh RNN: step and sequence, forward and backward, against finite differences."""

import numpy as np
import pytest

from lstm_ref import (
    RNNParams,
    numerical_gradient,
    relative_error,
    rnn_backward,
    rnn_forward,
    rnn_step,
    rnn_step_backward,
)


def problem(B, T, D, H, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = RNNParams.init(D, H, rng=rng, dtype=dtype)
    x = rng.normal(size=(B, T, D)).astype(dtype)
    h0 = rng.normal(size=(B, H)).astype(dtype)
    R = rng.normal(size=(B, T, H)).astype(dtype)
    R_h = rng.normal(size=(B, H)).astype(dtype)
    return p, x, h0, R, R_h


def test_step_formula_and_shapes():
    p, x, h0, _, _ = problem(3, 1, 2, 4)
    h, cache = rnn_step(x[:, 0], h0, p)
    assert h.shape == (3, 4)
    z = np.concatenate([x[:, 0], h0], axis=1)
    np.testing.assert_allclose(h, np.tanh(z @ p.W.T + p.b), rtol=1e-15, atol=1e-16)
    assert np.array_equal(cache.z, z)


def test_step_backward_matches_finite_differences():
    p, x, h0, R, _ = problem(2, 1, 3, 4, seed=1)
    x0 = x[:, 0].copy()

    def loss():
        return np.sum(R[:, 0] * rnn_step(x0, h0, p)[0])

    _, cache = rnn_step(x0, h0, p)
    dx, dh_prev, grads = rnn_step_backward(R[:, 0], cache)
    for name, array, analytic in [("W", p.W, grads.W), ("b", p.b, grads.b), ("x", x0, dx), ("h_prev", h0, dh_prev)]:
        assert relative_error(analytic, numerical_gradient(loss, array)) < 1e-6, name


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_is_exactly_the_chain_of_steps(dtype):
    p, x, h0, _, _ = problem(2, 5, 3, 4, dtype=dtype)
    hs, h_T, _ = rnn_forward(x, p, h0)
    assert hs.shape == (2, 5, 4) and hs.dtype == dtype
    h = h0
    for t in range(5):
        h, _ = rnn_step(x[:, t], h, p)
        assert np.array_equal(hs[:, t], h)
    assert np.array_equal(h_T, h)


@pytest.mark.parametrize("B, T, D, H", [(2, 4, 3, 2), (1, 1, 2, 3), (1, 100, 2, 3)])
def test_bptt_matches_finite_differences(B, T, D, H):
    p, x, h0, R, R_h = problem(B, T, D, H, seed=2)

    def loss():
        hs, h_T, _ = rnn_forward(x, p, h0)
        return np.sum(R * hs) + np.sum(R_h * h_T)

    _, _, cache = rnn_forward(x, p, h0)
    dx, dh0, grads = rnn_backward(R, cache, R_h)
    for name, array, analytic in [("W", p.W, grads.W), ("b", p.b, grads.b), ("x", x, dx), ("h0", h0, dh0)]:
        error = relative_error(analytic, numerical_gradient(loss, array))
        assert error < 1e-6, f"d loss / d {name}: relative error {error:.2e}"


def test_backward_dtype_and_optional_gradients():
    p, x, h0, R, R_h = problem(2, 3, 3, 4, dtype=np.float32)
    _, _, cache = rnn_forward(x, p, h0)
    dx, dh0, grads = rnn_backward(None, cache, R_h)
    assert dx.dtype == dh0.dtype == grads.W.dtype == np.float32
    only_last = np.zeros_like(R)
    only_last[:, -1] = R_h
    dx2, dh02, grads2 = rnn_backward(only_last, cache)
    assert np.array_equal(dx, dx2) and np.array_equal(dh0, dh02) and np.array_equal(grads.W, grads2.W)
