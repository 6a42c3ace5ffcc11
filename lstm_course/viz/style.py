"""Shared plot style: colour-blind-safe colours and the one colour scale every gate heat map uses.

Lines take the Okabe-Ito palette (distinguishable under the common colour-vision deficiencies); heat maps take
``viridis`` (perceptually uniform, readable in grey). Gate activations are sigmoids, so their heat maps share
the fixed scale [0, 1]: the same colour means the same gate value in every figure of the course.
"""

from __future__ import annotations

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# One colour per model and per gate, used everywhere so a learner can follow them from unit to unit.
MODEL_COLOURS = {"lstm": OKABE_ITO["blue"], "rnn": OKABE_ITO["vermillion"], "baseline": OKABE_ITO["black"]}
GATE_COLOURS = {
    "forget": OKABE_ITO["blue"],
    "input": OKABE_ITO["orange"],
    "candidate": OKABE_ITO["green"],
    "output": OKABE_ITO["purple"],
    "cell": OKABE_ITO["vermillion"],
    "hidden": OKABE_ITO["sky_blue"],
}

HEATMAP_CMAP = "viridis"  # sequential, for gate activations in [0, 1]
DIVERGING_CMAP = "PuOr"  # for signed values (cell state, hidden state) centred on 0
GATE_RANGE = (0.0, 1.0)


def gate_heatmap(ax, activations, *, title: str, xlabel: str = "time step t", ylabel: str = "hidden unit"):
    """Draw gate ``activations`` of shape (T, H) as a heat map on the shared [0, 1] scale.

    Returns the image so a caller can attach one colour bar to several heat maps.
    """
    image = ax.imshow(
        activations.T, aspect="auto", origin="lower", cmap=HEATMAP_CMAP, vmin=GATE_RANGE[0], vmax=GATE_RANGE[1],
        interpolation="nearest",
    )
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return image


def signed_heatmap(ax, values, *, title: str, limit: float = 1.0, xlabel: str = "time step t",
                   ylabel: str = "hidden unit"):
    """Draw signed ``values`` of shape (T, H) (cell or hidden state) on a diverging scale [-limit, limit]."""
    image = ax.imshow(
        values.T, aspect="auto", origin="lower", cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest"
    )
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return image
