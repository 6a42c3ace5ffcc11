"""The committed student notebooks are exactly what the instructor notebooks generate.

``notebooks/`` is never edited by hand: ``scripts/generate_notebooks.py`` makes it from ``solutions/`` with
nbgrader. These tests regenerate every unit into a temporary folder and compare byte for byte, so a change to
a solution notebook that was not followed by a regeneration (or a hand edit of a student notebook) fails here
with the command that fixes it. They also check the generation is deterministic, and that the full test
command's nbval run collects the instructor notebooks and never the student ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notebooks.course_harness import RELEASE_DIR, REPO_ROOT, SOURCE_DIR, kernel_environment

GENERATOR = REPO_ROOT / "scripts" / "generate_notebooks.py"


def _generate(output: Path) -> None:
    """Run the generator exactly as a developer does, into ``output``."""
    completed = subprocess.run(
        [sys.executable, str(GENERATOR), "--output", str(output)],
        cwd=REPO_ROOT, env=kernel_environment(), capture_output=True, text=True,
    )
    assert completed.returncode == 0, f"generate_notebooks.py failed:\n{completed.stdout}{completed.stderr}"


def _files(folder: Path) -> dict[str, bytes]:
    """{path relative to folder: content} of every file below ``folder`` (checkpoints and caches left out)."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(path.parts)
    }


def _differing_cells(committed: bytes, generated: bytes) -> str:
    """Which cells differ between two versions of a notebook, to point the developer at the change."""
    try:
        old, new = json.loads(committed), json.loads(generated)
    except ValueError:
        return "  (the committed file is not valid JSON)"
    old_cells = {c.get("id"): c for c in old.get("cells", [])}
    new_cells = {c.get("id"): c for c in new.get("cells", [])}
    changed = [cell_id for cell_id in new_cells if old_cells.get(cell_id) != new_cells[cell_id]]
    removed = [cell_id for cell_id in old_cells if cell_id not in new_cells]
    details = []
    if changed:
        details.append(f"  cells changed or added: {changed[:10]}")
    if removed:
        details.append(f"  cells no longer in the source: {removed[:10]}")
    if not details:
        details.append("  same cells; notebook metadata, cell order or formatting differ")
    return "\n".join(details)


@pytest.mark.slow
def test_committed_student_notebooks_match_the_solutions(tmp_path):
    generated_root = tmp_path / "generated"
    _generate(generated_root)
    units = sorted(p.name for p in SOURCE_DIR.iterdir() if (p / f"{p.name}.ipynb").is_file())
    problems = []
    for unit in units:
        fix = f"run `python scripts/generate_notebooks.py {unit}` and commit notebooks/{unit}/"
        committed, generated = _files(RELEASE_DIR / unit), _files(generated_root / unit)
        if not committed:
            problems.append(f"notebooks/{unit}/ is missing: {fix}")
            continue
        for name in sorted(set(committed) | set(generated)):
            where = f"notebooks/{unit}/{name}"
            if name not in generated:
                problems.append(f"{where} is not generated from solutions/{unit}/ (stale or hand-made): {fix}")
            elif name not in committed:
                problems.append(f"{where} is missing: {fix}")
            elif committed[name] != generated[name]:
                problems.append(
                    f"{where} differs from what solutions/{unit}/ generates: {fix}\n"
                    + _differing_cells(committed[name], generated[name])
                )
    orphans = sorted(p.name for p in RELEASE_DIR.iterdir() if p.is_dir() and p.name not in units) \
        if RELEASE_DIR.is_dir() else []
    problems += [f"notebooks/{name}/ has no solutions/{name}/{name}.ipynb: remove it or add the source" for name in orphans]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_generation_is_deterministic(tmp_path):
    _generate(tmp_path / "first")
    _generate(tmp_path / "second")
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert first, "nothing was generated"
    assert first == second, f"two generations differ in {[n for n in first if first[n] != second.get(n)]}"


@pytest.mark.slow
def test_full_test_command_collects_every_solution_notebook_as_slow():
    """The full command (`pytest -m "" --nbval-lax --nbval-current-env tests solutions`) runs every solution
    notebook through nbval; without `-m ""` (the fast loop) their cells are deselected as slow. Student
    notebooks are never passed to it: their exercises are meant to fail."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "", "--nbval-lax", "--nbval-current-env",
         "-p", "no:cacheprovider", "solutions"],
        cwd=REPO_ROOT, env=kernel_environment(), capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    items = [line for line in completed.stdout.splitlines() if "::" in line]
    for unit in sorted(p.name for p in SOURCE_DIR.iterdir() if (p / f"{p.name}.ipynb").is_file()):
        assert any(line.startswith(f"solutions/{unit}/{unit}.ipynb::") for line in items), (
            f"nbval does not collect solutions/{unit}/{unit}.ipynb"
        )

    slow_only = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "--nbval-lax", "--nbval-current-env",
         "-p", "no:cacheprovider", "solutions"],
        cwd=REPO_ROOT, env=kernel_environment(), capture_output=True, text=True,
    )
    assert "::" not in slow_only.stdout, "notebook cells are not marked slow: the fast loop would execute them"
