"""Seed 001 (unified_outage) public kernels: validated wrappers around the Numba kernels of
:mod:`fastisac.kernels._outage` and :mod:`fastisac.kernels._unified`.

Each function checks its inputs (``ValueError`` whose message starts with the argument
name: wrong shape / dtype, NaN or inf, negative variances, epsilon outside (0, 1], an
unknown ``model`` or ``metric``) and then calls the ``*_nb`` kernel that Algorithm 1 uses in
its hot loop. Every function has a plain NumPy twin of the same name and signature in
:mod:`fastisac.reference` (test oracle and benchmark baseline).

Conventions (spec 001 sections 1-2): column vectors; an eavesdropper receives g^H x with
g ~ CN(0, delta2 I) and noise sigma2; ``X = [W, V]`` is N x C (the first K columns are the
user beamformers, the rest the artificial-noise beamformer); gradients are real-sense
gradients 2 d(.)/dX^*. The SOP depends on the eavesdropper only through
``inv_snr = sigma2 / delta2``, which is what the kernels take. ``model`` selects the SOP
closed form: ``"exact"`` = the eigenvalue form (9-ex) (exact for any beams), ``"det"`` = the
log-det form (9) (exact only for w_k orthogonal to range(B_k)).
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import as_complex, as_float, as_hermitian, as_int, as_real
from ._outage import (MODEL_DET, MODEL_EXACT, interference_matrix_nb, outage_monte_carlo_nb,
                      redundancy_gradient_nb, redundancy_tau_nb, sop_function_nb)
from ._unified import (METRIC_BEAMPATTERN, METRIC_DETECTION, METRIC_SINR, mvdr_filter_nb,
                       project_ball_nb, project_ball_quadratic_nb, project_simplex_nb, project_sphere_nb, rate_gradient_nb,
                       rates_nb, sensing_nb, unified_alg1_nb)

__all__ = [
    "sop_function", "secrecy_outage_probability", "redundancy_threshold", "redundancy_rate",
    "redundancy_rate_gradient", "worst_eavesdropper", "outage_monte_carlo", "intercept_probability",
    "project_simplex", "project_ball", "project_ball_quadratic", "project_sphere", "mvdr_filter",
    "rates_and_gradient", "sensing_metric", "sensing_sinr", "SOP_MODELS", "METRICS",
]

SOP_MODELS = {"exact": MODEL_EXACT, "det": MODEL_DET}
METRICS = {"sinr": METRIC_SINR, "beampattern": METRIC_BEAMPATTERN, "detection": METRIC_DETECTION}


# ----------------------------------------------------------------------------- argument checks

def _model(model) -> int:
    if not isinstance(model, str) or model not in SOP_MODELS:
        raise ValueError(f"model: must be one of {tuple(SOP_MODELS)}, got {model!r}")
    return SOP_MODELS[model]


def _inv_snr(delta2, sigma2) -> float:
    d = as_float(delta2, "delta2", positive=True)
    s = as_float(sigma2, "sigma2", positive=True)
    return s / d


def _epsilon(epsilon) -> float:
    eps = as_float(epsilon, "epsilon")
    if not (0.0 < eps <= 1.0):
        raise ValueError(f"epsilon: must lie in (0, 1], got {eps}")
    return eps


def _X(X, name="X"):
    X = as_complex(X, name, ndim=2)
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name}: must be a non-empty N x C matrix, got shape {X.shape}")
    return X


def _column(X, k) -> int:
    return as_int(k, "k", minimum=0, maximum=X.shape[1] - 1)


def _wB(w, B):
    w = as_complex(w, "w", ndim=1)
    if not np.any(w != 0):
        raise ValueError("w: must be nonzero (p_k = ||w||^2 > 0)")
    B = as_hermitian(B, "B", psd=True)
    if B.shape != (w.shape[0], w.shape[0]):
        raise ValueError(f"B: must have shape ({w.shape[0]}, {w.shape[0]}) to match w, got {B.shape}")
    return w, B


# ----------------------------------------------------------------------------- SOP and R^E

def sop_function(w, B, tau, delta2, sigma2, model="exact") -> float:
    """F(tau) with Pr{SINR_e >= tau} = exp(-F): (9-ex) for ``model="exact"``, (9) for ``"det"``.

    ``w`` (N,) the stream's beamformer, ``B`` (N, N) its interference-plus-AN covariance
    B_k = sum_{j != k} w_j w_j^H + V V^H. Returns +inf when SINR_e >= tau is impossible.
    """
    w, B = _wB(w, B)
    tau = as_float(tau, "tau", nonneg=True)
    s = _inv_snr(delta2, sigma2)
    return float(sop_function_nb(tau, w, B, s, _model(model)))


def secrecy_outage_probability(w, B, tau, delta2, sigma2, model="exact") -> float:
    """Pr{SINR_e >= tau} = exp(-F(tau)): the SOP Pr{C^E > R^E} (7) of a redundancy rate
    R^E = log2(1 + tau) (exact for ``model="exact"``; the (9) approximation for ``"det"``)."""
    return float(math.exp(-sop_function(w, B, tau, delta2, sigma2, model)))


def redundancy_threshold(X, k, delta2, sigma2, epsilon, model="exact") -> float:
    """tau*_k: the smallest SINR threshold with SOP <= epsilon, i.e. F(tau*) = ln(1/epsilon)
    (safeguarded Newton on the bracket of spec 4.5). 0 for epsilon = 1 or w_k = 0."""
    X = _X(X)
    k = _column(X, k)
    s = _inv_snr(delta2, sigma2)
    eps = _epsilon(epsilon)
    m = _model(model)
    w = np.ascontiguousarray(X[:, k])
    return float(redundancy_tau_nb(w, interference_matrix_nb(X, k), s, math.log(1.0 / eps), m, -1.0))


def redundancy_rate(X, k, delta2, sigma2, epsilon, model="exact") -> float:
    """Redundancy rate R^E_k = log2(1 + tau*_k) in bps/Hz of column k of X = [W, V] (spec 2)."""
    return float(math.log2(1.0 + redundancy_threshold(X, k, delta2, sigma2, epsilon, model)))


def redundancy_rate_gradient(X, k, delta2, sigma2, epsilon, model="exact") -> np.ndarray:
    """Implicit real-sense gradient of R^E_k w.r.t. every column of X, shape (N, C) (38d-f)."""
    X = _X(X)
    k = _column(X, k)
    s = _inv_snr(delta2, sigma2)
    eps = _epsilon(epsilon)
    m = _model(model)
    w = np.ascontiguousarray(X[:, k])
    tau = redundancy_tau_nb(w, interference_matrix_nb(X, k), s, math.log(1.0 / eps), m, -1.0)
    return redundancy_gradient_nb(X, k, tau, s, m)


def worst_eavesdropper(delta2, sigma2) -> int:
    """Index e* = argmax_e delta2_e / sigma2_e (11): it alone fixes every R^E_k.

    ``delta2`` (E,) channel variances; ``sigma2`` a scalar or (E,) noise powers. Ties go to
    the lowest index.
    """
    d = as_real(delta2, "delta2", ndim=1, positive=True)
    if d.shape[0] < 1:
        raise ValueError("delta2: needs at least one eavesdropper")
    s = as_real(sigma2, "sigma2", ndim=(0, 1), positive=True)
    if s.ndim == 1 and s.shape != d.shape:
        raise ValueError(f"sigma2: must be a scalar or have shape {d.shape}, got {s.shape}")
    return int(np.argmax(d / s))


# ----------------------------------------------------------------------------- Monte Carlo

def _seed(seed) -> int:
    return as_int(seed, "seed", minimum=0, maximum=2**63 - 1)


def outage_monte_carlo(X, n_streams, delta2, sigma2, tau, rates, n_draws, seed=0, chunk=65536) -> dict:
    """Monte Carlo secrecy-outage and intercept probabilities over g ~ CN(0, delta2 I).

    For each of the first ``n_streams`` columns of X (the rest is AN) it counts the draws
    with SINR_{e,k} > tau[k] (secrecy outage (7), tau = 2^{R^E} - 1) and with
    SINR_{e,k} > 2^{rates[k]} - 1 (interception (15)). Draw i uses its own counter-based
    stream seeded by (seed, i): the counts do not depend on the thread count or ``chunk``,
    and memory is O(n_draws / chunk) (not O(n_draws)).

    Returns a dict: ``sop`` and ``intercept`` (K,) probabilities, ``outage_counts`` and
    ``intercept_counts`` (K,) int64, and ``n_draws``.
    """
    X = _X(X)
    K = as_int(n_streams, "n_streams", minimum=1, maximum=X.shape[1])
    d = as_float(delta2, "delta2", positive=True)
    s = as_float(sigma2, "sigma2", positive=True)
    tau = as_real(tau, "tau", shape=(K,), nonneg=True)
    rates = as_real(rates, "rates", shape=(K,), nonneg=True)
    n = as_int(n_draws, "n_draws", minimum=1)
    seed = _seed(seed)
    chunk = as_int(chunk, "chunk", minimum=1)
    oc, ic = outage_monte_carlo_nb(X, K, d, s, tau, rates, seed, n, chunk)
    return {"sop": oc / n, "intercept": ic / n, "outage_counts": oc, "intercept_counts": ic, "n_draws": n}


def intercept_probability(X, n_streams, delta2, sigma2, rates, n_draws, seed=0, chunk=65536) -> np.ndarray:
    """Monte Carlo intercept probability Pr{C^E_k > R_k} (15), shape (K,) (via :func:`outage_monte_carlo`)."""
    rates_arr = as_real(rates, "rates", ndim=1, nonneg=True)
    tau = 2.0 ** rates_arr - 1.0
    return outage_monte_carlo(X, n_streams, delta2, sigma2, tau, rates_arr, n_draws, seed, chunk)["intercept"]


# ----------------------------------------------------------------------------- projections

def project_simplex(x) -> np.ndarray:
    """Euclidean projection onto the probability simplex {lambda >= 0, 1^T lambda = 1} (30)."""
    x = as_real(x, "x", ndim=1)
    if x.shape[0] < 1:
        raise ValueError("x: must have at least one entry")
    return project_simplex_nb(x)


def project_ball(Y, radius2=1.0) -> np.ndarray:
    """Projection onto {||Y||_F^2 <= radius2} (34): the closed-form radial scaling."""
    Y = as_complex(Y, "Y", ndim=(1, 2))
    r2 = as_float(radius2, "radius2", positive=True)
    return project_ball_nb(Y, r2)


def project_ball_quadratic(P, G, A, e, radius2=1.0):
    """Euclidean projection of P (N, C) onto {||Z||_F^2 <= radius2, ||A Z||_F^2 - Re<G, Z> + e <= 0}
    (A: (I, N), I >= 0 rows; I = 0 is a half-space): the PR-PGA projection of spec 5 for the SINR
    and detection metrics, solved exactly through its two multipliers (see the kernel).
    Returns (Z, feasible); feasible is False when the set is empty."""
    P = as_complex(P, "P", ndim=2)
    G = as_complex(G, "G", shape=P.shape)
    A = as_complex(A, "A", ndim=2)
    if A.shape[1] != P.shape[0]:
        raise ValueError(f"A: must have {P.shape[0]} columns (P has {P.shape[0]} rows), got {A.shape}")
    Z, ok = project_ball_quadratic_nb(P, G, A, as_float(e, "e"), as_float(radius2, "radius2", positive=True))
    return Z, bool(ok)


def project_sphere(u) -> np.ndarray:
    """Projection onto the unit sphere ||u|| = 1 (35)-(36)."""
    u = as_complex(u, "u", ndim=1)
    if not np.any(u != 0):
        raise ValueError("u: the zero vector has no projection onto the sphere")
    return project_sphere_nb(u)


# ----------------------------------------------------------------------------- rates, sensing

def _targets(N, a0, As, alpha2, need_scatterers=True):
    a0 = as_complex(a0, "a0", shape=(N,))
    if As is None:
        As = np.zeros((0, N), dtype=np.complex128)
    As = as_complex(As, "As", ndim=2)
    if As.shape[1] != N:
        raise ValueError(f"As: must have shape (I, {N}) (rows a(theta_i)), got {As.shape}")
    alpha2 = as_real(alpha2, "alpha2", shape=(As.shape[0] + 1,), nonneg=True)
    return a0, As, alpha2


def mvdr_filter(X, a0, As, alpha2) -> np.ndarray:
    """MVDR receive filter u* = C^{-1} a0 / ||C^{-1} a0|| with
    C = sum_{i>=1} alpha2[i] (a_i^H R a_i) a_i a_i^H + I, R = X X^H (spec 7.7; noise-normalised
    units: ``alpha2`` = |alpha_i|^2 / sigma_b^2 incl. the power scale, [0] = target)."""
    X = _X(X)
    a0, As, alpha2 = _targets(X.shape[0], a0, As, alpha2)
    if not np.any(a0 != 0):
        raise ValueError("a0: must be nonzero")
    return mvdr_filter_nb(X, a0, As, alpha2)


def rates_and_gradient(Hc, X, n_streams, weights=None):
    """User rates R_k = log2(1 + SINR_k) (noise 1: rows of ``Hc`` are h_k / sigma_k) and the
    real-sense gradient of sum_k weights[k] R_k w.r.t. X (38a-c).

    ``Hc`` (K, N), ``X`` (N, C) with C >= K, ``weights`` (K,) (default all ones).
    Returns ``(R (K,), grad (N, C))``.
    """
    X = _X(X)
    K = as_int(n_streams, "n_streams", minimum=1, maximum=X.shape[1])
    Hc = as_complex(Hc, "Hc", shape=(K, X.shape[0]))
    weights = np.ones(K) if weights is None else as_real(weights, "weights", shape=(K,))
    R, T, I = rates_nb(Hc, X, K)
    return R, rate_gradient_nb(Hc, X, K, weights, T, I)


def sensing_metric(metric, X, u=None, a0=None, As=None, alpha2=None, gamma=1.0, Agrid=None, Pd=None,
                   eps_bp=1.0, kappa=1.0, t_d=1.0):
    """Scaled sensing constraint f (feasible iff f >= 0) and its gradients ``(f, grad_X, grad_u)``.

    * ``"sinr"`` (13a)/(39): f = [alpha2[0] |u^H a0|^2 a0^H R a0
      - gamma (sum_i alpha2[i] |u^H a_i|^2 a_i^H R a_i + 1)] / gamma; needs u, a0, As (I, N),
      alpha2 (I+1,), gamma > 0. The noise term is 1 (the ||u|| = 1 form), so grad_u is the
      gradient of exactly this expression.
    * ``"beampattern"`` (18)-(19)/(40): f = (eps_bp - mean_l (Pd_l - a_l^H R a_l)^2) / eps_bp;
      needs Agrid (L, N) (rows a(theta_l)), Pd (L,), eps_bp > 0.
    * ``"detection"`` (22)/(41): f = (kappa a0^H R a0 - t_d) / t_d; needs a0, kappa >= 0, t_d > 0.

    grad_u is zero for the metrics without a receive filter.
    """
    if not isinstance(metric, str) or metric not in METRICS:
        raise ValueError(f"metric: must be one of {tuple(METRICS)}, got {metric!r}")
    X = _X(X)
    N = X.shape[0]
    zN = np.zeros(N, dtype=np.complex128)
    u_arr, a0_arr = zN, zN
    As_arr = np.zeros((0, N), dtype=np.complex128)
    alpha2_arr = np.ones(1)
    Agrid_arr = np.zeros((0, N), dtype=np.complex128)
    Pd_arr = np.zeros(0)
    g = as_float(gamma, "gamma", positive=True)
    e = as_float(eps_bp, "eps_bp", positive=True)
    kap = as_float(kappa, "kappa", nonneg=True)
    td = as_float(t_d, "t_d", positive=True)
    if metric == "sinr":
        if u is None:
            raise ValueError("u: required for the sinr metric")
        u_arr = as_complex(u, "u", shape=(N,))
        if alpha2 is None:
            raise ValueError("alpha2: required for the sinr metric")
        if a0 is None:
            raise ValueError("a0: required for the sinr metric")
        a0_arr, As_arr, alpha2_arr = _targets(N, a0, As, alpha2)
    elif metric == "beampattern":
        if Agrid is None or Pd is None:
            raise ValueError(f"{'Agrid' if Agrid is None else 'Pd'}: required for the beampattern metric")
        Agrid_arr = as_complex(Agrid, "Agrid", ndim=2)
        if Agrid_arr.shape[1] != N or Agrid_arr.shape[0] < 1:
            raise ValueError(f"Agrid: must have shape (L >= 1, {N}), got {Agrid_arr.shape}")
        Pd_arr = as_real(Pd, "Pd", shape=(Agrid_arr.shape[0],))
    else:
        if a0 is None:
            raise ValueError("a0: required for the detection metric")
        a0_arr = as_complex(a0, "a0", shape=(N,))
    f, gX, gu = sensing_nb(METRICS[metric], X, u_arr, a0_arr, As_arr, alpha2_arr, g, Agrid_arr, Pd_arr, e,
                           kap, td)
    return float(f), gX, gu


def sensing_sinr(X, u, a0, As, alpha2) -> float:
    """Sensing SINR (5) in noise-normalised units: alpha2[0] |u^H a0|^2 a0^H R a0 /
    (sum_{i>=1} alpha2[i] |u^H a_i|^2 a_i^H R a_i + ||u||^2); invariant to u -> c u."""
    X = _X(X)
    a0, As, alpha2 = _targets(X.shape[0], a0, As, alpha2)
    u = as_complex(u, "u", shape=(X.shape[0],))
    if not np.any(u != 0):
        raise ValueError("u: must be nonzero")

    def part(a):
        return abs(np.vdot(u, a)) ** 2 * float(np.sum(np.abs(a.conj() @ X) ** 2))

    den = float(np.vdot(u, u).real) + sum(alpha2[i + 1] * part(As[i]) for i in range(As.shape[0]))
    return float(alpha2[0] * part(a0) / den)



def warmup() -> None:
    """Compile (or load from the cache) every seed-001 kernel once: SOP forms, redundancy
    rate and gradient, Monte Carlo verifier, projections, MVDR, every sensing metric and
    Algorithm 1 for both SOP models (called by :func:`fastisac.kernels.warmup`)."""
    n, k = 3, 2
    X = np.ascontiguousarray(np.eye(n, k + 1, dtype=np.complex128) * 0.5)
    Hc = np.ones((k, n), dtype=np.complex128)
    a0 = np.ones(n, dtype=np.complex128)
    As = np.ones((1, n), dtype=np.complex128)
    alpha2 = np.ones(2)
    Agrid = np.ones((2, n), dtype=np.complex128)
    Pd = np.ones(2)
    u = a0 / math.sqrt(n)
    for model in (MODEL_EXACT, MODEL_DET):
        tau = redundancy_tau_nb(X[:, 0].copy(), interference_matrix_nb(X, 0), 1.0, 1.0, model, -1.0)
        sop_function_nb(tau, X[:, 0].copy(), interference_matrix_nb(X, 0), 1.0, model)
        redundancy_gradient_nb(X, 0, tau, 1.0, model)
        unified_alg1_nb(Hc, X, u, np.full(k, 0.5), k, True, 1.0, 1.0, model, True, METRIC_SINR, a0, As, alpha2,
                        1.0, Agrid, Pd, 1.0, 1.0, 1.0, 1, 1.0, 0.5, 1.0, 0.01, 1e-6, True, 0.03, 0.5)
    for metric in (METRIC_SINR, METRIC_BEAMPATTERN, METRIC_DETECTION):
        sensing_nb(metric, X, u, a0, As, alpha2, 1.0, Agrid, Pd, 1.0, 1.0, 1.0)
    R, T, I = rates_nb(Hc, X, k)
    rate_gradient_nb(Hc, X, k, np.ones(k), T, I)
    mvdr_filter_nb(X, a0, As, alpha2)
    project_simplex_nb(np.ones(k))
    project_ball_nb(X, 1.0)
    project_ball_quadratic_nb(X, X, As, 0.1, 1.0)
    project_sphere_nb(u)
    outage_monte_carlo_nb(X, k, 1.0, 1.0, np.ones(k), np.ones(k), 0, 16, 8)
