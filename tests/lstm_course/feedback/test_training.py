"""The unit 7 checks (lstm_course.feedback.training) accept right answers and reject wrong ones, with hints.

``TestTrainingChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py): every
check passes on the solution notebook's own code and on lstm_ref's implementation, says "not implemented yet"
on the stub, and fails on every plausible wrong answer in tests/wrong_answers/07_training.py; the public check
names every one of those mistakes. The hidden checks' fresh-process runs are in the slow selection.
"""

import numpy as np
import pytest

import lstm_course.feedback.training
from lstm_ref import SGD, Adam, clip_by_global_norm
from lstm_course.feedback import CheckFailed
from lstm_course.feedback.training import check_clip_gradients, check_sgd_momentum_update
from tests.lstm_course.feedback.unit_contract import UnitChecksContract


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


class TestTrainingChecks(UnitChecksContract):
    UNIT = "07_training"
    FEEDBACK = lstm_course.feedback.training
    CORRECT = {
        "sgd_momentum_update": [lstm_ref_sgd],
        "adam_update": [lstm_ref_adam],
        "clip_gradients": [clip_by_global_norm],
        "train_step": [lstm_ref_train_step],
    }
    # The hint each of these mistakes must receive from the public check (a fragment of the message).
    HINTS = {
        "sgd_momentum_update": {
            "update with + instead of -": "must go DOWNHILL",
            "momentum sign flipped (velocity = momentum * velocity - grad)": "sign is flipped",
            "old velocity used in the step": "the OLD velocity",
            "momentum ignored": "the momentum term (momentum * velocity) is left out",
            "running average instead of a sum (Adam's m)": "a running average",
            "updates its arguments in place": "changed its argument `param` in place",
        },
        "adam_update": {
            "no bias correction": "no bias correction",
            "square root missing": "the square root is missing",
            "step counted from 0 (t - 1 in the corrections)": "t counts steps from 1",
            "eps inside the square root": "eps inside the square root",
            "v averages grad, not grad squared": "SQUARED gradient",
            "update with + instead of -": "the step goes uphill",
            "bias-corrected moments stored as the new state": "bias-corrected m_hat as the new m",
            "default hyper-parameters hard-coded": "default values",
        },
        "clip_gradients": {
            "each array clipped on its own": "each array was clipped on its own",
            "values clipped one by one (np.clip)": "np.clip",
            "scale factor upside down": "upside down",
            "always rescaled to max_norm (normalising, not clipping)": "only ever SHRINKS",
            "square root missing from the norm": "sum of squares",
            "norm returned after clipping": "the norm AFTER clipping",
            "global norm as the sum of each array's norm": "each array's own norm",
        },
        "train_step": {
            "clipped gradients never reach the optimiser": "the raw gradients reached the optimiser",
            "gradients never reset (summed over all steps)": "never reset",
            "loss arguments swapped (gradient ascent)": "went uphill",
            "optimiser updates copies of the parameters": "not copies of them",
            "loss reported after the update": "the loss AFTER the update",
            "norm reported after clipping": "the norm AFTER clipping",
        },
    }
    HINT_FOR_EVERY_WRONG_ANSWER = True
    # run_hidden ships the learner's function (and the globals it uses) to a new Python: slow selection.
    RUN_HIDDEN_SLOW = frozenset({"sgd_momentum_update", "adam_update", "clip_gradients", "train_step"})


# =================================================================================== this unit's own tests
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
