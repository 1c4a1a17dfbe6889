"""Exercise checks: run a student's answer on fresh data and say in plain words what is wrong.

An exercise is a function the student completes between ``### BEGIN SOLUTION`` and
``### END SOLUTION``; the next cell calls a checker, e.g. ``check_gradient(mse_gradient)``.
A checker prints one line starting with ✔ when the answer is right, and otherwise raises
:class:`ExerciseFailed` whose message is the hint. An unfinished exercise (the stub still
raises ``NotImplementedError``) is reported as a ``NotImplementedError`` naming the exercise.

Per-lesson checkers live in ``lesson01.py``, ``lesson02.py``, …, built from the three tools
below so that every message has the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ExerciseFailed(AssertionError):
    """A check did not pass; the message says what is likely wrong and how to fix it."""


def passed(exercise: str, message: str) -> None:
    """Print the one-line success message of ``exercise`` (e.g. ``"1.2"``)."""
    print(f"✔ Exercise {exercise} passed: {message}")


def fail(exercise: str, hint: str) -> None:
    """Stop the check with ``hint``, a sentence saying what is wrong and what to try."""
    raise ExerciseFailed(f"Exercise {exercise} is not right yet: {hint}")


def call_answer(exercise: str, answer: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the student's function; turn the usual failures into messages that name the exercise."""
    if not callable(answer):
        fail(exercise, f"expected the function you wrote, got {type(answer).__name__}")
    try:
        return answer(*args, **kwargs)
    except NotImplementedError:
        raise NotImplementedError(
            f"Exercise {exercise} is not done yet: replace the `raise NotImplementedError(...)` "
            "line in the exercise cell with your code, run that cell, then run this check again."
        ) from None
    except ExerciseFailed:
        raise
    except Exception as exc:  # the student's code crashed: say where, keep the traceback
        raise ExerciseFailed(
            f"Exercise {exercise}: your function raised {type(exc).__name__}: {exc}"
        ) from exc
