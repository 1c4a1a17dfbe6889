"""The slow tier's plan: ``make test-all`` runs each lesson at most twice.

``make test`` runs every lesson once, under nbval. The slow tier (tests marked ``slow``, run by
``make test-all`` and CI) runs each lesson at most once more, in the one real client below that
needs it; every other check of those clients works on lessons it does not execute (nbgrader
releases every lesson, student copies of every lesson are checked without running them). A
new lesson must be given its place here (``tests/test_tiers.py`` checks that every lesson has one).
"""

NBGRADER_SOLUTIONS = "nbgrader: the solutions student (full marks)"
NBGRADER_UNTOUCHED = "nbgrader: the untouched release copy (scores 0)"
NBGRADER_MISTAKE = "nbgrader: one typical mistake (loses exactly its point; the feedback shows the hint)"
JUPYTERLAB = "JupyterLab in headless Chromium: every cell, then its widget"
STUDENT_COPY = "the student copy (tools.student), executed: stops at its first exercise, naming it"
WHEEL = "the wheel (tools.check_wheel), not editable, in a clean environment: its exercises"

SECOND_RUN = {
    "00_start_here.ipynb": NBGRADER_SOLUTIONS,
    "01_first_vs_second_order.ipynb": NBGRADER_UNTOUCHED,
    "02_gradient_descent_live.ipynb": JUPYTERLAB,  # the learning-rate widget (tests/test_browser.py)
    "03_torch_optim_api.ipynb": NBGRADER_MISTAKE,
    "04_momentum.ipynb": JUPYTERLAB,  # the momentum widget (tests/test_browser_momentum.py)
    "05_adaptive_quasi_newton.ipynb": JUPYTERLAB,  # the race widget (tests/test_browser_race.py)
    "06_regression_workflow.ipynb": NBGRADER_SOLUTIONS,
    "07_stochastic_gradients.ipynb": STUDENT_COPY,
    "08_beyond_the_quadratic.ipynb": WHEEL,
}
"""Lesson → the one slow check that executes it. Notebook 7 and Voilà open the apps in ``apps/``; the
hidden-style check (``tests/test_hidden_checks.py``) and the failed-check screenshots
(``tests/test_browser_exercises.py``) run the lessons' check cells without executing any lesson."""


def lessons_for(check: str) -> list[str]:
    """The lessons ``check`` (one of the constants above) executes, in order."""
    return [name for name, where in SECOND_RUN.items() if where == check]
