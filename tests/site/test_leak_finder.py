"""The solution-leak finder used by the site test finds what it must (fast: no site is built here)."""

import json

from tests.site.leaks import leaks, solution_lines


def test_there_are_solution_lines_to_look_for_in_every_unit():
    lines = solution_lines()
    assert len(lines) > 50, f"only {len(lines)} telling solution lines found: the reader of solutions/ is broken"


def test_a_solution_line_in_highlighted_html_is_found(tmp_path):
    line = sorted(solution_lines())[0]
    # As Pygments writes code: every token in its own tag, characters escaped.
    tokens = "".join(f'<span class="n">{word.replace("<", "&lt;")}</span> ' for word in line.split(" "))
    (tmp_path / "page.html").write_text(f"<html><body><pre>{tokens}</pre></body></html>", encoding="utf-8")
    assert leaks(tmp_path) == [f"page.html: {line}"]


def test_a_solution_line_in_a_downloadable_notebook_is_found(tmp_path):
    line = sorted(solution_lines())[-1]
    notebook = {"cells": [{"cell_type": "code", "source": ["x = 1\n", f"    {line}\n"], "outputs": []}]}
    (tmp_path / "unit.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    assert leaks(tmp_path) == [f"unit.ipynb: {line}"]


def test_a_page_with_student_code_only_is_clean(tmp_path):
    (tmp_path / "page.html").write_text("<pre>raise NotImplementedError</pre><p>YOUR ANSWER HERE</p>")
    assert leaks(tmp_path) == []
