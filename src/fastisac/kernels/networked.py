"""Validated public wrappers of the seed-000 (networked) kernels in :mod:`._networked`.

Each function checks its inputs (``ValueError`` naming the argument) and calls the
``*_nb`` kernel; library hot loops call the kernels directly on validated arrays.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_complex, as_float, as_hermitian, as_int, as_real
from ._networked import (admm_pair_local_nb, admm_pair_update_nb, admm_sum_local_nb, admm_sum_update_nb,
                         bs_power_nb, eve_geometry_nb, fim_kernel_matrices_nb, fim_received_nb,
                         fim_transmitted_nb, fusion_weights_nb, leakage_monte_carlo_nb, min_an_power_nb,
                         radar_response_derivatives_nb, radius_constants_nb, steering_paper_nb,
                         steering_position_derivative_nb, trace_inverse_2x2_nb, trs_max_nb, user_sinr_nb,
                         worst_case_leakage_joint_nb, worst_case_leakage_product_nb, worst_case_sinr_nb)

__all__ = ["eve_geometry", "steering_paper", "steering_position_derivative", "radar_response_derivatives",
           "fim_kernel_matrices", "fim_transmitted", "fim_received", "trace_inverse_2x2", "fusion_weights",
           "radius_constants", "trs_max", "worst_case_sinr", "min_an_power", "worst_case_leakage_product",
           "worst_case_leakage_joint", "user_sinr", "bs_power", "leakage_monte_carlo", "admm_pair_update",
           "admm_pair_local", "admm_sum_update", "admm_sum_local"]


def eve_geometry(bs_positions, eve_position):
    """(d (M,), theta (M,), dcos_dp (M, 2)) of Eve seen from each BS (spec 4.1 [D])."""
    q = as_real(bs_positions, "bs_positions", shape=(None, 2))
    p = as_real(eve_position, "eve_position", shape=(2,))
    if np.min(np.hypot(q[:, 0] - p[0], q[:, 1] - p[1])) <= 1e-9:
        raise ValueError("bs_positions: a BS coincides with the eavesdropper position")
    return eve_geometry_nb(q, p)


def steering_paper(n_antennas, theta):
    """a(theta) of eq. (9), [a]_n = exp(j pi n cos theta)."""
    return steering_paper_nb(as_int(n_antennas, "n_antennas", minimum=1), as_float(theta, "theta"))


def steering_position_derivative(n_antennas, theta, dist):
    """d a(theta(p))/dp_i, shape (2, N)."""
    return steering_position_derivative_nb(as_int(n_antennas, "n_antennas", minimum=1), as_float(theta, "theta"),
                                           as_float(dist, "dist", positive=True))


def radar_response_derivatives(n_antennas, theta, dist, alpha_radar):
    """dG_{m',m}/dp_i, shape (M, M, 2, N, N)."""
    n = as_int(n_antennas, "n_antennas", minimum=1)
    theta = as_real(theta, "theta", ndim=1)
    M = theta.shape[0]
    dist = as_real(dist, "dist", shape=(M,), positive=True)
    alpha_radar = as_complex(alpha_radar, "alpha_radar", shape=(M, M))
    return radar_response_derivatives_nb(n, theta, dist, alpha_radar)


def fim_kernel_matrices(dG, scale):
    """J (M, 3, N, N) with [Fbar_m]_ij = Re Tr(J^{(ij)}_m S_m), order (11, 22, 12)."""
    dG = as_complex(dG, "dG", ndim=5)
    return fim_kernel_matrices_nb(dG, as_float(scale, "scale", positive=True))


def _check_S(S, M, N):
    S = as_complex(S, "S", shape=(M, N, N))
    for m in range(M):
        as_hermitian(S[m], "S")
    return S


def fim_transmitted(J, S):
    """Fbar_m (M, 2, 2) from stage-1 covariances S (M, N, N) (92)."""
    J = as_complex(J, "J", ndim=4)
    M, _, N, _ = J.shape
    return fim_transmitted_nb(J, _check_S(S, M, N))


def fim_received(dG, S, scale):
    """F_m (M, 2, 2) received at BS m (67), direct formula."""
    dG = as_complex(dG, "dG", ndim=5)
    M, N = dG.shape[0], dG.shape[3]
    return fim_received_nb(dG, _check_S(S, M, N), as_float(scale, "scale", positive=True))


def trace_inverse_2x2(F):
    """Tr(F^{-1}) of a 2 x 2 symmetric F (closed form; inf if singular)."""
    return float(trace_inverse_2x2_nb(as_real(F, "F", shape=(2, 2))))


def fusion_weights(F_local):
    """(A* (M, 2, 2), Q_fused (2, 2)) of (74)-(75) in information form."""
    F = as_real(F_local, "F_local", ndim=3)
    if F.shape[1:] != (2, 2):
        raise ValueError(f"F_local: must have shape (M, 2, 2), got {F.shape}")
    Fs = F.sum(axis=0)
    if np.linalg.det(Fs) <= 0:
        raise ValueError("F_local: the summed Fisher information is singular")
    return fusion_weights_nb(F)


def radius_constants(n_antennas, alpha, dist, theta, kappa, beta_nlos):
    """(a_m, b_m) of (55)-(56)."""
    n = as_int(n_antennas, "n_antennas", minimum=1)
    alpha = as_real(alpha, "alpha", ndim=1, positive=True)
    M = alpha.shape[0]
    return radius_constants_nb(n, alpha, as_real(dist, "dist", shape=(M,), positive=True),
                               as_real(theta, "theta", shape=(M,)), as_float(kappa, "kappa", positive=True),
                               as_real(beta_nlos, "beta_nlos", shape=(M,), nonneg=True))


def trs_max(A, b, c, beta):
    """(value, mu, x) of max_{||x||<=beta} x^H A x + 2 Re(b^H x) + c."""
    A = as_hermitian(A, "A")
    b = as_complex(b, "b", shape=(A.shape[0],))
    return trs_max_nb(A, b, as_float(c, "c"), as_float(beta, "beta", nonneg=True))


def worst_case_sinr(W, R, gbar, beta, noise, rtol=1e-10):
    """(xi*, eta) worst-case Eve SINR over one ball (bisection + TRS)."""
    W = as_hermitian(W, "W", psd=True)
    R = as_hermitian(R, "R", psd=True)
    if R.shape != W.shape:
        raise ValueError(f"R: must have shape {W.shape}, got {R.shape}")
    g = as_complex(gbar, "gbar", shape=(W.shape[0],))
    return worst_case_sinr_nb(W, R, g, as_float(beta, "beta", nonneg=True), as_float(noise, "noise", positive=True),
                              as_float(rtol, "rtol", positive=True))


def min_an_power(R, gbar, beta):
    """(u, lambda): minimum AN power at Eve over one ball (81) and its multiplier."""
    R = as_hermitian(R, "R", psd=True)
    return min_an_power_nb(R, as_complex(gbar, "gbar", shape=(R.shape[0],)), as_float(beta, "beta", nonneg=True))


def _check_WR(W, R):
    W = as_complex(W, "W", ndim=5)
    I, M, K, N, _ = W.shape
    R = as_complex(R, "R", shape=(I, M, N, N))
    return W, R


def worst_case_leakage_product(W, R, gbar, beta, noise, rtol=1e-10):
    """Exact worst-case Eve SINR over the product of per-BS balls: (xi, eta, u, lam)."""
    W, R = _check_WR(W, R)
    I, M, K, N, _ = W.shape
    return worst_case_leakage_product_nb(W, R, as_complex(gbar, "gbar", shape=(M, N)),
                                         as_real(beta, "beta", shape=(I, M), nonneg=True),
                                         as_float(noise, "noise", positive=True), as_float(rtol, "rtol", positive=True))


def worst_case_leakage_joint(W, R, gbar, beta_joint, noise, rtol=1e-10):
    """Worst-case Eve SINR over the joint ball (47): (xi, eta)."""
    W, R = _check_WR(W, R)
    I, M, K, N, _ = W.shape
    return worst_case_leakage_joint_nb(W, R, as_complex(gbar, "gbar", shape=(M, N)),
                                       as_real(beta_joint, "beta_joint", shape=(I,), nonneg=True),
                                       as_float(noise, "noise", positive=True), as_float(rtol, "rtol", positive=True))


def user_sinr(h, W, R, noise):
    """SINR (5), shape (M, K)."""
    h = as_complex(h, "h", ndim=4)
    M, M2, K, N = h.shape
    if M2 != M:
        raise ValueError(f"h: must have shape (M, M, K, N), got {h.shape}")
    W = as_complex(W, "W", shape=(M, K, N, N))
    R = as_complex(R, "R", shape=(M, N, N))
    return user_sinr_nb(h, W, R, as_real(noise, "noise", shape=(M, K), positive=True))


def bs_power(W, R, tau):
    """Time-averaged per-BS power (19)."""
    W, R = _check_WR(W, R)
    return bs_power_nb(W, R, as_real(tau, "tau", shape=(W.shape[0],), nonneg=True))


def leakage_monte_carlo(W, R, bs_positions, positions, nlos, alpha, kappa, tau, noise):
    """Sampled two-stage leakage (S, M, K)."""
    W, R = _check_WR(W, R)
    I, M, K, N, _ = W.shape
    q = as_real(bs_positions, "bs_positions", shape=(M, 2))
    pos = as_real(positions, "positions", shape=(I, None, 2))
    nl = as_complex(nlos, "nlos", shape=(I, pos.shape[1], M, N))
    return leakage_monte_carlo_nb(W, R, q, pos, nl, as_real(alpha, "alpha", shape=(M,), positive=True),
                                  as_float(kappa, "kappa", positive=True), as_real(tau, "tau", shape=(I,), nonneg=True),
                                  as_float(noise, "noise", positive=True))


def admm_pair_update(y_out, z_in):
    y = as_real(y_out, "y_out", ndim=3)
    M, Mm1, K = y.shape
    if Mm1 != M - 1:
        raise ValueError(f"y_out: must have shape (M, M-1, K), got {y.shape}")
    return admm_pair_update_nb(y, as_real(z_in, "z_in", shape=(M, K)))


def admm_pair_local(e):
    return admm_pair_local_nb(as_real(e, "e", ndim=3))


def admm_sum_update(y_bar, y_own):
    y_own = as_real(y_own, "y_own", ndim=2)
    return admm_sum_update_nb(as_real(y_bar, "y_bar", shape=y_own.shape), y_own)


def admm_sum_local(x):
    return admm_sum_local_nb(as_real(x, "x", ndim=2))


def warmup() -> None:
    """Compile (or load from the cache) every seed-000 kernel once on tiny inputs (called by
    :func:`fastisac.kernels.warmup`)."""
    M, K, N, I = 2, 1, 2, 2
    q = np.array([[0.0, 0.0], [10.0, 0.0]])
    d, theta, _ = eve_geometry(q, np.array([5.0, 5.0]))
    steering_paper(N, 0.3)
    steering_position_derivative(N, 0.3, 5.0)
    dG = radar_response_derivatives(N, theta, d, np.ones((M, M), dtype=np.complex128))
    J = fim_kernel_matrices(dG, 1.0)
    S = np.stack([np.eye(N, dtype=np.complex128)] * M)
    F = fim_transmitted(J, S)
    fim_received(dG, S, 1.0)
    trace_inverse_2x2(np.eye(2))
    fusion_weights(F + np.eye(2))
    radius_constants(N, np.ones(M), d, theta, 1.0, np.ones(M))
    A = np.eye(N, dtype=np.complex128)
    g = np.ones(N, dtype=np.complex128)
    trs_max(A, g, 0.0, 0.5)
    worst_case_sinr(A, A, g, 0.5, 1.0)
    min_an_power(A, g, 0.5)
    W = np.zeros((I, M, K, N, N), dtype=np.complex128)
    W[...] = np.eye(N)
    R = np.zeros((I, M, N, N), dtype=np.complex128)
    R[...] = np.eye(N)
    gm = np.ones((M, N), dtype=np.complex128)
    worst_case_leakage_product(W, R, gm, np.full((I, M), 0.5), 1.0)
    worst_case_leakage_joint(W, R, gm, np.full(I, 0.5), 1.0)
    user_sinr(np.ones((M, M, K, N), dtype=np.complex128), W[0], R[0], np.ones((M, K)))
    bs_power(W, R, np.full(I, 0.5))
    leakage_monte_carlo(W, R, q, np.tile(np.array([[5.0, 5.0]]), (I, 1, 1)), np.zeros((I, 1, M, N), dtype=np.complex128),
                        np.ones(M), 1.0, np.full(I, 0.5), 1.0)
    admm_pair_update(np.zeros((M, M - 1, K)), np.zeros((M, K)))
    admm_pair_local(np.zeros((M, M - 1, K)))
    admm_sum_update(np.zeros((M, K)), np.zeros((M, K)))
    admm_sum_local(np.zeros((M, K)))
