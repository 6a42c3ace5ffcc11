"""The unit 7 and 8 figures and widgets (lstm_course.viz.training), driven headlessly.

The gate scrubber is checked against lstm_ref's gate functions on the first step (independent of the fused
forward pass the widget uses); the optimiser figure against the claims the notebook makes about it; the
clipping figure against the definition of clipping by global norm.
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

import lstm_ref.gates as reference  # noqa: E402
from lstm_ref import LSTMParams, Readout, SequenceModel, adding_problem  # noqa: E402
from lstm_course.viz import style  # noqa: E402
from lstm_course.viz.training import (  # noqa: E402
    VALLEY_STEEPNESS,
    LiveLossPlot,
    gate_scrubber,
    lstm_internals,
    most_relevant_units,
    optimiser_paths,
    plot_clipping,
    plot_forecast,
    plot_gap_sweep,
    plot_gate_over_series,
    plot_loss_curve,
    plot_optimiser_paths,
    plot_toy_predictions,
    readable_limit,
)

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def quiet_display(monkeypatch):
    """Outside a kernel IPython's display() prints the figure's repr; keep test output readable."""
    monkeypatch.setattr("lstm_course.viz.training.display", lambda *objects, **kwargs: None)


def labelled(ax) -> bool:
    return bool(ax.get_title()) and bool(ax.get_xlabel()) and bool(ax.get_ylabel())


# ================================================================================================ live plot
def test_live_loss_plot_records_every_value_and_draws_the_last_step():
    plot = LiveLossPlot("toy", total_steps=40, baseline=0.1, show=False, min_interval=1e9)  # no redraw between
    for step in range(5, 41, 5):
        plot(step, 1.0 / step)
    steps, losses = plot.last_drawn["series"]["training loss"]
    np.testing.assert_array_equal(steps, np.arange(5, 41, 5))  # the last step forced a redraw with all values
    np.testing.assert_allclose(losses, 1.0 / steps)
    assert "step 40 of 40" in plot.last_drawn["title"]
    assert plot.last_drawn["xlabel"] == "training step" and plot.last_drawn["ylabel"]
    assert plot.last_drawn["baseline"] == 0.1


def test_live_loss_plot_throttles_redraws_but_finish_catches_up():
    plot = LiveLossPlot("throttled", show=False, min_interval=1e9)
    plot(1, 1.0)  # the first value always draws
    plot(2, 0.5)
    assert len(plot.last_drawn["series"]["training loss"][0]) == 1
    plot.finish()
    assert len(plot.last_drawn["series"]["training loss"][0]) == 2


def test_live_loss_plot_keeps_one_line_per_series_in_the_model_colours():
    plot = LiveLossPlot("two models", total_steps=2, show=False, min_interval=0.0)
    lstm, rnn = plot.series("LSTM"), plot.series("RNN")
    lstm(1, 1.0)
    rnn(1, 1.0)
    lstm(2, 0.1)
    rnn(2, 0.9)
    assert set(plot.last_drawn["series"]) == {"LSTM", "RNN"}
    colours = {line.get_label(): line.get_color() for line in plot.ax.get_lines()}
    assert colours["LSTM"] == style.MODEL_COLOURS["lstm"] and colours["RNN"] == style.MODEL_COLOURS["rnn"]


# ================================================================================================ optimisers
def test_optimiser_paths_support_what_the_notebook_says():
    paths = optimiser_paths()

    def loss(point):
        return (point[0] ** 2 + VALLEY_STEEPNESS * point[1] ** 2) / 2

    final = {name: loss(path[-1]) for name, path in paths.items()}
    sgd, momentum, adam = (next(final[name] for name in final if name.startswith(prefix))
                           for prefix in ("SGD,", "SGD + momentum", "Adam"))
    start = loss(next(iter(paths.values()))[0])
    assert max(final.values()) < start / 10  # all three make progress
    assert momentum < sgd / 100  # "momentum gets to the minimum first"
    assert adam < sgd  # Adam beats plain SGD on the narrow valley
    figure = plot_optimiser_paths(paths)
    assert all(labelled(ax) for ax in figure.axes)


# ================================================================================================== clipping
def cross(a, b) -> float:
    """The z component of the cross product of two 2-D vectors: 0 when they point along one line."""
    return float(a[0] * b[1] - a[1] * b[0])


def test_clipping_figure_keeps_the_direction_only_for_the_global_norm():
    figure, drawn = plot_clipping({"W": np.array([3.0]), "b": np.array([0.6])}, max_norm=1.0)
    assert np.linalg.norm(drawn["global"]) == pytest.approx(1.0)
    assert cross(drawn["raw"], drawn["global"]) == pytest.approx(0.0)  # same direction
    np.testing.assert_allclose(drawn["per_array"], [1.0, 0.6])
    assert abs(cross(drawn["raw"], drawn["per_array"])) > 0.5  # turned
    assert labelled(figure.axes[0])
    with pytest.raises(ValueError, match="one number"):
        plot_clipping({"W": np.ones(2), "b": np.ones(1)})


# ========================================================================================== toy and sweep
def test_toy_predictions_figure_and_its_errors():
    figure = plot_toy_predictions(np.array([[[-0.4], [0.2], [0.1], [-0.5]]]), np.array([-0.5, 0.2, 0.1, -0.5]))
    assert labelled(figure.axes[0])
    with pytest.raises(ValueError, match="same number of values"):
        plot_toy_predictions(np.zeros(3), np.zeros(4))


def synthetic_sweep():
    return {"settings": {"solved_ratio": 0.1, "steps": 100},
            "results": [{"length": 20, "lstm_ratio": [0.01, 0.03, 0.02], "rnn_ratio": [0.5, 0.9, 0.7]},
                        {"length": 5, "lstm_ratio": [0.01, 0.01, 0.01], "rnn_ratio": [0.02, 0.04, 0.03]}]}


def test_gap_sweep_figure_draws_medians_by_length_and_the_live_points():
    figure, drawn = plot_gap_sweep(synthetic_sweep(), live={"LSTM": (20, 0.02), "RNN": (20, 0.8)})
    np.testing.assert_array_equal(drawn["lengths"], [5, 20])  # sorted by length
    np.testing.assert_allclose(drawn["lstm_median"], [0.01, 0.02])
    np.testing.assert_allclose(drawn["rnn_median"], [0.03, 0.7])
    assert drawn["live"] == {"LSTM": (20, 0.02), "RNN": (20, 0.8)}
    assert labelled(figure.axes[0]) and figure.axes[0].get_yscale() == "log"


def test_the_shipped_sweep_shows_what_unit_7_claims():
    """The notebook says: at the course's length the LSTM solves the task and the RNN stays near the baseline."""
    path = REPO / "lstm_ref" / "data" / "gap_sweep.json"
    if not path.is_file():
        pytest.skip("lstm_ref/data/gap_sweep.json is not there yet")
    sweep = json.loads(path.read_text())
    _, drawn = plot_gap_sweep(sweep)
    at_40 = list(drawn["lengths"]).index(40)
    assert drawn["lstm_median"][at_40] < sweep["settings"]["solved_ratio"]
    assert drawn["rnn_median"][at_40] > 0.5


# ============================================================================================ gate scrubber
def small_model(seed=0, H=5):
    model = SequenceModel.init("lstm", 2, H, 1, rng=seed)
    model.cell.W *= 3.0  # livelier gates than a fresh initialisation
    return model


def test_internals_agree_with_the_gate_functions_on_the_first_step():
    model = small_model()
    batch = adding_problem(3, 6, rng=1)
    inside = lstm_internals(model, batch.inputs)
    z0 = reference.concat_input(batch.inputs[:, 0], np.zeros((3, model.hidden_size)))
    for name, gate in (("forget_gate", reference.forget_gate), ("input_gate", reference.input_gate),
                       ("output_gate", reference.output_gate), ("candidate", reference.candidate)):
        np.testing.assert_allclose(inside[name][:, 0], gate(z0, model.cell), rtol=1e-12)
    np.testing.assert_allclose(inside["readout"], inside["hidden_state"] @ model.readout.W.T + model.readout.b)
    with pytest.raises(TypeError, match="LSTM"):
        lstm_internals(SequenceModel.init("rnn", 2, 3, 1, rng=0), batch.inputs)


def test_most_relevant_units_follow_the_readout():
    model = small_model(H=6)
    model.readout.W[:] = 0.0
    model.readout.W[0, 4] = 5.0
    model.readout.W[0, 1] = 1.0
    hidden = np.random.default_rng(0).normal(size=(2, 7, 6))
    assert list(most_relevant_units(model, hidden, 2)) == [4, 1]
    assert len(most_relevant_units(model, hidden, None)) == 6


def test_scrubber_time_slider_moves_the_cursor_and_the_bars():
    model = small_model()
    batch = adding_problem(4, 9, rng=2)
    widget = gate_scrubber(model, batch.inputs, batch.targets, units=3)
    drawn = widget.last_drawn
    assert drawn["t"] == 8 and drawn["sequence"] == 0  # starts at the last step of the first sequence
    widget.controls["t"].value = 2
    drawn = widget.last_drawn
    assert drawn["t"] == 2
    for name in ("input_gate", "forget_gate", "output_gate", "cell_state"):
        assert drawn[name].shape == (9, 3)
        np.testing.assert_array_equal(drawn["at_t"][name], drawn[name][2])  # the bars show column t
    assert drawn["gate_range"] == style.GATE_RANGE and drawn["gate_cmap"] == style.HEATMAP_CMAP
    assert drawn["cell_cmap"] == style.DIVERGING_CMAP
    assert "t = 2" in drawn["title"]


def test_scrubber_sequence_slider_switches_the_example():
    model = small_model()
    batch = adding_problem(4, 9, rng=2)
    widget = gate_scrubber(model, batch.inputs, batch.targets, units=None)
    widget.controls["sequence"].value = 3
    drawn = widget.last_drawn
    np.testing.assert_array_equal(drawn["inputs"], batch.inputs[3])
    assert drawn["target"] == pytest.approx(batch.targets[3, 0])
    inside = lstm_internals(model, batch.inputs)
    np.testing.assert_allclose(drawn["forget_gate"], inside["forget_gate"][3][:, widget.units])
    np.testing.assert_allclose(drawn["readout"], inside["readout"][3][:, 0])
    assert len(widget.units) == model.hidden_size


def test_readable_limit_rounds_up_to_a_round_number():
    assert readable_limit(7.13) == pytest.approx(8.0)
    assert readable_limit(5.0) == pytest.approx(5.0)  # already round: not pushed up
    assert readable_limit(5.01) == pytest.approx(6.0)
    assert readable_limit(0.37) == pytest.approx(0.4)
    assert readable_limit(12.0) == pytest.approx(15.0)
    assert readable_limit(0.0) == 1.0 and readable_limit(float("nan")) == 1.0
    for largest in np.random.default_rng(3).uniform(0.01, 100.0, size=200):
        limit = readable_limit(largest)
        assert largest <= limit <= 1.5 * largest + 1e-12  # covers the value, wastes at most a third of the scale


def test_scrubber_cell_scale_covers_the_cell_state_by_default():
    model = small_model()
    batch = adding_problem(4, 9, rng=2)
    widget = gate_scrubber(model, batch.inputs, batch.targets, units=3)
    largest = np.abs(lstm_internals(model, batch.inputs)["cell_state"][..., widget.units]).max()
    assert largest > 1.0  # this model's cell state leaves [-1, 1], the case where a fixed +-1 scale saturated
    for sequence in range(4):
        widget.controls["sequence"].value = sequence
        drawn = widget.last_drawn
        limit = drawn["cell_limit"]
        assert drawn["cell_max"] == pytest.approx(largest)
        assert largest <= limit <= 1.5 * largest  # every cell inside the scale, most of the colours in use
        assert widget.artists["cell_image"].get_clim() == (-limit, limit)  # symmetric: white means c_t = 0
        assert np.abs(drawn["cell_state"]).max() <= limit
    colour_bars = [ax for ax in widget.figure.axes if ax.get_label() == "<colorbar>"]
    assert any("c_t" in ax.get_ylabel() for ax in colour_bars)  # the cell state keeps its colour bar


def test_scrubber_cell_limit_is_an_explicit_override():
    model = small_model()
    batch = adding_problem(4, 9, rng=2)
    widget = gate_scrubber(model, batch.inputs, cell_limit=0.5)
    assert widget.last_drawn["cell_limit"] == 0.5
    assert widget.artists["cell_image"].get_clim() == (-0.5, 0.5)
    with pytest.raises(ValueError, match="cell_limit must be a positive"):
        gate_scrubber(model, batch.inputs, cell_limit=0.0)
    with pytest.raises(TypeError, match="cell_limit must be a positive number"):
        gate_scrubber(model, batch.inputs, cell_limit="2")


def rendered_extents(figure, artists):
    """Each artist's bounding box in pixels, once the (constrained) layout has run.

    The widget closes its figure after display, which leaves it without a drawing canvas: give it an Agg one.
    """
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [artist.get_window_extent(renderer) for artist in artists]


def test_scrubber_legends_cover_no_data():
    """The gate legend must not sit on any bar and the input legend not on the input trace.

    Worst case for the bars: every gate saturated at 1, so every bar runs the full width of its axes.
    """
    model = small_model(H=8)
    model.cell.b[:] = 8.0  # i, f, o all ~ 1
    batch = adding_problem(3, 12, rng=4)
    widget = gate_scrubber(model, batch.inputs, batch.targets, units=8, input_labels=("value", "marker"))
    for t in (0, 11):
        widget.controls["t"].value = t
        figure, artists = widget.figure, widget.artists
        assert np.all(widget.last_drawn["at_t"]["forget_gate"] > 0.99)
        bars = artists["bars_axes"].patches
        assert len(bars) == 3 * 8
        bars_legend, input_legend, input_axes, *bar_boxes = rendered_extents(
            figure, [artists["bars_legend"], artists["input_legend"], artists["input_axes"], *bars])
        covered = [box for box in bar_boxes if bars_legend.overlaps(box)]
        assert not covered, f"the gate legend covers {len(covered)} bars"
        assert not input_legend.overlaps(input_axes)  # beside the input trace, not on it
        for box in (bars_legend, input_legend):  # and both stay on the figure, where they can be read
            assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1
            assert figure.bbox.y0 <= box.y0 and box.y1 <= figure.bbox.y1
        labels = [text.get_text() for text in artists["input_legend"].get_texts()]
        assert labels[:2] == ["value", "marker"] and any("target" in label for label in labels)


def test_scrubber_rejects_inputs_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"\(B, T, D\) with D = 2"):
        gate_scrubber(small_model(), np.zeros((2, 5, 3)))


# ================================================================================================= capstone
def test_capstone_figures_are_labelled_and_check_their_shapes():
    figure = plot_loss_curve([1.0, 0.5, 0.2], baseline=0.3)
    assert labelled(figure.axes[0])
    time = np.arange(10)
    figure = plot_forecast(time, np.sin(time), {"LSTM": np.sin(time) + 0.1, "repeat the last value": np.cos(time)},
                           title="forecast")
    assert labelled(figure.axes[0]) and len(figure.axes[0].get_lines()) == 3
    with pytest.raises(ValueError, match="has 9 values"):
        plot_forecast(time, np.sin(time), {"LSTM": np.zeros(9)}, title="bad")
    gate = np.random.default_rng(0).uniform(size=(10, 4))
    figure = plot_gate_over_series(time, np.sin(time), gate, title="gate")
    image = figure.axes[1].images[0]
    assert image.get_clim() == style.GATE_RANGE and image.get_cmap().name == style.HEATMAP_CMAP
    assert labelled(figure.axes[1])
    with pytest.raises(ValueError, match=r"\(T, H\) with T = 10"):
        plot_gate_over_series(time, np.sin(time), gate.T, title="bad")
