"""The unit 1 checks (lstm_ref.feedback.welcome) accept right answers and reject wrong ones, with hints.

Every check passes on lstm_ref's functions, on the solution notebook's own code and on other correct ways of
writing them; fails with CheckFailed on the unimplemented stub; and fails on every wrong answer in
tests/wrong_answers/01_welcome.py (the hidden check on all of them, the public check on all but the float32
ones, which only the hidden check looks for), naming the mistake where it can.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from lstm_ref.activations import sigmoid as reference_sigmoid
from lstm_ref.activations import sigmoid_derivative as reference_sigmoid_derivative
from lstm_ref.feedback import CheckFailed, run_hidden
from lstm_ref.feedback.welcome import (
    check_sigmoid,
    check_sigmoid_derivative,
    check_sigmoid_derivative_hidden,
    check_sigmoid_hidden,
)
from tests.wrong_answers import load_wrong_answers

REPO = Path(__file__).resolve().parents[2]
UNIT = "01_welcome"
CHECKS = {
    "sigmoid": (check_sigmoid, check_sigmoid_hidden),
    "sigmoid_derivative": (check_sigmoid_derivative, check_sigmoid_derivative_hidden),
}
WRONG = load_wrong_answers(UNIT)
# Mistakes that give right float64 values on the public cases and only lose float32: the public check does
# not look at float32 (by design, to leave something to the hidden one), so only the hidden check fails.
HIDDEN_ONLY = {
    ("sigmoid", "float32 input upcast to float64"),
    ("sigmoid_derivative", "float32 input upcast to float64"),
}
STUB = '''
def {name}(x):
    # YOUR CODE HERE
    raise NotImplementedError()
'''


def define(source: str, name: str):
    """Execute a cell's source as the notebook would (numpy imported as np) and return the function ``name``."""
    namespace = {"np": np}
    exec(compile(source, f"<cell {name}>", "exec"), namespace)
    return namespace[name]


def solution_source(grade_id: str) -> str:
    notebook = json.loads((REPO / "solutions" / UNIT / f"{UNIT}.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"])
    raise LookupError(f"no cell {grade_id!r} in solutions/{UNIT}/{UNIT}.ipynb")


def message_of(check, function) -> str:
    with pytest.raises(CheckFailed) as failure:
        check(function)
    return str(failure.value)


# Other correct ways to write the exercises: the checks must not reject a right answer for its style.
def sigmoid_split_by_sign(x):
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    exp_x = np.exp(x[~positive])
    out[~positive] = exp_x / (1.0 + exp_x)
    return out


def sigmoid_log_space(x):
    return np.exp(-np.logaddexp(0.0, -x))


def derivative_split_by_sign(x):
    e = np.exp(-np.abs(x))  # never overflows; sigma'(x) is even, so |x| is enough
    return e / (1.0 + e) ** 2


CORRECT = {
    "sigmoid": [reference_sigmoid, sigmoid_split_by_sign, sigmoid_log_space],
    "sigmoid_derivative": [reference_sigmoid_derivative, derivative_split_by_sign],
}


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_pass_on_correct_answers(grade_id, capsys):
    public, hidden = CHECKS[grade_id]
    functions = CORRECT[grade_id] + [define(solution_source(grade_id), grade_id)]
    for function in functions:
        public(function)
        hidden(function)
    assert capsys.readouterr().out.count("all checks passed") == 2 * len(functions)


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_hidden_checks_pass_on_the_solution_through_run_hidden(grade_id):
    # As the notebook's hidden test cell runs it (in a fresh process): the solution cell's own function.
    run_hidden(CHECKS[grade_id][1], define(solution_source(grade_id), grade_id))


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_say_the_stub_is_not_implemented(grade_id):
    stub = define(STUB.format(name=grade_id), grade_id)
    for check in CHECKS[grade_id]:
        assert "not implemented yet" in message_of(check, stub)


def test_every_exercise_has_at_least_three_wrong_answers():
    assert set(WRONG) == set(CHECKS)
    assert all(len(answers) >= 3 for answers in WRONG.values())


@pytest.mark.parametrize(
    "grade_id, mistake", [(grade_id, mistake) for grade_id in sorted(WRONG) for mistake in sorted(WRONG[grade_id])]
)
def test_wrong_answers_fail(grade_id, mistake):
    public, hidden = CHECKS[grade_id]
    wrong = define(WRONG[grade_id][mistake], grade_id)
    with pytest.raises(CheckFailed):
        hidden(wrong)
    if (grade_id, mistake) in HIDDEN_ONLY:
        public(wrong)  # passes: the public check leaves float32 to the hidden one
    else:
        with pytest.raises(CheckFailed):
            public(wrong)


@pytest.mark.parametrize(
    "grade_id, mistake, check_kind, words",
    [
        ("sigmoid", "tanh instead of sigmoid", 0, "your output matches tanh(x)"),
        ("sigmoid", "tanh identity without halving x", 0, "tanh(x / 2)"),
        ("sigmoid", "textbook formula overflows for large negative x", 0, "overflow encountered in exp"),
        ("sigmoid", "split by sign with np.where (both branches computed)", 0, "np.where(condition, a, b) computes"),
        ("sigmoid", "halves the caller's array in place", 0, "changed the array it was given"),
        ("sigmoid", "float32 input upcast to float64", 1, "float32 input came back as float64"),
        ("sigmoid_derivative", "output form s * (1 - s) applied to x", 0, "sigmoid's OUTPUT s = sigmoid(x)"),
        ("sigmoid_derivative", "tanh's derivative pattern 1 - sigmoid(x)**2", 0, "pattern of tanh's derivative"),
        ("sigmoid_derivative", "plus sign: s * (1 + s)", 0, "Check the sign"),
        ("sigmoid_derivative", "exp formula overflows for large negative x", 0, "NumPy warned"),
    ],
)
def test_messages_name_the_mistake(grade_id, mistake, check_kind, words):
    check = CHECKS[grade_id][check_kind]
    assert words in message_of(check, define(WRONG[grade_id][mistake], grade_id))


def test_overflow_is_caught_even_when_the_learner_silenced_numpy():
    textbook = define(WRONG["sigmoid"]["textbook formula overflows for large negative x"], "sigmoid")
    with np.errstate(all="ignore"):
        message = message_of(check_sigmoid, textbook)
    assert "overflow" in message and "-1000" in message


def test_missing_return_and_wrong_shape_are_explained():
    assert "forget the `return`" in message_of(check_sigmoid, lambda x: None)
    assert "wrong shape" in message_of(check_sigmoid, lambda x: reference_sigmoid(x).ravel())
    assert "wrong shape" in message_of(check_sigmoid_derivative, lambda x: reference_sigmoid_derivative(x).T)

