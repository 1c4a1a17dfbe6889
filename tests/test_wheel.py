"""What a class server gets from ``pip install .`` (slow tier): the wheel, not editable, in a clean
environment, holds every module, imports them all, and passes a lesson's exercises (the lesson
``tests/slow_tier.py`` gives the wheel; ``make check-wheel`` runs every lesson)."""

import pytest

from tests import slow_tier as tier
from tools import check_wheel

pytestmark = pytest.mark.slow


def test_the_wheel_installs_imports_every_module_and_passes_the_exercises(capsys):
    check_wheel.main(["--lessons", *tier.lessons_for(tier.WHEEL)])
    out = capsys.readouterr().out
    assert "nothing else" in out and "imported all" in out
    for lesson in tier.lessons_for(tier.WHEEL):
        assert f"{lesson}: " in out and "checks passed" in out.split(f"{lesson}: ", 1)[1].splitlines()[0]
