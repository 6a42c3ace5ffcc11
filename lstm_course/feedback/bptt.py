"""Checks for unit 6, "Backpropagation through time".

The learner writes the backward pass of one LSTM step in two parts, reading the ``LSTMStepCache`` that
``lstm_ref.lstm_step`` returns (``cache.z``, ``cache.i``, ``cache.f``, ``cache.g``, ``cache.o``, ``cache.c_prev``,
``cache.tanh_c``, ``cache.params``):

    step_backward_gates(dh, dc, cache) -> (da, dc_prev)          da (B, 4H), dc_prev (B, H)
        dc_total = dc + dh * o * (1 - tanh(c)^2)
        da = [dc_total * g * i(1-i), dc_total * c_prev * f(1-f), dc_total * i * (1-g^2), dh * tanh(c) * o(1-o)]
        dc_prev = dc_total * f
    step_backward_weights(da, cache) -> (dx, dh_prev, dW, db)     (B, D), (B, H), (4H, D + H), (4H,)
        dz = da @ W,  dx = dz[:, :D],  dh_prev = dz[:, D:],  dW = da.T @ z,  db = da summed over the batch

and a finite-difference gradient

    numerical_gradient(f, array, eps=1e-6) -> grad                 array's shape
        grad[k] = (f() with array[k] + eps  -  f() with array[k] - eps) / (2 eps), array restored after each k

Expected values come from ``lstm_ref`` (``lstm_step_backward``, ``numerical_gradient``, analytic derivatives):
the reference ``da`` of a batch is read from ``lstm_step_backward`` run one sample at a time, where the bias
gradient db IS that sample's da. The outputs of the usual mistakes are computed here on the same inputs.

``lstm_backward_with_mistake`` runs backpropagation through time with one of those mistakes switched on; the
notebook uses it to show that a wrong gradient can still lower the loss (and that a gradient check catches it).
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from lstm_ref.cell import LSTMStepCache, lstm_step, lstm_step_backward
from lstm_ref.gradcheck import numerical_gradient as reference_numerical_gradient
from lstm_ref.gradcheck import relative_error
from lstm_ref.params import LSTMParams
from lstm_ref.sequence import LSTMCache, lstm_backward, lstm_forward

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, matching_mistake, named, passed

__all__ = [
    "MISTAKES",
    "step_backward_with_mistake",
    "lstm_backward_with_mistake",
    "check_step_backward_gates",
    "check_step_backward_gates_hidden",
    "check_step_backward_weights",
    "check_step_backward_weights_hidden",
    "check_numerical_gradient",
    "check_numerical_gradient_hidden",
]

GATES = "ifgo"
GATE_WORDS = {"i": "input gate i", "f": "forget gate f", "g": "candidate g", "o": "output gate o"}
BLOCK_SLICES = ("da[:, :H]", "da[:, H:2H]", "da[:, 2H:3H]", "da[:, 3H:]")

# The mistakes ``step_backward_with_mistake`` can make, by name, with what they get wrong.
MISTAKES = {
    "sigmoid slope s": "the sigmoid's slope taken as s instead of s * (1 - s) for the gates i, f, o",
    "no tanh slope on the cell path": "dh's share of dc_total taken as dh * o, without tanh's slope 1 - tanh(c)^2",
    "no forget factor": "dc_prev = dc_total, without the forget gate's factor f",
}


# --------------------------------------------------------------------- the backward step, with a mistake
def _variant_gates(dh, dc, cache: LSTMStepCache, *, sigmoid_slope: str = "s(1-s)", tanh_slope_on_cell: bool = True,
                   forget_factor: bool = True, dh_to_cell: bool = True, order: str = GATES,
                   candidate_slope: str = "1-g^2", output_term: str = "tanh(c)", forget_term: str = "c_prev"):
    """(da, dc_prev) of one step as a learner might compute them, with one mistake switched on.

    With every switch at its default this is the exact gradient (the tests compare it with ``lstm_ref``).
    """
    i, f, g, o, tanh_c = cache.i, cache.f, cache.g, cache.o, cache.tanh_c

    def slope(s):
        return s * (1.0 - s) if sigmoid_slope == "s(1-s)" else s

    dc_total = dc + (dh * o * ((1.0 - tanh_c ** 2) if tanh_slope_on_cell else 1.0) if dh_to_cell else 0.0)
    memory = cache.c_prev if forget_term == "c_prev" else f * cache.c_prev + i * g  # the new c, a mistake
    g_slope = {"1-g^2": 1.0 - g ** 2, "1-g": 1.0 - g, "g(1-g)": g * (1.0 - g)}[candidate_slope]
    blocks = {
        "i": dc_total * g * slope(i),
        "f": dc_total * memory * slope(f),
        "g": dc_total * i * g_slope,
        "o": dh * (tanh_c if output_term == "tanh(c)" else 1.0) * slope(o),
    }
    da = np.concatenate([blocks[name] for name in order], axis=1)
    dc_prev = dc_total * f if forget_factor else dc_total
    return da, dc_prev


def step_backward_with_mistake(dh, dc, cache: LSTMStepCache, mistake: str | None = None):
    """One LSTM step backward, exact (``mistake=None``) or with one of the named ``MISTAKES``.

    Args: dh, dc (B, H); cache from ``lstm_ref.lstm_step``; mistake: None or a key of ``MISTAKES``.
    Returns: dx (B, D), dh_prev (B, H), dc_prev (B, H), and grads: an LSTMParams of dW (4H, D + H), db (4H,).
    """
    switches = {
        None: {},
        "sigmoid slope s": {"sigmoid_slope": "s"},
        "no tanh slope on the cell path": {"tanh_slope_on_cell": False},
        "no forget factor": {"forget_factor": False},
    }
    if mistake not in switches:
        raise ValueError(f"mistake must be None or one of {sorted(MISTAKES)}, got {mistake!r}.")
    da, dc_prev = _variant_gates(dh, dc, cache, **switches[mistake])
    W, D = cache.params.W, cache.params.input_size
    dz = da @ W
    return dz[:, :D], dz[:, D:], dc_prev, LSTMParams(da.T @ cache.z, da.sum(axis=0))


def lstm_backward_with_mistake(dhs, cache: LSTMCache, mistake: str | None = None):
    """Backpropagation through time for ``lstm_ref.lstm_forward``, one step at a time, with an optional mistake.

    Args: dhs (B, T, H) = dL/dh_t; cache: the ``LSTMCache`` of ``lstm_forward``; mistake: None or a key of
        ``MISTAKES``. Returns: dx (B, T, D), dh0 (B, H), dc0 (B, H), grads (LSTMParams), like ``lstm_backward``
        (with ``mistake=None`` the same numbers, up to rounding).
    """
    p = cache.params
    T, B = cache.seq_len, cache.batch_size
    dh_next = np.zeros((B, p.hidden_size), dtype=p.dtype)
    dc = np.zeros_like(dh_next)
    grads = p.zeros_like()
    dx = np.empty((B, T, p.input_size), dtype=p.dtype)
    for t in reversed(range(T)):
        step = LSTMStepCache(params=p, z=cache.z[t], gates=cache.gates[t], c_prev=cache.cells[t],
                             tanh_c=cache.tanh_c[t])
        dx[:, t], dh_next, dc, step_grads = step_backward_with_mistake(dhs[:, t] + dh_next, dc, step, mistake)
        grads.W += step_grads.W
        grads.b += step_grads.b
    return dx, dh_next, dc, grads


# -------------------------------------------------------------------------------------------- test cases
def _step_case(seed: int, B: int, D: int, H: int, dtype=np.float64, cell_scale: float = 1.0):
    """A forward step of lstm_ref and upstream gradients dh, dc, all drawn from one seed."""
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(D, H, rng=rng, forget_bias=None, dtype=dtype)
    x = rng.normal(size=(B, D)).astype(dtype)
    h_prev = rng.uniform(-0.9, 0.9, size=(B, H)).astype(dtype)
    c_prev = (cell_scale * rng.normal(size=(B, H))).astype(dtype)
    dh = rng.normal(size=(B, H)).astype(dtype)
    dc = rng.normal(size=(B, H)).astype(dtype)
    return x, h_prev, c_prev, params, dh, dc


def _reference_da(x, h_prev, c_prev, params, dh, dc) -> np.ndarray:
    """da (B, 4H) from lstm_ref alone: for one sample, the bias gradient db = sum over the batch of da IS da."""
    rows = []
    for b in range(x.shape[0]):
        _, _, cache = lstm_step(x[b:b + 1], h_prev[b:b + 1], c_prev[b:b + 1], params)
        rows.append(lstm_step_backward(dh[b:b + 1], dc[b:b + 1], cache)[3].b)
    return np.stack(rows)


def _call(function, *args, name: str):
    try:
        return call_learner(function, *args, name=name)
    except CheckFailed as failure:
        if isinstance(failure.__cause__, (ValueError, IndexError)) and not failure.mistake:
            raise failure.extended(
                "  Hint: dh, dc, cache.i, ... are (B, H); da is (B, 4H) with the blocks i, f, g, o side "
                "by side; W is (4H, D + H) and z = [x, h_prev] is (B, D + H)."
            ) from failure.__cause__
        raise


def _unpack(result, name: str, names: tuple[str, ...]):
    spelled = ", ".join(names)
    if result is None:
        raise CheckFailed(f"{name}: your function returned None. Did you forget `return {spelled}`?")
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        what = f"{len(result)} items" if isinstance(result, (tuple, list)) else f"a {type(result).__name__}"
        raise CheckFailed(f"{name}: expected {len(names)} results, `return {spelled}`, got {what}.")
    return result


def _cache_arrays(cache: LSTMStepCache) -> dict:
    return {"cache.z": cache.z, "cache.gates": cache.gates, "cache.c_prev": cache.c_prev, "cache.tanh_c": cache.tanh_c,
            "cache.params.W": cache.params.W}


def _expect_unchanged(name: str, originals: dict, copies: dict) -> None:
    for argument, array in originals.items():
        if not np.array_equal(array, copies[argument]):
            raise CheckFailed(f"{name} changed `{argument}` in place (e.g. `dc *= ...`). Compute new arrays: the "
                              "caller (the loop over time) still needs the old values.")


# ------------------------------------------------------------------------------------ step_backward_gates
def _gates_mistakes(dh, dc, cache) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{hint: (da, dc_prev)} for the common mistakes of ``step_backward_gates`` on these inputs."""
    mistakes = {
        Mistake("step_backward_gates/sigmoid_slope_s", "the sigmoid's slope written as s instead of s * (1 - s). "
                "For s = sigmoid(a), ds/da = s * (1 - s); the cache holds s (the gate values), not a."): _variant_gates(dh, dc, cache, sigmoid_slope="s"),
        Mistake("step_backward_gates/no_tanh_slope_on_cell_path", "tanh's slope missing on the path from h to c: "
                "h = o * tanh(c), so dh reaches c as dh * o * (1 - tanh(c)^2) (cache.tanh_c holds tanh(c))."): _variant_gates(dh, dc, cache, tanh_slope_on_cell=False),
        Mistake("step_backward_gates/no_forget_factor",
                "dc_prev = dc_total: c = f * c_prev + i * g, so dc/dc_prev = f and dc_prev = dc_total * f."):
            _variant_gates(dh, dc, cache, forget_factor=False),
        Mistake("step_backward_gates/dh_path_left_out", "dh's path into the cell state left out: dc_total = dc + dh * "
                "o * (1 - tanh(c)^2), because h = o * tanh(c) depends on c too."): _variant_gates(dh, dc, cache, dh_to_cell=False),
        Mistake("step_backward_gates/candidate_slope_1_minus_g",
                "the candidate's slope written as 1 - g: for g = tanh(a), dg/da = 1 - g^2."):
            _variant_gates(dh, dc, cache, candidate_slope="1-g"),
        Mistake("step_backward_gates/candidate_slope_sigmoid",
                "the candidate's slope written as g * (1 - g), the sigmoid's: g = tanh(a), so dg/da = 1 - g^2."):
            _variant_gates(dh, dc, cache, candidate_slope="g(1-g)"),
        Mistake("step_backward_gates/output_gate_without_tanh_c",
                "the output gate's gradient without tanh(c): h = o * tanh(c), so dh/do = tanh(c)."):
            _variant_gates(dh, dc, cache, output_term="1"),
        Mistake("step_backward_gates/forget_gate_uses_new_c",
                "the forget gate's gradient uses the new cell state c: c = f * c_prev + i * g, so dc/df = c_prev."):
            _variant_gates(dh, dc, cache, forget_term="c"),
    }
    for order in ("".join(p) for p in permutations(GATES)):
        if order != GATES:
            mistakes[Mistake(f"step_backward_gates/blocks_order_{order}",
                             f"the blocks of da in the order {', '.join(order)}; they must follow W's rows: i, f, g, o.")] = \
                _variant_gates(dh, dc, cache, order=order)
    return mistakes


def _gates_formula(dh, dc, i, f, g, o, tanh_c, c_prev):
    """(da, dc_prev) from the named quantities: the exact formulas, used with some of them exchanged."""
    dc_total = dc + dh * o * (1.0 - tanh_c ** 2)
    da = np.concatenate([dc_total * g * i * (1 - i), dc_total * c_prev * f * (1 - f), dc_total * i * (1 - g ** 2),
                         dh * tanh_c * o * (1 - o)], axis=1)
    return da, dc_total * f


def _swapped_gates_mistakes(dh, dc, cache) -> dict:
    """The gates read from the cache into the wrong names (i from cache.f and f from cache.i, ...)."""
    values = {"i": cache.i, "f": cache.f, "g": cache.g, "o": cache.o}
    mistakes = {}
    for a, b in (("i", "f"), ("i", "g"), ("i", "o"), ("f", "g"), ("f", "o"), ("g", "o")):
        read = dict(values, **{a: values[b], b: values[a]})
        mistakes[Mistake(f"step_backward_gates/cache_{a}_{b}_swapped",
                         f"{a} and {b} exchanged when read from the cache: {a} is cache.{a}, {b} is cache.{b}.")] = \
            _gates_formula(dh, dc, read["i"], read["f"], read["g"], read["o"], cache.tanh_c, cache.c_prev)
    return mistakes


_FACTOR_WORDS = {"dc_total": "dc_total (dc plus dh's path through h)", "dh": "dh", "g": "g", "i": "i",
                 "c_prev": "c_prev", "tanh_c": "tanh(c)"}


def _block_variants(gate: str, dh, dc, cache) -> dict:
    """{Mistake: block (B, H)} for one gate's block of da: a chain-rule factor left out or divided by, the
    activation's slope written another way, or dc_total built wrongly."""
    i, f, g, o, tanh_c, c_prev = cache.i, cache.f, cache.g, cache.o, cache.tanh_c, cache.c_prev
    dc_total = dc + dh * o * (1.0 - tanh_c ** 2)
    gate_value = {"i": i, "f": f, "g": g, "o": o}[gate]
    slope = 1.0 - g ** 2 if gate == "g" else gate_value * (1.0 - gate_value)
    upstream, partner = {"i": ("dc_total", "g"), "f": ("dc_total", "c_prev"), "g": ("dc_total", "i"),
                         "o": ("dh", "tanh_c")}[gate]
    named = {"dc_total": dc_total, "dh": dh, "g": g, "i": i, "c_prev": c_prev, "tanh_c": tanh_c}
    factors = {upstream: named[upstream], partner: named[partner], "slope": slope}
    slope_words = "1 - g**2" if gate == "g" else f"{gate} * (1 - {gate})"
    where = f"in the {GATE_WORDS[gate]}'s block da_{gate}"
    variants = {}
    for key, value in factors.items():
        others = np.prod([v for k, v in factors.items() if k != key], axis=0)
        activation = "tanh" if gate == "g" else "sigmoid"
        words = f"the {activation}'s slope {slope_words}" if key == "slope" else f"the factor {_FACTOR_WORDS[key]}"
        variants[Mistake(f"step_backward_gates/{gate}_block_without_{key}",
                         f"{where}, {words} is left out: da_{gate} = "
                         f"{' * '.join(_FACTOR_WORDS[k] if k != 'slope' else slope_words for k in factors)}.")] = others
        variants[Mistake(f"step_backward_gates/{gate}_block_divides_by_{key}",
                         f"{where}, {words} divides where it should multiply.")] = others / value
    rest = factors[upstream] * factors[partner]
    if gate == "g":
        alternatives = {"1_plus_g2": (1.0 + g ** 2, "1 + g**2"), "1_minus_2g": (1.0 - 2.0 * g, "1 - 2 g"),
                        "g_squared": (g ** 2, "g**2")}
    else:
        s = gate_value
        alternatives = {"1_minus_s": (1.0 - s, f"1 - {gate}"), "s_1_plus_s": (s * (1.0 + s), f"{gate} * (1 + {gate})"),
                        "s": (s, gate), "s_over_1_minus_s": (s / (1.0 - s), f"{gate} / (1 - {gate})")}
    variants[Mistake(f"step_backward_gates/{gate}_block_only_slope",
                     f"{where}, only the activation's slope is left: the gradient arriving at the gate "
                     f"({_FACTOR_WORDS[upstream]} times {_FACTOR_WORDS[partner]}) is left out.")] = slope
    for slug, (value, words) in alternatives.items():
        variants[Mistake(f"step_backward_gates/{gate}_slope_{slug}",
                         f"{where}, the activation's slope is written as {words}; it is {slope_words}.")] = rest * value
    if upstream == "dc_total":
        path = dh * o * (1.0 - tanh_c ** 2)
        totals = {
            "minus": (dc - path, "dc - dh * o * (1 - tanh(c)**2): the two paths add"),
            "without_o": (dc + dh * (1.0 - tanh_c ** 2), "dh's path without o: h = o * tanh(c)"),
            "without_dh": (dc + o * (1.0 - tanh_c ** 2), "dh's path without dh itself"),
            "plus_slope": (dc + dh * o * (1.0 + tanh_c ** 2), "tanh's slope as 1 + tanh(c)**2; it is 1 - tanh(c)**2"),
            "slope_2": (dc + dh * o * (1.0 - 2.0 * tanh_c), "tanh's slope as 1 - 2 tanh(c); it is 1 - tanh(c)**2"),
            "divides_by_o": (dc + dh / o * (1.0 - tanh_c ** 2), "dh's path divided by o; it multiplies"),
            "divides_by_slope": (dc + dh * o / (1.0 - tanh_c ** 2), "dh's path divided by tanh's slope; it multiplies"),
            "only_slope": (dc + (1.0 - tanh_c ** 2), "dh's path as tanh's slope alone, without dh * o"),
        }
        for slug, (value, words) in totals.items():
            variants[Mistake(f"step_backward_gates/dc_total_{slug}",
                             f"dc_total built wrongly ({words}); it is dc + dh * o * (1 - tanh(c)**2).")] = \
                value * factors[partner] * slope
    return variants


def _dc_prev_variants(dh, dc, cache) -> dict:
    dc_total = dc + dh * cache.o * (1.0 - cache.tanh_c ** 2)
    return {
        Mistake("step_backward_gates/dc_prev_divides_by_f", "dc_prev divided by f; it is dc_total * f."):
            dc_total / cache.f,
        Mistake("step_backward_gates/dc_prev_is_f", "dc_prev = f: the gradient dc_total is left out; it is "
                "dc_total * f."): cache.f.copy(),
    }


def _named_block_failure(name, da, expected_da, dh, dc, cache, rtol, atol) -> None:
    """When one block of da is wrong, name what was done in it, if it is one of the block's usual mistakes."""
    H = dh.shape[1]
    for k, gate in enumerate(GATES):
        block = da[:, k * H:(k + 1) * H]
        if np.allclose(block, expected_da[:, k * H:(k + 1) * H], rtol, atol):
            continue
        known = matching_mistake(block, _block_variants(gate, dh, dc, cache), rtol=max(rtol, 1e-6))
        if known is not None:
            raise CheckFailed(f"{name}, da: wrong values in the {GATE_WORDS[gate]}'s block {BLOCK_SLICES[k]}.\n"
                              f"  Hint: {known}", mistake=known.id)
        return


def _check_gates_case(step_backward_gates, case, x, h_prev, c_prev, params, dh, dc, *, rtol=1e-7, atol=1e-10):
    _, _, cache = lstm_step(x, h_prev, c_prev, params)
    expected_da = _reference_da(x, h_prev, c_prev, params, dh, dc)
    expected_dc_prev = lstm_step_backward(dh, dc, cache)[2]
    originals = {"dh": dh, "dc": dc, **_cache_arrays(cache)}
    copies = {key: value.copy() for key, value in originals.items()}
    name = f"step_backward_gates ({case})"
    mistakes = _gates_mistakes(dh, dc, cache)  # before the call: the learner may change the inputs
    da, dc_prev = _unpack(_call(step_backward_gates, dh, dc, cache, name="step_backward_gates"), name,
                          ("da", "dc_prev"))
    B, H = dh.shape
    if np.shape(da) == (B, H) and np.shape(dc_prev) == (B, 4 * H):
        raise CheckFailed(f"{name}: da came back as {np.shape(da)} and dc_prev as {np.shape(dc_prev)}: the two "
                          "results are returned in the wrong order. Return da first, then dc_prev.",
                          mistake=Mistake("step_backward_gates/results_swapped", "da and dc_prev returned in the "
                                          "wrong order").id)
    if np.shape(da) == (4 * B, H):
        raise CheckFailed(f"{name}, da: wrong shape: expected (B, 4H) = {(B, 4 * H)}, got {np.shape(da)}: the four "
                          "blocks were joined along axis 0 (one under the other). Join them side by side, along "
                          "axis 1.", mistake=Mistake("step_backward_gates/blocks_joined_on_axis_0",
                                                    "the four blocks of da joined along axis 0").id)
    da = expect_array(f"{name}, da", da, (B, 4 * H), shape_meaning="(B, 4H)")
    mistakes.update(_swapped_gates_mistakes(dh, dc, cache))
    if matching_mistake(da, {hint: wrong[0] for hint, wrong in mistakes.items()}) is None:
        _named_block_failure(name, da, expected_da, dh, dc, cache, rtol, atol)
    wrong_blocks = [f"{GATE_WORDS[gate]} ({BLOCK_SLICES[k]})" for k, gate in enumerate(GATES)
                    if not np.allclose(da[:, k * H:(k + 1) * H], expected_da[:, k * H:(k + 1) * H], rtol, atol)]
    expect_close(f"{name}, da", da, expected_da, rtol=rtol, atol=atol, shape_meaning="(B, 4H)",
                 mistakes={hint: wrong[0] for hint, wrong in mistakes.items()},
                 hint=f"the block(s) that differ: {', '.join(wrong_blocks)}. Write that gate's chain rule out: "
                      "dL/da_gate = dL/dgate * (the activation's slope).")
    expect_close(f"{name}, dc_prev", dc_prev, expected_dc_prev, rtol=rtol, atol=atol, shape_meaning="(B, H)",
                 mistakes={**{hint: wrong[1] for hint, wrong in mistakes.items()}, **_dc_prev_variants(dh, dc, cache)},
                 hint="dc_prev = dc_total * f, with dc_total = dc + dh * o * (1 - tanh(c)^2).")
    _expect_unchanged("step_backward_gates", originals, copies)


def check_step_backward_gates(step_backward_gates) -> None:
    """Public check of ``step_backward_gates(dh, dc, cache) -> (da, dc_prev)`` against ``lstm_ref``."""
    x, h_prev, c_prev, params, dh, dc = _step_case(601, B=2, D=3, H=4)
    # One path at a time: only dc (the output gate gets no gradient), only dh, then both.
    _check_gates_case(step_backward_gates, "dh = 0: the gradient arrives only along the cell state",
                      x, h_prev, c_prev, params, np.zeros_like(dh), dc)
    _check_gates_case(step_backward_gates, "dc = 0: the gradient arrives only through h",
                      x, h_prev, c_prev, params, dh, np.zeros_like(dc))
    _check_gates_case(step_backward_gates, "B=2, D=3, H=4", x, h_prev, c_prev, params, dh, dc)
    passed("step_backward_gates", "matches lstm_ref.lstm_step_backward")


def check_step_backward_gates_hidden(step_backward_gates) -> None:
    """Hidden check: B = 1, H = 1, D > H, a saturated cell state, float32."""
    for seed, (B, D, H) in zip((611, 612, 613), ((1, 2, 3), (3, 5, 1), (2, 1, 6))):
        _check_gates_case(step_backward_gates, f"B={B}, D={D}, H={H}", *_step_case(seed, B, D, H))
    _check_gates_case(step_backward_gates, "a large cell state (tanh saturated)",
                      *_step_case(614, 2, 3, 4, cell_scale=10.0))
    _check_gates_case(step_backward_gates, "float32", *_step_case(615, 2, 3, 4, dtype=np.float32),
                      rtol=1e-5, atol=1e-6)
    passed("step_backward_gates (hidden)", "other shapes, saturation, float32")


# ---------------------------------------------------------------------------------- step_backward_weights
def _weights_mistakes(da, cache) -> dict[str, tuple]:
    """{hint: (dx, dh_prev, dW, db)} for mistakes whose results have the right shapes on these inputs."""
    W, z, D = cache.params.W, cache.z, cache.params.input_size
    H = cache.params.hidden_size
    dz = da @ W
    dW, db = da.T @ z, da.sum(axis=0)
    B = da.shape[0]
    mistakes = named("step_backward_weights", {
        "db averaged over the batch: every sample adds its own gradient, so db = da.sum(axis=0).":
            (dz[:, :D], dz[:, D:], dW, da.mean(axis=0)),
        "dW averaged over the batch: dW = da.T @ z sums every sample's contribution (no division by B).":
            (dz[:, :D], dz[:, D:], dW / B, db),
    }, ["db_averaged", "dW_averaged"])
    if D == H:  # only then does a wrong split give arrays of the right shapes
        mistakes[Mistake("step_backward_weights/dx_dh_prev_swapped", "dx and dh_prev swapped: z = [x, h_prev], so "
                         "the FIRST D columns of dz = da @ W belong to x.")] = \
            (dz[:, D:], dz[:, :D], dW, db)
    if W.shape[0] == W.shape[1]:
        mistakes[Mistake("step_backward_weights/W_transposed_in_dz", "W transposed in dz: a = z @ W.T, so "
                         "dz = da @ W (shape (B, D + H)).")] = \
            ((da @ W.T)[:, :D], (da @ W.T)[:, D:], dW, db)
        mistakes[Mistake("step_backward_weights/dW_transposed_values", "dW transposed: a = z @ W.T, so "
                         "dW = da.T @ z has W's shape (4H, D + H).")] = \
            (dz[:, :D], dz[:, D:], z.T @ da, db)
    return mistakes


def _check_weights_case(step_backward_weights, case, x, h_prev, c_prev, params, dh, dc, *, rtol=1e-7, atol=1e-10):
    _, _, cache = lstm_step(x, h_prev, c_prev, params)
    da = _reference_da(x, h_prev, c_prev, params, dh, dc)
    expected_dx, expected_dh_prev, _, grads = lstm_step_backward(dh, dc, cache)
    originals = {"da": da, **_cache_arrays(cache)}
    copies = {key: value.copy() for key, value in originals.items()}
    name = f"step_backward_weights ({case})"
    mistakes = _weights_mistakes(da, cache)  # before the call: the learner may change the inputs
    results = _unpack(_call(step_backward_weights, da, cache, name="step_backward_weights"), name,
                      ("dx", "dh_prev", "dW", "db"))
    B, D, H = x.shape[0], params.input_size, params.hidden_size
    shapes = {"dx": ((B, D), "(B, D)"), "dh_prev": ((B, H), "(B, H)"), "dW": ((4 * H, D + H), "(4H, D + H)"),
              "db": ((4 * H,), "(4H,)")}
    split_hint = ("dz = da @ W has shape (B, D + H) = [dx | dh_prev]: dx = dz[:, :D] (D = cache.params.input_size) "
                  "and dh_prev = dz[:, D:].")
    special = {("dx", (B, D + H)): split_hint, ("dh_prev", (B, D + H)): split_hint,
               ("dx", (B, H)): split_hint, ("dh_prev", (B, D)): split_hint,
               ("db", (B, 4 * H)): "db sums da over the batch: da.sum(axis=0), shape (4H,).",
               ("db", (B,)): "db summed over axis 1 (the gate units) instead of axis 0 (the batch): da.sum(axis=0).",
               ("dW", (D + H, 4 * H)): "dW must have W's shape (4H, D + H): dW = da.T @ z, not z.T @ da."}
    for label, value in zip(shapes, results):
        shape = getattr(value, "shape", None)
        if shape != shapes[label][0] and (label, shape) in special:
            what = {"dx": "dz's columns split wrongly: dx gets the wrong block of dz = [dx | dh_prev]",
                    "dh_prev": "dz's columns split wrongly: dh_prev gets the wrong block of dz = [dx | dh_prev]",
                    "db": "db summed over the wrong axis", "dW": "dW transposed"}[label]
            slug = {"dx": "dz_split_wrong", "dh_prev": "dz_split_wrong", "db": "db_wrong_axis",
                    "dW": "dW_transposed"}[label]
            raise CheckFailed(f"{name}, {label}: wrong shape: expected {shapes[label][1]} = {shapes[label][0]}, got "
                              f"{shape}.\n  Hint: {special[(label, shape)]}",
                              mistake=Mistake(f"step_backward_weights/{slug}", what).id)
    expected = (expected_dx, expected_dh_prev, grads.W, grads.b)
    hints = {"dx": split_hint, "dh_prev": split_hint, "dW": "dW = da.T @ z: row r of W met z in every sample.",
             "db": "db = da.sum(axis=0)."}
    for k, (label, got) in enumerate(zip(shapes, results)):
        expect_close(f"{name}, {label}", got, expected[k], rtol=rtol, atol=atol, shape_meaning=shapes[label][1],
                     mistakes={hint: wrong[k] for hint, wrong in mistakes.items()}, hint=hints[label])
    _expect_unchanged("step_backward_weights", originals, copies)


def check_step_backward_weights(step_backward_weights) -> None:
    """Public check of ``step_backward_weights(da, cache) -> (dx, dh_prev, dW, db)`` against ``lstm_ref``."""
    _check_weights_case(step_backward_weights, "B=1, D=3, H=4", *_step_case(621, B=1, D=3, H=4))
    _check_weights_case(step_backward_weights, "B=3, D=3, H=4", *_step_case(622, B=3, D=3, H=4))
    passed("step_backward_weights", "matches lstm_ref.lstm_step_backward")


def check_step_backward_weights_hidden(step_backward_weights) -> None:
    """Hidden check: D = H (a swapped split keeps its shape), a square W (D + H = 4H), H = 1, float32."""
    for seed, (B, D, H) in zip((631, 632, 633), ((2, 3, 3), (3, 6, 2), (4, 2, 1))):
        _check_weights_case(step_backward_weights, f"B={B}, D={D}, H={H}", *_step_case(seed, B, D, H))
    _check_weights_case(step_backward_weights, "float32", *_step_case(634, 2, 3, 4, dtype=np.float32),
                        rtol=1e-5, atol=1e-5)
    passed("step_backward_weights (hidden)", "D = H, a square W, H = 1, float32")


# ------------------------------------------------------------------------------------ numerical_gradient
def _difference_mistakes(f, array: np.ndarray, eps: float) -> dict[str, np.ndarray]:
    """{hint: what the mistaken finite differences return}; ``array`` is restored before this returns."""
    original = array.copy()

    def quotient(step_up, step_down, denominator, restore=True, combine=lambda above, below: above - below):
        grad = np.empty_like(array)
        for index in np.ndindex(array.shape):
            start = array[index]
            array[index] = start + step_up
            above = float(f())
            array[index] = start + step_down
            below = float(f())
            if restore:
                array[index] = start
            grad[index] = combine(above, below) / denominator
        array[...] = original
        return grad

    return {
        Mistake("numerical_gradient/upper_point_not_moved", "the entry not moved up before the first evaluation: "
                "f(a) - f(a - eps) spans only eps, so your gradient is half the right one. Set array[index] = "
                "old + eps before calling f() the first time."): quotient(0.0, -eps, 2 * eps),
        Mistake("numerical_gradient/lower_point_not_moved", "the entry not moved down before the second "
                "evaluation: set array[index] = old - eps before calling f() the second time."):
            quotient(eps, 0.0, 2 * eps),
        Mistake("numerical_gradient/sum_instead_of_difference", "the two evaluations added: the gradient is their "
                "DIFFERENCE, f(a + eps) - f(a - eps), over 2 eps."):
            quotient(eps, -eps, 2 * eps, combine=lambda above, below: above + below),
        Mistake("numerical_gradient/one_evaluation_only", "only f(a + eps) used: the gradient is the difference "
                "f(a + eps) - f(a - eps) over 2 eps."): quotient(eps, -eps, 2 * eps, combine=lambda above, below: above),
        Mistake("numerical_gradient/forward_difference", "a forward difference (f(a + eps) - f(a)) / eps. Its error "
                "shrinks only like eps; the central difference (f(a + eps) - f(a - eps)) / (2 eps) has an error like "
                "eps^2, far smaller."): quotient(eps, 0.0, eps),
        Mistake("numerical_gradient/divided_by_eps", "the central difference divided by eps instead of 2 * eps: "
                "the two points are 2 * eps apart, so your gradient is twice too large."): quotient(eps, -eps, eps),
        Mistake("numerical_gradient/not_restored_each_entry", "the array not restored after each entry: put every "
                "entry back to its original value before moving to the next, or the later entries are measured at "
                "a shifted point."): quotient(eps, -eps, 2 * eps, False),
        Mistake("numerical_gradient/changed_a_copy", "a gradient of zeros: f did not see your changes. Change the "
                "entries of `array` itself, in place (array[index] = ...), not of a copy; f reads `array` when it is "
                "called. array.copy() and array.flatten() are copies, and so is array.reshape(-1) when `array` is a "
                "view like W[:, :D]: walk over np.ndindex(array.shape) instead."): np.zeros_like(array),
    }


def _check_difference_case(numerical_gradient, case, f, array, expected, *, eps=None, rtol=1e-6, atol=1e-9,
                           what="lstm_ref.numerical_gradient with the same eps"):
    name = f"numerical_gradient ({case})"
    original = array.copy()
    arguments = (f, array) if eps is None else (f, array, eps)
    got = _call(numerical_gradient, *arguments, name="numerical_gradient")
    if not np.array_equal(array, original):
        changed = int(np.sum(array != original))
        array[...] = original
        raise CheckFailed(
            f"{name}: after your function returned, {changed} entries of `array` had changed. Restore each entry "
            "to its original value as soon as its two evaluations are done (keep `old = array[index]`, then "
            "`array[index] = old`): the caller's weights must come back exactly as they were.",
            mistake=Mistake("numerical_gradient/array_not_restored", "the array left changed when the function "
                            "returns").id,
        )
    mistakes = _difference_mistakes(f, array, 1e-6 if eps is None else eps)
    expect_close(name, got, expected, rtol=rtol, atol=atol, shape_meaning="array's shape", mistakes=mistakes,
                 hint=f"compared with {what}. For each index: array[index] = old + eps, f(); "
                      "array[index] = old - eps, f(); array[index] = old; gradient = difference / (2 * eps).")


def _cubic(seed: int, shape: tuple[int, ...]):
    """f(a) = sum(w * a^3) on a fresh array: its exact gradient 3 w a^2 is known, and its curvature makes a
    forward difference visibly worse than a central one."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.5, 2.0, size=shape)
    array = rng.uniform(-1.5, 1.5, size=shape)
    return (lambda: float(np.sum(weights * array ** 3))), array, 3.0 * weights * array ** 2


def _lstm_loss_case(seed: int, B=2, T=3, D=2, H=3):
    """A small LSTM and the loss L = sum(R * hs): its exact gradient dL/dW from lstm_ref.lstm_backward."""
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(D, H, rng=rng)
    x = rng.normal(size=(B, T, D))
    R = rng.normal(size=(B, T, H))
    _, _, cache = lstm_forward(x, params)
    analytic = lstm_backward(R, cache)[3]
    return (lambda: float(np.sum(R * lstm_forward(x, params)[0]))), params, analytic


def check_numerical_gradient(numerical_gradient) -> None:
    """Public check of ``numerical_gradient(f, array, eps=1e-6)``: a cubic (against lstm_ref's numerical
    gradient with the same eps and against the exact derivative) and an LSTM's weights."""
    f, array, exact = _cubic(641, (3, 4))
    expected = reference_numerical_gradient(f, array, eps=1e-3)
    # A large eps makes the difference between a forward and a central difference impossible to miss.
    _check_difference_case(numerical_gradient, "f = sum(w * a**3), eps = 1e-3", f, array, expected, eps=1e-3)
    _check_difference_case(numerical_gradient, "the default eps, against the exact gradient 3 w a^2", f, array,
                           exact, rtol=1e-7, atol=1e-8, what="the exact derivative")
    f, params, analytic = _lstm_loss_case(642)
    _check_difference_case(numerical_gradient, "an LSTM's W, against lstm_ref.lstm_backward", f, params.W,
                           analytic.W, rtol=1e-6, atol=1e-8, what="the analytic gradient of lstm_ref.lstm_backward")
    passed("numerical_gradient", "central differences, array restored")


def check_numerical_gradient_hidden(numerical_gradient) -> None:
    """Hidden check: a 3-D array, a single entry, a column view of a larger array, an LSTM's bias."""
    f, array, _ = _cubic(651, (2, 3, 2))
    _check_difference_case(numerical_gradient, "a 3-D array, eps = 1e-2", f, array,
                           reference_numerical_gradient(f, array, eps=1e-2), eps=1e-2)
    f, array, exact = _cubic(652, (1,))
    _check_difference_case(numerical_gradient, "one entry", f, array, exact, rtol=1e-7, atol=1e-8,
                           what="the exact derivative")
    # A view into a larger array, like params.W[:, :D] (the input columns): its entries are not contiguous,
    # so array.reshape(-1) or array.flatten() would return a copy that f never reads.
    rng = np.random.default_rng(653)
    whole = rng.uniform(-1.0, 1.0, size=(4, 6))
    weights = rng.uniform(0.5, 2.0, size=(4, 6))
    columns = whole[:, :2]
    _check_difference_case(numerical_gradient, "a column view W[:, :2] of a larger array",
                           lambda: float(np.sum(weights * whole ** 3)), columns, 3.0 * (weights * whole ** 2)[:, :2],
                           rtol=1e-7, atol=1e-8, what="the exact derivative")
    f, params, analytic = _lstm_loss_case(654, B=1, T=4, D=3, H=2)
    _check_difference_case(numerical_gradient, "an LSTM's bias", f, params.b, analytic.b, rtol=1e-6, atol=1e-8,
                           what="the analytic gradient of lstm_ref.lstm_backward")
    error = relative_error(_call(numerical_gradient, f, params.W, name="numerical_gradient"), analytic.W)
    if error > 1e-7:
        raise CheckFailed(f"numerical_gradient (an LSTM's W): relative error {error:.2g} against the analytic "
                          "gradient; a correct central difference gives below 1e-7.")
    passed("numerical_gradient (hidden)", "3-D arrays, views, an LSTM's parameters")


# Make every mistake once at import, so the catalogue (catalogue.all_mistakes) holds them all.
def _register_mistakes() -> None:
    x, h_prev, c_prev, params, dh, dc = _step_case(0, B=1, D=1, H=1)
    _, _, cache = lstm_step(x, h_prev, c_prev, params)
    _gates_mistakes(dh, dc, cache), _swapped_gates_mistakes(dh, dc, cache), _dc_prev_variants(dh, dc, cache)
    for gate in GATES:
        _block_variants(gate, dh, dc, cache)
    _difference_mistakes(lambda: 0.0, np.zeros(1), 1e-3)


_register_mistakes()
