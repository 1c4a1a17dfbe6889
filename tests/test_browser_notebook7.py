"""What a classroom on Jupyter Notebook 7 sees: lesson 02 runs and its widget renders and reacts.

Serves a copy of the lessons with ``jupyter notebook`` (Notebook 7), opens lesson 02 in headless
Chromium, runs every cell (no error may show), then moves the learning-rate slider to its
largest value: the readout must say the run diverges and the live figure must change.
Skipped without Chromium unless ``REQUIRE_BROWSER=1`` (CI).
"""

from pathlib import Path

import pytest

from tools.lab_driver import chromium, error_outputs, run_all_cells
from tools.notebook7_driver import open_in_notebook7, running_notebook7

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
LESSON = "02_gradient_descent_live.ipynb"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(needs_chromium):
    """Lesson 02 open in Notebook 7, every cell run."""
    with running_notebook7(ROOT / "notebooks") as (base, token), chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_in_notebook7(page, base, token, LESSON)
        run_all_cells(page)
        yield page


def test_lesson_runs_without_errors_in_notebook7(page):
    assert error_outputs(page) == []


def test_widget_renders_and_reacts_in_notebook7(page):
    slider = page.locator(".lr-slider").first
    readout = page.locator(".lr-readout").first
    figure = page.locator(".lr-widget .jupyter-matplotlib-figure canvas").first
    slider.scroll_into_view_if_needed()
    figure.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1000)
    text_before, image_before = readout.inner_text(), figure.screenshot()
    assert "diverges" not in text_before
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    handle.press("End")
    page.wait_for_function(
        "() => document.querySelector('.lr-readout').textContent.includes('diverges')", timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=ARTIFACTS / "notebook7-widget-after.png")
    assert figure.screenshot() != image_before, "the figure did not change when the slider moved"
    assert error_outputs(page) == []
