"""Seed 002 (rsma_hisac) public kernels: validated wrappers around :mod:`._rsma_hisac`.

Every function checks its inputs (``ValueError`` naming the argument) and calls the
``*_nb`` kernel; each has a NumPy twin of the same name in :mod:`fastisac.reference`.
Column-channel convention (spec 002, section 1): gains are h^H W h.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_complex, as_float, as_hermitian, as_int, as_real
from ._rsma_hisac import (METRIC_FIELDS, N_METRICS, dinkelbach_ratio_nb, echo_filter_nb, mvdr_echo_filter_nb,
                          structured_scnr_nb,
                          rank_one_gain_bounds_nb, robust_quadratic_forms_nb, robust_radius_nb,
                          rsma_hisac_metrics_nb, steering_upa_depression_nb)

__all__ = ["steering_upa_depression", "robust_radius", "echo_filter", "matched_echo_filter", "mvdr_echo_filter",
           "structured_scnr", "robust_quadratic_forms",
           "rank_one_gain_bounds", "dinkelbach_ratio", "rsma_hisac_metrics", "scnr_ceiling",
           "METRIC_FIELDS", "N_METRICS", "warmup"]


def steering_upa_depression(mh: int, mv: int, azimuth: float, depression: float) -> np.ndarray:
    """UPA steering vector u_h kron u_e, shape (mh * mv,) (spec 2.1); angles in radians."""
    mh = as_int(mh, "mh", minimum=1)
    mv = as_int(mv, "mv", minimum=1)
    return steering_upa_depression_nb(mh, mv, as_float(azimuth, "azimuth"), as_float(depression, "depression"))


def robust_radius(h, e: float, relative: bool = True) -> np.ndarray:
    """e_UB of each channel row h (R, M) for error radius e (spec 2.3): (2e + e^2)||h||^2
    (relative model, e < 1) or 2e||h|| + e^2 (absolute)."""
    h = as_complex(h, "h", ndim=2)
    e = as_float(e, "e", nonneg=True)
    if relative and e >= 1.0:
        raise ValueError(f"e: relative error radius must be < 1, got {e}")
    return robust_radius_nb(h, e, bool(relative))


def echo_filter(S, C=None):
    """Echo receive filter: maximiser of a^H S a / a^H C a (spec 4.1), C = I by default.

    Returns ``(a, lambda_max)`` with a^H C a = 1. For S = c h h^H and C = I this is the
    matched filter h / ||h|| (O1); for C = I + P 1 1^H it is the MVDR filter.
    """
    S = as_hermitian(S, "S", psd=True)
    M = S.shape[0]
    C = np.eye(M, dtype=np.complex128) if C is None else as_hermitian(C, "C")
    if C.shape != S.shape:
        raise ValueError(f"C: must have shape {S.shape}, got {C.shape}")
    if np.linalg.eigvalsh(C).min() <= 0:
        raise ValueError("C: must be positive definite")
    return echo_filter_nb(S, C)


def matched_echo_filter(h_ta) -> np.ndarray:
    """Closed-form echo filter h_ta / ||h_ta|| (spec 4.1 [D])."""
    h = as_complex(h_ta, "h_ta", ndim=1)
    n = np.linalg.norm(h)
    if n == 0:
        raise ValueError("h_ta: must be non-zero")
    return h / n


def mvdr_echo_filter(h_ta, clutter: float) -> np.ndarray:
    """Unit-norm MVDR echo filter (I + c 1 1^H)^-1 h_ta under structured clutter (spec 2.6, 4.1);
    ``clutter`` = c >= 0 is the clutter-to-noise ratio (c = 0: the matched filter)."""
    h = as_complex(h_ta, "h_ta", ndim=1)
    if not np.any(h):
        raise ValueError("h_ta: must be non-zero")
    return mvdr_echo_filter_nb(h, as_float(clutter, "clutter", nonneg=True))


def structured_scnr(a, h_ta, s_echo, p1, clutter: float, kappa2: float, sigma2: float) -> np.ndarray:
    """kappa^2 |a^H h|^2 S / (sigma^2 (||a||^2 + c P1 |1^H a|^2)) per design (spec 2.6 [D]);
    ``s_echo`` = h^H (W_bo + W_ta) h and ``p1`` = Tr W, arrays of equal length."""
    h = as_complex(h_ta, "h_ta", ndim=1)
    a = as_complex(a, "a", shape=h.shape)
    if not np.any(a):
        raise ValueError("a: must be non-zero")
    s_echo = as_real(s_echo, "s_echo", ndim=1, nonneg=True)
    p1 = as_real(p1, "p1", shape=s_echo.shape, nonneg=True)
    return structured_scnr_nb(a, h, s_echo, p1, as_float(clutter, "clutter", nonneg=True),
                              as_float(kappa2, "kappa2", positive=True), as_float(sigma2, "sigma2", positive=True))


def scnr_ceiling(h_ta, p1: float, kappa2: float, sigma2: float) -> float:
    """O6: max over a and Tr W <= P1 of (18) = kappa^2 ||h_ta||^4 P1 / (2 sigma^2)."""
    h = as_complex(h_ta, "h_ta", ndim=1)
    p1 = as_float(p1, "p1", nonneg=True)
    kappa2 = as_float(kappa2, "kappa2", positive=True)
    sigma2 = as_float(sigma2, "sigma2", positive=True)
    return float(kappa2 * np.vdot(h, h).real ** 2 * p1 / (2 * sigma2))


def robust_quadratic_forms(h, X, e_ub) -> np.ndarray:
    """(R, 2): worst and best h^H X h over the error set, h (R, M), X (R, M, M), e_ub (R,)."""
    h = as_complex(h, "h", ndim=2)
    R, M = h.shape
    X = as_complex(X, "X", shape=(R, M, M))
    e_ub = as_real(e_ub, "e_ub", shape=(R,), nonneg=True)
    return robust_quadratic_forms_nb(h, X, e_ub)


def rank_one_gain_bounds(h, w, radius: float):
    """Exact (min, max) of |(h + e)^H w|^2 over ||e|| <= radius."""
    h = as_complex(h, "h", ndim=1)
    w = as_complex(w, "w", shape=h.shape)
    return rank_one_gain_bounds_nb(h, w, as_float(radius, "radius", nonneg=True))


def dinkelbach_ratio(rate, power) -> np.ndarray:
    """Dinkelbach parameter eta = [R_S]^+ / P_sum elementwise (spec 4.2)."""
    rate = as_real(rate, "rate", ndim=1)
    power = as_real(power, "power", shape=rate.shape, positive=True)
    return dinkelbach_ratio_nb(rate, power)


def rsma_hisac_metrics(W, O, h_bo, h_e, g_bo, g_e, h_n, g_n, h_ta, a, e_ub, sigma2: float,
                       kappa2: float, p0: float) -> dict:
    """Every link metric of spec 2.4-2.7 (see :func:`._rsma_hisac.rsma_hisac_metrics_nb`).

    W (Rw, 2, M1, M1) = [W_bo, W_ta]; O (Rw, N+1, M2, M2) = [O_c, O_1..O_N]; channel
    estimates with a leading draw axis Rc (h_bo, h_e (Rc, M1); g_bo, g_e (Rc, M2); h_n
    (Rc, N, M1); g_n (Rc, N, M2)); h_ta, a (M1,); e_ub (Rc, 4) absolute robust radii.
    Returns a dict of arrays keyed by METRIC_FIELDS plus ``gamma_c``, ``gamma_p`` (R, N).
    """
    W = as_complex(W, "W", ndim=4)
    Rw, two, M1, M1b = W.shape
    if two != 2 or M1 != M1b:
        raise ValueError(f"W: must have shape (R, 2, M1, M1), got {W.shape}")
    O = as_complex(O, "O", ndim=4)
    if O.shape[0] != Rw or O.shape[2] != O.shape[3]:
        raise ValueError(f"O: must have shape ({Rw}, N+1, M2, M2), got {O.shape}")
    N, M2 = O.shape[1] - 1, O.shape[2]
    if N < 1:
        raise ValueError("O: needs the common block and at least one private block")
    h_bo = as_complex(h_bo, "h_bo", ndim=2)
    Rc = h_bo.shape[0]
    if h_bo.shape[1] != M1:
        raise ValueError(f"h_bo: must have shape (Rc, {M1}), got {h_bo.shape}")
    h_e = as_complex(h_e, "h_e", shape=(Rc, M1))
    g_bo = as_complex(g_bo, "g_bo", shape=(Rc, M2))
    g_e = as_complex(g_e, "g_e", shape=(Rc, M2))
    h_n = as_complex(h_n, "h_n", shape=(Rc, N, M1))
    g_n = as_complex(g_n, "g_n", shape=(Rc, N, M2))
    h_ta = as_complex(h_ta, "h_ta", shape=(M1,))
    a = as_complex(a, "a", shape=(M1,))
    if not np.any(a):
        raise ValueError("a: echo filter must be non-zero")
    e_ub = as_real(e_ub, "e_ub", shape=(Rc, 4), nonneg=True)
    if Rw != 1 and Rc != 1 and Rw != Rc:
        raise ValueError(f"W: batch {Rw} and channel batch {Rc} must be equal or one of them 1")
    out, gc, gp = rsma_hisac_metrics_nb(W, O, h_bo, h_e, g_bo, g_e, h_n, g_n, h_ta, a, e_ub,
                                        as_float(sigma2, "sigma2", positive=True),
                                        as_float(kappa2, "kappa2", positive=True),
                                        as_float(p0, "p0", nonneg=True))
    res = {f: out[:, i] for i, f in enumerate(METRIC_FIELDS)}
    res["gamma_c"], res["gamma_p"] = gc, gp
    return res


def warmup() -> None:
    """Compile (or load from cache) every seed 002 kernel."""
    m1, m2, n = 4, 4, 2
    steering_upa_depression_nb(2, 2, 0.1, 0.2)
    h = np.ones((1, m1), dtype=np.complex128)
    robust_radius_nb(h, 0.1, True)
    I = np.eye(m1, dtype=np.complex128)
    echo_filter_nb(I, I)
    mvdr_echo_filter_nb(h[0], 1.0)
    structured_scnr_nb(h[0], h[0], np.ones(1), np.ones(1), 1.0, 1.0, 1.0)
    robust_quadratic_forms_nb(h, I[None], np.zeros(1))
    rank_one_gain_bounds_nb(h[0], h[0], 0.1)
    dinkelbach_ratio_nb(np.ones(1), np.ones(1))
    W = np.stack([I, I])[None]
    O = np.stack([np.eye(m2, dtype=np.complex128)] * (n + 1))[None]
    g = np.ones((1, m2), dtype=np.complex128)
    rsma_hisac_metrics_nb(W, O, h, h, g, g, np.ones((1, n, m1), dtype=np.complex128),
                          np.ones((1, n, m2), dtype=np.complex128), h[0], h[0], np.zeros((1, 4)), 1.0, 1.0, 1.0)
