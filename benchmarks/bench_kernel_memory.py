"""What one student's kernel costs: each lesson run top to bottom in a fresh kernel, its RSS sampled.

Usage: python -m benchmarks.bench_kernel_memory [--env KEY=VALUE ...] [--cells] [NN ...]

For every lesson (or the numbered ones given), a fresh ``python3`` kernel runs every cell as
``make notebooks`` does; a thread samples the kernel's resident memory (RSS, the figure ``top``
and a hub's memory limit see) every 20 ms and its anonymous memory every 60 ms. It prints, per
lesson, the RSS right after start, after the first cell that imports torch, at its peak and at
the end; the peak of the anonymous memory ("anon": the kernel's own heap, which no other kernel
shares; RSS also counts library pages, which all kernels share and whose count varies with what
the page cache holds); and the cells that grew it most (``--cells``: every cell's growth).
``--hub`` runs the kernels as the class server does: the class environment's Python
(``hub/.venv``, ``make hub-setup``) with its kernel configuration and ``hub/kernel_env.py``'s
environment; ``--env KEY=VALUE`` adds variables, to compare settings.
The goal of issue 24: peak ≤ 350 MB for every lesson.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

from tools.notebooks import lesson_paths

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


@dataclass
class LessonMemory:
    """RSS figures of one lesson's kernel, in MB; ``cells`` holds (index, growth MB, first line,
    the cell's own peak MB)."""

    name: str
    start: float
    after_torch: float
    peak: float
    end: float
    seconds: float
    anon_max: float  # anonymous memory: its peak (sampled every 60 ms and at the end of each cell)
    cells: list[tuple[int, float, str, float]] = field(default_factory=list)


class _Sampler(threading.Thread):
    """Polls one process tree's total RSS until stopped; keeps the maximum."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.proc, self.every, self.peak, self.anon_peak = psutil.Process(pid), every, 0, 0
        self._stop_event = threading.Event()

    def anonymous(self) -> int:
        """Bytes of the tree's anonymous memory (its own heap: no library pages, whose count in RSS
        depends on what the page cache holds), from /proc/PID/smaps_rollup."""
        total = 0
        for proc in [self.proc, *self.proc.children(recursive=True)]:
            try:
                with open(f"/proc/{proc.pid}/smaps_rollup") as f:
                    total += next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("Anonymous:"))
            except (OSError, StopIteration):
                pass
        return total

    def rss(self) -> int:
        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
            return sum(p.memory_info().rss for p in procs)
        except psutil.Error:
            return 0

    def run(self) -> None:
        polls = 0
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self.rss())
            if polls % 3 == 0:  # reading smaps_rollup costs more than RSS: every third poll
                self.anon_peak = max(self.anon_peak, self.anonymous())
            polls += 1
            time.sleep(self.every)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak

    def take_peak(self) -> int:
        """The peak since the last call (or the start), then start a new one."""
        peak, self.peak = self.peak, self.rss()
        return max(peak, self.peak)


def measure(path: Path, env: dict[str, str], kernel_name: str = "python3") -> LessonMemory:
    """Run one lesson in a fresh kernel (with ``env`` added) and sample its memory."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name=kernel_name, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        started = time.perf_counter()
        with client.setup_kernel():
            sampler = _Sampler(client.km.provisioner.pid)
            start = sampler.rss()
            sampler.start()
            before, after_torch, cells, anon_max = start, 0.0, [], 0
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                sampler.take_peak()
                client.execute_cell(cell, index)
                now = sampler.rss()
                first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                cells.append((index, (now - before) / MB, first[:60], sampler.take_peak() / MB))
                anon_max = max(anon_max, sampler.anonymous())
                if not after_torch and "torch" in cell.source and "import" in cell.source:
                    after_torch = now / MB
                before = now
            peak = max([sampler.stop(), before] + [cell[3] * MB for cell in cells])
            anon_max = max(anon_max, sampler.anon_peak)
        seconds = time.perf_counter() - started
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return LessonMemory(path.stem, start / MB, after_torch, peak / MB, before / MB, seconds, anon_max / MB,
                        cells)


def use_hub_kernel() -> dict[str, str]:
    """Make kernel ``hub-python3`` the class environment's (a kernelspec in a temporary folder on
    ``JUPYTER_PATH``); return the class server's kernel environment (``hub/kernel_env.py``)."""
    python = ROOT / "hub" / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit("--hub needs the class environment: run `make hub-setup` first")
    spec = Path(tempfile.mkdtemp(prefix="hub-kernelspec-")) / "kernels" / "hub-python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "class environment", "language": "python"}))
    paths = [str(spec.parents[1]), os.environ.get("JUPYTER_PATH")]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in paths if p)
    sys.path.insert(0, str(ROOT / "hub"))
    from kernel_env import KERNEL_ENV

    return dict(KERNEL_ENV)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_kernel_memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson numbers, e.g. 02 07 (default: every lesson)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment variable for the kernels (repeatable)")
    parser.add_argument("--hub", action="store_true", help="kernels as the class server runs them")
    parser.add_argument("--cells", action="store_true", help="print every cell's RSS growth")
    args = parser.parse_args(argv)
    env = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    kernel_name = "python3"
    if args.hub:
        env.update(use_hub_kernel())
        kernel_name = "hub-python3"
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--env needs KEY=VALUE, got {item!r}")
        env[key] = value
    paths = lesson_paths(ROOT / "notebooks")
    if args.lessons:
        paths = [p for p in paths if p.name[:2] in set(args.lessons)]
    print(f"kernel: {kernel_name}, environment: {env}")
    print(f"{'lesson':34s} {'start':>6s} {'torch':>6s} {'peak':>6s} {'end':>6s} {'anon':>6s} {'s':>5s}  "
          "largest growth (cell: MB)")
    peaks = []
    for path in paths:
        m = measure(path, env, kernel_name)
        peaks.append(m.peak)
        top = sorted(m.cells, key=lambda c: -c[1])[:3]
        growth = ", ".join(f"{i}: +{mb:.0f}" for i, mb, *_ in top)
        highest = max(m.cells, key=lambda c: c[3])
        growth += f"; peak in cell {highest[0]}"
        print(f"{m.name:34s} {m.start:6.0f} {m.after_torch:6.0f} {m.peak:6.0f} {m.end:6.0f} "
              f"{m.anon_max:6.0f} {m.seconds:5.1f}  {growth}", flush=True)
        if args.cells:
            for i, mb, line, peak in m.cells:
                print(f"    cell {i:3d} {mb:+7.1f} MB (its peak {peak:4.0f} MB)  {line}")
    print(f"highest peak: {max(peaks):.0f} MB (goal: ≤ 350 MB for every lesson)")


if __name__ == "__main__":
    main()
