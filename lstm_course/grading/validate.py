"""Validate notebooks the way ``nbgrader validate`` does, but exit non-zero when anything fails.

``nbgrader validate`` prints which tests failed and still exits 0, so a script, a CI job or a pre-submit check
cannot tell a good notebook from a broken one. This command runs nbgrader's own validator on each notebook,
prints what a learner needs to read (the failing cells and their messages), and exits

    0  every test cell passed
    1  a test failed, a graded cell was changed or changed type, or the notebook could not be read or run
    2  no notebook was given

    lstm-validate 04_gates/04_gates.ipynb        # installed with the course; works from any folder
    python -m lstm_course.grading.validate ...  # the same (or, in the repository: python scripts/validate.py)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from .limits import current_limits


def validate_notebook(path: Path, *, timeout: int | None = None) -> list[str]:
    """Problems found in the notebook at ``path`` (an empty list when every test passes).

    ``timeout``: seconds per cell (default: the course's grading limit).
    """
    from nbgrader.validator import Validator
    from traitlets.config import Config

    path = Path(path)
    if not path.is_file():
        return [f"{path}: no such notebook."]
    try:
        nbformat.read(str(path), as_version=4)
    except Exception as error:
        return [f"{path.name} is not a readable notebook ({type(error).__name__}). Was it saved from Jupyter? "
                "Download a fresh copy and copy your answers into it."]
    config = Config()
    config.Execute.timeout = timeout or current_limits().cell_timeout_seconds
    try:
        results = Validator(config=config).validate(str(path))
    except Exception as error:  # the kernel died, a cell hung: the notebook cannot be validated
        return [f"{path.name} could not be run to the end: {type(error).__name__}: {error}"]
    problems = []
    for cell in results.get("type_changed", []):
        problems.append(f"A graded cell changed type (from {cell['old_type']} to {cell['new_type']}): undo that "
                        f"change.\n{_indent(cell['source'])}")
    for cell in results.get("changed", []):
        problems.append(f"A test cell was edited; it will be put back when graded, so your answer must pass the "
                        f"original:\n{_indent(cell['source'])}")
    for cell in results.get("failed", []):
        problems.append(f"This test fails:\n{_indent(cell['source'])}\n{_indent(cell.get('raw_error', ''))}")
    return problems


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lstm-validate", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to validate")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell (default: the grading limit)")
    options = parser.parse_args(argv)
    if not options.notebooks:
        parser.print_usage(sys.stderr)
        print("validate: give at least one notebook.", file=sys.stderr)
        return 2
    failed = 0
    for name in options.notebooks:
        problems = validate_notebook(Path(name), timeout=options.timeout)
        if problems:
            failed += 1
            print(f"✘ {name}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
            for problem in problems:
                print(_indent(problem))
        else:
            print(f"✔ {name}: every test passed.")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
