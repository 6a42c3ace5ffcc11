"""The grading kernel's guard puts back the functions a learner's cell replaced, and only those."""

import sys

import numpy as np
import pytest

import lstm_course.feedback
from lstm_course.grading.guard import ModuleGuard


@pytest.fixture
def guard():
    made = ModuleGuard()
    yield made
    made.restore()  # whatever a test broke, put it back for the other tests


def test_replaced_functions_are_put_back_and_named(guard, capsys):
    real_allclose, real_run_hidden = np.allclose, lstm_course.grading.run_hidden
    np.allclose = lambda *args, **kwargs: True
    lstm_course.grading.run_hidden = lambda *args: None
    del np.testing.assert_allclose
    guard.before_cell()
    assert np.allclose is real_allclose and lstm_course.grading.run_hidden is real_run_hidden
    assert callable(np.testing.assert_allclose)
    message = capsys.readouterr().err
    assert "numpy.allclose" in message and "lstm_course.grading.run_hidden" in message
    assert "numpy.testing.assert_allclose" in message


def test_a_replaced_module_is_put_back_in_sys_modules(guard):
    real = sys.modules["lstm_course.grading"]
    sys.modules["lstm_course.grading"] = type(sys)("fake")
    assert guard.restore() == ["sys.modules['lstm_course.grading']"]
    assert sys.modules["lstm_course.grading"] is real
    from lstm_course.grading import run_hidden  # what a hidden test cell does next

    assert run_hidden is real.run_hidden


def test_nothing_changed_means_nothing_restored_and_nothing_printed(guard, capsys):
    guard.before_cell()
    assert guard.restore() == []
    assert capsys.readouterr().err == ""


def test_plain_data_attributes_are_left_alone(guard):
    module = guard.modules["lstm_course.feedback.core"]
    module.some_state = 1  # a new attribute is not in the snapshot
    assert guard.restore() == []
    del module.some_state


def test_the_guard_loads_none_of_the_instructors_tools():
    """Every graded notebook's kernel takes the snapshot: loading nbgrader there cost about 2 CPU-s per notebook."""
    import subprocess
    import sys

    probe = ("import sys; from lstm_course.grading.guard import ModuleGuard; guard = ModuleGuard(); "
             "print(sorted(m for m in ('nbgrader', 'nbformat', 'jsonschema', 'matplotlib', 'ipywidgets') "
             "if m in sys.modules)); print('lstm_course.feedback.gates' in guard.modules, "
             "'lstm_course.grading.isolation' in guard.modules, 'lstm_course.grading.grade_class' in guard.modules)")
    finished = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True)
    assert finished.stdout.split("\n")[:2] == ["[]", "True True False"], finished.stdout + finished.stderr
