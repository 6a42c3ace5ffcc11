"""Every public address of the course, derived from the one line that names the repository.

That line is ``Repository`` under ``[project.urls]`` in ``pyproject.toml``. A fork changes it, runs
``python scripts/update_links.py`` (which rewrites the README's badges and the notebooks' install cell from it,
then regenerate the student notebooks), and every launch link, badge and install line follows:

- ``install_requirement``: what the notebooks' first cell gives ``pip`` where the course is missing (Colab, a
  bare Jupyter): the repository's branch as a zip archive, so no ``git`` is needed;
- ``binder(path)``: mybinder.org builds the repository from ``environment.yml`` and opens ``path`` in JupyterLab;
- ``colab(path)``: Colab opens the notebook straight from GitHub;
- ``jupyterhub(path)``: an nbgitpuller link: the hub clones (or updates) the repository into the learner's home
  and opens ``path``. The hub is the instructor's own, ``[tool.lstm-course] jupyterhub`` in ``pyproject.toml``
  (or ``JUPYTERHUB_URL`` for one site build).

Only the standard library is used (and ``tomli`` on Python 3.10, which lacks ``tomllib``), so the site build,
the tests and the update script can read it anywhere.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the Python 3.10 run of scripts/test_all.sh
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parents[1]
GITHUB = re.compile(r"^https://github\.com/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)/?$")
BINDERHUB = "https://mybinder.org"
COLAB = "https://colab.research.google.com"
DISTRIBUTION = "lstm-course"  # the name pip knows the course by ([project] name)


def read_pyproject(root: Path = REPO_ROOT) -> dict:
    """``pyproject.toml`` of the checkout at ``root``, parsed."""
    return tomllib.loads((Path(root) / "pyproject.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class CourseLinks:
    """The course's public addresses. ``repository`` is a GitHub URL, https://github.com/OWNER/NAME."""

    repository: str
    branch: str = "main"
    hub: str = "https://hub.example.org"

    def __post_init__(self):
        if not GITHUB.match(self.repository):
            raise ValueError(f"[project.urls] Repository must be a GitHub address, https://github.com/OWNER/NAME "
                             f"(Binder and Colab open GitHub repositories); got {self.repository!r}.")

    @property
    def owner(self) -> str:
        return GITHUB.match(self.repository)["owner"]

    @property
    def name(self) -> str:
        return GITHUB.match(self.repository)["name"]

    # ------------------------------------------------------------------------------------------ installing
    @property
    def archive(self) -> str:
        """The branch as a zip archive: what pip installs the course from where it is missing."""
        return f"{self.repository}/archive/refs/heads/{self.branch}.zip"

    @property
    def install_requirement(self) -> str:
        """A pip requirement for the course straight from the repository, e.g. for ``%pip install "..."``."""
        return f"{DISTRIBUTION} @ {self.archive}"

    # ------------------------------------------------------------------------------------------ launching
    def binder(self, path: str = "notebooks") -> str:
        """mybinder.org: build from environment.yml, open ``path`` (relative to the repository) in JupyterLab."""
        return f"{BINDERHUB}/v2/gh/{self.owner}/{self.name}/{self.branch}?urlpath={quote('lab/tree/' + path)}"

    def colab(self, path: str) -> str:
        """Colab: open the notebook at ``path`` (relative to the repository) from GitHub."""
        return f"{COLAB}/github/{self.owner}/{self.name}/blob/{self.branch}/{path}"

    def jupyterhub(self, path: str = "notebooks") -> str:
        """nbgitpuller on the instructor's hub: clone or update the repository, then open ``path`` in it."""
        query = urlencode({"repo": self.repository, "branch": self.branch,
                           "urlpath": f"lab/tree/{self.name}/{path}"})
        return f"{self.hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"

    def badges_markdown(self) -> str:
        """The README's launch badges (shields served by their own sites: images in a README, not in the site)."""
        return "\n".join([
            f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({self.binder()})",
            f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({self.colab('notebooks/01_welcome/01_welcome.ipynb')})",
            f"[![Open on your JupyterHub](https://img.shields.io/badge/launch-JupyterHub-orange?logo=jupyter)]"
            f"({self.jupyterhub()})",
        ])


def course_links(root: Path = REPO_ROOT) -> CourseLinks:
    """The links of the checkout at ``root``, read from its ``pyproject.toml``."""
    pyproject = read_pyproject(root)
    urls = pyproject["project"].get("urls", {})
    if "Repository" not in urls:
        raise KeyError("pyproject.toml has no `Repository` under [project.urls]: the course's public address.")
    settings = pyproject.get("tool", {}).get("lstm-course", {})
    hub = os.environ.get("JUPYTERHUB_URL") or settings.get("jupyterhub", CourseLinks.hub)
    return CourseLinks(urls["Repository"], branch=settings.get("branch", CourseLinks.branch), hub=hub)
