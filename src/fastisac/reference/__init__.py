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
    "secrecy_rate", "dual_eve_metrics", "counter_normals",
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


# =========================================================================== seed 001 (unified_outage)
# NumPy twins of :mod:`fastisac.kernels.outage` (same names and signatures). They are written
# independently of the Numba kernels: the SOP via ``np.linalg.eigvalsh`` / ``slogdet``, the
# redundancy rate by plain bisection, the implicit gradient from the matrix formulas of spec
# 4.3, the simplex projection by bisection on nu (spec 4.1) and the ball projection by
# bisection on mu (the paper's (34)), a vectorised Monte Carlo with a NumPy Generator.

__all__ += [
    "sop_function", "secrecy_outage_probability", "redundancy_threshold", "redundancy_rate",
    "redundancy_rate_gradient", "worst_eavesdropper", "outage_monte_carlo", "intercept_probability",
    "project_simplex", "project_ball", "project_ball_quadratic", "project_sphere", "mvdr_filter",
    "rates_and_gradient", "sensing_metric", "sensing_sinr",
]

_BISECTION_STEPS = 60


def _interference(X, k):
    """B_k = X_{-k} X_{-k}^H (all columns but k)."""
    X = np.asarray(X, dtype=np.complex128)
    Xm = np.delete(X, k, axis=1)
    return Xm @ Xm.conj().T


def sop_function(w, B, tau, delta2, sigma2, model="exact"):
    """F(tau): (9-ex) from the eigenvalues of w w^H - tau B, or (9) via slogdet."""
    w = np.asarray(w, dtype=np.complex128)
    B = np.asarray(B, dtype=np.complex128)
    s = sigma2 / delta2
    p = float(np.vdot(w, w).real)
    if model == "det":
        _, logdet = np.linalg.slogdet(np.eye(w.shape[0]) + (tau / p) * B)
        return float(tau * s / p + logdet)
    mu = np.linalg.eigvalsh(np.outer(w, w.conj()) - tau * B)        # ascending
    mu1 = mu[-1]
    if mu1 <= 1e-300:
        return np.inf
    return float(tau * s / mu1 + np.sum(np.log((mu1 - mu[:-1]) / mu1)))


def secrecy_outage_probability(w, B, tau, delta2, sigma2, model="exact"):
    """exp(-F(tau)) = Pr{SINR_e >= tau}."""
    return float(np.exp(-sop_function(w, B, tau, delta2, sigma2, model)))


def redundancy_threshold(X, k, delta2, sigma2, epsilon, model="exact"):
    """tau* by 60 bisection steps on the bracket of spec 4.5."""
    X = np.asarray(X, dtype=np.complex128)
    w = X[:, k]
    B = _interference(X, k)
    p = float(np.vdot(w, w).real)
    L = np.log(1.0 / epsilon)
    if L <= 0.0 or p <= 0.0:
        return 0.0
    s = sigma2 / delta2
    hi = p * L / s
    lo = L / (s / p + np.trace(B).real / p) if model == "det" else 0.0
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        if sop_function(w, B, mid, delta2, sigma2, model) >= L:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def redundancy_rate(X, k, delta2, sigma2, epsilon, model="exact"):
    """R^E_k = log2(1 + tau*)."""
    return float(np.log2(1.0 + redundancy_threshold(X, k, delta2, sigma2, epsilon, model)))


def redundancy_rate_gradient(X, k, delta2, sigma2, epsilon, model="exact"):
    """grad R^E_k = -grad_X F / ((1 + tau) ln 2 dF/dtau) with the formulas of spec 4.3."""
    X = np.asarray(X, dtype=np.complex128)
    N, C = X.shape
    tau = redundancy_threshold(X, k, delta2, sigma2, epsilon, model)
    w = X[:, k]
    p = float(np.vdot(w, w).real)
    if tau <= 0.0 or p <= 0.0:
        return np.zeros((N, C), dtype=np.complex128)
    B = _interference(X, k)
    s = sigma2 / delta2
    others = np.ones(C, dtype=bool)
    others[k] = False
    G = np.zeros((N, C), dtype=np.complex128)
    if model == "det":
        Cm = np.linalg.inv(p * np.eye(N) + tau * B)
        dF_dtau = s / p + np.trace(Cm @ B).real
        G[:, k] = 2.0 * (-tau * s / p**2 + np.trace(Cm).real - N / p) * w
        G[:, others] = 2.0 * tau * Cm @ X[:, others]
    else:
        mu, Vv = np.linalg.eigh(np.outer(w, w.conj()) - tau * B)
        mu1, rest = mu[-1], mu[:-1]
        d = np.empty(N)
        d[:-1] = -1.0 / (mu1 - rest)
        d[-1] = -tau * s / mu1**2 + np.sum(1.0 / (mu1 - rest) - 1.0 / mu1)
        D = (Vv * d) @ Vv.conj().T
        dF_dtau = s / mu1 - np.trace(D @ B).real
        G[:, k] = 2.0 * D @ w
        G[:, others] = -2.0 * tau * D @ X[:, others]
    return -G / ((1.0 + tau) * np.log(2.0) * dF_dtau)


def worst_eavesdropper(delta2, sigma2):
    """argmax_e delta2_e / sigma2_e (11)."""
    return int(np.argmax(np.asarray(delta2, dtype=float) / np.asarray(sigma2, dtype=float)))


def outage_monte_carlo(X, n_streams, delta2, sigma2, tau, rates, n_draws, seed=0, chunk=65536):
    """Vectorised, chunked Monte Carlo with ``np.random.default_rng(seed)`` (different random
    numbers from the kernel's counter-based stream: agreement is statistical)."""
    X = np.asarray(X, dtype=np.complex128)
    N = X.shape[0]
    K = n_streams
    tau = np.asarray(tau, dtype=float)
    icpt = 2.0 ** np.asarray(rates, dtype=float) - 1.0
    rng = np.random.default_rng(seed)
    oc = np.zeros(K, dtype=np.int64)
    ic = np.zeros(K, dtype=np.int64)
    sd = np.sqrt(delta2 / 2.0)
    done = 0
    while done < n_draws:
        c = min(chunk, n_draws - done)
        g = sd * (rng.standard_normal((c, N)) + 1j * rng.standard_normal((c, N)))
        y = np.abs(g.conj() @ X) ** 2                                  # |g^H x_j|^2, (c, C)
        total = sigma2 + y.sum(axis=1, keepdims=True)
        sinr = y[:, :K] / (total - y[:, :K])
        oc += np.count_nonzero(sinr > tau, axis=0)
        ic += np.count_nonzero(sinr > icpt, axis=0)
        done += c
    return {"sop": oc / n_draws, "intercept": ic / n_draws, "outage_counts": oc, "intercept_counts": ic,
            "n_draws": n_draws}


def intercept_probability(X, n_streams, delta2, sigma2, rates, n_draws, seed=0, chunk=65536):
    """Pr{C^E_k > R_k} by Monte Carlo."""
    rates = np.asarray(rates, dtype=float)
    return outage_monte_carlo(X, n_streams, delta2, sigma2, 2.0 ** rates - 1.0, rates, n_draws, seed,
                              chunk)["intercept"]


def project_simplex(x):
    """Simplex projection lambda = max(0, x - nu) with nu found by bisection on
    [min x - 1, max x] (spec 4.1), iterated to floating-point convergence."""
    x = np.asarray(x, dtype=float)
    lo, hi = x.min() - 1.0, x.max()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if np.maximum(x - mid, 0.0).sum() > 1.0:
            lo = mid
        else:
            hi = mid
    return np.maximum(x - 0.5 * (lo + hi), 0.0)


def project_ball(Y, radius2=1.0):
    """(34) as in the paper: Y c / (c + 2 mu) with mu >= 0 found by bisection so that the
    result has squared norm radius2 (c = 1; the projection does not depend on c)."""
    Y = np.asarray(Y, dtype=np.complex128)
    nrm = np.sqrt(np.sum(np.abs(Y) ** 2))
    r = np.sqrt(radius2)
    if nrm <= r:
        return Y.copy()
    c = 1.0
    lo, hi = 0.0, 1.0
    while nrm * c / (c + 2.0 * hi) > r:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if nrm * c / (c + 2.0 * mid) > r:
            lo = mid
        else:
            hi = mid
    return Y * (c / (c + 2.0 * 0.5 * (lo + hi)))


def project_ball_quadratic(P, G, A, e, radius2=1.0):
    """Projection onto {||Z||^2 <= radius2, ||A Z||^2 - Re<G, Z> + e <= 0} through the KKT system
    [(1 + lam) I + mu A^H A] Z = P + mu G / 2: lam(mu) and mu by Brent's method on the
    constraint functions, each Z from a dense linear solve."""
    from scipy.optimize import brentq
    P, G, A = (np.asarray(x, dtype=np.complex128) for x in (P, G, A))
    N = P.shape[0]
    AhA = A.conj().T @ A

    def Z_of(lam, mu):
        return np.linalg.solve((1.0 + lam) * np.eye(N) + mu * AhA, P + 0.5 * mu * G)

    def lam_of(mu):
        f = lambda lam: np.linalg.norm(Z_of(lam, mu)) ** 2 - radius2  # noqa: E731
        if f(0.0) <= 0.0:
            return 0.0
        hi = 1.0
        while f(hi) > 0.0:
            hi *= 2.0
        return brentq(f, 0.0, hi, xtol=1e-300, rtol=1e-15, maxiter=500)

    def q(mu):
        Z = Z_of(lam_of(mu), mu)
        return np.linalg.norm(A @ Z) ** 2 - np.real(np.vdot(G, Z)) + e

    mu = 0.0
    if q(0.0) > 0.0:
        hi = 1.0
        while q(hi) > 0.0:
            hi *= 4.0
            if hi > 1e30:
                return Z_of(lam_of(hi), hi), False
        mu = brentq(q, 0.0, hi, xtol=1e-300, rtol=1e-15, maxiter=500)
    return Z_of(lam_of(mu), mu), True


def project_sphere(u):
    """u / ||u||."""
    u = np.asarray(u, dtype=np.complex128)
    return u / np.linalg.norm(u)


def _covariance(X):
    X = np.asarray(X, dtype=np.complex128)
    return X @ X.conj().T


def mvdr_filter(X, a0, As, alpha2):
    """u* = C^{-1} a0 / ||C^{-1} a0||, C = sum_i G_i R G_i^H + I via np.linalg.solve."""
    R = _covariance(X)
    a0 = np.asarray(a0, dtype=np.complex128)
    As = np.asarray(As, dtype=np.complex128).reshape(-1, a0.shape[0])
    alpha2 = np.asarray(alpha2, dtype=float)
    Cm = np.eye(a0.shape[0], dtype=np.complex128)
    for i, a in enumerate(As):
        Cm += alpha2[i + 1] * np.outer(a, a.conj()) @ R @ np.outer(a, a.conj())
    u = np.linalg.solve(Cm, a0)
    return u / np.linalg.norm(u)


def rates_and_gradient(Hc, X, n_streams, weights=None):
    """R_k = log2(T_k / I_k) (noise 1) and grad of sum_k weights_k R_k (38a-c), matrix form."""
    Hc = np.asarray(Hc, dtype=np.complex128)
    X = np.asarray(X, dtype=np.complex128)
    K = n_streams
    weights = np.ones(K) if weights is None else np.asarray(weights, dtype=float)
    R = _covariance(X)
    G = np.zeros_like(X)
    rates = np.empty(K)
    for k in range(K):
        h = Hc[k]
        Hk = np.outer(h, h.conj())
        T = 1.0 + np.vdot(h, R @ h).real
        I = T - abs(np.vdot(h, X[:, k])) ** 2
        rates[k] = np.log2(T / I)
        Xmk = X.copy()
        Xmk[:, k] = 0.0
        G += weights[k] * 2.0 / np.log(2.0) * (Hk @ X / T - Hk @ Xmk / I)
    return rates, G


def sensing_metric(metric, X, u=None, a0=None, As=None, alpha2=None, gamma=1.0, Agrid=None, Pd=None,
                   eps_bp=1.0, kappa=1.0, t_d=1.0):
    """(f, grad_X, grad_u) with the matrix forms (13a)/(39), (18)-(19)/(40), (22)/(41)."""
    X = np.asarray(X, dtype=np.complex128)
    N = X.shape[0]
    R = _covariance(X)
    gu = np.zeros(N, dtype=np.complex128)
    if metric == "sinr":
        u = np.asarray(u, dtype=np.complex128)
        a0 = np.asarray(a0, dtype=np.complex128)
        As = np.zeros((0, N)) if As is None else np.asarray(As, dtype=np.complex128)
        alpha2 = np.asarray(alpha2, dtype=float)
        steer = [a0] + list(As)
        sign = [1.0] + [-gamma] * len(As)
        A = [alpha2[i] * np.outer(a, a.conj()) @ R @ np.outer(a, a.conj()) for i, a in enumerate(steer)]
        Phi = sum(sg * alpha2[i] * abs(np.vdot(u, a)) ** 2 * np.outer(a, a.conj())
                  for i, (a, sg) in enumerate(zip(steer, sign)))
        Mu = sum(sg * Ai for sg, Ai in zip(sign, A))                  # G0 R G0^H - Gamma sum Gi R Gi^H
        f = (np.vdot(u, Mu @ u).real - gamma) / gamma
        return float(f), 2.0 * Phi @ X / gamma, 2.0 * Mu @ u / gamma
    if metric == "beampattern":
        A = np.asarray(Agrid, dtype=np.complex128).T                  # (N, L), columns a_l
        L = A.shape[1]
        pattern = np.einsum("nl,nm,ml->l", A.conj(), R, A).real
        e = np.asarray(Pd, dtype=float) - pattern
        f = (eps_bp - np.mean(e**2)) / eps_bp
        return float(f), 4.0 / (L * eps_bp) * (A * e) @ A.conj().T @ X, gu
    a0 = np.asarray(a0, dtype=np.complex128)
    A0 = np.outer(a0, a0.conj())
    f = (kappa * np.vdot(a0, R @ a0).real - t_d) / t_d
    return float(f), 2.0 * kappa / t_d * A0 @ X, gu


def sensing_sinr(X, u, a0, As, alpha2):
    """gamma_s (5) = u^H G0 R G0^H u / (sum_i u^H Gi R Gi^H u + ||u||^2) (noise-normalised)."""
    R = _covariance(X)
    u = np.asarray(u, dtype=np.complex128)
    a0 = np.asarray(a0, dtype=np.complex128)
    As = np.asarray(As, dtype=np.complex128).reshape(-1, a0.shape[0])
    alpha2 = np.asarray(alpha2, dtype=float)

    def GRG(i, a):
        Ga = np.outer(a, a.conj())
        return alpha2[i] * Ga @ R @ Ga.conj().T

    num = np.vdot(u, GRG(0, a0) @ u).real
    den = sum(np.vdot(u, GRG(i + 1, a) @ u).real for i, a in enumerate(As)) + np.vdot(u, u).real
    return float(num / den)


_METRIC_NAMES = ("sinr", "beampattern", "detection")


def unified_alg1(Hc, X0, u0, lam0, K, simplex, inv_snr, log_inv_eps, sop_model, has_eve, metric, a0, As,
                 alpha2, gamma, Agrid, Pd, eps_bp, kappa, t_d, n_iter, c0, beta0, eta0, kappa0, tol_f,
                 regularised, max_step, beta_rho, traces=None):
    """Algorithm 1 of seed 001 (spec 4.4) in NumPy with the reference functions above: the
    twin of ``fastisac.kernels._unified.unified_alg1_nb`` (same arguments, same return tuple
    (X_best, u_best, best, best_iter, obj_trace, f_trace, rho_trace, n_done)). Codes:
    ``sop_model`` 0 exact / 1 det, ``metric`` 0 SINR / 1 beampattern / 2 detection. A dict
    passed as ``traces`` receives the lambda and U trajectories under "lam" and "U"."""
    model = "det" if sop_model == 1 else "exact"
    mname = _METRIC_NAMES[metric]
    eps = np.exp(-log_inv_eps)
    X, u, lam, rho = X0.copy(), u0.copy(), lam0.copy(), 0.0
    obj_tr, f_tr, rho_tr = (np.full(n_iter + 1, np.nan) for _ in range(3))
    lam_tr, U_tr = [], []
    best, best_it, Xb, ub = -np.inf, -1, X.copy(), u.copy()
    c_scale = c0
    n_done = n_iter
    for t in range(n_iter + 1):
        Rk, _ = rates_and_gradient(Hc, X, K)
        RE = np.array([redundancy_rate(X, k, 1.0, inv_snr, eps, model) for k in range(K)]) if has_eve \
            else np.zeros(K)
        U = Rk - RE
        f, gXf, gu = sensing_metric(mname, X, u, a0, As, alpha2, gamma, Agrid, Pd, eps_bp, kappa, t_d)
        obj = U.min() if simplex else float(lam0 @ U)
        obj_tr[t], f_tr[t], rho_tr[t] = obj, f, rho
        lam_tr.append(lam.copy())
        U_tr.append(U)
        if f >= -tol_f and obj > best:
            best, best_it, Xb, ub = obj, t, X.copy(), u.copy()
        if t == n_iter:
            break
        if regularised:                                   # (26): closed-form lambda, rho
            eta = eta0 / (t + 1.0) ** 0.25
            kap = kappa0 / (t + 1.0) ** 0.25
            if simplex:
                lam = project_simplex((lam - beta0 * U) / (1.0 + beta0 * eta))
            rho = max(0.0, (rho - beta_rho * f) / (1.0 + beta_rho * kap))
        else:
            if simplex:
                lam = np.eye(K)[np.argmin(U)]
            if f < 0.0:
                n_done = t
                break
            rho = 0.0
        G = rates_and_gradient(Hc, X, K, lam)[1]           # (27): one projected ascent step
        if has_eve:
            for k in range(K):
                if lam[k] != 0.0:
                    G = G - lam[k] * redundancy_rate_gradient(X, k, 1.0, inv_snr, eps, model)
        G = G + rho * gXf
        if t == 0 and c0 <= 0.0:
            c_scale = max(1.0, 10.0 * np.linalg.norm(G))
        ct = c_scale * (t + 1.0) ** 0.25
        delta = max_step / (t + 1.0) ** 0.25
        X = project_ball(X + G / max(ct, np.linalg.norm(G) / delta), 1.0)
        if metric == 0:
            gfull = rho * gu
            u = project_sphere(u + gfull / max(ct, np.linalg.norm(gfull) / delta))
    if traces is not None:
        traces["lam"], traces["U"] = np.array(lam_tr), np.array(U_tr)
    return Xb, ub, best, best_it, obj_tr, f_tr, rho_tr, n_done


from . import networked  # noqa: E402,F401  (seed 000 twins, fastisac.reference.networked)


# =========================================================================== seed 002 (rsma_hisac)
from .rsma_hisac import (dinkelbach_ratio, echo_filter, matched_echo_filter, rank_one_gain_bounds,  # noqa: E402
                         robust_quadratic_forms, robust_radius, rsma_hisac_metrics, scnr_ceiling,
                         steering_upa_depression, mvdr_echo_filter, structured_scnr)

__all__ += ["steering_upa_depression", "robust_radius", "echo_filter", "matched_echo_filter", "scnr_ceiling",
            "robust_quadratic_forms", "rank_one_gain_bounds", "dinkelbach_ratio", "rsma_hisac_metrics",
            "mvdr_echo_filter", "structured_scnr"]

from . import tris_rsma  # noqa: E402,F401  (seed 004 twins: fastisac.reference.tris_rsma.*)


# --------------------------------------------------------------------------- counter-based normals
_M64 = (1 << 64) - 1


def _splitmix64(x):
    """One splitmix64 step on Python ints: (new state, 64 output bits)."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return x, z ^ (z >> 31)


def _std_normal(state, tables):
    """Ziggurat exactly as NumPy's random_standard_normal, on the splitmix64 sequence."""
    import math
    ki, wi, fi, r = tables

    def uniform(s):
        s, z = _splitmix64(s)
        return s, ((z >> 11) + 1) * (1.0 / 9007199254740993.0)

    while True:
        state, bits = _splitmix64(state)
        idx = bits & 0xFF
        bits >>= 8
        rabs = (bits >> 1) & 0x000FFFFFFFFFFFFF
        x = float(rabs) * wi[idx]
        if bits & 1:
            x = -x
        if rabs < int(ki[idx]):
            return state, x
        if idx == 0:
            while True:
                state, u1 = uniform(state)
                state, u2 = uniform(state)
                xx = -math.log(u1) / r
                yy = -math.log(u2)
                if yy + yy > xx * xx:
                    return state, (-(r + xx) if (rabs >> 8) & 1 else r + xx)
        state, u = uniform(state)
        if (fi[idx - 1] - fi[idx]) * u + fi[idx] < math.exp(-0.5 * x * x):
            return state, x


def counter_normals(seed, first, n_draws, n_per_draw):
    """Row r: the first n_per_draw normals of draw first + r (state (seed * golden) ^ (i * mix + 1))."""
    from fastisac.kernels._random import DRAW_MIX, GOLDEN, ziggurat_tables
    tables = ziggurat_tables()
    out = np.empty((n_draws, n_per_draw))
    for row in range(n_draws):
        state = ((seed * GOLDEN) & _M64) ^ (((first + row) * DRAW_MIX + 1) & _M64)
        for j in range(n_per_draw):
            state, out[row, j] = _std_normal(state, tables)
    return out
