"""The unit 3 gradient-norm computation and widget (lstm_course.viz.gradients), driven headlessly.

The computation is checked against an independent reference (lstm_ref's backward pass, through the feedback
module) and against exact algebra for the linear case; the widget is checked by moving its controls and
reading what it drew.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import lstm_course.viz.gradients as viz  # noqa: E402
from lstm_course.feedback.gradients import reference_jacobian_norms  # noqa: E402
from lstm_course.viz.gradients import (  # noqa: E402
    SUBJECT,
    SUBJECT_STEP,
    gradient_norm_explorer,
    jacobian_norms,
    recurrent_states,
    sentence_words,
)


def random_rnn(seed, B=2, T=7, D=3, H=4, scale=1.0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, T, D))
    W = rng.normal(size=(H, D + H)) / np.sqrt(D + H)
    W[:, D:] *= scale
    return x, W, 0.3 * rng.normal(size=H), rng.uniform(-0.5, 0.5, size=(B, H))


# ----------------------------------------------------------------------------------------- computation
def test_tanh_norms_match_backpropagation_through_lstm_ref():
    x, W, b, h0 = random_rnn(0, scale=1.7)
    hs, expected = reference_jacobian_norms(x, h0, W, b)
    assert np.allclose(recurrent_states(x, W, b, "tanh", h0)[0], hs, rtol=1e-12, atol=1e-14)
    assert np.allclose(jacobian_norms(x, W, b, "tanh", h0), expected, rtol=1e-10, atol=0)


def test_linear_norms_are_norms_of_powers_of_W_h():
    # With a linear activation every slope is 1, so dh_T/dh_t = W_h^(T - t) exactly.
    x, W, b, h0 = random_rnn(1, B=1, T=6, D=2, H=3)
    W_h = W[:, 2:]
    norms = jacobian_norms(x, W, b, "linear", h0)[0]
    for t in range(7):
        assert norms[t] == pytest.approx(np.linalg.norm(np.linalg.matrix_power(W_h, 6 - t), ord=2), rel=1e-10)


def test_sigmoid_and_relu_use_their_own_slopes():
    x, W, b, h0 = random_rnn(2, B=1, T=1, D=2, H=3)
    a = np.concatenate([x[:, 0], h0], axis=1) @ W.T + b
    s = 1.0 / (1.0 + np.exp(-a))
    for activation, slope in (("sigmoid", s * (1 - s)), ("relu", (a > 0).astype(float))):
        expected = np.linalg.norm(slope[0][:, None] * W[:, 2:], ord=2)
        assert jacobian_norms(x, W, b, activation, h0)[0, 0] == pytest.approx(expected, rel=1e-12)


def test_bad_arguments_are_named():
    x, W, b, h0 = random_rnn(3)
    with pytest.raises(ValueError, match="activation must be one of"):
        jacobian_norms(x, W, b, "softplus")
    with pytest.raises(ValueError, match=r"W must have shape \(H, D \+ H\)"):
        jacobian_norms(x, W[:, 1:], b)
    with pytest.raises(ValueError, match=r"x must be a 3-D array of shape \(B, T, D\)"):
        jacobian_norms(x[0], W, b)
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\)"):
        jacobian_norms(x, W, b, h0=h0[:1])
    with pytest.raises(ValueError, match="length must be an integer >= 8"):
        sentence_words(5)


def test_sentence_puts_the_subject_at_its_step_and_ends_before_the_blank():
    words = sentence_words(20, rng=4)
    assert len(words) == 20
    assert words[SUBJECT_STEP - 1] == SUBJECT
    assert words[:3] == ["I", "am", "a"] and words[-4:] == ["and", "I", "love", "machine"]
    assert words == sentence_words(20, rng=4)  # seeded: the same sentence every time


# ---------------------------------------------------------------------------------------------- widget
@pytest.fixture
def drawn_figures(monkeypatch):
    """Capture each figure the widget displays (instead of sending it to a notebook)."""
    figures = []
    monkeypatch.setattr(viz, "display", figures.append)
    return figures


def test_widget_draws_the_curve_with_title_labels_log_scale_and_subject_marker(drawn_figures):
    explorer = gradient_norm_explorer(weight_scale=0.8, length=20)
    drawn = explorer.last_drawn
    assert len(drawn_figures) == 1
    ax = drawn_figures[0].axes[0]
    assert ax.get_title() == drawn["title"] and "tanh" in drawn["title"]
    assert ax.get_xlabel() == drawn["xlabel"] and ax.get_ylabel() == drawn["ylabel"]
    assert ax.get_yscale() == "log"
    curve = ax.get_lines()[0]
    assert np.array_equal(curve.get_xdata(), np.arange(21))
    assert np.allclose(curve.get_ydata(), drawn["norms"])
    # the subject's dashed marker line (an axvline: x = SUBJECT_STEP at both ends)
    assert any(np.all(np.asarray(line.get_xdata()) == SUBJECT_STEP) and line.get_linestyle() == "--"
               for line in ax.get_lines()[1:])
    assert drawn["norms"][-1] == 1.0 and drawn["norm_at_subject"] == drawn["norms"][SUBJECT_STEP]
    assert drawn["words"][SUBJECT_STEP - 1] == SUBJECT


def test_sliders_redraw_on_release_only():
    explorer = gradient_norm_explorer()
    assert set(explorer.controls) == {"weight_scale", "length", "activation"}
    assert explorer.controls["weight_scale"].continuous_update is False
    assert explorer.controls["length"].continuous_update is False
    assert explorer.output in explorer.view.children


def test_smaller_weights_make_the_gradient_at_the_subject_vanish(drawn_figures):
    explorer = gradient_norm_explorer(weight_scale=1.0, length=30)
    at_one = explorer.last_drawn["norm_at_subject"]
    explorer.controls["weight_scale"].value = 0.5
    assert explorer.last_drawn["weight_scale"] == 0.5
    assert explorer.last_drawn["norm_at_subject"] < 1e-3 * at_one
    assert len(drawn_figures) == 2  # one drawing per change


def test_weight_scale_rescales_only_the_recurrent_weights():
    # Linear activation: dh_T/dh_t = (s R)^(T - t), so changing s from 1 to 2 multiplies the norm at t by
    # exactly 2^(T - t). This fails if the slider changed anything else (inputs, W_x, the random draws).
    explorer = gradient_norm_explorer(activation="linear", weight_scale=1.0, length=12)
    before = explorer.last_drawn["norms"].copy()
    explorer.controls["weight_scale"].value = 2.0
    after = explorer.last_drawn["norms"]
    assert np.allclose(after, before * 2.0 ** (12 - np.arange(13)), rtol=1e-9)


def test_linear_activation_with_large_weights_explodes():
    explorer = gradient_norm_explorer(activation="linear", weight_scale=2.0, length=30)
    assert explorer.last_drawn["norm_at_subject"] > 1e6


def test_length_slider_moves_the_blank_not_the_subject():
    explorer = gradient_norm_explorer(length=30)
    explorer.controls["length"].value = 60
    drawn = explorer.last_drawn
    assert drawn["length"] == 60 and len(drawn["steps"]) == 61 and len(drawn["words"]) == 60
    assert drawn["words"][SUBJECT_STEP - 1] == SUBJECT and drawn["subject_step"] == SUBJECT_STEP


def test_longer_sentences_let_less_reach_the_subject():
    explorer = gradient_norm_explorer(weight_scale=0.9, length=15)
    short = explorer.last_drawn["norm_at_subject"]
    explorer.controls["length"].value = 45
    assert explorer.last_drawn["norm_at_subject"] < 1e-2 * short


def test_sigmoid_vanishes_faster_than_tanh():
    explorer = gradient_norm_explorer(weight_scale=1.0, length=30, activation="tanh")
    with_tanh = explorer.last_drawn["norm_at_subject"]
    explorer.controls["activation"].value = "sigmoid"
    assert explorer.last_drawn["activation"] == "sigmoid"
    assert explorer.last_drawn["norm_at_subject"] < 1e-6 * with_tanh


def test_builder_rejects_an_unknown_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        gradient_norm_explorer(activation="softplus")


# ------------------------------------------------------------------------------- labels clear of the curve
def labels_and_curve(figure):
    """Draw ``figure`` and return the window boxes of the axes, the curve (markers included), the subject's
    label, the blank's label, the dashed subject line's x in pixels, and every text on the figure by content."""
    canvas = FigureCanvasAgg(figure)  # the widget closed the figure after display, which took its Agg canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    (ax,) = figure.axes
    # Text's own extent: the words alone (an Annotation's would add its arrow, which must reach the curve).
    texts = {text.get_text(): Text.get_window_extent(text, renderer) for text in ax.texts}
    texts.update({text.get_text(): text.get_window_extent(renderer)
                  for text in (ax.title, ax.xaxis.label, ax.yaxis.label)})
    (subject,) = [box for text, box in texts.items() if text.startswith(f"'{SUBJECT}' at t = {SUBJECT_STEP}")]
    (blank,) = [box for text, box in texts.items() if text.startswith("'machine ___'")]
    curve = ax.get_lines()[0].get_window_extent(renderer)
    line_x = ax.transData.transform((SUBJECT_STEP, 1.0))[0]
    return ax.get_window_extent(renderer), curve, subject, blank, line_x, texts


@pytest.mark.parametrize("activation, weight_scale, length", [
    ("tanh", 3.0, 30),  # the setting a reviewer flagged: the subject's label was drawn on the curve
    ("tanh", 3.0, 8), ("tanh", 3.0, 9), ("tanh", 3.0, 10), ("tanh", 3.0, 11), ("tanh", 3.0, 12),
    ("tanh", 3.0, 100), ("tanh", 1.0, 30), ("tanh", 0.5, 60), ("linear", 3.0, 100), ("linear", 1.0, 14),
    ("relu", 0.5, 30), ("relu", 3.0, 20), ("sigmoid", 0.1, 100),
])
def test_labels_never_cover_the_curve_nor_each_other(drawn_figures, activation, weight_scale, length):
    explorer = gradient_norm_explorer(activation=activation, weight_scale=weight_scale, length=length)
    axes, curve, subject, blank, line_x, texts = labels_and_curve(drawn_figures[-1])
    norm = explorer.last_drawn["norm_at_subject"]
    assert f"||dh_T/dh_t|| = {norm:.1e}" in [text for text in texts if text.startswith(f"'{SUBJECT}'")][0]
    for name, box in (("subject", subject), ("blank", blank)):
        assert not box.overlaps(curve), f"the {name}'s label is drawn over the curve"
        assert axes.x0 <= box.x0 and box.x1 <= axes.x1 and box.y1 <= axes.y1, f"the {name}'s label leaves the axes"
    assert not subject.overlaps(blank), "the two labels are drawn over each other"
    # the subject's label sits right beside its dashed line, on one side of it
    assert 0 < subject.x0 - line_x < 15 or 0 < line_x - subject.x1 < 15
    # nothing is cut off at the figure's edge (the "1 = no change" label sits just outside the axes)
    page = drawn_figures[-1].bbox
    for text, box in texts.items():
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, text


def test_tiny_norms_are_drawn_at_their_value_and_exact_zeros_are_labelled(drawn_figures, monkeypatch):
    # sigmoid, small weights, 100 words: norms far below 1e-30 but not 0; they are drawn as they are.
    explorer = gradient_norm_explorer(activation="sigmoid", weight_scale=0.1, length=100)
    norms = explorer.last_drawn["norms"]
    assert 0 < norms.min() < 1e-100
    np.testing.assert_array_equal(drawn_figures[-1].axes[0].get_lines()[0].get_ydata(), norms)
    assert "exactly 0" not in explorer.last_drawn["xlabel"]
    # Exact zeros (every unit's slope 0) cannot sit on a log axis: drawn a decade below the smallest non-zero
    # norm, and the axis label says so.
    with_zeros = np.array([0.0, 0.0, 1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    monkeypatch.setattr(viz, "jacobian_norms", lambda *args: with_zeros[None])
    explorer.controls["length"].value = 9
    drawn = drawn_figures[-1].axes[0]
    np.testing.assert_array_equal(drawn.get_lines()[0].get_ydata(), np.r_[1e-13, 1e-13, with_zeros[2:]])
    assert "exactly 0" in drawn.get_xlabel() and drawn.get_xlabel() == explorer.last_drawn["xlabel"]
