"""The grading kernel's limits stop runaway code: CPU time, memory and processes."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from lstm_course.grading.kernel import KERNEL_NAME, install, kernel_spec
from lstm_course.grading.limits import GradingLimits


def run_limited(body: str, *, timeout: float = 60, **limits) -> subprocess.CompletedProcess:
    """Run ``body`` in a new Python after ``apply_limits(GradingLimits(**limits))``, as the kernel does."""
    script = textwrap.dedent(f"""
        from lstm_course.grading.kernel import apply_limits
        from lstm_course.grading.limits import GradingLimits
        apply_limits(GradingLimits(**{limits!r}))
    """) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout)


def test_a_busy_loop_is_killed_by_the_cpu_limit():
    finished = run_limited("""
        while True:
            try:
                pass
            except KeyboardInterrupt:
                pass
    """, kernel_cpu_seconds=1)
    assert finished.returncode in (-signal.SIGXCPU, -signal.SIGKILL), finished


def test_a_memory_hog_meets_memory_error_and_the_process_survives():
    finished = run_limited("""
        import numpy as np
        try:
            hog = np.ones((1024, 1024, 1024), dtype=np.uint8)   # 1 GiB
        except MemoryError:
            print("MemoryError caught")
        small = np.ones((1024, 1024))                            # 8 MiB still works
        print("still alive", small.sum())
    """, kernel_memory_bytes=512 * 1024**2)
    assert finished.returncode == 0, finished.stderr
    assert "MemoryError caught" in finished.stdout and "still alive" in finished.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the child as an unprivileged user")
def test_new_processes_are_bounded_for_an_ordinary_user():
    # Linux does not enforce RLIMIT_NPROC for root, so the child sets the bound for the unprivileged user
    # 'nobody' and then becomes that user, as a kernel started by that user would be bounded.
    script = textwrap.dedent("""
        import os, subprocess, sys
        from lstm_course.grading.kernel import apply_limits
        from lstm_course.grading.limits import GradingLimits
        apply_limits(GradingLimits(extra_processes=10), cpu=False, memory=False, uid=65534)
        os.setgid(65534); os.setuid(65534)
        started = []
        try:
            for _ in range(40):
                started.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"]))
            print("started", len(started))
        except OSError as error:
            print("refused after", len(started), type(error).__name__)
        finally:
            for process in started:
                process.kill()
    """)
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd="/")
    assert "refused after" in finished.stdout, finished.stdout + finished.stderr
    assert int(finished.stdout.split("refused after")[1].split()[0]) <= 10


def test_limits_can_be_overridden_from_the_environment():
    limits = GradingLimits.from_environment({"LSTM_GRADING_CELL_TIMEOUT_SECONDS": "90"})
    assert limits.cell_timeout_seconds == 90
    assert limits.kernel_cpu_seconds == GradingLimits().kernel_cpu_seconds
    with pytest.raises(ValueError, match="LSTM_GRADING_KERNEL_CPU_SECONDS must be a whole number, got 'lots'"):
        GradingLimits.from_environment({"LSTM_GRADING_KERNEL_CPU_SECONDS": "lots"})
    with pytest.raises(ValueError, match="must be positive, got 0"):
        GradingLimits.from_environment({"LSTM_GRADING_SUBMISSION_WALL_SECONDS": "0"})


def test_the_limits_are_ordered_so_the_learner_gets_the_clearest_message():
    limits = GradingLimits()
    # a hidden check gives up before the cell is interrupted, the cell before the kernel's CPU budget ends,
    # and the whole notebook before the class-grading command gives up on the submission
    assert limits.isolated_check_seconds < limits.cell_timeout_seconds < limits.kernel_cpu_seconds
    assert limits.kernel_cpu_seconds < limits.submission_wall_seconds


def test_the_kernelspec_starts_the_launcher_in_isolated_mode(tmp_path):
    spec = kernel_spec()
    assert spec["argv"][:4] == [sys.executable, "-I", "-m", "lstm_course.grading.kernel"]
    assert spec["argv"][-2:] == ["-f", "{connection_file}"]
    folder = install(prefix=str(tmp_path))
    written = json.loads((tmp_path / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json").read_text())
    assert written == spec and folder.endswith(KERNEL_NAME)


@pytest.mark.slow
def test_a_started_grading_kernel_runs_under_the_limits(tmp_path, monkeypatch):
    from jupyter_client.manager import start_new_kernel

    install(prefix=str(tmp_path))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    monkeypatch.setenv("LSTM_GRADING_KERNEL_MEMORY_BYTES", str(3 * 1024**3))
    manager, client = start_new_kernel(kernel_name=KERNEL_NAME)
    try:
        outputs = []
        client.execute_interactive(
            "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_CPU))",
            timeout=30, output_hook=lambda message: outputs.append(message["content"].get("text", "")))
    finally:
        manager.shutdown_kernel(now=True)
    printed = "".join(outputs)
    assert f"({3 * 1024**3}, {3 * 1024**3})" in printed
    assert f"{GradingLimits().kernel_cpu_seconds}" in printed
