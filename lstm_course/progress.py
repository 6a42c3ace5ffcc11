"""How far a learner has got: every exercise's public check, run against the learner's saved notebooks.

    python -m lstm_course.progress                    # the course's notebooks/ (or the folder you are in)
    python -m lstm_course.progress path/to/notebooks --figure progress.png

and in unit 1, a button that does the same in the notebook. For each unit's saved notebook
(``<folder>/NN_topic/NN_topic.ipynb``) it runs the notebook's cells, top to bottom, up to its last public test
cell, in a fresh kernel, in a temporary copy of the unit's folder, and reads each exercise's public test cell:

    passed       the check printed its pass line (no error);
    failing      the check raised, with its message (the first line is shown);
    not started  the exercise still raises NotImplementedError (the check says "not implemented yet");
    did not run  the notebook could not be read, or stopped before the test cell (a cell timed out, the kernel
                 died): the reason is shown.

Nothing the learner saved is changed: the notebook is read, its cells run in a copy, and no output is written
back. Hidden test cells are skipped (they only run at grading), and so is any cell that shows this progress (it
would start the whole run again). Figures are drawn off-screen (matplotlib's Agg backend), which is quicker and
shows nothing. Save your notebooks first: this reads what is on disk, not what is open in JupyterLab.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

PASSED, FAILING, NOT_STARTED, NOT_RUN = "passed", "failing", "not started", "did not run"
STATUSES = (PASSED, FAILING, NOT_STARTED, NOT_RUN)
NOT_IMPLEMENTED = "not implemented yet"  # what lstm_course.feedback.core.call_learner says for the stub
SELF_MARKER = "lstm_course.progress"  # a cell that mentions this module shows progress: never run it here
CELL_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class ExerciseResult:
    """One exercise of one unit: its status (one of ``STATUSES``) and, unless it passed, why."""

    unit: str
    exercise: str
    status: str
    message: str = ""


# ============================================================================================== finding the work
def default_folder(cwd: Path | None = None) -> Path:
    """Where the learner's notebooks are: ``notebooks/`` below ``cwd``, or ``cwd``'s parent when ``cwd`` is a
    unit folder (a notebook's kernel runs there), else ``cwd`` itself."""
    cwd = Path.cwd() if cwd is None else Path(cwd)
    if (cwd / "notebooks").is_dir():
        return cwd / "notebooks"
    if (cwd / f"{cwd.name}.ipynb").is_file():
        return cwd.parent
    return cwd


def unit_notebooks(folder: Path) -> list[Path]:
    """Every ``<folder>/<unit>/<unit>.ipynb``, in unit order (the folders are numbered)."""
    return sorted(path for path in Path(folder).glob("*/*.ipynb")
                  if path.stem == path.parent.name and ".ipynb_checkpoints" not in path.parts)


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def public_tests(notebook) -> dict[str, int]:
    """{exercise grade_id: index of its public test cell ``test_<exercise>``} for every code exercise."""
    index_of = {_nbgrader(cell).get("grade_id"): index for index, cell in enumerate(notebook.cells)}
    return {_nbgrader(cell)["grade_id"]: index_of[f"test_{_nbgrader(cell)['grade_id']}"]
            for cell in notebook.cells
            if cell.cell_type == "code" and _nbgrader(cell).get("solution")
            and f"test_{_nbgrader(cell).get('grade_id')}" in index_of}


def _runs_here(cell) -> bool:
    """Cells that run when checking progress: code, not a hidden test, not a progress cell."""
    meta = _nbgrader(cell)
    hidden = bool(meta.get("grade")) and str(meta.get("grade_id", "")).endswith("_hidden")
    return cell.cell_type == "code" and not hidden and SELF_MARKER not in cell.source


# ============================================================================================== checking one unit
def check_unit(path: Path, *, timeout: int = CELL_TIMEOUT_SECONDS) -> list[ExerciseResult]:
    """Run ``path``'s cells up to its last public test in a fresh kernel (a copy of its folder); read the tests."""
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    unit = Path(path).parent.name
    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as error:  # not JSON, not a notebook: say so, and change nothing
        return [ExerciseResult(unit, "(the whole notebook)", NOT_RUN,
                               f"{Path(path).name} could not be read ({type(error).__name__}); was it saved from "
                               "Jupyter?")]
    tests = public_tests(notebook)
    if not tests:
        return []
    last = max(tests.values())
    runnable = copy.deepcopy(notebook)
    runnable.cells = [cell for cell in runnable.cells[:last + 1] if _runs_here(cell)]
    by_grade_id = {_nbgrader(cell).get("grade_id"): cell for cell in runnable.cells}
    stopped = ""
    with tempfile.TemporaryDirectory(prefix="lstm-course-progress-") as scratch:
        folder = Path(scratch) / unit
        shutil.copytree(Path(path).parent, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        # The kernel talks over Unix sockets in the scratch folder (no TCP port to collide, no warning about one).
        config = Config()
        if os.name == "posix":
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = str(Path(scratch) / "kernel")
        client = NotebookClient(runnable, kernel_name="python3", timeout=timeout, allow_errors=True, config=config)
        try:
            client.execute(cwd=str(folder), env=_kernel_environment())
        except Exception as error:  # a cell timed out, or the kernel died: the tests after it did not run
            stopped = f"the notebook stopped before this check ({type(error).__name__}: {str(error)[:200]})"
    return [_result(unit, exercise, by_grade_id.get(f"test_{exercise}"), stopped) for exercise in tests]


def _kernel_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "agg"  # figures are not shown here: draw them off-screen, which is quicker
    return env


def _result(unit: str, exercise: str, test_cell, stopped: str) -> ExerciseResult:
    if test_cell is None or test_cell.get("execution_count") is None:
        return ExerciseResult(unit, exercise, NOT_RUN, stopped or "its test cell did not run")
    errors = [output for output in test_cell.get("outputs", []) if output.get("output_type") == "error"]
    if not errors:
        return ExerciseResult(unit, exercise, PASSED)
    message = (str(errors[0].get("evalue", "")).strip().splitlines() or [errors[0].get("ename", "error")])[0]
    status = NOT_STARTED if NOT_IMPLEMENTED in message else FAILING
    return ExerciseResult(unit, exercise, status, message)


def collect_progress(folder: Path | None = None,
                     on_unit: Callable[[int, int, str], None] | None = None) -> list[ExerciseResult]:
    """Check every unit in ``folder`` (default: ``default_folder()``); ``on_unit(number, count, unit)`` is called
    as each unit starts, to show that the run is moving (each unit takes a few seconds)."""
    notebooks = unit_notebooks(default_folder() if folder is None else Path(folder))
    results: list[ExerciseResult] = []
    for number, path in enumerate(notebooks, start=1):
        if on_unit is not None:
            on_unit(number, len(notebooks), path.parent.name)
        results.extend(check_unit(path))
    return results


# ============================================================================================== showing it
def summary(results: list[ExerciseResult]) -> dict[str, dict[str, int]]:
    """{unit: {status: how many exercises}} in unit order, every status present (0 when none)."""
    table: dict[str, dict[str, int]] = {}
    for result in results:
        table.setdefault(result.unit, dict.fromkeys(STATUSES, 0))[result.status] += 1
    return table


def format_table(results: list[ExerciseResult]) -> str:
    """A plain-text table: one row per unit with its counts, then one line per exercise not yet passed."""
    table = summary(results)
    if not table:
        return "No unit notebooks found (looked for <folder>/NN_topic/NN_topic.ipynb)."
    width = max(len("unit"), *(len(unit) for unit in table))
    lines = [f"{'unit':<{width}}  " + "  ".join(f"{status:>11}" for status in STATUSES) + "  of",
             "-" * (width + 2 + 13 * len(STATUSES) + 4)]
    for unit, counts in table.items():
        lines.append(f"{unit:<{width}}  " + "  ".join(f"{counts[status]:>11}" for status in STATUSES)
                     + f"  {sum(counts.values()):>2}")
    total = {status: sum(counts[status] for counts in table.values()) for status in STATUSES}
    lines.append(f"{'all units':<{width}}  " + "  ".join(f"{total[status]:>11}" for status in STATUSES)
                 + f"  {sum(total.values()):>2}")
    todo = [result for result in results if result.status in (FAILING, NOT_RUN)]
    if todo:
        lines += ["", "To look at:"]
        lines += [f"  {result.unit} · {result.exercise}: {result.status}: {result.message}" for result in todo]
    return "\n".join(lines)


def html_table(results: list[ExerciseResult]) -> str:
    """The same table as HTML, one row per exercise, for a notebook."""
    from html import escape

    colours = _status_colours()
    rows = []
    for result in results:
        badge = (f'<span style="background:{colours[result.status]};color:white;padding:1px 6px;'
                 f'border-radius:3px">{result.status}</span>')
        rows.append(f"<tr><td>{escape(result.unit)}</td><td><code>{escape(result.exercise)}</code></td>"
                    f"<td>{badge}</td><td style='text-align:left'>{escape(result.message)}</td></tr>")
    return ("<table><thead><tr><th>unit</th><th>exercise</th><th>status</th><th style='text-align:left'>message"
            "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _status_colours() -> dict[str, str]:
    from lstm_course.viz.style import OKABE_ITO

    return {PASSED: OKABE_ITO["green"], FAILING: OKABE_ITO["vermillion"], NOT_STARTED: "#9E9E9E",
            NOT_RUN: OKABE_ITO["orange"]}


def progress_figure(results: list[ExerciseResult]):
    """One horizontal bar per unit, split into its exercises by status; returns the matplotlib Figure."""
    from matplotlib.figure import Figure

    table = summary(results)
    units = list(table)
    colours = _status_colours()
    figure = Figure(figsize=(7.0, 0.45 * max(len(units), 1) + 1.4))
    ax = figure.subplots()
    left = [0] * len(units)
    for status in STATUSES:
        counts = [table[unit][status] for unit in units]
        if any(counts):
            ax.barh(units, counts, left=left, color=colours[status], label=status, edgecolor="white")
            left = [a + b for a, b in zip(left, counts)]
    ax.invert_yaxis()  # unit 1 at the top, as in the course
    ax.set_xlabel("exercises")
    ax.set_ylabel("unit")
    passed = sum(table[unit][PASSED] for unit in units)
    ax.set_title(f"Your progress: {passed} of {len(results)} exercises pass their public check")
    if units:
        ax.legend(loc="lower right", fontsize="small", frameon=False)
    figure.tight_layout()
    return figure


def show_progress(folder: Path | None = None) -> list[ExerciseResult]:
    """In a notebook: check every unit, showing which one is running, then the table and the figure."""
    from IPython.display import HTML, display

    status = display(HTML("<em>Checking your saved notebooks...</em>"), display_id=True)
    results = collect_progress(folder, on_unit=lambda number, count, unit: status.update(
        HTML(f"<em>Checking unit {number} of {count}: {unit} (each unit takes a few seconds)...</em>")))
    status.update(HTML(f"<strong>{sum(r.status == PASSED for r in results)} of {len(results)} exercises pass "
                       "their public check.</strong>"))
    display(HTML(html_table(results)))
    display(progress_figure(results))
    return results


def progress_button(folder: Path | None = None):
    """A button that shows the learner's progress when clicked (running every notebook takes a while, so it
    never runs by itself, not in *Run All Cells* and not while a notebook is graded). Returns the widget, which
    a notebook shows as the cell's value."""
    import ipywidgets as widgets

    button = widgets.Button(description="Show my progress", icon="tasks", button_style="info",
                            tooltip="Runs every exercise's public check in your saved notebooks")
    output = widgets.Output()

    def clicked(_):
        button.disabled = True
        output.clear_output()
        try:
            with output:
                show_progress(folder)
        finally:
            button.disabled = False

    button.on_click(clicked)
    return widgets.VBox([button, output])


# ============================================================================================== the command
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course.progress", description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=None,
                        help="the folder holding your unit folders (default: notebooks/ here, or this folder)")
    parser.add_argument("--figure", type=Path, default=Path("progress.png"),
                        help="where to save the figure (default: progress.png); --figure '' for none")
    options = parser.parse_args(argv)
    folder = default_folder() if options.folder is None else options.folder
    if not unit_notebooks(folder):
        print(f"No unit notebooks in {folder} (looked for NN_topic/NN_topic.ipynb). Give the folder that holds "
              "them: python -m lstm_course.progress path/to/notebooks")
        return 2
    results = collect_progress(folder, on_unit=lambda number, count, unit: print(
        f"[{number}/{count}] checking {unit} ...", flush=True))
    print()
    print(format_table(results))
    if str(options.figure):
        progress_figure(results).savefig(options.figure, dpi=120)
        print(f"\nFigure saved to {options.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
