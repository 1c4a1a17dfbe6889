"""What a learner sees: lesson 02 in a real JupyterLab, in headless Chromium.

Runs every cell, checks that no error shows, then moves the learning-rate slider with the
keyboard (each arrow key moves it a step; End to its largest value): past the critical
learning rate the readout must say the run diverges, and the figure must change. Every wait is for
a condition with a timeout, never a fixed sleep.
Screenshots go to ``test-artifacts/``. Lesson 04's widgets (momentum, race) have their own
browser test, ``test_browser_momentum.py``.

Needs Debian's Chromium (``apt-get install chromium``). Without it the test is skipped, unless
``REQUIRE_BROWSER=1`` (set by CI) turns the skip into a failure. Deselect with ``-m "not browser"``.
"""

from pathlib import Path

import pytest

from tools.lab_driver import (
    error_outputs,
    lesson_in_lab,
    press_and_see_the_value_move,
    press_arrows_and_see_the_value_move,
    wait_canvas_settled,
    wait_pixels_changed,
)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
LESSON = "02_gradient_descent_live.ipynb"

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-all (tests/slow_tier.py)


@pytest.fixture(scope="module")
def lab_page(needs_chromium):
    """Lesson 02 opened in JupyterLab (its own server, headless Chromium), every cell run."""
    with lesson_in_lab(LESSON) as page:
        yield page


def test_lesson_runs_without_errors_in_jupyterlab(lab_page):
    assert error_outputs(lab_page) == []


def test_moving_the_slider_updates_the_live_figure_and_the_readout(lab_page):
    page = lab_page
    slider = page.locator(".lr-slider").first
    readout = page.locator(".lr-readout").first
    figure = page.locator(".jupyter-matplotlib-figure canvas").first
    slider.scroll_into_view_if_needed()
    wait_canvas_settled(figure)  # the kernel's first image has been painted
    page.screenshot(path=ARTIFACTS / "widget-before.png", full_page=False)
    text_before = readout.inner_text()
    assert "diverges" not in text_before

    handle = slider.locator(".noUi-handle").first
    handle.focus()
    press_arrows_and_see_the_value_move(slider, handle)
    wait_canvas_settled(figure)  # the arrows' images have been painted
    with wait_pixels_changed(figure):  # fails if the figure does not change within 30 s
        press_and_see_the_value_move(slider, handle, "End")  # the largest learning rate, above 2/λmax
    page.wait_for_function(
        "() => document.querySelector('.lr-readout').textContent.includes('diverges')",
        timeout=30_000)
    page.screenshot(path=ARTIFACTS / "widget-after.png", full_page=False)
    assert readout.inner_text() != text_before
    assert error_outputs(page) == []


def test_optional_sections_open_collapsed_in_jupyterlab(lab_page):
    """Every heading ending in "(optional)" shows as a collapsed heading (its own text visible, the
    cells below it hidden behind JupyterLab's "N cells hidden" button), as the lessons store them."""
    import nbformat

    from tools.notebooks import optional_sections

    stored = optional_sections(nbformat.read(ROOT / "notebooks" / LESSON, as_version=4))
    assert stored, f"{LESSON} has no optional section to check"
    cells = lab_page.evaluate("""() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(c => ({
        heading: (c.querySelector('h1, h2, h3, h4') || {}).textContent || '',
        collapsed: c.classList.contains('jp-MarkdownHeadingCollapsed'),
        hidden: c.classList.contains('lm-mod-hidden'),
        button: !!c.querySelector('.jp-showHiddenCellsButton')}))""")
    for section in stored:
        head = cells[section.start]
        assert head["heading"].rstrip("¶ ").endswith("(optional)"), head
        assert head["collapsed"] and head["button"] and not head["hidden"], head
        assert all(cells[i]["hidden"] for i in section if i != section.start), section
    first = lab_page.locator(".jp-MarkdownHeadingCollapsed").first
    first.scroll_into_view_if_needed()
    lab_page.screenshot(path=ARTIFACTS / "optional-collapsed.png", full_page=False)
