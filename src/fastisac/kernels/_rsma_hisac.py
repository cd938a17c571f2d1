"""Seed 002 (rsma_hisac) kernels: UPA steering, robust radii, echo filter, link metrics, SEE.

Column-channel convention of spec 002 (1): a link gain is h^H W h (= quadratic_form_nb
of the row vector conj(h), computed inline without allocation). Equation numbers are those
of the paper / spec 002. The batched kernels are serial: on the shared 2-core machine a
``prange`` version of ``robust_quadratic_forms_nb`` took 17.5 ms for 2000 x M=12 against
0.68 ms serial (thread contention with the sweep's worker processes).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._array import steering_kron_nb

#: Columns of the metrics array returned by :func:`rsma_hisac_metrics_nb`.
METRIC_FIELDS = ("gamma_bo_ta", "gamma_bo_bo", "gamma_e_ta", "gamma_e_bo", "rate_bo", "rate_e",
                 "secrecy_rate", "rate_common", "rate_private_min", "gamma_b1", "p1", "p2", "see",
                 "sic_margin_bo", "order_margin_e", "secrecy_raw")
N_METRICS = len(METRIC_FIELDS)


@njit(cache=True)
def steering_upa_depression_nb(mh, mv, azimuth, depression):
    """UPA steering u_h(phi, theta) kron u_e(theta) (spec 2.1), half-wavelength spacing:
    [u_h]_m = exp(j pi m sin(phi) cos(theta)), [u_e]_m' = exp(j pi m' sin(theta)), built by the
    shared ``steering_kron_nb``."""
    return steering_kron_nb(mh, mv, np.pi * np.sin(azimuth) * np.cos(depression), np.pi * np.sin(depression))


@njit(cache=True)
def robust_radius_nb(h, e, relative):
    """e_UB per row of h (R, M) (spec 2.3, App. A): ||Delta|| <= 2 e ||h|| + e^2 (absolute),
    (2 e + e^2) ||h||^2 when ||h_er|| <= e ||h_es|| (relative)."""
    R = h.shape[0]
    out = np.empty(R, dtype=np.float64)
    for r in range(R):
        nrm = np.sqrt(np.sum(np.abs(h[r]) ** 2))
        out[r] = (2.0 * e + e * e) * nrm * nrm if relative else 2.0 * e * nrm + e * e
    return out


@njit(cache=True)
def echo_filter_nb(S, C):
    """Generalised Rayleigh quotient max_a a^H S a / a^H C a (spec 4.1, (20)-(26)).

    C Hermitian positive definite: with C = L L^H, a = L^-H v for the principal
    eigenvector v of L^-1 S L^-H. Returns (a (M,) with a^H C a = 1 and its first
    largest-modulus entry real positive, lambda_max).
    """
    M = S.shape[0]
    L = np.linalg.cholesky(0.5 * (C + np.conj(C).T))
    Li = np.linalg.inv(L)
    B = Li @ (0.5 * (S + np.conj(S).T)) @ np.conj(Li).T
    B = 0.5 * (B + np.conj(B).T)
    w, V = np.linalg.eigh(B)
    a = np.conj(Li).T @ np.ascontiguousarray(V[:, M - 1])
    idx = 0
    best = 0.0
    for i in range(M):
        if abs(a[i]) > best * (1.0 + 1e-12):
            best = abs(a[i])
            idx = i
    if best > 0.0:
        a = a * (abs(a[idx]) / a[idx])
    return a, w[M - 1]


@njit(cache=True)
def mvdr_echo_filter_nb(h_ta, clutter):
    """Echo filter under structured clutter (spec 2.6 [D], 4.1): maximiser of
    |a^H h|^2 / a^H (I + c 1 1^H) a, i.e. the MVDR a = (I + c 1 1^H)^-1 h by Sherman-Morrison,
    a = h - c (1^H h) / (1 + c M) 1, normalised to ||a|| = 1 (c = 0: the matched filter)."""
    M = h_ta.shape[0]
    s = 0.0 + 0.0j
    for i in range(M):
        s += h_ta[i]
    k = clutter * s / (1.0 + clutter * M)
    a = h_ta - k
    return a / np.sqrt(np.sum(np.abs(a) ** 2))


@njit(cache=True)
def structured_scnr_nb(a, h_ta, s_echo, p1, clutter, kappa2, sigma2):
    """Echo SCNR with the literal clutter of (16) (spec 2.6 [D]), batched over designs:
    kappa^2 |a^H h|^2 S_r / (sigma^2 (||a||^2 + c P1_r |1^H a|^2)), c = clutter-to-noise per
    unit transmit power (1 for the note's clutter variance sigma^2 in watts)."""
    ah2 = abs(np.vdot(a, h_ta)) ** 2
    aa = np.sum(np.abs(a) ** 2)
    s1 = 0.0 + 0.0j
    for i in range(a.shape[0]):
        s1 += a[i]
    a1 = abs(s1) ** 2
    out = np.empty(s_echo.shape[0], dtype=np.float64)
    for r in range(s_echo.shape[0]):
        out[r] = kappa2 * ah2 * s_echo[r] / (sigma2 * (aa + clutter * p1[r] * a1))
    return out


@njit(cache=True, inline="always")
def _qf_col(h, X):
    """h^H X h (column convention; same value as quadratic_form_nb(conj(h), X)), no allocation."""
    n = h.shape[0]
    acc = 0.0
    for a in range(n):
        row = 0.0 + 0.0j
        for b in range(n):
            row += X[a, b] * h[b]
        acc += (np.conj(h[a]) * row).real
    return acc


@njit(cache=True)
def robust_quadratic_forms_nb(h, X, e_ub):
    """Worst / best received power over the error set (spec 2.3, O3), batched:
    out[r] = (h_r^H X_r h_r - e_ub[r] Tr X_r, h_r^H X_r h_r + e_ub[r] Tr X_r)."""
    R = h.shape[0]
    out = np.empty((R, 2), dtype=np.float64)
    for r in range(R):
        q = _qf_col(h[r], X[r])
        t = 0.0
        for i in range(X.shape[1]):
            t += X[r, i, i].real
        out[r, 0] = q - e_ub[r] * t
        out[r, 1] = q + e_ub[r] * t
    return out


@njit(cache=True)
def rank_one_gain_bounds_nb(h, w, radius):
    """Exact extremes of |(h + e)^H w|^2 over ||e|| <= radius (spec 4.4 step 7):
    ((|h^H w| - radius ||w||)^+)^2 and (|h^H w| + radius ||w||)^2."""
    g = abs(np.vdot(h, w))
    nw = np.sqrt(np.sum(np.abs(w) ** 2))
    lo = max(g - radius * nw, 0.0)
    return lo * lo, (g + radius * nw) ** 2


@njit(cache=True)
def dinkelbach_ratio_nb(rate, power):
    """Dinkelbach update eta = [R]^+ / P elementwise (spec 4.2)."""
    out = np.empty_like(rate)
    for i in range(rate.shape[0]):
        out[i] = max(rate[i], 0.0) / power[i]
    return out


@njit(cache=True)
def rsma_hisac_metrics_nb(W, O, h_bo, h_e, g_bo, g_e, h_n, g_n, h_ta, a, e_ub, sigma2, kappa2, p0):
    """Every link metric of spec 2.4-2.7 for a batch of designs and/or channel draws.

    W (Rw, 2, M1, M1) = [W_bo, W_ta]; O (Rw, N+1, M2, M2) = [O_c, O_1..O_N]; channels
    h_bo, h_e (Rc, M1), g_bo, g_e (Rc, M2), h_n (Rc, N, M1), g_n (Rc, N, M2) (estimates);
    h_ta, a (M1,); e_ub (Rc, 4) robust radii of (h_bo, h_e, g_bo, g_e) (0: perfect CSI).
    Batch r uses design r % Rw and channels r % Rc, R = max(Rw, Rc).

    Returns (metrics (R, N_METRICS) in the order of METRIC_FIELDS, gamma_c (R, N) (14),
    gamma_p (R, N) (15)). Robust forms (spec 2.4 [R]): Bob's SINR (10) with H_bo^min over
    G_bo^max; the SIC SINR (9) with H_bo^min W_ta over H_bo^max W_bo; Eve's (12) with
    H_e^max W_bo over H_e^min W_ta and G_e^min; Eve's x_ta SINR (11) with H_e^max W_ta over
    H_e^min W_bo. Echo SCNR (18) with filter a; SEE = [R_bo - R_e]^+ / (P1 + P2 + P0).
    """
    Rw = W.shape[0]
    Rc = h_bo.shape[0]
    R = max(Rw, Rc)
    N = h_n.shape[1]
    K = O.shape[1]
    M1 = W.shape[2]
    M2 = O.shape[2]
    out = np.empty((R, N_METRICS), dtype=np.float64)
    gc = np.empty((R, N), dtype=np.float64)
    gp = np.empty((R, N), dtype=np.float64)
    aa = 0.0
    for i in range(M1):
        aa += abs(a[i]) ** 2
    ah2 = abs(np.vdot(a, h_ta)) ** 2
    for r in range(R):
        w = r % Rw
        c = r % Rc
        tbo = 0.0
        tta = 0.0
        for i in range(M1):
            tbo += W[w, 0, i, i].real
            tta += W[w, 1, i, i].real
        to = 0.0
        for k in range(K):
            for i in range(M2):
                to += O[w, k, i, i].real
        Osum = np.zeros((M2, M2), dtype=np.complex128)
        for k in range(K):
            Osum += O[w, k]
        bo_bo = _qf_col(h_bo[c], W[w, 0])
        bo_ta = _qf_col(h_bo[c], W[w, 1])
        e_bo = _qf_col(h_e[c], W[w, 0])
        e_ta = _qf_col(h_e[c], W[w, 1])
        ib = _qf_col(g_bo[c], Osum) + e_ub[c, 2] * to          # G_bo^max O_{c,n}
        ie = max(_qf_col(g_e[c], Osum) - e_ub[c, 3] * to, 0.0)  # G_e^min O_{c,n}, clipped at 0
        eh_b = e_ub[c, 0]
        eh_e = e_ub[c, 1]
        A = bo_bo - eh_b * tbo                   # Tr(H_bo^min W_bo)
        beta_b = sigma2 + ib
        beta_e = sigma2 + ie
        E = e_bo + eh_e * tbo                    # Tr(H_e^max W_bo)
        F = max(e_ta - eh_e * tta, 0.0)          # Tr(H_e^min W_ta)
        out[r, 0] = (bo_ta - eh_b * tta) / (bo_bo + eh_b * tbo + beta_b)
        out[r, 1] = max(A, 0.0) / beta_b
        out[r, 2] = (e_ta + eh_e * tta) / (max(e_bo - eh_e * tbo, 0.0) + beta_e)
        out[r, 3] = E / (F + beta_e)
        out[r, 4] = np.log2(1.0 + out[r, 1])
        out[r, 5] = np.log2(1.0 + out[r, 3])
        raw = out[r, 4] - out[r, 5]
        out[r, 15] = raw
        out[r, 6] = max(raw, 0.0)
        rc = np.inf
        rp = np.inf
        for n in range(N):
            jn = _qf_col(h_n[c, n], W[w, 0]) + _qf_col(h_n[c, n], W[w, 1])
            priv = 0.0
            for k in range(1, K):
                priv += _qf_col(g_n[c, n], O[w, k])
            own = _qf_col(g_n[c, n], O[w, n + 1]) if n + 1 < K else 0.0
            com = _qf_col(g_n[c, n], O[w, 0])
            gc[r, n] = com / (priv + jn + sigma2)
            gp[r, n] = own / (priv - own + jn + sigma2)
            rc = min(rc, np.log2(1.0 + gc[r, n]))
            rp = min(rp, np.log2(1.0 + gp[r, n]))
        out[r, 7] = rc
        out[r, 8] = rp
        s_echo = _qf_col(h_ta, W[w, 0]) + _qf_col(h_ta, W[w, 1])
        out[r, 9] = kappa2 * ah2 * s_echo / (2.0 * sigma2 * aa)
        out[r, 10] = tbo + tta
        out[r, 11] = to
        out[r, 12] = out[r, 6] / (tbo + tta + to + p0)
        out[r, 13] = (bo_ta - eh_b * tta) - (bo_bo + eh_b * tbo)
        out[r, 14] = F - E
    return out, gc, gp
