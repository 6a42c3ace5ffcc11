"""Plausible wrong answers for unit 3 (03_gradients), one complete replacement per solution cell.

Each must lose marks: ``tests/lstm_course/feedback/test_gradients.py`` runs the checks on them directly, and the grading
tests run them through real ``nbgrader autograde``. The cells rely on the notebook's set-up cell for ``np``.
"""

WRONG_ANSWERS = {
    "one_step_jacobian": {
        "W_h transposed": '''
def one_step_jacobian(h_t, W, input_size):
    W_h = W[:, input_size:]
    return (1.0 - h_t ** 2)[:, :, None] * W_h.T
''',
        "input block of W": '''
def one_step_jacobian(h_t, W, input_size):
    H = h_t.shape[1]
    return (1.0 - h_t ** 2)[:, :, None] * W[:, :H]
''',
        "tanh derivative missing": '''
def one_step_jacobian(h_t, W, input_size):
    B, H = h_t.shape
    return np.broadcast_to(W[:, input_size:], (B, H, H)).copy()
''',
        "derivative on the columns": '''
def one_step_jacobian(h_t, W, input_size):
    return W[:, input_size:] * (1.0 - h_t ** 2)[:, None, :]
''',
        "tanh applied twice": '''
def one_step_jacobian(h_t, W, input_size):
    return (1.0 - np.tanh(h_t) ** 2)[:, :, None] * W[:, input_size:]
''',
        "sign flipped": '''
def one_step_jacobian(h_t, W, input_size):
    return (h_t ** 2 - 1.0)[:, :, None] * W[:, input_size:]
''',
    },
    "gradient_norms": {
        "product in the wrong order": '''
def gradient_norms(hs, W, input_size):
    B, T, H = hs.shape
    W_h = W[:, input_size:]
    product = np.broadcast_to(np.eye(H), (B, H, H))
    norms = np.empty((B, T + 1))
    norms[:, T] = 1.0
    for t in range(T, 0, -1):
        product = ((1.0 - hs[:, t - 1] ** 2)[:, :, None] * W_h) @ product
        norms[:, t - 1] = np.linalg.norm(product, ord=2, axis=(1, 2))
    return norms
''',
        "not accumulated": '''
def gradient_norms(hs, W, input_size):
    B, T, H = hs.shape
    W_h = W[:, input_size:]
    norms = np.ones((B, T + 1))
    for t in range(T, 0, -1):
        step = (1.0 - hs[:, t - 1] ** 2)[:, :, None] * W_h
        norms[:, t - 1] = np.linalg.norm(step, ord=2, axis=(1, 2))
    return norms
''',
        "Frobenius norm": '''
def gradient_norms(hs, W, input_size):
    B, T, H = hs.shape
    W_h = W[:, input_size:]
    product = np.broadcast_to(np.eye(H), (B, H, H))
    norms = np.empty((B, T + 1))
    norms[:, T] = np.linalg.norm(product, axis=(1, 2))
    for t in range(T, 0, -1):
        product = product @ ((1.0 - hs[:, t - 1] ** 2)[:, :, None] * W_h)
        norms[:, t - 1] = np.linalg.norm(product, axis=(1, 2))
    return norms
''',
        "off by one in time": '''
def gradient_norms(hs, W, input_size):
    B, T, H = hs.shape
    W_h = W[:, input_size:]
    product = np.broadcast_to(np.eye(H), (B, H, H))
    norms = np.empty((B, T + 1))
    norms[:, T] = 1.0
    for t in range(T, 0, -1):
        product = product @ ((1.0 - hs[:, t - 2] ** 2)[:, :, None] * W_h)
        norms[:, t - 1] = np.linalg.norm(product, ord=2, axis=(1, 2))
    return norms
''',
        "reversed columns": '''
def gradient_norms(hs, W, input_size):
    B, T, H = hs.shape
    W_h = W[:, input_size:]
    product = np.broadcast_to(np.eye(H), (B, H, H))
    norms = [np.ones(B)]
    for t in range(T, 0, -1):
        product = product @ ((1.0 - hs[:, t - 1] ** 2)[:, :, None] * W_h)
        norms.append(np.linalg.norm(product, ord=2, axis=(1, 2)))
    return np.stack(norms, axis=1)
''',
        "identity column missing": '''
def gradient_norms(hs, W, input_size):
    B, T, H = hs.shape
    W_h = W[:, input_size:]
    product = np.broadcast_to(np.eye(H), (B, H, H))
    norms = np.empty((B, T))
    for t in range(T, 0, -1):
        product = product @ ((1.0 - hs[:, t - 1] ** 2)[:, :, None] * W_h)
        norms[:, t - 1] = np.linalg.norm(product, ord=2, axis=(1, 2))
    return norms
''',
    },
}
