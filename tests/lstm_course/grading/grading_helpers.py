"""Helpers for the grading tests: functions defined the way a notebook cell defines them, sample checks."""

from __future__ import annotations

import linecache
import textwrap


def define_in_notebook(source: str) -> dict:
    """Run ``source`` the way a notebook cell runs: in a ``__main__`` namespace, source kept in linecache.

    Returns the namespace, so a test can pick out the functions "the learner" defined.
    """
    source = textwrap.dedent(source)
    filename = f"<notebook-cell-{abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "__main__"}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


SAMPLE_CHECKS = '''
"""Sample checks, shaped like lstm_course.feedback's: call the learner's function, compare, raise on failure."""
import numpy as np


def check_double(double):
    got = double(np.arange(3.0))
    if not np.allclose(got, [0.0, 2.0, 4.0]):
        raise AssertionError(f"double: expected [0, 2, 4], got {got}.")
    print("double: all checks passed.")


def check_double_strict(double):
    got = double(np.arange(3.0))
    np.testing.assert_allclose(got, [0.0, 2.0, 4.0], err_msg="double: wrong values.")
    print("double: strict checks passed.")


def check_crashes(function):
    return {}["no such key"]  # a check that breaks: still a failure, not a pass
'''
