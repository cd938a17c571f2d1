"""Seed 003 (dual_eve) scenario: a DFRC BS with an Nt-element ULA, K CUs, one target that
is the communication eavesdropper and whose echo makes every CU a sensing eavesdropper.

Defaults are the paper's Table I (spec 7.1); what the paper leaves out follows the
spec's [A] choices: phi_k ~ U[0, 2 pi) per realisation, beta_ce real positive with
|beta_ce|^2 = RCS * PL(d_BT), |beta_e,k|^2 = PL(d_UT,k) (power path loss), g_k ~
CN(0, PL(d_BU,k) I). For K larger than the distance tuples, distances are cycled
(spec 7.2, Fig. 7: d_BU = 30 m for all, d_UT through 25, 25, 30).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._checks import as_float, as_int
from ..kernels import steering_ula_nb
from .channels import _rng, complex_gaussian, uniform_phases
from .units import THRESHOLD_CONVENTIONS, dbm_to_watt, path_loss, threshold_to_linear


@dataclass(frozen=True)
class DualEveScenario:
    n_antennas: int = 8
    n_users: int = 3
    power_dbm: float = 18.0
    gamma_s_dbm: float = 32.0
    gamma_se_dbm: float = 5.0
    target_angle_deg: float = 0.0
    rcs: float = 1.0
    noise_user_dbm: float = -80.0
    noise_target_dbm: float = -80.0
    noise_bs_dbm: float = -100.0
    d_bu: tuple = (30.0, 30.0, 30.0)
    d_ut: tuple = (25.0, 25.0, 30.0)
    d_bt: float = 50.0
    exponent_bu: float = 3.3
    exponent_bt: float = 2.0
    exponent_ut: float = 2.3
    c0_db: float = -30.0
    d0: float = 1.0
    spacing: float = 0.5
    threshold_convention: str = "dBm_as_W"

    def __post_init__(self):
        as_int(self.n_antennas, "n_antennas", minimum=1)
        as_int(self.n_users, "n_users", minimum=1)
        if self.n_users >= self.n_antennas:
            # spec 7.2 Fig. 7 [A]: K <= Nt - 1 so the comm beams can null the target
            raise ValueError(f"n_users: must be < n_antennas = {self.n_antennas} (spec 7.2), got {self.n_users}")
        for name in ("power_dbm", "gamma_s_dbm", "gamma_se_dbm", "noise_user_dbm", "noise_target_dbm",
                     "noise_bs_dbm", "c0_db"):
            as_float(getattr(self, name), name)
        as_float(self.target_angle_deg, "target_angle_deg", lower=-90.0, upper=90.0)
        for name in ("rcs", "d_bt", "exponent_bu", "exponent_bt", "exponent_ut", "d0", "spacing"):
            as_float(getattr(self, name), name, positive=True)
        for name in ("d_bu", "d_ut"):
            vals = getattr(self, name)
            if not isinstance(vals, tuple) or len(vals) == 0:
                raise ValueError(f"{name}: must be a non-empty tuple of distances in m")
            for v in vals:
                as_float(v, name, positive=True)
        if self.threshold_convention not in THRESHOLD_CONVENTIONS:
            raise ValueError(f"threshold_convention: must be one of {THRESHOLD_CONVENTIONS}")

    def replace(self, **changes) -> "DualEveScenario":
        return dataclasses.replace(self, **changes)

    # derived quantities -------------------------------------------------------
    @property
    def power_w(self) -> float:
        return dbm_to_watt(self.power_dbm)

    @property
    def sigma_k2(self) -> np.ndarray:
        return np.full(self.n_users, dbm_to_watt(self.noise_user_dbm))

    @property
    def sigma_t2(self) -> float:
        return dbm_to_watt(self.noise_target_dbm)

    @property
    def sigma_b2(self) -> float:
        return dbm_to_watt(self.noise_bs_dbm)

    @property
    def gamma_s(self) -> float:
        """BS SCNR threshold (linear) under the threshold convention."""
        return threshold_to_linear(self.gamma_s_dbm, self.threshold_convention)

    @property
    def gamma_se(self) -> float:
        """Sensing-eavesdropper SCNR cap (linear) under the threshold convention."""
        return threshold_to_linear(self.gamma_se_dbm, self.threshold_convention)

    def _cycled(self, values) -> np.ndarray:
        return np.array([values[k % len(values)] for k in range(self.n_users)], dtype=float)

    @property
    def pl_bu(self) -> np.ndarray:
        return path_loss(self._cycled(self.d_bu), self.exponent_bu, self.c0_db, self.d0)

    @property
    def beta_e(self) -> np.ndarray:
        """|h_e,k| = sqrt(PL(d_UT,k)) (eq. (46))."""
        return np.sqrt(path_loss(self._cycled(self.d_ut), self.exponent_ut, self.c0_db, self.d0))

    @property
    def beta_ce(self) -> float:
        return float(np.sqrt(self.rcs * path_loss(self.d_bt, self.exponent_bt, self.c0_db, self.d0)))

    @property
    def hce(self) -> np.ndarray:
        """BS -> target column channel beta_ce a(theta_t) (eq. (47)); deterministic."""
        return self.beta_ce * steering_ula_nb(self.n_antennas, np.deg2rad(self.target_angle_deg), self.spacing)

    @property
    def rho(self) -> float:
        """||h_ce||^2 = Nt |beta_ce|^2 (spec 2.5)."""
        return self.n_antennas * self.beta_ce ** 2

    # channel draws ---------------------------------------------------------------
    def draw(self, rng: np.random.Generator) -> "DualEveChannels":
        """One channel realisation: g_k Rayleigh, phi_k uniform (draw order: g, then phi)."""
        rng = _rng(rng)
        K, N = self.n_users, self.n_antennas
        g = complex_gaussian(rng, (K, N)) * np.sqrt(self.pl_bu)[:, None]
        he = self.beta_e * uniform_phases(rng, (K,))
        return DualEveChannels.from_components(g, he, self.hce)


@dataclass(frozen=True)
class DualEveChannels:
    """One realisation. Column channels g (K, N) and hce (N,); he (K,) target->CU gains;
    h (K, N) the effective row channels h_k = g_k^H + h_e,k h_ce^H (unnumbered, after (6))."""

    g: np.ndarray
    he: np.ndarray
    hce: np.ndarray
    h: np.ndarray

    @classmethod
    def from_components(cls, g, he, hce) -> "DualEveChannels":
        g = np.ascontiguousarray(g, dtype=np.complex128)
        he = np.ascontiguousarray(he, dtype=np.complex128)
        hce = np.ascontiguousarray(hce, dtype=np.complex128)
        if g.ndim != 2 or he.shape != (g.shape[0],) or hce.shape != (g.shape[1],):
            raise ValueError(f"g, he, hce: inconsistent shapes {g.shape}, {he.shape}, {hce.shape}")
        for name, arr in (("g", g), ("he", he), ("hce", hce)):
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name}: must be finite")
        h = np.conj(g) + he[:, None] * np.conj(hce)[None, :]
        return cls(g=g, he=he, hce=hce, h=h)

    @property
    def n_users(self) -> int:
        return self.g.shape[0]

    @property
    def n_antennas(self) -> int:
        return self.g.shape[1]
