"""What a learner sees when a check fails: one plain message, no traceback, in a real JupyterLab and in
Voilà (as ``make present`` serves it), in headless Chromium.

A small notebook made of lesson 02's own cells: Exercise 2.1 answered with the recorded typical
mistake (``tests/exercise_answers.py``), its check cell, ``hint("2.1")``, and Exercise 2.2's check
cell unanswered. No lesson is executed. Screenshots go to ``test-artifacts/``
(``docs/images/failed_check_*.png`` are copies). Skipped without Chromium unless
``REQUIRE_BROWSER=1`` (CI).
"""

from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.exercise_answers import ANSWERS
from tools.lab_driver import STDERR, chromium, open_notebook, running_lab, wait_kernel_idle
from tools.nbgrader_cells import find_exercises
from tools.voila_driver import running_voila

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
NAME = "failed_check.ipynb"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def check_cells() -> dict[str, str]:
    nb = nbformat.read(ROOT / "notebooks" / "02_gradient_descent_live.ipynb", as_version=4)
    return {e.number: nb.cells[e.check].source for e in find_exercises(nb, 2)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder holding the small notebook (no outputs)."""
    checks = check_cells()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("### Exercise 2.1, answered with a typical mistake"),
        nbformat.v4.new_code_cell(ANSWERS["2.1"].mistake),
        nbformat.v4.new_code_cell(checks["2.1"]),
        nbformat.v4.new_code_cell('hint("2.1")'),
        nbformat.v4.new_code_cell(checks["2.2"]),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path_factory.mktemp("exercises")
    nbformat.write(nb, folder / NAME)
    return folder


DISMISSED: list[str] = []
"""The text of every JupyterLab dialog :func:`dismiss_dialog` closed (printed by the test)."""


def dismiss_dialog(page) -> None:
    """Close a JupyterLab dialog that would take the next click (seen on a loaded machine: it
    covers the notebook), keeping its text in :data:`DISMISSED`."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        DISMISSED.append(dialog.first.inner_text())
        page.keyboard.press("Escape")
        dialog.first.wait_for(state="detached", timeout=10_000)


def run_cell(page, cell, timeout_ms: int = 120_000) -> None:
    """Run one cell in place (Ctrl+Enter) and wait until its prompt shows a number and the kernel
    is idle; the keys are pressed once more if the cell has not started after 20 s."""
    prompt = cell.locator(".jp-InputPrompt")
    for attempt in range(2):
        dismiss_dialog(page)
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_function("p => /\\[(\\*|\\d+)\\]/.test(p.textContent)", arg=prompt.element_handle(),
                                   timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == 1:
                raise
    page.wait_for_function("p => /\\[\\d+\\]/.test(p.textContent)", arg=prompt.element_handle(),
                           timeout=timeout_ms)
    wait_kernel_idle(page, timeout_ms)


def test_jupyterlab_shows_the_failed_check_as_one_message(folder, needs_chromium):
    with running_lab(folder) as (base, token, _), chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        open_notebook(page, base, token, NAME)
        cells = page.locator(".jp-CodeCell")
        for index in range(4):  # Run All stops at the first error: run the cells one by one
            run_cell(page, cells.nth(index))
        outputs = page.locator(".jp-CodeCell").all()
        failed = outputs[1].locator(STDERR).inner_text()
        assert failed.startswith("Exercise 2.1 is not right yet: you shrank the gap by ρ per step."), failed
        assert "Traceback" not in failed and 'hint("2.1")' in failed
        assert "Hint 1 of 3 for Exercise 2.1" in outputs[2].inner_text()
        unanswered = outputs[3].locator(STDERR).inner_text()
        assert unanswered.startswith("Exercise 2.2 is not done yet: set `critical_centred`."), unanswered
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".jp-Notebook").first.screenshot(path=ARTIFACTS / "failed_check_jupyterlab.png")
    if DISMISSED:
        print("JupyterLab dialogs closed on the way:", DISMISSED)


def test_voila_shows_the_failed_check_as_one_message(folder, needs_chromium):
    with running_voila(folder) as (base, token), chromium() as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 500})
        page.goto(f"{base}/voila/render/{NAME}?token={token}", timeout=120_000)
        message = page.get_by_text("Exercise 2.1 is not right yet").first
        message.wait_for(timeout=120_000)
        text = page.locator("body").inner_text()
        assert "you shrank the gap by ρ per step" in text and 'hint("2.1")' in text
        assert "Traceback" not in text and "There was an error" not in text
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "failed_check_voila.png")
