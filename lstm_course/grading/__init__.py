"""Instructor-side grading support: hidden checks run in a fresh process (``run_hidden``), resource limits, the
grading kernel, integrity reports and class grading."""

from .isolation import run_hidden

__all__ = ["run_hidden"]
