"""scripts/validate.py exits non-zero when a notebook's tests fail (nbgrader validate exits 0 either way)."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def tiny_notebook(answer: str):
    """A two-cell nbgrader notebook: an exercise and its test (a failure message that teaches)."""
    def cell(source, **flags):
        made = nbformat.v4.new_code_cell(source)
        made.metadata["nbgrader"] = {"grade_id": flags.pop("grade_id"), "schema_version": 3, "solution": False,
                                     "grade": False, "locked": False, **flags}
        return made

    return nbformat.v4.new_notebook(cells=[
        cell(f"def double(x):\n    {answer}", grade_id="double", solution=True),
        cell("if double(2) != 4:\n    raise AssertionError(f'double(2) should be 4, got {double(2)}')",
             grade_id="test_double", grade=True, locked=True, points=1),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def validate(*paths):
    return subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "validate.py"), *map(str, paths)],
                          capture_output=True, text=True, timeout=300)


def test_no_notebook_is_a_usage_error():
    finished = validate()
    assert finished.returncode == 2 and "give at least one notebook" in finished.stderr


def test_a_missing_or_unreadable_notebook_fails(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    finished = validate(tmp_path / "absent.ipynb", broken)
    assert finished.returncode == 1
    assert "no such notebook" in finished.stdout and "not a readable notebook" in finished.stdout


@pytest.mark.slow
def test_passing_and_failing_notebooks_are_told_apart(tmp_path):
    good, bad = tmp_path / "good.ipynb", tmp_path / "bad.ipynb"
    nbformat.write(tiny_notebook("return 2 * x"), str(good))
    nbformat.write(tiny_notebook("return x + 1"), str(bad))
    passed = validate(good)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "every test passed" in passed.stdout
    failed = validate(good, bad)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bad.ipynb: 1 problem" in failed.stdout and "double(2) should be 4, got 3" in failed.stdout
    # and nbgrader's own command, for the record, does not fail
    plain = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(bad)], capture_output=True, text=True,
                           cwd=tmp_path, timeout=300)
    assert plain.returncode == 0 and "failed" in (plain.stdout + plain.stderr).lower()


# A student validates from their own folder: the installed command, run outside the repository.

def validate_from(folder, *paths):
    """``lstm-validate`` (pyproject's [project.scripts]) run in ``folder``, with nothing pointing at the repo."""
    command = Path(sys.executable).parent / "lstm-validate"
    environment = {name: value for name, value in __import__("os").environ.items() if name != "PYTHONPATH"}
    return subprocess.run([str(command), *map(str, paths)], cwd=folder, env=environment, capture_output=True,
                          text=True, timeout=300)


def test_the_installed_command_works_from_a_students_folder(tmp_path):
    assert not str(tmp_path).startswith(str(REPO_ROOT))
    (tmp_path / "04_gates").mkdir()
    (tmp_path / "04_gates" / "04_gates.ipynb").write_text("{ not json")
    usage = validate_from(tmp_path)
    assert usage.returncode == 2 and "give at least one notebook" in usage.stderr
    broken = validate_from(tmp_path, "04_gates/04_gates.ipynb")
    assert broken.returncode == 1 and "not a readable notebook" in broken.stdout


@pytest.mark.slow
def test_a_students_notebook_passes_and_fails_from_their_own_folder(tmp_path):
    nbformat.write(tiny_notebook("return 2 * x"), str(tmp_path / "good.ipynb"))
    nbformat.write(tiny_notebook("return x + 1"), str(tmp_path / "bad.ipynb"))
    passed = validate_from(tmp_path, "good.ipynb")
    assert passed.returncode == 0 and "every test passed" in passed.stdout, passed.stdout + passed.stderr
    failed = validate_from(tmp_path, "bad.ipynb")
    assert failed.returncode == 1 and "double(2) should be 4, got 3" in failed.stdout
