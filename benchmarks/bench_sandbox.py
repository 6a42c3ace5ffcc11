"""What the grading sandbox costs per student: the grading kernel started with and without bubblewrap.

    .venv/bin/python benchmarks/bench_sandbox.py [--repeats 5]

Starts the grading kernel (lstm_course/grading/kernel.py) the way nbgrader does (a connection file with Unix
sockets, its notebook's folder as working folder) alternately inside the sandbox and without it (bwrap pointed
at a missing file, unsandboxed grading allowed), and prints the median time until the kernel answers, and until a
first cell importing what the course's notebooks import (NumPy, Matplotlib, lstm_course.viz) has run. Also prints
the time of the availability probe every kernel start runs. Prints figures; never fails on speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from lstm_course.grading import sandbox  # noqa: E402
from lstm_course.grading.kernel import kernel_spec  # noqa: E402

FIRST_CELL = "import numpy, matplotlib.pyplot, lstm_course.viz, lstm_ref"


def start_once(folder: Path, environment: dict) -> tuple[float, float]:
    """(seconds until the kernel answers, seconds until the first cell has run) for one kernel."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec

    sockets = tempfile.mkdtemp(prefix="lstm-grading-kernels-")
    manager = KernelManager(transport="ipc", ip=os.path.join(sockets, "kernel"))
    manager._kernel_spec = KernelSpec(**kernel_spec(), resource_dir=str(folder))
    started = time.perf_counter()
    manager.start_kernel(cwd=str(folder), env=environment)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        ready = time.perf_counter() - started
        reply = client.execute_interactive(FIRST_CELL, timeout=120, output_hook=lambda message: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the first cell failed: {reply['content']}")
        first_cell = time.perf_counter() - started
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return ready, first_cell


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    availability = sandbox.probe()
    if not availability.available:
        print(f"No sandbox on this machine: {availability.reason}")
        return 1
    probes = []
    for _ in range(options.repeats):
        started = time.perf_counter()
        sandbox.probe()
        probes.append(time.perf_counter() - started)
    print(f"availability probe (bwrap running `true`): median {1000 * statistics.median(probes):.0f} ms")

    base = {**os.environ, "NBGRADER_EXECUTION": "autograde", "OPENBLAS_NUM_THREADS": "1"}
    modes = {"sandboxed": dict(base),
             "unsandboxed": {**base, sandbox.BWRAP_VARIABLE: "/nonexistent/bwrap", sandbox.ALLOW_VARIABLE: "1"}}
    times = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "04_gates.ipynb").write_text("{}")
        start_once(Path(folder), modes["sandboxed"])  # warm the file cache once
        for _ in range(options.repeats):
            for mode, environment in modes.items():  # alternated, so load on the machine hits both alike
                times[mode].append(start_once(Path(folder), environment))
    print(f"grading kernel, median of {options.repeats} (seconds):   ready   first cell ({FIRST_CELL})")
    for mode, pairs in times.items():
        ready = statistics.median(pair[0] for pair in pairs)
        first = statistics.median(pair[1] for pair in pairs)
        print(f"  {mode:12s}                             {ready:6.2f}   {first:6.2f}")
    extra = (statistics.median(p[1] for p in times["sandboxed"])
             - statistics.median(p[1] for p in times["unsandboxed"]))
    print(f"cost of the sandbox per kernel start (one per student and notebook): {extra:+.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
