"""The integrity report: submissions an instructor should look at before trusting their scores.

Static analysis (``ast``) of the code each student wrote, with nothing executed. A finding is a reason to read
the notebook, not a verdict: ``high`` means the code does something that only makes sense to game the grading,
``review`` something unusual that may be innocent. What is looked for:

- tampering: assigning to (or ``setattr``/``del`` on) anything under ``numpy``, ``lstm_ref``, ``lstm_course`` or ``builtins``;
  rebinding a name the tests rely on (``np``, ``check_forget_gate``, ``run_hidden``, ``assert_allclose``...);
  touching the grading machinery (``run_hidden``, ``lstm_course.grading``, ``sys.modules``, ``get_ipython``,
  ``globals()``, ``mock.patch``);
- using the reference: importing or calling ``lstm_ref`` inside a cell the learner writes (``high`` when the name
  is one of this notebook's exercises, e.g. ``from lstm_ref import forget_gate`` in the ``forget_gate`` cell);
- files outside the submission: ``open('/...')``, ``np.load('../x')``, any path that is absolute, starts with
  ``~`` or climbs with ``..``;
- stopping or escaping the grader: ``os._exit``, ``sys.exit``, ``signal``, ``subprocess``, ``os.system``,
  ``except KeyboardInterrupt`` (or a bare ``except``) inside a loop;
- reaching past the submission (what the grading sandbox refuses, ``lstm_course.grading.sandbox``): the file
  system (listing folders, deleting or renaming files, writing files, the home folder), the gradebook (``sqlite3``,
  ``nbgrader``, a path naming ``gradebook.db``), other students' folders and the instructor's (a path naming
  ``submitted``, ``autograded``, ``feedback``, ``solutions``...), and the network (``socket``, ``urllib``,
  ``http``, ``requests``...);
- the submission itself: a notebook that is not valid JSON, is missing or wrongly named, test cells edited or
  deleted (nbgrader restores them: listed so you know), extra ``.py`` files or packages that could shadow a
  module.

Which cells are "the learner's": solution cells and cells the learner added; and any instructor cell whose source
differs from the released notebook. Run after collecting (or after grading):

    python -m lstm_course.grading.integrity 04_gates              # from the course root
    -> reports/04_gates/integrity.csv and integrity.md
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
from dataclasses import asdict, fields
from pathlib import Path

import nbformat

from .denials import review_autograded
from .findings import HIGH, INFO, REVIEW, Finding


# Modules whose attributes the checks rely on: nothing in a submission should assign to them.
PROTECTED_MODULES = ("numpy", "lstm_ref", "lstm_course", "builtins", "nbgrader")
# Names that mean "the grading machinery" wherever they appear in a learner's code.
MACHINERY_NAMES = {"run_hidden", "run_isolated", "get_ipython", "__builtins__", "globals", "__import__"}
MACHINERY_ATTRIBUTES = {"modules": "sys", "patch": "mock", "reload": "importlib"}
# Calls that end the process, handle signals or start programs.
ESCAPE_CALLS = {
    "os._exit": HIGH, "os.kill": HIGH, "os.fork": HIGH, "os.system": HIGH, "os.exec": HIGH,
    "signal.signal": HIGH, "sys.exit": REVIEW, "exit": REVIEW, "quit": REVIEW, "ctypes": HIGH,
    "subprocess": HIGH, "multiprocessing": REVIEW, "resource.setrlimit": HIGH, "os.popen": HIGH,
    "os.spawn": HIGH, "os.posix_spawn": HIGH, "pty.spawn": HIGH,
}
# Modules whose import means reaching past the submission: (category, what it is for).
REACH_MODULES = {
    "socket": ("network", "the network"), "urllib": ("network", "the network"), "http": ("network", "the network"),
    "requests": ("network", "the network"), "httpx": ("network", "the network"), "ftplib": ("network", "the network"),
    "smtplib": ("network", "the network"), "telnetlib": ("network", "the network"), "ssl": ("network", "the network"),
    "sqlite3": ("gradebook", "SQLite databases (the gradebook is one)"),
    "sqlalchemy": ("gradebook", "databases (the gradebook is one)"),
    "nbgrader": ("gradebook", "the grading tool and its gradebook"),
    "pty": ("escape", "starting programs"), "pexpect": ("escape", "starting programs"),
}
# Calls that change the file system or look around it, whatever their arguments.
FILE_SYSTEM_CALLS = {
    "os.remove": (HIGH, "deletes a file"), "os.unlink": (HIGH, "deletes a file"),
    "os.rmdir": (HIGH, "deletes a folder"), "os.removedirs": (HIGH, "deletes folders"),
    "shutil.rmtree": (HIGH, "deletes a folder tree"), "os.rename": (HIGH, "renames a file"),
    "os.replace": (HIGH, "replaces a file"), "shutil.move": (HIGH, "moves a file"),
    "os.chmod": (HIGH, "changes a file's permissions"), "os.chown": (HIGH, "changes a file's owner"),
    "os.symlink": (HIGH, "makes a symbolic link"), "os.link": (HIGH, "makes a hard link"),
    "os.listdir": (REVIEW, "lists a folder"), "os.scandir": (REVIEW, "lists a folder"),
    "os.walk": (REVIEW, "walks a folder tree"), "glob.glob": (REVIEW, "lists files"),
    "glob.iglob": (REVIEW, "lists files"), "os.path.expanduser": (REVIEW, "looks up the home folder"),
    "pathlib.Path.home": (REVIEW, "looks up the home folder"), "Path.home": (REVIEW, "looks up the home folder"),
    "pwd.getpwuid": (REVIEW, "looks up a user's home folder"), "os.getcwd": (REVIEW, "asks where it runs"),
    "os.chdir": (HIGH, "changes the working folder"),
}
# Methods of path objects that read, write or list files (called on anything: ``Path(x).write_text(...)``).
# (Writing a file of its own in its folder is innocent: only deleting and listing are named.)
PATH_METHODS = {"unlink": "deletes a file", "rmdir": "deletes a folder", "iterdir": "lists a folder",
                "rglob": "lists a folder tree"}
# Names of the course's folders and files that a submission has no business naming.
COURSE_NAMES = ("gradebook.db", "submitted", "autograded", "feedback", "solutions", "source", "release",
                "nbgrader_config.py", "exchange", "inbound", "outbound")
# Calls that read or list files: their path argument is checked.
FILE_CALLS = {"open", "io.open", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile",
              "pathlib.Path", "Path", "os.listdir", "os.scandir", "os.walk", "glob.glob", "shutil.copy",
              "shutil.copyfile", "pickle.load", "os.open"}
# The usual aliases, for names imported in cells the report does not see.
DEFAULT_ALIASES = {"np": "numpy", "npt": "numpy.testing", "plt": "matplotlib.pyplot"}


def _dotted(node: ast.AST) -> str | None:
    """``np.testing.assert_allclose`` for the expression of that attribute chain; None if not a plain chain."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _root_target(node: ast.AST) -> ast.AST:
    """For ``a.b[c].d`` return the ``a.b[c].d`` chain's attribute part, stripping subscripts."""
    while isinstance(node, ast.Subscript):
        node = node.value
    return node


def collect_aliases(sources: list[str]) -> dict[str, str]:
    """Map each name bound by an import in ``sources`` to what it refers to (``np`` -> ``numpy``)."""
    aliases = dict(DEFAULT_ALIASES)
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for name in node.names:
                    aliases[name.asname or name.name.split(".")[0]] = name.name if name.asname else name.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for name in node.names:
                    aliases[name.asname or name.name] = f"{node.module}.{name.name}"
    return aliases


class _CodeReview(ast.NodeVisitor):
    """Walks one learner cell and records ``(line, severity, category, detail)`` findings."""

    def __init__(self, aliases: dict[str, str], exercises: set[str]):
        self.aliases = aliases
        self.exercises = exercises
        self.found: list[tuple[int, str, str, str]] = []
        self._loops = 0

    def resolve(self, dotted: str | None) -> str | None:
        """What a dotted name refers to, through the notebook's imports (``np.allclose`` -> ``numpy.allclose``)."""
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.aliases.get(head, head)
        return f"{base}.{rest}" if rest else base

    def add(self, node: ast.AST, severity: str, category: str, detail: str) -> None:
        self.found.append((getattr(node, "lineno", 0), severity, category, detail))

    @staticmethod
    def _protected(resolved: str | None) -> bool:
        return bool(resolved) and any(resolved == m or resolved.startswith(m + ".") for m in PROTECTED_MODULES)

    # --- tampering -------------------------------------------------------------------------------------------
    def _check_target(self, target: ast.AST, verb: str) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._check_target(element, verb)
            return
        if isinstance(target, ast.Starred):
            self._check_target(target.value, verb)
            return
        if isinstance(target, ast.Name):
            self._check_rebinding(target, target.id, verb)
            return
        resolved = self.resolve(_dotted(_root_target(target)))
        if self._protected(resolved):
            self.add(target, HIGH, "tampering", f"{verb} `{resolved}`")
        elif resolved and resolved.split(".")[0] == "sys":
            self.add(target, HIGH if resolved == "sys.modules" else REVIEW, "tampering", f"{verb} `{resolved}`")

    def _check_rebinding(self, node: ast.AST, name: str, verb: str) -> None:
        """A name the tests or the grader use, bound to something else by the learner."""
        refers_to = self.aliases.get(name)
        if name in MACHINERY_NAMES:
            self.add(node, HIGH, "tampering", f"{verb} `{name}`, part of the grading machinery")
        elif refers_to and name not in self.exercises and self._protected(refers_to):
            severity = HIGH if refers_to.startswith(("numpy", "lstm_course.feedback", "builtins")) else REVIEW
            self.add(node, severity, "tampering", f"{verb} `{name}`, which the notebook imported as `{refers_to}`")

    def visit_Assign(self, node):
        for target in node.targets:
            self._check_target(target, "assigns to")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target, "changes")
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._check_target(node.target, "assigns to")
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._check_target(target, "deletes")
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self._check_rebinding(node, node.name, "defines its own")
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Name(self, node):
        if node.id in MACHINERY_NAMES and isinstance(node.ctx, ast.Load):
            self.add(node, HIGH, "tampering", f"uses `{node.id}`, part of the grading machinery")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        resolved = self.resolve(_dotted(node))
        if resolved:
            owner = MACHINERY_ATTRIBUTES.get(node.attr)
            if resolved.startswith("lstm_course.grading") or resolved.endswith("run_hidden") or (
                    owner and resolved.split(".")[0] in (owner, "unittest")):
                self.add(node, HIGH, "tampering", f"uses `{resolved}`, part of the grading machinery")
                return  # one finding per chain
            if resolved.startswith("lstm_ref."):
                name = resolved.rsplit(".", 1)[-1]
                severity = HIGH if name in self.exercises else REVIEW
                self.add(node, severity, "reference", f"uses the reference `{resolved}`")
                return
        self.generic_visit(node)

    # --- the reference ---------------------------------------------------------------------------------------
    def visit_Import(self, node):
        for name in node.names:
            if name.name.split(".")[0] in ("lstm_ref", "lstm_course"):
                self.add(node, REVIEW if name.name.startswith("lstm_course.feedback") else HIGH, "reference",
                         f"imports `{name.name}` in a cell it writes")
            if name.name.split(".")[0] in ("subprocess", "ctypes", "signal", "multiprocessing"):
                self.add(node, HIGH if name.name != "multiprocessing" else REVIEW, "escape", f"imports `{name.name}`")
            self._check_reach_module(node, name.name)
        self.generic_visit(node)

    def _check_reach_module(self, node, module: str) -> None:
        reach = REACH_MODULES.get(module.split(".")[0])
        if reach:
            self.add(node, HIGH, reach[0], f"imports `{module}`, for {reach[1]}")

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if module.split(".")[0] in ("lstm_ref", "lstm_course"):
            for name in node.names:
                if module.startswith("lstm_course.grading"):
                    self.add(node, HIGH, "tampering", f"imports `{module}.{name.name}`, part of the grading machinery")
                elif not module.startswith("lstm_course.feedback"):
                    severity = HIGH if (name.name in self.exercises or name.name == "*") else REVIEW
                    self.add(node, severity, "reference", f"imports the reference `{module}.{name.name}`")
        if module.split(".")[0] in ("subprocess", "ctypes", "signal"):
            self.add(node, HIGH, "escape", f"imports from `{module}`")
        if node.level == 0:
            self._check_reach_module(node, module)
        self.generic_visit(node)

    # --- calls: setattr, escapes, files ----------------------------------------------------------------------
    def visit_Call(self, node):
        called = self.resolve(_dotted(node.func))
        if called in ("setattr", "delattr", "builtins.setattr") and node.args:
            resolved = self.resolve(_dotted(node.args[0]))
            if self._protected(resolved) or resolved in ("sys", "sys.modules"):
                self.add(node, HIGH, "tampering", f"calls {called} on `{resolved}`")
        if called:
            for prefix, severity in ESCAPE_CALLS.items():
                if called == prefix or called.startswith(prefix + ".") or (
                        prefix in ("os.exec", "os.spawn") and called.startswith(prefix)):
                    self.add(node, severity, "escape", f"calls `{called}`")
                    break
            if called in FILE_CALLS and node.args:
                self._check_path(node.args[0], f"{called}(...)")
            if called in FILE_SYSTEM_CALLS:
                severity, what = FILE_SYSTEM_CALLS[called]
                self.add(node, severity, "files", f"calls `{called}` ({what})")
            if called in ("sqlite3.connect",):
                self.add(node, HIGH, "gradebook", f"calls `{called}` (opens an SQLite database: the gradebook is one)")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in PATH_METHODS:
            self.add(node, REVIEW, "files", f"calls `.{node.func.attr}()` ({PATH_METHODS[node.func.attr]})")
        self.generic_visit(node)

    def _check_path(self, argument: ast.AST, where: str) -> None:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            path = argument.value
            if path.startswith(("/", "~")) or ".." in Path(path).parts:
                self.add(argument, HIGH, "files", f"{where} on {path!r}, outside the submission's folder")
        elif isinstance(argument, ast.JoinedStr):
            self.add(argument, REVIEW, "files", f"{where} on a path built at run time")

    def visit_Constant(self, node):
        if isinstance(node.value, str) and (node.value.startswith(("/etc/", "/home/", "/root/", "/srv/", "/tmp/"))
                                            or "../" in node.value):
            self.add(node, REVIEW, "files", f"mentions the path {node.value!r}")
        if isinstance(node.value, str) and len(node.value) < 4096:
            parts = set(node.value.replace("\\", "/").split("/"))
            named = sorted(name for name in COURSE_NAMES
                           if name in parts and ("/" in node.value or name in ("gradebook.db", "submitted",
                                                                              "autograded", "solutions")))
            if "gradebook.db" in named:
                self.add(node, HIGH, "gradebook", f"names the gradebook in {node.value!r}")
            elif named:
                self.add(node, HIGH, "files", f"names the course's `{named[0]}` folder in {node.value!r}")

    # --- loops that swallow the grader's interrupt ----------------------------------------------------------
    def visit_While(self, node):
        self._loops += 1
        self.generic_visit(node)
        self._loops -= 1

    visit_For = visit_While

    def visit_ExceptHandler(self, node):
        caught = self.resolve(_dotted(node.type)) if node.type is not None else None
        names = {caught} if caught else set()
        if isinstance(node.type, ast.Tuple):
            names = {self.resolve(_dotted(element)) for element in node.type.elts}
        if self._loops and (node.type is None or names & {"KeyboardInterrupt", "BaseException"}):
            what = "a bare `except:`" if node.type is None else f"`except {', '.join(sorted(n for n in names if n))}`"
            self.add(node, HIGH, "escape", f"{what} inside a loop swallows the grader's interrupt")
        self.generic_visit(node)


def review_code(source: str, *, aliases: dict[str, str] | None = None, exercises=()) -> list[tuple[int, str, str, str]]:
    """Findings ``(line, severity, category, detail)`` for one cell's source (IPython magics are skipped)."""
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}.")
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError as error:
        return [(error.lineno or 0, INFO, "submission", f"does not parse as Python: {error.msg}")]
    known = {**DEFAULT_ALIASES, **(aliases or {}), **collect_aliases([source])}
    reviewer = _CodeReview(known, set(exercises))
    reviewer.visit(tree)
    # A path already reported as read outside the folder need not be reported again as merely mentioned.
    read_lines = {line for line, severity, category, _ in reviewer.found if category == "files" and severity == HIGH}
    return [item for item in reviewer.found
            if not (item[2] == "files" and item[1] == REVIEW and item[0] in read_lines)]


def _cell_label(cell, index: int) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return grade_id or f"cell {index}"


def _instructor_cells(release_notebook) -> dict[str, dict]:
    """grade_id -> {source, grade, locked, solution} for the released notebook's nbgrader cells."""
    cells = {}
    for cell in release_notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id"):
            cells[meta["grade_id"]] = {"source": cell.source, "cell_type": cell.cell_type, **meta}
    return cells


def review_notebook(path: Path, *, student: str = "", release_notebook=None) -> list[Finding]:
    """Every finding for one submitted notebook; ``release_notebook`` (the student version) if known."""
    path = Path(path)
    name = path.stem

    def finding(cell, line, severity, category, detail):
        return Finding(student, name, cell, line, severity, category, detail)

    try:
        notebook = nbformat.read(str(path), as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError) as error:
        return [finding("", 0, HIGH, "submission", f"not a valid notebook (not JSON): {str(error)[:120]}")]
    except Exception as error:  # valid JSON but not a notebook nbformat understands
        return [finding("", 0, HIGH, "submission", f"not a valid notebook: {type(error).__name__}: {str(error)[:120]}")]

    instructor = _instructor_cells(release_notebook) if release_notebook is not None else {}
    code_cells = [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    aliases = collect_aliases([cell.source for _, cell in code_cells])
    exercises = set()
    for _, cell in code_cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            exercises.add(meta.get("grade_id", ""))
            try:
                exercises |= {node.name for node in ast.parse(cell.source).body if isinstance(node, ast.FunctionDef)}
            except SyntaxError:
                pass
    exercises |= {grade_id for grade_id, meta in instructor.items() if meta.get("solution")}

    findings = []
    seen_ids = set()
    for index, cell in code_cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        label = _cell_label(cell, index)
        seen_ids.add(meta.get("grade_id"))
        original = instructor.get(meta.get("grade_id"))
        if meta.get("solution") or not meta:
            pass  # the learner's own code: reviewed below
        elif original is not None and original["source"] != cell.source:
            kind = "test cell" if original.get("grade") else "instructor cell"
            findings.append(finding(label, 0, REVIEW, "submission",
                                    f"{kind} edited (nbgrader restores it when grading)"))
        else:
            continue  # an instructor cell as released: not the learner's code
        for line, severity, category, detail in review_code(cell.source, aliases=aliases, exercises=exercises):
            findings.append(finding(label, line, severity, category, detail))
    for grade_id, original in instructor.items():
        if original.get("grade") and original.get("locked") and grade_id not in seen_ids:
            findings.append(finding(grade_id, 0, REVIEW, "submission",
                                    "test cell deleted (nbgrader puts it back when grading)"))
    return findings


def review_submission(folder: Path, *, student: str, expected: dict[str, object]) -> list[Finding]:
    """Findings for one student's submission folder; ``expected`` maps notebook name -> release notebook (or None)."""
    folder = Path(folder)
    findings = []
    submitted = {path.stem: path for path in sorted(folder.glob("*.ipynb"))}
    for name, release in expected.items():
        if name in submitted:
            findings += review_notebook(submitted[name], student=student, release_notebook=release)
        else:
            others = ", ".join(sorted(f"{stem}.ipynb" for stem in submitted if stem not in expected)) or "none"
            findings.append(Finding(student, name, "", 0, REVIEW, "submission",
                                    f"{name}.ipynb missing (other notebooks submitted: {others}); graded as zero"))
    for stem, path in submitted.items():
        if stem not in expected:
            findings.append(Finding(student, stem, "", 0, REVIEW, "submission",
                                    f"unexpected notebook {path.name}: wrongly named? It is not graded"))
    for path in sorted(folder.iterdir()):
        if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()):
            findings.append(Finding(student, "", "", 0, HIGH, "tampering",
                                    f"submitted {path.name}: code that the grading kernel could import in place of "
                                    "a real module"))
    return findings


def _read_release(path: Path):
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception:
        return None


def review_class(course_root: Path, assignment: str, *, submitted_directory: str = "submitted",
                 release_directory: str = "notebooks") -> list[Finding]:
    """Findings for every student under ``<course_root>/<submitted_directory>/<student>/<assignment>/``."""
    course_root = Path(course_root)
    release_folder = course_root / release_directory / assignment
    if not release_folder.is_dir():
        raise ValueError(f"assignment: no released notebooks at {release_folder}; expected "
                         f"{release_directory}/{assignment}/*.ipynb under the course root.")
    expected = {path.stem: _read_release(path) for path in sorted(release_folder.glob("*.ipynb"))}
    findings = []
    for student_folder in sorted((course_root / submitted_directory).glob(f"*/{assignment}")):
        findings += review_submission(student_folder, student=student_folder.parent.name, expected=expected)
    return findings


def write_reports(findings: list[Finding], folder: Path, *, title: str) -> tuple[Path, Path]:
    """Write ``integrity.csv`` (one row per finding) and ``integrity.md`` (grouped by student) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, markdown_path = folder / "integrity.csv", folder / "integrity.md"
    order = {HIGH: 0, REVIEW: 1, INFO: 2}
    findings = sorted(findings, key=lambda f: (f.student, order.get(f.severity, 3), f.notebook, f.cell, f.line))
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[field.name for field in fields(Finding)])
        writer.writeheader()
        writer.writerows(asdict(finding) for finding in findings)
    lines = [f"# Integrity report: {title}", "",
             "Static analysis of the submitted code: reasons to read a notebook, not verdicts. "
             "`high`: only makes sense to game the grading; `review`: unusual, may be innocent.", ""]
    if not findings:
        lines.append("Nothing to report.")
    students = sorted({finding.student for finding in findings})
    for student in students:
        own = [finding for finding in findings if finding.student == student]
        worst = min(order.get(finding.severity, 3) for finding in own)
        lines += [f"## {student or '(course)'} ({[HIGH, REVIEW, INFO][worst]})", ""]
        for finding in own:
            where = " ".join(part for part in (finding.notebook, finding.cell,
                                               f"line {finding.line}" if finding.line else "") if part)
            lines.append(f"- **{finding.severity}** {finding.category}: {finding.detail} ({where})")
        lines.append("")
    markdown_path.write_text("\n".join(lines), encoding="utf-8")
    return csv_path, markdown_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course.grading.integrity", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="assignment id, e.g. 04_gates")
    parser.add_argument("--course-root", default=".", help="the course folder (default: current folder)")
    parser.add_argument("--submitted", default="submitted", help="folder of collected submissions")
    parser.add_argument("--release", default="notebooks", help="folder of released (student) notebooks")
    parser.add_argument("--output", default=None, help="report folder (default: reports/<assignment>)")
    parser.add_argument("--autograded", default="autograded",
                        help="folder of autograded notebooks, read for what the grading sandbox denied (if present)")
    options = parser.parse_args(argv)
    findings = review_class(Path(options.course_root), options.assignment,
                            submitted_directory=options.submitted, release_directory=options.release)
    denied = review_autograded(Path(options.course_root), options.assignment, autograded_directory=options.autograded)
    findings += [finding for student in denied.values() for finding in student]
    output = Path(options.output or Path(options.course_root) / "reports" / options.assignment)
    csv_path, markdown_path = write_reports(findings, output, title=options.assignment)
    flagged = sorted({finding.student for finding in findings if finding.severity == HIGH})
    print(f"{len(findings)} findings; high for {len(flagged)} students: {', '.join(flagged) or 'none'}")
    print(f"Wrote {csv_path} and {markdown_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
