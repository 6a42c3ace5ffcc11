"""The unit 2 figure (lstm_course.viz.recurrence.plot_pulse_echo): it draws what it is given, labelled."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_ref import RNNParams, rnn_forward  # noqa: E402
from lstm_course.viz.recurrence import plot_pulse_echo  # noqa: E402


@pytest.fixture
def echo():
    T, D, H = 12, 2, 5
    x = np.zeros((1, T, D))
    x[0, 3] = [1.5, -1.0]
    params = RNNParams.init(D, H, rng=0)
    params.b[:] = 0.0
    hs = rnn_forward(x, params)[0][0]
    return x[0], hs, np.tanh(x[0] @ params.W[:, :D].T)


def test_figure_shows_input_state_and_sizes(echo):
    x, h, y = echo
    fig = plot_pulse_echo(x, h, y, title="echo")
    ax_in, ax_heat, ax_size = (ax for ax in fig.axes if ax.get_title())
    assert fig._suptitle.get_text() == "echo"
    assert all(ax.get_title() for ax in (ax_in, ax_heat, ax_size))
    assert ax_in.get_ylabel() and ax_heat.get_ylabel() and ax_size.get_xlabel() and ax_size.get_ylabel()
    # The bars are the input sizes, the heat map is h (units on the vertical axis), the lines are the sizes.
    assert np.allclose([bar.get_height() for bar in ax_in.patches], np.linalg.norm(x, axis=1))
    assert np.allclose(ax_heat.images[0].get_array(), h.T)
    rnn_line, ff_line = ax_size.get_lines()
    assert np.allclose(rnn_line.get_ydata(), np.linalg.norm(h, axis=1))
    assert np.allclose(ff_line.get_ydata(), np.linalg.norm(y, axis=1))
    # The colour scale is symmetric around 0 (a diverging map), spanning the largest |h|.
    low, high = ax_heat.images[0].get_clim()
    assert low == -high == -np.abs(h).max()
    plt.close(fig)


def test_the_echo_outlives_the_pulse_only_in_the_recurrent_layer(echo):
    # A sanity check of the story the figure tells, on the data it draws.
    x, h, y = echo
    assert np.all(np.linalg.norm(y[4:], axis=1) == 0)
    assert np.all(np.linalg.norm(h[4:8], axis=1) > 0)


def test_bad_shapes_are_named(echo):
    x, h, y = echo
    with pytest.raises(ValueError, match="inputs must be a 2-D array"):
        plot_pulse_echo(x[None], h, y)
    with pytest.raises(ValueError, match=r"hidden_states must have T = 12 rows"):
        plot_pulse_echo(x, h[:5], y)
