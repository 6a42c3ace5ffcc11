"""Due dates, the late-submission penalty and per-student extensions, configured in one file.

The file is ``class-data/deadlines.yaml`` in the course root (see ``EXAMPLE`` below, or run
``python -m lstm_course.grading.deadlines --example``). nbgrader_config.py wires it into nbgrader:

- ``ApplyDeadlines`` (a preprocessor run at the start of ``nbgrader autograde``) writes the assignment's due date
  and the student's extension into the gradebook, where nbgrader computes how late each submission is
  (``timestamp.txt``, written by ``nbgrader submit``, against the due date plus the extension);
- ``LatePenalty`` (nbgrader's plugin mechanism: a ``LateSubmissionPlugin`` subclass, set as
  ``c.AssignLatePenalties.plugin_class``) turns lateness into points lost:

      days late = ceil(seconds late / 86400)         (0 within the grace period)
      penalty   = score * min(percent_per_day * days late, max_percent) / 100

nbgrader computes the penalty when it autogrades, before written answers are graded by hand; the release step
(lstm_course/grading/release.py) computes it again on the final score (``reapply_late_penalties``), so a
late submission's written answers are penalised like its code.

With no deadlines file nothing changes: no due dates, no penalty.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor

from .class_data import class_data_folder, course_root_of

FILE_NAME = "deadlines.yaml"
SECONDS_PER_DAY = 86400

EXAMPLE = """\
# Deadlines for this class: lstm_course/grading/deadlines.py reads this file at every autograde.
timezone: Europe/London        # the due dates below are wall-clock times in this zone (an IANA name)

late_penalty:
  percent_per_day: 10          # of the points earned, per day late (a started day counts as a day)
  max_percent: 50              # a late submission never loses more than this
  grace_minutes: 15            # submitted this soon after the due date counts as on time

due:                           # one line per assignment: YYYY-MM-DD HH:MM
  04_gates: 2027-01-15 17:00

extensions:                    # per assignment, per student: their own due date
  04_gates:
    alice: 2027-01-18 17:00
"""


class DeadlinesError(ValueError):
    """The deadlines file cannot be used; the message says where and what to write instead."""


@dataclass(frozen=True)
class Penalty:
    """How lateness turns into points lost."""

    percent_per_day: float = 0.0
    max_percent: float = 100.0
    grace_minutes: float = 0.0

    def points_lost(self, score: float, seconds_late: float) -> float:
        """Points lost by a notebook scoring ``score`` submitted ``seconds_late`` after its due date."""
        if seconds_late <= self.grace_minutes * 60 or score <= 0:
            return 0.0
        days = math.ceil(seconds_late / SECONDS_PER_DAY)
        return score * min(self.percent_per_day * days, self.max_percent) / 100.0


@dataclass(frozen=True)
class Deadlines:
    """The contents of the deadlines file. Dates are naive UTC, as nbgrader's gradebook stores them."""

    timezone: str = "UTC"
    penalty: Penalty = field(default_factory=Penalty)
    due: dict[str, dt.datetime] = field(default_factory=dict)
    extensions: dict[str, dict[str, dt.datetime]] = field(default_factory=dict)

    def due_date(self, assignment: str, student: str | None = None) -> dt.datetime | None:
        """When ``student``'s ``assignment`` is due (their extension if they have one), naive UTC; None: no date."""
        if student is not None and student in self.extensions.get(assignment, {}):
            return self.extensions[assignment][student]
        return self.due.get(assignment)

    def extension(self, assignment: str, student: str) -> dt.timedelta | None:
        """The extension as nbgrader stores it (time added to the assignment's due date), or None."""
        own = self.extensions.get(assignment, {}).get(student)
        if own is None:
            return None
        return own - self.due[assignment]


def deadlines_file(course_root) -> Path:
    return class_data_folder(course_root) / FILE_NAME


def load_deadlines(course_root) -> Deadlines:
    """Read ``class-data/deadlines.yaml`` of the course at ``course_root`` (no file: no deadlines).

    Raises DeadlinesError naming the file and the entry when something cannot be used, so a typo stops grading
    before any student is graded rather than grading the class without the penalty.
    """
    path = deadlines_file(course_root)
    if not path.exists():
        return Deadlines()
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise DeadlinesError(f"{path}: not valid YAML ({error}).") from error
    return parse_deadlines(data, str(path))


def parse_deadlines(data: dict, where: str = FILE_NAME) -> Deadlines:
    """A ``Deadlines`` from the file's parsed contents (``where`` names the file in messages)."""
    if not isinstance(data, dict):
        raise DeadlinesError(f"{where}: expected the keys timezone, late_penalty, due and extensions.")
    unknown = set(data) - {"timezone", "late_penalty", "due", "extensions"}
    if unknown:
        raise DeadlinesError(f"{where}: unknown key(s) {sorted(unknown)}; the keys are timezone, late_penalty, "
                             "due and extensions.")
    zone_name = str(data.get("timezone", "UTC"))
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise DeadlinesError(f"{where}: timezone {zone_name!r} is not a time zone name such as "
                             "'Europe/London' or 'America/New_York'.") from error

    def when(value, key: str) -> dt.datetime:
        if isinstance(value, dt.datetime):
            local = value
        elif isinstance(value, dt.date):  # a bare date: due at the end of that day
            local = dt.datetime.combine(value, dt.time(23, 59))
        else:
            try:
                local = dt.datetime.strptime(str(value).strip(), "%Y-%m-%d %H:%M")
            except ValueError as error:
                raise DeadlinesError(f"{where}: {key}: {value!r} is not a date and time like "
                                     "'2027-01-15 17:00'.") from error
        if local.tzinfo is None:
            local = local.replace(tzinfo=zone)
        return local.astimezone(dt.timezone.utc).replace(tzinfo=None)

    policy = data.get("late_penalty") or {}
    if not isinstance(policy, dict) or set(policy) - {"percent_per_day", "max_percent", "grace_minutes"}:
        raise DeadlinesError(f"{where}: late_penalty takes percent_per_day, max_percent and grace_minutes.")
    numbers = {}
    for name, default in (("percent_per_day", 0.0), ("max_percent", 100.0), ("grace_minutes", 0.0)):
        value = policy.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise DeadlinesError(f"{where}: late_penalty.{name} must be a number >= 0, got {value!r}.")
        numbers[name] = float(value)
    if numbers["max_percent"] > 100:
        raise DeadlinesError(f"{where}: late_penalty.max_percent is a percentage of the score: at most 100.")

    due = {str(assignment): when(value, f"due.{assignment}") for assignment, value in (data.get("due") or {}).items()}
    extensions: dict[str, dict[str, dt.datetime]] = {}
    for assignment, students in (data.get("extensions") or {}).items():
        assignment = str(assignment)
        if assignment not in due:
            raise DeadlinesError(f"{where}: extensions.{assignment}: {assignment} has no due date under 'due'.")
        if not isinstance(students, dict):
            raise DeadlinesError(f"{where}: extensions.{assignment} should list 'student: YYYY-MM-DD HH:MM' lines.")
        extensions[assignment] = {}
        for student, value in students.items():
            date = when(value, f"extensions.{assignment}.{student}")
            if date < due[assignment]:
                raise DeadlinesError(f"{where}: extensions.{assignment}.{student} ({value}) is before the due "
                                     "date: an extension can only give more time.")
            extensions[assignment][str(student)] = date
    return Deadlines(zone_name, Penalty(**numbers), due, extensions)


def apply_to_gradebook(gradebook, deadlines: Deadlines, assignment: str, students=None) -> None:
    """Write ``assignment``'s due date and the extensions of ``students`` (default: all) into the gradebook.

    An assignment with no due date in the file keeps the one it has in the gradebook (set in the formgrader, say).
    """
    if assignment not in deadlines.due:
        return
    gradebook.update_or_create_assignment(assignment, duedate=deadlines.due[assignment])
    for submission in gradebook.find_assignment(assignment).submissions:
        if students is None or submission.student.id in students:
            submission.extension = deadlines.extension(assignment, submission.student.id)
    gradebook.db.commit()


def reapply_late_penalties(gradebook, deadlines: Deadlines, assignment: str, students=None) -> None:
    """Recompute each late notebook's penalty from its score now (after manual grading), as ``LatePenalty`` does."""
    if assignment not in deadlines.due:
        return
    for submission in gradebook.find_assignment(assignment).submissions:
        if students is not None and submission.student.id not in students:
            continue
        late = submission.total_seconds_late
        for notebook in submission.notebooks:
            notebook.late_submission_penalty = (deadlines.penalty.points_lost(notebook.score, late)
                                                if late > 0 else None)
    gradebook.db.commit()


class ApplyDeadlines(NbGraderPreprocessor):
    """Autograde step: puts this assignment's due date and this student's extension into the gradebook.

    Runs before nbgrader's ``AssignLatePenalties``, which computes lateness from the gradebook.
    """

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        deadlines = load_deadlines(course_root_of(self))
        with Gradebook(info["db_url"]) as gradebook:
            apply_to_gradebook(gradebook, deadlines, info["assignment"], [info["student"]])
        return nb, resources


class LatePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin with the course's penalty from ``class-data/deadlines.yaml``."""

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float):
        penalty = load_deadlines(course_root_of(self)).penalty
        lost = penalty.points_lost(score, total_seconds_late)
        self.log.info("Late by %.0f s: %g of %g points lost (%s %% per day, at most %s %%, %s min grace).",
                      total_seconds_late, lost, score, penalty.percent_per_day, penalty.max_percent,
                      penalty.grace_minutes)
        return lost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deadlines", description="Check the class's deadlines file and show it.")
    parser.add_argument("--course-root", default=".", help="folder with nbgrader_config.py (default: here)")
    parser.add_argument("--example", action="store_true", help="print an example deadlines.yaml and exit")
    options = parser.parse_args(argv)
    if options.example:
        print(EXAMPLE, end="")
        return 0
    path = deadlines_file(options.course_root)
    try:
        deadlines = load_deadlines(options.course_root)
    except DeadlinesError as error:
        print(f"deadlines: {error}", file=sys.stderr)
        return 1
    if not path.exists():
        print(f"No {path}: no due dates and no late penalty. Start from: python -m lstm_course.grading.deadlines "
              f"--example > {path}")
        return 0
    zone = ZoneInfo(deadlines.timezone)

    def local(date: dt.datetime) -> str:
        return date.replace(tzinfo=dt.timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    p = deadlines.penalty
    print(f"{path}: late penalty {p.percent_per_day:g} % per day, at most {p.max_percent:g} %, "
          f"{p.grace_minutes:g} min grace.")
    for assignment, due in sorted(deadlines.due.items()):
        print(f"  {assignment}: due {local(due)}")
        for student, date in sorted(deadlines.extensions.get(assignment, {}).items()):
            print(f"    {student}: extended to {local(date)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
