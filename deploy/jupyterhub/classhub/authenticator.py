"""Logins for a test class or a workshop: the roster says who may log in, and with which password.

Each member's password is the roster's ``password`` column where it is filled in, otherwise the class password
in the environment variable ``LSTM_HUB_PASSWORD`` (read when the hub starts; never written to disk by the hub).
Instructors are the hub's admins.

A wrong password and an unknown user get the same message (saying which would tell a stranger which logins
exist), the login page again with status 403, and nothing else: no account, no server, no cookie.

For a real class, use your institution's login instead (docs/instructors.md, "Logging in"): OAuth through
``oauthenticator`` or LTI 1.3 through ``ltiauthenticator``; the rest of the hub configuration stays the same.
"""

from __future__ import annotations

import hmac
import os

from jupyterhub.auth import Authenticator
from tornado import web
from traitlets import Dict, Unicode

from .roster import read_roster

PASSWORD_VARIABLE = "LSTM_HUB_PASSWORD"
LOGIN_REFUSED = ("Unknown username or wrong password. Use the username and password your instructor gave you "
                 "(usernames are lowercase).")


def roster_passwords(roster_path: str, class_password: str | None) -> dict[str, str]:
    """username -> password for every member: the roster's own, or the class password. Raises ValueError naming
    the members left without one."""
    passwords, without = {}, []
    for member in read_roster(roster_path):
        password = member.password or class_password
        if password:
            passwords[member.username] = password
        else:
            without.append(member.username)
    if without:
        raise ValueError(f"no password for {', '.join(without)}: fill in the roster's 'password' column or set "
                         f"the environment variable {PASSWORD_VARIABLE}")
    return passwords


class RosterAuthenticator(Authenticator):
    """Username and password checked against the roster (see the module docstring)."""

    roster_path = Unicode(help="The class roster (CSV) the passwords and the allowed users come from.").tag(config=True)
    passwords = Dict(help="username -> password; filled from the roster when not set.").tag(config=True)

    def _passwords(self) -> dict[str, str]:
        if not self.passwords:
            self.passwords = roster_passwords(self.roster_path, os.environ.get(PASSWORD_VARIABLE))
        return self.passwords

    async def authenticate(self, handler, data):
        username = (data.get("username") or "").strip()
        password = data.get("password") or ""
        expected = self._passwords().get(username)
        # compare_digest on both paths: an unknown name takes as long to refuse as a wrong password
        matches = hmac.compare_digest(password.encode(), (expected or "\0" * 16).encode())
        if expected is None or not matches:
            self.log.warning("Refused login for %r (%s)", username[:32],
                             "not on the roster" if expected is None else "wrong password")
            raise web.HTTPError(403, LOGIN_REFUSED)
        return username
