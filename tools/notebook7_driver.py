"""Serve the lessons with Jupyter Notebook 7 (what many classrooms open), for the browser test.

``running_notebook7(folder)`` copies ``folder`` to a temporary place, serves it with
``jupyter notebook`` on a free localhost port with a random token and its own empty settings,
and always stops it. Notebook 7 is built from JupyterLab's parts, so the cells, prompts and
menus are driven with :mod:`tools.lab_driver`'s helpers; only the address differs.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

from tools.lab_driver import (
    free_port,
    jupyter_server_command,
    jupyter_workspace,
    running_server,
    wait_kernel_idle,
)


@contextlib.contextmanager
def running_notebook7(notebooks: Path, timeout: float = 90.0) -> Iterator[tuple[str, str]]:
    """Serve a copy of ``notebooks`` with Notebook 7; yield ``(base_url, token)``."""
    work, folder, env = jupyter_workspace(notebooks, "nb7-test-")
    port, token = free_port(), secrets.token_hex(16)
    cmd = jupyter_server_command("notebook", folder, port, token)
    base = f"http://127.0.0.1:{port}"
    with running_server("Notebook 7", cmd, f"{base}/api/status?token={token}", work, env, timeout):
        yield base, token


def open_in_notebook7(page, base: str, token: str, name: str, timeout_ms: int = 90_000) -> None:
    """Open lesson ``name`` in Notebook 7's notebook page; wait until its kernel is idle."""
    page.goto(f"{base}/notebooks/{name}?token={token}", timeout=timeout_ms)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_ms)
    wait_kernel_idle(page, timeout_ms)
