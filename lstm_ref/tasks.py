"""Seeded toy tasks for training recurrent networks, each with the loss of its trivial baseline.

Every task returns a ``TaskBatch``: batch-first float inputs (B, T, D), the targets, which loss to use, and the
loss a *trivial* predictor gets on this very batch (one that ignores the input, or remembers nothing). A model
has learned something only when its loss is well below that baseline, so results are reported as the ratio
``loss / baseline_loss``: about 1 means "learned nothing", below 0.1 means "solved".

The tasks:
- ``toy_regression``: the seed tutorial's example, four random vectors mapped to [-0.5, 0.2, 0.1, -0.5].
- ``adding_problem``: add the two numbers that carry a marker; the markers sit far apart, so the network must
  hold the first number in memory across about T/2 steps. The standard test of long-term memory.
- ``copy_task``: read a few symbols, wait through blanks, then repeat the symbols when a recall marker appears.
- ``sentence_completion``: "I am a data science student ... and I love machine ___": the subject at the start
  decides the last word, after ``gap`` filler words.

Every function takes ``rng``: an int seed or a ``np.random.Generator`` (``None`` draws fresh, unrepeatable
randomness). The same seed always gives the same batch, and the global ``np.random`` state is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import as_generator

__all__ = [
    "TaskBatch", "SentenceBatch",
    "toy_regression", "TOY_REGRESSION_TARGETS",
    "adding_problem", "ADDING_BASELINE_MSE",
    "copy_task",
    "sentence_completion", "SENTENCE_SUBJECTS", "SENTENCE_FILLERS",
]


@dataclass(frozen=True)
class TaskBatch:
    """One batch of a task.

    Attributes:
        inputs: float64 array (B, T, D).
        targets: for ``loss == "mse"``, float64 (B, O) (one target per sequence, read from the last step) or
            (B, T, O) (one per step); for ``loss == "cross_entropy"``, int64 labels (B,) or (B, T).
        loss: ``"mse"`` or ``"cross_entropy"``.
        output_size: O, the number of outputs (regression) or of classes (classification) the readout needs.
        baseline_loss: the loss of the trivial predictor described by ``baseline`` on this batch.
        baseline: what that trivial predictor does, in words.
    """

    inputs: np.ndarray
    targets: np.ndarray
    loss: str
    output_size: int
    baseline_loss: float
    baseline: str

    @property
    def every_step(self) -> bool:
        """True when there is a target at every time step, False when only the last step is scored."""
        label_rank = 3 if self.loss == "mse" else 2
        return self.targets.ndim == label_rank

    @property
    def batch_size(self) -> int:
        return self.inputs.shape[0]

    @property
    def length(self) -> int:
        return self.inputs.shape[1]

    @property
    def input_size(self) -> int:
        return self.inputs.shape[2]


def _check_count(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


# --- the seed tutorial's toy regression --------------------------------------------------------------------

TOY_REGRESSION_TARGETS = (-0.5, 0.2, 0.1, -0.5)


def toy_regression(input_size: int = 50, rng=0) -> TaskBatch:
    """The seed tutorial's example: a sequence of 4 random vectors, one target number per step.

        x_t ~ U[0, 1)^D for t = 1..4,      y = (-0.5, 0.2, 0.1, -0.5)

    It is tiny enough to memorise, which is the point: a first training run whose loss should go to ~0.

    Args:
        input_size: D (the tutorial uses 50).
        rng: int seed or Generator.

    Returns:
        TaskBatch with inputs (1, 4, D), targets (1, 4, 1) float64, loss "mse" at every step; the baseline
        predicts the mean of the four targets at every step (the best constant), scoring their variance,
        0.106875.
    """
    input_size = _check_count("input_size", input_size, 1)
    generator = as_generator(rng)
    targets = np.array(TOY_REGRESSION_TARGETS, dtype=np.float64).reshape(1, -1, 1)
    inputs = generator.random((1, targets.shape[1], input_size))
    baseline_loss = float(np.mean((targets - targets.mean()) ** 2))
    return TaskBatch(inputs, targets, "mse", 1, baseline_loss, "predict the mean target at every step")


# --- the adding problem ------------------------------------------------------------------------------------

ADDING_BASELINE_MSE = 1.0 / 6.0
"""Expected MSE of always predicting 1.0: the variance of a sum of two independent U[0, 1] values, 2 * 1/12."""


def adding_problem(batch: int, length: int, rng=None) -> TaskBatch:
    """The adding problem: output the sum of the two values that carry a marker.

    Each step's input is a pair (value, marker): value ~ U[0, 1]; the marker is 1 at exactly two steps, one in
    the first half [0, T//2) and one in the second half [T//2, T), and 0 elsewhere. The target is the sum of the
    two marked values, read at the last step. The first marker can be up to T - 1 steps before the end, so the
    network must keep one number in memory that long while ignoring all the others.

    Args:
        batch: B >= 1.
        length: T >= 2, the sequence length.
        rng: int seed or Generator.

    Returns:
        TaskBatch with inputs (B, T, 2) float64 ([..., 0] values, [..., 1] markers), targets (B, 1) float64,
        loss "mse" on the last step. Baseline: always predict 1.0 (the mean target), expected MSE 1/6
        (``ADDING_BASELINE_MSE``); ``baseline_loss`` is its MSE on this batch.
    """
    batch = _check_count("batch", batch, 1)
    length = _check_count("length", length, 2)
    generator = as_generator(rng)
    values = generator.random((batch, length))
    half = length // 2
    first = generator.integers(0, half, size=batch)
    second = generator.integers(half, length, size=batch)
    markers = np.zeros((batch, length))
    rows = np.arange(batch)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    inputs = np.stack([values, markers], axis=-1)
    targets = (values[rows, first] + values[rows, second]).reshape(batch, 1)
    baseline_loss = float(np.mean((targets - 1.0) ** 2))
    return TaskBatch(inputs, targets, "mse", 1, baseline_loss, "always predict 1.0")


# --- the copy task -----------------------------------------------------------------------------------------

def copy_task(batch: int, length: int, rng=None, num_symbols: int = 3, alphabet_size: int = 4) -> TaskBatch:
    """The copy (memory) task: read symbols, wait through blanks, repeat the symbols after a recall marker.

    With S = num_symbols and A = alphabet_size, tokens are the symbols 0..A-1, a blank A and the recall marker
    A + 1, fed one-hot. A sequence of T = 2S + length + 1 steps looks like (S = 3, length = 4)

        input:   s1 s2 s3  _  _  _  _  R  _  _  _
        target:   _  _  _  _  _  _  _  _ s1 s2 s3

    where s1..sS are drawn uniformly from the A symbols. Targets are the blank class except on the last S steps.

    Args:
        batch: B >= 1.
        length: the number of blank steps between the last symbol and the recall marker, >= 0.
        rng: int seed or Generator.
        num_symbols: S >= 1, how many symbols to remember.
        alphabet_size: A >= 2.

    Returns:
        TaskBatch with inputs (B, T, A + 2) float64 one-hot, targets (B, T) int64 labels in [0, A] (A = blank),
        loss "cross_entropy" at every step, output_size A + 1. Baseline: the blank wherever it is certain, then
        a uniform guess over the A symbols: loss S * log(A) / T (it remembers nothing).
    """
    batch = _check_count("batch", batch, 1)
    length = _check_count("length", length, 0)
    num_symbols = _check_count("num_symbols", num_symbols, 1)
    alphabet_size = _check_count("alphabet_size", alphabet_size, 2)
    generator = as_generator(rng)
    blank, recall = alphabet_size, alphabet_size + 1
    total = 2 * num_symbols + length + 1

    symbols = generator.integers(0, alphabet_size, size=(batch, num_symbols))
    input_tokens = np.full((batch, total), blank, dtype=np.int64)
    input_tokens[:, :num_symbols] = symbols
    input_tokens[:, num_symbols + length] = recall
    targets = np.full((batch, total), blank, dtype=np.int64)
    targets[:, total - num_symbols:] = symbols

    inputs = np.eye(alphabet_size + 2)[input_tokens]
    baseline_loss = num_symbols * float(np.log(alphabet_size)) / total
    return TaskBatch(inputs, targets, "cross_entropy", alphabet_size + 1, baseline_loss,
                     "blank where certain, a uniform guess over the symbols when recalling")


# --- sentence completion -----------------------------------------------------------------------------------

SENTENCE_SUBJECTS = {
    "data science student": "learning",
    "linguist": "translation",
    "knitter": "knitting",
    "toolmaker": "tools",
}
"""Who the sentence is about -> the word that completes "... and I love machine ___"."""

SENTENCE_FILLERS = ("pursuing", "an", "MS", "from", "the", "university", "of", "somewhere", "who", "studies",
                    "late", "at", "night", "with", "friends", "coffee")
"""Words that carry no information about the answer, drawn at random to fill the gap."""

_SENTENCE_START = ("I", "am", "a")
_SENTENCE_END = ("and", "I", "love", "machine")


@dataclass(frozen=True)
class SentenceBatch(TaskBatch):
    """A ``TaskBatch`` of sentences, with what is needed to print them.

    Extra attributes:
        token_ids: int64 (B, T), index of each token in ``vocabulary`` (``inputs`` is its one-hot form).
        vocabulary: tuple of V tokens (a subject phrase such as "data science student" is one token).
        answers: tuple of K words; label k means ``answers[k]``.
    """

    token_ids: np.ndarray = None
    vocabulary: tuple = ()
    answers: tuple = ()

    def decode(self, index: int, answer: int | None = None) -> str:
        """Sentence ``index`` of the batch as text, ending in "___" or in ``answers[answer]`` if given."""
        words = [self.vocabulary[token] for token in self.token_ids[index]]
        words.append("___" if answer is None else self.answers[answer])
        return " ".join(words)


def sentence_completion(batch: int, gap: int, rng=None) -> SentenceBatch:
    """Fill the blank of "I am a <subject> <gap filler words> and I love machine ___".

    The subject (one of K = 4, see ``SENTENCE_SUBJECTS``) is chosen uniformly and alone decides the answer:
    a data science student loves machine *learning*, a linguist machine *translation*, and so on. The fillers
    are drawn uniformly from ``SENTENCE_FILLERS``, so to answer, a network must carry the subject across
    ``gap`` + 4 steps. Each token, including a multi-word subject phrase, is one one-hot input step.

    Args:
        batch: B >= 1.
        gap: number of filler words, >= 0.
        rng: int seed or Generator.

    Returns:
        SentenceBatch with inputs (B, T, V) float64 one-hot, T = gap + 8, targets (B,) int64 labels in [0, K),
        loss "cross_entropy" on the last step, output_size K, token_ids (B, T), vocabulary, answers and
        ``decode(i)``. Baseline: a uniform guess over the K answers, loss log K.
    """
    batch = _check_count("batch", batch, 1)
    gap = _check_count("gap", gap, 0)
    generator = as_generator(rng)
    subjects = tuple(SENTENCE_SUBJECTS)
    answers = tuple(SENTENCE_SUBJECTS.values())
    vocabulary = tuple(dict.fromkeys(_SENTENCE_START + subjects + SENTENCE_FILLERS + _SENTENCE_END))
    index_of = {token: i for i, token in enumerate(vocabulary)}

    labels = generator.integers(0, len(subjects), size=batch)
    start = np.array([index_of[token] for token in _SENTENCE_START])
    end = np.array([index_of[token] for token in _SENTENCE_END])
    subject_ids = np.array([index_of[subject] for subject in subjects])[labels]
    filler_ids = np.array([index_of[word] for word in SENTENCE_FILLERS])[
        generator.integers(0, len(SENTENCE_FILLERS), size=(batch, gap))]
    token_ids = np.concatenate([
        np.broadcast_to(start, (batch, start.size)),
        subject_ids[:, None],
        filler_ids,
        np.broadcast_to(end, (batch, end.size)),
    ], axis=1).astype(np.int64)

    inputs = np.eye(len(vocabulary))[token_ids]
    return SentenceBatch(inputs, labels.astype(np.int64), "cross_entropy", len(answers),
                         float(np.log(len(answers))), "a uniform guess over the answers",
                         token_ids=token_ids, vocabulary=vocabulary, answers=answers)
