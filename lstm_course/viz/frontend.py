"""Is anyone looking? The one place the course decides whether to build its widgets and reference figures.

A widget needs a front end (JupyterLab, Notebook, VS Code) to draw it and a person to move its sliders. When a
notebook runs with neither, to be graded or tested, building the course's widgets only costs time: each one
draws a figure, and the messages a widget sends to a front end that is not there can leave the runner waiting
for the cell timeout after the cell has finished (nbclient issue 312: a 60 s stall per widget cell when two
grading runs share the CPU). Figures that show only ``lstm_ref``'s results are as useless there.

A notebook runs without a front end when, in its kernel's environment,

- ``NBGRADER_EXECUTION`` is set: nbgrader sets it while it autogrades or validates, so this covers
  ``nbgrader autograde``, the formgrader's Autograde button, ``scripts/grade_class.py`` and the Validate button;
- ``LSTM_COURSE_FRONTEND=none``: the course's own tests and benchmarks set it for the kernels they start.

Both are read only inside a kernel (``IPython.get_ipython()`` has a kernel): the unit tests that build widgets
in the test process itself get real widgets whatever the environment.

Widget builders start with ``if not has_frontend(): return not_shown("...")``; figure builders that show only
the reference return no figure. The learner's own cells run exactly as they would with a front end: their
outputs, and so their grades, do not depend on this.
"""

from __future__ import annotations

import os

__all__ = ["FRONTEND_VARIABLE", "NotShown", "has_frontend", "not_shown"]

FRONTEND_VARIABLE = "LSTM_COURSE_FRONTEND"  # "none": the kernels started with this environment have no front end


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter install
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def has_frontend(environ=None) -> bool:
    """False while the notebook runs for grading or testing (see the module's docstring), else True."""
    environ = os.environ if environ is None else environ
    headless = bool(environ.get("NBGRADER_EXECUTION")) or environ.get(FRONTEND_VARIABLE, "").lower() == "none"
    return not (headless and _in_kernel())


class NotShown:
    """What a widget builder returns without a front end: ``.view`` displays one line saying what is left out.

    It has the attributes a notebook cell reads from a widget (``view``); nothing else of the widget exists.
    """

    def __init__(self, what: str):
        self.what = what
        self.view = self

    def __repr__(self) -> str:
        return f"({self.what}: shown when the notebook is open in JupyterLab; not built while grading or testing)"

    def _repr_markdown_(self) -> str:
        return f"*{repr(self)[1:-1]}*"


def not_shown(what: str) -> NotShown:
    """The stand-in for the widget ``what`` (e.g. "the gate explorer")."""
    return NotShown(what)
