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
    relative_error,
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


SHAPES = [(3, 5, 4), (1, 49, 15), (33, 36, 53), (47, 56, 2), (64, 128, 256)]  # (B, D, H), odd ones included


def shaped_problem(B, D, H, dtype, seed=0):
    rng = np.random.default_rng(seed)
    p = LSTMParams.init(D, H, rng=rng, dtype=dtype)
    x, h, c = (rng.normal(size=shape).astype(dtype) for shape in [(B, D), (B, H), (B, H)])
    return p, x, h, c


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("B, D, H", SHAPES)
def test_fused_step_does_the_same_arithmetic_after_the_product(B, D, H, dtype):
    """Given the same pre-activations, the fused step's activations, c and h are bit for bit the gate-by-gate
    ones: it gets every gate from one tanh by scaling with 0.5 before and after (exact in binary)."""
    p, x, h, c = shaped_problem(B, D, H, dtype)
    h_fused, c_fused, cache = lstm_step(x, h, c, p)
    a = concat_input(x, h) @ p.W.T + p.b  # the fused product: all four pre-activations at once
    assert np.array_equal(cache.i, sigmoid(a[:, :H]))
    assert np.array_equal(cache.f, sigmoid(a[:, H : 2 * H]))
    assert np.array_equal(cache.g, np.tanh(a[:, 2 * H : 3 * H]))
    assert np.array_equal(cache.o, sigmoid(a[:, 3 * H :]))
    assert np.array_equal(c_fused, cell_update(c, cache.f, cache.i, cache.g))
    assert np.array_equal(h_fused, hidden_state(c_fused, cache.o))
    assert h_fused.dtype == dtype and c_fused.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("B, D, H", SHAPES)
def test_gate_by_gate_equals_the_fused_step(B, D, H, dtype):
    """The four gate functions against the fused step, end to end.

    The one difference is the matrix product: one (B, D+H) x (D+H, 4H) product instead of four
    (B, D+H) x (D+H, H) ones. Each entry is the same dot product of length D+H, but BLAS blocks and vectorises
    the two shapes differently for some sizes, so the sums may be rounded differently (measured: up to
    ~4 ulp of the pre-activation). Where the products agree bit for bit we demand bit-for-bit equality;
    otherwise a relative error (lstm_ref.relative_error) below 1e-15 in float64 and 1e-6 in float32: a few
    units of rounding and no more (a real mistake, such as a swapped gate, gives errors of order 0.1).
    """
    p, x, h, c = shaped_problem(B, D, H, dtype)
    z = concat_input(x, h)
    i, f, g, o = input_gate(z, p), forget_gate(z, p), candidate(z, p), output_gate(z, p)
    c_new = cell_update(c, f, i, g)
    h_new = hidden_state(c_new, o)
    h_fused, c_fused, cache = lstm_step(x, h, c, p)

    blockwise = np.concatenate([z @ W.T for W in (p.W_i, p.W_f, p.W_g, p.W_o)], axis=1)
    same_product = np.array_equal(z @ p.W.T, blockwise)
    tolerance = 1e-15 if dtype == np.float64 else 1e-6
    for name, fused, by_gate in [("i", cache.i, i), ("f", cache.f, f), ("g", cache.g, g), ("o", cache.o, o),
                                 ("c", c_fused, c_new), ("h", h_fused, h_new)]:
        if same_product:
            assert np.array_equal(fused, by_gate), name
        else:
            assert relative_error(fused, by_gate) < tolerance, name
