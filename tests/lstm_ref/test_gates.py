"""The gate-by-gate functions: the LSTM equations one at a time, and their agreement with the fused step."""

import numpy as np
import pytest

from lstm_ref import (
    LSTMParams,
    candidate,
    cell_update,
    concat_input,
    forget_gate,
    hidden_state,
    input_gate,
    lstm_step,
    output_gate,
    sigmoid,
)

B, D, H = 3, 5, 4


def problem(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    p = LSTMParams.init(D, H, rng=rng, dtype=dtype)
    x, h, c = (rng.normal(size=shape).astype(dtype) for shape in [(B, D), (B, H), (B, H)])
    return p, x, h, c


def test_concat_input_puts_x_first_then_h():
    _, x, h, _ = problem()
    z = concat_input(x, h)
    assert z.shape == (B, D + H)
    assert np.array_equal(z[:, :D], x) and np.array_equal(z[:, D:], h)


def test_each_gate_is_its_activation_of_its_own_block():
    p, x, h, _ = problem()
    z = concat_input(x, h)
    for gate, W, b, activation in [
        (input_gate, p.W_i, p.b_i, sigmoid),
        (forget_gate, p.W_f, p.b_f, sigmoid),
        (candidate, p.W_g, p.b_g, np.tanh),
        (output_gate, p.W_o, p.b_o, sigmoid),
    ]:
        value = gate(z, p)
        assert value.shape == (B, H)
        # Same operations in the same order as the formula in the docstring: bit-for-bit equal.
        assert np.array_equal(value, activation(z @ W.T + b)), gate.__name__


def test_gates_read_only_their_own_rows():
    p, x, h, _ = problem()
    z = concat_input(x, h)
    before = {gate: gate(z, p) for gate in (input_gate, forget_gate, candidate, output_gate)}
    p.W_f[...] = 0.0
    p.b_f[...] = 0.0
    assert np.all(forget_gate(z, p) == 0.5), "sigmoid(0) = 0.5 once the forget weights and bias are zero"
    for gate in (input_gate, candidate, output_gate):
        assert np.array_equal(gate(z, p), before[gate]), f"{gate.__name__} changed when only W_f did"


def test_gate_ranges():
    p, x, h, _ = problem()
    p.W *= 10  # push pre-activations far from 0 so the ranges are really exercised
    z = concat_input(x, h)
    for gate in (input_gate, forget_gate, output_gate):
        value = gate(z, p)
        assert np.all((value >= 0) & (value <= 1))
    g = candidate(z, p)
    assert np.all((g >= -1) & (g <= 1)) and g.min() < 0 < g.max()


def test_cell_update_and_hidden_state_formulas():
    rng = np.random.default_rng(4)
    c_prev, f, i, g, o = (rng.uniform(-1, 1, size=(B, H)) for _ in range(5))
    assert np.array_equal(cell_update(c_prev, f, i, g), f * c_prev + i * g)
    assert np.array_equal(hidden_state(c_prev, o), o * np.tanh(c_prev))
    # Forget everything and write nothing: the memory is empty.
    assert not cell_update(c_prev, np.zeros_like(f), np.zeros_like(i), g).any()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gate_by_gate_equals_the_fused_step(dtype):
    """The fused step computes the same numbers as the four gate functions, in the same order of operations.

    The only difference is the matrix product: one (B, D+H) x (D+H, 4H) product instead of four
    (B, D+H) x (D+H, H) ones. Each entry is the same dot product of length D+H, but BLAS may block or
    vectorise the two shapes differently, so the sums may be rounded differently (a few ulp). Then we accept a
    relative difference of 1e-15 (float64) / 1e-6 (float32), i.e. a few units of rounding, and no more.
    """
    p, x, h, c = problem(dtype)
    z = concat_input(x, h)
    i, f, g, o = input_gate(z, p), forget_gate(z, p), candidate(z, p), output_gate(z, p)
    c_new = cell_update(c, f, i, g)
    h_new = hidden_state(c_new, o)
    h_fused, c_fused, cache = lstm_step(x, h, c, p)
    assert h_fused.dtype == dtype and c_fused.dtype == dtype

    exact_product = np.array_equal(z @ p.W.T, np.concatenate([z @ W.T for W in (p.W_i, p.W_f, p.W_g, p.W_o)], 1))
    pairs = [(cache.i, i), (cache.f, f), (cache.g, g), (cache.o, o), (c_fused, c_new), (h_fused, h_new)]
    if exact_product:
        for fused, by_gate in pairs:
            assert np.array_equal(fused, by_gate)
    else:
        tol = 1e-15 if dtype == np.float64 else 1e-6
        for fused, by_gate in pairs:
            np.testing.assert_allclose(fused, by_gate, rtol=tol * 4, atol=tol)
