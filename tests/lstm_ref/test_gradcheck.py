"""numerical_gradient and relative_error: correct on functions with known gradients, and careful."""

import numpy as np
import pytest

from lstm_ref import numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic_is_right():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    v = rng.normal(size=4)
    # L(v) = v.T A v has gradient (A + A.T) v; central differences are exact for quadratics up to rounding.
    grad = numerical_gradient(lambda: v @ A @ v, v)
    np.testing.assert_allclose(grad, (A + A.T) @ v, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_on_a_2d_array_and_restores_it_exactly():
    rng = np.random.default_rng(1)
    M = rng.normal(size=(3, 2))
    original = M.copy()
    grad = numerical_gradient(lambda: np.sum(np.sin(M)), M)
    np.testing.assert_allclose(grad, np.cos(original), rtol=1e-8)
    assert np.array_equal(M, original), "every entry must be put back bit for bit"


def test_array_is_restored_even_when_f_raises():
    M = np.arange(4.0)
    calls = []

    def f():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return M.sum()

    with pytest.raises(RuntimeError):
        numerical_gradient(f, M)
    assert np.array_equal(M, np.arange(4.0))


def test_bad_arguments():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
    with pytest.raises(TypeError, match="NumPy array"):
        numerical_gradient(lambda: 0.0, [0.0, 1.0])
    v = np.zeros(3)
    with pytest.raises(ValueError, match=r"f\(\) must return a scalar.*\(3,\)"):
        numerical_gradient(lambda: v * 2, v)
    with pytest.raises(ValueError, match="eps must be a positive number"):
        numerical_gradient(lambda: v.sum(), v, eps=0)


def test_relative_error_definition():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, np.zeros(3)) == 1.0
    b = a + np.array([0.0, 0.0, 1e-3])
    # max |a - b| = 1e-3 divided by max(|a| + |b|) = 3 + 3.001
    assert relative_error(a, b) == pytest.approx(1e-3 / 6.001, rel=1e-12)
    assert relative_error(a, b) == relative_error(b, a)
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(1, 3\)"):
        relative_error(a, a[None])
