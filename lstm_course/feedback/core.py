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

import hashlib
import os
import sys
import textwrap
import traceback

import numpy as np

from .raised import RAISE_MISTAKES, diagnose, is_library, names_in_line
from .relations import RELATION_MISTAKES, shape_relation, value_relation

__all__ = [
    "CheckFailed",
    "Mistake",
    "RECORD_MIME_TYPE",
    "call_learner",
    "expect_array",
    "expect_close",
    "matching_mistake",
    "named",
    "passed",
]


# Every Mistake made so far, {id: text}: the checks' modules make theirs when imported, so importing them all
# (``lstm_course.feedback.catalogue.all_mistakes``) gives the whole catalogue.
CATALOGUE: dict[str, str] = {}


class Mistake(str):
    """A mistake learners make, as a check names it: the text the learner reads, plus a stable ``id``.

    It is a ``str`` (the text), so a catalogue of mistakes stays a plain ``{Mistake: wrong_output}`` dict and
    reads like prose; the ``id`` ("exercise/what_went_wrong", e.g. ``"hidden_state/missing_tanh"``) is what the
    class mistake report counts. Ids never change once published: reports from earlier terms compare by them.
    """

    id: str

    def __new__(cls, id: str, text: str) -> "Mistake":
        made = super().__new__(cls, text)
        made.id = id
        CATALOGUE.setdefault(id, str(text))  # the first text an id was made with is the catalogue's
        return made

    @property
    def exercise(self) -> str:
        return self.id.split("/", 1)[0]

    def __reduce__(self):  # pickles (and deep-copies) as a Mistake, id included
        return (Mistake, (self.id, str(self)))


# The MIME type of the record a failing check leaves in its cell's output (see ``CheckFailed.record``). Front ends
# and nbconvert's HTML have no renderer for it, so the learner sees nothing more than the message; nbgrader keeps
# it in the autograded notebook, where the class report reads it.
RECORD_MIME_TYPE = "application/vnd.lstm-course.check-failure+json"


_LINE_WIDTH = 100  # a failure's lines are wrapped to this width: JupyterLab shows ~105 characters at 1280 px


class CheckFailed(AssertionError):
    """A learner-facing failure: its message says what is wrong and, where it can, why.

    It subclasses ``AssertionError`` so nbgrader counts the test cell as failed, like any assert.
    ``mistake``: the recognised ``Mistake`` (or its id), None when nothing was recognised. ``check``: the name of
    the check that failed, found from the traceback when not given. ``signature``: a short fingerprint of the
    learner's wrong output, so the class report can group learners whose unrecognised answers agree.
    """

    def __init__(self, message: str = "", *, mistake: str | None = None, check: str | None = None,
                 signature: str | None = None):
        super().__init__(message)
        self.mistake = getattr(mistake, "id", mistake)
        self.mistake_text = str(mistake) if isinstance(mistake, Mistake) else CATALOGUE.get(mistake)
        self.check = check
        self.signature = signature

    def extended(self, more: str) -> "CheckFailed":
        """The same failure with ``more`` lines after its message (the mistake it names kept)."""
        mistake = Mistake(self.mistake, self.mistake_text) if self.mistake and self.mistake_text else self.mistake
        return CheckFailed(f"{self}\n{more}", mistake=mistake, check=self.check, signature=self.signature)

    @property
    def exercise(self) -> str | None:
        if self.mistake:
            return self.mistake.split("/", 1)[0]
        check = self.check or _failing_check_name(self.__traceback__)
        return exercise_of(check) if check else None

    def learner_message(self, prefix: str = "") -> str:
        """What the learner reads: the diagnosis, then where to find the exercise's hints (``hints.hint``),
        after ``prefix``, in lines wrapped to ``_LINE_WIDTH``."""
        from .hints import footer

        ending = footer(self.exercise) if self.exercise else ""
        lines = []
        for line in (prefix + (f"{self}\n{ending}" if ending else str(self))).splitlines():
            if len(line) <= _LINE_WIDTH:  # short enough to read at a glance; long ones wrap, keeping the indent
                lines.append(line)
                continue
            indent = line[:len(line) - len(line.lstrip())]
            lines += [indent + part for part in _wrap(line.strip(), _LINE_WIDTH - len(indent))]
        return "\n".join(lines)

    def record(self) -> dict:
        """The machine-readable record of this failure: which check, which mistake (or the first line)."""
        check = self.check or _failing_check_name(self.__traceback__)
        first_line, *rest = str(self).splitlines() or [""]
        details = [line.strip() for line in rest if line.strip() and not line.strip().startswith(("Hint", "It happened"))]
        return {
            "exercise": exercise_of(check) if check else None,
            "check": check,
            "hidden": bool(check and check.endswith("_hidden")),
            "mistake": self.mistake,
            "mistake_text": self.mistake_text,
            "message": first_line,
            "detail": details[0] if details else "",
            "signature": self.signature,
        }

    def _render_traceback_(self) -> list[str]:
        """What IPython (and so JupyterLab and nbgrader's Validate) shows in place of the traceback.

        The frames of a failing check are the check's own machinery; a learner needs its message, which already
        says what is wrong and where. Plain Python (and pytest) still show the full traceback. In a kernel, the
        failure also leaves its ``record()`` in the cell's output, invisible to the learner.
        """
        _publish_record(self)
        return self.learner_message(prefix="CheckFailed: ").splitlines() or ["CheckFailed:"]


def exercise_of(check_name: str) -> str:
    """``check_forget_gate_hidden`` -> ``forget_gate``: the exercise a check belongs to."""
    name = check_name.removeprefix("check_")
    return name.removesuffix("_hidden")


def _failing_check_name(trace) -> str | None:
    """The outermost ``check_...`` function in a failure's traceback (the one the test cell called), if any."""
    for frame, _ in traceback.walk_tb(trace):
        if frame.f_code.co_name.startswith("check_"):
            return frame.f_code.co_name
    return None


def _publish_record(failure: CheckFailed) -> None:
    """Put ``failure.record()`` in the running cell's output, when there is a kernel to put it in."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "display_pub", None) is None or getattr(failure, "_published", False):
        return
    failure._published = True  # IPython may render one traceback more than once
    try:
        from IPython.display import publish_display_data

        publish_display_data({RECORD_MIME_TYPE: failure.record()})
    except Exception:  # the record is for the report; never let it hide the learner's message
        pass


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
        known = diagnose(error, _LIBRARY_FOLDERS)
        if known is not None:  # the shapes say what was done: say it, in the learner's names, without NumPy's
            slug, explanation = known
            mistake = Mistake(f"{label}/{slug}", RAISE_MISTAKES[slug])
            raise CheckFailed(
                f"{label} raised {type(error).__name__}" + (f" in {where}" if where else "") + "\n"
                + f"  {explanation}",  # one line: learner_message wraps it to the width of the page
                mistake=mistake.id,
            ) from error
        names = names_in_line(error, _LIBRARY_FOLDERS)
        raise CheckFailed(
            f"{label} raised {type(error).__name__}: {error}\n"
            + (f"  It happened in {where}\n" if where else "")
            + (f"  Check that step: there, {names}. Is each what the step needs?" if names else
               "  Try your function on a small example (print the shapes) to find what goes wrong.")
        ) from error


# Frames from these folders are library code; the last frame outside them is the learner's own line.
_LIBRARY_FOLDERS = tuple(
    os.path.dirname(module.__file__) + os.sep
    for module in (np, sys.modules[__name__.split(".")[0]], __import__("lstm_ref"))
)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def _learner_line(error: BaseException) -> str | None:
    """Describe the learner's line that raised ``error``, e.g. "forget_gate, line 14: return z @ W_f + b_f"."""
    frames = traceback.extract_tb(error.__traceback__)[1:]  # the first frame is call_learner's own call
    own = [frame for frame in frames if not is_library(frame.filename, _LIBRARY_FOLDERS)]
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
        relation = shape_relation(got.shape, tuple(expected_shape))
        hint = f"\n  Hint: {relation[1]}" if relation else ""
        raise CheckFailed(f"{name}: wrong shape: expected {spelled}, got {got.shape}.{hint}",
                          mistake=_relation_mistake(name, relation))
    if not np.all(np.isfinite(got)):
        raise CheckFailed(f"{name}: your result contains NaN or infinity.")
    return got


def named(exercise: str, mistakes: dict, slugs: list[str]) -> dict:
    """``mistakes`` ({text: output}) with each text made a ``Mistake("<exercise>/<slug>", text)``, in order.

    For catalogues written as a dict literal of texts: the slugs, listed beside the dict, are the stable ids.
    A key that is already a ``Mistake`` keeps its own id (its slug in the list is skipped).
    """
    if len(slugs) != len(mistakes):
        raise ValueError(f"{exercise}: {len(mistakes)} mistakes but {len(slugs)} slugs")
    return {key if isinstance(key, Mistake) else Mistake(f"{exercise}/{slug}", key): value
            for (key, value), slug in zip(mistakes.items(), slugs)}


def matching_mistake(got: np.ndarray, mistakes: dict[str, np.ndarray], *, rtol: float = 1e-6, atol: float = 1e-9):
    """Return the hint of the first known mistake whose output equals ``got``, else ``None``.

    ``mistakes`` maps a hint ("sigmoid replaced by tanh ...", a ``Mistake`` where it has an id) to what that
    mistake would have returned on the same inputs, computed with ``lstm_ref``. The key itself is returned.
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
    else:
        relation = value_relation(got, expected, rtol=max(rtol, 1e-6), atol=max(atol, 1e-9))
        if relation is not None:  # not one of the exercise's own mistakes, but a simple change of the right result
            lines.append(f"  Your result {relation[1]}")
            known = _relation_mistake(name, relation)
        if hint:
            lines.append(f"  Hint: {hint}")
    raise CheckFailed("\n".join(lines), mistake=known if isinstance(known, Mistake) else None,
                      signature=output_signature(got))


def output_signature(got: np.ndarray) -> str:
    """A short fingerprint of an output, equal for learners whose answers agree to 6 significant digits."""
    got = np.asarray(got)
    rounded = [f"{value:.6g}" for value in got.ravel().tolist()]
    return hashlib.sha1(repr((got.shape, rounded)).encode()).hexdigest()[:12]


def _exercise_in_progress(name: str) -> str:
    """The exercise being checked: from the outermost ``check_...`` call on the stack, else ``name``'s first word."""
    frame, found = sys._getframe(1), None
    while frame is not None:
        if frame.f_code.co_name.startswith("check_"):
            found = frame.f_code.co_name
        frame = frame.f_back
    return exercise_of(found) if found else name.split()[0].strip(",:()")


def _relation_mistake(name: str, relation) -> Mistake | None:
    if relation is None:
        return None
    slug = relation[0]
    return Mistake(f"{_exercise_in_progress(name)}/{slug}", RELATION_MISTAKES[slug])


def passed(name: str, detail: str = "") -> None:
    """Print the one-line success message every check ends with."""
    print(f"\u2714 {name}: all checks passed{' (' + detail + ')' if detail else ''}.")
