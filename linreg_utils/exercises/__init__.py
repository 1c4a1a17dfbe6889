"""Exercise checks: run a student's answer on fresh data and say in plain words what is wrong.

An exercise is a function the student completes between ``### BEGIN SOLUTION`` and
``### END SOLUTION``; the next cell calls a checker, e.g. ``check_gradient(mse_gradient)``.
A checker prints one line starting with ✔ when the answer is right, and otherwise raises
:class:`ExerciseFailed` whose message is the hint. An unfinished exercise (the stub still
raises ``NotImplementedError``) is reported as a ``NotImplementedError`` naming the exercise.

Per-lesson checkers live in ``lesson01.py``, ``lesson02.py``, …, built from the three tools
below so that every message has the same shape. Each tool also records the exercise's latest
verdict, which :func:`show_progress` (the generated cell at the end of a lesson) prints.
"""

from __future__ import annotations

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
    """The learner's ``value`` as a float (a one-element tensor is fine), or a hint naming
    ``what`` they should set to a number."""
    import torch  # here, so that importing the framework stays light

    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach().reshape(()).item())
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    fail(exercise, f"set {what} to a number, got {type(value).__name__}"
         + (" (did you leave the cell's `...` in place?)" if value is Ellipsis else ""))
    raise AssertionError  # unreachable: fail raises
