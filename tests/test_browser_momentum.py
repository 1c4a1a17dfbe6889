"""Lesson 04's momentum widget as a learner uses it: JupyterLab in headless Chromium.

Runs every cell of lesson 04, then works the momentum widget with the keyboard: η to its
largest value (the steep direction passes the edge 2 + 2β: the readout must say the run
diverges and the figure must change), then a series of single η steps, each of which must
repaint the figure; the time from key press to repainted canvas is printed (median and
quartiles, also written to ``test-artifacts/momentum-latency.txt``) but never asserted: timings
are for benchmarks. (Lesson 05's race widget: ``test_browser_race.py``.)

Needs Debian's Chromium; skipped without it unless ``REQUIRE_BROWSER=1``. Deselect with
``-m "not browser"``.
"""

import statistics
import time
from pathlib import Path

import pytest

from tools.lab_driver import (
    error_outputs,
    lesson_in_lab,
    wait_canvas_settled,
    wait_pixels_changed,
)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
LESSON = "04_momentum.ipynb"
MOVES = 15

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # make test-all (tests/slow_tier.py)


@pytest.fixture(scope="module")
def page(needs_chromium):
    """Lesson 04 opened in JupyterLab with every cell run; the Playwright page."""
    with lesson_in_lab(LESSON) as tab:
        yield tab


def _readout(widget) -> str:
    return widget.locator(".momentum-readout").first.inner_text()


def _wait_readout_changes(page, before: str, timeout_ms: int = 30_000) -> None:
    page.wait_for_function("(before) => document.querySelector('.momentum-readout').innerText !== before",
                           arg=before, timeout=timeout_ms)


def test_lesson_runs_without_errors(page):
    assert error_outputs(page) == []


def test_eta_past_the_edge_says_diverges_and_redraws(page):
    widget = page.locator(".momentum-widget").first
    widget.scroll_into_view_if_needed()
    figure = widget.locator(".jupyter-matplotlib-figure canvas").first
    wait_canvas_settled(figure)
    before = _readout(widget)
    assert "diverges" not in before
    handle = widget.locator(".momentum-eta .noUi-handle").first
    handle.focus()
    with wait_pixels_changed(figure):
        handle.press("End")  # η = 0.1: ηλmax ≈ 9 > 2 + 2β
    _wait_readout_changes(page, before)
    assert "diverges" in _readout(widget)
    widget.screenshot(path=ARTIFACTS / "momentum-diverged.png")
    assert error_outputs(page) == []


def test_each_eta_step_repaints_the_figure(page):
    widget = page.locator(".momentum-widget").first
    figure = widget.locator(".jupyter-matplotlib-figure canvas").first
    handle = widget.locator(".momentum-eta .noUi-handle").first
    handle.focus()
    handle.press("Home")  # η = 1e-3, every step below stays stable (β = 0: ηλmax < 2 up to η ≈ 0.022)
    wait_canvas_settled(figure)
    seconds = []
    for _ in range(MOVES):
        handle.focus()
        start = time.perf_counter()
        with wait_pixels_changed(figure, polling_ms=5):
            handle.press("ArrowRight")
        seconds.append(time.perf_counter() - start)
    ms = sorted(1e3 * s for s in seconds)
    q1, median, q3 = statistics.quantiles(ms, n=4)
    line = (f"momentum widget, key press -> repainted canvas, {MOVES} η steps: median {median:.0f} ms "
            f"(quartiles {q1:.0f}-{q3:.0f} ms)")
    print(line)
    (ARTIFACTS / "momentum-latency.txt").write_text(line + "\n")
    widget.screenshot(path=ARTIFACTS / "momentum-after-steps.png")
