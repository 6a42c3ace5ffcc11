"""The whole catalogue of mistakes the checks can name, for tools such as the class mistake report.

    >>> from lstm_course.feedback.catalogue import all_mistakes
    >>> all_mistakes()["hidden_state/missing_tanh"]
    ('hidden_state', 'h = o * c: the tanh on the cell state is missing ...')

Every check module makes its ``Mistake``s when imported (``core.CATALOGUE`` collects them); importing every
module of this package therefore gives them all, including modules added later. The mistakes recognised from a
learner's error (``raised.RAISE_MISTAKES``: a weight not transposed, a concatenation on the wrong axis, ...) apply
to every exercise and are listed for each one that has a check. A failing check's record (``CheckFailed.record``)
carries the id; ``exercises.exercises()`` maps an exercise to its unit.
"""

from __future__ import annotations

import importlib
import pkgutil

from . import core
from .raised import RAISE_MISTAKES
from .relations import RELATION_MISTAKES

__all__ = ["all_mistakes", "checked_exercises"]

# Modules of this package that hold no checks (tools and building blocks).
_NOT_CHECKS = {"core", "catalogue", "mutants", "exercises", "raised", "relations", "hints", "hint_texts"}


def _check_modules():
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _NOT_CHECKS and not info.name.startswith("_"):
            yield importlib.import_module(f"{__package__}.{info.name}")


def checked_exercises() -> list[str]:
    """Every exercise with a public check in this package (``check_<exercise>``), in no particular order."""
    names = set()
    for module in _check_modules():
        for attribute in dir(module):
            if attribute.startswith("check_") and not attribute.endswith("_hidden") and callable(
                    getattr(module, attribute)):
                names.add(attribute.removeprefix("check_"))
    return sorted(names)


def all_mistakes() -> dict[str, tuple[str, str]]:
    """{mistake id: (exercise, text)} for every mistake a check can name."""
    exercises = checked_exercises()  # imports every check module, so core.CATALOGUE is complete
    found = {mistake_id: (mistake_id.split("/", 1)[0], text) for mistake_id, text in core.CATALOGUE.items()}
    for exercise in exercises:
        for slug, text in {**RAISE_MISTAKES, **RELATION_MISTAKES}.items():
            found.setdefault(f"{exercise}/{slug}", (exercise, text))
    return dict(sorted(found.items()))
