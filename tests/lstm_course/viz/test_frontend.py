"""Without a front end (grading, testing) the course builds no widget and no reference-only figure, and the
learner's own cells give exactly the same outputs (lstm_course.viz.frontend)."""

import matplotlib

matplotlib.use("Agg")

import copy  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_course.viz import bptt, frontend, gates, gradients, training  # noqa: E402
from lstm_ref.training import SequenceModel  # noqa: E402
from lstm_ref.tasks import adding_problem  # noqa: E402


@pytest.fixture
def in_kernel(monkeypatch):
    """Pretend this process is a notebook's kernel (has_frontend reads the environment only inside one)."""
    monkeypatch.setattr(frontend, "_in_kernel", lambda: True)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv(frontend.FRONTEND_VARIABLE, raising=False)
    return monkeypatch


def test_a_kernel_has_a_frontend_unless_its_environment_says_otherwise(in_kernel):
    assert frontend.has_frontend({})
    assert frontend.has_frontend({frontend.FRONTEND_VARIABLE: "jupyterlab"})
    assert not frontend.has_frontend({"NBGRADER_EXECUTION": "autograde"})
    assert not frontend.has_frontend({"NBGRADER_EXECUTION": "validate"})
    assert not frontend.has_frontend({frontend.FRONTEND_VARIABLE: "none"})
    assert not frontend.has_frontend({frontend.FRONTEND_VARIABLE: "None"})


def test_outside_a_kernel_widgets_are_always_built(monkeypatch):
    """The unit tests of the widgets run in the test process itself: the variables must not switch them off."""
    monkeypatch.setenv(frontend.FRONTEND_VARIABLE, "none")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert frontend.has_frontend()
    assert isinstance(gates.gate_explorer("forget"), gates.GateExplorer)


def small_trained_model():
    task = adding_problem(batch=4, length=6, rng=0)
    return SequenceModel.for_task("lstm", task, hidden_size=4, rng=0), task.inputs, task.targets


WIDGET_BUILDERS = {
    "gate_explorer": lambda: gates.gate_explorer("forget"),
    "gradient_norm_explorer": lambda: gradients.gradient_norm_explorer(),
    "gradient_flow_explorer": lambda: bptt.gradient_flow_explorer(),
    "gate_scrubber": lambda: training.gate_scrubber(*small_trained_model()),
}


@pytest.mark.parametrize("builder", WIDGET_BUILDERS, ids=list(WIDGET_BUILDERS))
def test_without_a_frontend_a_widget_builder_returns_a_stand_in(builder, in_kernel, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    built = WIDGET_BUILDERS[builder]()
    assert isinstance(built, frontend.NotShown)
    assert built.view is built  # `builder(...).view` in a cell displays the stand-in
    assert "JupyterLab" in repr(built) and "JupyterLab" in built._repr_markdown_()
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert not isinstance(WIDGET_BUILDERS[builder](), frontend.NotShown)  # and the real widget with one


def test_without_a_frontend_reference_figures_are_not_drawn_but_their_numbers_are_the_same(in_kernel, monkeypatch):
    shown_values = gates.plot_all_gates()[1]
    shown_clipping = training.plot_clipping()[1]
    monkeypatch.setenv(frontend.FRONTEND_VARIABLE, "none")
    figure, values = gates.plot_all_gates()
    assert figure is None and set(values) == set(shown_values)
    for key in values:
        np.testing.assert_array_equal(values[key], shown_values[key])
    figure, drawn = training.plot_clipping()
    assert figure is None and all(np.array_equal(drawn[k], shown_clipping[k]) for k in shown_clipping)
    assert training.plot_optimiser_paths() is None


def test_without_a_frontend_a_live_loss_plot_records_but_never_displays(in_kernel, monkeypatch):
    shown = []
    monkeypatch.setattr(training, "display", lambda *args, **kwargs: shown.append(args))
    monkeypatch.setenv(frontend.FRONTEND_VARIABLE, "none")
    plot = training.LiveLossPlot("loss", total_steps=2)
    plot(1, 0.5)
    plot(2, 0.25)
    assert shown == [] and plot.values["training loss"] == ([1, 2], [0.5, 0.25])
    monkeypatch.delenv(frontend.FRONTEND_VARIABLE)
    training.LiveLossPlot("loss", total_steps=2)
    assert len(shown) == 1


# --- slow: a real kernel ---------------------------------------------------------------------------------------

def _learner_outputs(executed, grade_ids):
    """{grade_id: [(output type, text or error)]} of the given cells, for comparing two runs."""
    from tests.notebooks.course_harness import nbgrader_metadata

    found = {}
    for cell in executed.cells:
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if grade_id in grade_ids:
            found[grade_id] = [(o.output_type, o.get("text") or o.get("data", {}).get("text/plain")
                                or (o.get("ename"), o.get("evalue"))) for o in cell.get("outputs", [])]
    return found


@pytest.mark.slow
def test_unit_4_runs_without_widgets_and_the_learners_outputs_do_not_change(tmp_path):
    from nbclient import NotebookClient

    from tests.notebooks.course_harness import (
        exercise_ids, fill_solutions, kernel_environment, read_notebook, release_notebook_path,
        source_notebook_path)
    from tests.wrong_answers import load_wrong_answers

    unit = "04_gates"
    source = read_notebook(source_notebook_path(unit))
    exercises = exercise_ids(source)
    wrong = {exercises[0]: next(iter(load_wrong_answers(unit)[exercises[0]].values()))}  # one error output too
    notebook = fill_solutions(read_notebook(release_notebook_path(unit)), source, wrong)
    learner_cells = set(exercises) | {f"test_{e}" for e in exercises}

    runs = {}
    for name, variables in (("no front end", {}), ("front end", {frontend.FRONTEND_VARIABLE: "lab"})):
        environment = {**kernel_environment(), **variables}
        environment.pop("NBGRADER_EXECUTION", None)
        executed = copy.deepcopy(notebook)
        NotebookClient(executed, kernel_name="python3", timeout=120, allow_errors=True).execute(
            cwd=str(tmp_path), env=environment)
        runs[name] = executed

    def widget_views(executed):
        return sum("application/vnd.jupyter.widget-view+json" in output.get("data", {})
                   for cell in executed.cells for output in cell.get("outputs", []))

    assert widget_views(runs["front end"]) >= 6  # the six gate explorers
    assert widget_views(runs["no front end"]) == 0
    headless_text = "".join(str(o.get("data", {}).get("text/plain", "")) for c in runs["no front end"].cells
                            for o in c.get("outputs", []))
    assert "shown when the notebook is open in JupyterLab" in headless_text
    before, after = _learner_outputs(runs["front end"], learner_cells), _learner_outputs(runs["no front end"], learner_cells)
    assert set(before) == learner_cells
    assert any(kind == "error" for outputs in before.values() for kind, _ in outputs)  # the wrong answer's failure
    assert after == before
