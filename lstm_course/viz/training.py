"""Watching a network learn (unit 7, "Training", and unit 8, the capstone).

- ``LiveLossPlot``: a loss curve that redraws while ``lstm_ref.training.train`` runs (pass it as the callback).
- ``optimiser_paths`` / ``plot_optimiser_paths``: plain SGD, SGD with momentum and Adam walking down a long,
  narrow valley, the shape of loss surface where the difference between them shows.
- ``plot_clipping``: a gradient of two arrays drawn as one arrow, clipped by global norm and array by array.
- ``plot_toy_predictions``: the seed tutorial's four targets against a model's predictions.
- ``plot_gap_sweep``: held-out loss of an LSTM and a vanilla RNN as the adding problem's gap grows.
- ``GateScrubber`` (``gate_scrubber``): slide through time on a trained LSTM and watch its gates and cell state.
- ``plot_forecast``, ``plot_loss_curve``, ``plot_gate_over_series``: the capstone's figures.

Colours and scales come from ``lstm_course.viz.style``: Okabe-Ito lines (one colour per model and per gate),
gate activations on the shared [0, 1] viridis scale, the cell state on the diverging scale centred on 0.
"""

from __future__ import annotations

import os
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.ticker import MaxNLocator

from lstm_ref.optim import SGD, Adam, clip_by_global_norm
from lstm_ref.sequence import lstm_forward
from lstm_ref.training import SequenceModel

from .frontend import has_frontend, not_shown
from .style import GATE_COLOURS, GATE_RANGE, HEATMAP_CMAP, MODEL_COLOURS, OKABE_ITO, gate_heatmap, signed_heatmap

__all__ = [
    "LiveLossPlot", "optimiser_paths", "plot_optimiser_paths", "plot_clipping", "plot_toy_predictions",
    "plot_gap_sweep", "plot_learning_curves", "lstm_internals", "most_relevant_units", "readable_limit",
    "GateScrubber", "gate_scrubber", "plot_loss_curve", "plot_forecast", "plot_gate_over_series",
]

_SERIES_COLOURS = [OKABE_ITO[name] for name in ("blue", "vermillion", "green", "orange", "purple", "sky_blue")]


# ============================================================================================ live loss curve
def live_demo_steps(full_steps: int, *, grading_steps: int = 200) -> int:
    """How many steps a live training demo runs: all of them for a learner, a few while nbgrader grades.

    nbgrader runs every cell again for each student it grades (and sets ``NBGRADER_EXECUTION`` meanwhile); a
    demo's figures earn no points, so a grading run trains briefly and the class is graded sooner.
    """
    return min(full_steps, grading_steps) if os.environ.get("NBGRADER_EXECUTION") else full_steps


class LiveLossPlot:
    """A loss curve that redraws itself while a model trains.

    Use one as the ``callback`` of ``lstm_ref.training.train`` (it is called as ``plot(step, loss)``), or
    ``plot.series("RNN")`` for a second curve in the same figure. The figure is shown once, through a display
    handle, and updated in place, so a notebook shows one figure that grows, not one per update.

    Drawing a figure costs far more than a training step of the course's small models, so the figure is
    redrawn at most every ``min_interval`` seconds, and always at the last step (``total_steps``) and on
    ``finish()``; every value is recorded either way.

    Attributes:
        values: {series name: (list of steps, list of losses)}.
        last_drawn: what the last redraw plotted: "series" (name -> (steps, losses) arrays), "title",
            "xlabel", "ylabel", "baseline".
        figure: the matplotlib Figure.
    """

    def __init__(self, title: str, *, total_steps: int | None = None, ylabel: str = "training loss (MSE)",
                 baseline: float | None = None, baseline_label: str = "baseline", log_scale: bool = True,
                 show: bool = True, min_interval: float = 0.5):
        self.title = title
        self.total_steps = total_steps
        self.min_interval = min_interval
        self.baseline = baseline
        self.values: dict[str, tuple[list[int], list[float]]] = {}
        self.last_drawn: dict = {}
        self._lines: dict[str, object] = {}
        self._last_redraw = -np.inf
        self.figure, self.ax = plt.subplots(figsize=(7.0, 3.6))
        plt.close(self.figure)  # shown through the display handle below, so the inline backend does not add a copy
        ax = self.ax
        if baseline is not None:
            ax.axhline(baseline, color=MODEL_COLOURS["baseline"], linestyle="--", linewidth=1, label=baseline_label)
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel(ylabel)
        if total_steps:
            ax.set_xlim(0, total_steps)
        ax.grid(True, alpha=0.3)
        self.figure.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.9)
        show = show and has_frontend()  # grading or testing: recorded, never drawn (lstm_course.viz.frontend)
        self._handle = display(self.figure, display_id=True) if show else None

    def __call__(self, step: int, loss: float) -> None:
        """Record ``loss`` at ``step`` for the default series and redraw (the ``train`` callback signature)."""
        self.add("training loss", step, loss)

    def series(self, name: str):
        """A callback ``(step, loss)`` that records into the series ``name`` (one line per series)."""
        def record(step: int, loss: float) -> None:
            self.add(name, step, loss)
        return record

    def add(self, name: str, step: int, loss: float) -> None:
        steps, losses = self.values.setdefault(name, ([], []))
        steps.append(int(step))
        losses.append(float(loss))
        last = self.total_steps is not None and step >= self.total_steps
        if last or time.perf_counter() - self._last_redraw >= self.min_interval:
            self.redraw()

    def finish(self) -> None:
        """Redraw with every value recorded so far (call it if training stopped before ``total_steps``)."""
        self.redraw()

    def redraw(self) -> None:
        ax = self.ax
        for name, (steps, losses) in self.values.items():
            if name not in self._lines:  # a new series: a new line, in its model's colour when it has one
                colour = MODEL_COLOURS.get(name.lower(), _SERIES_COLOURS[len(self._lines) % len(_SERIES_COLOURS)])
                self._lines[name], = ax.plot([], [], color=colour, label=name, linewidth=1.5)
                ax.legend(loc="upper right", fontsize="small")
            self._lines[name].set_data(steps, losses)
        ax.relim()
        ax.autoscale_view(scalex=not self.total_steps)
        last_step = max((steps[-1] for steps, _ in self.values.values() if steps), default=0)
        progress = f"step {last_step}" + (f" of {self.total_steps}" if self.total_steps else "")
        ax.set_title(f"{self.title}  ({progress})")
        self.last_drawn = {
            "series": {name: (np.array(steps), np.array(losses)) for name, (steps, losses) in self.values.items()},
            "title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "baseline": self.baseline,
        }
        if self._handle is not None:
            self._handle.update(self.figure)
        self._last_redraw = time.perf_counter()


# ================================================================================================ optimisers
# A long, narrow valley: L(a, b) = (a^2 + VALLEY_STEEPNESS * b^2) / 2. Along b it is 25 times steeper than
# along a, the shape on which plain gradient descent zig-zags and crawls.
VALLEY_STEEPNESS = 25.0


def _valley_gradient(point: np.ndarray) -> np.ndarray:
    return np.array([point[0], VALLEY_STEEPNESS * point[1]])


def optimiser_paths(steps: int = 50, start=(-4.0, 1.0)) -> dict[str, np.ndarray]:
    """Walk ``steps`` steps of three optimisers from ``start`` on the valley L(a, b) = (a^2 + 25 b^2) / 2.

    The optimisers are ``lstm_ref.optim``'s: plain SGD (lr 0.03: a larger one would make the steep direction
    oscillate, so the gentle direction crawls), SGD with momentum 0.8 (the same lr) and Adam (lr 0.1).

    Returns:
        {name: (steps + 1, 2) array of the points visited, start included}.
    """
    optimisers = {
        "SGD, lr 0.03": SGD(lr=0.03),
        "SGD + momentum 0.8, lr 0.03": SGD(lr=0.03, momentum=0.8),
        "Adam, lr 0.1": Adam(lr=0.1),
    }
    paths = {}
    for name, optimiser in optimisers.items():
        point = np.array(start, dtype=np.float64)
        visited = [point.copy()]
        for _ in range(steps):
            optimiser.step({"point": point}, {"point": _valley_gradient(point)})
            visited.append(point.copy())
        paths[name] = np.array(visited)
    return paths


def plot_optimiser_paths(paths: dict[str, np.ndarray] | None = None):
    """Contours of the valley and each optimiser's path, with its loss per step beside it. Returns the figure
    (None without a front end, ``lstm_course.viz.frontend``)."""
    paths = optimiser_paths() if paths is None else paths
    if not has_frontend():
        return None
    figure, (ax_paths, ax_loss) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained",
                                               gridspec_kw={"width_ratios": [1.6, 1]})
    a, b = np.meshgrid(np.linspace(-4.5, 1.5, 200), np.linspace(-1.3, 1.3, 120))
    ax_paths.contour(a, b, (a ** 2 + VALLEY_STEEPNESS * b ** 2) / 2, levels=12, colors="#bbbbbb", linewidths=0.7)
    for index, (name, path) in enumerate(paths.items()):
        colour = _SERIES_COLOURS[index % len(_SERIES_COLOURS)]
        ax_paths.plot(path[:, 0], path[:, 1], "o-", color=colour, markersize=2.5, linewidth=1, label=name)
        loss = (path[:, 0] ** 2 + VALLEY_STEEPNESS * path[:, 1] ** 2) / 2
        ax_loss.semilogy(np.arange(len(path)), loss, color=colour, label=name)
    ax_paths.plot([0], [0], marker="*", color="black", markersize=10, linestyle="none", label="minimum")
    ax_paths.set_title("Three optimisers in a narrow valley, L = (a\u00b2 + 25 b\u00b2) / 2")
    ax_paths.set_xlabel("parameter a (gentle direction)")
    ax_paths.set_ylabel("parameter b (steep direction)")
    ax_paths.legend(fontsize="small", loc="lower right")
    ax_loss.set_title("Loss at each step")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss L (log scale)")
    ax_loss.grid(True, alpha=0.3)
    return figure


# ================================================================================================== clipping
def plot_clipping(grads: dict[str, np.ndarray] | None = None, max_norm: float = 1.0):
    """Two one-number gradients, g_W and g_b, drawn as one arrow (g_W, g_b), and what clipping makes of it.

    Global-norm clipping (``lstm_ref.optim.clip_by_global_norm``) shortens the arrow to the circle of radius
    ``max_norm`` and keeps its direction; clipping each array on its own shortens each coordinate separately
    and turns the arrow. Returns (figure, drawn) with drawn = {"raw", "global", "per_array"} as (2,) arrays
    (figure None without a front end).
    """
    grads = {"W": np.array([3.0]), "b": np.array([0.6])} if grads is None else grads
    if set(grads) != {"W", "b"} or any(np.asarray(g).size != 1 for g in grads.values()):
        raise ValueError(f"grads must be {{'W': one number, 'b': one number}} to be drawn in 2-D, got {grads}.")
    raw = np.array([grads["W"].item(), grads["b"].item()])
    clipped, _ = clip_by_global_norm({name: np.asarray(g, dtype=np.float64) for name, g in grads.items()}, max_norm)
    global_clip = np.array([clipped["W"].item(), clipped["b"].item()])
    per_array = np.array([np.clip(value, -max_norm, max_norm) for value in raw])  # |one number| is its own norm
    if not has_frontend():  # grading or testing: the numbers only (lstm_course.viz.frontend)
        return None, {"raw": raw, "global": global_clip, "per_array": per_array}

    figure, ax = plt.subplots(figsize=(8.5, 3.4), layout="constrained")
    circle = np.linspace(0, 2 * np.pi, 200)
    ax.plot(max_norm * np.cos(circle), max_norm * np.sin(circle), color="#999999", linestyle="--",
            label=f"global norm = max_norm = {max_norm:g}")
    arrows = [(raw, OKABE_ITO["black"], "raw gradient"),
              (global_clip, OKABE_ITO["blue"], "clipped by global norm (same direction)"),
              (per_array, OKABE_ITO["vermillion"], "each array clipped on its own (turned)")]
    for vector, colour, label in arrows:
        ax.annotate("", xy=vector, xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color=colour, linewidth=2, shrinkA=0, shrinkB=0))
        ax.plot([], [], color=colour, linewidth=2, label=label)  # a legend entry for the arrow
    reach = 1.1 * max(np.abs(raw).max(), max_norm)
    ax.set_xlim(min(-1.1 * max_norm, raw[0] - 0.1), max(1.1 * max_norm, raw[0]) + 0.1 * reach)
    ax.set_ylim(min(-1.1 * max_norm, raw[1] - 0.1), max(1.1 * max_norm, raw[1]) + 0.1 * reach)
    ax.set_aspect("equal")  # equal units on both axes, so directions and lengths are drawn true
    ax.set_title("Clipping a gradient (g_W, g_b) to max_norm")
    ax.set_xlabel("g_W, gradient of the weights")
    ax.set_ylabel("g_b, gradient of the bias")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.grid(True, alpha=0.3)
    return figure, {"raw": raw, "global": global_clip, "per_array": per_array}


# ========================================================================================== toy regression
def plot_toy_predictions(predictions: np.ndarray, targets: np.ndarray, *, title: str | None = None):
    """The toy regression's targets (one per time step) against a model's predictions. Returns the figure.

    Args:
        predictions, targets: arrays with T values each (any shape, e.g. (1, T, 1); they are flattened).
    """
    predictions = np.asarray(predictions, dtype=np.float64).ravel()
    targets = np.asarray(targets, dtype=np.float64).ravel()
    if predictions.shape != targets.shape:
        raise ValueError(f"predictions and targets must hold the same number of values, got {predictions.size} "
                         f"and {targets.size}.")
    steps = np.arange(1, targets.size + 1)
    figure, ax = plt.subplots(figsize=(6.0, 3.2), layout="constrained")
    ax.bar(steps, predictions, width=0.5, color=MODEL_COLOURS["lstm"], alpha=0.8, label="prediction")
    ax.plot(steps, targets, "D", color=OKABE_ITO["orange"], markersize=9, markeredgecolor="black", label="target")
    for step, target, prediction in zip(steps, targets, predictions):
        ax.annotate(f"{prediction:+.3f}", (step, prediction), textcoords="offset points",
                    xytext=(0, -22 if prediction < 0 else 12), ha="center", fontsize="small")
    ax.margins(y=0.25)  # room for the numbers beyond the bars
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(steps)
    ax.set_title(title or "Toy regression: prediction at each time step")
    ax.set_xlabel("time step t")
    ax.set_ylabel("output y_t")
    ax.legend(fontsize="small", loc="lower center")
    return figure


# ================================================================================ long-term dependency sweep
def plot_gap_sweep(sweep: dict, live: dict[str, tuple[int, float]] | None = None):
    """Held-out loss / baseline of the LSTM and the RNN as the adding problem's sequence length T grows.

    Args:
        sweep: the dict of ``lstm_ref.training.load_gap_sweep()``: "results" holds, per length, the ratio of
            each seed for "lstm_ratio" and "rnn_ratio"; "settings" holds "solved_ratio" and "steps".
        live: optional {"LSTM": (T, ratio), "RNN": (T, ratio)} from a run made in the notebook, drawn as stars.
    Returns:
        (figure, drawn) with drawn = {"lengths", "lstm_median", "rnn_median"} arrays and "live".
    """
    results = sorted(sweep["results"], key=lambda point: point["length"])
    settings = sweep.get("settings", {})
    lengths = np.array([point["length"] for point in results])
    figure, ax = plt.subplots(figsize=(10.0, 4.0), layout="constrained")
    medians = {}
    for kind, label in (("lstm", "LSTM"), ("rnn", "vanilla RNN")):
        ratios = [np.asarray(point[f"{kind}_ratio"], dtype=np.float64) for point in results]
        for length, values in zip(lengths, ratios):
            ax.scatter(np.full(values.shape, length), values, color=MODEL_COLOURS[kind], alpha=0.45, s=18)
        medians[kind] = np.array([np.median(values) for values in ratios])
        ax.plot(lengths, medians[kind], "o-", color=MODEL_COLOURS[kind], label=f"{label} (median of seeds)")
    ax.axhline(1.0, color=MODEL_COLOURS["baseline"], linestyle="--", linewidth=1,
               label="baseline: always answer 1.0 (learned nothing)")
    solved = settings.get("solved_ratio", 0.1)
    ax.axhline(solved, color="#777777", linestyle=":", linewidth=1, label=f"solved (ratio < {solved:g})")
    for kind_label, (length, ratio) in (live or {}).items():
        colour = MODEL_COLOURS.get(kind_label.lower(), OKABE_ITO["black"])
        ax.plot([length], [ratio], marker="*", markersize=16, color=colour, markeredgecolor="black",
                linestyle="none", label=f"{kind_label}, run in this notebook")
    ax.set_yscale("log")
    steps = settings.get("steps")
    ax.set_title("Adding problem: who remembers across the gap?" + (f"  ({steps} training steps each)" if steps
                                                                       else ""))
    ax.set_xlabel("sequence length T (the first marked number is up to T - 1 steps back)")
    ax.set_ylabel("held-out MSE / baseline MSE (log)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: the dots fill the axes
    ax.grid(True, alpha=0.3, which="both")
    return figure, {"lengths": lengths, "lstm_median": medians["lstm"], "rnn_median": medians["rnn"],
                    "live": dict(live or {})}


def plot_learning_curves(results: dict, *, solved_ratio: float = 0.1):
    """Held-out ratio against training step for runs of ``lstm_ref.training.adding_demo``.

    Args:
        results: {label: AddingDemoResult} (uses ``eval_steps`` and ``eval_ratios``).
    Returns:
        the figure.
    """
    figure, ax = plt.subplots(figsize=(7.0, 3.4), layout="constrained")
    for index, (label, result) in enumerate(results.items()):
        colour = MODEL_COLOURS.get(result.kind, _SERIES_COLOURS[index % len(_SERIES_COLOURS)])
        ax.semilogy(result.eval_steps, result.eval_ratios, "o-", color=colour, markersize=3,
                    label=f"{label} (T = {result.length}, lr {result.lr:g})")
    ax.axhline(1.0, color=MODEL_COLOURS["baseline"], linestyle="--", linewidth=1, label="baseline")
    ax.axhline(solved_ratio, color="#777777", linestyle=":", linewidth=1, label=f"solved (< {solved_ratio:g})")
    ax.set_title("Held-out loss during training (adding problem)")
    ax.set_xlabel("training step")
    ax.set_ylabel("held-out MSE / baseline MSE (log)")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3, which="both")
    return figure


# ============================================================================================ gate scrubber
def lstm_internals(model: SequenceModel, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Run ``model`` (kind "lstm") on ``inputs`` (B, T, D) and return what happens inside, batch first.

    Returns:
        dict of (B, T, H) arrays "input_gate", "forget_gate", "candidate", "output_gate", "cell_state",
        "hidden_state", and "readout" (B, T, O): the readout applied to h_t at every step (what the model
        would answer if the sequence ended at t).
    """
    if not isinstance(model, SequenceModel) or model.kind != "lstm":
        raise TypeError(f"model must be an LSTM SequenceModel, got {type(model).__name__}"
                        f"{' of kind ' + repr(model.kind) if isinstance(model, SequenceModel) else ''}.")
    hs, _, cache = lstm_forward(inputs, model.cell)
    H = model.hidden_size
    gates = cache.gates.transpose(1, 0, 2)  # (B, T, 4H), blocks in the order i, f, g, o
    return {
        "input_gate": gates[..., :H],
        "forget_gate": gates[..., H:2 * H],
        "candidate": gates[..., 2 * H:3 * H],
        "output_gate": gates[..., 3 * H:],
        "cell_state": cache.cells[1:].transpose(1, 0, 2),
        "hidden_state": hs,
        "readout": hs @ model.readout.W.T + model.readout.b,
    }


def most_relevant_units(model: SequenceModel, hidden_states: np.ndarray, count: int | None) -> np.ndarray:
    """Indices of the ``count`` hidden units that matter most to the readout, most relevant first.

    Relevance of unit u = sum over outputs of |W_readout[:, u]| * std of h_u over ``hidden_states`` (B, T, H):
    a unit the readout ignores, or one that never changes, cannot carry the answer. None returns every unit.
    """
    spread = hidden_states.reshape(-1, hidden_states.shape[-1]).std(axis=0)
    relevance = np.abs(model.readout.W).sum(axis=0) * spread
    count = relevance.size if count is None else min(int(count), relevance.size)
    return np.argsort(relevance)[::-1][:count]


# Upper limits a reader can take in at a glance on a colour bar: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of 10.
_READABLE_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def readable_limit(largest: float) -> float:
    """The smallest "round" number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of 10) that is >= ``largest``.

    Used for a symmetric colour scale [-limit, limit] that covers every value (|value| <= ``largest``) without
    wasting much of the colour map: e.g. 6.2 -> 8, 0.37 -> 0.4. Zero or a non-finite ``largest`` gives 1.0.
    """
    largest = float(largest)
    if not np.isfinite(largest) or largest <= 0.0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(largest))
    # the 1e-9 slack keeps a value that is already round (e.g. 5.0) from being pushed up by rounding error
    return next(step * power for step in _READABLE_STEPS if step * power >= largest * (1 - 1e-9))


class GateScrubber:
    """Slide through time on a trained LSTM: its gates and cell state on one sequence of a task.

    Build it with ``gate_scrubber(model, inputs, targets)`` and display ``.view``.

    Layout: the input sequence on top (with the running answer y_t and the target), heat maps of the input
    gate, forget gate and output gate (shared [0, 1] scale) and of the cell state (diverging scale) below, a
    vertical line at the chosen time step, and on the right the value of each shown unit at that step.

    Attributes:
        controls: {"sequence": IntSlider (which sequence of the batch), "t": IntSlider (time step)}.
        output: the Output widget the figure is drawn into.
        view: the sliders above the output.
        units: the indices of the hidden units shown, most relevant to the readout first (bottom row).
        last_drawn: "sequence", "t", "inputs" (T, D), "input_gate", "forget_gate", "output_gate", "cell_state"
            (T, units), "at_t" {name: (units,) values at step t}, "readout" (T,), "target", "gate_range",
            "cell_limit" (the heat map shows c_t on [-cell_limit, cell_limit]), "cell_max" (the largest |c_t|
            over the shown units and every sequence), "title".
        figure: the last matplotlib Figure (closed after display).
        artists: parts of the last figure, for layout checks: "input_axes", "input_legend", "bars_axes",
            "bars_legend", "cell_image".
    """

    def __init__(self, model: SequenceModel, inputs: np.ndarray, targets: np.ndarray | None = None, *,
                 units: int | None = 8, input_labels: tuple[str, ...] | None = None,
                 cell_limit: float | None = None):
        inputs = np.asarray(inputs)
        if inputs.ndim != 3 or inputs.shape[2] != model.cell.input_size:
            raise ValueError(f"inputs must have shape (B, T, D) with D = {model.cell.input_size} (the model's input "
                             f"size), got {inputs.shape}.")
        self.model = model
        self.inputs = inputs
        self.targets = None if targets is None else np.asarray(targets)
        self.internals = lstm_internals(model, inputs)
        self.input_labels = input_labels or tuple(f"x_t[{d}]" for d in range(inputs.shape[2]))
        # Show the units the readout listens to most: |readout weight| times how much the unit's h_t varies.
        # With H = 32 most units do little for the answer, and a few rows are easier to follow than 32.
        self.units = most_relevant_units(model, self.internals["hidden_state"], units)
        # The cell state is not bounded like a gate: a trained one reaches several units either side of 0. By
        # default the diverging scale is symmetric and just covers the largest |c_t| of the shown units over every
        # sequence (rounded up to a readable number), so it stays fixed while the sliders move and no cell
        # saturates. An explicit cell_limit overrides it (then the colour bar's arrows mark saturated cells).
        self.cell_max = float(np.abs(self.internals["cell_state"][..., self.units]).max())
        if cell_limit is None:
            self.cell_limit = readable_limit(self.cell_max)
        else:
            if isinstance(cell_limit, bool) or not isinstance(cell_limit, (int, float, np.integer, np.floating)):
                raise TypeError(f"cell_limit must be a positive number (or None for a scale fitted to the data), "
                                f"got {type(cell_limit).__name__}.")
            if not np.isfinite(cell_limit) or cell_limit <= 0:
                raise ValueError(f"cell_limit must be a positive, finite number (the heat map shows c_t on "
                                 f"[-cell_limit, cell_limit]), got {cell_limit}.")
            self.cell_limit = float(cell_limit)
        self.cell_range = max(self.cell_limit, self.cell_max)  # the bar chart never clips a value
        B, T, _ = inputs.shape
        style = {"description_width": "initial"}
        self.controls = {
            "sequence": widgets.IntSlider(value=0, min=0, max=B - 1, description="sequence",
                                          continuous_update=False, style=style),
            "t": widgets.IntSlider(value=T - 1, min=0, max=T - 1, description="time step t",
                                   continuous_update=False, style=style, layout=widgets.Layout(width="60%")),
        }
        self.last_drawn: dict = {}
        self.figure = None
        self.artists: dict = {}
        self.output = widgets.interactive_output(self.draw, self.controls)
        self.view = widgets.VBox([widgets.HBox(list(self.controls.values())), self.output])

    def draw(self, sequence: int, t: int) -> None:
        units = self.units
        inputs = self.inputs[sequence]
        T = inputs.shape[0]
        steps = np.arange(T)
        maps = {name: self.internals[name][sequence][:, units]
                for name in ("input_gate", "forget_gate", "output_gate", "cell_state")}
        readout = self.internals["readout"][sequence][:, 0]
        target = None if self.targets is None else float(np.ravel(self.targets[sequence])[0])

        figure = plt.figure(figsize=(11, 8.2), layout="constrained")
        grid = figure.add_gridspec(5, 2, width_ratios=[3.2, 1], height_ratios=[1.2, 1, 1, 1, 1])
        ax_input = figure.add_subplot(grid[0, 0])
        for d in range(inputs.shape[1]):
            ax_input.step(steps, inputs[:, d], where="mid", color=_SERIES_COLOURS[(d + 3) % len(_SERIES_COLOURS)],
                          label=self.input_labels[d], linewidth=1.2)
        ax_input.plot(steps, readout, color=MODEL_COLOURS["lstm"], linewidth=2, label="answer if read at t, y_t")
        if target is not None:
            ax_input.axhline(target, color=MODEL_COLOURS["baseline"], linestyle="--", linewidth=1,
                             label=f"target {target:.3f}")
        ax_input.axvline(t, color="black", linewidth=1)
        ax_input.set_xlim(-0.5, T - 0.5)
        top = max(float(inputs.max()), float(readout.max()), target if target is not None else 0.0)
        bottom = min(float(inputs.min()), float(readout.min()), 0.0)
        ax_input.set_ylim(bottom - 0.1, top + 0.1)
        ax_input.set_title(f"Sequence {sequence}: inputs and the model's running answer")
        ax_input.set_ylabel("value")
        # The legend goes in the empty cell to the right of the trace, never on top of it.
        ax_input_legend = figure.add_subplot(grid[0, 1])
        ax_input_legend.axis("off")
        input_legend = ax_input_legend.legend(*ax_input.get_legend_handles_labels(), fontsize="small",
                                              loc="center left", frameon=False)

        titles = {"input_gate": "input gate i_t", "forget_gate": "forget gate f_t", "output_gate": "output gate o_t",
                  "cell_state": "cell state c_t"}
        axes = {}
        gate_image = cell_image = None
        for row, name in enumerate(("input_gate", "forget_gate", "output_gate", "cell_state"), start=1):
            ax = figure.add_subplot(grid[row, 0], sharex=ax_input)
            if name == "cell_state":
                cell_image = signed_heatmap(ax, maps[name], title=titles[name], limit=self.cell_limit,
                                            xlabel="time step t", ylabel="unit")
            else:
                gate_image = gate_heatmap(ax, maps[name], title=titles[name], xlabel="", ylabel="unit")
            ax.set_yticks(range(len(units)))
            ax.set_yticklabels([str(unit) for unit in units], fontsize="x-small")
            ax.axvline(t, color="white" if name != "cell_state" else "black", linewidth=1)
            axes[name] = ax
        figure.colorbar(gate_image, ax=[axes["input_gate"], axes["forget_gate"], axes["output_gate"]],
                        location="left", shrink=0.8, pad=0.02).set_label(
            f"gate value, shared scale [{GATE_RANGE[0]:g}, {GATE_RANGE[1]:g}]")
        saturates = self.cell_max > self.cell_limit  # arrows on the colour bar only when some cells do saturate
        figure.colorbar(cell_image, ax=axes["cell_state"], location="left", pad=0.02,
                        extend="both" if saturates else "neither").set_label(
            f"c_t, scale [{-self.cell_limit:g}, {self.cell_limit:g}]")

        at_t = {name: values[t] for name, values in maps.items()}
        ax_bars = figure.add_subplot(grid[1:4, 1])
        positions = np.arange(len(units))
        width = 0.27
        for offset, (name, colour_key) in zip((-width, 0, width), (("input_gate", "input"),
                                                                   ("forget_gate", "forget"),
                                                                   ("output_gate", "output"))):
            ax_bars.barh(positions + offset, at_t[name], height=width, color=GATE_COLOURS[colour_key],
                         label=titles[name].split(" ")[0])
        ax_bars.set_xlim(*GATE_RANGE)
        # Leave an empty band above the top unit's bars (a sixth of the axes) for the legend, so it covers no bar.
        ax_bars.set_ylim(-0.5, -0.5 + len(units) * 1.2)
        ax_bars.set_yticks(positions)
        ax_bars.set_yticklabels([str(unit) for unit in units], fontsize="x-small")
        ax_bars.set_title(f"gates at t = {t}")
        ax_bars.set_xlabel("gate value")
        ax_bars.set_ylabel("unit")
        bars_legend = ax_bars.legend(fontsize="x-small", loc="upper center", ncol=3, handlelength=1.0,
                                     columnspacing=0.8, borderaxespad=0.3)
        ax_cell = figure.add_subplot(grid[4, 1])
        ax_cell.barh(positions, at_t["cell_state"], color=GATE_COLOURS["cell"])
        ax_cell.set_xlim(-self.cell_range, self.cell_range)
        ax_cell.axvline(0, color="black", linewidth=0.8)
        ax_cell.set_yticks(positions)
        ax_cell.set_yticklabels([str(unit) for unit in units], fontsize="x-small")
        ax_cell.set_title(f"cell state at t = {t}")
        ax_cell.set_xlabel("c_t")
        title = (f"Inside the trained LSTM, sequence {sequence}, t = {t}: answer so far {readout[t]:+.3f}"
                 + (f" (target {target:.3f})" if target is not None else ""))
        figure.suptitle(title)
        display(figure)
        plt.close(figure)
        self.figure = figure
        self.last_drawn = {
            "sequence": sequence, "t": t, "inputs": inputs, **maps, "at_t": at_t, "readout": readout,
            "target": target, "units": units, "gate_range": gate_image.get_clim(),
            "cell_limit": self.cell_limit, "cell_max": self.cell_max, "title": title,
            "gate_cmap": gate_image.get_cmap().name, "cell_cmap": cell_image.get_cmap().name,
        }
        # The artists the layout tests measure: the legends must not cover the data they describe.
        self.artists = {"input_axes": ax_input, "input_legend": input_legend, "bars_axes": ax_bars,
                        "bars_legend": bars_legend, "cell_image": cell_image}


def gate_scrubber(model: SequenceModel, inputs: np.ndarray, targets: np.ndarray | None = None, *,
                  units: int | None = 8, input_labels: tuple[str, ...] | None = None,
                  cell_limit: float | None = None) -> GateScrubber:
    """Build the time-slider widget for a trained LSTM ``model`` on ``inputs`` (B, T, D); display ``.view``.

    ``targets`` (B, ...) adds each sequence's target to the top plot; ``units`` is how many hidden units to show
    (those the readout relies on most, see ``most_relevant_units``; None shows all); ``input_labels`` names the
    D input features. The cell state's heat map uses the symmetric scale [-L, L], with L the largest |c_t| of the
    shown units rounded up to a readable number (``readable_limit``); pass ``cell_limit`` to fix L yourself (values
    beyond it saturate).
    """
    if not has_frontend():  # grading or testing: no one to move the sliders (lstm_course.viz.frontend)
        return not_shown("the gate scrubber")
    return GateScrubber(model, inputs, targets, units=units, input_labels=input_labels, cell_limit=cell_limit)


# ================================================================================================= capstone
def plot_loss_curve(losses, *, baseline: float | None = None, baseline_label: str = "baseline",
                    title: str = "Training loss", ylabel: str = "training loss (MSE)"):
    """A finished run's loss per step (e.g. ``TrainingHistory.loss``), log scale, with an optional baseline."""
    losses = np.asarray(losses, dtype=np.float64)
    figure, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
    ax.semilogy(np.arange(1, losses.size + 1), losses, color=MODEL_COLOURS["lstm"], linewidth=1, label="LSTM")
    if baseline is not None:
        ax.axhline(baseline, color=MODEL_COLOURS["baseline"], linestyle="--", linewidth=1, label=baseline_label)
    ax.set_title(title)
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel + " (log)")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3, which="both")
    return figure


def plot_forecast(time, truth, forecasts: dict[str, np.ndarray], *, title: str, ylabel: str = "value"):
    """A series and one or more forecasts of it over the same time steps. Returns the figure.

    Args:
        time: (N,) time steps; truth: (N,) the true values; forecasts: {label: (N,) predicted values}, e.g.
            {"LSTM": ..., "repeat the last value": ...}.
    """
    time = np.asarray(time)
    truth = np.asarray(truth, dtype=np.float64).ravel()
    figure, ax = plt.subplots(figsize=(10, 3.4), layout="constrained")
    ax.plot(time, truth, color=OKABE_ITO["black"], linewidth=1, marker=".", markersize=4, label="truth")
    colours = {"lstm": MODEL_COLOURS["lstm"], "baseline": OKABE_ITO["orange"]}
    for index, (label, values) in enumerate(forecasts.items()):
        values = np.asarray(values, dtype=np.float64).ravel()
        if values.shape != truth.shape:
            raise ValueError(f"forecast {label!r} has {values.size} values but truth has {truth.size}.")
        key = "lstm" if "lstm" in label.lower() else "baseline" if "repeat" in label.lower() else None
        colour = colours.get(key, _SERIES_COLOURS[(index + 2) % len(_SERIES_COLOURS)])
        ax.plot(time, values, color=colour, linewidth=1.6, label=label)
    ax.set_title(title)
    ax.set_xlabel("time step")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small", ncol=3, loc="upper right")
    ax.grid(True, alpha=0.3)
    return figure


def plot_gate_over_series(time, series, gate: np.ndarray, *, title: str, gate_name: str = "forget gate f_t"):
    """A series on top and a gate's activations (T, H) under it, on the shared [0, 1] scale. Returns the figure."""
    time = np.asarray(time)
    gate = np.asarray(gate)
    if gate.ndim != 2 or gate.shape[0] != time.size:
        raise ValueError(f"gate must have shape (T, H) with T = {time.size} (one row per time step), got "
                         f"{gate.shape}.")
    figure, (ax_series, ax_gate) = plt.subplots(2, 1, figsize=(10, 4.6), sharex=True, layout="constrained",
                                                gridspec_kw={"height_ratios": [1, 1.6]})
    ax_series.plot(time, np.asarray(series).ravel(), color=OKABE_ITO["black"], linewidth=1)
    ax_series.set_title(title)
    ax_series.set_ylabel("input value")
    image = ax_gate.imshow(gate.T, aspect="auto", origin="lower", cmap=HEATMAP_CMAP, vmin=GATE_RANGE[0],
                           vmax=GATE_RANGE[1], interpolation="nearest",
                           extent=(time[0] - 0.5, time[-1] + 0.5, -0.5, gate.shape[1] - 0.5))
    ax_gate.set_title(f"{gate_name}, every hidden unit")
    ax_gate.set_xlabel("time step")
    ax_gate.set_ylabel("hidden unit")
    ax_gate.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.colorbar(image, ax=ax_gate).set_label(f"{gate_name} (shared scale [0, 1])")
    return figure
