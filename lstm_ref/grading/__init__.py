"""Instructor-side grading support: running hidden checks in isolation, resource limits, integrity reports."""
