"""Fixtures of the notebook tests, and the timings they measured (printed at the end of the run)."""

from __future__ import annotations

import pytest

from tests.notebooks.unit_grading import TIMINGS, GradedUnit, grade_unit


@pytest.fixture(scope="session")
def graded_unit(tmp_path_factory):
    """``graded_unit(unit_id) -> GradedUnit``: each unit is autograded once per session, on first use."""
    cache: dict[str, GradedUnit] = {}

    def graded(unit_id: str) -> GradedUnit:
        if unit_id not in cache:
            cache[unit_id] = grade_unit(unit_id, tmp_path_factory.mktemp(f"course-{unit_id}") / "course")
        return cache[unit_id]

    return graded


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("notebook timings")
        for seconds, what in TIMINGS:
            terminalreporter.write_line(f"{seconds:7.1f} s  {what}")
