"""Watching a character-level LSTM learn to write (unit 9, "A character-level LSTM").

- ``CharTrainingView``: the live view of training: the loss curve (``LiveLossPlot``) and, every few steps, a
  line of text the model writes at that moment, so the samples can be seen improving as the loss falls. Pass it
  as a callback of ``lstm_course.chars.train_chars``.
- ``temperature_explorer``: a slider for the sampling temperature; it draws the model's next-character
  distribution after a prompt at that temperature and a passage written with it.
- ``plot_next_characters``: the most likely next characters after a prompt, as bars.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Pretty, display

from lstm_ref.losses import softmax
from lstm_ref.training import SequenceModel

from lstm_course.chars import Vocabulary, generate, logits_after
from .frontend import has_frontend, not_shown
from .style import MODEL_COLOURS
from .training import LiveLossPlot

__all__ = ["CharTrainingView", "next_character_probabilities", "plot_next_characters", "TemperatureExplorer",
           "temperature_explorer"]


def _shown(char: str) -> str:
    """A character as a bar label: the space and the line break made visible."""
    return {" ": "space", "\n": "\\n"}.get(char, char)


class CharTrainingView:
    """The loss curve and the model's writing, updated while it trains; call it as ``view(step, loss)``.

    Every ``sample_every`` steps (and at the last) the model writes ``sample_length`` characters after ``prompt``
    at ``temperature`` (seeded, so a re-run shows the same lines); the lines accumulate under the curve.

    Attributes:
        plot: the LiveLossPlot of the training loss; samples: [(step, text)], every line written so far.
    """

    def __init__(self, model: SequenceModel, vocab: Vocabulary, total_steps: int, *, baseline: float | None = None,
                 prompt: str = "Alice ", sample_every: int = 40, sample_length: int = 60, temperature: float = 0.5,
                 sample=None, show: bool = True):
        self.model, self.vocab, self.total_steps = model, vocab, total_steps
        self.prompt, self.sample_every, self.sample_length = prompt, sample_every, sample_length
        self.temperature, self.sample = temperature, sample
        self.plot = LiveLossPlot("A character-level LSTM learning to write", total_steps=total_steps,
                                 ylabel="cross-entropy per character (nats)", baseline=baseline,
                                 baseline_label="guessing: log V", log_scale=False, show=show,
                                 min_interval=2.0)  # each redraw renders a PNG: costlier than many steps
        self.samples: list[tuple[int, str]] = []
        self._handle = display(Pretty(self.text()), display_id=True) if show else None

    def text(self) -> str:
        """The lines written so far, one per sample, as shown under the curve."""
        if not self.samples:
            return f"(every {self.sample_every} steps the model will write a line after {self.prompt!r} here)"
        return "\n".join(f"step {step:>4}: {text!r}" for step, text in self.samples)

    def __call__(self, step: int, loss: float) -> None:
        self.plot(step, loss)
        if step % self.sample_every == 0 or step == self.total_steps:
            text = generate(self.model, self.vocab, self.prompt, self.sample_length, self.temperature,
                            rng=step, sample=self.sample)
            self.samples.append((step, text))
            if self._handle is not None:
                self._handle.update(Pretty(self.text()))


def next_character_probabilities(model: SequenceModel, vocab: Vocabulary, prompt: str,
                                 temperature: float = 1.0) -> np.ndarray:
    """softmax(logits / temperature) (V,) for the character after ``prompt``."""
    H = model.hidden_size
    logits = logits_after(model, vocab.one_hot(vocab.encode(prompt))[None], np.zeros((1, H)), np.zeros((1, H)))[0]
    return softmax(logits / temperature)


def plot_next_characters(ax, probabilities: np.ndarray, vocab: Vocabulary, *, title: str, top: int = 12):
    """Bars of the ``top`` most likely characters; returns the characters drawn, most likely first."""
    order = np.argsort(probabilities)[::-1][:top]
    chars = [vocab.chars[k] for k in order]
    ax.bar(range(len(order)), probabilities[order], color=MODEL_COLOURS["lstm"])
    ax.set_xticks(range(len(order)), [_shown(c) for c in chars])
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.set_xlabel("next character (the most likely first)")
    ax.set_ylabel("probability")
    return chars


class TemperatureExplorer:
    """The temperature slider; build it with ``temperature_explorer(model, vocab)`` and show ``.view``.

    Attributes:
        controls: {"temperature": FloatSlider (released to redraw), "seed": IntSlider (another draw)}.
        output: the Output the figure and the passage are drawn into; view: the controls above it.
        last_drawn: "temperature", "seed", "probabilities" (V,), "text" (the passage), "sampler" ("yours" or
            "the reference"), "title".
    """

    def __init__(self, model: SequenceModel, vocab: Vocabulary, prompt: str = "Alice ", length: int = 160,
                 sample=None):
        self.model, self.vocab, self.prompt, self.length = model, vocab, prompt, length
        self.sample = sample
        style = {"description_width": "initial"}
        self.controls = {
            "temperature": widgets.FloatSlider(value=1.0, min=0.1, max=2.5, step=0.1, description="temperature",
                                               continuous_update=False, style=style),
            "seed": widgets.IntSlider(value=0, min=0, max=20, description="another draw (seed)",
                                      continuous_update=False, style=style),
        }
        self.last_drawn: dict = {}
        self.output = widgets.interactive_output(self.draw, self.controls)
        self.view = widgets.VBox([widgets.HBox(list(self.controls.values())), self.output])

    def draw(self, temperature: float, seed: int) -> None:
        probabilities = next_character_probabilities(self.model, self.vocab, self.prompt, temperature)
        text = generate(self.model, self.vocab, self.prompt, self.length, temperature, rng=seed, sample=self.sample)
        figure, ax = plt.subplots(figsize=(8, 3))
        title = f"After {self.prompt!r}, at temperature {temperature:g}"
        plot_next_characters(ax, probabilities, self.vocab, title=title)
        figure.tight_layout()
        display(figure)
        plt.close(figure)
        sampler = "yours" if self.sample is not None else "the reference"
        print(f"Written at temperature {temperature:g} (sampler: {sampler}):\n{text}")
        self.last_drawn = {"temperature": temperature, "seed": seed, "probabilities": probabilities, "text": text,
                           "sampler": sampler, "title": title}


def temperature_explorer(model: SequenceModel, vocab: Vocabulary, prompt: str = "Alice ", length: int = 160,
                         sample=None) -> TemperatureExplorer:
    """Build the temperature widget for a trained character model; ``sample(logits, temperature, rng)`` draws
    each character (the reference sampler when None). Display the result's ``.view``."""
    if not has_frontend():  # grading or testing: no one to move the slider (lstm_course.viz.frontend)
        return not_shown("the temperature explorer")
    return TemperatureExplorer(model, vocab, prompt, length, sample)
