"""Bad inputs fail at once with a message naming the argument, the expected and the received shape/dtype."""

import numpy as np
import pytest

from lstm_ref import (
    LSTMParams,
    RNNParams,
    cell_update,
    concat_input,
    forget_gate,
    hidden_state,
    lstm_backward,
    lstm_forward,
    lstm_step,
    lstm_step_backward,
    rnn_backward,
    rnn_forward,
    rnn_step,
    rnn_step_backward,
)

B, T, D, H = 2, 3, 3, 4


def fails(error, function, *args, contains=(), **kwargs):
    """Call and check the error type and that every fragment appears literally in the message."""
    with pytest.raises(error) as caught:
        function(*args, **kwargs)
    message = str(caught.value)
    for fragment in contains:
        assert fragment in message, f"{fragment!r} not in message: {message}"
    return message


@pytest.fixture
def setup():
    rng = np.random.default_rng(0)
    p = LSTMParams.init(D, H, rng=rng)
    x = rng.normal(size=(B, D))
    h = rng.normal(size=(B, H))
    c = rng.normal(size=(B, H))
    return p, x, h, c


# ------------------------------------------------------------------------------------------- lstm_step
def test_step_shapes(setup):
    p, x, h, c = setup
    fails(ValueError, lstm_step, x[:, :2], h, c, p, contains=("x must have shape (B, D) = (B, 3)", "got (2, 2)"))
    fails(ValueError, lstm_step, x[None], h, c, p,
          contains=("x must be a 2-D array of shape (B, D) = (B, 3)", "got a 3-D array of shape (1, 2, 3)",
                    "lstm_forward"))
    fails(ValueError, lstm_step, x, h.T, c, p, contains=("h_prev must have shape (B, H) = (2, 4)", "got (4, 2)"))
    fails(ValueError, lstm_step, x, h, c[:, :3], p, contains=("c_prev must have shape (B, H) = (2, 4)", "got (2, 3)"))


def test_no_silent_broadcast_of_a_single_state_row(setup):
    p, x, h, c = setup
    fails(ValueError, lstm_step, x, h[:1], c, p, contains=("h_prev", "(2, 4)", "got (1, 4)"))
    fails(ValueError, lstm_step, x, h, c[0], p, contains=("c_prev must be a 2-D array", "got a 1-D array of shape (4,)"))


def test_step_dtypes(setup):
    p, x, h, c = setup
    fails(TypeError, lstm_step, x.astype(int), h, c, p, contains=("x must hold floating-point numbers", "int64"))
    fails(TypeError, lstm_step, x, h.astype(object), c, p, contains=("h_prev", "object"))
    fails(TypeError, lstm_step, x.tolist(), h, c, p, contains=("x must be a NumPy array", "list"))
    fails(TypeError, lstm_step, x.astype(np.float32), h, c, p, contains=("x has dtype float32", "float64"))
    fails(TypeError, lstm_step, x, h, c.astype(np.float16), p, contains=("c_prev", "float16"))
    p32 = p.astype(np.float32)
    fails(TypeError, lstm_step, x.astype(np.float32), h, c, p32, contains=("h_prev has dtype float64", "float32"))


def test_step_params(setup):
    p, x, h, c = setup
    fails(TypeError, lstm_step, x, h, c, RNNParams.init(D, H, rng=0), contains=("p must be a LSTMParams", "RNNParams"))
    bad = p.copy()
    bad.b[5] = np.inf
    fails(ValueError, lstm_step, x, h, c, bad, contains=("p.b contains 1 NaN or infinite", "(5,)"))
    bad = p.copy()
    bad.W[0, 0] = np.nan
    fails(ValueError, lstm_forward, x[:, None], bad, contains=("p.W contains", "(0, 0)"))


def test_step_backward(setup):
    p, x, h, c = setup
    _, _, cache = lstm_step(x, h, c, p)
    fails(ValueError, lstm_step_backward, h.T, c, cache, contains=("dh must have shape (B, H) = (2, 4)", "got (4, 2)"))
    fails(TypeError, lstm_step_backward, h, c.astype(np.float32), cache, contains=("dc has dtype float32",))
    fails(TypeError, lstm_step_backward, h, c, (cache.z, cache.gates),
          contains=("cache must be the LSTMStepCache returned by lstm_step", "tuple"))


# ---------------------------------------------------------------------------------------- sequences
def test_forward_inputs(setup):
    p, x, h, c = setup
    xs = np.zeros((B, T, D))
    fails(ValueError, lstm_forward, x, p,
          contains=("x must be a 3-D array of shape (B, T, D) = (B, T, 3)", "got a 2-D array of shape (2, 3)",
                    "x[:, None, :]"))
    fails(ValueError, lstm_forward, np.zeros((B, T, 5)), p, contains=("(B, T, D) = (B, T, 3)", "got (2, 3, 5)"))
    fails(ValueError, lstm_forward, xs, p, h0=np.zeros((3, H)), contains=("h0 must have shape (B, H) = (2, 4)", "(3, 4)"))
    fails(ValueError, lstm_forward, xs, p, c0=np.zeros((B, 5)), contains=("c0 must have shape (B, H) = (2, 4)", "(2, 5)"))
    fails(ValueError, lstm_forward, np.zeros((B, 0, D)), p, contains=("at least one step", "(2, 0, 3)"))
    fails(TypeError, lstm_forward, xs, p, c0=np.zeros((B, H), dtype=np.float32), contains=("c0 has dtype float32",))


def test_backward_inputs(setup):
    p, *_ = setup
    hs, _, cache = lstm_forward(np.zeros((B, T, D)), p)
    fails(ValueError, lstm_backward, hs[:, :2], cache,
          contains=("dhs must have shape (B, T, H) = (2, 3, 4)", "got (2, 2, 4)"))
    fails(ValueError, lstm_backward, hs.transpose(1, 0, 2), cache, contains=("dhs", "(2, 3, 4)", "got (3, 2, 4)"))
    fails(ValueError, lstm_backward, hs, cache, dh_T=np.zeros(H), contains=("dh_T must be a 2-D array",))
    fails(TypeError, lstm_backward, hs, cache, dc_T=np.zeros((B, H), dtype=int), contains=("dc_T", "int"))
    _, _, step_cache = lstm_step(np.zeros((B, D)), np.zeros((B, H)), np.zeros((B, H)), p)
    fails(TypeError, lstm_backward, hs, step_cache, contains=("LSTMCache returned by lstm_forward", "LSTMStepCache"))


# ------------------------------------------------------------------------------------------------ RNN
def test_rnn_inputs():
    p = RNNParams.init(D, H, rng=0)
    fails(ValueError, rnn_step, np.zeros((B, D)), np.zeros((H, B)), p,
          contains=("h_prev must have shape (B, H) = (2, 4)", "got (4, 2)"))
    fails(TypeError, rnn_step, np.zeros((B, D)), np.zeros((B, H)), LSTMParams.init(D, H, rng=0),
          contains=("p must be a RNNParams", "LSTMParams"))
    fails(ValueError, rnn_forward, np.zeros((B, T, D + 1)), p, contains=("x must have shape (B, T, D) = (B, T, 3)",))
    fails(TypeError, rnn_forward, np.zeros((B, T, D), dtype=np.float32), p, contains=("x has dtype float32",))
    hs, _, cache = rnn_forward(np.zeros((B, T, D)), p)
    fails(ValueError, rnn_backward, hs[:, :, :2], cache, contains=("dhs must have shape (B, T, H) = (2, 3, 4)",))
    h, step_cache = rnn_step(np.zeros((B, D)), np.zeros((B, H)), p)
    fails(ValueError, rnn_step_backward, h[:1], step_cache, contains=("dh must have shape (B, H) = (2, 4)", "(1, 4)"))
    fails(TypeError, rnn_backward, hs, step_cache, contains=("RNNCache returned by rnn_forward",))


# ---------------------------------------------------------------------------------------------- gates
def test_gate_functions(setup):
    p, x, h, c = setup
    fails(ValueError, forget_gate, x, p, contains=("z must have shape (B, D + H) = (B, 7)", "got (2, 3)"))
    fails(TypeError, forget_gate, np.concatenate([x, h], 1).astype(np.float32), p, contains=("z has dtype float32",))
    fails(ValueError, concat_input, x, h[:1], contains=("h_prev must have shape (B, H) = (2, H)", "(1, 4)"))
    fails(ValueError, cell_update, c, h.T, h, h,
          contains=("f must have shape (B, H) = (2, 4) (the shape of c_prev)", "got (4, 2)"))
    fails(TypeError, hidden_state, c, (h > 0), contains=("o must hold floating-point numbers", "bool"))
