"""Hints for every exercise, opened one at a time when the learner asks: ``hint("forget_gate")``.

Each exercise has two or three hints, from the idea, to the shape of each step, to nearly the line; none is the
solution. A failing check says first what is wrong (its diagnosis) and then, on its last line, that hints exist
and how to open the next one, so the two speak with one voice:

    >>> hint("forget_gate")
    Hint 1 of 3 for forget_gate: ...
    Next: hint("forget_gate") again opens hint 2 of 3.

The count of hints opened lives in the kernel only (a restart starts again from hint 1; ``hint(name, 2)``
shows hint 2 again once it has been opened). Whether a learner opened a hint is NOT recorded anywhere, unless an
instructor's configuration asks for it: with the environment variable ``LSTM_COURSE_RECORD_HINTS=1`` set for
the learners' kernels (for example ``c.Spawner.environment`` in a JupyterHub's configuration), each opening
also leaves an invisible record (MIME type ``HINT_RECORD_MIME_TYPE``: exercise, hint number, of how many) in the
cell's output, which the instructor sees in the collected notebook, as a failing check's record is kept.
"""

from __future__ import annotations

import os
import sys

__all__ = ["HINTS", "HINT_RECORD_MIME_TYPE", "RECORD_HINTS_VARIABLE", "footer", "hint", "hints_for", "open_hint"]

HINT_RECORD_MIME_TYPE = "application/vnd.lstm-course.hint-opened+json"
RECORD_HINTS_VARIABLE = "LSTM_COURSE_RECORD_HINTS"

# exercise -> its hints, in order: the concept, the shape of each step, nearly the line (never the line).
HINTS: dict[str, tuple[str, ...]] = {}

_opened: dict[str, int] = {}  # exercise -> how many hints this kernel has opened


def hints_for(exercise: str) -> tuple[str, ...]:
    if not HINTS:
        from .hint_texts import TEXTS

        HINTS.update(TEXTS)
    return HINTS.get(exercise, ())


def footer(exercise: str) -> str:
    """The last line of a failing check's message: hints exist, and how to open the next one."""
    count = len(hints_for(exercise))
    if not count:
        return ""
    opened = _opened.get(exercise, 0)
    if opened >= count:
        return f"  Stuck? You have opened all {count} hints: hint(\"{exercise}\", {count}) shows the last again."
    return f"  Stuck? {count} hints, one at a time: hint(\"{exercise}\") opens hint {opened + 1} of {count}."


def hint(exercise: str, number: int | None = None) -> None:
    """Show the next hint for ``exercise`` (or hint ``number`` again, once opened)."""
    print(open_hint(exercise, number))


def open_hint(exercise: str, number: int | None = None) -> str:
    """The text ``hint`` shows (and the opening counted), without printing it."""
    hints = hints_for(exercise)
    if not hints:
        known = ", ".join(sorted(HINTS))
        text = f"There are no hints for {exercise!r}. Exercises with hints: {known}."
        return text
    opened = _opened.get(exercise, 0)
    if number is None:
        if opened >= len(hints):
            text = (f"That was the last hint for {exercise} ({len(hints)} of {len(hints)}); there are no more. "
                    f"hint(\"{exercise}\", 1) to {len(hints)} shows one again.")
            return text
        number = opened + 1
    if not 1 <= number <= min(len(hints), opened + 1):
        text = (f"Hints open in order: you have opened {opened} of {len(hints)} for {exercise}; "
                f"hint(\"{exercise}\") opens hint {opened + 1}.")
        return text
    _opened[exercise] = max(opened, number)
    after = (f"Next: hint(\"{exercise}\") again opens hint {number + 1} of {len(hints)}." if number < len(hints)
             else "That is the last hint.")
    text = f"Hint {number} of {len(hints)} for {exercise}: {hints[number - 1]}\n{after}"
    _record(exercise, number, len(hints))
    return text


def _record(exercise: str, number: int, count: int) -> None:
    """Leave a record of the opening in the cell's output, only when the instructor's configuration asks."""
    if os.environ.get(RECORD_HINTS_VARIABLE, "").strip().lower() not in {"1", "true", "yes"}:
        return
    _publish({"exercise": exercise, "hint": number, "of": count})


def _publish(record: dict) -> None:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "display_pub", None) is None:
        return
    from IPython.display import publish_display_data

    publish_display_data({HINT_RECORD_MIME_TYPE: record})


def reset() -> None:
    """Forget which hints were opened (as a kernel restart does); for tests."""
    _opened.clear()
