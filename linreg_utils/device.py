"""Pick where tensors live: CUDA if present, then Apple's MPS, then the CPU."""

from __future__ import annotations

import torch


def pick_device() -> torch.device:
    """The best available device: ``cuda``, else ``mps``, else ``cpu`` (never fails)."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
