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
    L03_FINAL_GAPS,
    L03_KAPPA_DIAGONAL,
    L03_KAPPA_RAW,
    L03_LBFGS_CALLS,
    L03_LR_AT_50,
    L03_LR_SUMS,
    L03_NO_ZERO_GRAD_SWING,
    L03_OFF_DIAGONAL_R,
    L03_ONECYCLE_MOMENTUM,
    L03_PLATEAU_FIRST_CUT,
    L03_RANGE_PICK,
    L03_RANGE_TURN,
    L03_RESCUE_GAPS,
    L03_RESCUE_GROWTH,
    L03_STANDARDIZED_EDGE,
    L03_STEPS_TO_1E6,
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


def test_what_jacobi_scaling_leaves_is_the_w_b_correlation():
    h = mse_hessian(X.double())
    d = torch.diag(h).sqrt()
    scaled = h / torch.outer(d, d)
    r = (X.double().mean() / X.double().pow(2).mean().sqrt()).item()
    assert torch.allclose(scaled, torch.tensor([[1.0, r], [r, 1.0]], dtype=torch.float64))
    assert f"{r:.3f}" == L03_OFF_DIAGONAL_R
    assert round((1 + r) / (1 - r), 1) == L03_KAPPA_DIAGONAL


def _sgd_line(lrs, steps, skip_zero_grad=False):
    """torch SGD on nn.Linear from its seed-0 start, lr per parameter ``lrs`` = (w, b): the loss before
    each of ``steps`` steps and after the last (``steps + 1`` values)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1).double()
    opt = torch.optim.SGD([{"params": [model.weight], "lr": lrs[0]}, {"params": [model.bias], "lr": lrs[1]}])
    x, y, losses = X.double(), Y.double(), []
    for _ in range(steps):
        if not skip_zero_grad:
            opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    losses.append(torch.nn.functional.mse_loss(model(x), y).item())
    return np.array(losses)


def test_without_zero_grad_the_loss_keeps_swinging():
    losses = _sgd_line((0.01, 0.01), 300, skip_zero_grad=True)
    last = losses[-100:]  # after steps 201–300
    assert (f"{last.min():.2f}", f"{last.max():.2f}") == L03_NO_ZERO_GRAD_SWING
    later = _sgd_line((0.01, 0.01), 2000, skip_zero_grad=True)[1000:]  # the swing goes on
    assert later.min() < 0.16 and later.max() > 5


def test_steps_to_1e6_from_one_start_per_parameter_lrs_win():
    h = mse_hessian(X.double())
    d = torch.diag(h)
    eig = torch.linalg.eigvalsh(h / torch.sqrt(torch.outer(d, d)))
    c = 2 / eig.sum().item()
    from linreg_utils import optimal_lr
    runs = {"per-parameter": (c / d[0].item(), c / d[1].item()), "0.01": (0.01, 0.01),
            "2/(λmin+λmax)": (optimal_lr(X),) * 2}
    for name, lrs in runs.items():
        gaps = _sgd_line(lrs, 2000) - L_STAR
        assert int(np.argmax(gaps <= 1e-6)) == L03_STEPS_TO_1E6[name], name


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


def test_plateau_detector_cuts_after_more_than_patience_bad_steps():
    plateau = lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=5, threshold=1e-2)  # noqa: E731
    run = scheduled(0.02, 100, plateau)
    lrs, losses = run.log["lr"], run.losses
    first = int((lrs < 0.02).nonzero()[0][0])
    assert first == L03_PLATEAU_FIRST_CUT
    best, bad = np.inf, 0  # the rule: cut once more than `patience` steps in a row miss best·(1 − 1 %)
    for k, loss in enumerate(losses[:first]):
        best, bad = (loss, 0) if loss < best * (1 - 1e-2) else (best, bad + 1)
        if k < first - 1:
            assert bad <= 5
    assert bad == 6
    exponential = scheduled(0.02, 100, lambda o: S.ExponentialLR(o, gamma=0.97)).log["lr"]
    assert (f"{lrs[50]:.4f}", f"{exponential[50]:.4f}") == (L03_LR_AT_50["ReduceLROnPlateau"],
                                                             L03_LR_AT_50["ExponentialLR"])


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


def test_final_gaps_of_the_schedules_come_in_the_order_of_the_lr_sums():
    makes = {"constant": None, "StepLR": lambda o: S.StepLR(o, step_size=30, gamma=0.5),
             "ExponentialLR": lambda o: S.ExponentialLR(o, gamma=0.97),
             "CosineAnnealingLR": lambda o: S.CosineAnnealingLR(o, T_max=100),
             "OneCycleLR": lambda o: S.OneCycleLR(o, max_lr=0.02, total_steps=100, cycle_momentum=False),
             "ReduceLROnPlateau": lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=5, threshold=1e-2)}
    runs = {name: scheduled(0.02, 100, make) for name, make in makes.items()}
    gaps = {name: run.losses[-1] - L_STAR for name, run in runs.items()}
    sums = {name: run.log["lr"][:99].sum() for name, run in runs.items()}  # the 99 lrs actually used
    assert {n: f"{g:.3e}" for n, g in gaps.items()} == {n: f"{g:.3e}" for n, g in L03_FINAL_GAPS.items()}
    assert {n: f"{v:.2f}" for n, v in sums.items()} == L03_LR_SUMS
    ranked = sorted(gaps, key=gaps.get)
    assert ranked == sorted(sums, key=sums.get, reverse=True)  # more lr spent, smaller gap
    assert ranked[0] == "constant" and ranked[-1] == "ExponentialLR" and ranked[-2] == "ReduceLROnPlateau"
    decays = [g for name, g in gaps.items() if name != "constant"]
    assert 2.4e-2 <= min(decays) and max(decays) <= 3.0e-2


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
