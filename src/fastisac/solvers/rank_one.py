"""Rank-one extraction from SDR covariances, with Gaussian randomisation as the fallback.

numerics.md 5: check lambda_2/lambda_1 of every covariance, report the maximum, switch
off users whose lambda_1 is negligible, and randomise only where the ratio is not small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .._checks import as_float, as_hermitian, as_int
from ..kernels import rank_one_extract_nb, sample_from_covariance_nb


@dataclass
class RankOneResult:
    W: np.ndarray            # (K, N) beamformers w_k = sqrt(lam1) u1 (rows)
    ratios: np.ndarray       # (K,) lambda_2 / lambda_1 (0 for inactive)
    active: np.ndarray       # (K,) False where lambda_1 is negligible (user switched off)
    ratio_tol: float

    @property
    def max_ratio(self) -> float:
        return float(self.ratios.max(initial=0.0))

    @property
    def is_rank_one(self) -> bool:
        return self.max_ratio <= self.ratio_tol


def extract_rank_one(Q, ratio_tol: float = 1e-4, off_tol: float = 1e-9) -> RankOneResult:
    """Principal-eigenvector beamformers of covariances Q (K, N, N) with diagnostics."""
    Q = as_hermitian(Q, "Q", batch=True, psd=True)
    ratio_tol = as_float(ratio_tol, "ratio_tol", nonneg=True)
    W, ratios, active = rank_one_extract_nb(Q, as_float(off_tol, "off_tol", nonneg=True))
    return RankOneResult(W=W, ratios=ratios, active=active, ratio_tol=ratio_tol)


def gaussian_randomisation(Q, score: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
                           rng: np.random.Generator, n_draws: int = 200):
    """Draw ``n_draws`` candidate beamformer sets w_k ~ CN(0, Q_k) and keep the best feasible one.

    ``score(W)`` takes candidates W (L, K, N) and returns ``(objective (L,), feasible (L,))``;
    it may rescale internally. Returns ``(W_best (K, N), objective)`` or ``(None, -inf)``
    when no candidate is feasible.
    """
    Q = as_hermitian(Q, "Q", batch=True, psd=True)
    n_draws = as_int(n_draws, "n_draws", minimum=1)
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng: must be a numpy.random.Generator")
    K, N, _ = Q.shape
    cand = np.empty((n_draws, K, N), dtype=np.complex128)
    for k in range(K):
        z = (rng.standard_normal((n_draws, N)) + 1j * rng.standard_normal((n_draws, N))) / np.sqrt(2.0)
        cand[:, k, :] = sample_from_covariance_nb(Q[k], z)
    obj, feas = score(cand)
    obj = np.where(feas, obj, -np.inf)
    best = int(np.argmax(obj))
    if not np.isfinite(obj[best]):
        return None, -np.inf
    return cand[best], float(obj[best])
