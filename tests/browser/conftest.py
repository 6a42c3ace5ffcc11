"""Fixtures of the browser tests: one JupyterLab server and one Chromium for the whole session.

- ``lab_root``: a temporary folder the server shows, holding copies of every student notebook's unit folder
  (``notebooks/NN_topic/``, as a learner first gets them); nothing in the repository is modified.
- ``lab_server``: JupyterLab on 127.0.0.1 (``tests.browser.lab_server.LabServer``), stopped afterwards whatever
  happens. Its working folder holds an ``nbgrader_config.py`` that loads the course's own configuration (as a
  course run elsewhere would) with the course root and the exchange moved into temporary folders. It is set up
  as a learner's JupyterLab is by the start command (``lstm_course.launch``: no instructor tools; an exchange
  exists here, so the Assignment List stays).
- ``chromium``: Debian's Chromium at /usr/bin/chromium driven by Playwright, with a fresh profile. Playwright's
  own browser download is never used. If the browser is missing or cannot start, every test using it FAILS
  with the reason (never skipped: CI must not go green without having looked).
- ``lab``: a new page per test (``LabPage``); afterwards the page is closed, a screenshot is kept if the test
  failed, and the server's kernels are shut down (two cores are shared by everyone).

Screenshots and figures go to ``results/browser/`` (git-ignored); timings are printed at the end of the run.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from lstm_course.launch import write_config_folder
from tests.browser.discovery import REPO, first_student_notebook, student_notebooks
from tests.browser.lab_page import LabPage
from tests.browser.lab_server import LabServer

RESULTS = REPO / "results" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
INSTALL_HINT = ("Install Debian's Chromium (`apt-get install chromium`, as scripts/test_all.sh does when run as "
                "root); the browser tests drive /usr/bin/chromium and never download a browser.")

TIMINGS: list[tuple[float, str]] = []  # (seconds, what), printed by pytest_terminal_summary


def record_time(what: str, since: float) -> float:
    """Note how long ``what`` took since ``since`` (a time.monotonic() value); returns the seconds."""
    seconds = time.monotonic() - since
    TIMINGS.append((seconds, what))
    return seconds


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("browser timings")
        for seconds, what in TIMINGS:
            terminalreporter.write_line(f"{seconds:7.1f} s  {what}")
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "timings.txt").write_text("".join(f"{s:7.1f} s  {w}\n" for s, w in TIMINGS), encoding="utf-8")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the ``lab`` fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# ============================================================================================== the server
class ServedCourse:
    """Where the copied notebooks sit, as paths relative to the server root (what JupyterLab's URLs use)."""

    def __init__(self, root: Path):
        self.root = root
        self.student_notebooks: dict[str, str] = {}  # notebook stem -> served path of its fresh student copy
        self.student_notebook: str | None = None  # the first unit's


def _copy_unit(notebook: Path, destination: Path) -> None:
    """Copy the notebook's whole unit folder (data files beside a notebook keep working), no checkpoints."""
    shutil.copytree(notebook.parent, destination, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


@pytest.fixture(scope="package")
def served_course(tmp_path_factory) -> ServedCourse:
    course = ServedCourse(tmp_path_factory.mktemp("lab-root"))
    for notebook in student_notebooks():
        _copy_unit(notebook, course.root / "student" / notebook.parent.name)
        course.student_notebooks[notebook.stem] = f"student/{notebook.parent.name}/{notebook.name}"
    student = first_student_notebook()
    if student is not None:
        course.student_notebook = course.student_notebooks[student.stem]
    return course


def nbgrader_config_text(course_root: Path, exchange: Path) -> str:
    """An nbgrader_config.py for the server's folder: the course's settings, this temporary course root."""
    return (
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})  # noqa: F821 -- the course's own settings\n"
        f"c.CourseDirectory.root = {str(course_root)!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )


@pytest.fixture(scope="package")
def lab_server(served_course, tmp_path_factory):
    scratch = tmp_path_factory.mktemp("lab-private")
    exchange = scratch / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)  # nbgrader's exchange must be writable by every student account
    learner_config = write_config_folder(scratch / "learner-config", instructor=False, exchange=True)
    server = LabServer(served_course.root, scratch,
                       nbgrader_config=nbgrader_config_text(served_course.root, exchange),
                       extra_config_path=learner_config)
    started = time.monotonic()
    try:
        server.start()
    except Exception as error:  # noqa: BLE001 -- any failure to start is reported with the server's log
        server.stop()
        pytest.fail(f"JupyterLab could not be started for the browser tests: {error}", pytrace=False)
    record_time("JupyterLab server start", started)
    try:
        yield server
    finally:
        server.stop()


# ============================================================================================== the browser
# Package scope, not session: Playwright's sync API holds an event loop in the main thread while it is alive,
# so another folder's browser (tests/deploy, tests/site, the report's) or asyncio.run() would fail after it.
@pytest.fixture(scope="package")
def chromium(tmp_path_factory):
    """A Playwright BrowserContext on Debian's Chromium with a fresh profile (a persistent context is the only
    way to choose the profile folder: Playwright refuses --user-data-dir among the flags)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing. {INSTALL_HINT}", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The Python package 'playwright' is missing: install the course's dev extras "
                    "(bash scripts/setup.sh --dev).", pytrace=False)
    started = time.monotonic()
    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_FLAGS, viewport=VIEWPORT, timeout=120_000,
        )
    except Exception as error:  # noqa: BLE001 -- whatever stops the browser, say it and fail
        playwright.stop()
        pytest.fail(f"Chromium ({CHROMIUM}) could not be started through Playwright: {error}\n{INSTALL_HINT}",
                    pytrace=False)
    record_time("Chromium start", started)
    try:
        yield context
    finally:
        try:
            context.close()
        finally:
            playwright.stop()


@pytest.fixture
def lab(request, chromium, lab_server):
    page = chromium.new_page()
    page.set_default_timeout(60_000)  # clicks and waits on a loaded 2-core machine
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    lab_page = LabPage(page, lab_server)
    lab_page.console_errors = console_errors
    try:
        yield lab_page
    finally:
        report = getattr(request.node, "report_call", None)
        try:
            if report is not None and report.failed:
                lab_page.screenshot(RESULTS / f"FAILED-{request.node.name}.png")
        finally:
            page.close()
            lab_server.shutdown_kernels()
