"""LSTMParams / RNNParams: layout, per-gate views, initialisation, copies and structural checks."""

import numpy as np
import pytest

from lstm_ref.params import LSTMParams, RNNParams, as_generator


def test_lstm_shapes_and_sizes():
    p = LSTMParams.init(3, 5, rng=0)
    assert p.W.shape == (20, 8) and p.b.shape == (20,)
    assert (p.input_size, p.hidden_size) == (3, 5)
    assert p.W.dtype == np.float64
    assert p.W_x.shape == (20, 3) and p.W_h.shape == (20, 5)


def test_gate_views_are_the_blocks_in_order_i_f_g_o_and_write_through():
    H = 4
    p = LSTMParams.init(2, H, rng=1)
    for k, name in enumerate("ifgo"):
        W_gate = getattr(p, f"W_{name}")
        b_gate = getattr(p, f"b_{name}")
        assert W_gate.shape == (H, 2 + H) and b_gate.shape == (H,)
        assert np.shares_memory(W_gate, p.W) and np.shares_memory(b_gate, p.b)
        assert np.array_equal(W_gate, p.W[k * H : (k + 1) * H])
        assert np.array_equal(b_gate, p.b[k * H : (k + 1) * H])
    p.W_g[0, 0] = 123.0  # writing into a view changes W
    assert p.W[2 * H, 0] == 123.0
    p.b_o = 7.0  # assigning to the attribute fills the block
    assert np.all(p.b[3 * H :] == 7.0) and not np.any(p.b[: 3 * H] == 7.0)
    with pytest.raises(ValueError, match=r"W_i must have shape \(4, 6\)"):
        p.W_i = np.zeros((6, 4))


def test_init_is_pytorch_like_uniform_with_forget_bias():
    H = 16
    p = LSTMParams.init(8, H, rng=2)
    bound = 1 / np.sqrt(H)
    assert np.all(np.abs(p.W) <= bound)
    assert p.W.std() > 0.8 * bound / np.sqrt(3)  # spread over the whole interval, not a constant
    assert np.all(p.b_f == 1.0)
    others = np.concatenate([p.b_i, p.b_g, p.b_o])
    assert np.all(np.abs(others) <= bound) and len(np.unique(others)) == others.size
    q = LSTMParams.init(8, H, rng=2, forget_bias=None)
    assert np.all(np.abs(q.b_f) <= bound) and np.array_equal(q.W, p.W)
    assert np.all(LSTMParams.init(8, H, rng=2, forget_bias=3.0).b_f == 3.0)


def test_float32_init_holds_the_float64_numbers_rounded():
    p64 = LSTMParams.init(3, 4, rng=5)
    p32 = LSTMParams.init(3, 4, rng=5, dtype=np.float32)
    assert p32.W.dtype == np.float32 and p32.b.dtype == np.float32
    assert np.array_equal(p32.W, p64.W.astype(np.float32))
    assert np.array_equal(p64.astype(np.float32).W, p32.W)


def test_rnn_params():
    p = RNNParams.init(3, 5, rng=0)
    assert p.W.shape == (5, 8) and p.b.shape == (5,)
    assert (p.input_size, p.hidden_size) == (3, 5)
    assert np.all(np.abs(p.W) <= 1 / np.sqrt(5))


@pytest.mark.parametrize("cls", [LSTMParams, RNNParams])
def test_copy_zeros_like_and_arrays(cls):
    p = cls.init(2, 3, rng=0)
    q = p.copy()
    q.W += 1.0
    assert not np.array_equal(p.W, q.W), "copy must not share memory with the original"
    z = p.zeros_like()
    assert type(z) is cls and z.W.shape == p.W.shape and not z.W.any() and not z.b.any()
    arrays = p.arrays()
    assert list(arrays) == ["W", "b"]
    assert arrays["W"] is p.W and arrays["b"] is p.b, "optimisers update these arrays in place"


def test_structure_is_checked_on_construction():
    with pytest.raises(ValueError, match=r"params.W must be a 2-D array of shape \(4H, D \+ H\).*got shape \(6, 5\)"):
        LSTMParams(np.zeros((6, 5)), np.zeros(6))
    with pytest.raises(ValueError, match=r"params.b must have shape \(4H,\) = \(8,\).*got \(7,\)"):
        LSTMParams(np.zeros((8, 5)), np.zeros(7))
    with pytest.raises(TypeError, match="params.W must hold floating-point numbers.*int64"):
        LSTMParams(np.zeros((8, 5), dtype=np.int64), np.zeros(8))
    with pytest.raises(TypeError, match="params.b has dtype float32 but params.W has dtype float64"):
        LSTMParams(np.zeros((8, 5)), np.zeros(8, dtype=np.float32))
    with pytest.raises(TypeError, match="params.W must be a NumPy array.*list"):
        RNNParams([[0.0, 0.0]], np.zeros(1))


def test_non_finite_parameters_are_caught_when_used_not_when_held():
    p = LSTMParams.init(2, 3, rng=0)
    p.W[1, 2] = np.nan
    p.W[4, 0] = np.inf  # a held gradient may have exploded: constructing must still work
    with pytest.raises(ValueError, match=r"p.W contains 2 NaN or infinite value\(s\), the first at index \(1, 2\)"):
        p.validate("p")


def test_huge_but_finite_parameters_are_accepted():
    p = LSTMParams.init(2, 3, rng=0)
    p.W[0, 0] = 1e200  # its square overflows: the quick test is inconclusive, the full test must pass it
    p.b[0] = -1e300
    p.validate("p")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(input_size=0, hidden_size=3), ValueError, "input_size must be a positive integer, got 0"),
        (dict(input_size=2, hidden_size=2.5), TypeError, "hidden_size must be a positive integer, got float"),
        (dict(input_size=2, hidden_size=3, dtype=np.int32), TypeError, "dtype must be np.float32 or np.float64"),
        (dict(input_size=2, hidden_size=3, rng=np.random.RandomState(0)), TypeError, "rng must be None"),
        (dict(input_size=2, hidden_size=3, forget_bias=np.nan), ValueError, "forget_bias must be a finite"),
    ],
)
def test_init_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        LSTMParams.init(**kwargs)


def test_as_generator_accepts_seed_generator_or_none():
    g = np.random.default_rng(3)
    assert as_generator(g) is g
    assert as_generator(3).random() == np.random.default_rng(3).random()
    assert isinstance(as_generator(None), np.random.Generator)
    with pytest.raises(TypeError):
        as_generator(True)
