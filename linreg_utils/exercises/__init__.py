"""Exercise checks: read a learner's answer, judge it on fresh data, say in one plain message what is wrong.

An exercise is a cell the learner completes between ``### BEGIN SOLUTION`` and ``### END
SOLUTION``; the next cell imports its checker and calls it with the *name* of the answer::

    from linreg_utils.exercises import check_steps_prediction, hint

    check_steps_prediction("prediction")

It prints one ✔ line when the answer is right. Otherwise the cell ends in one short message, no
traceback (nbgrader still scores it 0): "Exercise 2.1 is not right yet: <the likely mistake>",
what to try, and ``hint("2.1")`` for the next rung of the exercise's hint ladder; or "Exercise
2.1 is not done yet: set `prediction`" while there is no answer. :func:`show_progress` (the
generated cell at the end of a lesson) lists every exercise, done or not yet.

Writing a checker (``lessonNN.py``, one module per lesson; see :mod:`.framework`)::

    @checker("5.1", value="best_lr", hints=("where to look ...", "what to compute ...", "the method ..."))
    def check_best_lr(best_lr: object) -> None:
        lr = as_number("5.1", best_lr, "best_lr")      # any numeric type; NaN/inf get a hint
        truth = ...                                    # computed here, from a real torch run
        if close(lr, truth):
            return passed("5.1", "one line saying why it is right")
        if close(lr, usual_mistake):
            fail("5.1", "a short diagnosis (≤ 51 characters)", "what to try, never the answer or its formula")
        fail("5.1", "the general diagnosis", "what to try")

A function answer (``function="adam_step"``) is called through :func:`call_answer` on data the
learner has not seen, so a hard-coded return fails. The tests: a table of typical mistakes per
exercise (``tests/test_exercises_lessonNN.py``), and one recorded mistake per exercise with the
strings no message may contain (``tests/exercise_answers.py``), which ``tests/test_exercise_hints.py``
and the hidden-style check (``tests/test_hidden_checks.py``) run through the lesson's own check cell.
"""

from .framework import (
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
    progress_lines,
    show_progress,
    significant_digits,
)

# Every lesson's checkers, importable from here (``from linreg_utils.exercises import check_...``).
from .lesson01 import check_damped_newton_prediction, check_largest_rosenbrock_lr, check_line_search_lr  # noqa: E402, I001
from .lesson02 import check_centred_critical_lr, check_fastest_lr, check_steps_prediction  # noqa: E402
from .lesson03 import check_critical_scale, check_picked_lr, check_standardized_edge  # noqa: E402
from .lesson04 import (  # noqa: E402
    check_beat_polyak,
    check_best_beta,
    check_edge_lr,
    check_momentum_roots,
    check_regimes,
)
from .lesson05 import check_closure_calls, check_ema_edge_lr, check_rmsprop_gap  # noqa: E402
from .lesson06 import (  # noqa: E402
    RTOL_CHOICES,
    check_certificate_prediction,
    check_predict,
    check_safe_rtol,
    check_unstandardize,
)
from .lesson07 import PERIODS, check_floor_prediction, check_halving_period, check_lr_keeping_floor  # noqa: E402
from .lesson08 import check_cg_steps, check_newton_slope, check_power_iteration  # noqa: E402

__all__ = [
    "PERIODS", "RTOL_CHOICES", "ExerciseFailed", "ExerciseNotDone", "as_number", "as_whole_number",
    "call_answer", "check_beat_polyak", "check_best_beta", "check_centred_critical_lr", "check_closure_calls",
    "check_edge_lr",
    "check_ema_edge_lr", "check_rmsprop_gap",
    "check_certificate_prediction", "check_critical_scale", "check_damped_newton_prediction",
    "check_fastest_lr", "check_floor_prediction", "check_halving_period", "check_largest_rosenbrock_lr",
    "check_line_search_lr", "check_lr_keeping_floor", "check_momentum_roots", "check_regimes",
    "check_edge_lr", "check_cg_steps", "check_newton_slope", "check_picked_lr", "check_power_iteration",
    "check_predict", "check_safe_rtol", "check_standardized_edge", "check_steps_prediction",
    "check_unstandardize", "checker",
    "fail", "hint", "hints", "passed", "progress_lines", "show_progress", "significant_digits",
]
