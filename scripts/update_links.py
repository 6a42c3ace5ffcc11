#!/usr/bin/env python
"""Rewrite every place that names the course's public address from ``[project.urls] Repository``.

    python scripts/update_links.py            # rewrite, then: python scripts/generate_notebooks.py
    python scripts/update_links.py --check    # exit 1 (saying what is stale) instead of rewriting

What it writes (scripts/course_links.py derives each address):
- README.md: the launch badges and the install line, between ``<!-- links:start -->`` and ``<!-- links:end -->``;
- solutions/<id>/<id>.ipynb: the first cell, which installs the course where it is missing (Colab, a bare
  Jupyter). The cell is added when a notebook has none.
The site build (scripts/build_site.py) reads the same module, so its launch buttons need no rewriting.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_links import REPO_ROOT, CourseLinks, course_links  # noqa: E402

README_BLOCK = re.compile(r"(<!-- links:start -->\n).*?(<!-- links:end -->)", re.DOTALL)
INSTALL_CELL_ID = "install-course"
INSTALL_GRADE_ID = "install_course"


def readme_block(links: CourseLinks) -> str:
    return (f"{links.badges_markdown()}\n\n"
            "Without cloning (the first cell of every notebook does this by itself in Colab or a bare Jupyter):\n\n"
            f"```bash\npip install \"{links.install_requirement}\"\n```\n")


def install_cell_source(links: CourseLinks) -> str:
    """The notebooks' first cell. It runs before the course exists, so it uses nothing but the standard library
    and IPython's %pip (which installs into the kernel's own environment, wherever that is)."""
    return ("# In Colab or a Jupyter without the course, this installs it first (about a minute, once); elsewhere "
            "it does nothing.\n"
            "import importlib.util\n"
            "if importlib.util.find_spec(\"lstm_course\") is None:\n"
            f"    %pip install --quiet \"{links.install_requirement}\"")


def _source_lines(text: str) -> list[str]:
    """A cell's source as nbformat stores it on disk: lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def install_cell(links: CourseLinks) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": INSTALL_CELL_ID,
        "metadata": {"nbgrader": {"grade": False, "grade_id": INSTALL_GRADE_ID, "locked": True,
                                  "schema_version": 3, "solution": False, "task": False}},
        "outputs": [],
        "source": _source_lines(install_cell_source(links)),
    }


def is_install_cell(cell: dict) -> bool:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == INSTALL_GRADE_ID


def solution_notebooks(root: Path) -> list[Path]:
    """Every unit's instructor notebook, solutions/<id>/<id>.ipynb, found from the folders."""
    return sorted(p / f"{p.name}.ipynb" for p in (root / "solutions").iterdir() if (p / f"{p.name}.ipynb").is_file())


def updated_notebook_text(text: str, links: CourseLinks) -> str:
    notebook = json.loads(text)
    cells = [cell for cell in notebook["cells"] if not is_install_cell(cell)]
    notebook["cells"] = [install_cell(links)] + cells
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def updated_readme_text(text: str, links: CourseLinks) -> str:
    if not README_BLOCK.search(text):
        raise SystemExit("README.md has no <!-- links:start --> ... <!-- links:end --> block to fill.")
    return README_BLOCK.sub(lambda m: m.group(1) + readme_block(links) + m.group(2), text)


def planned_changes(root: Path = REPO_ROOT) -> dict[Path, str]:
    """{path: new text} for every file whose links are stale."""
    links = course_links(root)
    changes = {}
    readme = root / "README.md"
    new = updated_readme_text(readme.read_text(encoding="utf-8"), links)
    if new != readme.read_text(encoding="utf-8"):
        changes[readme] = new
    for path in solution_notebooks(root):
        old = path.read_text(encoding="utf-8")
        new = updated_notebook_text(old, links)
        if new != old:
            changes[path] = new
    return changes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files instead of rewriting them")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    changes = planned_changes(args.root)
    if args.check:
        for path in changes:
            print(f"stale: {path.relative_to(args.root)} (run: python scripts/update_links.py)")
        return 1 if changes else 0
    for path, text in changes.items():
        path.write_text(text, encoding="utf-8")
        print(f"updated {path.relative_to(args.root)}")
    if any(p.suffix == ".ipynb" for p in changes):
        print("now regenerate the student notebooks: python scripts/generate_notebooks.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
