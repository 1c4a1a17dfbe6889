"""One home per formula: every closed form lives in ``linreg_utils/theory.py``, the divergence
policy in ``linreg_utils/runs.py``, and no other module of the package writes them again.

A grep over the package's source (comments and docstrings excluded, as they may quote the
formula they call). A view or a checker that needs ``2/λmax`` calls ``theory`` instead; if a
pattern below matches a new line, call the function named in the message.
"""

import io
import re
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "linreg_utils"
HOME = {"theory.py"}

# (what, home's function, pattern over code with strings and comments removed)
FORMULAS = [
    ("2/λmax (the stability edge over λmax)", "largest_stable_lr / critical_lr",
     r"\b2(\.0)?\s*/\s*(lam|lambda|λ)\w*\b(?!\s*\*\*)"),
    ("2/(λmin + λmax)", "fastest_gd_lr / optimal_lr", r"\b2(\.0)?\s*/\s*\(\s*lam\w*\s*\+\s*lam\w*\s*\)"),
    ("1 − ηλ (the GD factor)", "gd_factors", r"\b1(\.0)?\s*-\s*[\w\[\]:, .()]*?\*\s*(\w+\.)?lam\w*"),
    ("2 + 2β (the momentum stability edge)", "stability_edge", r"\b2(\.0)?\s*\+\s*2(\.0)?\s*\*\s*beta\b"),
    ("(1 ± √β)² (the damping band)", "damping_band",
     r"\(\s*1(\.0)?\s*[-+]\s*(np\.|math\.)?sqrt\(\s*beta\s*\)\s*\)\s*\*\*\s*2"),
    ("½ dᵀHd (the loss gap)", "quadratic_gap / loss_gap",
     r"0\.5\s*\*\s*\w+\s*@\s*\w+\s*@\s*\w+|einsum\([^,]*,\s*(\w+)\s*,\s*[\w.]+\s*,\s*\1\s*\)"),
    ("½ λ c² (a direction's share of the gap)", "gap_shares",
     r"0\.5\s*\*\s*(np\.asarray\()?(\w+\.)?lam\w*\)?(\[\w+\])?\s*\*.*\*\*\s*2|0\.5\s*\*\s*\(\s*c\w*\s*\*\*\s*2\s*\)\s*@"),
    ("the design matrix [x, 1]", "design_matrix", r"torch\.cat\(\s*\[\s*\w+\s*,\s*torch\.ones_like"),
    ("1 + β − ηλ (the momentum recurrence's coefficient)", "iteration_matrix / direction_errors",
     r"\b1(\.0)?\s*\+\s*\S*beta\S*\s*-\s*\S*(eta|lr)"),
    ("2(1 + β₁)/(1 − β₁) (Adam's edge)", "adam_stability_edge", r"/\s*\(\s*1(\.0)?\s*-\s*\w*beta\w*\s*\)"),
    ("λmax(P^½HP^½) (the preconditioned sharpness)", "preconditioned_hessian / preconditioned_sharpness",
     r"\[[^\]]*None[^\]]*\]\s*\*\s*[\w.()]+\s*\*\s*[\w.()]+\[[^\]]*None"),
]
# The divergence policy: one threshold, in runs.py only.
POLICY = ("a divergence threshold on a loss or the parameters outside runs.py", "runs.diverged_at",
          r"\b(loss|value|gap|theta)\w*(\.\w+\(\))*(\[[^\]]*\])?\s*(>|>=|<|<=)\s*1e\d+|\b1e\d+\s*\*\s*max\("
          r"|DIVERGENCE_FACTOR\s*\*")


def code_only(path: Path) -> list[tuple[int, str]]:
    """``(line number, code)`` of ``path`` with comments, docstrings and string literals blanked."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    blank = [list(line) for line in lines]
    literal = {tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", -1)}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in literal:
            (r0, c0), (r1, c1) = tok.start, tok.end
            for r in range(r0, r1 + 1):
                start = c0 if r == r0 else 0
                end = c1 if r == r1 else len(blank[r - 1])
                blank[r - 1][start:end] = " " * (end - start)
    return [(i + 1, "".join(chars)) for i, chars in enumerate(blank)]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def matches(pattern: str, homes: set[str]) -> list[str]:
    found = []
    for path in modules():
        if path.name in homes and path.parent == PACKAGE:
            continue
        for number, code in code_only(path):
            if re.search(pattern, code):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {code.strip()}")
    return found


@pytest.mark.parametrize("what, function, pattern", FORMULAS, ids=[f[0] for f in FORMULAS])
def test_no_module_outside_theory_writes_the_formula(what, function, pattern):
    found = matches(pattern, HOME)
    assert not found, f"{what} is written outside theory.py; call theory.{function}:\n" + "\n".join(found)


def test_the_divergence_threshold_lives_in_runs_only():
    what, function, pattern = POLICY
    found = matches(pattern, {"runs.py"})
    assert not found, f"{what}; use {function}:\n" + "\n".join(found)


# One copy of each formula as it was once written outside theory.py: each pattern must catch it.
COPIES = [
    "rate = max(abs(1.0 - run.lr * scale.lam_min), 2.0 / lam_max)",
    "opt = 2.0 / (lam_min + lam_max)",
    "fast, slow = 1.0 - lr * scale.lam_max, 1.0 - lr * scale.lam_min",
    "if lr * lam_max >= 2 + 2 * beta:",
    "ax.plot((1 - np.sqrt(beta)) ** 2, beta)",
    "gaps = 0.5 * np.einsum(                , d, self.hessian, d)",  # the string literal is blanked
    "flat = 0.5 * lam[0] * c0[0] ** 2",
    "a = torch.cat([x, torch.ones_like(x)], dim=1)",
    "a = 1.0 + beta - lr * lam",
    "edge = 2 * (1 + beta1) / (1 - beta1)",
    "k = np.linalg.cond(p[:, None] * H * p[None, :])",
]


@pytest.mark.parametrize("copy, formula", list(zip(COPIES, FORMULAS, strict=True)),
                         ids=[f[0] for f in FORMULAS])
def test_each_pattern_catches_a_copy_of_its_formula(copy, formula):
    assert re.search(formula[2], copy), f"the pattern for {formula[0]} misses {copy!r}"


def test_the_policy_pattern_catches_a_threshold_and_docstrings_do_not_count(tmp_path):
    assert re.search(POLICY[2], "if not math.isfinite(value) or value > 1e6:")
    assert re.search(POLICY[2], "limit = 1e6 * max(gaps[0], 1e-300)")
    assert re.search(POLICY[2], "if not loss.item() < 1e12:")
    assert re.search(POLICY[2], "theta.abs().max() > 1e6")
    assert re.search(POLICY[2], "limit = DIVERGENCE_FACTOR * max(losses[0], np.finfo(float).tiny)")
    assert not re.search(POLICY[2], "while mu < 1e12:")  # a damping cap, not a divergence test
    sample = tmp_path / "view.py"
    sample.write_text('"""2 / lam_max in a docstring is fine."""\nedge = 2.0 / lam_max  # but not in code\n',
                      encoding="utf-8")
    codes = [code for _, code in code_only(sample)]
    assert not re.search(FORMULAS[0][2], codes[0]) and re.search(FORMULAS[0][2], codes[1])
