"""Hidden checks run in a fresh process: what the learner's other cells did cannot reach them."""

import sys

import numpy as np
import pytest

from grading_helpers import define_in_notebook
from lstm_course.feedback.core import CheckFailed
from lstm_course.grading import isolation
from lstm_course.grading.isolation import PACKAGE_PARENT, check_address, run_in_fresh_process, run_hidden
from lstm_course.grading.transport import pack_call

RIGHT = """
    import numpy as np
    def double(x):
        return 2 * x
"""
WRONG = """
    import numpy as np
    def double(x):
        return 3 * x
"""


def fresh(sample_checks, check_name, cell, function="double", **options):
    call = pack_call([cell[function]])
    run_in_fresh_process(("sample_checks", check_name), call,
                         import_paths=(sample_checks, PACKAGE_PARENT), **options)


def test_a_right_answer_passes_and_its_success_line_is_printed(sample_checks, capsys):
    fresh(sample_checks, "check_double", define_in_notebook(RIGHT))
    assert "double: all checks passed." in capsys.readouterr().out


def test_a_wrong_answer_fails_with_the_checks_own_message(sample_checks):
    with pytest.raises(CheckFailed, match=r"double: expected \[0, 2, 4\]"):
        fresh(sample_checks, "check_double", define_in_notebook(WRONG))


@pytest.mark.parametrize("patch", [
    "np.allclose = lambda *args, **kwargs: True",
    "np.testing.assert_allclose = lambda *args, **kwargs: None",
    "import builtins; builtins.AssertionError = type('Harmless', (Exception,), {})",
])
def test_patches_made_in_the_notebook_do_not_reach_the_fresh_check(sample_checks, patch):
    import builtins

    saved = (np.allclose, np.testing.assert_allclose, builtins.AssertionError)
    try:
        cell = define_in_notebook(WRONG + "\n    " + patch + "\n")
        for check in ("check_double", "check_double_strict"):
            with pytest.raises(CheckFailed, match="double"):
                fresh(sample_checks, check, cell)
    finally:
        np.allclose, np.testing.assert_allclose, builtins.AssertionError = saved


def test_a_function_that_patches_the_checker_while_it_runs_fails(sample_checks):
    cell = define_in_notebook("""
        import numpy as np
        def double(x):
            np.allclose = lambda *args, **kwargs: True
            return 3 * x
    """)
    with pytest.raises(CheckFailed, match="numpy.allclose"):
        fresh(sample_checks, "check_double", cell)


def test_a_check_that_crashes_is_a_failure_not_a_pass(sample_checks):
    with pytest.raises(CheckFailed, match="KeyError"):
        fresh(sample_checks, "check_crashes", define_in_notebook(RIGHT))


def test_an_endless_function_is_stopped_and_explained(sample_checks):
    cell = define_in_notebook("""
        def double(x):
            while True:
                try:
                    pass
                except KeyboardInterrupt:
                    pass
    """)
    with pytest.raises(CheckFailed, match="did not finish within 2 s"):
        fresh(sample_checks, "check_double", cell, timeout=2)


@pytest.mark.parametrize("ending, message", [
    ("import os; os._exit(0)", "ended unexpectedly"),
    ("import sys; sys.exit(0)", "called exit"),
])
def test_a_function_that_ends_the_process_fails(sample_checks, ending, message):
    cell = define_in_notebook(f"""
        def double(x):
            {ending}
    """)
    with pytest.raises(CheckFailed, match=message):
        fresh(sample_checks, "check_double", cell)


def test_a_global_that_cannot_travel_is_explained(sample_checks):
    cell = define_in_notebook("""
        class Factor:
            value = 2
        FACTOR = Factor()
        def double(x):
            return FACTOR.value * x
    """)
    with pytest.raises(CheckFailed, match="(?s)FACTOR.*Pass what it needs as an argument"):
        fresh(sample_checks, "check_double", cell)


def test_run_hidden_runs_a_real_course_check():
    saved = np.allclose
    cell = define_in_notebook("""
        import numpy as np
        def forget_gate(x, h_prev, W_f, b_f):
            z = np.concatenate([x, h_prev], axis=1)
            return 0.5 * (1 + np.tanh((z @ W_f.T + b_f) / 2))
        def forget_gate_tanh(x, h_prev, W_f, b_f):
            z = np.concatenate([x, h_prev], axis=1)
            return np.tanh(z @ W_f.T + b_f)
        np.allclose = lambda *args, **kwargs: True
    """)
    from lstm_course.feedback.gates import check_forget_gate_hidden

    try:
        run_hidden(check_forget_gate_hidden, cell["forget_gate"])
        with pytest.raises(CheckFailed, match="tanh"):
            run_hidden(check_forget_gate_hidden, cell["forget_gate_tanh"])
    finally:
        np.allclose = saved


@pytest.mark.parametrize("replacement", [lambda f: None, print, np.allclose])
def test_a_replaced_check_is_refused(replacement):
    with pytest.raises(TypeError, match="check must be a check function"):
        check_address(replacement)


def test_a_check_reassigned_inside_its_module_is_refused(monkeypatch):
    from lstm_course.feedback import gates

    original = gates.check_forget_gate_hidden
    monkeypatch.setattr(gates, "check_forget_gate_hidden", gates.check_input_gate_hidden)
    with pytest.raises(TypeError, match="replaced"):
        check_address(original)
    assert check_address(gates.check_input_gate_hidden) == ("lstm_course.feedback.gates", "check_input_gate_hidden")


def test_the_fresh_process_does_not_import_from_the_working_folder(tmp_path, monkeypatch, sample_checks):
    # A submitted folder holding a fake lstm_ref must not replace the real one in the fresh process.
    submission = tmp_path / "submission"
    (submission / "lstm_ref").mkdir(parents=True)
    (submission / "lstm_ref" / "__init__.py").write_text("raise SystemExit('the fake lstm_ref was imported')\n")
    monkeypatch.chdir(submission)
    monkeypatch.setenv("PYTHONPATH", str(submission))
    fresh(sample_checks, "check_double", define_in_notebook(RIGHT))
