"""Student copies hide the solutions, keep everything else, and never overwrite a student's work.

Every lesson's copy is checked without running it; running one (the slow tier, ``make test-all``)
is done for the lesson ``tests/slow_tier.py`` gives it."""

import hashlib
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests import slow_tier as tier
from tools.nbgrader_cells import find_exercises, set_nbgrader_metadata
from tools.notebooks import lesson_paths
from tools.student import BEGIN, END, PACKAGE_LINK, main, student_notebook, write_student_copies

ROOT = Path(__file__).resolve().parents[1]
LESSONS = lesson_paths(ROOT / "notebooks")
WITH_EXERCISES = [p for p in LESSONS if BEGIN in p.read_text(encoding="utf-8")]


def lesson(tmp_path, solution="    return 2 * x\n"):
    """A tiny lesson with one exercise and its check, written into tmp_path/src."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 09 · Tiny\nA tiny lesson."),
        nbformat.v4.new_code_cell("x0 = 3\nprint(x0)"),
        nbformat.v4.new_markdown_cell("### Exercise 9.1 — double a number\nWrite `double`."),
        nbformat.v4.new_code_cell(
            f"def double(x):\n    \"\"\"Twice x.\"\"\"\n    {BEGIN}\n{solution}    {END}"),
        nbformat.v4.new_code_cell("assert double(x0) == 6\nprint('ok')"),
    ])
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="3\n")]
    nb.cells[1].execution_count = 1
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(nb, src / "09_tiny.ipynb")
    return src


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_solution_is_replaced_by_a_named_stub_and_outputs_cleared(tmp_path):
    src = lesson(tmp_path, solution="    secret_answer = 2 * x\n    return secret_answer\n")
    (outcome,) = write_student_copies(src, tmp_path / "out")
    assert (outcome.status, outcome.exercises) == ("written", 1)
    nb = nbformat.read(tmp_path / "out" / "09_tiny.ipynb", as_version=4)
    nbformat.validate(nb)
    code = nb.cells[3].source
    assert "secret_answer" not in code and BEGIN not in code and END not in code
    assert code.startswith('def double(x):\n    """Twice x."""\n    # Your code here')
    assert code.endswith("    raise NotImplementedError('Exercise 9.1: double a number')")
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")


def test_nbgrader_metadata_stays_in_the_sources_and_out_of_the_student_copy(tmp_path):
    src = lesson(tmp_path)
    nb = nbformat.read(src / "09_tiny.ipynb", as_version=4)
    nb.cells[4].source = "check_double(double)"
    (exercise,) = set_nbgrader_metadata(nb, lesson=9)
    assert (exercise.answer_id, exercise.check_id) == ("ex-9-1", "check-9-1")
    copy, count = student_notebook(nb, "09_tiny.ipynb")
    assert count == 1 and "Exercise 9.1: double a number" in copy.cells[3].source
    assert not [c for c in copy.cells if "nbgrader" in c.metadata]
    assert "nbgrader" in nb.cells[3].metadata and "nbgrader" in nb.cells[4].metadata


def test_sources_are_left_untouched(tmp_path):
    src = lesson(tmp_path)
    before = digest(src)
    write_student_copies(src, tmp_path / "out")
    assert digest(src) == before


def test_second_run_changes_nothing_and_says_so(tmp_path, capsys):
    src = lesson(tmp_path)
    assert main([str(src), str(tmp_path / "out")]) == 0
    before = digest(tmp_path / "out")
    mtime = (tmp_path / "out" / "09_tiny.ipynb").stat().st_mtime_ns
    capsys.readouterr()
    assert main([str(src), str(tmp_path / "out")]) == 0
    assert "already up to date" in capsys.readouterr().out
    assert digest(tmp_path / "out") == before
    assert (tmp_path / "out" / "09_tiny.ipynb").stat().st_mtime_ns == mtime


def test_a_students_work_is_never_overwritten_without_force(tmp_path, capsys):
    src = lesson(tmp_path)
    out = tmp_path / "out"
    write_student_copies(src, out)
    work = out / "09_tiny.ipynb"
    nb = nbformat.read(work, as_version=4)
    nb.cells[3].source = "def double(x):\n    return x + x  # my answer"
    nbformat.write(nb, work)
    answer = work.read_bytes()

    assert main([str(src), str(out)]) == 0
    printed = capsys.readouterr().out
    assert "skipped (exists)" in printed and "make student FORCE=1" in printed
    assert work.read_bytes() == answer

    assert main([str(src), str(out), "--force"]) == 0
    assert "overwritten" in capsys.readouterr().out
    assert b"my answer" not in work.read_bytes()


def test_unbalanced_markers_are_reported_with_their_place(tmp_path):
    src = lesson(tmp_path, solution=f"    return 2 * x\n    {BEGIN}\n")
    with pytest.raises(ValueError, match=r"09_tiny.ipynb, cell 4.*inside another solution"):
        write_student_copies(src, tmp_path / "out")


def test_target_equal_to_source_is_refused(tmp_path):
    src = lesson(tmp_path)
    with pytest.raises(ValueError, match="source notebook itself"):
        write_student_copies(src, src)


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_no_solution_text_leaks_into_the_student_copy(path):
    nb = nbformat.read(path, as_version=4)
    copy, count = student_notebook(nb, path.name)
    assert count >= 3, f"{path.name} should have at least 3 exercises, has {count}"
    for original, student in zip(nb.cells, copy.cells, strict=True):
        if original.cell_type != "code" or BEGIN not in original.source:
            assert student.source == PACKAGE_LINK.sub(r"](source/\1)", original.source)
            continue
        lines = original.source.splitlines()
        body = lines[lines.index(next(ln for ln in lines if ln.strip() == BEGIN)) + 1:
                     lines.index(next(ln for ln in lines if ln.strip() == END))]
        hidden = [ln.strip() for ln in body if ln.strip() and not ln.strip().startswith("#")]
        kept = {ln.strip() for ln in student.source.splitlines()}
        assert not [ln for ln in hidden if ln in kept and ln not in {"return", "pass"}], (
            f"solution lines leak into the student copy of {path.name}")


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_every_exercise_is_followed_by_a_check_that_passes(path):
    cells = nbformat.read(path, as_version=4).cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and BEGIN in cell.source:
            check = cells[i + 1]
            assert check.cell_type == "code" and "check_" in check.source, (
                f"{path.name}: the cell after exercise cell {i + 1} must call a checker")
            printed = "".join(o.get("text", "") for o in check.outputs)
            assert "✔ Exercise" in printed, f"{path.name}: check after cell {i + 1} did not pass"


def test_the_copies_work_outside_the_repository(tmp_path):
    """The glossary goes along, and every link from a lesson to a local file (the glossary, another
    lesson, a package file) resolves inside the copied folder."""
    out = tmp_path / "class"
    outcomes = write_student_copies(ROOT / "notebooks", out)
    assert (out / "glossary.ipynb").exists() and all(o.status == "written" for o in outcomes)
    linked = 0
    for path in lesson_paths(out):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"\]\(([^)#\s]+?)(?:#[^)]*)?\)", cell.source):
                if not re.match(r"[a-z]+:", target):
                    assert (out / target).resolve().is_file(), f"{path.name}: dead link {target}"
                    linked += "linreg_utils/" in target
    assert linked >= 3, "the lessons' links to package files should point into source/"
    assert not list(out.rglob("*.ipynb_checkpoints"))


def names_an_answer_defines(source):
    """Names assigned at the top level of a solution region (``x = ...``, ``a, b = ...``)."""
    body = source.split(BEGIN, 1)[1].split(END, 1)[0]
    names = set()
    for line in body.splitlines():
        match = re.match(r"^([A-Za-z_][\w, ]*?)\s*=(?!=)", line)
        if match:
            names.update(n.strip() for n in match.group(1).split(","))
    return names


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in WITH_EXERCISES if p.name in tier.lessons_for(tier.STUDENT_COPY)],
                         ids=lambda p: p.name)
def test_student_copy_runs_and_every_check_says_not_done_yet_without_a_traceback(path, tmp_path):
    """The student copy, run top to bottom as a student who answers nothing would: the lesson's own
    cells run, each answer cell stops at its stub, and each check cell says "not done yet", naming
    the answer, in one message (no traceback); the progress cell lists them as not done."""
    write_student_copies(path, tmp_path)
    nb = nbformat.read(tmp_path / path.name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    source = nbformat.read(path, as_version=4)
    exercises = find_exercises(source, int(path.name[:2]))
    errors = {i: o for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"}
    stubs, checks = {e.answer for e in exercises}, {e.check: e for e in exercises}
    unexpected = sorted(set(errors) - stubs - set(checks))
    assert not unexpected and set(checks) <= set(errors), f"unexpected errors in cells {unexpected}"
    for index in stubs & set(errors):  # a value exercise's stub raises in its own cell
        assert errors[index].ename == "NotImplementedError"
    for index, exercise in checks.items():
        error = errors[index]
        names = re.findall(r'"(\w+)"', nb.cells[index].source.splitlines()[-1])
        assert error.ename == "ExerciseNotDone", f"{exercise.number}: {error.ename}"
        assert error.traceback[0].startswith(f"Exercise {exercise.number} is not done yet: "), error.traceback
        assert f"`{names[0]}`" in error.traceback[0]
        assert not [line for line in error.traceback if "Traceback" in line or "File " in line]
    progress = "".join(o.get("text", "") for o in nb.cells[-2].outputs)
    assert progress.count("not done yet") == len(exercises) and "not checked yet" not in progress


def test_make_lab_student_serves_the_student_copies_once_named():
    """``make lab-student`` writes the copies if missing and serves student/ (``--notebook-dir`` given
    once: given twice, JupyterLab refuses to start)."""
    import subprocess

    dry = subprocess.run(["make", "-n", "lab-student"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    lab = [line for line in dry.splitlines() if "jupyter lab" in line]
    assert len(lab) == 1 and lab[0].count("--notebook-dir") == 1 and "--notebook-dir=student" in lab[0]
    assert "tools.student notebooks student" in dry
