"""Checks for unit 4, "The gates, one at a time".

The learner writes six short functions (z = [x, h_prev] side by side, x first; all results (B, H)):

    forget_gate(x, h_prev, W_f, b_f)    f = sigmoid(z @ W_f.T + b_f)
    input_gate(x, h_prev, W_i, b_i)     i = sigmoid(z @ W_i.T + b_i)
    candidate(x, h_prev, W_g, b_g)      g = tanh(z @ W_g.T + b_g)
    cell_update(c_prev, f, i, g)        c = f * c_prev + i * g
    output_gate(x, h_prev, W_o, b_o)    o = sigmoid(z @ W_o.T + b_o)
    hidden_state(c, o)                  h = o * tanh(c)

Each exercise has a public check (``check_<exercise>``: two small cases) and a stronger hidden one
(``check_<exercise>_hidden``: the public cases plus B = 1, D = 1, H < D, D = H, float32 and saturated values).
Both also require the arguments to come back unchanged (no in-place updates). Expected values are computed
here with ``lstm_ref.gates``.

When the learner's values are wrong, a check first compares them with what the common mistakes would return
(tanh for sigmoid, a missing bias, z = [h_prev, x], swapped gates, h = o * c, ...) and names the one that
matches. If none does, it isolates one term at a time to say where the error lives:
    all weights zero  -> only the bias is left:        f should be sigmoid(b_f) in every row
    h_prev = 0        -> only the x part is left:       the first D columns of W_f multiply x
    x = 0             -> only the h_prev part is left:  the last H columns of W_f multiply h_prev
(for cell_update: f = 1, i = 0 must give back c_prev; f = 0, i = 1 must give g; for hidden_state: o = 1 must
give tanh(c), o = 0 must give 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from lstm_ref import gates as reference
from lstm_ref.activations import sigmoid, tanh
from lstm_ref.params import LSTMParams

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, passed

__all__ = [
    "check_forget_gate",
    "check_forget_gate_hidden",
    "check_input_gate",
    "check_input_gate_hidden",
    "check_candidate",
    "check_candidate_hidden",
    "check_cell_update",
    "check_cell_update_hidden",
    "check_output_gate",
    "check_output_gate_hidden",
    "check_hidden_state",
    "check_hidden_state_hidden",
]

# Tolerances: float64 results must agree to rounding; float32 ones to float32's ~7 significant digits.
_TOLERANCE = {np.dtype(np.float64): (1e-7, 1e-9), np.dtype(np.float32): (2e-5, 2e-6)}

# The shapes every check uses, as (B, D, H). B, D and H all differ in the public cases, so a transposed weight
# or a swapped axis shows up as a wrong shape instead of hiding behind a square matrix.
_PUBLIC_SHAPES = [(3, 2, 4), (2, 5, 3)]
_HIDDEN_SHAPES = [(1, 3, 5), (4, 1, 2), (5, 6, 3), (3, 4, 4)]


# ============================================================================================ the four gates
@dataclass(frozen=True)
class _Gate:
    """What differs between the four gate exercises; everything else is shared."""

    function: str  # the exercise's name, e.g. "forget_gate"
    symbol: str  # "f": the weights are W_f, the bias b_f
    activation: str  # "sigmoid" for the three gates, "tanh" for the candidate
    reference: Callable  # lstm_ref.gates.<function>(z, p)

    @property
    def weight(self) -> str:
        return f"W_{self.symbol}"

    @property
    def bias(self) -> str:
        return f"b_{self.symbol}"

    @property
    def is_sigmoid(self) -> bool:
        return self.activation == "sigmoid"


_FORGET = _Gate("forget_gate", "f", "sigmoid", reference.forget_gate)
_INPUT = _Gate("input_gate", "i", "sigmoid", reference.input_gate)
_CANDIDATE = _Gate("candidate", "g", "tanh", reference.candidate)
_OUTPUT = _Gate("output_gate", "o", "sigmoid", reference.output_gate)


def _gate_case(shape, seed: int, *, dtype=np.float64, scale: float = 1.0):
    """A random (x, h_prev, p) for shape (B, D, H).

    Weights and biases ~ N(0, scale^2): with scale 1 the pre-activations spread over the steep part of the
    sigmoid, so a wrong activation or a missing term changes the values visibly. h_prev lies in (-1, 1), like a
    real hidden state. A large scale (hundreds or more) saturates every gate at 0 or 1.
    """
    B, D, H = shape
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, scale, size=(4 * H, D + H))
    b = rng.normal(0.0, scale, size=4 * H)
    x = rng.normal(0.0, 1.0, size=(B, D))
    h_prev = rng.uniform(-1.0, 1.0, size=(B, H))
    return x.astype(dtype), h_prev.astype(dtype), LSTMParams(W.astype(dtype), b.astype(dtype))


def _describe(gate: _Gate, x, h_prev) -> str:
    B, D = x.shape
    H = h_prev.shape[1]
    return f"{gate.function} with B={B}, D={D}, H={H}" + ("" if x.dtype == np.float64 else f" ({x.dtype})")


def _shape_help(gate: _Gate, x, h_prev) -> str:
    """The shapes involved, spelled out: most errors inside a gate are a matrix product that does not fit."""
    B, D = x.shape
    H = h_prev.shape[1]
    return (
        f"  Shapes here: x (B, D) = {(B, D)}, h_prev (B, H) = {(B, H)}, so z = [x, h_prev] is (B, D + H) = "
        f"{(B, D + H)}; {gate.weight} is (H, D + H) = {(H, D + H)} and {gate.bias} is (H,) = {(H,)}.\n"
        f"  z @ {gate.weight}.T is then (B, H) = {(B, H)}. Join x and h_prev with "
        "np.concatenate([x, h_prev], axis=1)."
    )


def _call_gate(gate: _Gate, learner, x, h_prev, W, b):
    """Call the learner's gate on copies (so nothing it does can change our arrays); explain shape errors."""
    try:
        return call_learner(learner, x.copy(), h_prev.copy(), W.copy(), b.copy(), name=gate.function)
    except CheckFailed as failure:
        if isinstance(failure.__cause__, ValueError) and not failure.mistake:  # shape trouble not recognised
            raise failure.extended(_shape_help(gate, x, h_prev)) from failure.__cause__
        raise


def _gate_mistakes(gate: _Gate, x, h_prev, p: LSTMParams) -> dict[str, np.ndarray]:
    """What each common mistake returns on this case, keyed by the hint that explains it."""
    W, b = getattr(p, gate.weight), getattr(p, gate.bias)
    D = x.shape[1]
    z = np.concatenate([x, h_prev], axis=1)
    pre_activation = z @ W.T + b
    act = sigmoid if gate.is_sigmoid else tanh
    name, other = gate.activation, ("tanh" if gate.is_sigmoid else "sigmoid")
    why = (
        "A gate is a fraction between 0 (block) and 1 (let through), which is what sigmoid gives."
        if gate.is_sigmoid
        else "The candidate is a value to write into the cell state; it must be able to be negative, so tanh."
    )
    mistakes = {
        Mistake(f"{gate.function}/{other}_instead_of_{name}", f"{other} used instead of {name}. {why}"): (tanh if gate.is_sigmoid else sigmoid)(pre_activation),
        Mistake(f"{gate.function}/no_activation",
                f"no activation at all: z @ {gate.weight}.T + {gate.bias} still has to go through {name}."): pre_activation,
        Mistake(f"{gate.function}/missing_bias",
                f"the bias {gate.bias} left out: add it after the matrix product, inside the {name}."): act(z @ W.T),
        Mistake(f"{gate.function}/bias_subtracted", f"the bias {gate.bias} subtracted instead of added."): act(z @ W.T - b),
        Mistake(
            f"{gate.function}/concatenated_h_first",
            "z = [h_prev, x] (the wrong order). The weights expect x first, then h_prev: "
            "np.concatenate([x, h_prev], axis=1).",
        ): act(np.concatenate([h_prev, x], axis=1) @ W.T + b),
        Mistake(f"{gate.function}/h_prev_left_out", "h_prev left out: the gate looks at z = [x, h_prev], not at x alone."): act(x @ W[:, :D].T + b),
        Mistake(f"{gate.function}/x_left_out", "x left out: the gate looks at z = [x, h_prev], not at h_prev alone."): act(h_prev @ W[:, D:].T + b),
    }
    if gate.is_sigmoid:
        mistakes[Mistake(
            f"{gate.function}/gate_flipped",
            f"1 - {gate.symbol}: your gate is flipped. {gate.symbol} = sigmoid(z @ {gate.weight}.T + {gate.bias}); "
            "a value near 1 means 'let through' (for the forget gate: keep).")
        ] = 1.0 - act(pre_activation)
    return mistakes


def _isolate_gate_error(gate: _Gate, learner, x, h_prev, p: LSTMParams, rtol, atol) -> str:
    """Run the learner's gate with one term at a time switched off; return a hint naming the first term that
    is wrong (or saying that each term alone is right and their combination is not)."""
    W, b = getattr(p, gate.weight), getattr(p, gate.bias)
    D = x.shape[1]

    def agrees(x_, h_, W_) -> bool:
        isolated = LSTMParams(p.W.copy(), p.b.copy())
        setattr(isolated, gate.weight, W_)
        expected = gate.reference(np.concatenate([x_, h_], axis=1), isolated)
        got = np.asarray(_call_gate(gate, learner, x_, h_, W_, b))
        return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))

    if not agrees(x, h_prev, np.zeros_like(W)):
        return (
            f"with all weights {gate.weight} set to 0, only the bias is left, so every row should be "
            f"{gate.activation}({gate.bias}); yours is not. Check the bias: added once, after the matrix product, "
            f"inside the {gate.activation}."
        )
    if not agrees(x, np.zeros_like(h_prev), W):
        return (
            f"with h_prev = 0 only the x part is left, {gate.activation}(x @ {gate.weight}[:, :D].T + {gate.bias}), "
            f"and yours is wrong there. z = [x, h_prev] puts x FIRST: the first D = {D} columns of "
            f"{gate.weight} multiply x."
        )
    if not agrees(np.zeros_like(x), h_prev, W):
        return (
            f"with x = 0 only the h_prev part is left, {gate.activation}(h_prev @ {gate.weight}[:, D:].T + "
            f"{gate.bias}), and yours is wrong there: the last H columns of {gate.weight} multiply h_prev."
        )
    return (
        f"each part alone (bias, x, h_prev) is right, but not their sum: add both parts and the bias inside one "
        f"{gate.activation}: {gate.activation}(z @ {gate.weight}.T + {gate.bias})."
    )


def _check_gate_case(gate: _Gate, learner, x, h_prev, p: LSTMParams, *, saturated: bool = False) -> None:
    """Compare the learner's gate with lstm_ref's on one case; explain the difference if there is one."""
    rtol, atol = _TOLERANCE[x.dtype]
    name = _describe(gate, x, h_prev)
    W, b = getattr(p, gate.weight), getattr(p, gate.bias)
    expected = gate.reference(np.concatenate([x, h_prev], axis=1), p)
    got = _call_gate(gate, learner, x, h_prev, W, b)
    if saturated and isinstance(got, np.ndarray) and got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        raise CheckFailed(
            f"{name}: your result contains NaN or infinity when the pre-activations are large (here up to "
            f"about {np.abs(np.concatenate([x, h_prev], axis=1) @ W.T + b).max():.0f}).\n"
            "  A formula like exp(a) / (1 + exp(a)) overflows to inf / inf. Use the sigmoid imported at the top "
            "of the notebook (lstm_ref's, written not to overflow) or np.tanh."
        )
    got = expect_array(name, got, expected.shape, shape_meaning="(B, H)")
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    hint = _isolate_gate_error(gate, learner, x, h_prev, p, rtol, atol)
    if gate.is_sigmoid and (got.min() < 0 or got.max() > 1):
        hint = f"some of your values lie outside [0, 1] (from {got.min():.3g} to {got.max():.3g}); {hint}"
    expect_close(
        name, got, expected, rtol=rtol, atol=atol, mistakes=_gate_mistakes(gate, x, h_prev, p), hint=hint,
        shape_meaning="(B, H)",
    )


def _require_unchanged(function: str, learner, arguments: dict[str, np.ndarray]) -> None:
    """Call the learner on copies of ``arguments`` and check the copies come back unchanged: a step function
    must not change its arguments, the caller reuses them (e.g. c_prev, if the update was done in place)."""
    given = {name: value.copy() for name, value in arguments.items()}
    call_learner(learner, *given.values(), name=function)
    for argument, original in arguments.items():
        if not np.array_equal(original, given[argument]):
            raise CheckFailed(
                f"{function} changed its argument {argument} in place (e.g. with `{argument} *= ...` or "
                f"`{argument} += ...`).\n  Compute the result in a new array instead: the caller still needs "
                f"the old {argument}."
            )


def _check_gate(gate: _Gate, learner, *, hidden: bool) -> None:
    cases = [_gate_case(shape, seed) for seed, shape in enumerate(_PUBLIC_SHAPES)]
    if hidden:
        cases += [_gate_case(shape, seed) for seed, shape in enumerate(_HIDDEN_SHAPES, start=10)]
        cases.append(_gate_case((3, 2, 4), 20, dtype=np.float32))
    for x, h_prev, p in cases:
        _check_gate_case(gate, learner, x, h_prev, p)
    if hidden:
        # Saturated gates: pre-activations in the thousands must give exactly 0 or 1 (sigmoid) or -1 or 1
        # (tanh), with no NaN from an overflowing exp.
        x, h_prev, p = _gate_case((2, 3, 4), 30, scale=1000.0)
        _check_gate_case(gate, learner, x, h_prev, p, saturated=True)
    # The arguments must come back unchanged.
    x, h_prev, p = _gate_case((2, 3, 4), 31)
    arguments = {"x": x, "h_prev": h_prev, gate.weight: getattr(p, gate.weight), gate.bias: getattr(p, gate.bias)}
    _require_unchanged(gate.function, learner, arguments)
    if hidden:
        passed(gate.function, f"{len(cases) + 1} cases: B = 1, D = 1, H < D, D = H, float32, saturated gates")
    else:
        passed(gate.function, f"{len(cases)} cases")


def check_forget_gate(forget_gate) -> None:
    """Public check of ``forget_gate(x, h_prev, W_f, b_f)`` = sigmoid([x, h_prev] @ W_f.T + b_f), (B, H)."""
    _check_gate(_FORGET, forget_gate, hidden=False)


def check_forget_gate_hidden(forget_gate) -> None:
    """Hidden check of ``forget_gate``: more shapes, float32, saturated values, arguments unchanged."""
    _check_gate(_FORGET, forget_gate, hidden=True)


def check_input_gate(input_gate) -> None:
    """Public check of ``input_gate(x, h_prev, W_i, b_i)`` = sigmoid([x, h_prev] @ W_i.T + b_i), (B, H)."""
    _check_gate(_INPUT, input_gate, hidden=False)


def check_input_gate_hidden(input_gate) -> None:
    """Hidden check of ``input_gate``: more shapes, float32, saturated values, arguments unchanged."""
    _check_gate(_INPUT, input_gate, hidden=True)


def check_candidate(candidate) -> None:
    """Public check of ``candidate(x, h_prev, W_g, b_g)`` = tanh([x, h_prev] @ W_g.T + b_g), (B, H)."""
    _check_gate(_CANDIDATE, candidate, hidden=False)


def check_candidate_hidden(candidate) -> None:
    """Hidden check of ``candidate``: more shapes, float32, saturated values, arguments unchanged."""
    _check_gate(_CANDIDATE, candidate, hidden=True)


def check_output_gate(output_gate) -> None:
    """Public check of ``output_gate(x, h_prev, W_o, b_o)`` = sigmoid([x, h_prev] @ W_o.T + b_o), (B, H)."""
    _check_gate(_OUTPUT, output_gate, hidden=False)


def check_output_gate_hidden(output_gate) -> None:
    """Hidden check of ``output_gate``: more shapes, float32, saturated values, arguments unchanged."""
    _check_gate(_OUTPUT, output_gate, hidden=True)


# ===================================================================== elementwise steps: cell and hidden state
def _elementwise_call(function: str, learner, arguments: dict[str, np.ndarray]):
    """Call an elementwise exercise on copies of ``arguments`` (all (B, H)); explain shape errors."""
    try:
        return call_learner(learner, *(value.copy() for value in arguments.values()), name=function)
    except CheckFailed as failure:
        if isinstance(failure.__cause__, ValueError) and not failure.mistake:
            B, H = next(iter(arguments.values())).shape
            raise failure.extended(
                f"  Here every argument is (B, H) = {(B, H)} and so is the result: combine them "
                "elementwise with * and +, not with a matrix product (@ or np.dot)."
            ) from failure.__cause__
        raise


def _expect_elementwise_shape(name: str, got, shape) -> np.ndarray:
    """Like expect_array, with a hint for the (B, B) result a matrix product gives."""
    if isinstance(got, np.ndarray) and got.shape == (shape[0], shape[0]) and shape[0] != shape[1]:
        raise CheckFailed(
            f"{name}: wrong shape: expected (B, H) = {tuple(shape)}, got {got.shape}.\n"
            "  Hint: a (B, B) result comes from a matrix product (@ or np.dot). The LSTM multiplies these "
            "arrays elementwise, with *."
        )
    return expect_array(name, got, shape, shape_meaning="(B, H)")


def _cell_case(shape, seed: int, *, dtype=np.float64):
    """Random (c_prev, f, i, g) of shape (B, H): f and i in (0, 1), g in (-1, 1), c_prev of either sign."""
    rng = np.random.default_rng(seed)
    c_prev = rng.normal(0.0, 2.0, size=shape)
    f = sigmoid(rng.normal(0.0, 2.0, size=shape))
    i = sigmoid(rng.normal(0.0, 2.0, size=shape))
    g = tanh(rng.normal(0.0, 2.0, size=shape))
    return {name: value.astype(dtype) for name, value in {"c_prev": c_prev, "f": f, "i": i, "g": g}.items()}


def _cell_mistakes(c_prev, f, i, g) -> dict[str, np.ndarray]:
    return {
        Mistake(
            "cell_update/gates_swapped",
            "f * g + i * c_prev: the gates are swapped. The forget gate f scales the OLD cell state c_prev; "
            "the input gate i scales the NEW candidate g.",
        ): f * g + i * c_prev,
        Mistake("cell_update/forget_gate_left_out",
                "c_prev + i * g: the forget gate is left out; f decides how much of c_prev to keep."): c_prev + i * g,
        Mistake("cell_update/input_gate_left_out",
                "f * c_prev + g: the input gate is left out; i decides how much of the candidate g to write."): f * c_prev + g,
        Mistake(
            "cell_update/tanh_on_cell_state",
            "tanh(f * c_prev + i * g): the cell state is not squashed. Keeping it a plain sum is what lets "
            "memory (and gradients) pass through many steps; the tanh comes later, in the hidden state.",
        ): tanh(f * c_prev + i * g),
        Mistake("cell_update/forget_gate_inverted", "(1 - f) * c_prev + i * g: f = 1 means KEEP the old cell state, so it multiplies c_prev directly."): (
            (1.0 - f) * c_prev + i * g
        ),
        Mistake("cell_update/multiplied_not_added", "f * c_prev * i * g: the two contributions are added, not multiplied."): f * c_prev * i * g,
        Mistake("cell_update/candidate_subtracted", "f * c_prev - i * g: the new contribution is ADDED to the kept "
                "memory."): f * c_prev - i * g,
        Mistake("cell_update/nothing_written", "f * c_prev alone: the input gate's contribution i * g is left out; "
                "c = f * c_prev + i * g."): f * c_prev,
        Mistake("cell_update/nothing_kept", "i * g alone: the kept memory f * c_prev is left out; "
                "c = f * c_prev + i * g."): i * g,
        Mistake("cell_update/c_prev_left_out", "f + i * g: the forget gate scales the old cell state, f * c_prev."):
            f + i * g,
        Mistake("cell_update/candidate_left_out", "f * c_prev + i: the input gate scales the candidate, i * g."):
            f * c_prev + i,
        Mistake("cell_update/divides", "a division where the update multiplies: c = f * c_prev + i * g."):
            f / c_prev + i * g,
        Mistake("cell_update/divides_by_g", "i / g: the input gate MULTIPLIES the candidate, i * g."): f * c_prev + i / g,
        Mistake(
            "cell_update/coupled_gates",
            "f * c_prev + (1 - f) * g: in an LSTM the input gate i (not 1 - f) decides how much of g to write.",
        ): f * c_prev + (1.0 - f) * g,
    }


def _isolate_cell_error(learner, c_prev, f, i, g, rtol, atol) -> str | None:
    """Probe the learner's update with the gates fully open or closed; a hint for the first probe it fails."""
    probes = [
        (1.0, 0.0, "with f = 1 and i = 0 (keep everything, write nothing) the new cell state must equal c_prev"),
        (0.0, 1.0, "with f = 0 and i = 1 (erase everything, write the whole candidate) it must equal g"),
    ]
    for f_value, i_value, statement in probes:
        arguments = {"c_prev": c_prev, "f": np.full_like(f, f_value), "i": np.full_like(i, i_value), "g": g}
        expected = reference.cell_update(**arguments)
        got = np.asarray(_elementwise_call("cell_update", learner, arguments))
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=rtol, atol=atol):
            return f"{statement}; yours does not. The update is c = f * c_prev + i * g."
    return None


def _check_cell_case(learner, arguments: dict[str, np.ndarray]) -> None:
    rtol, atol = _TOLERANCE[arguments["c_prev"].dtype]
    shape = arguments["c_prev"].shape
    name = f"cell_update with B={shape[0]}, H={shape[1]}" + (
        "" if arguments["c_prev"].dtype == np.float64 else f" ({arguments['c_prev'].dtype})"
    )
    expected = reference.cell_update(**arguments)
    got = _expect_elementwise_shape(name, _elementwise_call("cell_update", learner, arguments), shape)
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    with np.errstate(all="ignore"):  # some mistakes divide by values that may be 0: not the learner's warning
        known = _cell_mistakes(**arguments)
    expect_close(
        name, got, expected, rtol=rtol, atol=atol, mistakes=known,
        hint=_isolate_cell_error(learner, **arguments, rtol=rtol, atol=atol), shape_meaning="(B, H)",
    )


def _check_cell_update(learner, *, hidden: bool) -> None:
    cases = [_cell_case((3, 4), 40), _cell_case((2, 5), 41)]
    if hidden:
        cases += [_cell_case((1, 1), 42), _cell_case((1, 6), 43), _cell_case((5, 2), 44)]
        cases.append(_cell_case((3, 4), 45, dtype=np.float32))
        # Gates exactly 0 and 1 and a large old cell state: the memory must pass through untouched.
        edge = _cell_case((4, 3), 46)
        rng = np.random.default_rng(47)
        edge["f"] = rng.integers(0, 2, size=(4, 3)).astype(np.float64)
        edge["i"] = rng.integers(0, 2, size=(4, 3)).astype(np.float64)
        edge["c_prev"] = edge["c_prev"] * 500.0
        cases.append(edge)
    for arguments in cases:
        _check_cell_case(learner, arguments)
    _require_unchanged("cell_update", learner, _cell_case((2, 3), 48))
    if hidden:
        passed("cell_update", f"{len(cases)} cases: B = 1, H = 1, float32, gates exactly 0 and 1, large c_prev")
    else:
        passed("cell_update", f"{len(cases)} cases")


def check_cell_update(cell_update) -> None:
    """Public check of ``cell_update(c_prev, f, i, g)`` = f * c_prev + i * g, all (B, H)."""
    _check_cell_update(cell_update, hidden=False)


def check_cell_update_hidden(cell_update) -> None:
    """Hidden check of ``cell_update``: more shapes, float32, gates exactly 0/1, arguments unchanged."""
    _check_cell_update(cell_update, hidden=True)


def _hidden_case(shape, seed: int, *, dtype=np.float64, cell_scale: float = 2.0):
    """Random (c, o) of shape (B, H): c of either sign (often beyond +-1, where tanh bends), o in (0, 1)."""
    rng = np.random.default_rng(seed)
    c = rng.normal(0.0, cell_scale, size=shape)
    o = sigmoid(rng.normal(0.0, 2.0, size=shape))
    return {"c": c.astype(dtype), "o": o.astype(dtype)}


def _hidden_mistakes(c, o) -> dict[str, np.ndarray]:
    return {
        Mistake(
            "hidden_state/missing_tanh",
            "h = o * c: the tanh on the cell state is missing (the seed tutorial's code has this bug). Without "
            "it h grows as large as the cell state; h = o * tanh(c) keeps it between -1 and 1.",
        ): o * c,
        Mistake("hidden_state/tanh_of_product", "tanh(o * c): squash the cell state first, then let the output gate scale it: o * tanh(c)."): tanh(o * c),
        Mistake("hidden_state/output_gate_left_out",
                "tanh(c) without the output gate: multiply by o, which decides how much of the cell to show."): tanh(c),
        Mistake("hidden_state/sigmoid_instead_of_tanh",
                "o * sigmoid(c): the cell state goes through tanh (values in (-1, 1)), not sigmoid."): o * sigmoid(c),
        Mistake("hidden_state/cell_left_out", "h = o: the cell state is left out; h = o * tanh(c)."): o.copy(),
        Mistake("hidden_state/divides", "o / tanh(c): the output gate MULTIPLIES the squashed cell state."):
            o / tanh(c),
        Mistake("hidden_state/output_gate_added", "o + tanh(c): the output gate multiplies (it is a fraction), it is not added."): o + tanh(c),
        Mistake("hidden_state/tanh_on_output_gate", "c * tanh(o): the tanh belongs on the cell state c, and o multiplies it."): c * tanh(o),
    }


def _isolate_hidden_error(learner, c, o, rtol, atol) -> str | None:
    """Probe the learner's hidden state with the output gate fully open and closed; a hint, or None."""
    probes = [
        (1.0, "with o = 1 (show everything) h must equal tanh(c)"),
        (0.0, "with o = 0 (show nothing) h must be 0"),
    ]
    for o_value, statement in probes:
        arguments = {"c": c, "o": np.full_like(o, o_value)}
        expected = reference.hidden_state(**arguments)
        got = np.asarray(_elementwise_call("hidden_state", learner, arguments))
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=rtol, atol=atol):
            return f"{statement}; yours does not. The hidden state is h = o * tanh(c)."
    return None


def _check_hidden_case(learner, arguments: dict[str, np.ndarray]) -> None:
    rtol, atol = _TOLERANCE[arguments["c"].dtype]
    shape = arguments["c"].shape
    name = f"hidden_state with B={shape[0]}, H={shape[1]}" + (
        "" if arguments["c"].dtype == np.float64 else f" ({arguments['c'].dtype})"
    )
    expected = reference.hidden_state(**arguments)
    got = _expect_elementwise_shape(name, _elementwise_call("hidden_state", learner, arguments), shape)
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    hint = _isolate_hidden_error(learner, **arguments, rtol=rtol, atol=atol)
    if np.abs(got).max() > 1:
        hint = f"some of your values lie outside [-1, 1] (up to {np.abs(got).max():.3g}); {hint}"
    with np.errstate(all="ignore"):
        known = _hidden_mistakes(**arguments)
    expect_close(
        name, got, expected, rtol=rtol, atol=atol, mistakes=known, hint=hint,
        shape_meaning="(B, H)",
    )


def _check_hidden_state(learner, *, hidden: bool) -> None:
    cases = [_hidden_case((3, 4), 50), _hidden_case((2, 5), 51)]
    if hidden:
        cases += [_hidden_case((1, 1), 52), _hidden_case((1, 7), 53), _hidden_case((6, 2), 54)]
        cases.append(_hidden_case((3, 4), 55, dtype=np.float32))
        cases.append(_hidden_case((4, 3), 56, cell_scale=50.0))  # a large cell state: tanh saturates at +-1
    for arguments in cases:
        _check_hidden_case(learner, arguments)
    _require_unchanged("hidden_state", learner, _hidden_case((2, 3), 57))
    if hidden:
        passed("hidden_state", f"{len(cases)} cases: B = 1, H = 1, float32, large cell states")
    else:
        passed("hidden_state", f"{len(cases)} cases")


def check_hidden_state(hidden_state) -> None:
    """Public check of ``hidden_state(c, o)`` = o * tanh(c), all (B, H)."""
    _check_hidden_state(hidden_state, hidden=False)


def check_hidden_state_hidden(hidden_state) -> None:
    """Hidden check of ``hidden_state``: more shapes, float32, large cell states, arguments unchanged."""
    _check_hidden_state(hidden_state, hidden=True)


# Make every mistake of this unit once, on a tiny case, so the catalogue (catalogue.all_mistakes) holds them all
# from import on, not only after a check has run.
for _gate in (_FORGET, _INPUT, _CANDIDATE, _OUTPUT):
    _gate_mistakes(_gate, *_gate_case((1, 1, 1), 0))
with np.errstate(all="ignore"):
    _cell_mistakes(**_cell_case((1, 1), 0))
    _hidden_mistakes(**_hidden_case((1, 1), 0))
