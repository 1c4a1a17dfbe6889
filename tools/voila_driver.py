"""Serve the lecture apps (``apps/*.ipynb``) with Voilà, and time them in headless Chromium.

Usage (``make present``)::

    python -m tools.voila_driver [--port 8866] [--cold]

``voila_command(folder, port, token)`` is the command it runs: localhost only, a random token,
and by default one preheated kernel per app (the app has already run when the page is asked
for: interactive in about 2 s instead of about 9 s here). Voilà is not a Jupyter server
extension here but its own server, which runs as root without ``--allow-root``.

``running_voila(folder)`` starts it on a free port for a test or the benchmark and always stops
it. ``open_app(page, ...)`` loads one app and returns the seconds until its widget can be used:
a slider handle shows and the figure is painted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tools.lab_driver import free_port, running_server

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "apps"
# What "interactive" means for an app: a slider handle to drag and a live figure to watch.
READY = ".noUi-handle >> visible=true"
# ipympl paints the figure into the first canvas once its image arrives from the kernel.
PAINTED = """() => [...document.querySelectorAll('.jupyter-matplotlib-figure canvas')].some(c => {
    if (!c.width || !c.height) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4 * 97) if (d[i] > 0) return true;
    return false; })"""


def app_paths(folder: Path = APPS) -> list[Path]:
    """The app notebooks in ``folder``, by name."""
    return sorted(Path(folder).glob("*.ipynb"))


def voila_command(folder: Path, port: int, token: str, preheat: bool = False) -> list[str]:
    """Voilà serving ``folder`` (its app list at ``/``) on 127.0.0.1:``port`` behind ``token``."""
    cmd = [sys.executable, "-m", "voila", str(folder), "--no-browser", "--Voila.ip=127.0.0.1",
           f"--port={port}", f"--token={token}", "--show_tracebacks=True"]
    if preheat:
        cmd += ["--preheat_kernel=True", "--pool_size=1"]
    return cmd


@contextlib.contextmanager
def running_voila(folder: Path = APPS, preheat: bool = False,
                  timeout: float = 90.0) -> Iterator[tuple[str, str]]:
    """Serve ``folder`` with Voilà on a free port; yield ``(base_url, token)``; stop it on exit."""
    work = Path(tempfile.mkdtemp(prefix="voila-test-"))
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(work / "rt"))
    base = f"http://127.0.0.1:{port}"
    with running_server("Voilà", voila_command(folder, port, token, preheat), f"{base}/?token={token}",
                        work, env, timeout):
        yield base, token


def app_url(base: str, token: str, name: str) -> str:
    """The address of app ``name`` (e.g. ``learning_rate.ipynb``)."""
    return f"{base}/voila/render/{name}?token={token}"


def open_app(page, base: str, token: str, name: str, timeout_ms: int = 120_000) -> float:
    """Load app ``name`` in ``page``; return the seconds until its slider shows and its figure
    is painted (time to interactive)."""
    start = time.perf_counter()
    page.goto(app_url(base, token, name), timeout=timeout_ms, wait_until="commit")
    page.wait_for_selector(READY, timeout=timeout_ms)
    page.wait_for_function(PAINTED, timeout=timeout_ms, polling=50)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Print the address of the app list with its token, then become Voilà (until Ctrl-C)."""
    parser = argparse.ArgumentParser(prog="python -m tools.voila_driver", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--cold", action="store_true", help="no preheated kernels (each load runs the app)")
    args = parser.parse_args(argv)
    token = secrets.token_hex(16)
    print(f"Lecture apps: http://127.0.0.1:{args.port}/?token={token}", flush=True)
    for path in app_paths():
        print(f"  {app_url(f'http://127.0.0.1:{args.port}', token, path.name)}", flush=True)
    cmd = voila_command(APPS, args.port, token, preheat=not args.cold)
    os.execv(cmd[0], cmd)  # Voilà replaces this process: Ctrl-C and kill reach it directly


if __name__ == "__main__":
    sys.exit(main())
