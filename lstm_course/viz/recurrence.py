"""Unit 2's picture: an input pulse echoing through a recurrent hidden state, and not through a feed-forward layer.

Feed one sequence that is zero everywhere except for a single "pulse" input at one step. A feed-forward layer
y_t = tanh(x_t W^T + b) answers only at that step: it has no memory. A recurrent layer
h_t = tanh([x_t, h_{t-1}] W^T + b) carries the pulse on in its state, an echo that fades step after step as it
is multiplied again and again by the recurrent weights (how fast it fades is the subject of unit 3).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .style import MODEL_COLOURS, OKABE_ITO, signed_heatmap

__all__ = ["plot_pulse_echo"]


def _as_2d(name: str, value, T: int | None = None) -> np.ndarray:
    value = np.asarray(value, dtype=np.float64)
    if value.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (T, features) for ONE sequence, got shape {value.shape}. "
                         f"For a batch (B, T, ...) pass {name}[0].")
    if T is not None and value.shape[0] != T:
        raise ValueError(f"{name} must have T = {T} rows (one per time step, like inputs), got shape {value.shape}.")
    return value


def plot_pulse_echo(inputs, hidden_states, feedforward_outputs, *, title: str = "An input pulse and its echo"):
    """Draw one sequence's input, the recurrent hidden state and the feed-forward output over time.

    Args:
        inputs: x (T, D) of one sequence.
        hidden_states: h (T, H) of a recurrent layer on that sequence (row t = state after reading x[t]).
        feedforward_outputs: y (T, H') of a feed-forward layer applied to each x[t] on its own.
        title: the figure's title.
    Returns:
        the matplotlib Figure, three panels sharing the time axis: the size of the input ||x_t||, a heat map of
        h_t (diverging colours centred on 0, spanning the largest |h_t|), and the sizes ||h_t|| and ||y_t|| as lines.
    """
    x = _as_2d("inputs", inputs)
    T = x.shape[0]
    h = _as_2d("hidden_states", hidden_states, T)
    y = _as_2d("feedforward_outputs", feedforward_outputs, T)
    steps = np.arange(T)

    # Three panels on one time axis, plus a thin column on the right for the heat map's colour bar (kept
    # empty beside the other two panels, so all three share the same width and line up in time).
    fig, axes = plt.subplots(3, 2, figsize=(9, 7), layout="constrained",
                             gridspec_kw={"height_ratios": [1, 2, 2], "width_ratios": [40, 1]})
    (ax_in, _), (ax_heat, ax_bar), (ax_size, _) = axes
    for spare in (axes[0, 1], axes[2, 1]):
        spare.axis("off")
    ax_in.sharex(ax_size)
    ax_heat.sharex(ax_size)
    ax_in.bar(steps, np.linalg.norm(x, axis=1), color=OKABE_ITO["orange"])
    ax_in.set_title("Input: one pulse, zeros elsewhere")
    ax_in.set_ylabel("||x_t||")

    # The colour scale is centred on 0 and spans the largest |h| actually reached, so a faint echo stays visible.
    limit = float(np.abs(h).max()) or 1.0
    image = signed_heatmap(ax_heat, h, title="Recurrent hidden state h_t: the pulse echoes", limit=limit,
                           xlabel="")
    fig.colorbar(image, cax=ax_bar, label="h_t value")
    for ax in (ax_in, ax_heat, ax_size):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # time steps and units are whole numbers
    ax_heat.yaxis.set_major_locator(MaxNLocator(integer=True))

    ax_size.plot(steps, np.linalg.norm(h, axis=1), marker="o", color=MODEL_COLOURS["rnn"],
                 label="recurrent layer ||h_t|| (has memory)")
    ax_size.plot(steps, np.linalg.norm(y, axis=1), marker="s", linestyle="--", color=MODEL_COLOURS["baseline"],
                 label="feed-forward layer ||y_t|| (no memory)")
    ax_size.set_title("Size of each layer's output: only the recurrent one remembers")
    ax_size.set_xlabel("time step t")
    ax_size.set_ylabel("vector norm")
    ax_size.legend()
    fig.suptitle(title)
    return fig
