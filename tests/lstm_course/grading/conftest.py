"""Fixtures for the grading tests."""

import pytest

from grading_helpers import SAMPLE_CHECKS


@pytest.fixture
def sample_checks(tmp_path):
    """A folder holding ``sample_checks.py``, for ``run_in_fresh_process(..., import_paths=(folder, ...))``."""
    (tmp_path / "sample_checks.py").write_text(SAMPLE_CHECKS)
    return tmp_path
