"""The class mistake report as one HTML page: tables and plots inline, nothing fetched from anywhere.

Plots are drawn with matplotlib as SVG and written into the page, with a fixed hash salt and no date, so the
same results give the same bytes. The anonymised page names no student: counts only. ``report`` is a ``mistake_report.ClassReport``.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: pages are drawn on grading machines and in tests
import matplotlib.pyplot as plt  # noqa: E402

from lstm_course.viz.style import OKABE_ITO  # noqa: E402

from .outcomes import BLANK, FLAGGED, GRADED, NOT_GRADED  # noqa: E402

TOP_MISTAKES_LINKED = 10  # the top mistakes get a link to the section that teaches their exercise

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; line-height: 1.4; }
h1, h2, h3 { line-height: 1.2; } table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; } code { font-size: 0.9em; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; } .muted { color: #666; }
"""


def _svg(figure) -> str:
    """The figure as inline SVG markup (no XML header), deterministic for the same data."""
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "lstm-course-mistake-report", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight",
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _figure(figure_id: str, figure, caption: str) -> str:
    return (f'<figure id="{figure_id}" class="plot">{_svg(figure)}'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def exercise_figure(report, assignment: str) -> str:
    """Per exercise: share of submitting students who passed the public test, the hidden test, left it blank."""
    rows = [summary for summary in report.exercises if summary.assignment == assignment]
    figure, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.2))
    names = [summary.exercise for summary in rows][::-1]
    bars = [("passed public", "passed_public", OKABE_ITO["sky_blue"]),
            ("passed hidden", "passed_hidden", OKABE_ITO["blue"]),
            ("left as the stub", "not_started", OKABE_ITO["orange"])]
    height = 0.8 / len(bars)
    for index, (label, attribute, colour) in enumerate(bars):
        shares = [getattr(summary, attribute) / summary.submitted if summary.submitted else 0 for summary in rows][::-1]
        ax.barh([position + (1 - index) * height for position in range(len(rows))], shares, height=height,
                color=colour, label=label)
    ax.set_yticks(range(len(rows)), names)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of students who submitted")
    ax.set_title(f"{assignment}: each exercise's tests")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=3, frameon=False)
    return _figure(f"exercises-{assignment}", figure, f"{assignment}: passed tests per exercise.")


def score_figure(report, assignment: str) -> str:
    """Histogram of the autograded points of every student who submitted ``assignment``."""
    scores = list(report.scores[assignment].values())
    top = report.max_scores[assignment]
    figure, ax = plt.subplots(figsize=(6, 2.6))
    edges = [value - 0.5 for value in range(int(top) + 2)] if top <= 40 else 20
    ax.hist(scores, bins=edges, color=OKABE_ITO["blue"], edgecolor="white")
    ax.set_xlabel(f"autograded points (of {top:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment}: score distribution ({len(scores)} students)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _figure(f"scores-{assignment}", figure, f"{assignment}: autograded points; written answers not included.")


def mistakes_figure(groups: list) -> str:
    """The most common recognised mistakes, as bars of how many students made each."""
    shown = groups[:TOP_MISTAKES_LINKED][::-1]
    figure, ax = plt.subplots(figsize=(8, 0.4 * max(len(shown), 1) + 1.2))
    ax.barh(range(len(shown)), [len(group.students) for group in shown], color=OKABE_ITO["vermillion"])
    ax.set_yticks(range(len(shown)), [group.key for group in shown])
    ax.set_xlabel("students")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("The most common recognised mistakes")
    return _figure("mistakes", figure, "Recognised mistakes, ranked by how many students made them.")


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f'<td class="number">{cell}</td>' if index in numeric else f"<td>{cell}</td>"
                                    for index, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _group_rows(groups: list, *, anonymised: bool, linked: int) -> list[list[str]]:
    rows = []
    for rank, group in enumerate(groups, 1):
        where = (f'<a href="{html.escape(group.section)}">{html.escape(group.section_title or "the section")}</a>'
                 if group.section and rank <= linked else "")
        row = [str(rank), html.escape(f"{group.assignment} · {group.exercise}"),
               f"{html.escape(group.text)}<br><code class=muted>{html.escape(group.key)}</code>",
               str(len(group.students)), where]
        rows.append(row if anonymised else row + [html.escape(", ".join(group.students))])
    return rows


def render(report, *, anonymised: bool) -> str:
    """The whole page."""
    title = "What the class gets wrong" + (" (anonymised)" if anonymised else "")
    parts = [f"<h1>{title}</h1>",
             "<p>Built from the autograded notebooks: the checks' records of what failed and why. Blank "
             "submissions, submissions the integrity review flagged and those that could not be graded are counted "
             "as such, never as mistakes. Points are the autograded ones; written answers are graded by a person "
             "and not included.</p>"]
    who = [] if anonymised else ["who"]
    parts += ["<h2>Recognised mistakes</h2>",
              "<p>Each is a mistake a check names for the learner. The section link is where the unit teaches "
              "the exercise: a place to start the next lecture.</p>"]
    if report.mistakes:
        parts += [mistakes_figure(report.mistakes),
                  _table(["rank", "exercise", "mistake", "students", "taught in"] + who,
                         _group_rows(report.mistakes, anonymised=anonymised, linked=TOP_MISTAKES_LINKED), numeric={0, 3})]
    else:
        parts.append("<p>None.</p>")
    parts += ["<h2>Failures no check recognised</h2>",
              "<p>Grouped by the message and the learner's output: a group of several students is a common mistake "
              "the checks do not name yet.</p>",
              _table(["rank", "exercise", "message", "students", "taught in"] + who,
                     _group_rows(report.unrecognised, anonymised=anonymised, linked=len(report.unrecognised)), numeric={0, 3})
              if report.unrecognised else "<p>None.</p>"]
    parts.append("<h2>Assignment by assignment</h2>")
    for assignment in report.assignments:
        counts = {status: report.count(assignment, status) for status in (GRADED, BLANK, FLAGGED, NOT_GRADED)}
        parts.append(f"<h3>{html.escape(assignment)}</h3><p>" + ", ".join(
            f"<strong>{count}</strong> {status}" for status, count in counts.items()) + "</p>")
        rows = [[html.escape(summary.exercise), str(summary.submitted), str(summary.passed_public),
                 str(summary.passed_hidden), str(summary.not_started), f"{summary.mean_points:.2f} / {summary.points:g}"]
                for summary in report.exercises if summary.assignment == assignment]
        parts += [_table(["exercise", "submitted", "passed public", "passed hidden", "left as the stub", "mean points"],
                         rows, numeric={1, 2, 3, 4, 5}),
                  exercise_figure(report, assignment), score_figure(report, assignment)]
        if not anonymised:
            others = [entry for entry in report.statuses if entry.assignment == assignment and entry.status != GRADED]
            if others:
                parts.append("<h4>Not counted as mistakes</h4>" + _table(
                    ["student", "status", "why"],
                    [[html.escape(entry.student), entry.status, html.escape(entry.reason)] for entry in others]))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def write_html(report, path: Path, *, anonymised: bool) -> Path:
    path = Path(path)
    path.write_text(render(report, anonymised=anonymised), encoding="utf-8")
    return path
