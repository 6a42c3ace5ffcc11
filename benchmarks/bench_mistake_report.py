"""How long the class mistake report takes for a large class (floor: a class of 300 in under 10 seconds).

    .venv/bin/python benchmarks/bench_mistake_report.py [--students 300] [--seed 0]

Writes synthetic autograded notebooks (tests/lstm_course/grading/synthetic_autograded.py) for every unit in
solutions/ and every student into a temporary course: each exercise is correct, left as the stub, a recognised
mistake or an unrecognised wrong answer, drawn with a seeded generator; a few students are hostile or could not be
graded. Then it times reading them (``build_report``) and writing the CSV files and both HTML pages
(``write_report``), and prints the figures. Never fails on speed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[0:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests" / "lstm_course" / "grading")]

from synthetic_autograded import (PASS, STUB, Planted, SyntheticStudent, exercises_of, link_course,  # noqa: E402
                                  source_notebook, write_class)

from lstm_course.grading.mistake_report import build_report, write_report  # noqa: E402

FLOOR_SECONDS = 10.0
MISTAKES_PER_EXERCISE = 4


def random_answer(rng: np.random.Generator, exercise: str):
    """One exercise's answer: mostly right, sometimes a known mistake, the stub or an unrecognised answer."""
    draw = rng.random()
    if draw < 0.55:
        return PASS
    if draw < 0.65:
        return STUB
    if draw < 0.9:
        slug = f"mistake_{rng.integers(MISTAKES_PER_EXERCISE)}"
        return Planted(f"{exercise}: wrong values.", f"{exercise}/{slug}", f"{slug.replace('_', ' ')} in {exercise}.",
                       "some entries differ", slug)
    signature = f"{rng.integers(3):04d}"  # a few unrecognised answers many students share
    return Planted(f"{exercise}: wrong values.", detail=f"unrecognised answer {signature}", signature=signature)


def synthetic_class(rng: np.random.Generator, assignment: str, students: int) -> list[SyntheticStudent]:
    exercises = exercises_of(source_notebook(assignment))
    made = []
    for index in range(students):
        student = SyntheticStudent(f"student{index:04d}", {exercise: random_answer(rng, exercise) for exercise in exercises})
        student.hostile = rng.random() < 0.01
        student.not_graded = rng.random() < 0.01
        made.append(student)
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    rng = np.random.default_rng(options.seed)
    assignments = sorted(path.name for path in (REPO_ROOT / "solutions").iterdir() if path.is_dir())
    with tempfile.TemporaryDirectory(prefix="bench-mistake-report-") as folder:
        root = Path(folder)
        link_course(root)
        started = time.perf_counter()
        for assignment in assignments:
            write_class(root, assignment, synthetic_class(rng, assignment, options.students))
        written = time.perf_counter() - started
        notebooks = len(list((root / "autograded").glob("*/*/*.ipynb")))
        print(f"{options.students} students x {len(assignments)} assignments: {notebooks} autograded notebooks "
              f"written in {written:.1f} s (set-up, not timed below)")

        started, cpu_started = time.perf_counter(), time.process_time()
        report = build_report(root, output=root / "reports" / "mistakes")
        read, read_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        started, cpu_started = time.perf_counter(), time.process_time()
        files = write_report(report, root / "reports" / "mistakes")
        drawn, drawn_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        total = read + drawn
        # CPU seconds are what the report costs; wall seconds equal them only on an otherwise idle machine.
        print(f"read and summarised: {read:6.2f} s wall, {read_cpu:6.2f} s CPU ({1000 * read_cpu / notebooks:.1f} ms CPU a notebook)")
        print(f"written ({len(files)} files, plots drawn): {drawn:6.2f} s wall, {drawn_cpu:6.2f} s CPU")
        print(f"report in all:       {total:6.2f} s wall, {read_cpu + drawn_cpu:6.2f} s CPU; floor {FLOOR_SECONDS:.0f} s: "
              f"{'met' if total < FLOOR_SECONDS else 'MISSED'} (load average {os.getloadavg()[0]:.1f})")
        print(f"{len(report.mistakes)} recognised mistakes, {len(report.unrecognised)} unrecognised groups")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
