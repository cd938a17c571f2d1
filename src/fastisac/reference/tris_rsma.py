"""NumPy twins of the seed 004 (tris_rsma) kernels (test oracle and benchmark baseline).

Written the plain way: ``np.kron`` steering vectors, a brute-force worst case by bisection
on the level with the S-lemma dual (max over the multiplier of lambda_min of the (N+1)-order
LMI (67) by a dense grid + golden refinement), ``scipy.stats`` for chi-square, a plain
Monte Carlo with ``numpy.random.Generator``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["steering_upa", "steering_upa_derivatives", "steering_upa_batch", "beampattern_upa", "trust_region_min",
           "worst_lu_sinr", "worst_iu_sinr", "lu_bernstein_margin", "greedy_slot_durations", "detection_probability",
           "tris_fim", "outage_verify", "tris_rsma_evaluate", "noma_sic_order", "sic_masks",
           "tma_mapping", "tma_first_harmonic", "tma_harmonic_loss_db"]


def steering_upa(n_rows, n_cols, azimuth, pitch, spacing=0.5):
    ur = np.sin(pitch) * np.cos(azimuth)
    uc = np.sin(pitch) * np.sin(azimuth)
    return np.kron(np.exp(-2j * np.pi * spacing * ur * np.arange(n_rows)),
                   np.exp(-2j * np.pi * spacing * uc * np.arange(n_cols)))


def steering_upa_derivatives(n_rows, n_cols, azimuth, pitch, spacing=0.5):
    nr = np.repeat(np.arange(n_rows), n_cols)
    nc = np.tile(np.arange(n_cols), n_rows)
    a = steering_upa(n_rows, n_cols, azimuth, pitch, spacing)
    k = -2j * np.pi * spacing
    da = k * np.sin(pitch) * (-np.sin(azimuth) * nr + np.cos(azimuth) * nc) * a
    dp = k * np.cos(pitch) * (np.cos(azimuth) * nr + np.sin(azimuth) * nc) * a
    return da, dp


def steering_upa_batch(n_rows, n_cols, azimuths, pitches, spacing=0.5):
    return np.stack([steering_upa(n_rows, n_cols, a, p, spacing) for a, p in zip(azimuths, pitches)])


def beampattern_upa(X, n_rows, n_cols, azimuths, pitches, spacing=0.5):
    A = steering_upa_batch(n_rows, n_cols, azimuths, pitches, spacing)
    return np.real(np.einsum("gn,nm,gm->g", A.conj(), X, A))


def trust_region_min(U, h, eps):
    """Dual of the S-lemma: max_{t >= 0} lambda_min-based value, by a fine grid on t then golden search."""
    N = h.shape[0]
    lam_min = np.linalg.eigvalsh(U)[0]

    def dual(t):
        # min f = max_t [ min_u (h+D)^H U (h+D) + t(|D|^2 - eps^2) ] ; for U + tI > 0:
        # inner min over D: h^H U h - (U h)^H (U + t I)^{-1} (U h) - t eps^2
        Mt = U + t * np.eye(N)
        b = U @ h
        return float(np.real(h.conj() @ U @ h - b.conj() @ np.linalg.solve(Mt, b)) - t * eps ** 2)

    lo = max(0.0, -lam_min) + 1e-12 * (1 + abs(lam_min))
    hi = lo + np.linalg.norm(U @ h) / max(eps, 1e-300) + 1.0
    ts = lo + (hi - lo) * np.linspace(0, 1, 2001) ** 2
    vals = [dual(t) for t in ts]
    i = int(np.argmax(vals))
    a, b = ts[max(i - 1, 0)], ts[min(i + 1, len(ts) - 1)]
    gr = (np.sqrt(5) - 1) / 2
    for _ in range(100):
        c, d = b - gr * (b - a), a + gr * (b - a)
        if dual(c) > dual(d):
            b = d
        else:
            a = c
    return max(dual(0.5 * (a + b)), max(vals))


def noma_sic_order(H, inv_rho):
    """Weakest first by rho_k ||h_k||^2 (note 5.5 [A])."""
    gains = [np.linalg.norm(H[k]) ** 2 / inv_rho[k] for k in range(len(H))]
    return np.array(sorted(range(len(H)), key=lambda k: (gains[k], k)))


def sic_masks(K, an=False, sic_order=None):
    """Explicit sets: without SIC every other private stream interferes and user k decodes stream k;
    with SIC order pi, stream pi(i) meets pi(i+1..) and is decoded by pi(i..)."""
    mask, dec = np.zeros((K, K + 1)), np.zeros((K, K), dtype=np.int64)
    for k in range(K):
        if sic_order is None:
            later, decoders = [j for j in range(K) if j != k], [k]
        else:
            pos = list(sic_order).index(k)
            later, decoders = list(sic_order[pos + 1:]), list(sic_order[pos:])
        mask[k, [j + 1 for j in later]] = 1.0
        mask[k, 0] = 1.0 if an else 0.0
        dec[k, decoders] = 1
    return mask, dec


def _interf(X, k, an, sic_order=None):
    mask = sic_masks(X.shape[0] - 1, an, sic_order)[0][k]
    return sum(mask[i] * X[i] for i in range(X.shape[0]))


def worst_lu_sinr(X, h, eps, inv_rho, k, an=False, sic_order=None):
    S = _interf(X, k, an, sic_order)
    nom = np.real(h.conj() @ X[k + 1] @ h) / (np.real(h.conj() @ S @ h) + inv_rho)
    if eps == 0:
        return nom
    if nom <= 0:
        return 0.0
    lo, hi = 0.0, nom
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if trust_region_min(X[k + 1] - mid * S, h, eps) - mid * inv_rho >= 0:
            lo = mid
        else:
            hi = mid
    return lo


def worst_iu_sinr(X, g, tau, eta, k):
    lo, hi = 0.0, np.linalg.eigvalsh(X[k + 1])[-1] * (np.linalg.norm(g) + tau) ** 2 * eta + 1e-300
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if trust_region_min(mid * X[0] - X[k + 1], g, tau) + mid / eta >= 0:
            hi = mid
        else:
            lo = mid
    return hi


def _eigen_term(A, r, lam_exact, trace_bound, bound):
    """The Bernstein eigenvalue term: exact, ||[vec A; sqrt2 r]|| or the trace bound."""
    if bound == "exact":
        return max(lam_exact, 0.0)
    if bound == "norm":
        return float(np.sqrt(np.linalg.norm(A, "fro") ** 2 + 2 * np.linalg.norm(r) ** 2))
    if bound == "trace":
        return trace_bound
    raise ValueError(f"bound: unknown {bound!r}")


def lu_bernstein_margin(X, h, s, inv_rho, k, a, p_out, an=False, sic_order=None, bound="exact"):
    sig = -np.log(p_out)
    S = _interf(X, k, an, sic_order)
    Y = a * X[k + 1] - S
    A = s ** 2 * Y
    r = s * Y @ h
    lam = _eigen_term(A, r, -np.linalg.eigvalsh(A)[0], s ** 2 * np.trace(S).real, bound)
    e_minus = np.trace(A).real - np.sqrt(2 * sig * (np.linalg.norm(A, "fro") ** 2 + 2 * np.linalg.norm(r) ** 2)) \
        - sig * lam
    return e_minus - (inv_rho - np.real(h.conj() @ Y @ h))


def iu_bernstein_margin(X, g, s, eta, k, theta_e, p_out, bound="exact"):
    """sigma^2_g - [tr B + sqrt(2 sig) ||[vec B; sqrt2 r]|| + sig lambda^+(B)] of (58)-(60), B = s^2 (X_k / theta_e - X_c)."""
    sig = -np.log(p_out)
    Y = X[k + 1] / theta_e - X[0]
    B = s ** 2 * Y
    r = s * Y @ g
    nrm = np.sqrt(np.linalg.norm(B, "fro") ** 2 + 2 * np.linalg.norm(r) ** 2)
    lam = _eigen_term(B, r, np.linalg.eigvalsh(B)[-1], s ** 2 * np.trace(X[k + 1]).real / theta_e, bound)
    return (1 / eta - np.real(g.conj() @ Y @ g)) - np.trace(B).real - np.sqrt(2 * sig) * nrm - sig * lam


def greedy_slot_durations(values, t_min, t_max, period):
    """The LP max sum t S s.t. sum t <= T, t_min <= t <= t_max, solved by scipy.optimize.linprog."""
    from scipy.optimize import linprog
    L = len(values)
    res = linprog(-np.asarray(values), A_ub=np.ones((1, L)), b_ub=[period], bounds=[(t_min, t_max)] * L,
                  method="highs")
    return res.x


def detection_probability(p, varsigma, p_fa):
    """Through the chi-square(2) CDF of (29)-(31) (scipy), not the closed form."""
    from scipy.stats import chi2
    thr = chi2.ppf(1 - p_fa, 2)
    return 1 - chi2.cdf(thr / (1 + np.outer(varsigma, p)), 2)


def tris_fim(Rx, snapshots, distance, azimuth, pitch, n_rows, n_cols, spacing, wavelength, snr_scale, multi_rx=False):
    a = steering_upa(n_rows, n_cols, azimuth, pitch, spacing)
    da, dp = steering_upa_derivatives(n_rows, n_cols, azimuth, pitch, spacing)
    b = np.exp(-2j * np.pi * distance / wavelength)
    db = -2j * np.pi / wavelength * b
    if multi_rx:
        D = [db * np.outer(a, a.conj()), b * (np.outer(da, a.conj()) + np.outer(a, da.conj())),
             b * (np.outer(dp, a.conj()) + np.outer(a, dp.conj()))]
    else:
        D = [db * a.conj()[None], b * da.conj()[None], b * dp.conj()[None]]
    J = np.zeros((3, 3))
    for R, Ls in zip(Rx, snapshots):
        for i in range(3):
            for j in range(3):
                J[i, j] += 2 * Ls * snr_scale * np.real(np.trace(D[i] @ R @ D[j].conj().T))
    return J


def outage_verify(X, H, G, s_h, s_e, inv_rho, eta, theta_lu, theta_e, n_draws, an=False, seed=0, sic_order=None):
    """Plain Monte Carlo (its own Generator stream: agrees with the kernel in distribution only)."""
    rng = np.random.default_rng(seed)
    K, N = H.shape
    M = G.shape[0]

    def cn(shape, s):
        return s * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)

    lu = np.zeros(K)
    for k in range(K):
        U = H[k][None] + cn((n_draws, N), s_h[k])
        p = np.real(np.einsum("dn,inm,dm->di", U.conj(), X, U))
        interf = p @ sic_masks(K, an, sic_order)[0][k] + inv_rho[k]
        lu[k] = np.mean(p[:, k + 1] < theta_lu[k] * interf) if theta_lu[k] > 0 else 0.0
    iu = np.zeros((K, M))
    for m in range(M):
        U = G[m][None] + cn((n_draws, N), s_e[m])
        p = np.real(np.einsum("dn,inm,dm->di", U.conj(), X, U))
        for k in range(K):
            iu[k, m] = np.mean(p[:, k + 1] >= theta_e * (p[:, 0] + 1 / eta[m]))
    return dict(lu=lu, iu=iu)


def tris_rsma_evaluate(X, H, G, eps, inv_rho, s_h, tau, eta, s_e, rate_user, theta_e, sigma1, sigma2, an=False,
                       common=True, positive_part=True, t_min=0.5e-3, t_max=3.5e-3, period=10e-3, sic_order=None):
    """Steps 1-7 of note 4.3 written out directly (worst cases via the S-lemma dual above, the
    certified interval by a dense grid on a, the split by enumeration, t by linprog)."""
    L, S, N, _ = X.shape
    K, M = S - 1, G.shape[0]
    p_out = np.exp(-sigma1)
    Sv = np.zeros(L)
    Cs = np.zeros((L, K))
    chi = np.zeros((L, K))
    iota = np.zeros((L, K))
    for l in range(L):
        Xl = X[l]
        c_min = np.zeros(K)
        for k in range(K):
            decoders = np.flatnonzero(sic_masks(K, an, sic_order)[1][k])
            chi[l, k] = min(worst_lu_sinr(Xl, H[j], eps[j], inv_rho[j], k, an, sic_order) for j in decoders)
            iota[l, k] = max(worst_iu_sinr(Xl, G[m], tau[m], eta[m], k) for m in range(M))
            grid = np.concatenate([np.geomspace(1e-4, 1e8, 4000)])
            ok = [a for a in grid if lu_bernstein_margin(Xl, H[k], s_h[k], inv_rho[k], k, a, p_out, an, sic_order) >= 0]
            c_min[k] = max(rate_user[k] - np.log2(1 + 1 / min(ok)), 0.0) if ok else rate_user[k]
        priv = np.log2(1 + chi[l]) - np.log2(1 + iota[l])
        if common:
            Hbar = [np.outer(H[k], H[k].conj()) + eps[k] ** 2 * np.eye(N) for k in range(K)]
            rc = min(np.log2(1 + np.real(np.trace(Hbar[k] @ Xl[0])) /
                             (np.real(sum(np.trace(Hbar[k] @ Xl[i]) for i in range(1, K + 1))) + inv_rho[k]))
                     for k in range(K))
            spare = max(rc - c_min.sum(), 0.0)
            best = None
            for j in range(K):
                C = c_min.copy()
                C[j] += spare
                v = np.sum(np.maximum(C + priv, 0) if positive_part else C + priv)
                if best is None or v > best[0]:
                    best = (v, C)
            Sv[l], Cs[l] = best
        else:
            Sv[l] = np.sum(np.maximum(priv, 0) if positive_part else priv)
    t = greedy_slot_durations(Sv, t_min, t_max, period)
    return dict(chi=chi, iota=iota, C=Cs, S=Sv, t=t, value=float(t @ Sv / period))


def tma_mapping(x, a_max, period):
    """(2)-(3) inverted with NumPy: tau = T_p/pi arcsin(|x|/A_max), t_on = ((-phi T_p/pi - tau)/2) mod T_p."""
    x = np.asarray(x, dtype=complex)
    tau = period / np.pi * np.arcsin(np.minimum(np.abs(x) / a_max, 1.0))
    t_on = np.mod((-np.angle(x) * period / np.pi - tau) / 2.0, period)
    return tau, t_on


def tma_first_harmonic(tau, t_on, period):
    """c_1 = (1/T_p) int_{t_on}^{t_on + tau} exp(-j 2 pi t / T_p) dt, in closed form."""
    tau, t_on = np.asarray(tau, float), np.asarray(t_on, float)
    return (np.exp(-2j * np.pi * (t_on + tau) / period) - np.exp(-2j * np.pi * t_on / period)) / (-2j * np.pi)


def tma_harmonic_loss_db():
    return 10.0 * np.log10(8.0 / np.pi ** 2)
