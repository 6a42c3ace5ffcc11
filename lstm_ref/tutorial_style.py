"""The seed tutorial's LSTM, in its own style: one sample at a time, one matrix per gate.

The course starts from a popular blog tutorial. Its code is a fine first picture of an LSTM, and this module
rebuilds it faithfully (our own code, same structure) so the course can run it, time it and point at its two
bugs. The tutorial's conventions:

- one sample at a time: x (D,), h (H,), the cell state called ``s`` (H,);
- four separate matrices ``wg, wi, wf, wo`` of shape (H, D + H) and biases ``bg, bi, bf, bo`` (H,), each applied
  to ``xc = [x, h_prev]`` (x first, then h, as in ``lstm_ref``);
- weights drawn from U[-0.1, 0.1) in the order wg, wi, wf, wo, bg, bi, bf, bo.

Its two bugs, reproduced on request:

1. The hidden state is ``h = s * o``, with NO tanh on the cell state (standard LSTMs, PyTorch's included,
   use h = o * tanh(s)). Without the squashing, h grows with s, which can grow without bound over a long
   sequence. ``tanh_on_cell=False`` reproduces the tutorial; the default ``True`` is the standard LSTM.
2. Its random helper calls ``np.random.seed(0)`` on every call, so every matrix it draws starts from the same
   seed: wg, wi, wf and wo come out IDENTICAL (and so do the four biases). All gates then compute the same
   numbers at the start of training. ``rand_arr_reseeding`` shows this; ``rand_arr`` is the fix.

The standard LSTM in this style gives the same numbers as ``lstm_ref.lstm_forward`` (see ``to_lstm_params``
for the exact conversion). It is slow on purpose of being literal: a Python loop over samples and steps and
four small matrix-vector products per step, which ``benchmarks/bench_lstm.py`` compares with the fused code.
(We use ``lstm_ref``'s overflow-free sigmoid; the tutorial's ``1 / (1 + exp(-x))`` gives the same values but warns
for very negative x.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import require_float_array, require_shape
from .activations import sigmoid
from .params import LSTMParams, as_generator

__all__ = [
    "TutorialParams",
    "TutorialStepState",
    "rand_arr",
    "rand_arr_reseeding",
    "tutorial_params",
    "tutorial_hidden_state",
    "tutorial_step",
    "tutorial_step_backward",
    "tutorial_forward",
    "tutorial_backward",
    "to_lstm_params",
    "from_lstm_params",
]

GATE_NAMES = ("g", "i", "f", "o")  # the tutorial's drawing order


# ------------------------------------------------------------------------------------------ parameters
@dataclass(eq=False)
class TutorialParams:
    """Four separate gate matrices w* (H, D + H) and biases b* (H,), named as in the tutorial.

    g: candidate, i: input gate, f: forget gate, o: output gate.
    """

    wg: np.ndarray
    wi: np.ndarray
    wf: np.ndarray
    wo: np.ndarray
    bg: np.ndarray
    bi: np.ndarray
    bf: np.ndarray
    bo: np.ndarray

    @property
    def hidden_size(self) -> int:
        return self.wg.shape[0]

    @property
    def input_size(self) -> int:
        return self.wg.shape[1] - self.wg.shape[0]

    def zeros_like(self) -> "TutorialParams":
        return TutorialParams(**{name: np.zeros_like(value) for name, value in vars(self).items()})


def rand_arr_reseeding(a: float, b: float, *shape: int) -> np.ndarray:
    """The tutorial's random helper, bug included: uniform numbers in [a, b), restarted from seed 0 EVERY call.

    The tutorial runs ``np.random.seed(0)`` and then ``np.random.rand(*shape)``, so two calls with the same shape
    return the same array. We reproduce exactly those numbers with a private ``np.random.RandomState(0)``,
    which leaves NumPy's global random state alone (the original also reset everyone else's random numbers).
    """
    return np.random.RandomState(0).rand(*shape) * (b - a) + a


def rand_arr(rng: np.random.Generator, a: float, b: float, *shape: int) -> np.ndarray:
    """The fix: draw from one generator that is created once and passed in, so every call continues the
    stream and gives new numbers. Uniform in [a, b), shape ``shape``."""
    return rng.uniform(a, b, size=shape)


def tutorial_params(input_size: int, hidden_size: int, rng=None, reseed_bug: bool = False) -> TutorialParams:
    """The tutorial's initialisation: every weight and bias ~ U[-0.1, 0.1), drawn as wg, wi, wf, wo, bg, bi, bf, bo.

    Args:
        input_size: D (the tutorial's ``x_dim``). hidden_size: H (its ``mem_cell_ct``).
        rng: seed or Generator for the correct version (ignored when ``reseed_bug`` is True).
        reseed_bug: True reproduces the tutorial exactly: all four matrices identical, all four biases identical.
    """
    D, H = int(input_size), int(hidden_size)
    if reseed_bug:
        def draw(*shape):
            return rand_arr_reseeding(-0.1, 0.1, *shape)
    else:
        generator = as_generator(rng)

        def draw(*shape):
            return rand_arr(generator, -0.1, 0.1, *shape)

    weights = {f"w{name}": draw(H, D + H) for name in GATE_NAMES}
    biases = {f"b{name}": draw(H) for name in GATE_NAMES}
    return TutorialParams(**weights, **biases)


def to_lstm_params(tp: TutorialParams) -> LSTMParams:
    """Exact conversion to ``LSTMParams``: stack the blocks in PyTorch's order (i, f, g, o).

    W = [wi; wf; wg; wo] (4H, D + H), b = [bi; bf; bg; bo] (4H,). Both layouts act on [x, h_prev] (x first),
    so no column moves; only the order of the row blocks changes (the tutorial draws g first). Copies.
    """
    W = np.concatenate([tp.wi, tp.wf, tp.wg, tp.wo], axis=0)
    b = np.concatenate([tp.bi, tp.bf, tp.bg, tp.bo])
    return LSTMParams(W, b)


def from_lstm_params(p: LSTMParams) -> TutorialParams:
    """Exact conversion back: wi = W_i, wf = W_f, wg = W_g, wo = W_o (and the biases), as copies."""
    return TutorialParams(
        wg=p.W_g.copy(), wi=p.W_i.copy(), wf=p.W_f.copy(), wo=p.W_o.copy(),
        bg=p.b_g.copy(), bi=p.b_i.copy(), bf=p.b_f.copy(), bo=p.b_o.copy(),
    )


# ------------------------------------------------------------------------------------------ one step
@dataclass(frozen=True, eq=False)
class TutorialStepState:
    """What one step remembers for its backward pass (the tutorial's ``LstmState`` plus its inputs); all (H,)
    except xc (D + H,)."""

    xc: np.ndarray
    g: np.ndarray
    i: np.ndarray
    f: np.ndarray
    o: np.ndarray
    s_prev: np.ndarray
    s: np.ndarray
    squashed_s: np.ndarray  # tanh(s) for the standard LSTM, s itself for the tutorial's version


def tutorial_hidden_state(s: np.ndarray, o: np.ndarray) -> np.ndarray:
    """The tutorial's hidden state, h = s * o: the cell state is NOT squashed by tanh (its bug)."""
    return s * o


def tutorial_step(x, h_prev, s_prev, tp: TutorialParams, tanh_on_cell: bool = True):
    """One step for ONE sample, gate by gate, as the tutorial writes it.

    Args: x (D,), h_prev (H,), s_prev (H,) the previous cell state; tp TutorialParams;
        tanh_on_cell: True for the standard h = o * tanh(s); False for the tutorial's h = s * o.
    Returns: h (H,), s (H,), and the ``TutorialStepState`` for ``tutorial_step_backward``.
    """
    xc = np.hstack((x, h_prev))
    g = np.tanh(np.dot(tp.wg, xc) + tp.bg)
    i = sigmoid(np.dot(tp.wi, xc) + tp.bi)
    f = sigmoid(np.dot(tp.wf, xc) + tp.bf)
    o = sigmoid(np.dot(tp.wo, xc) + tp.bo)
    s = g * i + s_prev * f
    squashed_s = np.tanh(s) if tanh_on_cell else s
    h = squashed_s * o
    return h, s, TutorialStepState(xc=xc, g=g, i=i, f=f, o=o, s_prev=s_prev, s=s, squashed_s=squashed_s)


def tutorial_step_backward(dh, ds, state: TutorialStepState, tp: TutorialParams, grads: TutorialParams,
                           tanh_on_cell: bool = True):
    """Backward through one step for one sample, gate by gate; adds the weight gradients INTO ``grads``.

    Args: dh (H,) = dL/dh, ds (H,) = dL/ds from the next step; state from ``tutorial_step``; tp the parameters;
        grads: TutorialParams accumulating dL/dw* and dL/db* over samples and steps (updated in place).
    Returns: dx (D,), dh_prev (H,), ds_prev (H,).
    """
    # Every path into s: from the next step (ds), and through h = o * squash(s).
    slope = (1.0 - state.squashed_s ** 2) if tanh_on_cell else 1.0
    ds_total = ds + dh * state.o * slope
    d_pre = {  # gradient at each gate's pre-activation: (dL/dgate) * (activation's slope)
        "g": ds_total * state.i * (1.0 - state.g ** 2),
        "i": ds_total * state.g * state.i * (1.0 - state.i),
        "f": ds_total * state.s_prev * state.f * (1.0 - state.f),
        "o": dh * state.squashed_s * state.o * (1.0 - state.o),
    }
    dxc = np.zeros_like(state.xc)
    for name in GATE_NAMES:
        getattr(grads, f"w{name}")[...] += np.outer(d_pre[name], state.xc)
        getattr(grads, f"b{name}")[...] += d_pre[name]
        dxc += np.dot(getattr(tp, f"w{name}").T, d_pre[name])
    D = tp.input_size
    return dxc[:D], dxc[D:], ds_total * state.f


# -------------------------------------------------------------------------------------- whole sequences
def tutorial_forward(x, tp: TutorialParams, h0=None, s0=None, tanh_on_cell: bool = True):
    """Run ``tutorial_step`` over a batch, one sample and one step at a time (two nested Python loops).

    Args: x (B, T, D); tp TutorialParams; h0, s0 (B, H) or None for zeros; tanh_on_cell as in tutorial_step.
    Returns: hs (B, T, H), (h_T, s_T) each (B, H), and states[b][t] (TutorialStepState) for the backward pass.
    """
    x = require_float_array("x", x)
    require_shape("x", x, ("B", "T", "D"), (None, None, tp.input_size), why="D from the parameters")
    B, T, _ = x.shape
    H = tp.hidden_size
    h0 = np.zeros((B, H)) if h0 is None else h0
    s0 = np.zeros((B, H)) if s0 is None else s0
    hs = np.empty((B, T, H))
    s_T = np.empty((B, H))
    states = []
    for b in range(B):
        h, s, sample_states = h0[b], s0[b], []
        for t in range(T):
            h, s, state = tutorial_step(x[b, t], h, s, tp, tanh_on_cell)
            hs[b, t] = h
            sample_states.append(state)
        s_T[b] = s
        states.append(sample_states)
    return hs, (hs[:, -1].copy(), s_T), states


def tutorial_backward(dhs, states, tp: TutorialParams, dh_T=None, ds_T=None, tanh_on_cell: bool = True):
    """Backpropagation through time, one sample and one step at a time.

    Args: dhs (B, T, H) = dL/dh_t; states from ``tutorial_forward``; tp; dh_T, ds_T (B, H) or None.
    Returns: dx (B, T, D), dh0 (B, H), ds0 (B, H), and the gradients as a TutorialParams.
    """
    B, T, H = dhs.shape
    D = tp.input_size
    grads = tp.zeros_like()
    dx = np.empty((B, T, D))
    dh0 = np.empty((B, H))
    ds0 = np.empty((B, H))
    for b in range(B):
        dh_next = np.zeros(H) if dh_T is None else dh_T[b]
        ds = np.zeros(H) if ds_T is None else ds_T[b]
        for t in reversed(range(T)):
            dx[b, t], dh_next, ds = tutorial_step_backward(dhs[b, t] + dh_next, ds, states[b][t], tp, grads,
                                                           tanh_on_cell)
        dh0[b], ds0[b] = dh_next, ds
    return dx, dh0, ds0, grads
