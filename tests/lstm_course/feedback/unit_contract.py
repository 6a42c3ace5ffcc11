"""The contract every unit's learner-facing checks must meet, written once for all eight units.

Each exercise of the course (a solution cell such as ``forget_gate``) is checked by two functions of
``lstm_course.feedback.<topic>``: a public check, which the learner runs as often as they like and which explains
what is wrong, and a hidden check, which grading runs in a fresh process (``run_hidden``) on more cases. A
unit's test file declares its facts in a subclass of ``UnitChecksContract``:

    class TestGatesChecks(UnitChecksContract):
        UNIT = "04_gates"                      # solutions/04_gates/04_gates.ipynb, tests/wrong_answers/04_gates.py
        FEEDBACK = lstm_course.feedback.gates     # check_forget_gate, check_forget_gate_hidden, ...
        CORRECT = {"forget_gate": [split_weights, ...], ...}
        HINTS = {"forget_gate": {"missing bias": "the bias b_f left out", ...}, ...}

and inherits the contract's tests below, one test case per exercise, correct answer, wrong answer or hint
(``tests/lstm_course/feedback/conftest.py`` hands each test its cases). The exercises are the notebook's solution cells;
the checks and the graded wrong answers are found from them. What the contract proves, for every unit:

1. every exercise has at least three plausible wrong answers, and no hint names a wrong answer that is gone;
2. both checks accept the solution cell's own function, and the hidden check accepts it through
   ``run_hidden``, the fresh-process path the notebook's hidden test cell uses;
3. both checks accept other correct ways of writing the exercise (lstm_ref's own, other styles): a right
   answer is never marked wrong for its style;
4. both checks tell a learner who has not started that the exercise is "not implemented yet";
5. both checks reject every wrong answer (the public check may leave a documented few to the hidden one);
6. the public check's message names the mistake for each wrong answer listed in ``HINTS``.

The helpers here (the solution cell's source, the function a cell defines, the student's stub) also serve the
unit-specific tests that stay in each file.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from unittest import mock

import matplotlib
import pytest

from lstm_course.feedback import CheckFailed
from lstm_course.grading import run_hidden
from tests.wrong_answers import load_wrong_answers

# The set-up cells import pyplot; tests draw nothing on a screen, so no GUI backend is ever needed.
matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[3]
# What nbgrader puts in place of the solution region in the student's notebook (nbgrader_config.py).
STUDENT_CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
PASS_LINE = "all checks passed"  # every check ends with this line when it accepts an answer


# ------------------------------------------------------------------------------------ the solution notebook
def solution_notebook_path(unit: str) -> Path:
    """``solutions/<unit>/<unit>.ipynb``, the instructor notebook the student version is generated from."""
    return REPO / "solutions" / unit / f"{unit}.ipynb"


@cache
def _notebook_cells(unit: str) -> tuple[dict, ...]:
    """The cells of ``unit``'s solution notebook, read once per test session."""
    return tuple(json.loads(solution_notebook_path(unit).read_text(encoding="utf-8"))["cells"])


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solution_source(unit: str, grade_id: str) -> str:
    """The source of the cell ``grade_id`` (e.g. the solution cell ``forget_gate``) of ``unit``'s notebook."""
    for cell in _notebook_cells(unit):
        if _grade_id(cell) == grade_id:
            return "".join(cell["source"])
    raise LookupError(f"no cell with grade_id {grade_id!r} in {solution_notebook_path(unit).relative_to(REPO)}")


def exercises(unit: str) -> tuple[str, ...]:
    """The grade_ids of ``unit``'s exercises: its solution code cells, in notebook order."""
    return tuple(
        _grade_id(cell) for cell in _notebook_cells(unit)
        if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("solution")
    )


def checks_for(feedback_module, grade_id: str) -> tuple:
    """(public, hidden) checks of the exercise ``grade_id``: ``check_<grade_id>`` and ``check_<grade_id>_hidden``
    in ``feedback_module`` (e.g. lstm_course.feedback.gates), as the notebook's test cells call them."""
    names = (f"check_{grade_id}", f"check_{grade_id}_hidden")
    missing = [name for name in names if not callable(getattr(feedback_module, name, None))]
    if missing:
        raise LookupError(f"{getattr(feedback_module, '__name__', feedback_module)!r} has no {' or '.join(missing)} "
                          f"for the exercise {grade_id!r}")
    return tuple(getattr(feedback_module, name) for name in names)


def student_stub(source: str) -> str:
    """The solution cell as the learner first sees it: the solution region replaced by nbgrader's stub.

    The function's signature and docstring sit outside ``### BEGIN SOLUTION`` / ``### END SOLUTION`` and stay,
    so the stub is called exactly as a learner's unfinished answer would be.
    """
    stub, replaced = re.subn(
        r"( *)### BEGIN SOLUTION\n.*?### END SOLUTION",
        lambda match: "\n".join(match.group(1) + line for line in STUDENT_CODE_STUB.splitlines()),
        source,
        flags=re.DOTALL,
    )
    if replaced != 1:
        raise ValueError(f"source: expected one ### BEGIN SOLUTION ... ### END SOLUTION region, found {replaced}")
    return stub


# ------------------------------------------------------------------------------ running a cell like Jupyter
@cache
def _names_after_setup(unit: str) -> dict:
    namespace: dict = {}
    # A set-up cell may set environment variables for the notebook's kernel (the BLAS thread count, say); the
    # test process keeps its own, so one unit's set-up cannot change what the next test sees.
    with mock.patch.dict(os.environ):
        exec(compile(solution_source(unit, "setup"), f"<{unit} cell setup>", "exec"), namespace)
    return namespace


def notebook_setup_namespace(unit: str) -> dict:
    """A fresh copy of the names ``unit``'s set-up cell defines (np, sigmoid, the checks, ...).

    The cell runs once per test session; every caller gets its own copy, so one answer's definitions never
    reach another's.
    """
    return dict(_names_after_setup(unit))


def define_in(namespace: dict, source: str, name: str, unit: str):
    """Run ``source`` (a cell, or a wrong answer replacing it) in ``namespace`` and return the function
    ``name`` it defines; ``unit`` only names the cell in tracebacks and errors."""
    exec(compile(source, f"<{unit} cell {name}>", "exec"), namespace)
    if not callable(namespace.get(name)):
        raise LookupError(f"the cell source given for {name!r} ({unit}) does not define a function {name!r}")
    return namespace[name]


def message_of(check, function, answer: str = "") -> str:
    """What ``check`` tells the learner about ``function``; fails the test if the check accepts it, naming the
    check and ``answer`` (what the function is, e.g. "the wrong answer 'missing bias'")."""
    try:
        check(function)
    except CheckFailed as failure:
        return str(failure)
    answer = answer or repr(getattr(function, "__name__", function))
    pytest.fail(f"{check.__name__} accepted {answer}: it must fail with CheckFailed")


def _label(function) -> str:
    """A correct answer's name in a test id: lstm_ref's own functions with their module, to tell them apart."""
    module = getattr(function, "__module__", "") or ""
    return f"{module}.{function.__name__}" if module.startswith("lstm_ref") else function.__name__


def contract_cases(kind: str):
    """Mark a contract test to run once per case of ``kind`` (see ``UnitChecksContract.cases``)."""

    def mark(test):
        test.contract_cases = kind
        return test

    return mark


# ================================================================================================ the contract
class UnitChecksContract:
    """The tests every unit's checks must pass. Subclass it as ``Test<Topic>Checks`` and set the attributes.

    What a unit declares:
    - ``UNIT``: the assignment id, e.g. ``"04_gates"``;
    - ``FEEDBACK``: the unit's module of checks, e.g. ``lstm_course.feedback.gates``;
    - ``CORRECT``: {grade_id: [function, ...]}, right answers other than the solution cell;
    - ``HINTS``: {grade_id: {mistake: words the public check's message must contain}};
    - ``HINT_FOR_EVERY_WRONG_ANSWER``: True where every graded wrong answer must have its entry in HINTS;
    - ``PUBLIC_SKIPS``: {grade_id: {mistake: words the hidden check's message must contain}} for the wrong
      answers the public check accepts by design (right on every public case, e.g. float32-only mistakes);
    - ``MORE_WRONG``: {grade_id: {mistake: source}}, wrong answers checked here but not graded by nbgrader;
    - ``TRAINS_A_MODEL``: exercises whose checks train a model: their wrong, correct and hint cases are slow
      (the solution cell's own run stays in the fast loop, so each check still runs there once);
    - ``RUN_HIDDEN_SLOW``: exercises whose fresh-process run (``run_hidden``) is slow.

    What the contract reads for itself when the subclass is created:
    - ``EXERCISES``: the grade_ids of the notebook's solution code cells, in notebook order;
    - ``CHECKS``: {grade_id: (public, hidden)}, the course's naming: ``FEEDBACK.check_<grade_id>`` and
      ``FEEDBACK.check_<grade_id>_hidden`` (a missing one stops collection with its name);
    - ``WRONG``: {grade_id: {mistake: source}}, the graded wrong answers, ``tests/wrong_answers/<UNIT>.py``.
    """

    UNIT: str = ""
    FEEDBACK = None
    CORRECT: dict = {}
    HINTS: dict = {}
    HINT_FOR_EVERY_WRONG_ANSWER = False
    PUBLIC_SKIPS: dict = {}
    MORE_WRONG: dict = {}
    TRAINS_A_MODEL: frozenset = frozenset()
    RUN_HIDDEN_SLOW: frozenset = frozenset()

    EXERCISES: tuple = ()
    CHECKS: dict = {}
    WRONG: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.EXERCISES = exercises(cls.UNIT)
        cls.CHECKS = {grade_id: checks_for(cls.FEEDBACK, grade_id) for grade_id in cls.EXERCISES}
        cls.WRONG = load_wrong_answers(cls.UNIT)

    # ------------------------------------------------------------------------------------------- helpers
    @classmethod
    def setup_namespace(cls) -> dict:
        """The names a cell of this unit can use: by default what the notebook's set-up cell defines."""
        return notebook_setup_namespace(cls.UNIT)

    @classmethod
    def define(cls, source: str, name: str):
        """The function ``name`` that ``source`` defines when run after the set-up cell."""
        return define_in(cls.setup_namespace(), source, name, cls.UNIT)

    @classmethod
    def solution(cls, grade_id: str):
        """The function the solution cell ``grade_id`` defines."""
        return cls.define(solution_source(cls.UNIT, grade_id), grade_id)

    @classmethod
    def wrong_answers(cls) -> dict[str, dict[str, str]]:
        """The graded wrong answers and the further ones, {grade_id: {mistake: source}}."""
        return {g: {**cls.WRONG.get(g, {}), **cls.MORE_WRONG.get(g, {})} for g in cls.EXERCISES}

    @classmethod
    def cases(cls, kind: str) -> tuple[str, list]:
        """The argument names and cases (``pytest.param``, with readable ids and slow marks) of a contract test.

        ``kind``: "exercise", "run_hidden", "correct answer", "wrong answer" or "hint".
        """
        def slow_if(condition):
            return [pytest.mark.slow] if condition else []

        if kind == "exercise":
            return "grade_id", [pytest.param(g, id=g) for g in cls.EXERCISES]
        if kind == "run_hidden":
            return "grade_id", [pytest.param(g, id=g, marks=slow_if(g in cls.RUN_HIDDEN_SLOW)) for g in cls.EXERCISES]
        if kind == "correct answer":
            return "grade_id, implementation", [
                pytest.param(g, function, id=f"{g}-{_label(function)}", marks=slow_if(g in cls.TRAINS_A_MODEL))
                for g in cls.EXERCISES for function in cls.CORRECT.get(g, [])
            ]
        if kind == "wrong answer":
            return "grade_id, mistake", [
                pytest.param(g, mistake, id=f"{g}-{mistake}", marks=slow_if(g in cls.TRAINS_A_MODEL))
                for g, answers in cls.wrong_answers().items() for mistake in answers
            ]
        if kind == "hint":
            return "grade_id, mistake, words", [
                pytest.param(g, mistake, words, id=f"{g}-{mistake}", marks=slow_if(g in cls.TRAINS_A_MODEL))
                for g, hints in cls.HINTS.items() for mistake, words in hints.items()
            ]
        raise ValueError(f"kind must be one of 'exercise', 'run_hidden', 'correct answer', 'wrong answer', 'hint'; "
                         f"got {kind!r}")

    # ---------------------------------------------------------------------- 1. the unit's wrong answers
    def test_every_exercise_has_at_least_three_wrong_answers(self):
        """The graded wrong answers cover exactly the notebook's exercises, at least three plausible ones each,
        so every exercise is shown to lose marks for more than one mistake."""
        assert set(self.WRONG) == set(self.EXERCISES), (
            f"tests/wrong_answers/{self.UNIT}.py covers {sorted(self.WRONG)}, "
            f"the notebook's exercises are {sorted(self.EXERCISES)}")
        too_few = {g: len(answers) for g, answers in self.WRONG.items() if len(answers) < 3}
        assert not too_few, f"exercises with fewer than three wrong answers: {too_few}"

    def test_declared_facts_name_existing_exercises_and_wrong_answers(self):
        """What the unit declares names its real exercises (a misspelt one would silently test nothing, or run
        a slow case in the fast loop), every expected hint or mistake left to the hidden check belongs to a
        wrong answer that exists, and, where the unit promises it, every graded wrong answer has its hint."""
        declared = {"CORRECT": set(self.CORRECT), "HINTS": set(self.HINTS), "PUBLIC_SKIPS": set(self.PUBLIC_SKIPS),
                    "MORE_WRONG": set(self.MORE_WRONG), "TRAINS_A_MODEL": set(self.TRAINS_A_MODEL),
                    "RUN_HIDDEN_SLOW": set(self.RUN_HIDDEN_SLOW)}
        unknown = {name: names - set(self.EXERCISES) for name, names in declared.items()
                   if names - set(self.EXERCISES)}
        assert not unknown, f"not exercises of {self.UNIT} ({', '.join(self.EXERCISES)}): {unknown}"

        def pairs(nested):
            return {(g, mistake) for g, by_mistake in nested.items() for mistake in by_mistake}

        existing, hinted = pairs(self.wrong_answers()), pairs(self.HINTS)
        assert not hinted - existing, f"HINTS names unknown wrong answers: {hinted - existing}"
        assert not pairs(self.PUBLIC_SKIPS) - existing, (
            f"PUBLIC_SKIPS names unknown wrong answers: {pairs(self.PUBLIC_SKIPS) - existing}")
        if self.HINT_FOR_EVERY_WRONG_ANSWER:
            unhinted = pairs(self.WRONG) - hinted
            assert not unhinted, f"wrong answers without an expected hint: {unhinted}"

    # ------------------------------------------------------------------ 2 and 3. right answers are accepted
    @contract_cases("exercise")
    def test_checks_pass_on_the_solution_cell(self, grade_id, capsys):
        """The public and the hidden check both accept the solution notebook's own answer, each saying so."""
        learner = self.solution(grade_id)
        for check in self.CHECKS[grade_id]:
            check(learner)
        assert capsys.readouterr().out.count(PASS_LINE) == 2

    @contract_cases("run_hidden")
    def test_hidden_check_passes_on_the_solution_through_run_hidden(self, grade_id, capsys):
        """The hidden check accepts the solution cell's function as the notebook's hidden test cell runs it: in
        a fresh process that receives only the function and the globals it uses (``run_hidden``)."""
        run_hidden(self.CHECKS[grade_id][1], self.solution(grade_id))
        lines = capsys.readouterr().out.splitlines()
        assert any(line.startswith(f"\u2714 {grade_id}") and PASS_LINE in line for line in lines), lines

    @contract_cases("correct answer")
    def test_checks_pass_on_another_correct_answer(self, grade_id, implementation, capsys):
        """A right answer written another way (lstm_ref's own function, another NumPy style) passes both
        checks: no learner loses marks for the style of a correct answer."""
        for check in self.CHECKS[grade_id]:
            check(implementation)
        assert capsys.readouterr().out.count(PASS_LINE) == 2

    # --------------------------------------------------------------------- 4 and 5. wrong answers are caught
    @contract_cases("exercise")
    def test_checks_say_the_stub_is_not_implemented(self, grade_id):
        """On the student notebook's untouched cell (raise NotImplementedError) both checks fail with a plain
        "not implemented yet", not a traceback."""
        stub = self.define(student_stub(solution_source(self.UNIT, grade_id)), grade_id)
        for check in self.CHECKS[grade_id]:
            assert "not implemented yet" in message_of(check, stub, "the unimplemented stub")

    @contract_cases("wrong answer")
    def test_checks_reject_the_wrong_answer(self, grade_id, mistake):
        """The hidden check rejects the wrong answer, and so does the public one, except for the mistakes in
        PUBLIC_SKIPS: those pass every public case by design, and the hidden check must say what is wrong."""
        source = self.wrong_answers()[grade_id][mistake]
        public, hidden = self.CHECKS[grade_id]
        # A fresh function for each check: some wrong answers keep state between calls.
        answer = f"the wrong answer {mistake!r}"
        hidden_message = message_of(hidden, self.define(source, grade_id), answer)
        left_to_the_hidden_check = self.PUBLIC_SKIPS.get(grade_id, {})
        if mistake in left_to_the_hidden_check:
            assert left_to_the_hidden_check[mistake] in hidden_message, hidden_message
            try:
                public(self.define(source, grade_id))
            except CheckFailed as failure:
                pytest.fail(f"PUBLIC_SKIPS says the public check accepts this mistake, but it rejects it "
                            f"(take it out of PUBLIC_SKIPS): {failure}")
        else:
            message_of(public, self.define(source, grade_id), answer)

    # ----------------------------------------------------------------------------- 6. the hints that teach
    @contract_cases("hint")
    def test_public_check_names_the_mistake(self, grade_id, mistake, words):
        """For a mistake the check knows, the public check's message says what it is, in the learner's terms."""
        learner = self.define(self.wrong_answers()[grade_id][mistake], grade_id)
        message = message_of(self.CHECKS[grade_id][0], learner, f"the wrong answer {mistake!r}")
        assert words in message, f"expected the hint {words!r} in the message:\n{message}"
