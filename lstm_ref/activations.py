"""The two squashing functions of an LSTM and their derivatives.

    sigmoid(x) = 1 / (1 + exp(-x))      values in (0, 1): used by the gates i, f, o ("how much to let through")
    tanh(x)                             values in (-1, 1): used by the candidate g and on the cell state

Every function here works elementwise on an array of any shape and returns an array of the same shape and
float dtype (float32 stays float32: no silent upcast).

Why sigmoid is written with tanh
--------------------------------
The textbook form ``1 / (1 + np.exp(-x))`` overflows for x < -709 in float64 (x < -88 in float32): ``exp(-x)``
becomes inf and NumPy prints a RuntimeWarning, even though the answer (0) is fine. The identity

    sigmoid(x) = 0.5 * (1 + tanh(x / 2))

gives the same values without ever computing a huge number, because tanh saturates at +-1 instead of
overflowing. Dividing by 2 and multiplying by 0.5 are exact in binary floating point, so the only rounding
comes from tanh and from the addition.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "sigmoid_derivative",
    "sigmoid_derivative_from_output",
    "tanh",
    "tanh_derivative",
    "tanh_derivative_from_output",
]


def sigmoid(x, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic sigmoid, sigma(x) = 1 / (1 + exp(-x)) = 0.5 * (1 + tanh(x / 2)), elementwise.

    Args:
        x: array of any shape (float32 or float64; integers are promoted to float64 by ``np.tanh``).
        out: optional array of ``x``'s shape to write the result into (may be ``x`` itself); the fused LSTM
            step uses it to avoid allocating a new array at every time step.

    Returns:
        array of ``x``'s shape, values in [0, 1]. No overflow warning for any finite input.
    """
    if out is None:
        return 0.5 * (1.0 + np.tanh(0.5 * x))
    # The same four operations, in the same order (so the same bits), done in place in `out`.
    np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def sigmoid_derivative(x) -> np.ndarray:
    """d sigma / dx = sigma(x) * (1 - sigma(x)), elementwise; ``x`` is the gate's INPUT (pre-activation)."""
    s = sigmoid(x)
    return s * (1.0 - s)


def sigmoid_derivative_from_output(s) -> np.ndarray:
    """The same derivative written with the sigmoid's OUTPUT ``s = sigma(x)``: s * (1 - s).

    Backpropagation uses this form: the forward pass already stored the gate values, so there is no need to
    recompute the sigmoid.
    """
    return s * (1.0 - s)


def tanh(x, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent, elementwise (``np.tanh``; named here so the course has one place for activations).

    Args:
        x: array of any shape. out: optional array to write into.
    Returns:
        array of ``x``'s shape, values in [-1, 1].
    """
    return np.tanh(x, out=out)


def tanh_derivative(x) -> np.ndarray:
    """d tanh / dx = 1 - tanh(x)**2, elementwise; ``x`` is the INPUT (pre-activation)."""
    t = np.tanh(x)
    return 1.0 - t * t


def tanh_derivative_from_output(t) -> np.ndarray:
    """The same derivative written with the OUTPUT ``t = tanh(x)``: 1 - t**2 (the form backpropagation uses)."""
    return 1.0 - t * t
