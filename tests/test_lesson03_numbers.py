"""Every number lesson 03's prose states, recomputed (values in tests/lesson_numbers.py), and the
corrected scheduler claims: what OneCycleLR does to momentum, what each schedule does to the loss."""

import pytest
import torch
from torch.optim import lr_scheduler as S

from linreg_utils import (
    DIVERGENCE_FACTOR,
    condition_number,
    critical_lr,
    line_loss,
    mse_hessian,
    optimize,
    seed_data,
)
from linreg_utils.exercises.lesson03 import first_stable_step
from tests.lesson_numbers import (
    L03_KAPPA_DIAGONAL,
    L03_KAPPA_RAW,
    L03_ONECYCLE_MOMENTUM,
    L03_PLATEAU_FIRST_HALVING,
    L03_RESCUE_GAPS,
    L03_RESCUE_GROWTH,
    L03_RESCUE_STEP,
)

X, Y = seed_data()
LOSS, ZERO = line_loss(X, Y), torch.zeros(2, dtype=torch.float64)
L_STAR = LOSS(torch.tensor([0.27254836066748256, 0.6247266936559734], dtype=torch.float64)).item()


def scheduled(lr, losses, make=None):
    """``torch.optim.SGD(lr)`` under the scheduler ``make`` builds, as lesson 03 runs it: ``losses``
    loss evaluations (steps 0 … losses − 1), fewer if it diverged."""
    return optimize(lambda p: torch.optim.SGD(p, lr=lr), LOSS, ZERO, losses - 1, make_scheduler=make)


def test_diagonal_preconditioning_takes_kappa_from_379_to_31():
    h = mse_hessian(X)
    d = torch.diag(h).sqrt()
    eig = torch.linalg.eigvalsh(h / torch.outer(d, d))
    assert round(condition_number(X), 1) == L03_KAPPA_RAW
    assert round((eig[1] / eig[0]).item(), 1) == L03_KAPPA_DIAGONAL


def test_onecycle_turns_momentum_on_in_sgd_built_without_it():
    cycled = scheduled(0.02, 100, lambda o: S.OneCycleLR(o, max_lr=0.02, total_steps=100))
    plain = scheduled(0.02, 100,
                      lambda o: S.OneCycleLR(o, max_lr=0.02, total_steps=100, cycle_momentum=False))
    top, bottom = L03_ONECYCLE_MOMENTUM
    momenta = cycled.log["momentum"]
    assert momenta[0] == pytest.approx(top) and momenta.min() == pytest.approx(bottom)
    assert (plain.log["momentum"] == 0).all()
    assert cycled.losses[-1] - L_STAR < (plain.losses[-1] - L_STAR) / 10


def test_every_decaying_schedule_ends_behind_a_constant_lr_here():
    constant = scheduled(0.02, 100).losses[-1]
    for make in (lambda o: S.StepLR(o, step_size=30, gamma=0.5), lambda o: S.ExponentialLR(o, gamma=0.97),
                 lambda o: S.CosineAnnealingLR(o, T_max=100),
                 lambda o: S.OneCycleLR(o, max_lr=0.02, total_steps=100, cycle_momentum=False),
                 lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=5, threshold=1e-2)):
        assert scheduled(0.02, 100, make).losses[-1] > constant


def test_plateau_detector_starts_halving_once_the_steep_direction_is_done():
    plateau = lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=5, threshold=1e-2)  # noqa: E731
    lrs = scheduled(0.02, 100, plateau).log["lr"]
    first = int((lrs < 0.02).nonzero()[0][0])
    assert L03_PLATEAU_FIRST_HALVING[0] <= first <= L03_PLATEAU_FIRST_HALVING[1]


def test_rescue_numbers():
    crit = critical_lr(X)
    lam_max = 2 / crit
    assert abs(1 - 1.3 * crit * lam_max) == pytest.approx(L03_RESCUE_GROWTH)
    floor = lambda o: S.LambdaLR(o, lambda k: max(0.9**k, 0.9 / 1.3))  # noqa: E731
    rescued = scheduled(1.3 * crit, 400, floor)
    constant = scheduled(0.9 * crit, 400)
    assert f"{rescued.losses[-1] - L_STAR:.3e}" == f"{L03_RESCUE_GAPS[0]:.3e}"
    assert f"{constant.losses[-1] - L_STAR:.3e}" == f"{L03_RESCUE_GAPS[1]:.3e}"
    diverged = scheduled(1.3 * crit, 400)  # stopped where the loss passed 1e6 × its start
    assert diverged.diverged_at == diverged.steps < 400
    assert diverged.losses[-1] > DIVERGENCE_FACTOR * diverged.losses[0] >= diverged.losses[-2]


def test_exercise_rescue_step():
    assert first_stable_step() == L03_RESCUE_STEP
