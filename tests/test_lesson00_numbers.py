"""Lesson 00's refreshers: complex eigenvalues of a 2×2 iteration, and covariance estimates."""

import math

import torch

from tests import lesson_numbers as numbers
from tests.lesson_numbers import stored_text

M = torch.tensor([[1.5, -0.8], [1.0, 0.0]], dtype=torch.float64)
H = torch.tensor([[2.0, 3.0], [3.0, 10.0]], dtype=torch.float64)  # refresher 1's Hessian


def test_complex_eigenvalues_have_modulus_sqrt_det_and_set_the_spiral_shrink():
    lam = torch.linalg.eigvals(M)
    tr, det = M.trace().item(), torch.linalg.det(M).item()
    assert (tr / 2) ** 2 - det < 0  # a negative discriminant: a complex pair
    assert torch.allclose(lam.abs(), torch.full((2,), math.sqrt(det), dtype=torch.float64))
    re, im, mod = lam[0].real.item(), abs(lam[0].imag.item()), lam.abs().max().item()
    assert (f"{re:.4f}", f"{im:.4f}", f"{mod:.4f}") == numbers.L00_COMPLEX_EIGENVALUES
    z = torch.linalg.matrix_power(M, 60) @ torch.tensor([1.0, 0.0], dtype=torch.float64)
    assert f"{z.norm().item() ** (1 / 60):.3f}" == numbers.L00_SPIRAL_SHRINK
    assert "0.7500 ± 0.4873i" in stored_text("00_start_here.ipynb", "torch.linalg.eigvals(m)")


def test_covariance_of_averages_and_the_trace_identity():
    gen = torch.Generator().manual_seed(0)
    c_true = torch.tensor([[2.0, 0.6], [0.6, 0.5]], dtype=torch.float64)
    draws = torch.randn(200_000, 2, generator=gen, dtype=torch.float64) @ torch.linalg.cholesky(c_true).T
    est = torch.cov(draws.T)
    assert (f"{est[0, 0]:.3f}", f"{est[0, 1]:.3f}", f"{est[1, 1]:.3f}") == numbers.L00_COV_ESTIMATE
    means = 8 * torch.cov(draws.reshape(-1, 8, 2).mean(dim=1).T)
    got = (f"{means[0, 0]:.3f}", f"{means[0, 1]:.3f}", f"{means[1, 1]:.3f}")
    assert got == numbers.L00_COV_OF_MEANS_TIMES_8
    assert torch.allclose(means, c_true, rtol=0.03, atol=0.01)  # the averages' covariance is C/B
    quad = ((draws @ H) * draws).sum(dim=1).mean().item()
    assert (f"{quad:.2f}", f"{torch.trace(H @ c_true):.2f}") == numbers.L00_QUADRATIC_MEAN
