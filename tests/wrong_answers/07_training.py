"""Plausible wrong answers for unit 7 (07_training), one complete replacement per solution cell.

Each entry replaces the whole source of one exercise cell (keyed by the cell's grade_id) with a learner's
mistaken version. The cells run after the notebook's set-up cell, so ``np``, ``mean_squared_error`` and
``clip_by_global_norm`` are defined. ``tests/lstm_course/feedback/test_training.py`` runs every check on each of them
(fast); the infra's autograde test runs them through real ``nbgrader autograde`` (slow) and asserts each loses
marks in its own exercise.
"""

WRONG_ANSWERS = {
    "sgd_momentum_update": {
        "update with + instead of -": '''
def sgd_momentum_update(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity + grad
    return param + lr * new_velocity, new_velocity
''',
        "momentum sign flipped (velocity = momentum * velocity - grad)": '''
def sgd_momentum_update(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity - grad
    return param + lr * new_velocity, new_velocity
''',
        "old velocity used in the step": '''
def sgd_momentum_update(param, grad, velocity, lr, momentum):
    new_param = param - lr * velocity
    new_velocity = momentum * velocity + grad
    return new_param, new_velocity
''',
        "momentum ignored": '''
def sgd_momentum_update(param, grad, velocity, lr, momentum):
    return param - lr * grad, grad
''',
        "running average instead of a sum (Adam's m)": '''
def sgd_momentum_update(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity + (1 - momentum) * grad
    return param - lr * new_velocity, new_velocity
''',
        "updates its arguments in place": '''
def sgd_momentum_update(param, grad, velocity, lr, momentum):
    velocity *= momentum
    velocity += grad
    param -= lr * velocity
    return param, velocity
''',
    },
    "adam_update": {
        "no bias correction": '''
def adam_update(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad ** 2
    return param - lr * new_m / (np.sqrt(new_v) + eps), new_m, new_v
''',
        "square root missing": '''
def adam_update(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = new_m / (1 - beta1 ** t)
    v_hat = new_v / (1 - beta2 ** t)
    return param - lr * m_hat / (v_hat + eps), new_m, new_v
''',
        "step counted from 0 (t - 1 in the corrections)": '''
def adam_update(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = new_m / (1 - beta1 ** (t - 1))
    v_hat = new_v / (1 - beta2 ** (t - 1))
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
''',
        "eps inside the square root": '''
def adam_update(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = new_m / (1 - beta1 ** t)
    v_hat = new_v / (1 - beta2 ** t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), new_m, new_v
''',
        "v averages grad, not grad squared": '''
def adam_update(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * np.abs(grad)
    m_hat = new_m / (1 - beta1 ** t)
    v_hat = new_v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
''',
        "update with + instead of -": '''
def adam_update(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = new_m / (1 - beta1 ** t)
    v_hat = new_v / (1 - beta2 ** t)
    return param + lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
''',
        "bias-corrected moments stored as the new state": '''
def adam_update(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = (beta1 * m + (1 - beta1) * grad) / (1 - beta1 ** t)
    v = (beta2 * v + (1 - beta2) * grad ** 2) / (1 - beta2 ** t)
    return param - lr * m / (np.sqrt(v) + eps), m, v
''',
        "default hyper-parameters hard-coded": '''
def adam_update(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = 0.9 * m + 0.1 * grad
    new_v = 0.999 * v + 0.001 * grad ** 2
    m_hat = new_m / (1 - 0.9 ** t)
    v_hat = new_v / (1 - 0.999 ** t)
    return param - 0.001 * m_hat / (np.sqrt(v_hat) + 1e-8), new_m, new_v
''',
    },
    "clip_gradients": {
        "each array clipped on its own": '''
def clip_gradients(grads, max_norm):
    clipped = {}
    for name, g in grads.items():
        own_norm = np.sqrt(np.sum(g ** 2))
        clipped[name] = g * min(1.0, max_norm / own_norm) if own_norm > 0 else g
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return clipped, norm
''',
        "values clipped one by one (np.clip)": '''
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}, norm
''',
        "scale factor upside down": '''
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        return {name: g * norm / max_norm for name, g in grads.items()}, norm
    return {name: g.copy() for name, g in grads.items()}, norm
''',
        "always rescaled to max_norm (normalising, not clipping)": '''
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {name: g * max_norm / norm for name, g in grads.items()}, norm
''',
        "square root missing from the norm": '''
def clip_gradients(grads, max_norm):
    norm = sum(np.sum(g ** 2) for g in grads.values())
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in grads.items()}, norm
''',
        "norm returned after clipping": '''
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    clipped = {name: g * scale for name, g in grads.items()}
    return clipped, np.sqrt(sum(np.sum(g ** 2) for g in clipped.values()))
''',
        "global norm as the sum of each array's norm": '''
def clip_gradients(grads, max_norm):
    norm = sum(np.linalg.norm(g) for g in grads.values())
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in grads.items()}, norm
''',
    },
    "train_step": {
        "clipped gradients never reach the optimiser": '''
def train_step(model, inputs, targets, optimiser, max_norm):
    predictions, cache = model.forward(inputs)
    loss, dpredictions = mean_squared_error(predictions, targets)
    grads = model.backward(dpredictions, cache)
    clipped, grad_norm = clip_by_global_norm(grads, max_norm)
    optimiser.step(model.parameters(), grads)
    return loss, grad_norm
''',
        "gradients never reset (summed over all steps)": '''
grad_sum = {}

def train_step(model, inputs, targets, optimiser, max_norm):
    predictions, cache = model.forward(inputs)
    loss, dpredictions = mean_squared_error(predictions, targets)
    grads = model.backward(dpredictions, cache)
    for name, g in grads.items():          # like the tutorial's `wg_diff += ...`, but never set back to zero
        grad_sum[name] = grad_sum.get(name, 0) + g
    clipped, grad_norm = clip_by_global_norm(grad_sum, max_norm)
    optimiser.step(model.parameters(), clipped)
    return loss, grad_norm
''',
        "loss arguments swapped (gradient ascent)": '''
def train_step(model, inputs, targets, optimiser, max_norm):
    predictions, cache = model.forward(inputs)
    loss, dpredictions = mean_squared_error(targets, predictions)
    grads = model.backward(dpredictions, cache)
    clipped, grad_norm = clip_by_global_norm(grads, max_norm)
    optimiser.step(model.parameters(), clipped)
    return loss, grad_norm
''',
        "optimiser updates copies of the parameters": '''
def train_step(model, inputs, targets, optimiser, max_norm):
    predictions, cache = model.forward(inputs)
    loss, dpredictions = mean_squared_error(predictions, targets)
    grads = model.backward(dpredictions, cache)
    clipped, grad_norm = clip_by_global_norm(grads, max_norm)
    params = {name: value.copy() for name, value in model.parameters().items()}
    optimiser.step(params, clipped)
    return loss, grad_norm
''',
        "loss reported after the update": '''
def train_step(model, inputs, targets, optimiser, max_norm):
    predictions, cache = model.forward(inputs)
    loss, dpredictions = mean_squared_error(predictions, targets)
    grads = model.backward(dpredictions, cache)
    clipped, grad_norm = clip_by_global_norm(grads, max_norm)
    optimiser.step(model.parameters(), clipped)
    loss, _ = mean_squared_error(model.predict(inputs), targets)
    return loss, grad_norm
''',
        "norm reported after clipping": '''
def train_step(model, inputs, targets, optimiser, max_norm):
    predictions, cache = model.forward(inputs)
    loss, dpredictions = mean_squared_error(predictions, targets)
    grads = model.backward(dpredictions, cache)
    clipped, grad_norm = clip_by_global_norm(grads, max_norm)
    optimiser.step(model.parameters(), clipped)
    return loss, np.sqrt(sum(np.sum(g ** 2) for g in clipped.values()))
''',
    },
}
