"""The unit 3 checks (lstm_course.feedback.gradients) accept right answers and reject wrong ones, with hints.

``TestGradientsChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py): the
checks pass on the solution notebook's code and on other correct ways of writing it, say "not implemented yet"
on the stub, and fail on every plausible wrong answer in tests/wrong_answers/03_gradients.py, naming the mistake
where the check knows it. This unit's own tests check the checks' reference values (lstm_ref's backward pass)
against finite differences, and the messages for mistakes outside the wrong-answer file.
"""

import numpy as np
import pytest

import lstm_course.feedback.gradients
from lstm_ref import RNNParams, numerical_gradient, relative_error, rnn_forward, rnn_step
from lstm_course.feedback import CheckFailed
from lstm_course.feedback.gradients import (
    check_gradient_norms,
    check_one_step_jacobian,
    reference_jacobian_norms,
    reference_step_jacobian,
)
from tests.lstm_course.feedback.unit_contract import UnitChecksContract, message_of


# Other correct ways of writing the exercises: none may be rejected for its style.
def jacobian_with_einsum(h_t, W, input_size):
    return np.einsum("bi,ij->bij", 1.0 - h_t * h_t, W[:, input_size:])


def jacobian_with_diag(h_t, W, input_size):
    return np.stack([np.diag(1.0 - h * h) @ W[:, input_size:] for h in h_t])


def norms_per_sample_with_svd(hs, W, input_size):
    """One sample at a time, the singular values computed explicitly, written into a list."""
    B, T, H = hs.shape
    rows = []
    for b in range(B):
        product, norms = np.eye(H), [1.0]
        for t in range(T, 0, -1):
            product = product @ jacobian_with_diag(hs[b:b + 1, t - 1], W, input_size)[0]
            norms.append(np.linalg.svd(product, compute_uv=False)[0])
        rows.append(norms[::-1])
    return np.array(rows)


class TestGradientsChecks(UnitChecksContract):
    UNIT = "03_gradients"
    FEEDBACK = lstm_course.feedback.gradients
    CORRECT = {
        "one_step_jacobian": [jacobian_with_einsum, jacobian_with_diag],
        "gradient_norms": [norms_per_sample_with_svd],
    }
    HINTS = {
        "one_step_jacobian": {
            "W_h transposed": "W_h transposed",
            "input block of W": "the wrong block of W",
            "tanh derivative missing": "the tanh derivative left out",
            "derivative on the columns": "multiplies the columns",
            "tanh applied twice": "tanh applied twice",
            "sign flipped": "the sign of the slope flipped",
        },
        "gradient_norms": {
            "product in the wrong order": "the product taken in the wrong order",
            "not accumulated": "not accumulated",
            "Frobenius norm": "the Frobenius norm used",
            "off by one in time": "off by one in time",
            "reversed columns": "the columns in reverse order",
            "identity column missing": "column T is ||dh_T/dh_T|| = 1",
        },
    }


# ------------------------------------------------------------------ the references the checks trust
def test_reference_step_jacobian_matches_finite_differences():
    rng = np.random.default_rng(0)
    B, D, H = 2, 3, 4
    x, h_prev = rng.normal(size=(B, D)), rng.uniform(-0.9, 0.9, size=(B, H))
    params = RNNParams.init(D, H, rng=1)
    _, jacobian = reference_step_jacobian(x, h_prev, params.W, params.b)
    for b in range(B):
        for i in range(H):
            numeric = numerical_gradient(lambda: rnn_step(x, h_prev, params)[0][b, i], h_prev)[b]
            assert relative_error(jacobian[b, i], numeric) < 1e-7


def test_reference_norms_match_finite_differences_through_the_whole_sequence():
    rng = np.random.default_rng(1)
    B, T, D, H = 1, 6, 2, 3
    x, h0 = rng.normal(size=(B, T, D)), rng.uniform(-0.5, 0.5, size=(B, H))
    params = RNNParams.init(D, H, rng=2)
    hs, norms = reference_jacobian_norms(x, h0, params.W, params.b)
    assert np.allclose(hs, rnn_forward(x, params, h0)[0])
    # dh_T/dh_0 by perturbing h0 and running the whole forward pass: row i = gradient of h_T[i].
    numeric = np.stack([numerical_gradient(lambda: rnn_forward(x, params, h0)[1][0, i], h0)[0] for i in range(H)])
    assert abs(norms[0, 0] - np.linalg.norm(numeric, ord=2)) < 1e-7 * norms[0, 0]
    assert norms[0, T] == pytest.approx(1.0)


# ------------------------------------------------------------------------------ messages for other mistakes
def test_layout_case_comes_first_and_says_so():
    """With h_t = 0 the Jacobian is W_h alone: a wrong block of W fails there, named as such."""
    wrong = TestGradientsChecks.WRONG["one_step_jacobian"]["input block of W"]
    message = message_of(check_one_step_jacobian, TestGradientsChecks.define(wrong, "one_step_jacobian"))
    assert message.startswith("one_step_jacobian (h_t = 0, so the Jacobian is just W_h): wrong values.")


def test_a_shape_error_gets_the_broadcasting_hint():
    def one_step_jacobian(h_t, W, input_size):
        return (1.0 - h_t**2) * W[:, input_size:]  # (B, H) * (H, H): broadcasting fails for B != H

    assert "(1 - h_t**2)[:, :, None] * W_h" in message_of(check_one_step_jacobian, one_step_jacobian)


def test_batch_axis_second_gets_its_own_hint():
    solution = TestGradientsChecks.solution("gradient_norms")
    message = message_of(check_gradient_norms, lambda hs, W, D: solution(hs, W, D).T.copy())
    assert "the batch axis comes first" in message


def test_hidden_check_catches_what_the_public_one_cannot():
    """A Jacobian that ignores the batch (uses sample 0's slope for every sample) passes B = 1 cases only;
    the public check (B = 2) already fails it, and so does the hidden one."""
    def one_step_jacobian(h_t, W, input_size):
        return np.broadcast_to((1.0 - h_t[0] ** 2)[:, None] * W[:, input_size:], (h_t.shape[0],) + (W.shape[0],) * 2)

    for check in TestGradientsChecks.CHECKS["one_step_jacobian"]:
        with pytest.raises(CheckFailed):
            check(one_step_jacobian)
