"""Toy tasks: shapes, the rules each task states, seeding, and that each baseline is what it claims."""

import numpy as np
import pytest

from lstm_ref.losses import mean_squared_error, softmax_cross_entropy
from lstm_ref.tasks import (
    ADDING_BASELINE_MSE, SENTENCE_FILLERS, SENTENCE_SUBJECTS, TOY_REGRESSION_TARGETS, adding_problem, copy_task,
    sentence_completion, toy_regression,
)

ALL_TASKS = {
    "toy_regression": lambda rng: toy_regression(rng=rng),
    "adding_problem": lambda rng: adding_problem(8, 10, rng=rng),
    "copy_task": lambda rng: copy_task(8, 5, rng=rng),
    "sentence_completion": lambda rng: sentence_completion(8, 6, rng=rng),
}


# --- seeding -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", ALL_TASKS.values(), ids=ALL_TASKS.keys())
def test_same_seed_same_batch_and_global_state_untouched(make):
    global_state = np.random.get_state()[1].copy()
    first, second = make(3), make(3)
    np.testing.assert_array_equal(first.inputs, second.inputs)
    np.testing.assert_array_equal(first.targets, second.targets)
    assert not np.array_equal(first.inputs, make(4).inputs)
    # A Generator is used as a stream: two calls give two different batches.
    generator = np.random.default_rng(3)
    assert not np.array_equal(make(generator).inputs, make(generator).inputs)
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)


@pytest.mark.parametrize("make", ALL_TASKS.values(), ids=ALL_TASKS.keys())
def test_batches_are_batch_first_float64(make):
    batch = make(0)
    assert batch.inputs.dtype == np.float64 and batch.inputs.ndim == 3
    assert batch.targets.shape[0] == batch.inputs.shape[0]
    assert batch.targets.dtype == (np.float64 if batch.loss == "mse" else np.int64)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="length must be at least 2"):
        adding_problem(4, 1)
    with pytest.raises(ValueError, match="batch"):
        copy_task(0, 3)
    with pytest.raises(TypeError, match="gap must be an int"):
        sentence_completion(2, 2.5)
    with pytest.raises(TypeError, match="rng"):
        adding_problem(2, 4, rng="seed")


# --- the tutorial's toy regression -------------------------------------------------------------------------

def test_toy_regression_is_the_tutorials_example():
    batch = toy_regression(rng=0)
    assert batch.inputs.shape == (1, 4, 50) and batch.targets.shape == (1, 4, 1)
    np.testing.assert_array_equal(batch.targets.ravel(), TOY_REGRESSION_TARGETS)
    assert np.all((batch.inputs >= 0) & (batch.inputs < 1))
    assert batch.every_step
    # The baseline predicts the mean target everywhere.
    mean_prediction = np.full_like(batch.targets, np.mean(TOY_REGRESSION_TARGETS))
    assert batch.baseline_loss == pytest.approx(mean_squared_error(mean_prediction, batch.targets)[0])
    assert batch.baseline_loss == pytest.approx(0.106875)


# --- the adding problem ------------------------------------------------------------------------------------

def test_adding_problem_follows_its_rules():
    length = 11
    batch = adding_problem(500, length, rng=1)
    values, markers = batch.inputs[..., 0], batch.inputs[..., 1]
    assert batch.inputs.shape == (500, length, 2) and batch.targets.shape == (500, 1)
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) == {0.0, 1.0}
    half = length // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1)   # one marker in the first half
    np.testing.assert_array_equal(markers[:, half:].sum(axis=1), 1)   # one in the second
    np.testing.assert_allclose(batch.targets[:, 0], (values * markers).sum(axis=1), rtol=1e-15)
    assert not batch.every_step
    # Every position of each half gets used (the markers are not stuck in one place).
    assert np.all(markers.sum(axis=0) > 0)


def test_adding_baseline_is_predicting_one_and_close_to_a_sixth():
    batch = adding_problem(20_000, 6, rng=2)
    ones = np.ones_like(batch.targets)
    assert batch.baseline_loss == pytest.approx(mean_squared_error(ones, batch.targets)[0], rel=1e-15)
    # The standard error of this estimate is about 0.0014; 0.006 is four of them.
    assert abs(batch.baseline_loss - ADDING_BASELINE_MSE) < 0.006
    # And 1.0 is the best constant: the mean target is within a few standard errors of it.
    assert abs(batch.targets.mean() - 1.0) < 0.015


# --- the copy task -----------------------------------------------------------------------------------------

def test_copy_task_layout():
    symbols, length, alphabet = 3, 4, 5
    batch = copy_task(50, length, rng=3, num_symbols=symbols, alphabet_size=alphabet)
    total = 2 * symbols + length + 1
    assert batch.inputs.shape == (50, total, alphabet + 2) and batch.targets.shape == (50, total)
    np.testing.assert_array_equal(batch.inputs.sum(axis=-1), 1)   # one-hot
    tokens = batch.inputs.argmax(axis=-1)
    blank, recall = alphabet, alphabet + 1
    assert np.all(tokens[:, :symbols] < alphabet)
    assert np.all(tokens[:, symbols:symbols + length] == blank)
    assert np.all(tokens[:, symbols + length] == recall)
    assert np.all(tokens[:, symbols + length + 1:] == blank)
    # The targets repeat the symbols at the end, and are blank before.
    np.testing.assert_array_equal(batch.targets[:, -symbols:], tokens[:, :symbols])
    assert np.all(batch.targets[:, :-symbols] == blank)
    assert batch.output_size == alphabet + 1 and batch.every_step


def test_copy_baseline_is_what_a_memoryless_predictor_scores():
    symbols, length, alphabet = 2, 6, 4
    batch = copy_task(30, length, rng=4, num_symbols=symbols, alphabet_size=alphabet)
    # Certain of the blank until the recall, then uniform over the symbols (and never blank).
    logits = np.full(batch.targets.shape + (alphabet + 1,), -1e4)
    logits[:, :-symbols, alphabet] = 0.0
    logits[:, -symbols:, :alphabet] = 0.0
    loss, _ = softmax_cross_entropy(logits, batch.targets)
    assert batch.baseline_loss == pytest.approx(loss, rel=1e-12)


# --- sentence completion -----------------------------------------------------------------------------------

def test_sentence_subject_decides_the_answer():
    gap = 5
    batch = sentence_completion(40, gap, rng=5)
    assert batch.inputs.shape == (40, gap + 8, len(batch.vocabulary))
    np.testing.assert_array_equal(batch.inputs.argmax(axis=-1), batch.token_ids)
    subjects = list(SENTENCE_SUBJECTS)
    for i in range(40):
        words = [batch.vocabulary[t] for t in batch.token_ids[i]]
        assert words[:3] == ["I", "am", "a"] and words[-4:] == ["and", "I", "love", "machine"]
        assert batch.answers[batch.targets[i]] == SENTENCE_SUBJECTS[words[3]]
        assert batch.targets[i] == subjects.index(words[3])
        assert all(word in SENTENCE_FILLERS for word in words[4:4 + gap])
    assert len(set(batch.targets.tolist())) == len(SENTENCE_SUBJECTS)   # all subjects appear in 40 draws


def test_fillers_carry_no_answer():
    # Only the subject token may tell the answer: no filler is a subject or an answer word.
    assert not set(SENTENCE_FILLERS) & (set(SENTENCE_SUBJECTS) | set(SENTENCE_SUBJECTS.values()))


def test_sentence_decodes_to_text():
    batch = sentence_completion(20, 2, rng=6)
    index = int(np.flatnonzero(batch.targets == list(SENTENCE_SUBJECTS).index("data science student"))[0])
    text = batch.decode(index)
    assert text.startswith("I am a data science student ") and text.endswith(" and I love machine ___")
    assert len(text.split()) == 3 + 3 + 2 + 4 + 1
    assert batch.decode(index, answer=batch.targets[index]).endswith("machine learning")


def test_sentence_baseline_is_a_uniform_guess():
    batch = sentence_completion(16, 3, rng=7)
    uniform = np.zeros((16, batch.output_size))
    assert batch.baseline_loss == pytest.approx(softmax_cross_entropy(uniform, batch.targets)[0], rel=1e-14)
    assert not batch.every_step
