"""A real JupyterHub on 127.0.0.1 with real Unix-user students, driven over HTTP as browsers would.

Used by ``tests/test_hub.py`` and ``benchmarks.bench_hub`` (never by a notebook). Needs root and
``make hub-setup`` (``hub/.venv``: a class environment every Unix user can run, and the proxy in
``hub/node_modules``). :class:`Hub` starts ``hub/jupyterhub_config.py`` itself with only the
addresses, folders, roster and course remote changed; :class:`Student` logs in through the login
form (PAM), asks the hub for a token, spawns, pulls the course through nbgitpuller's API, opens
a notebook through the contents API and runs code through the kernel's websocket, exactly what
JupyterLab does. Students are created with :mod:`tools.hub_users` under a comment of their own,
and :meth:`Hub.close` removes them, their homes and every process they or the hub started.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import websocket

from tools import hub_users

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "hub"
HUB_PYTHON = HUB / ".venv" / "bin" / "python"
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
# The GECOS mark of users made by the tests and the benchmark: this prefix and the creating
# process's id, so that a crashed run's users are found and a running one's left alone.
RUN_COMMENT = "linreg-utils hub test"
COURSE_DIR = "optim-course"

# Run in a student's kernel after a lesson: move its learning-rate slider (any live FloatSlider or
# FloatLogSlider whose description names the learning rate: "lr", "η" or "learning rate") to the
# middle of its range, as a drag would, and report what happened as one JSON line. It depends on
# no lesson's cells and no helper's name: only on the slider being labelled as a learning rate.
MOVE_LR_SLIDER = r"""
import json as _json, re as _re, time as _time
import ipywidgets as _widgets
_live = _widgets.Widget._active_widgets  # ipywidgets 8: the registry of live widgets
_live = _live() if callable(_live) else _live
_sliders = [w for w in list(_live.values())
            if isinstance(w, (_widgets.FloatSlider, _widgets.FloatLogSlider))
            and _re.search(r"\blr\b|η|learning rate", w.description or "", _re.I)]
if not _sliders:
    raise LookupError("no learning-rate slider is alive in this kernel")
_s = _sliders[-1]
_old = _s.value
_target = ((_s.min + _s.max) / 2 if isinstance(_s, _widgets.FloatSlider)
           else _s.base ** ((_s.min + _s.max) / 2))
_t0 = _time.perf_counter()
_s.value = _target
_ms = 1e3 * (_time.perf_counter() - _t0)
_moved = {"description": _s.description, "old": _old, "new": _s.value, "ms": _ms}
print("LR-SLIDER-MOVED", _json.dumps(_moved))
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git(*args: str, cwd: Path) -> str:
    """Run git with a fixed identity; return its output."""
    done = subprocess.run(["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@example.org",
                           "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def course_remote(workdir: Path, notebooks: Path = ROOT / "notebooks") -> Path:
    """A bare git repository (branch ``main``) holding the course's ``notebooks/``; its path.

    It stands for the teacher's public course repository; every user can read it."""
    src = workdir / "course-src"
    shutil.copytree(notebooks, src / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    git("init", "-q", cwd=src)
    git("add", "notebooks", cwd=src)
    git("commit", "-q", "-m", "The course", cwd=src)
    bare = workdir / "course.git"
    git("clone", "-q", "--bare", str(src), str(bare), cwd=workdir)
    subprocess.run(["chmod", "-R", "a+rX", str(bare)], check=True)
    return bare


def push_upstream_change(workdir: Path, change: Callable[[Path], None], message: str) -> None:
    """The teacher changes the course (``change(course folder)``) and pushes it to the remote."""
    src = workdir / "course-src"
    change(src)
    git("commit", "-q", "-am", message, cwd=src)
    git("push", "-q", str(workdir / "course.git"), "main", cwd=src)
    subprocess.run(["chmod", "-R", "a+rX", str(workdir / "course.git")], check=True)


class GitDaemon:
    """``git daemon`` serving the bare repositories under ``base`` on 127.0.0.1 (read-only)."""

    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--export-all", f"--base-path={base}", "--listen=127.0.0.1",
             f"--port={self.port}", str(base)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        self.close()
        raise RuntimeError("git daemon did not start")

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)


@dataclass
class Hub:
    """A JupyterHub (``hub/jupyterhub_config.py``) on 127.0.0.1 for ``students`` and ``teachers``,
    who are created as Unix users with random passwords (:attr:`passwords`)."""

    workdir: Path
    students: list[str]
    course_repo: str
    teachers: list[str] = field(default_factory=list)
    spawner_env: dict[str, str] = field(default_factory=dict)
    extra_config: str = ""  # more lines for the hub's config, after everything else
    passwords: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if os.geteuid() != 0:
            raise PermissionError("a hub with Unix-user students needs root")
        if not HUB_PYTHON.exists() or not PROXY.exists():
            raise FileNotFoundError("hub/.venv or hub/node_modules is missing: run `make hub-setup`")
        self.port, self.token, self.proc = free_port(), secrets.token_hex(32), None
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = self.workdir / "state"

    # --- life cycle ---
    def start(self, timeout: float = 120) -> Hub:
        """Create the users, write the config, start the hub; wait until its API answers."""
        self.state.mkdir(parents=True)
        os.chmod(self.workdir, 0o755)  # students read the course remote and the exchange below it
        self.passwords = hub_users.add_users(self.students + self.teachers,
                                             comment=f"{RUN_COMMENT} pid={os.getpid()}")
        (self.workdir / "roster.txt").write_text("".join(f"{s}\n" for s in self.students))
        config = self.workdir / "jupyterhub_config.py"
        config.write_text(f"""
c = get_config()
load_subconfig({str(HUB / 'jupyterhub_config.py')!r})
c.JupyterHub.bind_url = "{self.url}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.Spawner.environment.update({self.spawner_env!r})
c.JupyterHub.services.append({{"name": "class-driver", "api_token": {self.token!r}}})
c.JupyterHub.load_roles.append({{"name": "class-driver", "services": ["class-driver"],
    "scopes": ["admin:users", "admin:servers", "list:users", "read:users"]}})
{self.extra_config}
""")
        env = dict(os.environ, HUB_STATE_DIR=str(self.state), HUB_ROSTER=str(self.workdir / "roster.txt"),
                   HUB_TEACHERS=",".join(self.teachers) or "nobody-teaches", COURSE_REPO=self.course_repo,
                   COURSE_BRANCH="main", COURSE_DIR=COURSE_DIR,
                   PATH=f"{HUB_PYTHON.parent}{os.pathsep}{os.environ.get('PATH', '')}")
        self.log = open(self.workdir / "jupyterhub.log", "w")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen([str(HUB_PYTHON), "-m", "jupyterhub", "-f", str(config)],
                                     cwd=self.state, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=5).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"the hub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        path = self.workdir / "jupyterhub.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def close(self) -> None:
        """Stop the hub (it stops the servers and the proxy), then every process of the users,
        then remove the users and their homes. Safe to call twice and after a failed start."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self.proc is not None:  # a proxy the hub left behind (it runs in the hub's session)
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        hub_users.remove_users(self.students + self.teachers)
        if getattr(self, "log", None):
            self.log.close()

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the hub's REST API, as the driver service (an admin) ---
    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        r = requests.request(method, f"{self.url}/hub/api/{path}", timeout=60,
                             headers={"Authorization": f"token {self.token}"}, **kwargs)
        r.raise_for_status()
        return r


def remove_leftovers() -> list[str]:
    """Remove the users that an earlier run left behind: marked by :data:`RUN_COMMENT`, made by
    a process that no longer runs (a run still going on keeps its users)."""
    names = []
    for name, comment in hub_users.marked_users(RUN_COMMENT):
        pid = comment.rpartition("pid=")[2]
        if not (pid.isdigit() and psutil.pid_exists(int(pid))):
            names.append(name)
    hub_users.remove_users(names)
    return names


@dataclass
class Reply:
    """What one execute request gave: status, printed text, error, and iopub messages seen."""

    status: str
    stdout: str
    error: str
    comm_msgs: int
    seconds: float


class Kernel:
    """A notebook's kernel in a student's server, driven over its websocket as JupyterLab does."""

    def __init__(self, student: Student, notebook: str) -> None:
        self.student = student
        model = student.server("POST", "api/sessions", json={
            "path": notebook, "type": "notebook", "name": Path(notebook).name,
            "kernel": {"name": "python3"}}).json()
        self.session_id, self.kernel_id = model["id"], model["kernel"]["id"]
        self.client_session = uuid.uuid4().hex
        ws_url = student.server_url(f"api/kernels/{self.kernel_id}/channels").replace("http", "ws", 1)
        self.ws = websocket.create_connection(f"{ws_url}?session_id={self.client_session}", timeout=600,
                                              header=[f"Authorization: token {student.token}"])

    @staticmethod
    def _decode(frame: str | bytes) -> dict:
        if isinstance(frame, str):
            return json.loads(frame)
        # Jupyter's binary websocket frame: buffer count, offsets, then the JSON message first.
        (count,) = struct.unpack("!I", frame[:4])
        offsets = struct.unpack(f"!{count}I", frame[4:4 + 4 * count])
        end = offsets[1] if count > 1 else len(frame)
        return json.loads(frame[offsets[0]:end].decode())

    def execute(self, code: str, timeout: float = 300) -> Reply:
        """Run ``code``; wait for its reply and for the kernel to go idle."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.student.name,
                       "session": self.client_session, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        start, deadline = time.perf_counter(), time.monotonic() + timeout
        status, out, error, comms, idle = None, [], "", 0, False
        while status is None or not idle:
            self.ws.settimeout(max(1.0, deadline - time.monotonic()))
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.student.name}: no reply within {timeout:.0f} s to {code[:60]!r}")
            msg = self._decode(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "execute_reply":
                status = content["status"]
                if status == "error":
                    error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind.startswith("comm_"):
                comms += 1
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return Reply(status, "".join(out), error, comms, time.perf_counter() - start)

    def move_lr_slider(self) -> dict:
        """Run :data:`MOVE_LR_SLIDER`; ``{description, old, new, ms, comm_msgs}`` (raises on error)."""
        reply = self.execute(MOVE_LR_SLIDER, timeout=120)
        if reply.status != "ok":
            raise RuntimeError(f"{self.student.name}: moving the learning-rate slider failed: {reply.error}")
        line = next(ln for ln in reply.stdout.splitlines() if ln.startswith("LR-SLIDER-MOVED "))
        return json.loads(line.removeprefix("LR-SLIDER-MOVED ")) | {"comm_msgs": reply.comm_msgs}

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.student.server("DELETE", f"api/sessions/{self.session_id}")


class Student:
    """One student in a browser: a cookie session for the login, then their own API token."""

    def __init__(self, hub: Hub, name: str) -> None:
        self.hub, self.name, self.token = hub, name, None
        self.http = requests.Session()

    def login(self) -> None:
        """Log in through the hub's login form (the PAM authenticator checks the Unix password),
        then ask the hub for an API token as JupyterLab's token page would."""
        self.http.get(f"{self.hub.url}/hub/login", timeout=60).raise_for_status()
        xsrf = self.http.cookies.get("_xsrf", "")
        form = {"username": self.name, "password": self.hub.passwords[self.name], "_xsrf": xsrf}
        r = self.http.post(f"{self.hub.url}/hub/login", data=form, timeout=120, allow_redirects=False)
        if r.status_code != 302:
            raise PermissionError(f"{self.name}: login refused ({r.status_code})")
        r = self.http.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", timeout=60,
                           headers={"X-XSRFToken": self.http.cookies.get("_xsrf", xsrf)},
                           json={"note": "class driver", "expires_in": 7200})
        r.raise_for_status()
        self.token = r.json()["token"]

    def hub_api(self, method: str, path: str, **kwargs) -> requests.Response:
        r = requests.request(method, f"{self.hub.url}/hub/api/{path}", timeout=120,
                             headers={"Authorization": f"token {self.token}"}, **kwargs)
        r.raise_for_status()
        return r

    def spawn(self, timeout: float = 300) -> None:
        """Start this student's server; return when the hub says it is ready."""
        self.hub_api("POST", f"users/{self.name}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.hub_api("GET", f"users/{self.name}").json()["servers"].get("", {})
            if server.get("ready"):
                return
            if not server.get("pending") and not server:
                raise RuntimeError(f"{self.name}: the server stopped while starting:\n{self.hub.log_tail()}")
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}: server not ready within {timeout:.0f} s")

    def stop(self) -> None:
        self.hub_api("DELETE", f"users/{self.name}/server")

    def server_url(self, path: str) -> str:
        return f"{self.hub.url}/user/{self.name}/{path}"

    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to this student's Jupyter server, through the proxy, with their token."""
        r = requests.request(method, self.server_url(path), timeout=kwargs.pop("timeout", 120),
                             headers={"Authorization": f"token {self.token}"}, **kwargs)
        r.raise_for_status()
        return r

    def landing_url(self) -> str:
        """Where the student's server sends a fresh login: the hub's default URL (nbgitpuller)."""
        r = self.server("GET", "", allow_redirects=False)
        return r.headers.get("Location", "")

    def pull(self, repo: str, branch: str = "main", targetpath: str = COURSE_DIR,
             timeout: float = 300) -> str:
        """What the nbgitpuller link does in the browser: its event stream, until 'finished'."""
        r = self.server("GET", "git-pull/api", stream=True, timeout=timeout,
                        params={"repo": repo, "branch": branch, "targetpath": targetpath})
        log = []
        for line in r.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            log.append(event.get("output", ""))
            if event.get("phase") == "finished":
                return "".join(log)
            if event.get("phase") == "error":
                raise RuntimeError(f"{self.name}: nbgitpuller failed: {event.get('message')}\n{''.join(log)}")
        raise RuntimeError(f"{self.name}: nbgitpuller's stream ended early:\n{''.join(log)}")

    def read(self, path: str) -> dict:
        """A file's model (a notebook's JSON in ``content``) through the contents API."""
        return self.server("GET", f"api/contents/{path}", params={"content": "1"}).json()

    def save_notebook(self, path: str, notebook: dict) -> None:
        model = {"type": "notebook", "format": "json", "content": notebook}
        self.server("PUT", f"api/contents/{path}", json=model)

    def find(self, folder: str, pattern: str) -> str:
        """The path of the first file in ``folder`` whose name matches ``pattern``."""
        names = sorted(item["name"] for item in self.read(folder)["content"])
        for name in names:
            if re.match(pattern, name):
                return f"{folder}/{name}"
        raise FileNotFoundError(f"{self.name}: nothing in {folder} matches {pattern!r}: {names}")

    def kernel(self, notebook: str) -> Kernel:
        return Kernel(self, notebook)


def code_cells(notebook: dict) -> list[str]:
    """The sources of a notebook model's code cells, in order."""
    cells = notebook["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c["cell_type"] == "code"]
