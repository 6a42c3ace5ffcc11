"""Repository-wide pytest set-up.

Notebook cells collected by nbval (``--nbval-lax`` on ``solutions/``) execute real notebooks, so they are
marked ``slow`` and left out of the fast default selection, like every other slow test.
"""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if str(getattr(item, "fspath", "")).endswith(".ipynb"):
            item.add_marker(pytest.mark.slow)
            # The public test cells carry the `raises-exception` tag so a learner's Run All goes on past an
            # unfinished exercise; nbval would read it as "an error is allowed here". In the instructor's
            # notebooks every check must pass, so nbval still fails on an error in those cells.
            options = getattr(item, "options", None)
            if isinstance(options, dict) and "check_exception" in options:
                options["check_exception"] = False

# Student notebooks are generated and their exercises are meant to fail: never run them as tests.
collect_ignore = ["notebooks"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """nbval starts a notebook's kernel while its first cell is set up: with no front end, say so in the kernel's
    environment, so the course's widgets and reference figures are not built (lstm_course.viz.frontend)."""
    if not str(getattr(item, "fspath", "")).endswith(".ipynb"):
        yield
        return
    from lstm_course.viz.frontend import FRONTEND_VARIABLE

    saved = os.environ.get(FRONTEND_VARIABLE)
    os.environ[FRONTEND_VARIABLE] = "none"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(FRONTEND_VARIABLE, None)
        else:
            os.environ[FRONTEND_VARIABLE] = saved
