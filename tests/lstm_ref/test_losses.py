"""Losses: values from their definitions, gradients by finite differences, stability, strict inputs."""

import os
import warnings

import numpy as np
import pytest

from lstm_ref.gradcheck import numerical_gradient, relative_error
from lstm_ref.losses import log_softmax, mean_squared_error, softmax, softmax_cross_entropy


def _torch():
    """torch if installed; in CI (env var CI set) a missing torch is a failure, not a skip."""
    if os.environ.get("CI"):
        import torch
        return torch
    return pytest.importorskip("torch")


# --- mean squared error ------------------------------------------------------------------------------------

def test_mse_value_by_hand():
    pred = np.array([[1.0, 2.0], [0.0, -1.0]])
    target = np.array([[0.0, 0.0], [0.0, 1.0]])
    loss, dpred = mean_squared_error(pred, target)
    # squared errors 1, 4, 0, 4 -> mean 9/4; gradient 2 * error / 4
    assert loss == pytest.approx(9 / 4)
    np.testing.assert_allclose(dpred, [[0.5, 1.0], [0.0, -1.0]])


@pytest.mark.parametrize("shape", [(3, 1), (2, 5, 3)])
def test_mse_gradient_matches_finite_differences(shape):
    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    _, dpred = mean_squared_error(pred, target)
    numeric = numerical_gradient(lambda: mean_squared_error(pred, target)[0], pred, 1e-6)
    assert relative_error(dpred, numeric) < 1e-8


def test_mse_keeps_float32():
    pred = np.ones((2, 1), dtype=np.float32)
    _, dpred = mean_squared_error(pred, np.zeros((2, 1), dtype=np.float32))
    assert dpred.dtype == np.float32


def test_mse_refuses_broadcasting_and_names_both_shapes():
    with pytest.raises(ValueError) as info:
        mean_squared_error(np.zeros((4, 1)), np.zeros(4))
    message = str(info.value)
    assert "pred" in message and "target" in message and "(4, 1)" in message and "(4,)" in message


@pytest.mark.parametrize("pred, target, error, words", [
    ([[1.0]], np.zeros((1, 1)), TypeError, "pred"),
    (np.zeros((1, 1), dtype=int), np.zeros((1, 1)), TypeError, "pred"),
    (np.zeros((1, 1)), np.zeros((1, 1), dtype=np.float32), TypeError, "float32"),
    (np.array([[np.nan]]), np.zeros((1, 1)), ValueError, "pred"),
    (np.zeros((1, 1)), np.array([[np.inf]]), ValueError, "target"),
    (np.zeros((0, 1)), np.zeros((0, 1)), ValueError, "empty"),
])
def test_mse_bad_inputs(pred, target, error, words):
    with pytest.raises(error, match=words):
        mean_squared_error(pred, target)


# --- softmax cross-entropy ---------------------------------------------------------------------------------

def test_cross_entropy_from_its_definition():
    logits = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 3.0]])
    labels = np.array([0, 1])
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # fine: small logits, no overflow
    expected = -(np.log(probs[0, 0]) + np.log(probs[1, 1])) / 2
    loss, dlogits = softmax_cross_entropy(logits, labels)
    assert loss == pytest.approx(expected, rel=1e-14)
    expected_grad = probs.copy()
    expected_grad[[0, 1], labels] -= 1.0
    np.testing.assert_allclose(dlogits, expected_grad / 2, rtol=1e-13, atol=1e-16)


def test_uniform_logits_cost_log_k():
    loss, _ = softmax_cross_entropy(np.zeros((5, 7)), np.arange(5))
    assert loss == pytest.approx(np.log(7), rel=1e-14)


@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 4)])
def test_cross_entropy_gradient_matches_finite_differences(shape):
    rng = np.random.default_rng(1)
    logits = rng.normal(size=shape) * 3
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    _, dlogits = softmax_cross_entropy(logits, labels)
    numeric = numerical_gradient(lambda: softmax_cross_entropy(logits, labels)[0], logits, 1e-6)
    assert relative_error(dlogits, numeric) < 1e-7


def test_cross_entropy_over_steps_equals_the_flattened_rows():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(3, 4, 5))
    labels = rng.integers(0, 5, size=(3, 4))
    loss, dlogits = softmax_cross_entropy(logits, labels)
    flat_loss, flat_grad = softmax_cross_entropy(logits.reshape(12, 5), labels.reshape(12))
    assert loss == pytest.approx(flat_loss, rel=1e-15)
    np.testing.assert_array_equal(dlogits, flat_grad.reshape(3, 4, 5))


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [-1e5, 1e5, 0.0]])
    labels = np.array([1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would raise here
        loss, dlogits = softmax_cross_entropy(logits, labels)
    # Row 0: log p_1 = -1000 (exactly, to rounding); row 1 is certain and right: log p_1 = 0.
    assert loss == pytest.approx(1000 / 2, rel=1e-12)
    assert np.all(np.isfinite(dlogits))
    # The gradient of each row sums to zero (probabilities sum to 1, the one-hot too).
    np.testing.assert_allclose(dlogits.sum(axis=1), 0.0, atol=1e-15)


def test_softmax_and_log_softmax_agree():
    logits = np.random.default_rng(3).normal(size=(4, 6)) * 50
    np.testing.assert_allclose(softmax(logits).sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.log(softmax(logits) + 1e-300), log_softmax(logits), atol=1e-10)


@pytest.mark.parametrize("logits, labels, error, words", [
    (np.zeros((2, 3)), np.array([0.0, 1.0]), TypeError, "integer"),
    (np.zeros((2, 3)), [0, 1], TypeError, "labels"),
    (np.zeros((2, 3), dtype=int), np.array([0, 1]), TypeError, "logits"),
    (np.zeros((2, 3)), np.array([0, 3]), ValueError, r"\[0, 3\)"),
    (np.zeros((2, 3)), np.array([-1, 0]), ValueError, "labels"),
    (np.zeros((2, 3)), np.array([[0, 1]]), ValueError, r"\(2,\).*\(1, 2\)"),
    (np.zeros(3), np.array(0), ValueError, "logits"),
    (np.array([[0.0, np.nan, 0.0]]), np.array([0]), ValueError, "logits"),
])
def test_cross_entropy_bad_inputs(logits, labels, error, words):
    with pytest.raises(error, match=words):
        softmax_cross_entropy(logits, labels)


# --- against PyTorch ---------------------------------------------------------------------------------------

@pytest.mark.torch
def test_losses_agree_with_torch():
    torch = _torch()
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(6, 5)) * 4
    labels = rng.integers(0, 5, size=6)
    z = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(z, torch.tensor(labels))
    expected.backward()
    loss, dlogits = softmax_cross_entropy(logits, labels)
    assert loss == pytest.approx(expected.item(), rel=1e-13)
    assert relative_error(dlogits, z.grad.numpy()) < 1e-13

    pred, target = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    p = torch.tensor(pred, requires_grad=True)
    expected = torch.nn.functional.mse_loss(p, torch.tensor(target))
    expected.backward()
    loss, dpred = mean_squared_error(pred, target)
    assert loss == pytest.approx(expected.item(), rel=1e-13)
    assert relative_error(dpred, p.grad.numpy()) < 1e-13
