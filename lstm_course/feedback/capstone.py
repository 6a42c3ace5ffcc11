"""Checks for unit 8, the capstone: forecasting a noisy seasonal series one step ahead.

The learner writes three functions:

    make_windows(series, window) -> (inputs, targets)
        series (N, D) -> inputs (B, T, D) and targets (B, T, D), B = N - window, T = window, with
        inputs[b, t] = series[b + t] and targets[b, t] = series[b + t + 1] (the next value).
    forecast_forward(x, params, W_out, b_out) -> predictions
        hs = LSTM(x) (B, T, H);  predictions = hs @ W_out.T + b_out  (B, T, O), one forecast per step.
    train_forecaster(inputs, targets, seed) -> (model, losses)
        a trained lstm_ref ``SequenceModel`` (an LSTM with a readout at every step) and its training losses.

The first two are compared with the reference implementations below (``sliding_windows`` and lstm_ref's
``lstm_forward`` with a linear readout). The third is judged by what matters in forecasting: on held-out data
from later in the series, the model's mean squared error must be clearly below that of the naive forecast
"tomorrow = today" (repeat the last value). That bar is robust: a working LSTM gets 0.1 to 0.4 of the naive
error in well under a second of training, while a model that learned nothing gets about 1 or more.

This module also holds the capstone's data and reference helpers, so the notebook's later cells (plots) can
run even when an exercise is not finished: ``seasonal_series``, ``sliding_windows``, ``naive_mse`` and
``demo_forecaster``.
"""

from __future__ import annotations

import numpy as np

from lstm_ref.cell import lstm_step
from lstm_ref.losses import mean_squared_error
from lstm_ref.optim import Adam, clip_by_global_norm
from lstm_ref.params import LSTMParams, as_generator
from lstm_ref.sequence import lstm_forward
from lstm_ref.training import SequenceModel

from .core import CheckFailed, Mistake, call_learner, expect_array, expect_close, named, passed

__all__ = [
    "seasonal_series", "sliding_windows", "naive_mse", "demo_forecaster", "CAPSTONE_DATA", "FORECAST_BAR",
    "check_make_windows", "check_make_windows_hidden",
    "check_forecast_forward", "check_forecast_forward_hidden",
    "check_train_forecaster", "check_train_forecaster_hidden",
]

# The notebook's data, and the one the public training check uses: 700 points of a season of 16 steps,
# the first 500 for training, the last 200 held out; windows of 24 steps.
CAPSTONE_DATA = dict(length=700, split=500, window=24, period=16.0, noise=0.1, seed=2024)

# A trained forecaster must reach a held-out MSE below this fraction of the naive forecast's. Measured (see
# the module docstring): a small LSTM trained for 300 steps gets 0.1-0.4 on such series; learning nothing gives
# about 1 (a model that copies its input) or far more (an untrained one).
FORECAST_BAR = 0.6


# ============================================================================================ data helpers
def seasonal_series(length: int, rng=None, period: float = 16.0, noise: float = 0.1) -> np.ndarray:
    """A noisy seasonal series: two harmonics of one season plus Gaussian noise.

        s_t = sin(2 pi t / P + phi) + 0.4 sin(4 pi t / P + 2 phi + 1) + noise * e_t,     e_t ~ N(0, 1)

    with the phase phi drawn from ``rng``. Like a daily temperature curve sampled P times a day: the shape
    repeats, but no single past value tells where in the season you are; a few do.

    Args:
        length: N, the number of time steps (>= 2).
        rng: int seed or np.random.Generator.
        period: P, the season's length in steps (> 2).
        noise: the noise's standard deviation (>= 0).

    Returns:
        float64 array (N, 1): one feature per time step.
    """
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 2:
        raise ValueError(f"length must be an integer >= 2, got {length!r}.")
    if not period > 2:
        raise ValueError(f"period must be more than 2 steps, got {period!r}.")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}.")
    generator = as_generator(rng)
    t = np.arange(length)
    phase = generator.uniform(0.0, 2.0 * np.pi)
    clean = np.sin(2 * np.pi * t / period + phase) + 0.4 * np.sin(4 * np.pi * t / period + 2 * phase + 1.0)
    return (clean + noise * generator.normal(size=length))[:, None]


def sliding_windows(series: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``window`` consecutive steps, with the next value as the target at each step.

        inputs[b, t] = series[b + t],   targets[b, t] = series[b + t + 1],   b = 0 .. N - window - 1

    Args:
        series: (N, D) float array.
        window: T, 1 <= T <= N - 1.

    Returns:
        inputs, targets: (B, T, D) arrays (copies), B = N - T.
    """
    series = np.asarray(series)
    if series.ndim != 2 or not np.issubdtype(series.dtype, np.floating):
        raise ValueError(f"series must be a 2-D float array (N, D), got shape {series.shape} and dtype "
                         f"{series.dtype}.")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or not 1 <= window < len(series):
        raise ValueError(f"window must be an integer from 1 to N - 1 = {len(series) - 1}, got {window!r}.")
    starts = np.arange(len(series) - window)[:, None]  # (B, 1)
    steps = np.arange(window)[None, :]                  # (1, T)
    return series[starts + steps], series[starts + steps + 1]  # fancy indexing copies


def naive_mse(inputs: np.ndarray, targets: np.ndarray) -> float:
    """The mean squared error of the naive forecast "the next value equals the current one" (predictions =
    inputs), the bar a forecaster must beat. inputs and targets: (B, T, D) from ``sliding_windows``."""
    return float(np.mean((np.asarray(targets) - np.asarray(inputs)) ** 2))


def demo_forecaster(inputs: np.ndarray, targets: np.ndarray, seed: int = 0, *, hidden_size: int = 16,
                    steps: int = 300, batch_size: int = 32, lr: float = 0.01, max_norm: float = 1.0):
    """A working forecaster, for the notebook's figures when the learner's ``train_forecaster`` is not ready
    (and for the tests): an LSTM with a readout at every step, Adam on random mini-batches of windows, clipped.

    Returns:
        (model, losses): the trained SequenceModel and the training loss of every step (a list of floats).
    """
    model = SequenceModel.init("lstm", inputs.shape[2], hidden_size, targets.shape[2], every_step=True, rng=seed)
    generator = np.random.default_rng(seed)
    optimiser = Adam(lr=lr)
    losses = []
    for _ in range(steps):
        rows = generator.integers(0, len(inputs), size=batch_size)
        predictions, cache = model.forward(inputs[rows])
        loss, dpredictions = mean_squared_error(predictions, targets[rows])
        grads, _ = clip_by_global_norm(model.backward(dpredictions, cache), max_norm)
        optimiser.step(model.parameters(), grads)
        losses.append(loss)
    return model, losses


def _split_windows(series: np.ndarray, split: int, window: int):
    """(train inputs, train targets, held-out inputs, held-out targets): windows never cross the split."""
    return (*sliding_windows(series[:split], window), *sliding_windows(series[split:], window))


# ============================================================================================ make_windows
def _windows_case(kind: str, seed: int, length: int, width: int, window: int, dtype=np.float64):
    if kind == "counting":  # 0, 1, 2, ...: a wrong index shows up as a readable number in the message
        series = np.arange(length * width, dtype=np.float64).reshape(length, width)
    else:
        series = np.random.default_rng(seed).normal(size=(length, width))
    return series.astype(dtype), window


_WINDOW_SHAPE_MISTAKES = {
    "one_window_short": "one window too few: the range of window starts ends one early",
    "time_first": "the windows stacked time first, (T, B, D)",
    "one_target_per_window": "one target per window instead of one per step",
    "feature_axis_missing": "the feature axis D dropped",
    "windows_do_not_overlap": "windows that do not overlap: a window starts at every index",
    "window_length_wrong": "windows of the wrong length",
}


def _windows_shape_slug(got_shape: tuple, B: int, T: int, D: int) -> str:
    if got_shape == (B - 1, T, D):
        return "one_window_short"
    if got_shape == (T, B, D):
        return "time_first"
    if got_shape == (B, D):
        return "one_target_per_window"
    if got_shape == (B, T):
        return "feature_axis_missing"
    if len(got_shape) == 3 and got_shape[0] == B and got_shape[2] == D and got_shape[1] != T:
        return "window_length_wrong"
    return "windows_do_not_overlap"


def _windows_shape_hint(got_shape: tuple, B: int, T: int, D: int) -> str | None:
    if got_shape == (B - 1, T, D):
        return (f"one window short: there are N - window = {B} windows. The last starts at index N - window - 1 "
                "and its targets end with the series' last value.")
    if got_shape == (T, B, D):
        return "the axes are (T, B, D), time first; the course's arrays are batch first: (B, T, D)."
    if got_shape == (B, D):
        return ("one target per window; here every step t of a window has a target, the value after it, so "
                "targets have the shape of inputs, (B, T, D).")
    if got_shape == (B, T):
        return "the feature axis is missing: keep series' last axis D, even when D = 1: (B, T, D)."
    if len(got_shape) == 3 and got_shape[0] == B and got_shape[2] == D and got_shape[1] != T:
        return (f"each window must hold `window` = {T} values, here {got_shape[1]}: the slice for window b runs from "
                "its start, b (or b + 1 for the targets), for exactly `window` steps.")
    if len(got_shape) == 3 and got_shape[1:] == (T, D) and got_shape[0] < B:
        return ("fewer windows than expected: a window starts at EVERY index 0, 1, ..., N - window - 1 (they "
                "overlap), not every `window` steps.")
    return None


def _check_windows_case(learner, series, window, situation: str) -> None:
    N, D = series.shape
    T, B = window, N - window
    given = series.copy()
    result = call_learner(learner, given, window, name="make_windows")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed("make_windows must return two arrays, (inputs, targets); end it with "
                          "`return inputs, targets`.")
    inputs, targets = result
    expected_inputs, expected_targets = sliding_windows(series, window)
    for name, got in (("inputs", inputs), ("targets", targets)):
        shape = np.shape(got) if got is not None else None
        if shape is not None and tuple(shape) != (B, T, D):
            hint = _windows_shape_hint(tuple(shape), B, T, D)
            slug = _windows_shape_slug(tuple(shape), B, T, D)
            if hint:
                raise CheckFailed(f"make_windows ({situation}), {name}: wrong shape: expected (B, T, D) = "
                                  f"{(B, T, D)} (B = N - window = {N} - {T}), got {tuple(shape)}.\n  Hint: {hint}",
                                  mistake=Mistake(f"make_windows/{slug}", _WINDOW_SHAPE_MISTAKES[slug]).id)
        expect_array(f"make_windows ({situation}), {name}", got, (B, T, D), shape_meaning="(B, T, D)")
    rtol, atol = 0.0, 0.0  # a copy of the data: exactly equal
    expect_close(f"make_windows ({situation}), inputs", inputs, expected_inputs, rtol=rtol, atol=atol,
                 mistakes={Mistake("make_windows/results_swapped", "the targets: inputs and targets are swapped; "
                                   "return (inputs, targets)."): expected_targets},
                 hint="window b must be series[b : b + window]: window 0 starts at index 0.")
    expect_close(f"make_windows ({situation}), targets", targets, expected_targets, rtol=rtol, atol=atol,
                 mistakes={Mistake("make_windows/targets_not_shifted", "the inputs: the targets are not shifted. The "
                                   "target at each step is the NEXT value, series[b + t + 1]."): expected_inputs},
                 hint="targets[b, t] must be series[b + t + 1]: the value right after inputs[b, t], so "
                      "targets are the windows shifted by ONE step.")
    if not np.array_equal(given, series):
        raise CheckFailed("make_windows changed `series` in place; build new arrays instead.")


def _check_windows(learner, *, hidden: bool) -> None:
    cases = [
        (*_windows_case("counting", 0, 10, 1, 4), "series 0, 1, ..., 9 as (10, 1), window 4"),
        (*_windows_case("random", 1, 15, 2, 5), "random (15, 2) series, window 5"),
    ]
    if hidden:
        cases += [
            (*_windows_case("random", 2, 6, 1, 1), "window 1"),
            (*_windows_case("random", 3, 7, 3, 6), "window N - 1: a single window"),
            (*_windows_case("random", 4, 30, 1, 24), "N = 30, window 24"),
            (*_windows_case("random", 5, 9, 2, 3, np.float32), "float32"),
        ]
    for series, window, situation in cases:
        _check_windows_case(learner, series, window, situation)
    passed("make_windows", f"{len(cases)} cases" + (": window 1, a single window, float32" if hidden else ""))


def check_make_windows(make_windows) -> None:
    """Public check of ``make_windows(series, window) -> (inputs, targets)``, both (N - window, window, D)."""
    _check_windows(make_windows, hidden=False)


def check_make_windows_hidden(make_windows) -> None:
    """Hidden check of ``make_windows``: window 1, a single window, longer series, float32."""
    _check_windows(make_windows, hidden=True)


# ======================================================================================= forecast_forward
def _forecast_case(shape, output_size: int, seed: int, dtype=np.float64):
    B, T, D, H = shape
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(D, H, rng=seed, dtype=dtype)
    params.W *= 2.0  # livelier gates than a fresh initialisation, so a missing part changes the values visibly
    x = rng.normal(size=(B, T, D)).astype(dtype)
    W_out = rng.normal(size=(output_size, H)).astype(dtype)
    b_out = rng.normal(size=output_size).astype(dtype)
    return x, params, W_out, b_out


def _forecast_mistakes(x, params, W_out, b_out) -> dict[str, np.ndarray]:
    hs, _, cache = lstm_forward(x, params)
    cells = cache.cells[1:].transpose(1, 0, 2)
    B, T, _ = x.shape
    H = params.hidden_size
    reset = np.zeros_like(hs)
    for t in range(T):  # every step started from h = c = 0: the memory is thrown away
        zeros = np.zeros((B, H), dtype=x.dtype)
        reset[:, t] = lstm_step(x[:, t], zeros, zeros, params)[0]
    previous = np.concatenate([np.zeros_like(hs[:, :1]), hs[:, :-1]], axis=1)
    return named("forecast_forward", {
        "the bias b_out is missing: predictions = hs @ W_out.T + b_out.": hs @ W_out.T,
        "a tanh on the predictions: a forecast is a plain linear readout of h_t (the series can go beyond "
        "[-1, 1]).": np.tanh(hs @ W_out.T + b_out),
        "the cell states instead of the hidden states: the readout reads h_t = o_t * tanh(c_t), the first "
        "thing lstm_forward returns.": cells @ W_out.T + b_out,
        "every step started from a zero state, so the LSTM remembers nothing: run the whole sequence through "
        "lstm_forward at once (it carries h and c from step to step).": reset @ W_out.T + b_out,
        "the hidden state BEFORE each step (h_{t-1}): the forecast at step t reads h_t, the state after "
        "reading x_t.": previous @ W_out.T + b_out,
        "the bias b_out subtracted: predictions = hs @ W_out.T + b_out.": hs @ W_out.T - b_out,
        "the readout multiplied entry by entry (hs * W_out): it is a matrix product, hs @ W_out.T.":
            (hs * W_out[0] + b_out) if W_out.shape[0] == 1 else np.full(hs.shape[:2] + (W_out.shape[0],), np.nan),
    }, ["missing_bias", "tanh_on_predictions", "cell_states_read", "state_reset_each_step", "state_before_step",
        "bias_subtracted", "elementwise_readout"])


def _check_forecast_case(learner, x, params, W_out, b_out, situation: str) -> None:
    B, T, _ = x.shape
    O = W_out.shape[0]
    hs = lstm_forward(x, params)[0]
    expected = hs @ W_out.T + b_out
    try:
        got = call_learner(learner, x.copy(), params.copy(), W_out.copy(), b_out.copy(), name="forecast_forward")
    except CheckFailed as failure:
        if isinstance(failure.__cause__, ValueError) and not failure.mistake:
            raise CheckFailed(f"{failure}\n  Shapes here: hs (B, T, H) = {hs.shape}, W_out (O, H) = {W_out.shape}, "
                              f"b_out (O,) = {b_out.shape}: hs @ W_out.T is (B, T, O) = {(B, T, O)}."
                              ) from failure.__cause__
        raise
    if np.shape(got) == np.shape(b_out):
        raise CheckFailed(f"forecast_forward ({situation}): your function returned an array of b_out's shape "
                          f"{np.shape(got)}: the readout's product hs @ W_out.T is missing; predictions = hs @ W_out.T "
                          "+ b_out, one per step: (B, T, O).",
                          mistake=Mistake("forecast_forward/only_the_bias", "only the bias b_out returned").id)
    if np.shape(got) == (B, O) and (B, O) != (B, T, O):
        raise CheckFailed(f"forecast_forward ({situation}): wrong shape: expected (B, T, O) = {(B, T, O)}, got "
                          f"{np.shape(got)}.\n  Hint: one forecast per time step (the next value after every "
                          "x_t), not only after the last one: apply the readout to all of hs, not hs[:, -1].")
    rtol, atol = (1e-7, 1e-9) if x.dtype == np.float64 else (2e-5, 2e-6)
    name = f"forecast_forward ({situation})"
    got = expect_array(name, got, expected.shape, shape_meaning="(B, T, O)")
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    # Isolate the readout: with W_out = 0 every prediction must be b_out, whatever the LSTM did.
    hint = None
    zero_readout = np.asarray(call_learner(learner, x.copy(), params.copy(), np.zeros_like(W_out), b_out.copy(),
                                           name="forecast_forward"))
    if zero_readout.shape != expected.shape or not np.allclose(zero_readout, np.broadcast_to(b_out, expected.shape),
                                                               rtol=rtol, atol=atol):
        hint = ("with W_out = 0 every prediction should be b_out, and yours is not: is b_out added, once, after "
                "the product?")
    expect_close(name, got, expected, rtol=rtol, atol=atol, mistakes=_forecast_mistakes(x, params, W_out, b_out),
                 hint=hint or "hs, _, _ = lstm_forward(x, params), then predictions = hs @ W_out.T + b_out.",
                 shape_meaning="(B, T, O)")


def _check_forecast(learner, *, hidden: bool) -> None:
    cases = [
        (*_forecast_case((3, 5, 1, 4), 1, 40), "B=3, T=5, D=1, H=4, O=1"),
        (*_forecast_case((2, 4, 2, 3), 2, 41), "B=2, T=4, D=2, H=3, O=2"),
    ]
    if hidden:
        cases += [
            (*_forecast_case((1, 1, 1, 2), 1, 42), "B=1, T=1"),
            (*_forecast_case((4, 7, 3, 5), 3, 43), "B=4, T=7, D=3, H=5, O=3"),
            (*_forecast_case((2, 6, 1, 6), 1, 44, np.float32), "float32"),
        ]
    for x, params, W_out, b_out, situation in cases:
        _check_forecast_case(learner, x, params, W_out, b_out, situation)
    passed("forecast_forward", f"{len(cases)} cases" + (": B = 1, T = 1, several outputs, float32" if hidden
                                                         else ""))


def check_forecast_forward(forecast_forward) -> None:
    """Public check of ``forecast_forward(x, params, W_out, b_out) -> predictions`` (B, T, O)."""
    _check_forecast(forecast_forward, hidden=False)


def check_forecast_forward_hidden(forecast_forward) -> None:
    """Hidden check of ``forecast_forward``: B = 1, T = 1, several outputs, float32."""
    _check_forecast(forecast_forward, hidden=True)


# ======================================================================================= train_forecaster
def _check_forecaster_on(learner, series: np.ndarray, split: int, window: int, seed: int, situation: str) -> float:
    """Train the learner's forecaster on the first part of ``series``; return its held-out MSE / naive MSE."""
    train_inputs, train_targets, held_inputs, held_targets = _split_windows(series, split, window)
    result = call_learner(learner, train_inputs.copy(), train_targets.copy(), seed, name="train_forecaster")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed("train_forecaster must return (model, losses): the trained SequenceModel and the list "
                          "of training losses, one per step.")
    model, losses = result
    if isinstance(losses, SequenceModel) and not isinstance(model, SequenceModel):
        raise CheckFailed("train_forecaster: the model came second and the losses first: return (model, losses).",
                          mistake=Mistake("train_forecaster/results_swapped", "the losses and the model returned "
                                          "in the wrong order").id)
    if not isinstance(model, SequenceModel):
        raise CheckFailed(f"train_forecaster: `model` must be an lstm_ref SequenceModel, got "
                          f"{type(model).__name__}. Build it with SequenceModel.init(...).")
    if model.kind != "lstm":
        raise CheckFailed(f"train_forecaster: the capstone's model is an LSTM, got kind {model.kind!r}: "
                          "SequenceModel.init(\"lstm\", ...).")
    D = train_inputs.shape[2]
    if model.cell.input_size != D or model.readout.output_size != D:
        raise CheckFailed(f"train_forecaster: the model must read D = {D} input(s) per step and predict D = {D} "
                          f"value(s); it has input size {model.cell.input_size} and output size "
                          f"{model.readout.output_size}. Take them from inputs.shape[2] and targets.shape[2].")
    if not model.readout.every_step:
        raise CheckFailed("train_forecaster: the readout must predict at EVERY step (every_step=True): each step's "
                          "target is the next value of the series.")
    try:
        losses = np.asarray(losses, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise CheckFailed("train_forecaster: `losses` must be a list of numbers, the training loss of each "
                          "step.") from None
    if losses.size < 2 and np.all(np.isfinite(losses)):
        raise CheckFailed(f"train_forecaster: `losses` holds {losses.size} value(s): append each step's loss to it "
                          "inside the training loop.",
                          mistake=Mistake("train_forecaster/losses_not_recorded", "the training losses not "
                                          "recorded").id)
    if losses.size < 2 or not np.all(np.isfinite(losses)):
        raise CheckFailed(f"train_forecaster: `losses` must hold the finite training loss of every step (at least "
                          f"2), got {losses.size} value(s){'' if np.all(np.isfinite(losses)) else ' with NaN/inf'}.")

    predictions = model.predict(held_inputs)
    if not np.all(np.isfinite(predictions)):
        raise CheckFailed(f"train_forecaster ({situation}): the trained model predicts NaN or inf: training "
                          "diverged. Lower the learning rate or clip the gradients.")
    model_mse = mean_squared_error(predictions, held_targets)[0]
    naive = naive_mse(held_inputs, held_targets)
    ratio = model_mse / naive
    if ratio >= FORECAST_BAR:
        tenth = max(1, losses.size // 10)
        first, last = losses[:tenth].mean(), losses[-tenth:].mean()
        trend = (f"Your training loss went from {first:.3g} (first tenth of the steps) to "
                 f"{last:.3g} (last tenth).")
        diagnosis, mistake = _training_diagnosis(first, last)
        if diagnosis:
            trend += f"\n  {diagnosis}"
        raise CheckFailed(
            f"train_forecaster ({situation}): on held-out data your model's MSE is {model_mse:.4f}, the naive "
            f"forecast 'repeat the last value' gets {naive:.4f}: a ratio of {ratio:.2f}, and the bar is "
            f"{FORECAST_BAR:g}.\n  {trend}"
            + ("" if diagnosis else "\n  Things to check: the loss compares predictions with TARGETS; the optimiser "
               "updates model.parameters(); enough steps (a few hundred) and a learning rate around 0.01 for Adam; "
               "fresh random windows at each step."),
            mistake=mistake,
        )
    return ratio


_TRAINING_MISTAKES = {
    "loss_grew": "the training loss grew: the gradient points uphill",
    "loss_never_decreased": "the training loss never went down: the parameters were not updated",
    "trained_on_misaligned_targets": "the training loss fell but the model does not forecast: inputs and targets "
                                     "do not match",
}


def _training_diagnosis(first: float, last: float):
    """What the course of the training loss says went wrong, as (sentence, mistake id) or (None, None)."""
    if last > 2.0 * first:
        slug, sentence = "loss_grew", ("The loss GREW: each step went uphill. Is mean_squared_error given "
                                       "(predictions, targets) in that order, so its gradient is d loss / d predictions?")
    elif abs(last - first) <= 0.05 * abs(first):
        slug, sentence = "loss_never_decreased", ("The loss did not move: the model's parameters were never "
                                                  "updated. optimiser.step(model.parameters(), grads) changes them in "
                                                  "place; check it is called, with the arguments in that order.")
    elif last < first / 3.0:
        slug, sentence = "trained_on_misaligned_targets", (
            "The training loss fell, yet held-out forecasts are poor: the model learned a mapping that is not "
            "'next value'. Take the inputs and the targets of the SAME rows (targets[rows] with inputs[rows]).")
    else:
        return None, None
    return sentence, Mistake(f"train_forecaster/{slug}", _TRAINING_MISTAKES[slug]).id


def check_train_forecaster(train_forecaster) -> None:
    """Public check: trained on the notebook's series, the model must beat the naive forecast on held-out data
    (MSE below ``FORECAST_BAR`` times the naive MSE)."""
    data = CAPSTONE_DATA
    series = seasonal_series(data["length"], data["seed"], data["period"], data["noise"])
    ratio = _check_forecaster_on(train_forecaster, series, data["split"], data["window"], 0, "the notebook's series")
    passed("train_forecaster", f"held-out MSE = {ratio:.2f} x the naive forecast's; the bar is {FORECAST_BAR:g}")


def check_train_forecaster_hidden(train_forecaster) -> None:
    """Hidden check: the same bar on a series the learner has not seen (another season, more noise, another
    seed), so a model tuned to the notebook's series alone, or one ignoring its inputs, does not pass."""
    series = seasonal_series(600, rng=77, period=12.0, noise=0.15)
    ratio = _check_forecaster_on(train_forecaster, series, 420, 20, 5, "a new series: season 12, noise 0.15")
    passed("train_forecaster", f"on a new series, held-out MSE = {ratio:.2f} x the naive forecast's")


# Make every mistake once at import, so the catalogue (catalogue.all_mistakes) holds them all.
for _slug, _text in {**_WINDOW_SHAPE_MISTAKES}.items():
    Mistake(f"make_windows/{_slug}", _text)
for _slug, _text in _TRAINING_MISTAKES.items():
    Mistake(f"train_forecaster/{_slug}", _text)
_forecast_mistakes(*_forecast_case((1, 2, 1, 2), 1, 0))
