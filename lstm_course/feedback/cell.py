"""Checks for unit 5, "The whole cell and the sequence".

The learner writes

    lstm_step(x, h_prev, c_prev, params) -> (h, c)                each (B, H)
        z = [x, h_prev];  i, f, o = sigmoid(...), g = tanh(...);  c = f * c_prev + i * g;  h = o * tanh(c)
    lstm_forward(x, params, h0=None, c0=None) -> (hs, (h_T, c_T))  hs (B, T, H); h_T, c_T (B, H)
    init_tutorial_params(input_size, hidden_size, seed) -> TutorialParams
        the seed tutorial's initialisation (eight arrays ~ U[-0.1, 0.1)) without its reseeding bug

Expected values come from ``lstm_ref`` (``lstm_step``, ``lstm_forward``) on the same inputs. The outputs of the
common mistakes (gate blocks read in the wrong order, [h, x] instead of [x, h], no tanh on the cell state,
transposed W, the cell state not carried from step to step, hidden states stored one step late, ...) are
computed here with NumPy on the same inputs, so a failure can name the mistake.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from lstm_ref.activations import sigmoid
from lstm_ref.cell import lstm_step as reference_lstm_step
from lstm_ref.params import LSTMParams
from lstm_ref.sequence import lstm_forward as reference_lstm_forward
from lstm_ref.tutorial_style import TutorialParams, tutorial_params

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, named, passed

__all__ = [
    "check_lstm_step",
    "check_lstm_step_hidden",
    "check_lstm_forward",
    "check_lstm_forward_hidden",
    "check_init_tutorial_params",
    "check_init_tutorial_params_hidden",
]

GATES = "ifgo"  # the block order of W and b in lstm_ref and PyTorch
GATE_WORDS = {"i": "input gate i", "f": "forget gate f", "g": "candidate g", "o": "output gate o"}

LAYOUT_HINT = (
    "  Hint: z = [x, h_prev] has shape (B, D + H) and W has shape (4H, D + H), so all four gates are "
    "z @ params.W.T + params.b (shape (B, 4H)); or call forget_gate(z, params), input_gate(z, params), ... "
    "For a sequence x of shape (B, T, D), the input at step t is x[:, t]."
)


# ------------------------------------------------------------------------------------------- test cases
def _random_step_case(seed: int, B: int, D: int, H: int, dtype=np.float64, cell_scale: float = 1.0):
    """Inputs and parameters of one step. The biases are random (not the usual forget bias of 1), so a
    missing bias or a gate read from the wrong block always changes the result."""
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(D, H, rng=rng, forget_bias=None, dtype=dtype)
    x = rng.normal(size=(B, D)).astype(dtype)
    h_prev = rng.uniform(-0.9, 0.9, size=(B, H)).astype(dtype)
    c_prev = (cell_scale * rng.normal(size=(B, H))).astype(dtype)
    return x, h_prev, c_prev, params


def _call(function, *args, name: str):
    """``call_learner`` with a reminder of the layout when NumPy refused a shape."""
    try:
        return call_learner(function, *args, name=name)
    except CheckFailed as failure:
        if isinstance(failure.__cause__, (ValueError, IndexError, TypeError)) and not failure.mistake:
            raise failure.extended(LAYOUT_HINT) from failure.__cause__
        raise


def _expect_unchanged(name: str, originals: dict, copies: dict) -> None:
    """The learner's function must not change its arguments in place (the caller still needs them)."""
    for argument, array in originals.items():
        if not np.array_equal(array, copies[argument]):
            raise CheckFailed(
                f"{name} changed its argument `{argument}` in place (for example with `{argument} *= ...` or "
                f"`{argument}[...] = ...`). The caller still needs it: compute a new array instead."
            )


def _arguments_of(x, h_prev, c_prev, params) -> dict:
    arrays = {"x": x, "params.W": params.W, "params.b": params.b}
    if h_prev is not None:
        arrays["h_prev" if x.ndim == 2 else "h0"] = h_prev
    if c_prev is not None:
        arrays["c_prev" if x.ndim == 2 else "c0"] = c_prev
    return arrays


def _unpack_pair(result, name: str, first: str, second: str):
    """The learner's function returns a pair (first, second); say clearly when it does not."""
    if result is None:
        raise CheckFailed(f"{name}: your function returned None. Did you forget `return {first}, {second}`?")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        what = f"a {type(result).__name__}" if not isinstance(result, (tuple, list)) else f"{len(result)} items"
        raise CheckFailed(f"{name}: expected two results, `return {first}, {second}`, got {what}.")
    return result


# ------------------------------------------------------------------------------- what mistakes compute
def _variant_step(x, h_prev, c_prev, W, b, *, order: str = GATES, concat: str = "xh", transpose_W: bool = False,
                  bias: bool = True, candidate_sigmoid: bool = False, tanh_on_cell: bool = True,
                  keep_memory: bool = True, h_from_c_prev: bool = False, activation: dict | None = None,
                  bias_sign: float = 1.0, cell: str = "f*c_prev+i*g", hidden: str = "o*tanh(c)"):
    """One LSTM step as a learner might write it, with one mistake switched on; returns (h, c).

    ``order`` names what the learner took the four row blocks of W to be (e.g. "figo": block 0 used as f).
    With every switch at its default this is exactly ``lstm_ref.lstm_step`` (the tests check it).
    """
    z = np.concatenate([x, h_prev] if concat == "xh" else [h_prev, x], axis=1)
    a = z @ (W if transpose_W else W.T)
    if bias:
        a = a + bias_sign * b
    H = a.shape[1] // 4
    blocks = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate(order)}
    act = {"i": "sigmoid", "f": "sigmoid", "g": "sigmoid" if candidate_sigmoid else "tanh", "o": "sigmoid",
           **(activation or {})}
    functions = {"sigmoid": sigmoid, "tanh": np.tanh, "none": lambda v: v}
    i, f, g, o = (functions[act[name]](blocks[name]) for name in "ifgo")
    c = {"f*c_prev+i*g": (f * c_prev if keep_memory else 0.0) + i * g, "f+i*g": f + i * g,
         "f*c_prev+i": f * c_prev + i, "f*c_prev+g": f * c_prev + g, "c_prev+i*g": c_prev + i * g}[cell]
    squashed = np.tanh(c_prev if h_from_c_prev else c) if tanh_on_cell else c
    return {"o*tanh(c)": o * squashed, "o": o, "tanh(c)": np.tanh(c), "o*sigmoid(c)": o * sigmoid(c)}[hidden], c


def _step_mistakes(x, h_prev, c_prev, params):
    """{hint: (h, c)} for the common mistakes of ``lstm_step`` on these inputs."""
    W, b = params.W, params.b
    mistakes = {}
    for order in ("".join(p) for p in permutations(GATES)):
        if order == GATES:
            continue
        read_as = ", ".join(f"block {k} as {GATE_WORDS[name]}" for k, name in enumerate(order) if name != GATES[k])
        mistakes[Mistake(
            f"lstm_step/gate_blocks_order_{order}",
            f"the gate blocks read in the wrong order ({read_as}). W and b stack the gates as i, f, g, o "
            "(rows 0:H are i, H:2H f, 2H:3H g, 3H:4H o), as in PyTorch.",
        )] = _variant_step(x, h_prev, c_prev, W, b, order=order)
    mistakes.update({
        Mistake("lstm_step/concatenated_h_first", "z built as [h_prev, x]. The first D columns of W multiply the "
                "input x, so z = np.concatenate([x, h_prev], axis=1), x first."):
            _variant_step(x, h_prev, c_prev, W, b, concat="hx"),
        Mistake("lstm_step/missing_tanh_on_cell", "h = o * c: the tanh on the cell state is missing. h = o * tanh(c) "
                "keeps h between -1 and 1 however large c grows (the seed tutorial's bug)."):
            _variant_step(x, h_prev, c_prev, W, b, tanh_on_cell=False),
        Mistake("lstm_step/missing_bias", "the bias left out: every gate is activation(z @ W_gate.T + b_gate)."):
            _variant_step(x, h_prev, c_prev, W, b, bias=False),
        Mistake("lstm_step/bias_subtracted", "the bias subtracted: every gate is activation(z @ W_gate.T + b_gate)."):
            _variant_step(x, h_prev, c_prev, W, b, bias_sign=-1.0),
        Mistake("lstm_step/candidate_sigmoid", "the candidate g squashed with sigmoid. g is a value to write into "
                "the memory and may be negative: g = tanh(...), only i, f and o use sigmoid."):
            _variant_step(x, h_prev, c_prev, W, b, candidate_sigmoid=True),
        Mistake("lstm_step/old_memory_dropped", "the old memory dropped: c = f * c_prev + i * g keeps a fraction f "
                "of c_prev."): _variant_step(x, h_prev, c_prev, W, b, keep_memory=False),
        Mistake("lstm_step/h_from_c_prev", "h computed from c_prev. The hidden state shows the NEW cell state: "
                "h = o * tanh(c)."): _variant_step(x, h_prev, c_prev, W, b, h_from_c_prev=True),
        Mistake("lstm_step/c_prev_left_out", "c = f + i * g: the forget gate must scale the old cell state, "
                "f * c_prev."): _variant_step(x, h_prev, c_prev, W, b, cell="f+i*g"),
        Mistake("lstm_step/forget_gate_left_out", "c = c_prev + i * g: the forget gate f is left out; it decides "
                "how much of c_prev to keep."): _variant_step(x, h_prev, c_prev, W, b, cell="c_prev+i*g"),
        Mistake("lstm_step/candidate_left_out", "c = f * c_prev + i: the candidate g is left out; the input gate "
                "scales it, i * g."): _variant_step(x, h_prev, c_prev, W, b, cell="f*c_prev+i"),
        Mistake("lstm_step/input_gate_left_out", "c = f * c_prev + g: the input gate i is left out; it decides how "
                "much of g to write."): _variant_step(x, h_prev, c_prev, W, b, cell="f*c_prev+g"),
        Mistake("lstm_step/h_is_o", "h = o: the cell state is left out of the hidden state; h = o * tanh(c)."):
            _variant_step(x, h_prev, c_prev, W, b, hidden="o"),
        Mistake("lstm_step/h_without_output_gate", "h = tanh(c): the output gate o is left out; h = o * tanh(c)."):
            _variant_step(x, h_prev, c_prev, W, b, hidden="tanh(c)"),
        Mistake("lstm_step/h_sigmoid_of_c", "h = o * sigmoid(c): the cell state goes through tanh, not sigmoid."):
            _variant_step(x, h_prev, c_prev, W, b, hidden="o*sigmoid(c)"),
    })
    for gate in "ifo":
        for wrong, words in (("tanh", "tanh instead of sigmoid"), ("none", "no activation")):
            mistakes[Mistake(f"lstm_step/{gate}_{wrong}_activation",
                             f"the {GATE_WORDS[gate]} computed with {words}: i, f and o are sigmoid(...) (fractions "
                             "between 0 and 1), only g uses tanh.")] = \
                _variant_step(x, h_prev, c_prev, W, b, activation={gate: wrong})
    mistakes[Mistake("lstm_step/g_no_activation", "the candidate g without its tanh: g = tanh(its block of the "
                     "pre-activations).")] = _variant_step(x, h_prev, c_prev, W, b, activation={"g": "none"})
    if W.shape[0] == W.shape[1]:  # only a square W lets the transposed product run at all
        mistakes[Mistake("lstm_step/W_not_transposed", "W transposed: W has shape (4H, D + H), one row per gate "
                         "unit, so the product is z @ W.T, not z @ W.")] = \
            _variant_step(x, h_prev, c_prev, W, b, transpose_W=True)
    return mistakes


# ------------------------------------------------------------------------------------------- lstm_step
def _check_step_case(lstm_step, case: str, x, h_prev, c_prev, params, *, rtol=1e-7, atol=1e-9) -> None:
    expected_h, expected_c, _ = reference_lstm_step(x, h_prev, c_prev, params)
    originals = _arguments_of(x, h_prev, c_prev, params)
    copies = {name: array.copy() for name, array in originals.items()}
    name = f"lstm_step ({case})"
    mistakes = _step_mistakes(x, h_prev, c_prev, params)  # before the call: the learner may change the inputs
    h, c = _unpack_pair(_call(lstm_step, x, h_prev, c_prev, params, name="lstm_step"), name, "h", "c")
    B, H = expected_h.shape
    h = expect_array(f"{name}, h", h, (B, H), shape_meaning="(B, H)")
    c = expect_array(f"{name}, c", c, (B, H), shape_meaning="(B, H)")
    if not np.allclose(h, expected_h, rtol, atol) and np.allclose(h, expected_c, rtol, atol) \
            and np.allclose(c, expected_h, rtol, atol):
        raise CheckFailed(f"{name}: h and c are swapped: return h first, then c (`return h, c`).",
                          mistake=Mistake("lstm_step/h_and_c_swapped", "h and c returned in the wrong order").id)
    if x.dtype == np.float32 and (h.dtype != np.float32 or c.dtype != np.float32):
        raise CheckFailed(f"{name}: float32 inputs gave h {h.dtype} and c {c.dtype}: something in your step "
                          "converts to float64 (a new np.zeros without dtype=x.dtype?). Keep the inputs' dtype.")
    # The cell state first: when c is right, only the hidden-state line can be wrong.
    expect_close(f"{name}, c (the new cell state)", c, expected_c, rtol=rtol, atol=atol, shape_meaning="(B, H)",
                 mistakes={hint: wrong_c for hint, (_, wrong_c) in mistakes.items()},
                 hint="c = f * c_prev + i * g, with i, f, g computed from z = [x, h_prev]. Print each gate "
                      "next to forget_gate(z, params) etc. from lstm_ref to find the one that differs.")
    expect_close(f"{name}, h (the new hidden state)", h, expected_h, rtol=rtol, atol=atol, shape_meaning="(B, H)",
                 mistakes={hint: wrong_h for hint, (wrong_h, _) in mistakes.items()},
                 hint="your c is right, so look at the last line: h = o * tanh(c), o = sigmoid(block 3 of the "
                      "pre-activations).")
    _expect_unchanged("lstm_step", originals, copies)


def check_lstm_step(lstm_step) -> None:
    """Public check of ``lstm_step(x, h_prev, c_prev, params) -> (h, c)`` against ``lstm_ref.lstm_step``."""
    x, h_prev, c_prev, params = _random_step_case(501, B=2, D=3, H=4)
    # First with empty memory (h_prev = c_prev = 0): only x, W and b matter, so the gate layout is tested alone.
    _check_step_case(lstm_step, "h_prev = c_prev = 0", x, np.zeros_like(h_prev), np.zeros_like(c_prev), params)
    _check_step_case(lstm_step, "B=2, D=3, H=4", x, h_prev, c_prev, params)
    passed("lstm_step", "matches lstm_ref.lstm_step")


def check_lstm_step_hidden(lstm_step) -> None:
    """Hidden check: a square W (D + H = 4H), B = 1, D > H and D < H, a large cell state, float32."""
    # The square W first (D + H = 4H): there a transposed W runs without an error, so it can be named.
    for seed, (B, D, H) in zip((511, 512, 513), ((2, 6, 2), (1, 5, 2), (3, 2, 6))):
        x, h_prev, c_prev, params = _random_step_case(seed, B, D, H)
        _check_step_case(lstm_step, f"B={B}, D={D}, H={H}", x, h_prev, c_prev, params)
    # A cell state far outside (-1, 1): tanh(c) saturates while c itself does not.
    x, h_prev, c_prev, params = _random_step_case(514, 2, 3, 4, cell_scale=20.0)
    _check_step_case(lstm_step, "a large cell state", x, h_prev, c_prev, params)
    x, h_prev, c_prev, params = _random_step_case(515, 2, 3, 4, dtype=np.float32)
    _check_step_case(lstm_step, "float32", x, h_prev, c_prev, params, rtol=1e-5, atol=1e-6)
    passed("lstm_step (hidden)", "other shapes, a large cell state, float32")


# ---------------------------------------------------------------------------------------- lstm_forward
def _variant_forward(x, params, h0, c0, *, carry_h: bool = True, carry_c: bool = True, reverse: bool = False):
    """The loop over time as a learner might write it (with ``lstm_ref.lstm_step``); returns hs, h_T, c_T."""
    B, T, _ = x.shape
    h, c = h0, c0
    hs = []
    for t in (reversed(range(T)) if reverse else range(T)):
        h, c, _ = reference_lstm_step(x[:, t], h if carry_h else h0, c if carry_c else c0, params)
        hs.append(h)
    return np.stack(hs, axis=1), h, c


def _forward_mistakes(x, params, h0, c0, given_h0, given_c0):
    """{hint: (hs, h_T, c_T)} for the common mistakes of ``lstm_forward``; h0/c0 are the states the check
    passed (None for "not given") and ``given_*`` the arrays they stand for."""
    hs, (h_T, c_T), _ = reference_lstm_forward(x, params, given_h0, given_c0)
    zeros = np.zeros_like(given_h0)
    early = np.concatenate([given_h0[:, None], hs[:, :-1]], axis=1)
    mistakes = named("lstm_forward", {
        "the cell state not carried from step to step: each step must start from the c it received from the "
        "step before (c_prev = c), not from c0 again.": _variant_forward(x, params, given_h0, given_c0, carry_c=False),
        "the hidden state not carried from step to step: each step must start from the h it received from the "
        "step before.": _variant_forward(x, params, given_h0, given_c0, carry_h=False),
        "off by one in time: hs[:, t] must be the state AFTER reading x[:, t] (h_(t+1) in the loop), but yours "
        "holds the state before it (hs[:, 0] is h0).": (early, h_T, c_T),
        "the sequence read backwards: step t reads x[:, t], for t = 0, 1, ..., T - 1.":
            _variant_forward(x, params, given_h0, given_c0, reverse=True),
        "the final states in the wrong order: return hs, (h_T, c_T), the hidden state first.": (hs, c_T, h_T),
    }, ["cell_state_not_carried", "hidden_state_not_carried", "stored_before_step", "read_backwards",
        "final_states_swapped"])
    if h0 is not None and np.any(given_h0 != 0):
        ignored = reference_lstm_forward(x, params, zeros, zeros)
        mistakes[Mistake("lstm_forward/h0_c0_ignored", "h0 and c0 ignored: when they are given, the first step must "
                         "start from them (zeros only when they are None).")] = (ignored[0], *ignored[1])
        ignored_c = reference_lstm_forward(x, params, given_h0, zeros)
        mistakes[Mistake("lstm_forward/c0_ignored", "c0 ignored: when it is given, the first step must start from "
                         "it.")] = (ignored_c[0], *ignored_c[1])
    return mistakes


def _check_forward_case(lstm_forward, case: str, x, params, h0=None, c0=None, *, rtol=1e-7, atol=1e-9) -> None:
    B, T, _ = x.shape
    H = params.hidden_size
    given_h0 = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0
    given_c0 = np.zeros((B, H), dtype=x.dtype) if c0 is None else c0
    expected_hs, (expected_h, expected_c), _ = reference_lstm_forward(x, params, given_h0, given_c0)
    originals = _arguments_of(x, h0, c0, params)
    copies = {name: array.copy() for name, array in originals.items()}
    name = f"lstm_forward ({case})"
    mistakes = _forward_mistakes(x, params, h0, c0, given_h0, given_c0)
    arguments = (x, params) if h0 is None else (x, params, h0, c0)
    hs, final = _unpack_pair(_call(lstm_forward, *arguments, name="lstm_forward"), name, "hs", "(h_T, c_T)")
    h_T, c_T = _unpack_pair(final, f"{name}, the final states", "h_T", "c_T")
    hs = expect_array(f"{name}, hs", hs, (B, T, H), shape_meaning="(B, T, H)")
    if x.dtype == np.float32 and hs.dtype != np.float32:
        raise CheckFailed(f"{name}: float32 inputs gave hs of dtype {hs.dtype}. Create the zero states and hs "
                          "with dtype=x.dtype so the sequence keeps the inputs' precision.")
    expect_close(f"{name}, hs", hs, expected_hs, rtol=rtol, atol=atol, shape_meaning="(B, T, H)",
                 mistakes={hint: wrong[0] for hint, wrong in mistakes.items()},
                 hint="hs[:, t] is the hidden state returned by the step that reads x[:, t], starting from h0, c0 "
                      "(zeros when None) and passing (h, c) on to the next step.")
    for label, got, expected, index in (("h_T", h_T, expected_h, 1), ("c_T", c_T, expected_c, 2)):
        expect_close(f"{name}, {label} (the final state)", got, expected, rtol=rtol, atol=atol,
                     shape_meaning="(B, H)", mistakes={hint: wrong[index] for hint, wrong in mistakes.items()},
                     hint=f"return the {label[0]} of the LAST step: the state after reading x[:, T - 1].")
    _expect_unchanged("lstm_forward", originals, copies)


def _random_sequence_case(seed: int, B: int, T: int, D: int, H: int, dtype=np.float64, with_state=False):
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(D, H, rng=rng, forget_bias=None, dtype=dtype)
    x = rng.normal(size=(B, T, D)).astype(dtype)
    if not with_state:
        return x, params, None, None
    h0 = rng.uniform(-0.9, 0.9, size=(B, H)).astype(dtype)
    c0 = rng.normal(size=(B, H)).astype(dtype)
    return x, params, h0, c0


def check_lstm_forward(lstm_forward) -> None:
    """Public check of ``lstm_forward(x, params, h0=None, c0=None) -> (hs, (h_T, c_T))`` against lstm_ref."""
    x, params, _, _ = _random_sequence_case(521, B=2, T=5, D=3, H=4)
    _check_forward_case(lstm_forward, "B=2, T=5, D=3, H=4, h0 and c0 not given", x, params)
    x, params, h0, c0 = _random_sequence_case(522, B=2, T=4, D=3, H=4, with_state=True)
    _check_forward_case(lstm_forward, "h0 and c0 given", x, params, h0, c0)
    passed("lstm_forward", "matches lstm_ref.lstm_forward")


def check_lstm_forward_hidden(lstm_forward) -> None:
    """Hidden check: T = 1, B = 1, D != H, a long sequence, given states, float32 with and without h0."""
    cases = ((531, 1, 1, 2, 3, False), (532, 3, 12, 5, 2, True), (533, 1, 30, 2, 6, False), (534, 2, 7, 4, 4, True))
    for seed, B, T, D, H, with_state in cases:
        x, params, h0, c0 = _random_sequence_case(seed, B, T, D, H, with_state=with_state)
        given = "h0, c0 given" if with_state else "no h0, c0"
        _check_forward_case(lstm_forward, f"B={B}, T={T}, D={D}, H={H}, {given}", x, params, h0, c0)
    for with_state in (False, True):
        x, params, h0, c0 = _random_sequence_case(535, 2, 6, 3, 4, dtype=np.float32, with_state=with_state)
        _check_forward_case(lstm_forward, f"float32, {'h0, c0 given' if with_state else 'no h0, c0'}",
                            x, params, h0, c0, rtol=1e-5, atol=1e-6)
    passed("lstm_forward (hidden)", "T = 1, long sequences, given states, float32")


# ---------------------------------------------------------------------------------- init_tutorial_params
WEIGHT_NAMES = ("wg", "wi", "wf", "wo")
BIAS_NAMES = ("bg", "bi", "bf", "bo")


def _params_arrays(result, name: str, D: int, H: int) -> dict[str, np.ndarray]:
    """The eight arrays of the learner's TutorialParams, with their shapes checked."""
    if result is None:
        raise CheckFailed(f"{name}: your function returned None. Did you forget `return TutorialParams(...)`?")
    if not isinstance(result, TutorialParams):
        raise CheckFailed(f"{name}: expected a TutorialParams(wg=..., wi=..., ...), got {type(result).__name__}.")
    arrays = {}
    for key in WEIGHT_NAMES:
        arrays[key] = expect_array(f"{name}, {key}", getattr(result, key), (H, D + H), shape_meaning="(H, D + H)")
    for key in BIAS_NAMES:
        arrays[key] = expect_array(f"{name}, {key}", getattr(result, key), (H,), shape_meaning="(H,)")
    return arrays


def _check_init_case(init_tutorial_params, D: int, H: int, seed: int) -> dict[str, np.ndarray]:
    name = f"init_tutorial_params(input_size={D}, hidden_size={H}, seed={seed})"
    state_before = np.random.get_state()[1].copy()
    first = _params_arrays(_call(init_tutorial_params, D, H, seed, name="init_tutorial_params"), name, D, H)
    if not np.array_equal(np.random.get_state()[1], state_before):
        raise CheckFailed(
            f"{name} changed NumPy's global random state (np.random.seed or np.random.rand). That is what the "
            "tutorial did, and it changes the random numbers of every other piece of code. Create one private "
            "generator, rng = np.random.default_rng(seed), and draw everything from it.",
            mistake=Mistake("init_tutorial_params/global_random_state", "NumPy's global random state used").id,
        )
    for key, array in first.items():
        low, high = float(array.min()), float(array.max())
        if low < -0.1 or high >= 0.1:
            raise CheckFailed(f"{name}: {key} has values from {low:.3g} to {high:.3g}; the tutorial draws every "
                              "weight uniformly from [-0.1, 0.1): rng.uniform(-0.1, 0.1, size=...).",
                              mistake=Mistake("init_tutorial_params/range_not_minus_to_plus_0_1",
                                              "values drawn outside [-0.1, 0.1)").id)
    for group in (WEIGHT_NAMES, BIAS_NAMES):
        for k, a in enumerate(group):
            for b in group[k + 1:]:
                if np.array_equal(first[a], first[b]):
                    raise CheckFailed(
                        f"{name}: {a} and {b} are identical, the tutorial's bug. Each call that starts a new "
                        "generator from the same seed (np.random.default_rng(seed) or np.random.seed(seed) "
                        "inside the loop or helper) starts the same stream again. Create the generator ONCE and "
                        "draw all eight arrays from it, one after the other.",
                        mistake=Mistake("init_tutorial_params/arrays_identical", "identical arrays: a generator "
                                        "started again from the seed for each array").id,
                    )
    again = _params_arrays(_call(init_tutorial_params, D, H, seed, name="init_tutorial_params"), name, D, H)
    if not all(np.array_equal(first[key], again[key]) for key in first):
        raise CheckFailed(f"{name}: two calls with the same seed gave different weights. Seed the generator "
                          "with the argument: rng = np.random.default_rng(seed), so a run can be repeated.",
                          mistake=Mistake("init_tutorial_params/not_seeded", "the generator not seeded with the "
                                          "seed argument").id)
    return first


def _looks_uniform(arrays: dict[str, np.ndarray], name: str) -> None:
    """Enough draws to tell U[-0.1, 0.1) from a narrower or shifted range (e.g. rng.random() * 0.1)."""
    values = np.concatenate([array.ravel() for array in arrays.values()])
    if values.min() > -0.09 or values.max() < 0.09 or abs(values.mean()) > 0.01:
        raise CheckFailed(
            f"{name}: {values.size} draws range from {values.min():.3g} to {values.max():.3g} with mean "
            f"{values.mean():.3g}; draws from U[-0.1, 0.1) would fill the whole range around a mean near 0. "
            "Use rng.uniform(-0.1, 0.1, size=shape) (or rng.random(shape) * 0.2 - 0.1)."
        )


def check_init_tutorial_params(init_tutorial_params) -> None:
    """Public check: shapes, range, the four matrices (and biases) differ, same seed -> same weights, and the
    global random state untouched."""
    D, H = 3, 4
    arrays = _check_init_case(init_tutorial_params, D, H, seed=0)
    _looks_uniform(_check_init_case(init_tutorial_params, 20, 30, seed=1), "init_tutorial_params(20, 30, seed=1)")
    reference = tutorial_params(D, H, rng=0)
    same_as_reference = all(np.array_equal(arrays[key], getattr(reference, key)) for key in arrays)
    detail = "the same numbers as lstm_ref.tutorial_style.tutorial_params" if same_as_reference else \
        "eight different arrays, repeatable from the seed"
    passed("init_tutorial_params", detail)


def check_init_tutorial_params_hidden(init_tutorial_params) -> None:
    """Hidden check: other sizes (H = 1, D > H), other seeds give other weights, uniform spread."""
    first = _check_init_case(init_tutorial_params, 2, 1, seed=7)
    _check_init_case(init_tutorial_params, 10, 3, seed=123)
    other = _check_init_case(init_tutorial_params, 2, 1, seed=8)
    if all(np.array_equal(first[key], other[key]) for key in first):
        raise CheckFailed("init_tutorial_params: seeds 7 and 8 gave the same weights; the seed argument must "
                          "decide the numbers: rng = np.random.default_rng(seed).")
    _looks_uniform(_check_init_case(init_tutorial_params, 40, 25, seed=5), "init_tutorial_params(40, 25, seed=5)")
    passed("init_tutorial_params (hidden)", "other sizes and seeds")
