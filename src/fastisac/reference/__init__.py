"""Layer 2 reference: never called by the library; test oracle and benchmark baseline.

Plain NumPy twins of every public kernel of :mod:`fastisac.kernels` (except ``warmup``):
same names, signatures and return conventions, written the way a researcher would
write them in NumPy (``np.exp``, ``np.einsum``, ``np.linalg.eigh``), with no input
validation. ``dual_eve_metrics`` deliberately uses the full matrix formulas (8), (12),
(14), (17) of seed 003 rather than the reduced scalars of spec 2.5, so comparing it
with the kernel also checks that reduction.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "steering_ula", "steering_ula_derivative", "steering_ula_batch", "steering_ula_derivative_batch",
    "beampattern", "quadratic_form", "quadratic_forms", "outer_products", "principal_eigenpairs",
    "rank_one_extract", "sample_from_covariance", "sinr_users", "sinr_eavesdroppers", "rate",
    "secrecy_rate", "dual_eve_metrics",
]


# --------------------------------------------------------------------------- array response

def steering_ula_batch(n_antennas, thetas, spacing=0.5):
    """a_n(theta_t) = exp(j 2 pi spacing n sin theta_t), shape (n_angles, N)."""
    n = np.arange(n_antennas)
    thetas = np.asarray(thetas, dtype=np.float64)
    return np.exp(1j * 2.0 * np.pi * spacing * np.outer(np.sin(thetas), n))


def steering_ula_derivative_batch(n_antennas, thetas, spacing=0.5):
    """d a / d theta = j 2 pi spacing n cos(theta) a(theta), shape (n_angles, N)."""
    n = np.arange(n_antennas)
    thetas = np.asarray(thetas, dtype=np.float64)
    a = steering_ula_batch(n_antennas, thetas, spacing)
    return 1j * 2.0 * np.pi * spacing * np.outer(np.cos(thetas), n) * a


def steering_ula(n_antennas, theta, spacing=0.5):
    """Steering vector a(theta), shape (N,)."""
    return steering_ula_batch(n_antennas, [theta], spacing)[0]


def steering_ula_derivative(n_antennas, theta, spacing=0.5):
    """d a(theta) / d theta, shape (N,)."""
    return steering_ula_derivative_batch(n_antennas, [theta], spacing)[0]


def beampattern(X, thetas, spacing=0.5):
    """P(theta) = Re(a(theta)^H X a(theta)) on an angle grid, shape (n_angles,)."""
    X = np.asarray(X, dtype=np.complex128)
    A = steering_ula_batch(X.shape[0], thetas, spacing)          # rows a(theta_t)^T
    return np.einsum("ti,ij,tj->t", A.conj(), X, A).real


# --------------------------------------------------------------------------- quadratic forms

def quadratic_form(h, X):
    """Re(h X h^H) for a row channel h (N,)."""
    h = np.asarray(h, dtype=np.complex128)
    return float(np.real(h @ np.asarray(X) @ h.conj()))


def quadratic_forms(h, X):
    """out[..., k, j] = Re(h_k X_j h_k^H); (K,N)x(J,N,N) -> (K,J), (M,K,N)x(M,J,N,N) -> (M,K,J)."""
    h = np.asarray(h, dtype=np.complex128)
    X = np.asarray(X, dtype=np.complex128)
    hX = h[..., None, :, :] @ X                                  # [..., j, k, :] = h_k X_j
    return np.einsum("...jkp,...kp->...kj", hX, h.conj()).real


def outer_products(W):
    """Q[..., k] = w_k w_k^H: (K,N) -> (K,N,N), (M,K,N) -> (M,K,N,N)."""
    W = np.asarray(W, dtype=np.complex128)
    return W[..., :, None] * W[..., None, :].conj()


# --------------------------------------------------------------------------- eigen helpers

def principal_eigenpairs(X):
    """(lam1 (M,), lam2 (M,), u1 (M,N)) of each Hermitian X[m].

    Phase convention as in the kernel: u1 is scaled so that its entry of largest
    modulus is real positive (on near-ties, the first index whose modulus exceeds the
    running best by more than 1e-12).
    """
    X = np.asarray(X, dtype=np.complex128)
    M, N, _ = X.shape
    lam, V = np.linalg.eigh(0.5 * (X + np.conj(np.swapaxes(X, -1, -2))))
    lam1 = lam[:, -1]
    lam2 = lam[:, -2] if N > 1 else np.zeros(M)
    v = V[:, :, -1]
    mod = np.abs(v)
    idx = np.zeros(M, dtype=np.intp)
    best = np.zeros(M)
    for i in range(N):                                         # same tie rule as the kernel
        better = mod[:, i] > best + 1e-12
        idx = np.where(better, i, idx)
        best = np.where(better, mod[:, i], best)
    pivot = v[np.arange(M), idx]
    amp = np.abs(pivot)
    phase = np.where(amp > 0, pivot / np.where(amp > 0, amp, 1.0), 1.0)
    return lam1.copy(), np.asarray(lam2, dtype=np.float64).copy(), v / phase[:, None]


def rank_one_extract(X, off_tol=1e-9):
    """(w (M,N), ratio (M,), active (M,)): w = sqrt(lam1) u1, ratio = lam2 / lam1.

    Inactive (lam1 <= off_tol * max(|trace|, 1e-300) or lam1 <= 0): w = 0, ratio = 0.
    """
    X = np.asarray(X, dtype=np.complex128)
    lam1, lam2, u1 = principal_eigenpairs(X)
    tr = np.abs(np.trace(X, axis1=-2, axis2=-1).real)
    active = (lam1 > off_tol * np.maximum(tr, 1e-300)) & (lam1 > 0.0)
    safe = np.where(active, lam1, 1.0)
    w = np.where(active[:, None], np.sqrt(safe)[:, None] * u1, 0.0).astype(np.complex128)
    ratio = np.where(active, np.maximum(lam2, 0.0) / safe, 0.0)
    return w, ratio, active


def sample_from_covariance(X, z):
    """Rows z[l] ~ CN(0, I) mapped to CN(0, X): w_l = U diag(sqrt(max(lam, 0))) z_l."""
    X = np.asarray(X, dtype=np.complex128)
    lam, U = np.linalg.eigh(0.5 * (X + X.conj().T))
    F = U * np.sqrt(np.maximum(lam, 0.0))
    return np.asarray(z, dtype=np.complex128) @ F.T


# --------------------------------------------------------------------------- link metrics

def _off_diagonal_sum(G):
    """sum_{j != k} G[..., k, j] for a square last-two-axes array."""
    K = G.shape[-1]
    return np.sum(G * (1.0 - np.eye(K)), axis=-1)


def sinr_users(gains, noise, extra=None):
    """SINR[m,k] = gains[m,k,k] / (noise[k] + sum_{j!=k} gains[m,k,j] + extra[m,k])."""
    gains = np.asarray(gains, dtype=np.float64)
    extra = 0.0 if extra is None else np.asarray(extra, dtype=np.float64)
    signal = np.diagonal(gains, axis1=1, axis2=2)
    return signal / (np.asarray(noise)[None, :] + _off_diagonal_sum(gains) + extra)


def sinr_eavesdroppers(gains, noise, extra=None):
    """SINR[m,e,k] = gains[m,e,k] / (noise[e] + sum_{j!=k} gains[m,e,j] + extra[m,e])."""
    gains = np.asarray(gains, dtype=np.float64)
    K = gains.shape[2]
    extra = 0.0 if extra is None else np.asarray(extra, dtype=np.float64)[:, :, None]
    interf = gains @ (1.0 - np.eye(K))                          # [m,e,k] = sum_{j != k} g[m,e,j]
    return gains / (np.asarray(noise)[None, :, None] + interf + extra)


def rate(sinr):
    """log2(1 + SINR), any shape."""
    return np.log2(1.0 + np.asarray(sinr, dtype=np.float64))


def secrecy_rate(rate_user, rate_eve):
    """[R_u[m,k] - max_e R_e[m,e,k]]^+, (M,K) and (M,E,K) -> (M,K)."""
    worst = np.max(np.asarray(rate_eve, dtype=np.float64), axis=1, initial=0.0)
    return np.maximum(np.asarray(rate_user, dtype=np.float64) - worst, 0.0)


def dual_eve_metrics(Q, S, h, hce, he, sigma_k2, sigma_t2, sigma_b2):
    """Seed 003 metrics with the full matrix formulas (8), (12), (14), (16), (17), (4).

    Q (M,K,N,N), S (M,N,N), h (M,K,N) rows, hce (N,) column, he (M,K), sigma_k2 (K,).
    Returns dict sinr_u, sinr_t, scnr_u (M,K); scnr_b, power, sr (M,).
    """
    Q = np.asarray(Q, dtype=np.complex128)
    S = np.asarray(S, dtype=np.complex128)
    h = np.asarray(h, dtype=np.complex128)
    hce = np.asarray(hce, dtype=np.complex128)
    he = np.asarray(he, dtype=np.complex128)
    sigma_k2 = np.asarray(sigma_k2, dtype=np.float64)

    qf = quadratic_forms                                       # Re(r X r^H): (M,K,N),(M,J,N,N)->(M,K,J)

    # (8): CU SINR with the effective row channels h_k
    G = qf(h, Q)                                               # G[m,k,i] = h_k Q_i h_k^H
    hSh = qf(h, S[:, None])[..., 0]                            # h_k S h_k^H
    sinr_u = np.diagonal(G, axis1=1, axis2=2) / (sigma_k2 + _off_diagonal_sum(G) + hSh)

    # (12): SCNR at the BS, H_ce = hce hce^H
    Hce = np.outer(hce, hce.conj())
    HceH = Hce.conj().T

    def tr_echo(X):                                            # Tr(H_ce X H_ce^H) = Tr(H_ce^H H_ce X)
        return np.einsum("ij,...ji->...", HceH @ Hce, X).real

    scnr_b = tr_echo(S) / (sigma_b2 + tr_echo(Q).sum(axis=1))

    # (14): target (communication eavesdropper) SINR for each stream k
    def at_target(X):                                          # hce^H X hce
        return np.einsum("n,...np,p->...", hce.conj(), X, hce).real

    a = at_target(Q)                                           # (M,K)
    st = at_target(S)                                          # (M,)
    sinr_t = a / (sigma_t2 + st[:, None] + a @ (1.0 - np.eye(a.shape[1])))

    # (17): echo SCNR at CU k (sensing eavesdropper), h_se,k = he_k hce^H (row)
    hse = he[:, :, None] * hce.conj()[None, None, :]
    Gse = qf(hse, Q)                                           # h_se,k Q_i h_se,k^H
    sSe = qf(hse, S[:, None])[..., 0]                          # h_se,k S h_se,k^H
    scnr_u = (sSe + np.diagonal(Gse, axis1=1, axis2=2)) / (sigma_k2 + _off_diagonal_sum(Gse))

    # (4) power, (16) secrecy sum rate
    power = np.trace(Q, axis1=-2, axis2=-1).real.sum(axis=1) + np.trace(S, axis1=-2, axis2=-1).real
    sr = np.maximum(np.log2(1.0 + sinr_u) - np.log2(1.0 + sinr_t), 0.0).sum(axis=1)
    return dict(sinr_u=sinr_u, sinr_t=sinr_t, scnr_b=scnr_b, scnr_u=scnr_u, power=power, sr=sr)
