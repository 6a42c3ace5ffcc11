"""The resource limits student code is graded under: one place, read by the kernel and by nbgrader_config.py.

Why these numbers (measured on the course's 2-core CI machine; see docs/instructors.md):

- ``CELL_TIMEOUT_SECONDS`` (wall clock, per cell; nbgrader's default is 30 s): the longest cell in the course
  trains a small LSTM for well under 20 s, so 60 s leaves three times that on a loaded grading machine, while a
  cell that loops forever is interrupted after one minute instead of holding up the class.
- ``KERNEL_CPU_SECONDS`` (RLIMIT_CPU, CPU time of the whole grading kernel, all threads together): a notebook
  executes in well under 60 s of wall clock, but NumPy's BLAS may use both cores, so it can burn up to twice
  that in CPU time. 240 s is a backstop for code that escapes the per-cell timeout (a loop that swallows the
  KeyboardInterrupt sent on timeout): the kernel is killed and the submission is graded as failing.
- ``KERNEL_MEMORY_BYTES`` (RLIMIT_AS, address space): NumPy + Matplotlib + the course's arrays need a few
  hundred MB; 4 GiB is far above that and far below the machine's memory, so a memory hog meets a
  ``MemoryError`` inside its own cell instead of pushing the grading machine into swap.
- ``EXTRA_PROCESSES`` (RLIMIT_NPROC, counted per user by Linux, threads included): the kernel may start the
  fresh process of each hidden check (plus its BLAS threads) but not a fork bomb. Linux does not enforce this
  limit for root, so grade as an ordinary user to get this bound (the other limits hold for root too).
- ``ISOLATED_CHECK_SECONDS``: wall-clock limit of one hidden check run in a fresh process
  (``lstm_course.grading.isolation``); below the cell timeout, so the learner reads "your function did not finish"
  rather than a bare timeout.
- ``SUBMISSION_WALL_SECONDS``: the class-grading command's limit for autograding one submission (all cells,
  kernel start, nbgrader's own work): a notebook runs in well under 60 s, so 180 s means something hung (a
  defeated limit, or a kernel that died before it could answer); the command then tries that student once more
  and, if it hangs again, records the submission as failing.

Each value can be overridden for one run through an environment variable of the same name prefixed with
``LSTM_GRADING_`` (e.g. ``LSTM_GRADING_CELL_TIMEOUT_SECONDS=90``), so an instructor with a slower machine does not
need to edit the package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

GIB = 1024**3


@dataclass(frozen=True)
class GradingLimits:
    """Every limit in one value, so the kernel, the config and the class-grading command agree."""

    cell_timeout_seconds: int = 60
    kernel_cpu_seconds: int = 150
    kernel_memory_bytes: int = 4 * GIB
    extra_processes: int = 64
    isolated_check_seconds: int = 45
    submission_wall_seconds: int = 180

    @classmethod
    def from_environment(cls, environ=None) -> "GradingLimits":
        """The defaults above, each replaced by ``LSTM_GRADING_<NAME>`` when that variable is set.

        Raises ``ValueError`` naming the variable when its value is not a positive integer.
        """
        environ = os.environ if environ is None else environ
        values = {}
        for field in fields(cls):
            variable = f"LSTM_GRADING_{field.name.upper()}"
            text = environ.get(variable)
            if text is None:
                continue
            try:
                value = int(text)
            except ValueError:
                raise ValueError(f"{variable} must be a whole number, got {text!r}.") from None
            if value <= 0:
                raise ValueError(f"{variable} must be positive, got {value}.")
            values[field.name] = value
        return cls(**values)


def current_limits() -> GradingLimits:
    """The limits in force for this process (defaults plus any ``LSTM_GRADING_*`` overrides)."""
    return GradingLimits.from_environment()
