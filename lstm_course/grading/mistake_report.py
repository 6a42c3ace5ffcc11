"""What the class gets wrong: the report an instructor reads before the next lecture.

Built from the autograded notebooks alone (``outcomes.py``), after any grading run, as often as wanted, with the
same result every time. For each assignment:

- per exercise: students who submitted, passed the public test, passed the hidden test, left it as the stub,
  and the mean points;
- the recognised mistakes (the checks' ``Mistake`` ids), ranked by how many students made them, with who (in the
  instructor's version only) and a link to the section of the unit that teaches the exercise;
- unrecognised failures grouped by their message and the fingerprint of the wrong output, so a new common
  mistake shows up as a group of several students;
- the distribution of autograded points (written answers, graded by a person, are not in it).

Blank submissions, submissions the integrity review flags, and those nbgrader could not grade are counted as
what they are, never as mistakes. Output: CSV files and one HTML page with its plots inline (it opens offline),
each also in an anonymised version for showing the class::

    python -m lstm_course.grading.mistake_report                 # every assignment with results -> reports/mistakes/
    python -m lstm_course.grading.mistake_report 04_gates --output reports/mistakes-04
"""

from __future__ import annotations

import argparse
import csv
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .mistake_report_html import TOP_MISTAKES_LINKED, write_html
from .outcomes import (BLANK, FLAGGED, GRADED, MISTAKE, NOT_GRADED, NOT_STARTED, PASSED, UNRECOGNISED,
                       StudentStatus, TestOutcome, assignments_with_results, read_assignment)


@dataclass
class ExerciseSummary:
    assignment: str
    exercise: str
    submitted: int = 0
    passed_public: int = 0
    passed_hidden: int = 0
    not_started: int = 0
    points: float = 0.0          # what the exercise's test cells are worth
    total_earned: float = 0.0

    @property
    def mean_points(self) -> float:
        return self.total_earned / self.submitted if self.submitted else 0.0


@dataclass
class MistakeGroup:
    """Students whose answers to one exercise fail the same way: one recognised mistake, or one unrecognised group."""

    assignment: str
    exercise: str
    key: str                     # the mistake's id, or "message | detail" for an unrecognised group
    text: str                    # what it is, in the check's words
    students: list[str] = field(default_factory=list)
    section: str = ""            # where the unit teaches the exercise: "notebook.ipynb#anchor"
    section_title: str = ""


@dataclass
class ClassReport:
    assignments: list[str]
    statuses: list[StudentStatus]
    exercises: list[ExerciseSummary]
    mistakes: list[MistakeGroup]
    unrecognised: list[MistakeGroup]
    scores: dict[str, dict[str, float]]        # assignment -> student -> autograded points
    max_scores: dict[str, float]               # assignment -> autograded points available

    def count(self, assignment: str, status: str) -> int:
        return sum(1 for entry in self.statuses if entry.assignment == assignment and entry.status == status)


def exercise_sections(release_notebook_path: Path) -> dict[str, tuple[str, str]]:
    """exercise grade_id -> (heading text, JupyterLab anchor) of the section the exercise sits in."""
    notebook = nbformat.read(str(release_notebook_path), as_version=4)
    sections, heading = {}, ""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            titles = [line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")]
            heading = titles[-1] if titles else heading
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code" and meta.get("grade_id"):
            sections[meta["grade_id"]] = (heading, heading.replace(" ", "-"))
    return sections


def _section_links(course_root: Path, release_directory: str, assignment: str, output: Path) -> dict[str, tuple[str, str]]:
    """exercise -> (relative link from the report folder, heading) for one assignment's notebooks."""
    links = {}
    for path in sorted((course_root / release_directory / assignment).glob("*.ipynb")):
        relative = Path(os.path.relpath(path.resolve(), output.resolve())).as_posix()
        for exercise, (title, anchor) in exercise_sections(path).items():
            links[exercise] = (f"{relative}#{anchor}", title)
    return links


def summarise(outcomes: list[TestOutcome], statuses: list[StudentStatus], *,
              sections: dict[tuple[str, str], tuple[str, str]] | None = None) -> ClassReport:
    """Aggregate every student's outcomes into the class report (pure: no files read or written)."""
    sections = sections or {}
    status_of = {(entry.assignment, entry.student): entry.status for entry in statuses}
    assignments = sorted({entry.assignment for entry in statuses})

    exercises: dict[tuple[str, str], ExerciseSummary] = {}
    by_student_exercise: dict[tuple[str, str, str], list[TestOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_student_exercise[outcome.assignment, outcome.student, outcome.exercise].append(outcome)
    exercise_points: dict[tuple[str, str], float] = defaultdict(float)
    seen_cells: set[tuple[str, str, bool]] = set()
    for outcome in outcomes:
        if (outcome.assignment, outcome.exercise, outcome.hidden) not in seen_cells:
            seen_cells.add((outcome.assignment, outcome.exercise, outcome.hidden))
            exercise_points[outcome.assignment, outcome.exercise] += outcome.points

    recognised: dict[tuple[str, str, str], MistakeGroup] = {}
    unrecognised: dict[tuple[str, str, str], MistakeGroup] = {}
    for (assignment, student, exercise), cells in sorted(by_student_exercise.items()):
        summary = exercises.setdefault((assignment, exercise), ExerciseSummary(
            assignment, exercise, points=exercise_points[assignment, exercise]))
        summary.submitted += 1
        summary.total_earned += sum(cell.earned for cell in cells)
        summary.passed_public += any(cell.outcome == PASSED and not cell.hidden for cell in cells)
        summary.passed_hidden += any(cell.outcome == PASSED and cell.hidden for cell in cells)
        summary.not_started += any(cell.outcome == NOT_STARTED for cell in cells)
        if status_of.get((assignment, student)) != GRADED:
            continue  # blank and flagged work is counted as what it is, never as a mistake
        link, title = sections.get((assignment, exercise), ("", ""))
        named = {cell.mistake: cell.mistake_text for cell in cells if cell.outcome == MISTAKE}
        for mistake_id, text in named.items():
            group = recognised.setdefault((assignment, exercise, mistake_id), MistakeGroup(
                assignment, exercise, mistake_id, text or mistake_id, section=link, section_title=title))
            group.students.append(student)
        failures = [cell for cell in sorted(cells, key=lambda cell: cell.hidden) if cell.outcome == UNRECOGNISED]
        if failures and not named:
            first = failures[0]  # the public test's failure when it has one: what the learner read
            key = " | ".join(part for part in (first.message, first.detail, first.signature) if part)
            group = unrecognised.setdefault((assignment, exercise, key), MistakeGroup(
                assignment, exercise, key, " ".join(part for part in (first.message, first.detail) if part),
                section=link, section_title=title))
            group.students.append(student)

    for entry in statuses:  # a student nbgrader could not grade submitted every exercise too, and earned nothing
        if entry.status == NOT_GRADED:
            for (assignment, _), summary in exercises.items():
                if assignment == entry.assignment:
                    summary.submitted += 1

    scores: dict[str, dict[str, float]] = {assignment: {} for assignment in assignments}
    for outcome in outcomes:
        scores[outcome.assignment][outcome.student] = scores[outcome.assignment].get(outcome.student, 0.0) + outcome.earned
    for entry in statuses:
        scores[entry.assignment].setdefault(entry.student, 0.0)
    max_scores = {assignment: sum(points for (owner, _), points in exercise_points.items() if owner == assignment)
                  for assignment in assignments}

    def ranked(groups):
        return sorted(groups.values(), key=lambda group: (-len(group.students), group.assignment, group.exercise, group.key))

    # Exercises in the order the notebook asks them (the order their test cells were read in).
    notebook_order = {key: index for index, key in enumerate(dict.fromkeys(
        (outcome.assignment, outcome.exercise) for outcome in outcomes))}
    return ClassReport(assignments, sorted(statuses, key=lambda entry: (entry.assignment, entry.student)),
                       sorted(exercises.values(), key=lambda summary: (summary.assignment, notebook_order[
                           summary.assignment, summary.exercise])), ranked(recognised), ranked(unrecognised),
                       scores, max_scores)


def build_report(course_root: Path, assignments: list[str] | None = None, *, release_directory: str = "notebooks",
                 source_directory: str = "solutions", output: Path | None = None) -> ClassReport:
    """Read every autograded notebook of ``assignments`` (default: all with results) and summarise them."""
    course_root = Path(course_root)
    output = Path(output or course_root / "reports" / "mistakes")
    assignments = assignments or assignments_with_results(course_root)
    outcomes, statuses, sections = [], [], {}
    for assignment in assignments:
        own_outcomes, own_statuses = read_assignment(course_root, assignment, source_directory=source_directory)
        outcomes += own_outcomes
        statuses += own_statuses
        for exercise, link in _section_links(course_root, release_directory, assignment, output).items():
            sections[assignment, exercise] = link
    return summarise(outcomes, statuses, sections=sections)


# --- CSV -------------------------------------------------------------------------------------------------------

def _write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_csv_files(report: ClassReport, folder: Path, *, anonymised: bool) -> list[Path]:
    """exercises.csv, mistakes.csv, unrecognised.csv and students.csv (instructor) or score_distribution.csv."""
    suffix = "_anonymised" if anonymised else ""
    written = [_write_csv(folder / f"exercises{suffix}.csv",
                          ["assignment", "exercise", "submitted", "passed_public", "passed_hidden", "not_started",
                           "mean_points", "points"],
                          [[s.assignment, s.exercise, s.submitted, s.passed_public, s.passed_hidden, s.not_started,
                            f"{s.mean_points:.2f}", f"{s.points:g}"] for s in report.exercises])]
    for name, groups in (("mistakes", report.mistakes), ("unrecognised", report.unrecognised)):
        header = ["rank", "assignment", "exercise", "mistake" if name == "mistakes" else "message", "description",
                  "students", "section"] + ([] if anonymised else ["who"])
        rows = [[rank, group.assignment, group.exercise, group.key, group.text, len(group.students), group.section]
                + ([] if anonymised else [" ".join(group.students)]) for rank, group in enumerate(groups, 1)]
        written.append(_write_csv(folder / f"{name}{suffix}.csv", header, rows))
    if anonymised:
        rows = [[assignment, f"{score:g}", count] for assignment in report.assignments
                for score, count in sorted(Counter(report.scores[assignment].values()).items())]
        written.append(_write_csv(folder / "score_distribution.csv", ["assignment", "autograded_points", "students"], rows))
    else:
        status_of = {(entry.assignment, entry.student): entry for entry in report.statuses}
        rows = [[assignment, student, f"{score:g}", f"{report.max_scores[assignment]:g}",
                 status_of[assignment, student].status, status_of[assignment, student].reason]
                for assignment in report.assignments for student, score in sorted(report.scores[assignment].items())]
        written.append(_write_csv(folder / "students.csv",
                                  ["assignment", "student", "autograded_points", "max_points", "status", "reason"], rows))
    return written


def write_report(report: ClassReport, folder: Path) -> list[Path]:
    """Every file of the report, the instructor's and the anonymised version, into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for anonymised in (False, True):
        written += write_csv_files(report, folder, anonymised=anonymised)
        written.append(write_html(report, folder / ("index-anonymised.html" if anonymised else "index.html"),
                                  anonymised=anonymised))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course.grading.mistake_report",
                                     description="What the class gets wrong, from the autograded notebooks.")
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: every one with results)")
    parser.add_argument("--course-root", default=".", help="the course folder (default: current folder)")
    parser.add_argument("--release", default="notebooks", help="folder of released (student) notebooks")
    parser.add_argument("--source", default="solutions", help="folder of the instructor's source notebooks")
    parser.add_argument("--output", default=None, help="report folder (default: reports/mistakes)")
    options = parser.parse_args(argv)
    course_root = Path(options.course_root)
    output = Path(options.output or course_root / "reports" / "mistakes")
    report = build_report(course_root, options.assignments or None, release_directory=options.release,
                          source_directory=options.source, output=output)
    if not report.assignments:
        print(f"No submissions or autograded notebooks under {course_root}: nothing to report.")
        return 1
    write_report(report, output)
    for assignment in report.assignments:
        counts = ", ".join(f"{report.count(assignment, status)} {status}"
                           for status in (GRADED, BLANK, FLAGGED, NOT_GRADED))
        print(f"{assignment}: {counts}")
    for group in report.mistakes[:5]:
        print(f"  {len(group.students):3d} students  {group.key}")
    print(f"Report: {output / 'index.html'} (anonymised for the class: {output / 'index-anonymised.html'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
