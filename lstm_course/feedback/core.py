"""The building blocks of checks that teach.

A notebook's test cell calls one exercise check (e.g. ``check_forget_gate(forget_gate)``); the exercise checks
are written with the helpers below so every failure reads the same way:

    forget_gate: wrong values.
      18 of 24 entries differ; largest difference 0.21 at (0, 2): expected 0.62, got 0.41.
      Hint: your output matches sigmoid replaced by tanh. A gate's values must lie between 0 and 1.

Expected values are always computed here from ``lstm_ref`` (never typed-in numbers), so a check can be read
against the reference it trusts.
"""

from __future__ import annotations

import os
import sys
import traceback

import numpy as np

__all__ = [
    "CheckFailed",
    "call_learner",
    "expect_array",
    "expect_close",
    "matching_mistake",
    "passed",
]


class CheckFailed(AssertionError):
    """A learner-facing failure: its message says what is wrong and, where it can, why.

    It subclasses ``AssertionError`` so nbgrader counts the test cell as failed, like any assert.
    """

    def _render_traceback_(self) -> list[str]:
        """What IPython (and so JupyterLab and nbgrader's Validate) shows in place of the traceback.

        The frames of a failing check are the check's own machinery; a learner needs its message, which already
        says what is wrong and where. Plain Python (and pytest) still show the full traceback.
        """
        first, *rest = str(self).splitlines() or [""]
        return [f"CheckFailed: {first}", *rest]


def call_learner(function, *args, name: str | None = None, **kwargs):
    """Call the learner's ``function`` and turn the usual first-run problems into plain words."""
    label = name or getattr(function, "__name__", "your function")
    if not callable(function):
        raise CheckFailed(f"{label} should be a function, but it is a {type(function).__name__}.")
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise CheckFailed(
            f"{label} is not implemented yet: replace `raise NotImplementedError()` with your code."
        ) from None
    except CheckFailed:
        raise
    except Exception as error:  # the learner's bug: name it and where it came from, keep it short
        where = _learner_line(error)
        raise CheckFailed(
            f"{label} raised {type(error).__name__}: {error}\n"
            + (f"  It happened in {where}\n" if where else "")
            + "  Try your function on a small example (print the shapes) to find what goes wrong."
        ) from error


# Frames from these folders are library code; the last frame outside them is the learner's own line.
_LIBRARY_FOLDERS = tuple(
    os.path.dirname(module.__file__) + os.sep for module in (np, sys.modules[__name__.split(".")[0]])
)


def _learner_line(error: BaseException) -> str | None:
    """Describe the learner's line that raised ``error``, e.g. "forget_gate, line 14: return z @ W_f + b_f"."""
    frames = traceback.extract_tb(error.__traceback__)[1:]  # the first frame is call_learner's own call
    own = [frame for frame in frames if not frame.filename.startswith(_LIBRARY_FOLDERS)]
    if not own:
        return None
    frame = own[-1]
    code = (frame.line or "").strip()
    return f"{frame.name}, line {frame.lineno}" + (f": {code}" if code else "")


def expect_array(name: str, got, expected_shape: tuple, *, shape_meaning: str | None = None) -> np.ndarray:
    """Check that ``got`` is a float NumPy array of ``expected_shape``; return it as an array.

    ``shape_meaning`` spells the shape in symbols, e.g. ``"(B, H)"``, so the message reads
    "expected (B, H) = (3, 4), got (4, 3)".
    """
    if got is None:
        raise CheckFailed(f"{name}: your function returned None. Did you forget the `return`?")
    if isinstance(got, tuple) and not isinstance(got, np.ndarray):
        raise CheckFailed(f"{name}: expected one array, got a tuple of {len(got)} items.")
    got = np.asarray(got)
    if got.dtype.kind not in "fc":
        raise CheckFailed(f"{name}: expected an array of floats, got dtype {got.dtype}.")
    if got.shape != tuple(expected_shape):
        spelled = f"{shape_meaning} = {tuple(expected_shape)}" if shape_meaning else f"{tuple(expected_shape)}"
        hint = ""
        if got.shape == tuple(reversed(expected_shape)) and len(expected_shape) == 2:
            hint = "\n  Hint: the axes are swapped. Is a weight matrix transposed, or `z @ W` used instead of `z @ W.T`?"
        raise CheckFailed(f"{name}: wrong shape: expected {spelled}, got {got.shape}.{hint}")
    if not np.all(np.isfinite(got)):
        raise CheckFailed(f"{name}: your result contains NaN or infinity.")
    return got


def matching_mistake(got: np.ndarray, mistakes: dict[str, np.ndarray], *, rtol: float = 1e-6, atol: float = 1e-9):
    """Return the hint of the first known mistake whose output equals ``got``, else ``None``.

    ``mistakes`` maps a hint ("sigmoid replaced by tanh ...") to what that mistake would have returned on the
    same inputs, computed with ``lstm_ref``.
    """
    for hint, wrong_output in mistakes.items():
        wrong_output = np.asarray(wrong_output)
        if wrong_output.shape == got.shape and np.allclose(got, wrong_output, rtol=rtol, atol=atol):
            return hint
    return None


def expect_close(
    name: str,
    got,
    expected,
    *,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    mistakes: dict[str, np.ndarray] | None = None,
    hint: str | None = None,
    shape_meaning: str | None = None,
) -> None:
    """Check ``got`` against the reference ``expected``; explain the first difference if they disagree.

    The message counts the entries that differ, shows the largest difference with both values, and, when the
    output matches one of the known ``mistakes``, names it. Otherwise ``hint`` (if given) is shown.
    """
    expected = np.asarray(expected)
    got = expect_array(name, got, expected.shape, shape_meaning=shape_meaning)
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if close.all():
        return
    difference = np.abs(got - expected)
    worst = np.unravel_index(np.argmax(difference), difference.shape)
    lines = [
        f"{name}: wrong values.",
        f"  {int((~close).sum())} of {close.size} entries differ; largest difference {difference[worst]:.3g} "
        f"at {tuple(int(i) for i in worst)}: expected {expected[worst]:.6g}, got {got[worst]:.6g}.",
    ]
    known = matching_mistake(got, mistakes or {})
    if known is not None:
        lines.append(f"  Hint: your output matches {known}")
    elif hint:
        lines.append(f"  Hint: {hint}")
    raise CheckFailed("\n".join(lines))


def passed(name: str, detail: str = "") -> None:
    """Print the one-line success message every check ends with."""
    print(f"\u2714 {name}: all checks passed{' (' + detail + ')' if detail else ''}.")
