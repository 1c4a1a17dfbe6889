"""Drive a real JupyterLab in headless Chromium (used by the browser test and benchmark).

Every wait is for a condition (kernel idle, prompts numbered, pixels changed) with a timeout,
never a fixed sleep.

``running_lab(folder)`` starts JupyterLab on a free localhost port with a random token and
its own empty settings/workspace folders, and always shuts it down. ``browser_page()`` opens
Debian's Chromium through Playwright (Playwright's own browser download is not needed).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(name: str, cmd: list[str], ready_url: str, work: Path, env: dict[str, str],
                   timeout: float = 90.0) -> Iterator[None]:
    """Run ``cmd`` (a server, in its own process group, logging to ``work/server.log``) until
    ``ready_url`` answers; on exit stop the whole group and remove ``work``. ``name`` is what a
    failure to start calls the server."""
    log = open(work / "server.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n"
                                       + (work / "server.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield
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


def jupyter_workspace(notebooks: Path, prefix: str) -> tuple[Path, Path, dict[str, str]]:
    """A temporary ``work`` folder holding a copy of ``notebooks`` and empty JupyterLab settings
    (news toast off) and workspaces: ``(work, copied folder, environment for the server)``."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    folder = work / "notebooks"
    shutil.copytree(notebooks, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    news = work / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')  # no "get Jupyter news?" toast over the page
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"), JUPYTER_RUNTIME_DIR=str(work / "rt"))
    return work, folder, env


def jupyter_server_command(app: str, folder: Path, port: int, token: str) -> list[str]:
    """``python -m app`` (``jupyterlab`` or ``notebook``) serving ``folder`` on 127.0.0.1:``port``
    behind ``token``; ``--allow-root`` only for root (jupyter_server refuses root without it)."""
    cmd = [sys.executable, "-m", app, "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={folder}"]
    return cmd + (["--allow-root"] if os.geteuid() == 0 else [])


@contextlib.contextmanager
def running_lab(notebooks: Path, timeout: float = 90.0) -> Iterator[tuple[str, str, Path]]:
    """Copy ``notebooks`` to a temporary folder, serve it with JupyterLab; yield
    ``(base_url, token, folder)``. The server is stopped (and the copy removed) on exit."""
    work, folder, env = jupyter_workspace(notebooks, "lab-test-")
    port, token = free_port(), secrets.token_hex(16)
    cmd = jupyter_server_command("jupyterlab", folder, port, token) + [
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly"]
    base = f"http://127.0.0.1:{port}"
    with running_server("JupyterLab", cmd, f"{base}/api/status?token={token}", work, env, timeout):
        yield base, token, folder


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium driven by Playwright; closed on exit. ``.new_page()`` opens tabs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator[object]:
    """A Playwright page in headless Chromium; closed on exit."""
    with chromium() as browser:
        yield browser.new_page(viewport={"width": width, "height": height})


@contextlib.contextmanager
def lesson_in_lab(name: str, notebooks: Path = ROOT / "notebooks") -> Iterator[object]:
    """Lesson ``name`` opened alone in its own JupyterLab (serving a copy of ``notebooks``), in
    headless Chromium, with every cell run; yields the Playwright page."""
    with running_lab(notebooks) as (base, token, _), browser_page() as page:
        open_notebook(page, base, token, name)
        run_all_cells(page)
        yield page


def open_notebook(page, base: str, token: str, name: str, timeout_ms: int = 90_000) -> None:
    """Open ``name`` (alone, in its own workspace) in JupyterLab; wait until its kernel is idle."""
    # A workspace of its own, reset: only this notebook is open, even in a second tab.
    workspace = Path(name).stem.replace("_", "-")
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?reset&token={token}", timeout=timeout_ms)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_ms)
    wait_kernel_idle(page, timeout_ms)


def wait_kernel_idle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the notebook's kernel status says idle."""
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout_ms)


def menu(page, top: str, item: str) -> None:
    """Click ``top`` in JupyterLab's menu bar, then ``item`` in its menu."""
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


PROMPTS = "[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
# Tracebacks: JupyterLab renders an error output, like stderr, as application/vnd.jupyter.stderr
# (a lesson may print "RuntimeError: ..." to stdout on purpose; that is not an error).
STDERR = ".jp-OutputArea [data-mime-type='application/vnd.jupyter.stderr']"
ERRORS = f"[...document.querySelectorAll(\"{STDERR}\")].filter(e => /Traceback|Error:/.test(e.textContent))"


def run_all_cells(page, timeout_ms: int = 180_000) -> None:
    """Clear the stored outputs, Run → Run All Cells, and wait until every cell has run.

    Clearing first matters: a stored notebook already shows ``[1]:``, ``[2]:`` … prompts.
    If no cell has started after 20 s (the click can land while the kernel is still
    connecting), the command is given once more.
    """
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => {PROMPTS}.every(p => !/\\d/.test(p.textContent))",
                           timeout=30_000)
    for attempt in range(2):
        menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(f"() => {PROMPTS}.some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))",
                                   timeout=20_000)
            break
        except Exception:
            if attempt == 1:
                raise
    # Done when every prompt is numbered, or as soon as a traceback shows (Run All stops there).
    page.wait_for_function(
        f"() => ({PROMPTS}.length > 0 && {PROMPTS}.every(p => /\\[\\d+\\]/.test(p.textContent)))"
        f" || {ERRORS}.length > 0", timeout=timeout_ms)
    if errors := error_outputs(page):
        raise AssertionError("a cell failed in JupyterLab:\n" + "\n".join(errors)[-3000:])
    wait_kernel_idle(page, timeout_ms)


# Settled: the pixels differ from a blank canvas of the same size and have not changed for
# quietMs (polled; the last picture and its time are kept on the element).
_SETTLED = """([c, quietMs]) => {
    const url = c.toDataURL(), now = performance.now();
    if (c.__lastUrl !== url) { c.__lastUrl = url; c.__since = now; return false; }
    const blank = document.createElement('canvas');
    blank.width = c.width; blank.height = c.height;
    return url !== blank.toDataURL() && now - c.__since >= quietMs; }"""


def wait_canvas_settled(canvas, quiet_ms: int = 500, timeout_ms: int = 30_000) -> None:
    """Wait until ``canvas`` (a Playwright locator) shows a figure that has not changed for
    ``quiet_ms``: the kernel's image has arrived and been painted."""
    canvas.wait_for(state="visible", timeout=timeout_ms)
    canvas.page.wait_for_function(_SETTLED, arg=[canvas.element_handle(), quiet_ms],
                                  timeout=timeout_ms, polling=100)


@contextlib.contextmanager
def wait_pixels_changed(canvas, timeout_ms: int = 30_000, polling_ms: int = 50) -> Iterator[None]:
    """``with wait_pixels_changed(canvas): act()`` returns once ``canvas`` shows other pixels
    than before ``act()``; raises AssertionError if that takes longer than ``timeout_ms``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    handle = canvas.element_handle()
    before = handle.evaluate("c => c.toDataURL()")
    yield
    try:
        canvas.page.wait_for_function("([c, before]) => c.toDataURL() !== before", arg=[handle, before],
                                      timeout=timeout_ms, polling=polling_ms)
    except PlaywrightTimeout as exc:
        raise AssertionError(f"the figure did not change within {timeout_ms / 1e3:.0f} s") from exc


def error_outputs(page) -> list[str]:
    """Texts of error outputs (tracebacks) shown in the notebook."""
    return page.evaluate(f"() => {ERRORS}.map(e => e.textContent)")


def press_and_see_the_value_move(slider, handle, key: str, timeout_ms: int = 15_000) -> None:
    """Press ``key`` on an ipywidgets slider ``handle`` until the value in ``slider``'s readout moves
    (twice at most: on a loaded machine a key pressed while the page is still settling can be lost;
    the handle is focused again before the second try)."""
    readout = slider.locator(".widget-readout").first
    before = readout.inner_text()
    for attempt in range(2):
        handle.focus()
        handle.press(key)
        try:
            readout.page.wait_for_function("([el, old]) => el.textContent !== old",
                                           arg=[readout.element_handle(), before], timeout=timeout_ms)
            return
        except Exception:
            if attempt == 1:
                raise AssertionError(f"the slider's value did not move after {key} (twice)") from None


def press_arrows_and_see_the_value_move(slider, handle, timeout_ms: int = 30_000) -> None:
    """Press ArrowRight then ArrowLeft on a focused ipywidgets slider ``handle``; each must move the
    value shown in the ``slider``'s readout (Notebook 7 used to take the arrows for its heading
    navigation; ``jupyter/overrides.json`` leaves them to the slider)."""
    readout = slider.locator(".widget-readout").first
    for key in ("ArrowRight", "ArrowLeft"):
        before = readout.inner_text()
        handle.press(key)
        readout.page.wait_for_function("([el, old]) => el.textContent !== old",
                                       arg=[readout.element_handle(), before], timeout=timeout_ms)
