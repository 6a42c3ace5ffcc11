"""The unit 4 widgets (lstm_course.viz.gates), driven headlessly: move a slider, check what was drawn.

The expected values come from lstm_ref itself, independently of the widget's own loop: the first time step
from the gate functions on z = [x_0, h_0], and whole sequences from the fused ``lstm_forward``.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lstm_ref.gates as reference  # noqa: E402
from lstm_ref.sequence import lstm_forward  # noqa: E402
from lstm_course.viz import style  # noqa: E402
from lstm_course.viz.gates import (  # noqa: E402
    ALL_GATES_COLOUR_LABEL,
    QUANTITIES,
    gate_explorer,
    plot_all_gates,
    run_lstm,
    sample_params,
    sample_sequence,
)

GATE_KEYS = ["forget", "input", "output"]
REFERENCE_GATE = {"forget": reference.forget_gate, "input": reference.input_gate, "candidate": reference.candidate,
                  "output": reference.output_gate}


@pytest.fixture(autouse=True)
def quiet_display(monkeypatch):
    """Outside a kernel IPython's display() prints the figure's repr; keep test output readable."""
    monkeypatch.setattr("lstm_course.viz.gates.display", lambda *objects: None)


def params_with_bias(key: str, bias: float):
    p = sample_params()
    setattr(p, QUANTITIES[key].bias, bias)
    return p


def first_step(key: str, *, input_scale=1.0, h0=0.0, bias=None):
    """The quantity ``key`` at t = 0, straight from lstm_ref's gate functions: shape (H,)."""
    p = sample_params() if bias is None else params_with_bias(key, bias)
    x0 = input_scale * sample_sequence()[:1]
    h = np.full((1, p.hidden_size), h0)
    return REFERENCE_GATE[key](reference.concat_input(x0, h), p)[0]


@pytest.mark.parametrize("key", sorted(QUANTITIES))
def test_every_quantity_draws_a_labelled_heat_map_on_its_scale(key):
    widget = gate_explorer(key)
    drawn = widget.last_drawn
    assert drawn["quantity"] == key
    assert drawn["activations"].shape == (len(sample_sequence()), sample_params().hidden_size)
    assert drawn["title"].lower().startswith(QUANTITIES[key].title.lower())
    assert drawn["xlabel"] == "time step t" and drawn["ylabel"] == "hidden unit"
    if QUANTITIES[key].is_gate:  # one shared scale for every gate heat map of the course
        assert (drawn["vmin"], drawn["vmax"], drawn["cmap"]) == (*style.GATE_RANGE, style.HEATMAP_CMAP)
        assert 0.0 <= drawn["activations"].min() and drawn["activations"].max() <= 1.0
    else:
        limit = QUANTITIES[key].limit
        assert (drawn["vmin"], drawn["vmax"], drawn["cmap"]) == (-limit, limit, style.DIVERGING_CMAP)
    # The figure: input plot and heat map both titled and labelled, plus a labelled colour bar.
    axes = widget.figure.axes
    assert len(axes) == 3
    for ax in axes[:2]:
        assert ax.get_title() and ax.get_ylabel()
    assert axes[1].get_xlabel() == "time step t"
    assert axes[2].get_ylabel() == QUANTITIES[key].colour_label


def test_sliders_redraw_only_on_release():
    widget = gate_explorer("forget")
    assert set(widget.controls) == {"input_scale", "previous_state", "bias"}
    assert all(slider.continuous_update is False for slider in widget.controls.values())
    assert widget.view.children[-1] is widget.output


@pytest.mark.parametrize("key", GATE_KEYS + ["candidate"])
def test_bias_slider_sets_that_gates_bias(key):
    widget = gate_explorer(key)
    for bias in (-3.0, 2.5):
        widget.controls["bias"].value = bias
        assert widget.last_drawn["bias"] == bias
        np.testing.assert_allclose(widget.last_drawn["activations"][0], first_step(key, bias=bias), rtol=1e-12)
    assert f"{QUANTITIES[key].bias} = 2.5" in widget.last_drawn["title"]


@pytest.mark.parametrize("key", GATE_KEYS)
def test_a_larger_bias_opens_the_gate(key):
    widget = gate_explorer(key)
    widget.controls["bias"].value = -4.0
    closed = widget.last_drawn["activations"].copy()
    widget.controls["bias"].value = 4.0
    opened = widget.last_drawn["activations"]
    # At t = 0 the bias is the only difference, and sigmoid is increasing: every unit opens.
    assert np.all(opened[0] > closed[0])
    # Over the whole sequence the state feeds back, so compare the averages: clearly apart.
    assert closed.mean() < 0.2 < 0.8 < opened.mean()


def test_input_scale_zero_leaves_only_the_state_and_the_bias():
    widget = gate_explorer("input")
    widget.controls["previous_state"].value = 0.5
    widget.controls["input_scale"].value = 0.0
    assert not widget.last_drawn["input"].any()
    np.testing.assert_allclose(widget.last_drawn["activations"][0], first_step("input", input_scale=0.0, h0=0.5),
                               rtol=1e-12)
    widget.controls["input_scale"].value = 2.0
    np.testing.assert_array_equal(widget.last_drawn["input"], 2.0 * sample_sequence())


def test_previous_state_slider_sets_h0_for_gates():
    widget = gate_explorer("output")
    before = widget.last_drawn["activations"].copy()
    widget.controls["previous_state"].value = -0.7
    after = widget.last_drawn["activations"]
    assert widget.last_drawn["previous_state"] == -0.7
    np.testing.assert_allclose(after[0], first_step("output", h0=-0.7), rtol=1e-12)
    assert not np.allclose(after[0], before[0])


def fused_forward(p, sequence, h0, c0):
    """Every quantity of every step from lstm_ref's fused lstm_forward: {key: (T, H)}."""
    H = p.hidden_size
    hs, _, cache = lstm_forward(sequence[None], p, h0=np.full((1, H), h0), c0=np.full((1, H), c0))
    gates = cache.gates[:, 0]  # (T, 4H), blocks in the order i, f, g, o
    return {"input": gates[:, :H], "forget": gates[:, H : 2 * H], "candidate": gates[:, 2 * H : 3 * H],
            "output": gates[:, 3 * H :], "cell": cache.cells[1:, 0], "hidden": hs[0]}


@pytest.mark.parametrize("key", sorted(QUANTITIES))
def test_whole_heat_map_matches_the_fused_lstm_forward(key):
    # The widget runs lstm_ref's gate functions step by step; lstm_forward does one fused product per step.
    # After moving all three sliders, the two must agree on every step and unit.
    widget = gate_explorer(key)
    widget.controls["bias"].value = 1.5
    widget.controls["previous_state"].value = 0.75
    widget.controls["input_scale"].value = 0.5
    state = {"h0": 0.75, "c0": 0.0} if QUANTITIES[key].previous == "h" else {"h0": 0.0, "c0": 0.75}
    expected = fused_forward(params_with_bias(key, 1.5), 0.5 * sample_sequence(), **state)[key]
    np.testing.assert_allclose(widget.last_drawn["activations"], expected, rtol=1e-12, atol=1e-15)


def test_forget_bias_keeps_or_erases_the_initial_memory():
    # Input off and h_0 = 0: at the first step z = 0, so f = sigmoid(b_f), i = sigmoid(0) and g = tanh(0) = 0,
    # and the cell state is exactly sigmoid(b_f) * c_0 in every unit.
    widget = gate_explorer("cell")
    widget.controls["input_scale"].value = 0.0
    widget.controls["previous_state"].value = 3.0
    for bias in (-4.0, 4.0):
        widget.controls["bias"].value = bias
        np.testing.assert_allclose(widget.last_drawn["activations"][0], 3.0 / (1.0 + np.exp(-bias)), rtol=1e-12)


def test_sliders_do_not_change_the_parameters():
    p = sample_params()
    original = p.copy()
    widget = gate_explorer("forget", params=p)
    widget.controls["bias"].value = -2.0
    np.testing.assert_array_equal(p.W, original.W)
    np.testing.assert_array_equal(p.b, original.b)


def test_run_lstm_matches_the_fused_forward_and_checks_its_input():
    p = sample_params()
    values = run_lstm(sample_sequence(), p, h0=0.3, c0=-0.5)
    expected = fused_forward(p, sample_sequence(), h0=0.3, c0=-0.5)
    assert set(values) == set(expected)
    for key in expected:
        np.testing.assert_allclose(values[key], expected[key], rtol=1e-12, atol=1e-15, err_msg=key)
    with pytest.raises(ValueError, match=r"sequence must have shape \(T, D\) = \(T, 2\).*got \(40, 3\)"):
        run_lstm(np.zeros((40, 3)), p)
    with pytest.raises(ValueError, match="quantity must be one of"):
        gate_explorer("memory")


def test_plot_all_gates_shares_one_scale_for_the_three_gates():
    figure, values = plot_all_gates()
    heat_maps = [ax for ax in figure.axes if ax.images]
    assert len(heat_maps) == 6
    gates = [ax for ax in heat_maps if ax.images[0].get_cmap().name == style.HEATMAP_CMAP]
    assert sorted(ax.get_title() for ax in gates) == ["Forget gate f_t", "Input gate i_t", "Output gate o_t"]
    assert all(ax.images[0].get_clim() == style.GATE_RANGE for ax in gates)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in heat_maps)
    assert figure.get_suptitle()
    np.testing.assert_array_equal(values["forget"], run_lstm(sample_sequence(), sample_params())["forget"])
    # four colour bars: one shared by the gates, one each for g, c and h
    assert len(figure.axes) - len(heat_maps) == 4


# ------------------------------------------------------------------------------------ the all-gates layout
def drawn_texts(figure):
    """The text matplotlib draws on ``figure`` after a full draw, as [(name, Text)]: the figure's own texts (the
    suptitle), every axes' title and axis labels, and the tick labels inside each axis' view (the tick locator
    also makes labels for ticks just outside the limits, which are never drawn)."""
    figure.canvas.draw()
    texts = [(f"figure text {text.get_text()!r}", text) for text in figure.texts if text.get_text()]
    for n, ax in enumerate(figure.axes):
        name = ax.get_title() or ax.get_ylabel() or f"axes {n}"
        texts += [(f"{name}: {part}", text) for part, text in
                  (("title", ax.title), ("x label", ax.xaxis.label), ("y label", ax.yaxis.label)) if text.get_text()]
        low, high = sorted(ax.get_xlim())
        texts += [(f"{name}: x tick {t.get_text()}", t) for t in ax.get_xticklabels()
                  if t.get_text() and low <= t.get_position()[0] <= high]
        low, high = sorted(ax.get_ylim())
        texts += [(f"{name}: y tick {t.get_text()}", t) for t in ax.get_yticklabels()
                  if t.get_text() and low <= t.get_position()[1] <= high]
    return texts


def test_plot_all_gates_numbers_every_labelled_axis():
    # Shared axes hide inner tick labels by default; a panel that says "time step t" must show its steps.
    figure, _ = plot_all_gates()
    drawn = dict(drawn_texts(figure))
    heat_maps = [ax for ax in figure.axes if ax.images]
    for ax in heat_maps:
        for axis in ("x", "y"):
            assert getattr(ax, f"get_{axis}label")(), f"{ax.get_title()}: no {axis} label"
            ticks = [name for name in drawn if name.startswith(f"{ax.get_title()}: {axis} tick ")]
            assert len(ticks) >= 3, f"{ax.get_title()}: {axis} label without tick numbers ({ticks})"
    # the time axis of every panel reads 0 ... 30 (T = 40 steps), the unit axis 0 ... 5 (H = 6)
    assert all(f"{ax.get_title()}: x tick 30" in drawn and f"{ax.get_title()}: y tick 5" in drawn for ax in heat_maps)


def test_plot_all_gates_text_fits_the_figure_without_overlaps():
    figure, _ = plot_all_gates()
    renderer = figure.canvas.get_renderer()
    texts = drawn_texts(figure)
    boxes = [(name, text.get_window_extent(renderer)) for name, text in texts]
    page = figure.bbox
    for name, box in boxes:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, (
            f"{name!r} is cut off by the figure's edge")
    overlapping = [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]
    assert not overlapping, f"text drawn over other text: {overlapping}"
    # The shared gate colour bar: the label says what 0 and 1 mean and is no longer than the bar it runs along.
    (bar,) = [ax for ax in figure.axes if ax.get_ylabel() == ALL_GATES_COLOUR_LABEL]
    assert "0 = closed" in ALL_GATES_COLOUR_LABEL and "1 = open" in ALL_GATES_COLOUR_LABEL
    label, bar_box = bar.yaxis.label.get_window_extent(renderer), bar.get_window_extent(renderer)
    assert bar_box.y0 <= label.y0 and label.y1 <= bar_box.y1, (
        f"the colour bar's label runs {label.height:.0f} px along a bar of {bar_box.height:.0f} px")
