"""The unit 1 checks (lstm_course.feedback.welcome) accept right answers and reject wrong ones, with hints.

``TestWelcomeChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py): the
checks pass on lstm_ref's functions, the solution notebook's code and other correct ways of writing them; say
"not implemented yet" on the stub; and fail on every wrong answer in tests/wrong_answers/01_welcome.py (the
hidden check on all of them, the public check on all but the float32 ones, which only the hidden check looks
for), naming the mistake where they can. The tests after the class are this unit's own.
"""

import numpy as np

import lstm_course.feedback.welcome
from lstm_ref.activations import sigmoid as reference_sigmoid
from lstm_ref.activations import sigmoid_derivative as reference_sigmoid_derivative
from lstm_course.feedback.welcome import check_sigmoid, check_sigmoid_derivative
from tests.lstm_course.feedback.unit_contract import UnitChecksContract, message_of


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


class TestWelcomeChecks(UnitChecksContract):
    UNIT = "01_welcome"
    FEEDBACK = lstm_course.feedback.welcome
    CORRECT = {
        "sigmoid": [reference_sigmoid, sigmoid_split_by_sign, sigmoid_log_space],
        "sigmoid_derivative": [reference_sigmoid_derivative, derivative_split_by_sign],
    }
    HINTS = {
        "sigmoid": {
            "tanh instead of sigmoid": "your output matches tanh(x)",
            "tanh identity without halving x": "tanh(x / 2)",
            "textbook formula overflows for large negative x": "overflow encountered in exp",
            "split by sign with np.where (both branches computed)": "np.where(condition, a, b) computes",
            "halves the caller's array in place": "changed the array it was given",
        },
        "sigmoid_derivative": {
            "output form s * (1 - s) applied to x": "sigmoid's OUTPUT s = sigmoid(x)",
            "tanh's derivative pattern 1 - sigmoid(x)**2": "pattern of tanh's derivative",
            "plus sign: s * (1 + s)": "Check the sign",
            "exp formula overflows for large negative x": "NumPy warned",
        },
    }
    # Right float64 values on the public cases; only float32 goes wrong. The public check does not look at
    # float32 (by design, to leave something to the hidden one), so only the hidden check fails, and says why.
    PUBLIC_SKIPS = {
        "sigmoid": {
            "float32 input upcast to float64": "float32 input came back as float64",
        },
        "sigmoid_derivative": {
            "float32 input upcast to float64": "float32 input came back as float64",
        },
    }


def test_overflow_is_caught_even_when_the_learner_silenced_numpy():
    wrong = TestWelcomeChecks.wrong_answers()["sigmoid"]["textbook formula overflows for large negative x"]
    textbook = TestWelcomeChecks.define(wrong, "sigmoid")
    with np.errstate(all="ignore"):
        message = message_of(check_sigmoid, textbook)
    assert "overflow" in message and "-1000" in message


def test_missing_return_and_wrong_shape_are_explained():
    assert "forget the `return`" in message_of(check_sigmoid, lambda x: None)
    assert "wrong shape" in message_of(check_sigmoid, lambda x: reference_sigmoid(x).ravel())
    assert "wrong shape" in message_of(check_sigmoid_derivative, lambda x: reference_sigmoid_derivative(x).T)
