"""Seed 004 (tris_rsma) scenario: a TRIS transceiver (N_r x N_c UPA, per-element power cap P_t)
serving K LUs with RSMA while M imprecisely located IUs listen; L time slots of one scan.

Defaults are note 6.1 ([V] and [A] rows): LUs (50 m, 22.5 deg, 10 deg), (70, 45, 20), (90, 67.5,
30), IUs (65, 35, 25), (85, 55, 35) as (distance, azimuth, pitch); 30 GHz with c = 3e8
(lambda = 0.01 m), P_t = 1 mW per element, B = 20 MHz, t in [0.5, 3.5] ms, T = 10 ms, noise
-90 dBm, r^s = 0.5, r^e = 0.25 bps/Hz, P_out = 2 % / 1 %, eps_k = sqrt(0.01), eps_mn =
0.1 sqrt(kappa), kappa = 10, d_f = lambda/2, L = 5 with scan directions (22.5 (l-1), 10 (l-1))
deg, R[l] = P_t a a^H, delta[l] = 0.5 N^2 P_t^2, D_m = 2 m, Theta = Phi = 1 deg, S_RCS = 1 m^2,
P_FA = 1e-4, P_D = 0.9.

Readings (note 2.8, 4.1, 6.3): LU errors are relative to the path-loss-normalised channel;
``lu_sigma_rule="chi2"`` sets sigma_he^2 = 2 eps^2 / F^-1_{chi2(2N)}(1 - P_out1) (``"eps2"``:
sigma_he^2 = eps^2); E_e,m = s_m^2 I with s_m^2 = 2 tau_m^2 / F^-1_{chi2(2N)}(1 - P_out2);
tau_m from (43) with the worst angle error on a 9 x 9 box grid. sigma_r^2 is calibrated so
that (62) for the farther IU needs p_min = 0.8 * 16 P_t at N = 16 and P_t = 1 mW (worst-case
gain on the box, worst distance d + D) and kept fixed for every N and every P_t (so Fig. 10's
RCRB can scale with P_t; at P_t < 0.8 mW, (62) is infeasible at N = 16); ``sigma_r2_w``
overrides it.
TMA loss (note 2.1 [A], default off): ``tma_loss_db`` <= 0 multiplies the power gain of every TRIS
communication channel (LUs and IUs) by 10^(tma_loss_db / 10); the paper's quoted +-1st-harmonic loss
is -0.912 dB = 10 log10(8 / pi^2) (:func:`fastisac.kernels.tris_rsma.tma_harmonic_loss_db`). It is
applied in one place of :meth:`TrisRsmaScenario.draw`, where the LU gains xi_k^2 (so 1/rho_k) and
the IU gains eta_m are formed. Readings: the sensing budget (62), sigma_r^2 and the CRB are not
scaled (the note names the channel gains only), and the traditional transceiver (TRSMA) has no TMA
(note 5.1 [A]): the BCD rejects a TRSMA run on an instance drawn with a loss.
Everything is returned in the dimensionless units of note 4.1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from .._checks import as_float, as_int
from ..kernels._array import steering_upa_batch_nb
from ..kernels._tris_rsma import iu_uncertainty_nb
from .channels import _rng, complex_gaussian
from .units import dbm_to_watt

SPEED_OF_LIGHT_NOTE = 3.0e8       # the note's lambda = 0.01 m at 30 GHz


def _positions(name, value):
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 3 or not np.all(np.isfinite(arr)) or np.any(arr[:, 0] <= 0):
        raise ValueError(f"{name}: must be a sequence of (distance > 0, azimuth_deg, pitch_deg) triples")
    return arr


@dataclass(frozen=True)
class TrisRsmaScenario:
    n_rows: int = 4
    n_cols: int = 4
    users: tuple = ((50.0, 22.5, 10.0), (70.0, 45.0, 20.0), (90.0, 67.5, 30.0))
    ius: tuple = ((65.0, 35.0, 25.0), (85.0, 55.0, 35.0))
    carrier_hz: float = 30e9
    power_per_element_mw: float = 1.0
    bandwidth_hz: float = 20e6
    t_min_s: float = 0.5e-3
    t_max_s: float = 3.5e-3
    period_s: float = 10e-3
    n_slots: int = 5
    noise_dbm: float = -90.0
    rate_user: float = 0.5
    rate_iu: float = 0.25
    p_out_user: float = 0.02
    p_out_iu: float = 0.01
    eps_user: float = 0.1
    eps_iu_factor: float = 0.1            # eps_mn = factor * sqrt(kappa)
    kappa: float = 10.0
    spacing: float = 0.5                  # d_f / lambda
    iu_distance_error_m: float = 2.0
    iu_azimuth_error_deg: float = 1.0
    iu_pitch_error_deg: float = 1.0
    lu_sigma_rule: str = "chi2"
    tau2_normalised: float | None = None  # Fig. 8: tau_m^2 / (kappa N) set directly
    rcs: float = 1.0
    p_fa: float = 1e-4
    p_d: float = 0.9
    detection_power_fraction: float = 0.8  # sigma_r^2 calibration (note 6.3)
    sigma_r2_w: float | None = None
    calibration_power_w: float = 1e-3     # sigma_r^2 is calibrated at P_t = 1 mW and kept for every P_t
    rho_delta: float = 0.5
    scan_step_deg: tuple = (22.5, 10.0)
    p_feed_w: float = 0.0
    p_element_w: float = 0.0
    p_rf_w: float = 0.0
    perfect_csi: bool = False
    n_angle_grid: int = 9
    tma_loss_db: float = 0.0              # note 2.1 [A]: power factor on the TRIS channel gains, off

    def __post_init__(self):
        as_int(self.n_rows, "n_rows", minimum=1)
        as_int(self.n_cols, "n_cols", minimum=1)
        as_int(self.n_slots, "n_slots", minimum=1)
        as_int(self.n_angle_grid, "n_angle_grid", minimum=2)
        _positions("users", self.users)
        _positions("ius", self.ius)
        for name in ("carrier_hz", "power_per_element_mw", "bandwidth_hz", "t_min_s", "t_max_s", "period_s",
                     "kappa", "spacing", "rcs"):
            as_float(getattr(self, name), name, positive=True)
        for name in ("rate_user", "rate_iu", "eps_user", "eps_iu_factor", "iu_distance_error_m",
                     "iu_azimuth_error_deg", "iu_pitch_error_deg", "p_feed_w", "p_element_w", "p_rf_w", "rho_delta"):
            as_float(getattr(self, name), name, nonneg=True)
        as_float(self.noise_dbm, "noise_dbm")
        if as_float(self.tma_loss_db, "tma_loss_db") > 0.0:
            raise ValueError(f"tma_loss_db: a loss must be <= 0 dB, got {self.tma_loss_db}")
        for name in ("p_out_user", "p_out_iu", "p_fa", "p_d", "detection_power_fraction"):
            v = as_float(getattr(self, name), name)
            if not 0.0 < v < 1.0:
                raise ValueError(f"{name}: must lie in (0, 1), got {v}")
        if self.p_d <= self.p_fa:
            raise ValueError("p_d: must exceed p_fa")
        if self.t_min_s > self.t_max_s:
            raise ValueError(f"t_min_s: must be <= t_max_s, got {self.t_min_s} > {self.t_max_s}")
        if self.n_slots * self.t_min_s > self.period_s * (1 + 1e-12):
            raise ValueError(f"t_min_s: n_slots * t_min_s = {self.n_slots * self.t_min_s} exceeds period_s")
        if self.lu_sigma_rule not in ("chi2", "eps2"):
            raise ValueError(f"lu_sigma_rule: must be 'chi2' or 'eps2', got {self.lu_sigma_rule!r}")
        if self.tau2_normalised is not None:
            as_float(self.tau2_normalised, "tau2_normalised", nonneg=True)
        if self.sigma_r2_w is not None:
            as_float(self.sigma_r2_w, "sigma_r2_w", positive=True)
        if np.any(_positions("ius", self.ius)[:, 0] <= self.iu_distance_error_m):
            raise ValueError("iu_distance_error_m: must be smaller than every IU distance")

    def replace(self, **changes) -> "TrisRsmaScenario":
        return dataclasses.replace(self, **changes)

    # ---------------------------------------------------------------- derived scalars
    @property
    def n_elements(self) -> int:
        return self.n_rows * self.n_cols

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_ius(self) -> int:
        return len(self.ius)

    @property
    def wavelength(self) -> float:
        return SPEED_OF_LIGHT_NOTE / self.carrier_hz

    @property
    def power_w(self) -> float:
        return self.power_per_element_mw * 1e-3

    @property
    def noise_w(self) -> float:
        return dbm_to_watt(self.noise_dbm)

    @property
    def tma_power_factor(self) -> float:
        """10^(tma_loss_db / 10): the TMA power factor on every TRIS channel gain (1 when off)."""
        return float(10.0 ** (self.tma_loss_db / 10.0))

    @property
    def sigma1(self) -> float:
        return -np.log(self.p_out_user)

    @property
    def sigma2(self) -> float:
        return -np.log(self.p_out_iu)

    @property
    def theta_e(self) -> float:
        return 2.0 ** self.rate_iu - 1.0

    @property
    def detection_threshold(self) -> float:
        """I_m = ln P_FA / ln P_D - 1 (note 2.7 [D])."""
        return np.log(self.p_fa) / np.log(self.p_d) - 1.0

    def _iu_angles(self):
        p = np.asarray(self.ius, dtype=np.float64)
        return p[:, 0], np.deg2rad(p[:, 1]), np.deg2rad(p[:, 2])

    def _iu_box(self, n_rows, n_cols):
        d, az, pt = self._iu_angles()
        err_az = 0.0 if self.perfect_csi else np.deg2rad(self.iu_azimuth_error_deg)
        err_pt = 0.0 if self.perfect_csi else np.deg2rad(self.iu_pitch_error_deg)
        N = n_rows * n_cols
        eps_mn = np.full(N, 0.0 if self.perfect_csi else self.eps_iu_factor * np.sqrt(self.kappa))
        out = [iu_uncertainty_nb(n_rows, n_cols, az[m], pt[m], err_az, err_pt, self.spacing, eps_mn, self.kappa,
                                 self.n_angle_grid) for m in range(len(d))]
        return np.array([o[1] for o in out]), np.array([o[2] for o in out])

    @property
    def distance_error(self) -> float:
        return 0.0 if self.perfect_csi else self.iu_distance_error_m

    def sigma_alpha2(self, distance):
        """(28): sigma_alpha^2 = S_RCS lambda^2 / ((4 pi)^3 d^4)."""
        return self.rcs * self.wavelength ** 2 / ((4 * np.pi) ** 3 * np.asarray(distance, dtype=float) ** 4)

    @property
    def sigma_r2(self) -> float:
        """Radar noise power (W): the override, or the note-6.3 calibration at N = 16 (4 x 4)."""
        if self.sigma_r2_w is not None:
            return self.sigma_r2_w
        d, _, _ = self._iu_angles()
        _, gain = self.replace(perfect_csi=False)._iu_box(4, 4)
        m = int(np.argmax(d))
        p_min = self.detection_power_fraction * 16 * self.calibration_power_w
        dd = d[m] + self.iu_distance_error_m
        return float(p_min * self.sigma_alpha2(dd) * gain[m] / self.detection_threshold)

    def scan_directions(self):
        l = np.arange(self.n_slots)
        return np.deg2rad(self.scan_step_deg[0] * l), np.deg2rad(self.scan_step_deg[1] * l)

    def draw(self, rng: np.random.Generator) -> "TrisRsmaInstance":
        """One realisation (only the LU NLoS components are random; note 6.1: 100 seeded draws per point)."""
        rng = _rng(rng)
        N, K, M = self.n_elements, self.n_users, self.n_ius
        lam, kap, Pt, s2 = self.wavelength, self.kappa, self.power_w, self.noise_w
        u = np.asarray(self.users, dtype=float)
        los = steering_upa_batch_nb(self.n_rows, self.n_cols, np.deg2rad(u[:, 1]), np.deg2rad(u[:, 2]), self.spacing)
        nlos = complex_gaussian(rng, (K, N))
        H = np.sqrt(kap / (kap + 1)) * los + np.sqrt(1 / (kap + 1)) * nlos
        xi2 = (lam / (4 * np.pi * u[:, 0])) ** 2
        d, az, pt = self._iu_angles()
        G = np.sqrt(kap) * steering_upa_batch_nb(self.n_rows, self.n_cols, az, pt, self.spacing)
        D = self.distance_error
        eta = lam ** 2 * Pt / ((4 * np.pi) ** 2 * (1 + kap) * (d - D) ** 2 * s2)
        # the one place the TMA loss enters (note 2.1 [A]): every TRIS channel power gain (LU xi_k^2, IU eta_m)
        xi2, eta = self.tma_power_factor * xi2, self.tma_power_factor * eta
        inv_rho = s2 / (xi2 * Pt)
        tau, gain = self._iu_box(self.n_rows, self.n_cols)
        if self.perfect_csi:
            tau = np.zeros(M)
            gain = np.ones(M)
        elif self.tau2_normalised is not None:
            tau = np.full(M, np.sqrt(self.tau2_normalised * kap * N))
        q1 = chi2.ppf(1 - self.p_out_user, 2 * N)
        q2 = chi2.ppf(1 - self.p_out_iu, 2 * N)
        eps = 0.0 if self.perfect_csi else self.eps_user
        s_h = np.full(K, np.sqrt(2 * eps ** 2 / q1) if self.lu_sigma_rule == "chi2" else eps)
        s_e = np.sqrt(2 * tau ** 2 / q2)
        sr2 = self.sigma_r2
        # (62): p * S lambda^2 gain / (sigma_r^2 N^2 (4 pi)^3 (d + D)^4) >= I  (gain normalised by N^2)
        varsigma_wc = self.sigma_alpha2(d + D) * gain / sr2
        p_min = self.detection_threshold / varsigma_wc / Pt           # normalised total power lower bound
        az_s, pt_s = self.scan_directions()
        A = steering_upa_batch_nb(self.n_rows, self.n_cols, az_s, pt_s, self.spacing)
        R = np.einsum("ln,lm->lnm", A, A.conj())                        # R[l] / P_t
        return TrisRsmaInstance(H=np.ascontiguousarray(H), G=np.ascontiguousarray(G), inv_rho=inv_rho, eta=eta,
                                eps=np.full(K, eps), tau=tau, s_h=s_h, s_e=s_e, p_min=p_min,
                                varsigma=self.sigma_alpha2(d) / sr2, R=R,
                                delta=np.full(self.n_slots, self.rho_delta * N ** 2), sigma_r2=sr2,
                                tma_power_factor=self.tma_power_factor)


@dataclass(frozen=True)
class TrisRsmaInstance:
    H: np.ndarray          # (K, N) normalised LU channel estimates h~_k
    G: np.ndarray          # (M, N) IU estimates g_hat_m = sqrt(kappa) a_hat_m
    inv_rho: np.ndarray    # (K,) 1 / rho_k
    eta: np.ndarray        # (M,) eta_m at the worst distance
    eps: np.ndarray        # (K,) LU ball radii
    tau: np.ndarray        # (M,) IU ball radii (43)
    s_h: np.ndarray        # (K,) LU Gaussian error std (per complex entry)
    s_e: np.ndarray        # (M,) IU Gaussian error std
    p_min: np.ndarray      # (M,) normalised minimum slot power from (62)
    varsigma: np.ndarray   # (M,) (32) at the estimated position, per W of slot power
    R: np.ndarray          # (L, N, N) desired covariances / P_t
    delta: np.ndarray      # (L,) beampattern budgets / P_t^2
    sigma_r2: float
    tma_power_factor: float = 1.0   # TMA power factor already applied to 1/inv_rho and eta (1 = no loss)
