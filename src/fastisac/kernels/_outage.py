"""Secrecy-outage kernels (seed 001, spec 2 and 4.3-4.5): deterministic SOP, redundancy rate
by safeguarded Newton / bisection, its implicit gradient, and a Monte Carlo verifier.

Column convention: eavesdropper e receives g^H x with g ~ CN(0, delta^2 I). For stream k of
X = [w_1..w_K, V] (N x (K+M)), B_k = sum_{j != k} w_j w_j^H + V V^H and p_k = ||w_k||^2.
``inv_snr`` = sigma_e^2 / delta_e^2 of the worst eavesdropper (11). ``model`` 0 = exact
eigenvalue form (9-ex), 1 = log-det form (9).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._random import draw_state, standard_normal

MODEL_EXACT = 0
MODEL_DET = 1


@njit(cache=True)
def interference_matrix_nb(X, k):
    """B_k = sum_{j != k} x_j x_j^H over the columns of X."""
    N, C = X.shape
    B = np.zeros((N, N), dtype=np.complex128)
    for j in range(C):
        if j == k:
            continue
        for a in range(N):
            xa = X[a, j]
            for b in range(N):
                B[a, b] += xa * np.conj(X[b, j])
    return B


@njit(cache=True)
def _sop_F_and_slope(tau, w, B, inv_snr, model):
    """F(tau) of (9-ex) / (9) and dF/dtau (spec 4.3)."""
    N = w.shape[0]
    p = 0.0
    for n in range(N):
        p += w[n].real ** 2 + w[n].imag ** 2
    if model == MODEL_DET:
        A = np.empty((N, N), dtype=np.complex128)
        for a in range(N):
            for b in range(N):
                A[a, b] = tau * B[a, b] / p
            A[a, a] += 1.0
        L = np.linalg.cholesky(A)
        logdet = 0.0
        for n in range(N):
            logdet += 2.0 * np.log(L[n, n].real)
        Ainv = np.linalg.inv(A)
        trCB = 0.0
        for a in range(N):
            for b in range(N):
                trCB += (Ainv[a, b] * B[b, a]).real
        return tau * inv_snr / p + logdet, inv_snr / p + trCB / p
    M = np.empty((N, N), dtype=np.complex128)
    for a in range(N):
        for b in range(N):
            M[a, b] = w[a] * np.conj(w[b]) - tau * B[a, b]
    mu, Vv = np.linalg.eigh(M)
    mu1 = mu[N - 1]
    if mu1 <= 1e-300:
        # no positive eigenvalue: SINR_e >= tau is impossible, Pr = 0, F = +inf
        return np.inf, 0.0
    F = tau * inv_snr / mu1
    d1 = -tau * inv_snr / mu1 ** 2
    slope = inv_snr / mu1
    for n in range(N - 1):
        gap = mu1 - mu[n]
        F += np.log(gap / mu1)
        d1 += 1.0 / gap - 1.0 / mu1
    # dF/dtau = inv_snr/mu1 - tr(D B), D = sum d_n v_n v_n^H
    for n in range(N):
        dn = d1 if n == N - 1 else -1.0 / (mu1 - mu[n])
        q = 0.0
        for a in range(N):
            s = 0.0 + 0.0j
            for b in range(N):
                s += B[a, b] * Vv[b, n]
            q += (np.conj(Vv[a, n]) * s).real
        slope -= dn * q
    return F, slope


@njit(cache=True)
def sop_function_nb(tau, w, B, inv_snr, model):
    """F(tau): Pr{SINR_e >= tau} = exp(-F) (exact for model 0; (9) for model 1)."""
    return _sop_F_and_slope(tau, w, B, inv_snr, model)[0]


@njit(cache=True)
def redundancy_tau_nb(w, B, inv_snr, log_inv_eps, model, tau0):
    """Smallest tau with F(tau) >= ln(1/eps): safeguarded Newton inside the bracket of spec 4.5.

    Returns 0 for eps = 1 (log_inv_eps = 0) or a switched-off stream (p = 0).
    """
    N = w.shape[0]
    p = 0.0
    for n in range(N):
        p += w[n].real ** 2 + w[n].imag ** 2
    if log_inv_eps <= 0.0 or p <= 0.0:
        return 0.0
    hi = p * log_inv_eps / inv_snr
    lo = 0.0
    tau = tau0 if (tau0 > lo and tau0 < hi) else 0.5 * (lo + hi)
    for _ in range(200):
        F, slope = _sop_F_and_slope(tau, w, B, inv_snr, model)
        g = F - log_inv_eps
        if g >= 0.0:
            hi = tau
        else:
            lo = tau
        if abs(g) <= 1e-13 * (1.0 + log_inv_eps) or hi - lo <= 1e-13 * (1.0 + tau):
            break
        step = tau - g / slope if slope > 0.0 else -1.0
        tau = step if (step > lo and step < hi) else 0.5 * (lo + hi)
    return tau


@njit(cache=True)
def redundancy_gradient_nb(X, k, tau, inv_snr, model):
    """Real-sense gradient of R^E_k = log2(1 + tau*) w.r.t. every column of X (38d-f):
    grad R^E = -(dF/dX) / ((1 + tau) ln 2 dF/dtau)."""
    N, C = X.shape
    G = np.zeros((N, C), dtype=np.complex128)
    w = X[:, k].copy()
    p = 0.0
    for n in range(N):
        p += w[n].real ** 2 + w[n].imag ** 2
    if tau <= 0.0 or p <= 0.0:
        return G
    B = interference_matrix_nb(X, k)
    if model == MODEL_DET:
        A = np.empty((N, N), dtype=np.complex128)
        for a in range(N):
            for b in range(N):
                A[a, b] = tau * B[a, b]
            A[a, a] += p
        Cm = np.linalg.inv(A)
        trC = 0.0
        trCB = 0.0
        for a in range(N):
            trC += Cm[a, a].real
            for b in range(N):
                trCB += (Cm[a, b] * B[b, a]).real
        dFdtau = inv_snr / p + trCB
        coef_k = 2.0 * (-tau * inv_snr / p ** 2 + trC - N / p)
        scale = -1.0 / ((1.0 + tau) * np.log(2.0) * dFdtau)
        for j in range(C):
            if j == k:
                for a in range(N):
                    G[a, j] = scale * coef_k * X[a, j]
            else:
                y = Cm @ X[:, j].copy()
                for a in range(N):
                    G[a, j] = scale * 2.0 * tau * y[a]
        return G
    M = np.empty((N, N), dtype=np.complex128)
    for a in range(N):
        for b in range(N):
            M[a, b] = w[a] * np.conj(w[b]) - tau * B[a, b]
    mu, Vv = np.linalg.eigh(M)
    mu1 = mu[N - 1]
    d = np.empty(N)
    d1 = -tau * inv_snr / mu1 ** 2
    for n in range(N - 1):
        d[n] = -1.0 / (mu1 - mu[n])
        d1 += 1.0 / (mu1 - mu[n]) - 1.0 / mu1
    d[N - 1] = d1
    D = np.zeros((N, N), dtype=np.complex128)
    for n in range(N):
        for a in range(N):
            for b in range(N):
                D[a, b] += d[n] * Vv[a, n] * np.conj(Vv[b, n])
    trDB = 0.0
    for a in range(N):
        for b in range(N):
            trDB += (D[a, b] * B[b, a]).real
    dFdtau = inv_snr / mu1 - trDB
    scale = -1.0 / ((1.0 + tau) * np.log(2.0) * dFdtau)
    for j in range(C):
        y = D @ X[:, j].copy()
        c = 2.0 if j == k else -2.0 * tau
        for a in range(N):
            G[a, j] = scale * c * y[a]
    return G


# ----------------------------------------------------------------------------- Monte Carlo
@njit(cache=True, parallel=True)
def outage_monte_carlo_nb(X, n_streams, delta2, sigma2, thresholds, rates, seed, n_draws, chunk):
    """Count, over ``n_draws`` eavesdropper channels g ~ CN(0, delta2 I), the events
    SINR_{e,k} > thresholds[k] (secrecy outage, (7)) and SINR_{e,k} > 2^rates[k] - 1
    (intercept, (15)), for the first ``n_streams`` columns of X (the rest is AN).

    Counter-based: draw i uses its own splitmix64 stream seeded by (seed, i) (``_random``:
    ziggurat normals), so counts do not depend on the thread count or chunking. Memory is
    O(threads * N).
    Returns (outage_counts (K,), intercept_counts (K,)) as int64.
    """
    N, C = X.shape
    K = n_streams
    n_chunks = (n_draws + chunk - 1) // chunk
    out_c = np.zeros((n_chunks, K), dtype=np.int64)
    int_c = np.zeros((n_chunks, K), dtype=np.int64)
    sd = np.sqrt(delta2 / 2.0)
    xr = np.ascontiguousarray(X.T.real) * sd     # g = sd (a + j b) with a, b ~ N(0, I): scale X once
    xi = np.ascontiguousarray(X.T.imag) * sd
    icpt = np.empty(K)
    for k in range(K):
        icpt[k] = 2.0 ** rates[k] - 1.0
    for c in prange(n_chunks):
        gr = np.empty(N)
        gi = np.empty(N)
        y = np.empty(C)
        start = c * chunk
        stop = min(start + chunk, n_draws)
        for i in range(start, stop):
            state = draw_state(seed, i)
            for n in range(N):
                state, gr[n] = standard_normal(state)
                state, gi[n] = standard_normal(state)
            total = sigma2
            for j in range(C):
                sr = 0.0
                si = 0.0
                for n in range(N):          # g^H x_j on contiguous rows of X^T (split real / imag)
                    sr += gr[n] * xr[j, n] + gi[n] * xi[j, n]
                    si += gr[n] * xi[j, n] - gi[n] * xr[j, n]
                y[j] = sr * sr + si * si
                total += y[j]
            for k in range(K):
                sinr = y[k] / (total - y[k])
                if sinr > thresholds[k]:
                    out_c[c, k] += 1
                if sinr > icpt[k]:
                    int_c[c, k] += 1
    return out_c.sum(axis=0), int_c.sum(axis=0)
