"""A whole sequence through an LSTM, and backpropagation through time (BPTT).

Forward: for t = 0 .. T-1, (h_t, c_t) = step(x_t, h_{t-1}, c_{t-1}) with the fused step of ``lstm_ref.cell``,
starting from h0, c0 (zeros unless given). Backward: walk the same steps in reverse; at every step the hidden
state's gradient is what the loss says about h_t directly (``dhs[:, t]``) PLUS what flowed back from step t+1;
the cell state's gradient only flows back from step t+1 (dc_{t-1} = dc_total * f_t: the forget gate decides how
much of the gradient survives, which is why an LSTM can learn long-range dependencies).

Shapes: x (B, T, D) in, hs (B, T, H) out, batch first like ``torch.nn.LSTM(batch_first=True)``.
Inside, arrays are stored time-major, (T, B, ...), so the slab of one time step is contiguous in memory.

What makes it fast (see benchmarks/RESULTS.md):
- one (B, D + H) x (D + H, 4H) product per step, into preallocated arrays (no allocation in the loop);
- z_t = [x_t, h_{t-1}] lives in one preallocated array: h_t is copied into its slot, so no concatenation;
- in the backward pass only the recurrent product da_t @ W_h stays in the loop: everything that depends only
  on the forward pass is computed for all steps at once before it, and the weight gradient
  dW = sum_t da_t.T @ z_t and the input gradient dx_t = da_t @ W_x are ONE product each over all T*B rows after it;
- the rows of a batch never interact, so a large batch is split over the CPU's cores, each group of rows running
  the time loop in its own thread (``lstm_ref._parallel``): NumPy's elementwise work, about a third of the pass,
  would otherwise stay on one core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._parallel import run_in_threads, split, thread_count
from ._validation import require_cache, require_dtype, require_float_array, require_params, require_shape
from .cell import (_backward_factor_arrays, _gate_scale_and_shift, _local_derivatives, _split, _step_backward_into,
                   _step_forward_into)
from .params import LSTMParams

__all__ = ["LSTMCache", "lstm_forward", "lstm_backward"]

# Size (in gate values, rows * 4H * steps) of the block of steps whose backward factors are computed together:
# 2 MB in float64. Bigger blocks mean fewer, longer NumPy calls (which matters most when the batch is split over
# threads, as each call hands the GIL over); all steps at once streams through memory and is slower again.
# Measured with benchmarks/bench_lstm.py; any value gives the same results, only the speed changes.
_BLOCK_ELEMENTS = 262144


@dataclass(frozen=True, eq=False)
class LSTMCache:
    """What ``lstm_backward`` needs from ``lstm_forward``; time-major arrays (index t first).

    params: the LSTMParams used (the object itself, not a copy: update the parameters only after the
        backward pass, or it will use the new weights with the old activations).
    z: (T, B, D + H), z[t] = [x_t, h_{t-1}].
    gates: (T, B, 4H), [i, f, g, o] of every step after their activations.
    cells: (T + 1, B, H), cells[0] = c0 and cells[t + 1] = c_t.
    tanh_c: (T, B, H), tanh(c_t).
    """

    params: LSTMParams
    z: np.ndarray
    gates: np.ndarray
    cells: np.ndarray
    tanh_c: np.ndarray

    @property
    def batch_size(self) -> int:
        return self.z.shape[1]

    @property
    def seq_len(self) -> int:
        return self.z.shape[0]


def _initial_state(name: str, value, B: int, H: int, dtype) -> np.ndarray:
    if value is None:
        return np.zeros((B, H), dtype=dtype)
    value = require_float_array(name, value)
    require_shape(name, value, ("B", "H"), (B, H), why="B from x, H from the parameters")
    require_dtype(name, value, dtype)
    return value


def lstm_forward(x: np.ndarray, p: LSTMParams, h0: np.ndarray | None = None, c0: np.ndarray | None = None):
    """Run an LSTM over a batch of sequences.

    Args:
        x: inputs, (B, T, D), float32 or float64 like ``p``.
        p: LSTMParams, W (4H, D + H), b (4H,).
        h0, c0: initial hidden and cell states, (B, H); zeros if None.
    Returns:
        hs: every hidden state, (B, T, H) (hs[:, t] = h_t);
        (h_T, c_T): the final states, each (B, H);
        cache: an ``LSTMCache`` for ``lstm_backward``.
    """
    require_params("p", p, LSTMParams)
    x = require_float_array("x", x)
    require_shape("x", x, ("B", "T", "D"), (None, None, p.input_size), why="D from the parameters",
                  hint="For one time step use lstm_step, or add a time axis with x[:, None, :].")
    require_dtype("x", x, p.dtype)
    B, T, D = x.shape
    H = p.hidden_size
    if B == 0 or T == 0:
        raise ValueError(f"x must hold at least one sequence of at least one step, got shape {x.shape}.")
    h0 = _initial_state("h0", h0, B, H, p.dtype)
    c0 = _initial_state("c0", c0, B, H, p.dtype)

    z = np.empty((T, B, D + H), dtype=p.dtype)  # z[t] = [x_t, h_{t-1}]
    z[:, :, :D] = x.transpose(1, 0, 2)
    z[0, :, D:] = h0
    gates = np.empty((T, B, 4 * H), dtype=p.dtype)
    cells = np.empty((T + 1, B, H), dtype=p.dtype)
    cells[0] = c0
    tanh_c = np.empty((T, B, H), dtype=p.dtype)
    hs = np.empty((B, T, H), dtype=p.dtype)

    scale, shift = _gate_scale_and_shift(H, p.dtype)

    def forward_steps(rows: slice) -> None:  # the recurrence for one group of batch rows (see lstm_ref._parallel)
        for t in range(T):
            _step_forward_into(z[t, rows], p.W, p.b, scale, shift, cells[t, rows], gates[t, rows],
                               cells[t + 1, rows], tanh_c[t, rows], h=hs[rows, t])
            if t + 1 < T:
                z[t + 1, rows, D:] = hs[rows, t]  # h_t is half of the next step's input

    run_in_threads(forward_steps, split(B, thread_count(B, 4 * H)))

    final = (hs[:, -1].copy(), cells[T].copy())
    return hs, final, LSTMCache(params=p, z=z, gates=gates, cells=cells, tanh_c=tanh_c)


def lstm_backward(dhs: np.ndarray | None, cache: LSTMCache, dh_T: np.ndarray | None = None,
                  dc_T: np.ndarray | None = None):
    """Backpropagation through time for ``lstm_forward``.

    Args:
        dhs: dL/dh_t for every step, (B, T, H) (None: the loss does not look at hs).
        cache: the ``LSTMCache`` returned by ``lstm_forward``.
        dh_T, dc_T: dL/dh_T and dL/dc_T for the returned final states, (B, H); zeros if None.
            (dh_T adds to dhs[:, -1]: both are gradients of the same h_T.)
    Returns:
        dx (B, T, D), dh0 (B, H), dc0 (B, H), and grads: an LSTMParams of dL/dW (4H, D + H) and dL/db (4H,).
    """
    require_cache("cache", cache, LSTMCache, "lstm_forward")
    p = cache.params
    T, B, H, D = cache.seq_len, cache.batch_size, p.hidden_size, p.input_size
    if dhs is not None:
        dhs = require_float_array("dhs", dhs)
        require_shape("dhs", dhs, ("B", "T", "H"), (B, T, H), why="the shape of hs from lstm_forward")
        require_dtype("dhs", dhs, p.dtype)
    dh_next = _initial_state("dh_T", dh_T, B, H, p.dtype).copy()  # dL/dh_t arriving from step t+1
    dc = _initial_state("dc_T", dc_T, B, H, p.dtype).copy()  # dL/dc_t, updated in place each step

    f = _split(cache.gates)[1]
    W_h = p.W[:, D:]  # (4H, H) view: the recurrent part, the only product left in the loop
    da = np.empty((T, B, 4 * H), dtype=p.dtype)  # pre-activation gradients of every step

    def backward_steps(rows: slice) -> None:  # the recursion for one group of batch rows (see lstm_ref._parallel)
        n = rows.stop - rows.start
        dh, dc_total = np.empty((n, H), dtype=p.dtype), np.empty((n, H), dtype=p.dtype)
        # The chain-rule factors that depend only on the forward pass are computed for a block of steps at
        # once, ahead of those steps (see _BLOCK_ELEMENTS for its size); the block's arrays are reused.
        block = min(T, max(1, _BLOCK_ELEMENTS // (n * 4 * H)))
        factors = _backward_factor_arrays((block, n), H, p.dtype)
        for stop in range(T, 0, -block):
            start = max(0, stop - block)
            to_cell, to_output, h_to_c = (array[: stop - start] for array in factors)
            _local_derivatives(cache.gates[start:stop, rows], cache.cells[start:stop, rows],
                               cache.tanh_c[start:stop, rows], to_cell, to_output, h_to_c)
            for t in reversed(range(start, stop)):
                k = t - start
                if dhs is None:
                    dh[...] = dh_next[rows]
                else:
                    np.add(dhs[rows, t], dh_next[rows], out=dh)
                _step_backward_into(dh, dc[rows], to_cell[k], to_output[k], h_to_c[k], f[t, rows], da[t, rows],
                                    dc_prev=dc[rows], dc_total=dc_total)
                np.matmul(da[t, rows], W_h, out=dh_next[rows])

    threads = thread_count(B, 4 * H)
    run_in_threads(backward_steps, split(B, threads))

    # Gradients that are plain sums over steps: one product over all T * B rows each (in row blocks of dW and
    # of dx when split over threads).
    da_rows = da.reshape(T * B, 4 * H)
    z_rows = cache.z.reshape(T * B, D + H)
    W_x = p.W[:, :D]
    dW = np.empty((4 * H, D + H), dtype=p.dtype)
    db = np.empty(4 * H, dtype=p.dtype)
    dx_rows = np.empty((T * B, D), dtype=p.dtype)

    def sums_over_steps(part: int) -> None:
        gate_rows, time_rows = split(4 * H, threads)[part], split(T * B, threads)[part]
        np.matmul(da_rows[:, gate_rows].T, z_rows, out=dW[gate_rows])
        np.sum(da_rows[:, gate_rows], axis=0, out=db[gate_rows])
        np.matmul(da_rows[time_rows], W_x, out=dx_rows[time_rows])

    run_in_threads(sums_over_steps, list(range(threads)))
    dx = dx_rows.reshape(T, B, D).transpose(1, 0, 2)
    return np.ascontiguousarray(dx), dh_next, dc, LSTMParams(dW, db)
