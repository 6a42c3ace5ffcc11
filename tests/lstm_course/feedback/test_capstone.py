"""The unit 8 checks (lstm_course.feedback.capstone) accept right answers and reject wrong ones, with hints; and
the capstone's data helpers do what the notebook says.

``TestCapstoneChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py): every
check passes on the solution notebook's own code and on lstm_ref's implementation, says "not implemented yet" on
the stub, and fails on every plausible wrong answer in tests/wrong_answers/08_capstone.py, the public check
naming each mistake. The training check trains a model (about half a second of CPU per call), so its wrong
answers, hints and other correct answers run in the slow selection; the solution cell's run stays fast.
"""

import numpy as np
import pytest

import lstm_course.feedback.capstone
from lstm_ref import Readout, SequenceModel, mean_squared_error
from lstm_course.feedback import CheckFailed
from lstm_course.feedback.capstone import (
    CAPSTONE_DATA,
    FORECAST_BAR,
    check_train_forecaster,
    demo_forecaster,
    naive_mse,
    seasonal_series,
    sliding_windows,
)
from tests.lstm_course.feedback.unit_contract import UnitChecksContract


# ============================================================================================ data helpers
def test_seasonal_series_is_seeded_and_seasonal():
    a = seasonal_series(320, rng=3, period=16.0, noise=0.0)
    assert a.shape == (320, 1) and a.dtype == np.float64
    np.testing.assert_array_equal(a, seasonal_series(320, rng=3, period=16.0, noise=0.0))
    assert not np.array_equal(a, seasonal_series(320, rng=4, period=16.0, noise=0.0))
    np.testing.assert_allclose(a[16:], a[:-16], atol=1e-12)  # without noise, one season later is the same value
    noisy = seasonal_series(20_000, rng=3, period=16.0, noise=0.1)
    clean = seasonal_series(20_000, rng=3, period=16.0, noise=0.0)
    assert abs(np.std(noisy - clean) - 0.1) < 0.005


@pytest.mark.parametrize("arguments, message", [
    ((1,), "length"), ((10, 0, 2.0), "period"), ((10, 0, 16.0, -0.1), "noise"),
])
def test_seasonal_series_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        seasonal_series(*arguments)


def test_sliding_windows_shift_targets_by_one_step():
    series = np.arange(12.0).reshape(6, 2)
    inputs, targets = sliding_windows(series, 3)
    assert inputs.shape == targets.shape == (3, 3, 2)
    np.testing.assert_array_equal(inputs[1], series[1:4])
    np.testing.assert_array_equal(targets[1], series[2:5])
    np.testing.assert_array_equal(targets[-1, -1], series[-1])  # the last target is the series' last value
    with pytest.raises(ValueError, match="window"):
        sliding_windows(series, 6)
    with pytest.raises(ValueError, match="2-D float array"):
        sliding_windows(np.arange(6.0), 2)


def test_naive_mse_is_the_error_of_repeating_the_last_value():
    inputs, targets = sliding_windows(np.array([[0.0], [1.0], [3.0], [6.0]]), 2)
    # steps: 0 -> 1, 1 -> 3 (window 0); 1 -> 3, 3 -> 6 (window 1): squared errors 1, 4, 4, 9
    assert naive_mse(inputs, targets) == pytest.approx((1 + 4 + 4 + 9) / 4)


def test_demo_forecaster_clears_the_bar_it_sets():
    data = CAPSTONE_DATA
    series = seasonal_series(data["length"], data["seed"], data["period"], data["noise"])
    train_inputs, train_targets = sliding_windows(series[:data["split"]], data["window"])
    held_inputs, held_targets = sliding_windows(series[data["split"]:], data["window"])
    model, losses = demo_forecaster(train_inputs, train_targets, seed=0)
    assert len(losses) == 300 and np.mean(losses[-30:]) < 0.2 * np.mean(losses[:30])
    ratio = mean_squared_error(model.predict(held_inputs), held_targets)[0] / naive_mse(held_inputs, held_targets)
    assert ratio < FORECAST_BAR / 2  # a clear margin: the bar is not tuned to just let the reference through


# ================================================================================================ checks
def lstm_ref_forecast_forward(x, params, W_out, b_out):
    model = SequenceModel("lstm", params, Readout(W_out, b_out, every_step=True))
    return model.predict(x)


class TestCapstoneChecks(UnitChecksContract):
    UNIT = "08_capstone"
    FEEDBACK = lstm_course.feedback.capstone
    CORRECT = {
        "make_windows": [sliding_windows],
        "forecast_forward": [lstm_ref_forecast_forward],
        "train_forecaster": [demo_forecaster],
    }
    # The hint each of these mistakes must receive from the public check (a fragment of the message).
    HINTS = {
        "make_windows": {
            "targets not shifted": "the targets are not shifted",
            "one window short": "one window short",
            "time axis first (T, B, D)": "time first",
            "feature axis dropped": "the feature axis is missing",
            "non-overlapping windows": "a window starts at EVERY index",
            "inputs and targets swapped": "swapped",
        },
        "forecast_forward": {
            "only the last step": "one forecast per time step",
            "missing bias": "the bias b_out is missing",
            "tanh on the output": "a tanh on the predictions",
            "state reset at every step": "started from a zero state",
            "W_out not transposed": "hs @ W_out.T is (B, T, O)",
        },
        "train_forecaster": {
            "trained to reproduce its inputs": "the naive forecast",
            "the optimiser updates copies": "the naive forecast",
            "learning rate far too small": "the naive forecast",
            "loss arguments swapped (gradient ascent)": "the naive forecast",
            "readout on the last step only": "predict at EVERY step",
            "far too few steps": "the naive forecast",
        },
    }
    HINT_FOR_EVERY_WRONG_ANSWER = True
    TRAINS_A_MODEL = frozenset({"train_forecaster"})
    # run_hidden ships the learner's function (and the globals it uses) to a new Python: slow selection.
    RUN_HIDDEN_SLOW = frozenset({"make_windows", "forecast_forward", "train_forecaster"})


def test_train_forecaster_check_explains_what_it_got():
    def returns_only_the_model(inputs, targets, seed):
        return demo_forecaster(inputs, targets, seed, steps=5)[0]

    with pytest.raises(CheckFailed, match=r"must return \(model, losses\)"):
        check_train_forecaster(returns_only_the_model)

    def an_rnn(inputs, targets, seed):
        return SequenceModel.init("rnn", 1, 4, 1, every_step=True, rng=seed), [1.0, 0.5]

    with pytest.raises(CheckFailed, match="is an LSTM"):
        check_train_forecaster(an_rnn)
