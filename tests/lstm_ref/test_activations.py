"""sigmoid / tanh and their derivatives: values, range, dtype, and no overflow warnings."""

import warnings

import numpy as np
import pytest

from lstm_ref.activations import (
    sigmoid,
    sigmoid_derivative,
    sigmoid_derivative_from_output,
    tanh,
    tanh_derivative,
    tanh_derivative_from_output,
)


def test_sigmoid_matches_the_textbook_formula_where_that_one_is_safe():
    x = np.linspace(-30, 30, 2001)
    textbook = 1.0 / (1.0 + np.exp(-x))
    # Two different roundings of the same function: they agree to a few units in the last place.
    np.testing.assert_allclose(sigmoid(x), textbook, rtol=1e-15, atol=1e-16)


def test_sigmoid_known_values_and_symmetry():
    assert sigmoid(np.array(0.0)) == 0.5
    x = np.random.default_rng(0).normal(scale=5, size=1000)
    np.testing.assert_allclose(sigmoid(-x), 1.0 - sigmoid(x), atol=1e-16)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_never_overflows_and_saturates_cleanly(dtype):
    info = np.finfo(dtype)
    x = np.array([-info.max, -1e5, -800.0, -100.0, 0.0, 100.0, 800.0, 1e5, info.max], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow in exp) fails the test
        with np.errstate(all="raise"):
            s = sigmoid(x)
    assert s.dtype == dtype
    assert s[0] == 0.0 and s[-1] == 1.0
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) >= 0), "sigmoid must be monotone"


def test_float32_stays_float32_everywhere():
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    for function in (sigmoid, sigmoid_derivative, tanh, tanh_derivative):
        assert function(x).dtype == np.float32, function.__name__
    for function in (sigmoid_derivative_from_output, tanh_derivative_from_output):
        assert function(sigmoid(x)).dtype == np.float32, function.__name__


def test_sigmoid_out_argument_writes_in_place_with_identical_values():
    x = np.random.default_rng(1).normal(size=(3, 4))
    expected = sigmoid(x)
    buffer = x.copy()
    result = sigmoid(buffer, out=buffer)
    assert result is buffer
    assert np.array_equal(buffer, expected)


@pytest.mark.parametrize(
    "function, derivative, from_output",
    [
        (sigmoid, sigmoid_derivative, sigmoid_derivative_from_output),
        (tanh, tanh_derivative, tanh_derivative_from_output),
    ],
)
def test_derivatives_match_central_differences(function, derivative, from_output):
    x = np.linspace(-6, 6, 101)
    eps = 1e-6
    numeric = (function(x + eps) - function(x - eps)) / (2 * eps)
    np.testing.assert_allclose(derivative(x), numeric, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(from_output(function(x)), derivative(x), rtol=1e-12, atol=1e-16)
