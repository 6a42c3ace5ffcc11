"""Plausible wrong answers for unit 1, "Welcome": the stable sigmoid and its derivative.

Each entry replaces the whole source of one exercise cell (keyed by the cell's grade_id) with a learner's
mistaken version; the cells run after the notebook's set-up cell, so ``np`` is defined. Some mistakes give
wrong values; others give the right values but overflow, change their input or lose float32, which only the
checks on extreme inputs and other dtypes catch. tests/lstm_course/feedback/test_welcome.py runs every check on each of
them; tests/notebooks/test_autograde_wrong_answers.py grades them with real ``nbgrader autograde``.
"""

WRONG_ANSWERS = {
    "sigmoid": {
        "textbook formula overflows for large negative x": '''
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
''',
        "split by sign with np.where (both branches computed)": '''
def sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
''',
        "tanh instead of sigmoid": '''
def sigmoid(x):
    return np.tanh(x)
''',
        "tanh identity without halving x": '''
def sigmoid(x):
    return 0.5 * (1 + np.tanh(x))
''',
        "float32 input upcast to float64": '''
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return 0.5 * (1 + np.tanh(x / 2))
''',
        "halves the caller's array in place": '''
def sigmoid(x):
    x *= 0.5
    return 0.5 * (1 + np.tanh(x))
''',
    },
    "sigmoid_derivative": {
        "output form s * (1 - s) applied to x": '''
def sigmoid_derivative(x):
    return x * (1 - x)
''',
        "tanh's derivative pattern 1 - sigmoid(x)**2": '''
def sigmoid_derivative(x):
    s = 0.5 * (1 + np.tanh(x / 2))
    return 1 - s ** 2
''',
        "exp formula overflows for large negative x": '''
def sigmoid_derivative(x):
    return np.exp(-x) / (1 + np.exp(-x)) ** 2
''',
        "plus sign: s * (1 + s)": '''
def sigmoid_derivative(x):
    s = 0.5 * (1 + np.tanh(x / 2))
    return s * (1 + s)
''',
        "float32 input upcast to float64": '''
def sigmoid_derivative(x):
    s = 0.5 * (1 + np.tanh(np.asarray(x, dtype=np.float64) / 2))
    return s * (1 - s)
''',
    },
}
