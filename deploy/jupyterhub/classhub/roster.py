"""The class roster: who is in the class, read from a CSV file and checked before anything is created.

    username,first_name,last_name,email,role[,password]
    ada,Ada,Lovelace,ada@example.org,instructor
    alan,Alan,Turing,alan@example.org,student

- ``username`` becomes the person's login on the hub, their local account and their nbgrader student id, so it
  must be a valid Linux user name: a lowercase letter or ``_`` first, then lowercase letters, digits, ``_`` or
  ``-``, at most 32 characters.
- ``role`` is ``student`` or ``instructor`` (instructors get the formgrader; the class needs at least one).
- ``password`` is optional. Where it is absent, the hub takes the class password from the environment variable
  ``LSTM_HUB_PASSWORD`` (see ``classhub.authenticator``).

A roster with any malformed row is refused as a whole, with one line per problem naming the row, so a typo
never gives the class half its accounts.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

REQUIRED_COLUMNS = ("username", "first_name", "last_name", "email", "role")
OPTIONAL_COLUMNS = ("password",)
ROLES = ("student", "instructor")
USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Accounts a roster must never claim: they exist on every machine and belong to the system.
RESERVED = {"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
            "www-data", "backup", "list", "irc", "nobody", "messagebus", "sshd", "systemd-network", "admin"}


class RosterError(ValueError):
    """The roster cannot be used; ``problems`` holds one learner-readable line per problem."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.problems = problems
        super().__init__(f"The roster {path} cannot be used; nothing was created:\n  "
                         + "\n  ".join(problems))


@dataclass(frozen=True)
class Member:
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    password: str | None = None

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


def read_roster(path: str | Path) -> list[Member]:
    """Read and check the roster at ``path``; returns its members in file order or raises RosterError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's CSV export may start with a BOM
    except FileNotFoundError:
        raise RosterError(path, ["the file does not exist"]) from None
    except UnicodeDecodeError:
        raise RosterError(path, ["the file is not UTF-8 text (save it as 'CSV UTF-8')"]) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise RosterError(path, ["the file is empty; the first line must name the columns: "
                                 + ",".join(REQUIRED_COLUMNS)])
    header = [name.strip().lower() for name in rows[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"line 1: the header lacks the column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"line 1: unknown column(s) {', '.join(unknown)} (allowed: "
                            f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})")
        raise RosterError(path, problems)

    members: list[Member] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        if len(row) != len(header):
            problems.append(f"line {number}: {len(row)} fields, expected {len(header)} ({','.join(header)})")
            continue
        fields = {name: value.strip() for name, value in zip(header, row)}
        row_problems = _check_row(fields)
        username = fields["username"]
        if username in seen:
            row_problems.append(f"username {username!r} already on line {seen[username]}")
        seen.setdefault(username, number)
        if row_problems:
            problems.extend(f"line {number}: {problem}" for problem in row_problems)
            continue
        members.append(Member(username=username, first_name=fields["first_name"], last_name=fields["last_name"],
                              email=fields["email"], role=fields["role"].lower(),
                              password=fields.get("password") or None))
    if not problems and not any(member.is_instructor for member in members):
        problems.append("no row has role 'instructor': the class needs one to release and grade assignments")
    if problems:
        raise RosterError(path, problems)
    return members


def _check_row(fields: dict[str, str]) -> list[str]:
    problems = []
    username = fields["username"]
    if not USERNAME.match(username):
        problems.append(f"username {username!r} is not a valid login (lowercase letter or '_' first, then "
                        "lowercase letters, digits, '_' or '-', at most 32 characters)")
    elif username in RESERVED:
        problems.append(f"username {username!r} is a system account name; choose another")
    if not fields["first_name"] and not fields["last_name"]:
        problems.append("no first or last name")
    if not EMAIL.match(fields["email"]):
        problems.append(f"email {fields['email']!r} is not an e-mail address")
    if fields["role"].lower() not in ROLES:
        problems.append(f"role {fields['role']!r} is not one of {', '.join(ROLES)}")
    return problems
