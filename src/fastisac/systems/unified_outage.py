"""Seed 001 (unified_outage) scenario: an N-antenna ULA BS, K users with Rician channels, E
eavesdroppers with statistical CSI only (g_e ~ CN(0, delta_e^2 I)), one target and I
scatterers; everyone uniform in a disc around the BS.

Defaults are spec 001 section 6.1 (most of the paper's numbers were lost; the [A] values
are used): N = 8, K = 3, E = 2, I = 2, P = 30 dBm, r = 100 m, 3.5 GHz, 10 MHz, noise
-174 dBm/Hz, eps = 0.1, path loss C0 (d/d0)^-2.8 with C0 = -30 dB, Rician factor 3 dB,
radar-equation target/scatterer gains with RCS 1 m^2 and random phase, L = 181 grid
angles, desired beampattern N P on |theta - theta_0| <= 5 deg, P_FA = 1e-4, L_s = 1, AN
with M = N columns. Readings chosen here (not in the spec): positions are uniform in the
half disc in front of the array (angles in [-90, 90] deg, the ULA cannot tell front from
back) with a minimum distance of 10 m, and every user's LoS angle is its geometric angle.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._checks import as_float, as_int
from ..kernels import steering_ula_batch_nb
from .channels import _rng, complex_gaussian, uniform_phases
from .units import db_to_linear, dbm_to_watt, path_loss

SPEED_OF_LIGHT = 299_792_458.0


@dataclass(frozen=True)
class UnifiedOutageScenario:
    n_antennas: int = 8
    n_users: int = 3
    n_eves: int = 2
    n_scatterers: int = 2
    power_dbm: float = 30.0
    radius_m: float = 100.0
    min_distance_m: float = 10.0
    carrier_hz: float = 3.5e9
    bandwidth_hz: float = 10e6
    noise_psd_dbm_hz: float = -174.0
    epsilon: float = 0.1
    c0_db: float = -30.0
    d0: float = 1.0
    exponent_bu: float = 2.8
    exponent_be: float = 2.8
    rician_k_db: float = 3.0
    rcs: float = 1.0
    spacing: float = 0.5
    n_grid: int = 181
    beam_halfwidth_deg: float = 5.0
    p_fa: float = 1e-4
    n_snapshots: int = 1
    n_an: int | None = None          # AN columns M (None: M = N; 0: no AN)

    def __post_init__(self):
        as_int(self.n_antennas, "n_antennas", minimum=2)
        as_int(self.n_users, "n_users", minimum=1)
        as_int(self.n_eves, "n_eves", minimum=0)
        as_int(self.n_scatterers, "n_scatterers", minimum=0)
        if self.n_scatterers >= self.n_antennas:
            raise ValueError(f"n_scatterers: must be < n_antennas (spec 1: I < N), got {self.n_scatterers}")
        for name in ("power_dbm", "noise_psd_dbm_hz", "c0_db", "rician_k_db"):
            as_float(getattr(self, name), name)
        for name in ("radius_m", "min_distance_m", "carrier_hz", "bandwidth_hz", "d0", "exponent_bu",
                     "exponent_be", "rcs", "spacing", "beam_halfwidth_deg"):
            as_float(getattr(self, name), name, positive=True)
        if self.min_distance_m >= self.radius_m:
            raise ValueError("min_distance_m: must be smaller than radius_m")
        as_float(self.epsilon, "epsilon", positive=True, upper=1.0)
        as_float(self.p_fa, "p_fa", positive=True, upper=0.5)
        as_int(self.n_grid, "n_grid", minimum=2)
        as_int(self.n_snapshots, "n_snapshots", minimum=1)
        if self.n_an is not None:
            as_int(self.n_an, "n_an", minimum=0)

    def replace(self, **changes) -> "UnifiedOutageScenario":
        return dataclasses.replace(self, **changes)

    @property
    def power_w(self) -> float:
        return dbm_to_watt(self.power_dbm)

    @property
    def noise_w(self) -> float:
        return dbm_to_watt(self.noise_psd_dbm_hz + 10 * np.log10(self.bandwidth_hz))

    @property
    def n_an_columns(self) -> int:
        return self.n_antennas if self.n_an is None else self.n_an

    @property
    def wavelength(self) -> float:
        return SPEED_OF_LIGHT / self.carrier_hz

    @property
    def grid_deg(self) -> np.ndarray:
        return np.linspace(-90.0, 90.0, self.n_grid)

    def _positions(self, rng, n):
        d = np.sqrt(rng.uniform(self.min_distance_m ** 2, self.radius_m ** 2, size=n))
        theta = rng.uniform(-np.pi / 2, np.pi / 2, size=n)
        return d, theta

    def draw(self, rng: np.random.Generator) -> "UnifiedOutageInstance":
        """One trial: geometry, Rician user channels, eavesdropper variances, target/scatterer gains.

        Draw order (fixed, for reproducibility): users, eavesdroppers, target, scatterers,
        NLoS user components, target/scatterer phases.
        """
        rng = _rng(rng)
        N, K, E, I = self.n_antennas, self.n_users, self.n_eves, self.n_scatterers
        d_u, th_u = self._positions(rng, K)
        d_e, th_e = self._positions(rng, E)
        d_t, th_t = self._positions(rng, 1)
        d_s, th_s = self._positions(rng, I)
        kappa = db_to_linear(self.rician_k_db)
        los = steering_ula_batch_nb(N, th_u, self.spacing)                    # (K, N) column values
        nlos = complex_gaussian(rng, (K, N))
        pl_u = path_loss(d_u, self.exponent_bu, self.c0_db, self.d0)
        H = np.sqrt(pl_u)[:, None] * (np.sqrt(kappa / (1 + kappa)) * los + np.sqrt(1 / (1 + kappa)) * nlos)
        delta2 = path_loss(d_e, self.exponent_be, self.c0_db, self.d0) if E else np.zeros(0)
        d_all = np.concatenate([d_t, d_s])
        th_all = np.concatenate([th_t, th_s])
        alpha = np.sqrt(self.wavelength ** 2 * self.rcs / ((4 * np.pi) ** 3 * d_all ** 4)) * uniform_phases(rng, (I + 1,))
        return UnifiedOutageInstance(H=np.ascontiguousarray(H), delta2=np.atleast_1d(delta2), alpha=alpha,
                                     theta_target=float(th_all[0]), theta_scatterers=th_all[1:].copy(),
                                     theta_users=th_u, d_users=d_u, d_eves=d_e)


@dataclass(frozen=True)
class UnifiedOutageInstance:
    H: np.ndarray                # (K, N): row k holds the column channel h_k (user receives h_k^H x)
    delta2: np.ndarray           # (E,) eavesdropper channel variances
    alpha: np.ndarray            # (I+1,) round-trip coefficients, [0] = target
    theta_target: float          # rad
    theta_scatterers: np.ndarray  # (I,) rad
    theta_users: np.ndarray
    d_users: np.ndarray
    d_eves: np.ndarray
