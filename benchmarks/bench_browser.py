"""Slider move → figure updated, as a learner sees it: JupyterLab in headless Chromium.

Usage: python benchmarks/bench_browser.py [--moves 30] [--screenshot docs/images/lr_widget.png]

Opens lesson 02, runs all cells, then presses ArrowRight/ArrowLeft on the learning-rate
slider and times, for each move, how long until the live figure's pixels change in the page
(the kernel recomputes, ipympl sends a new image, the browser paints it). Prints the median
and quartiles. With --screenshot, also saves a picture of the widget for the README.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from lab_driver import browser_page, open_notebook, run_all_cells, running_lab  # noqa: E402

LESSON = "02_gradient_descent_live.ipynb"
PIXELS = "() => document.querySelector('.jupyter-matplotlib-figure canvas').toDataURL()"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--screenshot", type=Path, help="save a picture of the widget here")
    args = parser.parse_args()
    with running_lab(ROOT / "notebooks") as (base, token, _), browser_page() as page:
        open_notebook(page, base, token, LESSON)
        run_all_cells(page)
        box = page.locator(".lr-widget").first
        box.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        handle = page.locator(".lr-slider .noUi-handle").first
        times = []
        for i in range(args.moves):
            before = page.evaluate(PIXELS)
            handle.focus()
            start = time.perf_counter()
            handle.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            page.wait_for_function(f"(b) => ({PIXELS})() !== b", arg=before, timeout=30_000,
                                   polling=5)
            times.append(time.perf_counter() - start)
        if args.screenshot:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            box.screenshot(path=args.screenshot)
            print(f"saved {args.screenshot}")
    ms = sorted(t * 1e3 for t in times)
    q1, median, q3 = statistics.quantiles(ms, n=4)
    print(f"browser: slider move -> figure repainted, {len(ms)} moves: median {median:.0f} ms "
          f"(quartiles {q1:.0f}-{q3:.0f} ms, min {ms[0]:.0f} ms)")


if __name__ == "__main__":
    main()
