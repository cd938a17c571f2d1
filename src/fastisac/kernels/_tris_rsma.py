"""Seed 004 (tris_rsma) kernels: IU uncertainty bound, worst-case SINRs, Bernstein margins, the
evaluation step E of note 4.3, FIM/CRB, detection, and a Monte Carlo outage verifier.

Units of note 4.1: covariances X_i = W_i / P_t, LU channel estimates h (path-loss
normalised, ``u = h + Delta``), IU estimates g_hat = sqrt(kappa) a_hat, dimensionless
gains ``inv_rho_k = 1/rho_k`` and ``eta_m``. Stream index 0 is the common stream (or the AN
covariance Z in AN schemes, ``an_mode = 1``: then Z also interferes at every LU). The
evaluation step and the verifier take the general form: an interference mask (K, K+1) (stream
i still undecoded when stream k is decoded) and a decoder matrix (K, K) (users that must
decode stream k), which covers RSMA, SDMA + AN and NOMA + AN with SIC (:func:`sic_masks_nb`).

Worst-case SINRs (note 4.3 step 1-2) are computed exactly: bisection on the SINR level
with an exact trust-region subproblem ``min_{||D|| <= eps} (h + D)^H U (h + D)`` solved by
eigen-decomposition and a secular equation (equivalent to the S-lemma LMIs (67)/(73),
which are lossless for one ball constraint, and about 50x cheaper than a golden-section
search on lambda_min of the (N+1)-order LMI).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._array import _upa_into
from ._random import complex_normal, draw_state


# ----------------------------------------------------------------------------- uncertainty
@njit(cache=True)
def iu_uncertainty_nb(n_rows, n_cols, azimuth, pitch, d_azimuth, d_pitch, spacing, eps_mn, kappa, n_grid):
    """(42)-(43) with the worst angle error on an n_grid x n_grid box grid (corners included).

    Returns (dpsi_max (N,), tau, gain_min) where gain_min = min |a^H a_hat|^2 / N^2 over the box
    (the [A] worst-case sensing gain of (62)).
    """
    N = n_rows * n_cols
    a_hat = np.empty(N, dtype=np.complex128)
    _upa_into(a_hat, n_rows, n_cols, azimuth, pitch, spacing)
    ur0 = np.sin(pitch) * np.cos(azimuth)
    uc0 = np.sin(pitch) * np.sin(azimuth)
    dpsi = np.zeros(N)
    gain_min = 1.0
    a = np.empty(N, dtype=np.complex128)
    for i in range(n_grid):
        az = azimuth - d_azimuth + 2.0 * d_azimuth * i / max(n_grid - 1, 1)
        for j in range(n_grid):
            pt = pitch - d_pitch + 2.0 * d_pitch * j / max(n_grid - 1, 1)
            ur = np.sin(pt) * np.cos(az)
            uc = np.sin(pt) * np.sin(az)
            for r in range(n_rows):
                for c in range(n_cols):
                    x = 2.0 * np.pi * spacing * abs((ur0 - ur) * r + (uc0 - uc) * c)
                    x = x % (2.0 * np.pi)
                    if x > np.pi:
                        x = 2.0 * np.pi - x
                    n = n_cols * r + c
                    if x > dpsi[n]:
                        dpsi[n] = x
            _upa_into(a, n_rows, n_cols, az, pt, spacing)
            s = 0.0 + 0.0j
            for n in range(N):
                s += np.conj(a[n]) * a_hat[n]
            gval = (s.real ** 2 + s.imag ** 2) / (N * N)
            if gval < gain_min:
                gain_min = gval
    tau2 = 0.0
    for n in range(N):
        tau2 += (eps_mn[n] + 2.0 * np.sqrt(kappa) * abs(np.sin(dpsi[n] / 2.0))) ** 2
    return dpsi, np.sqrt(tau2), gain_min


# ----------------------------------------------------------------------------- trust region
@njit(cache=True)
def trust_region_min_nb(U, h, eps):
    """min over ||D|| <= eps of (h + D)^H U (h + D) for Hermitian U; returns (value, u*) with u* = h + D*."""
    N = h.shape[0]
    lam, V = np.linalg.eigh(U)
    c = np.empty(N, dtype=np.complex128)
    for i in range(N):
        s = 0.0 + 0.0j
        for n in range(N):
            s += np.conj(V[n, i]) * h[n]
        c[i] = s
    lmin = lam[0]
    scale = max(abs(lam[0]), abs(lam[N - 1]), 1e-300)
    mu_lo = max(0.0, -lmin)
    z = np.empty(N, dtype=np.complex128)
    e2 = eps * eps
    # psi(mu) = sum lam_i^2 |c_i|^2 / (lam_i + mu)^2 over the components with lam_i + mu_lo > 0
    tol = 1e-12 * scale
    psi_lo = 0.0
    hard = False
    for i in range(N):
        d = lam[i] + mu_lo
        ci2 = c[i].real ** 2 + c[i].imag ** 2
        if d > tol and d * d > 0.0:
            psi_lo += lam[i] ** 2 * ci2 / d ** 2
        elif lam[i] != 0.0 and ci2 > 1e-24 * (1.0 + e2):
            psi_lo = np.inf
    if psi_lo <= e2:
        # constraint inactive (lam_min >= 0) or the hard case (lam_min < 0, c_min ~ 0)
        mu = mu_lo
        hard = lmin < 0.0
    else:
        lo = mu_lo
        nrm = 0.0
        for i in range(N):
            nrm += lam[i] ** 2 * (c[i].real ** 2 + c[i].imag ** 2)
        hi = mu_lo + max(np.sqrt(nrm) / max(eps, 1e-300), 1e-12 * (1.0 + scale))
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            psi = 0.0
            for i in range(N):
                den = lam[i] + mid
                if den <= 0.0:
                    psi = np.inf
                    break
                psi += lam[i] ** 2 * (c[i].real ** 2 + c[i].imag ** 2) / den ** 2
            if psi > e2:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-15 * (1.0 + hi):
                break
        mu = hi
    rest = 0.0
    for i in range(N):
        d = lam[i] + mu
        if d > tol:
            z[i] = mu * c[i] / d
            rest += abs(z[i] - c[i]) ** 2
        else:
            z[i] = c[i]
    if hard:
        extra = np.sqrt(max(e2 - rest, 0.0))
        z[0] = c[0] + extra * (c[0] / abs(c[0]) if abs(c[0]) > 0 else 1.0)
    val = 0.0
    for i in range(N):
        val += lam[i] * (z[i].real ** 2 + z[i].imag ** 2)
    u = np.zeros(N, dtype=np.complex128)
    for n in range(N):
        s = 0.0 + 0.0j
        for i in range(N):
            s += V[n, i] * z[i]
        u[n] = s
    return val, u


@njit(cache=True, inline="always")
def _qf(u, X):
    n = u.shape[0]
    acc = 0.0
    for a in range(n):
        row = 0.0 + 0.0j
        for b in range(n):
            row += X[a, b] * u[b]
        acc += (np.conj(u[a]) * row).real
    return acc


@njit(cache=True)
def lu_interference_nb(X, k, an_mode):
    """S_k = sum_{i >= 1, i != k+1} X_i (+ X_0 when the stream-0 slot holds AN)."""
    N = X.shape[1]
    S = np.zeros((N, N), dtype=np.complex128)
    for i in range(1, X.shape[0]):
        if i != k + 1:
            S += X[i]
    if an_mode == 1:
        S += X[0]
    return S


@njit(cache=True)
def masked_interference_nb(X, mask_row):
    """S = sum_i mask_row[i] X_i (mask_row (K+1,): 1 for the streams still undecoded at the decoder)."""
    N = X.shape[1]
    S = np.zeros((N, N), dtype=np.complex128)
    for i in range(X.shape[0]):
        if mask_row[i] != 0.0:
            S += mask_row[i] * X[i]
    return S


@njit(cache=True)
def sic_masks_nb(order, K, an_mode):
    """(mask (K, K+1), decoders (K, K)) of a scheme. order (K,) = SIC decoding order (weakest
    first; empty = no SIC): stream pi(i) is interfered by pi(i+1..K) (+ AN) and must be decoded
    by users pi(i..K) (note 5.5 [A]); without SIC every other private stream interferes and only
    user k decodes stream k. Stream 0 (AN) interferes when ``an_mode`` = 1."""
    mask = np.zeros((K, K + 1))
    dec = np.zeros((K, K), dtype=np.int64)
    if order.shape[0] == 0:
        for k in range(K):
            for i in range(1, K + 1):
                if i != k + 1:
                    mask[k, i] = 1.0
            dec[k, k] = 1
    else:
        pos = np.empty(K, dtype=np.int64)
        for p in range(K):
            pos[order[p]] = p
        for k in range(K):
            for j in range(K):
                if pos[j] > pos[k]:
                    mask[k, j + 1] = 1.0
                if pos[j] >= pos[k]:
                    dec[k, j] = 1
    if an_mode == 1:
        for k in range(K):
            mask[k, 0] = 1.0
    return mask, dec


@njit(cache=True)
def worst_lu_sinr_nb(X, h, eps, inv_rho, k, an_mode):
    """chi^wc_k = min_{||D|| <= eps} SINR_p,k (64) and the interference at the minimiser."""
    return worst_sinr_nb(X[k + 1], lu_interference_nb(X, k, an_mode), h, eps, inv_rho)


@njit(cache=True)
def worst_sinr_nb(Xk, S, h, eps, inv_rho):
    """min_{||D|| <= eps} u^H Xk u / (u^H S u + inv_rho), u = h + D (64) and u^H S u at the minimiser."""
    nom = _qf(h, Xk) / (_qf(h, S) + inv_rho)
    if eps <= 0.0:
        return nom, _qf(h, S)
    lo, hi = 0.0, nom
    u_best = h.copy()
    v0, u0 = trust_region_min_nb(Xk, h, eps)
    if v0 <= 0.0:
        return 0.0, _qf(u0, S)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        val, u = trust_region_min_nb(Xk - mid * S, h, eps)
        if val - mid * inv_rho >= 0.0:
            lo = mid
        else:
            hi = mid
            u_best = u
        if hi - lo <= 1e-10 * (1.0 + hi):
            break
    return lo, _qf(u_best, S)


@njit(cache=True)
def worst_iu_sinr_nb(X, g, tau, eta, k):
    """iota = max_{||D|| <= tau} SINR_{k,m} (69) in note-4.1 units and the AN power at the maximiser."""
    Xk = X[k + 1]
    Xc = X[0]
    inv_eta = 1.0 / eta
    if tau <= 0.0:
        return _qf(g, Xk) / (_qf(g, Xc) + inv_eta), _qf(g, Xc)
    lam = np.linalg.eigvalsh(Xk)
    if lam[-1] <= 1e-14 * max(abs(lam[0]), 1e-300) or lam[-1] <= 0.0:
        return 0.0, _qf(g, Xc)          # stream switched off
    gn = 0.0
    for n in range(g.shape[0]):
        gn += abs(g[n]) ** 2
    hi = max(lam[-1], 0.0) * (np.sqrt(gn) + tau) ** 2 * eta + 1e-300
    lo = 0.0
    u_best = g.copy()
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        val, u = trust_region_min_nb(mid * Xc - Xk, g, tau)
        if val + mid * inv_eta >= 0.0:
            hi = mid
        else:
            lo = mid
            u_best = u
        if hi - lo <= 1e-10 * (1.0 + hi):
            break
    return hi, _qf(u_best, Xc)


@njit(cache=True)
def _norm_diff(a, b, c):
    acc = 0.0
    for n in range(a.shape[0]):
        d = a[n] - c * b[n]
        acc += d.real ** 2 + d.imag ** 2
    return np.sqrt(acc)


@njit(cache=True)
def surrogate_lu_sinr_nb(X, h, eps, inv_rho, k, an_mode):
    """Largest chi with h^H X_k h - chi (h^H S h + 1/rho + eps^2 tr S) - 2 eps ||(X_k - chi S) h|| >= 0:
    the SOC surrogate (lower bound) of (64) used by the fast SDP (0 if even chi = 0 fails)."""
    return surrogate_sinr_nb(X[k + 1], lu_interference_nb(X, k, an_mode), h, eps, inv_rho)


@njit(cache=True)
def surrogate_sinr_nb(Xk, S, h, eps, inv_rho):
    """:func:`surrogate_lu_sinr_nb` for a given signal Xk and interference S."""
    vk = Xk @ h
    vs = S @ h
    qk = _qf(h, Xk)
    qs = _qf(h, S)
    trS = 0.0
    for n in range(h.shape[0]):
        trS += S[n, n].real
    base = qs + inv_rho + eps * eps * trS
    if qk - 2.0 * eps * _norm_diff(vk, vs, 0.0) < 0.0:
        return 0.0, qs + eps * eps * trS
    lo, hi = 0.0, qk / base
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if qk - mid * base - 2.0 * eps * _norm_diff(vk, vs, mid) >= 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * (1.0 + hi):
            break
    return lo, qs + eps * eps * trS


@njit(cache=True)
def surrogate_iu_sinr_nb(X, g, tau, eta, k):
    """Smallest iota with g^H (X_k - iota X_c) g + 2 tau ||(X_k - iota X_c) g|| + tau^2 tr X_k <= iota / eta:
    the SOC surrogate (upper bound) of (69) used by the fast SDP."""
    Xk = X[k + 1]
    Xc = X[0]
    vk = Xk @ g
    vc = Xc @ g
    qk = _qf(g, Xk)
    qc = _qf(g, Xc)
    trk = 0.0
    for n in range(g.shape[0]):
        trk += Xk[n, n].real
    inv_eta = 1.0 / eta

    def G(i):
        return qk - i * qc + 2.0 * tau * _norm_diff(vk, vc, i) + tau * tau * trk - i * inv_eta
    if G(0.0) <= 0.0:
        return 0.0, qc
    hi = 1.0
    while G(hi) > 0.0 and hi < 1e15:
        hi *= 2.0
    lo = 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if G(mid) <= 0.0:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-12 * (1.0 + hi):
            break
    return hi, qc


# ----------------------------------------------------------------------------- Bernstein
@njit(cache=True)
def bernstein_terms_nb(Y, center, s, eig=1):
    """(tr A, ||[vec A; sqrt2 r]||, lambda_max(A), lambda_min(A)) for A = s^2 Y, r = s Y center (note 4.2);
    ``eig`` = 0 skips the eigenvalues (returned as 0)."""
    N = Y.shape[0]
    tr = 0.0
    fro2 = 0.0
    for a in range(N):
        tr += Y[a, a].real
        for b in range(N):
            fro2 += Y[a, b].real ** 2 + Y[a, b].imag ** 2
    r2 = 0.0
    for a in range(N):
        row = 0.0 + 0.0j
        for b in range(N):
            row += Y[a, b] * center[b]
        r2 += row.real ** 2 + row.imag ** 2
    s2 = s * s
    nrm = np.sqrt(s2 * s2 * fro2 + 2.0 * s2 * r2)
    if eig == 0:
        return s2 * tr, nrm, 0.0, 0.0
    lam = np.linalg.eigvalsh(Y)
    return s2 * tr, nrm, s2 * lam[-1], s2 * lam[0]


@njit(cache=True)
def _real_trace(Y):
    t = 0.0
    for a in range(Y.shape[0]):
        t += Y[a, a].real
    return t


@njit(cache=True)
def lu_bernstein_margin_nb(X, h, s, inv_rho, k, sig1, an_mode, fro, a):
    """phi_k(a) = E^- - sigma^2_h of (51)-(53) with Y = a X_k - S_k; >= 0 certifies Pr{SINR_p < 1/a} <= e^-sig1.

    ``fro`` (the eigenvalue term): 0 exact; 1 its upper bound ||[vec A; sqrt2 r]||; 2 its upper bound
    s^2 tr S_k (lambda^-(A) <= s^2 lambda_max(S_k) since a X_k >= 0), the SOC / linear forms of the SDP.
    """
    return bernstein_margin_nb(X[k + 1], lu_interference_nb(X, k, an_mode), h, s, inv_rho, sig1, fro, a)


@njit(cache=True)
def bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, a):
    """:func:`lu_bernstein_margin_nb` for a given signal Xk and interference S (Y = a Xk - S)."""
    Y = a * Xk - S
    tr, nrm, lmax, lmin = bernstein_terms_nb(Y, h, s, 1 if fro == 0 else 0)
    sig_h = inv_rho - _qf(h, Y)
    if fro == 0:
        lam = max(-lmin, 0.0)
    elif fro == 1:
        lam = nrm
    else:
        lam = s * s * _real_trace(S)
    return tr - np.sqrt(2.0 * sig1) * nrm - sig1 * lam - sig_h


@njit(cache=True)
def iu_bernstein_margin_nb(X, g, s, eta, k, theta_e, sig2, fro):
    """sigma^2_g - [tr B + sqrt(2 sig2) rho + sig2 mu] of (58)-(60), Y = X_k / theta_e - X_c; >= 0 certifies (34i).

    ``fro`` (mu, the eigenvalue term): 0 exact lambda^+(B); 1 its bound ||[vec B; sqrt2 r]||; 2 its bound
    s^2 tr X_k / theta_e (lambda^+(B) <= s^2 lambda_max(X_k) / theta_e since X_c >= 0)."""
    Y = X[k + 1] / theta_e - X[0]
    tr, nrm, lmax, lmin = bernstein_terms_nb(Y, g, s, 1 if fro == 0 else 0)
    sig_g = 1.0 / eta - _qf(g, Y)
    if fro == 0:
        lam = max(lmax, 0.0)
    elif fro == 1:
        lam = nrm
    else:
        lam = s * s * _real_trace(X[k + 1]) / theta_e
    return sig_g - tr - np.sqrt(2.0 * sig2) * nrm - sig2 * lam


@njit(cache=True)
def certified_interval_nb(X, h, s, inv_rho, k, sig1, an_mode, fro):
    """Superlevel interval [a_lo, a_hi] of the concave phi_k (note 4.3 step 4); (inf, -inf) if empty.

    a_hi = inf when phi_k stays >= 0 up to a = 1e12.
    """
    return certified_interval_masked_nb(X[k + 1], lu_interference_nb(X, k, an_mode), h, s, inv_rho, sig1, fro)


@njit(cache=True)
def certified_interval_masked_nb(Xk, S, h, s, inv_rho, sig1, fro):
    """:func:`certified_interval_nb` for a given signal Xk and interference S."""
    # bracket the peak by doubling (phi is concave)
    A = 1.0
    fA = bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, A)
    while A < 1e12:
        f2 = bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, 2.0 * A)
        if f2 < fA:
            break
        A *= 2.0
        fA = f2
    lo, hi = 0.0, min(2.0 * A, 2e12)
    gr = 0.6180339887498949
    x1 = hi - gr * (hi - lo)
    x2 = lo + gr * (hi - lo)
    f1, f2 = bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, x1), bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, x2)
    for _ in range(120):
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + gr * (hi - lo)
            f2 = bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, x2)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - gr * (hi - lo)
            f1 = bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, x1)
        if hi - lo <= 1e-10 * (1.0 + hi):
            break
    peak = x1 if f1 >= f2 else x2
    fpk = max(f1, f2)
    if fpk < 0.0:
        return np.inf, -np.inf
    left, right = 0.0, peak
    for _ in range(200):
        mid = 0.5 * (left + right)
        if bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, mid) >= 0.0:
            right = mid
        else:
            left = mid
        if right - left <= 1e-12 * (1.0 + right):
            break
    a_lo = right
    if bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, 1e12) >= 0.0:
        return a_lo, np.inf
    left, right = peak, 1e12
    for _ in range(200):
        mid = 0.5 * (left + right)
        if bernstein_margin_nb(Xk, S, h, s, inv_rho, sig1, fro, mid) >= 0.0:
            left = mid
        else:
            right = mid
        if right - left <= 1e-12 * (1.0 + right):
            break
    return a_lo, left


# ----------------------------------------------------------------------------- evaluation step
@njit(cache=True)
def common_rate_split_nb(c_min, private, rc_max, positive_part):
    """Note 4.3 step 5: C_k >= C_min_k, sum C <= Rc_max, maximise sum_k [C_k + P_k]^+ (vertex enumeration).

    Returns (C (K,), feasible): infeasible when sum C_min > Rc_max (then C = C_min).
    """
    K = c_min.shape[0]
    base = 0.0
    for k in range(K):
        base += c_min[k]
    C = c_min.copy()
    if base > rc_max + 1e-12:
        return C, False
    spare = max(rc_max - base, 0.0)
    best, kb = -np.inf, 0
    for j in range(K):
        tot = 0.0
        for k in range(K):
            v = c_min[k] + private[k] + (spare if k == j else 0.0)
            tot += max(v, 0.0) if positive_part else v
        if tot > best:
            best, kb = tot, j
    C[kb] += spare
    return C, True


@njit(cache=True)
def greedy_slot_durations_nb(values, t_min, t_max, T):
    """max sum_l t_l S_l s.t. sum t <= T, t_min <= t <= t_max (note 4.3 step 7, closed form)."""
    L = values.shape[0]
    t = np.full(L, t_min)
    remaining = T - L * t_min
    order = np.argsort(-values)
    for idx in range(L):
        l = order[idx]
        if values[l] <= 0.0 or remaining <= 0.0:
            break
        inc = min(t_max - t_min, remaining)
        t[l] += inc
        remaining -= inc
    return t


@njit(cache=True, parallel=True)
def evaluate_slots_nb(X, H, G, eps, inv_rho, s_h, tau, eta, s_e, r_s, theta_e, sig1, sig2, mask, decoders,
                      common_on, positive_part, fast):
    """Evaluation step E (note 4.3 steps 1-6) for every slot of X (L, K+1, N, N).

    mask (K, K+1), decoders (K, K): see :func:`sic_masks_nb`; chi_k is the minimum over the decoders
    of stream k of its worst-case SINR there (NOMA), the Bernstein certificate is at user k.
    ``fast`` >= 1 uses the surrogates of the fast SDP (surrogate worst cases; the Bernstein eigenvalue
    terms bounded by the Frobenius norm (1) or by traces (2), see :func:`bernstein_margin_nb`) so that
    block 2 matches block 1; 0 is the exact E.
    Returns per slot l and user k: chi, I_wc, iota, m_star, J_wc, a_lo, a_hi, C_min, C, o,
    omega (all (L, K)); Rc_max (L,), slot value S (L,), split feasibility (L,), IU Bernstein
    margins (L, K, M).
    """
    L = X.shape[0]
    K = H.shape[0]
    M = G.shape[0]
    chi = np.zeros((L, K)); Iwc = np.zeros((L, K)); iota = np.zeros((L, K)); mstar = np.zeros((L, K), dtype=np.int64)
    Jwc = np.zeros((L, K)); alo = np.zeros((L, K)); ahi = np.zeros((L, K)); cmin = np.zeros((L, K))
    Cs = np.zeros((L, K)); o = np.zeros((L, K)); om = np.zeros((L, K)); rc = np.zeros(L); S = np.zeros(L)
    feas = np.zeros(L, dtype=np.bool_)
    iu_margin = np.zeros((L, K, M))
    for l in prange(L):
        Xl = X[l]
        N = Xl.shape[1]
        rcmax = np.inf
        for k in range(K):
            Sk = masked_interference_nb(Xl, mask[k])
            chi[l, k] = np.inf
            for j in range(K):
                if decoders[k, j] == 0:
                    continue
                if fast >= 1:
                    cj, ij = surrogate_sinr_nb(Xl[k + 1], Sk, H[j], eps[j], inv_rho[j])
                else:
                    cj, ij = worst_sinr_nb(Xl[k + 1], Sk, H[j], eps[j], inv_rho[j])
                if cj < chi[l, k]:
                    chi[l, k], Iwc[l, k] = cj, ij
            best = -1.0
            for m in range(M):
                if fast >= 1:
                    val, jj = surrogate_iu_sinr_nb(Xl, G[m], tau[m], eta[m], k)
                else:
                    val, jj = worst_iu_sinr_nb(Xl, G[m], tau[m], eta[m], k)
                if val > best:
                    best, mstar[l, k], Jwc[l, k] = val, m, jj
                iu_margin[l, k, m] = iu_bernstein_margin_nb(Xl, G[m], s_e[m], eta[m], k, theta_e, sig2, fast)
            iota[l, k] = max(best, 0.0)
            a0, a1 = certified_interval_masked_nb(Xl[k + 1], Sk, H[k], s_h[k], inv_rho[k], sig1, fast)
            alo[l, k], ahi[l, k] = a0, a1
            if np.isfinite(a0) and a0 > 0.0:
                cmin[l, k] = max(r_s[k] - np.log2(1.0 + 1.0 / a0), 0.0)
            elif np.isfinite(a0):
                cmin[l, k] = 0.0
            else:
                cmin[l, k] = r_s[k]
            if common_on:
                # (46): mean channel covariance h h^H + eps^2 I
                num = _qf(H[k], Xl[0])
                den = inv_rho[k]
                for i in range(1, K + 1):
                    den += _qf(H[k], Xl[i])
                tr0 = 0.0
                trs = 0.0
                for n in range(N):
                    tr0 += Xl[0, n, n].real
                    for i in range(1, K + 1):
                        trs += Xl[i, n, n].real
                num += eps[k] ** 2 * tr0
                den += eps[k] ** 2 * trs
                rk = np.log2(1.0 + max(num, 0.0) / den)
                if rk < rcmax:
                    rcmax = rk
        if not common_on:
            rcmax = 0.0
        rc[l] = rcmax
        priv = np.empty(K)
        for k in range(K):
            priv[k] = np.log2(1.0 + chi[l, k]) - np.log2(1.0 + iota[l, k])
        if common_on:
            C, ok = common_rate_split_nb(cmin[l], priv, rcmax, positive_part)
        else:
            C = np.zeros(K)
            ok = True
            for k in range(K):
                if cmin[l, k] > 1e-12:
                    ok = False
        feas[l] = ok
        tot = 0.0
        for k in range(K):
            Cs[l, k] = C[k]
            o[l, k] = C[k] + np.log2(1.0 + chi[l, k])
            om[l, k] = np.log2(1.0 + iota[l, k])
            v = o[l, k] - om[l, k]
            tot += max(v, 0.0) if positive_part else v
        S[l] = tot
    return chi, Iwc, iota, mstar, Jwc, alo, ahi, cmin, Cs, o, om, rc, S, feas, iu_margin


# ----------------------------------------------------------------------------- sensing
@njit(cache=True)
def detection_probability_nb(p, varsigma, p_fa):
    """P_D[m, l] = P_FA^{1/(1 + p[l] varsigma[m])} (closed form of (31), note 2.7 [D])."""
    M, L = varsigma.shape[0], p.shape[0]
    out = np.empty((M, L))
    for m in range(M):
        for l in range(L):
            out[m, l] = p_fa ** (1.0 / (1.0 + p[l] * varsigma[m]))
    return out


@njit(cache=True)
def fim_nb(Rx, snapshots, distance, azimuth, pitch, n_rows, n_cols, spacing, wavelength, snr_scale, multi_rx):
    """FIM J (3x3) of (d, azimuth, pitch) of note 2.7 summed over slots; Rx (L, N, N) transmit covariances.

    ``multi_rx`` = 0: TRIS single feed receiver, c = b a^H; 1: N co-located receive antennas,
    C = b a a^H (traditional transceiver). J_ij = sum_l 2 L_s snr_scale Re tr(dC_i Rx dC_j^H).
    """
    N = n_rows * n_cols
    a = np.empty(N, dtype=np.complex128)
    _upa_into(a, n_rows, n_cols, azimuth, pitch, spacing)
    w = -2.0 * np.pi * spacing
    sa, ca, sp, cp = np.sin(azimuth), np.cos(azimuth), np.sin(pitch), np.cos(pitch)
    da = np.empty(N, dtype=np.complex128)
    dp = np.empty(N, dtype=np.complex128)
    for r in range(n_rows):
        for c in range(n_cols):
            n = n_cols * r + c
            da[n] = 1j * w * sp * (-sa * r + ca * c) * a[n]
            dp[n] = 1j * w * cp * (ca * r + sa * c) * a[n]
    b = np.exp(-2j * np.pi * distance / wavelength)
    db = -2j * np.pi / wavelength * b
    nrx = N if multi_rx == 1 else 1
    # derivative matrices D_i (nrx, N): row-vector channel(s) c (or C)
    D = np.zeros((3, nrx, N), dtype=np.complex128)
    for q in range(nrx):
        for n in range(N):
            if multi_rx == 1:
                base = a[q] * np.conj(a[n])
                D[0, q, n] = db * base
                D[1, q, n] = b * (da[q] * np.conj(a[n]) + a[q] * np.conj(da[n]))
                D[2, q, n] = b * (dp[q] * np.conj(a[n]) + a[q] * np.conj(dp[n]))
            else:
                D[0, q, n] = db * np.conj(a[n])
                D[1, q, n] = b * np.conj(da[n])
                D[2, q, n] = b * np.conj(dp[n])
    J = np.zeros((3, 3))
    for l in range(Rx.shape[0]):
        wl = 2.0 * snapshots[l] * snr_scale
        for i in range(3):
            T = D[i] @ Rx[l]                    # (nrx, N)
            for j in range(3):
                acc = 0.0
                for q in range(nrx):
                    for n in range(N):
                        acc += (T[q, n] * np.conj(D[j, q, n])).real
                J[i, j] += wl * acc
    return J


# ----------------------------------------------------------------------------- Monte Carlo
@njit(cache=True, inline="always")
def _power(u, F):
    """sum_r |u^H F[:, r]|^2 (X = F F^H)."""
    acc = 0.0
    for r in range(F.shape[1]):
        s = 0.0 + 0.0j
        for n in range(u.shape[0]):
            s += np.conj(u[n]) * F[n, r]
        acc += s.real ** 2 + s.imag ** 2
    return acc


@njit(cache=True, parallel=True)
def outage_verify_nb(F, H, G, s_h, s_e, inv_rho, eta, theta_lu, theta_e, mask, seed, n_draws, chunk):
    """Monte Carlo check of (34h)/(34i) (note 7.6-7.7): per draw i (own splitmix64 stream seeded by
    (seed, i), so counts do not depend on chunking or threads) sample Delta h_k ~ CN(0, s_h^2 I) and
    Delta g_m ~ CN(0, s_e^2 I); count SINR_p,k < theta_lu[k] (theta_lu <= 0: constraint void) and
    SINR_{k,m} >= theta_e. F (K+1, N, R): covariance factors X_i = F_i F_i^H; mask (K, K+1): the
    streams interfering with user k's own stream (:func:`sic_masks_nb`).

    Returns (lu_counts (K,), iu_counts (K, M)).
    """
    K = H.shape[0]
    M = G.shape[0]
    N = H.shape[1]
    n_chunks = (n_draws + chunk - 1) // chunk
    lu = np.zeros((n_chunks, K), dtype=np.int64)
    iu = np.zeros((n_chunks, K, M), dtype=np.int64)
    for c in prange(n_chunks):
        u = np.empty(N, dtype=np.complex128)
        p = np.empty(K + 1)
        for i in range(c * chunk, min((c + 1) * chunk, n_draws)):
            state = draw_state(seed, i)
            for k in range(K):
                for n in range(N):
                    state, e = complex_normal(state, s_h[k] / np.sqrt(2.0))
                    u[n] = H[k, n] + e
                if theta_lu[k] <= 0.0:
                    continue
                for j in range(K + 1):
                    p[j] = _power(u, F[j])
                interf = inv_rho[k]
                for j in range(K + 1):
                    interf += mask[k, j] * p[j]
                if p[k + 1] < theta_lu[k] * interf:
                    lu[c, k] += 1
            for m in range(M):
                for n in range(N):
                    state, e = complex_normal(state, s_e[m] / np.sqrt(2.0))
                    u[n] = G[m, n] + e
                for j in range(K + 1):
                    p[j] = _power(u, F[j])
                for k in range(K):
                    if p[k + 1] >= theta_e * (p[0] + 1.0 / eta[m]):
                        iu[c, k, m] += 1
    return lu.sum(axis=0), iu.sum(axis=0)


@njit(cache=True, parallel=True)
def bernstein_lemma_check_nb(Q, r, seed, n_draws, chunk, e_minus, e_plus):
    """Lemma 1 by sampling: counts of f(e) <= e_minus and f(e) >= e_plus, f = e^H Q e + 2 Re(e^H r), e ~ CN(0, I)."""
    N = Q.shape[0]
    n_chunks = (n_draws + chunk - 1) // chunk
    lo = np.zeros(n_chunks, dtype=np.int64)
    hi = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        e = np.empty(N, dtype=np.complex128)
        for i in range(c * chunk, min((c + 1) * chunk, n_draws)):
            state = draw_state(seed, i)
            for n in range(N):
                state, e[n] = complex_normal(state, 1.0 / np.sqrt(2.0))
            f = _qf(e, Q)
            for n in range(N):
                f += 2.0 * (np.conj(e[n]) * r[n]).real
            if f <= e_minus:
                lo[c] += 1
            if f >= e_plus:
                hi[c] += 1
    return lo.sum(), hi.sum()


# --------------------------------------------------------------------------- TMA mapping (2)-(3)
@njit(cache=True)
def tma_mapping_nb(x, a_max, period):
    """Time-modulated-array mapping (2)-(3) of element samples x_n = A_n e^{j phi_n}: the on-state
    duration tau_n = (T_p / pi) arcsin(A_n / A_max) and onset t_on,n = ((-phi_n T_p / pi - tau_n) / 2)
    mod T_p (note 2.1 [R]: phi_0,n read as phi_n, "for all k" as "for some k"). |x_n| <= A_max."""
    n = x.shape[0]
    tau = np.empty(n)
    t_on = np.empty(n)
    for i in range(n):
        amp = abs(x[i])
        r = min(amp / a_max, 1.0)
        tau[i] = period / np.pi * np.arcsin(r)
        phi = np.arctan2(x[i].imag, x[i].real)
        t_on[i] = ((-phi * period / np.pi - tau[i]) / 2.0) % period
    return tau, t_on


@njit(cache=True)
def tma_first_harmonic_nb(tau, t_on, period):
    """First Fourier coefficient of the on/off waveform (1 on [t_on, t_on + tau] mod T_p):
    (1 / pi) sin(pi tau / T_p) exp(-j pi (2 t_on + tau) / T_p) (note 2.1 [D]); equals x_n / (pi A_max)
    after :func:`tma_mapping_nb`."""
    n = tau.shape[0]
    out = np.empty(n, dtype=np.complex128)
    for i in range(n):
        ang = -np.pi * (2.0 * t_on[i] + tau[i]) / period
        out[i] = np.sin(np.pi * tau[i] / period) / np.pi * (np.cos(ang) + 1j * np.sin(ang))
    return out
