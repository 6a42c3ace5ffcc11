"""End to end: a class on JupyterHub, as its users meet it (slow: a real hub, 7 accounts, Chromium).

The hub is started by the documented command (``bash deploy/jupyterhub/hub.sh up ROSTER``) on 127.0.0.1 and a
free port, for one instructor and six students, each a local account of their own. Then:

1. in Chromium, the instructor logs in, opens the formgrader inside JupyterLab (under the hub's security
   headers) and generates and releases 04_gates;
2. in Chromium, student 1 logs in, fetches 04_gates from the Assignments list, types the solutions into the
   notebook, validates it with the Validate button and submits it;
3. over the REST API (the service token), students 2-5 hand in: correct, one realistic mistake, blank, hostile;
   student 6 hands in nothing;
4. the instructor collects and autogrades (formgrader API): the grades are asserted per student;
5. a student cannot reach another's submission or work, nor the formgrader (HTTP 403/404, file system EACCES);
6. after manual grading, feedback is generated and released for student 1, who fetches it.

Whatever happens, ``hub.sh down --remove-accounts --delete-class-data`` stops the hub, the proxy and every user
server, and removes the accounts (checked: no process of the class is left). Screenshots: results/hub/.
"""

from __future__ import annotations

import concurrent.futures
import json
import pwd
import re
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from classhub.client import form_login
from tests.deploy.class_hub import REPO, ClassHub
from tests.deploy.submissions import (filled, hostile_cells, solution_cells, written_answer_texts, written_answers,
                                      wrong_answer)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

UNIT = "04_gates"
RESULTS = REPO / "results" / "hub"
CHROMIUM = "/usr/bin/chromium"
MISTAKE = ("forget_gate", "tanh instead of sigmoid")
CODE_POINTS = 12  # six exercises, each a public and a hidden test of 1 point
TIMINGS: list[tuple[str, float]] = []


@pytest.fixture(scope="module")
def class_hub(tmp_path_factory):
    hub = ClassHub(Path("/tmp") / f"lstm-hub-test-{tmp_path_factory.getbasetemp().name}", students=6)
    started = time.monotonic()
    try:
        hub.start()
        TIMINGS.append(("hub.sh up (accounts, course, hub)", time.monotonic() - started))
        yield hub
    finally:
        left = hub.stop()
        import shutil

        shutil.rmtree(hub.folder, ignore_errors=True)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "timings.txt").write_text("".join(f"{s:7.1f} s  {w}\n" for w, s in TIMINGS), encoding="utf-8")
        assert not left, f"hub.sh down left these running: {left}"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
    except Exception as error:  # noqa: BLE001 -- say why the browser is missing, and fail
        playwright.stop()
        pytest.fail(f"Chromium ({CHROMIUM}) could not be started: {error}", pytrace=False)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


def _login(browser, hub: ClassHub, user: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)  # a loaded 2-core machine, servers spawning
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/lab**")
    page.wait_for_selector("#jp-main-dock-panel .jp-Launcher, #jp-main-dock-panel .jp-MainAreaWidget")
    return context, page


def _menu(page, menu: str, item: str) -> None:
    page.click(f".lm-MenuBar-itemLabel:text-is('{menu}')")
    page.click(f"li.lm-Menu-item:has-text('{item}')")


def _shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{name}.png"))


# ============================================================================================== the story
def test_a_class_on_the_hub(class_hub, browser):
    hub = class_hub
    s1, s2, s3, s4, s5, s6 = hub.students
    contexts = []
    try:
        # ---- 1. the instructor releases 04_gates from the formgrader, in the browser
        started = time.monotonic()
        context, page = _login(browser, hub, hub.instructor)
        contexts.append(context)
        TIMINGS.append(("instructor login to JupyterLab", time.monotonic() - started))
        assert page.get_by_text("Create Assignment", exact=True).count() >= 1  # the right sidebar's tab
        _menu(page, "Nbgrader", "Formgrader")
        formgrader = page.frame_locator("iframe")
        row = formgrader.locator("tr", has=formgrader.locator(f"td.name:has-text('{UNIT}')"))
        row.locator("td.assign a").click()                      # Generate (nbgrader generate_assignment)
        _close_report(formgrader, page, "1-instructor-formgrader-generated")
        row.locator("td.release a").click()                     # Release (to the exchange)
        _close_report(formgrader, page, "2-instructor-formgrader-release-log")
        row.locator("td.status:has-text('released')").wait_for()
        row.scroll_into_view_if_needed()
        _shot(page, "2-instructor-formgrader-released")
        TIMINGS.append(("instructor: login, generate, release", time.monotonic() - started))
        assert (hub.exchange / "outbound" / UNIT / f"{UNIT}.ipynb").exists()

        # The formgrader's pages may be framed by the lab (else the panel above would be blank); others not.
        instructor_api = page.context.request
        assert "frame-ancestors 'self'" in instructor_api.get(f"{hub.url}/user/{hub.instructor}/formgrader").headers[
            "content-security-policy"]
        assert "frame-ancestors 'none'" in instructor_api.get(f"{hub.url}/user/{hub.instructor}/lab").headers[
            "content-security-policy"]

        # ---- the other students' servers start meanwhile (REST), in parallel
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            spawning = {name: pool.submit(hub.hub.start_server, name) for name in (s2, s3, s4, s5, s6)}

            # ---- 2. student 1 in the browser: fetch, fill in, validate, submit
            started = time.monotonic()
            context, student = _login(browser, hub, s1)
            contexts.append(context)
            # what a student sees of nbgrader: the Assignment List, no formgrader, no Create Assignment
            student.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
            entries = [entry.strip() for entry in student.locator("li.lm-Menu-item").all_inner_texts()]
            assert "Assignment List" in entries and not any("Formgrader" in e or "Create" in e for e in entries)
            student.click("li.lm-Menu-item:has-text('Assignment List')")
            assert student.get_by_text("Create Assignment", exact=True).count() == 0
            released = student.locator("#released_assignments_list")
            released.locator(f".list_item:has-text('{UNIT}') button:has-text('Fetch')").click()
            fetched = student.locator("#fetched_assignments_list")
            fetched.locator(f".list_item:has-text('{UNIT}') button:has-text('Submit')").wait_for()
            _shot(student, "3-student-fetched")
            _type_solutions(student, hub, s1)
            _shot(student, "4-student-filled-in")
            student.click(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar .validate-button")
            dialog = student.locator(".jp-Dialog")
            dialog.wait_for()
            _shot(student, "5-student-validated")
            assert "Success! Your notebook passes all the tests." in dialog.inner_text(), dialog.inner_text()
            dialog.locator(".jp-Dialog-footer button").first.click()
            dialog.wait_for(state="hidden")
            student.click(".lm-TabBar-tab:has-text('Assignments')")
            fetched.locator(f".list_item:has-text('{UNIT}') button:has-text('Submit')").click()
            student.locator(f"#submitted_assignments_list .list_item:has-text('{UNIT}')").wait_for()
            _shot(student, "6-student-submitted")
            TIMINGS.append(("student 1: login, fetch, fill in, validate, submit", time.monotonic() - started))

            spawn_seconds = {name: future.result() for name, future in spawning.items()}
        TIMINGS.append(("5 more servers started (REST, 4 at a time), slowest", max(spawn_seconds.values())))

        # ---- 3. students 2-5 over REST; student 6 hands in nothing
        solved = {**solution_cells(UNIT), **written_answer_texts(UNIT)}
        mistake = {**solved, MISTAKE[0]: wrong_answer(UNIT, *MISTAKE)}
        hand_ins = {s2: solved, s3: mistake, s4: {}, s5: hostile_cells(UNIT)}
        started = time.monotonic()
        for name, cells in hand_ins.items():
            server = hub.hub.server(name)
            assert server.post("assignments/fetch", form={"course_id": hub.course_id, "assignment_id": UNIT})["success"]
            path = f"api/contents/{UNIT}/{UNIT}.ipynb"
            notebook = server.get(path)["content"]
            server.put(path, body={"type": "notebook", "format": "json", "content": filled(notebook, cells)})
            result = server.post("assignments/submit", form={"course_id": hub.course_id, "assignment_id": UNIT})
            assert result["success"], result
        TIMINGS.append(("students 2-5: fetch, edit, submit (REST)", time.monotonic() - started))
        # a correct student's own Validate, through their server's API
        validation = hub.hub.server(s2).post("assignments/validate", form={"path": f"{UNIT}/{UNIT}.ipynb"})
        assert validation["success"] and "failed" not in json.dumps(validation["value"]).lower(), validation

        # ---- 4. collect and autograde (the formgrader's API, as its buttons call it)
        started = time.monotonic()
        instructor = hub.hub.server(hub.instructor)
        collected = instructor.post(f"formgrader/api/assignment/{UNIT}/collect")
        assert collected["success"], collected
        for name in (s1, s2, s3, s4, s5):
            result = instructor.post(f"formgrader/api/submission/{UNIT}/{name}/autograde")
            assert result["success"], (name, result.get("error"), str(result)[-2000:])
        TIMINGS.append(("collect + autograde 5 submissions (formgrader API)", time.monotonic() - started))
        scores = {row["student"]: row for row in instructor.get(f"formgrader/api/submissions/{UNIT}")}
        code = {name: scores[name]["code_score"] for name in scores if scores[name]["submitted"]}
        assert code == {s1: CODE_POINTS, s2: CODE_POINTS, s3: CODE_POINTS - 2, s4: 0, s5: 0}, code
        assert not scores.get(s6, {}).get("submitted"), "student 6 handed nothing in"
        assert all(scores[name]["max_score"] == 16 for name in code)

        # ---- 5. nobody reaches another student's work, nor the formgrader
        student_api = contexts[1].request
        assert student_api.get(f"{hub.url}/user/{s2}/api/contents/{UNIT}").status == 403
        assert student_api.get(f"{hub.url}/user/{hub.instructor}/formgrader").status == 403
        assert student_api.get(f"{hub.url}/user/{s1}/formgrader").status == 404
        kernels = student_api.get(f"{hub.url}/user/{s1}/api/kernelspecs").json()["kernelspecs"]
        assert set(kernels) == {"python3"}, kernels
        _assert_no_file_access(hub, s2, s1)

        # ---- 6. manual grading, then feedback for student 1, who fetches it
        _grade_written_answers(instructor, s1, points=written_answers(UNIT))
        assert instructor.post(f"formgrader/api/assignment/{UNIT}/{s1}/generate_feedback")["success"]
        assert instructor.post(f"formgrader/api/assignment/{UNIT}/{s1}/release_feedback")["success"]
        fetched_feedback = hub.hub.server(s1).post(
            "assignments/fetch_feedback", form={"course_id": hub.course_id, "assignment_id": UNIT})
        assert fetched_feedback["success"], fetched_feedback
        folders = hub.hub.server(s1).get(f"api/contents/{UNIT}/feedback")["content"]
        assert len(folders) == 1
        html = hub.hub.server(s1).get(f"api/contents/{folders[0]['path']}/{UNIT}.html")["content"]
        assert re.search(r"Score:\s*16\.0\s*/\s*16\.0", re.sub("<[^>]+>", " ", html)), "feedback shows 16/16"
        feedback_path = urllib.parse.quote(f"{folders[0]['path']}/{UNIT}.html")
        student.goto(f"{hub.url}/user/{s1}/files/{feedback_path}")
        _shot(student, "7-student-feedback")
        # no other student can open it
        assert student_api.get(f"{hub.url}/user/{s2}/files/{feedback_path}").status == 403
    except Exception:
        for number, context in enumerate(contexts):
            for page in context.pages:
                _shot(page, f"FAILED-context{number}")
        raise
    finally:
        for context in contexts:
            context.close()


def _close_report(formgrader, page, shot: str) -> None:
    """The formgrader reports each action's log in a dialog (#success-modal, or #error-modal); close it."""
    dialog = formgrader.locator("#success-modal, #error-modal").first
    dialog.wait_for()
    _shot(page, shot)
    assert dialog.get_attribute("id") == "success-modal", dialog.inner_text()
    dialog.locator(".modal-footer button").last.click()
    dialog.wait_for(state="hidden")


def _type_solutions(page, hub: ClassHub, user: str) -> None:
    """Open the fetched notebook and type each exercise's solution and each written answer into its cell, as a
    student would."""
    page.click(f"#fetched_assignments_list .list_item:has-text('{UNIT}') a.assignment-notebooks-link")
    page.click(f"#nbgrader-{hub.course_id}-{UNIT} .nested_list_item a:has-text('{UNIT}')")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    notebook.locator(".jp-Notebook").wait_for()
    release = json.loads((hub.exchange / "outbound" / UNIT / f"{UNIT}.ipynb").read_text(encoding="utf-8"))
    solved = {**solution_cells(UNIT), **written_answer_texts(UNIT)}
    for index, cell in enumerate(release["cells"]):
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id not in solved:
            continue
        node = notebook.locator(".jp-Cell").nth(index)
        node.scroll_into_view_if_needed()
        node.click()
        if cell["cell_type"] == "markdown":
            page.keyboard.press("Enter")  # a rendered written answer opens its editor
        editor = node.locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(solved[grade_id])  # like a paste: no auto-indent, no auto-closed brackets
        page.keyboard.press("Escape")
    page.keyboard.press("Control+S")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty").wait_for(state="detached")


def _assert_no_file_access(hub: ClassHub, intruder: str, victim: str) -> None:
    """As the intruder's account (what a terminal in their server runs): the exchange's submissions, the
    victim's home and the course folder cannot be read."""
    probe = """
import os, sys
for path in sys.argv[1:]:
    try:
        os.listdir(path)
        print("READABLE", path)
    except PermissionError:
        print("denied", path)
"""
    victim_home = pwd.getpwnam(victim).pw_dir
    targets = [str(hub.exchange / "inbound"), str(hub.exchange / "feedback"), victim_home,
               str(hub.state / "course")]
    entry = pwd.getpwnam(intruder)
    result = subprocess.run(["/usr/bin/python3", "-c", probe, *targets], user=entry.pw_uid, group=entry.pw_gid,
                            extra_groups=[], capture_output=True, text=True, env={"HOME": entry.pw_dir})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == [f"denied {t}" for t in targets], result.stdout


def _grade_written_answers(instructor, student: str, points: dict[str, int]) -> None:
    notebooks = instructor.get(f"formgrader/api/submitted_notebooks/{UNIT}/{UNIT}")
    submission = next(n for n in notebooks if n["student"] == student)
    for grade in instructor.get(f"formgrader/api/grades?submission_id={submission['id']}"):
        if grade["name"] in points:
            instructor.put(f"formgrader/api/grade/{grade['id']}",
                           body={"manual_score": points[grade["name"]], "extra_credit": 0})


# ============================================================================================== logins refused
def test_a_wrong_password_or_an_unknown_user_is_refused_and_changes_nothing(class_hub):
    hub = class_hub
    users_before = {u["name"]: u for u in hub.hub.api("GET", "users")}
    victim = hub.students[-1]
    for username, password in [(victim, "not-the-password"), ("nobody-here", hub.passwords[victim])]:
        status, body, cookies = form_login(hub.url, username, password)
        assert status == 403, (username, status)
        assert "Unknown username or wrong password" in body
        assert "jupyterhub-hub-login" not in cookies
    users_after = {u["name"]: u for u in hub.hub.api("GET", "users")}
    assert set(users_after) == set(users_before), "no user was added"
    assert "nobody-here" not in users_after
    assert users_after[victim]["servers"] == users_before[victim]["servers"]
    # ...and the right password works (the refusals above were not for some other reason)
    status, _, cookies = form_login(hub.url, victim, hub.passwords[victim])
    assert status == 302 and "jupyterhub-hub-login" in cookies
