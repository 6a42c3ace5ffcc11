"""Plausible wrong answers for unit 8 (08_capstone), one complete replacement per solution cell.

Each entry replaces the whole source of one exercise cell (keyed by the cell's grade_id) with a learner's
mistaken version. The cells run after the notebook's set-up cell, so ``np``, ``lstm_forward``, ``lstm_step``,
``SequenceModel``, ``Adam``, ``mean_squared_error`` and ``clip_by_global_norm`` are defined.
``tests/lstm_course/feedback/test_capstone.py`` runs every check on each of them (fast); the infra's autograde test runs
them through real ``nbgrader autograde`` (slow) and asserts each loses marks in its own exercise.
"""

WRONG_ANSWERS = {
    "make_windows": {
        "targets not shifted": '''
def make_windows(series, window):
    count = len(series) - window
    inputs = np.stack([series[b:b + window] for b in range(count)])
    return inputs, inputs.copy()
''',
        "one window short": '''
def make_windows(series, window):
    count = len(series) - window - 1
    inputs = np.stack([series[b:b + window] for b in range(count)])
    targets = np.stack([series[b + 1:b + 1 + window] for b in range(count)])
    return inputs, targets
''',
        "time axis first (T, B, D)": '''
def make_windows(series, window):
    count = len(series) - window
    inputs = np.stack([series[b:b + window] for b in range(count)], axis=1)
    targets = np.stack([series[b + 1:b + 1 + window] for b in range(count)], axis=1)
    return inputs, targets
''',
        "feature axis dropped": '''
def make_windows(series, window):
    values = series[:, 0]
    count = len(values) - window
    inputs = np.stack([values[b:b + window] for b in range(count)])
    targets = np.stack([values[b + 1:b + 1 + window] for b in range(count)])
    return inputs, targets
''',
        "non-overlapping windows": '''
def make_windows(series, window):
    starts = range(0, len(series) - window, window)
    inputs = np.stack([series[b:b + window] for b in starts])
    targets = np.stack([series[b + 1:b + 1 + window] for b in starts])
    return inputs, targets
''',
        "inputs and targets swapped": '''
def make_windows(series, window):
    count = len(series) - window
    inputs = np.stack([series[b:b + window] for b in range(count)])
    targets = np.stack([series[b + 1:b + 1 + window] for b in range(count)])
    return targets, inputs
''',
    },
    "forecast_forward": {
        "only the last step": '''
def forecast_forward(x, params, W_out, b_out):
    hs, (h_T, c_T), cache = lstm_forward(x, params)
    return h_T @ W_out.T + b_out
''',
        "missing bias": '''
def forecast_forward(x, params, W_out, b_out):
    hs, _, _ = lstm_forward(x, params)
    return hs @ W_out.T
''',
        "tanh on the output": '''
def forecast_forward(x, params, W_out, b_out):
    hs, _, _ = lstm_forward(x, params)
    return np.tanh(hs @ W_out.T + b_out)
''',
        "state reset at every step": '''
def forecast_forward(x, params, W_out, b_out):
    B, T, D = x.shape
    H = params.hidden_size
    outputs = []
    for t in range(T):
        h = np.zeros((B, H))
        c = np.zeros((B, H))
        h, c, _ = lstm_step(x[:, t], h, c, params)
        outputs.append(h @ W_out.T + b_out)
    return np.stack(outputs, axis=1)
''',
        "W_out not transposed": '''
def forecast_forward(x, params, W_out, b_out):
    hs, _, _ = lstm_forward(x, params)
    return hs @ W_out + b_out
''',
    },
    "train_forecaster": {
        "trained to reproduce its inputs": '''
def train_forecaster(inputs, targets, seed):
    model = SequenceModel.init("lstm", inputs.shape[2], 16, targets.shape[2], every_step=True, rng=seed)
    rng = np.random.default_rng(seed)
    optimiser = Adam(lr=0.01)
    losses = []
    for step in range(300):
        rows = rng.integers(0, len(inputs), size=32)
        predictions, cache = model.forward(inputs[rows])
        loss, dpredictions = mean_squared_error(predictions, inputs[rows])
        grads, _ = clip_by_global_norm(model.backward(dpredictions, cache), 1.0)
        optimiser.step(model.parameters(), grads)
        losses.append(loss)
    return model, losses
''',
        "the optimiser updates copies": '''
def train_forecaster(inputs, targets, seed):
    model = SequenceModel.init("lstm", inputs.shape[2], 16, targets.shape[2], every_step=True, rng=seed)
    rng = np.random.default_rng(seed)
    optimiser = Adam(lr=0.01)
    params = {name: value.copy() for name, value in model.parameters().items()}
    losses = []
    for step in range(300):
        rows = rng.integers(0, len(inputs), size=32)
        predictions, cache = model.forward(inputs[rows])
        loss, dpredictions = mean_squared_error(predictions, targets[rows])
        grads, _ = clip_by_global_norm(model.backward(dpredictions, cache), 1.0)
        optimiser.step(params, grads)
        losses.append(loss)
    return model, losses
''',
        "learning rate far too small": '''
def train_forecaster(inputs, targets, seed):
    model = SequenceModel.init("lstm", inputs.shape[2], 16, targets.shape[2], every_step=True, rng=seed)
    rng = np.random.default_rng(seed)
    optimiser = Adam(lr=1e-5)
    losses = []
    for step in range(300):
        rows = rng.integers(0, len(inputs), size=32)
        predictions, cache = model.forward(inputs[rows])
        loss, dpredictions = mean_squared_error(predictions, targets[rows])
        grads, _ = clip_by_global_norm(model.backward(dpredictions, cache), 1.0)
        optimiser.step(model.parameters(), grads)
        losses.append(loss)
    return model, losses
''',
        "loss arguments swapped (gradient ascent)": '''
def train_forecaster(inputs, targets, seed):
    model = SequenceModel.init("lstm", inputs.shape[2], 16, targets.shape[2], every_step=True, rng=seed)
    rng = np.random.default_rng(seed)
    optimiser = Adam(lr=0.01)
    losses = []
    for step in range(300):
        rows = rng.integers(0, len(inputs), size=32)
        predictions, cache = model.forward(inputs[rows])
        loss, dpredictions = mean_squared_error(targets[rows], predictions)
        grads, _ = clip_by_global_norm(model.backward(dpredictions, cache), 1.0)
        optimiser.step(model.parameters(), grads)
        losses.append(loss)
    return model, losses
''',
        "readout on the last step only": '''
def train_forecaster(inputs, targets, seed):
    model = SequenceModel.init("lstm", inputs.shape[2], 16, targets.shape[2], rng=seed)
    rng = np.random.default_rng(seed)
    optimiser = Adam(lr=0.01)
    losses = []
    for step in range(300):
        rows = rng.integers(0, len(inputs), size=32)
        predictions, cache = model.forward(inputs[rows])
        loss, dpredictions = mean_squared_error(predictions, targets[rows][:, -1])
        grads, _ = clip_by_global_norm(model.backward(dpredictions, cache), 1.0)
        optimiser.step(model.parameters(), grads)
        losses.append(loss)
    return model, losses
''',
        "far too few steps": '''
def train_forecaster(inputs, targets, seed):
    model = SequenceModel.init("lstm", inputs.shape[2], 16, targets.shape[2], every_step=True, rng=seed)
    rng = np.random.default_rng(seed)
    optimiser = Adam(lr=0.01)
    losses = []
    for step in range(10):
        rows = rng.integers(0, len(inputs), size=32)
        predictions, cache = model.forward(inputs[rows])
        loss, dpredictions = mean_squared_error(predictions, targets[rows])
        grads, _ = clip_by_global_norm(model.backward(dpredictions, cache), 1.0)
        optimiser.step(model.parameters(), grads)
        losses.append(loss)
    return model, losses
''',
    },
}
