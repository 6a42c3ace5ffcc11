"""One LSTM time step, gate by gate: the equations exactly as a learner writes them.

Notation (batch-first, one row per sequence in the batch):

    x_t      (B, D)      input at time t
    h_prev   (B, H)      hidden state h_{t-1}
    c_prev   (B, H)      cell state c_{t-1}
    z        (B, D + H)  z = [x_t, h_prev], what every gate looks at (``concat_input``)

    i = sigmoid(z @ W_i.T + b_i)      input gate:  how much of the candidate to write     (B, H), in (0, 1)
    f = sigmoid(z @ W_f.T + b_f)      forget gate: how much of the old cell to keep       (B, H), in (0, 1)
    g = tanh(z @ W_g.T + b_g)         candidate:   the new values that could be written   (B, H), in (-1, 1)
    o = sigmoid(z @ W_o.T + b_o)      output gate: how much of the cell to show as h      (B, H), in (0, 1)

    c = f * c_prev + i * g            cell_update:  the long-term memory                  (B, H)
    h = o * tanh(c)                   hidden_state: what the next step and the output see (B, H)

``lstm_ref.cell.lstm_step`` computes the same numbers with one fused matrix product; the tests check that the
two give identical results. Use these functions to read and teach, and ``lstm_step`` to compute.
"""

from __future__ import annotations

import numpy as np

from ._validation import require_dtype, require_float_array, require_params, require_shape
from .activations import sigmoid, tanh
from .params import LSTMParams

__all__ = ["concat_input", "input_gate", "forget_gate", "candidate", "output_gate", "cell_update", "hidden_state"]


def concat_input(x: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
    """z = [x_t, h_{t-1}]: the input and the previous hidden state side by side, x first.

    Args: x (B, D), h_prev (B, H), same float dtype.
    Returns: z (B, D + H).
    """
    x = require_float_array("x", x)
    h_prev = require_float_array("h_prev", h_prev)
    require_shape("x", x, ("B", "D"), (None, None))
    require_shape("h_prev", h_prev, ("B", "H"), (x.shape[0], None), why="B from x")
    require_dtype("h_prev", h_prev, x.dtype, params_name="x's values")
    return np.concatenate([x, h_prev], axis=1)


def _checked_z(z, p: LSTMParams) -> np.ndarray:
    require_params("p", p, LSTMParams)
    z = require_float_array("z", z)
    require_shape(
        "z", z, ("B", "D + H"), (None, p.W.shape[1]),
        why="D + H from the parameters; z = [x_t, h_prev] side by side",
    )
    require_dtype("z", z, p.dtype)
    return z


def input_gate(z: np.ndarray, p: LSTMParams) -> np.ndarray:
    """i = sigmoid(z @ W_i.T + b_i).  z (B, D + H), p LSTMParams -> i (B, H), values in (0, 1)."""
    z = _checked_z(z, p)
    return sigmoid(z @ p.W_i.T + p.b_i)


def forget_gate(z: np.ndarray, p: LSTMParams) -> np.ndarray:
    """f = sigmoid(z @ W_f.T + b_f).  z (B, D + H), p LSTMParams -> f (B, H), values in (0, 1).

    f close to 1 keeps the matching entry of the cell state; close to 0 erases it.
    """
    z = _checked_z(z, p)
    return sigmoid(z @ p.W_f.T + p.b_f)


def candidate(z: np.ndarray, p: LSTMParams) -> np.ndarray:
    """g = tanh(z @ W_g.T + b_g).  z (B, D + H), p LSTMParams -> g (B, H), values in (-1, 1).

    tanh, not sigmoid: the candidate is a value to write (it can be negative), not a fraction.
    """
    z = _checked_z(z, p)
    return tanh(z @ p.W_g.T + p.b_g)


def output_gate(z: np.ndarray, p: LSTMParams) -> np.ndarray:
    """o = sigmoid(z @ W_o.T + b_o).  z (B, D + H), p LSTMParams -> o (B, H), values in (0, 1)."""
    z = _checked_z(z, p)
    return sigmoid(z @ p.W_o.T + p.b_o)


def _same_shape_floats(**arrays: np.ndarray) -> None:
    """All arguments: float arrays of one (B, H) shape and one dtype (the first argument's)."""
    names = list(arrays)
    first = require_float_array(names[0], arrays[names[0]])
    require_shape(names[0], first, ("B", "H"), (None, None))
    for name in names[1:]:
        value = require_float_array(name, arrays[name])
        require_shape(name, value, ("B", "H"), first.shape, why=f"the shape of {names[0]}")
        require_dtype(name, value, first.dtype, params_name=f"{names[0]}'s values")


def cell_update(c_prev: np.ndarray, f: np.ndarray, i: np.ndarray, g: np.ndarray) -> np.ndarray:
    """c = f * c_prev + i * g: keep a fraction f of the old memory, write a fraction i of the candidate.

    All arguments and the result: (B, H). The sum (not a product through a squashing function) is what lets
    the gradient flow back through many steps: dc/dc_prev = f.
    """
    _same_shape_floats(c_prev=c_prev, f=f, i=i, g=g)
    return f * c_prev + i * g


def hidden_state(c: np.ndarray, o: np.ndarray) -> np.ndarray:
    """h = o * tanh(c): squash the cell state into (-1, 1), then let the output gate choose what to show.

    Args: c (B, H), o (B, H). Returns: h (B, H). (The seed tutorial forgot the tanh: see
    ``lstm_ref.tutorial_style.tutorial_hidden_state``.)
    """
    _same_shape_floats(c=c, o=o)
    return o * tanh(c)
