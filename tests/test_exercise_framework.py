"""The shared exercise tools: one plain message per verdict, answers read by name, any numeric type."""

import contextlib
import io
import math

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell

from linreg_utils.exercises import (
    ExerciseFailed,
    ExerciseNotDone,
    as_number,
    as_whole_number,
    call_answer,
    checker,
    fail,
    hint,
    hints,
    passed,
    significant_digits,
)
from linreg_utils.exercises.framework import FIRST_LINE

LADDER = ("where to look", "what to compute", "how to proceed")


@checker("9.1", value="guess", hints=LADDER)
def check_guess(guess):
    if as_number("9.1", guess, "guess") == 42:
        return passed("9.1", "the answer.")
    fail("9.1", "that is not the answer", "Think again about what the question asks for.")


@checker("9.2", function="double", hints=LADDER)
def check_double(double):
    if call_answer("9.2", double, 3) != 6:
        fail("9.2", "double(3) is not 6", "Multiply by two.")
    passed("9.2", "it doubles.")


def test_passed_prints_one_line(capsys):
    passed("1.1", "the gradient matches autograd")
    assert capsys.readouterr().out == "✔ Exercise 1.1 passed: the gradient matches autograd\n"


def test_a_failure_is_one_message_diagnosis_first_then_what_to_try_then_the_hint():
    with pytest.raises(ExerciseFailed) as info:
        fail("2.3", "the sign is wrong", "Your step went uphill: subtract the gradient.")
    assert info.value._render_traceback_() == [
        "Exercise 2.3 is not right yet: the sign is wrong.",
        "Your step went uphill: subtract the gradient.",
        'Stuck? Run hint("2.3") for a hint.',
    ]
    assert str(info.value) == "\n".join(info.value._render_traceback_())


def test_long_advice_is_wrapped_for_nbgrader_validate():
    with pytest.raises(ExerciseFailed) as info:
        fail("2.3", "the sign is wrong", "word " * 60)
    lines = info.value._render_traceback_()
    assert len(lines[0]) <= FIRST_LINE and all(len(line) <= 80 for line in lines[1:])


def run_cell(shell, source):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        result = shell.run_cell(source)
    return result, out.getvalue()


def test_ipython_shows_a_failed_check_as_its_message_alone_and_our_bugs_in_full():
    shell = InteractiveShell.instance()
    result, out = run_cell(shell, "from tests.test_exercise_framework import check_guess\ncheck_guess(41)")
    assert not result.success  # the cell still ends in an error: nbgrader scores it 0
    assert out.strip().splitlines()[0] == "Exercise 9.1 is not right yet: that is not the answer."
    assert "Traceback" not in out and "framework.py" not in out
    result, out = run_cell(shell, "check_guess('guess')")  # `guess` is not defined in the notebook
    assert out.strip().splitlines()[0] == "Exercise 9.1 is not done yet: set `guess`."
    result, out = run_cell(shell, "guess = 42\ncheck_guess('guess')")
    assert result.success and out.startswith("✔ Exercise 9.1 passed")
    result, out = run_cell(shell, "check_guess(*[])")  # a checker's own bug keeps its traceback
    assert not result.success and "Traceback" in out and "TypeError" in out


def test_an_answer_is_read_by_name_from_the_callers_namespace():
    namespace = {"check": check_guess, "check_double": check_double}
    with pytest.raises(ExerciseNotDone, match=r"Exercise 9\.1 is not done yet: set `guess`"):
        exec("check('guess')", namespace)
    namespace["guess"] = ...  # the cell's `...` left in place
    with pytest.raises(ExerciseNotDone, match="set `guess`"):
        exec("check('guess')", namespace)
    with pytest.raises(ExerciseNotDone, match=r"Exercise 9\.2 is not done yet: write the function `double`"):
        exec("check_double('double')", namespace)


def test_an_unfinished_function_is_not_done_yet_whatever_its_stub():
    def double(x):
        raise NotImplementedError()  # nbgrader's own stub

    with pytest.raises(ExerciseNotDone, match="`double` still raises NotImplementedError"):
        check_double(double)


def test_a_crashing_answer_is_one_message_naming_the_error_and_its_line():
    def double(x):
        return x / 0

    with pytest.raises(ExerciseFailed, match="your function raised ZeroDivisionError") as info:
        check_double(double)
    assert "return x / 0" in str(info.value) and isinstance(info.value.error, ZeroDivisionError)


def test_a_non_callable_answer_is_refused():
    with pytest.raises(ExerciseFailed, match="the answer is not a function"):
        check_double(42)


@pytest.mark.parametrize("value", [42, 42.0, np.int64(42), np.float32(42), np.float64(42), np.array(42),
                                   torch.tensor(42), torch.tensor(42.0), torch.tensor([42.0]),
                                   torch.tensor(42.0, requires_grad=True)])
def test_every_numeric_type_is_a_number(value):
    assert as_number("9.1", value, "guess") == 42.0
    assert as_whole_number("9.1", value, "guess") == 42


@pytest.mark.parametrize(("value", "words"), [
    (math.nan, "guess is nan"), (math.inf, "guess is inf"), (-math.inf, "guess is -inf"),
    (np.float64("nan"), "guess is nan"), (torch.tensor(float("nan")), "guess is nan"),
    (True, "should be a number"), ("42", "not text"), (None, "forget the return"),
    (torch.ones(3), "should be one number"), (1 + 2j, "should be a number"),
])
def test_what_is_not_a_usable_number_gets_a_hint_not_a_valueerror(value, words):
    with pytest.raises(ExerciseFailed, match=words):
        as_number("9.1", value, "guess")


def test_a_whole_number_is_asked_for_when_the_text_asks_for_a_count():
    with pytest.raises(ExerciseFailed, match="should be a whole number"):
        as_whole_number("9.1", 41.5, "guess")


@pytest.mark.parametrize(("value", "digits"), [(0.00199, 3), (0.0019, 2), (0.00190, 2), (0.0019991, 5),
                                               (2.0, 1), (1e-3, 1), (0.1 + 0.2, 17)])
def test_significant_digits(value, digits):
    assert significant_digits(value) == digits


def test_hint_climbs_the_ladder_one_rung_a_call_then_repeats_the_last(capsys):
    from linreg_utils.exercises import framework

    framework._GIVEN.pop("9.1", None)
    for rung in LADDER:
        hint("9.1")
        assert rung in capsys.readouterr().out
    hint("9.1")
    assert "that was the last hint" in capsys.readouterr().out
    assert hints("9.1") == LADDER


def test_hint_for_an_unknown_exercise_names_the_known_ones():
    with pytest.raises(ValueError, match="known: .*1.1"):
        hint("1.9")


def test_a_checker_needs_a_ladder_and_one_kind_of_answer():
    with pytest.raises(ValueError, match="at least two hints"):
        checker("9.9", value="x", hints=("only one",))
    with pytest.raises(ValueError, match="not both or neither"):
        checker("9.9", value="x", function="f", hints=LADDER)
