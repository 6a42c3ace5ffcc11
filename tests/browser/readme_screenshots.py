"""Refresh the README's two screenshots from the last browser test run.

    .venv/bin/python -m pytest -m browser tests/browser      # writes results/browser/*.png
    .venv/bin/python -m tests.browser.readme_screenshots     # writes docs/screenshots/*.png

The screenshots are reduced to a 256-colour palette (JupyterLab's flat colours and the plots survive it) so
each stays well under 150 KB in the repository.
"""

from __future__ import annotations

import sys

from PIL import Image

from tests.browser.conftest import RESULTS
from tests.browser.discovery import REPO

SCREENSHOTS = REPO / "docs" / "screenshots"
MAX_BYTES = 150_000
# results/browser/<source> -> docs/screenshots/<target>
PICKS = {
    "04_gates.png": "jupyterlab-gate-widget.png",  # a gate widget just redrawn after a slider move
    "07_training.png": "jupyterlab-trained-lstm-scrubber.png",  # inside the LSTM trained in the notebook
}


def shrink(source, target) -> int:
    """Save ``source`` as a palette PNG at ``target``; returns the size in bytes."""
    image = Image.open(source).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(target, optimize=True)
    return target.stat().st_size


def main() -> int:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for source, target in PICKS.items():
        if not (RESULTS / source).exists():
            print(f"{RESULTS / source} is missing: run the browser tests first.", file=sys.stderr)
            return 1
        size = shrink(RESULTS / source, SCREENSHOTS / target)
        print(f"{SCREENSHOTS / target}: {size / 1000:.0f} KB")
        if size > MAX_BYTES:
            print(f"  larger than {MAX_BYTES / 1000:.0f} KB: crop or shrink it before committing.", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
