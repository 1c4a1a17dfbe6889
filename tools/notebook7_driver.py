"""Serve the lessons with Jupyter Notebook 7 (what many classrooms open), for the browser test.

``running_notebook7(folder)`` copies ``folder`` to a temporary place, serves it with
``jupyter notebook`` on a free localhost port with a random token and its own empty settings,
and always stops it. Notebook 7 is built from JupyterLab's parts, so the cells, prompts and
menus are driven with :mod:`tools.lab_driver`'s helpers; only the address differs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tools.lab_driver import free_port, wait_kernel_idle


@contextlib.contextmanager
def running_notebook7(notebooks: Path, timeout: float = 90.0) -> Iterator[tuple[str, str]]:
    """Serve a copy of ``notebooks`` with Notebook 7; yield ``(base_url, token)``."""
    work = Path(tempfile.mkdtemp(prefix="nb7-test-"))
    folder = work / "notebooks"
    shutil.copytree(notebooks, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = free_port(), secrets.token_hex(16)
    news = work / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')  # no "get Jupyter news?" toast over the page
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"), JUPYTER_RUNTIME_DIR=str(work / "rt"))
    cmd = [sys.executable, "-m", "notebook", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={folder}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")  # jupyter_server refuses root without it
    log = open(work / "server.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Notebook 7 did not start:\n"
                                       + (work / "server.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        yield base, token
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def open_in_notebook7(page, base: str, token: str, name: str, timeout_ms: int = 90_000) -> None:
    """Open lesson ``name`` in Notebook 7's notebook page; wait until its kernel is idle."""
    page.goto(f"{base}/notebooks/{name}?token={token}", timeout=timeout_ms)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_ms)
    wait_kernel_idle(page, timeout_ms)
