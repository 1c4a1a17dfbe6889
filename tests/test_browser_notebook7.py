"""What a classroom on Jupyter Notebook 7 sees: the learning-rate widget renders and reacts.

Serves a copy of ``apps/`` with ``jupyter notebook`` (Notebook 7), opens the learning-rate app (the
widget of lesson 02, which the JupyterLab test runs as a whole lesson) in headless Chromium, runs
it (no error may show), presses the arrow keys on the slider (each must move it, as in JupyterLab),
then moves the slider to its largest value: the readout must say the
run diverges and the live figure must change. Every wait is for a condition, never a fixed
sleep. Skipped without Chromium unless ``REQUIRE_BROWSER=1`` (CI).
"""

from pathlib import Path

import pytest

from tools.lab_driver import (
    chromium,
    error_outputs,
    press_and_see_the_value_move,
    press_arrows_and_see_the_value_move,
    run_all_cells,
    wait_canvas_settled,
    wait_pixels_changed,
)
from tools.notebook7_driver import open_in_notebook7, running_notebook7

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
APP = "learning_rate.ipynb"

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-all (tests/slow_tier.py)


@pytest.fixture(scope="module")
def page(needs_chromium):
    """The learning-rate app open in Notebook 7, its cell run."""
    with running_notebook7(ROOT / "apps") as (base, token), chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_in_notebook7(page, base, token, APP)
        run_all_cells(page)
        yield page


def test_app_runs_without_errors_in_notebook7(page):
    assert error_outputs(page) == []


def test_widget_renders_and_reacts_in_notebook7(page):
    slider = page.locator(".lr-slider").first
    readout = page.locator(".lr-readout").first
    figure = page.locator(".lr-widget .jupyter-matplotlib-figure canvas").first
    slider.scroll_into_view_if_needed()
    wait_canvas_settled(figure)  # the kernel's first image has been painted
    text_before = readout.inner_text()
    assert "diverges" not in text_before
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    press_arrows_and_see_the_value_move(slider, handle)
    wait_canvas_settled(figure)  # the arrows' images have been painted
    with wait_pixels_changed(figure):  # fails if the figure does not change within 30 s
        press_and_see_the_value_move(slider, handle, "End")
    page.wait_for_function(
        "() => document.querySelector('.lr-readout').textContent.includes('diverges')", timeout=30_000)
    page.screenshot(path=ARTIFACTS / "notebook7-widget-after.png")
    assert error_outputs(page) == []
