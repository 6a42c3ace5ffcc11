"""pyproject.toml (pip users) and environment.yml (conda and Binder users) must ask for the same packages with
the same version bounds, so both kinds of learner get the course we test."""

import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the dev extras install tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")

# Packages that are pip-only on purpose (PyTorch's CPU build is installed from its own wheel) and conda-only
# tooling that pip users get with Python itself.
PIP_ONLY = {"torch"}
CONDA_ONLY = {"python", "pip"}
# environment.yml pins Python 3.11: a pip requirement whose marker excludes it (e.g. tomli, for 3.10 only) has
# no conda counterpart.
CONDA_PYTHON = {"python_version": "3.11", "python_full_version": "3.11.0"}


def parse(requirement: str) -> tuple[str, str]:
    """Split "name>=1,<2" into ("name", ">=1,<2") with the name normalised and spaces dropped."""
    match = REQUIREMENT.match(requirement)
    assert match, f"cannot read requirement {requirement!r}"
    name, bounds = match.groups()
    return name.lower().replace("_", "-"), bounds.replace(" ", "")


def applies_to_conda_python(requirement: str) -> bool:
    """False for a requirement whose environment marker (after ';') excludes environment.yml's Python."""
    _, _, marker = requirement.partition(";")
    return not marker.strip() or Marker(marker).evaluate(CONDA_PYTHON)


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    requirements = [r for r in requirements if applies_to_conda_python(r)]
    return dict(parse(r) for r in requirements if parse(r)[0] not in PIP_ONLY)


def conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    return dict(parse(d.replace("=", "==", 1) if re.match(r"^[\w\-]+=[^=]", d) else d)
                for d in conda if parse(d)[0] not in CONDA_ONLY)


def test_environment_uses_conda_forge_and_python_311():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    assert "python=3.11" in environment["dependencies"]


def test_same_packages_and_bounds():
    pip_side, conda_side = pyproject_requirements(), conda_requirements()
    missing_in_conda = sorted(set(pip_side) - set(conda_side))
    missing_in_pip = sorted(set(conda_side) - set(pip_side))
    assert not missing_in_conda, f"in pyproject.toml but not environment.yml: {missing_in_conda}"
    assert not missing_in_pip, f"in environment.yml but not pyproject.toml: {missing_in_pip}"
    differing = {name: (pip_side[name], conda_side[name]) for name in pip_side if pip_side[name] != conda_side[name]}
    assert not differing, f"version bounds differ (pyproject, environment.yml): {differing}"


def test_environment_installs_the_project_itself():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_a_marker_for_another_python_is_left_out_and_one_for_311_is_kept():
    assert not applies_to_conda_python("tomli>=1.1; python_version < '3.11'")
    assert applies_to_conda_python("tomli>=1.1; python_version >= '3.11'")
    assert applies_to_conda_python("numpy>=1.26")


def test_no_binder_folder_hides_environment_yml():
    # Binder (repo2docker) reads its configuration from binder/ or .binder/ when either exists and then ignores
    # the repository's root, environment.yml included: the course's environment must stay the one it builds.
    assert (ROOT / "environment.yml").is_file()
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()


@pytest.mark.parametrize("extra", ["dev", "torch", "site"])
def test_extras_exist(extra):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["optional-dependencies"][extra], f"extra [{extra}] is empty"
