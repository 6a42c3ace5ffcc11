"""A character-level language model's data and loop (unit 9, "A character-level LSTM").

The course ships a small text (``lstm_course/data/``, see its README for the sources): the opening of Lewis
Carroll's *Alice's Adventures in Wonderland* (1865, in the public domain) followed by a few sentences of the
course's own. A model reads it one character at a time and learns to predict the next one:

    text  "I love machine"  ->  ids  [9, 1, 29, ...]  ->  one-hot x_t (V,)  --LSTM-->  h_t  --readout-->  logits (V,)
    loss  = mean over t of the softmax cross-entropy of logits_t against the id of character t + 1

What lives here:
- ``load_text`` and ``Vocabulary``: the text, and characters to ids and back;
- ``training_batch``: B random windows of T + 1 characters as one-hot inputs (B, T, V) and next-character targets
  (B, T), as an ``lstm_ref.tasks.TaskBatch`` with a cross-entropy loss;
- ``char_model``: an ``lstm_ref.training.SequenceModel`` whose readout gives V logits at every step;
- ``reference_sample`` and ``generate``: drawing a character from logits at a temperature, and writing text by
  feeding each drawn character back in, one LSTM step at a time (the state (h, c) carried between calls);
- ``train_chars``: the training loop, calling a ``train_step`` (the learner's or the reference's) on fresh
  batches and reporting to callbacks (the live loss curve and samples of ``lstm_course.viz.char_lstm``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Callable

import numpy as np

from lstm_ref.losses import softmax, softmax_cross_entropy
from lstm_ref.optim import clip_by_global_norm
from lstm_ref.params import as_generator
from lstm_ref.sequence import lstm_forward
from lstm_ref.tasks import TaskBatch
from lstm_ref.training import SequenceModel

__all__ = [
    "TEXT_FILES", "load_text", "Vocabulary", "training_batch", "char_model", "reference_sample",
    "reference_train_step", "logits_after", "generate", "train_chars",
]

# The text, in the order it is joined: the book's opening, then the course's own sentences.
TEXT_FILES = ("char_text.txt", "char_text_course.txt")


def load_text() -> str:
    """The course's training text (about 4.5 KB): the files of ``TEXT_FILES``, one paragraph break between."""
    folder = resources.files("lstm_course") / "data"
    return "\n\n".join((folder / name).read_text(encoding="utf-8").strip() for name in TEXT_FILES) + "\n"


@dataclass(frozen=True)
class Vocabulary:
    """The characters of a text, sorted, and the maps between characters and their ids 0 .. V-1."""

    chars: str

    @classmethod
    def of(cls, text: str) -> "Vocabulary":
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        """V, the number of distinct characters (the model's input and output size)."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """The ids (int64, len(text)) of ``text``'s characters; a character the vocabulary lacks is an error."""
        index = {char: k for k, char in enumerate(self.chars)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {''.join(unknown)!r}. The model only knows the "
                             f"{self.size} characters of its training text.")
        return np.array([index[char] for char in text], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(k)] for k in ids)

    def one_hot(self, ids: np.ndarray) -> np.ndarray:
        """ids of any shape (...) -> float64 one-hot vectors (..., V)."""
        return np.eye(self.size)[ids]


def training_batch(ids: np.ndarray, vocab: Vocabulary, batch: int, length: int, rng=None) -> TaskBatch:
    """``batch`` windows of ``length`` + 1 characters from random places in ``ids``.

    Returns a TaskBatch with inputs (B, T, V) (one-hot characters 0 .. T-1 of each window) and targets (B, T)
    (the ids of characters 1 .. T: at every step, the next character).
    """
    generator = as_generator(rng)
    starts = generator.integers(0, len(ids) - length, size=batch)
    windows = ids[starts[:, None] + np.arange(length + 1)]
    return TaskBatch(inputs=vocab.one_hot(windows[:, :-1]), targets=windows[:, 1:], loss="cross_entropy",
                     output_size=vocab.size, baseline_loss=float(np.log(vocab.size)),
                     baseline="every character equally likely, log V")


def char_model(vocab: Vocabulary, hidden_size: int = 64, rng=0) -> SequenceModel:
    """An LSTM reading one-hot characters and a readout giving V logits at every step."""
    return SequenceModel.init("lstm", vocab.size, hidden_size, vocab.size, every_step=True, rng=rng)


def reference_sample(logits: np.ndarray, temperature: float, rng) -> int:
    """One id drawn with probabilities softmax(logits / temperature) (logits (V,), temperature > 0)."""
    return int(rng.choice(len(logits), p=softmax(np.asarray(logits) / temperature)))


def reference_train_step(model: SequenceModel, inputs, targets, optimiser, max_norm: float = 5.0) -> float:
    """One step of training: forward, cross-entropy, backward, clip by global norm, update. Returns the loss
    of the batch measured before the update."""
    logits, cache = model.forward(inputs)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    grads, _ = clip_by_global_norm(model.backward(dlogits, cache), max_norm)
    optimiser.step(model.parameters(), grads)
    return loss


def logits_after(model: SequenceModel, x: np.ndarray, h: np.ndarray, c: np.ndarray):
    """Run the LSTM over x (1, T, V) from (h, c); the last step's logits (V,) and the new (h, c)."""
    hs, (h_new, c_new), _ = lstm_forward(x, model.cell, h, c)
    return hs[0, -1] @ model.readout.W.T + model.readout.b, h_new, c_new


def generate(model: SequenceModel, vocab: Vocabulary, prompt: str, length: int, temperature: float = 1.0,
             rng=None, sample: Callable | None = None) -> str:
    """``prompt`` followed by ``length`` characters the model writes, one at a time.

    The LSTM reads the prompt, then each drawn character is fed back in as the next input; its state (h, c) is
    carried from step to step, so each new character costs one LSTM step. ``sample(logits, temperature, rng)``
    draws an id (``reference_sample`` unless given; the learner's ``sample_char`` fits). With temperature 0 the
    most likely character is taken every time (greedy), with no sampling at all.
    """
    generator = as_generator(rng)
    draw = sample or reference_sample
    H = model.hidden_size
    logits, h, c = logits_after(model, vocab.one_hot(vocab.encode(prompt))[None], np.zeros((1, H)), np.zeros((1, H)))
    written = []
    for _ in range(length):
        next_id = int(np.argmax(logits)) if temperature == 0 else int(draw(logits, temperature, generator))
        written.append(next_id)
        logits, h, c = logits_after(model, vocab.one_hot(np.array([[next_id]])), h, c)
    return prompt + vocab.decode(written)


def train_chars(model: SequenceModel, ids: np.ndarray, vocab: Vocabulary, steps: int, optimiser, *,
                train_step: Callable = reference_train_step, batch: int = 32, length: int = 32, rng=0,
                max_norm: float = 5.0, callbacks: tuple[Callable, ...] = ()) -> list[float]:
    """Train ``model`` for ``steps`` steps on random windows of ``ids``; the loss of every step.

    ``train_step(model, inputs, targets, optimiser, max_norm) -> loss`` does one step; each callback is called
    as ``callback(step, loss)`` after it (step counts from 1).
    """
    generator = as_generator(rng)
    losses = []
    for step in range(1, steps + 1):
        data = training_batch(ids, vocab, batch, length, generator)
        losses.append(float(train_step(model, data.inputs, data.targets, optimiser, max_norm)))
        for callback in callbacks:
            callback(step, losses[-1])
    return losses
