"""How fast a class is graded: a synthetic class of 300 (floor: 300 students in under 5 minutes on 2 cores, no
run over 30 s).

    .venv/bin/python benchmarks/bench_grading.py [--students 300] [--unit 04_gates] [--jobs N] [--busy K]
                                                 [--endless-loops]

Builds a class from the course's own solutions in a temporary course, with the mix a real class hands in:
about a third every answer right, nearly half one realistic mistake (every wrong answer of
tests/wrong_answers/<unit>.py in turn), a tenth blank or half done, and a tenth broken or hostile (an
exception at the top, a memory hog, os._exit, patched checks, edited and deleted test cells, a notebook that is
not JSON, a misnamed notebook, no notebook). ``--endless-loops`` adds the two submissions that loop forever:
each then waits for the 60 s cell timeout by design (one of them twice), so they are left out by default. It
grades the class with ``grade_class`` in the resource-limited grading kernel, ``--jobs`` workers side by side
(default: one per core), and prints students per minute, seconds per student (median, 95th percentile, max),
the CPU used (of all the cores, over the whole grading) and how many runs took over 30 s. ``--busy K`` starts
K processes that spin on the CPU for the whole grading, to see what contention does.

Where the time goes is printed too, from the autograded notebook of one correct student (nbclient records each
cell's start and end). Prints figures; never fails on speed. The machine's load average before and after is
printed: on a shared machine, say what else was running.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[0:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests" / "lstm_course" / "grading"), str(REPO_ROOT / "tests" / "notebooks")]

import nbformat  # noqa: E402
from course_harness import GradingCourse, fill_solutions, kernel_environment, nbgrader_metadata  # noqa: E402
from synthetic_class import Student, UnitFacts, build_class, unit_available, write  # noqa: E402

from lstm_course.grading.grade_class import default_jobs, grade_class  # noqa: E402
from lstm_course.grading.kernel import install  # noqa: E402
from lstm_course.grading.limits import current_limits  # noqa: E402
from tests.wrong_answers import load_wrong_answers  # noqa: E402

FLOOR_STUDENTS, FLOOR_SECONDS, LONG_RUN_SECONDS = 300, 300, 30
HOSTILE = ("tampered_tests", "exception_top", "memory_hog", "os_exit", "patched_checks", "not_json", "wrong_name",
           "missing")
ENDLESS = ("infinite_loop", "swallows_interrupt")


def class_mix(facts: UnitFacts, size: int, endless_loops: bool) -> list[tuple[str, Student]]:
    """``size`` (student id, template) pairs: the synthetic class's kinds in a real class's proportions."""
    templates = {student.id.split("_", 1)[1]: student for student in build_class(facts)}
    mistakes = []
    for exercise, answers in load_wrong_answers(facts.unit).items():
        for name, source in answers.items():
            def make(folder, f, exercise=exercise, source=source):
                write(f, folder, fill_solutions(f.release, f.source, {exercise: source}))
            mistakes.append(Student(f"mistake_{exercise}", name, False, make, lambda f: set()))
    hostile = [templates[kind] for kind in HOSTILE + (ENDLESS if endless_loops else ())]
    pools = [([templates["correct"]], 35), (mistakes, 45), ([templates["blank"], templates["partial"]], 10),
             (hostile, 10)]
    cycles = [(itertools.cycle(pool), share) for pool, share in pools]
    chosen = []
    for index in range(size):  # deal kinds in proportion: the pool furthest below its share goes next
        counts = [sum(1 for _, pool_index in chosen if pool_index == k) for k in range(len(pools))]
        k = min(range(len(pools)), key=lambda k: counts[k] / pools[k][1])
        chosen.append((next(cycles[k][0]), k))
    return [(f"s{index:05d}_{template.id.split('_', 1)[-1] if template.id.startswith('s') else template.id}",
             template) for index, (template, _) in enumerate(chosen)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cell_seconds(notebook_path: Path) -> list[tuple[float, str]]:
    """(seconds, grade_id) of each executed cell, from nbclient's timing metadata."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    timings = []
    for cell in notebook.cells:
        execution = cell.get("metadata", {}).get("execution", {})
        start, end = execution.get("iopub.execute_input"), execution.get("shell.execute_reply")
        if start and end:
            seconds = (dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
                       - dt.datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
            timings.append((seconds, nbgrader_metadata(cell).get("grade_id", "?")))
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unit", default="04_gates")
    parser.add_argument("--students", type=int, default=FLOOR_STUDENTS)
    parser.add_argument("--jobs", type=int, default=None, help="default: one per core")
    parser.add_argument("--busy", type=int, default=0, help="processes spinning on the CPU during the grading")
    parser.add_argument("--endless-loops", action="store_true", help="add the two submissions that loop forever")
    options = parser.parse_args()
    reason = unit_available(options.unit)
    if reason:
        print(f"cannot benchmark {options.unit}: {reason}")
        return 1
    jobs = options.jobs or default_jobs()
    unit = options.unit
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        folder = Path(folder)
        install(prefix=str(folder / "jupyter"))
        os.environ.update(kernel_environment())
        os.environ["JUPYTER_PATH"] = str(folder / "jupyter" / "share" / "jupyter")

        started = time.perf_counter()
        course = GradingCourse.create(folder / "course", [unit])
        facts = UnitFacts.read(unit, course.source_dir / unit / f"{unit}.ipynb", course.release_dir / unit / f"{unit}.ipynb")
        students = class_mix(facts, options.students, options.endless_loops)
        for student_id, template in students:
            submission = folder / "course" / "submitted" / student_id / unit
            shutil.copytree(course.release_dir / unit, submission)
            (submission / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC")
            template.make(submission, facts)
        setup_seconds = time.perf_counter() - started

        busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(options.busy)]
        load_before = os.getloadavg()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            started = time.perf_counter()
            results = grade_class(folder / "course", unit, jobs=jobs)
            total = time.perf_counter() - started
        finally:
            # Measured before the busy processes are reaped, so their CPU time is not counted as grading's.
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            load_after = os.getloadavg()
            for process in busy:
                process.kill()
                process.wait()
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        correct = next(student_id for student_id, template in students if template.id.endswith("_correct"))
        timings = cell_seconds(folder / "course" / "autograded" / correct / unit / f"{unit}.ipynb")

    limits = current_limits()
    seconds = [result.seconds for result in results]
    graded = [result.seconds for result in results if result.status == "graded"]
    long_runs = [result for result in results if result.seconds > LONG_RUN_SECONDS]
    cores = os.cpu_count()
    kinds = {}
    for (student_id, _), result in zip(students, results):
        kinds.setdefault(result.status, 0)
        kinds[result.status] += 1
    print(f"unit {unit}: {len(results)} students ({', '.join(f'{n} {s}' for s, n in sorted(kinds.items()))}), "
          f"--jobs {jobs}, {cores} CPUs, {options.busy} busy processes, cell timeout {limits.cell_timeout_seconds} s")
    print(f"load average (1, 5, 15 min) before: {' '.join(f'{v:.2f}' for v in load_before)}, "
          f"after: {' '.join(f'{v:.2f}' for v in load_after)}")
    print(f"set-up (generate_assignment, {len(students)} submissions): {setup_seconds:.1f} s")
    print(f"whole class (autograde, feedback, export, reports): {total:.1f} s = {total / 60:.1f} min, "
          f"{len(results) / total * 60:.1f} students per minute")
    print(f"seconds per student (its autograde run): median {statistics.median(seconds):.1f}, "
          f"95th percentile {percentile(seconds, 0.95):.1f}, max {max(seconds):.1f}; "
          f"graded normally: median {statistics.median(graded):.1f}")
    print(f"CPU used by grading: {cpu:.0f} CPU-s = {cpu / total / cores:.0%} of {cores} cores over {total:.0f} s; "
          f"{cpu / len(results):.2f} CPU-s per student")
    print(f"runs over {LONG_RUN_SECONDS} s: {len(long_runs)}"
          + "".join(f"\n  {r.student}: {r.seconds:.1f} s ({r.status}{': ' + r.reason if r.reason else ''})"
                    for r in long_runs))
    floor = len(results) >= FLOOR_STUDENTS and total < FLOOR_SECONDS and not long_runs
    print(f"floor ({FLOOR_STUDENTS} students in under {FLOOR_SECONDS} s, no run over {LONG_RUN_SECONDS} s): "
          f"{'reached' if floor else 'NOT reached'}")
    print(f"where one correct student's notebook spends its time ({sum(s for s, _ in timings):.1f} s in cells, "
          f"of a {statistics.median(graded):.1f} s median run):")
    for cell_time, grade_id in sorted(timings, reverse=True)[:8]:
        print(f"  {cell_time:5.2f} s  {grade_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
