"""Seed 004 (tris_rsma) public kernels: validated wrappers around :mod:`fastisac.kernels._tris_rsma`
and the UPA kernels of :mod:`fastisac.kernels._array`.

Each function checks its inputs (``ValueError`` naming the argument) and calls the ``*_nb``
kernel; each has a NumPy twin of the same name in :mod:`fastisac.reference.tris_rsma`.
Units: note 4.1 (covariances normalised by P_t, channels by path loss; see the kernel module).
"""

from __future__ import annotations

import numpy as np

from .._checks import as_complex, as_float, as_hermitian, as_int, as_real
from ._array import (beampattern_upa_nb, steering_upa_batch_nb, steering_upa_derivatives_nb,
                     steering_upa_nb)
from ._tris_rsma import (bernstein_lemma_check_nb, certified_interval_nb, detection_probability_nb,
                         evaluate_slots_nb, fim_nb, greedy_slot_durations_nb, iu_uncertainty_nb,
                         lu_bernstein_margin_nb, outage_verify_nb, sic_masks_nb, surrogate_iu_sinr_nb, surrogate_lu_sinr_nb,
                         tma_first_harmonic_nb, tma_mapping_nb, trust_region_min_nb, worst_iu_sinr_nb,
                         worst_lu_sinr_nb)

__all__ = [
    "steering_upa", "steering_upa_derivatives", "steering_upa_batch", "beampattern_upa", "iu_uncertainty",
    "trust_region_min", "worst_lu_sinr", "worst_iu_sinr", "lu_bernstein_margin", "certified_interval",
    "greedy_slot_durations", "tris_rsma_evaluate", "detection_probability", "tris_fim", "outage_verify",
    "bernstein_lemma_check", "noma_sic_order", "sic_masks", "tma_mapping", "tma_first_harmonic",
    "tma_harmonic_loss_db", "warmup",
]


def _grid(n_rows, n_cols):
    return as_int(n_rows, "n_rows", minimum=1), as_int(n_cols, "n_cols", minimum=1)


def steering_upa(n_rows: int, n_cols: int, azimuth: float, pitch: float, spacing: float = 0.5) -> np.ndarray:
    """UPA steering vector (5)/(11): a_n = exp(-j 2 pi s (sin p cos az n_r + sin p sin az n_c)), n = N_c n_r + n_c."""
    r, c = _grid(n_rows, n_cols)
    return steering_upa_nb(r, c, as_float(azimuth, "azimuth"), as_float(pitch, "pitch"),
                           as_float(spacing, "spacing", positive=True))


def steering_upa_derivatives(n_rows: int, n_cols: int, azimuth: float, pitch: float, spacing: float = 0.5):
    """(d a / d azimuth, d a / d pitch) of :func:`steering_upa` (note 2.7)."""
    r, c = _grid(n_rows, n_cols)
    return steering_upa_derivatives_nb(r, c, as_float(azimuth, "azimuth"), as_float(pitch, "pitch"),
                                       as_float(spacing, "spacing", positive=True))


def _angles(azimuths, pitches):
    az = as_real(azimuths, "azimuths", ndim=1)
    pt = as_real(pitches, "pitches", shape=(az.shape[0],))
    return az, pt


def steering_upa_batch(n_rows: int, n_cols: int, azimuths, pitches, spacing: float = 0.5) -> np.ndarray:
    """Steering vectors at the grid points (azimuths[g], pitches[g]), shape (G, N)."""
    r, c = _grid(n_rows, n_cols)
    az, pt = _angles(azimuths, pitches)
    return steering_upa_batch_nb(r, c, az, pt, as_float(spacing, "spacing", positive=True))


def beampattern_upa(X, n_rows: int, n_cols: int, azimuths, pitches, spacing: float = 0.5) -> np.ndarray:
    """2-D transmit beampattern a^H X a at the grid points (Fig. 11), shape (G,)."""
    r, c = _grid(n_rows, n_cols)
    X = as_hermitian(X, "X")
    if X.shape[0] != r * c:
        raise ValueError(f"X: must be ({r * c}, {r * c}) for a {r} x {c} grid, got {X.shape}")
    az, pt = _angles(azimuths, pitches)
    return beampattern_upa_nb(X, r, c, az, pt, as_float(spacing, "spacing", positive=True))


def iu_uncertainty(n_rows, n_cols, azimuth, pitch, d_azimuth, d_pitch, eps_mn, kappa, spacing=0.5, n_grid=9):
    """(42)-(43): (dpsi_max (N,), tau, worst normalised sensing gain) over the angle-error box."""
    r, c = _grid(n_rows, n_cols)
    eps_mn = as_real(eps_mn, "eps_mn", shape=(r * c,), nonneg=True)
    return iu_uncertainty_nb(r, c, as_float(azimuth, "azimuth"), as_float(pitch, "pitch"),
                             as_float(d_azimuth, "d_azimuth", nonneg=True), as_float(d_pitch, "d_pitch", nonneg=True),
                             as_float(spacing, "spacing", positive=True), eps_mn, as_float(kappa, "kappa", positive=True),
                             as_int(n_grid, "n_grid", minimum=2))


def trust_region_min(U, h, eps):
    """min_{||D|| <= eps} (h + D)^H U (h + D) and its minimiser h + D* (exact, eigen + secular equation)."""
    U = as_hermitian(U, "U")
    h = as_complex(h, "h", shape=(U.shape[0],))
    return trust_region_min_nb(U, h, as_float(eps, "eps", nonneg=True))


def _streams(X, name="X"):
    X = as_complex(X, name, ndim=3)
    if X.shape[0] < 2 or X.shape[1] != X.shape[2]:
        raise ValueError(f"{name}: must have shape (K+1, N, N) with K >= 1, got {X.shape}")
    return X


def worst_lu_sinr(X, h, eps, inv_rho, k, an=False):
    """chi^wc_k = min_{||D|| <= eps} SINR_p,k (64); X (K+1, N, N) with stream 0 common (or AN if ``an``)."""
    X = _streams(X)
    h = as_complex(h, "h", shape=(X.shape[1],))
    k = as_int(k, "k", minimum=0, maximum=X.shape[0] - 2)
    return worst_lu_sinr_nb(X, h, as_float(eps, "eps", nonneg=True), as_float(inv_rho, "inv_rho", positive=True), k,
                            int(bool(an)))


def worst_iu_sinr(X, g, tau, eta, k):
    """iota = max_{||D|| <= tau} SINR_{k,m} (69) with the common stream (or AN) as the only interference."""
    X = _streams(X)
    g = as_complex(g, "g", shape=(X.shape[1],))
    k = as_int(k, "k", minimum=0, maximum=X.shape[0] - 2)
    return worst_iu_sinr_nb(X, g, as_float(tau, "tau", nonneg=True), as_float(eta, "eta", positive=True), k)


#: how the Bernstein eigenvalue terms lambda^-(A) / lambda^+(B) are evaluated: exactly, or by one of the two
#: safe upper bounds the surrogate SDP uses (note 4.2; module docstring of fastisac.algorithms.tris_rsma)
BERNSTEIN_BOUNDS = {"exact": 0, "norm": 1, "trace": 2}


def bernstein_bound_code(bound) -> int:
    """The kernels' integer code of ``bound`` ("exact", "norm", "trace")."""
    if bound not in BERNSTEIN_BOUNDS:
        raise ValueError(f"bound: must be one of {tuple(BERNSTEIN_BOUNDS)}, got {bound!r}")
    return BERNSTEIN_BOUNDS[bound]


def _bernstein_args(X, h, s, inv_rho, k, p_out, an, bound):
    """Checked (X, h, s, inv_rho, k, -log p_out, an, bound code) of the Bernstein-margin kernels."""
    X = _streams(X)
    h = as_complex(h, "h", shape=(X.shape[1],))
    k = as_int(k, "k", minimum=0, maximum=X.shape[0] - 2)
    p_out = as_float(p_out, "p_out")
    if not 0 < p_out < 1:
        raise ValueError(f"p_out: must lie in (0, 1), got {p_out}")
    return (X, h, as_float(s, "s", nonneg=True), as_float(inv_rho, "inv_rho", positive=True), k, -np.log(p_out),
            int(bool(an)), bernstein_bound_code(bound))


def lu_bernstein_margin(X, h, s, inv_rho, k, a, p_out, an=False, bound="exact") -> float:
    """phi_k(a) of note 4.3 step 4: >= 0 certifies Pr{SINR_p,k < 1/a} <= p_out (corrected (51)-(53));
    ``bound`` "norm" / "trace" replaces lambda^-(A) by an upper bound (a smaller, still certifying margin)."""
    return lu_bernstein_margin_nb(*_bernstein_args(X, h, s, inv_rho, k, p_out, an, bound),
                                  as_float(a, "a", nonneg=True))


def certified_interval(X, h, s, inv_rho, k, p_out, an=False, bound="exact"):
    """[a_lo, a_hi] where phi_k >= 0 ((inf, -inf) if empty)."""
    return certified_interval_nb(*_bernstein_args(X, h, s, inv_rho, k, p_out, an, bound))


def noma_sic_order(H, inv_rho) -> np.ndarray:
    """NOMA SIC decoding order (note 5.5 [A]): users by rho_k ||h_k||^2 ascending (weakest decoded first)."""
    H = as_complex(H, "H", ndim=2)
    inv_rho = as_real(inv_rho, "inv_rho", shape=(H.shape[0],), positive=True)
    return np.argsort(np.sum(np.abs(H) ** 2, axis=1) / inv_rho, kind="stable").astype(np.int64)


def _sic_order(sic_order, K):
    if sic_order is None:
        return np.zeros(0, dtype=np.int64)
    order = np.asarray(sic_order)
    if order.shape != (K,) or not np.issubdtype(order.dtype, np.integer) or sorted(order.tolist()) != list(range(K)):
        raise ValueError(f"sic_order: must be a permutation of 0..{K - 1}, got {sic_order!r}")
    return order.astype(np.int64)


def sic_masks(K: int, an: bool = False, sic_order=None):
    """(mask (K, K+1), decoders (K, K)): mask[k, i] = 1 if stream i (0 = common/AN) interferes with the
    decoding of private stream k; decoders[k, j] = 1 if user j must decode stream k. ``sic_order``
    (NOMA + AN, note 5.5): stream pi(i) is interfered by pi(i+1..K) and decoded by users pi(i..K)."""
    K = as_int(K, "K", minimum=1)
    return sic_masks_nb(_sic_order(sic_order, K), K, int(bool(an)))


def _slot_bounds(t_min, t_max, period, n_slots):
    t_min = as_float(t_min, "t_min", nonneg=True)
    t_max = as_float(t_max, "t_max", positive=True)
    period = as_float(period, "period", positive=True)
    if t_min > t_max:
        raise ValueError(f"t_min: must be <= t_max, got {t_min} > {t_max}")
    if n_slots * t_min > period * (1 + 1e-12):
        raise ValueError(f"t_min: L * t_min = {n_slots * t_min} exceeds the period {period}")
    return t_min, t_max, period


def greedy_slot_durations(values, t_min, t_max, period) -> np.ndarray:
    """Slot durations maximising sum t_l S_l (note 4.3 step 7)."""
    values = as_real(values, "values", ndim=1)
    t_min, t_max, period = _slot_bounds(t_min, t_max, period, values.shape[0])
    return greedy_slot_durations_nb(values, t_min, t_max, period)


def tris_rsma_evaluate(X, H, G, eps, inv_rho, s_h, tau, eta, s_e, rate_user, theta_e, sigma1, sigma2, *, an=False,
                       common=True, positive_part=True, t_min=0.5e-3, t_max=3.5e-3, period=10e-3, fast=False,
                       sic_order=None, bound="trace") -> dict:
    """Evaluation step E of note 4.3 for X (L, K+1, N, N): worst-case SINRs, redundancy rates, the
    common-rate split, slot values and the greedy durations; ``value`` = (1/T) sum t_l S_l.
    ``fast``: the surrogates of the default SDP, with the Bernstein eigenvalue terms bounded as ``bound``
    says ("trace" or "norm"; ignored when ``fast`` is False).
    ``sic_order`` (NOMA + AN): chi_k is the worst-case SINR of stream k minimised over its decoders."""
    X = as_complex(X, "X", ndim=4)
    L, S, N, N2 = X.shape
    if N != N2 or S < 2:
        raise ValueError(f"X: must have shape (L, K+1, N, N), got {X.shape}")
    K = S - 1
    H, G, M = _channels(H, G, K, N)
    eps = as_real(eps, "eps", shape=(K,), nonneg=True)
    inv_rho = as_real(inv_rho, "inv_rho", shape=(K,), positive=True)
    s_h = as_real(s_h, "s_h", shape=(K,), nonneg=True)
    tau = as_real(tau, "tau", shape=(M,), nonneg=True)
    eta = as_real(eta, "eta", shape=(M,), positive=True)
    s_e = as_real(s_e, "s_e", shape=(M,), nonneg=True)
    rate_user = as_real(rate_user, "rate_user", shape=(K,), nonneg=True)
    t_min, t_max, period = _slot_bounds(t_min, t_max, period, L)
    mask, dec = sic_masks_nb(_sic_order(sic_order, K), K, int(bool(an)))
    code = bernstein_bound_code(bound)
    if code == 0 and fast:
        raise ValueError("bound: the fast evaluation needs a surrogate bound ('trace' or 'norm'), got 'exact'")
    out = evaluate_slots_nb(X, H, G, eps, inv_rho, s_h, tau, eta, s_e, rate_user,
                            as_float(theta_e, "theta_e", positive=True), as_float(sigma1, "sigma1", positive=True),
                            as_float(sigma2, "sigma2", positive=True), mask, dec, bool(common), bool(positive_part),
                            code if fast else 0)
    names = ("chi", "I_wc", "iota", "m_star", "J_wc", "a_lo", "a_hi", "C_min", "C", "o", "omega", "Rc_max", "S",
             "split_feasible", "iu_margin")
    ev = dict(zip(names, out))
    t = greedy_slot_durations_nb(ev["S"], t_min, t_max, period)
    ev["t"] = t
    ev["value"] = float(np.sum(t * ev["S"]) / period)
    return ev


def detection_probability(p, varsigma, p_fa) -> np.ndarray:
    """P_D[m, l] = P_FA^{1/(1 + p[l] varsigma[m])} ((31) in closed form)."""
    p = as_real(p, "p", ndim=1, nonneg=True)
    varsigma = as_real(varsigma, "varsigma", ndim=1, nonneg=True)
    p_fa = as_float(p_fa, "p_fa")
    if not 0 < p_fa < 1:
        raise ValueError(f"p_fa: must lie in (0, 1), got {p_fa}")
    return detection_probability_nb(p, varsigma, p_fa)


def tris_fim(Rx, snapshots, distance, azimuth, pitch, n_rows, n_cols, spacing, wavelength, snr_scale,
             multi_rx=False) -> np.ndarray:
    """FIM (3 x 3) of (distance, azimuth, pitch) of note 2.7 [A], Rx (L, N, N) transmit covariances (W)."""
    r, c = _grid(n_rows, n_cols)
    Rx = as_complex(Rx, "Rx", shape=(None, r * c, r * c))
    snapshots = as_real(snapshots, "snapshots", shape=(Rx.shape[0],), nonneg=True)
    return fim_nb(Rx, snapshots, as_float(distance, "distance", positive=True), as_float(azimuth, "azimuth"),
                  as_float(pitch, "pitch"), r, c, as_float(spacing, "spacing", positive=True),
                  as_float(wavelength, "wavelength", positive=True), as_float(snr_scale, "snr_scale", positive=True),
                  int(bool(multi_rx)))


def _channels(H, G, K, N):
    """Checked user channels H (K, N) and illegal-user channels G (M, N); returns (H, G, M)."""
    H = as_complex(H, "H", shape=(K, N))
    G = as_complex(G, "G", ndim=2)
    if G.shape[1] != N:
        raise ValueError(f"G: must have {N} columns, got {G.shape}")
    return H, G, G.shape[0]


def _factors(X, rel_tol=1e-12):
    """Covariance factors F_i (N, R) with X_i = F_i F_i^H (eigen, negative round-off clipped),
    keeping the R columns the most-ranked stream needs (eigenvalues above rel_tol times the
    stream's largest; the rest of X_i is round-off): a rank-one design costs the Monte Carlo
    verifier N instead of N^2 multiply-adds per stream and draw."""
    lam, U = np.linalg.eigh(0.5 * (X + np.conj(np.swapaxes(X, -1, -2))))
    lam = np.maximum(lam, 0.0)
    top = lam[:, -1:]
    rank = int(max(1, np.max(np.sum(lam > rel_tol * np.maximum(top, 1e-300), axis=1))))
    F = U[:, :, -rank:] * np.sqrt(lam[:, None, -rank:])
    return np.ascontiguousarray(F)


def outage_verify(X, H, G, s_h, s_e, inv_rho, eta, theta_lu, theta_e, n_draws, *, an=False, seed=0,
                  chunk=4096, sic_order=None) -> dict:
    """Monte Carlo outage of (34h)/(34i) for one slot X (K+1, N, N): fractions of draws with
    SINR_p,k < theta_lu[k] (theta_lu[k] <= 0: void) and with SINR_{k,m} >= theta_e. With
    ``sic_order`` (NOMA + AN) user k's own-stream SINR only counts the streams decoded after it.
    Draw i uses its own counter-based stream (seed, i): results do not depend on ``chunk``."""
    X = _streams(X)
    K, N = X.shape[0] - 1, X.shape[1]
    H, G, M = _channels(H, G, K, N)
    s_h = as_real(s_h, "s_h", shape=(K,), nonneg=True)
    s_e = as_real(s_e, "s_e", shape=(M,), nonneg=True)
    inv_rho = as_real(inv_rho, "inv_rho", shape=(K,), positive=True)
    eta = as_real(eta, "eta", shape=(M,), positive=True)
    theta_lu = as_real(theta_lu, "theta_lu", shape=(K,))
    n_draws = as_int(n_draws, "n_draws", minimum=1)
    seed = as_int(seed, "seed", minimum=0)
    mask, _ = sic_masks_nb(_sic_order(sic_order, K), K, int(bool(an)))
    lu, iu = outage_verify_nb(_factors(X), H, G, s_h, s_e, inv_rho, eta, theta_lu,
                              as_float(theta_e, "theta_e", positive=True), mask, seed, n_draws,
                              as_int(chunk, "chunk", minimum=1))
    return dict(lu=lu / n_draws, iu=iu / n_draws, lu_counts=lu, iu_counts=iu, n_draws=n_draws)


def bernstein_bounds(Q, r, sigma):
    """(E^-, E^+) of Lemma 1 for f(e) = e^H Q e + 2 Re(e^H r), e ~ CN(0, I)."""
    Q = as_hermitian(Q, "Q")
    r = as_complex(r, "r", shape=(Q.shape[0],))
    sigma = as_float(sigma, "sigma", nonneg=True)
    lam = np.linalg.eigvalsh(Q)
    root = np.sqrt(2 * sigma * (np.sum(np.abs(Q) ** 2) + 2 * np.sum(np.abs(r) ** 2)))
    tr = float(np.trace(Q).real)
    return tr - root - sigma * max(-lam[0], 0.0), tr + root + sigma * max(lam[-1], 0.0)


def bernstein_lemma_check(Q, r, sigma, n_draws, seed=0, chunk=4096) -> dict:
    """Lemma 1 by sampling: empirical Pr{f <= E^-} and Pr{f >= E^+} (each should be <= e^-sigma)."""
    lo_b, hi_b = bernstein_bounds(Q, r, sigma)
    Q = as_hermitian(Q, "Q")
    r = as_complex(r, "r", shape=(Q.shape[0],))
    n_draws = as_int(n_draws, "n_draws", minimum=1)
    lo, hi = bernstein_lemma_check_nb(Q, r, as_int(seed, "seed", minimum=0), n_draws, as_int(chunk, "chunk", minimum=1),
                                      lo_b, hi_b)
    return dict(p_low=lo / n_draws, p_high=hi / n_draws, e_minus=lo_b, e_plus=hi_b, bound=float(np.exp(-sigma)),
                n_draws=n_draws)


def tma_mapping(x, a_max: float, period: float):
    """Element samples x (N,) -> (tau (N,), t_on (N,)) of the time-modulated array, (2)-(3).

    ``a_max``: the amplitude reached at tau = T_p / 2 (every |x_n| must be <= a_max, up to
    1e-12 relative); ``period``: the symbol time T_p (s).
    """
    x = as_complex(x, "x", ndim=1)
    a_max = as_float(a_max, "a_max", positive=True)
    period = as_float(period, "period", positive=True)
    if x.size and np.max(np.abs(x)) > a_max * (1.0 + 1e-12):
        raise ValueError(f"x: amplitude {np.max(np.abs(x)):.6g} exceeds a_max = {a_max:.6g}")
    return tma_mapping_nb(x, a_max, period)


def tma_first_harmonic(tau, t_on, period: float) -> np.ndarray:
    """First Fourier coefficient of each element's on/off waveform (note 2.1 [D])."""
    period = as_float(period, "period", positive=True)
    tau = as_real(tau, "tau", ndim=1, nonneg=True)
    t_on = as_real(t_on, "t_on", shape=tau.shape)
    if np.any(tau > period):
        raise ValueError("tau: on-state durations must not exceed the period")
    return tma_first_harmonic_nb(tau, t_on, period)


def tma_harmonic_loss_db() -> float:
    """Share of a +-1 square wave's power in its +-1st harmonics, 10 log10(8 / pi^2) = -0.912 dB
    (the paper's quoted TMA loss; note 2.1 [D]: it enters no equation)."""
    return float(10.0 * np.log10(8.0 / np.pi ** 2))


def warmup() -> None:
    """Compile (or load from cache) the seed 004 kernels."""
    n = 4
    X = np.stack([np.eye(n, dtype=np.complex128)] * 3)
    H = np.ones((2, n), dtype=np.complex128)
    tris_rsma_evaluate(X[None], H, H[:1], np.full(2, 0.1), np.ones(2), np.full(2, 0.01), np.ones(1), np.ones(1),
                       np.ones(1), np.full(2, 0.5), 0.19, 3.9, 4.6, t_min=1.0, t_max=1.0, period=1.0)
    outage_verify(X, H, H[:1], np.full(2, 0.1), np.ones(1), np.ones(2), np.ones(1), np.full(2, 0.4), 0.19, 10)
    steering_upa_batch(2, 2, np.zeros(2), np.zeros(2))
    beampattern_upa(X[0], 2, 2, np.zeros(2), np.zeros(2))
    tris_fim(X[:1], np.ones(1), 50.0, 0.3, 0.2, 2, 2, 0.5, 0.01, 1.0)
    detection_probability(np.ones(2), np.ones(1), 1e-4)
    tau, t_on = tma_mapping(np.full(2, 0.5 + 0.5j), 1.0, 1.0)
    tma_first_harmonic(tau, t_on, 1.0)
