"""Plausible wrong answers for unit 4, "The gates, one at a time".

Each entry replaces the whole source of one exercise cell (keyed by the cell's grade_id) with a learner's
mistaken version. The cells run after the notebook's set-up cell, so ``np`` and ``sigmoid`` are defined.
tests/lstm_course/feedback/test_gates.py runs both checks of the exercise on each of them (fast), and the infra's autograde
test grades each with real ``nbgrader autograde`` (slow, one simulated student each: about 5-15 s apiece) and
asserts it loses marks in its own exercise. To keep that cost down this file holds the four most common
mistakes per exercise; more live in tests/lstm_course/feedback/test_gates.py (MORE_WRONG_ANSWERS), checked by the fast test.
"""

WRONG_ANSWERS = {
    "forget_gate": {
        "tanh instead of sigmoid": '''
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([x, h_prev], axis=1)
    return np.tanh(z @ W_f.T + b_f)
''',
        "missing bias": '''
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_f.T)
''',
        "[h, x] concatenation order": '''
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([h_prev, x], axis=1)
    return sigmoid(z @ W_f.T + b_f)
''',
        "weights not transposed": '''
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_f + b_f)
''',
    },
    "input_gate": {
        "tanh instead of sigmoid": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.concatenate([x, h_prev], axis=1)
    return np.tanh(z @ W_i.T + b_i)
''',
        "missing bias": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_i.T)
''',
        "[h, x] concatenation order": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.hstack([h_prev, x])
    return sigmoid(z @ W_i.T + b_i)
''',
        "bias outside the sigmoid": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_i.T) + b_i
''',
    },
    "candidate": {
        "sigmoid instead of tanh": '''
def candidate(x, h_prev, W_g, b_g):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_g.T + b_g)
''',
        "no activation": '''
def candidate(x, h_prev, W_g, b_g):
    z = np.concatenate([x, h_prev], axis=1)
    return z @ W_g.T + b_g
''',
        "missing bias": '''
def candidate(x, h_prev, W_g, b_g):
    z = np.concatenate([x, h_prev], axis=1)
    return np.tanh(z @ W_g.T)
''',
        "[h, x] concatenation order": '''
def candidate(x, h_prev, W_g, b_g):
    z = np.concatenate([h_prev, x], axis=1)
    return np.tanh(z @ W_g.T + b_g)
''',
    },
    "cell_update": {
        "swapped gates (f * g + i * c_prev)": '''
def cell_update(c_prev, f, i, g):
    return f * g + i * c_prev
''',
        "forget gate left out": '''
def cell_update(c_prev, f, i, g):
    return c_prev + i * g
''',
        "tanh on the cell state": '''
def cell_update(c_prev, f, i, g):
    return np.tanh(f * c_prev + i * g)
''',
        "updates c_prev in place": '''
def cell_update(c_prev, f, i, g):
    c_prev *= f
    c_prev += i * g
    return c_prev
''',
    },
    "output_gate": {
        "tanh instead of sigmoid": '''
def output_gate(x, h_prev, W_o, b_o):
    z = np.concatenate([x, h_prev], axis=1)
    return np.tanh(z @ W_o.T + b_o)
''',
        "missing bias": '''
def output_gate(x, h_prev, W_o, b_o):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_o.T)
''',
        "[h, x] concatenation order": '''
def output_gate(x, h_prev, W_o, b_o):
    z = np.concatenate([h_prev, x], axis=1)
    return sigmoid(z @ W_o.T + b_o)
''',
        "weights not transposed (np.dot(z, W_o))": '''
def output_gate(x, h_prev, W_o, b_o):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(np.dot(z, W_o) + b_o)
''',
    },
    "hidden_state": {
        "no tanh on the cell state (the tutorial's h = s * o)": '''
def hidden_state(c, o):
    return o * c
''',
        "tanh of the product": '''
def hidden_state(c, o):
    return np.tanh(o * c)
''',
        "output gate left out": '''
def hidden_state(c, o):
    return np.tanh(c)
''',
        "sigmoid instead of tanh": '''
def hidden_state(c, o):
    return o * sigmoid(c)
''',
    },
}
