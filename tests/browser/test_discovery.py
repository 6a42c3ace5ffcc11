"""The rule that picks the widget notebooks for the browser test (fast: no browser, no server).

Each case is a small notebook written here, so the rule is checked on code whose answer is known.
"""

import json

import pytest

from tests.browser.discovery import first_student_notebook, shows_widget, widget_cell_count, widget_notebooks


def write_notebook(path, *cells):
    """A minimal nbformat-4 notebook whose code cells hold ``cells`` (strings)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
                           "execution_count": None} for source in cells]}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@pytest.mark.parametrize("cells", [
    ("from lstm_course.viz.gates import gate_explorer", 'gate_explorer("forget").view'),
    ("from lstm_course.viz.training import gate_scrubber\nfrom IPython.display import display",
     "scrubber = gate_scrubber(model, x)\ndisplay(scrubber.view)"),
    ("import lstm_course.viz.bptt", "lstm_course.viz.bptt.gradient_flow_explorer().view"),
    ("from ipywidgets import interact", "interact(print, x=3)"),
    ("%matplotlib inline\nimport ipywidgets as widgets", "widgets.IntSlider()"),  # a magic does not hide it
])
def test_notebooks_that_display_a_widget_are_found(tmp_path, cells):
    assert shows_widget(write_notebook(tmp_path / "unit.ipynb", *cells))


@pytest.mark.parametrize("cells", [
    ("import matplotlib.pyplot as plt", "plt.plot([1, 2]); plt.show()"),
    ("from lstm_course.viz.gates import plot_all_gates", "figure, values = plot_all_gates()"),  # a figure, no control
    ("from lstm_course.viz.style import OKABE_ITO", "print(OKABE_ITO)"),
    ("view = 3", "print(view)"),  # a name 'view' is not a widget's .view
    ("class Box:\n    view = 1", "Box().view"),  # .view without the course's viz: not a course widget
])
def test_notebooks_without_a_widget_are_left_out(tmp_path, cells):
    assert not shows_widget(write_notebook(tmp_path / "unit.ipynb", *cells))


def test_widget_cells_are_counted_one_per_cell(tmp_path):
    notebook = write_notebook(tmp_path / "unit.ipynb", "from lstm_course.viz.gates import gate_explorer",
                              'gate_explorer("forget").view', 'gate_explorer("input").view', "print(1)")
    assert widget_cell_count(notebook) == 2


def test_only_unit_notebooks_with_widgets_are_listed_in_order(tmp_path):
    write_notebook(tmp_path / "02_b" / "02_b.ipynb", "from lstm_course.viz.gates import gate_explorer",
                   'gate_explorer("input").view')
    write_notebook(tmp_path / "01_a" / "01_a.ipynb", "print('no widget here')")
    write_notebook(tmp_path / "03_c" / "03_c.ipynb", "import ipywidgets")
    write_notebook(tmp_path / "03_c" / ".ipynb_checkpoints" / "03_c-checkpoint.ipynb", "import ipywidgets")
    assert [path.name for path in widget_notebooks(tmp_path)] == ["02_b.ipynb", "03_c.ipynb"]


def test_the_first_student_notebook_is_picked_and_none_when_there_are_none(tmp_path):
    assert first_student_notebook(tmp_path) is None
    write_notebook(tmp_path / "02_b" / "02_b.ipynb", "pass")
    write_notebook(tmp_path / "01_a" / "01_a.ipynb", "pass")
    assert first_student_notebook(tmp_path).name == "01_a.ipynb"
