"""Find solution text in a built site: what the site test uses to prove no solution reached a page.

The solutions are read from the instructor notebooks (``solutions/<id>/<id>.ipynb``): every line between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` and between the hidden-test markers, and the whole text of each
written answer (markdown cells with ``solution: true``). Lines that also occur in the student notebooks (a
``return h`` the stub keeps) or that are too short to be telling are left out. A built file is searched as a
reader would see it: an HTML page by its visible text (syntax highlighting splits code into many tags), a
notebook by its cells' text, anything else as it is.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REGIONS = [("### BEGIN SOLUTION", "### END SOLUTION"), ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]
MIN_LENGTH = 16  # shorter lines ("h = o * tanh(c)") are kept only if the student notebooks never contain them
SEARCHED = {".html", ".ipynb", ".txt", ".js", ".json", ".md", ".py"}


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def solution_lines(repo: Path = REPO) -> set[str]:
    """The telling lines of every solution region, hidden test and written answer of the course."""
    student_text = ""
    for notebook in (repo / "notebooks").glob("*/*.ipynb"):
        student_text += "\n".join(_text(c) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"])
    student_text = _normalise(student_text.replace("`", ""))  # as a page shows markdown's inline code
    lines = set()
    for notebook in (repo / "solutions").glob("*/*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            text, meta = _text(cell), cell.get("metadata", {}).get("nbgrader", {})
            regions = []
            if cell["cell_type"] == "markdown" and meta.get("solution"):
                regions.append(text)
            for begin, end in REGIONS:
                regions += [part.split(end)[0] for part in text.split(begin)[1:]]
            for region in regions:
                for line in region.splitlines():
                    line = _normalise(line)
                    if len(line) >= MIN_LENGTH and line not in student_text and not line.startswith("#"):
                        lines.add(line)
    return lines


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def readable_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        parser = _VisibleText()
        parser.feed(raw)
        return _normalise(html.unescape("".join(parser.parts)))
    if path.suffix == ".ipynb":
        cells = json.loads(raw).get("cells", [])
        return _normalise("\n".join(_text(c) + "\n" + json.dumps(c.get("outputs", [])) for c in cells))
    return _normalise(raw)


def leaks(site: Path, lines: set[str] | None = None) -> list[str]:
    """'file: line' for every solution line found in a file of the built ``site``."""
    lines = solution_lines() if lines is None else lines
    found = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in SEARCHED:
            text = readable_text(path)
            found += [f"{path.relative_to(site)}: {line}" for line in lines if line in text]
    return found
