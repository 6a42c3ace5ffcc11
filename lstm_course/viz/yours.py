"""The learner's own code in a widget: run it, and say in one line how it compares with ``lstm_ref``.

The widgets of units 4 and 6 take the learner's function (``yours=...``) and draw its result beside the
reference's. ``learner_status`` runs it and turns "unfinished" (``NotImplementedError``), an error or a
non-finite result into the line the widget shows above the reference alone, so an unfinished exercise never
breaks a widget; ``comparison_line`` counts the entries that differ.
"""

from __future__ import annotations

import numpy as np

__all__ = ["learner_status", "comparison_line"]


def learner_status(function, run):
    """(result of ``run()``, None) when the learner's ``function`` works in it; else (None, a line saying why the
    reference is shown alone: unfinished, or the error it raised)."""
    name = getattr(function, "__name__", "your function")
    try:
        with np.errstate(all="ignore"):
            result = run()
    except NotImplementedError:
        return None, f"Your {name} is not finished yet: showing lstm_ref's alone."
    except Exception as error:  # the learner's bug: name it, show the reference, never break the widget
        return None, f"Your {name} failed ({type(error).__name__}: {str(error)[:80]}): showing lstm_ref's alone."
    arrays = result.values() if isinstance(result, dict) else result if isinstance(result, tuple) else [result]
    if not all(np.all(np.isfinite(np.asarray(a, dtype=float))) for a in arrays):
        return None, f"Your {name} gave NaN or infinity: showing lstm_ref's alone."
    return result, None


def comparison_line(name: str, differences: np.ndarray, gaps: np.ndarray) -> str:
    count = int(differences.sum())
    if count == 0:
        return f"{name} matches lstm_ref at every step and unit"
    return f"{name} differs at {count} of {differences.size} entries (largest {gaps.max():.2g}), marked x"
