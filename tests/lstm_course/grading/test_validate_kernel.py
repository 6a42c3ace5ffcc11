"""Which kernel runs a notebook: a learner's Validate uses the notebook's own, autograde the grading kernel.

nbgrader_config.py nests the Validate setting under ``Validator`` so it reaches only the Execute step Validate
runs (traitlets applies a parent's section to its children). Read back here the way nbgrader builds them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def course_config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def test_validate_runs_in_the_notebooks_own_kernel(course_config):
    from nbgrader.preprocessors import Execute
    from nbgrader.validator import Validator

    assert Execute(parent=Validator(config=course_config)).kernel_name == ""  # "": the notebook's kernelspec


def test_autograde_keeps_the_grading_kernel(course_config):
    from nbgrader.preprocessors import Execute

    from lstm_course.grading.kernel import KERNEL_NAME, is_installed

    if not is_installed():
        pytest.skip("the grading kernel is not installed here (scripts/setup.sh installs it)")
    assert Execute(config=course_config).kernel_name == KERNEL_NAME
