"""The course website, built offline from a fresh clone and read in Chromium (slow: about 5 min, most of it
executing the notebooks for their figures).

What a reader must get, on every unit page: the unit's text, its equations rendered by MathJax (no raw TeX
left), its figures, launch buttons derived from [project.urls] Repository, links that resolve, and not one
request to a host other than 127.0.0.1. And nowhere in the site: a solution.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from tests.site.conftest import RESULTS
from tests.site.leaks import REPO, leaks, solution_lines

sys.path.insert(0, str(REPO / "scripts"))
from course_links import course_links  # noqa: E402

pytestmark = pytest.mark.slow
ANCHOR = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")


def test_every_unit_is_a_page_in_order(offline_site):
    units = offline_site.units()
    assert units and offline_site.summary["units"] == units
    for unit in units:
        assert (offline_site.output / "notebooks" / unit / f"{unit}.html").is_file(), unit
    home = (offline_site.output / "index.html").read_text(encoding="utf-8")
    positions = [home.find(f"notebooks/{unit}/{unit}.html") for unit in units]
    assert -1 not in positions and positions == sorted(positions), "the navigation lists the units out of order"


def test_no_solution_anywhere_in_the_site(offline_site):
    lines = solution_lines(offline_site.clone)
    assert lines, "no solution lines were read: the check would prove nothing"
    found = leaks(offline_site.output, lines)
    assert not found, "solution text in the built site:\n" + "\n".join(found[:20])


def test_the_api_reference_documents_lstm_ref(offline_site):
    page = (offline_site.output / "api" / "gates.html").read_text(encoding="utf-8")
    for name in ("forget_gate", "input_gate", "candidate", "output_gate", "cell_update", "hidden_state"):
        assert f'id="lstm_ref.gates.{name}"' in page, name
    assert "sigmoid(z @ W_f.T + b_f)" in page.replace("&#64;", "@")  # the docstring's equation, as written
    sequence = (offline_site.output / "api" / "sequence.html").read_text(encoding="utf-8")
    assert 'id="lstm_ref.sequence.lstm_forward"' in sequence and 'id="lstm_ref.sequence.lstm_backward"' in sequence


def _page_notebook(offline_site, unit) -> dict:
    return json.loads((offline_site.output / "_sources" / "notebooks" / unit / f"{unit}.ipynb").read_text())


def _check_unit_page(page, base, unit, offline_site) -> None:
    requests, failures = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: failures.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    url = f"{base}/notebooks/{unit}/{unit}.html"
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000)
    page.evaluate("() => MathJax.startup.promise")
    page.wait_for_timeout(500)

    # Equations: every math element typeset, no TeX left in the text a reader sees.
    math = page.locator("article .math")
    typeset = page.locator("article .math mjx-container")
    assert math.count() > 0, f"{unit}: no equation found on the page"
    assert typeset.count() == math.count(), f"{unit}: {math.count() - typeset.count()} equations left as TeX"
    prose = page.evaluate("""() => { const a = document.querySelector('article').cloneNode(true);
        a.querySelectorAll('pre, .cell_input, .cell_output, mjx-container').forEach(e => e.remove());
        return a.textContent; }""")  # the text around the code: code may hold TeX on purpose (plot labels)
    raw = [tex for tex in ("$$", "$\\", "\\frac", "\\tanh", "\\sigma", "\\(", "\\[") if tex in prose]
    assert not raw, f"{unit}: raw TeX in the text: {raw}"

    # Figures: as many on the page as the executed notebook drew, each loaded.
    drawn = sum("image/png" in o.get("data", {}) for c in _page_notebook(offline_site, unit)["cells"]
                for o in c.get("outputs", []))
    images = page.locator("article .cell_output img")
    assert images.count() == drawn, f"{unit}: {images.count()} figures on the page, {drawn} drawn"
    broken = page.evaluate("() => [...document.querySelectorAll('article img')]"
                           ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    assert not broken, f"{unit}: figures that did not load: {broken}"

    # Launch buttons, derived from [project.urls] Repository of the clone.
    links = course_links(offline_site.clone)
    path = f"notebooks/{unit}/{unit}.ipynb"
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    assert links.colab(path) in hrefs, f"{unit}: no Colab button for {path}"
    assert links.binder(path) in hrefs, f"{unit}: no Binder button for {path}"
    hub = [h for h in hrefs if h.startswith(links.hub) and "git-pull" in h]
    assert hub and links.repository.split("//")[1] in hub[0].replace("%2F", "/") and path in hub[0], \
        f"{unit}: no JupyterHub (nbgitpuller) button: {hub}"

    # Internal links: every page exists, every #anchor exists on it.
    for href in sorted({h for h in hrefs if urlparse(h).netloc == urlparse(base).netloc}):
        target, fragment = urldefrag(href)
        try:
            with urllib.request.urlopen(target, timeout=30) as response:
                body = response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            pytest.fail(f"{unit}: the link {href} does not resolve ({error.code})")
        if fragment and target.endswith(".html"):
            assert fragment in ANCHOR.findall(body), f"{unit}: the link {href} names a missing anchor"

    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{unit}.png"), full_page=False)
    outside = [r for r in requests if not r.startswith((base + "/", "data:", "blob:"))]
    assert not outside, f"{unit}: requests leaving 127.0.0.1: {outside}"
    assert not failures, f"{unit}: failed requests: {failures}"


@pytest.mark.browser
def test_every_unit_page_in_chromium(offline_site, site_server, site_browser):
    problems = []
    for unit in offline_site.units():
        page = site_browser.new_page()
        page.set_default_timeout(60_000)
        try:
            _check_unit_page(page, site_server, unit, offline_site)
        except AssertionError as error:  # go on: one run reports every page's problems
            problems.append(str(error).splitlines()[0])
            page.screenshot(path=str(RESULTS / f"FAILED-{unit}.png"))
        finally:
            page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_home_and_api_pages_ask_nothing_of_other_hosts(site_server, site_browser):
    page = site_browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        for path in ("index.html", "api/index.html", "api/gates.html", "search.html?q=forget"):
            page.goto(urljoin(site_server + "/", path), wait_until="load")
            page.wait_for_timeout(1000)
        RESULTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS / "api-gates.png"))
    finally:
        page.close()
    outside = [r for r in requests if not r.startswith((site_server + "/", "data:", "blob:"))]
    assert not outside, f"requests leaving 127.0.0.1: {outside}"
