"""The class mistake report opens in Chromium offline: every plot drawn, no request leaving the page's own file."""

from __future__ import annotations

import pytest

from lstm_course.grading.mistake_report import build_report, write_report
from synthetic_autograded import link_course, write_class
from test_mistake_report import CLASS
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, INSTALL_HINT, RESULTS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

FIGURES = ("exercises-04_gates", "scores-04_gates", "exercises-05_cell_and_sequence", "scores-05_cell_and_sequence",
           "mistakes")


@pytest.mark.parametrize("page_name", ["index.html", "index-anonymised.html"])
def test_the_report_renders_in_chromium_with_every_plot_and_no_outside_request(tmp_path, page_name):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), INSTALL_HINT
    link_course(tmp_path)
    for assignment, students in CLASS.items():
        write_class(tmp_path, assignment, students)
    folder = tmp_path / "reports" / "mistakes"
    write_report(build_report(tmp_path, output=folder), folder)

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto((folder / page_name).as_uri(), wait_until="load")
            sizes = {figure: page.locator(f"figure#{figure} svg").bounding_box() for figure in FIGURES}
            RESULTS.parent.joinpath("mistake_report").mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(RESULTS.parent / "mistake_report" / page_name.replace(".html", ".png")),
                            full_page=True)
        finally:
            browser.close()
    assert all(size and size["width"] > 100 and size["height"] > 50 for size in sizes.values()), sizes
    outside = [url for url in requests if not url.startswith("file://")]
    assert outside == [] and requests == [(folder / page_name).as_uri()]
