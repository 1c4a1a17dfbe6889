"""The numbers the lessons' prose states, in one place: tests import them from here.

A lesson that prints "22,286 steps" has a test that recomputes the number and compares it with
the constant below, so the prose, the notebook's output and the tests cannot drift apart.
One section per lesson; add to your lesson's section, never duplicate a number elsewhere.
A number that only a long run of a lesson's cell produces is checked against that cell's stored
output (:func:`stored_text`) instead of rerunning it: nbval compares the output with a fresh run.
"""

from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def stored_text(notebook: str, code: str) -> str:
    """The stored text output (stdout) of the one code cell of ``notebook`` whose source holds ``code``."""
    cells = [c for c in nbformat.read(NOTEBOOKS / notebook, as_version=4).cells
             if c.cell_type == "code" and code in c.source]
    if len(cells) != 1:
        raise ValueError(f"{len(cells)} code cells of {notebook} hold {code!r}; expected one")
    return "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream")

# --- lesson 00 · start here (refreshers 3 and 4) ----------------------------------------------------
L00_COMPLEX_EIGENVALUES = ("0.7500", "0.4873", "0.8944")  # M = [[1.5, -0.8], [1, 0]]: re, ±im, |λ| = √0.8
L00_SPIRAL_SHRINK = "0.895"  # measured (|z_60| / |z_0|)^(1/60) from z_0 = (1, 0)
# 200,000 normal draws, torch.Generator seeded 0, C = [[2, 0.6], [0.6, 0.5]]
L00_COV_ESTIMATE = ("1.989", "0.598", "0.499")
L00_COV_OF_MEANS_TIMES_8 = ("1.979", "0.600", "0.500")  # averages of B = 8 draws, × 8
L00_QUADRATIC_MEAN = ("12.56", "12.60")  # mean of dᵀHd over the draws, tr(HC)

# --- lesson 01 · first vs second order -------------------------------------------------------
# The seed's 15 points, float64, tolerance 1e-6 on L − L*; GD at the tutorial's lr = 1e-3 from (0, 0).
L01_OPTIMUM = ("0.272548", "0.624727")  # (w*, b*)
L01_LOSSES = ("5.9437", "0.1512", "5.7925")  # L0 at (0, 0), L*, and the gap L0 − L*
L01_GD_STEPS_FROM_ZERO = 22_286  # measured by torch.optim.SGD, and exact by the closed form
# Newton at step 1: λmin, λmax, the step along v_min, the step's length
L01_NEWTON_LONG_STEP = ("0.343", "1306.9", "+4.951", "4.95")
L01_COND = (64, 3_805, 2_508)  # cond(H) at the start, at step 1, at steps 5 and 6
L01_LINE_SEARCH_LR = "0.011100"  # Exercise 1.1: η* = gᵀg / gᵀHg at (0, 0)
L01_DAMPED_NEWTON_STEPS = 12  # Exercise 1.2: α = 0.5, gap 5.7925 · 0.25^k ≤ 1e-6
# Rosenbrock from (-1.2, 1), stop within 1e-6 of (1, 1).
L01_NEWTON_STEPS = 6
L01_ROSENBROCK_GD_STEPS = 34_374  # GD at lr = 1e-3
L01_ROSENBROCK_GD_BUDGET = 1_000  # "still more than 1 away after 1,000 steps"
L01_ROSENBROCK_LARGEST_LR = 0.00199  # Exercise 1.3: below 2/λmax at (1, 1) = 0.001997
L01_ROSENBROCK_START_CURVATURE = ("1506.4", "0.00133")  # λmax at (-1.2, 1) and 2/λmax
L01_ROSENBROCK_GD_AFTER_BUDGET = "1.120"  # GD's distance to (1, 1) after 1,000 steps
L01_NEWTON_STEP_2 = ("0.763", "-3.175", "1412")  # where step 2 lands, and f there
L01_NEWTON_VALUES = ("24.2", "0.056", "0.313")  # f at the start, after steps 3 and 4
L01_NEWTON_DISTANCES = ("5.6e-02", "9.6e-06", "1.9e-11")  # after steps 4, 5, 6
L01_NEWTON_DIGITS = ("1.3", "5.0", "10.7")  # correct digits −log10(distance) at steps 4, 5, 6
# Gradient check on Rosenbrock at (−1.2, 1), float64, central differences vs autograd.
L01_GRADCHECK_GRADIENT = ("-215.600000", "-88.000000")
L01_GRADCHECK_DIFF_AT_1E6 = "2.2e-08"  # largest |central difference − autograd| at h = 1e-6
L01_GRADCHECK_HESSIAN_DIFF = ("4.7e-08", "1330")  # at h = 1e-5, and the largest Hessian entry
L01_GRADCHECK_SLOPES = ("2.00", "-1.00")  # fitted log-log slopes: h ≥ 1e-4, h ≤ 1e-8 (49 h's, 1e-13 to 1e-1)
L01_GRADCHECK_BEST = ("5.7e-09", "1.8e-06", "6.1e-06")  # smallest error, its h, and ε^(1/3)
# (3ε|f| / 2|∂³f/∂a³|)^(1/3), f and ∂³f/∂a³ at the start, and the grid h nearest to it
L01_GRADCHECK_PREDICTED_H = ("1.4e-06", "24.2", "-2880", "1.8e-06")

# --- lesson 02 · gradient descent live ----------------------------------------------------------
# The seed's 15 points in float64; "reach" = L − L* ≤ 1e-6. Printed digits as the lesson prints them.
L02_AFTER_100_STEPS = ("0.351891", "0.063543")  # (w, b) after 100 steps at lr = 1e-3 from (0, 0)
L02_HESSIAN = ("88.3320", "12.4597", "2.0000")  # H11, H12, H22
L02_EIGENVALUES = ("0.2377", "90.0943")
L02_KAPPA = "379.0"
L02_CRITICAL_LR = "0.02220"  # 2/λmax; the seed's lr is "0.045" of it
L02_RATE_AT_1E3 = ("0.9099", "0.999762")  # steep factor, flat factor ρ
L02_GAP0, L02_FLAT_SHARE0 = "5.7925", "0.04004"  # from (0, 0); 5 digits: exercise 2.1 hinges on the 4th
L02_GUARANTEE_STEPS = 32_747
L02_STEPS_AT_TOL_1E3 = 7_760  # flat share alone to ≤ 1e-3 at lr = 1e-3 from (0, 0) (exact count: the same)
L02_STEPS_FROM_ZERO = L01_GD_STEPS_FROM_ZERO  # flat share predicts it, torch.optim.SGD measures it
L02_STEPS_FROM_LINEAR_START = 11_820
L02_FLAT_SHARES = ("0.04004", "0.00028")  # (0, 0), nn.Linear's start; ratio "145"
L02_EXCESS_EPOCHS = ("4.5", "8.5")  # 100,000 / the two step counts
L02_GAP_AFTER_100K = "8.9e-23"  # exact; below float64's "3e-17" resolution of L* = "0.151"
# Section 4, measured over 2,000 steps at ηλmax = 0.8, 1.8, 2.05.
L02_OSCILLATION_GAPS = ("8.54e-06", "2.15e-10", "3.29e+85")
L02_FLAT_FACTORS = ("0.99789", "0.99525", "0.99459")
L02_ZIGZAG_ADVANTAGE = 39_800
# The static grid's readouts (closed form, 1,000 steps).
L02_PREDICTED_AT_OPTIMAL_LR = 1_475  # ceil of the flat/steep shares' bound at 2/(λmin+λmax)
L02_DIVERGED_AT = 73  # 1.05 × 2/λmax: the loss passed 1e6 × its start
# Section 5: measured steps at η/(2/λmax) = 0.5, 0.8, 0.9, 0.95, 0.99 and at 2/(λmin+λmax).
L02_WORST_CASE_FACTOR = "0.99474"  # (κ−1)/(κ+1); the steep share from (0, 0) is "5.7525"
L02_SWEEP_STEPS = (2_006, 1_253, 1_113, 1_055, 1_012)
L02_STEPS_AT_OPTIMAL_LR = 1_476
L02_OPTIMAL_OVER_CRITICAL = "0.997"  # 2/(λmin+λmax) ÷ 2/λmax: why the widget's bar shows no optimal tick
L02_FACTORS_AT_095 = ("0.99499", "-0.900")  # flat and steep 1 − ηλ at 0.95 × 2/λmax
L02_STANDARDIZED_STEPS = (35, 9, 1)  # lr = 0.1, 0.3, 0.5 on standardized x
# Exercises (seed's points, tolerance 1e-6 on L − L*).
L02_STEPS_AT_LR_0_01 = 2_227  # 2.1: lr = 0.01 from (0, 0), measured by torch.optim.SGD
L02_CENTRED_CRITICAL_LR = 0.18675  # 2.2: 1/var(x) after centring x
L02_LINEAR_START = ("-0.0075", "0.5364")  # nn.Linear(1, 1) after torch.manual_seed(0)
L02_FEWEST_FROM_LINEAR_START = (537, "0.989")  # 2.3: (steps, lr / (2/λmax)) at the best lr
# Section 3, one draw of many: 2,000 nn.Linear(1, 1) starts after manual_seed(0), lr = 1e-3, steps to
# L − L* ≤ 1e-6, measured by batched GD in torch (and equal to the closed form's for all of them).
L02_DRAWS = 2_000
L02_DRAW_QUANTILES = ("12,051", "22,338", "26,228")  # 5 %, median, 95 % (np.percentile, linear)
L02_DRAW_SEED_SHARE = "4.8%"  # of the starts need as few as the seed's 11,820
L02_DRAW_SLOWEST = 26_811  # the most any start needs; 100,000 epochs are "3.7"× that
L02_FASTEST_SLIDER_LR = 0.02188  # 2.3: the slider's best value (10^-1.66) within 10 % of the fewest

# --- lesson 03 · the torch.optim API -------------------------------------------------------------
L03_KAPPA_RAW, L03_KAPPA_DIAGONAL = 379.0, 31.0  # κ(H) and κ(D^-1/2 H D^-1/2), 1 decimal
L03_ONECYCLE_MOMENTUM = (0.95, 0.85)  # OneCycleLR's default max and base momentum, cycled into SGD
L03_RESCUE_GAPS = (8.881e-04, 8.963e-04)  # 400 steps: LambdaLR rescue vs constant 0.9·2/λmax
L03_RESCUE_GROWTH = 1.6  # |1 − 1.3·2/λmax · λmax|: the steep direction's growth per step
L03_PLATEAU_FIRST_CUT = 35  # ReduceLROnPlateau(patience 5, threshold 1 %): the first step with a halved lr
L03_LR_AT_50 = {"ReduceLROnPlateau": "0.0025", "ExponentialLR": "0.0044"}  # Plateau's lr is lower at step 50
# one LBFGS step() from nn.Linear's seed-0 start: (iterations, closure calls), per line_search_fn
L03_LBFGS_CALLS = {None: (4, 5), "strong_wolfe": (3, 7)}
L03_FINAL_GAPS = {"constant": 1.558e-02, "StepLR": 2.403e-02, "ExponentialLR": 2.961e-02,  # L − L* at
                  "CosineAnnealingLR": 2.475e-02, "OneCycleLR": 2.485e-02,  # step 99 from η0 = 0.02
                  "ReduceLROnPlateau": 2.696e-02}
# Σηₖ over the 99 steps of each schedule (2 decimals): the final gaps come in this order
L03_LR_SUMS = {"constant": "1.98", "StepLR": "1.07", "CosineAnnealingLR": "1.01", "OneCycleLR": "1.00",
               "ReduceLROnPlateau": "0.83", "ExponentialLR": "0.63"}
# SGD steps from nn.Linear's seed-0 start until L − L* ≤ 1e-6: per-parameter lrs c/H_ii with
# c = 2/(λmin+λmax) of D^-1/2 H D^-1/2, one lr 0.01, one lr 2/(λmin+λmax) of H
L03_STEPS_TO_1E6 = {"per-parameter": 118, "0.01": 1181, "2/(λmin+λmax)": 1435}
L03_OFF_DIAGONAL_R = "0.937"  # r = x̄/√(mean x²), D^-1/2 H D^-1/2 = [[1, r], [r, 1]]; (1+r)/(1−r) = 31.0
L03_NO_ZERO_GRAD_SWING = ("0.15", "5.03")  # skip zero_grad: min and max loss after steps 201–300 (lr 0.01)
# warm-up: L − L* at step 99 for η = 0.02 without and with it; from 1.3·2/λmax the step where a constant lr,
# warm-up → constant and cosine alone diverge; L − L* at step 99 of warm-up → cosine (it survives)
L03_WARMUP = ("1.558e-02", "1.634e-02", 15, 42, 16, "1.998e-02")
L03_WARMUP_COSINE_PEAK = ("0.19", "91.83")  # warm-up → cosine from 1.3·2/λmax: loss at step 10, highest after
# the lr where the range test turned up, and it / 2/λmax: raw x, then standardized x
L03_RANGE_TURN = ("0.1259", "5.7", "5.9566", "6.0")
L03_RANGE_PICK = ("0.0126", "0.5957")  # a tenth of the turn: raw (0.57 × 2/λmax), standardized (0.60 ×)
L03_STANDARDIZED_EDGE = 1.0  # Exercise 3.1: 2/λmax with H = 2·I

# --- lesson 04 · momentum ------------------------------------------------------------------------
L04_LAMBDAS = (0.238, 90.1)  # λmin, λmax of the raw seed's Hessian (3 significant digits)
# GD's best rate (κ−1)/(κ+1) (torch measures it) and momentum's (√κ−1)/(√κ+1), predicted
L04_RATES = (0.9947, 0.9023)
L04_BALL_MEASURED_RATE = "0.9085"  # torch at (η*, β*) from (0, 0), steps 100→200: critical damping's factor k
# steps to shrink the error 10⁶× from the rate alone: GD at 2/(λmin+λmax), momentum (η*, β*)
L04_STEPS_1E6 = (2618, 134)
# the same measured in torch from (0, 0); the speed-ups from the rates alone and measured
L04_STEPS_1E6_MEASURED = (2618, 186, "19.5", "14.1")
# Momentum's first steps at (η*, β*) from (0, 0), torch: ‖θ_k − θ*‖ grows (factor, step), the steep
# direction's |c_k| grows (factor, step); its double root −√β*
L04_OVERSHOOT = ("3.8", 9, "7.2", 9, "-0.902")
# the damping figure's R in ±R·ρ^k, β = 0.64: overdamped (ηλ = 0.01), underdamped (ηλ = 1)
L04_ENVELOPE_R = ("1.12", "1.09")
# Nesterov's edge (2+2β)/(1+2β) at β = 0.9; torch from START: 0.99× converges?, 1.01× diverges at step
L04_NESTEROV_EDGE = ("1.357", True, 234)
L04_WINDOW09_WIDTH = ("1442", "379", "0.07%")  # band width (1+√β)²/(1−√β)², κ; edge 3.8 above the band's top
# GD at η = 0.02, the slow direction over 600 steps: its error ÷ρ^600, its loss share ÷ρ^1200
L04_GD_SLOW_FALL = ("17.5", "305")
# Polyak's pair as Exercise 4.3 quotes it, and its steep dot's ηλmax / (2 + 2β*) (0.26 % below the edge)
L04_POLYAK_PAIR = ("0.0401654", "0.814111", "0.9974", "0.26%")
L04_BETA09_BAND = (0.0026, 3.80)  # (1 ∓ √0.9)²: every ηλ inside shrinks at √0.9 per step
L04_BETA09_MEASURED = (0.9484, (128, 151), (111, 151))  # η=0.02, β=0.9: torch rate; steps per direction
L04_POLYAK_SETTLE, L04_BEAT_SETTLE = 132, 95  # torch steps to stay within 1e-6 from START
# The damping figure, β = 0.64: roots at ηλ = 0.01 (overdamped), the double root at 0.04,
# the complex pair at 1.0
L04_DAMPING_ROOTS = ((0.97, 0.66), 0.8, (0.32, 0.73))
# β = 0.9 at 0.99 and 1.01 × its edge 3.8/λmax, torch from START: (converged?, step it diverged at)
L04_EDGE09 = (True, 35)
# β = 0.9 window on the seed: (η low, η high, factor), band top; torch rates (steps 200→400)
# at η = 0.005, 0.02, 0.042, and the step η = 0.0425 diverged at
L04_WINDOW09 = ("0.0111", "0.0421", "3.8", "3.797")
L04_WINDOW09_RATES = ("0.986", "0.948", "0.946", 40)
# Ten eigen-directions, λ from 0.1 to 10 (κ = 100), torch from 0, steps to shrink each |c| 10⁶×:
# GD at 2/(λmin+λmax) (the ends), Polyak heavy ball (inner eight min/max, the two ends),
# the rate-only estimate, GD's and momentum's rates
L04_SPECTRUM = (691, (65, 70), (83, 95), "68.8", "0.980", "0.818")
L04_POLYAK_PATH_W = ("-3.0", "3.1")  # Polyak's path from START, 600 steps: w's range in the static grid

# --- lesson 05 · adaptive methods and quasi-Newton -----------------------------------------------
# Raw seed data, float64, from START = (-0.5, 3.0); runs are torch.optim unless named otherwise.
L05_ADAM_KAPPA = (61.9, 67.7, 70.7)  # κ(P^1/2 H P^1/2) of Adam's P (lr 0.1) at steps 1, 10, 300
L05_BIAS_RATIOS = (3.16, 6.53)  # uncorrected / corrected Adam step at t = 1 and t = 10
# SGD(momentum=0.9, dampening=0.9) at ηλmax = 0.97 and 1.03 × 38: (gap after 300 steps, step it diverged at)
L05_EMA_EDGE_RUNS = ("2e-10", 10)
# Adam lr 0.3, 4,000 steps: η λmax(P^1/2 H P^1/2) above 2 from this step (the gap then; from step 1,000
# until 38 the gap stays below 1e-25, rounding level, whose exact values vary between machines);
# above 38 from this step; the gap above 1e-20 from this step, its peak within 300 steps, and the
# sharpness's lowest value in those 300 steps
L05_ADAM_SPIKE = (22, "7.9e-01", 2_258, 2_312, "4.6e-01", "29")
# the same run: θ unchanged at every step of this window (its exact ends, ~750 and ~1,555, depend on
# rounding and vary between processes); v̂_t/v̂_(t−1) smallest (and its t), smallest from t = 1,000 on
# (β₂ = 0.999: v̂ shrinks faster than β₂ only while the bias correction acts); the sharpness's highest value
L05_ADAM_FROZEN = (800, 1_500)
L05_VHAT_SHRINK = ("0.51", 2, "0.9984", "40.3")
# Adam lr 0.1, 5,000 steps: above 38 from this step, the gap above 1e-20 from this step, its peak after
L05_ADAM_SPIKE_LR01 = (4_307, 4_365, "5.0e-02")
# the race's simulator, Adam lr 0.1: ∇L exactly [0, 0] at every step from this one on (it starts at ~760
# or ~1,160, depending on rounding that varies between processes); |m| at step 20,000
L05_SIMULATOR_FROZEN = (2_000, 2.5e-323)
# RMSprop lr 0.01, steps 2,000-2,500: median η λmax(P^1/2 H P^1/2); the steps' size; the gap of the cycle
L05_RMSPROP_CYCLE = ("2.000", "0.0100", "1.44e-03")
# λ = 0.1, lr 0.01, from θ*, 1,000 steps: % of the way from θ* to the L2-penalised minimiser
L05_DECAY_SHARES = {"full batch": {"Adam": 0, "Adam + L2": 100, "AdamW": 1},
                    "batches of 3": {"Adam": 1, "Adam + L2": 100, "AdamW": 36}}
L05_LBFGS_OFF = (1.0, 4.8e-03, 1.9e-05)  # ‖H_k − H⁻¹‖/‖H⁻¹‖ at steps 3, 4, 5 (2, 3, 4 pairs)
L05_LBFGS_GAP_FACTORS = ("3e+03", "3e+04", "1e+06")  # the gap's fall at steps 4, 5, 6 (hand-written L-BFGS)
# after step 6: ‖H_k y − s‖/‖s‖ of the four older pairs, oldest first (the newest holds to rounding)
L05_LBFGS_SECANT_OLDER = ("2e-02", "2e-02", "4e-03", "4e-03")
L05_JACOBI_R = "0.937"  # r = H₁₂/√(H₁₁H₂₂): D^-1/2 H D^-1/2 = [[1, r], [r, 1]], κ = (1 + r)/(1 − r) = 31
# one step() of torch.optim.LBFGS (defaults): (iterations, closure calls, times θ changed between calls:
# the steps without line search, the trial points with it); the gap after without line search (with
# strong_wolfe it ends at rounding level, below 1e-25)
L05_LBFGS_CALLS = {None: (7, 7, 6), "strong_wolfe": (3, 7, 6)}
L05_LBFGS_GAP_NO_SEARCH = "8e-15"
# torch's defaults the lesson states (torch/optim/*.py): Adagrad's ε, RMSprop's and Adam's ε; LBFGS's
# max_iter, max_eval, tolerance_grad, tolerance_change
L05_TORCH_EPS = {"Adagrad": 1e-10, "RMSprop": 1e-8, "Adam": 1e-8}
L05_LBFGS_DEFAULTS = {"max_iter": 20, "max_eval": 25, "tolerance_grad": 1e-7, "tolerance_change": 1e-9,
                      "line_search_fn": None}
# The race: gradient evaluations to stay within 1e-8 (one per step), raw x and standardized x
L05_RACE_500 = {"LBFGS": 5, "SGD + momentum": 201, "Adam": 248, "Nesterov": 283, "Adagrad": 493}
L05_RACE_ADAMW = ("1.2e-06", 192, "5.1e-06")  # AdamW (λ_wd = 0.01): lowest gap, its step; gap at step 500
L05_RACE_STANDARDIZED = {"LBFGS": 2, "SGD": 6, "Adam": 173}

# --- lesson 06 · the regression workflow ---------------------------------------------------------
# The tutorial's real float32 run (nn.Linear seeded 0, SGD lr=1e-3), recorded for 20,000 epochs;
# epoch k evaluates the parameters left by k − 1 steps. Where each stopping rule fires:
L06_RECORDED_EPOCHS = 20_000
L06_FIRST_WITHIN_1E6 = 11_824  # the truth (needs the optimum)
L06_CERTIFICATE_1E6 = 11_824  # ‖∇L‖²/(2λmin) ≤ 1e-6
L06_CERTIFICATE_1E7 = 16_679  # Exercise 6.3's answer
L06_RELATIVE_CHANGE_1 = (90, "2.6e-04")  # (epoch, gap then) for rtol 1e-6 over 1 epoch
L06_RELATIVE_CHANGE_200 = (10_199, "2.2e-06")  # ... over 200 epochs
L06_PATIENCE_1000 = (11_578, "1.1e-06")  # min_delta 1e-6, patience 1,000
L06_LOG_SETTLES = (17_000, "8.6e-08")  # the 6-decimal log, printed every 200 epochs
L06_SAFE_RTOL = 5e-8  # Exercise 6.4: largest safe rtol of the 200-epoch rule
L06_CERTIFICATE_OVERSHOOT = ("379", "1.0001")  # certificate / true gap at epoch 1 and at 11,824
# Train/validation split of the 15 points (3 held out, seed 0), then over seeds 0-999:
L06_SPLIT_MSES = ("0.090", "0.399")  # (training MSE, validation MSE)
# share of splits with val < train; 5 % and 95 % quantiles of val/train; share of splits worse than ours
L06_SPLIT_SPREAD = ("49%", "0.12", "4.44", "5.2%")  # ties (the same 3 points again) not counted
# Early stopping on that split's validation MSE: the float32 loop on the 12 training points standardized
# by their own mean and std (seeded 0, SGD lr = 0.1), min_delta 1e-6, patience 200, best state_dict restored:
# (last epoch run, best epoch, best validation MSE, the restored line's training MSE)
L06_VALIDATION_EARLY_STOP = (212, 12, "0.387", "0.109")
# The race to within 1e-6, ranked by loss/gradient evaluations: (method, step() calls, evaluations).
L06_RACE = [
    ("sgd-0.5-standardized", 1, 1),
    ("lbfgs-raw", 1, 8),
    ("sgd-0.1-standardized", 34, 34),
    ("adam-0.05-raw", 216, 216),
    ("sgd-2/(λmin+λmax)-raw", 1_435, 1_435),
    ("sgd-1e-3-raw (the tutorial)", 11_823, 11_823),
]

# --- lesson 07 · stochastic gradients ------------------------------------------------------------
# 10,000 points (make_regression seed 0), x standardized, SGD lr = 0.1, simulate_sgd from the optimum.
L07_FLOOR_SETTINGS = {20: (8, 6, 1), 200: (40, 11, 1), 2_000: (100, 12, 2)}  # B: (replicas, epochs, skipped)
L07_FLOOR_SEED = 1
# measured floor / sgd_noise_floor, as printed: (B, with replacement?) → ratio
L07_FLOOR_RATIOS = {(20, True): "1.00", (20, False): "0.98", (200, True): "1.01",
                    (200, False): "0.85", (2_000, True): "1.02", (2_000, False): "0.35"}
# B = 20, 30 shuffled epochs from (0, 0), 8 replicas, seed 3: the gap averaged over epoch 30
L07_SCHEDULE_EPOCH30 = {"constant": "2.9e-03", "step": "4.9e-05", "1/t": "5.2e-05"}
L07_SCHEDULE_RATIOS = {"step": "59", "1/t": "55"}  # constant lr's epoch-30 gap / the schedule's
# B = 20 → 200 with replacement, seed 2: the floor for (B, lr), as printed
L07_SCALING_FLOORS = {(20, 0.01): "2.62e-04", (200, 0.01): "2.54e-05", (200, 0.0316): "8.01e-05",
                      (200, 0.1): "2.76e-04"}
# torch.optim.SGD(momentum=0.9), B = 200 with replacement, 64 runs, 400 steps (100 skipped),
# seed 4: lr → floor
L07_MOMENTUM_FLOORS = {0.01: "2.59e-04", 0.1: "2.70e-03"}  # 0.9 and 9.3 × plain SGD's at lr = 0.1
L07_BEST_HALVING_PERIOD = 2  # Exercise 7.3, of (1, 2, 5, 10) epochs
# Iterate averaging (AveragedModel), B = 20, lr = 0.1, averaged from epoch 2 on.
# The real float32 loop, seeded 0, batches with replacement (make_loader seed = epoch), 5 epochs:
L07_AVERAGED_ONE_RUN = ("1.2e-03", "9.3e-06", "2.9e-03")  # (last iterate, averaged, floor formula)
# 8 replicas from (0, 0), seed 3: (mean gap over epoch 5, epoch 30); averaged: at the epoch's end
L07_AVERAGED_TABLE = {"shuffled, averaged": ("1.0e-07", "1.4e-08"),
                      "replacement, last": ("2.8e-03", "2.8e-03"),
                      "replacement, averaged": ("2.2e-05", "8.8e-07")}
# 200 replicas from the optimum, with replacement, seed 5: (gap of the average) × N / floor formula at
# epochs 2–6 (N = 500 … 2,500 iterates averaged); the integrated autocorrelation time (2 − ηλ)/(ηλ) is 9
L07_AVERAGING_PIECES = ("9.1", "9.5", "9.7", "9.0", "8.8")

# --- lesson 08 · beyond the quadratic ------------------------------------------------------------
# Two-weight model v·tanh(w·x) on make_tanh_data(): stationary points and Newton from (0.4, 0.1).
L08_SADDLE_EIGENVALUE = 1.953                  # ±2·mean(x·y) at (0, 0)
L08_MINIMUM = (1.212, 1.520)                   # and its mirror image (−w, −v)
L08_MINIMUM_EIGENVALUES = (0.067, 1.232)
L08_NEWTON_START_LAMBDA_MIN = -1.224           # λmin at the lesson's start (0.4, 0.1)
L08_PLAIN_NEWTON_LOSSES = (1.067, 1.123, 1.138)  # uphill onto the saddle
# Steps until the loss is halfway from the saddle to the minimum, from (ε, 0), ε = 1e-2 … 1e-8, lr 0.1.
L08_PLATEAU_GD = (30, 55, 81, 107)
L08_PLATEAU_MOMENTUM = (14, 25, 37, 48)
L08_PLATEAU_ADAM = (8, 8, 8, 9)
# The 1 → 32 → 1 tanh network on make_wave(): sharpness during 2,000 steps of full-batch GD.
L08_SHARPNESS_START = 16.75
L08_SHARPNESS_MAX_LR005 = 25.4                 # still rising, never near 2/η = 40
L08_HOVER_MEDIAN = {0.10: 1.00, 0.15: 1.01}    # median sharpness from step 500 on, in units of 2/η
L08_STABLE_FACTORS = (1.1, 1.3)                # × 2/λmax at the start: no divergence in 500 steps
L08_DIVERGED_FACTORS = {1.4: 15, 1.5: 13}      # diverged, at this step
# η = 0.10: first measured above 2/η at step 200, loss first rose after step 459, peak 4.38,
# loss rose on 91 of the 2,000 steps. These runs are chaotic: the last bits of a sum depend on memory
# alignment, so a run in another process (or after other cells) can differ; hence stored output only.
L08_EDGE_LR010 = (200, 459, 4.38, 91)
L08_RISES_LR015 = 600                          # η = 0.15: steps (of 2,000) on which the loss rose
L08_FINAL_LOSSES = {0.05: 0.036, 0.10: 0.018, 0.15: 0.073}
L08_BEST_LR015 = (0.041, 1236)                 # η = 0.15: best loss, at this step (it ends higher)
L08_PEAK_LR015 = (6.25, 3)                     # η = 0.15: the first spike, at this step
# To a training loss of 3e-3: (outer steps, gradients, HVPs), as the lesson printed them (stored output).
L08_NEWTON_CG_WORK = (14, 14, 101)
L08_LBFGS_GRADIENTS = 96
L08_ADAM_GRADIENTS = 615
# Newton's slope ∇Lᵀδ = −Σ(uᵢᵀg)²/λᵢ at (0.4, 0.1): the terms −(uᵢᵀg)²/λᵢ (λ < 0 first) and their sum
L08_NEWTON_SLOPE_TERMS = ("+0.2866", "-0.0949", "+0.1917")
L08_EXERCISE_SLOPE = "-0.5896"                 # Exercise 8.3 at (−0.2, 0.8): λmin < 0, yet downhill
L08_CG_EXERCISE_STEPS = 3                      # Exercise 8.1: eigenvalues 1, 1, 1, 4, 4, 9
# Conjugate gradient on the seed's 2 × 2 quadratic from (0, 0), run in torch (cg_direction):
L08_CG_STEPS = 2                               # = d
L08_CG_GAP_AFTER_1 = "3.98e-02"                # L − L* after CG's first step (the best gradient step)
L08_CG_GD_STEPS = L02_SWEEP_STEPS[2]            # torch.optim.SGD at 0.9 × 2/λmax to L − L* ≤ 1e-6
# Levenberg–Marquardt (JᵀJ + μI) vs Hessian modification (H + μI) vs GD (η = 1.5) from (0.4, 0.1):
# steps to within 1e-6 of the minimum (1.212, 1.520)
L08_STEPS_TO_MINIMUM = {"Levenberg–Marquardt": 6, "damped Newton": 10, "GD": 117}
# Review fixes (CG vs steepest descent with exact line search, power iteration, spikes past the edge):
# seed's 2 × 2 from (0, 0): steepest descent with exact line search, steps to L − L* ≤ 1e-6
L08_SD_EXACT_STEPS = 4
L08_CG_BETA0 = "1.8e-05"                       # CG's β₀ there: d₁ is nearly the plain gradient
L08_CG_ANGLE = "89.76"                         # degrees between d₀ and d₁
L08_CG_VS_SD_6X6 = (6, 90)                     # spd_problem([1, 2, 4, 8, 16, 32], seed=11): CG exact after 6;
                                               # steepest descent (exact) cuts L − L* by 1e6 after 90 steps
L08_LAMBDA_MIN_START = -2.961                  # the network's λmin at the start (λmax = 16.751 dominates)
# 500 steps of GD at f × 2/λmax that did not diverge: f → (peak loss, its step, final loss)
L08_SPIKES = {0.9: (2.79, 263, 0.056), 1.1: (2.14, 3, 0.067), 1.3: (12.20, 8, 0.069)}
L08_DAMPING_TRIALS = {"Levenberg–Marquardt": 6, "damped Newton": 14}   # μ values tried in those steps
