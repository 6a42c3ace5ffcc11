"""The grades file of record, and the same grades as a Canvas gradebook import.

One file holds the class's grades: ``class-data/grades.csv`` in the course root (a folder git ignores). It is
rewritten from the gradebook by ``nbgrader export`` (nbgrader_config.py makes ``GradesOfRecord`` its exporter),
by ``python -m lstm_course.grading.export``, after ``grade_class`` and after every feedback release, so it never
goes stale beside another copy. One row per student and assignment:

    assignment, duedate, timestamp, student_id, last_name, first_name, email,
    raw_score, late_submission_penalty, score, max_score, pending_manual_points, status

``score`` = max(0, raw_score - late_submission_penalty). ``status`` is ``complete``, ``pending manual grading``
(``pending_manual_points`` of ``max_score`` still await a person: the score is not final) or ``not submitted``.

``class-data/canvas-grades.csv`` is the Canvas gradebook import (Grades -> Import): columns Student, ID,
SIS User ID, SIS Login ID, Section, then one column per assignment, and a "Points Possible" row. Canvas matches
students by ID (the gradebook's ``lms_user_id``, filled by an LTI login) or else SIS Login ID (the student id,
i.e. the hub user name). A score that is not final is left blank, so Canvas never shows a partial grade.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from nbgrader.plugins import ExportPlugin

from .class_data import class_data_folder, course_root_of

GRADES_FILE = "grades.csv"
CANVAS_FILE = "canvas-grades.csv"
COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
           "late_submission_penalty", "score", "max_score", "pending_manual_points", "status"]


def grade_rows(gradebook, assignments=(), students=()) -> list[dict]:
    """One row (``COLUMNS``) per student and assignment of the gradebook (optionally only some of them)."""
    from nbgrader.api import MissingEntry

    from .pending import pending_points

    rows = []
    for assignment in gradebook.assignments:
        if assignments and assignment.name not in assignments:
            continue
        pending = pending_points(gradebook, assignment.name)
        for student in gradebook.students:
            if students and student.id not in students:
                continue
            row = dict(assignment=assignment.name, duedate=assignment.duedate or "", student_id=student.id,
                       last_name=student.last_name or "", first_name=student.first_name or "",
                       email=student.email or "", max_score=assignment.max_score)
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0,
                           pending_manual_points=0.0, status="not submitted")
            else:
                penalty = submission.late_submission_penalty or 0.0
                waiting = pending.get(student.id, 0.0)
                row.update(timestamp=submission.timestamp or "", raw_score=submission.score,
                           late_submission_penalty=penalty, score=max(0.0, submission.score - penalty),
                           pending_manual_points=waiting,
                           status="pending manual grading" if waiting else "complete")
            rows.append(row)
    return rows


def write_grades_csv(rows: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_canvas_csv(rows: list[dict], gradebook, path: Path) -> Path:
    """The Canvas gradebook import for ``rows`` (see the module docstring)."""
    assignments = list(dict.fromkeys(row["assignment"] for row in rows))
    by_student: dict[str, dict[str, str]] = {}
    for row in rows:
        final = row["status"] != "pending manual grading"
        by_student.setdefault(row["student_id"], {})[row["assignment"]] = f"{float(row['score']):g}" if final else ""
    maximum = {row["assignment"]: row["max_score"] for row in rows}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignments])
        writer.writerow(["Points Possible", "", "", "", "", *(f"{float(maximum[a]):g}" for a in assignments)])
        for student_id, scores in by_student.items():
            student = gradebook.find_student(student_id)
            name = ", ".join(part for part in (student.last_name, student.first_name) if part) or student_id
            writer.writerow([name, student.lms_user_id or "", "", student_id, "",
                             *(scores.get(a, "") for a in assignments)])
    return path


def write_grades_of_record(course_root, coursedir, *, to: Path | None = None) -> tuple[Path, Path]:
    """Rewrite ``class-data/grades.csv`` and ``canvas-grades.csv`` (or ``to`` and a Canvas file beside it)."""
    from nbgrader.api import Gradebook

    folder = class_data_folder(course_root)
    grades_path = Path(to) if to else folder / GRADES_FILE
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        rows = grade_rows(gradebook)
        write_grades_csv(rows, grades_path)
        canvas_path = write_canvas_csv(rows, gradebook, grades_path.parent / CANVAS_FILE)
    return grades_path, canvas_path


class GradesOfRecord(ExportPlugin):
    """``nbgrader export`` as the course does it: ``class-data/grades.csv`` and ``canvas-grades.csv``.

    ``--to FILE`` still writes elsewhere; ``--assignment``/``--student`` select rows as in nbgrader's exporter.
    """

    def export(self, gradebook) -> None:
        root = course_root_of(self)
        grades_path = Path(self.to) if self.to else class_data_folder(root) / GRADES_FILE
        rows = grade_rows(gradebook, [str(a) for a in self.assignment], [str(s) for s in self.student])
        write_grades_csv(rows, grades_path)
        canvas_path = write_canvas_csv(rows, gradebook, grades_path.parent / CANVAS_FILE)
        self.log.info("Grades of record: %s; Canvas import: %s", grades_path, canvas_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="export", description="Write class-data/grades.csv and the Canvas import.")
    parser.add_argument("--course-root", default=".", help="folder with nbgrader_config.py (default: here)")
    options = parser.parse_args(argv)
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    root = Path(options.course_root).resolve()
    if not (root / "nbgrader_config.py").exists():
        parser.error(f"no nbgrader_config.py in {root}; run from the course folder or pass --course-root.")
    coursedir = CourseDirectory(config=PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
    coursedir.root = str(root)
    grades_path, canvas_path = write_grades_of_record(root, coursedir)
    print(f"Grades of record: {grades_path}\nCanvas gradebook import: {canvas_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
