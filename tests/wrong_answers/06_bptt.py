"""Plausible wrong answers for unit 6, "Backpropagation through time".

Each entry replaces the whole source of one exercise cell (keyed by the cell's grade_id) with a learner's
mistaken version. The cells run after the notebook's set-up cell, so ``np``, ``lstm_ref`` and ``LSTMParams`` are
defined. tests/lstm_course/feedback/test_bptt.py runs every check on each of them (fast); the infra's autograde test runs them
through real ``nbgrader autograde`` (slow) and asserts each loses marks in its own exercise.
"""

WRONG_ANSWERS = {
    "step_backward_gates": {
        "sigmoid slope s instead of s * (1 - s)": '''
def step_backward_gates(dh, dc, cache):
    i, f, g, o = cache.i, cache.f, cache.g, cache.o
    dc_total = dc + dh * o * (1.0 - cache.tanh_c ** 2)
    da_i = dc_total * g * i
    da_f = dc_total * cache.c_prev * f
    da_g = dc_total * i * (1.0 - g ** 2)
    da_o = dh * cache.tanh_c * o
    return np.concatenate([da_i, da_f, da_g, da_o], axis=1), dc_total * f
''',
        "tanh slope missing on the cell path (dc_total = dc + dh * o)": '''
def step_backward_gates(dh, dc, cache):
    i, f, g, o = cache.i, cache.f, cache.g, cache.o
    dc_total = dc + dh * o
    da_i = dc_total * g * i * (1.0 - i)
    da_f = dc_total * cache.c_prev * f * (1.0 - f)
    da_g = dc_total * i * (1.0 - g ** 2)
    da_o = dh * cache.tanh_c * o * (1.0 - o)
    return np.concatenate([da_i, da_f, da_g, da_o], axis=1), dc_total * f
''',
        "dc_prev = dc_total, without the forget gate's factor": '''
def step_backward_gates(dh, dc, cache):
    i, f, g, o = cache.i, cache.f, cache.g, cache.o
    dc_total = dc + dh * o * (1.0 - cache.tanh_c ** 2)
    da_i = dc_total * g * i * (1.0 - i)
    da_f = dc_total * cache.c_prev * f * (1.0 - f)
    da_g = dc_total * i * (1.0 - g ** 2)
    da_o = dh * cache.tanh_c * o * (1.0 - o)
    return np.concatenate([da_i, da_f, da_g, da_o], axis=1), dc_total
''',
        "dh's path into the cell state left out": '''
def step_backward_gates(dh, dc, cache):
    i, f, g, o = cache.i, cache.f, cache.g, cache.o
    da_i = dc * g * i * (1.0 - i)
    da_f = dc * cache.c_prev * f * (1.0 - f)
    da_g = dc * i * (1.0 - g ** 2)
    da_o = dh * cache.tanh_c * o * (1.0 - o)
    return np.concatenate([da_i, da_f, da_g, da_o], axis=1), dc * f
''',
        "blocks of da in the order f, i, g, o": '''
def step_backward_gates(dh, dc, cache):
    i, f, g, o = cache.i, cache.f, cache.g, cache.o
    dc_total = dc + dh * o * (1.0 - cache.tanh_c ** 2)
    da_i = dc_total * g * i * (1.0 - i)
    da_f = dc_total * cache.c_prev * f * (1.0 - f)
    da_g = dc_total * i * (1.0 - g ** 2)
    da_o = dh * cache.tanh_c * o * (1.0 - o)
    return np.concatenate([da_f, da_i, da_g, da_o], axis=1), dc_total * f
''',
        "candidate slope 1 - g instead of 1 - g**2": '''
def step_backward_gates(dh, dc, cache):
    i, f, g, o = cache.i, cache.f, cache.g, cache.o
    dc_total = dc + dh * o * (1.0 - cache.tanh_c ** 2)
    da_i = dc_total * g * i * (1.0 - i)
    da_f = dc_total * cache.c_prev * f * (1.0 - f)
    da_g = dc_total * i * (1.0 - g)
    da_o = dh * cache.tanh_c * o * (1.0 - o)
    return np.concatenate([da_i, da_f, da_g, da_o], axis=1), dc_total * f
''',
        "dc updated in place (dc += ...)": '''
def step_backward_gates(dh, dc, cache):
    i, f, g, o = cache.i, cache.f, cache.g, cache.o
    dc += dh * o * (1.0 - cache.tanh_c ** 2)
    da_i = dc * g * i * (1.0 - i)
    da_f = dc * cache.c_prev * f * (1.0 - f)
    da_g = dc * i * (1.0 - g ** 2)
    da_o = dh * cache.tanh_c * o * (1.0 - o)
    return np.concatenate([da_i, da_f, da_g, da_o], axis=1), dc * f
''',
    },
    "step_backward_weights": {
        "dW transposed (z.T @ da)": '''
def step_backward_weights(da, cache):
    D = cache.params.input_size
    dz = da @ cache.params.W
    return dz[:, :D], dz[:, D:], cache.z.T @ da, da.sum(axis=0)
''',
        "dz not split: dx and dh_prev both the whole dz": '''
def step_backward_weights(da, cache):
    dz = da @ cache.params.W
    return dz, dz, da.T @ cache.z, da.sum(axis=0)
''',
        "dz split at H instead of D": '''
def step_backward_weights(da, cache):
    H = cache.params.hidden_size
    dz = da @ cache.params.W
    return dz[:, :H], dz[:, H:], da.T @ cache.z, da.sum(axis=0)
''',
        "dx and dh_prev swapped": '''
def step_backward_weights(da, cache):
    D = cache.params.input_size
    dz = da @ cache.params.W
    return dz[:, D:], dz[:, :D], da.T @ cache.z, da.sum(axis=0)
''',
        "db averaged over the batch": '''
def step_backward_weights(da, cache):
    D = cache.params.input_size
    dz = da @ cache.params.W
    return dz[:, :D], dz[:, D:], da.T @ cache.z, da.mean(axis=0)
''',
        "dz = da @ W.T (W transposed)": '''
def step_backward_weights(da, cache):
    D = cache.params.input_size
    dz = da @ cache.params.W.T
    return dz[:, :D], dz[:, D:], da.T @ cache.z, da.sum(axis=0)
''',
    },
    "numerical_gradient": {
        "forward difference": '''
def numerical_gradient(f, array, eps=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        base = f()
        array[index] = old + eps
        above = f()
        array[index] = old
        grad[index] = (above - base) / eps
    return grad
''',
        "forward difference with a large fixed step": '''
def numerical_gradient(f, array, eps=1e-6):
    h = 1e-3
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        base = f()
        array[index] = old + h
        grad[index] = (f() - base) / h
        array[index] = old
    return grad
''',
        "array not restored after each entry": '''
def numerical_gradient(f, array, eps=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        array[index] += eps
        above = f()
        array[index] -= 2 * eps
        below = f()
        grad[index] = (above - below) / (2 * eps)
    return grad
''',
        "divided by eps instead of 2 * eps": '''
def numerical_gradient(f, array, eps=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + eps
        above = f()
        array[index] = old - eps
        below = f()
        array[index] = old
        grad[index] = (above - below) / eps
    return grad
''',
        "a copy perturbed (f never sees the change)": '''
def numerical_gradient(f, array, eps=1e-6):
    work = array.copy()
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = work[index]
        work[index] = old + eps
        above = f()
        work[index] = old - eps
        below = f()
        work[index] = old
        grad[index] = (above - below) / (2 * eps)
    return grad
''',
        "a flattened reshape perturbed (a copy for non-contiguous views)": '''
def numerical_gradient(f, array, eps=1e-6):
    flat = array.reshape(-1)
    grad = np.zeros(flat.size)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        above = f()
        flat[k] = old - eps
        below = f()
        flat[k] = old
        grad[k] = (above - below) / (2 * eps)
    return grad.reshape(array.shape)
''',
    },
    "lstm_backward": {
        "loop runs forward in time": '''
def lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None):
    p = cache.params
    B, T, H = dhs.shape
    dh_next = np.zeros((B, H)) if dh_T is None else dh_T.copy()
    dc_next = np.zeros((B, H)) if dc_T is None else dc_T.copy()
    dx = np.zeros((B, T, p.input_size))
    dW, db = np.zeros_like(p.W), np.zeros_like(p.b)
    for t in range(T):
        step = lstm_ref.LSTMStepCache(params=p, z=cache.z[t], gates=cache.gates[t], c_prev=cache.cells[t],
                                      tanh_c=cache.tanh_c[t])
        dx[:, t], dh_next, dc_next, grads = step_backward(dhs[:, t] + dh_next, dc_next, step)
        dW += grads.W
        db += grads.b
    return dx, dh_next, dc_next, LSTMParams(dW, db)
''',
        "output gradient added only at the last step": '''
def lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None):
    p = cache.params
    B, T, H = dhs.shape
    dh = dhs[:, -1] + (0.0 if dh_T is None else dh_T)
    dc = np.zeros((B, H)) if dc_T is None else dc_T.copy()
    dx = np.zeros((B, T, p.input_size))
    dW, db = np.zeros_like(p.W), np.zeros_like(p.b)
    for t in reversed(range(T)):
        step = lstm_ref.LSTMStepCache(params=p, z=cache.z[t], gates=cache.gates[t], c_prev=cache.cells[t],
                                      tanh_c=cache.tanh_c[t])
        dx[:, t], dh, dc, grads = step_backward(dh, dc, step)
        dW += grads.W
        db += grads.b
    return dx, dh, dc, LSTMParams(dW, db)
''',
        "cell-state gradient not carried (zeros at every step)": '''
def lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None):
    p = cache.params
    B, T, H = dhs.shape
    dh_next = np.zeros((B, H)) if dh_T is None else dh_T.copy()
    dc_start = np.zeros((B, H)) if dc_T is None else dc_T.copy()
    dx = np.zeros((B, T, p.input_size))
    dW, db = np.zeros_like(p.W), np.zeros_like(p.b)
    for t in reversed(range(T)):
        step = lstm_ref.LSTMStepCache(params=p, z=cache.z[t], gates=cache.gates[t], c_prev=cache.cells[t],
                                      tanh_c=cache.tanh_c[t])
        dc = dc_start if t == T - 1 else np.zeros((B, H))
        dx[:, t], dh_next, dc_prev, grads = step_backward(dhs[:, t] + dh_next, dc, step)
        dW += grads.W
        db += grads.b
    return dx, dh_next, dc_prev, LSTMParams(dW, db)
''',
        "dW and db overwritten instead of summed": '''
def lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None):
    p = cache.params
    B, T, H = dhs.shape
    dh_next = np.zeros((B, H)) if dh_T is None else dh_T.copy()
    dc_next = np.zeros((B, H)) if dc_T is None else dc_T.copy()
    dx = np.zeros((B, T, p.input_size))
    for t in reversed(range(T)):
        step = lstm_ref.LSTMStepCache(params=p, z=cache.z[t], gates=cache.gates[t], c_prev=cache.cells[t],
                                      tanh_c=cache.tanh_c[t])
        dx[:, t], dh_next, dc_next, grads = step_backward(dhs[:, t] + dh_next, dc_next, step)
        dW, db = grads.W, grads.b
    return dx, dh_next, dc_next, LSTMParams(dW, db)
''',
        "first step skipped (range(T - 1, 0, -1))": '''
def lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None):
    p = cache.params
    B, T, H = dhs.shape
    dh_next = np.zeros((B, H)) if dh_T is None else dh_T.copy()
    dc_next = np.zeros((B, H)) if dc_T is None else dc_T.copy()
    dx = np.zeros((B, T, p.input_size))
    dW, db = np.zeros_like(p.W), np.zeros_like(p.b)
    for t in range(T - 1, 0, -1):
        step = lstm_ref.LSTMStepCache(params=p, z=cache.z[t], gates=cache.gates[t], c_prev=cache.cells[t],
                                      tanh_c=cache.tanh_c[t])
        dx[:, t], dh_next, dc_next, grads = step_backward(dhs[:, t] + dh_next, dc_next, step)
        dW += grads.W
        db += grads.b
    return dx, dh_next, dc_next, LSTMParams(dW, db)
''',
        "c_prev read one step late (cells[t + 1])": '''
def lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None):
    p = cache.params
    B, T, H = dhs.shape
    dh_next = np.zeros((B, H)) if dh_T is None else dh_T.copy()
    dc_next = np.zeros((B, H)) if dc_T is None else dc_T.copy()
    dx = np.zeros((B, T, p.input_size))
    dW, db = np.zeros_like(p.W), np.zeros_like(p.b)
    for t in reversed(range(T)):
        step = lstm_ref.LSTMStepCache(params=p, z=cache.z[t], gates=cache.gates[t], c_prev=cache.cells[t + 1],
                                      tanh_c=cache.tanh_c[t])
        dx[:, t], dh_next, dc_next, grads = step_backward(dhs[:, t] + dh_next, dc_next, step)
        dW += grads.W
        db += grads.b
    return dx, dh_next, dc_next, LSTMParams(dW, db)
''',
        "final-state gradients dh_T, dc_T ignored": '''
def lstm_backward(dhs, cache, step_backward, dh_T=None, dc_T=None):
    p = cache.params
    B, T, H = dhs.shape
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    dx = np.zeros((B, T, p.input_size))
    dW, db = np.zeros_like(p.W), np.zeros_like(p.b)
    for t in reversed(range(T)):
        step = lstm_ref.LSTMStepCache(params=p, z=cache.z[t], gates=cache.gates[t], c_prev=cache.cells[t],
                                      tanh_c=cache.tanh_c[t])
        dx[:, t], dh_next, dc_next, grads = step_backward(dhs[:, t] + dh_next, dc_next, step)
        dW += grads.W
        db += grads.b
    return dx, dh_next, dc_next, LSTMParams(dW, db)
''',
    },
}
