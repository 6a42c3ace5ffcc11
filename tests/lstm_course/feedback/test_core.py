"""The shared feedback helpers: what a learner reads when a check fails."""

import numpy as np
import pytest

from lstm_course.feedback.core import CheckFailed, call_learner, expect_array, expect_close, matching_mistake


def test_not_implemented_reads_as_not_implemented_yet():
    def forget_gate(x):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="forget_gate is not implemented yet"):
        call_learner(forget_gate, 1)


def test_learner_error_names_the_learners_own_line():
    def forget_gate(x):
        z = np.ones((2, 3))
        return z @ np.ones((2, 3))  # (2, 3) @ (2, 3): a shape mismatch

    with pytest.raises(CheckFailed) as failure:
        call_learner(forget_gate, 1)
    message = str(failure.value)
    assert "forget_gate raised ValueError" in message
    assert "return z @ np.ones((2, 3))" in message  # the learner's line, not a line inside NumPy


def test_ipython_shows_only_the_message():
    failure = CheckFailed("forget_gate: wrong values.\n  Hint: a gate must lie between 0 and 1.")
    assert failure._render_traceback_() == [
        "CheckFailed: forget_gate: wrong values.",
        "  Hint: a gate must lie between 0 and 1.",
    ]


def test_shape_message_spells_symbols_and_spots_transposes():
    with pytest.raises(CheckFailed, match=r"(?s)expected \(B, H\) = \(3, 4\), got \(4, 3\).*transposed"):
        expect_array("f", np.zeros((4, 3)), (3, 4), shape_meaning="(B, H)")


@pytest.mark.parametrize("bad, reason", [(None, "returned None"), (np.zeros((3, 4), dtype=int), "floats"),
                                         (np.full((3, 4), np.nan), "NaN")])
def test_expect_array_rejects(bad, reason):
    with pytest.raises(CheckFailed, match=reason):
        expect_array("f", bad, (3, 4))


def test_expect_close_names_a_recognised_mistake_and_the_worst_entry():
    expected = np.array([[0.5, 0.6]])
    wrong = np.array([[0.0, 0.2]])
    with pytest.raises(CheckFailed) as failure:
        expect_close("f", wrong, expected, mistakes={"tanh instead of sigmoid.": wrong})
    message = str(failure.value)
    assert "2 of 2 entries differ" in message
    assert "expected 0.5, got 0" in message
    assert "Hint: your output matches tanh instead of sigmoid." in message


def test_expect_close_passes_when_close_and_matching_mistake_ignores_other_shapes():
    expect_close("f", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]))
    assert matching_mistake(np.zeros(2), {"other shape": np.zeros(3)}) is None


def test_one_wrong_number_is_not_called_a_constant_factor_or_term():
    # Any two numbers differ by a factor and by a term: for a single value (a loss) that diagnosis says nothing.
    from lstm_course.feedback.relations import value_relation

    assert value_relation(np.array(2.5), np.array(1.8)) is None
    assert value_relation(np.array([2.5]), np.array([1.8])) is None
    assert value_relation(np.array(-1.8), np.array(1.8))[0] == "sign_flipped"  # a flipped sign still shows
    expected = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert value_relation(1.1 * expected, expected)[0] == "constant_factor"  # on an array, a factor is news
    assert value_relation(expected + 0.3, expected)[0] == "constant_term"
