"""JupyterHub for a class on one server (the README's "Running a class on JupyterHub").

Run as root from the class environment:  jupyterhub -f hub/jupyterhub_config.py

- every student is a real Unix user (``python -m tools.hub_users add hub/roster.txt`` creates them
  and prints their passwords); the hub's PAM authenticator checks those passwords and lets in
  exactly the roster's names, plus the teachers (admins);
- each student's server runs as that user (LocalProcessSpawner) with the class environment's
  ``jupyterhub-singleuser``, and opens on an nbgitpuller link: log in, the course is pulled into
  ``~/COURSE_DIR`` (a student's edits are kept, see the README), lesson 00 opens;
- the idle culler stops servers idle for an hour (their files stay);
- the proxy is configurable-http-proxy pinned in hub/package.json (``make hub-setup``).

What a teacher changes comes from the environment (defaults in brackets) or from the lines below.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from kernel_env import KERNEL_ENV  # noqa: E402

c = get_config()  # noqa: F821 (JupyterHub provides it)

# --- what a teacher sets ----------------------------------------------------------------------
COURSE_REPO = os.environ.get("COURSE_REPO", "https://github.com/YOUR-ORG/YOUR-COURSE")  # git remote
COURSE_BRANCH = os.environ.get("COURSE_BRANCH", "main")
COURSE_DIR = os.environ.get("COURSE_DIR", "optim-course")  # the folder in each student's home
ROSTER = Path(os.environ.get("HUB_ROSTER", HERE / "roster.txt"))  # one student name a line
TEACHERS = os.environ.get("HUB_TEACHERS", "teacher").split(",")  # Unix users who administer the hub
STATE = Path(os.environ.get("HUB_STATE_DIR", "/srv/jupyterhub"))  # hub database and cookie secret
FIRST_LESSON = "notebooks/00_start_here.ipynb"

# --- the hub and its proxy ----------------------------------------------------------------------
c.JupyterHub.bind_url = "http://:8000"  # put TLS in front (a reverse proxy), or set ssl_cert/ssl_key
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# --- who may log in -------------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "pam"  # the students' Unix passwords
c.Authenticator.allowed_users = set(
    line.split("#", 1)[0].strip() for line in ROSTER.read_text().splitlines() if line.split("#", 1)[0].strip()
) if ROSTER.exists() else set()
c.Authenticator.admin_users = set(TEACHERS)

# --- each student's server -------------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"  # runs as the student's Unix user, in their home
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]  # the class environment's
# Log in -> nbgitpuller pulls the course (keeping the student's edits) -> lesson 00 opens in JupyterLab.
c.Spawner.default_url = "/git-pull?" + urlencode({
    "repo": COURSE_REPO, "branch": COURSE_BRANCH, "targetpath": COURSE_DIR,
    "urlpath": f"lab/tree/{COURSE_DIR}/{FIRST_LESSON}"})
c.Spawner.environment = dict(KERNEL_ENV)  # inherited by every kernel (see kernel_env.py)
# Memory per student: a server with one lesson's kernel peaks at ~0.6 GB RSS, ~0.45 GB of the
# machine's memory (python -m benchmarks.bench_hub; README's sizing table).
# LocalProcessSpawner does NOT enforce mem_limit (it only
# passes MEM_LIMIT to the server, which jupyter-resource-usage shows); SystemdSpawner does:
#     pip install jupyterhub-systemdspawner, then c.JupyterHub.spawner_class = "systemd"
#     (it also enforces cpu_limit; systemdspawner needs systemd as PID 1).
c.Spawner.mem_limit = "1G"
# nbgrader's server extensions load all of nbgrader into every server: 117 MB instead of 83 MB
# (measured). Students fetch and submit from a terminal (README); teachers (admins) keep them.
NBGRADER_EXTENSIONS = ["formgrader", "validate_assignment", "assignment_list", "course_list"]
c.Spawner.args = ["--ServerApp.jpserver_extensions="
                  + repr({f"nbgrader.server_extensions.{name}": False for name in NBGRADER_EXTENSIONS})]


def teachers_keep_nbgrader(spawner):
    if spawner.user.admin:
        spawner.args = [arg for arg in spawner.args if "nbgrader.server_extensions" not in arg]


c.Spawner.pre_spawn_hook = teachers_keep_nbgrader
# A class logs in within a few minutes: on a busy server a spawn takes longer than the defaults.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

# --- the idle culler: stop servers idle for an hour (their files stay) ------------------------------
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600", "--cull-every=300"],
    }
]
