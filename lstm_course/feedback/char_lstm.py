"""Checks for unit 9, "A character-level LSTM".

The learner writes three parts of a character-level language model:

    char_cross_entropy(logits, targets) -> (loss, dlogits)       logits (N, V), targets (N,) ints
        p = softmax(logits) row by row (shifted by the row maximum, so exp never overflows)
        loss = -(1/N) sum_n log p[n, targets[n]]                    a float
        dlogits = (p - onehot(targets)) / N                         (N, V)
    sample_char(logits, temperature, rng) -> int                  logits (V,), temperature > 0
        an id k drawn with probability softmax(logits / temperature)[k], using the Generator ``rng``
    char_train_step(model, inputs, targets, optimiser, max_norm) -> loss
        forward, softmax cross-entropy, backward, clip by global norm, optimiser step; the loss before the step

Expected values come from ``lstm_ref`` (``softmax``, ``softmax_cross_entropy``, ``clip_by_global_norm``, the
``SequenceModel``'s passes), computed here; the outputs of the usual mistakes are computed on the same inputs and
named (``Mistake`` ids ``<exercise>/<slug>``) when the learner's result equals one. A sampler is judged by what
it draws: thousands of draws from seeded generators, whose frequencies must match the distribution (the
tolerance is several standard deviations, so any correct way of drawing passes), and the same seed must give
the same draws.
"""

from __future__ import annotations

import copy

import numpy as np

from lstm_ref.losses import log_softmax, softmax, softmax_cross_entropy
from lstm_ref.optim import Adam, clip_by_global_norm
from lstm_ref.training import SequenceModel

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, passed

__all__ = [
    "check_char_cross_entropy", "check_char_cross_entropy_hidden",
    "check_sample_char", "check_sample_char_hidden",
    "check_char_train_step", "check_char_train_step_hidden",
]


# ==================================================================================== char_cross_entropy
def _cross_entropy_variants(logits: np.ndarray, targets: np.ndarray) -> dict[Mistake, tuple[float, np.ndarray]]:
    """{mistake: (loss, dlogits)} for the usual mistakes, on these inputs."""
    N, V = logits.shape
    rows = np.arange(N)
    onehot = np.eye(V)[targets]
    p = softmax(logits)
    log_p = log_softmax(logits)
    loss = float(-np.mean(log_p[rows, targets]))
    with np.errstate(divide="ignore"):  # the wrong axis can underflow a probability to 0: its log is -inf
        p_columns = softmax(logits.T).T  # softmax over the wrong axis: each class normalised over the batch
        wrong_axis_loss = float(-np.mean(np.log(p_columns[rows, targets])))
    m = "char_cross_entropy/"

    def from_log_p(wrong_log_p):  # (loss, dlogits) of a learner whose log p is wrong and the rest right
        return float(-np.mean(wrong_log_p[rows, targets])), (np.exp(wrong_log_p) - onehot) / N

    shifted = logits - logits.max(axis=1, keepdims=True)
    column_shifted = logits - logits.max(axis=0, keepdims=True)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        log_p_variants = {
            Mistake(m + "normaliser_missing", "log p taken as the shifted logits alone: subtract each row's "
                    "normaliser, log p = shifted - log(sum over the row of exp(shifted)), so that p sums to 1."):
                from_log_p(shifted),
            Mistake(m + "normaliser_added", "the log of the row's sum of exps ADDED to the shifted logits: log p = "
                    "shifted - log(sum of exp(shifted)), a minus (p = exp(shifted) / sum)."):
                from_log_p(shifted + np.log(np.exp(shifted).sum(axis=1, keepdims=True))),
            Mistake(m + "normaliser_log_missing", "the sum of exps subtracted without its log: log p = shifted - "
                    "LOG(sum over the row of exp(shifted))."):
                from_log_p(shifted - np.exp(shifted).sum(axis=1, keepdims=True)),
            Mistake(m + "normaliser_wrong_axis", "the sum of exps taken over the batch (axis 0): each ROW is one "
                    "prediction, so sum over the characters, axis=1 with keepdims=True."):
                from_log_p(shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))),
            Mistake(m + "normaliser_whole_array", "one sum of exps over the whole array: each row has its own "
                    "normaliser, the sum over axis=1 with keepdims=True."):
                from_log_p(shifted - np.log(np.exp(shifted).sum())),
            Mistake(m + "max_shift_wrong_axis", "the logits shifted by each COLUMN's maximum (axis 0): a shift keeps "
                    "the softmax only when the whole row moves together, so subtract each row's maximum, axis=1 "
                    "with keepdims=True."):
                from_log_p(column_shifted - np.log(np.exp(column_shifted).sum(axis=1, keepdims=True))),
            Mistake(m + "loss_wrong_rows", "the loss reads each target in the row before its own (log p[n - 1, "
                    "targets[n]]): row n's prediction is scored at targets[n], with the row index np.arange(N) "
                    "beside targets."): (float(-np.mean(log_p[rows - 1, targets])), (p - onehot) / N),
        }
    return {
        Mistake(m + "gradient_not_averaged", "the gradient not divided by N: the loss is a MEAN over the N rows, "
                "so every row's gradient (p - onehot) is divided by N too."): (loss, p - onehot),
        Mistake(m + "loss_summed", "the loss summed over the rows instead of averaged: loss = -mean of log p of "
                "the right characters (divide by N)."): (loss * N, (p - onehot) / N),
        Mistake(m + "gradient_sign", "the gradient's sign flipped: dL/dlogits = (p - onehot) / N. Raising the "
                "right character's logit LOWERS the loss, so its gradient is negative."): (loss, (onehot - p) / N),
        Mistake(m + "onehot_not_subtracted", "the gradient p / N, without subtracting the one-hot target: "
                "dL/dlogits = (p - onehot(targets)) / N."): (loss, p / N),
        Mistake(m + "softmax_wrong_axis", "the softmax taken over the batch (axis 0) instead of over the "
                "characters: each ROW of logits is one prediction, normalise along axis=1 (or axis=-1)."):
            (wrong_axis_loss, (p_columns - onehot) / N),
        Mistake(m + "missing_log", "the loss -mean(p of the right character) without the log: the cross-entropy "
                "is -mean(log p[n, targets[n]])."): (float(-np.mean(p[rows, targets])), (p - onehot) / N),
        **log_p_variants,
        Mistake(m + "gradient_from_log_probabilities", "the gradient built from log p instead of p: "
                "dL/dlogits = (p - onehot(targets)) / N with the probabilities p = exp(log p)."):
            (loss, (log_p - onehot) / N),
        Mistake(m + "onehot_wrong_rows", "the 1 of the one-hot target subtracted one row off (row n - 1 got row "
                "n's target): row n's target is targets[n], so the 1 comes off p[n, targets[n]], with the row "
                "index np.arange(N) beside targets."): (loss, (p - np.eye(V)[targets][(rows + 1) % N]) / N),
    }


NO_MAX_SHIFT = Mistake("char_cross_entropy/no_max_shift", "exp of large logits overflowing to infinity: subtract "
                       "each row's maximum before exp; the softmax does not change and every exponent is <= 0.")
SWAPPED_RESULTS = Mistake("char_cross_entropy/results_swapped", "loss and dlogits returned in the other order: "
                          "the loss (one number) comes first, then dlogits (N, V).")


def _cross_entropy_case(seed: int, N: int, V: int, *, scale: float = 2.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    logits = (scale * rng.normal(size=(N, V))).astype(dtype)
    targets = rng.integers(0, V, size=N)
    return logits, targets


def _check_cross_entropy_case(learner, case: str, logits, targets, *, rtol=1e-7, atol=1e-10):
    name = f"char_cross_entropy ({case})"
    N, V = logits.shape
    expected_loss, expected_grad = softmax_cross_entropy(logits, targets)
    variants = _cross_entropy_variants(logits.astype(np.float64), targets)
    original_logits, original_targets = logits.copy(), targets.copy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = call_learner(learner, logits, targets, name="char_cross_entropy")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(f"{name}: expected 2 results, `return loss, dlogits`, got "
                          f"{type(result).__name__ if not isinstance(result, (tuple, list)) else f'{len(result)} items'}.")
    loss, dlogits = result
    if np.shape(loss) == (N, V) and np.ndim(dlogits) == 0:
        raise CheckFailed(f"{name}: the first result is an (N, V) array and the second one number.\n  Hint: your "
                          f"results match {SWAPPED_RESULTS}", mistake=SWAPPED_RESULTS.id)
    if np.ndim(loss) != 0:
        raise CheckFailed(f"{name}: the loss must be one number (the mean over the N rows), got an array of shape "
                          f"{np.shape(loss)}.")
    if not np.isfinite(loss) or not np.all(np.isfinite(np.asarray(dlogits, dtype=float))):
        biggest = float(np.abs(logits).max())
        overflow = biggest > 100  # exp of this overflows: the softmax was not shifted by the row maximum
        hint = "" if overflow else ("\n  Hint: NaN comes from the log of a number <= 0 (or 0 / 0). The log is "
                                    "taken of each row's SUM OF EXPS of the shifted logits, which is at least 1; "
                                    "is the exp there, before the sum?")
        raise CheckFailed(f"{name}: your result contains NaN or infinity (the largest logit here is {biggest:.3g})."
                          + hint, mistake=NO_MAX_SHIFT.id if overflow else None)
    mistakes_loss = {mistake: np.array(value[0]) for mistake, value in variants.items()}
    mistakes_grad = {mistake: value[1] for mistake, value in variants.items()}
    expect_array(f"{name}, dlogits", dlogits, (N, V), shape_meaning="(N, V)")
    # Name a mistake by both results at once where both match it.
    for mistake, (wrong_loss, wrong_grad) in variants.items():
        both = np.isclose(float(loss), wrong_loss, rtol=1e-6) and np.allclose(dlogits, wrong_grad, rtol=1e-6, atol=1e-9)
        right = np.isclose(float(loss), expected_loss, rtol=rtol, atol=atol) and \
            np.allclose(dlogits, expected_grad, rtol=rtol, atol=atol)
        if both and not right:
            raise CheckFailed(f"{name}: wrong values.\n  Hint: your results match {mistake}", mistake=mistake.id)
    expect_close(f"{name}, loss", np.array(float(loss)), np.array(expected_loss), rtol=rtol, atol=atol,
                 mistakes=mistakes_loss, hint="loss = -mean over the rows of log softmax(logits)[n, targets[n]].")
    expect_close(f"{name}, dlogits", dlogits, expected_grad, rtol=rtol, atol=atol, shape_meaning="(N, V)",
                 mistakes=mistakes_grad, hint="dlogits = (softmax(logits) - onehot(targets)) / N.")
    if not (np.array_equal(logits, original_logits) and np.array_equal(targets, original_targets)):
        raise CheckFailed(f"{name}: your function changed `logits` or `targets` in place (e.g. `logits -= ...`). "
                          "Compute new arrays: the caller still needs them.")


def _large_logits_case(seed: int):
    """Logits in the thousands: exp overflows unless each row is shifted by its maximum first."""
    logits, targets = _cross_entropy_case(seed, 3, 4)
    return logits * 400.0, targets


def check_char_cross_entropy(char_cross_entropy) -> None:
    """Public check of ``char_cross_entropy(logits, targets) -> (loss, dlogits)`` against lstm_ref."""
    _check_cross_entropy_case(char_cross_entropy, "N=5, V=4", *_cross_entropy_case(901, 5, 4))
    _check_cross_entropy_case(char_cross_entropy, "N=8, V=6", *_cross_entropy_case(902, 8, 6))
    try:
        _check_cross_entropy_case(char_cross_entropy, "logits in the thousands", *_large_logits_case(903))
    except CheckFailed as failure:
        if failure.mistake == NO_MAX_SHIFT.id:
            raise CheckFailed(f"{failure}\n  Hint: exp(1000) overflows to infinity. Subtract each row's maximum "
                              "before exp (logits - logits.max(axis=1, keepdims=True)): the softmax does not change, "
                              "and every exponent is <= 0.", mistake=failure.mistake) from None
        raise
    passed("char_cross_entropy", "matches lstm_ref.softmax_cross_entropy")


def check_char_cross_entropy_hidden(char_cross_entropy) -> None:
    """Hidden check: one row, two classes, large negative logits, float32, many rows with one target."""
    _check_cross_entropy_case(char_cross_entropy, "N=1, V=2", *_cross_entropy_case(911, 1, 2))
    logits, targets = _large_logits_case(912)
    _check_cross_entropy_case(char_cross_entropy, "large negative logits", -logits, targets)
    _check_cross_entropy_case(char_cross_entropy, "logits in the thousands", *_large_logits_case(913))
    logits, _ = _cross_entropy_case(914, 12, 56)
    _check_cross_entropy_case(char_cross_entropy, "N=12, V=56, one target", logits, np.full(12, 3))
    _check_cross_entropy_case(char_cross_entropy, "float32", *_cross_entropy_case(915, 6, 5, dtype=np.float32),
                              rtol=1e-4, atol=1e-6)
    passed("char_cross_entropy (hidden)", "N = 1, extreme logits, V = 56, float32")


# =========================================================================================== sample_char
DRAWS = 3000
TOLERANCE = 0.04  # largest allowed |frequency - probability|: about 4.5 standard deviations at 3000 draws


def _sampling_variants(logits: np.ndarray, temperature: float) -> dict[Mistake, np.ndarray]:
    """{mistake: the distribution that mistake draws from}."""
    V = len(logits)
    greedy = np.zeros(V)
    greedy[np.argmax(logits)] = 1.0
    m = "sample_char/"
    return {
        Mistake(m + "temperature_multiplied", "the logits multiplied by the temperature: divide them, "
                "softmax(logits / temperature), so a temperature above 1 flattens the distribution and one below "
                "1 sharpens it."): softmax(logits * temperature),
        Mistake(m + "temperature_ignored", "the temperature ignored: your draws follow softmax(logits). Scale the "
                "logits first: softmax(logits / temperature). (Dividing the probabilities by it changes nothing "
                "once they are normalised.)"): softmax(logits),
        Mistake(m + "greedy", "always the most likely character (argmax): sampling must DRAW a character, each "
                "with its probability, e.g. rng.choice(V, p=probabilities)."): greedy,
        Mistake(m + "uniform", "every character equally likely: draw with the model's probabilities, "
                "rng.choice(V, p=softmax(logits / temperature))."): np.full(V, 1.0 / V),
    }


GLOBAL_RANDOM = Mistake("sample_char/global_random", "draws from np.random's global functions instead of the "
                        "generator `rng` given: the same seed must give the same characters.")

# The catalogues above are made per case; make each once on import, so the catalogue of mistakes (and the class
# mistake report) lists them before any check has run.
_cross_entropy_variants(np.zeros((2, 2)), np.array([0, 1]))
_sampling_variants(np.zeros(2), 1.0)


def _frequencies(learner, name: str, logits: np.ndarray, temperature: float, seed: int) -> np.ndarray:
    V = len(logits)
    rng = np.random.default_rng(seed)
    original = logits.copy()
    counts = np.zeros(V)
    for _ in range(DRAWS):
        k = call_learner(learner, logits, temperature, rng, name="sample_char")
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) and \
                not (isinstance(k, np.ndarray) and k.shape == () and k.dtype.kind in "iu"):
            raise CheckFailed(f"{name}: expected one integer id (e.g. int(rng.choice(V, p=p))), got "
                              f"{type(k).__name__} {k!r}.")
        if not 0 <= int(k) < V:
            raise CheckFailed(f"{name}: the id {int(k)} is outside 0 .. V-1 = {V - 1}.")
        counts[int(k)] += 1
        if not np.array_equal(logits, original):
            raise CheckFailed(f"{name}: your function changed `logits` in place (e.g. `logits /= temperature`). "
                              "Compute a new array: the caller still needs the logits.")
    return counts / DRAWS


def _check_sampling_case(learner, case: str, logits: np.ndarray, temperature: float, seed: int):
    name = f"sample_char ({case}, temperature {temperature:g})"
    expected = softmax(logits.astype(np.float64) / temperature)
    got = _frequencies(learner, name, logits, temperature, seed)
    error = float(np.abs(got - expected).max())
    if error <= TOLERANCE:
        return
    V = len(logits)
    table = "\n".join(f"    id {k}: expected {expected[k]:.3f}, drawn {got[k]:.3f}" for k in range(V))
    known = None
    for mistake, wrong in _sampling_variants(logits.astype(np.float64), temperature).items():
        if np.abs(got - wrong).max() <= TOLERANCE:
            known = mistake
            break
    hint = f"  Hint: your draws match {known}" if known else \
        "  Hint: the probabilities are softmax(logits / temperature); draw one id with them, e.g. rng.choice(V, p=p)."
    raise CheckFailed(f"{name}: over {DRAWS} draws the frequencies differ from the probabilities by up to "
                      f"{error:.3f}:\n{table}\n{hint}", mistake=getattr(known, "id", None))


def _check_uses_rng(learner, logits: np.ndarray):
    draws = [[int(call_learner(learner, logits, 1.0, rng, name="sample_char")) for _ in range(40)]
             for rng in (np.random.default_rng(7), np.random.default_rng(7))]
    if draws[0] != draws[1]:
        raise CheckFailed(
            "sample_char: two generators with the same seed gave different characters. Draw with the `rng` you "
            "are given (rng.choice, rng.random, ...), not np.random's global functions: the same seed must write "
            "the same text.", mistake=GLOBAL_RANDOM.id)


def _sampling_logits(seed: int, V: int, scale: float = 1.0) -> np.ndarray:
    return scale * np.random.default_rng(seed).normal(size=V)


def check_sample_char(sample_char) -> None:
    """Public check of ``sample_char(logits, temperature, rng)``: frequencies of seeded draws at three
    temperatures against softmax(logits / temperature), and the same draws from the same seed."""
    logits = _sampling_logits(921, 5)
    _check_uses_rng(sample_char, logits)
    for temperature, seed in ((1.0, 922), (0.5, 923), (2.0, 924)):
        _check_sampling_case(sample_char, "V=5", logits, temperature, seed)
    passed("sample_char", "draws follow softmax(logits / temperature)")


def check_sample_char_hidden(sample_char) -> None:
    """Hidden check: two characters, a temperature near 0 and a large one, float32 logits, V = 56."""
    _check_uses_rng(sample_char, _sampling_logits(931, 3))
    _check_sampling_case(sample_char, "V=2", np.array([0.3, -0.4]), 1.0, 932)
    _check_sampling_case(sample_char, "V=6, near 0", _sampling_logits(933, 6), 0.05, 934)
    _check_sampling_case(sample_char, "V=6, large", _sampling_logits(935, 6, 3.0), 10.0, 936)
    _check_sampling_case(sample_char, "float32", _sampling_logits(937, 4).astype(np.float32), 0.7, 938)
    _check_sampling_case(sample_char, "V=56", _sampling_logits(939, 56, 3.0), 0.8, 940)
    passed("sample_char (hidden)", "V = 2, temperatures 0.05 and 10, float32, V = 56")


# ======================================================================================= char_train_step
def _train_variant(model: SequenceModel, inputs, targets, optimiser, max_norm: float, *, clip: str = "global",
                   loss_after: bool = False, update: bool = True) -> float:
    """One training step as a learner might write it (defaults: the exact step); returns the loss."""
    logits, cache = model.forward(inputs)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    grads = model.backward(dlogits, cache)
    if clip == "global":
        grads, _ = clip_by_global_norm(grads, max_norm)
    elif clip == "per array":
        grads = {name: clip_by_global_norm({name: g}, max_norm)[0][name] for name, g in grads.items()}
    if update:
        optimiser.step(model.parameters(), grads)
    if loss_after:
        loss = softmax_cross_entropy(model.forward(inputs)[0], targets)[0]
    return loss


_M = "char_train_step/"
TRAIN_MISTAKES = {
    Mistake(_M + "not_clipped", "the gradients not clipped (or clipped, but the unclipped ones given to the "
            "optimiser): grads, norm = clip_by_global_norm(grads, max_norm), then optimiser.step(..., grads)."):
        {"clip": "none"},
    Mistake(_M + "clipped_per_array", "each array clipped on its own: clip_by_global_norm scales ALL the "
            "gradients together by one factor, so their directions relative to each other stay."):
        {"clip": "per array"},
    Mistake(_M + "loss_after_update", "the loss measured after the update: return the loss of the forward pass "
            "you took the gradients from (before optimiser.step)."): {"loss_after": True},
    Mistake(_M + "no_update", "the parameters not updated: call optimiser.step(model.parameters(), grads); it "
            "changes the arrays in place."): {"update": False},
}


def _train_case(seed: int, B: int, T: int, V: int, H: int):
    rng = np.random.default_rng(seed)
    model = SequenceModel.init("lstm", V, H, V, every_step=True, rng=rng)
    ids = rng.integers(0, V, size=(B, T + 1))
    return model, np.eye(V)[ids[:, :-1]], ids[:, 1:]


def _check_train_case(learner, case: str, model: SequenceModel, inputs, targets, max_norm: float, steps: int = 2):
    name = f"char_train_step ({case}, max_norm {max_norm:g})"
    reference_model = copy.deepcopy(model)
    reference_optimiser = Adam(lr=0.01)
    variants = {mistake: (copy.deepcopy(model), Adam(lr=0.01)) for mistake in TRAIN_MISTAKES}
    original_inputs, original_targets = inputs.copy(), targets.copy()
    optimiser = Adam(lr=0.01)
    for step in range(1, steps + 1):
        expected = _train_variant(reference_model, inputs, targets, reference_optimiser, max_norm)
        wrong_losses = {mistake: _train_variant(variants[mistake][0], inputs, targets, variants[mistake][1], max_norm,
                                                **switches)
                        for mistake, switches in TRAIN_MISTAKES.items()}
        loss = call_learner(learner, model, inputs, targets, optimiser, max_norm, name="char_train_step")
        if loss is None:
            raise CheckFailed(f"{name}: your function returned None. Did you forget `return loss`?")
        if np.ndim(loss) != 0:
            raise CheckFailed(f"{name}: return the loss as one number, got an array of shape {np.shape(loss)}.")
        if not (np.array_equal(inputs, original_inputs) and np.array_equal(targets, original_targets)):
            raise CheckFailed(f"{name}: your function changed `inputs` or `targets` in place.")
        got = {"loss": np.array(float(loss)), **model.parameters()}
        want = {"loss": np.array(expected), **reference_model.parameters()}
        if all(np.allclose(got[key], want[key], rtol=1e-7, atol=1e-10) for key in want):
            continue
        for mistake in TRAIN_MISTAKES:
            wrong = {"loss": np.array(wrong_losses[mistake]), **variants[mistake][0].parameters()}
            if all(np.allclose(got[key], wrong[key], rtol=1e-6, atol=1e-9) for key in wrong):
                raise CheckFailed(f"{name}, step {step}: wrong result.\n  Hint: it matches {mistake}",
                                  mistake=mistake.id)
        for key in want:  # the first quantity that differs, explained
            expect_close(f"{name}, step {step}: " + ("the returned loss" if key == "loss" else f"model's {key} after the step"),
                         got[key], want[key], rtol=1e-7, atol=1e-10,
                         hint="forward -> softmax_cross_entropy -> model.backward -> clip_by_global_norm -> "
                              "optimiser.step(model.parameters(), clipped grads); return the loss.")


def check_char_train_step(char_train_step) -> None:
    """Public check of ``char_train_step(model, inputs, targets, optimiser, max_norm)``: two steps on a small model,
    once with clipping that bites and once without, against the same steps done with lstm_ref."""
    _check_train_case(char_train_step, "B=3, T=4, V=5, H=4", *_train_case(951, 3, 4, 5, 4), max_norm=0.05)
    _check_train_case(char_train_step, "B=3, T=4, V=5, H=4", *_train_case(952, 3, 4, 5, 4), max_norm=100.0)
    passed("char_train_step", "the same loss and parameters as lstm_ref's step")


def check_char_train_step_hidden(char_train_step) -> None:
    """Hidden check: one sequence of one step, a larger model, three steps, a norm just below the gradient's."""
    _check_train_case(char_train_step, "B=1, T=1, V=3, H=2", *_train_case(961, 1, 1, 3, 2), max_norm=0.01)
    _check_train_case(char_train_step, "B=4, T=6, V=8, H=6", *_train_case(962, 4, 6, 8, 6), max_norm=0.2, steps=3)
    _check_train_case(char_train_step, "B=2, T=5, V=4, H=3", *_train_case(963, 2, 5, 4, 3), max_norm=1e6)
    passed("char_train_step (hidden)", "one step of one sequence, three steps, little and no clipping")
