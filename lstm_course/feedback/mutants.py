"""How well the checks diagnose: plausible wrong answers made from every solution, and what each check says.

    python -m lstm_course.feedback.mutants            # the table, per exercise and unit, and in total
    python -m lstm_course.feedback.mutants --show bare --unit 04_gates    # with the messages of one kind
    python -m lstm_course.feedback.mutants --json results/mutants.json    # every mutant and its verdict

Each exercise's solution region (``### BEGIN SOLUTION`` .. ``### END SOLUTION``) is parsed and changed in one
place at a time, the way learners go wrong (``MUTATIONS``):

    operator     + and -, * and /, @ and *, < and <=, a sign dropped
    term         one term of a sum or one factor of a product dropped, a call's wrapper (sqrt, exp) dropped,
                 a statement (an update, a restore) left out
    transpose    a ``.T`` left out
    axis         ``axis=1`` made ``axis=0`` (and the like), an ``axis=`` left out, index axes swapped
    activation   sigmoid and tanh swapped, or left out
    order        the items of a list or tuple swapped ([x, h] -> [h, x], return a, b -> return b, a), or two
                 arguments of a call
    off_by_one   a range bound, an index or an integer one more or one less

Every mutant is defined after the unit's set-up cell and its other solution cells (as in the notebook) and
given to the exercise's public check, then, if that accepts it, to the hidden one: directly, not through a
notebook, so hundreds take seconds. A failure's message is

    named    the check recognised the mistake (a ``Mistake`` id on the failure): it says what was done;
    hinted   no mistake recognised, but the message points at the step to check;
    bare     nothing beyond NumPy's error or "wrong values";

and a mutant that both checks accept is listed for a person to confirm it computes the same thing (an
equivalent mutant, e.g. ``a + b`` for ``b + a``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import io
import json
import linecache
import re
import signal
import sys
import time
import warnings
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from .core import CheckFailed
from .exercises import Exercise, exercises, setup_namespace

__all__ = ["Mutant", "Verdict", "generate", "judge", "measure", "classify", "main"]

MUTATIONS = ("operator", "term", "transpose", "axis", "activation", "order", "off_by_one")

# Names whose call is an activation (swapped and dropped) or a wrapper that can be forgotten.
_SIGMOIDS = {"sigmoid"}
_TANHS = {"tanh", "np.tanh"}
_WRAPPERS = {"np.sqrt", "np.exp", "np.abs", "np.log", "np.sum", "np.mean"}
_SWAP_OPERATOR = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.MatMult: ast.Mult,
                  ast.Pow: ast.Mult}
_SWAP_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
_OTHER_AXIS = {0: [1], 1: [0], -1: [0], 2: [1]}

# The lines of a failure's message that say nothing about this exercise: NumPy's words, the count of wrong
# entries, the generic advice. A message made only of such lines is bare.
_GENERIC_LINES = [
    re.compile(r"^\S.*: wrong values\.$"),
    re.compile(r"^\s*\d+ of \d+ entries differ"),
    re.compile(r"^\S.* raised \w+(Error|Exception|Warning)?:"),
    re.compile(r"^\s*It happened in "),
    re.compile(r"^\s*Try your function on a small example"),
    re.compile(r"^\s*$"),
]


@dataclass
class Mutant:
    """One plausible wrong answer: the solution cell with one change."""

    unit: str
    exercise: str
    kind: str  # one of MUTATIONS
    before: str  # the statement changed, as in the solution
    after: str  # ... and as the mutant has it
    source: str = field(repr=False)  # the whole mutated cell

    @property
    def key(self) -> str:
        """A name that stays the same while the solution does: exercise, kind, the statement before and after."""
        return f"{self.exercise}: {self.kind}: {self.before} -> {self.after}"


@dataclass
class Verdict:
    """What the checks made of one mutant."""

    mutant: Mutant
    outcome: str  # named, hinted, bare, undetected (both checks accept it), crashed (a check itself broke)
    check: str = ""  # "public" or "hidden": the check that failed
    mistake: str | None = None  # the Mistake id the failure carries
    message: str = ""
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------- generating
def _parents(tree: ast.AST) -> dict:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST | None) -> None:
    """Put ``new`` where ``old`` is in ``parent`` (``None``: remove the statement ``old``)."""
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list) and any(item is old for item in value):
            index = next(k for k, item in enumerate(value) if item is old)
            if new is None:
                del value[index]
                if not value:
                    value.append(ast.Pass())
            else:
                value[index] = new
            return
    raise LookupError("node not found in its parent")


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - every node here unparses
        return ""


def _plus(node: ast.AST, amount: int) -> ast.AST:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return ast.Constant(node.value + amount)
    return ast.BinOp(copy.deepcopy(node), ast.Add() if amount > 0 else ast.Sub(), ast.Constant(abs(amount)))


def _changes(node: ast.AST, parent: ast.AST):
    """The mutations of one node: (kind, replacement) pairs; a replacement of None removes the statement."""
    if isinstance(node, ast.BinOp):
        other = _SWAP_OPERATOR.get(type(node.op))
        if other is not None:
            yield "operator", ast.BinOp(copy.deepcopy(node.left), other(), copy.deepcopy(node.right))
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            yield "term", copy.deepcopy(node.left)
        if isinstance(node.op, (ast.Add, ast.Mult)):
            yield "term", copy.deepcopy(node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "operator", copy.deepcopy(node.operand)
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _SWAP_COMPARE:
        yield "operator", ast.Compare(copy.deepcopy(node.left), [_SWAP_COMPARE[type(node.ops[0])]()],
                                      copy.deepcopy(node.comparators))
    elif isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield "transpose", copy.deepcopy(node.value)
    elif isinstance(node, ast.keyword) and node.arg == "axis":
        if isinstance(node.value, ast.Constant) and type(node.value.value) is int:
            for axis in _OTHER_AXIS.get(node.value.value, []):
                yield "axis", ast.keyword("axis", ast.Constant(axis))
        yield "axis", None  # the axis left out: the whole array is reduced (or flattened)
    elif isinstance(node, ast.Call):
        name = _dotted(node.func)
        if name in _SIGMOIDS | _TANHS and len(node.args) == 1:
            swapped = "np.tanh" if name in _SIGMOIDS else "sigmoid"
            yield "activation", ast.Call(ast.parse(swapped, mode="eval").body, copy.deepcopy(node.args), [])
            yield "activation", copy.deepcopy(node.args[0])
        elif name in _WRAPPERS and len(node.args) == 1 and not node.keywords:
            yield "term", copy.deepcopy(node.args[0])
        elif name == "range":
            for k, argument in enumerate(node.args):
                for amount in (-1, 1):
                    changed = copy.deepcopy(node)
                    changed.args[k] = _plus(argument, amount)
                    yield "off_by_one", changed
        if len(node.args) >= 2 and name != "range" and all(not isinstance(a, ast.Starred) for a in node.args[:2]):
            changed = copy.deepcopy(node)
            changed.args[0], changed.args[1] = changed.args[1], changed.args[0]
            yield "order", changed
    elif isinstance(node, (ast.List, ast.Tuple)) and isinstance(node.ctx, ast.Load) and len(node.elts) >= 2:
        changed = copy.deepcopy(node)
        changed.elts[0], changed.elts[1] = changed.elts[1], changed.elts[0]
        in_index = isinstance(parent, ast.Subscript) and parent.slice is node
        yield ("axis" if in_index else "order"), changed
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Name) or (
            isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple)
            and any(isinstance(e, ast.Name) for e in node.slice.elts)):
        # an index one step off: x[:, t] -> x[:, t - 1], x[:, t + 1]
        for amount in (-1, 1):
            changed = copy.deepcopy(node)
            if isinstance(changed.slice, ast.Name):
                changed.slice = _plus(changed.slice, amount)
            else:
                k = next(k for k, e in enumerate(changed.slice.elts) if isinstance(e, ast.Name))
                changed.slice.elts[k] = _plus(changed.slice.elts[k], amount)
            yield "off_by_one", changed
    elif isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = getattr(node, bound)
            if value is not None and not (isinstance(value, ast.UnaryOp)):
                for amount in (-1, 1):
                    changed = copy.deepcopy(node)
                    setattr(changed, bound, _plus(value, amount))
                    yield "off_by_one", changed
    elif isinstance(node, (ast.AugAssign, ast.Expr)) or (
            isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) for t in node.targets)):
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            yield "term", None  # the statement left out (an update, a restore, an optimiser step)


def _statement_of(node: ast.AST, parents: dict) -> ast.AST:
    while not isinstance(node, ast.stmt) and node in parents:
        node = parents[node]
    return node


def _one_line(node: ast.AST) -> str:
    text = ast.unparse(node) if node is not None else "(removed)"
    first = text.splitlines()[0] if text else text
    return first + (" ..." if "\n" in text else "")


def generate(exercise: Exercise) -> list[Mutant]:
    """Every single-change mutant of ``exercise``'s solution region, each different from the solution."""
    source = exercise.source
    lines = source.splitlines()
    begin = next((k for k, line in enumerate(lines, 1) if "### BEGIN SOLUTION" in line), None)
    end = next((k for k, line in enumerate(lines, 1) if "### END SOLUTION" in line), None)
    if begin is None or end is None:
        return []
    original = ast.parse(source)
    solution_text = ast.unparse(original)
    count = len(list(ast.walk(original)))
    mutants, seen = [], set()
    for index in range(count):
        tree = ast.parse(source)
        nodes = list(ast.walk(tree))
        node = nodes[index]
        line = getattr(node, "lineno", None)
        if line is None:  # keywords and slices before 3.9 had no position; find it by the statement
            line = getattr(_statement_of(node, _parents(tree)), "lineno", 0)
        if not begin < line < end:
            continue
        parents = _parents(tree)
        parent = parents.get(node)
        if parent is None:
            continue
        for kind, replacement in list(_changes(node, parent)):
            tree = ast.parse(source)
            parents = _parents(tree)
            node = list(ast.walk(tree))[index]
            parent = parents[node]
            statement = _statement_of(node, parents)
            before = _one_line(statement)
            if isinstance(node, ast.keyword) and replacement is None:
                parent.keywords = [k for k in parent.keywords if k is not node]
            else:
                _replace(parent, node, replacement)
            ast.fix_missing_locations(tree)
            after = _one_line(statement) if replacement is not None or statement is not node else "(removed)"
            mutated = ast.unparse(tree)
            if mutated == solution_text or mutated in seen:
                continue
            seen.add(mutated)
            mutants.append(Mutant(exercise.unit, exercise.name, kind, before, after, mutated))
    return mutants


# -------------------------------------------------------------------------------------------- judging
def classify(failure: CheckFailed) -> str:
    """named (a recognised mistake), hinted (guidance beyond the generic lines) or bare."""
    if getattr(failure, "mistake", None):
        return "named"
    message = str(failure)
    if "your output matches" in message:
        return "named"
    lines = message.splitlines()
    if all(any(pattern.search(line) for pattern in _GENERIC_LINES) for line in lines):
        return "bare"
    return "hinted"


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Stop a mutant that loops for ever (on Unix, in the main thread; elsewhere no limit)."""
    usable = hasattr(signal, "setitimer") and sys.modules["threading"].current_thread().name == "MainThread"
    if not usable:
        yield
        return

    def stop(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _namespace_with_solutions(unit: str) -> dict:
    namespace = setup_namespace(unit)
    for other in exercises():
        if other.unit == unit:
            _define(namespace, other.source, other.name, f"<solution {other.name}>")
    return namespace


def _define(namespace: dict, source: str, name: str, filename: str):
    # Registered like a notebook cell, so a traceback can show the learner's line.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    with warnings.catch_warnings():  # a mutant such as 1.0[:, None] draws a SyntaxWarning: it is meant to fail
        warnings.simplefilter("ignore", SyntaxWarning)
        code = compile(source, filename, "exec")
    exec(code, namespace)
    return namespace[name]


def _run(check, function) -> CheckFailed | None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            check(function)
        except CheckFailed as failure:
            return failure
    return None


def judge(mutant: Mutant, checks: tuple, namespace: dict, *, seconds: float = 60.0) -> Verdict:
    """Run the public check on the mutant, then the hidden one if the public check accepts it."""
    started = time.perf_counter()
    for label, check in zip(("public", "hidden"), checks):
        if check is None:
            continue
        # A fresh definition for each check: a mutant may keep state between calls.
        function = _define(dict(namespace), mutant.source, mutant.exercise, f"<mutant {mutant.exercise}>")
        try:
            with _time_limit(seconds):
                failure = _run(check, function)
        except _Timeout:
            return Verdict(mutant, "crashed", label, None, f"no answer within {seconds:g} s",
                           time.perf_counter() - started)
        except Exception as error:  # the check itself broke on this answer: a bug to fix in the check
            return Verdict(mutant, "crashed", label, None, f"{type(error).__name__}: {error}",
                           time.perf_counter() - started)
        if failure is not None:
            return Verdict(mutant, classify(failure), label, getattr(failure, "mistake", None), str(failure),
                           time.perf_counter() - started)
    return Verdict(mutant, "undetected", "", None, "", time.perf_counter() - started)


def measure(units: set[str] | None = None, names: set[str] | None = None, *, progress=None) -> list[Verdict]:
    """Generate and judge the mutants of every exercise (or of the given units / exercise names)."""
    verdicts = []
    for exercise in exercises():
        if (units and exercise.unit not in units) or (names and exercise.name not in names):
            continue
        namespace = _namespace_with_solutions(exercise.unit)
        checks = exercise.checks(namespace)
        for mutant in generate(exercise):
            verdict = judge(mutant, checks, namespace)
            verdicts.append(verdict)
            if progress:
                progress(verdict)
    return verdicts


# ------------------------------------------------------------------------------------------- reporting
OUTCOMES = ("named", "hinted", "bare", "crashed", "undetected")


def tally(verdicts: list[Verdict]) -> dict:
    """{(unit, exercise): Counter of outcomes}, in course order."""
    table: dict = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for verdict in verdicts:
        table[(verdict.mutant.unit, verdict.mutant.exercise)][verdict.outcome] += 1
    return table


def format_table(verdicts: list[Verdict]) -> str:
    """The table: per exercise, per unit and in total, mutants, caught, named, hinted, bare, undetected."""
    header = f"{'unit / exercise':<38}{'mutants':>8}{'caught':>8}{'named':>8}{'hinted':>8}{'bare':>6}" \
             f"{'crash':>7}{'undet.':>8}{'named %':>9}"
    rows = [header, "-" * len(header)]

    def row(label, counts):
        total = sum(counts.values())
        caught = total - counts["undetected"]
        named = 100.0 * counts["named"] / caught if caught else 100.0
        return (f"{label:<38}{total:>8}{caught:>8}{counts['named']:>8}{counts['hinted']:>8}{counts['bare']:>6}"
                f"{counts['crashed']:>7}{counts['undetected']:>8}{named:>8.0f}%")

    table = tally(verdicts)
    units: dict = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for (unit, exercise), counts in table.items():
        rows.append(row(f"  {exercise}", counts))
        for outcome, n in counts.items():
            units[unit][outcome] += n
    rows.append("-" * len(header))
    total = dict.fromkeys(OUTCOMES, 0)
    for unit, counts in units.items():
        rows.append(row(unit, counts))
        for outcome, n in counts.items():
            total[outcome] += n
    rows.append("-" * len(header))
    rows.append(row("total", total))
    return "\n".join(rows)


def unit_summary(verdicts: list[Verdict]) -> dict:
    """{unit: {outcome: count}}, for the floors' test."""
    units: dict = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for verdict in verdicts:
        units[verdict.mutant.unit][verdict.outcome] += 1
    return dict(units)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course.feedback.mutants", description=__doc__.split("\n")[0])
    parser.add_argument("--unit", action="append", help="only this unit (repeatable), e.g. 04_gates")
    parser.add_argument("--exercise", action="append", help="only this exercise (repeatable), e.g. forget_gate")
    parser.add_argument("--show", action="append", choices=OUTCOMES + ("all",),
                        help="print the mutants of this outcome with their messages (repeatable)")
    parser.add_argument("--json", help="write every mutant and its verdict to this file")
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    verdicts = measure(set(arguments.unit or []), set(arguments.exercise or []))
    elapsed = time.perf_counter() - started
    print(format_table(verdicts))
    print(f"\n{len(verdicts)} mutants of {len({v.mutant.exercise for v in verdicts})} exercises in {elapsed:.1f} s")
    undetected = [v for v in verdicts if v.outcome == "undetected"]
    if undetected:
        print(f"\nAccepted by both checks ({len(undetected)}), for a person to confirm they are equivalent:")
        for verdict in undetected:
            print(f"  {verdict.mutant.key}")
    shown = set(arguments.show or [])
    for verdict in verdicts:
        if "all" in shown or verdict.outcome in shown:
            print(f"\n[{verdict.outcome}] {verdict.mutant.key}  ({verdict.check}, {verdict.mistake})")
            print("    " + verdict.message.replace("\n", "\n    "))
    if arguments.json:
        records = [{**asdict(v.mutant), "key": v.mutant.key, **{k: getattr(v, k) for k in
                    ("outcome", "check", "mistake", "message", "seconds")}} for v in verdicts]
        for record in records:
            record.pop("source")
        with open(arguments.json, "w", encoding="utf-8") as out:
            json.dump(records, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
