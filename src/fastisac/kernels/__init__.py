"""Layer 1: Numba-compiled kernels on NumPy arrays (complex128 / float64).

Each public function validates its inputs (``ValueError`` naming the argument) and
then calls an ``@njit(cache=True)`` implementation (the ``*_nb`` functions, which
library code calls directly on already-validated arrays in hot loops). Every kernel
has a plain NumPy twin in :mod:`fastisac.reference` used as the test oracle and the
benchmark baseline.
"""

from __future__ import annotations

import os

# Sleeping, not spinning, OpenMP workers. With spinning workers a parallel kernel on
# shared cores waits a scheduler quantum per call: sinr_users_nb on 1e3 rows took 16 ms
# (2 busy cores) against 21 us passive and 12 us single-threaded; 1e5 rows 16 ms against
# 1.1 ms. Read when the OpenMP runtime loads (first parallel kernel); a user's setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

from .._checks import as_complex, as_float, as_hermitian, as_int, as_real
from ._array import (beampattern_nb, steering_ula_batch_nb, steering_ula_derivative_batch_nb,
                     steering_ula_derivative_nb, steering_ula_nb)
from ._dual_eve import dual_eve_metrics_nb
from ._linalg import (outer_products_nb, principal_eigenpairs_nb, quadratic_form_nb,
                      quadratic_forms_nb, rank_one_extract_nb, sample_from_covariance_nb)
from ._metrics import rate_nb, secrecy_rate_nb, sinr_eavesdroppers_nb, sinr_users_nb
from ._random import counter_normals_nb
from ._rsma_hisac import (dinkelbach_ratio_nb, echo_filter_nb, rank_one_gain_bounds_nb,  # seed 002
                          mvdr_echo_filter_nb, structured_scnr_nb, robust_quadratic_forms_nb, robust_radius_nb,
                          rsma_hisac_metrics_nb, steering_upa_depression_nb)

__all__ = [
    "steering_ula", "steering_ula_derivative", "steering_ula_batch", "steering_ula_derivative_batch",
    "beampattern", "quadratic_form", "quadratic_forms", "outer_products", "principal_eigenpairs",
    "rank_one_extract", "sample_from_covariance", "sinr_users", "sinr_eavesdroppers", "rate",
    "secrecy_rate", "dual_eve_metrics", "counter_normals", "warmup",
]


def _spacing(spacing):
    return as_float(spacing, "spacing", positive=True)


def steering_ula(n_antennas: int, theta: float, spacing: float = 0.5) -> np.ndarray:
    """ULA steering vector a(theta), shape (N,): a_n = exp(j 2 pi spacing n sin theta) (seed 003 (48)).

    ``theta`` in radians from broadside; ``spacing`` = d / lambda.
    """
    n = as_int(n_antennas, "n_antennas", minimum=1)
    return steering_ula_nb(n, as_float(theta, "theta"), _spacing(spacing))


def steering_ula_derivative(n_antennas: int, theta: float, spacing: float = 0.5) -> np.ndarray:
    """d a(theta) / d theta, shape (N,): j 2 pi spacing n cos(theta) a_n(theta)."""
    n = as_int(n_antennas, "n_antennas", minimum=1)
    return steering_ula_derivative_nb(n, as_float(theta, "theta"), _spacing(spacing))


def steering_ula_batch(n_antennas: int, thetas, spacing: float = 0.5) -> np.ndarray:
    """Steering vectors for many angles, shape (n_angles, N) (row t is a(thetas[t]))."""
    n = as_int(n_antennas, "n_antennas", minimum=1)
    return steering_ula_batch_nb(n, as_real(thetas, "thetas", ndim=1), _spacing(spacing))


def steering_ula_derivative_batch(n_antennas: int, thetas, spacing: float = 0.5) -> np.ndarray:
    """Angle derivatives of the steering vectors, shape (n_angles, N)."""
    n = as_int(n_antennas, "n_antennas", minimum=1)
    return steering_ula_derivative_batch_nb(n, as_real(thetas, "thetas", ndim=1), _spacing(spacing))


def beampattern(X, thetas, spacing: float = 0.5) -> np.ndarray:
    """Transmit beampattern P(theta) = a(theta)^H X a(theta) on an angle grid (seed 003 (50)-(51))."""
    X = as_hermitian(X, "X")
    return beampattern_nb(X, as_real(thetas, "thetas", ndim=1), _spacing(spacing))


def quadratic_form(h, X) -> float:
    """Re(h X h^H) for a row channel h (N,) and a Hermitian X (N, N)."""
    h = as_complex(h, "h", ndim=1)
    X = as_complex(X, "X", shape=(h.shape[0], h.shape[0]))
    return float(quadratic_form_nb(h, X))


def quadratic_forms(h, X) -> np.ndarray:
    """Received powers out[..., k, j] = Re(h_k X_j h_k^H) for batches of channels and covariances.

    ``h`` (K, N) with ``X`` (J, N, N) gives (K, J); ``h`` (M, K, N) with ``X`` (M, J, N, N)
    gives (M, K, J) (one channel set and covariance set per batch entry m).
    """
    h = as_complex(h, "h", ndim=(2, 3))
    batched = h.ndim == 3
    X = as_complex(X, "X", ndim=4 if batched else 3)
    n = h.shape[-1]
    if X.shape[-2:] != (n, n):
        raise ValueError(f"X: last two axes must be ({n}, {n}) to match h, got {X.shape}")
    if batched and X.shape[0] != h.shape[0]:
        raise ValueError(f"X: batch size {X.shape[0]} differs from h's {h.shape[0]}")
    if not batched:
        return quadratic_forms_nb(h[None], X[None])[0]
    return quadratic_forms_nb(h, X)


def outer_products(W) -> np.ndarray:
    """Covariances Q[m, k] = w_mk w_mk^H from beamformers W (M, K, N) (or (K, N) -> (K, N, N))."""
    W = as_complex(W, "W", ndim=(2, 3))
    if W.ndim == 2:
        return outer_products_nb(W[None])[0]
    return outer_products_nb(W)


def principal_eigenpairs(X):
    """(lam1, lam2, u1): the two largest eigenvalues and principal eigenvector of each Hermitian X[m]."""
    X = as_hermitian(X, "X", batch=True)
    return principal_eigenpairs_nb(X)


def rank_one_extract(X, off_tol: float = 1e-9):
    """Rank-one extraction w = sqrt(lam1) u1 with the diagnostic lam2/lam1, batched over X (M, N, N).

    Returns ``(w (M, N), ratio (M,), active (M,))``; a covariance whose lam1 is below
    ``off_tol * trace`` is reported inactive (w = 0, ratio = 0), never divided by.
    """
    X = as_hermitian(X, "X", batch=True)
    return rank_one_extract_nb(X, as_float(off_tol, "off_tol", nonneg=True))


def sample_from_covariance(X, z) -> np.ndarray:
    """Map standard complex Gaussian rows z (L, N) to CN(0, X) samples (Gaussian randomisation)."""
    X = as_hermitian(X, "X", psd=True)
    z = as_complex(z, "z", ndim=2)
    if z.shape[1] != X.shape[0]:
        raise ValueError(f"z: must have {X.shape[0]} columns to match X, got {z.shape}")
    return sample_from_covariance_nb(X, z)


def sinr_users(gains, noise, extra=None) -> np.ndarray:
    """Downlink SINR of each user: gains (M, K, K) with gains[m,k,j] = power of stream j at user k.

    SINR[m,k] = gains[m,k,k] / (noise[k] + sum_{j != k} gains[m,k,j] + extra[m,k]);
    ``extra`` (M, K) is any further interference (e.g. h_k S h_k^H), default 0.
    """
    gains = as_real(gains, "gains", ndim=3, nonneg=True)
    M, K, K2 = gains.shape
    if K != K2:
        raise ValueError(f"gains: must have shape (M, K, K), got {gains.shape}")
    noise = as_real(noise, "noise", shape=(K,), positive=True)
    extra = np.zeros((M, K)) if extra is None else as_real(extra, "extra", shape=(M, K), nonneg=True)
    return sinr_users_nb(gains, noise, extra)


def sinr_eavesdroppers(gains, noise, extra=None) -> np.ndarray:
    """SINR of each eavesdropper for each stream (no SIC): gains (M, E, K) -> (M, E, K).

    SINR[m,e,k] = gains[m,e,k] / (noise[e] + sum_{j != k} gains[m,e,j] + extra[m,e]).
    """
    gains = as_real(gains, "gains", ndim=3, nonneg=True)
    M, E, _ = gains.shape
    noise = as_real(noise, "noise", shape=(E,), positive=True)
    extra = np.zeros((M, E)) if extra is None else as_real(extra, "extra", shape=(M, E), nonneg=True)
    return sinr_eavesdroppers_nb(gains, noise, extra)


def rate(sinr) -> np.ndarray:
    """Achievable rate log2(1 + SINR) in bps/Hz, any shape."""
    sinr = as_real(sinr, "sinr", nonneg=True)
    return rate_nb(sinr.ravel()).reshape(sinr.shape)


def secrecy_rate(rate_user, rate_eve) -> np.ndarray:
    """Per-user secrecy rate [R_u - max_e R_e]^+ : rate_user (M, K), rate_eve (M, E, K) -> (M, K)."""
    rate_user = as_real(rate_user, "rate_user", ndim=2, nonneg=True)
    M, K = rate_user.shape
    rate_eve = as_real(rate_eve, "rate_eve", ndim=3, nonneg=True)
    if rate_eve.shape[0] != M or rate_eve.shape[2] != K:
        raise ValueError(f"rate_eve: must have shape ({M}, E, {K}), got {rate_eve.shape}")
    return secrecy_rate_nb(rate_user, rate_eve)


def dual_eve_metrics(Q, S, h, hce, he, sigma_k2, sigma_t2: float, sigma_b2: float) -> dict:
    """Seed 003 metrics (7)-(17), batched over M realisations.

    Q (M, K, N, N) comm covariances, S (M, N, N) sensing covariance, h (M, K, N) effective
    row channels, hce (N,) BS->target column channel, he (M, K) target->CU gains,
    sigma_k2 (K,) CU noise powers, sigma_t2 / sigma_b2 target / BS noise powers (W).
    Returns a dict of arrays: sinr_u, sinr_t, scnr_u (M, K); scnr_b, power, sr (M,).
    """
    Q = as_complex(Q, "Q", ndim=4)
    M, K, N, N2 = Q.shape
    if N != N2:
        raise ValueError(f"Q: must have shape (M, K, N, N), got {Q.shape}")
    S = as_complex(S, "S", shape=(M, N, N))
    h = as_complex(h, "h", shape=(M, K, N))
    hce = as_complex(hce, "hce", shape=(N,))
    he = as_complex(he, "he", shape=(M, K))
    sigma_k2 = as_real(sigma_k2, "sigma_k2", shape=(K,), positive=True)
    out = dual_eve_metrics_nb(Q, S, h, hce, he, sigma_k2, as_float(sigma_t2, "sigma_t2", positive=True),
                              as_float(sigma_b2, "sigma_b2", positive=True))
    return dict(zip(("sinr_u", "sinr_t", "scnr_b", "scnr_u", "power", "sr"), out))


#: Paper name -> kernel module with a ``warmup()`` of its own (dual_eve's kernels are the shared ones).
PAPER_KERNEL_MODULES = {"dual_eve": None, "unified_outage": "outage", "networked": "networked",
                        "rsma_hisac": "rsma_hisac", "tris_rsma": "tris_rsma"}


def counter_normals(seed: int, first: int, n_draws: int, n_per_draw: int) -> np.ndarray:
    """The standard normals every Monte Carlo kernel draws: row r holds the first
    ``n_per_draw`` normals of draw ``first + r``'s counter-based stream (``_random``: splitmix64
    seeded by (seed, draw index), 256-layer ziggurat). Shape (n_draws, n_per_draw)."""
    seed = as_int(seed, "seed", minimum=0, maximum=2 ** 63 - 1)
    first = as_int(first, "first", minimum=0, maximum=2 ** 63 - 1)
    n_draws = as_int(n_draws, "n_draws", minimum=0)
    n_per_draw = as_int(n_per_draw, "n_per_draw", minimum=0)
    return counter_normals_nb(seed, first, n_draws, n_per_draw)


def warmup(papers=None) -> None:
    """Compile (or load from Numba's cache) the shared kernels and those of ``papers``.

    ``papers``: paper names (keys of :data:`PAPER_KERNEL_MODULES`); ``None`` warms every
    paper. Call it in a parent process before workers start (parallel first compiles can
    corrupt the cache). A process that runs one paper pays only for that paper's kernels:
    each cached kernel costs ~5-30 ms to load, the first one ~0.3 s (Numba's target setup).
    """
    if papers is None:
        names = list(PAPER_KERNEL_MODULES)
    else:
        if isinstance(papers, str):
            papers = [papers]
        names = list(papers)
        for name in names:
            if name not in PAPER_KERNEL_MODULES:
                raise ValueError(f"papers: unknown paper {name!r} (known: {sorted(PAPER_KERNEL_MODULES)})")
    rng = np.random.default_rng(0)
    n, k = 3, 2
    X = np.eye(n, dtype=np.complex128)
    Xb = np.stack([X, X])
    h = rng.standard_normal((1, k, n)) + 0j
    steering_ula_nb(n, 0.1, 0.5)
    steering_ula_derivative_nb(n, 0.1, 0.5)
    steering_ula_batch_nb(n, np.zeros(2), 0.5)
    steering_ula_derivative_batch_nb(n, np.zeros(2), 0.5)
    beampattern_nb(X, np.zeros(2), 0.5)
    quadratic_form_nb(h[0, 0], X)
    quadratic_forms_nb(h, Xb[None])
    outer_products_nb(h)
    principal_eigenpairs_nb(Xb)
    rank_one_extract_nb(Xb, 1e-9)
    sample_from_covariance_nb(X, np.ones((2, n), dtype=np.complex128))
    g = np.ones((1, k, k))
    sinr_users_nb(g, np.ones(k), np.zeros((1, k)))
    sinr_eavesdroppers_nb(g, np.ones(k), np.zeros((1, k)))
    rate_nb(np.ones(2))
    counter_normals_nb(0, 0, 1, 1)
    secrecy_rate_nb(np.ones((1, k)), np.ones((1, 1, k)))
    dual_eve_metrics_nb(np.stack([Xb])[:, :k], Xb[:1], h, np.ones(n, dtype=np.complex128),
                        np.ones((1, k), dtype=np.complex128), np.ones(k), 1.0, 1.0)
    import importlib

    for name in names:
        module = PAPER_KERNEL_MODULES[name]
        if module is not None:
            importlib.import_module(f"{__name__}.{module}").warmup()
