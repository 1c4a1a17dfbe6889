"""The checkers' common tools: one plain message per verdict, answers read by name, hints, progress.

A checker is a function decorated with :func:`checker`, which says which exercise it checks and
the name of the answer it reads (a value such as ``prediction`` or a function such as
``train``). A lesson's check cell passes that *name*, ``check_steps_prediction("prediction")``,
so that the check still runs, and says "not done yet", when the name was never set (an
unanswered exercise, or nbgrader's ``raise NotImplementedError()`` stub); a test passes the
value itself, ``check_steps_prediction(2227)``.

Verdicts:

- right: :func:`passed` prints one line starting with ✔;
- wrong: :func:`fail` raises :class:`ExerciseFailed`, whose message is one short diagnosis on
  its first line (what is likely wrong, never the answer or the formula that gives it), then a
  line or two on what to try, then how to get more help (:func:`hint`);
- not answered: :class:`ExerciseNotDone` ("Exercise 2.1 is not done yet: set `prediction` ...").

Both are exceptions, so the check cell ends in an error and nbgrader's autograder scores it 0,
but IPython shows them as their message alone, no traceback: it prints what an exception's
``_render_traceback_()`` returns instead of the traceback (JupyterLab, Notebook 7, Voilà with
``--show_tracebacks=True``, nbgrader's feedback and ``nbgrader validate`` all show those lines).
Any other exception in a checker is our bug and keeps its full traceback.
"""

from __future__ import annotations

import importlib
import linecache
import math
import numbers
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

FIRST_LINE = 83
"""The longest first line of a message: ``nbgrader validate`` cuts lines at 90 characters with an
indent of 4 (and '...'), and the first line must keep the whole diagnosis."""
WIDTH = 80
"""The other lines of a message are wrapped at this width."""


class ExerciseFailed(AssertionError):
    """A check did not pass: ``diagnosis`` (short: what is likely wrong) and ``advice`` (what to try);
    ``error``: the exception the learner's function raised, if that is what went wrong."""

    def __init__(self, exercise: str, diagnosis: str, advice: str = "",
                 error: BaseException | None = None) -> None:
        self.exercise, self.diagnosis, self.advice = exercise, diagnosis.rstrip("."), advice
        self.error = error
        super().__init__("\n".join(self.lines()))

    def headline(self) -> str:
        return f"Exercise {self.exercise} is not right yet: {self.diagnosis}."

    def lines(self) -> list[str]:
        """The message as IPython shows it: the diagnosis, the advice wrapped, where to get help."""
        lines = [self.headline()]
        if self.advice:
            lines += textwrap.wrap(self.advice, WIDTH, break_on_hyphens=False)
        return lines + [f'Stuck? Run hint("{self.exercise}") for a hint.']

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback (ipyparallel's hook, honoured by IPython)."""
        return self.lines()


class ExerciseNotDone(ExerciseFailed):
    """An exercise without an answer yet: its name was never set, or its function still raises
    ``NotImplementedError`` (the stub of a student copy or of an nbgrader release)."""

    def headline(self) -> str:
        return f"Exercise {self.exercise} is not done yet: {self.diagnosis}."

    def lines(self) -> list[str]:
        return [self.headline()] + textwrap.wrap(self.advice, WIDTH, break_on_hyphens=False)


# ----------------------------------------------------------------------------- verdicts

@dataclass
class Verdict:
    """What the checks of one exercise said in this kernel: passed at least once, and the latest."""

    passed_once: bool
    latest_passed: bool
    latest: str


_VERDICTS: dict[str, Verdict] = {}


def _record(exercise: str, ok: bool, message: str) -> None:
    old = _VERDICTS.get(exercise)
    _VERDICTS[exercise] = Verdict(ok or (old is not None and old.passed_once), ok, message)


def passed(exercise: str, message: str) -> None:
    """Print the one-line success message of ``exercise`` (e.g. ``"1.2"``)."""
    _record(exercise, True, message)
    print(f"✔ Exercise {exercise} passed: {message}")


def fail(exercise: str, diagnosis: str, advice: str = "") -> None:
    """Stop the check: ``diagnosis`` names the likely mistake in a few words (it must fit the
    first line, :data:`FIRST_LINE`), ``advice`` says what to try. Neither may contain the answer
    or the formula that gives it (``tests/test_exercise_hints.py`` searches them)."""
    raise ExerciseFailed(exercise, diagnosis, advice)


def progress_lines(exercises: list[str]) -> list[str]:
    """One line per exercise (e.g. ``["2.1", "2.2"]``): done or not yet, with the checks' verdict.

    An exercise passed once in this kernel stays done; if a later check of it failed, the line
    says so (the learner has shown they can do it, and sees that their latest answer differs).
    """
    lines = []
    for number in exercises:
        v = _VERDICTS.get(number)
        if v is None:
            lines.append(f"· not yet  Exercise {number}: not checked yet: run its check cell.")
        elif v.latest_passed:
            lines.append(f"✔ done     Exercise {number}: {v.latest}")
        elif v.passed_once:
            lines.append(f"✔ done     Exercise {number}: passed earlier; your latest answer is {v.latest}")
        else:
            lines.append(f"· not yet  Exercise {number}: {v.latest}")
    return lines


def show_progress(*exercises: str) -> None:
    """Print this lesson's progress: one line per exercise, then how many are done."""
    if not exercises or not all(isinstance(e, str) for e in exercises):
        raise ValueError(f"exercises must be numbers like '2.1', got {exercises!r}")
    for line in progress_lines(list(exercises)):
        print(line)
    done = sum(_VERDICTS[e].passed_once for e in exercises if e in _VERDICTS)
    print(f"{done} of {len(exercises)} exercises done.")


# ----------------------------------------------------------------------------- hints

_LADDERS: dict[str, tuple[str, ...]] = {}
_GIVEN: dict[str, int] = {}


def hint(exercise: str) -> None:
    """Print the next hint for ``exercise`` (e.g. ``"2.1"``); each call goes one rung further.

    The rungs go from where to look to how to proceed; none gives the answer or its formula.
    """
    ladder = _ladder(exercise)
    given = _GIVEN.get(exercise, 0)
    if given >= len(ladder):
        print(f"Exercise {exercise}: that was the last hint ({len(ladder)} of {len(ladder)}). "
              f"Here it is again:\n{_wrap(ladder[-1])}")
        return
    _GIVEN[exercise] = given + 1
    print(f"Hint {given + 1} of {len(ladder)} for Exercise {exercise}:\n{_wrap(ladder[given])}")


def hints(exercise: str) -> tuple[str, ...]:
    """Every rung of ``exercise``'s ladder, in order (for teachers and tests)."""
    return _ladder(exercise)


def _ladder(exercise: str) -> tuple[str, ...]:
    lesson = exercise.split(".")[0] if isinstance(exercise, str) else ""
    if lesson.isdigit() and exercise not in _LADDERS:  # the lesson's checkers register its ladders
        try:
            importlib.import_module(f"{__package__}.lesson{int(lesson):02d}")
        except ModuleNotFoundError:
            pass
    if exercise not in _LADDERS:
        known = ", ".join(sorted(_LADDERS)) or "none loaded"
        raise ValueError(f"no hints for exercise {exercise!r}: give its number as a string like '2.1' "
                         f"(known: {known})")
    return _LADDERS[exercise]


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(text, WIDTH, break_on_hyphens=False))


# ----------------------------------------------------------------------------- answers

def checker(exercise: str, *, value: str | tuple[str, ...] = (), function: str = "",
            hints: tuple[str, ...] = ()) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Make a check function the checker of ``exercise``, whose answer is ``value`` (one name or
    several, numbers the learner sets) or ``function`` (the name of a function they write).

    The check cell passes the answer's name: the checker then reads it from the notebook (the
    caller's namespace) and says "not done yet" if it is not set. Anything else passed in its
    place is the answer itself (tests). ``hints``: the ladder :func:`hint` climbs, two rungs or
    more. The checker records every verdict for :func:`show_progress`.
    """
    names = (value,) if isinstance(value, str) else tuple(value)
    if bool(names) == bool(function):
        raise ValueError("give the answer's name as value=... or function=..., not both or neither")
    if len(hints) < 2:
        raise ValueError(f"exercise {exercise} needs a ladder of at least two hints, got {len(hints)}")
    names = names or (function,)
    _LADDERS[exercise] = tuple(hints)

    def decorate(check: Callable[..., None]) -> Callable[..., None]:
        @wraps(check)
        def run(*args: Any, **kwargs: Any) -> None:
            caller = sys._getframe(1)
            scope = {**caller.f_globals, **caller.f_locals}
            del caller
            try:
                args = tuple(_read(exercise, arg, scope, function) if isinstance(arg, str)
                             and arg in names[i:i + 1] else arg for i, arg in enumerate(args))
                check(*args, **kwargs)
            except ExerciseFailed as exc:
                _record(exercise, False, exc.headline().removeprefix(f"Exercise {exercise} is "))
                raise

        run.exercise, run.answers, run.kind = exercise, names, "function" if function else "value"
        return run

    return decorate


def _read(exercise: str, name: str, scope: dict[str, Any], function: str) -> Any:
    """The answer ``name`` from the notebook's namespace ``scope``; not done yet if it is unset."""
    where = "in the exercise cell above, run that cell, then run this check again"
    if function:
        if name not in scope:
            raise ExerciseNotDone(exercise, f"write the function `{name}`",
                                  f"Complete `{name}` {where}.")
        return scope[name]
    if name not in scope or scope[name] is Ellipsis:
        raise ExerciseNotDone(exercise, f"set `{name}`", f"Write `{name} = ...` {where}.")
    return scope[name]


def call_answer(exercise: str, answer: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function; turn the usual failures into messages that name the exercise.

    Its ``NotImplementedError`` (the stub still in place) means not done yet; any other exception
    it raises is reported as one message naming the error and the line of their code it came from.
    """
    name = getattr(answer, "__name__", "<lambda>")
    name = "your function" if name == "<lambda>" else f"`{name}`"
    if not callable(answer):
        fail(exercise, "the answer is not a function",
             f"The check got {type(answer).__name__}, not a function: run the exercise cell, which "
             "defines it with def.")
    try:
        return answer(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseNotDone(exercise, f"{name} still raises NotImplementedError",
                              "Replace the `raise NotImplementedError` line of the exercise cell with "
                              "your code, run that cell, then run this check again.") from None
    except ExerciseFailed:
        raise
    except Exception as exc:  # the learner's code crashed: say what and where, in one message
        raise ExerciseFailed(exercise, f"your function raised {type(exc).__name__}",
                             f"{exc}{_where(exc, answer)}", error=exc) from None


def _where(exc: BaseException, answer: Callable[..., Any]) -> str:
    """`` (line N of your cell: code)`` for the innermost frame of ``exc`` in ``answer``'s cell."""
    code = getattr(answer, "__code__", None)
    if code is None:
        return ""
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == code.co_filename:
            found = tb
        tb = tb.tb_next
    if found is None:
        return ""
    line = linecache.getline(code.co_filename, found.tb_lineno).strip()
    return f" (line {found.tb_lineno} of your cell: {line})" if line else ""


def as_number(exercise: str, value: object, what: str) -> float:
    """The learner's ``value`` (a number they set, or one their function returned) as a finite
    float, whatever its type: a Python or NumPy number, a 0-d (or one-element) tensor or array.
    Otherwise a hint naming ``what`` (e.g. ``"eta_star"``, ``"the epoch your function returns"``)."""
    import numpy as np
    import torch  # here, so that importing the framework stays light

    if isinstance(value, torch.Tensor | np.ndarray):
        if (value.size if isinstance(value, np.ndarray) else value.numel()) != 1:
            fail(exercise, f"{what} should be one number",
                 f"It is a {type(value).__name__} of shape {tuple(value.shape)}.")
        value = (value if isinstance(value, np.ndarray) else value.detach()).reshape(()).item()
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        fail(exercise, f"{what} should be a number", f"It is {type(value).__name__}"
             + (": did you forget the return statement?" if value is None else
                f" ({value!r}): write the number itself, not text." if isinstance(value, str) else "."))
    value = float(value)
    if not math.isfinite(value):
        fail(exercise, f"{what} is {value}",
             "That is not a number you can use: something overflowed, divided by zero or took the log "
             "of a negative number. Print the pieces of your calculation one by one to see where.")
    return value


def as_whole_number(exercise: str, value: object, what: str) -> int:
    """``value`` as an ``int`` when it is a whole number of any numeric type; otherwise a hint."""
    number = as_number(exercise, value, what)
    if not number.is_integer():
        fail(exercise, f"{what} should be a whole number, not {number:g}",
             "A count of steps is whole: decide whether your result must be rounded up or down.")
    return int(number)


def significant_digits(value: float) -> int:
    """How many significant digits ``value`` is written with (trailing zeros do not count: 0.0019
    and 0.00190 are the same float), up to 17."""
    for digits in range(1, 18):
        if float(f"{value:.{digits - 1}e}") == value:
            return digits
    return 17
