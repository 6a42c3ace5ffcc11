"""The unit 9 checks (lstm_course.feedback.char_lstm) accept right answers and reject wrong ones, with hints.

``TestCharLstmChecks`` holds the unit's facts for the shared contract (tests/lstm_course/feedback/unit_contract.py):
every check passes on the solution notebook's code and on other correct ways of writing the exercises, says
"not implemented yet" on the stub, and fails on every wrong answer in tests/wrong_answers/09_char_lstm.py, naming
the mistake. The tests after the class check this unit's own machinery (the mistake ids, the sampler's
tolerance, the check leaving the learner's arrays alone).
"""

import numpy as np
import pytest

import lstm_ref
import lstm_course.feedback.char_lstm
from lstm_course.chars import reference_train_step
from lstm_course.feedback import CheckFailed
from lstm_course.feedback.char_lstm import (
    DRAWS, TOLERANCE, TRAIN_MISTAKES, check_char_cross_entropy, check_sample_char, check_char_train_step,
)
from tests.lstm_course.feedback.unit_contract import UnitChecksContract, message_of


# Other correct ways to write the exercises.
def cross_entropy_with_logsumexp(logits, targets):
    # log-sum-exp written out, the target's log-probability picked with take_along_axis.
    top = logits.max(axis=-1, keepdims=True)
    log_norm = top + np.log(np.sum(np.exp(logits - top), axis=-1, keepdims=True))
    picked = np.take_along_axis(logits, targets[:, None], axis=1) - log_norm
    grad = np.exp(logits - log_norm) - np.eye(logits.shape[1])[targets]
    return -picked.mean(), grad / len(targets)


def sample_by_inverse_cdf(logits, temperature, rng):
    # One uniform number and the cumulative distribution, the textbook way.
    p = lstm_ref.softmax(logits / temperature)
    return min(int(np.searchsorted(np.cumsum(p), rng.random())), len(p) - 1)


def sample_with_multinomial(logits, temperature, rng):
    scaled = logits / temperature
    p = np.exp(scaled - scaled.max())
    return int(np.argmax(rng.multinomial(1, p / p.sum())))


def train_step_with_manual_clipping(model, inputs, targets, optimiser, max_norm):
    # The global norm computed by hand, the loss from lstm_ref's task machinery.
    batch = lstm_ref.TaskBatch(inputs, targets, "cross_entropy", inputs.shape[-1], 0.0, "")
    loss, grads = lstm_ref.loss_and_gradients(model, batch)
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / norm)
    optimiser.step(model.parameters(), {name: g * scale for name, g in grads.items()})
    return loss


class TestCharLstmChecks(UnitChecksContract):
    UNIT = "09_char_lstm"
    FEEDBACK = lstm_course.feedback.char_lstm
    CORRECT = {
        "char_cross_entropy": [lstm_ref.softmax_cross_entropy, cross_entropy_with_logsumexp],
        "sample_char": [sample_by_inverse_cdf, sample_with_multinomial],
        "char_train_step": [reference_train_step, train_step_with_manual_clipping],
    }
    HINT_FOR_EVERY_WRONG_ANSWER = True
    HINTS = {
        "char_cross_entropy": {
            "no max shift (exp overflows)": "Subtract each row's maximum",
            "gradient not divided by N": "the gradient not divided by N",
            "gradient sign flipped (onehot - p)": "sign flipped",
            "softmax over the batch (axis 0)": "over the batch (axis 0)",
            "log left out of the loss": "without the log",
        },
        "sample_char": {
            "logits multiplied by the temperature": "multiplied by the temperature",
            "temperature ignored": "the temperature ignored",
            "greedy: always the argmax": "always the most likely character",
            "np.random's global generator instead of rng": "Draw with the `rng` you are given",
            "every character equally likely": "every character equally likely",
        },
        "char_train_step": {
            "gradients not clipped": "the gradients not clipped",
            "clipped gradients computed but not used": "the unclipped ones given to the optimiser",
            "each array clipped on its own": "each array clipped on its own",
            "loss measured after the update": "the loss measured after the update",
            "optimiser step never taken": "the parameters not updated",
        },
    }


# =================================================================================== this unit's own tests
@pytest.mark.parametrize("grade_id, check, prefix", [
    ("char_cross_entropy", check_char_cross_entropy, "char_cross_entropy/"),
    ("sample_char", check_sample_char, "sample_char/"),
    ("char_train_step", check_char_train_step, "char_train_step/"),
])
def test_every_graded_mistake_is_reported_with_an_id_of_its_exercise(grade_id, check, prefix):
    ids = set()
    for mistake, source in TestCharLstmChecks.WRONG[grade_id].items():
        with pytest.raises(CheckFailed) as failure:
            check(TestCharLstmChecks.define(source, grade_id))
        assert failure.value.mistake and failure.value.mistake.startswith(prefix), (mistake, failure.value.mistake)
        ids.add(failure.value.mistake)
    # Distinct mistakes keep distinct ids (char_train_step's two ways of not clipping share one, on purpose).
    assert len(ids) >= 4, ids


def test_the_sampler_tolerance_is_several_standard_deviations():
    # The largest standard deviation of a frequency over DRAWS draws is sqrt(1/4 / DRAWS): a correct sampler
    # fails only beyond 4 of them, whatever way it draws.
    assert TOLERANCE / np.sqrt(0.25 / DRAWS) > 4


def test_a_sampler_that_changes_the_logits_in_place_is_told():
    def divides_in_place(logits, temperature, rng):
        logits /= temperature
        return int(rng.choice(len(logits), p=lstm_ref.softmax(logits)))

    assert "changed `logits` in place" in message_of(check_sample_char, divides_in_place)


def test_a_cross_entropy_returning_an_array_loss_is_told():
    def per_row_loss(logits, targets):
        loss, grad = lstm_ref.softmax_cross_entropy(logits, targets)
        return np.full(len(targets), loss), grad

    assert "must be one number" in message_of(check_char_cross_entropy, per_row_loss)


def test_train_mistakes_differ_from_the_right_step_on_the_public_case():
    from lstm_course.feedback.char_lstm import _train_case, _train_variant
    import copy
    model, inputs, targets = _train_case(951, 3, 4, 5, 4)
    right = copy.deepcopy(model)
    right_loss = _train_variant(right, inputs, targets, lstm_ref.Adam(lr=0.01), 0.05)
    for mistake, switches in TRAIN_MISTAKES.items():
        wrong = copy.deepcopy(model)
        loss = _train_variant(wrong, inputs, targets, lstm_ref.Adam(lr=0.01), 0.05, **switches)
        assert loss != right_loss or not np.allclose(wrong.cell.W, right.cell.W), mistake.id


def _cross_entropy_written_with(log_p_of, *, swap=False, loss_rows=0):
    """A learner's char_cross_entropy with its log p computed by ``log_p_of(logits)`` (and the rest right)."""
    def char_cross_entropy(logits, targets):
        N = logits.shape[0]
        rows = np.arange(N)
        log_p = log_p_of(logits)
        loss = float(-log_p[rows + loss_rows, targets].mean())
        dlogits = np.exp(log_p)
        dlogits[rows, targets] -= 1.0
        return (dlogits / N, loss) if swap else (loss, dlogits / N)
    return char_cross_entropy


def _shifted(logits, axis=1):
    return logits - logits.max(axis=axis, keepdims=True)


def _right_log_p(logits):
    return _shifted(logits) - np.log(np.exp(_shifted(logits)).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("learner, slug", [
    (_cross_entropy_written_with(_shifted), "normaliser_missing"),
    (_cross_entropy_written_with(lambda l: _shifted(l) + np.log(np.exp(_shifted(l)).sum(axis=1, keepdims=True))),
     "normaliser_added"),
    (_cross_entropy_written_with(lambda l: _shifted(l) - np.exp(_shifted(l)).sum(axis=1, keepdims=True)),
     "normaliser_log_missing"),
    (_cross_entropy_written_with(lambda l: _shifted(l) - np.log(np.exp(_shifted(l)).sum(axis=0, keepdims=True))),
     "normaliser_wrong_axis"),
    (_cross_entropy_written_with(lambda l: _shifted(l) - np.log(np.exp(_shifted(l)).sum())),
     "normaliser_whole_array"),
    (_cross_entropy_written_with(lambda l: _shifted(l, 0) - np.log(np.exp(_shifted(l, 0)).sum(axis=1, keepdims=True))),
     "max_shift_wrong_axis"),
    (_cross_entropy_written_with(_right_log_p, loss_rows=-1), "loss_wrong_rows"),
    (_cross_entropy_written_with(_right_log_p, swap=True), "results_swapped"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_cross_entropy_mistakes_in_the_log_softmax_are_named(learner, slug):
    assert _cross_entropy_written_with(_right_log_p)(np.eye(2), np.array([0, 1]))[0] > 0  # the helper is right
    check_char_cross_entropy(_cross_entropy_written_with(_right_log_p))
    with pytest.raises(CheckFailed) as failure:
        check_char_cross_entropy(learner)
    assert failure.value.mistake == f"char_cross_entropy/{slug}", str(failure.value)
