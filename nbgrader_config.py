"""nbgrader configuration for the course, read by every `nbgrader` command run from the repository root.

Layout: instructor notebooks live in `solutions/` (nbgrader's "source"), the generated student notebooks in
`notebooks/` (nbgrader's "release"). Grading settings are explained beside each line; docs/instructors.md walks
through the whole workflow. A course run elsewhere (another folder, a JupyterHub) can reuse these settings with
`load_subconfig("<path to this file>")` in its own nbgrader_config.py and then set its own root and exchange.
"""

import atexit
import os
import shutil
import sys
import tempfile

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)  # lstm_ref, for the limits below, even where the course is not pip-installed

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

from lstm_course.grading.feedback_filters import ShortenHiddenTracebacks  # noqa: E402
from lstm_course.grading.kernel import KERNEL_NAME, is_installed  # noqa: E402
from lstm_course.grading.limits import current_limits  # noqa: E402

LIMITS = current_limits()

c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "lstm-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# What a learner sees in place of a solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Per-cell wall-clock limit while grading (nbgrader's default is 30 s). The course's longest cell trains for well
# under 20 s; 60 s leaves room on a loaded grading machine, and a cell that never ends is interrupted after a
# minute instead of holding up the class. lstm_course/grading/limits.py explains every limit.
c.Execute.timeout = LIMITS.cell_timeout_seconds
c.ExecutePreprocessor.timeout = LIMITS.cell_timeout_seconds

# A learner who deletes a graded cell (a test cell, or a written answer) gets it back from the source notebook
# at autograde, graded as if it had never been touched. nbgrader's default would leave those points out.
c.OverwriteCells.add_missing_cells = True

# Feedback shows the graded notebook; without ClearHiddenTests it would also show the hidden tests' source, and
# a failing hidden test's traceback quotes the lines of its cell: ShortenHiddenTracebacks keeps only the
# learner-level message of those errors. (Hidden tests sit in cells of their own, so nothing else is quoted.)
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, ShortenHiddenTracebacks, ClearHiddenTests]

# Student code runs in the resource-limited grading kernel (CPU time, memory, processes: see
# lstm_course/grading/kernel.py) whenever it is installed, as `bash scripts/setup.sh` does with
# `python -m lstm_course.grading.kernel install --sys-prefix`. Without it, nbgrader uses the notebook's own kernel
# and grading still works, unprotected; say so rather than fail.
if is_installed():
    c.Execute.kernel_name = KERNEL_NAME
else:
    print(f"nbgrader_config.py: the grading kernel {KERNEL_NAME!r} is not installed; student code will run "
          "without resource limits. Install it with: python -m lstm_course.grading.kernel install --sys-prefix",
          file=sys.stderr)

# A learner's own Validate (the button in JupyterLab, `nbgrader validate`) checks the learner's own work: nothing to
# protect anyone from, so it runs in the notebook's ordinary kernel (python3), which starts and runs quicker: the
# grading kernel's guards cost more than twice the time there (unit 1 under load: 26-29 s against 11 s).
# Nested under Validator, this setting reaches only the Execute step that Validate runs; autograde keeps the above.
c.Validator.Execute.kernel_name = ""  # "": the kernel named in the notebook (python3)
# The grading kernel runs students' code in a sandbox (lstm_course/grading/sandbox.py: bubblewrap, only the
# notebook's own folder, no network). Where none can be made, `nbgrader autograde` refuses to run students' code
# unless LSTM_GRADING_ALLOW_UNSANDBOXED=1 is set (docs/instructors.md, "The grading sandbox"); say so up front.
if is_installed():
    from lstm_course.grading.sandbox import ALLOW_VARIABLE, probe, unsandboxed_allowed  # noqa: E402

    _SANDBOX = probe()
    if not _SANDBOX.available:
        print(f"nbgrader_config.py: no grading sandbox here ({_SANDBOX.reason}) "
              + ("Autograding runs students' code UNSANDBOXED, as allowed by " + ALLOW_VARIABLE + "."
                 if unsandboxed_allowed() else
                 f"`nbgrader autograde` will refuse to run students' code unless {ALLOW_VARIABLE}=1."),
              file=sys.stderr)

# Kernels talk to nbgrader over Unix sockets in a folder private to this nbgrader process, not over TCP ports:
# when several autograde runs start kernels at once (scripts/grade_class.py --jobs 2, or other work on the
# machine), two kernels could be handed the same free port; the loser dies at start-up and nbgrader then waits
# forever to send it its first message. A private folder cannot collide.
_KERNEL_SOCKETS = tempfile.mkdtemp(prefix="lstm-grading-kernels-")
atexit.register(shutil.rmtree, _KERNEL_SOCKETS, True)
c.KernelManager.transport = "ipc"
c.KernelManager.ip = os.path.join(_KERNEL_SOCKETS, "kernel")

# --- The instructor's workflow (docs/instructors.md) ------------------------------------------------------------
# Class records live in class-data/ (lstm_course/grading/class_data.py), a folder git ignores.
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import SaveAutoGrades  # noqa: E402

from lstm_course.grading.deadlines import ApplyDeadlines, LatePenalty  # noqa: E402
from lstm_course.grading.export import GradesOfRecord  # noqa: E402
from lstm_course.grading.formgrader import SubmissionExporter  # noqa: E402
from lstm_course.grading.regrade import KeepUnchangedHandGrades  # noqa: E402
from lstm_course.grading.release import GuardedReleaseFeedback  # noqa: E402

# Due dates, extensions and the late penalty come from class-data/deadlines.yaml: ApplyDeadlines writes the dates
# into the gradebook before nbgrader computes lateness; LatePenalty is nbgrader's late-submission plugin.
c.Autograde.sanitize_preprocessors = [ApplyDeadlines, *Autograde.class_traits()["sanitize_preprocessors"].default()]
_AUTOGRADE_STEPS = list(Autograde.class_traits()["autograde_preprocessors"].default())
# Autograding again keeps the hand grades of unchanged answers; changed ones are flagged (regrade.py).
_AUTOGRADE_STEPS.insert(_AUTOGRADE_STEPS.index(SaveAutoGrades) + 1, KeepUnchangedHandGrades)
c.Autograde.autograde_preprocessors = _AUTOGRADE_STEPS
c.AssignLatePenalties.plugin_class = LatePenalty
# `nbgrader export` writes the grades file of record, class-data/grades.csv, and the Canvas import beside it.
c.ExportApp.plugin_class = GradesOfRecord
# The formgrader's Autograde button (nbgrader's API, in the Jupyter server): a submission that cannot be graded
# gets 0 with the reason, as with grade_class.py, instead of an error page and no score (formgrader.py).
c.NbGraderAPI.Autograde.exporter_class = SubmissionExporter
# Feedback is never released while answers await manual grading: `nbgrader release_feedback` and the
# formgrader's Release Feedback button refuse, naming who and what (release.py; the course's release command
# regenerates the feedback first).
c.ExchangeFactory.release_feedback = GuardedReleaseFeedback
