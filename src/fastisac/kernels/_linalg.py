"""Quadratic forms and Hermitian eigen helpers.

Row-vector convention: a channel ``h`` of shape (N,) acts as a 1 x N row, so the
received power of covariance X is ``h X h^H`` (a column channel g enters as h = g^H,
i.e. pass ``conj(g)``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _qf(h, X):
    n = h.shape[0]
    acc = 0.0
    for a in range(n):
        row = 0.0 + 0.0j
        for b in range(n):
            row += X[a, b] * np.conj(h[b])
        acc += (h[a] * row).real
    return acc


@njit(cache=True)
def quadratic_form_nb(h, X):
    """Real part of h X h^H for one row vector h and one matrix X."""
    return _qf(h, X)


@njit(cache=True, parallel=True)
def quadratic_forms_nb(h, X):
    """out[m, k, j] = Re(h[m, k] X[m, j] h[m, k]^H); h (M, K, N), X (M, J, N, N)."""
    M, K, _ = h.shape
    J = X.shape[1]
    out = np.empty((M, K, J), dtype=np.float64)
    for m in prange(M):
        for k in range(K):
            for j in range(J):
                out[m, k, j] = _qf(h[m, k], X[m, j])
    return out


@njit(cache=True, parallel=True)
def principal_eigenpairs_nb(X):
    """Largest two eigenvalues and the principal unit eigenvector of each Hermitian X[m].

    Returns (lam1 (M,), lam2 (M,), u1 (M, N)); lam2 is 0 for N = 1.
    """
    M, N, _ = X.shape
    lam1 = np.empty(M, dtype=np.float64)
    lam2 = np.zeros(M, dtype=np.float64)
    u1 = np.empty((M, N), dtype=np.complex128)
    for m in prange(M):
        A = 0.5 * (X[m] + np.conj(X[m]).T)
        w, V = np.linalg.eigh(A)
        lam1[m] = w[N - 1]
        if N > 1:
            lam2[m] = w[N - 2]
        # fix the phase: first non-negligible entry real positive (deterministic output)
        v = V[:, N - 1].copy()
        idx = 0
        best = 0.0
        for i in range(N):
            if abs(v[i]) > best + 1e-12:
                best = abs(v[i])
                idx = i
        ph = v[idx] / abs(v[idx]) if abs(v[idx]) > 0 else 1.0 + 0.0j
        for i in range(N):
            u1[m, i] = v[i] / ph
    return lam1, lam2, u1


@njit(cache=True, parallel=True)
def rank_one_extract_nb(X, off_tol):
    """w[m] = sqrt(lam1) u1 and the ratio lam2/lam1 of each Hermitian PSD X[m].

    A matrix whose lam1 <= off_tol * max(trace, tiny) is "switched off": w = 0,
    ratio = 0 and active[m] = False (never a division by a negligible lam1).
    """
    lam1, lam2, u1 = principal_eigenpairs_nb(X)
    M, N, _ = X.shape
    w = np.zeros((M, N), dtype=np.complex128)
    ratio = np.zeros(M, dtype=np.float64)
    active = np.zeros(M, dtype=np.bool_)
    for m in prange(M):
        tr = 0.0
        for i in range(N):
            tr += X[m, i, i].real
        if lam1[m] > off_tol * max(abs(tr), 1e-300) and lam1[m] > 0.0:
            active[m] = True
            s = np.sqrt(lam1[m])
            for i in range(N):
                w[m, i] = s * u1[m, i]
            ratio[m] = max(lam2[m], 0.0) / lam1[m]
    return w, ratio, active


@njit(cache=True)
def sample_from_covariance_nb(X, z):
    """Rows z[l] ~ CN(0, I) mapped to CN(0, X): w_l = U diag(sqrt(max(lam,0))) z_l."""
    N = X.shape[0]
    A = 0.5 * (X + np.conj(X).T)
    lam, U = np.linalg.eigh(A)
    F = np.empty((N, N), dtype=np.complex128)
    for j in range(N):
        s = np.sqrt(max(lam[j], 0.0))
        for i in range(N):
            F[i, j] = U[i, j] * s
    # one BLAS call: rows of z times F^T
    return np.dot(np.ascontiguousarray(z), np.ascontiguousarray(F.T))


@njit(cache=True, parallel=True)
def outer_products_nb(W):
    """Q[m, k] = w_mk w_mk^H for beamformers W (M, K, N)."""
    M, K, N = W.shape
    Q = np.empty((M, K, N, N), dtype=np.complex128)
    for m in prange(M):
        for k in range(K):
            for i in range(N):
                for j in range(N):
                    Q[m, k, i, j] = W[m, k, i] * np.conj(W[m, k, j])
    return Q
