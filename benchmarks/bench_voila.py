"""Lecture mode: how long until a Voilà app can be used, as a lecturer's browser sees it.

Usage: python -m benchmarks.bench_voila [--loads 5] [--refill 20]

For each app in ``apps/``, loads it ``--loads`` times in headless Chromium and times each load
from the request until the slider shows and the figure is painted (time to interactive), then
prints the median and quartiles. Two ways of serving, as ``make present`` can:

- cold: Voilà starts a kernel and runs the app for each page request;
- preheated (``make present``'s default): Voilà keeps one kernel per app that has already run
  it, so a request only connects the page. After each load the pool refills in the
  background; the benchmark waits ``--refill`` seconds between loads (a lecturer opens an app
  once) and reports the first load after the server started separately.
"""

from __future__ import annotations

import argparse
import time

from benchmarks._timing import quartiles_ms
from tools.lab_driver import chromium
from tools.voila_driver import app_paths, open_app, running_voila


def load_times(browser, base: str, token: str, name: str, loads: int, pause: float) -> list[float]:
    """Seconds to interactive of ``loads`` fresh page loads of app ``name``."""
    out = []
    for _ in range(loads):
        time.sleep(pause)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        out.append(open_app(page, base, token, name))
        page.close()
    return out


def report(label: str, name: str, seconds: list[float]) -> None:
    """Print the median and quartiles of ``seconds``."""
    q1, median, q3 = quartiles_ms(seconds) if len(seconds) > 1 else (1e3 * seconds[0],) * 3
    print(f"{label:>9} {name:<24} {len(seconds)} loads: median {median / 1e3:.2f} s "
          f"(quartiles {q1 / 1e3:.2f}-{q3 / 1e3:.2f} s, max {max(seconds):.2f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="timed loads per app and mode")
    parser.add_argument("--refill", type=float, default=20.0,
                        help="seconds to wait before each preheated load (the pool refills)")
    args = parser.parse_args()
    names = [p.name for p in app_paths()]
    with chromium() as browser:
        with running_voila() as (base, token):
            for name in names:
                load_times(browser, base, token, name, 1, 0.0)  # warm-up: disk caches, imports
                report("cold", name, load_times(browser, base, token, name, args.loads, 0.0))
        with running_voila(preheat=True) as (base, token):
            first = load_times(browser, base, token, names[0], 1, 0.0)
            report("1st load", names[0] + " (at start)", first)
            for name in names:
                report("preheated", name, load_times(browser, base, token, name, args.loads, args.refill))


if __name__ == "__main__":
    main()
