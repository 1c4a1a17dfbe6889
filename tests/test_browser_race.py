"""Lesson 05's optimizer race as a learner uses it: JupyterLab in headless Chromium.

Runs every cell of lesson 05, then moves one racer's lr slider with the keyboard: its readout line
must change, and each further step must repaint the figure; the time from key press to repainted
canvas is printed (median and quartiles, also written to ``test-artifacts/race-latency.txt``) but
never asserted: timings are for benchmarks.

Needs Debian's Chromium; skipped without it unless ``REQUIRE_BROWSER=1``. Deselect with
``-m "not browser"``.
"""

import statistics
import time
from pathlib import Path

import pytest

from tools.lab_driver import error_outputs, lesson_in_lab, wait_canvas_settled, wait_pixels_changed

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
LESSON = "05_adaptive_quasi_newton.ipynb"
MOVES = 15

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-all (tests/slow_tier.py)


@pytest.fixture(scope="module")
def page(needs_chromium):
    """Lesson 05 opened in JupyterLab with every cell run; the Playwright page."""
    with lesson_in_lab(LESSON) as tab:
        yield tab


def test_lesson_runs_without_errors(page):
    assert error_outputs(page) == []


def test_moving_a_racer_lr_changes_its_readout_line(page):
    widget = page.locator(".race-widget").first
    widget.scroll_into_view_if_needed()
    figure = widget.locator(".jupyter-matplotlib-figure canvas").first
    wait_canvas_settled(figure)
    readout = page.locator(".race-readout").first
    sgd_line = next(ln for ln in readout.inner_text().splitlines() if ln.startswith("SGD "))
    handle = widget.locator(".noUi-handle").first  # the first row: SGD's lr
    handle.focus()
    with wait_pixels_changed(figure):
        handle.press("ArrowLeft")
    page.wait_for_function(
        "(line) => !document.querySelector('.race-readout').innerText.includes(line)", arg=sgd_line,
        timeout=30_000)
    seconds = []
    for _ in range(MOVES):  # each press lands on an lr not run before: a real rerun of SGD
        handle.focus()
        start = time.perf_counter()
        with wait_pixels_changed(figure, polling_ms=5):
            handle.press("ArrowLeft")
        seconds.append(time.perf_counter() - start)
    q1, median, q3 = statistics.quantiles(sorted(1e3 * s for s in seconds), n=4)
    line = f"race widget, key press -> repainted canvas, {MOVES} SGD lr steps: median {median:.0f} ms " \
           f"(quartiles {q1:.0f}-{q3:.0f} ms)"
    print(line)
    (ARTIFACTS / "race-latency.txt").write_text(line + "\n")
    assert error_outputs(page) == []
