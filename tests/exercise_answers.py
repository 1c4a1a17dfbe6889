"""Every exercise's recorded typical mistake, and what no message or hint of it may contain.

For each exercise (by number): ``mistake``, the source of an answer cell as a student might
write it (self-contained: it runs in an empty namespace), and ``diagnosis``, words its check must
say; ``reference``, the answer and the formulas that give it, none of which may appear in a
failure message or a hint rung (numbers are matched as whole numbers: "12" does not match 1.2).
Used by ``tests/test_exercise_hints.py`` (in this process) and by the hidden-style check of the
student copies in a real kernel (``tests/test_hidden_checks.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from linreg_utils.exercises import ExerciseFailed, ExerciseNotDone
from linreg_utils.exercises.framework import FIRST_LINE


@dataclass(frozen=True)
class Recorded:
    mistake: str
    diagnosis: str
    reference: tuple[str, ...]


SEED_GRADIENT = """import torch
from linreg_utils import mse_hessian, seed_data
from linreg_utils.theory import mse_gradient
x64, y64 = (t.double() for t in seed_data())
g, hess = mse_gradient(x64, y64, torch.zeros(2, dtype=torch.float64)), mse_hessian(x64)
"""

ANSWERS: dict[str, Recorded] = {
    "1.1": Recorded(SEED_GRADIENT + "eta_star = (2 * g @ g / (g @ hess @ g)).item()   # forgot the ½",
                    "twice the best step",
                    ("0.0111", "0.01110", "1.11e-02", "gᵀg / gᵀHg", "gᵀg/gᵀHg", "g @ g /", "g @ hess @ g")),
    "1.2": Recorded("import math\n"
                    "prediction = math.ceil(math.log(1e-6 / 5.7925) / math.log(0.5))   # ρ, not ρ²",
                    "you shrank the gap by ρ = 1 − α per step",
                    ("12", "0.25", "(1 - 0.5) ** 2", "(1 − α)²", "log(1e-6 / (loss0")),
    "1.3": Recorded("largest_lr = 0.0021", "GD does not settle",
                    ("0.00199", "0.001997", "1.99e-03", "2/λmax at the minimum")),
    "2.1": Recorded("import math\nfrom linreg_utils import eigen_errors, gap_shares, seed_data\n"
                    "lam, c0 = eigen_errors(*seed_data())\n"
                    "flat, rho = gap_shares(lam, c0)[0], 1 - 0.01 * lam[0]\n"
                    "prediction = math.ceil(math.log(1e-6 / flat) / math.log(rho))   # ρ, not ρ²",
                    "you shrank the gap by ρ per step",
                    ("2,227", "2227", "math.log(rho**2)", "ρ^(2k)", "log(rho ** 2)")),
    "2.2": Recorded("import torch\nfrom linreg_utils import seed_data\nx64 = seed_data()[0].double()\n"
                    "critical_centred = 2 / (x64 - x64.mean()).pow(2).mean().item()   # the Hessian's 2 lost",
                    "the factor 2 of the Hessian is missing",
                    ("0.1867", "0.18675", "1/var(x)", "1 / var", "(x64 - x64.mean()).pow(2).mean()")),
    "2.3": Recorded("best_lr = 1e-3", "the flat direction still crawls", ("0.02188", "0.0219", "0.989")),
    "3.1": Recorded("standardized_edge = 2.0   # λmax = 1, the Hessian's 2 lost",
                    "the factor 2 of the Hessian is missing",
                    ("1.0", "1.000", "2 / 2", "2·I", "2 * I")),
    "3.2": Recorded("import torch\nfrom linreg_utils import mse_hessian, seed_data\n"
                    "h = mse_hessian(seed_data()[0])\n"
                    "d = torch.diag(h).sqrt()\neig = torch.linalg.eigvalsh(h / torch.outer(d, d))\n"
                    "critical_scale = 1 / eig[1].item()   # cλ < 1",
                    "GD converges beyond c·λ = 1", ("1.0323", "1.032", "2 / eig[1]", "2/eig[1]", "2/λmax(D")),
    "3.3": Recorded("picked_lr = 0.047   # the curve's lowest point",
                    "you picked the curve's lowest point; it diverges",
                    ("0.0053", "0.00531", "/ 10", "a tenth")),
    "4.1": Recorded("best_beta = (5 - 1) / (5 + 1)   # √β, not yet squared",
                    "that is the rate √β, not β",
                    ("0.444", "0.4444", "((√κ−1)/(√κ+1))²", "((√κ - 1)", "(4/6)**2")),
    "4.2": Recorded("import math\n\ndef momentum_roots(eta_lam, beta):\n    a = 1 + beta - eta_lam\n"
                    "    root = math.sqrt(a * a - 4 * beta)\n    return (a + root) / 2, (a - root) / 2",
                    "math.sqrt cannot take a negative number",
                    ("(a + root) / 2", "a * a - 4 * beta", "√(a² − 4β)", "a² − 4β")),
    "4.3": Recorded("my_lr, my_beta = 0.05, 0.5", "the steep direction diverges", ("0.038", "(0.038, 0.82)")),
    "4.4": Recorded("from linreg_utils import hessian_eigenvalues, seed_data\n"
                    "lam_max = hessian_eigenvalues(seed_data()[0])[1]\n"
                    "edge_lr = 2 / lam_max   # plain GD's edge",
                    "that is plain gradient descent's edge",
                    ("0.0333", "0.03330", "3 / lam_max", "3/λmax", "(2 + 2 * 0.5) / lam_max")),
    "4.5": Recorded('regimes = ("underdamped", "underdamped")   # momentum always oscillates',
                    "the slow direction does not oscillate here",
                    ("('overdamped', 'underdamped')", '("overdamped", "underdamped")')),
    "5.1": Recorded("from linreg_utils import hessian_eigenvalues, seed_data\n"
                    "lam_max = hessian_eigenvalues(seed_data()[0])[1]\n"
                    "ema_edge_lr = (2 + 2 * 0.8) / lam_max   # lesson 04's edge, as if the buffer summed",
                    "that is the edge of momentum that sums gradients",
                    ("0.1998", "0.19979", "0.200", "18 / lam_max", "18/λmax", "2(1 + β₁)/(1 − β₁)",
                     "2 * (1 + beta) / (1 - beta)", "(1 + 0.8) / (1 - 0.8)")),
    "5.2": Recorded("import numpy as np\nfrom linreg_utils import mse_hessian, seed_data\n"
                    "H = mse_hessian(seed_data()[0]).numpy()\n"
                    "d = np.array([0.004, 0.004])   # a whole step from θ*\n"
                    "rmsprop_gap = 0.5 * d @ H @ d",
                    "your points are a whole step from θ*",
                    ("2.305e-04", "2.3e-04", "2.31e-04", "0.00023", "/ 2  # each point", "η/2", "(0.004 / 2)",
                     "0.002, 0.002", "η²/8", "lr ** 2 / 8")),
    "5.3": Recorded("closure_calls = 2   # the race's L-BFGS finished after 2 evaluations",
                    "you left out the evaluation at the start",
                    ("3", "1 + 2", "2 + 1", "1/2", "0.5")),
    "6.1": Recorded("def predict(model, x):\n    return model(x.to(next(model.parameters()).device)).cpu()",
                    "your prediction requires grad", ("no_grad", "inference_mode", "model(x.to(device))")),
    "6.2": Recorded("def to_original_scale(w_z, b_z, mean, std):\n    return w_z / std, b_z",
                    "the slope is right but b is still b_z",
                    ("w_z / std", "w_z/std", "b_z - w_z * mean / std", "b_z − w_z·mean/std", "w_z·mean/std")),
    "6.3": Recorded("import math\n\ndef predict_epoch(epoch_at_1e6, lr, lam_min):\n"
                    "    return round(math.log(10) / (-2 * math.log(1 - lr * lam_min)))   # only the extra",
                    "that is how many more epochs are needed",
                    ("16,679", "16679", "16,666", "16666", "ln 10", "math.log(10)", "-2 * math.log")),
    "6.4": Recorded("def choose_rtol(log, gaps):\n    return 5e-08   # read off the lesson's run",
                    "right for the lesson's run, not for another", ("5e-08", "5e-8")),
    "7.1": Recorded("def predict_floor(floor_20):\n    return floor_20 * 3 * 20 / 50   # the lr ratio",
                    "you scaled by the lr ratio alone",
                    ("4.44e-03", "1.54", "(0.3 / (1 - 0.3))", "[lr'/(1 − lr')] / [lr/(1 − lr)]")),
    "7.2": Recorded("def lr_keeping_floor(lr, batch_size, new_batch_size):\n"
                    "    return lr * new_batch_size / batch_size   # linear scaling",
                    "that is the linear scaling rule", ("0.3448", "ratio / (1 + ratio)", "r/(1 + r)")),
    "7.3": Recorded("def best_period(x, y):\n    return 2   # what the lesson's data gave",
                    "right for one data set, not for another",
                    ("min(final", "every 2 epochs ends lowest", "every 5 epochs ends lowest")),
    "8.1": Recorded("cg_steps = 6   # one per row of H_ex", "the size of H, CG's guarantee",
                    ("3", "distinct eigenvalues", "number of different eigenvalues")),
    "8.2": Recorded("def dominant_eigenvalue(hv_fn, v0, iters):\n    v = v0 / v0.norm()\n"
                    "    for _ in range(iters):\n        hv = hv_fn(v)\n        v = hv / hv.norm()\n"
                    "    return hv_fn(v).norm().item()   # ‖Hv‖",
                    "you returned ‖Hv‖, which loses the sign",
                    ("v @ hv_fn(v)", "hv / hv.norm()", "3.7021", "vᵀHv with v normalized")),
    "8.3": Recorded("newton_slope = -0.5896   # from the eigen-decomposition\n"
                    "newton_goes_uphill = True   # λmin < 0", "a negative eigenvalue alone is not enough",
                    ("-0.5896", "0.5896", "(c**2 / lam).sum()", "Σ(uᵢᵀg)²/λᵢ")),
}


def leaks(exercise: str, text: str) -> list[str]:
    """The reference strings of ``exercise`` found in ``text`` (a number only as a whole number)."""
    found = []
    for ref in ANSWERS[exercise].reference:
        if re.fullmatch(r"[\d.,e+-]+", ref):
            hit = re.search(rf"(?<![\w.]){re.escape(ref)}(?![\w]|\.\d)", text)
        else:
            hit = ref in text
        if hit:
            found.append(ref)
    return found


def failure(check, *args) -> str:
    """Call ``check(*args)``, which must fail with a plain message (not "not done yet"): its first
    line names the exercise and fits ``nbgrader validate``'s width, and it gives away neither the
    answer nor its formula. Returns the message as IPython shows it."""
    with pytest.raises(ExerciseFailed) as info:
        check(*args)
    assert not isinstance(info.value, ExerciseNotDone), info.value
    lines = info.value._render_traceback_()
    assert lines[0].startswith(f"Exercise {check.exercise} is not right yet: "), lines[0]
    assert len(lines[0]) <= FIRST_LINE, f"first line too long for nbgrader validate: {lines[0]!r}"
    text = "\n".join(lines)
    found = leaks(check.exercise, text)
    assert not found, f"{check.exercise} gives away {found}: {text}"
    return text
