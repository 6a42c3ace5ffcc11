"""One nbgrader process that autogrades many students, one after another, for the class-grading command.

``nbgrader autograde ASSIGNMENT --student ID`` pays about 2-3 s before the first cell runs (importing nbgrader,
reading the configuration, opening the gradebook) and a notebook of the course then runs in 2-4 s: started once
per student, nbgrader's start-up is close to half the cost of grading a class. A worker pays it once:

    python -m lstm_course.grading.autograde_worker ASSIGNMENT FD        (run in the course root)

reads student ids on stdin, one a line, grades each with nbgrader's own ``Autograde`` converter (exactly what
``nbgrader autograde ASSIGNMENT --student ID --force`` runs: each notebook in a fresh kernel, test cells put
back from the gradebook, scores saved), and answers each with one JSON line on the file descriptor FD:
``{"student", "ok", "seconds", "log"}``. Student code runs only in the kernels, which do not inherit FD
(jupyter_client starts them with every other descriptor closed), so no notebook can forge an answer.

``AutogradeWorker`` is the class-grading side: it starts a worker, hands it one student at a time with a
wall-clock limit, and on a hang kills the worker with every process below it (its kernels run in sessions of
their own, so its process group is not enough). ``lstm_course.grading.grade_class`` decides what a student the
worker could not grade gets (a run of their own, or a recorded failure).
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

LOG_FORMAT = "[%(name)s | %(levelname)s] %(message)s"  # as nbgrader's command line prints it (grade_class reads it)
MAX_LOG_CHARACTERS = 20_000  # of each student's log sent back: the end, where the error is


# ============================================================================================ the worker itself
class _Recorder(logging.Handler):
    """Keeps the log records of the student being graded."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.setFormatter(logging.Formatter(LOG_FORMAT))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def take(self) -> str:
        text, self.lines = "\n".join(self.lines), []
        return text[-MAX_LOG_CHARACTERS:]


def serve(assignment: str, answers, requests=sys.stdin) -> None:
    """Grade every student id read from ``requests``; write one JSON line per student to ``answers``."""
    from nbgrader.apps.autogradeapp import AutogradeApp
    from nbgrader.converters import Autograde, NbGraderException

    app = AutogradeApp()
    app.initialize([assignment, "--force"])  # reads nbgrader_config.py from this folder, the course root
    app.coursedir.assignment_id = assignment
    recorder = _Recorder()
    app.log.addHandler(recorder)
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    for line in requests:
        student = line.strip()
        if not student:
            continue
        started = time.monotonic()
        app.coursedir.student_id = student
        try:
            Autograde(coursedir=app.coursedir, parent=app).start()
            ok = True
        except NbGraderException:  # nbgrader logged why
            ok = False
        except Exception:
            app.log.error(traceback.format_exc())
            ok = False
        answers.write(json.dumps({"student": student, "ok": ok, "seconds": round(time.monotonic() - started, 3),
                                  "log": recorder.take()}) + "\n")
        answers.flush()


def main(argv: list[str] | None = None) -> int:
    assignment, descriptor = sys.argv[1:] if argv is None else argv
    with os.fdopen(int(descriptor), "w", encoding="utf-8") as answers:
        serve(assignment, answers)
    return 0


# ====================================================================================== the class-grading side
@dataclass
class Answer:
    """What the worker said about one student; ``hung`` when it did not answer in time (it was then stopped)."""

    student: str
    ok: bool
    seconds: float
    log: str
    hung: bool = False


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (children of children...), read from /proc; [pid] without /proc."""
    found, index = [pid], 0
    while index < len(found):
        for task in Path(f"/proc/{found[index]}/task").glob("*"):
            try:
                found += [int(child) for child in (task / "children").read_text().split()]
            except (OSError, ValueError):
                pass  # the task ended while we looked
        index += 1
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid``, everything below it, and their process groups (a kernel and what it started)."""
    for member in process_tree(pid):  # read the whole tree first: a killed parent's children move to init
        for kill in (os.killpg, os.kill):
            try:
                kill(member, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


class AutogradeWorker:
    """A running worker for one course and assignment. ``grade(student, timeout)``; ``stop()`` when done."""

    def __init__(self, course_root: Path, assignment: str, environment: dict, *, start_timeout: float = 120):
        self.log_file = tempfile.TemporaryFile(prefix="lstm-autograde-worker-")  # nbgrader's and kernels' output
        read_end, write_end = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lstm_course.grading.autograde_worker", assignment, str(write_end)],
            cwd=course_root, env=environment, stdin=subprocess.PIPE, stdout=self.log_file, stderr=subprocess.STDOUT,
            pass_fds=(write_end,), start_new_session=True, text=True)
        os.close(write_end)
        self._answers = read_end
        self._buffer = b""
        self.ready = self._read_line(start_timeout) is not None

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _read_line(self, timeout: float) -> dict | None:
        """The worker's next JSON line; None if it ended or did not answer within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._answers], [], [], remaining)[0]:
                return None
            chunk = os.read(self._answers, 65536)
            if not chunk:
                return None  # the worker ended
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def grade(self, student: str, timeout: float) -> Answer:
        """Autograde ``student``; a worker that does not answer within ``timeout`` s is stopped (``hung``)."""
        started = time.monotonic()
        try:
            self.process.stdin.write(student + "\n")
            self.process.stdin.flush()
            answer = self._read_line(timeout)
        except (BrokenPipeError, OSError):
            answer = None
        seconds = time.monotonic() - started
        if answer is not None and answer.get("student") == student:
            return Answer(student, bool(answer["ok"]), seconds, answer.get("log", ""))
        hung, output = self.alive, self.output_tail()
        self.stop(force=True)
        return Answer(student, False, seconds, output, hung=hung)

    def output_tail(self, characters: int = 4000) -> str:
        self.log_file.seek(0)
        return self.log_file.read().decode("utf-8", "replace")[-characters:]

    def stop(self, *, force: bool = False) -> None:
        """End the worker: when idle, by closing its input; by force (or if that fails) with everything below it."""
        if self.alive and not force:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.alive:
            kill_tree(self.process.pid)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self._answers is not None:
            os.close(self._answers)
            self._answers = None
        self.log_file.close()


if __name__ == "__main__":
    raise SystemExit(main())
