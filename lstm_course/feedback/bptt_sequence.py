"""Checks for unit 6's loop through time: the learner's own backpropagation through time (BPTT).

The learner writes

    lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None) -> (dx, dh0, dc0, grads)

with ``dhs`` (B, T, H) = dL/dh_t from the loss at every step, ``cache`` the ``LSTMCache`` of
``lstm_ref.lstm_forward`` and ``step_backward`` a one-step backward pass with the signature of
``lstm_ref.lstm_step_backward(dh, dc, step_cache) -> (dx, dh_prev, dc_prev, grads)``. The recursion, for
t = T-1 down to 0:

    dh      = dhs[:, t] + dh_next          the loss's gradient of h_t PLUS what step t+1 sent back
    dc      = dc_next                       the cell state only reaches the loss through later steps
    dx[:, t], dh_next, dc_next, g = step_backward(dh, dc, cache of step t)
    dW += g.W,  db += g.b                   every step used the same W and b: their gradients add up

starting from dh_next = dh_T and dc_next = dc_T (zeros when None), and returning dh0 = dh_next, dc0 = dc_next.
The cache of step t is ``LSTMStepCache(params, z[t], gates[t], c_prev=cells[t], tanh_c=tanh_c[t])``: cells[0] is
c0, so cells[t] is the cell state step t started from.

Checks call the learner's function with ``lstm_ref.lstm_step_backward`` as ``step_backward`` (so a bug in the
learner's one-step code never shows up here) and compare with ``lstm_ref.lstm_backward``. The usual mistakes
are computed here on the same inputs with ``_bptt_variant`` and named when the learner's result equals one.
"""

from __future__ import annotations

import numpy as np

from lstm_ref.cell import LSTMStepCache, lstm_step_backward
from lstm_ref.params import LSTMParams
from lstm_ref.sequence import LSTMCache, lstm_backward, lstm_forward

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, passed

__all__ = ["MISTAKES", "PARAMS_SWAPPED", "step_cache", "check_lstm_backward", "check_lstm_backward_hidden"]

EXERCISE = "lstm_backward"


def _mistake(slug: str, text: str) -> Mistake:
    return Mistake(f"{EXERCISE}/{slug}", text)


# The classic mistakes of the loop, with the switches of ``_bptt_variant`` that reproduce each.
MISTAKES = {
    _mistake("forward_in_time", "the loop running forward in time (t = 0, 1, ..., T-1). The gradient flows "
             "backwards: step t needs what step t+1 sent back, so walk t = T-1 down to 0 "
             "(`for t in reversed(range(T))`)."): {"order": "forward"},
    _mistake("output_gradient_not_added", "the loss's gradient dhs[:, t] used only at the last step. Every h_t "
             "was read by the loss as well as by step t+1: at EVERY step, dh = dhs[:, t] + dh_next."):
        {"output_gradient": "last step only"},
    _mistake("hidden_carry_dropped", "dh = dhs[:, t] alone: the gradient step t+1 sent back through h_t "
             "(its dh_prev) is dropped. At every step, dh = dhs[:, t] + dh_next."): {"hidden_carry": False},
    _mistake("cell_carry_dropped", "the cell state's gradient not carried from step to step: each step must "
             "receive the dc_prev that the step after it returned (dc = dc_prev of step t+1), not zeros."):
        {"cell_carry": False},
    _mistake("gradients_overwritten", "dW and db overwritten at every step, so only the first step's share is "
             "left. The same W and b are used at every step: add each step's gradient, dW += grads.W and "
             "db += grads.b."): {"accumulate": False},
    _mistake("first_step_skipped", "the loop stops before t = 0 (e.g. `range(T - 1, 0, -1)`): step 0's "
             "gradients are missing and dh0, dc0 are those of step 1. `reversed(range(T))` walks "
             "T-1, ..., 1, 0."): {"skip_first": True},
    _mistake("cell_state_off_by_one", "each step given the cell state it produced (cells[t + 1]) as its c_prev. "
             "cells[0] is c0, so step t started from cells[t]."): {"cell_offset": 1},
    _mistake("final_gradients_ignored", "dh_T and dc_T ignored: they are the loss's gradients of the final "
             "states and start the recursion: dh_next = dh_T and dc_next = dc_T (zeros when None)."):
        {"final_state": "ignored"},
    _mistake("last_step_skipped", "the loop never visits the last step t = T-1 (e.g. `reversed(range(T - 1))`): "
             "step T-1's share of dx and of the gradients is missing. `reversed(range(T))` walks T-1, ..., 1, 0."):
        {"skip_last": True},
    _mistake("dh_dc_swapped", "step_backward given the cell state's gradient first: its arguments are "
             "(dh, dc, step_cache), the hidden state's gradient dhs[:, t] + dh_next first, then dc_next."):
        {"swap_dh_dc": True},
    _mistake("hidden_carry_subtracted", "dh = dhs[:, t] - dh_next: the two gradients of h_t ADD (the loss and "
             "step t+1 both read h_t), dh = dhs[:, t] + dh_next."): {"hidden_carry": "subtracted"},
    _mistake("output_gradient_off_by_one", "step t given the loss's gradient of the step before (dhs[:, t - 1]): "
             "the gradient the loss sends to h_t is dhs[:, t]."): {"output_offset": -1},
    _mistake("cache_z_off_by_one", "step t's cache given the z of the step before (z[t - 1]): every array of "
             "step t's cache is step t's own, z[t], gates[t], tanh_c[t], and c_prev = cells[t]."):
        {"cache_offsets": (("z", -1),)},
    _mistake("cache_gates_off_by_one", "step t's cache given the gates of the step before (gates[t - 1]): every "
             "array of step t's cache is step t's own, z[t], gates[t], tanh_c[t], and c_prev = cells[t]."):
        {"cache_offsets": (("gates", -1),)},
    _mistake("cache_tanh_c_off_by_one", "step t's cache given the tanh_c of the step before (tanh_c[t - 1]): "
             "every array of step t's cache is step t's own, z[t], gates[t], tanh_c[t], and c_prev = cells[t]."):
        {"cache_offsets": (("tanh_c", -1),)},
    _mistake("cell_state_one_step_early", "each step given the cell state from one step too early "
             "(cells[t - 1]) as its c_prev. cells[0] is c0, so step t started from cells[t]."):
        {"cell_offset": -1},
}

# Named from the error a learner's code raises, not from its values.
PARAMS_SWAPPED = _mistake("params_swapped", "LSTMParams given db first: it takes the weights' gradient dW "
                          "(4H, D + H) first, then db (4H,).")


def step_cache(cache: LSTMCache, t: int, *, cell_offset: int = 0, offsets: tuple = ()) -> LSTMStepCache:
    """The cache of step t of ``lstm_forward``, as ``lstm_step`` would have returned it.

    A mistaken one reads c_prev from ``cells[t + cell_offset]``, and each (field, k) of ``offsets`` from index
    t + k of that field (with Python's indexing: -1 is the last step, as in a learner's code).
    """
    at = {"z": t, "gates": t, "tanh_c": t, **{field: t + k for field, k in offsets}}
    return LSTMStepCache(params=cache.params, z=cache.z[at["z"]], gates=cache.gates[at["gates"]],
                         c_prev=cache.cells[t + cell_offset], tanh_c=cache.tanh_c[at["tanh_c"]])


def _bptt_variant(dhs, cache: LSTMCache, dh_T=None, dc_T=None, *, order: str = "backward",
                  output_gradient: str = "every step", hidden_carry: bool | str = True, cell_carry: bool = True,
                  accumulate: bool = True, skip_first: bool = False, cell_offset: int = 0,
                  final_state: str = "used", skip_last: bool = False, swap_dh_dc: bool = False,
                  output_offset: int = 0, cache_offsets: tuple = ()):
    """(dx, dh0, dc0, grads) of BPTT as a learner might write it, with one mistake switched on.

    With every switch at its default this is the exact gradient (the tests compare it with ``lstm_ref``).
    """
    p = cache.params
    T, B, H = cache.seq_len, cache.batch_size, p.hidden_size
    zeros = np.zeros((B, H), dtype=p.dtype)
    used = final_state == "used"
    dh_next = dh_T.copy() if used and dh_T is not None else zeros.copy()
    dc_next = dc_T.copy() if used and dc_T is not None else zeros.copy()
    if output_gradient == "last step only":
        dh_next = dh_next + dhs[:, -1]
    dx = np.zeros((B, T, p.input_size), dtype=p.dtype)
    grads = p.zeros_like()
    steps = range(T) if order == "forward" else range(T - 2 if skip_last else T - 1, 0 if skip_first else -1, -1)
    carry = {True: 1.0, False: 0.0, "subtracted": -1.0}[hidden_carry]
    for t in steps:
        dh = dh_next if output_gradient == "last step only" else dhs[:, t + output_offset] + carry * dh_next
        dc = dc_next if cell_carry or t == T - 1 else zeros  # dropped: zeros after the last step
        if swap_dh_dc:
            dh, dc = dc, dh
        dx[:, t], dh_next, dc_next, step_grads = lstm_step_backward(
            dh, dc, step_cache(cache, t, cell_offset=cell_offset, offsets=cache_offsets))
        if accumulate:
            grads.W += step_grads.W
            grads.b += step_grads.b
        else:
            grads = step_grads
    return dx, dh_next, dc_next, grads


# -------------------------------------------------------------------------------------------- test cases
def _case(seed: int, B: int, T: int, D: int, H: int, *, final: bool = False, dtype=np.float64,
          last_step_only: bool = False):
    """A forward pass of lstm_ref from random h0, c0, and upstream gradients (dhs, and dh_T, dc_T if ``final``)."""
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(D, H, rng=rng, forget_bias=1.0, dtype=dtype)
    x = rng.normal(size=(B, T, D)).astype(dtype)
    h0 = rng.uniform(-0.9, 0.9, size=(B, H)).astype(dtype)
    c0 = rng.normal(size=(B, H)).astype(dtype)
    _, _, cache = lstm_forward(x, params, h0, c0)
    dhs = rng.normal(size=(B, T, H)).astype(dtype)
    if last_step_only:  # a loss that reads only h_T, like a sequence classifier's
        dhs[:, :-1] = 0.0
    dh_T = rng.normal(size=(B, H)).astype(dtype) if final else None
    dc_T = rng.normal(size=(B, H)).astype(dtype) if final else None
    return dhs, cache, dh_T, dc_T


def _unpack(result, name: str):
    spelled = "dx, dh0, dc0, grads"
    if result is None:
        raise CheckFailed(f"{name}: your function returned None. Did you forget `return {spelled}`?")
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        what = f"{len(result)} items" if isinstance(result, (tuple, list)) else f"a {type(result).__name__}"
        raise CheckFailed(f"{name}: expected 4 results, `return {spelled}`, got {what}.")
    dx, dh0, dc0, grads = result
    if not (hasattr(grads, "W") and hasattr(grads, "b")):
        raise CheckFailed(f"{name}: the fourth result must hold the parameter gradients as .W and .b (e.g. "
                          f"LSTMParams(dW, db) or cache.params.zeros_like() added to), got a {type(grads).__name__}.")
    return dx, dh0, dc0, grads.W, grads.b


def _check_case(lstm_backward_fn, case: str, dhs, cache: LSTMCache, dh_T, dc_T, *, rtol=1e-7, atol=1e-10):
    name = f"lstm_backward ({case})"
    expected = lstm_backward(dhs, cache, dh_T, dc_T)
    expected = (*expected[:3], expected[3].W, expected[3].b)
    mistakes = {}
    for mistake, switches in MISTAKES.items():  # before the call: the learner may change the inputs
        wrong = _bptt_variant(dhs, cache, dh_T, dc_T, **switches)
        mistakes[mistake] = (*wrong[:3], wrong[3].W, wrong[3].b)
    originals = {"dhs": dhs, **({"dh_T": dh_T} if dh_T is not None else {}), **({"dc_T": dc_T} if dc_T is not None else {})}
    copies = {key: value.copy() for key, value in originals.items()}
    arguments = (dhs, cache, lstm_step_backward) + ((dh_T, dc_T) if dh_T is not None or dc_T is not None else ())
    B, T, H = dhs.shape
    try:
        results = _unpack(call_learner(lstm_backward_fn, *arguments, name="lstm_backward"), name)
    except CheckFailed as failure:
        cause = failure.__cause__
        if isinstance(cause, ValueError) and str(cause).startswith("params.W must be") and \
                f"got shape ({4 * H},)" in str(cause):  # LSTMParams(db, dW): the bias-shaped array came first
            raise CheckFailed(f"lstm_backward raised ValueError: {cause}\n  Hint: {PARAMS_SWAPPED}",
                              mistake=PARAMS_SWAPPED.id) from cause
        raise
    D = cache.params.input_size
    shapes = {"dx": ((B, T, D), "(B, T, D)"), "dh0": ((B, H), "(B, H)"), "dc0": ((B, H), "(B, H)"),
              "grads.W": ((4 * H, D + H), "(4H, D + H)"), "grads.b": ((4 * H,), "(4H,)")}
    for label, got in zip(shapes, results):
        expect_array(f"{name}, {label}", got, shapes[label][0], shape_meaning=shapes[label][1])
    # Every output is compared before any is judged, so a mistake is named by all its outputs at once.
    for mistake, wrong in mistakes.items():
        if all(np.asarray(wrong[k]).shape == np.shape(results[k])
               and np.allclose(results[k], wrong[k], rtol=1e-6, atol=1e-9) for k in range(5)) and \
                not all(np.allclose(results[k], expected[k], rtol=rtol, atol=atol) for k in range(5)):
            label = next(label for k, label in enumerate(shapes)
                         if not np.allclose(results[k], expected[k], rtol=rtol, atol=atol))
            raise CheckFailed(f"{name}, {label}: wrong values.\n  Hint: your results match {mistake}",
                              mistake=mistake.id)
    hints = {"dx": "dx[:, t] is the dx that step t's backward pass returns.",
             "dh0": "dh0 is the dh_prev that step 0 hands back (the gradient of the initial state h0).",
             "dc0": "dc0 is the dc_prev that step 0 hands back.",
             "grads.W": "dW is the SUM over the steps of each step's grads.W.",
             "grads.b": "db is the SUM over the steps of each step's grads.b."}
    for k, label in enumerate(shapes):
        expect_close(f"{name}, {label}", results[k], expected[k], rtol=rtol, atol=atol,
                     shape_meaning=shapes[label][1], hint=hints[label])
    for argument, array in originals.items():
        if not np.array_equal(array, copies[argument]):
            raise CheckFailed(f"lstm_backward changed `{argument}` in place (e.g. `dhs[:, t] += ...`). Add into a "
                              "new array instead: the caller may still need the loss's gradients.")


def check_lstm_backward(lstm_backward) -> None:
    """Public check of ``lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None)`` against
    ``lstm_ref.lstm_backward``, with ``lstm_ref.lstm_step_backward`` as the step."""
    _check_case(lstm_backward, "B=2, T=4, D=3, H=3", *_case(661, B=2, T=4, D=3, H=3))
    _check_case(lstm_backward, "B=2, T=4, D=3, H=3, with dh_T and dc_T", *_case(662, B=2, T=4, D=3, H=3, final=True))
    passed("lstm_backward", "matches lstm_ref.lstm_backward")


def check_lstm_backward_hidden(lstm_backward) -> None:
    """Hidden check: one step, one sample, a loss on h_T only, a longer sequence, float32."""
    _check_case(lstm_backward, "T=1", *_case(671, B=3, T=1, D=2, H=2, final=True))
    _check_case(lstm_backward, "B=1, H=1", *_case(672, B=1, T=5, D=3, H=1))
    _check_case(lstm_backward, "a loss on h_T only", *_case(673, B=2, T=6, D=2, H=4, last_step_only=True))
    _check_case(lstm_backward, "T=12, D=4, H=5, with dh_T and dc_T", *_case(674, B=2, T=12, D=4, H=5, final=True))
    _check_case(lstm_backward, "float32", *_case(675, B=2, T=4, D=3, H=3, final=True, dtype=np.float32),
                rtol=1e-4, atol=1e-5)
    passed("lstm_backward (hidden)", "T = 1, B = H = 1, a loss on h_T only, T = 12, float32")
