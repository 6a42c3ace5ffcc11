"""lstm_ref against PyTorch WITHOUT PyTorch: results stored once by scripts/make_golden_fixtures.py.

Each fixture holds PyTorch-layout weights (two independent non-zero biases), inputs, initial states, the
upstream gradients R (dL/dhs), R_h (dL/dh_T), R_c (dL/dc_T), and what float64 torch.nn.LSTM / torch.nn.RNN
returned for them: outputs, final states and every gradient.
"""

from pathlib import Path

import numpy as np
import pytest

from lstm_ref import LSTMParams, RNNParams, lstm_backward, lstm_forward, relative_error, rnn_backward, rnn_forward

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
SHAPES = [(1, 1, 3, 2), (2, 5, 3, 4), (3, 4, 5, 2), (1, 100, 2, 3)]  # (B, T, D, H); keep in step with the script
TORCH_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
TOLERANCE = 1e-10


def load(kind, B, T, D, H):
    path = GOLDEN / f"{kind}_B{B}_T{T}_D{D}_H{H}.npz"
    assert path.exists(), f"missing golden fixture {path.name}: run scripts/make_golden_fixtures.py"
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def assert_close(name, ours, theirs):
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} vs PyTorch's {theirs.shape}"
    error = relative_error(ours, theirs)
    assert error < TOLERANCE, f"{name}: relative error {error:.1e} against PyTorch"


def gradient_in_torch_layout(W_grad, D):
    """Our dW (G*H, D + H) split like PyTorch's weight_ih / weight_hh gradients."""
    return W_grad[:, :D], W_grad[:, D:]


@pytest.mark.parametrize("B, T, D, H", SHAPES)
def test_lstm_matches_stored_pytorch_results(B, T, D, H):
    data = load("lstm", B, T, D, H)
    p = LSTMParams.from_torch({key: data[key] for key in TORCH_KEYS})
    assert p.W.shape == (4 * H, D + H)
    hs, (h_T, c_T), cache = lstm_forward(data["x"], p, data["h0"], data["c0"])
    dx, dh0, dc0, grads = lstm_backward(data["R"], cache, data["R_h"], data["R_c"])
    dW_ih, dW_hh = gradient_in_torch_layout(grads.W, D)
    for name, ours, theirs in [
        ("hs", hs, data["hs"]), ("h_T", h_T, data["h_T"]), ("c_T", c_T, data["c_T"]),
        ("dx", dx, data["dx"]), ("dh0", dh0, data["dh0"]), ("dc0", dc0, data["dc0"]),
        ("dW_ih", dW_ih, data["d_weight_ih_l0"]), ("dW_hh", dW_hh, data["d_weight_hh_l0"]),
        # PyTorch's two biases are added, so each one's gradient is our db.
        ("db (bias_ih)", grads.b, data["d_bias_ih_l0"]), ("db (bias_hh)", grads.b, data["d_bias_hh_l0"]),
    ]:
        assert_close(name, ours, theirs)


@pytest.mark.parametrize("B, T, D, H", SHAPES)
def test_rnn_matches_stored_pytorch_results(B, T, D, H):
    data = load("rnn", B, T, D, H)
    p = RNNParams.from_torch({key: data[key] for key in TORCH_KEYS})
    assert p.W.shape == (H, D + H)
    hs, h_T, cache = rnn_forward(data["x"], p, data["h0"])
    dx, dh0, grads = rnn_backward(data["R"], cache, data["R_h"])
    dW_ih, dW_hh = gradient_in_torch_layout(grads.W, D)
    for name, ours, theirs in [
        ("hs", hs, data["hs"]), ("h_T", h_T, data["h_T"]), ("dx", dx, data["dx"]), ("dh0", dh0, data["dh0"]),
        ("dW_ih", dW_ih, data["d_weight_ih_l0"]), ("dW_hh", dW_hh, data["d_weight_hh_l0"]),
        ("db (bias_ih)", grads.b, data["d_bias_ih_l0"]), ("db (bias_hh)", grads.b, data["d_bias_hh_l0"]),
    ]:
        assert_close(name, ours, theirs)


def test_fixtures_are_small_and_nontrivial():
    files = sorted(GOLDEN.glob("*.npz"))
    assert len(files) == 2 * len(SHAPES)
    for path in files:
        assert path.stat().st_size < 32_000, f"{path.name} is larger than a golden fixture should be"
    data = load("lstm", 2, 5, 3, 4)
    assert np.abs(data["bias_hh_l0"]).min() > 0 and np.abs(data["bias_ih_l0"]).min() > 0
    assert np.abs(data["dx"]).max() > 1e-3, "gradients must not be trivially zero"
