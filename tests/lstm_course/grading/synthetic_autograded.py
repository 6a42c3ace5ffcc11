"""Autograded notebooks made without grading: a class whose every test outcome is planted, for the class report.

Each student's autograded notebook is the unit's source notebook (its cells are exactly an autograded notebook's:
the learner's answer cells and every test cell, hidden ones included) with each test cell's outputs written as a
real grading run leaves them: a pass prints the check's line; a failure leaves the check's record (the MIME type
``RECORD_MIME_TYPE``) and the error. The report reads nothing else, so the counts a test plants are the counts the
report must print. tests/lstm_course/grading/test_mistake_report.py uses it; so does benchmarks/bench_mistake_report.py.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

from lstm_course.feedback.core import RECORD_MIME_TYPE

REPO_ROOT = Path(__file__).resolve().parents[3]

PASS = "pass"
STUB = "stub"


@dataclass(frozen=True)
class Planted:
    """A failure planted in one exercise: a recognised mistake (``mistake`` set) or an unrecognised answer."""

    message: str
    mistake: str = ""
    mistake_text: str = ""
    detail: str = ""
    signature: str = ""


@dataclass
class SyntheticStudent:
    id: str
    answers: dict[str, object] = field(default_factory=dict)  # exercise -> PASS, STUB or Planted (default PASS)
    hostile: bool = False       # a line that patches numpy in an answer cell: the integrity review flags it
    not_graded: bool = False    # submitted, but no autograded notebook (the run could not finish it)


def source_notebook(assignment: str) -> dict:
    return json.loads((REPO_ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))


def exercises_of(notebook: dict) -> list[str]:
    """The exercises of a notebook, in order, from its public test cells (``test_<exercise>``)."""
    names = []
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if cell["cell_type"] == "code" and grade_id.startswith("test_") and not grade_id.endswith("_hidden"):
            names.append(grade_id.removeprefix("test_"))
    return names


def _outputs(answer, exercise: str, hidden: bool) -> list[dict]:
    check = f"check_{exercise}" + ("_hidden" if hidden else "")
    if answer == PASS:
        return [{"output_type": "stream", "name": "stdout", "text": f"\u2714 {exercise}: all checks passed.\n"}]
    if answer == STUB:
        answer = Planted(f"{exercise} is not implemented yet: replace `raise NotImplementedError()` with your code.")
    record = {"exercise": exercise, "check": check, "hidden": hidden, "mistake": answer.mistake or None,
              "mistake_text": answer.mistake_text or None, "message": answer.message, "detail": answer.detail,
              "signature": answer.signature or None}
    return [{"output_type": "display_data", "metadata": {}, "data": {RECORD_MIME_TYPE: record}},
            {"output_type": "error", "ename": "CheckFailed", "evalue": answer.message,
             "traceback": [f"CheckFailed: {answer.message}"]}]


def autograded_notebook(source: dict, student: SyntheticStudent) -> dict:
    notebook = copy.deepcopy(source)
    first_answer = True
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if meta.get("solution") and cell["cell_type"] == "code" and first_answer:
            first_answer = False
            if student.hostile:
                cell["source"] = "".join(cell["source"]) + "\nnp.allclose = lambda *args, **kwargs: True\n"
        if cell["cell_type"] == "code" and meta.get("grade") and grade_id.startswith("test_"):
            exercise = grade_id.removeprefix("test_").removesuffix("_hidden")
            cell["outputs"] = _outputs(student.answers.get(exercise, PASS), exercise, grade_id.endswith("_hidden"))
    return notebook


def write_class(course_root: Path, assignment: str, students: list[SyntheticStudent]) -> None:
    """Write ``submitted/`` and ``autograded/`` for ``students`` under ``course_root`` (which links the course's
    ``solutions/`` and ``notebooks/``, or copies them)."""
    source = source_notebook(assignment)
    text_of = {}
    for student in students:
        submitted = course_root / "submitted" / student.id / assignment
        submitted.mkdir(parents=True, exist_ok=True)
        notebook = autograded_notebook(source, student)
        text = json.dumps(notebook, indent=1, ensure_ascii=False)
        (submitted / f"{assignment}.ipynb").write_text(text, encoding="utf-8")
        if not student.not_graded:
            autograded = course_root / "autograded" / student.id / assignment
            autograded.mkdir(parents=True, exist_ok=True)
            (autograded / f"{assignment}.ipynb").write_text(text_of.setdefault(id(student), text), encoding="utf-8")


def link_course(course_root: Path) -> None:
    """Make ``course_root`` see the course's source and release notebooks (what the report reads besides results)."""
    course_root.mkdir(parents=True, exist_ok=True)
    for folder in ("solutions", "notebooks"):
        link = course_root / folder
        if not link.exists():
            link.symlink_to(REPO_ROOT / folder, target_is_directory=True)
