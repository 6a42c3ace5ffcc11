"""What the grading sandbox refused a submission while it was graded, read from its autograded notebook.

Inside the sandbox (``lstm_course.grading.sandbox``) an attempt on something out of reach fails in the student's
own cell, and nbgrader keeps that failure in the autograded notebook's outputs: a write outside the working
folder meets ``OSError: [Errno 30] Read-only file system``, a path of the course tree ``FileNotFoundError`` (it
is not there), ``gradebook.db`` ``sqlite3.OperationalError: unable to open database file``, the network
``ConnectionRefusedError`` or a failed name lookup. This module finds those outputs (error outputs, and tracebacks
or messages printed to the cell's streams) so the grading report can list them next to the student's grade and the
integrity report can name them.

An attempt wrapped in ``try: ... except: pass`` leaves no output; the static review of the code
(``lstm_course.grading.integrity``) still names the call. A denial is evidence of an attempt, not its proof:
a learner who mistyped a data file's path gets a ``FileNotFoundError`` too, hence "read the notebook".
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .findings import HIGH, Finding

# (what was refused, pattern over "ErrorName: message" text). The first that matches names the kind.
DENIAL_KINDS = (
    ("the gradebook or another database", re.compile(r"unable to open database file|readonly database", re.I)),
    ("the network", re.compile(r"Connection refused|Network is unreachable|name resolution|Name or service not "
                               r"known|No address associated|ConnectionRefusedError|gaierror", re.I)),
    ("writing outside its folder", re.compile(r"Read-only file system|Errno 30\b", re.I)),
    ("a file it has no right to", re.compile(r"Permission denied|Operation not permitted|PermissionError", re.I)),
    ("a path outside its folder (not in the sandbox)",
     re.compile(r"(FileNotFoundError|No such file or directory)[^\n]*'(/|\.\./)[^'\n]*'", re.I)),
)
_ERROR_LINE = re.compile(r"^\s*([\w.]*(?:Error|Exception|gaierror)\b[^\n]*)$", re.M)
_MAX_TEXT = 200


def _cell_label(cell, index: int) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index}"


def _error_texts(cell) -> list[str]:
    """Every "Name: message" a code cell's outputs show: its error output and error lines printed to streams."""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            texts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
        elif output.get("output_type") == "stream":
            texts += [match.group(1).strip() for match in _ERROR_LINE.finditer(output.get("text", ""))]
    return texts


def denied_accesses(notebook) -> list[tuple[str, str, str]]:
    """``(cell, kind, error text)`` for each refusal the sandbox left in ``notebook``'s outputs (once per text)."""
    found = []
    seen = set()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for text in _error_texts(cell):
            for kind, pattern in DENIAL_KINDS:
                if pattern.search(text):
                    key = (_cell_label(cell, index), text)
                    if key not in seen:
                        seen.add(key)
                        found.append((key[0], kind, text[:_MAX_TEXT]))
                    break
    return found


def summarize(denials: list[tuple[str, str, str]]) -> str:
    """One line for a report: "cell: error text; ..." ("" when nothing was denied)."""
    return "; ".join(f"{cell}: {text}" for cell, _, text in denials)


def review_autograded(course_root: Path, assignment: str, *, autograded_directory: str = "autograded"
                      ) -> dict[str, list[Finding]]:
    """student -> integrity findings (category ``sandbox``) for what was denied while their notebooks were graded."""
    findings: dict[str, list[Finding]] = {}
    for folder in sorted(Path(course_root, autograded_directory).glob(f"*/{assignment}")):
        student = folder.parent.name
        for path in sorted(folder.glob("*.ipynb")):
            try:
                notebook = nbformat.read(str(path), as_version=4)
            except Exception:
                continue  # a notebook nbgrader could not write is reported by grade_class already
            for cell, kind, text in denied_accesses(notebook):
                findings.setdefault(student, []).append(Finding(
                    student, path.stem, cell, 0, HIGH, "sandbox",
                    f"denied while graded ({kind}): {text}"))
    return findings
