"""A small training loop: a recurrent layer, a linear readout, a loss, an optimiser.

    x (B, T, D) --LSTM or RNN--> hs (B, T, H) --readout--> y (B, O) or (B, T, O) --loss--> L

The readout is a linear layer, y = h W^T + b, applied to the last hidden state h_T (one prediction per
sequence: the adding problem, sentence completion) or to every h_t (one prediction per step: the copy task,
the tutorial's toy regression). ``SequenceModel`` bundles the recurrent parameters and the readout and runs the
forward and backward passes; ``train`` repeats "batch -> loss and gradients -> clip -> optimiser step" and
returns a ``TrainingHistory``.

``ADDING_DEMO`` is the course's measured setting in which an LSTM solves the adding problem and a vanilla RNN
of the same size, trained the same way, does not; ``adding_demo`` runs one side of it. The training unit's
notebook, the long-term-dependency test and ``scripts/sweep_gap.py`` all use these two, so they agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable, Iterable

import numpy as np

from .losses import mean_squared_error, softmax_cross_entropy
from .optim import Adam, clip_by_global_norm, global_norm
from .params import LSTMParams, RNNParams, as_generator
from .rnn import rnn_backward, rnn_forward
from .sequence import lstm_backward, lstm_forward
from .tasks import TaskBatch, adding_problem

__all__ = [
    "Readout", "SequenceModel", "TrainingHistory", "loss_and_gradients", "evaluate", "train",
    "ADDING_DEMO", "AddingDemoResult", "adding_demo", "load_gap_sweep",
]

MODEL_KINDS = ("lstm", "rnn")


# --- the readout -------------------------------------------------------------------------------------------

@dataclass
class Readout:
    """A linear layer from hidden states to outputs: y = h W^T + b.

    Attributes:
        W: (O, H) weights, b: (O,) bias.
        every_step: False -> read only the last hidden state h_T; True -> read every h_t.
    """

    W: np.ndarray
    b: np.ndarray
    every_step: bool = False

    @classmethod
    def init(cls, hidden_size: int, output_size: int, every_step: bool = False, rng=None,
             dtype=np.float64) -> "Readout":
        """W, b ~ U(-1/sqrt(H), 1/sqrt(H)), the scale PyTorch's nn.Linear uses (keeps y of order 1)."""
        generator = as_generator(rng)
        bound = 1.0 / np.sqrt(hidden_size)
        W = generator.uniform(-bound, bound, size=(output_size, hidden_size)).astype(dtype)
        b = generator.uniform(-bound, bound, size=output_size).astype(dtype)
        return cls(W, b, every_step)

    @property
    def output_size(self) -> int:
        return self.W.shape[0]

    def arrays(self) -> dict[str, np.ndarray]:
        """The parameter arrays themselves (not copies), for optimisers that update them in place."""
        return {"W": self.W, "b": self.b}

    def forward(self, hs: np.ndarray) -> np.ndarray:
        """hs (B, T, H) -> y (B, O) from h_T, or (B, T, O) from every step if ``every_step``."""
        read = hs if self.every_step else hs[:, -1]
        return read @ self.W.T + self.b

    def backward(self, dy: np.ndarray, hs: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Gradients of y = h W^T + b.

            dL/dh = dL/dy W,     dL/dW = sum over rows of (dL/dy)^T h,     dL/db = sum over rows of dL/dy

        Args:
            dy: (B, O) or (B, T, O), dL/dy from the loss.
            hs: (B, T, H), the hidden states ``forward`` read.
        Returns:
            dhs: (B, T, H), dL/dh_t for every step (zero except at t = T when only h_T is read).
            grads: {"W": (O, H), "b": (O,)}.
        """
        if self.every_step:
            dhs = dy @ self.W
            rows_dy = dy.reshape(-1, dy.shape[-1])
            rows_h = hs.reshape(-1, hs.shape[-1])
        else:
            dhs = np.zeros_like(hs)
            dhs[:, -1] = dy @ self.W
            rows_dy, rows_h = dy, hs[:, -1]
        return dhs, {"W": rows_dy.T @ rows_h, "b": rows_dy.sum(axis=0)}


# --- the model ---------------------------------------------------------------------------------------------

@dataclass
class SequenceModel:
    """A recurrent layer ("lstm" or "rnn") followed by a linear ``Readout``.

    Attributes:
        kind: "lstm" or "rnn".
        cell: the recurrent parameters, ``LSTMParams`` for "lstm", ``RNNParams`` for "rnn".
        readout: the ``Readout`` on top.
    """

    kind: str
    cell: LSTMParams | RNNParams
    readout: Readout

    @classmethod
    def init(cls, kind: str, input_size: int, hidden_size: int, output_size: int, every_step: bool = False,
             rng=None, forget_bias: float = 1.0) -> "SequenceModel":
        """A fresh model; ``rng`` (int seed or Generator) draws the cell's and then the readout's weights.

        ``forget_bias`` (LSTM only) is the initial forget-gate bias: 1 keeps most of the cell state at first.
        """
        if kind not in MODEL_KINDS:
            raise ValueError(f"kind must be one of {MODEL_KINDS}, got {kind!r}.")
        generator = as_generator(rng)
        if kind == "lstm":
            cell = LSTMParams.init(input_size, hidden_size, rng=generator, forget_bias=forget_bias)
        else:
            cell = RNNParams.init(input_size, hidden_size, rng=generator)
        readout = Readout.init(hidden_size, output_size, every_step=every_step, rng=generator)
        return cls(kind, cell, readout)

    @classmethod
    def for_task(cls, kind: str, batch: TaskBatch, hidden_size: int, rng=None, **kwargs) -> "SequenceModel":
        """A model whose input size, output size and readout position fit ``batch``'s task."""
        return cls.init(kind, batch.input_size, hidden_size, batch.output_size, every_step=batch.every_step,
                        rng=rng, **kwargs)

    @property
    def hidden_size(self) -> int:
        return self.readout.W.shape[1]

    def parameters(self) -> dict[str, np.ndarray]:
        """Every trainable array, named "cell.W", "cell.b", "readout.W", "readout.b" (the arrays themselves)."""
        named = {f"cell.{name}": array for name, array in self.cell.arrays().items()}
        named.update({f"readout.{name}": array for name, array in self.readout.arrays().items()})
        return named

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, tuple]:
        """x (B, T, D) -> (y, cache): y is (B, O) or (B, T, O); the cache is what ``backward`` needs."""
        if self.kind == "lstm":
            hs, _, cell_cache = lstm_forward(x, self.cell)
        else:
            hs, _, cell_cache = rnn_forward(x, self.cell)
        return self.readout.forward(hs), (hs, cell_cache)

    def backward(self, dy: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
        """dL/dy -> the gradient of every array of ``parameters()``, under the same names."""
        hs, cell_cache = cache
        dhs, readout_grads = self.readout.backward(dy, hs)
        if self.kind == "lstm":
            cell_grads = lstm_backward(dhs, cell_cache)[3]
        else:
            cell_grads = rnn_backward(dhs, cell_cache)[2]
        grads = {f"cell.{name}": array for name, array in cell_grads.arrays().items()}
        grads.update({f"readout.{name}": array for name, array in readout_grads.items()})
        return grads

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The readout's outputs for x (B, T, D): (B, O) or (B, T, O) (logits for a classification task)."""
        return self.forward(x)[0]


def _check_fits(model: SequenceModel, batch: TaskBatch) -> None:
    """Catch a model built for another task before the shapes fail somewhere deep inside."""
    if not isinstance(batch, TaskBatch):
        raise TypeError(f"batch must be a TaskBatch (from lstm_ref.tasks), got {type(batch).__name__}.")
    if model.readout.every_step != batch.every_step:
        wanted = "every step" if batch.every_step else "the last step only"
        raise ValueError(f"this task has targets for {wanted}, but the model's readout has every_step="
                         f"{model.readout.every_step}. Build it with SequenceModel.for_task(kind, batch, ...).")
    if model.readout.output_size != batch.output_size:
        raise ValueError(f"the model's readout has O = {model.readout.output_size} outputs but the task needs "
                         f"output_size = {batch.output_size}.")


_LOSSES = {"mse": mean_squared_error, "cross_entropy": softmax_cross_entropy}


def loss_and_gradients(model: SequenceModel, batch: TaskBatch) -> tuple[float, dict[str, np.ndarray]]:
    """The loss of ``model`` on ``batch`` (the batch's own loss: MSE or cross-entropy) and its gradients.

    Returns:
        loss: a float; grads: dict with the names and shapes of ``model.parameters()``.
    """
    _check_fits(model, batch)
    y, cache = model.forward(batch.inputs)
    loss, dy = _LOSSES[batch.loss](y, batch.targets)
    return loss, model.backward(dy, cache)


def evaluate(model: SequenceModel, batch: TaskBatch) -> float:
    """The loss of ``model`` on ``batch`` (forward pass only), e.g. on held-out data."""
    _check_fits(model, batch)
    return _LOSSES[batch.loss](model.predict(batch.inputs), batch.targets)[0]


# --- the training loop -------------------------------------------------------------------------------------

@dataclass
class TrainingHistory:
    """What happened at every training step (lists of equal length, one entry per step taken).

    Attributes:
        step: 1, 2, ... ; loss: the training loss on that step's batch (before the update);
        grad_norm: the global gradient norm before clipping (spikes are exploding gradients).
    """

    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)


def _batch_source(task, rng) -> Callable[[], TaskBatch]:
    """Turn the ``task`` argument of ``train`` into a function that returns the next batch."""
    if isinstance(task, TaskBatch):
        return lambda: task
    if callable(task):
        generator = as_generator(rng)
        return lambda: task(generator)
    if isinstance(task, Iterable):
        iterator = iter(task)

        def next_batch() -> TaskBatch:
            try:
                return next(iterator)
            except StopIteration:
                raise ValueError("task ran out of batches before `steps` training steps were taken; pass more "
                                 "batches or a task function such as functools.partial(adding_problem, 32, 40)."
                                 ) from None
        return next_batch
    raise TypeError(f"task must be a TaskBatch, an iterable of TaskBatch or a function rng -> TaskBatch, got "
                    f"{type(task).__name__}.")


def train(model: SequenceModel, task, steps: int, optimiser, clip: float | None = None,
          callback: Callable[[int, float], bool | None] | None = None, callback_every: int = 10,
          rng=None) -> TrainingHistory:
    """Train ``model`` in place for ``steps`` steps and return what happened.

    Each step: draw a batch, compute the loss and the gradients, clip them to global norm ``clip`` (if given),
    and let the optimiser update the parameters.

    Args:
        model: a ``SequenceModel`` (updated in place).
        task: one of
            - a ``TaskBatch``: the same batch every step (e.g. the toy regression);
            - an iterable of ``TaskBatch``: one per step;
            - a function ``f(rng) -> TaskBatch`` (e.g. ``functools.partial(adding_problem, 32, 40)``), called
              with one Generator made from ``rng``, so each step gets a fresh batch and a seed repeats them.
        steps: the number of updates, >= 1.
        optimiser: an object with ``step(params, grads)``, e.g. ``Adam(lr=1e-2)`` or ``SGD(lr=0.1)``.
        clip: the largest global gradient norm, or None for no clipping.
        callback: called as ``callback(step, loss)`` every ``callback_every`` steps and after the last one; a
            notebook can draw a live loss curve with it. If it returns True, training stops there.
        callback_every: how often to call ``callback``.
        rng: seed or Generator for a task function's batches.

    Returns:
        a ``TrainingHistory`` with the step number, training loss and pre-clipping gradient norm of each step.
    """
    if not isinstance(model, SequenceModel):
        raise TypeError(f"model must be a SequenceModel, got {type(model).__name__}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    if not callable(getattr(optimiser, "step", None)):
        raise TypeError(f"optimiser must have a step(params, grads) method (e.g. Adam(lr=1e-2)), got "
                        f"{type(optimiser).__name__}.")
    if isinstance(callback_every, bool) or not isinstance(callback_every, (int, np.integer)) or callback_every < 1:
        raise ValueError(f"callback_every must be a positive integer, got {callback_every!r}.")

    next_batch = _batch_source(task, rng)
    params = model.parameters()
    history = TrainingHistory()
    for step in range(1, steps + 1):
        loss, grads = loss_and_gradients(model, next_batch())
        if clip is None:
            norm = global_norm(grads)
        else:
            grads, norm = clip_by_global_norm(grads, clip)
        optimiser.step(params, grads)
        history.step.append(step)
        history.loss.append(loss)
        history.grad_norm.append(norm)
        if callback is not None and (step % callback_every == 0 or step == steps):
            if callback(step, loss) is True:
                break
    return history


# --- the course's LSTM-vs-RNN demonstration ----------------------------------------------------------------

ADDING_DEMO = dict(
    length=40,          # T: the first marked value is 20 to 39 steps before the end
    steps=1500,         # the step budget, the same for both models
    batch_size=32,
    hidden_size=32,
    clip=1.0,           # global-norm clipping, for both models
    lr={"lstm": 1e-2, "rnn": 3e-3},   # the default learning rate of each model
    rnn_lrs=(1e-2, 3e-3, 1e-3),       # the RNN's chances: the test and the sweep keep its best result
    held_out_size=500,
    held_out_seed=20_240,  # one held-out set for every run, never used for training
    eval_every=100,
    solved_ratio=0.1,   # held-out loss / baseline below this counts as solved
)
"""The adding-problem setting that the training unit, its test and the gap sweep share (run it with adding_demo).

Why these numbers (measured on a 2-core machine, float64, one BLAS thread): at T = 40 the LSTM crossed the
solved line between steps 500 and 1,000 for each of 30 seeds and ended at 0.001-0.02 of the baseline, so 1,500
steps leaves a margin; the vanilla RNN's best held-out ratio stayed at 0.96-0.99 for 10 seeds with each of the
three learning rates. The RNN's default, 3e-3, won most often at T = 20, the longest gap it partly learns
(1e-2 wins at T <= 10 but is unstable at T = 40, ending up to 1.24 of the baseline). One LSTM run takes about
7 s, one RNN run about 1.5 s. ``lstm_ref/data/gap_sweep.json`` has the same comparison for T = 5 to 100.
"""


@dataclass
class AddingDemoResult:
    """One run of ``adding_demo``.

    Attributes:
        kind, seed, length, lr: what was run.
        ratio: final held-out MSE divided by the held-out baseline (always predicting 1.0).
        best_ratio: the lowest held-out ratio seen at any evaluation.
        eval_steps, eval_ratios: the held-out ratio every ``eval_every`` steps (for a learning curve).
        history: the training history.
        model: the trained model (its gates can be inspected afterwards).
    """

    kind: str
    seed: int
    length: int
    lr: float
    ratio: float
    best_ratio: float
    eval_steps: list[int]
    eval_ratios: list[float]
    history: TrainingHistory
    model: SequenceModel


def adding_demo(kind: str, seed: int, length: int | None = None, steps: int | None = None, lr: float | None = None,
                callback: Callable[[int, float], bool | None] | None = None) -> AddingDemoResult:
    """Train one model ("lstm" or "rnn") on the adding problem with the ``ADDING_DEMO`` setting.

    ``seed`` decides both the initial weights and the training batches, and an LSTM and an RNN with the same
    seed see the same batches. The held-out set is the same for every run. ``length``, ``steps`` and ``lr``
    override the setting (the gap sweep varies ``length``). ``callback(step, loss)`` is called at every
    evaluation, after the held-out ratio has been recorded.
    """
    if kind not in MODEL_KINDS:
        raise ValueError(f"kind must be one of {MODEL_KINDS}, got {kind!r}.")
    setting = ADDING_DEMO
    length = setting["length"] if length is None else length
    steps = setting["steps"] if steps is None else steps
    lr = setting["lr"][kind] if lr is None else lr

    init_seed, data_seed = np.random.SeedSequence(seed).spawn(2)
    held_out = adding_problem(setting["held_out_size"], length, rng=setting["held_out_seed"])
    model = SequenceModel.for_task(kind, held_out, setting["hidden_size"], rng=np.random.default_rng(init_seed))

    eval_steps: list[int] = []
    eval_ratios: list[float] = []

    def record(step: int, loss: float):
        eval_steps.append(step)
        eval_ratios.append(evaluate(model, held_out) / held_out.baseline_loss)
        return callback(step, loss) if callback is not None else None

    task = lambda generator: adding_problem(setting["batch_size"], length, rng=generator)  # noqa: E731
    history = train(model, task, steps, Adam(lr=lr), clip=setting["clip"], callback=record,
                    callback_every=setting["eval_every"], rng=np.random.default_rng(data_seed))
    return AddingDemoResult(kind, seed, length, lr, eval_ratios[-1], min(eval_ratios), eval_steps, eval_ratios,
                            history, model)


def load_gap_sweep() -> dict:
    """The precomputed LSTM-vs-RNN sweep over the gap T, shipped as ``lstm_ref/data/gap_sweep.json``.

    Made by ``scripts/sweep_gap.py`` with the ``ADDING_DEMO`` setting. Returns a dict with "settings" (what was
    run), "results" (one entry per length T: "length", "lstm_ratio" and "rnn_ratio" with one held-out ratio
    per seed, the RNN's chosen "rnn_lr", and "lstm_solved_at", the first evaluation step below
    ``solved_ratio``) and "run" (CPU seconds, versions).
    """
    text = resources.files("lstm_ref").joinpath("data").joinpath("gap_sweep.json").read_text(encoding="utf-8")
    return json.loads(text)
