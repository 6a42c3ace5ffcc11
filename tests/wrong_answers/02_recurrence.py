"""Plausible wrong answers for unit 2 (02_recurrence), one complete replacement per solution cell.

Each must lose marks: ``tests/lstm_course/feedback/test_recurrence.py`` runs the checks on them directly, and the grading
tests run them through real ``nbgrader autograde``. The cells rely on the notebook's set-up cell for ``np``.
"""

WRONG_ANSWERS = {
    "rnn_step": {
        "sigmoid instead of tanh": '''
def rnn_step(x_t, h_prev, W, b):
    z = np.concatenate([x_t, h_prev], axis=1)
    return 1.0 / (1.0 + np.exp(-(z @ W.T + b)))
''',
        "missing bias": '''
def rnn_step(x_t, h_prev, W, b):
    z = np.concatenate([x_t, h_prev], axis=1)
    return np.tanh(z @ W.T)
''',
        "[h, x] order": '''
def rnn_step(x_t, h_prev, W, b):
    z = np.concatenate([h_prev, x_t], axis=1)
    return np.tanh(z @ W.T + b)
''',
        "transposed W": '''
def rnn_step(x_t, h_prev, W, b):
    z = np.concatenate([x_t, h_prev], axis=1)
    return np.tanh(z @ W + b)
''',
        "no activation": '''
def rnn_step(x_t, h_prev, W, b):
    z = np.concatenate([x_t, h_prev], axis=1)
    return z @ W.T + b
''',
        "previous state ignored": '''
def rnn_step(x_t, h_prev, W, b):
    D = x_t.shape[1]
    return np.tanh(x_t @ W[:, :D].T + b)
''',
        "updates h_prev in place": '''
def rnn_step(x_t, h_prev, W, b):
    z = np.concatenate([x_t, h_prev], axis=1)
    h_prev[...] = np.tanh(z @ W.T + b)
    return h_prev
''',
    },
    "rnn_forward": {
        "state not carried": '''
def rnn_forward(x, h0, W, b):
    B, T, _ = x.shape
    hs = np.zeros((B, T, W.shape[0]))
    for t in range(T):
        z = np.concatenate([x[:, t], h0], axis=1)
        hs[:, t] = np.tanh(z @ W.T + b)
    return hs
''',
        "stores h_{t-1} instead of h_t": '''
def rnn_forward(x, h0, W, b):
    B, T, _ = x.shape
    hs = np.zeros((B, T, W.shape[0]))
    h = h0
    for t in range(T):
        hs[:, t] = h
        h = np.tanh(np.concatenate([x[:, t], h], axis=1) @ W.T + b)
    return hs
''',
        "first step dropped": '''
def rnn_forward(x, h0, W, b):
    B, T, _ = x.shape
    hs = np.zeros((B, T, W.shape[0]))
    h = h0
    for t in range(1, T):
        h = np.tanh(np.concatenate([x[:, t], h], axis=1) @ W.T + b)
        hs[:, t] = h
    return hs
''',
        "last step dropped": '''
def rnn_forward(x, h0, W, b):
    B, T, _ = x.shape
    hs = np.zeros((B, T, W.shape[0]))
    h = h0
    for t in range(T - 1):
        h = np.tanh(np.concatenate([x[:, t], h], axis=1) @ W.T + b)
        hs[:, t] = h
    return hs
''',
        "h0 ignored": '''
def rnn_forward(x, h0, W, b):
    B, T, _ = x.shape
    H = W.shape[0]
    hs = np.zeros((B, T, H))
    h = np.zeros((B, H))
    for t in range(T):
        h = np.tanh(np.concatenate([x[:, t], h], axis=1) @ W.T + b)
        hs[:, t] = h
    return hs
''',
        "returns only the last state": '''
def rnn_forward(x, h0, W, b):
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(np.concatenate([x[:, t], h], axis=1) @ W.T + b)
    return h
''',
        "time axis taken as batch axis": '''
def rnn_forward(x, h0, W, b):
    B, T, _ = x.shape
    hs = np.zeros((B, T, W.shape[0]))
    h = h0
    for t in range(T):
        h = np.tanh(np.concatenate([x[t], h], axis=1) @ W.T + b)
        hs[:, t] = h
    return hs
''',
    },
}
