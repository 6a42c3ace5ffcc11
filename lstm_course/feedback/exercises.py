"""The course's exercises, as the solution notebooks declare them (nbgrader metadata), and their checks.

An exercise is a code cell of ``solutions/<unit>/<unit>.ipynb`` with ``solution: true``; its ``grade_id`` names
it (``forget_gate``) and the function it defines. Its public check is ``check_<grade_id>``, imported by the
unit's set-up cell (``grade_id: setup``) or by a later cell that opens a section; the hidden one,
``check_<grade_id>_hidden``, lives in the same module.
Reading them from the notebooks means an exercise added to any unit (or a new unit) is found without a list to
update. Used by the mutation tool (``mutants``), the catalogue of mistakes and the hints' tests.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from unittest import mock

__all__ = ["Exercise", "REPO", "exercises", "solution_region", "setup_namespace"]

# The repository holding solutions/ (this file is lstm_course/feedback/exercises.py).
REPO = Path(__file__).resolve().parents[2]

_REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Exercise:
    """One exercise: its unit (assignment id), its name (grade_id) and its solution cell's source."""

    unit: str
    name: str
    source: str

    @property
    def region(self) -> str:
        """The code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``: what the learner writes."""
        return solution_region(self.source)

    def checks(self, namespace: dict | None = None) -> tuple:
        """(public, hidden) checks: ``check_<name>`` from the set-up cell (or the cell that imports it), the hidden
        one from its module."""
        namespace = setup_namespace(self.unit) if namespace is None else namespace
        public = namespace.get(f"check_{self.name}") or _imported_check(self.unit, f"check_{self.name}")
        if public is None:
            raise LookupError(f"no cell of {self.unit} imports check_{self.name}")
        hidden = getattr(sys.modules[public.__module__], f"check_{self.name}_hidden", None)
        return public, hidden


def solution_region(source: str) -> str:
    match = _REGION.search(source)
    return match.group(1) if match else ""


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


@cache
def exercises(repo: Path = REPO) -> tuple[Exercise, ...]:
    """Every exercise of every unit, in course order (units by name, cells in notebook order)."""
    found = []
    for notebook in sorted((repo / "solutions").glob("*/*.ipynb")):
        unit = notebook.parent.name
        if notebook.stem != unit:
            continue
        for cell in _cells(notebook):
            if cell["cell_type"] == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                found.append(Exercise(unit, _grade_id(cell), "".join(cell["source"])))
    return tuple(found)


@cache
def _setup_names(unit: str, repo: Path = REPO) -> dict:
    source = next(("".join(cell["source"]) for cell in _cells(repo / "solutions" / unit / f"{unit}.ipynb")
                   if _grade_id(cell) == "setup"), "")
    namespace: dict = {}
    import matplotlib

    matplotlib.use("Agg")  # the set-up cells import pyplot; nothing is drawn on a screen here
    with mock.patch.dict(os.environ):  # a set-up cell may set variables for its kernel; keep ours
        exec(compile(source, f"<{unit} cell setup>", "exec"), namespace)
    return namespace


def _imported_check(unit: str, check: str, repo: Path = REPO):
    """``check`` as a later cell of ``unit`` imports it (a section's own set-up cell, e.g. unit 6's loop through
    time): ``from lstm_course.feedback.<module> import ..., check, ...``."""
    import importlib

    pattern = re.compile(r"^from (lstm_course\.feedback\.\w+) import (?:\(([^)]*)\)|([^(\n]*))", re.MULTILINE)
    for cell in _cells(repo / "solutions" / unit / f"{unit}.ipynb"):
        if cell["cell_type"] != "code":
            continue
        for module, in_parentheses, on_one_line in pattern.findall("".join(cell["source"])):
            if check in re.findall(r"\w+", in_parentheses + on_one_line):
                return getattr(importlib.import_module(module), check, None)
    return None


def setup_namespace(unit: str, repo: Path = REPO) -> dict:
    """A fresh copy of the names ``unit``'s set-up cell defines (np, sigmoid, the checks, ...)."""
    return dict(_setup_names(unit, repo))
