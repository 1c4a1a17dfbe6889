"""Slider move → figure updated, as a learner sees it: JupyterLab in headless Chromium.

Usage: python -m benchmarks.bench_browser [--moves 30] [--screenshot docs/images/lr_widget.png]

Opens lesson 02, runs all cells, then presses ArrowRight/ArrowLeft on the learning-rate
slider and times, for each move, how long until the live figure's pixels change in the page
(the kernel recomputes, ipympl sends a new image, the browser paints it). Prints the median
and quartiles. With --screenshot, also saves a picture of the widget for the README.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks._timing import quartiles_ms
from tools.lab_driver import (
    lesson_in_lab,
    wait_canvas_settled,
    wait_pixels_changed,
)

LESSON = "02_gradient_descent_live.ipynb"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--screenshot", type=Path, help="save a picture of the widget here")
    args = parser.parse_args()
    with lesson_in_lab(LESSON) as page:
        box = page.locator(".lr-widget").first
        box.scroll_into_view_if_needed()
        canvas = box.locator(".jupyter-matplotlib-figure canvas").first
        wait_canvas_settled(canvas)
        handle = page.locator(".lr-slider .noUi-handle").first
        times = []
        for i in range(args.moves):
            handle.focus()
            with wait_pixels_changed(canvas, polling_ms=5):
                start = time.perf_counter()
                handle.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            times.append(time.perf_counter() - start)
        if args.screenshot:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            box.screenshot(path=args.screenshot)
            print(f"saved {args.screenshot}")
    q1, median, q3 = quartiles_ms(times)
    print(f"browser: slider move -> figure repainted, {len(times)} moves: median {median:.0f} ms "
          f"(quartiles {q1:.0f}-{q3:.0f} ms, min {1e3 * min(times):.0f} ms)")


if __name__ == "__main__":
    main()
