"""Teachers' and maintainers' commands (run as ``python -m tools.NAME`` from the repository root).

Never imported by a notebook: nothing here ships in the linreg_utils wheel.
"""
