"""What the simulated students of the end-to-end test hand in, built from the instructor notebook of a unit.

``solution_cells(unit)``: grade_id -> the exercise cell's full source with the solution (markers removed), as
a student who solved it would have it. A realistic mistake comes from tests/wrong_answers/<unit>.py; the
hostile submission tampers with NumPy's comparison functions (the grading kernel puts them back before each
cell) and returns zeros.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.wrong_answers import __path__ as _wrong_answers_path  # noqa: F401 -- the package must exist

REPO = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|$)", re.MULTILINE)


def _cells(unit: str) -> list[dict]:
    notebook = json.loads((REPO / "solutions" / unit / f"{unit}.ipynb").read_text(encoding="utf-8"))
    return notebook["cells"]


def solution_cells(unit: str) -> dict[str, str]:
    """grade_id -> solved source, for every code exercise (``solution: true``) of the unit."""
    found = {}
    for cell in _cells(unit):
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            found[meta["grade_id"]] = MARKER.sub("", "".join(cell["source"]))
    return found


def written_answer_texts(unit: str) -> dict[str, str]:
    """grade_id -> the instructor's own answer, for every written answer (what a good student writes)."""
    return {cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
            for cell in _cells(unit)
            if cell["cell_type"] == "markdown" and cell["metadata"].get("nbgrader", {}).get("solution")}


def written_answers(unit: str) -> dict[str, int]:
    """grade_id -> points of the written answers a person grades."""
    return {cell["metadata"]["nbgrader"]["grade_id"]: cell["metadata"]["nbgrader"]["points"]
            for cell in _cells(unit)
            if cell["cell_type"] == "markdown" and cell["metadata"].get("nbgrader", {}).get("grade")}


def wrong_answer(unit: str, grade_id: str, name: str) -> str:
    namespace: dict = {}
    source = (REPO / "tests" / "wrong_answers" / f"{unit}.py").read_text(encoding="utf-8")
    exec(compile(source, f"tests/wrong_answers/{unit}.py", "exec"), namespace)  # noqa: S102 -- our own file
    return namespace["WRONG_ANSWERS"][grade_id][name]


HOSTILE_PREFIX = '''import numpy as np
np.allclose = lambda *args, **kwargs: True          # "every comparison passes"
np.testing.assert_allclose = lambda *args, **kwargs: None
'''


def hostile_cells(unit: str) -> dict[str, str]:
    """Each exercise returns zeros of the right shape after disabling NumPy's comparisons."""
    hostile = {}
    for grade_id, source in solution_cells(unit).items():
        signature = re.search(r"^def \w+\(([^)]*)\):", source, re.MULTILINE)
        first = signature.group(1).split(",")[0].strip()
        hostile[grade_id] = (HOSTILE_PREFIX + source[:signature.end()] +
                             f"\n    return np.zeros_like({first})\n")
    return hostile


def filled(notebook: dict, replacements: dict[str, str]) -> dict:
    """A copy of ``notebook`` whose cells named in ``replacements`` (by grade_id) hold the given source."""
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell["source"] = replacements[grade_id]
    return notebook
