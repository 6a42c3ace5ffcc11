"""The hub's own pieces, without a hub: the roster authenticator and the formgrader's frame policy."""

from __future__ import annotations

import asyncio

import pytest

from tornado import web

from classhub.authenticator import LOGIN_REFUSED, RosterAuthenticator, roster_passwords

ROSTER = """username,first_name,last_name,email,role,password
ada,Ada,Lovelace,ada@example.org,instructor,ada-secret
alan,Alan,Turing,alan@example.org,student,
"""


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def login(authenticator, username, password):
    return asyncio.run(authenticator.authenticate(None, {"username": username, "password": password}))


def test_roster_passwords_come_from_the_roster_or_the_class_password(roster):
    assert roster_passwords(str(roster), "class-pw") == {"ada": "ada-secret", "alan": "class-pw"}
    with pytest.raises(ValueError, match="no password for alan"):
        roster_passwords(str(roster), None)


def test_the_right_password_logs_in_and_a_wrong_one_or_a_stranger_is_refused_alike(roster, monkeypatch):
    monkeypatch.setenv("LSTM_HUB_PASSWORD", "class-pw")
    authenticator = RosterAuthenticator(roster_path=str(roster))
    assert login(authenticator, "ada", "ada-secret") == "ada"
    assert login(authenticator, " alan ", "class-pw") == "alan"
    refusals = []
    for username, password in [("ada", "class-pw"), ("alan", "ada-secret"), ("eve", "class-pw"), ("ada", "")]:
        with pytest.raises(web.HTTPError) as error:
            login(authenticator, username, password)
        refusals.append((error.value.status_code, error.value.log_message))
    assert refusals == [(403, LOGIN_REFUSED)] * 4


def test_formgrader_pages_may_be_framed_by_the_server_itself_and_nothing_else_changes():
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    from classhub.formgrader_frames import FormgraderFrames

    FormgraderFrames.base_url = "/user/ada/"
    policy = "frame-ancestors 'none'; report-uri /hub/security/csp-report"

    def headers_for(path):
        headers = HTTPHeaders({"Content-Security-Policy": policy})
        transform = FormgraderFrames(HTTPServerRequest(start_line=RequestStartLine("GET", path, "HTTP/1.1"),
                                                       headers=HTTPHeaders({"Host": "127.0.0.1"})))
        return transform.transform_first_chunk(200, headers, b"", True)[1]["Content-Security-Policy"]

    assert headers_for("/user/ada/formgrader/manage_assignments") == (
        "frame-ancestors 'self'; report-uri /hub/security/csp-report")
    assert headers_for("/user/ada/lab") == policy
    assert headers_for("/user/ada/files/formgrader/x.html") == policy
    assert headers_for("/user/eve/formgrader") == policy
