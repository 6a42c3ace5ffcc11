"""``lstm_course.launch``: what a learner's and an instructor's JupyterLab load of nbgrader.

Fast: no server starts. The settings are read back the way JupyterLab reads them (jupyterlab_server's page
config, from the folders on JUPYTER_CONFIG_PATH), so a typo in a plugin name or a file JupyterLab does not read
fails here. tests/test_start_course.py starts the real thing; tests/browser checks the menu a learner sees.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lstm_course import launch

NBGRADER_PLUGINS = {"formgrader", "create-assignment", "course-list", "assignment-list", "menu",
                    "validate-assignment"}


def page_config_disabled(folder, monkeypatch) -> set[str]:
    """The nbgrader plugins JupyterLab would disable with ``folder`` first on JUPYTER_CONFIG_PATH."""
    from jupyterlab_server.config import get_static_page_config

    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(folder))
    disabled = get_static_page_config(level="all").get("disabledExtensions", {})
    return {name.split(":", 1)[1] for name, off in disabled.items() if off and name.startswith("@jupyter/nbgrader:")}


def test_the_plugin_names_are_nbgraders_own():
    """Every name written must be a plugin nbgrader's JupyterLab extension really has (read from its bundle)."""
    from jupyter_core.paths import jupyter_path

    bundles = [path for folder in jupyter_path("labextensions")
               for path in (Path(folder) / "@jupyter" / "nbgrader" / "static").glob("*.js")]
    assert bundles, "nbgrader's JupyterLab extension is not installed"
    found = set()
    for bundle in bundles:
        found |= set(re.findall(r'"@jupyter/nbgrader:([a-z-]+)"', bundle.read_text(encoding="utf-8", errors="replace")))
    assert NBGRADER_PLUGINS <= found, f"nbgrader's plugins are {sorted(found)}"


def test_a_learner_alone_gets_validate_only(tmp_path, monkeypatch):
    folder = launch.write_config_folder(tmp_path, instructor=False, exchange=False)
    assert page_config_disabled(folder, monkeypatch) == NBGRADER_PLUGINS - {"validate-assignment"}
    servers = json.loads((folder / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert servers == {"nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.course_list": False,
                       "nbgrader.server_extensions.assignment_list": False,
                       "nbgrader.server_extensions.validate_assignment": True, "lstm_course.launch": True}


def test_a_learner_with_a_course_exchange_also_gets_the_assignment_list(tmp_path, monkeypatch):
    folder = launch.write_config_folder(tmp_path, instructor=False, exchange=True)
    assert page_config_disabled(folder, monkeypatch) == {"formgrader", "create-assignment", "course-list"}


def test_an_instructor_gets_everything(tmp_path, monkeypatch):
    folder = launch.write_config_folder(tmp_path, instructor=True, exchange=False)
    assert page_config_disabled(folder, monkeypatch) == set()
    servers = json.loads((folder / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert all(servers.values())


def test_the_lab_command_allows_root_only_as_root(monkeypatch, tmp_path):
    monkeypatch.setattr(launch, "is_root", lambda: True)
    command = launch.lab_command(root_dir=tmp_path, port=0, ip="127.0.0.1", open_browser=False, extra=[])
    assert "--allow-root" in command and "--ServerApp.port=0" in command
    monkeypatch.setattr(launch, "is_root", lambda: False)
    assert "--allow-root" not in launch.lab_command(root_dir=tmp_path, port=0, ip="127.0.0.1", open_browser=False,
                                                    extra=[])


def test_the_config_folder_goes_first_on_the_config_path(tmp_path):
    env = launch.config_environment(tmp_path, {"JUPYTER_CONFIG_PATH": "/elsewhere"})
    assert env["JUPYTER_CONFIG_PATH"].split(":")[0] == str(tmp_path)
    assert env["JUPYTER_CONFIG_PATH"].endswith("/elsewhere")


def test_the_default_exchange_is_nbgraders_and_a_configured_one_is_read(tmp_path):
    from nbgrader.exchange.default.exchange import Exchange

    assert launch.DEFAULT_EXCHANGE == Exchange.root.default_value
    (tmp_path / "nbgrader_config.py").write_text(f"c = get_config()\nc.Exchange.root = {str(tmp_path / 'x')!r}\n")
    assert launch.exchange_folder(tmp_path) == tmp_path / "x"
