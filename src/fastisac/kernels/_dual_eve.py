"""Seed 003 (dual_eve) batched metrics: eqs. (7)-(17) through the reduced scalars of spec 2.5.

Every sensing / eavesdropping quantity depends on (Q, S) only through
``s_t = h_ce^H S h_ce`` and ``a_k = h_ce^H Q_k h_ce`` (spec 2.5); only the user SINR
needs the full quadratic forms ``h_k X h_k^H``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._linalg import _qf


@njit(cache=True, parallel=True)
def dual_eve_metrics_nb(Q, S, h, hce, he, sigma_k2, sigma_t2, sigma_b2):
    """Batched (7)-(17).

    Q (M,K,N,N), S (M,N,N), h (M,K,N) effective row channels h_k = g_k^H + h_e,k h_ce^H,
    hce (N,) column, he (M,K) complex target->CU gains, sigma_k2 (K,).
    Returns sinr_u (M,K), sinr_t (M,K), scnr_b (M,), scnr_u (M,K), power (M,), sr (M,)
    with sr = sum_k [log2(1+sinr_u) - log2(1+sinr_t)]^+ in bps/Hz.
    """
    M, K, N, _ = Q.shape
    hce_row = np.conj(hce)
    rho = 0.0
    for i in range(N):
        rho += hce[i].real ** 2 + hce[i].imag ** 2
    sinr_u = np.empty((M, K))
    sinr_t = np.empty((M, K))
    scnr_u = np.empty((M, K))
    scnr_b = np.empty(M)
    power = np.empty(M)
    sr = np.empty(M)
    for m in prange(M):
        a = np.empty(K)
        A = 0.0
        tr = 0.0
        for k in range(K):
            a[k] = _qf(hce_row, Q[m, k])
            A += a[k]
            for i in range(N):
                tr += Q[m, k, i, i].real
        st = _qf(hce_row, S[m])
        for i in range(N):
            tr += S[m, i, i].real
        power[m] = tr
        scnr_b[m] = rho * st / (sigma_b2 + rho * A)
        total = 0.0
        for k in range(K):
            hk = h[m, k]
            sig = _qf(hk, Q[m, k])
            interf = _qf(hk, S[m])
            for j in range(K):
                if j != k:
                    interf += _qf(hk, Q[m, j])
            sinr_u[m, k] = sig / (sigma_k2[k] + interf)
            sinr_t[m, k] = a[k] / (sigma_t2 + st + A - a[k])
            g2 = he[m, k].real ** 2 + he[m, k].imag ** 2
            scnr_u[m, k] = g2 * (st + a[k]) / (sigma_k2[k] + g2 * (A - a[k]))
            total += max(np.log2(1.0 + sinr_u[m, k]) - np.log2(1.0 + sinr_t[m, k]), 0.0)
        sr[m] = total
    return sinr_u, sinr_t, scnr_b, scnr_u, power, sr
