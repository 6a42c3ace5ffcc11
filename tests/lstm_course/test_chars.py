"""Unit 9's character data and loop (lstm_course.chars): the text, the vocabulary, batches, sampling, training."""

import copy

import numpy as np
import pytest

import lstm_ref
from lstm_course.chars import (Vocabulary, char_model, generate, load_text, logits_after, reference_sample,
                               reference_train_step, train_chars, training_batch)


@pytest.fixture(scope="module")
def text():
    return load_text()


def test_the_text_is_the_book_then_the_courses_sentences(text):
    assert text.startswith("Alice was beginning to get very tired of sitting by her sister")
    assert "I love machine learning" in text.split("\n\n")[-1]
    assert 4000 < len(text) < 6000 and text.isascii()


def test_encode_and_decode_are_inverse_and_unknown_characters_are_refused(text):
    vocab = Vocabulary.of(text)
    ids = vocab.encode(text)
    assert vocab.decode(ids) == text and ids.max() == vocab.size - 1
    with pytest.raises(ValueError, match="not in the vocabulary: '€'"):
        vocab.encode("€")


def test_a_batch_reads_each_window_and_targets_the_next_character(text):
    vocab = Vocabulary.of(text)
    batch = training_batch(vocab.encode(text), vocab, batch=3, length=10, rng=0)
    assert batch.inputs.shape == (3, 10, vocab.size) and batch.targets.shape == (3, 10)
    read = batch.inputs.argmax(axis=2)
    np.testing.assert_array_equal(read[:, 1:], batch.targets[:, :-1])  # each target is the next input
    for row, targets in zip(read, batch.targets):
        assert vocab.decode(np.append(row, targets[-1])) in text
    assert batch.every_step and batch.loss == "cross_entropy"


def test_generate_carries_the_state_like_one_pass_over_the_whole_text(text):
    # Writing one character at a time from the carried (h, c) must give the logits of reading the text at once.
    vocab = Vocabulary.of(text)
    model = char_model(vocab, hidden_size=8, rng=0)
    written = generate(model, vocab, "Alice ", 12, temperature=0.7, rng=3)
    whole = model.predict(vocab.one_hot(vocab.encode(written))[None])[0]  # (T, V)
    H = model.hidden_size
    last = logits_after(model, vocab.one_hot(vocab.encode(written))[None], np.zeros((1, H)), np.zeros((1, H)))[0]
    np.testing.assert_allclose(last, whole[-1], rtol=1e-10)
    assert written == generate(model, vocab, "Alice ", 12, temperature=0.7, rng=3)  # seeded


def test_temperature_zero_is_greedy_and_a_given_sampler_is_used(text):
    vocab = Vocabulary.of(text)
    model = char_model(vocab, hidden_size=8, rng=0)
    H = model.hidden_size
    greedy = generate(model, vocab, "I", 1, temperature=0)
    logits = logits_after(model, vocab.one_hot(vocab.encode("I"))[None], np.zeros((1, H)), np.zeros((1, H)))[0]
    assert greedy[-1] == vocab.chars[int(np.argmax(logits))]
    assert generate(model, vocab, "I", 5, temperature=1.0, sample=lambda z, t, rng: 0) == "I" + vocab.chars[0] * 5


def test_reference_sample_follows_the_tempered_distribution():
    logits = np.array([1.0, 0.0, -1.0])
    rng = np.random.default_rng(0)
    draws = np.bincount([reference_sample(logits, 0.5, rng) for _ in range(4000)], minlength=3) / 4000
    np.testing.assert_allclose(draws, lstm_ref.softmax(logits / 0.5), atol=0.03)


def test_the_reference_step_matches_lstm_refs_loss_and_gradients(text):
    vocab = Vocabulary.of(text)
    batch = training_batch(vocab.encode(text), vocab, 2, 6, rng=1)
    model = char_model(vocab, 8, rng=0)
    before = copy.deepcopy(model)
    loss = reference_train_step(model, batch.inputs, batch.targets, lstm_ref.SGD(lr=0.1), max_norm=1e9)
    expected_loss, grads = lstm_ref.loss_and_gradients(before, batch)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(model.cell.W, before.cell.W - 0.1 * grads["cell.W"], rtol=1e-12)


@pytest.mark.slow
def test_a_short_training_lowers_the_loss_and_learns_the_courses_phrase(text):
    # The notebook's own setting: the loss falls from log V and the model completes "I love machine".
    vocab = Vocabulary.of(text)
    model = char_model(vocab, hidden_size=48, rng=0)
    losses = train_chars(model, vocab.encode(text), vocab, 200, lstm_ref.Adam(lr=0.02), batch=16, length=32, rng=1)
    assert np.mean(losses[:10]) > 0.8 * np.log(vocab.size)
    assert np.mean(losses[-10:]) < 1.8
    assert generate(model, vocab, "I love machine", 9, temperature=0).startswith("I love machine learning")
