"""Open the course in JupyterLab, set up for who is starting it: a learner (the default) or an instructor.

    python -m lstm_course.launch                  # a learner: the student notebooks, Validate, no instructor tools
    python -m lstm_course.launch --instructor     # the whole repository, with nbgrader's instructor tools
    python -m lstm_course.launch --port 9000 --ip 0.0.0.0 --no-browser

``scripts/start_course.sh`` (or ``py scripts/start_course.py`` on Windows) sets up ``.venv`` and then runs this.

What a learner's JupyterLab shows. nbgrader installs five JupyterLab plugins and four server extensions for
everyone. A learner alone can use one of them, the Validate button; the Formgrader, Create Assignment and the
course list are the instructor's, and the Assignment List only works where a course exchange exists (on a
laptop it said "Error fetching courses!" and "The exchange directory does not exist"). So a learner's
JupyterLab disables the rest, with JupyterLab's and Jupyter Server's own mechanism for that, per config folder
(what ``jupyter labextension disable`` and ``jupyter server extension disable`` write):

    <config>/labconfig/page_config.json     {"disabledExtensions": {"@jupyter/nbgrader:formgrader": true, ...}}
    <config>/jupyter_server_config.json     {"ServerApp": {"jpserver_extensions": {"nbgrader...formgrader": false}}}

The folder (``<environment>/etc/lstm-course/<learner|instructor>/``) is put first on ``JUPYTER_CONFIG_PATH`` for
this JupyterLab only, so the environment's own set-up is left as it is and the instructor's start shows
everything. The Assignment List (and nbgrader's menu, which holds it) is kept for a learner when nbgrader's
configured exchange folder exists, as on a class's JupyterHub.

While Validate works, its button shows a spinner beside "Validating..." (a few lines of CSS this set-up gives
JupyterLab), and Validate runs in the notebook's own kernel (nbgrader_config.py), not the slower grading kernel.

Where it runs: as root (in most containers) JupyterLab refuses to start without ``--allow-root``, which is
added then; inside a container it listens on every interface (as Jupyter's own Docker images do) so a published
port reaches it, and the token still guards it. JupyterLab's own log is held at warnings, so what is printed is
the address to open.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

NBGRADER_PLUGIN = "@jupyter/nbgrader:{}"
DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"  # nbgrader 0.9's Exchange.root (tests/lstm_course compare)
NBGRADER_SERVER_EXTENSION = "nbgrader.server_extensions.{}"

# nbgrader 0.9's JupyterLab plugins and server extensions, by who can use them.
INSTRUCTOR_PLUGINS = ("formgrader", "create-assignment", "course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("formgrader", "course_list")
EXCHANGE_PLUGINS = ("assignment-list", "menu")  # the menu holds the Assignment List (and the instructor's tools)
EXCHANGE_SERVER_EXTENSIONS = ("assignment_list",)
# Always on: "validate-assignment" (the Validate button) and its server extension "validate_assignment".


# While nbgrader's Validate runs, its toolbar button is disabled and reads "Validating..."; a spinner beside the
# label shows that the work goes on. JupyterLab loads this as custom CSS (LabApp.custom_css), served from the
# set-up's config folder by the server extension below.
VALIDATING_CSS = """\
/* Written by lstm_course.launch: a spinner on nbgrader's Validate button while it validates. */
/* nbgrader sets `disabled` on the toolbar's jp-button, which is (or sits in) the .validate-button node */
.validate-button[disabled] .jp-ToolbarButtonComponent-label::before,
.validate-button [disabled] .jp-ToolbarButtonComponent-label::before {
  content: "";
  display: inline-block;
  width: 0.8em;
  height: 0.8em;
  margin-right: 0.4em;
  vertical-align: -0.1em;
  border: 2px solid currentColor;
  border-right-color: transparent;
  border-radius: 50%;
  animation: lstm-course-validating 0.8s linear infinite;
}
@keyframes lstm-course-validating {
  to { transform: rotate(360deg); }
}
"""
SERVER_EXTENSION = "lstm_course.launch"


def _jupyter_server_extension_points():
    """This module is also a small Jupyter server extension (enabled by the set-ups below): see the next one."""
    return [{"module": SERVER_EXTENSION}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Serve the set-up's ``custom/custom.css`` (JupyterLab looks for it only in the user's own config folder):
    add each config folder on JUPYTER_CONFIG_PATH that has one to the folders the server searches, after the
    user's own, so a learner's custom.css still wins."""
    folders = [Path(folder) / "custom" for folder in os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)
               if folder and (Path(folder) / "custom" / "custom.css").is_file()]
    searched = serverapp.web_app.settings.get("static_custom_path")
    if isinstance(searched, list):  # the very list JupyterLab's /custom/ handler searches, so extend it in place
        searched.extend(str(folder) for folder in folders if str(folder) not in searched)


def course_root() -> Path | None:
    """The repository the course runs from (it holds ``notebooks/`` and ``nbgrader_config.py``), if any."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "notebooks").is_dir() and (here / "nbgrader_config.py").is_file() else None


def exchange_folder(cwd: Path) -> Path:
    """nbgrader's exchange folder as configured for a server started in ``cwd`` (its nbgrader_config.py, then
    the Jupyter config folders, as nbgrader's own server extensions read them).

    Importing nbgrader takes seconds; when no nbgrader config file mentions the exchange, its default applies and
    nbgrader is not imported (the common case: a learner's laptop), so a second start stays quick.
    """
    from jupyter_core.paths import jupyter_config_path

    files = [Path(folder) / f"nbgrader_config.{kind}" for folder in [cwd, *jupyter_config_path()]
             for kind in ("py", "json")]
    if not any(path.is_file() and "Exchange" in path.read_text(encoding="utf-8", errors="replace") for path in files):
        return Path(DEFAULT_EXCHANGE)
    from nbgrader.apps import NbGrader
    from nbgrader.exchange.default.exchange import Exchange

    app = NbGrader()
    app.config_file_paths.append([str(cwd), *jupyter_config_path()])
    previous = os.getcwd()
    try:
        os.chdir(cwd)  # the course's nbgrader_config.py reads paths relative to itself; be where nbgrader would be
        app.load_config_file()
    finally:
        os.chdir(previous)
    return Path(Exchange(config=app.config).root)


def extension_settings(*, instructor: bool, exchange: bool) -> tuple[dict[str, bool], dict[str, bool]]:
    """(JupyterLab plugins -> disabled?, server extensions -> enabled?) for nbgrader's parts."""
    plugins = {NBGRADER_PLUGIN.format(name): not instructor for name in INSTRUCTOR_PLUGINS}
    plugins.update({NBGRADER_PLUGIN.format(name): not (instructor or exchange) for name in EXCHANGE_PLUGINS})
    plugins[NBGRADER_PLUGIN.format("validate-assignment")] = False
    servers = {NBGRADER_SERVER_EXTENSION.format(name): instructor for name in INSTRUCTOR_SERVER_EXTENSIONS}
    servers.update({NBGRADER_SERVER_EXTENSION.format(name): instructor or exchange
                    for name in EXCHANGE_SERVER_EXTENSIONS})
    servers[NBGRADER_SERVER_EXTENSION.format("validate_assignment")] = True
    return plugins, servers


def write_config_folder(folder: Path, *, instructor: bool, exchange: bool) -> Path:
    """Write the Jupyter config folder of one set-up (see the module docstring); returns ``folder``."""
    plugins, servers = extension_settings(instructor=instructor, exchange=exchange)
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": plugins}, indent=2) + "\n", encoding="utf-8")
    servers[SERVER_EXTENSION] = True
    (folder / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": servers}, "LabApp": {"custom_css": True}}, indent=2) + "\n",
        encoding="utf-8")
    (folder / "custom").mkdir(exist_ok=True)
    (folder / "custom" / "custom.css").write_text(VALIDATING_CSS, encoding="utf-8")
    return folder


def config_environment(folder: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: this process's) with ``folder`` first on JUPYTER_CONFIG_PATH."""
    env = dict(os.environ if environ is None else environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(folder), *filter(None, env.get("JUPYTER_CONFIG_PATH", "")
                                                                        .split(os.pathsep))])
    return env


def in_container() -> bool:
    """True inside a Docker or Podman container (the files their runtimes create)."""
    return Path("/.dockerenv").exists() or Path("/run/.containerenv").exists()


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(*, root_dir: Path, port: int, ip: str, open_browser: bool, extra: list[str]) -> list[str]:
    """The ``jupyter lab`` command line (this interpreter's JupyterLab)."""
    command = [
        sys.executable, "-m", "jupyter", "lab",
        f"--ServerApp.root_dir={root_dir}",
        f"--ServerApp.port={port}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.open_browser={open_browser}",
        # JupyterLab logs every request and extension at INFO; at WARN what remains is its address to open
        # (logged at CRITICAL level so it always shows) and anything that went wrong.
        "--ServerApp.log_level=WARN",
        "--LabApp.log_level=WARN",
    ]
    if is_root():
        command.append("--allow-root")  # JupyterLab refuses root without it; most containers run as root
    return command + extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course.launch", description=__doc__.split("\n")[0])
    parser.add_argument("--instructor", action="store_true",
                        help="the whole repository with nbgrader's instructor tools (Formgrader, Create Assignment)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LSTM_COURSE_PORT", 8888)),
                        help="port to listen on (default 8888, or $LSTM_COURSE_PORT; the next free one if taken)")
    parser.add_argument("--ip", default=None,
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 inside a container)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    parser.add_argument("lab_arguments", nargs="*", help="more options for jupyter lab, after --")
    options = parser.parse_args(argv)

    root = course_root() or Path.cwd()
    notebooks = root if options.instructor or not (root / "notebooks").is_dir() else root / "notebooks"
    exchange = exchange_folder(root)
    has_exchange = exchange.is_dir()
    mode = "instructor" if options.instructor else "learner"
    folder = write_config_folder(Path(sys.prefix) / "etc" / "lstm-course" / mode, instructor=options.instructor,
                                 exchange=has_exchange)
    ip = options.ip or ("0.0.0.0" if in_container() else "127.0.0.1")
    command = lab_command(root_dir=notebooks, port=options.port, ip=ip, open_browser=not options.no_browser,
                          extra=options.lab_arguments)

    if options.instructor:
        print(f"Opening the course for an instructor: {root} (nbgrader's Formgrader is in the Nbgrader menu).")
    else:
        where = f"the assignment list reads the exchange at {exchange}" if has_exchange else \
            "no course exchange here, so no assignment list: check your work with the Validate button"
        print(f"Opening the course: {notebooks} ({where}).")
    print("JupyterLab prints the address to open below; stop it with Ctrl+C (twice) or File > Shut Down.",
          flush=True)
    env = config_environment(folder)
    if os.name == "posix":
        os.chdir(root)  # nbgrader's Validate reads nbgrader_config.py from the server's working folder
        os.execve(command[0], command, env)  # JupyterLab takes this process's place: Ctrl+C and signals reach it
    return subprocess.call(command, cwd=root, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
