"""Optimisers and clipping: the update rules step by step, convergence, per-name state, strict inputs."""

import os

import numpy as np
import pytest

from lstm_ref.optim import SGD, Adam, clip_by_global_norm, global_norm


def _torch():
    """torch if installed; in CI (env var CI set) a missing torch is a failure, not a skip."""
    if os.environ.get("CI"):
        import torch
        return torch
    return pytest.importorskip("torch")


def _params_and_grads(seed=0):
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=3)}
    grads = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=3)}
    return params, grads


# --- SGD ---------------------------------------------------------------------------------------------------

def test_plain_sgd_step_is_minus_lr_times_gradient_in_place():
    params, grads = _params_and_grads()
    before = {name: value.copy() for name, value in params.items()}
    arrays = {name: value for name, value in params.items()}
    SGD(lr=0.5).step(params, grads)
    for name in params:
        assert params[name] is arrays[name], "the update must happen in place"
        np.testing.assert_allclose(params[name], before[name] - 0.5 * grads[name], rtol=1e-15)


def test_momentum_accumulates_velocity():
    params = {"w": np.array([1.0])}
    optimiser = SGD(lr=0.1, momentum=0.9)
    optimiser.step(params, {"w": np.array([1.0])})   # v = 1,          w = 1 - 0.1
    optimiser.step(params, {"w": np.array([1.0])})   # v = 0.9 + 1,    w = 0.9 - 0.19
    optimiser.step(params, {"w": np.array([0.0])})   # v = 1.71,       w = 0.71 - 0.171
    assert params["w"][0] == pytest.approx(1 - 0.1 - 0.19 - 0.171, rel=1e-14)


def test_state_is_kept_per_name():
    params = {"a": np.zeros(2), "b": np.zeros(2)}
    optimiser = Adam(lr=0.1)
    optimiser.step(params, {"a": np.array([1.0, 1.0]), "b": np.array([-2.0, 0.0])})
    np.testing.assert_allclose(optimiser.mean["a"], [0.1, 0.1])
    np.testing.assert_allclose(optimiser.mean["b"], [-0.2, 0.0])
    sgd = SGD(lr=0.1, momentum=0.5)
    sgd.step(params, {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])})
    np.testing.assert_array_equal(sgd.velocity["a"], [1.0, 2.0])
    np.testing.assert_array_equal(sgd.velocity["b"], [3.0, 4.0])


# --- Adam --------------------------------------------------------------------------------------------------

def test_adam_first_step_has_length_lr_per_element():
    # After one step the bias-corrected averages are m_hat = g and s_hat = g^2, so each element moves by
    # lr * g / (|g| + eps): about lr, whatever the gradient's size. That is Adam's point.
    params = {"w": np.zeros(4)}
    Adam(lr=0.01).step(params, {"w": np.array([1e-4, -3.0, 250.0, -1e-3])})
    np.testing.assert_allclose(params["w"], [-0.01, 0.01, -0.01, 0.01], rtol=1e-3)


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.05, momentum=0.9), lambda: Adam(lr=0.05)],
                         ids=["sgd-momentum", "adam"])
def test_optimisers_minimise_a_least_squares_problem(make):
    rng = np.random.default_rng(5)
    A, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    solution = np.linalg.lstsq(A, y, rcond=None)[0]
    params = {"w": np.zeros(3)}
    optimiser = make()
    for _ in range(2000):
        residual = A @ params["w"] - y
        optimiser.step(params, {"w": A.T @ residual / len(y)})   # gradient of 0.5 * mean(residual^2)
    np.testing.assert_allclose(params["w"], solution, atol=1e-4)


@pytest.mark.torch
def test_sgd_and_adam_agree_with_torch():
    torch = _torch()
    rng = np.random.default_rng(6)
    start = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) for _ in range(6)]
    for ours, make_theirs in [
        (SGD(lr=0.1, momentum=0.8), lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.8)),
        (Adam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6),
         lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ]:
        params = {"w": start.copy()}
        theirs = torch.nn.Parameter(torch.tensor(start))
        their_optimiser = make_theirs(theirs)
        for grad in grads:
            ours.step(params, {"w": grad})
            theirs.grad = torch.tensor(grad)
            their_optimiser.step()
        np.testing.assert_allclose(params["w"], theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


# --- bad input ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [SGD, Adam])
def test_step_rejects_mismatched_grads(make):
    params, grads = _params_and_grads()
    with pytest.raises(ValueError, match=r"grads\['W'\].*\(3, 4\).*\(4, 3\)"):
        make(lr=0.1).step(params, {"W": grads["W"].T, "b": grads["b"]})
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        make(lr=0.1).step(params, {"W": grads["W"]})
    with pytest.raises(TypeError, match="float32"):
        make(lr=0.1).step(params, {"W": grads["W"].astype(np.float32), "b": grads["b"]})
    with pytest.raises(ValueError, match="NaN"):
        make(lr=0.1).step(params, {"W": grads["W"] * np.nan, "b": grads["b"]})


def test_bad_hyperparameters_are_named():
    with pytest.raises(ValueError, match="lr"):
        SGD(lr=0.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="beta2"):
        Adam(beta2=-0.1)


# --- clipping ----------------------------------------------------------------------------------------------

def test_global_norm_is_over_all_arrays():
    grads = {"a": np.array([3.0]), "b": np.array([[4.0, 0.0]])}
    assert global_norm(grads) == pytest.approx(5.0)


def test_clipping_shrinks_a_long_gradient_to_max_norm_keeping_its_direction():
    _, grads = _params_and_grads(7)
    original = {name: value.copy() for name, value in grads.items()}
    norm = global_norm(grads)
    clipped, reported = clip_by_global_norm(grads, norm / 4)
    assert reported == pytest.approx(norm, rel=1e-15)
    assert global_norm(clipped) == pytest.approx(norm / 4, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(clipped[name], grads[name] / 4, rtol=1e-12)
        np.testing.assert_array_equal(grads[name], original[name])   # the input is left untouched


def test_clipping_leaves_a_short_gradient_unchanged():
    _, grads = _params_and_grads(8)
    clipped, norm = clip_by_global_norm(grads, global_norm(grads) * 2)
    for name in grads:
        np.testing.assert_array_equal(clipped[name], grads[name])
        assert clipped[name] is not grads[name]
    assert norm == pytest.approx(global_norm(grads))


def test_clipping_zero_gradients_and_bad_input():
    clipped, norm = clip_by_global_norm({"w": np.zeros(3)}, 1.0)
    assert norm == 0.0 and np.all(clipped["w"] == 0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm({"w": np.ones(3)}, 0.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        clip_by_global_norm({"w": np.array([1.0, np.inf])}, 1.0)
    with pytest.raises(TypeError, match="dict"):
        clip_by_global_norm([np.ones(3)], 1.0)
