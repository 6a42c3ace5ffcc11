"""How long grading a class takes: per submission and for the synthetic class of 21 (floor: 20 in under 5 min).

    .venv/bin/python benchmarks/bench_grading.py [--unit 04_gates] [--jobs 2]

Builds the synthetic class of tests/lstm_course/grading/synthetic_class.py (good answers, every common mistake, and every
broken or hostile kind: endless loop, interrupt-swallowing loop, os._exit, memory hog, patched checks, invalid
JSON, misnamed and missing notebooks) in a temporary course, grades it with scripts/grade_class.py's code in the
resource-limited grading kernel, and prints each submission's autograde time and the total. Prints figures; never
fails on speed. Run it on a quiet machine: the grading runs are CPU-bound.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[0:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests" / "lstm_course" / "grading"), str(REPO_ROOT / "tests" / "notebooks")]

from course_harness import GradingCourse, kernel_environment  # noqa: E402
from synthetic_class import UnitFacts, build_class, unit_available  # noqa: E402

from lstm_course.grading.grade_class import grade_class  # noqa: E402
from lstm_course.grading.kernel import install  # noqa: E402
from lstm_course.grading.limits import current_limits  # noqa: E402

FLOOR_SECONDS = 300  # a class of 20 graded in under 5 minutes on 2 cores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unit", default="04_gates")
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    reason = unit_available(options.unit)
    if reason:
        print(f"cannot benchmark {options.unit}: {reason}")
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        folder = Path(folder)
        install(prefix=str(folder / "jupyter"))
        os.environ.update(kernel_environment())
        os.environ["JUPYTER_PATH"] = str(folder / "jupyter" / "share" / "jupyter")

        started = time.perf_counter()
        course = GradingCourse.create(folder / "course", [options.unit])
        setup_seconds = time.perf_counter() - started
        unit = options.unit
        facts = UnitFacts.read(unit, course.source_dir / unit / f"{unit}.ipynb", course.release_dir / unit / f"{unit}.ipynb")
        students = build_class(facts)
        for student in students:
            submission = folder / "course" / "submitted" / student.id / unit
            shutil.copytree(course.release_dir / unit, submission)
            (submission / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC")
            student.make(submission, facts)

        started = time.perf_counter()
        results = grade_class(folder / "course", unit, jobs=options.jobs)
        total = time.perf_counter() - started

    limits = current_limits()
    print(f"unit {unit}: {len(results)} submissions, --jobs {options.jobs}, cell timeout {limits.cell_timeout_seconds} s, "
          f"kernel CPU limit {limits.kernel_cpu_seconds} s, {os.cpu_count()} CPUs")
    print(f"course set-up (generate_assignment): {setup_seconds:.1f} s")
    print(f"{'student':32s} {'status':8s} {'score':>9s} {'autograde s':>12s}")
    for result in results:
        print(f"{result.student:32s} {result.status:8s} {result.score:4g}/{result.max_score:<4g} {result.seconds:12.1f}")
    good = [r.seconds for r in results if r.status == "graded"]
    print(f"median autograde time of a normally graded submission: {sorted(good)[len(good) // 2]:.1f} s")
    print(f"whole class (autograde, feedback, export, reports): {total:.1f} s "
          f"({'within' if total < FLOOR_SECONDS else 'OVER'} the {FLOOR_SECONDS} s floor)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
