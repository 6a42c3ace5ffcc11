"""Mistakes recognised from how a wrong result relates to the right one, whatever the exercise.

Where no mistake of the exercise's own catalogue matches, the learner's result is compared with simple changes of
the expected one; each names what was done, in a sentence that holds for any exercise:

    values   all zeros; the negative (a sign flipped); k times (a constant factor); plus d (a constant term);
             shifted by one position along an axis (an index or a range off by one); reversed along an axis (a
             loop run backwards); right except at the first or last position (the step at an end missing);
             the last two axes swapped (a matrix transposed)
    shapes   one number instead of an array; the axes swapped; one axis one entry too long or too short; an axis
             missing or one too many

``value_relation(got, expected)`` and ``shape_relation(got_shape, expected_shape)`` return ``(slug, detail)`` or
None; the ``Mistake`` id is ``<exercise>/<slug>`` with the slugs of ``RELATION_MISTAKES``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RELATION_MISTAKES", "shape_relation", "value_relation"]

RELATION_MISTAKES = {
    "result_all_zeros": "a result of zeros: nothing reached the output",
    "sign_flipped": "a sign flipped: the result is the negative of the right one",
    "constant_factor": "a constant factor wrong or missing",
    "constant_term": "a constant term added or missing",
    "shifted_by_one": "every value one position off along an axis (an index or a range off by one)",
    "reversed_order": "the values in reverse order along an axis",
    "end_step_wrong": "right everywhere except at the first or the last position along an axis",
    "result_transposed": "the result's last two axes swapped (a matrix transposed)",
    "returned_a_number": "one number returned where an array was expected",
    "size_off_by_one": "one axis one entry too long or too short (a slice or a range off by one)",
    "axis_missing": "an axis of the result missing",
    "axis_extra": "an extra axis in the result",
}


def _close(a, b, rtol, atol) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def value_relation(got: np.ndarray, expected: np.ndarray, rtol: float = 1e-6, atol: float = 1e-9):
    """(slug, detail) when ``got`` is a simple change of ``expected``; None otherwise."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape or expected.size == 0 or np.allclose(expected, 0.0, atol=atol):
        return None
    if np.allclose(got, 0.0, atol=atol):
        return "result_all_zeros", ("is all zeros: nothing reached the result (an output array left as it was "
                                    "created, or a factor that is zero).")
    if _close(got, -expected, rtol, atol):
        return "sign_flipped", ("is exactly the negative of the right result: a sign is flipped (a minus for a "
                                "plus, or a difference taken the other way round).")
    if expected.size == 1:  # any two numbers differ by a factor and by a term: for one number, that says nothing
        return None
    big = np.abs(expected) > 1e-6 * np.abs(expected).max()
    if big.any():
        factor = float(np.median(got[big] / expected[big]))
        if np.isfinite(factor) and abs(factor - 1) > 1e-6 and factor != 0 and _close(got, factor * expected, rtol,
                                                                                       atol):
            return "constant_factor", (f"is {factor:.4g} times the right result everywhere: a constant factor is "
                                       "wrong or missing.")
    offset = float(np.median(got - expected))
    if abs(offset) > atol and _close(got, expected + offset, rtol, max(atol, 1e-9)):
        return "constant_term", (f"is the right result plus {offset:.4g} everywhere: a constant term is added "
                                 "or missing.")
    for axis in range(expected.ndim):
        n = expected.shape[axis]
        if n < 2:
            continue
        flipped = np.flip(expected, axis)
        if not _close(flipped, expected, rtol, atol) and _close(got, flipped, rtol, atol):
            return "reversed_order", (f"holds the right values in reverse order along axis {axis}: a loop or a "
                                      "slice runs the wrong way.")
        if n >= 3:
            head = [slice(None)] * expected.ndim
            tail = [slice(None)] * expected.ndim
            head[axis], tail[axis] = slice(1, None), slice(None, -1)
            if _close(got[tuple(head)], expected[tuple(tail)], rtol, atol):
                return "shifted_by_one", (f"holds, along axis {axis}, each right value one position later: an "
                                          "index or a range is off by one.")
            if _close(got[tuple(tail)], expected[tuple(head)], rtol, atol):
                return "shifted_by_one", (f"holds, along axis {axis}, each right value one position earlier: an "
                                          "index or a range is off by one.")
        for end, label in ((slice(1, None), "first"), (slice(None, -1), "last")):
            inside = [slice(None)] * expected.ndim
            inside[axis] = end
            if _close(got[tuple(inside)], expected[tuple(inside)], rtol, atol):
                return "end_step_wrong", (f"is right everywhere except at the {label} position along axis {axis}: "
                                          "the step at that end is missing or done differently.")
    if expected.ndim >= 2 and expected.shape[-1] == expected.shape[-2]:
        swapped = np.swapaxes(expected, -1, -2)
        if not _close(swapped, expected, rtol, atol) and _close(got, swapped, rtol, atol):
            return "result_transposed", "is the right result with its last two axes swapped: a matrix is transposed."
    return None


def shape_relation(got: tuple, expected: tuple):
    """(slug, detail) when the shape ``got`` is a recognisable change of ``expected``; None otherwise."""
    got, expected = tuple(got), tuple(expected)
    if got == () and expected != ():
        return "returned_a_number", ("your function returned one number, not an array: the part of the formula "
                                     "that involves the input arrays is missing, or a sum reduced them away.")
    if len(got) == len(expected) == 2 and got == tuple(reversed(expected)):
        return "result_transposed", ("the axes are swapped. Is a weight matrix transposed, or `z @ W` used "
                                     "instead of `z @ W.T`?")
    if len(got) == len(expected):
        differ = [k for k in range(len(got)) if got[k] != expected[k]]
        if len(differ) == 1 and abs(got[differ[0]] - expected[differ[0]]) == 1:
            k = differ[0]
            return "size_off_by_one", (f"axis {k} has {got[k]} entries instead of {expected[k]}: a slice or a range "
                                       "is off by one.")
    if len(got) == len(expected) - 1:
        for k in range(len(expected)):
            if expected[:k] + expected[k + 1:] == got:
                return "axis_missing", (f"axis {k} (of size {expected[k]}) is missing: a sum, a mean or an index "
                                        "removed it, or an array was taken whole instead of one per sample.")
    if len(got) == len(expected) + 1:
        for k in range(len(got)):
            if got[:k] + got[k + 1:] == expected:
                return "axis_extra", (f"there is an extra axis {k} of size {got[k]}: an array was kept whole where "
                                      "one value (or a sum over it) was expected.")
    return None
