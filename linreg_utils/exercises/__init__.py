"""Exercise checks: run a student's answer on fresh data and say in plain words what is wrong.

An exercise is a function the student completes between ``### BEGIN SOLUTION`` and
``### END SOLUTION``; the next cell calls a checker, e.g. ``check_gradient(mse_gradient)``.
A checker prints one line starting with ✔ when the answer is right, and otherwise raises
:class:`ExerciseFailed` whose message is the hint. An unfinished exercise (the stub still
raises ``NotImplementedError``) is reported as a ``NotImplementedError`` naming the exercise.

Per-lesson checkers live in ``lesson01.py``, ``lesson02.py``, …, built from the tools below
(:func:`passed`, :func:`fail`, :func:`call_answer`, and :func:`as_number`, the one conversion of
an answer to a number) so that every message has the same shape. Each tool also records the
exercise's latest verdict, which :func:`show_progress` (the generated cell at the end of a
lesson) prints. Every checker is importable from here: ``from linreg_utils.exercises import
check_steps_prediction``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any


class ExerciseFailed(AssertionError):
    """A check did not pass; the message says what is likely wrong and how to fix it."""


# The latest verdict of each exercise checked in this kernel: number -> (done, message).
_VERDICTS: dict[str, tuple[bool, str]] = {}


def passed(exercise: str, message: str) -> None:
    """Print the one-line success message of ``exercise`` (e.g. ``"1.2"``)."""
    _VERDICTS[exercise] = (True, message)
    print(f"✔ Exercise {exercise} passed: {message}")


def fail(exercise: str, hint: str) -> None:
    """Stop the check with ``hint``, a sentence saying what is wrong and what to try."""
    _VERDICTS[exercise] = (False, hint)
    raise ExerciseFailed(f"Exercise {exercise} is not right yet: {hint}")


def call_answer(exercise: str, answer: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the student's function; turn the usual failures into messages that name the exercise."""
    if not callable(answer):
        fail(exercise, f"expected the function you wrote, got {type(answer).__name__}")
    try:
        return answer(*args, **kwargs)
    except NotImplementedError:
        _VERDICTS[exercise] = (False, "not answered yet: the cell still raises NotImplementedError.")
        raise NotImplementedError(
            f"Exercise {exercise} is not done yet: replace the `raise NotImplementedError(...)` "
            "line in the exercise cell with your code, run that cell, then run this check again."
        ) from None
    except ExerciseFailed:
        raise
    except Exception as exc:  # the student's code crashed: say where, keep the traceback
        _VERDICTS[exercise] = (False, f"your function raised {type(exc).__name__}: {exc}")
        raise ExerciseFailed(
            f"Exercise {exercise}: your function raised {type(exc).__name__}: {exc}"
        ) from exc


def progress_lines(exercises: list[str]) -> list[str]:
    """One line per exercise (e.g. ``["2.1", "2.2"]``): done or not yet, with the checker's verdict."""
    lines = []
    for number in exercises:
        done, message = _VERDICTS.get(number, (False, "not checked yet: run its check cell."))
        lines.append(f"{'✔ done   ' if done else '· not yet'}  Exercise {number}: {message}")
    return lines


def show_progress(*exercises: str) -> None:
    """Print this lesson's progress: one line per exercise, then how many are done."""
    if not exercises or not all(isinstance(e, str) for e in exercises):
        raise ValueError(f"exercises must be numbers like '2.1', got {exercises!r}")
    for line in progress_lines(list(exercises)):
        print(line)
    done = sum(_VERDICTS.get(e, (False, ""))[0] for e in exercises)
    print(f"{done} of {len(exercises)} exercises done.")


def as_number(exercise: str, value: object, what: str) -> float:
    """The learner's ``value`` (a number they set, or one their function returned) as a finite
    float; a one-element tensor or a NumPy number is fine. Otherwise a hint naming ``what``
    should be a number (e.g. ``"eta_star"``, ``"the epoch your function returns"``)."""
    import torch  # here, so that importing the framework stays light

    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            fail(exercise, f"{what} should be one number, got a tensor of shape {tuple(value.shape)}")
        value = value.detach().reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(exercise, f"{what} should be a number, got {type(value).__name__}"
             + (" (did you leave the cell's `...` in place?)" if value is Ellipsis else "")
             + (" (did you forget the return statement?)" if value is None else ""))
    if not math.isfinite(value):
        fail(exercise, f"{what} is {value}, not a finite number: something overflowed or divided by zero")
    return float(value)


# Every lesson's checkers, so that a lesson imports them from one place. (Below the tools:
# the lesson modules import those from this package.)
from .lesson01 import check_damped_newton_prediction, check_largest_rosenbrock_lr, check_line_search_lr  # noqa: E402
from .lesson02 import check_centred_critical_lr, check_fastest_lr, check_steps_prediction  # noqa: E402
from .lesson03 import check_critical_scale, check_rescue_step, check_train  # noqa: E402
from .lesson04 import check_beat_polyak, check_best_beta, check_momentum_roots, check_momentum_step  # noqa: E402
from .lesson06 import (  # noqa: E402
    RTOL_CHOICES,
    check_certificate_prediction,
    check_predict,
    check_safe_rtol,
    check_unstandardize,
)
from .lesson07 import PERIODS, check_floor_prediction, check_halving_period, check_lr_keeping_floor  # noqa: E402
from .lesson08 import check_power_iteration, check_stable_lr, check_uphill_number  # noqa: E402

__all__ = [
    "PERIODS", "RTOL_CHOICES", "ExerciseFailed", "as_number", "call_answer", "check_beat_polyak",
    "check_best_beta", "check_centred_critical_lr", "check_certificate_prediction", "check_critical_scale",
    "check_damped_newton_prediction", "check_fastest_lr", "check_floor_prediction", "check_halving_period",
    "check_largest_rosenbrock_lr", "check_line_search_lr", "check_lr_keeping_floor", "check_momentum_roots",
    "check_momentum_step", "check_power_iteration", "check_predict", "check_rescue_step", "check_safe_rtol",
    "check_stable_lr", "check_steps_prediction", "check_train", "check_unstandardize", "check_uphill_number",
    "fail", "passed", "progress_lines", "show_progress",
]
