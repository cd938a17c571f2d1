"""NumPy twins of the seed-000 (networked) kernels (test oracle / benchmark baseline).

Written plainly: einsum for the FIM, ``np.linalg.inv`` for the CRB and fusion, dense
selection matrices and ``np.linalg.solve`` for the ADMM global step (140)-(143), and a
plain bisection on the multiplier for the trust-region subproblem.
"""

from __future__ import annotations

import numpy as np


def eve_geometry(bs_positions, eve_position):
    q = np.asarray(bs_positions, float)
    p = np.asarray(eve_position, float)
    v = p[None, :] - q
    d = np.linalg.norm(v, axis=1)
    theta = np.arctan2(v[:, 1], v[:, 0])
    dcos = (np.sin(theta) / d)[:, None] * np.stack([np.sin(theta), -np.cos(theta)], axis=1)
    return d, theta, dcos


def steering_paper(n_antennas, theta):
    return np.exp(1j * np.pi * np.arange(n_antennas) * np.cos(theta))


def steering_position_derivative(n_antennas, theta, dist):
    n = np.arange(n_antennas)
    dcos = np.sin(theta) / dist * np.array([np.sin(theta), -np.cos(theta)])
    return 1j * np.pi * n[None, :] * steering_paper(n_antennas, theta)[None, :] * dcos[:, None]


def radar_response_derivatives(n_antennas, theta, dist, alpha_radar):
    M = len(theta)
    A = np.array([steering_paper(n_antennas, t) for t in theta])
    dA = np.array([steering_position_derivative(n_antennas, t, d) for t, d in zip(theta, dist)])
    # out[mt, mr, i] = alpha (dA[mr,i] a[mt]^H + a[mr] dA[mt,i]^H)
    out = np.empty((M, M, 2, n_antennas, n_antennas), complex)
    for mt in range(M):
        for mr in range(M):
            for i in range(2):
                out[mt, mr, i] = alpha_radar[mt, mr] * (np.outer(dA[mr, i], A[mt].conj())
                                                        + np.outer(A[mr], dA[mt, i].conj()))
    return out


def fim_kernel_matrices(dG, scale):
    pairs = ((0, 0), (1, 1), (0, 1))
    M = dG.shape[0]
    N = dG.shape[3]
    J = np.zeros((M, 3, N, N), complex)
    for q, (i, j) in enumerate(pairs):
        Gi, Gj = dG[:, :, i], dG[:, :, j]
        H = np.einsum("trba,trbc->tac", Gi.conj(), Gj)
        J[:, q] = 0.5 * scale * (H + np.conj(np.swapaxes(H, -1, -2)))
    return J


def fim_transmitted(J, S):
    v = np.real(np.einsum("mqab,mba->mq", J, S))
    F = np.empty((J.shape[0], 2, 2))
    F[:, 0, 0], F[:, 1, 1], F[:, 0, 1], F[:, 1, 0] = v[:, 0], v[:, 1], v[:, 2], v[:, 2]
    return F


def fim_received(dG, S, scale):
    # [F_m]_ij = scale Re Tr(sum_{m'} dG^(j)_{m',m} S_{m'} dG^(i)H_{m',m})
    return scale * np.real(np.einsum("trjab,tbc,triac->rij", dG, S, dG.conj()))


def trace_inverse_2x2(F):
    return float(np.trace(np.linalg.inv(F)))


def fusion_weights(F_local):
    Q = np.linalg.inv(F_local)
    Qf = np.linalg.inv(np.sum(np.linalg.inv(Q), axis=0))
    A = np.array([Qf @ np.linalg.inv(Qm) for Qm in Q])
    return A, Qf


def radius_constants(n_antennas, alpha, dist, theta, kappa, beta_nlos):
    N = n_antennas
    c = np.sqrt(N * (N - 1) * (2 * N - 1) / 6)
    a = dist / (3 * np.pi * alpha * np.abs(np.sin(theta)) * np.sqrt(kappa / (1 + kappa)) * c)
    b = alpha * np.asarray(beta_nlos) * np.sqrt(1 / (1 + kappa))
    return a, b


def trs_max(A, b, c, beta):
    """Plain bisection on the multiplier (and the two special cases)."""
    lam, U = np.linalg.eigh(A)
    bt = U.conj().T @ b
    f = lambda x: float(np.real(x.conj() @ A @ x + 2 * np.real(b.conj() @ x)) + c)
    if lam[-1] < 0:
        x = -np.linalg.solve(A, b)
        if np.linalg.norm(x) <= beta:
            return f(x), 0.0, x
    lo = max(lam[-1], 0.0)
    top = lam >= lam[-1] - 1e-10 * max(abs(lam).max(), 1e-300)
    if lam[-1] >= 0 and np.all(np.abs(bt[top]) <= 1e-13 * max(np.linalg.norm(b), 1e-300)):
        xt = np.zeros_like(bt)
        xt[~top] = bt[~top] / (lo - lam[~top])
        if np.linalg.norm(xt) <= beta:
            xt[np.argmax(lam)] += np.sqrt(beta ** 2 - np.linalg.norm(xt) ** 2)
            x = U @ xt
            return f(x), lo, x
    hi = lo + np.linalg.norm(b) / beta + 1e-300
    for _ in range(300):
        mu = 0.5 * (lo + hi)
        if np.linalg.norm(bt / (mu - lam)) > beta:
            lo = mu
        else:
            hi = mu
    mu = hi
    x = U @ (bt / (mu - lam))
    return f(x), mu, x


def worst_case_sinr(W, R, gbar, beta, noise, rtol=1e-10):
    gn = np.linalg.norm(gbar)
    hi = max(np.linalg.eigvalsh(W)[-1], 0) * (gn + beta) ** 2 / noise
    if hi <= 0:
        return 0.0, 0.0
    lo = 0.0
    while hi - lo > rtol * hi:
        mid = 0.5 * (lo + hi)
        Mx = W - mid * R
        v = trs_max(Mx, Mx @ gbar, float(np.real(gbar.conj() @ Mx @ gbar)) - mid * noise, beta)[0]
        lo, hi = (lo, mid) if v <= 0 else (mid, hi)
    Mx = W - hi * R
    return hi, trs_max(Mx, Mx @ gbar, float(np.real(gbar.conj() @ Mx @ gbar)) - hi * noise, beta)[1]


def min_an_power(R, gbar, beta):
    v, mu, _ = trs_max(-R, -(R @ gbar), -float(np.real(gbar.conj() @ R @ gbar)), beta)
    return max(-v, 0.0), mu


def worst_case_leakage_product(W, R, gbar, beta, noise, rtol=1e-10):
    I, M, K = W.shape[:3]
    u = np.zeros((I, M))
    lam = np.zeros((I, M))
    for i in range(I):
        for m in range(M):
            u[i, m], lam[i, m] = min_an_power(R[i, m], gbar[m], beta[i, m])
    xi = np.zeros((I, M, K))
    eta = np.zeros((I, M, K))
    for i in range(I):
        for m in range(M):
            for k in range(K):
                xi[i, m, k], eta[i, m, k] = worst_case_sinr(W[i, m, k], R[i, m], gbar[m], beta[i, m],
                                                            noise + u[i].sum() - u[i, m], rtol)
    return xi, eta, u, lam


def worst_case_leakage_joint(W, R, gbar, beta_joint, noise, rtol=1e-10):
    from scipy.linalg import block_diag
    I, M, K, N = W.shape[:4]
    g = gbar.reshape(-1)
    xi = np.zeros((I, M, K))
    eta = np.zeros((I, M, K))
    for i in range(I):
        Rb = block_diag(*R[i])
        for m in range(M):
            for k in range(K):
                Wb = np.zeros((M * N, M * N), complex)
                Wb[m * N:(m + 1) * N, m * N:(m + 1) * N] = W[i, m, k]
                xi[i, m, k], eta[i, m, k] = worst_case_sinr(Wb, Rb, g, beta_joint[i], noise, rtol)
    return xi, eta


def user_sinr(h, W, R, noise):
    # p[t, m, k, j] = h_{t,m,k}^H W_{t,j} h_{t,m,k}
    p = np.real(np.einsum("tmka,tjab,tmkb->tmkj", h.conj(), W, h))
    an = np.real(np.einsum("tmka,tab,tmkb->mk", h.conj(), R, h))
    M, K = noise.shape
    sig = np.array([[p[m, m, k, k] for k in range(K)] for m in range(M)])
    return sig / (p.sum(axis=(0, 3)) - sig + an + noise)


def bs_power(W, R, tau):
    tr = np.real(np.trace(W, axis1=-2, axis2=-1)).sum(axis=2) + np.real(np.trace(R, axis1=-2, axis2=-1))
    return np.asarray(tau) @ tr


def leakage_monte_carlo(W, R, bs_positions, positions, nlos, alpha, kappa, tau, noise):
    I, M, K, N = W.shape[:4]
    S = positions.shape[1]
    out = np.zeros((S, M, K))
    n = np.arange(N)
    for i in range(I):
        v = positions[i][:, None, :] - np.asarray(bs_positions)[None]
        th = np.arctan2(v[..., 1], v[..., 0])                      # (S, M)
        a = np.exp(1j * np.pi * n * np.cos(th)[..., None])          # (S, M, N)
        g = alpha[None, :, None] * (np.sqrt(kappa / (1 + kappa)) * a + np.sqrt(1 / (1 + kappa)) * nlos[i])
        num = np.real(np.einsum("sma,mkab,smb->smk", g.conj(), W[i], g))
        den = np.real(np.einsum("sma,mab,smb->s", g.conj(), R[i], g)) + noise
        out += tau[i] * np.log2(1 + num / den[:, None, None])
    return out


def admm_selection_matrices(M, K):
    """Dense E_m (MK x M(M-1)K) and U_m (2 x M) of spec 4.6 [D] (global order a, b != a, k)."""
    idx = {}
    for a in range(M):
        for j, b in enumerate([x for x in range(M) if x != a]):
            for k in range(K):
                idx[(a, b, k)] = (a * (M - 1) + j) * K + k
    E = []
    for m in range(M):
        Em = np.zeros((M * K, M * (M - 1) * K))
        for k in range(K):
            for a in range(M):
                if a != m:
                    Em[k, idx[(a, m, k)]] = 1
        for j, b in enumerate([x for x in range(M) if x != m]):
            for k in range(K):
                Em[K + j * K + k, idx[(m, b, k)]] = 1
        E.append(Em)
    U = [np.vstack([1 - np.eye(M)[m], np.eye(M)[m]]) for m in range(M)]
    return E, U


def admm_pair_update(y_out, z_in):
    M, Mm1, K = y_out.shape
    E, _ = admm_selection_matrices(M, K)
    lhs = sum(Em.T @ Em for Em in E)
    rhs = sum(E[m].T @ np.concatenate([z_in[m], y_out[m].reshape(-1)]) for m in range(M))
    return np.linalg.solve(lhs, rhs).reshape(M, Mm1, K)


def admm_sum_update(y_bar, y_own):
    M, d = y_own.shape
    _, U = admm_selection_matrices(M, 1)
    Ut = [np.kron(Um, np.eye(d)) for Um in U]
    lhs = sum(T.T @ T for T in Ut)
    rhs = sum(Ut[m].T @ np.concatenate([y_bar[m], y_own[m]]) for m in range(M))
    return np.linalg.solve(lhs, rhs).reshape(M, d)
