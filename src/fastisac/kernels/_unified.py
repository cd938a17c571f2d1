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
def _ball_multiplier(r, s, mu, radius2):
    """t = 1 + lambda >= 1 with sum_n r_n / (t + mu s_n)^2 = radius2 (t = 1 when the left side is
    already <= radius2 at t = 1): safeguarded Newton on 1 / sqrt(h(t)), which is close to linear."""
    h1 = 0.0
    tot = 0.0
    for n in range(r.shape[0]):
        h1 += r[n] / (1.0 + mu * s[n]) ** 2
        tot += r[n]
    if h1 <= radius2:
        return 1.0
    target = 1.0 / np.sqrt(radius2)
    lo = 1.0
    hi = max(1.0, np.sqrt(tot / radius2))    # h(t) <= tot / t^2
    t = lo
    for _ in range(200):
        h = 0.0
        dh = 0.0
        for n in range(r.shape[0]):
            den = t + mu * s[n]
            h += r[n] / den ** 2
            dh -= 2.0 * r[n] / den ** 3
        if h > radius2:
            lo = t
        else:
            hi = t
        psi = 1.0 / np.sqrt(h) - target
        dpsi = -0.5 * dh / h ** 1.5
        t_new = t - psi / dpsi if dpsi > 0 else 0.5 * (lo + hi)
        if not (lo < t_new < hi):
            t_new = 0.5 * (lo + hi)
        if abs(t_new - t) <= 1e-15 * t or hi - lo <= 1e-15 * hi:
            return t_new
        t = t_new
    return t


@njit(cache=True)
def _rows_into(rv, r_pp, r_pg, r_gg, mu):
    """rv[n] = ||P~_n + mu G~_n||^2."""
    for n in range(rv.shape[0]):
        rv[n] = max(r_pp[n] + 2.0 * mu * r_pg[n] + mu * mu * r_gg[n], 0.0)
    return rv


@njit(cache=True)
def _sensing_value(r_pp, r_pg, r_gg, s, mu, t, e):
    """q = ||A Z||^2 - Re<G, Z> + e at the KKT point of (t, mu) (eigen-coordinates of A^H A)."""
    q = e
    for n in range(s.shape[0]):
        den = t + mu * s[n]
        rn = r_pp[n] + 2.0 * mu * r_pg[n] + mu * mu * r_gg[n]
        q += s[n] * rn / den ** 2 - 2.0 * (r_pg[n] + mu * r_gg[n]) / den
    return q


@njit(cache=True)
def project_ball_quadratic_nb(P, G, A, e, radius2):
    """Euclidean projection of P (N, C) onto {||Z||_F^2 <= radius2, ||A Z||_F^2 - Re<G, Z> + e <= 0}.

    The PR-PGA projection of spec 5 for the SINR metric (A: the linearised clutter rows, (I, N))
    and the detection metric (A with no rows: a half-space), solved exactly instead of as a
    QCQP. KKT: [(1 + lambda) I + mu A^H A] Z = P + (mu / 2) G; in the eigenbasis Q of
    A^H A = Q diag(s) Q^H every quantity is a sum over N scalars, so lambda(mu) (ball) is a
    secular-equation root and mu follows from q(mu) = 0 by bisection (q(mu) is non-increasing:
    it is the derivative of the concave dual, Danskin). Returns (Z, ok); ok is False when the
    set is empty (q stays positive as mu grows).
    """
    N, C = P.shape
    M = np.zeros((N, N), dtype=np.complex128)
    for i in range(A.shape[0]):
        for a in range(N):
            for b in range(N):
                M[a, b] += np.conj(A[i, a]) * A[i, b]
    s, Q = np.linalg.eigh(M)
    for n in range(N):
        s[n] = max(s[n], 0.0)
    Pt = Q.conj().T @ P
    Gt = 0.5 * (Q.conj().T @ G)
    r_pp = np.zeros(N)
    r_pg = np.zeros(N)
    r_gg = np.zeros(N)
    for n in range(N):
        for c in range(C):
            r_pp[n] += Pt[n, c].real ** 2 + Pt[n, c].imag ** 2
            r_pg[n] += Pt[n, c].real * Gt[n, c].real + Pt[n, c].imag * Gt[n, c].imag
            r_gg[n] += Gt[n, c].real ** 2 + Gt[n, c].imag ** 2
    rv = np.empty(N)
    t0 = _ball_multiplier(_rows_into(rv, r_pp, r_pg, r_gg, 0.0), s, 0.0, radius2)
    mu = 0.0
    t = t0
    ok = True
    if _sensing_value(r_pp, r_pg, r_gg, s, 0.0, t0, e) > 0.0:
        lo, hi = 0.0, 1.0
        found = False
        for _ in range(200):
            t = _ball_multiplier(_rows_into(rv, r_pp, r_pg, r_gg, hi), s, hi, radius2)
            if _sensing_value(r_pp, r_pg, r_gg, s, hi, t, e) <= 0.0:
                found = True
                break
            lo = hi
            hi *= 4.0
            if hi > 1e30:
                break
        if not found:
            ok = False
        for _ in range(300 if found else 0):
            if hi - lo <= 1e-15 * hi:
                break
            mid = 0.5 * (lo + hi)
            tm = _ball_multiplier(_rows_into(rv, r_pp, r_pg, r_gg, mid), s, mid, radius2)
            if _sensing_value(r_pp, r_pg, r_gg, s, mid, tm, e) > 0.0:
                lo = mid
            else:
                hi = mid
        mu = hi
        t = _ball_multiplier(_rows_into(rv, r_pp, r_pg, r_gg, mu), s, mu, radius2)
    Zt = np.empty((N, C), dtype=np.complex128)
    for n in range(N):
        den = t + mu * s[n]
        for c in range(C):
            Zt[n, c] = (Pt[n, c] + mu * Gt[n, c]) / den
    return Q @ Zt, ok


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
