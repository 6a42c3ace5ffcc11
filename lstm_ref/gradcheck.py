"""Checking a gradient by finite differences.

For a scalar function L of an array ``a``, the central difference

    dL/da[k]  ~=  (L(a + eps e_k) - L(a - eps e_k)) / (2 eps)

has an error of order eps**2 (from the curvature) plus about 1e-16 * |L| / eps (from rounding L), so
eps = 1e-6 in float64 gives roughly 8-10 correct digits: far more than enough to catch a wrong backward pass,
whose errors are usually of order 1. float32 has only ~7 digits in total, so it is refused here.

Compare an analytic gradient with the numerical one with ``relative_error``: below 1e-6 means the two agree
(a bug usually gives 1e-2 or more).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to every entry of ``array``.

    Args:
        f: a function of no arguments returning a scalar (e.g. the loss); it must read ``array`` when called,
            e.g. ``lambda: loss(lstm_forward(x, p)[0])`` with ``array = p.W``.
        array: a float64 NumPy array that ``f`` depends on. Each entry is perturbed IN PLACE by +-eps and
            restored to its exact original value afterwards (also if ``f`` raises).
        eps: the step, > 0.
    Returns:
        an array of ``array``'s shape: the estimate of df/darray.
    Cost: 2 * array.size calls of f, so keep arrays small.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"array must be the NumPy array that f reads (it is perturbed in place), got {type(array).__name__}."
        )
    if array.dtype != np.float64:
        raise TypeError(
            f"array must be float64 for finite differences, got {array.dtype}: with float32's ~7 digits the "
            "difference quotient is mostly rounding noise. Check gradients in float64."
        )
    if not (isinstance(eps, (float, int)) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}.")
    if not array.flags.writeable:
        raise ValueError("array must be writeable: it is perturbed in place.")

    def value() -> float:
        result = np.asarray(f())
        if result.size != 1:
            raise ValueError(f"f() must return a scalar (the loss), got an array of shape {result.shape}.")
        return float(result.reshape(()))

    grad = np.empty_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        try:
            array[index] = original + eps
            above = value()
            array[index] = original - eps
            below = value()
        finally:
            array[index] = original
        grad[index] = (above - below) / (2.0 * eps)
    return grad


def relative_error(a, b) -> float:
    """max |a - b| / max(|a| + |b|, tiny): one number for how far apart two arrays are, relative to their size.

    Both maxima run over all entries (so a few tiny entries do not blow the ratio up, as an entrywise relative
    error would); ``tiny`` (the smallest normal float64, ~2.2e-308) only prevents 0/0 when both are all zeros,
    in which case the error is 0. The shapes must match exactly (no broadcasting).
    Returns a float in [0, 1]: ~1e-16 for identical computations done in a different order, below ~1e-7 for a
    correct gradient against finite differences, 1 when one array is zero and the other is not.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a {a.shape} and b {b.shape}.")
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a) + np.abs(b))), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b)) / scale)
