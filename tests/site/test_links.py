"""The course's public address is written once ([project.urls] Repository) and every link follows it.

Fast: reads and rewrites copies of the files, builds nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.site.leaks import REPO

sys.path.insert(0, str(REPO / "scripts"))
import build_site  # noqa: E402
import update_links  # noqa: E402
from course_links import CourseLinks, course_links  # noqa: E402

FORK = "https://github.com/a-fork/their-lstm-course"


def _first_cell(notebook) -> str:
    return "".join(json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]["source"])


def test_the_committed_readme_and_notebooks_follow_pyproject():
    stale = update_links.planned_changes(REPO)
    assert not stale, f"stale links in {sorted(str(p.relative_to(REPO)) for p in stale)}: run python scripts/update_links.py"


def test_the_address_is_written_nowhere_else():
    # Only pyproject.toml names it; README.md and the notebooks carry copies that update_links.py rewrites.
    address = course_links().repository.removeprefix("https://")
    tracked = subprocess.run(["git", "grep", "-l", "-F", address], cwd=REPO, capture_output=True, text=True).stdout
    managed = {"pyproject.toml", "README.md"}
    others = [p for p in tracked.split() if p not in managed and not p.startswith(("solutions/", "notebooks/"))]
    assert not others, f"{address} is written by hand in {others}: derive it from scripts/course_links.py"


def test_changing_the_one_line_changes_every_link(tmp_path):
    old = course_links()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "solutions", tmp_path / "solutions")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(f'Repository = "{old.repository}"', f'Repository = "{FORK}"'))

    assert update_links.main(["--root", str(tmp_path)]) == 0
    new = course_links(tmp_path)
    assert new.repository == FORK
    readme = (tmp_path / "README.md").read_text()
    for link in (new.binder(), new.colab("notebooks/01_welcome/01_welcome.ipynb"), new.jupyterhub(),
                 new.install_requirement):
        assert link in readme
    notebooks = update_links.solution_notebooks(tmp_path)
    assert notebooks
    for notebook in notebooks:
        assert new.install_requirement in _first_cell(notebook), notebook
    config = build_site.book_config(new, tmp_path)
    assert config["repository"]["url"] == FORK
    everything = readme + "".join(n.read_text() for n in notebooks) + json.dumps(config)
    assert old.repository.removeprefix("https://") not in everything
    assert update_links.main(["--root", str(tmp_path), "--check"]) == 0  # and a second run has nothing to do


def test_links_point_where_a_learner_expects():
    links = CourseLinks("https://github.com/someone/course", branch="main", hub="https://hub.uni.edu/")
    assert links.install_requirement == "lstm-course @ https://github.com/someone/course/archive/refs/heads/main.zip"
    assert links.binder("notebooks/04_gates/04_gates.ipynb") == \
        "https://mybinder.org/v2/gh/someone/course/main?urlpath=lab/tree/notebooks/04_gates/04_gates.ipynb"
    assert links.colab("notebooks/04_gates/04_gates.ipynb") == \
        "https://colab.research.google.com/github/someone/course/blob/main/notebooks/04_gates/04_gates.ipynb"
    assert links.jupyterhub().startswith("https://hub.uni.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub")
    assert "urlpath=lab%2Ftree%2Fcourse%2Fnotebooks" in links.jupyterhub()


def test_an_address_binder_and_colab_cannot_open_is_refused():
    with pytest.raises(ValueError, match="GitHub address"):
        CourseLinks("https://gitlab.com/someone/course")


def test_every_notebook_opens_with_the_install_cell():
    for notebook in update_links.solution_notebooks(REPO) + sorted((REPO / "notebooks").glob("*/*.ipynb")):
        first = _first_cell(notebook)
        assert 'find_spec("lstm_course") is None' in first and "%pip install" in first, notebook
