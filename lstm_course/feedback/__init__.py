"""Learner-facing checks for the notebooks' test cells.

``core`` holds the helpers every check is written with; each unit has a module of its own named for its topic
(``welcome``, ``recurrence``, ``gradients``, ``gates``, ``cell``, ``bptt``, ``training``, ``capstone``), imported
by the notebook as ``from lstm_course.feedback.gates import check_forget_gate``.
"""

from .core import RECORD_MIME_TYPE, CheckFailed, Mistake, call_learner, expect_array, expect_close, matching_mistake, passed

__all__ = ["RECORD_MIME_TYPE", "CheckFailed", "Mistake", "call_learner", "expect_array", "expect_close", "matching_mistake", "passed"]
