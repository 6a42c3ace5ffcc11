"""What each student's autograded notebooks say, test cell by test cell: the raw material of the class report.

nbgrader keeps every test cell's outputs in the autograded notebook. A test cell passed when it shows no error
(the way nbgrader itself scores it). A failing check also left its record there (``CheckFailed.record()``,
MIME type ``RECORD_MIME_TYPE``): the exercise, the check, the recognised mistake's id or nothing, the message's
first line and a fingerprint of the wrong output. Nothing here runs a student's code: the notebooks are read as
JSON, and the integrity review is static.

Course layout (nbgrader's): ``autograded/<student>/<assignment>/<notebook>.ipynb``, the collected submissions in
``submitted/<student>/<assignment>/``, the instructor's source notebooks in ``<source>/<assignment>/``.
"""

from __future__ import annotations

import ast
import csv
import json
from dataclasses import dataclass
from pathlib import Path

from lstm_course.feedback.core import RECORD_MIME_TYPE

from .integrity import HIGH, collect_aliases, review_code

NOT_STARTED_MARK = "is not implemented yet"  # what call_learner says of an untouched stub

# A test cell's outcome.
PASSED, NOT_STARTED, MISTAKE, UNRECOGNISED = "passed", "not started", "mistake", "unrecognised"
# A student's status for one assignment.
GRADED, BLANK, FLAGGED, NOT_GRADED = "graded", "blank", "flagged", "not graded"


@dataclass(frozen=True)
class TestOutcome:
    """One autograded test cell of one student."""

    student: str
    assignment: str
    exercise: str        # test_forget_gate and test_forget_gate_hidden both grade forget_gate
    hidden: bool
    points: float        # what the cell is worth
    outcome: str         # PASSED, NOT_STARTED, MISTAKE or UNRECOGNISED
    mistake: str = ""    # the recognised mistake's id
    mistake_text: str = ""
    message: str = ""    # the failure's first line (what an unrecognised failure is grouped by, with the next two)
    detail: str = ""
    signature: str = ""

    @property
    def earned(self) -> float:
        return self.points if self.outcome == PASSED else 0.0


@dataclass(frozen=True)
class StudentStatus:
    """One student's assignment as a whole: graded, blank, flagged by the integrity review, or not graded."""

    student: str
    assignment: str
    status: str
    reason: str = ""


def exercise_of_test(grade_id: str) -> tuple[str, bool] | None:
    """``test_forget_gate_hidden`` -> ``("forget_gate", True)``; None for a cell that is not an exercise's test."""
    if not grade_id.startswith("test_"):
        return None
    name = grade_id.removeprefix("test_")
    return (name.removesuffix("_hidden"), True) if name.endswith("_hidden") else (name, False)


def _failure_of(outputs: list[dict]) -> tuple[dict | None, dict | None]:
    """(the check's record, the error output) of a test cell's outputs; (None, None) when it passed."""
    record = next((output["data"][RECORD_MIME_TYPE] for output in outputs
                   if RECORD_MIME_TYPE in output.get("data", {})), None)
    error = next((output for output in outputs if output.get("output_type") == "error"), None)
    return record, error


def classify_test_cell(outputs: list[dict]) -> dict:
    """The outcome of one autograded test cell, from its outputs alone."""
    record, error = _failure_of(outputs)
    if error is None:
        return {"outcome": PASSED}
    if record is None:  # an error outside any check, e.g. the learner deleted the function the test calls
        message = f"{error.get('ename', 'Error')}: {error.get('evalue', '')}".splitlines()[0]
        outcome = NOT_STARTED if error.get("ename") == "NotImplementedError" else UNRECOGNISED
        return {"outcome": outcome, "message": message}
    if NOT_STARTED_MARK in (record.get("message") or ""):
        return {"outcome": NOT_STARTED, "message": record["message"]}
    found = {key: record.get(key) or "" for key in ("mistake", "mistake_text", "message", "detail", "signature")}
    return {"outcome": MISTAKE if found["mistake"] else UNRECOGNISED, **found}


def _read_json(path: Path) -> dict:
    """An autograded notebook as plain JSON (nbgrader wrote it: no validation needed)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def notebook_outcomes(notebook: dict, *, student: str, assignment: str) -> list[TestOutcome]:
    """Every exercise test cell of one autograded notebook, with its outcome."""
    outcomes = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        named = exercise_of_test(meta.get("grade_id", "")) if meta.get("grade") and cell["cell_type"] == "code" else None
        if named is None:
            continue
        exercise, hidden = named
        found = classify_test_cell(cell.get("outputs", []))
        outcomes.append(TestOutcome(student, assignment, exercise, hidden, float(meta.get("points", 0)), **found))
    return outcomes


def grading_reasons(report_folder: Path) -> dict[str, str]:
    """Why grade_class could not grade a student (its ``grading.csv``), by student; empty when there is none."""
    path = Path(report_folder) / "grading.csv"
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student"]: row.get("reason", "") for row in csv.DictReader(handle)
                if row.get("status") not in (None, "", "graded")}


class GamingReview:
    """The integrity review's high-severity findings for the autograded notebooks of one assignment, fast.

    The same static review as ``integrity.review_notebook`` (``integrity.review_code`` on every cell the learner
    wrote, with the notebook's imports as aliases), but the instructor's cells are read once per assignment rather
    than once per student, and notebooks are read as plain JSON: a class of hundreds is reviewed in seconds.
    Using the reference (``lstm_ref``) in an answer is left to the integrity report: a later unit's answer may call
    it on purpose, and the test cells still grade what the answer returns.
    """

    def __init__(self, source_notebook: dict | None):
        cells = (source_notebook or {}).get("cells", [])
        self.instructor = {cell["metadata"]["nbgrader"]["grade_id"]: _source(cell) for cell in cells
                           if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")}
        answers = [cell for cell in cells if cell.get("metadata", {}).get("nbgrader", {}).get("solution")]
        # The exercises: the answer cells' ids and the functions they define (what using the reference replaces).
        self.exercises = {cell["metadata"]["nbgrader"]["grade_id"] for cell in answers}
        self.exercises |= _defined_functions([_source(cell) for cell in answers if cell["cell_type"] == "code"])
        instructor_code = [_source(cell) for cell in cells if cell["cell_type"] == "code"
                           and not cell.get("metadata", {}).get("nbgrader", {}).get("solution")]
        self.aliases = collect_aliases(instructor_code)

    def learner_cells(self, notebook: dict) -> list[str]:
        """The sources of the code cells the learner wrote or changed."""
        written = []
        for cell in notebook.get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") or not meta or self.instructor.get(meta.get("grade_id")) != _source(cell):
                written.append(_source(cell))
        return written

    def first_flag(self, notebook: dict) -> str:
        """The first finding that games the grading, as "category: detail"; "" when there is none."""
        written = self.learner_cells(notebook)
        aliases = {**self.aliases, **collect_aliases(written)}
        for source in written:
            for _, severity, category, detail in review_code(source, aliases=aliases, exercises=self.exercises):
                if severity == HIGH and category != "reference":
                    return f"{category}: {detail}"
        return ""


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _defined_functions(sources: list[str]) -> set[str]:
    names = set()
    for source in sources:
        try:
            names |= {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
        except SyntaxError:
            pass
    return names


def read_student(student: str, *, course_root: Path, assignment: str, reviews: dict[str, GamingReview],
                 reasons: dict[str, str]) -> tuple[list[TestOutcome], StudentStatus]:
    """One student's outcomes and status for ``assignment``."""
    notebooks = sorted((Path(course_root) / "autograded" / student / assignment).glob("*.ipynb"))
    if not notebooks:
        reason = reasons.get(student) or "no autograded notebook (the grading run could not finish it)"
        return [], StudentStatus(student, assignment, NOT_GRADED, reason)
    outcomes, flags = [], []
    for path in notebooks:
        notebook = _read_json(path)
        outcomes += notebook_outcomes(notebook, student=student, assignment=assignment)
        flags.append(reviews.get(path.stem, GamingReview(None)).first_flag(notebook))
    flag = "; ".join(filter(None, flags))
    if flag:
        return outcomes, StudentStatus(student, assignment, FLAGGED, flag)
    if outcomes and all(outcome.outcome == NOT_STARTED for outcome in outcomes):
        return outcomes, StudentStatus(student, assignment, BLANK, "every exercise left as the stub")
    return outcomes, StudentStatus(student, assignment, GRADED)


def read_assignment(course_root: Path, assignment: str, *, source_directory: str = "solutions",
                    reports_directory: str = "reports") -> tuple[list[TestOutcome], list[StudentStatus]]:
    """Outcomes and statuses of every student who submitted ``assignment``, in student order.

    The integrity review compares each autograded notebook with the instructor's source notebook, which holds
    the same test cells (hidden ones included) as the autograded copy: only the learner's own code is reviewed.
    """
    course_root = Path(course_root)
    reviews = {path.stem: GamingReview(_read_json(path))
               for path in sorted((course_root / source_directory / assignment).glob("*.ipynb"))}
    reasons = grading_reasons(course_root / reports_directory / assignment)
    students = sorted({path.parent.name for kind in ("submitted", "autograded")
                       for path in (course_root / kind).glob(f"*/{assignment}")})
    results = [read_student(student, course_root=course_root, assignment=assignment, reviews=reviews, reasons=reasons)
               for student in students]
    return [outcome for own, _ in results for outcome in own], [status for _, status in results]


def assignments_with_results(course_root: Path) -> list[str]:
    """The assignments with at least one submission or autograded notebook, in course order."""
    course_root = Path(course_root)
    found = {path.name for kind in ("submitted", "autograded") for path in (course_root / kind).glob("*/*")
             if path.is_dir()}
    return sorted(found)
