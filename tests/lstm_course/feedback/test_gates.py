"""The unit 4 checks (lstm_course.feedback.gates) accept right answers and reject wrong ones, with hints.

``TestGatesChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py): every
check (public and hidden) passes on lstm_ref's own gates, on the solution notebook's code and on other correct
ways of writing the same formula; says "not implemented yet" on the student's stub; and fails on every wrong
answer in tests/wrong_answers/04_gates.py and in MORE_WRONG_ANSWERS below, the public check naming many of the
mistakes. This unit's own tests follow the class: the notebook's cell layout, the hidden checks rejecting a
wrong answer in a fresh process, and, for mistakes no hint knows, the isolation probes (weights zero, h_prev
zero, x zero; f = 1 and i = 0; o = 0) that must point at the wrong term.
"""

import json

import numpy as np
import pytest

import lstm_ref.gates as reference
from lstm_ref.activations import sigmoid
from lstm_course.feedback import CheckFailed
from lstm_course.grading import run_hidden
from lstm_course.feedback import gates as feedback
from lstm_ref.params import LSTMParams
from tests.lstm_course.feedback.unit_contract import UnitChecksContract, message_of, solution_notebook_path, solution_source

EXERCISES = ["forget_gate", "input_gate", "candidate", "cell_update", "output_gate", "hidden_state"]
GATES = {"forget_gate": "f", "input_gate": "i", "candidate": "g", "output_gate": "o"}


# ------------------------------------------------------------------------ correct answers, several styles
def named(function, name: str):
    """``function`` with a name of its own, so its test id says which correct answer it is."""
    function.__name__ = function.__qualname__ = name
    return function


def reference_gate(name: str):
    """lstm_ref's gate wrapped into the exercise's signature (x, h_prev, W_gate, b_gate)."""

    def gate(x, h_prev, W, b):
        H, D_plus_H = W.shape
        p = LSTMParams(np.zeros((4 * H, D_plus_H), dtype=W.dtype), np.zeros(4 * H, dtype=W.dtype))
        setattr(p, f"W_{GATES[name]}", W)
        setattr(p, f"b_{GATES[name]}", b)
        return getattr(reference, name)(reference.concat_input(x, h_prev), p)

    return named(gate, f"lstm_ref_{name}")


def textbook_sigmoid(a):
    with np.errstate(over="ignore"):  # exp(-a) overflows to inf for a < -709; 1 / inf = 0 is still right
        return 1.0 / (1.0 + np.exp(-a))


def textbook_act(name):
    return np.tanh if name == "candidate" else textbook_sigmoid


def split_weights(name):
    """x and h_prev multiplied by their own column blocks, no concatenation."""
    act = textbook_act(name)

    def gate(x, h_prev, W, b):
        D = x.shape[1]
        return act(x @ W[:, :D].T + h_prev @ W[:, D:].T + b)

    return named(gate, f"{name}_split_weights")


def column_vectors(name):
    """The seed tutorial's layout (W @ z for a column z), transposed back to rows."""
    act = np.tanh if name == "candidate" else sigmoid

    def gate(x, h_prev, W, b):
        z = np.hstack((x, h_prev))
        return act(W @ z.T + b[:, None]).T

    return named(gate, f"{name}_column_vectors")


def per_example_loop(name):
    """One example at a time, as the tutorial's per-sample code does, stacked into a batch."""
    act = np.tanh if name == "candidate" else sigmoid

    def gate(x, h_prev, W, b):
        return np.stack([act(np.dot(W, np.concatenate([x_b, h_b])) + b) for x_b, h_b in zip(x, h_prev)])

    return named(gate, f"{name}_per_example_loop")


def cell_update_in_steps(c_prev, f, i, g):
    kept = c_prev * f  # a new array: c_prev is not touched
    return kept + g * i


def cell_update_with_np_add(c_prev, f, i, g):
    return np.add(f * c_prev, i * g)


def hidden_state_via_sigmoid(c, o):
    return o * (2.0 * sigmoid(2.0 * c) - 1.0)  # tanh(c) = 2 sigmoid(2c) - 1


def hidden_state_tanh_first(c, o):
    return np.tanh(c) * o


def correct_answers(name: str) -> list:
    if name in GATES:
        return [reference_gate(name), split_weights(name), column_vectors(name), per_example_loop(name)]
    if name == "cell_update":
        return [reference.cell_update, cell_update_in_steps, cell_update_with_np_add]
    return [reference.hidden_state, hidden_state_via_sigmoid, hidden_state_tanh_first]


# ------------------------------------------------------------------ more mistakes, checked here only
# Further plausible wrong answers, same format as tests/wrong_answers/04_gates.py. They are checked by the fast
# tests below but not graded through nbgrader (each graded wrong answer costs CI one simulated student).
MORE_WRONG_ANSWERS = {
    "forget_gate": {
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
        "bias subtracted": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.concatenate([x, h_prev], axis=1)
    return sigmoid(z @ W_i.T - b_i)
''',
        "concatenated along the batch axis": '''
def input_gate(x, h_prev, W_i, b_i):
    z = np.concatenate([x, h_prev])
    return sigmoid(z @ W_i.T + b_i)
''',
    },
    "candidate": {
        "input only (h_prev dropped)": '''
def candidate(x, h_prev, W_g, b_g):
    return np.tanh(x @ W_g[:, :x.shape[1]].T + b_g)
''',
    },
    "cell_update": {
        "input gate left out": '''
def cell_update(c_prev, f, i, g):
    return f * c_prev + g
''',
        "(1 - f) as the keep fraction": '''
def cell_update(c_prev, f, i, g):
    return (1 - f) * c_prev + i * g
''',
        "matrix product instead of elementwise": '''
def cell_update(c_prev, f, i, g):
    return f @ c_prev.T + i @ g.T
''',
    },
    "output_gate": {
        "x and h_prev with their own sigmoid each": '''
def output_gate(x, h_prev, W_o, b_o):
    D = x.shape[1]
    return sigmoid(x @ W_o[:, :D].T + b_o) * sigmoid(h_prev @ W_o[:, D:].T)
''',
    },
    "hidden_state": {
        "tanh applied to the gate instead of the cell": '''
def hidden_state(c, o):
    return c * np.tanh(o)
''',
    },
}


class TestGatesChecks(UnitChecksContract):
    UNIT = "04_gates"
    FEEDBACK = feedback
    MORE_WRONG = MORE_WRONG_ANSWERS
    CORRECT = {name: correct_answers(name) for name in EXERCISES}
    HINTS = {
        "forget_gate": {
            "tanh instead of sigmoid": "matches tanh used instead of sigmoid",
            "missing bias": "matches the bias b_f left out",
            "[h, x] concatenation order": "matches z = [h_prev, x] (the wrong order)",
            "weights not transposed": "z @ W_f.T is then (B, H) = (3, 4)",
            "column-vector style W @ z.T (the tutorial's per-sample layout)": "axes are swapped",
            "flipped gate (1 - f: 'forget' read as 1 = erase)": "your gate is flipped",
            "previous hidden state ignored": "matches h_prev left out",
        },
        "input_gate": {
            "bias subtracted": "b_i subtracted instead of added",
            "bias outside the sigmoid": "outside [0, 1]",
            "concatenated along the batch axis": "np.concatenate([x, h_prev], axis=1)",
        },
        "candidate": {
            "sigmoid instead of tanh": "matches sigmoid used instead of tanh",
            "no activation": "matches no activation at all",
        },
        "cell_update": {
            "swapped gates (f * g + i * c_prev)": "the gates are swapped",
            "forget gate left out": "the forget gate is left out",
            "input gate left out": "the input gate is left out",
            "tanh on the cell state": "the cell state is not squashed",
            "matrix product instead of elementwise": "elementwise, with *",
            "updates c_prev in place": "changed its argument c_prev in place",
        },
        "output_gate": {
            "weights not transposed (np.dot(z, W_o))": "Shapes here",
        },
        "hidden_state": {
            "no tanh on the cell state (the tutorial's h = s * o)": "tanh on the cell state is missing",
            "tanh of the product": "matches tanh(o * c)",
            "output gate left out": "without the output gate",
        },
    }
    # One fresh Python process per exercise: forget_gate's stays in the fast loop, the others are slow.
    RUN_HIDDEN_SLOW = frozenset(EXERCISES) - {"forget_gate"}


UNIT, CHECKS = TestGatesChecks.UNIT, TestGatesChecks.CHECKS


# =================================================================================== this unit's own tests
def test_notebook_has_one_exercise_with_two_test_cells_per_check():
    cells = json.loads(solution_notebook_path(UNIT).read_text(encoding="utf-8"))["cells"]
    nbgrader = [cell["metadata"]["nbgrader"] for cell in cells]
    solutions = [m["grade_id"] for m, cell in zip(nbgrader, cells) if m.get("solution") and cell["cell_type"] == "code"]
    assert solutions == EXERCISES
    ids = [m["grade_id"] for m in nbgrader]
    for name in EXERCISES:
        position = ids.index(name)
        assert ids[position + 1 : position + 3] == [f"test_{name}", f"test_{name}_hidden"]
        assert solution_source(UNIT, f"test_{name}").strip() == f"check_{name}({name})"
        hidden = solution_source(UNIT, f"test_{name}_hidden")
        comment, _, code = hidden.partition("### BEGIN HIDDEN TESTS")  # a comment line says what the cell is
        assert comment.startswith("# Hidden tests") and code and hidden.rstrip().endswith("### END HIDDEN TESTS")
        assert f"run_hidden(check_{name}_hidden, {name})" in hidden


@pytest.mark.slow  # one fresh Python process per exercise
@pytest.mark.parametrize("name", EXERCISES)
def test_every_hidden_check_rejects_a_wrong_answer_through_run_hidden(name):
    with pytest.raises(CheckFailed):
        run_hidden(CHECKS[name][1], TestGatesChecks.define(next(iter(TestGatesChecks.WRONG[name].values())), name))


# ------------------------------------------------------------- isolation: mistakes no hint knows by name
def gate_with(name, *, x_part=None, h_part=None, bias=None):
    """A sigmoid/tanh gate whose x part, h_prev part or bias is computed by the given (wrong) function."""
    act = np.tanh if name == "candidate" else sigmoid

    def gate(x, h_prev, W, b):
        D = x.shape[1]
        x_term = (x_part or (lambda x, W: x @ W[:, :D].T))(x, W)
        h_term = (h_part or (lambda h, W: h @ W[:, D:].T))(h_prev, W)
        return act(x_term + h_term + (bias or (lambda b: b))(b))

    return gate


@pytest.mark.parametrize("name", list(GATES))
def test_isolation_points_at_the_wrong_term(name):
    doubled_bias = gate_with(name, bias=lambda b: 2 * b)
    assert "only the bias is left" in message_of(CHECKS[name][0], doubled_bias)
    # x times the columns in reverse order: right when x = 0, wrong otherwise.
    x_reversed = gate_with(name, x_part=lambda x, W: x @ W[:, : x.shape[1]][:, ::-1].T)
    assert "only the x part is left" in message_of(CHECKS[name][0], x_reversed)
    # h_prev's units in reverse order: right when h_prev = 0, wrong otherwise.
    h_reversed = gate_with(name, h_part=lambda h, W: h[:, ::-1] @ W[:, -h.shape[1] :].T)
    assert "only the h_prev part is left" in message_of(CHECKS[name][0], h_reversed)


def test_isolation_of_the_cell_update_and_the_hidden_state():
    halved_write = lambda c_prev, f, i, g: f * c_prev + 0.5 * i * g  # noqa: E731
    assert "it must equal g" in message_of(feedback.check_cell_update, halved_write)
    leaky_keep = lambda c_prev, f, i, g: np.maximum(f, 0.1) * c_prev * 0.9 + i * g  # noqa: E731
    assert "must equal c_prev" in message_of(feedback.check_cell_update, leaky_keep)
    never_closed = lambda c, o: np.maximum(o, 0.2) * np.tanh(c)  # noqa: E731
    assert "with o = 0 (show nothing) h must be 0" in message_of(feedback.check_hidden_state, never_closed)
    scaled = lambda c, o: o * np.tanh(0.9 * c)  # noqa: E731
    assert "with o = 1 (show everything) h must equal tanh(c)" in message_of(feedback.check_hidden_state, scaled)


# --------------------------------------------------------------------- what only the hidden checks catch
def test_hidden_check_catches_an_overflowing_sigmoid_that_the_public_check_accepts(capsys):
    def forget_gate(x, h_prev, W_f, b_f):
        a = np.concatenate([x, h_prev], axis=1) @ W_f.T + b_f
        return np.exp(a) / (1.0 + np.exp(a))  # inf / inf = nan once a is large

    feedback.check_forget_gate(forget_gate)
    with np.errstate(over="ignore", invalid="ignore"):
        message = message_of(feedback.check_forget_gate_hidden, forget_gate)
    assert "NaN or infinity when the pre-activations are large" in message


def test_hidden_checks_test_float32_and_b_equal_one():
    def loses_float32(c, o):  # exact in float64; float16 on the way loses the digits float32 keeps
        return (o * np.tanh(c)).astype(np.float16).astype(c.dtype) if c.dtype == np.float32 else o * np.tanh(c)

    feedback.check_hidden_state(loses_float32)
    assert "float32" in message_of(feedback.check_hidden_state_hidden, loses_float32)

    def squeezes_single_rows(x, h_prev, W_f, b_f):  # np.squeeze drops the batch axis when B = 1
        z = np.concatenate([x, h_prev], axis=1)
        return np.squeeze(sigmoid(z @ W_f.T + b_f))

    feedback.check_forget_gate(squeezes_single_rows)
    assert "wrong shape" in message_of(feedback.check_forget_gate_hidden, squeezes_single_rows)


def test_missing_return_is_explained():
    assert "forget the `return`" in message_of(feedback.check_candidate, lambda x, h_prev, W_g, b_g: None)
    assert "forget the `return`" in message_of(feedback.check_hidden_state, lambda c, o: None)
