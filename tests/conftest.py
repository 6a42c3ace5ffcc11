"""Fixtures shared by every test folder.

``playwright_driver``: one Playwright driver for the whole session. Playwright's sync API runs its own event
loop in the main thread, so a second ``sync_playwright()`` started while another is alive fails ("using Playwright
Sync API inside the asyncio loop"). The browser tests (tests/browser), the hub's (tests/deploy), the site's
(tests/site) and the mistake report's each launch their own Chromium from this one driver.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def playwright_driver():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The Python package 'playwright' is missing: install the course's dev extras "
                    "(bash scripts/setup.sh --dev).", pytrace=False)
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()
