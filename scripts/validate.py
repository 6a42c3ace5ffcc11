"""Validate notebooks with nbgrader's validator and exit non-zero when a test fails (nbgrader validate exits 0).

    .venv/bin/python scripts/validate.py notebooks/04_gates/04_gates.ipynb

See lstm_course/grading/validate.py.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's lstm_ref

from lstm_course.grading.validate import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
