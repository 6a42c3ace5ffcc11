"""Unit 6's picture: how much of a gradient at the last step survives the way back through time.

A loss that looks only at the last hidden state, L = h_T . u (u a fixed unit vector, so dL/dh_T = u), is
backpropagated one step at a time with ``lstm_ref``'s step backward functions. At every state we record the
size (Euclidean norm over the hidden units) of

    ||dL/dh_t||   for the LSTM and for a vanilla tanh RNN,
    ||dL/dc_t||   for the LSTM's cell state: how much L changes per unit change of c_t, everything after c_t
                  recomputed (so for t >= 1 it includes the path through h_t = o_t * tanh(c_t)).

One step back along the cell state multiplies the gradient by the forget gate, dL/dc_{t-1} gets dL/dc_t * f_t
(plus what arrives through h_{t-1}); one step back through a tanh RNN multiplies it by diag(1 - h_t^2) W_h.
With f_t near 1 the first survives many steps; the second shrinks (or grows) geometrically.

``lstm_gradient_norms`` and ``rnn_gradient_norms`` compute the curves; ``gradient_flow_explorer`` builds the
widget of unit 6 (sliders for the forget-gate bias, the RNN's recurrent weight scale and the length).

Your own backward step in the picture: ``gradient_flow_explorer(yours=my_step_backward)`` computes the LSTM's
curves a second time with the learner's step (the signature of ``lstm_ref.lstm_step_backward``) and draws them
over the reference's, each step where they differ marked with an x; an unfinished step leaves the reference
alone, with a line saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from lstm_ref.cell import lstm_step, lstm_step_backward
from lstm_ref.params import LSTMParams, RNNParams
from lstm_ref.rnn import rnn_step, rnn_step_backward
from lstm_ref.sequence import lstm_forward

from .frontend import has_frontend, not_shown
from .style import MODEL_COLOURS, OKABE_ITO
from .yours import learner_status

__all__ = [
    "lstm_gradient_norms",
    "rnn_gradient_norms",
    "plot_gradient_flow",
    "GradientFlowExplorer",
    "gradient_flow_explorer",
]


# ----------------------------------------------------------------------------------------- computation
def _check_sequence(x, dh_T, H):
    if not isinstance(x, np.ndarray) or x.ndim != 3:
        raise ValueError(f"x must be a 3-D array of shape (B, T, D), got {getattr(x, 'shape', type(x).__name__)}.")
    if not isinstance(dh_T, np.ndarray) or dh_T.shape != (x.shape[0], H):
        raise ValueError(f"dh_T must have shape (B, H) = ({x.shape[0]}, {H}), got "
                         f"{getattr(dh_T, 'shape', type(dh_T).__name__)}.")


def lstm_gradient_norms(x: np.ndarray, params: LSTMParams, dh_T: np.ndarray, step_backward=lstm_step_backward):
    """||dL/dh_t|| and ||dL/dc_t|| for t = 0, ..., T, for a loss with dL/dh_T = ``dh_T`` (and nothing else).

    Args:
        x: (B, T, D) inputs; params: LSTMParams; dh_T: (B, H) the gradient arriving at the last hidden state;
        step_backward: one step backward, (dh, dc, cache) -> (dx, dh_prev, dc_prev, grads) (lstm_ref's, or the
            learner's own).
    Returns:
        dh_norms, dc_norms: each (B, T + 1); column t belongs to h_t / c_t (column 0 to the initial states,
        which start at zero). dL/dc_0 has no path through h_0 (h_0 is given, not computed from c_0).
    """
    _check_sequence(x, dh_T, params.hidden_size)
    B, T, _ = x.shape
    h = np.zeros((B, params.hidden_size), dtype=x.dtype)
    c = np.zeros_like(h)
    caches = []
    for t in range(T):
        h, c, cache = lstm_step(x[:, t], h, c, params)
        caches.append(cache)

    dh_norms = np.empty((B, T + 1))
    dc_norms = np.empty((B, T + 1))
    dh, dc = dh_T, np.zeros_like(dh_T)  # dc: what reaches c_t from the later steps (nothing at t = T)
    dh_norms[:, T] = np.linalg.norm(dh, axis=1)
    for t in range(T, 0, -1):  # caches[t - 1] is the step that made (h_t, c_t)
        cache = caches[t - 1]
        # Everything that reaches c_t: from later steps, and through h_t = o_t * tanh(c_t).
        dc_norms[:, t] = np.linalg.norm(dc + dh * cache.o * (1.0 - cache.tanh_c ** 2), axis=1)
        _, dh, dc, _ = step_backward(dh, dc, cache)
        if np.shape(dh) != dh_T.shape or np.shape(dc) != dh_T.shape:  # a learner's step can broadcast silently
            raise ValueError(f"the step returned dh_prev {np.shape(dh)} and dc_prev {np.shape(dc)}, expected (B, H) = "
                             f"{dh_T.shape} for both")
        dh_norms[:, t - 1] = np.linalg.norm(dh, axis=1)
    dc_norms[:, 0] = np.linalg.norm(dc, axis=1)
    return dh_norms, dc_norms


def rnn_gradient_norms(x: np.ndarray, params: RNNParams, dh_T: np.ndarray) -> np.ndarray:
    """||dL/dh_t|| for t = 0, ..., T for a vanilla RNN and a loss with dL/dh_T = ``dh_T``; shape (B, T + 1)."""
    _check_sequence(x, dh_T, params.hidden_size)
    B, T, _ = x.shape
    h = np.zeros((B, params.hidden_size), dtype=x.dtype)
    caches = []
    for t in range(T):
        h, cache = rnn_step(x[:, t], h, params)
        caches.append(cache)
    norms = np.empty((B, T + 1))
    dh = dh_T
    norms[:, T] = np.linalg.norm(dh, axis=1)
    for t in range(T, 0, -1):
        _, dh, _ = rnn_step_backward(dh, caches[t - 1])
        norms[:, t - 1] = np.linalg.norm(dh, axis=1)
    return norms


def _mean_forget_gate(x: np.ndarray, params: LSTMParams) -> float:
    """The forget gate's mean over every step and unit: the typical factor per step along the cell state."""
    gates = lstm_forward(x, params)[2].gates  # (T, B, 4H), blocks i, f, g, o
    H = params.hidden_size
    return float(gates[..., H:2 * H].mean())


# ------------------------------------------------------------------------------------------------ drawing
FLOOR = 1e-30  # exact zeros cannot sit on a log axis


def plot_yours(ax, steps, yours_dc, yours_dh, differs: np.ndarray) -> None:
    """Draw the learner's LSTM curves over the reference's, an x on every step where either differs."""
    colour = OKABE_ITO["orange"]
    ax.semilogy(steps, np.maximum(yours_dc, FLOOR), color=colour, linewidth=1.2, label="yours  ||dL/dc_t||")
    ax.semilogy(steps, np.maximum(yours_dh, FLOOR), color=colour, linewidth=1.2, linestyle="--",
                label="yours  ||dL/dh_t||")
    if differs.any():
        marked = np.concatenate([steps[differs], steps[differs]])
        ax.scatter(marked, np.maximum(np.concatenate([yours_dc[differs], yours_dh[differs]]), FLOOR), marker="x",
                   s=18, color=OKABE_ITO["vermillion"], zorder=3, label="yours differs from lstm_ref")


def plot_gradient_flow(ax, steps, lstm_dc, lstm_dh, rnn_dh, *, title: str) -> None:
    """Draw the three curves (each (T + 1,)) against ``steps`` on a log scale, with labels and a legend."""
    ax.semilogy(steps, np.maximum(lstm_dc, FLOOR), color=MODEL_COLOURS["lstm"], linewidth=2.0,
                label="LSTM  ||dL/dc_t||  (cell state)")
    ax.semilogy(steps, np.maximum(lstm_dh, FLOOR), color=MODEL_COLOURS["lstm"], linestyle="--",
                label="LSTM  ||dL/dh_t||  (hidden state)")
    ax.semilogy(steps, np.maximum(rnn_dh, FLOOR), color=MODEL_COLOURS["rnn"], linewidth=2.0,
                label="RNN   ||dL/dh_t||")
    ax.axhline(1.0, color=OKABE_ITO["black"], linewidth=0.8, linestyle=":", label="1 = ||dL/dh_T||")
    ax.set_title(title)
    ax.set_xlabel("time step t (the loss looks at step T only)")
    ax.set_ylabel("gradient norm (log scale)")
    ax.set_xlim(steps[0], steps[-1])
    ax.legend(loc="lower right", fontsize=8)


# ------------------------------------------------------------------------------------------------ widget
@dataclass
class GradientFlowExplorer:
    """The unit 6 widget. ``view`` is what the notebook displays; tests move ``controls`` and read ``last_drawn``.

    Attributes:
        controls: {"forget_bias": FloatSlider, "rnn_scale": FloatSlider, "length": IntSlider}.
        output: the Output widget the figure is drawn into (redrawn whenever a control changes).
        view: the whole widget (controls above the output).
        last_drawn: what the last figure showed: "steps" (T + 1,), "lstm_dc", "lstm_dh", "rnn_dh" (T + 1,),
            "mean_forget_gate", "forget_bias", "rnn_scale", "length", "title"; with the learner's step also
            "yours_dc", "yours_dh" (None when it could not run), "differs" ((T + 1,) booleans) and "status".
    """

    controls: dict
    output: widgets.Output
    view: widgets.Widget
    last_drawn: dict = field(default_factory=dict)


def gradient_flow_explorer(seed: int = 0, *, hidden_size: int = 32, input_size: int = 4, max_length: int = 200,
                           forget_bias: float = 1.0, rnn_scale: float = 1.0, length: int = 100, yours=None
                           ) -> GradientFlowExplorer:
    """Build the widget: the three gradient-norm curves for one random sequence, LSTM against RNN.

    Everything random is drawn once from ``seed``: the inputs x ~ N(0, 1) (1, max_length, D), the LSTM's and the
    RNN's weights (PyTorch's initialisation) and the unit vector dL/dh_T. The sliders then change only
    the forget-gate bias b_f (all units), the factor on the RNN's recurrent weights W_h, and the length T (the
    first T inputs). They redraw on release (continuous_update=False). ``yours``: the learner's step backward
    (signature of ``lstm_ref.lstm_step_backward``), drawn over the reference with its differences marked.
    """
    if yours is not None and not callable(yours):
        raise TypeError(f"yours must be your step backward function, got {type(yours).__name__}.")
    if not has_frontend():  # grading or testing: no one to move the sliders (lstm_course.viz.frontend)
        return not_shown("the gradient-flow explorer")
    generator = np.random.default_rng(seed)
    H, D = int(hidden_size), int(input_size)
    x_all = generator.normal(size=(1, int(max_length), D))
    lstm_base = LSTMParams.init(D, H, rng=generator, forget_bias=None)
    rnn_base = RNNParams.init(D, H, rng=generator)
    direction = generator.normal(size=(1, H))
    dh_T = direction / np.linalg.norm(direction)

    wide = {"description_width": "initial"}
    controls = {
        "forget_bias": widgets.FloatSlider(value=forget_bias, min=-2.0, max=6.0, step=0.25, style=wide,
                                           description="LSTM forget bias b_f", continuous_update=False),
        "rnn_scale": widgets.FloatSlider(value=rnn_scale, min=0.25, max=4.0, step=0.05, style=wide,
                                         description="RNN weight scale (W_h x)", continuous_update=False),
        "length": widgets.IntSlider(value=length, min=10, max=int(max_length), step=5, style=wide,
                                    description="length T", continuous_update=False),
    }
    last_drawn: dict = {}

    def draw(forget_bias, rnn_scale, length):
        x = x_all[:, :length]
        lstm = lstm_base.copy()
        lstm.b_f = forget_bias
        rnn = rnn_base.copy()
        rnn.W[:, D:] *= rnn_scale
        lstm_dh, lstm_dc = (norms[0] for norms in lstm_gradient_norms(x, lstm, dh_T))
        rnn_dh = rnn_gradient_norms(x, rnn, dh_T)[0]
        mean_forget = _mean_forget_gate(x, lstm)
        steps = np.arange(length + 1)
        title = (f"Gradient reaching step t from the loss at step T = {length}\n"
                 f"LSTM forget bias {forget_bias:+.2f} (mean f = {mean_forget:.2f}), RNN weight scale {rnn_scale:.2f}")
        last_drawn.clear()
        if yours is not None:
            mine, status = learner_status(yours, lambda: lstm_gradient_norms(x, lstm, dh_T, step_backward=yours))
            yours_dh, yours_dc = (mine[0][0], mine[1][0]) if mine is not None else (None, None)
            differs = None
            if mine is not None:
                differs = ~(np.isclose(yours_dc, lstm_dc, rtol=1e-6, atol=1e-12)
                            & np.isclose(yours_dh, lstm_dh, rtol=1e-6, atol=1e-12))
                name = getattr(yours, "__name__", "your step")
                status = (f"{name} gives lstm_ref's curves at every step" if not differs.any() else
                          f"{name} differs from lstm_ref at {int(differs.sum())} of {len(steps)} steps, marked x")
            title += f"\n{status}"
            last_drawn.update({"yours_dc": yours_dc, "yours_dh": yours_dh, "differs": differs, "status": status})
        last_drawn.update({"steps": steps, "lstm_dc": lstm_dc, "lstm_dh": lstm_dh, "rnn_dh": rnn_dh,
                           "mean_forget_gate": mean_forget, "forget_bias": float(forget_bias),
                           "rnn_scale": float(rnn_scale), "length": int(length), "title": title})
        fig, ax = plt.subplots(figsize=(9, 4.2 if yours is None else 4.8))
        plot_gradient_flow(ax, steps, lstm_dc, lstm_dh, rnn_dh, title=title)
        if yours is not None and last_drawn["yours_dc"] is not None:  # on top: a thin line over a thick one
            plot_yours(ax, steps, last_drawn["yours_dc"], last_drawn["yours_dh"], last_drawn["differs"])
            ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        display(fig)  # into the Output widget that interactive_output opened around this call
        plt.close(fig)  # and nowhere else: no duplicate figure at the end of the cell

    output = widgets.interactive_output(draw, controls)
    view = widgets.VBox([widgets.HBox(list(controls.values())), output])
    return GradientFlowExplorer(controls, output, view, last_drawn)

