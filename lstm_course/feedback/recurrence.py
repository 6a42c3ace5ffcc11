"""Checks for unit 2, "Why recurrence": one vanilla RNN step, then the loop over a sequence.

The learner writes

    rnn_step(x_t, h_prev, W, b)  -> h_t   (B, H)       h_t = tanh([x_t, h_{t-1}] W^T + b)
    rnn_forward(x, h0, W, b)     -> hs    (B, T, H)    hs[:, t] = h_{t+1}, the state after reading x[:, t]

with the course's layout: W is (H, D + H), its first D columns multiply x_t and its last H columns multiply
h_{t-1} (the same convention as ``lstm_ref.rnn``). Expected values come from ``lstm_ref.rnn`` on the same
inputs; the outputs of common mistakes are computed here too, so a failure can name the mistake.

Each public check runs a few small cases that isolate one term (only the bias, only the input, only the
previous state) before the full case, so an unrecognised error still says which term is wrong. The hidden
checks (suffix ``_hidden``) add other shapes (B = 1, D != H, T = 1), float32 and saturated inputs.
"""

from __future__ import annotations

import numpy as np

from lstm_ref.activations import sigmoid
from lstm_ref.params import RNNParams
from lstm_ref.rnn import rnn_forward as reference_rnn_forward
from lstm_ref.rnn import rnn_step as reference_rnn_step

from .core import CheckFailed, Mistake, call_learner, expect_close, passed

__all__ = ["check_rnn_step", "check_rnn_step_hidden", "check_rnn_forward", "check_rnn_forward_hidden"]

LAYOUT_HINT = (
    "  Hint: W has shape (H, D + H) and z = [x_t, h_prev] has shape (B, D + H), so the product is z @ W.T "
    "(shape (B, H))."
)
# Only rnn_forward has a time loop: its hint adds where the step's input comes from.
LOOP_HINT = LAYOUT_HINT + " In the loop over time, x has shape (B, T, D) and the input at step t is x[:, t]."


# ------------------------------------------------------------------------------------------------ helpers
def _random_case(rng: np.random.Generator, B: int, T: int | None, D: int, H: int, scale: float = 1.0,
                 dtype=np.float64):
    """Inputs, a non-zero previous state and parameters for one test case, drawn from ``rng``.

    ``T=None`` gives one time step: x of shape (B, D); otherwise x has shape (B, T, D).
    """
    x_shape = (B, D) if T is None else (B, T, D)
    x = rng.normal(size=x_shape)
    h_prev = rng.uniform(-0.9, 0.9, size=(B, H))  # any value a tanh state can take
    W = scale * rng.normal(size=(H, D + H)) / np.sqrt(D + H)
    b = scale * rng.normal(size=H)
    return tuple(array.astype(dtype) for array in (x, h_prev, W, b))


def _call(function, *args, name: str):
    """``call_learner`` plus a hint on the (B, D + H) x (H, D + H) layout when NumPy refused a shape."""
    try:
        return call_learner(function, *args, name=name)
    except CheckFailed as failure:
        cause = failure.__cause__
        if isinstance(cause, (ValueError, IndexError)) and not failure.mistake:
            raise failure.extended(LOOP_HINT if name == "rnn_forward" else LAYOUT_HINT) from cause
        raise


def _expect_unchanged(name: str, arrays: dict, copies: dict) -> None:
    """The learner's function must not write into its arguments (e.g. ``h_prev += ...``)."""
    for argument, array in arrays.items():
        if not np.array_equal(array, copies[argument]):
            raise CheckFailed(
                f"{name} changed its argument `{argument}` in place. Compute a new array instead "
                f"(e.g. `h = np.tanh(...)`, not `{argument} += ...`): the caller still needs the old values."
            )


def _step_mistakes(x_t, h_prev, W, b) -> dict[str, np.ndarray]:
    """What the common wrong versions of one RNN step output on these inputs (hint -> output (B, H))."""
    D = x_t.shape[1]
    z = np.concatenate([x_t, h_prev], axis=1)
    swapped = np.concatenate([h_prev, x_t], axis=1)
    return {
        Mistake("rnn_step/sigmoid_instead_of_tanh", "sigmoid used instead of tanh. The hidden state is tanh(...): "
                "values between -1 and 1, centred on 0."): sigmoid(z @ W.T + b),
        Mistake("rnn_step/missing_bias", "the bias b left out: add `+ b` after the matrix product."): np.tanh(z @ W.T),
        Mistake("rnn_step/missing_tanh",
                "tanh left out: h_t = tanh([x_t, h_prev] W^T + b), not just the matrix product plus b."): z @ W.T + b,
        Mistake("rnn_step/concatenated_h_first", "[h_prev, x_t] concatenated instead of [x_t, h_prev]: the first D "
                "columns of W multiply x_t, the last H columns multiply h_prev."): np.tanh(swapped @ W.T + b),
        Mistake("rnn_step/h_prev_left_out",
                "h_prev left out: the previous state must enter the step through W[:, D:] (that is the memory)."):
            np.tanh(x_t @ W[:, :D].T + b),
        Mistake("rnn_step/x_left_out", "x_t left out: the current input must enter the step through W[:, :D]."): np.tanh(h_prev @ W[:, D:].T + b),
    }


def _check_step_case(rnn_step, case: str, x_t, h_prev, W, b, *, rtol=1e-7, atol=1e-9) -> None:
    """Run the learner's step on one case and compare with ``lstm_ref.rnn.rnn_step``."""
    expected, _ = reference_rnn_step(x_t, h_prev, RNNParams(W, b))
    arguments = {"x_t": x_t, "h_prev": h_prev, "W": W, "b": b}
    copies = {name: array.copy() for name, array in arguments.items()}
    got = _call(rnn_step, x_t, h_prev, W, b, name="rnn_step")
    expect_close(
        f"rnn_step ({case})", got, expected, rtol=rtol, atol=atol, shape_meaning="(B, H)",
        mistakes=_step_mistakes(x_t, h_prev, W, b),
        hint="compare your code with h_t = tanh([x_t, h_prev] W^T + b), one term at a time.",
    )
    _expect_unchanged("rnn_step", arguments, copies)


# ---------------------------------------------------------------------------------------------- rnn_step
def check_rnn_step(rnn_step) -> None:
    """Public check of ``rnn_step(x_t, h_prev, W, b) -> h_t`` (B, H), one term at a time, then all together."""
    rng = np.random.default_rng(2)
    B, D, H = 3, 2, 4
    x_t, h_prev, W, b = _random_case(rng, B, None, D, H)
    zeros_W, zeros_b = np.zeros_like(W), np.zeros_like(b)
    # Isolating cases: each term alone, so an error the hints do not recognise still points at one term.
    _check_step_case(rnn_step, "W = 0: only the bias acts", x_t, h_prev, zeros_W, b)
    _check_step_case(rnn_step, "h_prev = 0 and b = 0: only the input acts", x_t, np.zeros_like(h_prev), W, zeros_b)
    _check_step_case(rnn_step, "x_t = 0 and b = 0: only the previous state acts", np.zeros_like(x_t), h_prev, W,
                     zeros_b)
    _check_step_case(rnn_step, "all terms together", x_t, h_prev, W, b)
    passed("rnn_step", "bias, input and previous-state terms, and all together")


def check_rnn_step_hidden(rnn_step) -> None:
    """Hidden check of ``rnn_step``: B = 1, D > H, D = H = 1, float32, saturating inputs, other seeds."""
    for seed, (B, D, H) in zip((11, 12, 13), ((1, 5, 3), (4, 1, 1), (2, 3, 6))):
        x_t, h_prev, W, b = _random_case(np.random.default_rng(seed), B, None, D, H)
        _check_step_case(rnn_step, f"B={B}, D={D}, H={H}", x_t, h_prev, W, b)
    x_t, h_prev, W, b = _random_case(np.random.default_rng(14), 2, None, 3, 4, dtype=np.float32)
    _check_step_case(rnn_step, "float32 inputs", x_t, h_prev, W, b, rtol=1e-5, atol=1e-6)
    # Huge pre-activations: tanh must saturate at +-1 (a hand-written exp formula overflows to NaN here).
    x_t, h_prev, W, b = _random_case(np.random.default_rng(15), 2, None, 3, 4, scale=400.0)
    _check_step_case(rnn_step, "very large weights: tanh saturates at -1 and 1", x_t, h_prev, W, b)
    passed("rnn_step (hidden)", "other shapes, float32, saturation")


# ------------------------------------------------------------------------------------------- rnn_forward
def _forward_mistakes(x, h0, W, b) -> dict[str, np.ndarray]:
    """The outputs (B, T, H) of the common wrong time loops, built from the reference step."""
    params = RNNParams(W, b)
    B, T, _ = x.shape

    def step(x_t, h):
        return reference_rnn_step(x_t, h, params)[0]

    correct = reference_rnn_forward(x, params, h0)[0]
    from_h0 = np.stack([step(x[:, t], h0) for t in range(T)], axis=1)
    shifted = np.concatenate([h0[:, None, :], correct[:, :-1]], axis=1)
    # `for t in range(1, T)`: the first input is never read and hs[:, 0] keeps its initial zeros.
    skip_first = np.zeros_like(correct)
    if T > 1:
        skip_first[:, 1:] = reference_rnn_forward(x[:, 1:], params, h0)[0]
    # `for t in range(T - 1)`: the last state is never computed.
    skip_last = correct.copy()
    skip_last[:, -1] = 0.0
    from_zeros = reference_rnn_forward(x, params, np.zeros_like(h0))[0]
    def run(step_variant, inputs=x):
        h, states = h0, []
        for t in range(T):
            h = step_variant(inputs[:, t], h)
            states.append(h)
        return np.stack(states, axis=1)

    step_variants = {
        "step_without_tanh": ("each step without its tanh: h = tanh([x_t, h] W^T + b).",
                              lambda x_t, h: np.concatenate([x_t, h], axis=1) @ W.T + b),
        "concatenated_h_first": ("each step's z built as [h, x_t]: the input comes first, [x[:, t], h].",
                                 lambda x_t, h: np.tanh(np.concatenate([h, x_t], axis=1) @ W.T + b)),
        "bias_subtracted": ("the bias subtracted in each step: h = tanh(z W^T + b).",
                            lambda x_t, h: np.tanh(np.concatenate([x_t, h], axis=1) @ W.T - b)),
        "missing_bias": ("the bias left out of each step: h = tanh(z W^T + b).",
                         lambda x_t, h: np.tanh(np.concatenate([x_t, h], axis=1) @ W.T)),
    }
    variants = {Mistake(f"rnn_forward/{slug}", text): run(step) for slug, (text, step) in step_variants.items()}
    variants[Mistake("rnn_forward/input_one_step_late", "step t reads x[:, t - 1], the previous input (and the "
                     "last one at t = 0): step t reads x[:, t].")] = run(lambda x_t, h: step(x_t, h),
                                                                           np.roll(x, 1, axis=1))
    return {
        **variants,
        Mistake("rnn_forward/state_not_carried", "the state is not carried: every step starts again from h0. "
                "Update `h = ...` inside the loop and feed that h to the next step."): from_h0,
        Mistake("rnn_forward/stored_before_step", "hs[:, t] holds the state BEFORE step t (h_t-1) instead of after "
                "it: store the new state after computing it."): shifted,
        Mistake("rnn_forward/first_step_skipped",
                "the first time step was skipped: the loop must run over t = 0, 1, ..., T-1 (range(T))."): skip_first,
        Mistake("rnn_forward/last_step_skipped", "the last time step was skipped: the loop must run over t = 0, "
                "1, ..., T-1 (range(T)), so hs[:, T-1] is the state after the last input."): skip_last,
        Mistake("rnn_forward/h0_ignored", "h0 was ignored: the first step must start from the given h0, not from "
                "zeros."): from_zeros,
    }


def _check_forward_case(rnn_forward, case: str, x, h0, W, b, *, rtol=1e-7, atol=1e-9) -> None:
    expected = reference_rnn_forward(x, RNNParams(W, b), h0)[0]
    arguments = {"x": x, "h0": h0, "W": W, "b": b}
    copies = {name: array.copy() for name, array in arguments.items()}
    got = _call(rnn_forward, x, h0, W, b, name="rnn_forward")
    expect_close(
        f"rnn_forward ({case})", got, expected, rtol=rtol, atol=atol, shape_meaning="(B, T, H)",
        mistakes=_forward_mistakes(x, h0, W, b),
        hint="check one step at a time: hs[:, 0] must be tanh([x[:, 0], h0] W^T + b), and each later step "
             "starts from the state the previous one computed.",
    )
    _expect_unchanged("rnn_forward", arguments, copies)


def check_rnn_forward(rnn_forward) -> None:
    """Public check of ``rnn_forward(x, h0, W, b) -> hs`` (B, T, H) on a sequence of 5 steps, then of 1."""
    rng = np.random.default_rng(3)
    x, h0, W, b = _random_case(rng, 2, 5, 3, 4)
    _check_forward_case(rnn_forward, "B = 2, T = 5", x, h0, W, b)
    x, h0, W, b = _random_case(rng, 2, 1, 3, 4)
    _check_forward_case(rnn_forward, "one time step (T = 1)", x, h0, W, b)
    passed("rnn_forward", "T = 5 and T = 1")


def check_rnn_forward_hidden(rnn_forward) -> None:
    """Hidden check of ``rnn_forward``: B = 1, D != H, long sequences, h0 = 0, float32."""
    for seed, (B, T, D, H) in zip((21, 22, 23), ((1, 7, 2, 5), (3, 12, 6, 2), (4, 3, 1, 1))):
        x, h0, W, b = _random_case(np.random.default_rng(seed), B, T, D, H)
        _check_forward_case(rnn_forward, f"B={B}, T={T}, D={D}, H={H}", x, h0, W, b)
    x, h0, W, b = _random_case(np.random.default_rng(24), 2, 6, 3, 4)
    _check_forward_case(rnn_forward, "h0 = 0", x, np.zeros_like(h0), W, b)
    x, h0, W, b = _random_case(np.random.default_rng(25), 2, 6, 3, 4, dtype=np.float32)
    _check_forward_case(rnn_forward, "float32 inputs", x, h0, W, b, rtol=1e-4, atol=1e-5)
    passed("rnn_forward (hidden)", "other shapes, h0 = 0, float32")


# Make every mistake once at import, so the catalogue (catalogue.all_mistakes) holds them all.
_step_mistakes(*_random_case(np.random.default_rng(0), 1, None, 1, 1))
_forward_mistakes(*_random_case(np.random.default_rng(0), 1, 2, 1, 1))
