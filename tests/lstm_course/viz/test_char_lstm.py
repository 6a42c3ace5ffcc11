"""Unit 9's live training view and temperature widget (lstm_course.viz.char_lstm), moved headlessly."""

import numpy as np
import pytest

import lstm_ref
from lstm_course.chars import Vocabulary, char_model, load_text, train_chars
from lstm_course.viz.char_lstm import CharTrainingView, next_character_probabilities, temperature_explorer


@pytest.fixture(scope="module")
def trained():
    text = load_text()
    vocab = Vocabulary.of(text)
    model = char_model(vocab, hidden_size=16, rng=0)
    train_chars(model, vocab.encode(text), vocab, 20, lstm_ref.Adam(lr=0.01), batch=8, length=16, rng=1)
    return model, vocab


def test_the_training_view_records_the_loss_and_writes_a_line_every_few_steps(trained):
    model, vocab = trained
    view = CharTrainingView(model, vocab, total_steps=10, sample_every=4, baseline=np.log(vocab.size), show=False)
    for step in range(1, 11):
        view(step, 4.0 - 0.1 * step)
    assert [step for step, _ in view.samples] == [4, 8, 10]
    assert all(text.startswith("Alice ") and len(text) == len("Alice ") + 60 for _, text in view.samples)
    steps, losses = view.plot.last_drawn["series"]["training loss"]
    assert list(steps) == list(range(1, 11)) and losses[-1] == pytest.approx(3.0)
    assert "step   10:" in view.text()


def test_the_temperature_slider_sharpens_and_flattens_the_distribution(trained):
    model, vocab = trained
    widget = temperature_explorer(model, vocab, length=30)
    at_one = widget.last_drawn["probabilities"]
    np.testing.assert_allclose(at_one, next_character_probabilities(model, vocab, "Alice ", 1.0))
    widget.controls["temperature"].value = 0.3
    sharp = widget.last_drawn["probabilities"]
    widget.controls["temperature"].value = 2.5
    flat = widget.last_drawn["probabilities"]
    assert sharp.max() > at_one.max() > flat.max()
    assert widget.last_drawn["temperature"] == 2.5 and widget.last_drawn["text"].startswith("Alice ")
    assert widget.last_drawn["sampler"] == "the reference"


def test_the_learners_sampler_writes_the_text(trained):
    model, vocab = trained
    widget = temperature_explorer(model, vocab, length=8, sample=lambda logits, t, rng: 0)
    assert widget.last_drawn["text"] == "Alice " + vocab.chars[0] * 8
    assert widget.last_drawn["sampler"] == "yours"
    widget.controls["seed"].value = 3
    assert widget.last_drawn["seed"] == 3
