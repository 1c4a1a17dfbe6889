"""Every number lesson 03's prose states, recomputed (values in tests/lesson_numbers.py), and the
corrected scheduler claims: what OneCycleLR does to momentum, what each schedule does to the loss."""

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as S

from linreg_utils import (
    DIVERGENCE_FACTOR,
    condition_number,
    critical_lr,
    line_loss,
    lr_range_test,
    mse_hessian,
    optimize,
    range_test_turn,
    seed_data,
    standardize,
)
from linreg_utils.exercises.lesson03 import standardized_range_test
from tests.lesson_numbers import (
    L03_BEST_SINGLE_LR_STEPS,
    L03_FINAL_GAPS,
    L03_KAPPA_DIAGONAL,
    L03_KAPPA_RAW,
    L03_LBFGS_CALLS,
    L03_ONECYCLE_MOMENTUM,
    L03_PLATEAU_FIRST_HALVING,
    L03_RANGE_PICK,
    L03_RANGE_TURN,
    L03_RESCUE_GAPS,
    L03_RESCUE_GROWTH,
    L03_STANDARDIZED_EDGE,
    L03_WARMUP,
    L03_WARMUP_COSINE_PEAK,
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


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_closure_calls_per_step(line_search):
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1).double()
    opt = torch.optim.LBFGS(model.parameters(), line_search_fn=line_search)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X.double()), Y.double())
        loss.backward()
        return loss

    opt.step(closure)
    assert (opt.state[model.weight]["n_iter"], len(calls)) == L03_LBFGS_CALLS[line_search]
    assert model.weight.item() == pytest.approx(0.27254836066748256, abs=1e-6)


def test_final_gaps_of_the_schedules_exponential_worst_plateau_mid_pack():
    makes = {"constant": None, "StepLR": lambda o: S.StepLR(o, step_size=30, gamma=0.5),
             "ExponentialLR": lambda o: S.ExponentialLR(o, gamma=0.97),
             "CosineAnnealingLR": lambda o: S.CosineAnnealingLR(o, T_max=100),
             "OneCycleLR": lambda o: S.OneCycleLR(o, max_lr=0.02, total_steps=100, cycle_momentum=False),
             "ReduceLROnPlateau": lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=5, threshold=1e-2)}
    gaps = {name: scheduled(0.02, 100, make).losses[-1] - L_STAR for name, make in makes.items()}
    assert {n: f"{g:.3e}" for n, g in gaps.items()} == {n: f"{g:.3e}" for n, g in L03_FINAL_GAPS.items()}
    ranked = sorted(gaps, key=gaps.get)
    assert ranked[0] == "constant" and ranked[-1] == "ExponentialLR" and ranked[-2] == "ReduceLROnPlateau"
    decays = [g for name, g in gaps.items() if name != "constant"]
    assert 2.4e-2 <= min(decays) and max(decays) <= 3.0e-2


def test_best_single_lr_needs_about_1500_steps():
    from linreg_utils import optimal_lr
    run = scheduled(optimal_lr(X), 2001)
    assert int(np.argmax(run.losses - L_STAR <= 1e-6)) == L03_BEST_SINGLE_LR_STEPS


def test_warmup_helps_only_before_a_decay_from_a_too_large_lr():
    crit = critical_lr(X)
    warmed = lambda then: lambda o: S.SequentialLR(  # noqa: E731
        o, [S.LinearLR(o, start_factor=0.1, total_iters=10), then(o)], milestones=[10])
    constant = lambda o: S.ConstantLR(o, factor=1.0)  # noqa: E731
    plain, warm = scheduled(0.02, 100), scheduled(0.02, 100, warmed(constant))
    assert (f"{plain.losses[-1] - L_STAR:.3e}", f"{warm.losses[-1] - L_STAR:.3e}") == L03_WARMUP[:2]
    assert scheduled(1.3 * crit, 100).diverged_at == L03_WARMUP[2]
    assert scheduled(1.3 * crit, 100, warmed(constant)).diverged_at == L03_WARMUP[3]
    cosine_alone = scheduled(1.3 * crit, 100, lambda o: S.CosineAnnealingLR(o, T_max=100))
    assert cosine_alone.diverged_at == L03_WARMUP[4]
    cosine = scheduled(1.3 * crit, 100, warmed(lambda o: S.CosineAnnealingLR(o, T_max=90)))
    assert cosine.diverged_at is None and f"{cosine.losses[-1] - L_STAR:.3e}" == L03_WARMUP[5]
    assert (f"{cosine.losses[10]:.2f}", f"{cosine.losses[10:].max():.2f}") == L03_WARMUP_COSINE_PEAK


def test_range_test_turns_up_about_six_times_past_the_edge():
    for xs, (turn, ratio), pick in ((X.double(), L03_RANGE_TURN[:2], L03_RANGE_PICK[0]),
                                    (standardize(X.double())[0], L03_RANGE_TURN[2:], L03_RANGE_PICK[1])):
        _, up = range_test_turn(lr_range_test(line_loss(xs, Y.double()), ZERO))
        assert (f"{up:.4f}", f"{up / critical_lr(xs):.1f}", f"{up / 10:.4f}") == (turn, ratio, pick)
        assert 0.5 < (up / 10) / critical_lr(xs) < 0.65  # "a tenth of the turn: 0.57 / 0.60 × 2/λmax"


def test_range_test_rejects_bad_input():
    with pytest.raises(ValueError, match="lr_max must exceed lr_min"):
        lr_range_test(LOSS, ZERO, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="never turned up"):
        range_test_turn(lr_range_test(LOSS, ZERO, lr_min=1e-4, lr_max=1e-3, steps=20))


def test_exercise_standardized_edge():
    edge, _, turn = standardized_range_test()
    assert edge == pytest.approx(L03_STANDARDIZED_EDGE) and f"{turn:.4f}" == L03_RANGE_TURN[2]
