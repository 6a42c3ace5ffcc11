"""Autograding a submission again keeps the hand grades of answers that did not change.

nbgrader's ``SaveAutoGrades`` marks every hand-graded cell as needing grading again whenever a submission is
autograded again (it cannot tell whether the answer changed), and leaves the grader's old comments in place, so
a resubmission's feedback could show an old comment beside new code. ``KeepUnchangedHandGrades`` runs right
after it (nbgrader_config.py) and decides per answer, by comparing the answer's source now with the source that
was graded:

- unchanged: the hand grade and its comment stand (no new flag);
- changed: the cell is flagged for grading again, its old hand score is cleared, and the old comment is
  removed from what the student will see (it is kept, with the score, in ``superseded.json``).

"The source that was graded" is recorded at every autograde in
``class-data/graded-answers/<assignment>/<student>/<notebook>.json``: the source of every answer (solution)
cell as it was autograded, which is what the formgrader shows the grader. Which answer a grade depends on:

- a written answer (or any answer cell graded by hand): that cell;
- an autograded test cell whose score was changed by hand: every answer cell of the notebook.

A hand grade given before such a record existed cannot be checked, so it is flagged, as nbgrader would.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from .class_data import class_data_folder, course_root_of

ALL_ANSWERS = "*"  # key of the record: every answer cell's source, in order


def record_path(course_root, assignment: str, student: str, notebook: str) -> Path:
    return class_data_folder(course_root) / "graded-answers" / assignment / student / f"{notebook}.json"


def answer_sources(nb) -> dict[str, str]:
    """grade_id -> source of each answer (solution) cell, plus ``ALL_ANSWERS``: all of them together."""
    sources = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            sources[meta["grade_id"]] = cell.source
    sources[ALL_ANSWERS] = "\n\x00\n".join(sources.values())
    return sources


class KeepUnchangedHandGrades(NbGraderPreprocessor):
    """Autograde step, after ``SaveAutoGrades``: hand grades of unchanged answers stand, changed ones are flagged."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = record_path(course_root_of(self), info["assignment"], info["student"], info["notebook"])
        now = answer_sources(nb)
        graded = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        superseded = []
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            for grade in notebook.grades:
                if grade.manual_score is None:
                    continue  # nothing graded by hand: nbgrader's flag is right as it is
                key = grade.name if grade.name in now else ALL_ANSWERS
                if graded is not None and graded.get(key) == now[key]:
                    grade.needs_manual_grade = False
                else:
                    superseded.append({"cell": grade.name, "score": grade.manual_score})
                    grade.manual_score = None
                    grade.needs_manual_grade = True
            for comment in notebook.comments:
                if comment.manual_comment and not (graded is not None and graded.get(comment.name) == now.get(comment.name)):
                    superseded.append({"cell": comment.name, "comment": comment.manual_comment})
                    comment.manual_comment = None
            gradebook.db.commit()
        path.parent.mkdir(parents=True, exist_ok=True)
        if superseded:
            history_path = path.with_name(f"{info['notebook']}.superseded.json")
            history = json.loads(history_path.read_text(encoding="utf-8")) if history_path.exists() else []
            history.append({"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "grades": superseded})
            history_path.write_text(json.dumps(history, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            self.log.warning("%s/%s: the answer changed since it was graded by hand; grade again: %s",
                             info["student"], info["notebook"], sorted({item["cell"] for item in superseded}))
        path.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return nb, resources


# --- grade_class --student: grade some students again, leave everyone else as they are --------------------------

def select_students(submitted: list[str], only: list[str] | None, assignment: str) -> list[str]:
    """The students to grade: everyone who submitted, or ``only`` those (each must have a submission)."""
    if only is None:
        return submitted
    unknown = sorted(set(only) - set(submitted))
    if unknown:
        raise ValueError(f"student: no collected submission of {assignment} from {', '.join(unknown)} "
                         f"(collected: {', '.join(submitted) or 'none'}). Run with --collect first?")
    return sorted(set(only))


def merge_with_report(results: list, report_folder: Path, points: dict, pending: dict) -> list:
    """``results`` of the students just graded, plus the other students' rows of the report already there.

    The others' status and reason are kept; their scores are read again (``points``: student -> (score, max),
    ``pending``: student -> points awaiting a person), as manual grading may have changed them since.
    """
    import csv

    result_type = type(results[0])  # grade_class.StudentResult (not imported: grade_class imports this module)
    previous = Path(report_folder) / "grading.csv"
    if not previous.exists():
        return results
    graded_now = {result.student for result in results}
    kept = []
    with open(previous, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["student"] in graded_now:
                continue
            student = row["student"]
            score, maximum = points.get(student, (float(row["score"]), float(row["max_score"])))
            kept.append(result_type(student, row["status"], score, maximum, row["reason"], float(row["seconds"]),
                                    pending.get(student, 0.0), row.get("denied", "")))
    return sorted(kept + list(results), key=lambda result: result.student)
