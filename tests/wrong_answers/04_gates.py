"""Plausible wrong answers for unit 4, "The gates, one at a time".

Each entry replaces the whole source of one exercise cell (keyed by the cell's grade_id) with a learner's
mistaken version. The cells run after the notebook's set-up cell, so ``np`` and ``sigmoid`` are defined.
tests/feedback/test_gates.py runs every check on each of them (fast); the infra's autograde test runs them through
real ``nbgrader autograde`` (slow) and asserts each loses marks in its own exercise.
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
        "column-vector style W @ z.T (the tutorial's per-sample layout)": '''
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(W_f @ z.T + b_f[:, None])
''',
        "flipped gate (1 - f: 'forget' read as 1 = erase)": '''
def forget_gate(x, h_prev, W_f, b_f):
    z = np.concatenate([x, h_prev], axis=1)
    return 1 - sigmoid(z @ W_f.T + b_f)
''',
        "previous hidden state ignored": '''
def forget_gate(x, h_prev, W_f, b_f):
    D = x.shape[1]
    return sigmoid(x @ W_f[:, :D].T + b_f)
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
        "bias subtracted": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_i.T - b_i)
''',
        "bias outside the sigmoid": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_i.T) + b_i
''',
        "concatenated along the batch axis": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.concatenate([x, h_prev])
    return sigmoid(z @ W_i.T + b_i)
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
        "input only (h_prev dropped)": '''
def candidate(x, h_prev, W_g, b_g):
    return np.tanh(x @ W_g[:, :x.shape[1]].T + b_g)
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
        "input gate left out": '''
def cell_update(c_prev, f, i, g):
    return f * c_prev + g
''',
        "tanh on the cell state": '''
def cell_update(c_prev, f, i, g):
    return np.tanh(f * c_prev + i * g)
''',
        "(1 - f) as the keep fraction": '''
def cell_update(c_prev, f, i, g):
    return (1 - f) * c_prev + i * g
''',
        "matrix product instead of elementwise": '''
def cell_update(c_prev, f, i, g):
    return f @ c_prev.T + i @ g.T
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
        "x and h_prev with their own sigmoid each": '''
def output_gate(x, h_prev, W_o, b_o):
    D = x.shape[1]
    return sigmoid(x @ W_o[:, :D].T + b_o) * sigmoid(h_prev @ W_o[:, D:].T)
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
        "tanh applied to the gate instead of the cell": '''
def hidden_state(c, o):
    return c * np.tanh(o)
''',
    },
}
