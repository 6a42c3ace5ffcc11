#!/usr/bin/env python
"""Build the course as a static website (Jupyter Book 1, offline). Run through ``bash scripts/build_site.sh``.

    python scripts/build_site.py [--output build/site] [--mathjax DIR] [--no-cache]

What a page is made of, for every unit found in ``solutions/<id>/`` (in order; no list is written anywhere):
- the STUDENT notebook ``notebooks/<id>/<id>.ipynb`` (nbgrader's stubs, no solution region, no hidden test), so
  no solution code can reach the site;
- the outputs of the INSTRUCTOR notebook, executed here with every exercise solved, copied onto the student
  cells that have the same cell id: text, tables and figures, each widget replaced by the figure it draws first
  (the widget's ``Output`` as nbclient captured it). Exercise cells and test cells get no output: a check that
  "passes" under a stub would mislead. The install cell (first cell) and the emptied hidden-test cells are left
  off the page.
Plus ``website/index.md`` (the home page) and an API reference of ``lstm_ref`` from its docstrings (Sphinx
autodoc, one page per public module, found by walking the package).

Nothing is fetched when a page is read: MathJax (from npm, unpacked by build_site.sh into ``--mathjax``) is
served from the site's own ``mathjax/`` folder, the ipywidgets and Thebe scripts are switched off (widgets are
static here), and the build fails if any page still loads a script, style, font or image from another host.

Executed notebooks are cached in ``build/site-cache/`` under a hash of the notebook and the course's Python
sources, so a rebuild after a text edit takes seconds. The build ends with its time and size.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_links import REPO_ROOT, course_links  # noqa: E402

SOLUTIONS, STUDENT = REPO_ROOT / "solutions", REPO_ROOT / "notebooks"
WEBSITE = REPO_ROOT / "website"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CELL_TIMEOUT = 600
WIDGET_NOTE = ("*In the notebook this is a widget you can move; here, the figure it draws first. "
               "Launch the notebook (buttons at the top of the page) to try it.*")
# A page may reference another host only in a link the reader clicks (<a href>), never in what loads by itself.
EXTERNAL_LOAD = re.compile(r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*["']"""
                           r"""(?:https?:)?//""", re.IGNORECASE)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?:https?:)?//""", re.IGNORECASE)


class SiteError(Exception):
    """The site cannot be built as promised; the message says what and where."""


# ================================================================================================ the units
def units() -> list[str]:
    """Every unit id with an instructor notebook, solutions/<id>/<id>.ipynb, sorted: the site's order."""
    found = sorted(p.name for p in SOLUTIONS.iterdir() if (p / f"{p.name}.ipynb").is_file())
    missing = [u for u in found if not (STUDENT / u / f"{u}.ipynb").is_file()]
    if missing:
        raise SiteError(f"no student notebook for {missing}: run python scripts/generate_notebooks.py first.")
    return found


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _is_install_cell(cell) -> bool:
    return _nbgrader(cell).get("grade_id") == "install_course"


def _outputs_shown(cell) -> bool:
    """Only demonstration cells keep outputs: not exercises (solution), tests (grade), nor the install cell."""
    meta = _nbgrader(cell)
    return cell["cell_type"] == "code" and not meta.get("solution") and not meta.get("grade") \
        and not _is_install_cell(cell)


# ================================================================================================ execution
def _course_sources_digest() -> str:
    digest = hashlib.sha256()
    for package in ("lstm_ref", "lstm_course"):
        for path in sorted((REPO_ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def execute_solution(unit: str, cache: Path | None, sources_digest: str) -> dict:
    """The instructor notebook of ``unit`` executed in a copy of its folder, with every exercise solved.

    Test cells and the install cell are blanked first (nbclient skips empty cells): their outputs are not shown,
    and the hidden tests would start a fresh process each. Any error stops the build, naming the cell."""
    folder = SOLUTIONS / unit
    raw = (folder / f"{unit}.ipynb").read_bytes()
    key = hashlib.sha256(raw + sources_digest.encode()).hexdigest()[:20]
    cached = cache / f"{unit}-{key}.ipynb" if cache else None
    if cached and cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8"))

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and not _outputs_shown(cell) and not _nbgrader(cell).get("solution"):
            cell.source = ""
    with tempfile.TemporaryDirectory(prefix=f"site-{unit}-") as scratch:
        shutil.copytree(folder, scratch, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", store_widget_state=True,
                                resources={"metadata": {"path": scratch}})
        try:
            client.execute()
        except CellExecutionError as error:
            raise SiteError(f"solutions/{unit}/{unit}.ipynb failed while executing for the site:\n{error}") from None
    executed = json.loads(nbformat.writes(notebook))
    if cached:
        cache.mkdir(parents=True, exist_ok=True)
        for stale in cache.glob(f"{unit}-*.ipynb"):
            stale.unlink()
        cached.write_text(json.dumps(executed), encoding="utf-8")
    return executed


# ================================================================================================ widgets
def _widget_outputs(model_id: str, state: dict, seen: set[str] | None = None) -> list[dict]:
    """The outputs an (executed) widget shows: its Output widgets' captured outputs, children in order."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id]
    if model.get("model_name") == "OutputModel":
        return copy.deepcopy(model.get("state", {}).get("outputs", []))
    outputs = []
    for child in model.get("state", {}).get("children", []) or []:
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            outputs += _widget_outputs(child[len("IPY_MODEL_"):], state, seen)
    return outputs


def static_outputs(outputs: list[dict], widget_state: dict) -> list[dict]:
    """A cell's outputs as a page shows them: each widget becomes the figures it drew (and a note saying so);
    stderr (kernel warnings) and bare widget reprs are dropped."""
    shown = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            continue
        data = output.get("data", {})
        if WIDGET_VIEW in data:
            drawn = [o for o in _widget_outputs(data[WIDGET_VIEW]["model_id"], widget_state)
                     if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            if drawn:
                shown.append({"output_type": "display_data", "metadata": {},
                              "data": {"text/markdown": WIDGET_NOTE}})
                shown += static_outputs(drawn, widget_state)
            continue
        shown.append(output)
    return shown


# ================================================================================================ pages
def page_notebook(unit: str, executed: dict) -> dict:
    """The student notebook of ``unit`` with the executed instructor notebook's outputs on its demonstration cells."""
    student = json.loads((STUDENT / unit / f"{unit}.ipynb").read_text(encoding="utf-8"))
    widget_state = executed.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    outputs_by_id = {cell["id"]: cell.get("outputs", []) for cell in executed["cells"] if cell["cell_type"] == "code"}
    for cell in student["cells"]:
        if cell["cell_type"] != "code":
            continue
        meta = _nbgrader(cell)
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if _is_install_cell(cell) or (meta.get("grade") and not _source(cell).strip()):
            tags.append("remove-cell")  # the install step, and the hidden tests nbgrader emptied
        cell["outputs"] = static_outputs(outputs_by_id.get(cell["id"], []), widget_state) if _outputs_shown(cell) else []
        cell["execution_count"] = None
    student["metadata"].pop("widgets", None)
    return student


def api_pages() -> dict[str, str]:
    """{relative path: MyST text} for lstm_ref's reference: an index and a page per public module."""
    import lstm_ref

    modules = sorted(m.name for m in pkgutil.iter_modules(lstm_ref.__path__) if not m.name.startswith("_"))
    pages = {"api/index.md": (
        "# API reference: `lstm_ref`\n\n"
        "The course's reference LSTM, from its docstrings. Every exercise is checked against it.\n\n"
        "```{eval-rst}\n.. automodule:: lstm_ref\n```\n")}
    for name in modules:
        pages[f"api/{name}.md"] = (f"# `lstm_ref.{name}`\n\n```{{eval-rst}}\n.. automodule:: lstm_ref.{name}\n"
                                   "   :members:\n   :member-order: bysource\n```\n")
    return pages


def book_config(links, mathjax_dir: Path) -> dict:
    return {
        "title": "LSTMs from first principles",
        "author": "the LSTM course's authors",
        "copyright": "MIT License",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},  # executed above, with the reference filled in
        "repository": {"url": links.repository, "branch": links.branch, "path_to_book": ""},
        "launch_buttons": {"notebook_interface": "jupyterlab", "binderhub_url": "https://mybinder.org",
                           "colab_url": "https://colab.research.google.com", "jupyterhub_url": links.hub,
                           "thebe": False},
        "html": {"use_repository_button": True, "use_download_button": True, "home_page_in_navbar": True},
        "parse": {"myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence", "deflist"]},
        "sphinx": {
            "extra_extensions": ["sphinx.ext.autodoc", "docstring_blocks"],
            "local_extensions": {"docstring_blocks": str(WEBSITE / "_ext")},
            "config": {
                # MathJax from the site itself (not under _static: Jupyter Book injects every .js found there).
                "mathjax_path": "../mathjax/tex-mml-chtml.js",
                "html_extra_path": [str(mathjax_dir)],
                # $$...$$ inside a paragraph or list item (JupyterLab renders it; MyST needs to be told).
                "myst_dmath_double_inline": True,
                "nb_ipywidgets_js": {},  # widgets are static figures here: no require.js / widget manager CDN
                "autodoc_typehints": "description",
                "add_module_names": False,
                "html_show_copyright": False,
                "suppress_warnings": ["mystnb.unknown_mime_type"],
            },
        },
    }


def write_book(source: Path, links, mathjax_dir: Path, executed: dict[str, dict]) -> None:
    import yaml

    source.mkdir(parents=True)
    shutil.copy(WEBSITE / "index.md", source / "index.md")
    chapters = []
    for unit, notebook in executed.items():
        page = source / "notebooks" / unit / f"{unit}.ipynb"  # the repository's own layout: launch links match
        page.parent.mkdir(parents=True)
        page.write_text(json.dumps(page_notebook(unit, notebook), indent=1, ensure_ascii=False), encoding="utf-8")
        chapters.append({"file": f"notebooks/{unit}/{unit}"})
    api = api_pages()
    for relative, text in api.items():
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        (source / relative).write_text(text, encoding="utf-8")
    toc = {"format": "jb-book", "root": "index", "parts": [
        {"caption": "The course", "chapters": chapters},
        {"caption": "Reference", "chapters": [{"file": "api/index", "sections": [
            {"file": p[:-3]} for p in api if p != "api/index.md"]}]},
    ]}
    (source / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    (source / "_config.yml").write_text(yaml.safe_dump(book_config(links, mathjax_dir), sort_keys=False),
                                        encoding="utf-8")


# ================================================================================================ checks
def external_loads(html_root: Path) -> list[str]:
    """Every place a built page or stylesheet would load something from another host by itself."""
    found = []
    for path in sorted(html_root.rglob("*")):
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(html_root)}: {m.group(0)[:120]}" for m in EXTERNAL_LOAD.finditer(text)]
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(html_root)}: {m.group(0)[:120]}" for m in CSS_EXTERNAL.finditer(text)]
    return found


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# ================================================================================================ main
def build(output: Path, mathjax: Path, cache: Path | None) -> dict:
    started = time.monotonic()
    if not (mathjax / "tex-mml-chtml.js").is_file():
        raise SiteError(f"MathJax is missing from {mathjax} (bash scripts/build_site.sh unpacks it from npm).")
    links = course_links()
    digest = _course_sources_digest()
    executed, timings = {}, {}
    for unit in units():
        unit_started = time.monotonic()
        executed[unit] = execute_solution(unit, cache, digest)
        timings[unit] = time.monotonic() - unit_started
        print(f"  {unit}: {timings[unit]:.1f} s", flush=True)
    executed_at = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="site-src-") as scratch:
        source = Path(scratch) / "book"
        extra = Path(scratch) / "extra"
        shutil.copytree(mathjax, extra / "mathjax")
        write_book(source, links, extra, executed)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
        command = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())", "build", str(source), "--builder", "html",
                   "--path-output", str(Path(scratch) / "out"), "--keep-going"]
        run = subprocess.run(command, env=env, capture_output=True, text=True)
        log = run.stdout + run.stderr
        if run.returncode != 0:
            raise SiteError(f"jupyter-book build failed (exit {run.returncode}):\n{log[-6000:]}")
        warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
        html = Path(scratch) / "out" / "_build" / "html"
        if not (html / "index.html").is_file():
            raise SiteError(f"jupyter-book wrote no {html}/index.html:\n{log[-6000:]}")
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(html, output)

    problems = external_loads(output)
    if problems:
        raise SiteError("pages would load from other hosts:\n  " + "\n  ".join(problems[:20]))
    files, size = _size(output)
    summary = {"units": list(executed), "seconds_total": time.monotonic() - started,
               "seconds_executing": executed_at - started, "seconds_per_unit": timings,
               "files": files, "bytes": size, "warnings": warnings, "output": str(output)}
    (output / ".build-summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Build the course website (see the module docstring).")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "build" / "site")
    parser.add_argument("--mathjax", type=Path, default=REPO_ROOT / "build" / "site-vendor" / "mathjax",
                        help="folder holding MathJax 3's es5 files (tex-mml-chtml.js, output/, input/, ...)")
    parser.add_argument("--no-cache", action="store_true", help="execute every notebook again")
    args = parser.parse_args(argv)
    cache = None if args.no_cache else REPO_ROOT / "build" / "site-cache"
    try:
        summary = build(args.output.resolve(), args.mathjax.resolve(), cache)
    except SiteError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 1
    for line in summary["warnings"]:
        print(f"  warning: {line}")
    print(f"site: {len(summary['units'])} units + API reference in {summary['output']}")
    print(f"build time: {summary['seconds_total']:.1f} s (executing notebooks {summary['seconds_executing']:.1f} s)")
    print(f"size: {summary['bytes'] / 1e6:.1f} MB in {summary['files']} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
