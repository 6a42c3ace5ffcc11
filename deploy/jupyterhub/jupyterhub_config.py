"""JupyterHub configuration for a class of the LSTM course on one machine.

Started by ``bash deploy/jupyterhub/hub.sh up ROSTER`` (never by hand): that command has already created the
accounts, the nbgrader course and exchange and each role's Jupyter configuration, and written the class's settings
to ``<state>/class.json``, whose folder it passes in ``LSTM_HUB_STATE``.

Why each setting is here:
- The hub runs as root (it must, to start each user's server as that user: LocalProcessSpawner). Nothing a user
  server runs may come from root's environment: the spawner's PATH and Jupyter paths are set explicitly to the
  course environment (``<prefix>/venv``), and only the locale is passed through.
- Every port is given: the public one (127.0.0.1:8000 by default), and the hub's and proxy's internal ones
  (chosen free by ``up``), so two hubs on one machine never collide.
- Students and instructors get different Jupyter configurations (``<state>/jupyter/<role>``): students see the
  Assignments list and Validate only; instructors also get the formgrader and Create Assignment.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from classhub.authenticator import RosterAuthenticator  # noqa: E402
from classhub.settings import ClassSettings  # noqa: E402

c = get_config()  # noqa: F821 -- provided by JupyterHub
settings = ClassSettings.load(os.environ["LSTM_HUB_STATE"])
hub_dir = str(settings.hub_dir)
venv_bin = str(settings.venv_bin)

# ---------------------------------------------------------------------------------------------- network
c.JupyterHub.bind_url = f"http://{settings.host}:{settings.port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings.hub_api_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(settings.proxy_command)]
c.ConfigurableHTTPProxy.pid_file = os.path.join(hub_dir, "proxy.pid")

# ---------------------------------------------------------------------------------------------- hub's own files
c.JupyterHub.db_url = "sqlite:///" + os.path.join(hub_dir, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(hub_dir, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(hub_dir, "jupyterhub.pid")
# Stopping the hub stops every user server and the proxy (hub.sh down relies on it, then checks).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# ---------------------------------------------------------------------------------------------- who logs in
c.JupyterHub.authenticator_class = RosterAuthenticator
c.RosterAuthenticator.roster_path = str(settings.roster_copy)
c.Authenticator.allowed_users = set(settings.students) | set(settings.instructors)
c.Authenticator.admin_users = set(settings.instructors)

# Automation (the end-to-end test, the benchmark, an instructor's scripts): a service whose token is given in
# LSTM_HUB_SERVICE_TOKEN when the hub starts may start servers and call them. Absent the variable: no service.
service_token = os.environ.get("LSTM_HUB_SERVICE_TOKEN")
if service_token:
    c.JupyterHub.services = [{"name": "class-admin", "api_token": service_token}]
    c.JupyterHub.load_roles = [{
        "name": "class-admin",
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"],
        "services": ["class-admin"],
    }]

# ---------------------------------------------------------------------------------------------- user servers
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(venv_bin, "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.env_keep = ["LANG", "LC_ALL"]  # not PATH, not PYTHONPATH, not VIRTUAL_ENV: those are root's
# A loaded machine (30 students logging in at once on 2 cores) needs more than the default 60 s / 30 s.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300


def _role(spawner) -> str:
    return "instructor" if spawner.user.name in settings.instructors else "student"


c.Spawner.environment = {
    "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_CONFIG_PATH": lambda spawner: str(settings.jupyter_config_dir(_role(spawner))),
    # one BLAS thread per kernel: many students share the machine's cores (the course's matrices are small)
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}
