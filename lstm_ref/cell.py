"""One LSTM time step, fused: all four gates from ONE matrix product, and its exact gradient.

Forward (shapes batch-first; G = [i, f, g, o] side by side, see ``lstm_ref.gates`` for each equation):

    z = [x, h_prev]                          (B, D + H)
    a = z @ W.T + b                          (B, 4H)   pre-activations of the four gates
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o);   g = tanh(a_g)          each (B, H)
    c = f * c_prev + i * g                   (B, H)
    h = o * tanh(c)                          (B, H)

Backward, given dh = dL/dh and dc = dL/dc from later in the network (the chain rule, term by term):

    dc_total = dc + dh * o * (1 - tanh(c)**2)         every path into c: directly, and through h = o*tanh(c)
    di = dc_total * g,  df = dc_total * c_prev,  dg = dc_total * i,  do = dh * tanh(c)
    da = [di * i(1-i), df * f(1-f), dg * (1-g**2), do * o(1-o)]   through each gate's activation   (B, 4H)
    dz = da @ W  ->  dx = dz[:, :D],  dh_prev = dz[:, D:]
    dW = da.T @ z,   db = sum of da over the batch,   dc_prev = dc_total * f

The private helpers below do this arithmetic into preallocated arrays; ``lstm_ref.sequence`` calls the very same
helpers inside its time loop, so one step of ``lstm_forward`` and ``lstm_step`` compute identical numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import require_cache, require_dtype, require_float_array, require_params, require_shape
from .params import LSTMParams

__all__ = ["LSTMStepCache", "lstm_step", "lstm_step_backward"]


@dataclass(frozen=True, eq=False)
class LSTMStepCache:
    """What ``lstm_step_backward`` needs from the forward step (all (B, H) except where noted).

    params: the LSTMParams used (the object itself, not a copy: change the weights only after the backward
    pass); z: [x, h_prev] (B, D + H); gates: [i, f, g, o] after their activations (B, 4H); c_prev: the
    previous cell state; tanh_c: tanh of the new cell state.
    """

    params: LSTMParams
    z: np.ndarray
    gates: np.ndarray
    c_prev: np.ndarray
    tanh_c: np.ndarray

    # Named views of the gate block, for reading the cache.
    @property
    def i(self) -> np.ndarray:
        return _split(self.gates)[0]

    @property
    def f(self) -> np.ndarray:
        return _split(self.gates)[1]

    @property
    def g(self) -> np.ndarray:
        return _split(self.gates)[2]

    @property
    def o(self) -> np.ndarray:
        return _split(self.gates)[3]


def _split(gates: np.ndarray):
    """Views of the four (..., H) blocks of a (..., 4H) array, in the order i, f, g, o."""
    H = gates.shape[-1] // 4
    return gates[..., :H], gates[..., H : 2 * H], gates[..., 2 * H : 3 * H], gates[..., 3 * H :]


# ------------------------------------------------------------------------------------------ forward kernel
def _gate_scale_and_shift(H: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Two (4H,) vectors that let ONE tanh produce all four gates.

    sigmoid(a) = 0.5 + 0.5 * tanh(0.5 * a)   and   tanh(a) = 0 + 1 * tanh(1 * a),
    so with scale = [0.5, 0.5, 1, 0.5] and shift = [0.5, 0.5, 0, 0.5] (one value per block i, f, g, o),
    shift + scale * tanh(scale * a) is sigmoid for i, f, o and tanh for g. Multiplying by 0.5 or 1 is exact,
    so the gate values are bit for bit those of ``lstm_ref.activations.sigmoid`` and ``np.tanh``.
    """
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H : 3 * H] = 1.0
    shift = np.full(4 * H, 0.5, dtype=dtype)
    shift[2 * H : 3 * H] = 0.0
    return scale, shift


def _step_forward_into(z, W, b, scale, shift, c_prev, gates, c, tanh_c, h) -> None:
    """Fill ``gates`` (B, 4H), ``c``, ``tanh_c`` and ``h`` (B, H) for one step. No checks and no allocation
    beyond NumPy's temporaries: the caller owns every output array (``h`` may be a strided view)."""
    np.matmul(z, W.T, out=gates)  # all four gates' pre-activations in one product
    gates += b
    gates *= scale  # one tanh for all four gates (see _gate_scale_and_shift)
    np.tanh(gates, out=gates)
    gates *= scale
    gates += shift
    i, f, g, o = _split(gates)
    np.multiply(f, c_prev, out=c)
    np.multiply(i, g, out=tanh_c)  # tanh_c is free until two lines below: use it for i * g
    c += tanh_c
    np.tanh(c, out=tanh_c)
    np.multiply(o, tanh_c, out=h)


# ----------------------------------------------------------------------------------------- backward kernels
def _local_derivatives(gates, c_prev, tanh_c, to_cell, to_output, h_to_c) -> None:
    """Fill the parts of the chain rule that depend only on the forward pass, for any leading shape (..., B).

    to_cell (..., B, 3, H): multiply dc_total by it to get da_i, da_f, da_g:
        [g * i(1-i), c_prev * f(1-f), i * (1 - g**2)]
    to_output (..., B, H): multiply dh by it to get da_o = tanh(c) * o(1-o).
    h_to_c (..., B, H): multiply dh by it to get dh's share of dc_total = o * (1 - tanh(c)**2).
    ``lstm_backward`` computes these for a block of time steps at once, ahead of its loop over those steps, so
    the loop only does the few operations that really depend on the gradient arriving from the future. Every
    operation writes into the caller's arrays: temporaries of this size would cost more than the arithmetic.
    """
    i, f, g, o = _split(gates)
    H = i.shape[-1]
    i_and_f = gates[..., : 2 * H].reshape(i.shape[:-1] + (2, H))  # neighbours in memory: one sigmoid slope
    slope_if = to_cell[..., :2, :]
    np.subtract(1.0, i_and_f, out=slope_if)
    slope_if *= i_and_f  # [i(1-i), f(1-f)]
    to_cell[..., 0, :] *= g
    to_cell[..., 1, :] *= c_prev
    np.multiply(g, g, out=to_cell[..., 2, :])
    np.subtract(1.0, to_cell[..., 2, :], out=to_cell[..., 2, :])
    to_cell[..., 2, :] *= i
    np.subtract(1.0, o, out=to_output)
    to_output *= o
    to_output *= tanh_c
    np.multiply(tanh_c, tanh_c, out=h_to_c)
    np.subtract(1.0, h_to_c, out=h_to_c)
    h_to_c *= o


def _backward_factor_arrays(leading: tuple, H: int, dtype):
    """Empty (to_cell, to_output, h_to_c) arrays for ``_local_derivatives``, leading shape ``leading``."""
    return (np.empty(leading + (3, H), dtype=dtype), np.empty(leading + (H,), dtype=dtype),
            np.empty(leading + (H,), dtype=dtype))


def _step_backward_into(dh, dc, to_cell, to_output, h_to_c, f, da, dc_prev, dc_total) -> None:
    """One step of the backward recursion: fill ``da`` (B, 4H) and ``dc_prev`` (B, H) from dh, dc (B, H).

    ``dc`` may be the same array as ``dc_prev`` (the time loop reuses one buffer); ``dc_total`` (B, H) is
    scratch space for dL/dc_t from every path.
    """
    B, H = dh.shape
    np.multiply(dh, h_to_c, out=dc_total)
    dc_total += dc
    np.multiply(dc_total[:, None, :], to_cell, out=da[:, : 3 * H].reshape(B, 3, H))  # da_i, da_f, da_g
    np.multiply(dh, to_output, out=da[:, 3 * H :])  # da_o
    np.multiply(dc_total, f, out=dc_prev)


# -------------------------------------------------------------------------------------------- public API
def _check_state(name: str, value, B: int, H: int, dtype) -> np.ndarray:
    value = require_float_array(name, value)
    require_shape(name, value, ("B", "H"), (B, H), why="B from x, H from the parameters")
    require_dtype(name, value, dtype)
    return value


def lstm_step(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, p: LSTMParams):
    """One LSTM time step for a batch, all gates from one product z @ W.T (equations in the module docstring).

    Args:
        x: input at this step, (B, D).
        h_prev: previous hidden state, (B, H).
        c_prev: previous cell state, (B, H).
        p: LSTMParams with W (4H, D + H), b (4H,); the same float dtype as the arrays.
    Returns:
        h (B, H), c (B, H), and an ``LSTMStepCache`` for ``lstm_step_backward``.
    """
    require_params("p", p, LSTMParams)
    x = require_float_array("x", x)
    require_shape("x", x, ("B", "D"), (None, p.input_size), why="D from the parameters",
                  hint="For a whole sequence (B, T, D) use lstm_forward.")
    require_dtype("x", x, p.dtype)
    B, H = x.shape[0], p.hidden_size
    h_prev = _check_state("h_prev", h_prev, B, H, p.dtype)
    c_prev = _check_state("c_prev", c_prev, B, H, p.dtype)

    z = np.concatenate([x, h_prev], axis=1)
    gates = np.empty((B, 4 * H), dtype=p.dtype)
    c, tanh_c, h = (np.empty((B, H), dtype=p.dtype) for _ in range(3))
    _step_forward_into(z, p.W, p.b, *_gate_scale_and_shift(H, p.dtype), c_prev, gates, c, tanh_c, h)
    return h, c, LSTMStepCache(params=p, z=z, gates=gates, c_prev=c_prev.copy(), tanh_c=tanh_c)


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray, cache: LSTMStepCache):
    """Gradients of one LSTM step (equations in the module docstring).

    Args:
        dh: dL/dh for this step's hidden state, (B, H) (from the output AND from the next step).
        dc: dL/dc for this step's cell state, (B, H) (from the next step; zeros at the last step).
        cache: the ``LSTMStepCache`` returned by ``lstm_step``.
    Returns:
        dx (B, D), dh_prev (B, H), dc_prev (B, H), and grads: an LSTMParams holding dL/dW (4H, D + H) and
        dL/db (4H,).
    """
    require_cache("cache", cache, LSTMStepCache, "lstm_step")
    p = cache.params
    B, H, D = cache.z.shape[0], p.hidden_size, p.input_size
    dh = _check_state("dh", dh, B, H, p.dtype)
    dc = _check_state("dc", dc, B, H, p.dtype)

    factors = _backward_factor_arrays((B,), H, p.dtype)
    _local_derivatives(cache.gates, cache.c_prev, cache.tanh_c, *factors)
    da = np.empty((B, 4 * H), dtype=p.dtype)
    dc_prev, dc_total = np.empty((B, H), dtype=p.dtype), np.empty((B, H), dtype=p.dtype)
    _step_backward_into(dh, dc, *factors, cache.f, da, dc_prev, dc_total)
    dz = da @ p.W
    grads = LSTMParams(da.T @ cache.z, da.sum(axis=0))
    return dz[:, :D].copy(), dz[:, D:].copy(), dc_prev, grads
