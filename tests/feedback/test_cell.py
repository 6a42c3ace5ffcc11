"""The unit 5 checks (lstm_ref.feedback.cell) accept right answers and reject wrong ones, with hints.

Every check passes on lstm_ref's own functions, on the solution notebook's code and on other correct ways of
writing the exercises; fails with CheckFailed on the unimplemented stub; and fails on every wrong answer in
tests/wrong_answers/05_cell_and_sequence.py (the hidden check on all of them, the public check on all but the
float32 one, which only the hidden check looks at), naming the mistake where it can.
"""

import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest

import lstm_ref
from lstm_ref.feedback import CheckFailed, run_hidden
from lstm_ref.feedback.cell import (
    check_init_tutorial_params,
    check_init_tutorial_params_hidden,
    check_lstm_forward,
    check_lstm_forward_hidden,
    check_lstm_step,
    check_lstm_step_hidden,
)
from lstm_ref.gates import candidate, forget_gate, input_gate, output_gate
from lstm_ref.tutorial_style import TutorialParams, tutorial_params
from tests.wrong_answers import load_wrong_answers

matplotlib.use("Agg")  # the set-up cell imports pyplot; no window in tests

REPO = Path(__file__).resolve().parents[2]
UNIT = "05_cell_and_sequence"
NOTEBOOK = REPO / "solutions" / UNIT / f"{UNIT}.ipynb"
CHECKS = {
    "lstm_step": (check_lstm_step, check_lstm_step_hidden),
    "lstm_forward": (check_lstm_forward, check_lstm_forward_hidden),
    "init_tutorial_params": (check_init_tutorial_params, check_init_tutorial_params_hidden),
}
SIGNATURES = {
    "lstm_step": "x, h_prev, c_prev, params",
    "lstm_forward": "x, params, h0=None, c0=None",
    "init_tutorial_params": "input_size, hidden_size, seed",
}
WRONG = load_wrong_answers(UNIT)
# Right on every float64 case; only the hidden check's float32 cases see it.
HIDDEN_ONLY = {("lstm_forward", "zero states in float64 whatever x's dtype")}
# The hint each of these mistakes must produce (a phrase of the message).
HINTS = {
    ("lstm_step", "gate blocks read in the order f, i, g, o"): "block 0 as forget gate f, block 1 as input gate i",
    ("lstm_step", "gate blocks read in the order i, f, o, g"): "wrong order",
    ("lstm_step", "missing tanh on the cell state (h = o * c, the tutorial's bug)"):
        "tanh on the cell state is missing",
    ("lstm_step", "z built as [h_prev, x]"): "[h_prev, x]",
    ("lstm_step", "candidate squashed with sigmoid"): "candidate g squashed with sigmoid",
    ("lstm_step", "bias left out"): "bias left out",
    ("lstm_step", "returns (c, h) instead of (h, c)"): "h and c are swapped",
    ("lstm_step", "cell state updated in place (c_prev *= f)"): "changed its argument `c_prev` in place",
    ("lstm_forward", "cell state not carried (every step starts from c0)"): "cell state not carried",
    ("lstm_forward", "off by one in time (hs[:, t] stored before the step)"): "off by one in time",
    ("lstm_forward", "h0 and c0 ignored (always zeros)"): "h0 and c0 ignored",
    ("lstm_forward", "sequence read backwards"): "read backwards",
    ("lstm_forward", "final states (c_T, h_T) in the wrong order"): "the final states in the wrong order",
    ("init_tutorial_params", "a new generator from the same seed for every array (the tutorial's bug)"):
        "identical, the tutorial's bug",
    ("init_tutorial_params", "global np.random.seed (changes everyone's random numbers)"): "global random state",
    ("init_tutorial_params", "seed ignored (not repeatable)"): "same seed gave different weights",
    ("init_tutorial_params", "normal instead of uniform in [-0.1, 0.1)"): "[-0.1, 0.1)",
}


# ------------------------------------------------------------------------------------------------ helpers
def notebook_cells() -> dict[str, str]:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return {cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"]) for cell in notebook["cells"]}


CELLS = notebook_cells()


def define(source: str, name: str):
    """Run the notebook's set-up cell, then ``source``, in a fresh namespace; return the function ``name``."""
    namespace = {}
    exec(compile(CELLS["setup"], "<setup cell>", "exec"), namespace)
    exec(compile(source, f"<cell {name}>", "exec"), namespace)
    return namespace[name]


def message_of(check, function) -> str:
    with pytest.raises(CheckFailed) as failure:
        check(function)
    return str(failure.value)


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


CORRECT = {
    "lstm_step": [reference_step, gate_by_gate_step],
    "lstm_forward": [reference_forward, stacking_forward],
    "init_tutorial_params": [reference_init, scaled_random_init],
}


# --------------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_pass_on_correct_answers(grade_id, capsys):
    public, hidden = CHECKS[grade_id]
    functions = CORRECT[grade_id] + [define(CELLS[grade_id], grade_id)]
    for function in functions:
        public(function)
        hidden(function)
    assert capsys.readouterr().out.count("all checks passed") == 2 * len(functions)


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_hidden_checks_pass_on_the_solution_through_run_hidden(grade_id, capsys):
    # As the notebook's hidden test cell runs it: the solution cell's own function, in a fresh process.
    run_hidden(CHECKS[grade_id][1], define(CELLS[grade_id], grade_id))
    assert "all checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_say_the_stub_is_not_implemented(grade_id):
    stub = define(f"def {grade_id}({SIGNATURES[grade_id]}):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
                  grade_id)
    for check in CHECKS[grade_id]:
        assert "not implemented yet" in message_of(check, stub)


def test_every_exercise_has_at_least_three_wrong_answers():
    assert set(WRONG) == set(CHECKS)
    assert all(len(answers) >= 3 for answers in WRONG.values())


WRONG_CASES = [(grade_id, mistake) for grade_id in sorted(WRONG) for mistake in sorted(WRONG[grade_id])]


@pytest.mark.parametrize("grade_id, mistake", WRONG_CASES)
def test_checks_fail_on_every_wrong_answer(grade_id, mistake):
    public, hidden = CHECKS[grade_id]
    wrong = define(WRONG[grade_id][mistake], grade_id)
    hidden_message = message_of(hidden, wrong)
    if (grade_id, mistake) in HIDDEN_ONLY:
        public(wrong)  # documents that this one is left to the hidden check
        assert "float32" in hidden_message
        return
    public_message = message_of(public, wrong)
    if (grade_id, mistake) in HINTS:
        assert HINTS[grade_id, mistake] in public_message, public_message


def test_the_transposed_weights_are_named_when_W_is_square():
    # z @ W only runs when W is square (D + H = 4H); the hidden check has such a case and must name it.
    wrong = define(WRONG["lstm_step"]["W transposed (z @ W instead of z @ W.T)"], "lstm_step")
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
    monkeypatch.setitem(__import__("sys").modules, "torch", None)  # `import torch` now raises ImportError
    namespace = {}
    for grade_id in ("setup", "lstm_forward", "torch_check"):
        exec(compile(CELLS[grade_id], f"<cell {grade_id}>", "exec"), namespace)
    assert "torch not installed, skipped" in capsys.readouterr().out
