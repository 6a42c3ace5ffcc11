"""The unit 3 checks (lstm_ref.feedback.gradients) accept right answers and reject wrong ones, with hints.

Every check must pass on the solution notebook's own code and on other correct ways of writing it, fail with
CheckFailed on the unimplemented stub, and fail on every plausible wrong answer in
tests/wrong_answers/03_gradients.py, naming the mistake where the check knows it. The checks' own reference
values (lstm_ref's backward pass) are themselves tested against finite differences here.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from lstm_ref import RNNParams, numerical_gradient, relative_error, rnn_forward, rnn_step
from lstm_ref.feedback import CheckFailed, run_hidden
from lstm_ref.feedback.gradients import (
    check_gradient_norms,
    check_gradient_norms_hidden,
    check_one_step_jacobian,
    check_one_step_jacobian_hidden,
    reference_jacobian_norms,
    reference_step_jacobian,
)
from tests.wrong_answers import load_wrong_answers

REPO = Path(__file__).resolve().parents[2]
UNIT = "03_gradients"
CHECKS = {
    "one_step_jacobian": (check_one_step_jacobian, check_one_step_jacobian_hidden),
    "gradient_norms": (check_gradient_norms, check_gradient_norms_hidden),
}
WRONG = load_wrong_answers(UNIT)


def solution_source(grade_id):
    notebook = json.loads((REPO / "solutions" / UNIT / f"{UNIT}.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"])
    raise LookupError(f"no cell with grade_id {grade_id!r} in {UNIT}")


def define(source, name):
    """Execute a cell's source like the notebook would (numpy already imported as np) and return ``name``."""
    namespace = {"np": np}
    exec(compile(source, f"<cell {name}>", "exec"), namespace)
    return namespace[name]


def message_of(check, function):
    with pytest.raises(CheckFailed) as failure:
        check(function)
    return str(failure.value)


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


# ------------------------------------------------------------------------------ right answers pass
@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_pass_on_the_solution_cell(grade_id, capsys):
    learner = define(solution_source(grade_id), grade_id)
    for check in CHECKS[grade_id]:
        check(learner)
    assert capsys.readouterr().out.count("all checks passed") == 2


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_hidden_checks_pass_on_the_solution_through_run_hidden(grade_id):
    run_hidden(CHECKS[grade_id][1], define(solution_source(grade_id), grade_id))


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


@pytest.mark.parametrize("grade_id, implementation", [
    ("one_step_jacobian", jacobian_with_einsum), ("one_step_jacobian", jacobian_with_diag),
    ("gradient_norms", norms_per_sample_with_svd),
])
def test_checks_pass_on_other_correct_answers(grade_id, implementation):
    for check in CHECKS[grade_id]:
        check(implementation)


# ------------------------------------------------------------------------------ wrong answers fail
@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_say_the_stub_is_not_implemented(grade_id):
    def stub(*args):
        raise NotImplementedError()

    for check in CHECKS[grade_id]:
        assert "not implemented yet" in message_of(check, stub)


def test_every_exercise_has_at_least_three_wrong_answers():
    assert set(WRONG) == set(CHECKS)
    assert all(len(answers) >= 3 for answers in WRONG.values())


@pytest.mark.parametrize("grade_id, mistake", [(g, m) for g in sorted(WRONG) for m in sorted(WRONG[g])])
def test_checks_reject_every_wrong_answer(grade_id, mistake):
    learner = define(WRONG[grade_id][mistake], grade_id)
    for check in CHECKS[grade_id]:
        with pytest.raises(CheckFailed):
            check(learner)


HINTS = {
    ("one_step_jacobian", "W_h transposed"): "W_h transposed",
    ("one_step_jacobian", "input block of W"): "the wrong block of W",
    ("one_step_jacobian", "tanh derivative missing"): "the tanh derivative left out",
    ("one_step_jacobian", "derivative on the columns"): "multiplies the columns",
    ("one_step_jacobian", "tanh applied twice"): "tanh applied twice",
    ("one_step_jacobian", "sign flipped"): "the sign of the slope flipped",
    ("gradient_norms", "product in the wrong order"): "the product taken in the wrong order",
    ("gradient_norms", "not accumulated"): "not accumulated",
    ("gradient_norms", "Frobenius norm"): "the Frobenius norm used",
    ("gradient_norms", "off by one in time"): "off by one in time",
    ("gradient_norms", "reversed columns"): "the columns in reverse order",
    ("gradient_norms", "identity column missing"): "column T is ||dh_T/dh_T|| = 1",
}


@pytest.mark.parametrize("grade_id, mistake", sorted(HINTS))
def test_public_check_names_the_mistake(grade_id, mistake):
    learner = define(WRONG[grade_id][mistake], grade_id)
    assert HINTS[grade_id, mistake] in message_of(CHECKS[grade_id][0], learner)


def test_layout_case_comes_first_and_says_so():
    """With h_t = 0 the Jacobian is W_h alone: a wrong block of W fails there, named as such."""
    message = message_of(check_one_step_jacobian, define(WRONG["one_step_jacobian"]["input block of W"],
                                                         "one_step_jacobian"))
    assert message.startswith("one_step_jacobian (h_t = 0, so the Jacobian is just W_h): wrong values.")


def test_a_shape_error_gets_the_broadcasting_hint():
    def one_step_jacobian(h_t, W, input_size):
        return (1.0 - h_t**2) * W[:, input_size:]  # (B, H) * (H, H): broadcasting fails for B != H

    assert "(1 - h_t**2)[:, :, None] * W_h" in message_of(check_one_step_jacobian, one_step_jacobian)


def test_batch_axis_second_gets_its_own_hint():
    solution = define(solution_source("gradient_norms"), "gradient_norms")
    message = message_of(check_gradient_norms, lambda hs, W, D: solution(hs, W, D).T.copy())
    assert "the batch axis comes first" in message


def test_hidden_check_catches_what_the_public_one_cannot():
    """A Jacobian that ignores the batch (uses sample 0's slope for every sample) passes B = 1 cases only;
    the public check (B = 2) already fails it, and so does the hidden one."""
    def one_step_jacobian(h_t, W, input_size):
        return np.broadcast_to((1.0 - h_t[0] ** 2)[:, None] * W[:, input_size:], (h_t.shape[0],) + (W.shape[0],) * 2)

    for check in CHECKS["one_step_jacobian"]:
        with pytest.raises(CheckFailed):
            check(one_step_jacobian)
