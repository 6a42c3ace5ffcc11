#!/usr/bin/env python
"""Generate the student notebooks (``notebooks/<id>/``) from the instructor notebooks (``solutions/<id>/``).

Usage (from anywhere; paths are found from this file's location):

    python scripts/generate_notebooks.py                    # every unit in solutions/
    python scripts/generate_notebooks.py 01_welcome 04_gates
    python scripts/generate_notebooks.py --output DIR       # write DIR/<id>/ instead of notebooks/<id>/

How: nbgrader itself does the work. This runs nbgrader's "generate assignment" converter (what the command
``nbgrader generate_assignment`` runs) in-process, with the repository's ``nbgrader_config.py``, in a temporary
course folder with the database switched off (as ``--no-db`` does). The converter locks the read-only cells,
replaces each solution region with the stub, strips hidden tests and outputs, and records checksums. The
result then replaces ``notebooks/<id>/`` as a whole, so a file removed from ``solutions/<id>/`` disappears
there too, and nothing else (gradebook, logs) is ever written into the repository.

Determinism: the same solution notebook always gives a byte-identical student notebook, which is what lets
``tests/notebooks/test_sync.py`` compare the committed ``notebooks/`` with a fresh generation. That needs
stable cell ids, so sources must be nbformat 4.5 or later with an ``id`` on every cell (nbformat would invent
random ones otherwise); this script refuses notebooks without them.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO_ROOT / "solutions"
RELEASE_DIR = REPO_ROOT / "notebooks"
CONFIG_FILE = REPO_ROOT / "nbgrader_config.py"

# Never copied into the temporary course: editor and interpreter leftovers.
IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


class GenerationError(Exception):
    """A solution notebook that cannot be turned into a student notebook; the message says why and where."""


def available_units(source_dir: Path = SOURCE_DIR) -> list[str]:
    """Unit ids with an instructor notebook, i.e. every ``<id>`` with ``solutions/<id>/<id>.ipynb``, sorted."""
    if not source_dir.is_dir():
        return []
    return sorted(p.name for p in source_dir.iterdir() if (p / f"{p.name}.ipynb").is_file())


def check_source_notebook(path: Path) -> None:
    """Refuse a source notebook the generation could not reproduce byte for byte.

    Raises GenerationError if the file is not JSON, is older than nbformat 4.5, or has a cell without an id.
    """
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GenerationError(f"{path.relative_to(REPO_ROOT)}: cannot read it as a notebook ({error}).") from error
    version = (notebook.get("nbformat", 0), notebook.get("nbformat_minor", 0))
    if version < (4, 5):
        raise GenerationError(
            f"{path.relative_to(REPO_ROOT)}: nbformat {version[0]}.{version[1]}; the course needs 4.5 or later "
            "(stable cell ids). Save it with nbformat.v4.new_notebook() / JupyterLab 4, or upgrade it with "
            "nbformat.validator.normalize and commit the result."
        )
    missing = [index for index, cell in enumerate(notebook.get("cells", [])) if not cell.get("id")]
    if missing:
        raise GenerationError(f"{path.relative_to(REPO_ROOT)}: cells {missing} have no `id`; give every cell one.")


def _nbgrader_config(course_root: Path):
    """The repository's nbgrader configuration, pointed at a temporary course and with the database off."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    config.CourseDirectory.root = str(course_root)
    # The equivalent of `nbgrader generate_assignment --no-db`: no gradebook is created or read.
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False
    config.BaseConverter.force = True
    return config


def generate(unit_ids: list[str], output_dir: Path = RELEASE_DIR) -> list[Path]:
    """Generate ``output_dir/<id>/`` for each unit id from ``solutions/<id>/``; return the notebooks written.

    Each ``output_dir/<id>/`` is replaced as a whole. Raises GenerationError for an unknown unit, a source
    notebook without stable cell ids, or a failure inside nbgrader (its message is passed on).
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory

    known = available_units()
    unknown = [unit for unit in unit_ids if unit not in known]
    if unknown:
        raise GenerationError(f"no solutions/<id>/<id>.ipynb for {unknown}; units found: {known}")
    for unit in unit_ids:
        for notebook in sorted((SOURCE_DIR / unit).glob("*.ipynb")):
            check_source_notebook(notebook)

    written = []
    with tempfile.TemporaryDirectory(prefix="lstm-course-generate-") as scratch:
        course_root = Path(scratch)
        config = _nbgrader_config(course_root)
        source_name = config.CourseDirectory.source_directory
        release_name = config.CourseDirectory.release_directory
        for unit in unit_ids:
            shutil.copytree(SOURCE_DIR / unit, course_root / source_name / unit, ignore=IGNORED)
            coursedir = CourseDirectory(config=config)
            coursedir.assignment_id = unit
            converter = GenerateAssignment(coursedir=coursedir, config=config)
            try:
                converter.start()
            except NbGraderException as error:
                raise GenerationError(f"nbgrader could not generate {unit}: {error}") from error

            generated = course_root / release_name / unit
            target = Path(output_dir) / unit
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(generated, target)
            written.extend(sorted(target.glob("*.ipynb")))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("units", nargs="*", help="unit ids such as 01_welcome (default: every unit in solutions/)")
    parser.add_argument(
        "--output", type=Path, default=RELEASE_DIR,
        help="folder to write <id>/ into (default: the repository's notebooks/)",
    )
    args = parser.parse_args(argv)
    # nbgrader logs every copied file at INFO; only its warnings and errors are worth showing here.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    units = args.units or available_units()
    if not units:
        print("No units found in solutions/: nothing to generate.")
        return 0
    try:
        written = generate(units, args.output)
    except GenerationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        try:
            shown = path.relative_to(REPO_ROOT)
        except ValueError:
            shown = path
        print(f"generated {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
