"""Same seed, same numbers; and nothing in lstm_ref touches NumPy's global random state."""

import numpy as np
import pytest

from lstm_ref import LSTMParams, RNNParams, lstm_backward, lstm_forward, rnn_backward, rnn_forward
from lstm_ref.tutorial_style import tutorial_params


def global_state_unchanged(action):
    """Run ``action`` and report whether NumPy's legacy global generator is exactly where it was. Any use of
    ``np.random.seed``/``np.random.rand``/... inside would move it."""
    before = np.random.get_state()
    action()
    after = np.random.get_state()
    return before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


@pytest.mark.parametrize("cls", [LSTMParams, RNNParams])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_seed_same_parameters(cls, dtype):
    a = cls.init(3, 5, rng=42, dtype=dtype)
    b = cls.init(3, 5, rng=42, dtype=dtype)
    c = cls.init(3, 5, rng=43, dtype=dtype)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert not np.array_equal(a.W, c.W)


def test_a_shared_generator_advances():
    rng = np.random.default_rng(0)
    first, second = LSTMParams.init(2, 3, rng=rng), LSTMParams.init(2, 3, rng=rng)
    assert not np.array_equal(first.W, second.W)
    replay = np.random.default_rng(0)
    assert np.array_equal(LSTMParams.init(2, 3, rng=replay).W, first.W)
    assert np.array_equal(LSTMParams.init(2, 3, rng=replay).W, second.W)


@pytest.mark.parametrize(
    "action",
    [
        lambda: LSTMParams.init(3, 4, rng=0),
        lambda: LSTMParams.init(3, 4),  # no seed: fresh entropy, still not the global generator
        lambda: RNNParams.init(3, 4, rng=np.random.default_rng(1)),
        lambda: tutorial_params(3, 4, reseed_bug=True),
        lambda: tutorial_params(3, 4, rng=0),
    ],
    ids=["lstm-seed", "lstm-none", "rnn-generator", "tutorial-bug", "tutorial-fixed"],
)
def test_global_random_state_is_never_touched(action):
    assert global_state_unchanged(action)


def test_forward_and_backward_are_deterministic():
    rng = np.random.default_rng(3)
    p = LSTMParams.init(4, 5, rng=rng)
    x = rng.normal(size=(3, 7, 4))
    R = rng.normal(size=(3, 7, 5))
    runs = []
    for _ in range(2):
        hs, _, cache = lstm_forward(x, p)
        dx, dh0, dc0, grads = lstm_backward(R, cache)
        runs.append((hs, dx, dh0, dc0, grads.W, grads.b))
    for first, second in zip(*runs):
        assert np.array_equal(first, second)

    q = RNNParams.init(4, 5, rng=rng)
    a = rnn_backward(R, rnn_forward(x, q)[2])
    b = rnn_backward(R, rnn_forward(x, q)[2])
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[2].W, b[2].W)
