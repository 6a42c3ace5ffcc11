"""Checks for unit 7, "Training".

The learner writes four functions:

    sgd_momentum_update(param, grad, velocity, lr, momentum) -> (param, velocity)
        velocity <- momentum * velocity + grad;   param <- param - lr * velocity
    adam_update(param, grad, m, v, t, lr, beta1, beta2, eps) -> (param, m, v)
        m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2;   (t counts steps from 1)
        param <- param - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
    clip_gradients(grads, max_norm) -> (clipped, norm)
        norm = sqrt(sum over every array and entry of g^2);   g <- g * min(1, max_norm / norm)
    train_step(model, inputs, targets, optimiser, max_norm) -> (loss, grad_norm)
        forward -> mean squared error -> backward -> clip by global norm -> optimiser step

Expected values come from ``lstm_ref.optim`` (``SGD``, ``Adam``, ``clip_by_global_norm``) and
``lstm_ref.training`` (``SequenceModel``), run inside the check on copies of the same inputs. Each check
starts with cases that switch one term off (a zero velocity, a zero gradient, a norm below the threshold), so
a wrong answer is caught where the message can say which term is wrong, and it compares against what the
common mistakes would return (a flipped sign, no bias correction, a missing square root, clipping each array
on its own, gradients that are never reset, ...) to name the one that matches.
"""

from __future__ import annotations

import copy

import numpy as np

from lstm_ref.losses import mean_squared_error
from lstm_ref.optim import SGD, Adam, clip_by_global_norm, global_norm
from lstm_ref.training import Readout, SequenceModel

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, named, passed

__all__ = [
    "check_sgd_momentum_update",
    "check_sgd_momentum_update_hidden",
    "check_adam_update",
    "check_adam_update_hidden",
    "check_clip_gradients",
    "check_clip_gradients_hidden",
    "check_train_step",
    "check_train_step_hidden",
]

# float64 results must agree to rounding; float32 ones to float32's ~7 significant digits.
_TOLERANCE = {np.dtype(np.float64): (1e-7, 1e-10), np.dtype(np.float32): (2e-5, 1e-6)}


def _tolerance(array: np.ndarray) -> tuple[float, float]:
    return _TOLERANCE.get(np.asarray(array).dtype, _TOLERANCE[np.dtype(np.float64)])


def _unpack(function: str, result, names: tuple[str, ...]) -> tuple:
    """The learner's result as a tuple of ``len(names)`` items, or a message saying what to return."""
    spelled = "(" + ", ".join(names) + ")"
    if result is None:
        raise CheckFailed(f"{function} returned None. Did you forget `return {', '.join(names)}`?")
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = f"{len(result)} items" if isinstance(result, (tuple, list)) else f"a {type(result).__name__}"
        raise CheckFailed(f"{function} must return {len(names)} things, {spelled}, got {got}.\n"
                          f"  End it with `return {', '.join(names)}`.")
    return tuple(result)


def _expect_finite(name: str, got, hint: str) -> None:
    """A NaN or inf in an optimiser's result has a cause worth naming before any value comparison."""
    array = np.asarray(got) if got is not None and not isinstance(got, tuple) else None
    if array is not None and array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise CheckFailed(f"{name}: your result contains NaN or infinity.\n  Hint: {hint}")


def _as_number(name: str, value, hint: str = "") -> np.ndarray:
    """``value`` as a 0-d float64 array, or a message saying one number was expected."""
    try:
        number = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        number = None
    if number is None or number.ndim != 0:
        shape = f"an array of shape {np.shape(value)}" if number is not None else f"a {type(value).__name__}"
        raise CheckFailed(f"{name}: expected one number, got {shape}. {hint}".rstrip())
    return number


def _merged(mistakes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Join the hints of mistakes that give the same output here, so the message names every candidate
    (e.g. on the first Adam step, a missing (1 - beta1) and a stored m_hat both give m = grad). The joined
    hint keeps the first mistake's id."""
    merged: dict[str, np.ndarray] = {}
    for hint, output in mistakes.items():
        output = np.asarray(output)
        for known in list(merged):
            other = merged[known]
            if other.shape == output.shape and np.allclose(other, output, rtol=1e-9, atol=1e-12):
                joined = f"{known}\n  Or: {hint}"
                key = Mistake(known.id, joined) if isinstance(known, Mistake) else joined
                merged[key] = merged.pop(known)
                break
        else:
            merged[hint] = output
    return merged


def _unchanged(function: str, originals: dict[str, np.ndarray], given: dict[str, np.ndarray]) -> None:
    """The caller keeps using its arrays, so an update must come back in new arrays."""
    for argument, original in originals.items():
        if not np.array_equal(original, given[argument]):
            raise CheckFailed(
                f"{function} changed its argument `{argument}` in place (e.g. with `{argument} -= ...`).\n"
                f"  Compute the new value in a new array (`new = {argument} - ...`) and return it: the caller "
                f"may still need the old `{argument}`."
            )


# ============================================================================================ SGD + momentum
def _reference_sgd(param, grad, velocity, lr, momentum):
    """lstm_ref.optim.SGD run for one step from the given velocity: returns (new_param, new_velocity)."""
    optimiser = SGD(lr=lr, momentum=momentum)
    new_param = param.copy()
    if momentum > 0:
        optimiser.velocity["p"] = velocity.copy()
    optimiser.step({"p": new_param}, {"p": grad})
    # With momentum = 0, SGD keeps no velocity: the equation v = 0 * v + g gives v = g.
    new_velocity = optimiser.velocity["p"] if momentum > 0 else grad.copy()
    return new_param, new_velocity


def _sgd_mistakes(param, grad, velocity, lr, momentum):
    """What the common mistakes return for (new_velocity, new_param), keyed by their hint."""
    right_velocity = momentum * velocity + grad
    velocity_mistakes = {
        "velocity = momentum * velocity - grad: the gradient's sign is flipped inside the velocity. Here the "
        "velocity sums +grad, and the parameter step subtracts lr * velocity.": momentum * velocity - grad,
        "velocity = grad: the momentum term (momentum * velocity) is left out, so nothing is remembered from "
        "earlier steps.": grad.copy(),
        "velocity = momentum * velocity + (1 - momentum) * grad: that is a running average (Adam's m). SGD's "
        "velocity adds the whole gradient: momentum * velocity + grad.": momentum * velocity + (1 - momentum) * grad,
        "velocity = momentum * velocity + lr * grad: the learning rate belongs in the parameter step only.":
            momentum * velocity + lr * grad,
        "the velocity came back unchanged: return the NEW velocity, momentum * velocity + grad.": velocity.copy(),
    }
    param_mistakes = {
        "param + lr * velocity: the step must go DOWNHILL, against the gradient: param - lr * velocity.":
            param + lr * right_velocity,
        "param - lr * grad: the momentum is left out of the step; subtract lr * (the new velocity).":
            param - lr * grad,
        "the OLD velocity used in the step: update the velocity first, then step with the new one.":
            param - lr * velocity,
        "param - velocity: the step is lr * velocity; the learning rate is missing.": param - right_velocity,
        "param + lr * (momentum * velocity - grad): a sign is flipped; the velocity sums +grad and the step "
        "subtracts lr * velocity.": param + lr * (momentum * velocity - grad),
    }
    velocity_mistakes = named("sgd_momentum_update", velocity_mistakes, [
        "velocity_sign_flipped", "momentum_term_left_out", "velocity_as_running_average", "lr_in_velocity",
        "velocity_unchanged"])
    param_mistakes = named("sgd_momentum_update", param_mistakes, [
        "step_uphill", "momentum_left_out_of_step", "old_velocity_in_step", "lr_missing", "sign_flipped"])
    velocity_mistakes[Mistake("sgd_momentum_update/results_swapped", "the new parameter where the new velocity "
                              "belongs: return new_param first, then new_velocity.")] = param - lr * right_velocity
    param_mistakes[Mistake("sgd_momentum_update/results_swapped", "the new velocity where the new parameter "
                           "belongs: return new_param first, then new_velocity.")] = right_velocity
    param_mistakes[Mistake("sgd_momentum_update/step_divides_by_velocity", "param - lr / velocity: the step "
                           "MULTIPLIES lr by the new velocity.")] = param - lr / right_velocity
    param_mistakes[Mistake("sgd_momentum_update/step_is_lr", "param - lr: the step is lr times the new velocity, "
                           "not lr alone.")] = param - lr
    return _merged(velocity_mistakes), _merged(param_mistakes)


def _sgd_case(shape, seed, *, lr=0.1, momentum=0.9, zero_velocity=False, zero_grad=False, dtype=np.float64):
    rng = np.random.default_rng(seed)
    param = rng.normal(size=shape)
    grad = np.zeros(shape) if zero_grad else rng.normal(size=shape)
    velocity = np.zeros(shape) if zero_velocity else rng.normal(size=shape)
    return dict(param=param.astype(dtype), grad=grad.astype(dtype), velocity=velocity.astype(dtype), lr=lr,
                momentum=momentum)


def _check_sgd_case(learner, case, situation: str, hint: str) -> None:
    arrays = {name: case[name] for name in ("param", "grad", "velocity")}
    given = {name: value.copy() for name, value in arrays.items()}
    result = call_learner(learner, given["param"], given["grad"], given["velocity"], case["lr"], case["momentum"],
                          name="sgd_momentum_update")
    new_param, new_velocity = _unpack("sgd_momentum_update", result, ("new_param", "new_velocity"))
    expected_param, expected_velocity = _reference_sgd(**case)
    velocity_mistakes, param_mistakes = _sgd_mistakes(**case)
    rtol, atol = _tolerance(case["param"])
    expect_close(f"new_velocity ({situation})", new_velocity, expected_velocity, rtol=rtol, atol=atol,
                 mistakes=velocity_mistakes, shape_meaning="param.shape",
                 hint=f"{hint} The velocity is momentum * velocity + grad.".strip())
    expect_close(f"new_param ({situation})", new_param, expected_param, rtol=rtol, atol=atol,
                 mistakes=param_mistakes, shape_meaning="param.shape",
                 hint=f"{hint} The step is param - lr * new_velocity.".strip())
    _unchanged("sgd_momentum_update", arrays, given)


def _check_sgd(learner, *, hidden: bool) -> None:
    # Switch one term off at a time: with velocity = 0 the first step is plain SGD; with grad = 0 the
    # parameter coasts on momentum alone. Then everything together.
    cases = [
        (_sgd_case((3, 4), 0, zero_velocity=True), "first step: velocity = 0",
         "With velocity = 0 there is nothing to remember yet: the result must be param - lr * grad."),
        (_sgd_case((5,), 1, zero_grad=True), "grad = 0",
         "With grad = 0 the parameter keeps moving on momentum alone: velocity shrinks to momentum * velocity."),
        (_sgd_case((2, 3), 2, lr=0.05, momentum=0.8), "a general step", ""),
    ]
    if hidden:
        cases += [
            (_sgd_case((1,), 3, lr=0.5, momentum=0.5), "shape (1,)", ""),
            (_sgd_case((2, 3, 4), 4, lr=1e-3, momentum=0.99), "a 3-D array, momentum 0.99", ""),
            (_sgd_case((4, 2), 5, momentum=0.0), "momentum = 0: plain SGD", "With momentum = 0 this is plain SGD."),
            (_sgd_case((3, 3), 6, lr=0.01, momentum=0.9, dtype=np.float32), "float32", ""),
        ]
    for case, situation, hint in cases:
        _check_sgd_case(learner, case, situation, hint)
    passed("sgd_momentum_update", f"{len(cases)} cases" + (", including momentum 0 and float32" if hidden else ""))


def check_sgd_momentum_update(sgd_momentum_update) -> None:
    """Public check of ``sgd_momentum_update(param, grad, velocity, lr, momentum) -> (param, velocity)``."""
    _check_sgd(sgd_momentum_update, hidden=False)


def check_sgd_momentum_update_hidden(sgd_momentum_update) -> None:
    """Hidden check of ``sgd_momentum_update``: more shapes, momentum 0 and 0.99, float32."""
    _check_sgd(sgd_momentum_update, hidden=True)


# ===================================================================================================== Adam
_ADAM_DEFAULTS = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)


def _reference_adam(param, grad, m, v, t, lr, beta1, beta2, eps):
    """lstm_ref.optim.Adam run for step number ``t`` from the given m and v: returns (param, m, v)."""
    optimiser = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    optimiser.t = t - 1  # Adam.step counts this call as step t
    optimiser.mean["p"] = m.copy()
    optimiser.mean_square["p"] = v.copy()
    new_param = param.copy()
    optimiser.step({"p": new_param}, {"p": grad})
    return new_param, optimiser.mean["p"], optimiser.mean_square["p"]


def _adam_formula(param, grad, m, v, t, lr, beta1, beta2, eps, *, correct=True, root=True, eps_inside=False,
                  sign=-1.0, t_used=None):
    """The Adam step with one piece changed; used only to describe mistakes (the truth is ``_reference_adam``)."""
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad * grad
    t_used = t if t_used is None else t_used
    m_hat = new_m / (1 - beta1 ** t_used) if correct else new_m
    v_hat = new_v / (1 - beta2 ** t_used) if correct else new_v
    if eps_inside:
        denominator = np.sqrt(v_hat + eps)
    else:
        denominator = (np.sqrt(v_hat) if root else v_hat) + eps
    return param + sign * lr * m_hat / denominator


def _adam_mistakes(param, grad, m, v, t, lr, beta1, beta2, eps):
    args = dict(param=param, grad=grad, m=m, v=v, t=t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    right_m = beta1 * m + (1 - beta1) * grad
    right_v = beta2 * v + (1 - beta2) * grad * grad
    m_mistakes = {
        "m = beta1 * m + grad: the (1 - beta1) factor is missing, so m is not an average of gradients.":
            beta1 * m + grad,
        "m uses beta2: the first moment m decays with beta1, the second moment v with beta2.":
            beta2 * m + (1 - beta2) * grad,
        "you returned the bias-corrected m_hat as the new m. Keep the raw running average in m and correct it "
        "only to compute the step; otherwise the correction compounds at every step.": right_m / (1 - beta1 ** t),
        "m came back unchanged: return the updated running average beta1 * m + (1 - beta1) * grad.": m.copy(),
    }
    v_mistakes = {
        "v averages grad instead of grad ** 2: v tracks the SQUARED gradient (its typical size).":
            beta2 * v + (1 - beta2) * grad,
        "v averages |grad| instead of grad ** 2: v tracks the SQUARED gradient.":
            beta2 * v + (1 - beta2) * np.abs(grad),
        "v uses beta1: the second moment v decays with beta2.": beta1 * v + (1 - beta1) * grad * grad,
        "v = beta2 * v + grad ** 2: the (1 - beta2) factor is missing.": beta2 * v + grad * grad,
        "you returned the bias-corrected v_hat as the new v. Keep the raw running average in v and correct it "
        "only to compute the step.": right_v / (1 - beta2 ** t),
    }
    param_mistakes = {
        "no bias correction: m and v start at 0, so early on they are too small; divide them by "
        "(1 - beta1 ** t) and (1 - beta2 ** t) before the step.": _adam_formula(**args, correct=False),
        "the square root is missing: divide by sqrt(v_hat) + eps, not by v_hat + eps (sqrt(v_hat) has the "
        "units of the gradient, so the step is about lr in size).": _adam_formula(**args, root=False),
        "eps inside the square root: the formula is sqrt(v_hat) + eps.": _adam_formula(**args, eps_inside=True),
        "the step goes uphill: param + lr * ...; it must be param - lr * m_hat / (sqrt(v_hat) + eps).":
            _adam_formula(**args, sign=+1.0),
        "the bias correction uses t + 1: t is already the number of THIS step (t = 1 on the first call).":
            _adam_formula(**args, t_used=t + 1),
        "beta1 and beta2 swapped: m (the gradient's average) uses beta1 = 0.9-ish, v (its square) beta2.":
            _adam_formula(**{**args, "beta1": beta2, "beta2": beta1}),
    }
    m_mistakes = named("adam_update", m_mistakes, ["m_without_1_minus_beta1", "m_uses_beta2", "m_hat_returned",
                                                   "m_unchanged"])
    v_mistakes = named("adam_update", v_mistakes, ["v_of_grad", "v_of_abs_grad", "v_uses_beta1",
                                                   "v_without_1_minus_beta2", "v_hat_returned"])
    param_mistakes = named("adam_update", param_mistakes, ["no_bias_correction", "no_square_root", "eps_inside_root",
                                                           "step_uphill", "correction_uses_t_plus_1",
                                                           "betas_swapped"])
    right_param = _adam_formula(**args)
    m_mistakes[Mistake("adam_update/results_swapped", "the new parameter where m belongs: return new_param, "
                       "new_m, new_v in that order.")] = right_param
    param_mistakes[Mistake("adam_update/results_swapped", "m where the new parameter belongs: return new_param, "
                           "new_m, new_v in that order.")] = right_m
    m_mistakes[Mistake("adam_update/m_without_grad", "m = beta1 * m + (1 - beta1): the gradient is left out of "
                       "its running average.")] = beta1 * m + (1 - beta1)
    m_mistakes[Mistake("adam_update/m_divides_by_grad", "m = beta1 * m + (1 - beta1) / grad: the gradient "
                       "multiplies.")] = beta1 * m + (1 - beta1) / np.where(grad == 0, np.nan, grad)
    v_mistakes[Mistake("adam_update/v_without_grad", "v = beta2 * v + (1 - beta2): the squared gradient is left "
                       "out of its running average.")] = beta2 * v + (1 - beta2)
    v_mistakes[Mistake("adam_update/v_divides_by_grad_squared", "v = beta2 * v + (1 - beta2) / grad ** 2: the "
                       "squared gradient multiplies.")] = beta2 * v + (1 - beta2) / np.where(grad == 0, np.nan,
                                                                                             grad * grad)
    v_mistakes[Mistake("adam_update/v_of_twice_grad", "v averages grad * 2 instead of grad ** 2.")] = \
        beta2 * v + (1 - beta2) * grad * 2
    # The step, one piece changed at a time: the corrections, the numerator, the denominator.
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    m_hat, v_hat = right_m / c1, right_v / c2
    pieces = {
        "m_hat_multiplied": ("m_hat = m * (1 - beta1 ** t): the correction divides", right_m * c1, v_hat),
        "m_hat_plus": ("m_hat = m / (1 + beta1 ** t): the correction is 1 - beta1 ** t", right_m / (1 + beta1 ** t),
                       v_hat),
        "m_hat_beta_times_t": ("m_hat = m / (1 - beta1 * t): the correction raises beta1 to the power t",
                               right_m / (1 - beta1 * t), v_hat),
        "m_not_corrected": ("m not bias-corrected (only v is): m_hat = m / (1 - beta1 ** t)", right_m, v_hat),
        "v_hat_multiplied": ("v_hat = v * (1 - beta2 ** t): the correction divides", m_hat, right_v * c2),
        "v_hat_plus": ("v_hat = v / (1 + beta2 ** t): the correction is 1 - beta2 ** t", m_hat,
                       right_v / (1 + beta2 ** t)),
        "v_hat_beta_times_t": ("v_hat = v / (1 - beta2 * t): the correction raises beta2 to the power t", m_hat,
                               right_v / (1 - beta2 * t)),
        "v_not_corrected": ("v not bias-corrected (only m is): v_hat = v / (1 - beta2 ** t)", m_hat, right_v),
    }
    for slug, (words, m_used, v_used) in pieces.items():
        param_mistakes[Mistake(f"adam_update/{slug}", f"{words}.")] = param - lr * m_used / (np.sqrt(v_used) + eps)
    steps = {
        "no_step": ("the parameter came back unchanged: subtract the step lr * m_hat / (sqrt(v_hat) + eps)", param),
        "step_without_denominator": ("the step lr * m_hat without dividing by sqrt(v_hat) + eps",
                                     param - lr * m_hat),
        "step_times_denominator": ("the step multiplied by sqrt(v_hat) + eps; it divides",
                                   param - lr * m_hat * (np.sqrt(v_hat) + eps)),
        "step_without_m_hat": ("the step lr / (sqrt(v_hat) + eps), without m_hat", param - lr / (np.sqrt(v_hat) + eps)),
        "step_without_lr": ("the step without the learning rate lr", param - m_hat / (np.sqrt(v_hat) + eps)),
        "step_over_eps": ("the step divided by eps alone; it is sqrt(v_hat) + eps", param - lr * m_hat / eps),
        "lr_divided_by_m_hat": ("lr divided by m_hat; the step is lr * m_hat / (sqrt(v_hat) + eps)",
                                param - lr / np.where(m_hat == 0, np.nan, m_hat) / (np.sqrt(v_hat) + eps)),
    }
    for slug, (words, value) in steps.items():
        param_mistakes[Mistake(f"adam_update/{slug}", f"{words}.")] = value
    if (lr, beta1, beta2, eps) != tuple(_ADAM_DEFAULTS.values()):
        typed_in = Mistake("adam_update/defaults_typed_in", "the default values (lr = 1e-3, beta1 = 0.9, beta2 = "
                           "0.999, eps = 1e-8) were typed in instead of using the arguments lr, beta1, beta2, eps: "
                           "use the values passed in.")
        default_beta1, default_beta2 = _ADAM_DEFAULTS["beta1"], _ADAM_DEFAULTS["beta2"]
        m_mistakes[typed_in] = default_beta1 * m + (1 - default_beta1) * grad
        v_mistakes[typed_in] = default_beta2 * v + (1 - default_beta2) * grad * grad
        param_mistakes[typed_in] = _adam_formula(**{**args, **_ADAM_DEFAULTS})
    return _merged(m_mistakes), _merged(v_mistakes), _merged(param_mistakes)


def _adam_case(shape, seed, *, t=1, zero_state=False, zero_grad=False, grad_scale=1.0, dtype=np.float64,
               **hyper):
    rng = np.random.default_rng(seed)
    param = rng.normal(size=shape)
    grad = np.zeros(shape) if zero_grad else grad_scale * rng.normal(size=shape)
    if zero_state:
        m, v = np.zeros(shape), np.zeros(shape)
    else:
        # A state a few steps into training: m of the gradient's scale, v positive and of its square's scale.
        m = 0.3 * grad_scale * rng.normal(size=shape)
        v = (grad_scale ** 2) * rng.uniform(0.01, 0.5, size=shape)
    case = dict(param=param, grad=grad, m=m, v=v)
    case = {name: value.astype(dtype) for name, value in case.items()}
    return dict(case, t=t, **{**_ADAM_DEFAULTS, **hyper})


def _check_adam_case(learner, case, situation: str, hint: str) -> None:
    arrays = {name: case[name] for name in ("param", "grad", "m", "v")}
    given = {name: value.copy() for name, value in arrays.items()}
    result = call_learner(learner, given["param"], given["grad"], given["m"], given["v"], case["t"], lr=case["lr"],
                          beta1=case["beta1"], beta2=case["beta2"], eps=case["eps"], name="adam_update")
    new_param, new_m, new_v = _unpack("adam_update", result, ("new_param", "new_m", "new_v"))
    expected_param, expected_m, expected_v = _reference_adam(**case)
    with np.errstate(all="ignore"):  # some mistakes take a root of a negative number: not the learner's warning
        m_mistakes, v_mistakes, param_mistakes = _adam_mistakes(**case)
    rtol, atol = _tolerance(case["param"])
    expect_close(f"new_m ({situation})", new_m, expected_m, rtol=rtol, atol=atol, mistakes=m_mistakes,
                 hint=f"{hint} m is beta1 * m + (1 - beta1) * grad.".strip(), shape_meaning="param.shape")
    expect_close(f"new_v ({situation})", new_v, expected_v, rtol=rtol, atol=atol, mistakes=v_mistakes,
                 hint=f"{hint} v is beta2 * v + (1 - beta2) * grad ** 2.".strip(), shape_meaning="param.shape")
    _expect_finite(f"new_param ({situation})", new_param,
                   "at step t = 1 the corrections are 1 - beta1 ** 1 and 1 - beta2 ** 1; a division by zero means "
                   "1 - beta ** 0 = 0 was used (t counts steps from 1, and this call IS step t). Also check that "
                   "eps is added to sqrt(v_hat) before dividing.")
    expect_close(f"new_param ({situation})", new_param, expected_param, rtol=rtol, atol=atol,
                 mistakes=param_mistakes, shape_meaning="param.shape",
                 hint=f"{hint} The step is param - lr * m_hat / (sqrt(v_hat) + eps).".strip())
    _unchanged("adam_update", arrays, given)


def _check_adam(learner, *, hidden: bool) -> None:
    cases = [
        (_adam_case((3, 4), 10, t=1, zero_state=True), "first step: t = 1, m = v = 0",
         "On the first step, m_hat = grad and v_hat = grad ** 2 exactly, so each entry moves by about lr "
         "(lr * grad / (|grad| + eps))."),
        (_adam_case((5,), 11, t=4, zero_grad=True), "grad = 0 at t = 4",
         "With grad = 0 the running averages only decay: m -> beta1 * m, v -> beta2 * v."),
        (_adam_case((2, 3), 12, t=7, lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6), "a general step at t = 7", ""),
    ]
    if hidden:
        cases += [
            (_adam_case((1,), 13, t=2), "shape (1,)", ""),
            (_adam_case((2, 2, 3), 14, t=1000), "t = 1000 (the corrections are almost 1 for m, not yet for v)", ""),
            (_adam_case((4,), 15, t=1, zero_state=True, grad_scale=1e-7), "tiny gradients, where eps matters", ""),
            (_adam_case((3, 2), 16, t=3, lr=0.05, beta1=0.5, beta2=0.9, eps=1e-4), "beta1 = 0.5, beta2 = 0.9", ""),
            (_adam_case((3, 3), 17, t=5, dtype=np.float32), "float32", ""),
        ]
    for case, situation, hint in cases:
        _check_adam_case(learner, case, situation, hint)
    passed("adam_update", f"{len(cases)} cases" + (": t = 1 to 1000, tiny gradients, other betas, float32"
                                                   if hidden else ""))


def check_adam_update(adam_update) -> None:
    """Public check of ``adam_update(param, grad, m, v, t, lr, beta1, beta2, eps) -> (param, m, v)``."""
    _check_adam(adam_update, hidden=False)


def check_adam_update_hidden(adam_update) -> None:
    """Hidden check of ``adam_update``: t = 1000, tiny gradients (eps), other betas, float32."""
    _check_adam(adam_update, hidden=True)


# ======================================================================================= clipping by norm
def _clip_mistakes(grads: dict[str, np.ndarray], max_norm: float):
    """(mistakes for the clipped arrays by name, mistakes for the returned norm)."""
    norm = global_norm(grads)
    sum_of_squares = norm ** 2

    def scaled(factor):
        return {name: g * factor for name, g in grads.items()}

    def per_array():
        result = {}
        for name, g in grads.items():
            own = float(np.sqrt(np.sum(g * g)))
            result[name] = g * (min(1.0, max_norm / own) if own > 0 else 1.0)
        return result

    array_mistakes = {
        "each array was clipped on its own. Clipping by GLOBAL norm measures all arrays together, "
        "sqrt(sum over every array of sum(g ** 2)), and scales them all by the same factor, so the direction "
        "of the whole step is kept.": per_array(),
        "the values were clipped one by one (np.clip to [-max_norm, max_norm]): that changes the direction of "
        "the step. Scale every array by the same factor, max_norm / norm.":
            {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()},
        "the gradients were rescaled although their norm was not above max_norm: clipping only ever SHRINKS; "
        "the factor is min(1, max_norm / norm).": scaled(max_norm / norm if norm > 0 else 1.0),
        "the scale factor is upside down: multiply by max_norm / norm (which is below 1 when clipping), not by "
        "norm / max_norm.": scaled(norm / max_norm),
        "the square root is missing from the norm: norm = sqrt(sum of all squares), not the sum of squares.":
            scaled(min(1.0, max_norm / sum_of_squares) if sum_of_squares > 0 else 1.0),
        "each array was divided by the norm, which makes the global norm 1 whatever max_norm is: multiply by "
        "max_norm / norm.": scaled(1.0 / norm if norm > 0 else 1.0),
    }
    array_mistakes = named("clip_gradients", array_mistakes, [
        "clipped_each_array", "clipped_values", "rescaled_below_threshold", "factor_upside_down",
        "norm_without_root", "divided_by_norm"])
    if norm > 0:
        array_mistakes[Mistake("clip_gradients/sum_of_norms", "the norm used is the sum of each array's own norm; "
                               "the global norm is "
                               "sqrt(sum over every array of sum(g ** 2)).")] = scaled(
            min(1.0, max_norm / sum(float(np.sqrt(np.sum(g * g))) for g in grads.values())))
    norm_mistakes = {
        "you returned the norm AFTER clipping; return the norm BEFORE clipping (large values in a log of it "
        "are what tells you gradients explode).": np.asarray(min(norm, max_norm)),
        "you returned the sum of squares: the norm is its square root.": np.asarray(sum_of_squares),
        "you added up each array's own norm; the global norm is sqrt(sum over every array of sum(g ** 2)), one "
        "square root over everything.": np.asarray(sum(float(np.sqrt(np.sum(g * g))) for g in grads.values())),
    }
    norm_mistakes = named("clip_gradients", norm_mistakes, ["norm_after_clipping", "norm_is_sum_of_squares",
                                                            "norm_is_sum_of_norms"])
    return array_mistakes, norm_mistakes  # merged per array by the caller


def _clip_case(shapes: dict[str, tuple], seed: int, *, norm: float, max_norm: float, dtype=np.float64):
    """Gradients with the given ``shapes`` rescaled so that their global norm is exactly ``norm``."""
    rng = np.random.default_rng(seed)
    grads = {name: rng.normal(size=shape) for name, shape in shapes.items()}
    current = global_norm(grads)
    factor = norm / current if current > 0 else 0.0
    grads = {name: (g * factor).astype(dtype) for name, g in grads.items()}
    return grads, max_norm


def _check_clip_case(learner, grads, max_norm, situation: str, hint: str) -> None:
    given = {name: g.copy() for name, g in grads.items()}
    result = call_learner(learner, given, max_norm, name="clip_gradients")
    clipped, norm = _unpack("clip_gradients", result, ("clipped", "norm"))
    expected, expected_norm = clip_by_global_norm(grads, max_norm)
    array_mistakes, norm_mistakes = _clip_mistakes(grads, max_norm)
    if not isinstance(clipped, dict):
        swapped = isinstance(norm, dict) and np.ndim(clipped) == 0
        raise CheckFailed(f"clip_gradients ({situation}): `clipped` must be a dict name -> array like `grads`, "
                          f"got a {type(clipped).__name__}."
                          + ("\n  Hint: the two results are in the wrong order: return clipped, norm." if swapped
                             else ""),
                          mistake=Mistake("clip_gradients/results_swapped", "the norm and the clipped gradients "
                                          "returned in the wrong order").id if swapped else None)
    if set(clipped) != set(grads):
        raise CheckFailed(f"clip_gradients ({situation}): `clipped` must have the same names as `grads`, "
                          f"{sorted(grads)}, got {sorted(clipped)}.")
    rtol, atol = _tolerance(next(iter(grads.values())))
    for name in grads:
        _expect_finite(f"clipped[{name!r}] ({situation})", clipped[name],
                       "with all gradients zero the norm is 0: dividing max_norm by it gives inf, and 0 * inf is "
                       "NaN. Only rescale when the norm is above max_norm.")
        mistakes = _merged({hint_text: arrays[name] for hint_text, arrays in array_mistakes.items()})
        expect_close(f"clipped[{name!r}] ({situation})", clipped[name], expected[name], rtol=rtol, atol=atol,
                     mistakes=mistakes, shape_meaning=f"grads[{name!r}].shape", hint=hint or None)
    norm = _as_number(f"norm ({situation})", norm,
                      "Sum the squares over every array (and every entry) before taking the square root.")
    expect_close(f"norm ({situation})", norm, np.asarray(expected_norm),
                 rtol=max(rtol, 1e-6), atol=atol, mistakes=_merged(norm_mistakes),
                 hint="norm = sqrt(sum over every array of sum(g ** 2)), measured before clipping.")
    _unchanged("clip_gradients", {f"grads[{name!r}]": g for name, g in grads.items()},
               {f"grads[{name!r}]": g for name, g in given.items()})


def _check_clip(learner, *, hidden: bool) -> None:
    shapes = {"W": (3, 4), "b": (3,)}
    cases = [
        (*_clip_case(shapes, 20, norm=0.5, max_norm=2.0), "norm 0.5 below max_norm 2",
         "Below the threshold nothing changes: every array must come back with the same values."),
        (*_clip_case(shapes, 21, norm=6.0, max_norm=1.5), "norm 6 above max_norm 1.5",
         "Above the threshold every array is multiplied by the same factor max_norm / norm = 0.25."),
    ]
    if hidden:
        three = {"cell.W": (8, 5), "cell.b": (8,), "readout.W": (1, 2)}
        cases += [
            (*_clip_case(three, 22, norm=40.0, max_norm=1.0), "three arrays, norm 40", ""),
            (*_clip_case({"W": (2, 3, 4)}, 23, norm=3.0, max_norm=5.0), "one 3-D array below max_norm", ""),
            (*_clip_case(shapes, 24, norm=0.0, max_norm=1.0), "all gradients zero", ""),
            (*_clip_case(three, 25, norm=2.0, max_norm=0.1, dtype=np.float32), "float32", ""),
        ]
    for grads, max_norm, situation, hint in cases:
        _check_clip_case(learner, grads, max_norm, situation, hint)
    passed("clip_gradients", f"{len(cases)} cases" + (": three arrays, 3-D, all zero, float32" if hidden else ""))


def check_clip_gradients(clip_gradients) -> None:
    """Public check of ``clip_gradients(grads, max_norm) -> (clipped, norm)`` (clipping by global norm)."""
    _check_clip(clip_gradients, hidden=False)


def check_clip_gradients_hidden(clip_gradients) -> None:
    """Hidden check of ``clip_gradients``: several arrays, a 3-D one, all-zero gradients, float32."""
    _check_clip(clip_gradients, hidden=True)


# ============================================================================================ the train step
def _copy_model(model: SequenceModel) -> SequenceModel:
    readout = Readout(model.readout.W.copy(), model.readout.b.copy(), model.readout.every_step)
    return SequenceModel(model.kind, model.cell.copy(), readout)


def _reference_gradients(model: SequenceModel, inputs, targets):
    """(loss, raw gradients) of the mean squared error, from lstm_ref's forward and backward passes."""
    predictions, cache = model.forward(inputs)
    loss, dpredictions = mean_squared_error(predictions, targets)
    return loss, model.backward(dpredictions, cache)


def _stepped(model: SequenceModel, optimiser, grads) -> dict[str, np.ndarray]:
    """The parameters after ``optimiser`` applies ``grads`` to a copy of ``model`` (both left untouched)."""
    model, optimiser = _copy_model(model), copy.deepcopy(optimiser)
    optimiser.step(model.parameters(), grads)
    return {name: value.copy() for name, value in model.parameters().items()}


def _train_case(kind, shape, output_size, every_step, seed, *, optimiser, max_norm, steps):
    """A model, one batch (inputs, targets) and an optimiser for ``steps`` training steps."""
    B, T, D, H = shape
    rng = np.random.default_rng(seed)
    model = SequenceModel.init(kind, D, H, output_size, every_step=every_step, rng=seed)
    inputs = rng.normal(size=(B, T, D))
    target_shape = (B, T, output_size) if every_step else (B, output_size)
    targets = rng.normal(size=target_shape)
    return dict(model=model, inputs=inputs, targets=targets, optimiser=optimiser, max_norm=max_norm, steps=steps)


def _describe_train(case) -> str:
    B, T, D = case["inputs"].shape
    model = case["model"]
    reads = "every step" if model.readout.every_step else "the last step"
    return (f"{model.kind.upper()} with B={B}, T={T}, D={D}, H={model.hidden_size}, readout on {reads}, "
            f"max_norm={case['max_norm']:g}")


def _check_train_case(learner, case) -> None:
    situation = _describe_train(case)
    learner_model = _copy_model(case["model"])
    learner_optimiser = copy.deepcopy(case["optimiser"])
    model = _copy_model(case["model"])
    optimiser = copy.deepcopy(case["optimiser"])
    inputs, targets, max_norm = case["inputs"], case["targets"], case["max_norm"]
    accumulated = None  # the sum of every raw gradient so far: what a learner who never resets would apply

    for step in range(1, case["steps"] + 1):
        where = f"step {step} ({situation})"
        before = {name: value.copy() for name, value in model.parameters().items()}
        loss, raw = _reference_gradients(model, inputs, targets)
        clipped, norm = clip_by_global_norm(raw, max_norm)
        accumulated = raw if accumulated is None else {name: accumulated[name] + raw[name] for name in raw}
        accumulated_clipped, accumulated_norm = clip_by_global_norm(accumulated, max_norm)
        mistaken_params = named("train_step", {
            "the raw gradients reached the optimiser: pass it the CLIPPED gradients that clip_by_global_norm "
            "returns (it leaves its input untouched).": _stepped(model, optimiser, raw),
            "the gradients were added to those of earlier steps and never reset, so each step applies the sum of "
            "every gradient so far. Use only this step's gradients.": _stepped(model, optimiser, accumulated_clipped),
            "the step went uphill: give the optimiser the gradients as they are (it subtracts them itself).":
                _stepped(model, optimiser, {name: -g for name, g in clipped.items()}),
            "the parameters did not change: the optimiser must update the model's own arrays, "
            "model.parameters(), not copies of them.": before,
        }, ["raw_gradients_to_optimiser", "gradients_accumulated", "step_uphill", "parameters_unchanged"])
        result = call_learner(learner, learner_model, inputs.copy(), targets.copy(), learner_optimiser, max_norm,
                              name="train_step")
        got_loss, got_norm = _unpack("train_step", result, ("loss", "grad_norm"))
        got_loss = _as_number(f"the returned loss at {where}", got_loss)
        got_norm = _as_number(f"the returned grad_norm at {where}", got_norm)
        optimiser.step(model.parameters(), clipped)
        expected = model.parameters()
        got = learner_model.parameters()
        for name in expected:
            if name not in got:
                raise CheckFailed(f"train_step: after {where} the model has no parameter {name!r}; do not replace "
                                  "the model's parts, update their arrays in place (the optimiser does that).")
            rtol, atol = 1e-6, 1e-9  # many float64 operations in a row: allow a little more rounding
            expect_close(f"model parameter {name!r} after {where}", got[name], expected[name], rtol=rtol, atol=atol,
                         mistakes=_merged({hint: params[name] for hint, params in mistaken_params.items()}),
                         hint="compare your order with: forward -> mean_squared_error -> backward -> "
                              "clip_by_global_norm -> optimiser.step(model.parameters(), clipped gradients).")
        loss_after = mean_squared_error(model.predict(inputs), targets)[0]
        expect_close(f"the returned loss at {where}", got_loss, np.asarray(loss),
                     rtol=1e-6, atol=1e-12,
                     mistakes={Mistake("train_step/loss_after_update", "you returned the loss AFTER the update; "
                                       "return the loss of the forward pass you took the gradients of."):
                               np.asarray(loss_after)},
                     hint="return the mean squared error of this step's forward pass, before the update.")
        expect_close(f"the returned grad_norm at {where}", got_norm, np.asarray(norm),
                     rtol=1e-6, atol=1e-12,
                     mistakes=named("train_step", {
                         "you returned the norm AFTER clipping; return the one clip_by_global_norm reports "
                         "(measured before clipping).": np.asarray(min(norm, max_norm)),
                         "you returned the norm of gradients summed over several steps: use this step's "
                         "gradients only.": np.asarray(accumulated_norm)}, ["norm_after_clipping", "norm_accumulated"]),
                     hint="return the norm that clip_by_global_norm returns with the clipped gradients.")


def _check_train(learner, *, hidden: bool) -> None:
    # Clipping active (a small max_norm) in the first case, inactive (a huge one) in the second, so a missing
    # clip and a clip applied when it should not be are both visible.
    cases = [
        _train_case("lstm", (4, 5, 2, 3), 1, False, 30, optimiser=Adam(lr=0.01), max_norm=0.1, steps=3),
        _train_case("lstm", (2, 4, 3, 4), 2, True, 31, optimiser=Adam(lr=0.01), max_norm=1e3, steps=2),
    ]
    if hidden:
        cases += [
            _train_case("rnn", (3, 6, 2, 5), 1, False, 32, optimiser=SGD(lr=0.1, momentum=0.9), max_norm=0.5,
                        steps=3),
            _train_case("lstm", (1, 3, 4, 2), 1, True, 33, optimiser=SGD(lr=0.05), max_norm=0.05, steps=4),
            _train_case("lstm", (5, 7, 1, 6), 3, True, 34, optimiser=Adam(lr=0.003), max_norm=2.0, steps=3),
        ]
    for case in cases:
        _check_train_case(learner, case)
    passed("train_step", f"{len(cases)} models, {sum(case['steps'] for case in cases)} steps" +
           (", LSTM and RNN, Adam and SGD" if hidden else ""))


def check_train_step(train_step) -> None:
    """Public check of ``train_step(model, inputs, targets, optimiser, max_norm) -> (loss, grad_norm)``."""
    _check_train(train_step, hidden=False)


def check_train_step_hidden(train_step) -> None:
    """Hidden check of ``train_step``: an RNN, SGD with and without momentum, B = 1, several outputs."""
    _check_train(train_step, hidden=True)


# Make every mistake once at import, so the catalogue (catalogue.all_mistakes) holds them all.
with np.errstate(all="ignore"):
    _sgd_mistakes(**_sgd_case((1,), 0))
    _adam_mistakes(**_adam_case((1,), 0, t=2, lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6))
    _clip_mistakes({"W": np.ones(2)}, 1.0)
