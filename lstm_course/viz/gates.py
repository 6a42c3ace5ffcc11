"""Seeing what each part of an LSTM step does (unit 4, "The gates, one at a time").

A small LSTM (D = 2 inputs, H = 6 hidden units) reads a fixed sample sequence of T = 40 steps: a slow wave and
a few isolated pulses. ``run_lstm`` records, at every step, the six quantities of the LSTM equations

    f_t, i_t, o_t = sigmoid(z_t @ W_gate.T + b_gate)     gates, in (0, 1)        z_t = [x_t, h_{t-1}]
    g_t = tanh(z_t @ W_g.T + b_g)                        candidate, in (-1, 1)
    c_t = f_t * c_{t-1} + i_t * g_t                      cell state
    h_t = o_t * tanh(c_t)                                hidden state, in (-1, 1)

each as a (T, H) array, computed with ``lstm_ref.gates`` (the functions the learner re-implements).

One builder, ``gate_explorer(quantity)``, makes the widget for any of the six: a heat map of the quantity over
time (hidden units up, time steps across) under a plot of the input, and three sliders:
    input scale      multiplies the whole sample sequence (0 switches the input off),
    previous state   the state the sequence starts from: h_0 for the four gates, c_0 for the cell and hidden state,
    bias             the bias of the quantity's gate, the same value for every unit (b_f for the cell state,
                     whose memory the forget gate controls; b_o for the hidden state).
Gate heat maps share one scale, [0, 1] in viridis (``lstm_course.viz.style``), so a colour means the same gate
value in every figure; the candidate, cell and hidden state are signed and use the diverging scale.

``plot_all_gates`` draws the six side by side, the three gates with one shared colour bar.

Your own code in the widget: ``gate_explorer("forget", yours=forget_gate)`` runs the same LSTM a second time with
the learner's function in place of ``lstm_ref``'s for that quantity (the unit 4 signatures: a gate
``(x, h_prev, W_gate, b_gate)``, ``cell_update(c_prev, f, i, g)``, ``hidden_state(c, o)``), so its output feeds
every later step as it would in their own LSTM, and draws theirs under the reference with every entry that
differs marked. An unfinished function (or one that fails) leaves the reference alone, with a line saying why.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from lstm_ref import gates as lstm_gates
from lstm_ref.params import LSTMParams

from .frontend import has_frontend, not_shown
from .style import OKABE_ITO, gate_heatmap, signed_heatmap
from .yours import comparison_line, learner_status

__all__ = ["QUANTITIES", "GateExplorer", "gate_explorer", "plot_all_gates", "run_lstm", "sample_params",
           "sample_sequence"]

# Entries of the learner's quantity farther than this from the reference's are marked as different.
DIFFERENCE_TOLERANCE = 1e-6

SAMPLE_STEPS = 40
SAMPLE_INPUT_SIZE = 2
SAMPLE_HIDDEN_SIZE = 6
PULSE_STEPS = (6, 19, 31)  # where the sample sequence's second input fires
# The label of the colour bar the three gates share in ``plot_all_gates``: two short lines, so it fits along the bar.
ALL_GATES_COLOUR_LABEL = "gate value\n0 = closed, 1 = open"


@dataclass(frozen=True)
class Quantity:
    """How one of the six quantities of an LSTM step is labelled, coloured and controlled in the widgets."""

    key: str  # the name used by run_lstm and gate_explorer, e.g. "forget"
    title: str  # e.g. "forget gate f_t"
    bias: str  # the bias the slider sets, e.g. "b_f"
    previous: str  # the state the previous-state slider sets: "h" (h_0) or "c" (c_0)
    colour_label: str  # the colour bar's label
    limit: float | None = None  # None: a gate, on the shared [0, 1] scale; else a signed scale [-limit, limit]

    @property
    def is_gate(self) -> bool:
        return self.limit is None


QUANTITIES = {
    "forget": Quantity("forget", "forget gate f_t", "b_f", "h", "f_t   (0 = erase, 1 = keep)"),
    "input": Quantity("input", "input gate i_t", "b_i", "h", "i_t   (0 = write nothing, 1 = write all)"),
    "candidate": Quantity("candidate", "candidate values g_t", "b_g", "h", "g_t", limit=1.0),
    # The cell state is not bounded; beyond +-3 the colour saturates (the colour bar's arrows say so).
    "cell": Quantity("cell", "cell state c_t", "b_f", "c", "c_t", limit=3.0),
    "output": Quantity("output", "output gate o_t", "b_o", "h", "o_t   (0 = hide, 1 = show)"),
    "hidden": Quantity("hidden", "hidden state h_t", "b_o", "c", "h_t", limit=1.0),
}


# ============================================================================================ the sample data
def sample_sequence(steps: int = SAMPLE_STEPS, seed: int = 0) -> np.ndarray:
    """The sample input, shape (T, 2): column 0 a slow wave (two periods, a little noise), column 1 zero except
    for pulses of height 1 at ``PULSE_STEPS`` (an event the LSTM may have to remember)."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    wave = np.sin(4 * np.pi * t / steps) + 0.1 * rng.normal(size=steps)
    pulses = np.zeros(steps)
    pulses[[step for step in PULSE_STEPS if step < steps]] = 1.0
    return np.stack([wave, pulses], axis=1)


def sample_params(seed: int = 4) -> LSTMParams:
    """A fixed small LSTM for the widgets: D = 2, H = 6, PyTorch-style initial weights scaled up by 4.

    Freshly initialised weights are small (|W| < 1/sqrt(H)), so every gate would sit close to sigmoid(bias) and
    the heat maps would look flat; scaled up, the gates react visibly to the input and to h_{t-1}. The biases
    start at 0 (b_f at 1, the usual forget-gate start) so the sliders start from a neutral point.
    """
    p = LSTMParams.init(SAMPLE_INPUT_SIZE, SAMPLE_HIDDEN_SIZE, rng=seed, forget_bias=1.0)
    p.W *= 4.0
    p.b_i, p.b_g, p.b_o = 0.0, 0.0, 0.0
    return p


def _learner_quantity(key: str, function, x_t, h, c_prev, gates: dict, p: LSTMParams) -> np.ndarray:
    """The learner's value of quantity ``key`` for one step, called with the unit 4 signature on copies."""
    if key in ("forget", "input", "candidate", "output"):
        letter = {"forget": "f", "input": "i", "candidate": "g", "output": "o"}[key]
        W, b = getattr(p, f"W_{letter}").copy(), getattr(p, f"b_{letter}").copy()
        value = function(x_t[None, :].copy(), h.copy(), W, b)
    elif key == "cell":
        value = function(c_prev.copy(), gates["forget"].copy(), gates["input"].copy(), gates["candidate"].copy())
    else:
        value = function(gates["cell"].copy(), gates["output"].copy())
    value = np.asarray(value, dtype=float) if value is not None else None
    if value is None or value.shape != h.shape:
        raise ValueError(f"it returned {'None' if value is None else f'shape {value.shape}'}, expected (B, H) = "
                         f"{h.shape}")
    return value


def run_lstm(sequence: np.ndarray, p: LSTMParams, h0: float = 0.0, c0: float = 0.0,
             replace: dict | None = None) -> dict[str, np.ndarray]:
    """Run one sequence through the LSTM step by step and record every quantity.

    Args:
        sequence: (T, D) inputs, one row per time step (a single sequence: B = 1).
        p: LSTMParams with input size D.
        h0, c0: the initial hidden and cell state, the same value for every unit.
        replace: {quantity key: a learner's function} computing that quantity instead of ``lstm_ref`` (unit 4
            signatures, see the module's docstring); its result feeds every later step.
    Returns:
        dict with keys "forget", "input", "candidate", "cell", "output", "hidden", each a (T, H) array.
    """
    replace = replace or {}
    sequence = np.asarray(sequence, dtype=p.dtype)
    if sequence.ndim != 2 or sequence.shape[1] != p.input_size:
        raise ValueError(
            f"sequence must have shape (T, D) = (T, {p.input_size}) (D from the parameters), got {sequence.shape}."
        )
    H = p.hidden_size
    h = np.full((1, H), h0, dtype=p.dtype)
    c = np.full((1, H), c0, dtype=p.dtype)
    record = {key: [] for key in QUANTITIES}
    for x_t in sequence:
        z = lstm_gates.concat_input(x_t[None, :], h)  # (1, D + H): this step's input, then the previous h
        step = {}
        for key, gate in (("forget", lstm_gates.forget_gate), ("input", lstm_gates.input_gate),
                          ("candidate", lstm_gates.candidate), ("output", lstm_gates.output_gate)):
            step[key] = gate(z, p) if key not in replace else _learner_quantity(key, replace[key], x_t, h, c, step, p)
        step["cell"] = (lstm_gates.cell_update(c, step["forget"], step["input"], step["candidate"])
                        if "cell" not in replace else _learner_quantity("cell", replace["cell"], x_t, h, c, step, p))
        step["hidden"] = (lstm_gates.hidden_state(step["cell"], step["output"]) if "hidden" not in replace
                          else _learner_quantity("hidden", replace["hidden"], x_t, h, c, step, p))
        c, h = step["cell"], step["hidden"]
        for key, value in step.items():
            record[key].append(value[0])
    return {key: np.array(values) for key, values in record.items()}


def _heatmap(ax, quantity: Quantity, values: np.ndarray):
    """Draw (T, H) ``values`` of ``quantity`` on its scale: [0, 1] viridis for gates, diverging otherwise."""
    if quantity.is_gate:
        return gate_heatmap(ax, values, title=quantity.title.capitalize())
    return signed_heatmap(ax, values, title=quantity.title.capitalize(), limit=quantity.limit)


# =============================================================================================== the widget
class GateExplorer:
    """The widget for one quantity; build it with ``gate_explorer(quantity)`` and show ``.view``.

    Attributes:
        controls: {"input_scale", "previous_state", "bias"} -> FloatSlider (continuous_update=False: the figure
            is redrawn when a slider is released).
        output: the Output widget the figure is drawn into.
        view: sliders above the output, what the notebook displays.
        last_drawn: what was plotted last: "activations" (T, H), "input" (T, D), the three slider values, the
            colour scale ("vmin", "vmax", "cmap") and the labels ("title", "xlabel", "ylabel", "colour_label").
        figure: the last matplotlib Figure (closed after display, kept for inspection).
        yours: the learner's function for this quantity, or None. With it, last_drawn also holds "yours" (T, H)
            (None when it could not run), "differences" (a (T, H) boolean mask, None without theirs) and
            "status" (the line shown: matches / differs / unfinished).
    """

    def __init__(self, quantity: str, params: LSTMParams | None = None, sequence: np.ndarray | None = None,
                 yours=None):
        if quantity not in QUANTITIES:
            raise ValueError(f"quantity must be one of {sorted(QUANTITIES)}, got {quantity!r}.")
        if yours is not None and not callable(yours):
            raise TypeError(f"yours must be your function for the {quantity} quantity, got {type(yours).__name__}.")
        self.yours = yours
        self.quantity = QUANTITIES[quantity]
        self.params = sample_params() if params is None else params
        self.sequence = sample_sequence() if sequence is None else np.asarray(sequence)
        start_bias = float(np.mean(getattr(self.params, self.quantity.bias)))
        state = "h_0" if self.quantity.previous == "h" else "c_0"
        state_range = 1.0 if self.quantity.previous == "h" else 3.0
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="32%")
        self.controls = {
            "input_scale": widgets.FloatSlider(
                value=1.0, min=0.0, max=3.0, step=0.1, description="input scale", continuous_update=False,
                style=style, layout=layout,
            ),
            "previous_state": widgets.FloatSlider(
                value=0.0, min=-state_range, max=state_range, step=0.1, description=f"{state} (all units)",
                continuous_update=False, style=style, layout=layout,
            ),
            "bias": widgets.FloatSlider(
                value=round(start_bias, 2), min=-4.0, max=4.0, step=0.25,
                description=f"{self.quantity.bias} (all units)", continuous_update=False, style=style,
                layout=layout,
            ),
        }
        self.last_drawn: dict = {}
        self.figure = None
        # interactive_output calls draw once now and again whenever a slider is released.
        self.output = widgets.interactive_output(self.draw, self.controls)
        self.view = widgets.VBox([widgets.HBox(list(self.controls.values())), self.output])

    def compute(self, input_scale: float, previous_state: float, bias: float,
                replace: dict | None = None) -> dict[str, np.ndarray]:
        """All six quantities for these slider values (the parameters themselves are left unchanged)."""
        p = self.params.copy()
        setattr(p, self.quantity.bias, bias)  # every unit of this gate gets the same bias
        initial = {"h0": 0.0, "c0": 0.0}
        initial["h0" if self.quantity.previous == "h" else "c0"] = previous_state
        return run_lstm(input_scale * self.sequence, p, **initial, replace=replace)

    def compute_yours(self, input_scale: float, previous_state: float, bias: float):
        """(the learner's values (T, H) or None, the status line) for these slider values."""
        values, status = learner_status(self.yours, lambda: self.compute(input_scale, previous_state, bias,
                                                                          replace={self.quantity.key: self.yours}))
        return (values[self.quantity.key] if values is not None else None), status

    def draw(self, input_scale: float, previous_state: float, bias: float) -> None:
        """Recompute and draw: the scaled input on top, the quantity's heat map below with its colour bar (and,
        with the learner's function, theirs under it with the entries that differ marked)."""
        quantity = self.quantity
        values = self.compute(input_scale, previous_state, bias)[quantity.key]
        inputs = input_scale * self.sequence
        state = "h_0" if quantity.previous == "h" else "c_0"
        yours, status, differences = None, None, None
        if self.yours is not None:
            yours, status = self.compute_yours(input_scale, previous_state, bias)
            if yours is not None:
                differences = np.abs(yours - values) > DIFFERENCE_TOLERANCE
                status = comparison_line(getattr(self.yours, "__name__", "your function"), differences,
                                          np.abs(yours - values))

        rows = 3 if yours is not None else 2
        figure, axes = plt.subplots(
            rows, 1, figsize=(8.5, 4.8 if rows == 2 else 7.2), sharex=True,
            gridspec_kw={"height_ratios": [1, 2.2] + ([2.2] if rows == 3 else [])}
        )
        ax_input, ax_map = axes[0], axes[1]
        steps = np.arange(len(inputs))
        ax_input.plot(steps, inputs[:, 0], color=OKABE_ITO["blue"], label="x_t[0]: slow wave")
        ax_input.plot(steps, inputs[:, 1], color=OKABE_ITO["orange"], label="x_t[1]: pulses")
        ax_input.set_title(f"Input sequence x_t (scaled by {input_scale:g})")
        ax_input.set_ylabel("input value")
        top = max(1.0, float(np.abs(inputs).max()))
        ax_input.set_ylim(-1.3 * top, 2.4 * top)  # headroom above the curves for the legend
        ax_input.legend(loc="upper left", fontsize="small", ncol=2, frameon=False)

        image = _heatmap(ax_map, quantity, values)
        label = f"lstm_ref's {quantity.title}" if self.yours is not None else quantity.title.capitalize()
        ax_map.set_title(f"{label} over time  ({quantity.bias} = {bias:g}, {state} = "
                         f"{previous_state:g})")
        if yours is not None:
            ax_yours = axes[2]
            _heatmap(ax_yours, quantity, yours)
            ax_yours.set_title(f"yours: {status}", fontsize="medium")
            rows_t, units = np.nonzero(differences)  # mark every entry that differs from the reference
            ax_yours.scatter(rows_t, units, marker="x", s=14, color=OKABE_ITO["vermillion"], linewidths=1.0,
                             label="differs from lstm_ref")
            if len(rows_t):
                ax_yours.legend(loc="upper right", fontsize="small", framealpha=0.8)
        elif status is not None:  # theirs could not run: say so above the reference
            figure.suptitle(status, color=OKABE_ITO["vermillion"], fontsize="medium")
        colour_bar = figure.colorbar(image, ax=list(axes), extend="neither" if quantity.is_gate else "both")
        colour_bar.set_label(quantity.colour_label)
        display(figure)
        plt.close(figure)  # shown once by display(); closing keeps the inline backend from showing it again

        vmin, vmax = image.get_clim()
        self.figure = figure
        self.last_drawn = {
            "quantity": quantity.key, "activations": values, "input": inputs, "input_scale": input_scale,
            "previous_state": previous_state, "bias": bias, "vmin": vmin, "vmax": vmax,
            "cmap": image.get_cmap().name, "title": ax_map.get_title(), "xlabel": ax_map.get_xlabel(),
            "ylabel": ax_map.get_ylabel(), "colour_label": quantity.colour_label,
        }
        if self.yours is not None:
            self.last_drawn.update({"yours": yours, "differences": differences, "status": status})


def gate_explorer(quantity: str, params: LSTMParams | None = None, sequence: np.ndarray | None = None, *,
                  yours=None):
    """Build the widget for ``quantity`` ("forget", "input", "candidate", "cell", "output" or "hidden").

    ``params`` (LSTMParams with D = sequence's width) and ``sequence`` ((T, D)) default to ``sample_params()`` and
    ``sample_sequence()``. ``yours``: the learner's function for this quantity (e.g. ``forget_gate``), drawn
    beside the reference with its differences marked. Display the result's ``.view``.
    """
    if not has_frontend():  # grading or testing: no one to move the sliders (lstm_course.viz.frontend)
        return not_shown(f"the {quantity} explorer")
    return GateExplorer(quantity, params, sequence, yours)


# ============================================================================================= all at once
def plot_all_gates(params: LSTMParams | None = None, sequence: np.ndarray | None = None, h0: float = 0.0,
                   c0: float = 0.0):
    """The six quantities of the LSTM step side by side for one sequence.

    Top row: the gates i, f, o on the shared [0, 1] scale with one colour bar. Bottom row: the candidate g, the
    cell state c and the hidden state h on the diverging scale (each with its own colour bar: c is unbounded).
    Returns (figure, values) with values the dict from ``run_lstm`` (figure None without a front end).
    """
    params = sample_params() if params is None else params
    sequence = sample_sequence() if sequence is None else sequence
    values = run_lstm(sequence, params, h0=h0, c0=c0)
    if not has_frontend():  # grading or testing: no one to look at it (lstm_course.viz.frontend)
        return None, values
    # A fixed layout: matplotlib's "constrained" layout looks the same here but triples the drawing time.
    figure, axes = plt.subplots(2, 3, figsize=(12, 6.6), sharex=True, sharey=True)
    figure.subplots_adjust(left=0.05, right=0.96, top=0.89, bottom=0.08, hspace=0.45, wspace=0.25)
    # Shared axes hide the inner tick labels, which would leave "time step t" and "hidden unit" under panels
    # with no numbers: every panel is read on its own, so every panel shows its numbers.
    for ax in axes.flat:
        ax.tick_params(labelbottom=True, labelleft=True)
    images = [_heatmap(ax, QUANTITIES[key], values[key]) for ax, key in zip(axes[0], ("input", "forget", "output"))]
    gates_bar = figure.colorbar(images[0], ax=list(axes[0]))
    gates_bar.set_label(ALL_GATES_COLOUR_LABEL)
    for ax, key in zip(axes[1], ("candidate", "cell", "hidden")):
        image = _heatmap(ax, QUANTITIES[key], values[key])
        figure.colorbar(image, ax=ax, extend="both").set_label(QUANTITIES[key].colour_label)
    figure.suptitle("One LSTM reading the sample sequence: every quantity of the step, over time")
    return figure, values
