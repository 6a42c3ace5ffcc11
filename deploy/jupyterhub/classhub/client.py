"""Driving a class's hub over HTTP with the automation service's token (``LSTM_HUB_SERVICE_TOKEN`` at ``up``).

What an instructor's script, the end-to-end test and the benchmark do: start a user's server, then call that
server's own APIs (nbgrader's Assignments and formgrader handlers, the Contents API) as the hub's service. Only
the standard library, so it runs with any Python.

    hub = HubClient("http://127.0.0.1:8000", token)
    hub.start_server("alan")                       # waits until the server answers
    hub.server("alan").post("assignments/fetch", form={"course_id": "lstm-course", "assignment_id": "04_gates"})
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request


class HubError(RuntimeError):
    def __init__(self, status: int, url: str, body: str):
        self.status = status
        super().__init__(f"HTTP {status} from {url}: {body[:500]}")


def _request(method: str, url: str, token: str, *, body=None, form=None, timeout: float = 120):
    headers = {"Authorization": f"token {token}"}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode("utf-8", errors="replace")
            return response.status, text
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


class UserServer:
    """One user's running server, called with the service's token."""

    def __init__(self, base: str, token: str):
        self.base = base.rstrip("/") + "/"
        self.token = token

    def call(self, method: str, path: str, *, body=None, form=None, expect=(200, 201, 204), timeout=300):
        url = self.base + urllib.parse.quote(path.lstrip("/"), safe="/?=&%:")  # e.g. feedback folders hold spaces
        status, text = _request(method, url, self.token, body=body, form=form, timeout=timeout)
        if expect and status not in expect:
            raise HubError(status, url, text)
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError:
            return text

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)


class HubClient:
    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self.token = token

    def api(self, method: str, path: str, *, body=None, expect=(200, 201, 202, 204)):
        url = f"{self.url}/hub/api/{path.lstrip('/')}"
        status, text = _request(method, url, self.token, body=body)
        if expect and status not in expect:
            raise HubError(status, url, text)
        return json.loads(text) if text else None

    def server(self, user: str) -> UserServer:
        return UserServer(f"{self.url}/user/{user}/", self.token)

    def start_server(self, user: str, timeout: float = 240) -> float:
        """Start ``user``'s server and wait until it answers; returns the seconds it took."""
        started = time.monotonic()
        self.api("POST", f"users/{user}/server", expect=(201, 202, 400))  # 400: already running
        deadline = started + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"users/{user}")
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - started
            if not server.get("pending") and not server.get("ready") and time.monotonic() - started > 5:
                raise HubError(500, f"{self.url}/hub/api/users/{user}", f"the server of {user} failed to start")
            time.sleep(0.5)
        raise TimeoutError(f"the server of {user} did not start within {timeout:.0f} s")

    def stop_server(self, user: str) -> None:
        self.api("DELETE", f"users/{user}/server", expect=(202, 204, 400))

    def running_servers(self) -> list[str]:
        return [u["name"] for u in self.api("GET", "users") if (u.get("servers") or {}).get("", {}).get("ready")]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a successful login answers 302 with the login cookie; stop there (no spawn)


def form_login(url: str, username: str, password: str) -> tuple[int, str, list[str]]:
    """Log in through the hub's login form, as a browser does; returns (status, page, cookie names).

    A successful login answers 302 and sets ``jupyterhub-hub-login``; a refused one answers 403 with the login
    page and its message.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    page = opener.open(f"{url}/hub/login", timeout=120).read().decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "_xsrf": xsrf}).encode()
    try:
        response = opener.open(urllib.request.Request(f"{url}/hub/login?next=", data=data), timeout=120)
        status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, body, [cookie.name for cookie in jar]
