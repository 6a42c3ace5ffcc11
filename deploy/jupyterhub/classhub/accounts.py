"""Local accounts for the class: one per roster member, plus a group for the instructors.

JupyterHub's LocalProcessSpawner starts each user's server as that user, so each member needs a local account.
``up`` creates the missing ones (home folder mode 0700: no student can read another's work) and records them in
``<state>/accounts.json``; ``down --remove-accounts`` removes exactly those, never an account that existed before.
An existing account with a system uid (below 1000) is never used for a class member.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import subprocess
from pathlib import Path

from .roster import Member

FIRST_REGULAR_UID = 1000


class AccountError(RuntimeError):
    pass


def _record_path(state: Path) -> Path:
    return state / "accounts.json"


def load_record(state: Path) -> dict:
    path = _record_path(state)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"created_users": [], "created_group": None}


def _save_record(state: Path, record: dict) -> None:
    _record_path(state).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def check_existing(members: list[Member]) -> list[str]:
    """Problems with accounts that already exist (a system account's name), before anything is created."""
    problems = []
    for member in members:
        try:
            entry = pwd.getpwnam(member.username)
        except KeyError:
            continue
        if entry.pw_uid < FIRST_REGULAR_UID:
            problems.append(f"{member.username!r} is an existing system account (uid {entry.pw_uid}); "
                            "rename the member in the roster")
    return problems


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise AccountError(f"{' '.join(command)} failed: {result.stderr.strip() or result.stdout.strip()}")


def ensure_accounts(members: list[Member], state: Path, home_base: str, instructors_group: str) -> None:
    """Create the missing accounts and the instructors' group; put every instructor in that group."""
    record = load_record(state)
    try:
        grp.getgrnam(instructors_group)
    except KeyError:
        _run(["groupadd", instructors_group])
        record["created_group"] = instructors_group
        _save_record(state, record)
    for member in members:
        try:
            pwd.getpwnam(member.username)
        except KeyError:
            home = os.path.join(home_base, member.username)
            _run(["useradd", "--create-home", "--home-dir", home, "--shell", "/bin/bash", "--user-group",
                  "--comment", f"{member.first_name} {member.last_name}".strip(), member.username])
            os.chmod(home, 0o700)
            record["created_users"].append(member.username)
            _save_record(state, record)
        if member.is_instructor:
            _run(["usermod", "--append", "--groups", instructors_group, member.username])


def remove_accounts(state: Path) -> list[str]:
    """Remove the accounts (with their home folders) and the group that ``ensure_accounts`` created here."""
    record = load_record(state)
    removed = []
    for username in list(record["created_users"]):
        try:
            pwd.getpwnam(username)
        except KeyError:
            pass
        else:
            _run(["userdel", "--remove", username])
        removed.append(username)
        record["created_users"].remove(username)
        _save_record(state, record)
    if record.get("created_group"):
        try:
            grp.getgrnam(record["created_group"])
            _run(["groupdel", record["created_group"]])
        except KeyError:
            pass
        record["created_group"] = None
        _save_record(state, record)
    return removed


def uid_of(username: str) -> int | None:
    try:
        return pwd.getpwnam(username).pw_uid
    except KeyError:
        return None
