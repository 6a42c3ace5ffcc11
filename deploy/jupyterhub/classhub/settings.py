"""Where a class's hub keeps its state, and the settings ``hub.sh up`` chose, shared by every part of the hub.

One folder (the *state folder*, default /srv/lstm-course) holds everything a running class has:

    class.json          these settings (written by ``up``, read by jupyterhub_config.py and ``down``)
    hub/                root only (0700): the hub's database, cookie secret, pid files, log, the roster copy
    course/             the nbgrader course (instructors' group, 2770): solutions/, notebooks/, gradebook.db,
                        submitted/, autograded/, feedback/; each instructor's ~/<course_id> links here
    exchange/<course>/  nbgrader's exchange: outbound (released), inbound (submissions), feedback
    jupyter/<role>/     the Jupyter configuration each role's servers read (JUPYTER_CONFIG_PATH)
    accounts.json       the local accounts and group ``up`` created (``down --remove-accounts`` removes those only)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_STATE = "/srv/lstm-course"
DEFAULT_PREFIX = "/opt/lstm-course"
COURSE_ID = "lstm-course"


@dataclass
class ClassSettings:
    state: str = DEFAULT_STATE
    prefix: str = DEFAULT_PREFIX  # where deploy/jupyterhub/setup.sh installed the course environment
    host: str = "127.0.0.1"
    port: int = 8000
    hub_api_port: int = 0  # the hub's internal API and the proxy's API: free ports chosen by ``up``
    proxy_api_port: int = 0
    course_id: str = COURSE_ID
    home_base: str = "/home"
    instructors_group: str = f"{COURSE_ID}-instructors"
    instructors: list[str] = field(default_factory=list)
    students: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------------------------------ paths
    @property
    def state_path(self) -> Path:
        return Path(self.state)

    @property
    def hub_dir(self) -> Path:
        return self.state_path / "hub"

    @property
    def course_dir(self) -> Path:
        return self.state_path / "course"

    @property
    def exchange_dir(self) -> Path:
        return self.state_path / "exchange"

    def jupyter_config_dir(self, role: str) -> Path:
        return self.state_path / "jupyter" / role

    @property
    def roster_copy(self) -> Path:
        return self.hub_dir / "roster.csv"

    @property
    def venv_bin(self) -> Path:
        return Path(self.prefix) / "venv" / "bin"

    @property
    def proxy_command(self) -> Path:
        return Path(self.prefix) / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------------------------------------ file
    def save(self) -> None:
        (self.state_path / "class.json").write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, state: str | Path) -> "ClassSettings":
        path = Path(state) / "class.json"
        if not path.exists():
            raise FileNotFoundError(f"No class has been started with the state folder {state} ({path} is missing).")
        return cls(**json.loads(path.read_text(encoding="utf-8")))
