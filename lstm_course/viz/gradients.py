"""Unit 3's picture: how much of the gradient at the last step reaches each earlier step of a recurrent net.

A recurrent layer computes, at every step t = 1, ..., T,

    a_t = [x_t, h_{t-1}] W^T + b          (B, H)     W (H, D + H) = [W_x | W_h], b (H,)
    h_t = act(a_t)                        (B, H)

so, by the chain rule, the sensitivity of the last state to an earlier one is a product of one-step Jacobians

    dh_T/dh_t = J_T J_{T-1} ... J_{t+1},      J_s = dh_s/dh_{s-1} = diag(act'(a_s)) W_h      (H, H)

and its size ||dh_T/dh_t||_2 (largest singular value) tells how strongly a loss computed from h_T can push on
what the network did at step t. Each factor has a size of about (typical slope) x (size of W_h), so the
product shrinks or grows geometrically with the distance T - t: vanishing or exploding gradients.

``jacobian_norms`` computes that curve for several activations; ``gradient_norm_explorer`` builds the
widget of unit 3, which plots it for the sentence "I am a data science student ... and I love machine ___"
with sliders for the weight scale, the sentence length and the activation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from lstm_ref.activations import sigmoid
from lstm_ref.tasks import SENTENCE_FILLERS

from .frontend import has_frontend, not_shown
from .style import MODEL_COLOURS, OKABE_ITO

__all__ = [
    "ACTIVATIONS",
    "recurrent_states",
    "jacobian_norms",
    "sentence_words",
    "SUBJECT",
    "SUBJECT_STEP",
    "GradientNormExplorer",
    "gradient_norm_explorer",
]


def _relu_slope(a):
    # The slope of max(0, a) is 1 where the unit is active and 0 where it is not (0 at a = 0 by convention).
    return (a > 0).astype(a.dtype)


def _sigmoid_slope(a):
    s = sigmoid(a)
    return s * (1.0 - s)


# name -> (activation, its derivative as a function of the PRE-activation a). Written with the pre-activation
# (not the output) so one formula serves all four; for tanh it equals 1 - h^2, the form of the exercise.
ACTIVATIONS = {
    "tanh": (np.tanh, lambda a: 1.0 - np.tanh(a) ** 2),
    "linear": (lambda a: a, np.ones_like),
    "relu": (lambda a: np.maximum(a, 0.0), _relu_slope),
    "sigmoid": (sigmoid, _sigmoid_slope),
}

SUBJECT = "data science student"
SUBJECT_STEP = 4  # "I"(1) "am"(2) "a"(3) "data science student"(4): h_4 is the first state that has seen it
_START = ("I", "am", "a", SUBJECT)
_END = ("and", "I", "love", "machine")


# ----------------------------------------------------------------------------------------- computation
def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}.")


def _check_inputs(x, W, b, h0):
    if not isinstance(x, np.ndarray) or x.ndim != 3:
        raise ValueError(f"x must be a 3-D array of shape (B, T, D), got {getattr(x, 'shape', type(x).__name__)}.")
    B, T, D = x.shape
    if T < 1:
        raise ValueError(f"x must have at least one time step, got shape {x.shape}.")
    if not isinstance(W, np.ndarray) or W.ndim != 2 or W.shape[1] <= D:
        raise ValueError(f"W must have shape (H, D + H) with D = {D} (from x), got {getattr(W, 'shape', W)}.")
    H = W.shape[0]
    if W.shape[1] != D + H:
        raise ValueError(f"W must have shape (H, D + H) = ({H}, {D + H}) (D = {D} from x), got {W.shape}.")
    if np.shape(b) != (H,):
        raise ValueError(f"b must have shape (H,) = ({H},), got {np.shape(b)}.")
    if h0 is not None and np.shape(h0) != (B, H):
        raise ValueError(f"h0 must have shape (B, H) = ({B}, {H}), got {np.shape(h0)}.")


def recurrent_states(x, W, b, activation: str = "tanh", h0=None):
    """Run h_t = act([x_t, h_{t-1}] W^T + b) over a sequence.

    Args:
        x: inputs (B, T, D). W: (H, D + H), first D columns for x, last H for h. b: (H,).
        activation: "tanh", "linear", "relu" or "sigmoid". h0: (B, H) or None for zeros.
    Returns:
        hs (B, T, H) with hs[:, t - 1] = h_t, and the pre-activations (B, T, H) with [:, t - 1] = a_t.
    """
    _check_activation(activation)
    _check_inputs(x, W, b, h0)
    act, _ = ACTIVATIONS[activation]
    B, T, D = x.shape
    h = np.zeros((B, W.shape[0])) if h0 is None else h0
    hs, pre = [], []
    for t in range(T):
        a = np.concatenate([x[:, t], h], axis=1) @ W.T + b
        h = act(a)
        pre.append(a)
        hs.append(h)
    return np.stack(hs, axis=1), np.stack(pre, axis=1)


def jacobian_norms(x, W, b, activation: str = "tanh", h0=None) -> np.ndarray:
    """||dh_T/dh_t||_2 for t = 0, ..., T, as a product of one-step Jacobians.

    Args: as ``recurrent_states``.
    Returns:
        norms (B, T + 1): norms[:, T] = ||I|| = 1, and norms[:, t - 1] = ||(dh_T/dh_t) J_t|| with
        J_t = diag(act'(a_t)) W_h, accumulated from t = T down to t = 1.
    """
    _, pre = recurrent_states(x, W, b, activation, h0)
    _, slope = ACTIVATIONS[activation]
    B, T, H = pre.shape
    W_h = W[:, x.shape[2]:]
    product = np.broadcast_to(np.eye(H), (B, H, H))
    norms = np.empty((B, T + 1))
    norms[:, T] = 1.0
    for t in range(T, 0, -1):
        # Row i of J_t is scaled by unit i's slope; the new factor goes on the right (chain rule, T back to t).
        product = product @ (slope(pre[:, t - 1])[:, :, None] * W_h)
        norms[:, t - 1] = np.linalg.norm(product, ord=2, axis=(1, 2))
    return norms


def sentence_words(length: int, rng=0) -> list[str]:
    """The motivating sentence with ``length`` words (>= 8): "I am a data science student <fillers> and I love
    machine"; the blank ___ is what the network should predict from h_T. The fillers are drawn from
    ``lstm_ref.tasks.SENTENCE_FILLERS`` with a seeded generator. The subject phrase counts as one word (step 4).
    """
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < len(_START) + len(_END):
        raise ValueError(f"length must be an integer >= {len(_START) + len(_END)}, got {length!r}.")
    generator = np.random.default_rng(rng)
    gap = int(length) - len(_START) - len(_END)
    fillers = [SENTENCE_FILLERS[i] for i in generator.integers(0, len(SENTENCE_FILLERS), size=gap)]
    return list(_START) + fillers + list(_END)


# ------------------------------------------------------------------------------------------------ widget
LABEL_BAND = 0.72  # the curve is drawn below this fraction of the axes' height; the labels go above it


def _log_limits(values, data_top: float = LABEL_BAND, data_bottom: float = 0.05) -> tuple[float, float]:
    """Limits for a log y axis that put ``values`` (all > 0) between the axes fractions ``data_bottom`` and
    ``data_top``, leaving the band above ``data_top`` free for labels. A curve spanning less than a decade is
    centred in a decade, so that small wiggles are not blown up to fill the plot."""
    low, high = np.log10(np.min(values)), np.log10(np.max(values))
    span = max(high - low, 1.0)
    decades_per_height = span / (data_top - data_bottom)
    bottom = (low + high) / 2 - span / 2 - data_bottom * decades_per_height
    return 10.0 ** bottom, 10.0 ** (bottom + decades_per_height)


@dataclass
class GradientNormExplorer:
    """The unit 3 widget. ``view`` is what the notebook displays; tests move ``controls`` and read ``last_drawn``.

    Attributes:
        controls: {"weight_scale": FloatSlider, "length": IntSlider, "activation": Dropdown}.
        output: the Output widget the figure is drawn into (redrawn whenever a control changes).
        view: the whole widget (controls above the output).
        last_drawn: what the last figure showed: "steps" (T + 1,), "norms" (T + 1,), "words", "subject_step",
            "norm_at_subject", "activation", "weight_scale", "length", "title", "xlabel", "ylabel".
    """

    controls: dict
    output: widgets.Output
    view: widgets.Widget
    last_drawn: dict = field(default_factory=dict)


def gradient_norm_explorer(hidden_size: int = 32, embedding_size: int = 8, seed: int = 0, *,
                           weight_scale: float = 1.0, length: int = 30, activation: str = "tanh"
                           ) -> GradientNormExplorer:
    """Build the widget: ||dh_T/dh_t|| against t on a log scale for the "machine ___" sentence.

    The random numbers are drawn once from ``seed``: word embeddings (one N(0, 1) vector of size
    ``embedding_size`` per word), W_x ~ N(0, 1/D) and a base recurrent matrix R ~ N(0, 1/H), so that moving
    the weight-scale slider only rescales W_h = weight_scale * R (its spectral radius is about weight_scale)
    and nothing else changes. The bias is 0. The sliders redraw on release (continuous_update=False).
    """
    if not has_frontend():  # grading or testing: no one to move the sliders (lstm_course.viz.frontend)
        return not_shown("the gradient-norm explorer")
    _check_activation(activation)
    generator = np.random.default_rng(seed)
    H, D = int(hidden_size), int(embedding_size)
    vocabulary = sorted(set(_START + _END + tuple(SENTENCE_FILLERS)))
    embeddings = dict(zip(vocabulary, generator.normal(size=(len(vocabulary), D))))
    W_x = generator.normal(size=(H, D)) / np.sqrt(D)
    recurrent_base = generator.normal(size=(H, H)) / np.sqrt(H)
    bias = np.zeros(H)

    wide = {"description_width": "initial"}
    controls = {
        "weight_scale": widgets.FloatSlider(value=weight_scale, min=0.1, max=3.0, step=0.05, style=wide,
                                            description="weight scale", continuous_update=False),
        "length": widgets.IntSlider(value=length, min=8, max=100, step=1, description="words T", style=wide,
                                    continuous_update=False),
        "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation"),
    }
    last_drawn: dict = {}

    def draw(weight_scale, length, activation):
        words = sentence_words(length, rng=seed)
        x = np.stack([embeddings[word] for word in words])[None]  # (1, T, D): one sentence
        W = np.concatenate([W_x, weight_scale * recurrent_base], axis=1)
        norms = jacobian_norms(x, W, bias, activation)[0]
        steps = np.arange(length + 1)
        # Exact zeros (every unit's slope 0, e.g. dead relu units) cannot sit on a log axis: show them a decade
        # below the smallest non-zero norm, and say so in the axis label.
        has_zeros = bool((norms == 0).any())
        shown = np.where(norms > 0, norms, norms[norms > 0].min() / 10) if has_zeros else norms
        title = f"How much of the gradient at h_T reaches h_t ({activation}, weight scale {weight_scale:.2f})"
        xlabel = "time step t (one word per step)"
        if has_zeros:
            xlabel += ";  points on the lowest level are exactly 0"
        ylabel = "||dh_T / dh_t||  (log scale)"
        last_drawn.clear()
        last_drawn.update({
            "steps": steps, "norms": norms, "words": words, "subject_step": SUBJECT_STEP,
            "norm_at_subject": float(norms[SUBJECT_STEP]), "activation": activation,
            "weight_scale": float(weight_scale), "length": int(length),
            "title": title, "xlabel": xlabel, "ylabel": ylabel,
        })
        fig, ax = plt.subplots(figsize=(9, 4))
        blue = OKABE_ITO["blue"]
        ax.semilogy(steps, shown, marker="o", markersize=3, color=MODEL_COLOURS["rnn"], label="||dh_T/dh_t||")
        ax.axhline(1.0, color=OKABE_ITO["black"], linewidth=0.8, linestyle=":", label="1 (no change)")
        ax.axvline(SUBJECT_STEP, color=blue, linestyle="--", label=f"'{SUBJECT}' (decides the blank)")
        ax.plot(SUBJECT_STEP, shown[SUBJECT_STEP], marker="o", markersize=9, fillstyle="none", color=blue)
        ax.set_xlim(-0.5, length + 0.5)
        ax.set_ylim(*_log_limits(shown))  # the curve stays below LABEL_BAND; the labels go above it

        # The labels sit in the band above the curve, anchored in axes coordinates (x = a time step, y = a
        # fraction of the axes' height), so no slider setting can put them on top of the data.
        # The subject's label goes beside its dashed line: to the right, unless the sentence is so short that the
        # line is near the middle and the label would run into the blank's label at the right end.
        on_the_right = (SUBJECT_STEP + 0.5) / (length + 1) < 0.35
        band = ax.get_xaxis_transform()  # x in data (time steps), y in axes fractions
        ax.annotate(f"'{SUBJECT}' at t = {SUBJECT_STEP}:\n||dh_T/dh_t|| = {norms[SUBJECT_STEP]:.1e}",
                    xy=(SUBJECT_STEP, 0.97), xycoords=band, xytext=(5 if on_the_right else -5, 0),
                    textcoords="offset points", ha="left" if on_the_right else "right", va="top", color=blue)
        ax.annotate("'machine ___':\npredicted from h_T", xy=(length, 1.0), xytext=(length, 0.97), textcoords=band,
                    ha="right", va="top", arrowprops={"arrowstyle": "->", "relpos": (1.0, 0.0)})
        # The dotted line's meaning, just outside the right edge of the axes at its height.
        ax.annotate("1 = no\nchange", xy=(1.0, 1.0), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=8, annotation_clip=False)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        fig.tight_layout()
        display(fig)  # into the Output widget that interactive_output opened around this call
        plt.close(fig)  # and never again: no duplicate at the end of the cell, no pile-up of open figures

    # interactive_output calls draw() once now and again whenever a control's value changes, capturing what
    # it displays in the Output widget it returns.
    output = widgets.interactive_output(draw, controls)
    view = widgets.VBox([widgets.HBox(list(controls.values())), output])
    return GradientNormExplorer(controls, output, view, last_drawn)
