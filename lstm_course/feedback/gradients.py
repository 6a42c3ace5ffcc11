"""Checks for unit 3, "Vanishing and exploding gradients": Jacobians of a tanh RNN through time.

The learner writes

    one_step_jacobian(h_t, W, input_size) -> J      (B, H, H)
        J[b] = dh_t/dh_{t-1} = diag(1 - h_t[b]^2) W_h,   W_h = W[:, D:]   (W is (H, D + H), D = input_size)

    gradient_norms(hs, W, input_size) -> norms      (B, T + 1)
        norms[:, t] = || dh_T/dh_t ||_2 (spectral norm) for t = 0, ..., T, where hs[:, t - 1] = h_t,
        built by accumulating  dh_T/dh_{t-1} = (dh_T/dh_t) (dh_t/dh_{t-1}),  starting from dh_T/dh_T = I.

The expected Jacobians are NOT computed with those formulas: they come from ``lstm_ref.rnn_step_backward``
(backpropagating one basis vector e_i per hidden unit gives row i of the Jacobian) and, in the hidden checks,
from finite differences of ``lstm_ref.rnn_step`` (``lstm_ref.numerical_gradient``). The outputs of common
mistakes (transposed W_h, the wrong block of W, derivative on the wrong side, product in the wrong order, ...)
are computed here so a failure can name the mistake.
"""

from __future__ import annotations

import numpy as np

from lstm_ref.gradcheck import numerical_gradient
from lstm_ref.params import RNNParams
from lstm_ref.rnn import rnn_step, rnn_step_backward

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, named, passed

__all__ = [
    "reference_step_jacobian",
    "reference_jacobian_norms",
    "check_one_step_jacobian",
    "check_one_step_jacobian_hidden",
    "check_gradient_norms",
    "check_gradient_norms_hidden",
]


# ------------------------------------------------------------------------------------- reference values
def _jacobian_from_backward(cache) -> np.ndarray:
    """dh_t/dh_{t-1} (B, H, H) of one ``lstm_ref.rnn_step``, row by row from its backward pass.

    Backpropagating dh = e_i (1 in unit i, 0 elsewhere) gives dh_prev = e_i (dh_t/dh_{t-1}) = row i.
    """
    B, H = cache.h.shape
    jacobian = np.empty((B, H, H), dtype=cache.h.dtype)
    for i in range(H):
        basis = np.zeros((B, H), dtype=cache.h.dtype)
        basis[:, i] = 1.0
        _, dh_prev, _ = rnn_step_backward(basis, cache)
        jacobian[:, i, :] = dh_prev
    return jacobian


def reference_step_jacobian(x_t, h_prev, W, b):
    """Run one reference RNN step; return h_t (B, H) and dh_t/dh_{t-1} (B, H, H) from its backward pass."""
    h_t, cache = rnn_step(x_t, h_prev, RNNParams(W, b))
    return h_t, _jacobian_from_backward(cache)


def reference_jacobian_norms(x, h0, W, b):
    """Run the reference RNN over x (B, T, D) from h0 (B, H); return hs (B, T, H) and norms (B, T + 1).

    norms[:, t] = ||dh_T/dh_t||_2, obtained by backpropagating each basis vector e_i from h_T through the
    reference backward steps (no explicit Jacobian product is formed).
    """
    params = RNNParams(W, b)
    B, T, _ = x.shape
    H = h0.shape[1]
    states, caches = [], []
    h = h0
    for t in range(T):
        h, cache = rnn_step(x[:, t], h, params)
        states.append(h)
        caches.append(cache)
    # rows[i] holds d h_T[i] / d h_t for the current t, for every sample: shape (H, B, H).
    rows = np.zeros((H, B, H), dtype=h0.dtype)
    for i in range(H):
        rows[i, :, i] = 1.0
    norms = np.empty((B, T + 1), dtype=np.float64)
    norms[:, T] = _spectral_norms(rows.transpose(1, 0, 2))
    for t in reversed(range(T)):  # caches[t] is the step that made h_{t+1} from h_t
        rows = np.stack([rnn_step_backward(rows[i], caches[t])[1] for i in range(H)])
        norms[:, t] = _spectral_norms(rows.transpose(1, 0, 2))
    return np.stack(states, axis=1), norms


def _spectral_norms(matrices) -> np.ndarray:
    """Largest singular value of each matrix in a stack (B, H, H) -> (B,)."""
    return np.linalg.norm(np.asarray(matrices, dtype=np.float64), ord=2, axis=(1, 2))


def _finite_difference_jacobian(x_t, h_prev, W, b) -> np.ndarray:
    """dh_t/dh_{t-1} (B, H, H) by central differences of ``lstm_ref.rnn_step`` (float64 only)."""
    params = RNNParams(W, b)
    h_prev = h_prev.copy()  # perturbed in place by numerical_gradient
    B, H = h_prev.shape
    jacobian = np.empty((B, H, H))
    for i in range(H):
        # Samples are independent, so the gradient of sum_b h_t[b, i] w.r.t. h_prev[b] is row i for sample b.
        jacobian[:, i, :] = numerical_gradient(lambda: rnn_step(x_t, h_prev, params)[0][:, i].sum(), h_prev)
    return jacobian


# -------------------------------------------------------------------------------------- helpers
def _random_step(rng, B, D, H, scale=1.0, dtype=np.float64):
    x_t = rng.normal(size=(B, D))
    h_prev = rng.uniform(-0.9, 0.9, size=(B, H))
    W = scale * rng.normal(size=(H, D + H)) / np.sqrt(D + H)
    b = 0.5 * rng.normal(size=H)
    return tuple(array.astype(dtype) for array in (x_t, h_prev, W, b))


def _call(function, *args, name):
    """``call_learner`` with a reminder of the layout when NumPy refused a shape."""
    try:
        return call_learner(function, *args, name=name)
    except CheckFailed as failure:
        if isinstance(failure.__cause__, (ValueError, IndexError)) and not failure.mistake:
            raise failure.extended(
                "  Hint: h_t is (B, H) and W is (H, D + H); W_h = W[:, input_size:] is (H, H). "
                "To scale row i of W_h by (1 - h_t[b, i]^2) for every sample: (1 - h_t**2)[:, :, None] * W_h."
            ) from failure.__cause__
        raise


def _expect_unchanged(name, arrays, copies):
    for argument, array in arrays.items():
        if not np.array_equal(array, copies[argument]):
            raise CheckFailed(f"{name} changed its argument `{argument}` in place; compute new arrays instead.")


def _jacobian_mistakes(h_t, W, D) -> dict[str, np.ndarray]:
    """The Jacobians (B, H, H) the common mistakes produce on these inputs."""
    H = h_t.shape[1]
    W_h = W[:, D:]
    slope = 1.0 - h_t**2  # tanh'(a_t), written with the step's output h_t = tanh(a_t)
    rows = slope[:, :, None]  # scales row i by slope[i]: diag(slope) @ W_h
    columns = slope[:, None, :]  # scales column j instead: W_h @ diag(slope)
    B = h_t.shape[0]
    return named("one_step_jacobian", {
        "W_h transposed. Entry [i, j] is dh_t[i]/dh_t-1[j] = (1 - h_t[i]^2) W[i, D + j]: use W[:, D:] as it "
        "is, not its transpose.": rows * W_h.T,
        "the wrong block of W: W = [W_x | W_h] has the input weights FIRST, so the recurrent weights are the "
        "last H columns, W[:, input_size:].": rows * W[:, :H],
        "the tanh derivative left out: h_t = tanh(a_t), so dh_t/dh_t-1 = diag(1 - h_t^2) W_h, not W_h.":
            np.broadcast_to(W_h, (B, H, H)).copy(),
        "the derivative multiplies the columns (W_h diag(1 - h_t^2)) instead of the rows (diag(1 - h_t^2) "
        "W_h): unit i's slope scales how h_t[i] reacts, which is row i.": columns * W_h,
        "tanh applied twice: h_t is already tanh(a_t), so the slope is 1 - h_t^2, not 1 - tanh(h_t)^2.":
            (1.0 - np.tanh(h_t) ** 2)[:, :, None] * W_h,
        "the sign of the slope flipped: tanh'(a) = 1 - tanh(a)^2 (positive), not tanh(a)^2 - 1.": -rows * W_h,
        "the slope written as 1 - h_t instead of 1 - h_t^2.": (1.0 - h_t)[:, :, None] * W_h,
        "the slope written as 1 + h_t^2: tanh'(a) = 1 - tanh(a)^2.": (1.0 + h_t ** 2)[:, :, None] * W_h,
        "the slope written as 1 - 2 h_t: tanh'(a) = 1 - tanh(a)^2, h_t squared.": (1.0 - 2.0 * h_t)[:, :, None] * W_h,
        "W_h divides: each row of W_h is MULTIPLIED by its unit's slope.": rows / W_h,
    }, ["W_h_transposed", "wrong_block_of_W", "tanh_derivative_left_out", "slope_scales_columns",
        "tanh_applied_twice", "slope_sign_flipped", "slope_1_minus_h", "slope_1_plus_h2", "slope_1_minus_2h",
        "divides_by_W_h"])


# ------------------------------------------------------------------------------------ one_step_jacobian
def _check_jacobian_case(one_step_jacobian, case, h_t, W, D, expected, *, rtol=1e-7, atol=1e-9):
    arguments = {"h_t": h_t, "W": W}
    copies = {name: array.copy() for name, array in arguments.items()}
    got = _call(one_step_jacobian, h_t, W, D, name="one_step_jacobian")
    B, H = h_t.shape
    if isinstance(got, np.ndarray) and got.shape != (B, H, H):
        try:
            expect_array(f"one_step_jacobian ({case})", got, (B, H, H), shape_meaning="(B, H, H)")
        except CheckFailed as failure:
            raise failure.extended(
                "  Hint: one (H, H) Jacobian per sample. Give the slope (B, H) a third axis so it "
                "scales the rows of W_h for every sample: (1 - h_t**2)[:, :, None] * W_h -> (B, H, H)."
            ) from None
    expect_close(
        f"one_step_jacobian ({case})", got, expected, rtol=rtol, atol=atol, shape_meaning="(B, H, H)",
        mistakes=_jacobian_mistakes(h_t, W, D),
        hint="entry [b, i, j] must be (1 - h_t[b, i]**2) * W[i, input_size + j].",
    )
    _expect_unchanged("one_step_jacobian", arguments, copies)


def check_one_step_jacobian(one_step_jacobian) -> None:
    """Public check of ``one_step_jacobian(h_t, W, input_size) -> (B, H, H)`` against lstm_ref's backward."""
    rng = np.random.default_rng(4)
    B, D, H = 2, 3, 4
    x_t, h_prev, W, b = _random_step(rng, B, D, H)
    # First case: a bias that cancels the pre-activation, so h_t = tanh(0) = 0 and tanh's slope is 1. The
    # Jacobian is then W_h alone: only the layout of W is tested.
    cancel = -(np.concatenate([x_t, h_prev], axis=1) @ W.T)
    h_t, expected = reference_step_jacobian(x_t[:1], h_prev[:1], W, cancel[0])
    _check_jacobian_case(one_step_jacobian, "h_t = 0, so the Jacobian is just W_h", h_t, W, D, expected)
    h_t, expected = reference_step_jacobian(x_t, h_prev, W, b)
    _check_jacobian_case(one_step_jacobian, f"B={B}, D={D}, H={H}", h_t, W, D, expected)
    passed("one_step_jacobian", "matches lstm_ref's backward pass")


def check_one_step_jacobian_hidden(one_step_jacobian) -> None:
    """Hidden check: against finite differences, B = 1, D > H, H = 1, saturated units, float32."""
    for seed, (B, D, H) in zip((31, 32, 33), ((1, 1, 5), (3, 6, 2), (2, 2, 1))):
        x_t, h_prev, W, b = _random_step(np.random.default_rng(seed), B, D, H)
        h_t, _ = rnn_step(x_t, h_prev, RNNParams(W, b))
        expected = _finite_difference_jacobian(x_t, h_prev, W, b)
        _check_jacobian_case(one_step_jacobian, f"finite differences, B={B}, D={D}, H={H}", h_t, W, D, expected,
                             rtol=1e-6, atol=1e-8)
    # Large weights push most units into saturation (h close to +-1): their rows of the Jacobian vanish.
    x_t, h_prev, W, b = _random_step(np.random.default_rng(34), 2, 3, 4, scale=8.0)
    h_t, expected = reference_step_jacobian(x_t, h_prev, W, b)
    _check_jacobian_case(one_step_jacobian, "saturated units", h_t, W, 3, expected)
    x_t, h_prev, W, b = _random_step(np.random.default_rng(35), 2, 3, 4, dtype=np.float32)
    h_t, expected = reference_step_jacobian(x_t, h_prev, W, b)
    _check_jacobian_case(one_step_jacobian, "float32", h_t, W, 3, expected, rtol=1e-5, atol=1e-6)
    passed("one_step_jacobian (hidden)", "finite differences, other shapes, saturation, float32")


# --------------------------------------------------------------------------------------- gradient_norms
def _norms_with(hs, W, D, *, factor_state, accumulate="right", norm="spectral", factor=None):
    """The norms (B, T + 1) of a (possibly wrong) accumulation of step Jacobians, for the mistakes table.

    factor_state(t) -> the (B, H) state whose slope is used for dh_t/dh_{t-1}; ``accumulate`` says on which
    side the new factor goes ("right" is correct, "left" is the wrong order, "none" keeps only one factor,
    "elementwise" multiplies entry by entry); ``factor(state, W_h)`` builds a step's Jacobian another way.
    """
    B, T, H = hs.shape
    W_h = W[:, D:]
    product = np.broadcast_to(np.eye(H), (B, H, H))

    def size(matrices):
        if norm == "spectral":
            return _spectral_norms(matrices)
        return np.sqrt((np.asarray(matrices, dtype=np.float64) ** 2).sum(axis=(1, 2)))

    norms = np.empty((B, T + 1))
    norms[:, T] = size(product)
    for t in range(T, 0, -1):
        step = (1.0 - factor_state(t) ** 2)[:, :, None] * W_h if factor is None else factor(factor_state(t), W_h)
        if accumulate == "right":
            product = product @ step
        elif accumulate == "left":
            product = step @ product
        elif accumulate == "elementwise":
            product = product * step
        else:
            product = step
        norms[:, t - 1] = size(product)
    return norms


def _norms_mistakes(hs, W, D) -> dict[str, np.ndarray]:
    def state(t):  # h_t lives in hs[:, t - 1]
        return hs[:, t - 1]

    def state_before(t):  # h_{t-1}: one step too early (wraps around to h_T for t = 1, as hs[:, -1] does)
        return hs[:, t - 2]

    correct = _norms_with(hs, W, D, factor_state=state)
    mistakes = {
        "the product taken in the wrong order: dh_T/dh_t-1 = (dh_T/dh_t) (dh_t/dh_t-1), so the new factor "
        "goes on the RIGHT: `product = product @ J_t`.": _norms_with(hs, W, D, factor_state=state, accumulate="left"),
        "the Jacobians not accumulated: column t must hold the norm of the whole product from T back to t, "
        "not of one step's Jacobian.": _norms_with(hs, W, D, factor_state=state, accumulate="none"),
        "the Frobenius norm used. Use the spectral norm (largest singular value): "
        "np.linalg.norm(product, ord=2, axis=(1, 2)).": _norms_with(hs, W, D, factor_state=state, norm="frobenius"),
        "off by one in time: dh_t/dh_t-1 = diag(1 - h_t^2) W_h uses the step's OUTPUT h_t, which is "
        "hs[:, t - 1] (hs starts at h_1).": _norms_with(hs, W, D, factor_state=state_before),
        "the columns in reverse order: column t is ||dh_T/dh_t||, so the LAST column (t = T) is 1 and column 0 "
        "is the furthest back.": correct[:, ::-1].copy(),
    }
    mistakes = named("gradient_norms", mistakes, ["product_order_wrong", "not_accumulated", "frobenius_norm",
                                                  "state_off_by_one", "columns_reversed"])
    H = hs.shape[2]
    jacobians = {
        "jacobian_without_slope": ("the step's Jacobian without tanh's slope: J_t = diag(1 - h_t^2) W_h, not W_h "
                                   "alone.", lambda h, W_h: np.broadcast_to(W_h, (h.shape[0],) + W_h.shape)),
        "slope_1_plus_h2": ("the slope written as 1 + h_t^2 in the step's Jacobian: tanh'(a) = 1 - tanh(a)^2.",
                            lambda h, W_h: (1.0 + h ** 2)[:, :, None] * W_h),
        "slope_1_minus_2h": ("the slope written as 1 - 2 h_t in the step's Jacobian: tanh'(a) = 1 - tanh(a)^2.",
                             lambda h, W_h: (1.0 - 2.0 * h)[:, :, None] * W_h),
        "slope_alone": ("the slope alone as the step's Jacobian: J_t = diag(1 - h_t^2) W_h, the slope scales W_h's "
                        "rows.", lambda h, W_h: np.broadcast_to((1.0 - h ** 2)[:, :, None], (h.shape[0], H, H))),
        "divides_by_W_h": ("W_h divides in the step's Jacobian; it multiplies: (1 - h_t^2)[:, :, None] * W_h.",
                           lambda h, W_h: (1.0 - h ** 2)[:, :, None] / W_h),
        "wrong_block_of_W": ("the wrong block of W: the recurrent weights are its LAST H columns, "
                             "W[:, input_size:].", lambda h, W_h: (1.0 - h ** 2)[:, :, None] * W[:, :H]),
    }
    if W[D:, :].shape == (H, H):
        jacobians["rows_of_W"] = ("the rows of W taken instead of its columns: W_h = W[:, input_size:] (all rows, "
                                  "the last H columns).", lambda h, W_h: (1.0 - h ** 2)[:, :, None] * W[D:, :])
    for slug, (text, build) in jacobians.items():
        mistakes[Mistake(f"gradient_norms/{slug}", text)] = _norms_with(hs, W, D, factor_state=state, factor=build)
    mistakes[Mistake("gradient_norms/elementwise_product", "the factors multiplied entry by entry (*): the "
                     "Jacobians chain by matrix product, `product = product @ J_t`.")] = \
        _norms_with(hs, W, D, factor_state=state, accumulate="elementwise")
    return mistakes


def _check_norms_case(gradient_norms, case, x, h0, W, b, *, rtol=1e-7, atol=1e-12):
    hs, expected = reference_jacobian_norms(x, h0, W, b)
    D = x.shape[2]
    B, T, _ = hs.shape
    arguments = {"hs": hs, "W": W}
    copies = {name: array.copy() for name, array in arguments.items()}
    got = _call(gradient_norms, hs, W, D, name="gradient_norms")
    # Two wrong shapes that mean something: say what, on top of the generic shape message.
    shape_hints = {
        (B, T): "there is one norm per state h_0, ..., h_T, so T + 1 columns: column T is ||dh_T/dh_T|| = 1 "
                "(the identity) and column 0 belongs to h_0.",
        (T + 1, B): "the batch axis comes first: norms[b, t].",
    }
    if isinstance(got, np.ndarray) and got.shape in shape_hints and got.shape != (B, T + 1):
        try:
            expect_array("gradient_norms", got, (B, T + 1), shape_meaning="(B, T + 1)")
        except CheckFailed as failure:
            raise failure.extended(f"  Hint: {shape_hints[got.shape]}") from None
    expect_close(
        f"gradient_norms ({case})", got, expected, rtol=rtol, atol=atol, shape_meaning="(B, T + 1)",
        mistakes=_norms_mistakes(hs, W, D),
        hint="start from the identity at t = T and multiply by one step's Jacobian per step back; "
             "norms[:, t - 1] = ||product|| after multiplying by dh_t/dh_t-1.",
    )
    _expect_unchanged("gradient_norms", arguments, copies)


def _random_sequence(rng, B, T, D, H, scale=1.0, dtype=np.float64):
    x = rng.normal(size=(B, T, D))
    h0 = rng.uniform(-0.5, 0.5, size=(B, H))
    W = rng.normal(size=(H, D + H)) / np.sqrt(D + H)
    W[:, D:] *= scale  # the recurrent weights decide whether gradients vanish or explode
    b = 0.3 * rng.normal(size=H)
    return tuple(array.astype(dtype) for array in (x, h0, W, b))


def check_gradient_norms(gradient_norms) -> None:
    """Public check of ``gradient_norms(hs, W, input_size) -> (B, T + 1)`` against lstm_ref's backward."""
    rng = np.random.default_rng(5)
    x, h0, W, b = _random_sequence(rng, 3, 1, 3, 4)
    _check_norms_case(gradient_norms, "T = 1", x, h0, W, b)
    x, h0, W, b = _random_sequence(rng, 2, 6, 3, 4, scale=1.5)
    _check_norms_case(gradient_norms, "B = 2, T = 6", x, h0, W, b)
    passed("gradient_norms", "matches backpropagation through lstm_ref's RNN")


def check_gradient_norms_hidden(gradient_norms) -> None:
    """Hidden check: B = 1, long sequences, small and large weights, H = 1, float32."""
    cases = ((41, 1, 9, 2, 5, 1.0), (42, 3, 15, 4, 3, 0.3), (43, 2, 12, 3, 4, 3.0), (44, 2, 5, 1, 1, 1.0))
    for seed, B, T, D, H, scale in cases:
        x, h0, W, b = _random_sequence(np.random.default_rng(seed), B, T, D, H, scale=scale)
        _check_norms_case(gradient_norms, f"B={B}, T={T}, D={D}, H={H}, weight scale {scale}", x, h0, W, b)
    x, h0, W, b = _random_sequence(np.random.default_rng(45), 2, 6, 3, 4, dtype=np.float32)
    _check_norms_case(gradient_norms, "float32", x, h0, W, b, rtol=1e-4, atol=1e-7)
    passed("gradient_norms (hidden)", "other shapes, small and large weights, float32")
