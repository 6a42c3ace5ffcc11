"""lstm_forward / lstm_backward: agreement with the step functions, and BPTT against finite differences."""

import numpy as np
import pytest

from lstm_ref import (
    LSTMParams,
    lstm_backward,
    lstm_forward,
    lstm_step,
    lstm_step_backward,
    numerical_gradient,
    relative_error,
)


def problem(B, T, D, H, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = LSTMParams.init(D, H, rng=rng, dtype=dtype)
    x = rng.normal(size=(B, T, D)).astype(dtype)
    h0, c0 = (rng.normal(size=(B, H)).astype(dtype) for _ in range(2))
    # Loss L = sum(R * hs) + sum(R_h * h_T) + sum(R_c * c_T), so dhs = R, dh_T = R_h, dc_T = R_c.
    R = rng.normal(size=(B, T, H)).astype(dtype)
    R_h, R_c = (rng.normal(size=(B, H)).astype(dtype) for _ in range(2))
    return p, x, h0, c0, R, R_h, R_c


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_is_exactly_the_chain_of_steps(dtype):
    p, x, h0, c0, *_ = problem(3, 6, 4, 5, dtype=dtype)
    hs, (h_T, c_T), cache = lstm_forward(x, p, h0, c0)
    assert hs.shape == (3, 6, 5) and hs.dtype == dtype and hs.flags.c_contiguous
    h, c = h0, c0
    for t in range(6):
        h, c, _ = lstm_step(x[:, t], h, c, p)
        # The same kernel on the same numbers: bit-for-bit equal.
        assert np.array_equal(hs[:, t], h), f"step {t}"
    assert np.array_equal(h_T, h) and np.array_equal(c_T, c)


def test_backward_equals_the_chain_of_step_backwards():
    p, x, h0, c0, R, R_h, R_c = problem(2, 5, 3, 4, seed=1)
    _, _, cache = lstm_forward(x, p, h0, c0)
    dx, dh0, dc0, grads = lstm_backward(R, cache, R_h, R_c)

    caches, h, c = [], h0, c0
    for t in range(5):
        h, c, step_cache = lstm_step(x[:, t], h, c, p)
        caches.append(step_cache)
    dh_next, dc_next, dW, db = R_h, R_c, np.zeros_like(p.W), np.zeros_like(p.b)
    dx_steps = [None] * 5
    for t in reversed(range(5)):
        dx_steps[t], dh_next, dc_next, g = lstm_step_backward(R[:, t] + dh_next, dc_next, caches[t])
        dW += g.W
        db += g.b
    # Same terms, summed in a different order (one big product vs a running sum): rounding differs slightly.
    for name, ours, chained in [
        ("dx", dx, np.stack(dx_steps, axis=1)), ("dh0", dh0, dh_next), ("dc0", dc0, dc_next),
        ("dW", grads.W, dW), ("db", grads.b, db),
    ]:
        assert relative_error(ours, chained) < 1e-14, name


@pytest.mark.parametrize("B, T, D, H", [(2, 4, 3, 2), (1, 1, 2, 3), (1, 100, 2, 3)])
def test_bptt_matches_finite_differences_for_every_parameter_and_input(B, T, D, H):
    p, x, h0, c0, R, R_h, R_c = problem(B, T, D, H, seed=2)

    def loss():
        hs, (h_T, c_T), _ = lstm_forward(x, p, h0, c0)
        return np.sum(R * hs) + np.sum(R_h * h_T) + np.sum(R_c * c_T)

    _, _, cache = lstm_forward(x, p, h0, c0)
    dx, dh0, dc0, grads = lstm_backward(R, cache, R_h, R_c)
    for name, array, analytic in [
        ("W", p.W, grads.W), ("b", p.b, grads.b), ("x", x, dx), ("h0", h0, dh0), ("c0", c0, dc0)
    ]:
        error = relative_error(analytic, numerical_gradient(loss, array))
        assert error < 1e-6, f"d loss / d {name}: relative error {error:.2e}"


def test_defaults_zero_initial_state_and_optional_gradients():
    p, x, _, _, R, R_h, _ = problem(2, 3, 3, 4, seed=3)
    zeros = np.zeros((2, 4))
    hs, final, cache = lstm_forward(x, p)
    hs_explicit, _, _ = lstm_forward(x, p, zeros, zeros)
    assert np.array_equal(hs, hs_explicit)
    # A loss on h_T alone: dh_T = R_h is the same as dhs that is zero except at the last step.
    only_last = np.zeros_like(R)
    only_last[:, -1] = R_h
    a = lstm_backward(None, cache, dh_T=R_h)
    b = lstm_backward(only_last, cache)
    for left, right in zip(a[:3] + (a[3].W, a[3].b), b[:3] + (b[3].W, b[3].b)):
        assert np.array_equal(left, right)


def test_forward_does_not_modify_its_inputs():
    p, x, h0, c0, R, R_h, R_c = problem(2, 3, 3, 4, seed=4)
    before = [a.copy() for a in (p.W, p.b, x, h0, c0, R, R_h, R_c)]
    _, _, cache = lstm_forward(x, p, h0, c0)
    lstm_backward(R, cache, R_h, R_c)
    for old, new in zip(before, (p.W, p.b, x, h0, c0, R, R_h, R_c)):
        assert np.array_equal(old, new)
