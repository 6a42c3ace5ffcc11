"""Plausible wrong answers for unit 5, "The whole cell and the sequence".

Each entry replaces the whole source of one exercise cell (keyed by the cell's grade_id) with a learner's
mistaken version. The cells run after the notebook's set-up cell, so ``np``, ``lstm_ref``, ``sigmoid`` and
``TutorialParams`` are defined. tests/lstm_course/feedback/test_cell.py runs every check on each of them (fast); the infra's
autograde test runs them through real ``nbgrader autograde`` (slow) and asserts each loses marks in its own
exercise.
"""

WRONG_ANSWERS = {
    "lstm_step": {
        "gate blocks read in the order f, i, g, o": '''
def lstm_step(x, h_prev, c_prev, params):
    H = params.hidden_size
    z = np.concatenate([x, h_prev], axis=1)
    a = z @ params.W.T + params.b
    f, i, g, o = np.split(a, 4, axis=1)
    f, i, o = sigmoid(f), sigmoid(i), sigmoid(o)
    g = np.tanh(g)
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''',
        "gate blocks read in the order i, f, o, g": '''
def lstm_step(x, h_prev, c_prev, params):
    H = params.hidden_size
    z = np.concatenate([x, h_prev], axis=1)
    a = z @ params.W.T + params.b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''',
        "missing tanh on the cell state (h = o * c, the tutorial's bug)": '''
def lstm_step(x, h_prev, c_prev, params):
    H = params.hidden_size
    z = np.concatenate([x, h_prev], axis=1)
    a = z @ params.W.T + params.b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    h = o * c
    return h, c
''',
        "z built as [h_prev, x]": '''
def lstm_step(x, h_prev, c_prev, params):
    H = params.hidden_size
    z = np.concatenate([h_prev, x], axis=1)
    a = z @ params.W.T + params.b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''',
        "W transposed (z @ W instead of z @ W.T)": '''
def lstm_step(x, h_prev, c_prev, params):
    H = params.hidden_size
    z = np.concatenate([x, h_prev], axis=1)
    a = z @ params.W + params.b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''',
        "candidate squashed with sigmoid": '''
def lstm_step(x, h_prev, c_prev, params):
    z = np.concatenate([x, h_prev], axis=1)
    i, f, g, o = np.split(sigmoid(z @ params.W.T + params.b), 4, axis=1)
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''',
        "bias left out": '''
def lstm_step(x, h_prev, c_prev, params):
    H = params.hidden_size
    z = np.concatenate([x, h_prev], axis=1)
    a = z @ params.W.T
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''',
        "returns (c, h) instead of (h, c)": '''
def lstm_step(x, h_prev, c_prev, params):
    H = params.hidden_size
    z = np.concatenate([x, h_prev], axis=1)
    a = z @ params.W.T + params.b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    return c, o * np.tanh(c)
''',
        "cell state updated in place (c_prev *= f)": '''
def lstm_step(x, h_prev, c_prev, params):
    H = params.hidden_size
    z = np.concatenate([x, h_prev], axis=1)
    a = z @ params.W.T + params.b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c_prev *= f
    c_prev += i * g
    return o * np.tanh(c_prev), c_prev.copy()
''',
    },
    "lstm_forward": {
        "cell state not carried (every step starts from c0)": '''
def lstm_forward(x, params, h0=None, c0=None):
    B, T, _ = x.shape
    H = params.hidden_size
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0
    c0 = np.zeros((B, H), dtype=x.dtype) if c0 is None else c0
    hs = np.empty((B, T, H), dtype=x.dtype)
    for t in range(T):
        h, c, _ = lstm_ref.lstm_step(x[:, t], h, c0, params)
        hs[:, t] = h
    return hs, (h, c)
''',
        "off by one in time (hs[:, t] stored before the step)": '''
def lstm_forward(x, params, h0=None, c0=None):
    B, T, _ = x.shape
    H = params.hidden_size
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0
    c = np.zeros((B, H), dtype=x.dtype) if c0 is None else c0
    hs = np.empty((B, T, H), dtype=x.dtype)
    for t in range(T):
        hs[:, t] = h
        h, c, _ = lstm_ref.lstm_step(x[:, t], h, c, params)
    return hs, (h, c)
''',
        "h0 and c0 ignored (always zeros)": '''
def lstm_forward(x, params, h0=None, c0=None):
    B, T, _ = x.shape
    H = params.hidden_size
    h = np.zeros((B, H), dtype=x.dtype)
    c = np.zeros((B, H), dtype=x.dtype)
    hs = np.empty((B, T, H), dtype=x.dtype)
    for t in range(T):
        h, c, _ = lstm_ref.lstm_step(x[:, t], h, c, params)
        hs[:, t] = h
    return hs, (h, c)
''',
        "sequence read backwards": '''
def lstm_forward(x, params, h0=None, c0=None):
    B, T, _ = x.shape
    H = params.hidden_size
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0
    c = np.zeros((B, H), dtype=x.dtype) if c0 is None else c0
    hs = np.empty((B, T, H), dtype=x.dtype)
    for t in range(T):
        h, c, _ = lstm_ref.lstm_step(x[:, T - 1 - t], h, c, params)
        hs[:, t] = h
    return hs, (h, c)
''',
        "final states (c_T, h_T) in the wrong order": '''
def lstm_forward(x, params, h0=None, c0=None):
    B, T, _ = x.shape
    H = params.hidden_size
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0
    c = np.zeros((B, H), dtype=x.dtype) if c0 is None else c0
    hs = np.empty((B, T, H), dtype=x.dtype)
    for t in range(T):
        h, c, _ = lstm_ref.lstm_step(x[:, t], h, c, params)
        hs[:, t] = h
    return hs, (c, h)
''',
        "zero states in float64 whatever x's dtype": '''
def lstm_forward(x, params, h0=None, c0=None):
    B, T, _ = x.shape
    H = params.hidden_size
    h = np.zeros((B, H)) if h0 is None else h0
    c = np.zeros((B, H)) if c0 is None else c0
    hs = np.empty((B, T, H))
    for t in range(T):
        h, c, _ = lstm_ref.lstm_step(x[:, t], h, c, params)
        hs[:, t] = h
    return hs, (h, c)
''',
    },
    "init_tutorial_params": {
        "a new generator from the same seed for every array (the tutorial's bug)": '''
def init_tutorial_params(input_size, hidden_size, seed):
    D, H = input_size, hidden_size

    def draw(*shape):
        return np.random.default_rng(seed).uniform(-0.1, 0.1, size=shape)

    return TutorialParams(wg=draw(H, D + H), wi=draw(H, D + H), wf=draw(H, D + H), wo=draw(H, D + H),
                          bg=draw(H), bi=draw(H), bf=draw(H), bo=draw(H))
''',
        "global np.random.seed (changes everyone's random numbers)": '''
def init_tutorial_params(input_size, hidden_size, seed):
    D, H = input_size, hidden_size
    np.random.seed(seed)
    weights = {name: np.random.uniform(-0.1, 0.1, size=(H, D + H)) for name in ("wg", "wi", "wf", "wo")}
    biases = {name: np.random.uniform(-0.1, 0.1, size=H) for name in ("bg", "bi", "bf", "bo")}
    return TutorialParams(**weights, **biases)
''',
        "seed ignored (not repeatable)": '''
def init_tutorial_params(input_size, hidden_size, seed):
    rng = np.random.default_rng()
    D, H = input_size, hidden_size
    weights = {name: rng.uniform(-0.1, 0.1, size=(H, D + H)) for name in ("wg", "wi", "wf", "wo")}
    biases = {name: rng.uniform(-0.1, 0.1, size=H) for name in ("bg", "bi", "bf", "bo")}
    return TutorialParams(**weights, **biases)
''',
        "normal instead of uniform in [-0.1, 0.1)": '''
def init_tutorial_params(input_size, hidden_size, seed):
    rng = np.random.default_rng(seed)
    D, H = input_size, hidden_size
    weights = {name: rng.normal(0.0, 0.1, size=(H, D + H)) for name in ("wg", "wi", "wf", "wo")}
    biases = {name: rng.normal(0.0, 0.1, size=H) for name in ("bg", "bi", "bf", "bo")}
    return TutorialParams(**weights, **biases)
''',
        "uniform in [0, 0.1) instead of [-0.1, 0.1)": '''
def init_tutorial_params(input_size, hidden_size, seed):
    rng = np.random.default_rng(seed)
    D, H = input_size, hidden_size
    weights = {name: rng.random((H, D + H)) * 0.1 for name in ("wg", "wi", "wf", "wo")}
    biases = {name: rng.random(H) * 0.1 for name in ("bg", "bi", "bf", "bo")}
    return TutorialParams(**weights, **biases)
''',
        "weights of shape (H, D), without the hidden-state columns": '''
def init_tutorial_params(input_size, hidden_size, seed):
    rng = np.random.default_rng(seed)
    D, H = input_size, hidden_size
    weights = {name: rng.uniform(-0.1, 0.1, size=(H, D)) for name in ("wg", "wi", "wf", "wo")}
    biases = {name: rng.uniform(-0.1, 0.1, size=H) for name in ("bg", "bi", "bf", "bo")}
    return TutorialParams(**weights, **biases)
''',
    },
}
