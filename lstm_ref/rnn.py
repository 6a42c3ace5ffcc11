"""The vanilla (Elman) tanh RNN, the model the LSTM was invented to improve on.

One step, batch-first:

    z = [x, h_prev]                 (B, D + H)
    h = tanh(z @ W.T + b)           (B, H)          W (H, D + H), b (H,)

Backward, given dh = dL/dh:

    da = dh * (1 - h**2)            through tanh                      (B, H)
    dz = da @ W  ->  dx = dz[:, :D],  dh_prev = dz[:, D:]
    dW = da.T @ z,  db = sum of da over the batch

Through time, dh_prev = (dh * (1 - h**2)) @ W_h is multiplied by the same W_h (times tanh's slope, at most 1)
at every step back: the gradient shrinks or grows geometrically, the vanishing/exploding gradient problem.
The LSTM's cell state path (dc_prev = dc * f) avoids that repeated matrix product.

Functions mirror the LSTM's: ``rnn_step``/``rnn_step_backward`` and ``rnn_forward``/``rnn_backward``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import require_cache, require_dtype, require_float_array, require_params, require_shape
from .params import RNNParams

__all__ = ["RNNStepCache", "RNNCache", "rnn_step", "rnn_step_backward", "rnn_forward", "rnn_backward"]


@dataclass(frozen=True, eq=False)
class RNNStepCache:
    """params: the RNNParams used; z: [x, h_prev] (B, D + H); h: the new hidden state (B, H)."""

    params: RNNParams
    z: np.ndarray
    h: np.ndarray


@dataclass(frozen=True, eq=False)
class RNNCache:
    """Time-major record of ``rnn_forward``: z (T, B, D + H) with z[t] = [x_t, h_{t-1}]; hs (T, B, H), hs[t] = h_t."""

    params: RNNParams
    z: np.ndarray
    hs: np.ndarray


def _check_state(name: str, value, B: int, H: int, dtype) -> np.ndarray:
    value = require_float_array(name, value)
    require_shape(name, value, ("B", "H"), (B, H), why="B from x, H from the parameters")
    require_dtype(name, value, dtype)
    return value


def rnn_step(x: np.ndarray, h_prev: np.ndarray, p: RNNParams):
    """One step h = tanh([x, h_prev] @ W.T + b).

    Args: x (B, D), h_prev (B, H), p RNNParams (W (H, D + H), b (H,)), one float dtype.
    Returns: h (B, H) and an ``RNNStepCache`` for ``rnn_step_backward``.
    """
    require_params("p", p, RNNParams)
    x = require_float_array("x", x)
    require_shape("x", x, ("B", "D"), (None, p.input_size), why="D from the parameters",
                  hint="For a whole sequence (B, T, D) use rnn_forward.")
    require_dtype("x", x, p.dtype)
    h_prev = _check_state("h_prev", h_prev, x.shape[0], p.hidden_size, p.dtype)
    z = np.concatenate([x, h_prev], axis=1)
    h = z @ p.W.T
    h += p.b
    np.tanh(h, out=h)
    return h, RNNStepCache(params=p, z=z, h=h.copy())


def rnn_step_backward(dh: np.ndarray, cache: RNNStepCache):
    """Gradients of one RNN step.

    Args: dh = dL/dh (B, H); cache from ``rnn_step``.
    Returns: dx (B, D), dh_prev (B, H), grads: RNNParams of dL/dW (H, D + H) and dL/db (H,).
    """
    require_cache("cache", cache, RNNStepCache, "rnn_step")
    p = cache.params
    D = p.input_size
    dh = _check_state("dh", dh, cache.z.shape[0], p.hidden_size, p.dtype)
    da = dh * (1.0 - cache.h * cache.h)
    dz = da @ p.W
    return dz[:, :D].copy(), dz[:, D:].copy(), RNNParams(da.T @ cache.z, da.sum(axis=0))


def rnn_forward(x: np.ndarray, p: RNNParams, h0: np.ndarray | None = None):
    """Run the RNN over a batch of sequences.

    Args: x (B, T, D); p RNNParams; h0 (B, H) or None for zeros.
    Returns: hs (B, T, H), h_T (B, H), and an ``RNNCache`` for ``rnn_backward``.
    """
    require_params("p", p, RNNParams)
    x = require_float_array("x", x)
    require_shape("x", x, ("B", "T", "D"), (None, None, p.input_size), why="D from the parameters",
                  hint="For one time step use rnn_step, or add a time axis with x[:, None, :].")
    require_dtype("x", x, p.dtype)
    B, T, D = x.shape
    H = p.hidden_size
    if B == 0 or T == 0:
        raise ValueError(f"x must hold at least one sequence of at least one step, got shape {x.shape}.")
    h0 = np.zeros((B, H), dtype=p.dtype) if h0 is None else _check_state("h0", h0, B, H, p.dtype)

    # As in lstm_forward: z[t] = [x_t, h_{t-1}], and h_t is written straight into z[t + 1].
    z = np.empty((T + 1, B, D + H), dtype=p.dtype)
    z[:T, :, :D] = x.transpose(1, 0, 2)
    z[T, :, :D] = 0.0
    z[0, :, D:] = h0
    pre_activation = np.empty((B, H), dtype=p.dtype)
    for t in range(T):
        np.matmul(z[t], p.W.T, out=pre_activation)
        pre_activation += p.b
        np.tanh(pre_activation, out=z[t + 1, :, D:])

    hs_time_major = np.ascontiguousarray(z[1:, :, D:])
    hs = np.ascontiguousarray(hs_time_major.transpose(1, 0, 2))
    return hs, hs[:, -1].copy(), RNNCache(params=p, z=z[:T], hs=hs_time_major)


def rnn_backward(dhs: np.ndarray | None, cache: RNNCache, dh_T: np.ndarray | None = None):
    """Backpropagation through time for ``rnn_forward``.

    Args: dhs = dL/dh_t for every step (B, T, H) or None; cache from ``rnn_forward``;
        dh_T = dL/dh_T for the returned final state (B, H) or None (adds to dhs[:, -1]).
    Returns: dx (B, T, D), dh0 (B, H), grads: RNNParams of dL/dW (H, D + H) and dL/db (H,).
    """
    require_cache("cache", cache, RNNCache, "rnn_forward")
    p = cache.params
    T, B = cache.z.shape[:2]
    H, D = p.hidden_size, p.input_size
    if dhs is not None:
        dhs = require_float_array("dhs", dhs)
        require_shape("dhs", dhs, ("B", "T", "H"), (B, T, H), why="the shape of hs from rnn_forward")
        require_dtype("dhs", dhs, p.dtype)
    dh_next = np.zeros((B, H), dtype=p.dtype) if dh_T is None else _check_state("dh_T", dh_T, B, H, p.dtype).copy()

    tanh_slope = 1.0 - cache.hs * cache.hs  # (T, B, H): tanh'(a_t) for every step at once
    W_h = p.W[:, D:]  # (H, H) view: the recurrent part
    da = np.empty((T, B, H), dtype=p.dtype)
    for t in reversed(range(T)):
        if dhs is None:
            np.multiply(dh_next, tanh_slope[t], out=da[t])
        else:
            np.add(dhs[:, t], dh_next, out=da[t])
            da[t] *= tanh_slope[t]
        np.matmul(da[t], W_h, out=dh_next)

    rows = da.reshape(T * B, H)
    dW = rows.T @ cache.z.reshape(T * B, D + H)
    dx = (rows @ p.W[:, :D]).reshape(T, B, D).transpose(1, 0, 2)
    return np.ascontiguousarray(dx), dh_next, RNNParams(dW, rows.sum(axis=0))
