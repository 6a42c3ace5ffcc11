#!/usr/bin/env python
"""How long each instructor notebook takes to run, and the whole course, against the course's budget.

Usage:
    python benchmarks/bench_notebooks.py                 # every unit in solutions/
    python benchmarks/bench_notebooks.py 04_gates 07_training
    python benchmarks/bench_notebooks.py --autograde 01_welcome   # also: nbgrader autograde cost per student

Each notebook runs top to bottom with nbclient in a fresh kernel (as nbval, nbgrader and a learner's
"Restart Kernel and Run All" do), in a temporary copy of its folder so nothing is written into the repository.
Wall-clock seconds include the kernel's start-up. The budget (CONTRIBUTING.md): no notebook above 60 s and the
whole course under 4 minutes on a 2-core machine; the exit status is 1 when a figure is over it.

``--autograde UNIT`` times real ``nbgrader autograde`` on that unit's full solution, once with 1 student and
once with 4, and reports the command's fixed start-up and the cost of each extra student (what the autograde
tests pay per wrong answer).

Times vary with what else the machine is doing: run it on a quiet machine and read the figures as a range.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # for tests.notebooks.course_harness, the course's notebook helpers

from tests.notebooks.course_harness import (  # noqa: E402
    SOURCE_DIR,
    GradingCourse,
    execute_notebook,
    fill_solutions,
    read_notebook,
    source_notebook_path,
)

NOTEBOOK_BUDGET_SECONDS = 60.0
COURSE_BUDGET_SECONDS = 240.0


def available_units() -> list[str]:
    return sorted(p.name for p in SOURCE_DIR.iterdir() if (p / f"{p.name}.ipynb").is_file())


def time_notebook(unit_id: str) -> float:
    """Seconds to run the unit's instructor notebook top to bottom in a fresh kernel (errors raise)."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{unit_id}-") as scratch:
        folder = Path(scratch) / unit_id
        shutil.copytree(SOURCE_DIR / unit_id, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        notebook = read_notebook(source_notebook_path(unit_id))
        start = time.perf_counter()
        execute_notebook(notebook, folder)
        return time.perf_counter() - start


def time_autograde(unit_id: str) -> tuple[float, float]:
    """(fixed seconds per autograde command, seconds per extra student) for the unit's full solution."""
    with tempfile.TemporaryDirectory(prefix=f"bench-autograde-{unit_id}-") as scratch:
        course = GradingCourse.create(Path(scratch) / "course", [unit_id])
        filled = fill_solutions(course.release_notebook(unit_id), course.source_notebook(unit_id))
        course.add_submission("student1", unit_id, filled)
        one = course.autograde(unit_id).seconds
        for index in (2, 3, 4):
            course.add_submission(f"student{index}", unit_id, filled)
        four = course.autograde(unit_id).seconds
    per_student = (four - one) / 3
    return one - per_student, per_student


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("units", nargs="*", help="unit ids (default: every unit in solutions/)")
    parser.add_argument("--autograde", metavar="UNIT", help="also time nbgrader autograde on this unit")
    args = parser.parse_args(argv)
    units = args.units or available_units()

    print(f"{'notebook':<28}{'seconds':>9}")
    over_budget = []
    total = 0.0
    for unit_id in units:
        seconds = time_notebook(unit_id)
        total += seconds
        flag = "  OVER the 60 s budget" if seconds > NOTEBOOK_BUDGET_SECONDS else ""
        if flag:
            over_budget.append(unit_id)
        print(f"{unit_id:<28}{seconds:9.1f}{flag}", flush=True)
    course_flag = "  OVER the 4 min budget" if total > COURSE_BUDGET_SECONDS else ""
    print(f"{'whole course (' + str(len(units)) + ' units)':<28}{total:9.1f}{course_flag}")

    if args.autograde:
        fixed, per_student = time_autograde(args.autograde)
        print(f"\nnbgrader autograde {args.autograde}: {fixed:.1f} s per command + {per_student:.1f} s per student")

    return 1 if over_budget or course_flag else 0


if __name__ == "__main__":
    sys.exit(main())
