"""Load test of a class on JupyterHub: N students on a real hub and proxy on 127.0.0.1.

Usage (as root, after ``make hub-setup``)::

    python -m benchmarks.bench_hub --students 20 [--ramp 60] [--timeout 1200]

The hub is ``hub/jupyterhub_config.py`` (PAM, LocalProcessSpawner, nbgitpuller, the idle culler)
with only its addresses, folders and roster changed; the course remote is a bare repository
served by ``git daemon`` on 127.0.0.1. Students are real Unix users; they arrive evenly over
``--ramp`` seconds, as a class does, and each one: logs in through the login form, spawns a
server, pulls the course through nbgitpuller, opens lesson 02, runs every code cell through the
kernel's websocket, moves the learning-rate slider by setting its value in the kernel, and saves
an answer into the notebook. Every kernel stays open until all students are done (a class with
one lesson open each). A sampler reads every student's processes (their Unix user's) twice a
second. It prints spawn time and time to lesson executed (median, p95), memory per student
(server and kernel, idle and peak; RSS, and PSS: RSS with the pages shared between students
divided among them), the machine's memory and CPU at N, and failures; every saved answer is
read back from the student's home after the servers stop. Users, homes, processes and folders
are removed at the end, also after a failure or Ctrl-C. It never passes or fails on time.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tools import hub_driver
from tools.hub_driver import COURSE_DIR, GitDaemon, Hub, Student, code_cells

MB = 1024 * 1024
MAX_STUDENTS = 60  # a 2-core, 24 GB machine; a bigger class is sized from the per-student figures


@dataclass
class Run:
    """One student's figures (seconds and MB) and what went wrong."""

    name: str
    login: float = 0.0
    spawn: float = 0.0
    pull: float = 0.0
    executed: float = 0.0  # arrival (login) to the lesson's last cell done
    cells: int = 0
    slider_ms: float = 0.0
    server_idle: float = 0.0  # server RSS after spawn, no kernel yet
    after_lesson_rss: float = 0.0  # server + kernel, idle, the lesson's state in memory
    after_lesson_pss: float = 0.0
    answer_path: str = ""
    answer: str = ""
    error: str = ""


@dataclass
class Sampler:
    """Polls every student's processes: peak RSS (server + kernels) per user, CPU per process."""

    uids: dict[int, str]
    every: float = 0.5
    peak: dict[str, float] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> user+system seconds last seen
    machine_peak_used: float = 0.0

    def start(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def user_procs(self, name: str) -> list[psutil.Process]:
        uid = pwd.getpwnam(name).pw_uid
        return [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]

    def _run(self) -> None:
        while not self._stop.is_set():
            totals: dict[str, float] = {}
            for proc in psutil.process_iter(["uids", "memory_info", "cpu_times"]):
                uid = proc.info["uids"].real if proc.info["uids"] else None
                if uid not in self.uids or proc.info["memory_info"] is None:
                    continue
                name = self.uids[uid]
                totals[name] = totals.get(name, 0.0) + proc.info["memory_info"].rss / MB
                times = proc.info["cpu_times"]
                self.cpu[proc.pid] = times.user + times.system
            for name, rss in totals.items():
                self.peak[name] = max(self.peak.get(name, 0.0), rss)
            vm = psutil.virtual_memory()
            self.machine_peak_used = max(self.machine_peak_used, (vm.total - vm.available) / MB)
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation); nan for no values."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def memory_of(procs: list[psutil.Process]) -> tuple[float, float]:
    """(RSS, PSS) of some processes, in MB."""
    rss = pss = 0.0
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        rss, pss = rss + info.rss / MB, pss + info.pss / MB
    return rss, pss


def service_procs(hub: Hub, daemon: GitDaemon, student_uids: set[int]) -> list[psutil.Process]:
    """The hub, its proxy and culler, and the git daemon (not the students' servers)."""
    procs = []
    for root in (hub.proc.pid, daemon.proc.pid):
        top = psutil.Process(root)
        procs += [p for p in [top, *top.children(recursive=True)] if p.uids().real not in student_uids]
    return procs


def student_flow(student: Student, run: Run, sampler: Sampler, repo: str, all_done: threading.Event,
                 deadline: float) -> None:
    """Everything one student does; the lesson's kernel stays open until ``all_done``."""
    arrived = time.perf_counter()
    t = time.perf_counter()
    student.login()
    run.login = time.perf_counter() - t
    t = time.perf_counter()
    student.spawn(timeout=max(10.0, deadline - time.monotonic()))
    run.spawn = time.perf_counter() - t
    run.server_idle = memory_of(sampler.user_procs(student.name))[0]
    t = time.perf_counter()
    student.pull(repo)
    run.pull = time.perf_counter() - t
    path = student.find(f"{COURSE_DIR}/notebooks", r"02_.*\.ipynb$")
    notebook = student.read(path)["content"]
    kernel = student.kernel(path)
    try:
        for code in code_cells(notebook):
            reply = kernel.execute(code, timeout=max(10.0, deadline - time.monotonic()))
            if reply.status != "ok":
                raise RuntimeError(f"cell failed: {reply.error}\n{code[:200]}")
            run.cells += 1
        run.executed = time.perf_counter() - arrived
        run.slider_ms = kernel.move_lr_slider()["ms"]
        # Save an answer, as a student typing into the notebook and pressing Ctrl-S.
        run.answer = f"My answer ({student.name}): the largest stable learning rate is 2/λmax."
        notebook["cells"].append({"cell_type": "markdown", "metadata": {}, "source": run.answer})
        student.save_notebook(path, notebook)
        run.answer_path = path
        time.sleep(2)  # the kernel settles after the run (idle, the lesson's state in memory)
        run.after_lesson_rss, run.after_lesson_pss = memory_of(sampler.user_procs(student.name))
        all_done.wait(max(1.0, deadline - time.monotonic()))
    finally:
        try:
            kernel.close()
        except Exception:  # noqa: BLE001 (the server may be gone after a timeout)
            pass


def report(runs: list[Run], sampler: Sampler, n: int, wall: float, cpu_s: float, hub_rss: float,
           used_before: float, lost: int) -> None:
    ok = [r for r in runs if not r.error and r.executed]
    failures = [r for r in runs if r.error or not r.executed]
    print(f"\n== {n} students, {wall:.0f} s wall, machine: {psutil.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB; load average now {os.getloadavg()[0]:.1f} ==")

    def line(label: str, values: list[float], unit: str) -> None:
        print(f"{label:44s} median {pct(values, 50):7.1f} {unit}   p95 {pct(values, 95):7.1f} {unit}"
              f"   max {max(values, default=float('nan')):7.1f} {unit}")

    line("login (PAM)", [r.login for r in ok], "s ")
    line("spawn (request to server ready)", [r.spawn for r in ok], "s ")
    line("course pull (nbgitpuller, first)", [r.pull for r in ok], "s ")
    line("time to lesson 02 executed (from login)", [r.executed for r in ok], "s ")
    line("slider move, kernel side", [r.slider_ms for r in ok], "ms")
    line("server RSS, idle (no kernel)", [r.server_idle for r in ok], "MB")
    line("server + kernel RSS, idle after the lesson", [r.after_lesson_rss for r in ok], "MB")
    line("server + kernel PSS, idle after the lesson", [r.after_lesson_pss for r in ok], "MB")
    line("server + kernel RSS, peak", [sampler.peak.get(r.name, 0.0) for r in ok], "MB")
    print(f"{'cells run per student':44s} {statistics.median([r.cells for r in ok]) if ok else 0:.0f}")
    print(f"{'hub + proxy + culler + git daemon RSS':44s} {hub_rss:7.0f} MB")
    used = sampler.machine_peak_used - used_before
    print(f"{'machine memory in use, peak minus before':44s} {used:7.0f} MB"
          f"  ({used / max(n, 1):.0f} MB a student)")
    print(f"{'CPU used by the students processes':44s} {cpu_s:7.0f} s  ({cpu_s / max(n, 1):.1f} s a student;"
          f" {cpu_s / wall:.2f} cores busy on average)")
    print(f"{'failures':44s} {len(failures)}")
    for r in failures:
        print(f"  {r.name}: {r.error.strip().splitlines()[-1] if r.error else 'did not finish'}")
    print(f"{'answers lost':44s} {lost} of {len(ok)} saved")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_hub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=3, help=f"1–{MAX_STUDENTS} (default 3)")
    parser.add_argument("--ramp", type=float, default=None,
                        help="seconds over which the students arrive (default: 3 s a student)")
    parser.add_argument("--timeout", type=float, default=1500, help="the whole run's limit in seconds")
    args = parser.parse_args(argv)
    if not 1 <= args.students <= MAX_STUDENTS:
        parser.error(f"--students must be 1–{MAX_STUDENTS}")
    if os.geteuid() != 0:
        parser.error("run as root: the students are Unix users")
    n, ramp = args.students, 3.0 * args.students if args.ramp is None else args.ramp
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # runs the clean-up below
    left = hub_driver.remove_leftovers()
    if left:
        print(f"removed {len(left)} users an earlier run left behind")
    work = Path(tempfile.mkdtemp(prefix="bench-hub-"))
    names = [f"lrb{secrets.token_hex(3)}s{i:02d}" for i in range(1, n + 1)]
    deadline = time.monotonic() + args.timeout
    hub = daemon = sampler = None
    runs = [Run(name) for name in names]
    used_before = (psutil.virtual_memory().total - psutil.virtual_memory().available) / MB
    try:
        hub_driver.course_remote(work)
        daemon = GitDaemon(work)
        repo = daemon.url("course.git")
        hub = Hub(work, names, repo)
        hub.start()
        sampler = Sampler({pwd.getpwnam(name).pw_uid: name for name in names})
        sampler.start()
        all_done = threading.Event()
        started = time.perf_counter()
        with ThreadPoolExecutor(n) as pool:
            def go(i: int) -> None:
                time.sleep(ramp * i / max(n, 1))
                try:
                    student_flow(Student(hub, names[i]), runs[i], sampler, repo, all_done, deadline)
                except Exception as exc:  # noqa: BLE001 (recorded and reported as a failure)
                    runs[i].error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=2)}"
                    print(f"{names[i]}: {runs[i].error}", file=sys.stderr)

            futures = [pool.submit(go, i) for i in range(n)]
            while not all(r.error or r.answer_path for r in runs) and time.monotonic() < deadline:
                time.sleep(0.5)
            hub_rss = memory_of(service_procs(hub, daemon, set(sampler.uids)))[0]
            all_done.set()
            wait(futures, timeout=max(5.0, deadline - time.monotonic()))
        wall = time.perf_counter() - started
        sampler.stop()
        cpu_s = sum(sampler.cpu.values())
        for r in runs:
            if not r.error and not r.executed:
                r.error = "did not finish before --timeout"
        # Nothing lost: stop every server, then read each saved answer from the student's home.
        for r in runs:
            try:
                hub.api("DELETE", f"users/{r.name}/server")
            except Exception:  # noqa: BLE001
                pass
        lost = 0
        for r in runs:
            if r.answer_path:
                home = Path(pwd.getpwnam(r.name).pw_dir)
                if r.answer not in (home / r.answer_path).read_text():
                    lost += 1
        report(runs, sampler, n, wall, cpu_s, hub_rss, used_before, lost)
        return 0
    finally:
        if sampler is not None and sampler._thread.is_alive():
            sampler.stop()
        if hub is not None:
            hub.close()
        else:
            hub_driver.hub_users.remove_users(names)
        if daemon is not None:
            daemon.close()
        shutil.rmtree(work, ignore_errors=True)
        print(f"cleaned up: {n} users, their homes and processes, {work}")


if __name__ == "__main__":
    sys.exit(main())
