"""lstm_step / lstm_step_backward: shapes, dtypes and every gradient against finite differences."""

import numpy as np
import pytest

from lstm_ref import LSTMParams, lstm_step, lstm_step_backward, numerical_gradient, relative_error

B, D, H = 2, 3, 4


def problem(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = LSTMParams.init(D, H, rng=rng, dtype=dtype)
    x, h, c = (rng.normal(size=s).astype(dtype) for s in [(B, D), (B, H), (B, H)])
    # Weights for a loss L = sum(R_h * h) + sum(R_c * c): its gradients are dh = R_h and dc = R_c.
    R_h, R_c = rng.normal(size=(B, H)).astype(dtype), rng.normal(size=(B, H)).astype(dtype)
    return p, x, h, c, R_h, R_c


def test_shapes_and_cache():
    p, x, h, c, *_ = problem()
    h_new, c_new, cache = lstm_step(x, h, c, p)
    assert h_new.shape == c_new.shape == (B, H)
    assert cache.z.shape == (B, D + H) and cache.gates.shape == (B, 4 * H)
    assert cache.i.shape == cache.f.shape == cache.g.shape == cache.o.shape == (B, H)
    assert np.array_equal(cache.c_prev, c)
    c[...] = 0.0  # the cache keeps its own copy of c_prev: later changes by the caller do not corrupt it
    assert cache.c_prev.any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_upcast(dtype):
    p, x, h, c, R_h, R_c = problem(dtype=dtype)
    h_new, c_new, cache = lstm_step(x, h, c, p)
    dx, dh_prev, dc_prev, grads = lstm_step_backward(R_h, R_c, cache)
    for array in (h_new, c_new, dx, dh_prev, dc_prev, grads.W, grads.b):
        assert array.dtype == dtype


def test_every_gradient_matches_finite_differences():
    p, x, h, c, R_h, R_c = problem(seed=1)

    def loss():
        h_new, c_new, _ = lstm_step(x, h, c, p)
        return np.sum(R_h * h_new) + np.sum(R_c * c_new)

    _, _, cache = lstm_step(x, h, c, p)
    dx, dh_prev, dc_prev, grads = lstm_step_backward(R_h, R_c, cache)
    for name, array, analytic in [
        ("W", p.W, grads.W), ("b", p.b, grads.b), ("x", x, dx), ("h_prev", h, dh_prev), ("c_prev", c, dc_prev)
    ]:
        error = relative_error(analytic, numerical_gradient(loss, array))
        assert error < 1e-6, f"d loss / d {name}: relative error {error:.2e}"


def test_gradient_of_cell_state_path_alone():
    """With dh = 0 the only path is c = f * c_prev + i * g, so dc_prev must be exactly dc * f."""
    p, x, h, c, _, R_c = problem(seed=2)
    _, _, cache = lstm_step(x, h, c, p)
    _, _, dc_prev, _ = lstm_step_backward(np.zeros((B, H)), R_c, cache)
    assert np.array_equal(dc_prev, R_c * cache.f)
