"""lstm_ref against a live torch.nn.LSTM / torch.nn.RNN, in float64, to 1e-10 relative.

Skipped where PyTorch is not installed, EXCEPT in CI (the environment variable CI is set), where a missing
PyTorch is a failure: the cross-check must not silently disappear from the pipeline.
The same comparisons run without PyTorch against stored results in test_golden.py.
"""

import os

import numpy as np
import pytest

from lstm_ref import LSTMParams, RNNParams, lstm_backward, lstm_forward, relative_error, rnn_backward, rnn_forward

pytestmark = pytest.mark.torch

TOLERANCE = 1e-10
# (B, T, D, H): one step, one sample, H != D both ways, batches, and long sequences (T >= 100).
SHAPES = [(1, 1, 3, 2), (1, 4, 50, 100), (2, 5, 3, 4), (4, 7, 6, 3), (1, 120, 2, 5), (3, 100, 4, 4)]


@pytest.fixture(scope="module")
def torch():
    if os.environ.get("CI"):
        try:
            import torch
        except ImportError as error:
            pytest.fail(f"CI is set, so PyTorch must be installed for the cross-checks: {error}")
        return torch
    return pytest.importorskip("torch")


def random_module(torch, module_type, D, H, rng, **options):
    """A float64 torch module whose every parameter (both biases too) is drawn from our seeded generator."""
    module = module_type(D, H, batch_first=True, dtype=torch.float64, **options)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, size=tuple(parameter.shape))))
    return module


def assert_close(name, ours, theirs):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} vs PyTorch's {theirs.shape}"
    error = relative_error(ours, theirs)
    assert error < TOLERANCE, f"{name}: relative error {error:.1e} against PyTorch"


@pytest.mark.parametrize("B, T, D, H", SHAPES)
def test_lstm_forward_and_every_gradient_match_torch(torch, B, T, D, H):
    rng = np.random.default_rng(B * 1000 + T)
    module = random_module(torch, torch.nn.LSTM, D, H, rng)
    x, h0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    R, R_h, R_c = rng.normal(size=(B, T, H)), rng.normal(size=(B, H)), rng.normal(size=(B, H))

    x_t = torch.tensor(x, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)
    c0_t = torch.tensor(c0[None], requires_grad=True)
    hs_t, (h_T_t, c_T_t) = module(x_t, (h0_t, c0_t))
    loss = (hs_t * torch.tensor(R)).sum() + (h_T_t[0] * torch.tensor(R_h)).sum() + (c_T_t[0] * torch.tensor(R_c)).sum()
    loss.backward()

    p = LSTMParams.from_torch(module)
    hs, (h_T, c_T), cache = lstm_forward(x, p, h0, c0)
    dx, dh0, dc0, grads = lstm_backward(R, cache, R_h, R_c)
    for name, ours, theirs in [
        ("hs", hs, hs_t), ("h_T", h_T, h_T_t[0]), ("c_T", c_T, c_T_t[0]),
        ("dx", dx, x_t.grad), ("dh0", dh0, h0_t.grad[0]), ("dc0", dc0, c0_t.grad[0]),
        ("dW", grads.W, torch.cat([module.weight_ih_l0.grad, module.weight_hh_l0.grad], dim=1)),
        ("db vs bias_ih", grads.b, module.bias_ih_l0.grad), ("db vs bias_hh", grads.b, module.bias_hh_l0.grad),
    ]:
        assert_close(name, ours, theirs)


@pytest.mark.parametrize("B, T, D, H", SHAPES)
def test_rnn_forward_and_every_gradient_match_torch(torch, B, T, D, H):
    rng = np.random.default_rng(B * 1000 + T + 1)
    module = random_module(torch, torch.nn.RNN, D, H, rng)
    x, h0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H))
    R, R_h = rng.normal(size=(B, T, H)), rng.normal(size=(B, H))

    x_t = torch.tensor(x, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)
    hs_t, h_T_t = module(x_t, h0_t)
    ((hs_t * torch.tensor(R)).sum() + (h_T_t[0] * torch.tensor(R_h)).sum()).backward()

    p = RNNParams.from_torch(module)
    hs, h_T, cache = rnn_forward(x, p, h0)
    dx, dh0, grads = rnn_backward(R, cache, R_h)
    for name, ours, theirs in [
        ("hs", hs, hs_t), ("h_T", h_T, h_T_t[0]), ("dx", dx, x_t.grad), ("dh0", dh0, h0_t.grad[0]),
        ("dW", grads.W, torch.cat([module.weight_ih_l0.grad, module.weight_hh_l0.grad], dim=1)),
        ("db", grads.b, module.bias_ih_l0.grad),
    ]:
        assert_close(name, ours, theirs)


@pytest.mark.parametrize("cls, module_name", [(LSTMParams, "LSTM"), (RNNParams, "RNN")])
def test_conversion_round_trips_exactly(torch, cls, module_name):
    rng = np.random.default_rng(5)
    p = cls.init(3, 4, rng=rng)
    p.b[...] = rng.normal(size=p.b.shape)
    state = p.to_torch_state_dict()
    assert not state["bias_hh_l0"].any(), "all of b goes to bias_ih_l0, zeros to bias_hh_l0"
    back = cls.from_torch(state)
    assert np.array_equal(back.W, p.W) and np.array_equal(back.b, p.b)

    module = getattr(torch.nn, module_name)(3, 4, batch_first=True, dtype=torch.float64)
    module.load_state_dict(state)
    via_module = cls.from_torch(module)
    assert np.array_equal(via_module.W, p.W) and np.array_equal(via_module.b, p.b)
    # The module built from our parameters computes our forward pass.
    x = rng.normal(size=(2, 6, 3))
    ours = lstm_forward(x, p)[0] if cls is LSTMParams else rnn_forward(x, p)[0]
    assert relative_error(ours, module(torch.tensor(x))[0].detach().numpy()) < TOLERANCE
    # from_torch copies: changing the module afterwards leaves our parameters alone.
    with torch.no_grad():
        module.weight_ih_l0.add_(1.0)
    assert np.array_equal(via_module.W, p.W)


def test_float32_module_gives_float32_params_that_agree(torch):
    rng = np.random.default_rng(6)
    module = random_module(torch, torch.nn.LSTM, 4, 5, rng).float()
    p = LSTMParams.from_torch(module)
    assert p.dtype == np.float32
    x = rng.normal(size=(3, 20, 4)).astype(np.float32)
    hs, _, _ = lstm_forward(x, p)
    assert hs.dtype == np.float32
    expected = module(torch.from_numpy(x))[0].detach().numpy()
    assert relative_error(hs, expected) < 1e-6  # float32 rounding, different summation orders


def test_module_without_bias_converts_with_zero_bias(torch):
    rng = np.random.default_rng(7)
    module = random_module(torch, torch.nn.LSTM, 3, 2, rng, bias=False)
    p = LSTMParams.from_torch(module)
    assert not p.b.any()
    x = rng.normal(size=(2, 5, 3))
    assert relative_error(lstm_forward(x, p)[0], module(torch.tensor(x))[0].detach().numpy()) < TOLERANCE


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda torch: torch.nn.LSTM(3, 4, num_layers=2), "single-layer"),
        (lambda torch: torch.nn.LSTM(3, 4, bidirectional=True), "one-directional"),
        (lambda torch: torch.nn.LSTM(3, 4, proj_size=2), "proj_size=2"),
        (lambda torch: torch.nn.RNN(3, 4, nonlinearity="relu"), "tanh"),
    ],
)
def test_unrepresentable_modules_are_refused(torch, make, message):
    module = make(torch)
    cls = LSTMParams if isinstance(module, torch.nn.LSTM) else RNNParams
    with pytest.raises(ValueError, match=message):
        cls.from_torch(module)


def test_wrong_kind_of_state_dict_is_refused(torch):
    with pytest.raises(ValueError, match=r"weight_hh_l0 must have shape \(4H, H\)"):
        LSTMParams.from_torch(torch.nn.RNN(3, 4).state_dict())
    with pytest.raises(ValueError, match="single-layer"):
        LSTMParams.from_torch(torch.nn.LSTM(3, 4, num_layers=2).state_dict())
    with pytest.raises(TypeError, match="module_or_state_dict must be"):
        LSTMParams.from_torch(42)
