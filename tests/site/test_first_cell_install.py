"""A learner in Colab or a bare Jupyter opens a notebook: its first cell installs the course, and the notebook
then runs as it does locally (slow: a fresh virtual environment, about 2-4 min, mostly pip).

The environment is what such a learner has: Python and a Jupyter kernel (ipykernel), no course and none of its
dependencies. The course is installed from a wheel built here from a clean clone, in place of the repository's
address (the only change made to the cell, after checking the cell names exactly the address that
[project.urls] Repository gives)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.site.leaks import REPO

sys.path.insert(0, str(REPO / "scripts"))
from course_links import course_links  # noqa: E402

pytestmark = pytest.mark.slow
UNIT = "01_welcome"  # the quickest unit; every notebook opens with the same cell (tests/site/test_links.py)


def _run(command, **options):
    result = subprocess.run(command, capture_output=True, text=True, **options)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def bare_jupyter(tmp_path_factory):
    """(kernel name, its python, JUPYTER_PATH, the course's wheel): a kernel without the course."""
    scratch = tmp_path_factory.mktemp("bare-jupyter")
    clone = scratch / "clone"
    _run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)])
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "-w", str(scratch / "dist"), str(clone)])
    wheel = next((scratch / "dist").glob("lstm_course-*.whl"))

    environment = scratch / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "ipykernel"])
    missing = subprocess.run([str(python), "-c", "import lstm_course"], capture_output=True, text=True, cwd=scratch)
    assert missing.returncode != 0, "the fresh environment must start without the course"
    _run([str(python), "-m", "ipykernel", "install", "--prefix", str(scratch / "jupyter"), "--name", "bare"])
    return "bare", python, scratch / "jupyter" / "share" / "jupyter", wheel


def _notebook_with_local_wheel(path: Path, wheel: Path):
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    requirement = course_links().install_requirement
    assert requirement in first.source, "the first cell must install from [project.urls] Repository"
    first.source = first.source.replace(requirement, f"lstm-course @ {wheel.as_uri()}")
    return notebook


def _execute(notebook, kernel, jupyter_path, folder, monkeypatch, allow_errors):
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))
    monkeypatch.delenv("PYTHONPATH", raising=False)  # the kernel must not see this checkout's packages
    client = NotebookClient(notebook, kernel_name=kernel, timeout=900, allow_errors=allow_errors,
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def _errors(notebook) -> list[tuple[int, str, str]]:
    return [(index, output.get("ename", ""), output.get("evalue", "")[:200])
            for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def test_the_first_cell_installs_the_course_and_the_notebooks_run(bare_jupyter, tmp_path, monkeypatch):
    kernel, python, jupyter_path, wheel = bare_jupyter
    folder = tmp_path / UNIT
    shutil.copytree(REPO / "notebooks" / UNIT, folder)

    # The student notebook: installed by its first cell, then every cell runs; the only errors are the
    # unfinished exercises' checks, as on a laptop.
    student = _execute(_notebook_with_local_wheel(folder / f"{UNIT}.ipynb", wheel), kernel, jupyter_path, folder,
                       monkeypatch, allow_errors=True)
    assert not any(o.get("output_type") == "error" for o in student.cells[0].outputs), student.cells[0].outputs
    installed = subprocess.run([str(python), "-c", "import lstm_course, lstm_ref; print(lstm_course.__file__)"],
                               capture_output=True, text=True, cwd=tmp_path)
    assert installed.returncode == 0 and str(python.parents[1]) in installed.stdout, installed
    errors = _errors(student)
    assert not [e for e in errors if e[1] in ("ModuleNotFoundError", "ImportError", "NameError")], errors
    assert errors and all(name == "CheckFailed" for _, name, _ in errors), errors

    # The instructor notebook in the same environment: every cell passes (the hidden tests too, which start
    # their own Python process), and the first cell, with the course now present, does nothing.
    shutil.copy(REPO / "solutions" / UNIT / f"{UNIT}.ipynb", folder / "solution.ipynb")
    solution = _execute(_notebook_with_local_wheel(folder / "solution.ipynb", wheel), kernel, jupyter_path, folder,
                        monkeypatch, allow_errors=False)
    assert solution.cells[0].outputs == [], "with the course installed, the first cell must do nothing"
    assert not _errors(solution)
    json.dumps(nbformat.writes(solution))  # still a valid notebook
