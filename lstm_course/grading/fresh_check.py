"""The fresh process side of a hidden check: rebuild the learner's functions, import the real check, run it.

Started by ``lstm_course.grading.isolation.run_hidden`` as ``python -I -c ...`` (isolated mode: no current folder,
no PYTHON* variables, no user site-packages on the path), it reads one JSON request on standard input:

    {"check": ["lstm_course.feedback.gates", "check_forget_gate_hidden"], "call": <transport.pack_call(...)>}

and writes one JSON result to the file named on its command line:

    {"outcome": "passed" | "failed", "message": "<what the learner reads>"}

Nothing from the notebook runs here except the learner's functions themselves, when the check calls them. The
check also watches that those calls do not swap out the tools it relies on (``numpy``'s comparison functions,
``lstm_ref``'s own functions): a function that patches them fails with a message saying so.
"""

from __future__ import annotations

import importlib
import json
import sys
import types

# Modules whose public callables a check relies on; a learner's function that reassigns any of them while the
# check runs has tampered with the check.
_WATCHED_PREFIXES = ("numpy", "lstm_ref")
_WATCHED_MODULES = ("numpy", "numpy.testing", "builtins")


def _watched_modules() -> list[types.ModuleType]:
    names = set(_WATCHED_MODULES) | {name for name in sys.modules if name.startswith("lstm_ref")}
    return [sys.modules[name] for name in sorted(names) if name in sys.modules]


def snapshot() -> dict[tuple[str, str], int]:
    """Identity of every public callable of the watched modules, keyed by (module, name)."""
    identities = {}
    for module in _watched_modules():
        for name, value in list(vars(module).items()):
            if not name.startswith("__") and callable(value):
                identities[(module.__name__, name)] = id(value)
    return identities


def tampered(before: dict[tuple[str, str], int], after: dict[tuple[str, str], int]) -> list[str]:
    """Dotted names whose object changed (or vanished) between two snapshots."""
    return sorted(f"{module}.{name}" for (module, name), identity in before.items()
                  if after.get((module, name)) != identity)


def _import_check(module_name: str, qualname: str):
    value = importlib.import_module(module_name)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value


def _unavailable_note(message: str, unavailable: dict[str, str]) -> str:
    """Explain a NameError caused by a global that could not be carried over."""
    missing = [name for name in unavailable if f"'{name}'" in message]
    if not missing:
        return message
    details = "\n".join(f"    {name}: {unavailable[name]}" for name in missing)
    return (f"{message}\n  Note: the graded check runs your function on its own, with only the functions you "
            f"defined with `def`, imported modules and plain values (numbers, strings, arrays).\n{details}\n"
            "  Pass what it needs as an argument, or create it inside the function.")


def run_request(request: dict) -> dict:
    """Run one check on rebuilt learner functions; return the result dict (never raises for learner errors)."""
    from lstm_course.grading.transport import Unpacker

    module_name, qualname = request["check"]
    check = _import_check(module_name, qualname)
    unavailable = request["call"].get("unavailable", {})
    try:
        arguments = Unpacker(request["call"]).arguments()
    except Exception as error:  # e.g. a function that needs a module this environment cannot import
        return {"outcome": "failed",
                "message": f"Your functions could not be set up for the check: {type(error).__name__}: {error}"}
    before = snapshot()
    try:
        check(*arguments)
    except AssertionError as failure:  # CheckFailed and any plain assert in a check
        outcome = {"outcome": "failed", "message": _unavailable_note(str(failure), unavailable),
                   # what the class mistake report reads: the recognised mistake and the output's fingerprint
                   **{name: getattr(failure, name, None) for name in ("mistake", "mistake_text", "signature")}}
    except SystemExit as stop:
        outcome = {"outcome": "failed",
                   "message": f"Your function called exit() (code {stop.code!r}) while it was being checked. "
                              "A function should return its result instead."}
    except BaseException as error:  # a check that crashed on a strange result is still a failed check
        outcome = {"outcome": "failed",
                   "message": _unavailable_note(f"The check stopped with {type(error).__name__}: {error}", unavailable)}
    else:
        outcome = {"outcome": "passed", "message": ""}
    changed = tampered(before, snapshot())
    if changed:
        outcome = {"outcome": "failed",
                   "message": "Your function changed functions the check relies on while it ran: "
                              f"{', '.join(changed[:8])}. A graded function must compute its answer, "
                              "not replace the tools that check it."}
    return outcome


def main(result_path: str) -> None:
    request = json.loads(sys.stdin.read())
    result = run_request(request)
    sys.stdout.flush()
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
