"""The one timing helper every benchmark uses: medians of repeated wall-clock runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timings(fn: Callable[[], object], repeats: int, warmup: int = 1) -> list[float]:
    """Seconds of ``repeats`` calls of ``fn`` (after ``warmup`` untimed calls), in call order."""
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def median_seconds(fn: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """The median of :func:`timings`: robust to the noise of a shared machine."""
    return statistics.median(timings(fn, repeats, warmup))


def quartiles_ms(seconds: list[float]) -> tuple[float, float, float]:
    """``(q1, median, q3)`` of ``seconds``, in milliseconds (needs at least two values)."""
    q1, med, q3 = statistics.quantiles(seconds, n=4)
    return 1e3 * q1, 1e3 * med, 1e3 * q3
