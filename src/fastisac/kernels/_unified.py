"""Seed 001 (unified_outage) kernels: rates and their gradients, the three sensing metrics and
their gradients, the MVDR filter, the projections, and the whole of Algorithm 1 (spec 4).

Everything works in normalised units (spec 4.4): transmit matrix X = [W, V] / sqrt(P) with
||X||_F <= 1, user channels h_k sqrt(P) / sigma_k (rows of ``Hc`` hold the column vectors
h_k), scatterer gains |alpha_i|^2 P / sigma_b^2. Sensing metric codes: 0 = sensing SINR
(13a), 1 = beampattern matching (19), 2 = detection probability (22); each f is divided
by its scale s_f (Gamma_s, eps_BP, T_D) so f >= 0 is the constraint and f is O(1).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._outage import interference_matrix_nb, redundancy_gradient_nb, redundancy_tau_nb

METRIC_SINR = 0
METRIC_BEAMPATTERN = 1
METRIC_DETECTION = 2
LN2 = np.log(2.0)


@njit(cache=True)
def _proj_rows(Hc, X):
    """P[k, j] = h_k^H x_j for rows h_k of Hc and columns x_j of X."""
    K, N = Hc.shape
    C = X.shape[1]
    P = np.empty((K, C), dtype=np.complex128)
    for k in range(K):
        for j in range(C):
            s = 0.0 + 0.0j
            for n in range(N):
                s += np.conj(Hc[k, n]) * X[n, j]
            P[k, j] = s
    return P


@njit(cache=True)
def rates_nb(Hc, X, n_streams):
    """R_k = log2(T_k / I_k) with T_k = sum_j |h_k^H x_j|^2 + 1 (noise 1), I_k = T_k - |h_k^H w_k|^2.

    Returns (R (K,), T (K,), I (K,)).
    """
    K = n_streams
    P = _proj_rows(Hc, X)
    C = X.shape[1]
    R = np.empty(K)
    T = np.empty(K)
    I = np.empty(K)
    for k in range(K):
        t = 1.0
        for j in range(C):
            t += P[k, j].real ** 2 + P[k, j].imag ** 2
        T[k] = t
        I[k] = t - (P[k, k].real ** 2 + P[k, k].imag ** 2)
        R[k] = np.log2(T[k] / I[k])
    return R, T, I


@njit(cache=True)
def rate_gradient_nb(Hc, X, n_streams, weights, T, I):
    """Real-sense gradient of sum_k weights[k] R_k w.r.t. X (38a-c)."""
    K = n_streams
    N, C = X.shape
    P = _proj_rows(Hc, X)
    G = np.zeros((N, C), dtype=np.complex128)
    for k in range(K):
        if weights[k] == 0.0:
            continue
        for j in range(C):
            coef = 1.0 / T[k] - (1.0 / I[k] if j != k else 0.0)
            c = weights[k] * 2.0 / LN2 * coef * P[k, j]
            for n in range(N):
                G[n, j] += c * Hc[k, n]
    return G


@njit(cache=True)
def _qf_col(a, X):
    """a^H X X^H a = sum_j |a^H x_j|^2."""
    N, C = X.shape
    acc = 0.0
    for j in range(C):
        s = 0.0 + 0.0j
        for n in range(N):
            s += np.conj(a[n]) * X[n, j]
        acc += s.real ** 2 + s.imag ** 2
    return acc


@njit(cache=True)
def _add_rank_one_grad(G, a, X, coef):
    """G += coef * a (a^H X)."""
    N, C = X.shape
    for j in range(C):
        s = 0.0 + 0.0j
        for n in range(N):
            s += np.conj(a[n]) * X[n, j]
        for n in range(N):
            G[n, j] += coef * a[n] * s


@njit(cache=True)
def sensing_nb(metric, X, u, a0, As, alpha2, gamma, Agrid, Pd, eps_bp, kappa, t_d):
    """Sensing constraint value f (scaled, f >= 0 feasible) and gradients (grad_X, grad_u).

    SINR (13a)/(39): alpha2[0] for the target a0, alpha2[1:] for scatterers As (I, N);
    beampattern (18)-(19)/(40): grid steering rows Agrid (L, N), desired Pd (L,), eps_bp;
    detection (22)/(41): kappa a0^H R a0 - t_d.
    """
    N, C = X.shape
    gX = np.zeros((N, C), dtype=np.complex128)
    gu = np.zeros(N, dtype=np.complex128)
    if metric == METRIC_SINR:
        s = gamma
        ua0 = 0.0 + 0.0j
        for n in range(N):
            ua0 += np.conj(u[n]) * a0[n]
        r0 = _qf_col(a0, X)
        f = alpha2[0] * (ua0.real ** 2 + ua0.imag ** 2) * r0
        _add_rank_one_grad(gX, a0, X, 2.0 * alpha2[0] * (ua0.real ** 2 + ua0.imag ** 2) / s)
        # grad_u: 2 (alpha0^2 r0 a0 a0^H - Gamma sum_i alpha_i^2 r_i a_i a_i^H) u
        for n in range(N):
            gu[n] += 2.0 * alpha2[0] * r0 * a0[n] * np.conj(ua0) / s
        clutter = 1.0
        for i in range(As.shape[0]):
            ai = As[i]
            uai = 0.0 + 0.0j
            for n in range(N):
                uai += np.conj(u[n]) * ai[n]
            ri = _qf_col(ai, X)
            m2 = uai.real ** 2 + uai.imag ** 2
            clutter += alpha2[i + 1] * m2 * ri
            _add_rank_one_grad(gX, ai, X, -2.0 * gamma * alpha2[i + 1] * m2 / s)
            for n in range(N):
                gu[n] -= 2.0 * gamma * alpha2[i + 1] * ri * ai[n] * np.conj(uai) / s
        return (f - gamma * clutter) / s, gX, gu
    if metric == METRIC_BEAMPATTERN:
        L = Agrid.shape[0]
        mse = 0.0
        for l in range(L):
            e = Pd[l] - _qf_col(Agrid[l], X)
            mse += e * e
            _add_rank_one_grad(gX, Agrid[l], X, 4.0 * e / (L * eps_bp))
        mse /= L
        return (eps_bp - mse) / eps_bp, gX, gu
    r0 = _qf_col(a0, X)
    _add_rank_one_grad(gX, a0, X, 2.0 * kappa / t_d)
    return (kappa * r0 - t_d) / t_d, gX, gu


@njit(cache=True)
def mvdr_filter_nb(X, a0, As, alpha2):
    """u* = C^{-1} a0 / ||C^{-1} a0||, C = sum_i |alpha_i|^2 (a_i^H R a_i) a_i a_i^H + I (spec 7.7)."""
    N = a0.shape[0]
    Cm = np.zeros((N, N), dtype=np.complex128)
    for n in range(N):
        Cm[n, n] = 1.0
    for i in range(As.shape[0]):
        ai = As[i]
        c = alpha2[i + 1] * _qf_col(ai, X)
        for a in range(N):
            for b in range(N):
                Cm[a, b] += c * ai[a] * np.conj(ai[b])
    u = np.linalg.solve(Cm, a0.copy())
    nrm = np.sqrt(np.sum(np.abs(u) ** 2))
    return u / nrm


@njit(cache=True)
def project_simplex_nb(x):
    """Euclidean projection onto {lambda >= 0, sum lambda = 1} (sort-based, Duchi et al. 2008)."""
    K = x.shape[0]
    s = np.sort(x)[::-1]
    css = 0.0
    nu = 0.0
    for i in range(K):
        css += s[i]
        t = (css - 1.0) / (i + 1)
        if s[i] - t > 0:
            nu = t
    out = np.empty(K)
    for i in range(K):
        out[i] = max(x[i] - nu, 0.0)
    return out


@njit(cache=True)
def project_ball_nb(Y, radius2):
    """Projection onto {||Y||_F^2 <= radius2}: radial scaling (the closed form of (34))."""
    nrm2 = 0.0
    for v in Y.ravel():
        nrm2 += v.real ** 2 + v.imag ** 2
    if nrm2 <= radius2:
        return Y.copy()
    return Y * np.sqrt(radius2 / nrm2)


@njit(cache=True)
def project_sphere_nb(u):
    """Projection onto the unit sphere ||u|| = 1 (35)-(36)."""
    nrm = np.sqrt(np.sum(np.abs(u) ** 2))
    return u / nrm


@njit(cache=True)
def utilities_nb(Hc, X, K, inv_snr, log_inv_eps, sop_model, has_eve, taus):
    """U_k = R_k - R^E_k (signed) with the redundancy rates (taus updated in place, warm start)."""
    R, T, I = rates_nb(Hc, X, K)
    U = R.copy()
    if has_eve:
        for k in range(K):
            B = interference_matrix_nb(X, k)
            taus[k] = redundancy_tau_nb(X[:, k].copy(), B, inv_snr, log_inv_eps, sop_model, taus[k])
            U[k] -= np.log2(1.0 + taus[k])
    return U, R, T, I


@njit(cache=True)
def unified_alg1_nb(Hc, X0, u0, lam0, K, simplex, inv_snr, log_inv_eps, sop_model, has_eve,
                    metric, a0, As, alpha2, gamma, Agrid, Pd, eps_bp, kappa, t_d,
                    n_iter, c0, beta0, eta0, kappa0, tol_f, regularised, max_step, beta_rho):
    """Algorithm 1 (spec 4.4): regularised (lambda, rho) step (26) + one projected ascent step
    (27) per iteration, best feasible iterate tracked. ``simplex`` True: worst-user objective
    (Lambda the simplex); False: fixed weights lam0 (Lambda = {lam0}). ``regularised`` False
    gives the unregularised AO of Fig. 2 (one-hot lambda; stops when f < 0). ``beta0`` is the
    proximal weight 1/beta of the lambda block and ``beta_rho`` that of rho in (26).

    Returns (X_best, u_best, best_obj, best_iter, obj_trace, f_trace, rho_trace, n_done).
    """
    N, C = X0.shape
    X = X0.copy()
    u = u0.copy()
    lam = lam0.copy()
    rho = 0.0
    taus = np.full(K, -1.0)
    obj_tr = np.full(n_iter + 1, np.nan)
    f_tr = np.full(n_iter + 1, np.nan)
    rho_tr = np.full(n_iter + 1, np.nan)
    best = -np.inf
    best_it = -1
    Xb = X.copy()
    ub = u.copy()
    c_scale = c0
    n_done = n_iter
    for t in range(n_iter + 1):
        U, R, T, I = utilities_nb(Hc, X, K, inv_snr, log_inv_eps, sop_model, has_eve, taus)
        f, gXf, gu = sensing_nb(metric, X, u, a0, As, alpha2, gamma, Agrid, Pd, eps_bp, kappa, t_d)
        obj = U.min() if simplex else np.sum(lam0 * U)
        obj_tr[t] = obj
        f_tr[t] = f
        rho_tr[t] = rho
        if f >= -tol_f and obj > best:
            best = obj
            best_it = t
            Xb = X.copy()
            ub = u.copy()
        if t == n_iter:
            break
        # (26): closed-form lambda and rho updates
        if regularised:
            eta = eta0 / (t + 1.0) ** 0.25
            kap = kappa0 / (t + 1.0) ** 0.25
            if simplex:
                lam = project_simplex_nb((lam - beta0 * U) / (1.0 + beta0 * eta))
            rho = max(0.0, (rho - beta_rho * f) / (1.0 + beta_rho * kap))
        else:
            if simplex:
                lam = np.zeros(K)
                lam[np.argmin(U)] = 1.0
            if f < 0.0:
                n_done = t
                break
            rho = 0.0
        # gradient of L = lam^T U + rho f
        G = rate_gradient_nb(Hc, X, K, lam, T, I)
        if has_eve:
            for k in range(K):
                if lam[k] != 0.0:
                    G -= lam[k] * redundancy_gradient_nb(X, k, taus[k], inv_snr, sop_model)
        G += rho * gXf
        gu_full = rho * gu
        if t == 0 and c0 <= 0.0:
            c_scale = max(1.0, 10.0 * np.sqrt(np.sum(np.abs(G) ** 2)))
        ct = c_scale * (t + 1.0) ** 0.25
        # safeguard: each block moves at most max_step (t+1)^(-1/4) (c^t raised where needed)
        delta = max_step / (t + 1.0) ** 0.25
        gn = np.sqrt(np.sum(np.abs(G) ** 2))
        X = project_ball_nb(X + G / max(ct, gn / delta), 1.0)
        if metric == METRIC_SINR:
            gun = np.sqrt(np.sum(np.abs(gu_full) ** 2))
            u = project_sphere_nb(u + gu_full / max(ct, gun / delta))
    return Xb, ub, best, best_it, obj_tr, f_tr, rho_tr, n_done
