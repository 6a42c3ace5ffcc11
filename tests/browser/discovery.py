"""Which notebooks of the course show a widget: found by reading their code, never from a hard-coded list.

A notebook counts as a widget notebook when one of its code cells
  - imports ``ipywidgets`` (``import ipywidgets``, ``from ipywidgets import interact``, ...), or
  - imports from ``lstm_course.viz`` and reads a ``.view`` attribute: the course's widget builders return an
    object whose ``.view`` is what the notebook displays (CONTRIBUTING.md, "Plots and widgets"), e.g.
    ``gate_explorer("forget").view`` or ``display(scrubber.view)``.

Plain figures (``plot_all_gates()``, ``plt.show()``) do not count: the browser test needs a control to move.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = REPO / "solutions"
STUDENT_NOTEBOOKS = REPO / "notebooks"


def code_cells(notebook: Path) -> list[str]:
    """The source of every code cell of ``notebook`` (a .ipynb path), as strings."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in cells if cell["cell_type"] == "code"]


def _parse(source: str) -> ast.Module | None:
    """Parse one cell as Python; IPython lines (``%magic``, ``!shell``) are blanked first. None if it still fails."""
    python_lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(python_lines))
    except SyntaxError:
        return None


def _imported_modules(tree: ast.AST) -> set[str]:
    """Dotted names of every module imported in ``tree`` (``from a.b import c`` gives ``a.b``)."""
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def shows_widget(notebook: Path) -> bool:
    """True when ``notebook`` displays a widget, by the rule in this module's docstring."""
    modules: set[str] = set()
    reads_view = False
    for source in code_cells(notebook):
        tree = _parse(source)
        if tree is None:
            continue
        modules |= _imported_modules(tree)
        reads_view |= any(isinstance(node, ast.Attribute) and node.attr == "view" for node in ast.walk(tree))
    imports_ipywidgets = any(name == "ipywidgets" or name.startswith("ipywidgets.") for name in modules)
    imports_course_viz = any(name == "lstm_course.viz" or name.startswith("lstm_course.viz.") for name in modules)
    return imports_ipywidgets or (imports_course_viz and reads_view)


def widget_cell_count(notebook: Path) -> int:
    """How many code cells of ``notebook`` read a ``.view`` (display a course widget): each shows one view or more."""
    count = 0
    for source in code_cells(notebook):
        tree = _parse(source)
        if tree is not None and any(isinstance(node, ast.Attribute) and node.attr == "view" for node in ast.walk(tree)):
            count += 1
    return count


def widget_notebooks(solutions: Path = SOLUTIONS) -> list[Path]:
    """The instructor notebooks (``solutions/NN_topic/NN_topic.ipynb``) that show a widget, sorted by unit."""
    return [notebook for notebook in sorted(solutions.glob("*/*.ipynb"))
            if ".ipynb_checkpoints" not in notebook.parts and shows_widget(notebook)]


def student_notebooks(notebooks: Path = STUDENT_NOTEBOOKS) -> list[Path]:
    """Every generated student notebook (``notebooks/NN_topic/NN_topic.ipynb``), sorted by unit: found from the
    folders, so a new unit is tested as soon as it is generated."""
    return sorted(notebook for notebook in notebooks.glob("*/*.ipynb") if ".ipynb_checkpoints" not in notebook.parts)


def tagged_test_cells(notebook: Path) -> list[int]:
    """Positions, among the code cells, of the cells tagged ``raises-exception`` (the public test cells): in a
    fresh student notebook each fails, and Run All Cells goes on past it."""
    cells = [cell for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]
    return [index for index, cell in enumerate(cells) if "raises-exception" in cell["metadata"].get("tags", [])]


def first_student_notebook(notebooks: Path = STUDENT_NOTEBOOKS) -> Path | None:
    """The first generated student notebook (unit 01 when it exists), for the nbgrader Validate check."""
    found = sorted(notebook for notebook in notebooks.glob("*/*.ipynb") if ".ipynb_checkpoints" not in notebook.parts)
    return found[0] if found else None
