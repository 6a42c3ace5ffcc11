"""The unit 5 checks (lstm_course.feedback.cell) accept right answers and reject wrong ones, with hints.

``TestCellChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py): every check
passes on lstm_ref's own functions, on the solution notebook's code and on other correct ways of writing the
exercises; says "not implemented yet" on the stub; and fails on every wrong answer in
tests/wrong_answers/05_cell_and_sequence.py (the hidden check on all of them, the public check on all but the
float32 one, which only the hidden check looks at), naming the mistake where it can. The tests after the class
are this unit's own.
"""

import sys

import numpy as np

import lstm_ref
import lstm_course.feedback.cell
from lstm_course.feedback.cell import check_init_tutorial_params, check_lstm_step, check_lstm_step_hidden
from lstm_ref.gates import candidate, forget_gate, input_gate, output_gate
from lstm_ref.tutorial_style import TutorialParams, tutorial_params
from tests.lstm_course.feedback.unit_contract import UnitChecksContract, message_of, solution_source


# Other correct ways to write the exercises: the checks must not reject a right answer for its style.
def reference_step(x, h_prev, c_prev, params):
    h, c, _ = lstm_ref.lstm_step(x, h_prev, c_prev, params)
    return h, c


def gate_by_gate_step(x, h_prev, c_prev, params):
    z = np.concatenate([x, h_prev], axis=1)
    c = forget_gate(z, params) * c_prev + input_gate(z, params) * candidate(z, params)
    return output_gate(z, params) * np.tanh(c), c


def reference_forward(x, params, h0=None, c0=None):
    hs, final, _ = lstm_ref.lstm_forward(x, params, h0, c0)
    return hs, final


def stacking_forward(x, params, h0=None, c0=None):
    B, H = x.shape[0], params.hidden_size
    h = np.zeros((B, H), x.dtype) if h0 is None else h0.copy()
    c = np.zeros((B, H), x.dtype) if c0 is None else c0.copy()
    states = []
    for x_t in np.moveaxis(x, 1, 0):
        h, c = gate_by_gate_step(x_t, h, c, params)
        states.append(h)
    return np.stack(states, axis=1), [h, c]


def reference_init(input_size, hidden_size, seed):
    return tutorial_params(input_size, hidden_size, rng=seed)


def scaled_random_init(input_size, hidden_size, seed):
    rng = np.random.default_rng(seed)
    shapes = [(hidden_size, input_size + hidden_size)] * 4 + [(hidden_size,)] * 4
    arrays = [rng.random(shape) * 0.2 - 0.1 for shape in shapes]
    return TutorialParams(*arrays)


class TestCellChecks(UnitChecksContract):
    UNIT = "05_cell_and_sequence"
    FEEDBACK = lstm_course.feedback.cell
    CORRECT = {
        "lstm_step": [reference_step, gate_by_gate_step],
        "lstm_forward": [reference_forward, stacking_forward],
        "init_tutorial_params": [reference_init, scaled_random_init],
    }
    # The hint each of these mistakes must produce (a phrase of the public check's message).
    HINTS = {
        "lstm_step": {
            "gate blocks read in the order f, i, g, o": "block 0 as forget gate f, block 1 as input gate i",
            "gate blocks read in the order i, f, o, g": "wrong order",
            "missing tanh on the cell state (h = o * c, the tutorial's bug)": "tanh on the cell state is missing",
            "z built as [h_prev, x]": "[h_prev, x]",
            "candidate squashed with sigmoid": "candidate g squashed with sigmoid",
            "bias left out": "bias left out",
            "returns (c, h) instead of (h, c)": "h and c are swapped",
            "cell state updated in place (c_prev *= f)": "changed its argument `c_prev` in place",
        },
        "lstm_forward": {
            "cell state not carried (every step starts from c0)": "cell state not carried",
            "off by one in time (hs[:, t] stored before the step)": "off by one in time",
            "h0 and c0 ignored (always zeros)": "h0 and c0 ignored",
            "sequence read backwards": "read backwards",
            "final states (c_T, h_T) in the wrong order": "the final states in the wrong order",
        },
        "init_tutorial_params": {
            "a new generator from the same seed for every array (the tutorial's bug)": "identical, the tutorial's bug",
            "global np.random.seed (changes everyone's random numbers)": "global random state",
            "seed ignored (not repeatable)": "same seed gave different weights",
            "normal instead of uniform in [-0.1, 0.1)": "[-0.1, 0.1)",
        },
    }
    # Right on every float64 case; only the hidden check's float32 cases see it.
    PUBLIC_SKIPS = {"lstm_forward": {"zero states in float64 whatever x's dtype": "float32"}}


# =================================================================================== this unit's own tests
def test_the_transposed_weights_are_named_when_W_is_square():
    # z @ W only runs when W is square (D + H = 4H); the hidden check has such a case and must name it.
    wrong = TestCellChecks.define(TestCellChecks.WRONG["lstm_step"]["W transposed (z @ W instead of z @ W.T)"],
                                  "lstm_step")
    assert "Hint: the axes" in message_of(check_lstm_step, wrong) or \
        "z @ params.W.T" in message_of(check_lstm_step, wrong)
    assert "W transposed" in message_of(check_lstm_step_hidden, wrong)


def test_the_global_random_state_is_left_alone_by_the_check():
    np.random.seed(12345)
    before = np.random.get_state()[1].copy()
    check_init_tutorial_params(reference_init)
    assert np.array_equal(np.random.get_state()[1], before)


def test_a_wrong_answer_is_still_caught_when_it_modifies_h_prev_in_place():
    def changes_h_prev(x, h_prev, c_prev, params):
        h, c = reference_step(x, h_prev, c_prev, params)
        h_prev[...] = h
        return h, c

    assert "changed its argument `h_prev` in place" in message_of(check_lstm_step, changes_h_prev)


def test_the_pytorch_cell_says_skipped_without_torch(monkeypatch, capsys):
    # The notebook's PyTorch comparison must run (and say so) where torch is not installed.
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    namespace = {}
    for grade_id in ("setup", "lstm_forward", "torch_check"):
        exec(compile(solution_source(TestCellChecks.UNIT, grade_id), f"<cell {grade_id}>", "exec"), namespace)
    assert "torch not installed, skipped" in capsys.readouterr().out
