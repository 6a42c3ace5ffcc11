"""A synthetic class for one unit: students whose submissions cover what a real class hands in.

Used by tests/lstm_course/grading/test_class_e2e.py and benchmarks/bench_grading.py. Each ``Student`` says how to turn the
fetched (released) notebook folder into their submission, whether the submission is broken or hostile, and which
autograded test cells it should pass. Expectations are computed, never typed in: from the notebook's own
test cells and points, and, for the common mistakes, by calling the unit's checks on the wrong answer directly.

The hostile code is put in the cell of the *second* exercise (``EXERCISE_FOR_TROUBLE``), so the first exercise
shows that what ran before the trouble is still graded.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[3]
for folder in (REPO_ROOT, REPO_ROOT / "tests" / "notebooks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from course_harness import autograded_test_ids, cell_by_grade_id, exercise_ids, fill_solutions, nbgrader_metadata  # noqa: E402
from tests.wrong_answers import load_wrong_answers, wrong_answers_path  # noqa: E402

EXERCISE_FOR_TROUBLE = 1  # index of the exercise whose cell carries the loop / memory hog / exit


@dataclass
class Student:
    """One member of the synthetic class."""

    id: str
    story: str                                  # what this submission is
    broken: bool                                # broken or hostile: left out of the "good students alone" run
    make: Callable[[Path, "UnitFacts"], None]   # turns the fetched assignment folder into the submission
    passes: Callable[["UnitFacts"], set[str]]   # grade_ids of the autograded test cells it should pass
    status: str = "graded"                      # what grade_class should report: graded, failed or missing


@dataclass
class UnitFacts:
    """What the expectations are computed from: the unit's source and release notebooks."""

    unit: str
    source: nbformat.NotebookNode
    release: nbformat.NotebookNode
    exercises: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    points: dict[str, float] = field(default_factory=dict)

    @classmethod
    def read(cls, unit: str, source_path: Path, release_path: Path) -> "UnitFacts":
        source = nbformat.read(str(source_path), as_version=4)
        release = nbformat.read(str(release_path), as_version=4)
        tests = autograded_test_ids(source)
        points = {grade_id: float(nbgrader_metadata(cell_by_grade_id(source, grade_id))["points"]) for grade_id in tests}
        return cls(unit, source, release, exercise_ids(source), tests, points)

    def tests_of(self, exercise: str) -> set[str]:
        """The autograded test cells that grade ``exercise`` (test_<exercise> and test_<exercise>_hidden)."""
        return {grade_id for grade_id in self.tests if grade_id in (f"test_{exercise}", f"test_{exercise}_hidden")}

    def score(self, passed: set[str]) -> float:
        return sum(self.points[grade_id] for grade_id in passed)

    @property
    def all_tests(self) -> set[str]:
        return set(self.tests)

    @property
    def public_tests(self) -> set[str]:
        return {grade_id for grade_id in self.tests if not grade_id.endswith("_hidden")}

    def notebook_path(self, folder: Path) -> Path:
        return folder / f"{self.unit}.ipynb"

    def correct(self) -> nbformat.NotebookNode:
        return fill_solutions(self.release, self.source)

    def first_mistake(self, exercise: str) -> tuple[str, str]:
        name, source = next(iter(load_wrong_answers(self.unit)[exercise].items()))
        return name, source

    def mistake_named_for(self, exercise: str, answer_source: str) -> str | None:
        """The id of the mistake ``exercise``'s public check recognises in ``answer_source`` (None: unrecognised)."""
        from lstm_course.feedback.core import CheckFailed

        namespace = self._run_setup(answer_source, exercise)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                namespace[f"check_{exercise}"](namespace[exercise])
        except CheckFailed as failure:
            return failure.mistake
        raise AssertionError(f"the wrong answer to {exercise} passed its public check")

    def _run_setup(self, answer_source: str, exercise: str) -> dict:
        """A namespace holding the set-up cells' names and the answer's definitions."""
        namespace: dict = {"__name__": "__synthetic_class__"}
        with contextlib.redirect_stdout(io.StringIO()):  # the set-up cells print their demo shapes
            for cell in self.source.cells:
                if nbgrader_metadata(cell).get("solution"):
                    break
                if cell.cell_type == "code" and nbgrader_metadata(cell).get("grade_id") != "install_course":
                    # (the install cell is IPython, not Python, and the course is installed here)
                    exec(compile(cell.source, f"<{self.unit} set-up>", "exec"), namespace)
        exec(compile(answer_source, f"<{exercise} answer>", "exec"), namespace)
        return namespace

    def tests_failed_by(self, exercise: str, answer_source: str) -> set[str]:
        """Which of ``exercise``'s test cells ``answer_source`` fails, found by calling the checks directly.

        The set-up cells (locked code cells before the first exercise) provide the names the answer uses
        (``np``, ``sigmoid``...); the public check is the one the set-up imports, the hidden one its ``_hidden``
        twin in the same module: the notebook's convention (CONTRIBUTING.md).
        """
        namespace = self._run_setup(answer_source, exercise)
        public = namespace[f"check_{exercise}"]
        hidden = getattr(importlib.import_module(public.__module__), f"check_{exercise}_hidden")
        failed = set()
        for grade_id, check in ((f"test_{exercise}", public), (f"test_{exercise}_hidden", hidden)):
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    check(namespace[exercise])
            except AssertionError:
                failed.add(grade_id)
        return failed & self.tests_of(exercise)


# --- building submissions ------------------------------------------------------------------------------------

def write(facts: UnitFacts, folder: Path, notebook) -> None:
    nbformat.write(notebook, str(facts.notebook_path(folder)))


def with_answer(notebook, grade_id: str, source: str):
    notebook = copy.deepcopy(notebook)
    cell_by_grade_id(notebook, grade_id).source = source
    return notebook


def trouble_exercise(facts: UnitFacts) -> str:
    return facts.exercises[EXERCISE_FOR_TROUBLE]


def prepend_to_exercise(facts: UnitFacts, code: str):
    """The correct notebook, with ``code`` run at the top of the trouble exercise's cell (before its def)."""
    notebook = facts.correct()
    cell = cell_by_grade_id(notebook, trouble_exercise(facts))
    cell.source = textwrap.dedent(code).strip() + "\n\n" + cell.source
    return notebook


def insert_cell(notebook, index: int, source: str):
    notebook = copy.deepcopy(notebook)
    notebook.cells.insert(index, nbformat.v4.new_code_cell(textwrap.dedent(source).strip()))
    return notebook


def first_exercise_index(notebook) -> int:
    return next(i for i, cell in enumerate(notebook.cells) if nbgrader_metadata(cell).get("solution"))


INFINITE_LOOP = "while True:  # forgot to update the loop variable\n    pass"
SWALLOWS_INTERRUPT = """
import signal
signal.signal(signal.SIGINT, lambda signum, frame: None)  # "nothing may stop this search"
while True:
    try:
        pass
    except KeyboardInterrupt:
        pass
"""
OS_EXIT = "import os\nos._exit(1)"
# One allocation far beyond the machine's memory (32 GiB): without RLIMIT_AS, NumPy writing it would push the
# grading machine into the kernel's out-of-memory killer; with it, the cell meets a MemoryError at once. (A hog
# that grows step by step can instead bring the kernel down when a background thread is refused memory: the
# submission is then recorded as failing, which grade_class handles too, but not deterministically enough for a
# test.)
MEMORY_HOG = """
everything = np.ones((65_536, 65_536))  # keep every intermediate result, just in case
"""
PATCH_THE_CHECKERS = """
# Make every test pass, whatever the answers.
import importlib, pkgutil
import numpy.testing
import lstm_course.feedback
np.allclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
_modules = [lstm_course.feedback] + [importlib.import_module("lstm_course.feedback." + _info.name)
                                  for _info in pkgutil.iter_modules(lstm_course.feedback.__path__)]
for _module in _modules:
    for _name in dir(_module):
        if _name.startswith("check_") or _name in ("expect_close", "expect_array", "run_hidden"):
            setattr(_module, _name, lambda *args, **kwargs: None)
for _name in list(globals()):
    if _name.startswith("check_"):
        globals()[_name] = lambda *args, **kwargs: None
"""


def reordered(notebook):
    """Markdown moved to the end, and the last exercise's block (answer and tests) moved right after set-up."""
    notebook = copy.deepcopy(notebook)
    start = first_exercise_index(notebook)
    last = exercise_ids(notebook)[-1]
    block_ids = {last, f"test_{last}", f"test_{last}_hidden"}
    block = [cell for cell in notebook.cells if nbgrader_metadata(cell).get("grade_id") in block_ids]
    in_block = {id(cell) for cell in block}
    setup = [cell for cell in notebook.cells[:start] if cell.cell_type == "code"]
    others = [cell for cell in notebook.cells[start:] if cell.cell_type == "code" and id(cell) not in in_block]
    markdown = [cell for cell in notebook.cells if cell.cell_type != "code"]
    notebook.cells = setup + block + others + markdown
    return notebook


def tampered_tests(facts: UnitFacts):
    """Correct answers; the first test cell edited (and its points inflated), another test cell deleted."""
    notebook = facts.correct()
    first, second = facts.exercises[0], facts.exercises[1]
    edited = cell_by_grade_id(notebook, f"test_{first}")
    edited.source = "pass  # this test is fine"
    edited.metadata["nbgrader"]["points"] = 100
    notebook.cells = [cell for cell in notebook.cells
                      if nbgrader_metadata(cell).get("grade_id") != f"test_{second}_hidden"]
    return notebook


def build_class(facts: UnitFacts) -> list[Student]:
    """At least 20 students: good ones, each common mistake, and every kind of broken or hostile submission."""
    trouble = trouble_exercise(facts)
    everything = lambda f: f.all_tests  # noqa: E731
    half = facts.exercises[: len(facts.exercises) // 2]

    def replace_notebook(make_notebook):
        return lambda folder, f: write(f, folder, make_notebook(f))

    students = [
        Student("s01_correct", "every answer right", False, replace_notebook(UnitFacts.correct), everything),
        Student("s02_correct", "every answer right, handed in twice", False,
                replace_notebook(UnitFacts.correct), everything),
        Student("s03_blank", "handed in untouched", False, replace_notebook(lambda f: f.release), lambda f: set()),
        Student("s04_partial", f"first {len(half)} exercises done", False,
                replace_notebook(lambda f: fill_solutions(f.release, f.source, {
                    e: cell_by_grade_id(f.release, e).source for e in f.exercises[len(half):]})),
                lambda f: set().union(*(f.tests_of(e) for e in half))),
    ]
    for number, exercise in enumerate(facts.exercises):
        def make(folder, f, exercise=exercise):
            write(f, folder, fill_solutions(f.release, f.source, {exercise: f.first_mistake(exercise)[1]}))

        def passes(f, exercise=exercise):
            return f.all_tests - f.tests_failed_by(exercise, f.first_mistake(exercise)[1])

        students.append(Student(f"s{5 + number:02d}_mistake_{exercise}",
                                f"common mistake in {exercise}: {facts.first_mistake(exercise)[0]}", False, make, passes))
    n = 5 + len(facts.exercises)
    students += [
        Student(f"s{n:02d}_reordered", "cells reordered (answers right)", False,
                replace_notebook(lambda f: reordered(f.correct())), everything),
        Student(f"s{n + 1:02d}_tampered_tests", "a test cell edited, another deleted", True,
                replace_notebook(tampered_tests), everything),
        Student(f"s{n + 2:02d}_exception_top", "a cell raising an exception at the top", True,
                replace_notebook(lambda f: insert_cell(f.correct(), 0, "raise RuntimeError('scratch work')")),
                everything),
        Student(f"s{n + 3:02d}_infinite_loop", f"an endless loop in the {trouble} cell", True,
                replace_notebook(lambda f: prepend_to_exercise(f, INFINITE_LOOP)),
                lambda f: f.all_tests - f.tests_of(trouble_exercise(f))),
        Student(f"s{n + 4:02d}_memory_hog", f"a memory hog in the {trouble} cell", True,
                replace_notebook(lambda f: prepend_to_exercise(f, MEMORY_HOG)),
                lambda f: f.all_tests - f.tests_of(trouble_exercise(f))),
        Student(f"s{n + 5:02d}_swallows_interrupt", f"a loop that swallows KeyboardInterrupt in the {trouble} cell",
                True, replace_notebook(lambda f: prepend_to_exercise(f, SWALLOWS_INTERRUPT)), lambda f: set(),
                status="failed"),
        Student(f"s{n + 6:02d}_os_exit", f"os._exit in the {trouble} cell", True,
                replace_notebook(lambda f: prepend_to_exercise(f, OS_EXIT)), lambda f: set(), status="failed"),
        Student(f"s{n + 7:02d}_patched_checks", "wrong answers, with numpy and the checks patched to pass", True,
                replace_notebook(lambda f: insert_cell(
                    fill_solutions(f.release, f.source, {e: f.first_mistake(e)[1] for e in f.exercises}),
                    first_exercise_index(f.release), PATCH_THE_CHECKERS)),
                lambda f: f.public_tests),
        Student(f"s{n + 8:02d}_not_json", "a notebook that is not valid JSON", True,
                lambda folder, f: f.notebook_path(folder).write_text('{"cells": [ this is not JSON'),
                lambda f: set(), status="failed"),
        Student(f"s{n + 9:02d}_wrong_name", "the right notebook under another name", True,
                lambda folder, f: (write(f, folder, f.correct()),
                                   f.notebook_path(folder).rename(folder / f"{f.unit} (1).ipynb")),
                lambda f: set(), status="missing"),
        Student(f"s{n + 10:02d}_missing", "no notebook at all", True,
                lambda folder, f: (f.notebook_path(folder).unlink(), (folder / "notes.txt").write_text("sorry")),
                lambda f: set(), status="missing"),
    ]
    return students


def unit_available(unit: str) -> str | None:
    """None if ``unit`` can be used for the synthetic class, else the reason it cannot."""
    source = REPO_ROOT / "solutions" / unit / f"{unit}.ipynb"
    if not source.exists():
        return f"no instructor notebook {source.relative_to(REPO_ROOT)} yet"
    if not wrong_answers_path(unit).exists():
        return f"no wrong answers for {unit} yet"
    return None
