"""Mini-batch SGD on the line-fitting MSE, and the noise floor it settles on (lesson 07).

Two ways to run it. :func:`train_minibatch` is the real thing — ``nn.Linear``, ``MSELoss``,
``torch.optim.SGD`` and a ``DataLoader`` through :func:`linreg_utils.runs.train` — and records
the loss a log would show. For numbers that must be averaged over many epochs and independent
runs, :func:`simulate_sgd` runs the *same iteration* on many replicas at once in float64: a
batch's mean gradient needs only four sums over the batch, so each step is a few operations
on arrays of replicas (the tests check it against ``torch.optim.SGD`` batch for batch).
:func:`sgd_noise_floor` is the theory it is compared with; :func:`noise_floor` and
:func:`epoch_means` read the simulated runs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from ._checks import positive_finite, positive_int, xy_columns
from .runs import Run, train
from .theory import closed_form_fit, design_matrix, mse, mse_hessian, quadratic_gap
from .workflow import line_of

LearningRate = float | Callable[[int], float]
"""A constant lr, or a function of the step index ``k = 0, 1, …`` (as ``LambdaLR`` stepped per batch)."""


def _batch_size(batch_size: int, n: int) -> int:
    batch_size = positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must be <= the number of points {n}, got {batch_size}")
    return batch_size


def make_loader(x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int = 0,
                replacement: bool = False) -> DataLoader:
    """A ``DataLoader`` over ``TensorDataset(x, y)`` with ``n // batch_size`` batches per epoch.

    ``replacement=False``: each epoch a fresh shuffle, cut into batches (``shuffle=True``);
    ``True``: every index drawn independently and uniformly (``RandomSampler(replacement=True)``).
    Each batch is fetched with one indexing operation (``dataset[indices]``), not ``batch_size``
    single-point fetches; ``seed`` makes the batches reproducible.
    """
    batch_size = _batch_size(batch_size, len(x))
    dataset = TensorDataset(x, y)
    generator = torch.Generator().manual_seed(seed)
    order = RandomSampler(dataset, replacement=replacement, generator=generator)
    return DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last=True), batch_size=None)


def train_minibatch(model: nn.Linear, loader: DataLoader, optimizer: torch.optim.Optimizer,
                    steps: int) -> Run:
    """The real loop: ``zero_grad → forward → MSELoss → backward → step`` on each batch of
    ``loader``, epoch after epoch, for ``steps`` steps (:func:`~linreg_utils.runs.train`).

    ``losses[k]`` is the loss of the batch step ``k + 1`` trained on — what a log shows at that
    step (the last entry, after the last step, is the next batch's).
    """
    line_of(model)
    loss_fn = nn.MSELoss()
    batches = itertools.chain.from_iterable(iter(loader) for _ in itertools.count())  # epoch after epoch

    def batch_loss() -> torch.Tensor:
        xb, yb = next(batches)
        return loss_fn(model(xb), yb)

    return train(batch_loss, model.parameters(), optimizer, positive_int("steps", steps))


def sgd_noise_floor(x: torch.Tensor, y: torch.Tensor, lr: float, batch_size: int,
                    replacement: bool = True, momentum: float = 0.0) -> float:
    """Mean full-data gap ``L − L*`` where constant-``lr`` mini-batch SGD settles, **assuming
    successive batches are independent** (what ``replacement=True`` sampling gives).

    Near the optimum ``d_{k+1} = (I − lr H) d_k − lr ξ_k``, ``ξ_k`` the batch gradient's noise,
    of covariance ``C / B`` for ``B`` points drawn with replacement (``C (n − B) / (B (n − 1))``
    for one batch drawn without), ``C`` the per-point gradients' covariance at the optimum (the
    part of the noise that grows with the error, ``(H_batch − H) d``, is neglected: a relative
    correction of order ``floor / σ²``, about 1 % for lesson 07's B = 20, lr = 0.1). The
    stationary covariance solves ``Σ = A Σ Aᵀ + lr² C_B`` (``A = I − lr H``) and the gap is
    ``½ tr(H Σ)``; for standardized x (``H = 2 I``) and noise variance ``σ²`` it is about
    ``2 lr σ² / (B (1 − lr))``. Shuffled epochs break the independence: see lesson 07.
    With heavy-ball ``momentum`` β (``torch.optim.SGD(momentum=β)``) the state is ``(d_k, d_{k−1})``,
    ``A = [[(1 + β) I − lr H, −β I], [I, 0]]``; for ``H = 2 I`` the gap is
    ``2 lr σ² (1 + β) / (B (1 − β) (1 + β − lr))``.
    """
    xc, yc = xy_columns(x, y)
    lr = positive_finite("lr", lr)
    n = xc.shape[0]
    batch_size = _batch_size(batch_size, n)
    a = design_matrix(xc).numpy()  # (n, 2)
    residual = a @ closed_form_fit(xc, yc) - yc.numpy()[:, 0]  # (n,)
    grads = 2.0 * residual[:, None] * a  # per-point gradients at the optimum, (n, 2), mean 0
    c = grads.T @ grads / n
    c_batch = c / batch_size if replacement else c * (n - batch_size) / (batch_size * max(n - 1, 1))
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    h, eye = mse_hessian(xc).numpy(), np.eye(2)
    step = np.block([[(1 + momentum) * eye - lr * h, -momentum * eye], [eye, np.zeros((2, 2))]])
    noise = np.zeros((4, 4))
    noise[:2, :2] = lr**2 * c_batch
    sigma = np.linalg.solve(np.eye(16) - np.kron(step, step), noise.reshape(16)).reshape(4, 4)
    return float(0.5 * np.trace(h @ sigma[:2, :2]))


def torch_sgd_floor(x: torch.Tensor, y: torch.Tensor, batch_size: int, lr: float, momentum: float,
                    steps: int, replicas: int, skip: int, seed: int = 0) -> tuple[float, float]:
    """The floor measured with ``torch.optim.SGD(lr, momentum)`` itself, ``replicas`` runs at once.

    One ``(replicas, 2)`` parameter holds every run's ``(w, b)``; the loss is the sum of the runs'
    batch MSEs, so each row's gradient is its own run's and ``torch.optim.SGD`` (elementwise)
    steps each run independently. Batches are drawn with replacement, runs start at the optimum.
    Returns the mean gap over steps ``skip + 1 … steps`` and its standard error across replicas.
    """
    xc, yc = xy_columns(x, y)
    n, batch_size = xc.shape[0], _batch_size(batch_size, xc.shape[0])
    steps, replicas = positive_int("steps", steps), positive_int("replicas", replicas)
    if not 0 <= skip < steps:
        raise ValueError(f"skip must be in [0, steps), got {skip}")
    xv, yv = xc[:, 0].double(), yc[:, 0].double()
    optimum = np.array(closed_form_fit(xc, yc))
    params = nn.Parameter(torch.tensor(optimum).repeat(replicas, 1))  # (R, 2): one row per run
    optimizer = torch.optim.SGD([params], lr=positive_finite("lr", lr), momentum=momentum)
    generator = torch.Generator().manual_seed(seed)

    def batch_losses() -> torch.Tensor:  # (R,): each run's MSE on its own fresh batch
        rows = torch.randint(n, (replicas, batch_size), generator=generator)
        return ((params[:, :1] * xv[rows] + params[:, 1:] - yv[rows]) ** 2).mean(dim=1)

    run = train(batch_losses, [params], optimizer, steps, stop_on_divergence=False)
    d = run.path.reshape(steps + 1, replicas, 2) - optimum
    per_replica = quadratic_gap(d, mse_hessian(xc).numpy())[skip + 1:].mean(axis=0)
    return float(per_replica.mean()), float(per_replica.std(ddof=1) / math.sqrt(replicas))


def sgd_on_batches(x: torch.Tensor, y: torch.Tensor, batches: torch.Tensor, lrs: np.ndarray,
                   start: np.ndarray) -> np.ndarray:
    """Mini-batch SGD on the MSE of ``w x + b``, in float64, for ``R`` replicas at once.

    ``batches``: ``(R, S, B)`` indices into the rows of ``x, y`` (step ``k`` of replica ``r``
    uses rows ``batches[r, k]``); ``lrs``: ``(S,)``; ``start``: ``(R, 2)`` values of ``(w, b)``.
    Returns ``(R, S + 1, 2)``: the parameters before and after each step.
    """
    xc, yc = xy_columns(x, y)
    return _sgd_on_sums(_batch_sums(_sums_table(xc, yc), batches), lrs, start, batches.shape[2])


def _sums_table(xc: torch.Tensor, yc: torch.Tensor) -> torch.Tensor:
    """Per point ``[x², x, x y, y]``: ``(n, 4)`` float64, so a batch's sums are one gather."""
    xv, yv = xc[:, 0], yc[:, 0]
    return torch.stack([xv * xv, xv, xv * yv, yv], dim=1)


_GATHER_ROWS = 1 << 16
"""At most this many points gathered at once by :func:`_batch_sums` (a ``(65,536, 4)`` float64 block)."""


def _batch_sums(table: torch.Tensor, batches: torch.Tensor) -> np.ndarray:
    """``[Σx², Σx, Σxy, Σy]`` of each batch, laid out ``(4, S, R)`` for the step loop.

    The batches' rows are gathered a few batches at a time, so memory stays small whatever
    ``R · S · B`` is (one gather of all of them was ``R · S · B · 32`` bytes: 32 MB at B = 2,000).
    """
    r, s, b = batches.shape
    chunks = batches.reshape(r * s, b).split(max(1, _GATHER_ROWS // b))  # whole batches per chunk
    sums = torch.cat([table.index_select(0, rows.reshape(-1)).view(-1, b, 4).sum(dim=1) for rows in chunks])
    sums = sums.view(r, s, 4)
    return np.ascontiguousarray(sums.permute(2, 1, 0).numpy())


def _sgd_on_sums(sums: np.ndarray, lrs: np.ndarray, start: np.ndarray, batch_size: int) -> np.ndarray:
    """The SGD steps from batch sums ``(4, S, R)``, for ``R`` replicas at once. Returns ``(R, S + 1, 2)``.

    A batch's mean gradient of the MSE is ``2/B (Sθ − s)`` with ``S = [[Σx², Σx], [Σx, B]]`` and
    ``s = [Σxy, Σy]``, so step ``k`` is the affine map ``θ ← θ − c_k (Sθ − s) = M_k θ + v_k`` with
    ``c_k = 2 lr_k / B``: its entries are computed for every step at once, then applied in order.
    """
    sxx, sx, sxy, sy = sums  # each (S, R)
    c = 2.0 * np.broadcast_to(np.asarray(lrs, float), (sums.shape[1],))[:, None] / batch_size  # (S, 1)
    m11, m12, m22 = 1.0 - c * sxx, -c * sx, 1.0 - c * batch_size  # M_k = [[m11, m12], [m12, m22]]
    v1, v2 = c * sxy, c * sy  # v_k = [v1, v2]
    ws, bs = np.empty((len(c) + 1, start.shape[0])), np.empty((len(c) + 1, start.shape[0]))  # (S + 1, R)
    ws[0], bs[0] = start[:, 0], start[:, 1]
    for k in range(len(c)):
        ws[k + 1] = m11[k] * ws[k] + m12[k] * bs[k] + v1[k]
        bs[k + 1] = m12[k] * ws[k] + m22[k] * bs[k] + v2[k]
    return np.stack([ws.T, bs.T], axis=2)


def epoch_batches(n: int, batch_size: int, replicas: int, generator: torch.Generator,
                  replacement: bool) -> torch.Tensor:
    """One epoch of batch indices for each replica: ``(replicas, n // batch_size, batch_size)``.

    ``replacement=False``: a fresh permutation of ``range(n)`` cut into batches (the leftover
    ``n mod batch_size`` points dropped, as ``drop_last=True``); ``True``: independent uniform draws.
    """
    steps = n // batch_size
    if replacement:
        return torch.randint(n, (replicas, steps, batch_size), generator=generator)
    perms = torch.stack([torch.randperm(n, generator=generator) for _ in range(replicas)])
    return perms[:, : steps * batch_size].reshape(replicas, steps, batch_size)


def noise_floor(runs: list[Run], skip_epochs: int) -> tuple[float, float]:
    """Mean gap of :func:`simulate_sgd`'s independent ``runs`` after their first ``skip_epochs``
    epochs, and its standard error from the spread of the runs' own means: ``(mean, stderr)``."""
    after = np.array([r.gaps[r.log["epoch"] > skip_epochs] for r in runs])  # (R, steps kept)
    per_replica = after.mean(axis=1)
    spread = per_replica.std(ddof=1) / math.sqrt(len(per_replica)) if len(per_replica) > 1 else math.nan
    return float(per_replica.mean()), float(spread)


def epoch_means(runs: list[Run]) -> np.ndarray:
    """The gap averaged over each epoch's steps and over :func:`simulate_sgd`'s ``runs``: ``(epochs,)``."""
    after = np.array([r.gaps[1:] for r in runs])  # (R, epochs · steps): the steps of each epoch, in order
    return after.reshape(len(runs), runs[0].log["epoch"][-1], -1).mean(axis=(0, 2))


def simulate_sgd(x: torch.Tensor, y: torch.Tensor, batch_size: int, lr: LearningRate, epochs: int, *,
                 replacement: bool = False, replicas: int = 1, seed: int = 0,
                 start: tuple[float, float] | None = None) -> list[Run]:
    """``replicas`` independent runs of ``epochs`` epochs of mini-batch SGD (see :func:`sgd_on_batches`).

    ``lr``: a number or a function of the step index; ``start``: ``(w0, b0)``, default the optimum
    itself (to measure the floor without waiting for the descent). Reproducible through ``seed``.
    Each :class:`~linreg_utils.runs.Run` has the full-data ``gaps`` ``L − L*`` and in ``log``
    the ``"lr"`` of each step and the ``"epoch"`` it belongs to (0 for the start).
    """
    xc, yc = xy_columns(x, y)
    n = xc.shape[0]
    batch_size = _batch_size(batch_size, n)
    epochs, replicas = positive_int("epochs", epochs), positive_int("replicas", replicas)
    steps = n // batch_size
    k = np.arange(epochs * steps + 1)  # the lr that step k + 1 uses, up to one after the last step
    if callable(lr):
        lrs = np.array([lr(int(i)) for i in k], float)
    else:
        lrs = np.full(len(k), positive_finite("lr", lr))
    optimum = np.array(closed_form_fit(xc, yc))
    h, loss_star = mse_hessian(xc).numpy(), mse(xc, yc, *optimum)
    theta = np.tile(optimum if start is None else np.asarray(start, float), (replicas, 1))
    generator, table = torch.Generator().manual_seed(seed), _sums_table(xc, yc)
    sums = np.concatenate([_batch_sums(table, epoch_batches(n, batch_size, replicas, generator, replacement))
                           for _ in range(epochs)], axis=1)  # (4, epochs · steps, R)
    paths = _sgd_on_sums(sums, lrs[:-1], theta, batch_size)  # (R, epochs · steps + 1, 2)
    gaps = quadratic_gap(paths - optimum, h)  # (R, epochs · steps + 1)
    epoch = np.ceil(k / steps).astype(int)  # step k (k ≥ 1) belongs to epoch ⌈k / steps⌉
    return [Run(losses=loss_star + g, path=p, gaps=g, optimum=optimum, optimum_loss=loss_star,
                log={"lr": lrs, "epoch": epoch}) for p, g in zip(paths, gaps, strict=True)]


def averaged_sgd(x: torch.Tensor, y: torch.Tensor, batch_size: int, lr: float, epochs: int, *,
                 replicas: int = 1, seed: int = 0, start: tuple[float, float] | None = None,
                 replacement: bool = False, average_after: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Constant-``lr`` ``torch.optim.SGD`` with iterate averaging by ``torch.optim.swa_utils.AveragedModel``.

    ``replicas`` runs at once (one ``(replicas, 2)`` parameter, as :func:`torch_sgd_floor`), on the
    same batches as :func:`simulate_sgd` with the same ``seed`` and ``replacement``. The average is
    the plain mean of the iterates after every step from epoch ``average_after + 1`` on (the first
    ``average_after`` epochs are the descent, left out as SWA's ``swa_start`` does).
    Returns ``(current, averaged)``, each ``(epochs,)``: the full-data gap ``L − L*`` of the last
    iterate and of the averaged one at the end of each epoch, averaged over the replicas
    (``averaged`` is ``nan`` for the epochs before averaging starts).
    """
    xc, yc = xy_columns(x, y)
    n = xc.shape[0]
    batch_size = _batch_size(batch_size, n)
    epochs, replicas = positive_int("epochs", epochs), positive_int("replicas", replicas)
    if not 0 <= average_after < epochs:
        raise ValueError(f"average_after must be in [0, epochs), got {average_after}")
    xv, yv = xc[:, 0].double(), yc[:, 0].double()
    optimum = np.array(closed_form_fit(xc, yc))
    h = mse_hessian(xc).numpy()
    lines = nn.Module()
    lines.theta = nn.Parameter(torch.tensor(optimum if start is None else start, dtype=torch.float64)
                               .repeat(replicas, 1))  # (R, 2): one row (w, b) per run
    average = torch.optim.swa_utils.AveragedModel(lines)
    optimizer = torch.optim.SGD(lines.parameters(), lr=positive_finite("lr", lr))
    generator = torch.Generator().manual_seed(seed)
    current, averaged = np.empty(epochs), np.full(epochs, np.nan)
    for epoch in range(epochs):
        for rows in epoch_batches(n, batch_size, replicas, generator, replacement).transpose(0, 1):  # (R, B)
            optimizer.zero_grad()
            w, b = lines.theta[:, :1], lines.theta[:, 1:]
            ((w * xv[rows] + b - yv[rows]) ** 2).mean(dim=1).sum().backward()  # each run its own batch MSE
            optimizer.step()
            if epoch >= average_after:
                average.update_parameters(lines)
        current[epoch] = quadratic_gap(lines.theta.detach().numpy() - optimum, h).mean()
        if epoch >= average_after:
            averaged[epoch] = quadratic_gap(average.module.theta.detach().numpy() - optimum, h).mean()
    return current, averaged



def averaged_gaps(x: torch.Tensor, runs: list[Run], average_after: int = 1) -> np.ndarray:
    """The gap of the iterate average at each epoch's end, over :func:`simulate_sgd`'s ``runs`` on ``x``.

    Returns ``(epochs,)``.

    The average is the plain mean of a run's iterates after every step from epoch
    ``average_after + 1`` on — what :func:`averaged_sgd`'s ``AveragedModel`` holds; the gaps
    ``L − L*`` of the runs' averages are then averaged over the runs (``nan`` before averaging starts).
    """
    epoch, h = runs[0].log["epoch"], mse_hessian(xy_columns(x, x)[0]).numpy()
    epochs = int(epoch[-1])
    if not 0 <= average_after < epochs:
        raise ValueError(f"average_after must be in [0, epochs), got {average_after}")
    steps = (len(epoch) - 1) // epochs
    first = average_after * steps + 1  # index in the path of the first iterate averaged
    paths = np.array([r.path for r in runs])  # (R, S + 1, 2)
    counts = np.arange(1, paths.shape[1] - first + 1)[:, None]  # iterates in each running mean
    means = np.cumsum(paths[:, first:], axis=1) / counts  # (R, S + 1 − first, 2)
    ends = np.arange(steps, paths.shape[1] - first + 1, steps) - 1  # the averages at each epoch's end
    gaps = np.full(epochs, np.nan)
    gaps[average_after:] = quadratic_gap(means[:, ends] - runs[0].optimum, h).mean(axis=0)
    return gaps
