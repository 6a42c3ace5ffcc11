"""Plausible wrong answers for unit 9, "A character-level LSTM".

Each entry replaces the whole source of one exercise cell (keyed by the cell's grade_id) with a learner's
mistaken version. The cells run after the notebook's set-up cell, so ``np``, ``softmax``,
``softmax_cross_entropy`` and ``clip_by_global_norm`` are defined. tests/lstm_course/feedback/test_char_lstm.py
runs every check on each of them (fast); tests/notebooks/test_autograde_wrong_answers.py runs them through real
``nbgrader autograde`` (slow) and asserts each loses marks in its own exercise.
"""

WRONG_ANSWERS = {
    "char_cross_entropy": {
        "no max shift (exp overflows)": '''
def char_cross_entropy(logits, targets):
    N = logits.shape[0]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), targets]).mean()
    dlogits = p.copy()
    dlogits[np.arange(N), targets] -= 1.0
    return float(loss), dlogits / N
''',
        "gradient not divided by N": '''
def char_cross_entropy(logits, targets):
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), targets]).mean()
    dlogits = p.copy()
    dlogits[np.arange(N), targets] -= 1.0
    return float(loss), dlogits
''',
        "gradient sign flipped (onehot - p)": '''
def char_cross_entropy(logits, targets):
    N, V = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), targets]).mean()
    onehot = np.eye(V)[targets]
    return float(loss), (onehot - p) / N
''',
        "softmax over the batch (axis 0)": '''
def char_cross_entropy(logits, targets):
    N, V = logits.shape
    shifted = logits - logits.max(axis=0, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=0, keepdims=True)
    loss = -np.log(p[np.arange(N), targets]).mean()
    return float(loss), (p - np.eye(V)[targets]) / N
''',
        "log left out of the loss": '''
def char_cross_entropy(logits, targets):
    N, V = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -p[np.arange(N), targets].mean()
    return float(loss), (p - np.eye(V)[targets]) / N
''',
    },
    "sample_char": {
        "logits multiplied by the temperature": '''
def sample_char(logits, temperature, rng):
    probabilities = softmax(logits * temperature)
    return int(rng.choice(len(logits), p=probabilities))
''',
        "temperature ignored": '''
def sample_char(logits, temperature, rng):
    probabilities = softmax(logits)
    return int(rng.choice(len(logits), p=probabilities))
''',
        "greedy: always the argmax": '''
def sample_char(logits, temperature, rng):
    return int(np.argmax(logits / temperature))
''',
        "np.random's global generator instead of rng": '''
def sample_char(logits, temperature, rng):
    probabilities = softmax(logits / temperature)
    return int(np.random.choice(len(logits), p=probabilities))
''',
        "every character equally likely": '''
def sample_char(logits, temperature, rng):
    return int(rng.integers(len(logits)))
''',
    },
    "char_train_step": {
        "gradients not clipped": '''
def char_train_step(model, inputs, targets, optimiser, max_norm):
    logits, cache = model.forward(inputs)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    optimiser.step(model.parameters(), model.backward(dlogits, cache))
    return loss
''',
        "clipped gradients computed but not used": '''
def char_train_step(model, inputs, targets, optimiser, max_norm):
    logits, cache = model.forward(inputs)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    grads = model.backward(dlogits, cache)
    clip_by_global_norm(grads, max_norm)
    optimiser.step(model.parameters(), grads)
    return loss
''',
        "each array clipped on its own": '''
def char_train_step(model, inputs, targets, optimiser, max_norm):
    logits, cache = model.forward(inputs)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    grads = model.backward(dlogits, cache)
    grads = {name: clip_by_global_norm({name: g}, max_norm)[0][name] for name, g in grads.items()}
    optimiser.step(model.parameters(), grads)
    return loss
''',
        "loss measured after the update": '''
def char_train_step(model, inputs, targets, optimiser, max_norm):
    logits, cache = model.forward(inputs)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    grads, _ = clip_by_global_norm(model.backward(dlogits, cache), max_norm)
    optimiser.step(model.parameters(), grads)
    return softmax_cross_entropy(model.forward(inputs)[0], targets)[0]
''',
        "optimiser step never taken": '''
def char_train_step(model, inputs, targets, optimiser, max_norm):
    logits, cache = model.forward(inputs)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    grads, _ = clip_by_global_norm(model.backward(dlogits, cache), max_norm)
    return loss
''',
    },
}
