"""Layer 3: the thin CVXPY layer shared by every paper.

* :class:`ParametricProblem` wraps a problem built once with ``cp.Parameter`` (DPP) and
  re-solved with new parameter values; it solves with Clarabel by default, maps
  statuses to :class:`fastisac.SolverError` / :class:`fastisac.InfeasibleError`, and records
  per solve the CVXPY time (canonicalisation + parameter binding) and Clarabel's own time.
* Hermitian PSD matrices enter through the real embedding ``[[A, -B], [B, A]]``
  (numerics.md 1): one real 2n x 2n PSD variable per Hermitian n x n variable, no
  equality rows; every linear functional ``Re Tr(Q H)`` becomes ``<H_hat, X>/2``.
* Rank-one extraction with the eigenvalue-ratio diagnostic and Gaussian randomisation.
"""

from .embedding import embed_hermitian, embed_hermitian_batch, hermitian_from_embedding
from .problem import (DEFAULT_CLARABEL_SETTINGS, FALLBACK_CLARABEL_SETTINGS, ParametricProblem, SolveRecord,
                      SolveStats, placeholder_values)
from .rank_one import RankOneResult, extract_rank_one, gaussian_randomisation

__all__ = [
    "ParametricProblem", "SolveRecord", "SolveStats", "DEFAULT_CLARABEL_SETTINGS", "FALLBACK_CLARABEL_SETTINGS",
    "placeholder_values",
    "embed_hermitian", "embed_hermitian_batch", "hermitian_from_embedding",
    "RankOneResult", "extract_rank_one", "gaussian_randomisation",
]
