"""Link metrics from received powers: SINR, rate, secrecy rate (shared by all papers)."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def sinr_users_nb(gains, noise, extra):
    """SINR[m, k] = g[m,k,k] / (noise[k] + sum_{j!=k} g[m,k,j] + extra[m,k]).

    gains[m, k, j] = power of stream j received by user k (e.g. h_k Q_j h_k^H).
    """
    M, K, _ = gains.shape
    out = np.empty((M, K), dtype=np.float64)
    for m in prange(M):
        for k in range(K):
            interf = 0.0
            for j in range(K):
                if j != k:
                    interf += gains[m, k, j]
            out[m, k] = gains[m, k, k] / (noise[k] + interf + extra[m, k])
    return out


@njit(cache=True, parallel=True)
def sinr_eavesdroppers_nb(gains, noise, extra):
    """SINR[m, e, k] = g[m,e,k] / (noise[e] + sum_{j!=k} g[m,e,j] + extra[m,e]).

    gains[m, e, k] = power of stream k received by eavesdropper e; no SIC.
    """
    M, E, K = gains.shape
    out = np.empty((M, E, K), dtype=np.float64)
    for m in prange(M):
        for e in range(E):
            total = 0.0
            for j in range(K):
                total += gains[m, e, j]
            for k in range(K):
                out[m, e, k] = gains[m, e, k] / (noise[e] + total - gains[m, e, k] + extra[m, e])
    return out


@njit(cache=True)
def rate_nb(sinr):
    """log2(1 + sinr) elementwise on a flat array (bps/Hz)."""
    out = np.empty_like(sinr)
    for i in range(sinr.shape[0]):
        out[i] = np.log2(1.0 + sinr[i])
    return out


@njit(cache=True, parallel=True)
def secrecy_rate_nb(rate_user, rate_eve):
    """[R_u[m,k] - max_e R_e[m,e,k]]^+ for every user k of every batch m."""
    M, K = rate_user.shape
    E = rate_eve.shape[1]
    out = np.empty((M, K), dtype=np.float64)
    for m in prange(M):
        for k in range(K):
            worst = 0.0
            for e in range(E):
                if rate_eve[m, e, k] > worst:
                    worst = rate_eve[m, e, k]
            out[m, k] = max(rate_user[m, k] - worst, 0.0)
    return out
