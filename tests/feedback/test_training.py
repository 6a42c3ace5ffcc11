"""The unit 7 checks (lstm_ref.feedback.training) accept right answers and reject wrong ones, with hints.

Every check must pass on the solution notebook's own code and on lstm_ref's implementation, fail with
CheckFailed on the unimplemented stub, and fail on every plausible wrong answer in
tests/wrong_answers/07_training.py, naming the mistake where the check knows it.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from lstm_ref import SGD, Adam, clip_by_global_norm, mean_squared_error
from lstm_ref.feedback import CheckFailed, run_hidden
from lstm_ref.feedback.training import (
    check_adam_update,
    check_adam_update_hidden,
    check_clip_gradients,
    check_clip_gradients_hidden,
    check_sgd_momentum_update,
    check_sgd_momentum_update_hidden,
    check_train_step,
    check_train_step_hidden,
)

REPO = Path(__file__).resolve().parents[2]
UNIT = "07_training"
CHECKS = {
    "sgd_momentum_update": (check_sgd_momentum_update, check_sgd_momentum_update_hidden),
    "adam_update": (check_adam_update, check_adam_update_hidden),
    "clip_gradients": (check_clip_gradients, check_clip_gradients_hidden),
    "train_step": (check_train_step, check_train_step_hidden),
}


def load_wrong_answers(unit):
    spec = importlib.util.spec_from_file_location(f"wrong_{unit}", REPO / "tests" / "wrong_answers" / f"{unit}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRONG_ANSWERS


def solution_source(unit, grade_id):
    """The source of the solution cell ``grade_id`` in solutions/<unit>/<unit>.ipynb."""
    notebook = json.loads((REPO / "solutions" / unit / f"{unit}.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"])
    raise LookupError(f"no cell with grade_id {grade_id!r} in {unit}")


def define(source, name):
    """Execute a cell's source with the names the notebook's set-up cell provides, and return ``name``."""
    namespace = {"np": np, "mean_squared_error": mean_squared_error, "clip_by_global_norm": clip_by_global_norm}
    exec(compile(source, f"<cell {name}>", "exec"), namespace)
    return namespace[name]


WRONG = load_wrong_answers(UNIT)


def test_every_exercise_has_at_least_three_wrong_answers():
    assert set(WRONG) == set(CHECKS)
    for grade_id, answers in WRONG.items():
        assert len(answers) >= 3, grade_id


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_pass_on_the_solution_cell(grade_id, capsys):
    learner = define(solution_source(UNIT, grade_id), grade_id)
    for check in CHECKS[grade_id]:
        check(learner)
    assert capsys.readouterr().out.count("all checks passed") == 2


# lstm_ref's own implementations, in the exercises' signatures.
def lstm_ref_sgd(param, grad, velocity, lr, momentum):
    optimiser = SGD(lr=lr, momentum=momentum)
    new_param = param.copy()
    if momentum > 0:
        optimiser.velocity["p"] = velocity.copy()
    optimiser.step({"p": new_param}, {"p": grad})
    return new_param, optimiser.velocity["p"] if momentum > 0 else grad.copy()


def lstm_ref_adam(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    optimiser = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    optimiser.t, optimiser.mean["p"], optimiser.mean_square["p"] = t - 1, m.copy(), v.copy()
    new_param = param.copy()
    optimiser.step({"p": new_param}, {"p": grad})
    return new_param, optimiser.mean["p"], optimiser.mean_square["p"]


def lstm_ref_train_step(model, inputs, targets, optimiser, max_norm):
    from lstm_ref.training import TaskBatch, loss_and_gradients

    batch = TaskBatch(inputs, targets, "mse", targets.shape[-1], 1.0, "")
    loss, grads = loss_and_gradients(model, batch)
    clipped, norm = clip_by_global_norm(grads, max_norm)
    optimiser.step(model.parameters(), clipped)
    return loss, norm


@pytest.mark.parametrize("grade_id, implementation", [
    ("sgd_momentum_update", lstm_ref_sgd),
    ("adam_update", lstm_ref_adam),
    ("clip_gradients", clip_by_global_norm),
    ("train_step", lstm_ref_train_step),
])
def test_checks_pass_on_lstm_ref(grade_id, implementation):
    for check in CHECKS[grade_id]:
        check(implementation)


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_checks_reject_the_stub_in_plain_words(grade_id):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    stub.__name__ = grade_id
    for check in CHECKS[grade_id]:
        with pytest.raises(CheckFailed, match="not implemented yet"):
            check(stub)


@pytest.mark.parametrize("grade_id, mistake", [(g, m) for g in sorted(WRONG) for m in sorted(WRONG[g])])
def test_checks_reject_every_wrong_answer(grade_id, mistake):
    for check in CHECKS[grade_id]:
        learner = define(WRONG[grade_id][mistake], grade_id)  # fresh: some mistakes keep state between calls
        with pytest.raises(CheckFailed):
            check(learner)


# The hint each of these mistakes must receive from the public check (a fragment of the message).
HINTS = {
    ("sgd_momentum_update", "update with + instead of -"): "must go DOWNHILL",
    ("sgd_momentum_update", "momentum sign flipped (velocity = momentum * velocity - grad)"): "sign is flipped",
    ("sgd_momentum_update", "old velocity used in the step"): "the OLD velocity",
    ("sgd_momentum_update", "momentum ignored"): "the momentum term (momentum * velocity) is left out",
    ("sgd_momentum_update", "running average instead of a sum (Adam's m)"): "a running average",
    ("sgd_momentum_update", "updates its arguments in place"): "changed its argument `param` in place",
    ("adam_update", "no bias correction"): "no bias correction",
    ("adam_update", "square root missing"): "the square root is missing",
    ("adam_update", "step counted from 0 (t - 1 in the corrections)"): "t counts steps from 1",
    ("adam_update", "eps inside the square root"): "eps inside the square root",
    ("adam_update", "v averages grad, not grad squared"): "SQUARED gradient",
    ("adam_update", "update with + instead of -"): "the step goes uphill",
    ("adam_update", "bias-corrected moments stored as the new state"): "bias-corrected m_hat as the new m",
    ("adam_update", "default hyper-parameters hard-coded"): "default values",
    ("clip_gradients", "each array clipped on its own"): "each array was clipped on its own",
    ("clip_gradients", "values clipped one by one (np.clip)"): "np.clip",
    ("clip_gradients", "scale factor upside down"): "upside down",
    ("clip_gradients", "always rescaled to max_norm (normalising, not clipping)"): "only ever SHRINKS",
    ("clip_gradients", "square root missing from the norm"): "sum of squares",
    ("clip_gradients", "norm returned after clipping"): "the norm AFTER clipping",
    ("clip_gradients", "global norm as the sum of each array's norm"): "each array's own norm",
    ("train_step", "clipped gradients never reach the optimiser"): "the raw gradients reached the optimiser",
    ("train_step", "gradients never reset (summed over all steps)"): "never reset",
    ("train_step", "loss arguments swapped (gradient ascent)"): "went uphill",
    ("train_step", "optimiser updates copies of the parameters"): "not copies of them",
    ("train_step", "loss reported after the update"): "the loss AFTER the update",
    ("train_step", "norm reported after clipping"): "the norm AFTER clipping",
}


def test_every_wrong_answer_has_an_expected_hint():
    assert set(HINTS) == {(g, m) for g in WRONG for m in WRONG[g]}


@pytest.mark.parametrize("grade_id, mistake", sorted(HINTS))
def test_public_check_names_the_mistake(grade_id, mistake):
    learner = define(WRONG[grade_id][mistake], grade_id)
    with pytest.raises(CheckFailed) as failure:
        CHECKS[grade_id][0](learner)
    assert HINTS[grade_id, mistake] in str(failure.value)


def test_shape_and_return_mistakes_are_explained():
    def returns_one_array(param, grad, velocity, lr, momentum):
        return param - lr * grad

    with pytest.raises(CheckFailed, match=r"must return 2 things, \(new_param, new_velocity\)"):
        check_sgd_momentum_update(returns_one_array)

    def forgets_return(grads, max_norm):
        {name: g for name, g in grads.items()}

    with pytest.raises(CheckFailed, match="returned None"):
        check_clip_gradients(forgets_return)

    def returns_per_array_norms(grads, max_norm):
        norms = np.array([np.linalg.norm(g) for g in grads.values()])
        return {name: g.copy() for name, g in grads.items()}, norms

    with pytest.raises(CheckFailed, match="expected one number"):
        check_clip_gradients(returns_per_array_norms)


@pytest.mark.slow
@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_hidden_checks_pass_on_the_solution_in_a_fresh_process(grade_id, capsys):
    """run_hidden ships the learner's function (and the globals it uses) to a new Python: the checks must
    work there too, with only what the notebook's set-up cell gave the solution."""
    learner = define(solution_source(UNIT, grade_id), grade_id)
    run_hidden(CHECKS[grade_id][1], learner)
    assert "all checks passed" in capsys.readouterr().out
