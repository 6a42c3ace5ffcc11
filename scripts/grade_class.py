"""Grade a whole class for one assignment: one autograde run per student, failures recorded, reports written.

    .venv/bin/python scripts/grade_class.py 04_gates --collect            # then, after manual grading:
    .venv/bin/python -m lstm_course.grading.release 04_gates

Run from the course root (the folder with nbgrader_config.py) or pass --course-root. See docs/instructors.md
and lstm_course/grading/grade_class.py.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's lstm_ref

from lstm_course.grading.grade_class import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
