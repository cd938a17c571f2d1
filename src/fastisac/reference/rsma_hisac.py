"""NumPy twins of :mod:`fastisac.kernels.rsma_hisac` (seed 002), written from the spec's
matrix formulas: robust matrices H^max/min = H_hat +- e_UB I (spec 2.3), traces
Tr(H W), np.kron for the UPA, scipy-free Cholesky + eigh for the echo filter.
"""

from __future__ import annotations

import numpy as np

FIELDS = ("gamma_bo_ta", "gamma_bo_bo", "gamma_e_ta", "gamma_e_bo", "rate_bo", "rate_e",
          "secrecy_rate", "rate_common", "rate_private_min", "gamma_b1", "p1", "p2", "see",
          "sic_margin_bo", "order_margin_e", "secrecy_raw")


def steering_upa_depression(mh, mv, azimuth, depression):
    uh = np.exp(1j * np.pi * np.arange(mh) * np.sin(azimuth) * np.cos(depression))
    ue = np.exp(1j * np.pi * np.arange(mv) * np.sin(depression))
    return np.kron(uh, ue)


def robust_radius(h, e, relative=True):
    n = np.linalg.norm(np.asarray(h), axis=1)
    return (2 * e + e ** 2) * n ** 2 if relative else 2 * e * n + e ** 2


def echo_filter(S, C=None):
    S = np.asarray(S, dtype=np.complex128)
    C = np.eye(S.shape[0]) if C is None else np.asarray(C, dtype=np.complex128)
    L = np.linalg.cholesky(C)
    Li = np.linalg.inv(L)
    w, V = np.linalg.eigh(Li @ S @ Li.conj().T)
    a = Li.conj().T @ V[:, -1]
    i = np.argmax(np.abs(a))
    return a * np.exp(-1j * np.angle(a[i])), w[-1]


def mvdr_echo_filter(h_ta, clutter):
    """(I + c 1 1^H)^-1 h by a dense solve, unit norm."""
    h = np.asarray(h_ta, dtype=np.complex128)
    C = np.eye(h.size) + clutter * np.ones((h.size, h.size))
    a = np.linalg.solve(C, h)
    return a / np.linalg.norm(a)


def structured_scnr(a, h_ta, s_echo, p1, clutter, kappa2, sigma2):
    a = np.asarray(a, dtype=np.complex128)
    one = np.ones(a.size)
    out = []
    for s, p in zip(np.asarray(s_echo, float), np.asarray(p1, float)):
        C = sigma2 * (np.eye(a.size) + clutter * p * np.outer(one, one))
        out.append(kappa2 * abs(np.vdot(a, h_ta)) ** 2 * s / np.real(np.vdot(a, C @ a)))
    return np.array(out)


def matched_echo_filter(h_ta):
    h = np.asarray(h_ta, dtype=np.complex128)
    return h / np.linalg.norm(h)


def scnr_ceiling(h_ta, p1, kappa2, sigma2):
    return kappa2 * np.linalg.norm(h_ta) ** 4 * p1 / (2 * sigma2)


def robust_quadratic_forms(h, X, e_ub):
    q = np.real(np.einsum("ri,rij,rj->r", np.conj(h), X, h))
    t = np.real(np.trace(X, axis1=1, axis2=2))
    return np.stack([q - e_ub * t, q + e_ub * t], axis=1)


def rank_one_gain_bounds(h, w, radius):
    g = abs(np.vdot(h, w))
    nw = np.linalg.norm(w)
    return max(g - radius * nw, 0.0) ** 2, (g + radius * nw) ** 2


def dinkelbach_ratio(rate, power):
    return np.maximum(rate, 0.0) / power


def rsma_hisac_metrics(W, O, h_bo, h_e, g_bo, g_e, h_n, g_n, h_ta, a, e_ub, sigma2, kappa2, p0):
    W, O = np.asarray(W), np.asarray(O)
    Rw, Rc = W.shape[0], np.asarray(h_bo).shape[0]
    R = max(Rw, Rc)
    N = O.shape[1] - 1
    M1, M2 = W.shape[2], O.shape[2]
    rows, gcs, gps = [], [], []

    def tr(H, X):
        return float(np.real(np.trace(H @ X)))

    for r in range(R):
        w, c = r % Rw, r % Rc
        Wbo, Wta = W[w, 0], W[w, 1]
        Osum = O[w].sum(axis=0)
        I1, I2 = np.eye(M1), np.eye(M2)
        Hb, He = np.outer(h_bo[c], h_bo[c].conj()), np.outer(h_e[c], h_e[c].conj())
        Gb, Ge = np.outer(g_bo[c], g_bo[c].conj()), np.outer(g_e[c], g_e[c].conj())
        eb, ee, gb_, ge_ = e_ub[c]
        Hb_min, Hb_max = Hb - eb * I1, Hb + eb * I1
        He_min, He_max = He - ee * I1, He + ee * I1
        beta_b = sigma2 + tr(Gb + gb_ * I2, Osum)
        beta_e = sigma2 + max(tr(Ge - ge_ * I2, Osum), 0.0)
        A = tr(Hb_min, Wbo)
        E = tr(He_max, Wbo)
        F = max(tr(He_min, Wta), 0.0)
        g_bo_ta = tr(Hb_min, Wta) / (tr(Hb_max, Wbo) + beta_b)
        g_bo_bo = max(A, 0.0) / beta_b
        g_e_ta = tr(He_max, Wta) / (max(tr(He_min, Wbo), 0.0) + beta_e)
        g_e_bo = E / (F + beta_e)
        rb, re = np.log2(1 + g_bo_bo), np.log2(1 + g_e_bo)
        gc, gp = np.empty(N), np.empty(N)
        for n in range(N):
            Gn = np.outer(g_n[c, n], g_n[c, n].conj())
            Hn = np.outer(h_n[c, n], h_n[c, n].conj())
            J = tr(Hn, Wbo + Wta)
            priv = sum(tr(Gn, O[w, k]) for k in range(1, N + 1))
            gc[n] = tr(Gn, O[w, 0]) / (priv + J + sigma2)
            gp[n] = tr(Gn, O[w, n + 1]) / (priv - tr(Gn, O[w, n + 1]) + J + sigma2)
        Hta = np.outer(h_ta, h_ta.conj())
        gamma_b1 = kappa2 * np.real(np.conj(a) @ Hta @ (Wbo + Wta) @ Hta @ a) / (2 * sigma2 * np.vdot(a, a).real)
        p1 = np.real(np.trace(Wbo + Wta))
        p2 = np.real(np.trace(Osum))
        rs = max(rb - re, 0.0)
        rows.append([g_bo_ta, g_bo_bo, g_e_ta, g_e_bo, rb, re, rs, np.log2(1 + gc).min(), np.log2(1 + gp).min(),
                     gamma_b1, p1, p2, rs / (p1 + p2 + p0), tr(Hb_min, Wta) - tr(Hb_max, Wbo), F - E, rb - re])
        gcs.append(gc)
        gps.append(gp)
    arr = np.array(rows)
    out = {f: arr[:, i] for i, f in enumerate(FIELDS)}
    out["gamma_c"], out["gamma_p"] = np.array(gcs), np.array(gps)
    return out
