"""The class roster: good rosters are read as written; every malformed row is named, and nothing is created."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.deploy.conftest import HUB_DIR
from classhub.roster import Member, RosterError, read_roster

HEADER = "username,first_name,last_name,email,role"
INSTRUCTOR = "ada,Ada,Lovelace,ada@example.org,instructor"
STUDENT = "alan,Alan,Turing,alan@example.org,student"


def write(tmp_path, *lines, name="roster.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_good_roster_is_read_in_order_with_roles_and_optional_passwords(tmp_path):
    path = write(tmp_path, HEADER + ",password", INSTRUCTOR + ",secret", STUDENT + ",", "",
                 "grace,Grace,Hopper,grace@example.org,Student,")
    members = read_roster(path)
    assert members == [
        Member("ada", "Ada", "Lovelace", "ada@example.org", "instructor", "secret"),
        Member("alan", "Alan", "Turing", "alan@example.org", "student", None),
        Member("grace", "Grace", "Hopper", "grace@example.org", "student", None),
    ]


def test_a_spreadsheet_export_with_a_byte_order_mark_and_spaces_is_read(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("\ufeff" + " Username , first_name,last_name,email,role\n" + INSTRUCTOR + "\n", encoding="utf-8")
    assert read_roster(path)[0].username == "ada"


@pytest.mark.parametrize("row, problem", [
    ("Alan,Alan,Turing,alan@example.org,student", "is not a valid login"),
    ("alan turing,Alan,Turing,alan@example.org,student", "is not a valid login"),
    ("root,Alan,Turing,alan@example.org,student", "system account"),
    ("alan,Alan,Turing,not-an-email,student", "is not an e-mail address"),
    ("alan,Alan,Turing,alan@example.org,teacher", "role 'teacher' is not one of student, instructor"),
    ("alan,Alan,Turing,alan@example.org", "4 fields, expected 5"),
    ("alan,,,alan@example.org,student", "no first or last name"),
    ("ada,Ada,Again,ada2@example.org,student", "already on line 2"),
])
def test_a_malformed_row_is_named_with_its_line_and_problem(tmp_path, row, problem):
    path = write(tmp_path, HEADER, INSTRUCTOR, STUDENT, row)
    with pytest.raises(RosterError) as error:
        read_roster(path)
    assert "line 4: " in str(error.value) and problem in str(error.value)
    assert "nothing was created" in str(error.value)


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, HEADER, INSTRUCTOR, "Bad,X,Y,z,student", "ok,A,B,a@b.org,boss")
    with pytest.raises(RosterError) as error:
        read_roster(path)
    assert [p.split(":")[0] for p in error.value.problems] == ["line 3", "line 3", "line 4"]


@pytest.mark.parametrize("lines, problem", [
    ((), "the file is empty"),
    (("username,first_name,email,role", INSTRUCTOR), "lacks the column(s) last_name"),
    ((HEADER + ",group", INSTRUCTOR + ",x"), "unknown column(s) group"),
    ((HEADER, STUDENT), "no row has role 'instructor'"),
])
def test_a_roster_without_its_columns_or_an_instructor_is_refused(tmp_path, lines, problem):
    path = write(tmp_path, *lines) if lines else tmp_path / "empty.csv"
    if not lines:
        path.write_text("")
    with pytest.raises(RosterError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        read_roster(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(RosterError, match="does not exist"):
        read_roster(tmp_path / "nope.csv")


def test_hub_sh_up_with_a_malformed_roster_says_why_and_creates_nothing(tmp_path):
    """The documented command, for real: it stops at the roster, before any account, folder or process."""
    path = write(tmp_path, HEADER + ",password", INSTRUCTOR + ",pw", "Bad Name,X,Y,x@y.org,student,pw")
    state = tmp_path / "state"
    homes = tmp_path / "home"
    ada_existed = subprocess.run(["id", "ada"], capture_output=True).returncode == 0
    result = subprocess.run(["bash", str(HUB_DIR / "hub.sh"), "up", str(path), "--state", str(state),
                             "--home-base", str(homes)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "line 3: username 'Bad Name' is not a valid login" in result.stderr
    assert "nothing was created" in result.stderr
    assert not state.exists() and not homes.exists()
    if not ada_existed:  # the good row's account was not created either
        assert subprocess.run(["id", "ada"], capture_output=True).returncode != 0


def test_up_without_a_password_for_someone_refuses_before_creating_anything(tmp_path):
    path = write(tmp_path, HEADER, INSTRUCTOR)
    env = {k: v for k, v in os.environ.items() if k != "LSTM_HUB_PASSWORD"}
    result = subprocess.run([sys.executable, "-m", "classhub.cli", "up", str(path), "--state",
                             str(tmp_path / "state")], capture_output=True, text=True, env={**env, "PYTHONPATH": str(HUB_DIR)})
    assert result.returncode == 2
    assert "no password for ada" in result.stderr and "LSTM_HUB_PASSWORD" in result.stderr
    assert not (tmp_path / "state").exists()
