"""Wall time of a warm `make test`, of `pytest --nbval notebooks/` as a maintainer types it, and
(``--only all``) of everything CI runs.

Usage: python -m benchmarks.bench_make_test [--repeats 3] [--only make|nbval|all] CHECKOUT [CHECKOUT ...]
e.g.   python -m benchmarks.bench_make_test --repeats 3 /work/baseline /work/main   (before, after)

Each CHECKOUT is a clone with its own ``.venv``. ``make setup`` runs first, untimed, so every
timed run is warm (the venv exists and is current). Then, round by round so that the load of a
shared machine falls on every checkout alike, it times ``make test`` and, with the checkout's
``.venv/bin`` first on PATH as after ``source .venv/bin/activate``, ``pytest --nbval notebooks/``.
``--only all`` times what CI runs instead: ``make test-all``, or in a checkout from before the
test tiers (no such target) ``make test`` followed by ``python -m tools.check_wheel``, as its
``.ci/run`` did. Prints medians and minima, each checkout's pytest summary line, and each
median as a share of the first checkout's. A failing run is timed all the same and its exit
status is shown. (Not in ``make bench``: a round of ``--only all`` takes many minutes.)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

from benchmarks._timing import timings

COMMANDS = {"make": ["make", "test"], "nbval": ["pytest", "--nbval", "notebooks/"],
            "all": ["make", "test-all"]}
BEFORE_TIERS = ["sh", "-c", "make test && .venv/bin/python -m tools.check_wheel"]


def command_for(checkout: Path, name: str) -> list[str]:
    """What ``name`` runs in ``checkout`` (``all`` in a checkout without ``make test-all``: its old CI)."""
    if name == "all" and "\ntest-all:" not in (checkout / "Makefile").read_text():
        return BEFORE_TIERS
    return COMMANDS[name]


def run_once(checkout: Path, command: list[str], log: Path) -> tuple[float, int, str]:
    """``(seconds, exit status, pytest summary line)`` of one run of ``command`` in ``checkout``."""
    env = dict(os.environ, PATH=f"{checkout / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}")
    status = []

    def call() -> None:
        with log.open("w") as out:
            status.append(subprocess.run(command, cwd=checkout, env=env, stdout=out,
                                         stderr=subprocess.STDOUT).returncode)

    (seconds,) = timings(call, repeats=1, warmup=0)
    lines = [ln for ln in log.read_text(errors="replace").splitlines()
             if re.search(r"\d+ (passed|failed|errors?)\b.* in [\d.]+s", ln)]
    return seconds, status[0], lines[-1].strip("= ") if lines else "(no pytest summary)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", type=Path, nargs="+")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=sorted(COMMANDS), help="time one command (default: make and nbval)")
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.checkouts]
    names = [args.only] if args.only else ["make", "nbval"]
    for checkout in checkouts:
        subprocess.run(["make", "setup"], cwd=checkout, check=True, stdout=subprocess.DEVNULL)
    results = {(c, n): [] for c in checkouts for n in names}
    for round_ in range(args.repeats):
        for name in names:
            for i, checkout in enumerate(checkouts):
                log = Path(tempfile.gettempdir()) / f"bench_make_test-{i}-{checkout.name}-{name}.log"
                command = command_for(checkout, name)
                seconds, status, summary = run_once(checkout, command, log)
                results[checkout, name].append((seconds, status, summary))
                load = os.getloadavg()[0]
                print(f"round {round_ + 1}: {checkout} `{' '.join(command)}` {seconds:.1f} s "
                      f"(exit {status}; {summary}; load average {load:.1f} at its end; log {log})",
                      flush=True)
    print(f"\n{os.cpu_count()} CPUs, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
          f"median of {args.repeats}")
    for name in names:
        first = statistics.median(s for s, _, _ in results[checkouts[0], name])
        for checkout in checkouts:
            seconds = [s for s, _, _ in results[checkout, name]]
            med = statistics.median(seconds)
            exits = sorted({st for _, st, _ in results[checkout, name]})
            print(f"`{' '.join(command_for(checkout, name))}` in {checkout}: median {med:.1f} s, "
                  f"min {min(seconds):.1f} s, {100 * med / first:.0f} % of the first; exit {exits}; "
                  f"{results[checkout, name][-1][2]}")


if __name__ == "__main__":
    main()
