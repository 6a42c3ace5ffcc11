"""The unit 8 checks (lstm_ref.feedback.capstone) accept right answers and reject wrong ones, with hints; and
the capstone's data helpers do what the notebook says.

Every check must pass on the solution notebook's own code and on lstm_ref's implementation, fail with
CheckFailed on the unimplemented stub, and fail on every plausible wrong answer in
tests/wrong_answers/08_capstone.py. The training check trains a model (about half a second of CPU per call),
so its wrong answers run in the slow selection.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from lstm_ref import Adam, SequenceModel, clip_by_global_norm, lstm_forward, lstm_step, mean_squared_error
from lstm_ref.feedback import CheckFailed, run_hidden
from lstm_ref.feedback.capstone import (
    CAPSTONE_DATA,
    FORECAST_BAR,
    check_forecast_forward,
    check_forecast_forward_hidden,
    check_make_windows,
    check_make_windows_hidden,
    check_train_forecaster,
    check_train_forecaster_hidden,
    demo_forecaster,
    naive_mse,
    seasonal_series,
    sliding_windows,
)

REPO = Path(__file__).resolve().parents[2]
UNIT = "08_capstone"
CHECKS = {
    "make_windows": (check_make_windows, check_make_windows_hidden),
    "forecast_forward": (check_forecast_forward, check_forecast_forward_hidden),
    "train_forecaster": (check_train_forecaster, check_train_forecaster_hidden),
}
TRAINS = {"train_forecaster"}  # checks that train a model: their wrong answers run in the slow selection


def load_wrong_answers(unit):
    spec = importlib.util.spec_from_file_location(f"wrong_{unit}", REPO / "tests" / "wrong_answers" / f"{unit}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRONG_ANSWERS


def solution_source(unit, grade_id):
    """The source of the solution cell ``grade_id`` in solutions/<unit>/<unit>.ipynb."""
    notebook = json.loads((REPO / "solutions" / unit / f"{unit}.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"])
    raise LookupError(f"no cell with grade_id {grade_id!r} in {unit}")


def define(source, name):
    """Execute a cell's source with the names the notebook's set-up cell provides, and return ``name``."""
    namespace = {"np": np, "Adam": Adam, "SequenceModel": SequenceModel, "clip_by_global_norm": clip_by_global_norm,
                 "lstm_forward": lstm_forward, "lstm_step": lstm_step, "mean_squared_error": mean_squared_error}
    exec(compile(source, f"<cell {name}>", "exec"), namespace)
    return namespace[name]


WRONG = load_wrong_answers(UNIT)


def _marks(grade_id):
    return [pytest.mark.slow] if grade_id in TRAINS else []


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
def test_every_exercise_has_at_least_three_wrong_answers():
    assert set(WRONG) == set(CHECKS)
    for grade_id, answers in WRONG.items():
        assert len(answers) >= 3, grade_id


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_pass_on_the_solution_cell(grade_id, capsys):
    learner = define(solution_source(UNIT, grade_id), grade_id)
    for check in CHECKS[grade_id]:
        check(learner)
    assert capsys.readouterr().out.count("all checks passed") == 2


def lstm_ref_forecast_forward(x, params, W_out, b_out):
    model = SequenceModel("lstm", params, __import__("lstm_ref").Readout(W_out, b_out, every_step=True))
    return model.predict(x)


@pytest.mark.parametrize("grade_id, implementation", [
    ("make_windows", sliding_windows),
    ("forecast_forward", lstm_ref_forecast_forward),
    pytest.param("train_forecaster", demo_forecaster, marks=pytest.mark.slow),  # the solution cell's test covers it
])
def test_checks_pass_on_lstm_ref(grade_id, implementation):
    for check in CHECKS[grade_id]:
        check(implementation)


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_reject_the_stub_in_plain_words(grade_id):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    stub.__name__ = grade_id
    for check in CHECKS[grade_id]:
        with pytest.raises(CheckFailed, match="not implemented yet"):
            check(stub)


@pytest.mark.parametrize("grade_id, mistake", [
    pytest.param(g, m, marks=_marks(g)) for g in sorted(WRONG) for m in sorted(WRONG[g])
])
def test_checks_reject_every_wrong_answer(grade_id, mistake):
    for check in CHECKS[grade_id]:
        learner = define(WRONG[grade_id][mistake], grade_id)
        with pytest.raises(CheckFailed):
            check(learner)


# The hint each of these mistakes must receive from the public check (a fragment of the message).
HINTS = {
    ("make_windows", "targets not shifted"): "the targets are not shifted",
    ("make_windows", "one window short"): "one window short",
    ("make_windows", "time axis first (T, B, D)"): "time first",
    ("make_windows", "feature axis dropped"): "the feature axis is missing",
    ("make_windows", "non-overlapping windows"): "a window starts at EVERY index",
    ("make_windows", "inputs and targets swapped"): "swapped",
    ("forecast_forward", "only the last step"): "one forecast per time step",
    ("forecast_forward", "missing bias"): "the bias b_out is missing",
    ("forecast_forward", "tanh on the output"): "a tanh on the predictions",
    ("forecast_forward", "state reset at every step"): "started from a zero state",
    ("forecast_forward", "W_out not transposed"): "hs @ W_out.T is (B, T, O)",
    ("train_forecaster", "trained to reproduce its inputs"): "the naive forecast",
    ("train_forecaster", "the optimiser updates copies"): "the naive forecast",
    ("train_forecaster", "learning rate far too small"): "the naive forecast",
    ("train_forecaster", "loss arguments swapped (gradient ascent)"): "the naive forecast",
    ("train_forecaster", "readout on the last step only"): "predict at EVERY step",
    ("train_forecaster", "far too few steps"): "the naive forecast",
}


def test_every_wrong_answer_has_an_expected_hint():
    assert set(HINTS) == {(g, m) for g in WRONG for m in WRONG[g]}


@pytest.mark.parametrize("grade_id, mistake", [
    pytest.param(g, m, marks=_marks(g)) for g, m in sorted(HINTS)
])
def test_public_check_names_the_mistake(grade_id, mistake):
    learner = define(WRONG[grade_id][mistake], grade_id)
    with pytest.raises(CheckFailed) as failure:
        CHECKS[grade_id][0](learner)
    assert HINTS[grade_id, mistake] in str(failure.value)


def test_train_forecaster_check_explains_what_it_got():
    def returns_only_the_model(inputs, targets, seed):
        return demo_forecaster(inputs, targets, seed, steps=5)[0]

    with pytest.raises(CheckFailed, match=r"must return \(model, losses\)"):
        check_train_forecaster(returns_only_the_model)

    def an_rnn(inputs, targets, seed):
        return SequenceModel.init("rnn", 1, 4, 1, every_step=True, rng=seed), [1.0, 0.5]

    with pytest.raises(CheckFailed, match="is an LSTM"):
        check_train_forecaster(an_rnn)


@pytest.mark.slow
@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_hidden_checks_pass_on_the_solution_in_a_fresh_process(grade_id, capsys):
    """run_hidden ships the learner's function (and the globals it uses) to a new Python: the checks must
    work there too, with only what the notebook's set-up cell gave the solution."""
    learner = define(solution_source(UNIT, grade_id), grade_id)
    run_hidden(CHECKS[grade_id][1], learner)
    assert "all checks passed" in capsys.readouterr().out
