"""Repository-wide pytest set-up.

Notebook cells collected by nbval (``--nbval-lax`` on ``solutions/``) execute real notebooks, so they are
marked ``slow`` and left out of the fast default selection, like every other slow test.
"""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if str(getattr(item, "fspath", "")).endswith(".ipynb"):
            item.add_marker(pytest.mark.slow)

# Student notebooks are generated and their exercises are meant to fail: never run them as tests.
collect_ignore = ["notebooks"]
