"""Hints: two or three per exercise, opened one at a time, never the solution; failing checks point at them."""

import re

import numpy as np
import pytest

from lstm_course.feedback import hints
from lstm_course.feedback.core import CheckFailed
from lstm_course.feedback.exercises import exercises
from lstm_course.feedback.hints import HINT_RECORD_MIME_TYPE, RECORD_HINTS_VARIABLE, hints_for, open_hint

EXERCISES = exercises()


@pytest.fixture(autouse=True)
def fresh_kernel():
    hints.reset()
    yield
    hints.reset()


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def solution_lines(region: str) -> list[str]:
    """The solution region's code lines without comments, long enough to be more than a fragment."""
    lines = []
    for line in region.splitlines():
        code = line.split("#", 1)[0].strip()
        if len(_normalise(code)) >= 12:
            lines.append(code)
    return lines


def leaked_lines(hint_text: str, region: str) -> list[str]:
    return [line for line in solution_lines(region) if _normalise(line) in _normalise(hint_text)]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_exercise_has_two_or_three_hints(exercise):
    assert 2 <= len(hints_for(exercise.name)) <= 3


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_no_hint_holds_a_line_of_the_solution(exercise):
    assert solution_lines(exercise.region), "the solution region should have code lines to compare with"
    for number, text in enumerate(hints_for(exercise.name), 1):
        assert not leaked_lines(text, exercise.region), f"hint {number} of {exercise.name} gives away the line"


def test_the_leak_test_can_fail():
    region = "    z = np.concatenate([x, h_prev], axis=1)  # (B, D + H)\n    return sigmoid(z @ W_f.T + b_f)\n"
    assert leaked_lines("Write return sigmoid(z @ W_f.T + b_f) and you are done.", region)
    assert leaked_lines("z=np.concatenate([x,h_prev],axis=1)", region)  # spacing does not hide a line
    assert not leaked_lines("Join x and h_prev on axis 1, then apply sigmoid.", region)


def test_hints_open_in_order_and_stop_at_the_last():
    texts = hints_for("forget_gate")
    first = open_hint("forget_gate")
    assert first.startswith(f"Hint 1 of {len(texts)} for forget_gate: {texts[0]}")
    assert 'hint("forget_gate") again opens hint 2' in first
    # A later hint is not shown before the one before it.
    assert "open in order" in open_hint("forget_gate", 3)
    for number in range(2, len(texts) + 1):
        assert open_hint("forget_gate").startswith(f"Hint {number} of {len(texts)}")
    assert "That is the last hint." in open_hint("forget_gate", len(texts))
    after = open_hint("forget_gate")
    assert "That was the last hint" in after and "no more" in after
    # An opened hint can be shown again; other exercises keep their own count.
    assert open_hint("forget_gate", 1).startswith("Hint 1 of")
    assert open_hint("cell_update").startswith("Hint 1 of")


def test_unknown_exercise_says_which_have_hints():
    assert "no hints for 'forgot_gate'" in open_hint("forgot_gate")


def test_hint_prints(capsys):
    hints.hint("sigmoid")
    assert capsys.readouterr().out.startswith("Hint 1 of")


def _failing_forget_gate():
    from lstm_course.feedback.gates import check_forget_gate

    def forget_gate(x, h_prev, W_f, b_f):
        return np.tanh(np.concatenate([x, h_prev], axis=1) @ W_f.T + b_f)

    with pytest.raises(CheckFailed) as failure:
        check_forget_gate(forget_gate)
    return failure.value


def test_a_failing_check_gives_its_diagnosis_then_says_hints_exist():
    failure = _failing_forget_gate()
    lines = failure._render_traceback_()
    assert "tanh used instead of sigmoid" in "\n".join(lines[:-1])  # the diagnosis first
    assert lines[-1].strip() == 'Stuck? 3 hints, one at a time: hint("forget_gate") opens hint 1 of 3.'
    open_hint("forget_gate")
    assert failure.learner_message().endswith('hint("forget_gate") opens hint 2 of 3.')
    open_hint("forget_gate"), open_hint("forget_gate")
    assert "opened all 3 hints" in failure.learner_message()


def test_opening_a_hint_is_recorded_only_when_the_instructor_asks(monkeypatch):
    published = []
    monkeypatch.setattr(hints, "_publish", published.append)
    monkeypatch.delenv(RECORD_HINTS_VARIABLE, raising=False)
    open_hint("candidate")
    assert published == []
    monkeypatch.setenv(RECORD_HINTS_VARIABLE, "1")
    open_hint("candidate")
    assert published == [{"exercise": "candidate", "hint": 2, "of": 3}]
    assert HINT_RECORD_MIME_TYPE.startswith("application/vnd.lstm-course.")


@pytest.mark.parametrize("unit", sorted({e.unit for e in EXERCISES}))
def test_every_unit_with_exercises_imports_hint_in_its_setup_cell(unit):
    # A failing check ends with 'hint("<exercise>") opens hint 1': the learner's kernel must know `hint`.
    from lstm_course.feedback.exercises import setup_namespace

    assert setup_namespace(unit).get("hint") is hints.hint
