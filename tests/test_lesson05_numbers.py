"""Every number lesson 05's prose states, recomputed with torch.optim (values in tests/lesson_numbers.py):
Adam's preconditioner, its edge 2(1 + β₁)/(1 − β₁) and late spikes, RMSprop's cycle at its edge 2,
Adam + L2 against AdamW, L-BFGS's estimate and closure calls, and the race ranked by evaluations."""

import inspect
import math

import numpy as np
import pytest
import torch

from linreg_utils import (
    START,
    closed_form_fit,
    hessian_eigenvalues,
    line_loss,
    loss_gap,
    mse_hessian,
    optimize,
    seed_data,
    standardize,
)
from linreg_utils.adaptive import running_mean_square, weight_decay_end_points
from linreg_utils.optimizers import adagrad, adam, lbfgs, lbfgs_inverse_hessian, rmsprop
from linreg_utils.race import DEFAULT_LRS, FINISH_TOL, Racecourse, race
from linreg_utils.theory import (
    adam_stability_edge,
    preconditioned_hessian,
    preconditioned_sharpness,
    quadratic_gap,
    regularised_optimum,
)
from tests.lesson_numbers import (
    L03_KAPPA_DIAGONAL,
    L05_ADAM_FROZEN,
    L05_ADAM_KAPPA,
    L05_ADAM_SPIKE,
    L05_ADAM_SPIKE_LR01,
    L05_BIAS_RATIOS,
    L05_DECAY_SHARES,
    L05_EMA_EDGE_RUNS,
    L05_JACOBI_R,
    L05_LBFGS_CALLS,
    L05_LBFGS_DEFAULTS,
    L05_LBFGS_GAP_FACTORS,
    L05_LBFGS_GAP_NO_SEARCH,
    L05_LBFGS_OFF,
    L05_LBFGS_SECANT_OLDER,
    L05_RACE_500,
    L05_RACE_ADAMW,
    L05_RACE_STANDARDIZED,
    L05_RMSPROP_CYCLE,
    L05_SIMULATOR_FROZEN,
    L05_TORCH_EPS,
    L05_VHAT_SHRINK,
)

X, Y = (t.double() for t in seed_data())
LOSS, GAP, H = line_loss(X, Y), loss_gap(X, Y), mse_hessian(X).numpy()
LAM_MAX = hessian_eigenvalues(X)[1]
OPTIMUM = np.array(closed_form_fit(X, Y))
START_T = torch.tensor(START, dtype=torch.float64)


def adam_run(lr: float, steps: int, beta2: float = 0.999) -> tuple[np.ndarray, np.ndarray]:
    """A torch.optim.Adam run from START: (η λmax(P^1/2 H P^1/2) of each step, ½ dᵀHd at each step)."""
    run = optimize(lambda p: torch.optim.Adam(p, lr=lr), LOSS, START_T, steps)
    p = 1 / (np.sqrt(running_mean_square(run.log["grads"][:-1], beta2)) + 1e-8)
    return lr * preconditioned_sharpness(H, p), quadratic_gap(run.path - OPTIMUM, H)


def test_torch_defaults_the_lesson_states_and_the_hand_written_eps_match_them():
    theta = [torch.zeros(2, requires_grad=True)]
    for name, eps in L05_TORCH_EPS.items():
        assert getattr(torch.optim, name)(theta).defaults["eps"] == eps
    hand_eps = {"Adagrad": adagrad, "RMSprop": rmsprop, "Adam": adam}
    assert {n: inspect.signature(f).parameters["eps"].default for n, f in hand_eps.items()} == L05_TORCH_EPS
    defaults = torch.optim.LBFGS(theta).defaults
    assert {k: defaults[k] for k in L05_LBFGS_DEFAULTS} == L05_LBFGS_DEFAULTS
    assert torch.optim.LBFGS(theta, max_iter=8).defaults["max_eval"] == 10  # max_iter·5//4


def test_adagrads_sum_only_grows_rmsprops_average_shrinks_again():
    grads = [torch.tensor([4.0, 4.0]), torch.tensor([0.1, 0.1])]
    s_ada, s_rms, theta = {}, {}, torch.zeros(2)
    for g in grads:
        adagrad(theta, g, s_ada, lr=0.1)
        before = s_rms.get("s", torch.zeros(2)).clone()
        rmsprop(theta, g, s_rms, lr=0.1)
    assert (s_ada["s"] >= 16).all()  # Adagrad: s = 16 + 0.01, never below the largest g² seen
    assert (s_rms["s"] < before).all()  # RMSprop: a small gradient lets the average fall


def test_adam_preconditioner_improves_kappa_less_than_the_best_diagonal():
    run = optimize(lambda p: torch.optim.Adam(p, lr=0.1), LOSS, START_T, 300)
    p = 1 / (np.sqrt(running_mean_square(run.log["grads"][:-1], 0.999)) + 1e-8)
    kappas = [round(float(np.linalg.cond(preconditioned_hessian(H, p[t - 1]))), 1) for t in (1, 10, 300)]
    assert kappas == list(L05_ADAM_KAPPA)
    assert round(float(np.linalg.cond(preconditioned_hessian(H, 1 / np.diag(H)))), 1) == L03_KAPPA_DIAGONAL
    ratios = [(1 - 0.9**t) / math.sqrt(1 - 0.999**t) for t in (1, 10)]
    assert [round(r, 2) for r in ratios] == list(L05_BIAS_RATIOS)


def test_ema_momentum_converges_just_inside_38_and_diverges_just_outside():
    edge = adam_stability_edge(0.9)
    assert edge == pytest.approx(38)
    inside, outside = (optimize(lambda p, f=f: torch.optim.SGD(p, lr=f * edge / LAM_MAX, momentum=0.9,
                                                               dampening=0.9), LOSS, START_T, 300)
                       for f in (0.97, 1.03))
    assert not inside.diverged and f"{GAP(*inside.path[-1]):.0e}" == L05_EMA_EDGE_RUNS[0]
    assert outside.diverged_at == L05_EMA_EDGE_RUNS[1]


def test_adam_spikes_only_after_its_preconditioned_sharpness_passes_38():
    sharp, gaps = adam_run(0.3, 4_000)
    past_2, past_38 = int(np.argmax(sharp > 2)) + 1, int(np.argmax(sharp > 38)) + 1
    rise = past_38 + int(np.argmax(gaps[past_38:] > 1e-20))
    got = (past_2, f"{gaps[past_2]:.1e}", past_38, rise,
           f"{gaps[rise:rise + 300].max():.1e}", f"{sharp[rise:rise + 300].min():.0f}")
    assert got == L05_ADAM_SPIKE
    assert gaps[past_2 + 1:past_38].max() < gaps[past_2]  # between 2 and 38 the gap never climbs back
    assert (gaps[1000:past_38] < 1e-25).all()  # at rounding level until the sharpness passes 38


def test_torch_adam_spikes_at_lr_01_while_the_exact_gradient_simulator_freezes():
    sharp, gaps = adam_run(0.1, 5_000)
    past_38 = int(np.argmax(sharp > 38)) + 1
    rise = past_38 + int(np.argmax(gaps[past_38:] > 1e-20))
    assert (past_38, rise, f"{gaps[rise:].max():.1e}") == L05_ADAM_SPIKE_LR01
    course, theta, state, zero_from = Racecourse(X, Y), np.array(START), {}, None
    for t in range(1, 20_001):
        grad = course.hessian @ theta - course.c
        zero_from = (zero_from or t) if not grad.any() else None
        theta = adam(theta, grad, state, lr=0.1)
    assert zero_from is not None and zero_from <= L05_SIMULATOR_FROZEN[0]
    assert np.all(np.abs(state["m"]) == L05_SIMULATOR_FROZEN[1])


def test_rmsprop_settles_in_a_period_two_cycle_at_its_edge_two():
    run = optimize(lambda p: torch.optim.RMSprop(p, lr=0.01), LOSS, START_T, 2_500)
    s = running_mean_square(run.log["grads"][:-1], 0.99, bias_corrected=False)
    late = 0.01 * preconditioned_sharpness(H, 1 / (np.sqrt(s) + 1e-8))[2000:]
    steps = np.diff(run.path[2000:], axis=0)
    assert f"{np.median(late):.3f}" == L05_RMSPROP_CYCLE[0] and 1.99 < late.min() <= late.max() < 2.01
    assert f"{np.abs(steps).mean():.4f}" == L05_RMSPROP_CYCLE[1]
    assert np.all(np.sign(steps[1:]) == -np.sign(steps[:-1]))  # period 2: every step undoes the last
    assert f"{GAP(*run.path[-1]):.2e}" == L05_RMSPROP_CYCLE[2]


@pytest.mark.parametrize("data, kw", [("full batch", {}),
                                      ("batches of 3", {"batch_size": 3, "replicas": 64})])
def test_adam_l2_ends_at_the_penalised_minimiser_and_adamw_only_with_noise_moves_towards_it(data, kw):
    theta_reg = regularised_optimum(X, Y, 0.1)
    ends = weight_decay_end_points(X, Y, weight_decay=0.1, lr=0.01, steps=1_000, **kw)
    way = OPTIMUM - theta_reg
    shares = {name: round(100 * float((OPTIMUM - e.theta) @ way / (way @ way))) + 0
              for name, e in ends.items()}
    assert shares == L05_DECAY_SHARES[data]
    balance = regularised_optimum(X, Y, 0.1 * ends["AdamW"].rms_grad)  # L2 of strength λ√v̂ per coordinate
    assert np.allclose(balance, ends["AdamW"].theta, atol=5e-4)


def test_lbfgs_with_two_parallel_pairs_is_far_from_the_inverse_hessian():
    h_inv = np.linalg.inv(H)
    theta, state, off = np.array(START), {}, []
    for _ in range(5):
        theta = lbfgs(theta, H @ (theta - OPTIMUM), state)
        off.append(np.linalg.norm(lbfgs_inverse_hessian(state).numpy() - h_inv) / np.linalg.norm(h_inv))
    assert len(state["pairs"]) == 4
    assert off[2] == pytest.approx(L05_LBFGS_OFF[0], abs=0.01)  # step 3, two pairs: ~100 % off
    assert [float(f"{v:.1e}") for v in off[3:]] == list(L05_LBFGS_OFF[1:])
    (s1, *_), (s2, *_) = state["pairs"][:2]
    assert abs(s1 @ s2) / np.linalg.norm(s1) / np.linalg.norm(s2) > 0.999  # both along the steep axis


@pytest.mark.parametrize("search", [None, "strong_wolfe"])
def test_one_torch_lbfgs_step_calls_the_closure_seven_times_and_stops_on_the_rule_the_lesson_names(search):
    theta = START_T.clone().requires_grad_(True)
    optimizer, calls = torch.optim.LBFGS([theta], lr=1.0, line_search_fn=search), []

    def closure():
        calls.append(theta.detach().clone())  # where each loss-and-gradient evaluation happened
        optimizer.zero_grad()
        loss = LOSS(theta)
        loss.backward()
        return loss

    optimizer.step(closure)
    state = optimizer.state[theta]
    moves = sum(not torch.equal(a, b) for a, b in zip(calls, calls[1:], strict=False))  # θ changed
    assert (state["n_iter"], len(calls), moves) == L05_LBFGS_CALLS[search]
    assert state["func_evals"] == len(calls) and torch.equal(calls[-1], theta.detach())
    max_g, slope = float(theta.grad.abs().max()), float(state["prev_flat_grad"] @ state["d"])
    if search is None:  # the 7th iteration: slope above −1e-9 stopped it before stepping (max|g| did not)
        assert max_g > 1e-7 and -1e-9 < slope < 0
        assert f"{GAP(*theta.detach().numpy()):.0e}" == L05_LBFGS_GAP_NO_SEARCH
    else:  # ended on θ* to rounding: max|g| ≤ tolerance_grad
        assert max_g <= 1e-7 and quadratic_gap(theta.detach().numpy() - OPTIMUM, H) < 1e-25


def test_lbfgs_gap_falls_faster_every_step_once_it_has_the_valley():
    theta, state, gaps = np.array(START), {}, [GAP(*START)]
    for _ in range(6):
        theta = lbfgs(theta, H @ (theta - OPTIMUM), state)
        gaps.append(GAP(*theta))
    assert tuple(f"{gaps[k - 1] / gaps[k]:.0e}" for k in (4, 5, 6)) == L05_LBFGS_GAP_FACTORS
    assert gaps[1] > gaps[0]  # the shortened first step still overshoots
    h_k = lbfgs_inverse_hessian(state).numpy()
    misfit = [np.linalg.norm(h_k @ y - s) / np.linalg.norm(s) for s, y, _ in state["pairs"]]
    assert tuple(f"{m:.0e}" for m in misfit[:-1]) == L05_LBFGS_SECANT_OLDER and misfit[-1] < 1e-12


def test_best_diagonal_kappa_from_the_correlation_r():
    r = H[0, 1] / math.sqrt(H[0, 0] * H[1, 1])
    assert f"{r:.3f}" == L05_JACOBI_R
    assert (1 + r) / (1 - r) == pytest.approx(np.linalg.cond(preconditioned_hessian(H, 1 / np.diag(H))))


def test_adam_freezes_then_v_hat_shrinks_at_most_by_beta2_late():
    run = optimize(lambda p: torch.optim.Adam(p, lr=0.3), LOSS, START_T, 4_000)
    first, last = L05_ADAM_FROZEN
    assert (np.diff(run.path[first:last + 1], axis=0) == 0).all()  # θ frozen through the window
    assert np.abs(run.log["grads"][first:last]).max() < 1e-15  # the gradient there is rounding noise
    v_hat = running_mean_square(run.log["grads"][:-1], 0.999)
    shrink = v_hat[1:] / v_hat[:-1]
    v = running_mean_square(run.log["grads"][:-1], 0.999, bias_corrected=False)
    assert (v[1:] / v[:-1] >= 0.999 - 1e-12).all()  # v never shrinks faster than β₂
    sharp = 0.3 * preconditioned_sharpness(H, 1 / (np.sqrt(v_hat) + 1e-8))
    got = (f"{shrink.min():.2f}", int(shrink.min(axis=1).argmin()) + 2, f"{shrink[998:].min():.4f}",
           f"{sharp.max():.1f}")
    assert got == L05_VHAT_SHRINK


def test_race_ranked_by_evaluations_raw_and_standardized():
    results = race(X, Y, DEFAULT_LRS, steps=500)
    assert {n: results[n].settles_within(FINISH_TOL) for n in L05_RACE_500} == L05_RACE_500
    assert all(results[n].settles_within(FINISH_TOL) is None for n in ("SGD", "RMSprop", "AdamW"))
    gaps = results["AdamW"].gaps
    assert (f"{gaps.min():.1e}", int(gaps.argmin()), f"{gaps[-1]:.1e}") == L05_RACE_ADAMW
    adamw = Racecourse(X, Y).run("AdamW", DEFAULT_LRS["AdamW"], 4_000).gaps
    assert adamw[500] > adamw[2000] > adamw[4000]  # "still approaching L*" after 500 evaluations
    xs = standardize(X)[0]
    std = race(xs, Y, {"SGD": 0.4, "Adam": 0.1, "LBFGS": 1.0}, steps=500)
    assert {n: r.settles_within(FINISH_TOL) for n, r in std.items()} == L05_RACE_STANDARDIZED
