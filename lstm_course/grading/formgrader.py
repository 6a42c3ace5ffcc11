"""The formgrader's Autograde button, hardened like the class grading command.

The formgrader's button posts to ``formgrader/api/submission/<assignment>/<student>/autograde``; nbgrader's
handler calls ``NbGraderAPI.autograde``, which runs nbgrader's ``Autograde`` converter *inside the Jupyter
server*, for that one student. A submission that is not valid JSON, or whose code kills its kernel
(``os._exit``), makes that converter stop with an error: the formgrader shows a traceback, the student keeps a
half-made record with no score and no reason, and a loop that ignores the timeout's interrupt holds the
server until it ends.

``SubmissionExporter`` is the exporter that converter uses (nbgrader_config.py sets it for converters started
by the API only, ``c.NbGraderAPI.Autograde.exporter_class``; ``grade_class.py`` has its own guards). For each
notebook it:

- grades it as nbgrader does when nothing goes wrong;
- stops the notebook's kernel when grading it takes longer than the per-submission limit
  (``limits.submission_wall_seconds``), so the request always ends;
- when the notebook cannot be read or run to the end, records every grade of that notebook as 0 (nothing left
  to grade by hand) with the reason as the grader's comment, in the same words as ``grade_class``, and writes
  a graded notebook that opens with the reason (the student's cells follow, without outputs), so the
  formgrader and the feedback both show why.

Only the student being autograded is touched: the converter works on that student's folders and records.
"""

from __future__ import annotations

import copy
import os
import signal
import threading

import nbformat
from nbconvert.exporters import NotebookExporter

from .deadlines import DeadlinesError
from .limits import current_limits

FAILURE_KEY = "lstm_course_grading_failure"  # notebook metadata: why the notebook could not be graded


def reason_for(error: BaseException, notebook: str, limits, *, reading: bool = False, timed_out: bool = False) -> str:
    """Why this notebook could not be graded (``reading``: it could not be read), in grade_class.diagnose's words."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from nbgrader.preprocessors.execute import UnresponsiveKernelError

    if reading:
        return f"{notebook}.ipynb is not a valid notebook ({type(error).__name__}); it could not be run."
    if timed_out:
        return f"grading this submission took longer than {limits.submission_wall_seconds} s and was stopped."
    if isinstance(error, DeadKernelError):
        return ("the notebook's Python process ended while a cell was running: the code called os._exit() or "
                f"exit(), crashed, or used more than the {limits.kernel_cpu_seconds} s of CPU time allowed.")
    if isinstance(error, (UnresponsiveKernelError, CellTimeoutError, TimeoutError)):
        return (f"a cell ran past the {limits.cell_timeout_seconds} s limit and ignored the interrupt "
                "(e.g. a loop that catches KeyboardInterrupt).")
    return f"nbgrader could not grade it: {type(error).__name__}: {str(error)[:200]}."


def record_zero(db_url: str, assignment: str, student: str, notebook: str, reason: str) -> None:
    """Every grade of this submitted notebook 0, none left for a person, the reason as the grader's comment."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        for grade in submitted.grades:
            grade.auto_score = 0.0
            grade.manual_score = None
            grade.needs_manual_grade = False
        for comment in submitted.comments:
            comment.manual_comment = f"Autograding failed: {reason}"
        gradebook.db.commit()


def failure_notebook(submitted: nbformat.NotebookNode | None, reason: str) -> nbformat.NotebookNode:
    """The graded notebook of a submission that could not be graded: the reason first, then its cells."""
    notebook = copy.deepcopy(submitted) if submitted is not None else nbformat.v4.new_notebook()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"**This submission could not be graded automatically: {reason}** Every test scores 0. Check the "
        "notebook runs from top to bottom (Kernel → Restart and Run All) under its original name."))
    notebook.metadata[FAILURE_KEY] = reason
    return notebook


class SubmissionExporter(NotebookExporter):
    """nbgrader's notebook exporter for ``Autograde``, turning a notebook that cannot be graded into a zero."""

    def from_filename(self, filename, resources=None, **kw):
        info = (resources or {}).get("nbgrader", {})
        name = info.get("notebook") or os.path.splitext(os.path.basename(filename))[0]
        limits = current_limits()
        try:
            submitted = nbformat.read(filename, as_version=4)
        except Exception as error:
            return self._failed(None, resources, reason_for(error, name, limits, reading=True))
        if FAILURE_KEY in submitted.metadata:  # the sanitising pass already found it unusable
            return self._failed(None, resources, submitted.metadata[FAILURE_KEY], ready=submitted)

        stopped = threading.Event()
        watchdog = threading.Timer(limits.submission_wall_seconds, self._stop_kernel, args=(stopped,))
        watchdog.daemon = True
        watchdog.start()
        try:
            return super().from_filename(filename, resources=resources, **kw)
        except (DeadlinesError, KeyboardInterrupt):
            raise  # the course's configuration, or the instructor stopping it: not the student's doing
        except Exception as error:
            self.log.warning("Could not grade %s: %s: %s", filename, type(error).__name__, error)
            return self._failed(submitted, resources, reason_for(error, name, limits, timed_out=stopped.is_set()))
        finally:
            watchdog.cancel()

    def _failed(self, submitted, resources, reason, ready=None):
        info = resources["nbgrader"]
        record_zero(info["db_url"], info["assignment"], info["student"], info["notebook"], reason)
        notebook = ready if ready is not None else failure_notebook(submitted, reason)
        resources["output_extension"] = self.file_extension
        return nbformat.writes(notebook), resources

    def _stop_kernel(self, stopped: threading.Event) -> None:
        """Kill the kernel of the notebook being graded (and what it started): grading took too long."""
        stopped.set()
        for preprocessor in self._preprocessors:
            manager = getattr(preprocessor, "km", None)
            provisioner = getattr(manager, "provisioner", None)
            pid = getattr(getattr(provisioner, "process", None), "pid", None)
            if pid is None:
                continue
            self.log.warning("Grading took longer than %s s: stopping its kernel.",
                             current_limits().submission_wall_seconds)
            try:
                group = os.getpgid(pid)
                if group != os.getpgrp():  # the kernel's own process group: it and anything it started
                    os.killpg(group, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
