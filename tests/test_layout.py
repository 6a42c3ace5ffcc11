"""The layout's one rule: ``lstm_ref`` is the reference and knows nothing of the course built on it.

- importing ``lstm_ref``, or any module in it, loads no module of ``lstm_course`` and none of ipywidgets,
  matplotlib or nbgrader (checked in a fresh Python, where nothing else was imported first);
- no module of either package imports ``lstm_course`` from inside ``lstm_ref`` (read from the source, lazy
  imports inside functions included, so a late import cannot hide the reverse direction);
- no import cycle between the modules of the two packages.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("lstm_ref", "lstm_course")
FORBIDDEN_IN_REFERENCE = ("lstm_course", "ipywidgets", "matplotlib", "nbgrader")


def modules_of(package: str) -> dict[str, Path]:
    """Every module of ``package`` (its ``__init__`` as the package's own name) and its source file."""
    root = REPO / package
    found = {package: root / "__init__.py"}
    for info in pkgutil.walk_packages([str(root)], prefix=f"{package}."):
        path = root.joinpath(*info.name.split(".")[1:])
        found[info.name] = path / "__init__.py" if info.ispkg else path.with_suffix(".py")
    return found


ALL_MODULES = {name: path for package in PACKAGES for name, path in modules_of(package).items()}


def imported_modules(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports anywhere in its source (top level or inside a function)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in ALL_MODULES else base)
    project = set()
    for target in targets:
        # ``import lstm_ref.gates`` depends on lstm_ref.gates; ``import numpy`` on nothing of ours.
        while target and target not in ALL_MODULES:
            target = target.rpartition(".")[0]
        if target and target != name:
            project.add(target)
    return project


IMPORT_GRAPH = {name: imported_modules(name, path) for name, path in ALL_MODULES.items()}


@pytest.mark.parametrize("module", sorted(modules_of("lstm_ref")))
def test_importing_the_reference_loads_nothing_of_the_course(module):
    script = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    offenders = sorted(name for name in loaded if name.split(".")[0] in FORBIDDEN_IN_REFERENCE)
    assert not offenders, f"importing {module} loaded {offenders}: lstm_ref must stand alone"


def test_no_module_of_the_reference_imports_the_course_even_lazily():
    reversed_edges = sorted(f"{name} -> {target}" for name, targets in IMPORT_GRAPH.items()
                            if name.startswith("lstm_ref") for target in targets if target.startswith("lstm_course"))
    assert not reversed_edges, f"lstm_ref imports the course: {reversed_edges}"


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm): each is an import cycle."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                lowlink[node] = min(lowlink[node], lowlink[target])
            elif target in on_stack:
                lowlink[node] = min(lowlink[node], index[target])
        if lowlink[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_find_cycles_finds_a_planted_cycle():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_the_modules_of_the_two_packages():
    # A package's __init__ re-exporting its own modules is not a cycle unless a module imports the __init__ back.
    assert find_cycles(IMPORT_GRAPH) == []
