"""What a learner sees: lesson 02 in a real JupyterLab, in headless Chromium.

Runs every cell, checks that no error shows, moves the learning-rate slider with the keyboard
and checks that the live figure and the readout change (past the critical learning rate the
readout says the run diverges). Screenshots go to ``test-artifacts/``.

Needs Debian's Chromium (``apt-get install chromium``). Without it the test is skipped, unless
``REQUIRE_BROWSER=1`` (set by CI) turns the skip into a failure. Deselect with ``-m "not browser"``.
"""

import os
from pathlib import Path

import pytest
from lab_driver import CHROMIUM, browser_page, error_outputs, open_notebook, run_all_cells, running_lab

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
LESSON = "02_gradient_descent_live.ipynb"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab_page():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    if not (ROOT / "notebooks" / LESSON).exists():
        pytest.fail(f"notebooks/{LESSON} is missing")
    ARTIFACTS.mkdir(exist_ok=True)
    with running_lab(ROOT / "notebooks") as (base, token, _), browser_page() as page:
        open_notebook(page, base, token, LESSON)
        run_all_cells(page)
        yield page


def test_lesson_runs_without_errors_in_jupyterlab(lab_page):
    assert error_outputs(lab_page) == []


def test_moving_the_slider_updates_the_live_figure_and_the_readout(lab_page):
    page = lab_page
    slider = page.locator(".lr-slider").first
    readout = page.locator(".lr-readout").first
    figure = page.locator(".jupyter-matplotlib-figure canvas").first
    slider.scroll_into_view_if_needed()
    figure.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "widget-before.png", full_page=False)
    text_before, image_before = readout.inner_text(), figure.screenshot()
    assert "diverges" not in text_before

    handle = slider.locator(".noUi-handle").first
    handle.focus()
    handle.press("End")  # the slider's largest learning rate, above 2/λmax
    page.wait_for_function(
        "() => document.querySelector('.lr-readout').textContent.includes('diverges')",
        timeout=30_000)
    page.wait_for_timeout(1500)  # let the new figure image arrive from the kernel
    image_after = figure.screenshot()
    page.screenshot(path=ARTIFACTS / "widget-after.png", full_page=False)
    assert readout.inner_text() != text_before
    assert image_after != image_before, "the figure did not change when the slider moved"
    assert error_outputs(page) == []
