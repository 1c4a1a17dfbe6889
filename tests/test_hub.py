"""A class on a real JupyterHub (``hub/jupyterhub_config.py``) with three Unix-user students.

Delivery by nbgitpuller from a git remote (a bare repository served by ``git daemon`` on
127.0.0.1), a later pull that keeps every student's edits, lesson 02 run through each student's
kernel (every cell, then its learning-rate slider moved), and nbgrader's exchange round trip:
release, fetch and submit by each student, collect and autograde by the teacher. Needs root and
``make hub-setup``; the users, their homes and their processes are removed afterwards, pass or
fail. Skipped where it cannot run, unless ``REQUIRE_HUB=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from tools import hub_driver
from tools.hub_driver import COURSE_DIR, HUB, HUB_PYTHON, PROXY, GitDaemon, Hub, Student, code_cells
from tools.nbgrader_course import make_sources, solution_answers

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
COURSE_ID = "optim101"
ASSIGNMENT = "hw1"


def _missing() -> str:
    if sys.platform != "linux" or os.geteuid() != 0:
        return "the hub tests create Unix users: they run as root on Linux"
    if not HUB_PYTHON.exists() or not PROXY.exists():
        return "run `make hub-setup` first (hub/.venv and the proxy)"
    if shutil.which("git") is None:
        return "git is missing"
    probe = subprocess.run(["runuser", "-u", "nobody", "--", str(HUB_PYTHON), "-c", "import linreg_utils"],
                           capture_output=True)
    if probe.returncode != 0:
        return f"other users cannot run {HUB_PYTHON} (is the checkout under a private folder?)"
    return ""


@pytest.fixture(scope="module")
def hub():
    """A running hub with three students and a teacher: ``(hub, students, teacher, daemon, work)``."""
    reason = _missing()
    if reason:
        if os.environ.get("REQUIRE_HUB") == "1":
            pytest.fail(f"REQUIRE_HUB=1 but {reason}")
        pytest.skip(reason)
    hub_driver.remove_leftovers()
    work = Path(tempfile.mkdtemp(prefix="hub-test-"))
    prefix = "lrh" + secrets.token_hex(3)  # unique: never touches a real user
    students, teacher = [f"{prefix}s{i}" for i in (1, 2, 3)], f"{prefix}t"
    exchange, config = work / "exchange", work / "jupyter-config"
    exchange.mkdir()
    config.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", config / "nbgrader_config.py")  # the course's one config
    os.chmod(exchange, 0o777)  # nbgrader's documented set-up: everyone may write the exchange root
    env = {"JUPYTER_CONFIG_PATH": str(config), "NBGRADER_EXCHANGE": str(exchange),
           "NBGRADER_COURSE_ID": COURSE_ID}
    hub_driver.course_remote(work)
    daemon = GitDaemon(work)
    running = Hub(work, students, daemon.url("course.git"), teachers=[teacher], spawner_env=env)
    try:
        running.start()
        logged_in = [Student(running, name) for name in students]
        for student in logged_in:
            student.login()
            student.spawn()
        yield running, logged_in, teacher, daemon, work, env
    finally:
        running.close()
        daemon.close()
        shutil.rmtree(work, ignore_errors=True)
    for name in students + [teacher]:
        assert not hub_driver.hub_users.exists(name), f"user {name} was not removed"


def test_the_idle_culler_stops_an_idle_server():
    """The culler service of hub/jupyterhub_config.py, its timeout shortened to 10 s."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    hub_driver.remove_leftovers()
    work = Path(tempfile.mkdtemp(prefix="hub-cull-"))
    name = "lrh" + secrets.token_hex(3) + "c"
    culler = 'c.JupyterHub.services[0]["command"][-2:] = ["--timeout=10", "--cull-every=5"]'
    running = Hub(work, [name], "git://127.0.0.1:9/unused.git", extra_config=culler)
    try:
        running.start()
        student = Student(running, name)
        student.login()
        student.spawn()
        deadline = time.monotonic() + 90
        while running.api("GET", f"users/{name}").json()["servers"] and time.monotonic() < deadline:
            time.sleep(2)
        assert not running.api("GET", f"users/{name}").json()["servers"], "the idle server was not culled"
    finally:
        running.close()
        shutil.rmtree(work, ignore_errors=True)
    assert not hub_driver.hub_users.exists(name)


def _ensure_course(hub) -> None:
    """Each student has the course (the delivery test pulls it first; this lets a test run alone)."""
    running, students, _, daemon, *_ = hub
    for student in students:
        student.pull(daemon.url("course.git"))


def _lesson(student: Student, number: str) -> str:
    return student.find(f"{COURSE_DIR}/notebooks", rf"{number}_.*\.ipynb$")


def _first_markdown(notebook: dict) -> dict:
    return next(c for c in notebook["cells"] if c["cell_type"] == "markdown")


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_a_login_opens_lesson_00_through_nbgitpuller(hub):
    running, students, *_ = hub
    landing = students[0].landing_url()
    assert "/git-pull?" in landing and "targetpath=" + COURSE_DIR in landing
    assert "00_start_here.ipynb" in landing


def test_a_later_pull_brings_the_fix_and_keeps_every_students_edit(hub):
    running, students, _, daemon, work, _ = hub
    repo = daemon.url("course.git")
    for student in students:
        assert "Cloning" in student.pull(repo)
    mine, theirs, untouched = students
    lesson02 = _lesson(mine, "02")
    # A real edit, saved through the student's server: notes at the end of lesson 02 ...
    nb = mine.read(lesson02)["content"]
    notes = "My notes: η must stay below 2/λmax."
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": notes})
    mine.save_notebook(lesson02, nb)
    # ... and, by another student, a change to the very line the teacher fixes upstream.
    nb = theirs.read(lesson02)["content"]
    _first_markdown(nb)["source"] = _source(_first_markdown(nb)) + "\n\nMY OWN TITLE NOTE"
    theirs.save_notebook(lesson02, nb)

    def fix_typos(src: Path) -> None:  # the teacher fixes a typo in lesson 02's first cell and in lesson 00
        for pattern in ("02_*.ipynb", "00_*.ipynb"):
            path = next((src / "notebooks").glob(pattern))
            book = nbformat.read(path, as_version=4)
            first = next(c for c in book.cells if c.cell_type == "markdown")
            first.source += "\n\n(typo fixed upstream)"
            nbformat.write(book, path)

    hub_driver.push_upstream_change(work, fix_typos, "Fix a typo")
    for student in students:
        student.pull(repo)
    for student in students:
        for number in ("00", "02"):
            nbformat.validate(nbformat.from_dict(student.read(_lesson(student, number))["content"]))
    after = {s.name: s.read(lesson02)["content"] for s in students}
    assert _source(after[mine.name]["cells"][-1]) == notes
    assert "(typo fixed upstream)" in _source(_first_markdown(after[mine.name]))  # merged beside the notes
    assert "MY OWN TITLE NOTE" in _source(_first_markdown(after[theirs.name]))  # the conflict: theirs kept
    assert "(typo fixed upstream)" in _source(_first_markdown(after[untouched.name]))
    for student in students:
        lesson00 = student.read(_lesson(student, "00"))["content"]
        assert "(typo fixed upstream)" in _source(_first_markdown(lesson00))


def _run_lesson_02(student: Student) -> dict:
    path = _lesson(student, "02")
    kernel = student.kernel(path)
    try:
        for code in code_cells(student.read(path)["content"]):
            reply = kernel.execute(code, timeout=600)
            assert reply.status == "ok", f"{student.name}: {reply.error} in\n{code[:300]}"
        return kernel.move_lr_slider()
    finally:
        kernel.close()


def test_each_student_runs_lesson_02_and_moves_its_slider(hub):
    _, students, *_ = hub
    _ensure_course(hub)
    with ThreadPoolExecutor(len(students)) as pool:
        moves = list(pool.map(_run_lesson_02, students))
    for move in moves:
        assert move["new"] != move["old"]
        assert move["comm_msgs"] > 0  # the view answered the move (widget and figure updates)


def _as(user: str, env: dict[str, str], *args: str, cwd: Path) -> str:
    """Run nbgrader as Unix user ``user`` in ``cwd`` with the class environment."""
    path = f"{HUB_PYTHON.parent}:/usr/bin:/bin"
    done = subprocess.run(["runuser", "-u", user, "--", "env", f"HOME={Path('~' + user).expanduser()}",
                           f"PATH={path}", *(f"{k}={v}" for k, v in env.items()),
                           str(HUB_PYTHON), "-m", "nbgrader", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} as {user} failed:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def _in_kernel(student: Student, code: str) -> str:
    kernel = student.kernel(_lesson(student, "00"))
    try:
        reply = kernel.execute(code)
        assert reply.status == "ok", f"{student.name}: {reply.error}"
        return reply.stdout
    finally:
        kernel.close()


def test_nbgrader_exchange_round_trip_scores_every_student(hub):
    running, students, teacher, _, work, env = hub
    _ensure_course(hub)
    # The teacher's course: one lesson with exercises (the first one that has them).
    home = Path("~" + teacher).expanduser()
    staging = work / "staging"
    sources = make_sources(ROOT / "notebooks", staging)
    solutions = solution_answers(staging / "source" / "lessons")
    lesson = next(p for p in sources if solutions[p.name])
    course = home / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(lesson, course / "source" / ASSIGNMENT / lesson.name)
    subprocess.run(["chown", "-R", f"{teacher}:{teacher}", str(course)], check=True)
    _as(teacher, env, "generate_assignment", ASSIGNMENT, "--force", cwd=course)
    _as(teacher, env, "release_assignment", ASSIGNMENT, cwd=course)

    # Each student fetches and submits from their own kernel on the hub, as their Unix user.
    fetch = ("import os, subprocess, sys\n"
             "r = subprocess.run([sys.executable, '-m', 'nbgrader', '{cmd}', '" + ASSIGNMENT + "'],"
             " cwd=os.path.expanduser('~'), capture_output=True, text=True)\n"
             "print(r.returncode, r.stdout[-800:], r.stderr[-800:])")
    answered = {students[0].name, students[2].name}  # students[1] hands in the untouched copy
    for student in students:
        out = _in_kernel(student, fetch.format(cmd="fetch_assignment"))
        assert out.startswith("0 "), f"{student.name}: fetch failed: {out}"
        path = f"{ASSIGNMENT}/{lesson.name}"
        if student.name in answered:
            nb = student.read(path)["content"]
            for cell in nb["cells"]:
                grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
                if cell["metadata"].get("nbgrader", {}).get("solution"):
                    cell["source"] = solutions[lesson.name][grade_id]
            student.save_notebook(path, nb)
        out = _in_kernel(student, fetch.format(cmd="submit"))
        assert out.startswith("0 "), f"{student.name}: submit failed: {out}"

    _as(teacher, env, "collect", ASSIGNMENT, cwd=course)
    _as(teacher, env, "autograde", ASSIGNMENT, "--Execute.timeout=600", cwd=course)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s.student.id: (s.score, s.max_score) for s in gb.find_assignment(ASSIGNMENT).submissions}
    assert set(scores) == {s.name for s in students}, scores
    for name, (score, most) in scores.items():
        assert most > 0
        assert score == (most if name in answered else 0), (name, score, most)


# --- the deployment files agree with each other (no root, no hub needed) ---


def test_kubernetes_values_match_the_one_server_hub():
    import yaml

    sys.path.insert(0, str(HUB))
    from kernel_env import KERNEL_ENV

    values = yaml.safe_load((HUB / "k8s" / "values.yaml").read_text())
    single = values["singleuser"]
    assert single["extraEnv"] == KERNEL_ENV
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == 3600
    assert "/git-pull?" in single["defaultUrl"] and "00_start_here.ipynb" in single["defaultUrl"]
    assert single["memory"]["guarantee"] and single["memory"]["limit"]


def test_the_image_and_the_class_environment_take_cpu_torch_at_the_pinned_version():
    from tests.test_environment import CONSTRAINTS, ENV_PIP, PYPROJECT, requirement_name

    dockerfile = (HUB / "k8s" / "Dockerfile").read_text()
    cpu_index = "https://download.pytorch.org/whl/cpu"
    assert f"torch=={CONSTRAINTS['torch']} --index-url {cpu_index}" in dockerfile
    assert f"--extra-index-url {cpu_index}" in ENV_PIP
    for requirement in PYPROJECT["project"]["optional-dependencies"]["hub"]:
        assert requirement_name(requirement) in CONSTRAINTS, f"{requirement} is not pinned"


def test_the_proxy_is_pinned_by_its_lockfile():
    package = json.loads((HUB / "package.json").read_text())
    lock = json.loads((HUB / "package-lock.json").read_text())
    version = package["dependencies"]["configurable-http-proxy"]
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == version
