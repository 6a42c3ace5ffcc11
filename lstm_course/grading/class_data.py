"""Where one class's own records live: ``class-data/`` in the course root, a folder git ignores.

Everything in it belongs to one run of the course and names students, so it never goes into the repository:

    class-data/deadlines.yaml        due dates, the late penalty and extensions (lstm_course/grading/deadlines.py)
    class-data/grades.csv            the grades file of record (lstm_course/grading/export.py)
    class-data/canvas-grades.csv     the same grades as a Canvas gradebook import
    class-data/graded-answers/       what each hand grade was given for (lstm_course/grading/regrade.py)

nbgrader's own folders (``submitted/``, ``autograded/``, ``feedback/``, ``gradebook.db``) stay where nbgrader
puts them, beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_NAME = "class-data"


def class_data_folder(course_root: str | os.PathLike) -> Path:
    """``<course_root>/class-data`` (not created)."""
    return Path(course_root) / FOLDER_NAME


def course_root_of(configurable) -> Path:
    """The course root of a running nbgrader command, found from one of its parts (a preprocessor, a plugin).

    nbgrader hands preprocessors and plugins no course directory, but each is a child (``.parent``) of the
    exporter, whose parent is the converter holding ``coursedir``. nbgrader's converters also work from the
    course root (they ``chdir`` there), which is the fallback.
    """
    node = configurable
    while node is not None:
        coursedir = getattr(node, "coursedir", None)
        if coursedir is not None and getattr(coursedir, "root", None):
            return Path(coursedir.root)
        node = getattr(node, "parent", None)
    return Path.cwd()
