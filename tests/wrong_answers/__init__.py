"""Plausible wrong answers for every exercise of the course, one module per unit, and the loader that reads them.

A unit's file ``tests/wrong_answers/<unit id>.py`` (e.g. ``04_gates.py``) defines one dict:

    WRONG_ANSWERS = {
        "<grade_id of an exercise cell>": {
            "<mistake name>": "<complete replacement source of that cell>",
            ...                                          # at least three per exercise
        },
        ...
    }

Two kinds of test use them: each unit's fast feedback test (``tests/lstm_course/feedback/test_<topic>.py``) runs the
unit's checks on every wrong answer, and ``tests/notebooks/test_autograde_wrong_answers.py`` grades each one
with real ``nbgrader autograde`` and asserts it loses marks in its own exercise.

Unit ids start with a digit, so the files cannot be imported with a plain ``import``; load them with

    from tests.wrong_answers import load_wrong_answers     # the repository root is on sys.path under pytest
    WRONG = load_wrong_answers("04_gates")
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["WRONG_ANSWERS_DIR", "wrong_answers_path", "units_with_wrong_answers", "load_wrong_answers"]

WRONG_ANSWERS_DIR = Path(__file__).resolve().parent


def wrong_answers_path(unit_id: str) -> Path:
    """Where the wrong answers of ``unit_id`` live (the file may not exist yet)."""
    return WRONG_ANSWERS_DIR / f"{unit_id}.py"


def units_with_wrong_answers() -> list[str]:
    """The unit ids that have a wrong-answers file, sorted."""
    return sorted(p.stem for p in WRONG_ANSWERS_DIR.glob("[0-9]*.py"))


def load_wrong_answers(unit_id: str) -> dict[str, dict[str, str]]:
    """Read ``WRONG_ANSWERS`` from ``tests/wrong_answers/<unit_id>.py`` and check its format.

    Returns {grade_id: {mistake name: replacement source}}. Raises FileNotFoundError if the unit has no file,
    and TypeError / ValueError naming the file and the entry when the dict does not have that format.
    """
    path = wrong_answers_path(unit_id)
    if not path.is_file():
        raise FileNotFoundError(f"no wrong answers for unit {unit_id!r}: expected {path.name} in {WRONG_ANSWERS_DIR}")
    # A fresh module each time, under a name of its own, so two units never share state.
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{unit_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    where = f"tests/wrong_answers/{path.name}"
    answers = getattr(module, "WRONG_ANSWERS", None)
    if not isinstance(answers, dict):
        raise TypeError(f"{where}: expected a module-level dict WRONG_ANSWERS, got {type(answers).__name__}")
    for grade_id, mistakes in answers.items():
        if not isinstance(grade_id, str) or not isinstance(mistakes, dict):
            raise TypeError(
                f"{where}: WRONG_ANSWERS[{grade_id!r}] must map a grade_id (str) to a dict "
                f"{{mistake name: source}}, got {type(grade_id).__name__} -> {type(mistakes).__name__}"
            )
        for name, source in mistakes.items():
            if not isinstance(name, str) or not isinstance(source, str):
                raise TypeError(
                    f"{where}: WRONG_ANSWERS[{grade_id!r}][{name!r}] must be a source string, "
                    f"got {type(source).__name__}"
                )
            if not source.strip():
                raise ValueError(f"{where}: WRONG_ANSWERS[{grade_id!r}][{name!r}] is empty")
    return answers
