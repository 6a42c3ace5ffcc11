"""Run a hidden check where the learner's other cells cannot reach it: in a fresh Python process.

Every hidden test cell of the course calls ``run_hidden(check, *learner_functions)`` (below, exported by
``lstm_course.grading``). Run in the notebook's own kernel, a check would trust whatever the learner's cells
left there: a learner who wrote ``np.allclose = lambda *a, **k: True`` or ``check_forget_gate_hidden = print``
would earn the hidden points with a wrong answer. So the check runs elsewhere:

1. the learner's functions are packed (``lstm_course.grading.transport``): their compiled code, their default
   values, and the globals they use; nothing else from the notebook;
2. a new Python starts in isolated mode (``-I``) in an empty temporary folder, imports the real ``lstm_ref``
   (from this package's own location, never from the student's folder) and the check by its address
   (``check.__module__`` + ``check.__qualname__``), rebuilds the functions and calls the check on them
   (``lstm_course.grading.fresh_check``);
3. its verdict comes back here: a pass prints the check's own success line, a failure raises ``CheckFailed``
   with the learner-level message from the fresh process.

What this does not stop: code inside the learner's *graded functions* runs in the fresh process too (that is
what is being graded), and in the kernel itself a determined learner can still replace ``run_hidden``. The
integrity report (``python -m lstm_course.grading.integrity``) lists submissions that touch any of this.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from lstm_course.feedback.core import CheckFailed, Mistake

from .limits import current_limits
from .transport import pack_call

# The folder that holds the ``lstm_ref`` package this module belongs to: the fresh process imports from here.
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
TRUSTED_CHECK_PACKAGES = ("lstm_course.feedback",)
_MAX_RELAYED_CHARACTERS = 10_000

_BOOTSTRAP = (
    "import os, sys; sys.path[0:0] = sys.argv[1].split(os.pathsep); "
    "from lstm_course.grading.fresh_check import main; main(sys.argv[2])"
)


def check_address(check) -> tuple[str, str]:
    """``(module, qualified name)`` of a trusted check; ``TypeError`` if ``check`` is not one.

    A trusted check is a module-level function named ``check_...`` in a module of ``TRUSTED_CHECK_PACKAGES``
    that importing it by that name gives back. A check swapped for a lambda, ``print`` or a function written in
    the notebook is refused, so the hidden test fails.
    """
    module_name = getattr(check, "__module__", None)
    qualname = getattr(check, "__qualname__", None)
    described = f"{getattr(check, '__name__', type(check).__name__)!r} from module {module_name!r}"
    if not callable(check) or not isinstance(module_name, str) or not isinstance(qualname, str):
        raise TypeError(f"check must be a check function from lstm_course.feedback, got {described}.")
    trusted = any(module_name == package or module_name.startswith(package + ".")
                  for package in TRUSTED_CHECK_PACKAGES)
    if not trusted or "." in qualname or not qualname.startswith("check_"):
        raise TypeError(f"check must be a check function (check_...) from {' or '.join(TRUSTED_CHECK_PACKAGES)}, "
                        f"got {described}. Was the hidden check replaced in the notebook?")
    module = sys.modules.get(module_name)
    if module is None or getattr(module, qualname, None) is not check:
        raise TypeError(f"check {qualname!r} is not the function of that name in {module_name}: it was replaced.")
    return module_name, qualname


def _failure(message: str, *, check: str, result: dict | None = None) -> CheckFailed:
    """The ``CheckFailed`` the kernel raises for a hidden check, with what the fresh process recognised."""
    result = result or {}
    mistake = result.get("mistake")
    if mistake and result.get("mistake_text"):
        mistake = Mistake(mistake, result["mistake_text"])
    return CheckFailed(message, mistake=mistake, check=check, signature=result.get("signature"))


def _crash_message(returncode: int, stderr: str) -> str:
    """What to tell the learner when the fresh process ended without a verdict."""
    if -returncode in (getattr(signal, "SIGXCPU", -1), getattr(signal, "SIGKILL", -1)):
        return ("The hidden check had to be stopped: your function used more CPU time than the grader allows. "
                "Look for a loop that never ends.")
    if "MemoryError" in stderr:
        return "The hidden check ran out of memory while calling your function. Does it build a huge array?"
    return (f"The hidden check could not finish: the process running your function ended unexpectedly "
            f"(exit code {returncode}). Does your function call exit() or os._exit()?")


def _relay(text: str, stream) -> None:
    if text:
        if len(text) > _MAX_RELAYED_CHARACTERS:
            text = text[:_MAX_RELAYED_CHARACTERS] + "\n[... output cut ...]\n"
        stream.write(text)
        stream.flush()


def run_hidden(check, *learner_functions) -> None:
    """Run ``check(*learner_functions)`` in a fresh process; raise ``CheckFailed`` there if it fails.

    ``check``: a check function from ``lstm_course.feedback`` (e.g. ``check_forget_gate_hidden``).
    ``learner_functions``: the functions the learner defined in the notebook (and anything else the check
    takes: plain values and arrays travel too).
    Prints the check's output (its "all checks passed" line) on success.
    """
    address = check_address(check)
    try:
        call = pack_call(learner_functions)
    except TypeError as error:
        raise _failure(f"Your answer cannot be graded as it is: {error}", check=address[1]) from None
    run_in_fresh_process(address, call)


def run_in_fresh_process(address: tuple[str, str], call: dict, *, timeout: float | None = None,
                         import_paths: tuple = (PACKAGE_PARENT,)) -> None:
    """Run the check at ``address`` (module, name) on the packed ``call`` in a new Python process.

    ``import_paths`` are the folders put first on the new process's ``sys.path`` (before site-packages): by
    default only the folder holding the trusted ``lstm_ref``. ``timeout`` defaults to the grading limits' ``isolated_check_seconds``.
    Raises ``CheckFailed`` with the learner-level message on failure, crash or timeout.
    """
    request = json.dumps({"check": list(address), "call": call}).encode("utf-8")
    timeout = current_limits().isolated_check_seconds if timeout is None else timeout

    with tempfile.TemporaryDirectory(prefix="lstm-hidden-check-") as folder:
        result_path = Path(folder) / "result.json"
        # A quiet, single-threaded BLAS: the arrays are tiny, and threads would only add start-up time.
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, os.pathsep.join(map(str, import_paths)), str(result_path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=folder, env=environment, start_new_session=True,  # own process group: stopped as a whole
        )
        try:
            stdout, stderr = process.communicate(request, timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            raise _failure(f"The hidden check did not finish within {timeout:g} s: your function may loop forever, "
                           "or be far slower than it needs to be.", check=address[1]) from None
        except BaseException:  # an interrupt from the notebook (cell timeout): leave no process behind
            _stop(process)
            raise
        stdout_text = stdout.decode("utf-8", "replace")
        stderr_text = stderr.decode("utf-8", "replace")
        _relay(stdout_text, sys.stdout)
        _relay(stderr_text, sys.stderr)  # warnings the learner's code raised are worth seeing
        if process.returncode != 0 or not result_path.exists():
            raise _failure(_crash_message(process.returncode, stderr_text), check=address[1])
        result = json.loads(result_path.read_text(encoding="utf-8"))
    if result["outcome"] != "passed":
        raise _failure(result["message"], check=address[1], result=result)


def _stop(process: subprocess.Popen) -> None:
    """Kill the fresh process and anything it started, then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
