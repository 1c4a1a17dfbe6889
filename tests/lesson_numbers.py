"""The numbers the lessons' prose states, in one place: tests import them from here.

A lesson that prints "22,286 steps" has a test that recomputes the number and compares it with
the constant below, so the prose, the notebook's output and the tests cannot drift apart.
One section per lesson; add to your lesson's section, never duplicate a number elsewhere.
"""

# --- lesson 01 · first vs second order -------------------------------------------------------

# --- lesson 02 · gradient descent live ----------------------------------------------------------

# --- lesson 03 · the torch.optim API -------------------------------------------------------------

# --- lesson 04 · momentum and adaptive methods ---------------------------------------------------

# --- lesson 05 · the regression workflow --------------------------------------------------------

# --- lesson 06 · stochastic gradients ------------------------------------------------------------

# --- lesson 07 · beyond the quadratic ------------------------------------------------------------
# The tutorial's real float32 run (nn.Linear seeded 0, SGD lr=1e-3), recorded for 20,000 epochs;
# epoch k evaluates the parameters left by k − 1 steps. Where each stopping rule fires:
L05_RECORDED_EPOCHS = 20_000
L05_FIRST_WITHIN_1E6 = 11_824  # the truth (needs the optimum)
L05_CERTIFICATE_1E6 = 11_824  # ‖∇L‖²/(2λmin) ≤ 1e-6
L05_CERTIFICATE_1E7 = 16_679  # Exercise 5.3's answer
L05_RELATIVE_CHANGE_1 = (90, "2.6e-04")  # (epoch, gap then) for rtol 1e-6 over 1 epoch
L05_RELATIVE_CHANGE_200 = (10_199, "2.2e-06")  # ... over 200 epochs
L05_PATIENCE_1000 = (11_578, "1.1e-06")  # min_delta 1e-6, patience 1,000
L05_LOG_SETTLES = (17_000, "8.6e-08")  # the 6-decimal log, printed every 200 epochs
L05_SAFE_RTOL = 5e-8  # Exercise 5.4: largest safe rtol of the 200-epoch rule
# The race to within 1e-6, ranked by loss/gradient evaluations: (method, step() calls, evaluations).
L05_RACE = [
    ("sgd-0.5-standardized", 1, 1),
    ("lbfgs-raw", 1, 8),
    ("sgd-0.1-standardized", 34, 34),
    ("adam-0.05-raw", 216, 216),
    ("sgd-2/(λmin+λmax)-raw", 1_435, 1_435),
    ("sgd-1e-3-raw (the tutorial)", 11_823, 11_823),
]

# --- lesson 06 · stochastic gradients ------------------------------------------------------------
# 10,000 points (make_regression seed 0), x standardized, SGD lr = 0.1, simulate_sgd from the optimum.
L06_FLOOR_SETTINGS = {20: (8, 6, 1), 200: (40, 11, 1), 2_000: (100, 12, 2)}  # B: (replicas, epochs, skipped)
L06_FLOOR_SEED = 1
# measured floor / sgd_noise_floor, as printed: (B, with replacement?) → ratio
L06_FLOOR_RATIOS = {(20, True): "1.00", (20, False): "0.98", (200, True): "1.01",
                    (200, False): "0.85", (2_000, True): "1.02", (2_000, False): "0.35"}
# B = 20, 30 shuffled epochs from (0, 0), 8 replicas, seed 3: the gap averaged over epoch 30
L06_SCHEDULE_EPOCH30 = {"constant": "2.9e-03", "step": "4.9e-05", "1/t": "5.2e-05"}
L06_BEST_HALVING_PERIOD = 2  # Exercise 6.3, of (1, 2, 5, 10) epochs

# --- lesson 07 · beyond the quadratic ------------------------------------------------------------
