"""Checks for unit 1 (Welcome): a sigmoid that never overflows, and the sigmoid's derivative.

    sigmoid(x)            = 1 / (1 + exp(-x))                 values in (0, 1)
    sigmoid_derivative(x) = sigmoid(x) * (1 - sigmoid(x))     values in (0, 1/4]

Both work elementwise on an array of any shape and must return the input's shape and float dtype, without a
single RuntimeWarning for any finite input, x = -1000 and x = +1000 included. Expected values come from
``lstm_ref.activations``.

The public checks (``check_sigmoid``, ``check_sigmoid_derivative``) try a couple of small float64 cases and
the extremes; the hidden ones (``*_hidden``) add other shapes and seeds, float32 (which overflows from
exp(89) on) and the symmetries sigmoid(-x) = 1 - sigmoid(x) and sigmoid'(-x) = sigmoid'(x).
"""

from __future__ import annotations

import warnings

import numpy as np

from lstm_ref.activations import sigmoid as reference_sigmoid
from lstm_ref.activations import sigmoid_derivative as reference_sigmoid_derivative
from lstm_ref.activations import tanh as reference_tanh
from lstm_ref.activations import tanh_derivative as reference_tanh_derivative

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, passed

__all__ = [
    "check_sigmoid",
    "check_sigmoid_hidden",
    "check_sigmoid_derivative",
    "check_sigmoid_derivative_hidden",
]

# Inputs where the textbook formulas break: exp(1000) does not fit in float64, exp(100) not in float32.
EXTREMES = (-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0)

# Tolerances: float64 results from different correct formulas agree to about 1e-15; float32 ones to about 1e-7.
TOLERANCES = {np.dtype(np.float64): dict(rtol=1e-7, atol=1e-12), np.dtype(np.float32): dict(rtol=1e-5, atol=1e-7)}

SIGMOID_OVERFLOW_HINT = (
    "  The textbook formula 1 / (1 + exp(-x)) computes exp(1000) for x = -1000, a number too large for a float.\n"
    "  Rewrite it so no huge number is ever computed: sigmoid(x) = 0.5 * (1 + tanh(x / 2)), or split by sign\n"
    "  and only ever take exp of -|x|. Note that np.where(condition, a, b) computes BOTH a and b for every\n"
    "  entry, so a split written with np.where still overflows."
)
DERIVATIVE_OVERFLOW_HINT = (
    "  exp(-x) / (1 + exp(-x))**2 computes exp(1000) for x = -1000, a number too large for a float (and then\n"
    "  inf / inf = nan). Use the form sigmoid(x) * (1 - sigmoid(x)) with an overflow-free sigmoid inside."
)


def _call_watching_warnings(function, x: np.ndarray, name: str):
    """Call ``function`` on a copy of ``x``; return (result, numeric RuntimeWarning messages, input untouched?).

    NumPy reports overflow and invalid operations (inf / inf, inf - inf) as RuntimeWarnings; they are switched
    on here whatever the learner's notebook set with ``np.seterr``. Underflow (exp(-1000) rounding to 0) is
    harmless and stays off.
    """
    given = x.copy()
    with warnings.catch_warnings(record=True) as caught, np.errstate(
        over="warn", invalid="warn", divide="warn", under="ignore"
    ):
        warnings.simplefilter("always")
        result = call_learner(function, given, name=name)
    messages = sorted({str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)})
    untouched = given.shape == x.shape and np.array_equal(given, x, equal_nan=True)
    return result, messages, untouched


def _expect_untouched(name: str, untouched: bool) -> None:
    if not untouched:
        raise CheckFailed(
            f"{name}: your function changed the array it was given (an in-place operation such as `x *= 0.5`\n"
            "  or `out=x`). The caller still needs its data: compute the result in a new array instead."
        )


def _expect_no_warnings(name: str, messages: list[str], x: np.ndarray, hint: str) -> None:
    if messages:
        raise CheckFailed(
            f"{name}: NumPy warned {'; '.join(repr(m) for m in messages)} for x = {np.array2string(x)} "
            f"({x.dtype}).\n{hint}"
        )


def _expect_dtype(name: str, got: np.ndarray, x: np.ndarray) -> None:
    if got.dtype != x.dtype:
        raise CheckFailed(
            f"{name}: a {x.dtype} input came back as {got.dtype}. Keep the input's precision: avoid converting\n"
            "  with np.asarray(x, dtype=float) or np.float64(...), which turn float32 into float64 (twice the memory)."
        )


def _sigmoid_mistakes(x: np.ndarray) -> dict[str, np.ndarray]:
    """What the common wrong sigmoids return on ``x``, keyed by the hint that names each one."""
    return {
        Mistake("sigmoid/tanh_instead", "tanh(x). tanh has values in (-1, 1); the sigmoid's are in (0, 1)."): reference_tanh(x),
        Mistake("sigmoid/tanh_without_half",
                "0.5 * (1 + tanh(x)). The identity needs half the input: 0.5 * (1 + tanh(x / 2))."): reference_sigmoid(2.0 * x),
        Mistake("sigmoid/tanh_left_out", "0.5 * (1 + x / 2): the tanh is left out, so the values grow without "
                "bound; sigmoid(x) = 0.5 * (1 + tanh(x / 2)) stays between 0 and 1."): 0.5 * (1.0 + 0.5 * x),
        Mistake("sigmoid/sign_of_exponent",
                "1 / (1 + exp(x)), which is sigmoid(-x). Check the sign in the exponent."): reference_sigmoid(-x),
    }


def _derivative_mistakes(x: np.ndarray) -> dict[str, np.ndarray]:
    """What the common wrong derivatives return on ``x``, keyed by the hint that names each one."""
    s = reference_sigmoid(x)
    half = reference_tanh(0.5 * x)
    wrong_s = {
        "s_tanh_without_half": ("0.5 * (1 + tanh(x)): the identity needs half the input, tanh(x / 2)",
                                reference_sigmoid(2.0 * x)),
        "s_without_half_factor": ("1 + tanh(x / 2): the factor 0.5 is missing", 1.0 + half),
        "s_without_one": ("0.5 * tanh(x / 2): the 1 inside the bracket is missing", 0.5 * half),
        "s_without_tanh": ("0.5 * (1 + x / 2): the tanh is left out", 0.5 * (1.0 + 0.5 * x)),
    }
    mistakes = {Mistake(f"sigmoid_derivative/{slug}", f"s * (1 - s) with s computed as {words}: s must be "
                        "sigmoid(x) itself, between 0 and 1."): value * (1.0 - value)
                for slug, (words, value) in wrong_s.items()}
    mistakes[Mistake("sigmoid_derivative/s_over_1_minus_s", "s / (1 - s): the two factors multiply, "
                     "s * (1 - s).")] = s / (1.0 - s)
    mistakes[Mistake("sigmoid_derivative/only_1_minus_s", "1 - s: the factor s is left out; the slope is "
                     "s * (1 - s).")] = 1.0 - s
    return {
        **mistakes,
        Mistake("sigmoid_derivative/written_with_x", "x * (1 - x). s * (1 - s) is written with the sigmoid's OUTPUT s = sigmoid(x): compute s first."): x * (1.0 - x),
        Mistake("sigmoid_derivative/tanh_pattern", "1 - sigmoid(x)**2, the pattern of tanh's derivative (1 - tanh(x)**2), not the sigmoid's."): 1.0 - s * s,
        Mistake("sigmoid_derivative/tanh_derivative", "1 - tanh(x)**2, the derivative of tanh, not of the sigmoid."): reference_tanh_derivative(x),
        Mistake("sigmoid_derivative/the_function_itself", "sigmoid(x) itself: the function, not its derivative."): s,
        Mistake("sigmoid_derivative/plus_instead_of_minus", "sigmoid(x) * (1 + sigmoid(x)). Check the sign: sigmoid' = sigmoid * (1 - sigmoid)."): s * (1.0 + s),
    }


def _check_values(name, function, reference, mistakes, x: np.ndarray, *, overflow_hint: str,
                  hint: str | None = None) -> np.ndarray:
    """Call ``function(x)`` and require: input untouched, no numeric warning, x's shape and dtype, right values."""
    got, messages, untouched = _call_watching_warnings(function, x, name)
    _expect_untouched(name, untouched)
    _expect_no_warnings(name, messages, x, overflow_hint)
    got = expect_array(name, got, x.shape, shape_meaning="the shape of x")
    _expect_dtype(name, got, x)
    with np.errstate(all="ignore"):  # some mistakes divide by 1 - s = 0 at the extremes: not the learner's warning
        known = mistakes(x)
    expect_close(name, got, reference(x), mistakes=known, hint=hint, **TOLERANCES[x.dtype])
    return got


SIGMOID_VALUES_HINT = ("check your formula at three points: sigmoid(0) = 1/2, sigmoid(5) is about 0.993 and "
                      "sigmoid(-5) about 0.0067; every value lies between 0 and 1.")
DERIVATIVE_VALUES_HINT = ("check two steps: s = sigmoid(x) first (s(0) = 1/2), then s * (1 - s), which is 1/4 at "
                          "x = 0 and near 0 far from it, never negative.")


def _check_sigmoid_case(sigmoid, x: np.ndarray) -> None:
    _check_values("sigmoid", sigmoid, reference_sigmoid, _sigmoid_mistakes, x, overflow_hint=SIGMOID_OVERFLOW_HINT,
                  hint=SIGMOID_VALUES_HINT)


def _check_derivative_case(sigmoid_derivative, x: np.ndarray, hint: str | None = DERIVATIVE_VALUES_HINT) -> None:
    _check_values("sigmoid_derivative", sigmoid_derivative, reference_sigmoid_derivative, _derivative_mistakes, x,
                  overflow_hint=DERIVATIVE_OVERFLOW_HINT, hint=hint)


def check_sigmoid(sigmoid) -> None:
    """Public check: values on a (3, 4) and a (7,) array, and no overflow at x = +-1000 (float64)."""
    rng = np.random.default_rng(0)
    _check_sigmoid_case(sigmoid, rng.normal(0.0, 3.0, size=(3, 4)))
    _check_sigmoid_case(sigmoid, np.linspace(-6.0, 6.0, 7))
    _check_sigmoid_case(sigmoid, np.array(EXTREMES))
    passed("sigmoid", "values, shapes, no overflow at x = -1000 and x = +1000")


def _expect_symmetry(name: str, left: np.ndarray, right: np.ndarray, statement: str) -> None:
    expect_close(f"{name} (symmetry {statement})", left, right, rtol=1e-7, atol=1e-12,
                 hint=f"{statement} should hold for every x; compare your function at x and at -x.")


def check_sigmoid_hidden(sigmoid) -> None:
    """Hidden check: other shapes and seeds, float32 (values, dtype, no overflow), sigmoid(-x) = 1 - sigmoid(x)."""
    for seed, shape in [(1, (1, 5)), (2, (4, 3, 2)), (3, (9,))]:
        x = np.random.default_rng(seed).normal(0.0, 5.0, size=shape)
        _check_sigmoid_case(sigmoid, x)
    _check_sigmoid_case(sigmoid, np.random.default_rng(4).normal(0.0, 3.0, size=(2, 6)).astype(np.float32))
    _check_sigmoid_case(sigmoid, np.array(EXTREMES, dtype=np.float32))

    x = np.random.default_rng(5).normal(0.0, 10.0, size=(3, 5))
    at_x = expect_array("sigmoid", call_learner(sigmoid, x.copy()), x.shape, shape_meaning="the shape of x")
    at_minus_x = expect_array("sigmoid", call_learner(sigmoid, -x), x.shape, shape_meaning="the shape of x")
    _expect_symmetry("sigmoid", at_minus_x, 1.0 - at_x, "sigmoid(-x) = 1 - sigmoid(x)")
    passed("sigmoid (hidden tests)", "more shapes, float32, symmetry")


def check_sigmoid_derivative(sigmoid_derivative) -> None:
    """Public check: values on a (3, 4) array and at the extremes x = +-1000 (float64), no overflow."""
    rng = np.random.default_rng(10)
    name = "sigmoid_derivative"
    _check_derivative_case(sigmoid_derivative, rng.normal(0.0, 3.0, size=(3, 4)))
    _check_derivative_case(sigmoid_derivative, np.array(EXTREMES))
    passed(name, "values, shape, no overflow at x = -1000 and x = +1000")


def check_sigmoid_derivative_hidden(sigmoid_derivative) -> None:
    """Hidden check: more shapes and seeds, float32, the peak 1/4 at x = 0 and the symmetry s'(-x) = s'(x)."""
    name = "sigmoid_derivative"
    for seed, shape in [(11, (1, 4)), (12, (2, 3, 5)), (13, (6,))]:
        x = np.random.default_rng(seed).normal(0.0, 5.0, size=shape)
        _check_derivative_case(sigmoid_derivative, x)
    x32 = np.random.default_rng(14).normal(0.0, 3.0, size=(3, 3)).astype(np.float32)
    _check_derivative_case(sigmoid_derivative, x32)
    _check_derivative_case(sigmoid_derivative, np.array(EXTREMES, dtype=np.float32))
    # The peak: the sigmoid is steepest at 0, where its slope is exactly 1/4.
    _check_derivative_case(sigmoid_derivative, np.zeros((2, 2)),
                           hint="at x = 0 the sigmoid is 1/2, so its slope is 1/2 * (1 - 1/2) = 1/4.")

    x = np.random.default_rng(15).normal(0.0, 10.0, size=(3, 5))
    at_x = expect_array(name, call_learner(sigmoid_derivative, x.copy()), x.shape, shape_meaning="the shape of x")
    at_minus_x = expect_array(name, call_learner(sigmoid_derivative, -x), x.shape, shape_meaning="the shape of x")
    _expect_symmetry(name, at_minus_x, at_x, "sigmoid'(-x) = sigmoid'(x)")
    passed("sigmoid_derivative (hidden tests)", "more shapes, float32, peak at 0, symmetry")


# Make every mistake once at import, so the catalogue (catalogue.all_mistakes) holds them all.
with np.errstate(all="ignore"):
    _sigmoid_mistakes(np.zeros(1))
    _derivative_mistakes(np.zeros(1))
