"""Scenario of seed 000 (Xu et al., networked ISAC): M BSs with N-antenna ULAs, K users per
BS, one eavesdropper with a coarse location prior, two-stage frame (tau_1, tau_2).

Stated values (spec 6.1) and recommended ones (spec 6.2 [A]) are the defaults. Working units
(numerics.md 2): powers in ``power_unit_w`` (1 mW), every user channel scaled by
``sqrt(unit / sigma_u^2)`` and every Eve channel by ``sqrt(unit / sigma_e^2)`` (noise power 1),
and the FIM kernel matrices take covariances in the same unit. Radii beta_gm (17), a_m (55),
b_m (56) are in scaled Eve-channel units; Tr Q (the MSE) stays in m^2.

Readings (spec [A]): ULAs along the x-axis, theta_m = atan2(p - q_m); nominal Eve channel
gbar_m = alpha_m sqrt(kappa/(1+kappa)) a(thetabar_m) from the prior estimate pbar in both
stages (spec 2.3); Eve link alpha_m = lambda/(4 pi d_m); radar gain
alpha_{m',m} = sqrt(lambda^2 RCS / ((4 pi)^3 d_{m'}^2 d_m^2)); Rayleigh user channels with
PL = (lambda/4 pi)^2 d^-2.5; users uniform in an annulus around their BS, at least 10 m
from Eve.  DEVIATION: the annulus defaults to 5-15 m, not the note's 10-30 m: with 10-30 m
the paper's default R_info = 5 bits/s/Hz was not reachable on the drops tried even without
the leakage constraint (M = 3, K = 2, N = 4: the SCA stalled with 1.6 bits of rate slack on
drop 1), so no figure point would be feasible. ``user_ring`` is configurable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_float, as_int, as_real
from ..kernels._networked import (eve_geometry_nb, fim_kernel_matrices_nb, radar_response_derivatives_nb,
                                  radius_constants_nb, steering_paper_nb, trace_inverse_2x2_nb)
from .channels import complex_gaussian

SPEED_OF_LIGHT = 3.0e8   # lambda = 0.06 m at 5 GHz as the paper states


@dataclass(frozen=True)
class NetworkedScenario:
    n_bs: int = 3
    n_antennas: int = 4
    n_users: int = 2
    bs_positions: tuple = ((15.0, 22.5), (-25.0, 25.0), (15.0, -30.0))
    eve_position: tuple = (0.0, 0.0)
    eve_estimate: tuple = (0.0, 0.0)
    carrier_hz: float = 5e9
    tau: tuple = (0.2, 0.8)
    rate_info: float = 5.0
    rate_leak: float = 0.5
    pmax_dbm: float = 20.0
    noise_user_dbm: float = -100.0
    noise_eve_dbm: float = -100.0
    noise_sensing_dbm: float = -100.0
    snapshots: int = 1024
    kappa: float = 10.0
    beta_nlos: float = 0.1
    prior_cov: tuple = ((1.0, 0.0), (0.0, 1.0))
    rcs: float = 1.0
    user_ring: tuple = (5.0, 15.0)
    user_min_eve_distance: float = 10.0
    pl_exponent: float = 2.5
    power_unit_w: float = 1e-3

    def __post_init__(self):
        M = as_int(self.n_bs, "n_bs", minimum=2)
        as_int(self.n_antennas, "n_antennas", minimum=2)
        as_int(self.n_users, "n_users", minimum=1)
        q = as_real(self.bs_positions, "bs_positions", shape=(M, 2))
        p = as_real(self.eve_estimate, "eve_estimate", shape=(2,))
        as_real(self.eve_position, "eve_position", shape=(2,))
        if np.min(np.hypot(q[:, 0] - p[0], q[:, 1] - p[1])) <= 1e-6:
            raise ValueError("bs_positions: a BS coincides with the eavesdropper (estimated) position")
        tau = as_real(self.tau, "tau", shape=(2,), nonneg=True)
        if abs(tau.sum() - 1.0) > 1e-9 or tau[1] <= 0:
            raise ValueError(f"tau: tau_1 + tau_2 must equal 1 with tau_2 > 0, got {tuple(tau)}")
        as_float(self.rate_info, "rate_info", nonneg=True)
        as_float(self.rate_leak, "rate_leak", positive=True)
        for name in ("pmax_dbm", "noise_user_dbm", "noise_eve_dbm", "noise_sensing_dbm"):
            as_float(getattr(self, name), name)
        as_int(self.snapshots, "snapshots", minimum=1)
        for name in ("carrier_hz", "kappa", "rcs", "pl_exponent", "power_unit_w"):
            as_float(getattr(self, name), name, positive=True)
        as_float(self.beta_nlos, "beta_nlos", nonneg=True)
        Q = as_real(self.prior_cov, "prior_cov", shape=(2, 2))
        if np.any(np.linalg.eigvalsh(0.5 * (Q + Q.T)) <= 0):
            raise ValueError("prior_cov: must be symmetric positive definite")
        r = as_real(self.user_ring, "user_ring", shape=(2,), positive=True)
        if r[0] >= r[1]:
            raise ValueError("user_ring: inner radius must be below the outer one")

    @property
    def wavelength(self) -> float:
        return SPEED_OF_LIGHT / self.carrier_hz

    @property
    def pmax(self) -> float:
        """P_max in working units (mW)."""
        return 10.0 ** ((self.pmax_dbm - 30.0) / 10.0) / self.power_unit_w

    def with_(self, **kw) -> "NetworkedScenario":
        from dataclasses import replace
        return replace(self, **kw)

    def draw(self, rng: np.random.Generator) -> "NetworkedInstance":
        """One seeded user drop with every derived constant (scaled units)."""
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng: must be a numpy.random.Generator, got {type(rng).__name__}")
        M, N, K = self.n_bs, self.n_antennas, self.n_users
        lam = self.wavelength
        q = np.asarray(self.bs_positions, float)
        pbar = np.asarray(self.eve_estimate, float)
        users = np.empty((M, K, 2))
        for m in range(M):
            for k in range(K):
                for _ in range(10_000):
                    r = np.sqrt(rng.uniform(self.user_ring[0] ** 2, self.user_ring[1] ** 2))
                    phi = rng.uniform(0, 2 * np.pi)
                    pos = q[m] + r * np.array([np.cos(phi), np.sin(phi)])
                    if np.linalg.norm(pos - pbar) >= self.user_min_eve_distance:
                        break
                users[m, k] = pos
        su = np.sqrt(self.power_unit_w / 10.0 ** ((self.noise_user_dbm - 30) / 10))
        dist_u = np.linalg.norm(users[None, :, :, :] - q[:, None, None, :], axis=-1)      # (tx, rx, k)
        pl = (lam / (4 * np.pi)) ** 2 * dist_u ** (-self.pl_exponent)
        h = complex_gaussian(rng, (M, M, K, N)) * (np.sqrt(pl) * su)[..., None]
        return NetworkedInstance(self, h, users)


@dataclass
class NetworkedInstance:
    """A drop: scaled channels h[tx, rx, k] (N,), nominal Eve channels, radii and FIM kernels."""

    scenario: NetworkedScenario
    h: np.ndarray
    user_positions: np.ndarray
    dist: np.ndarray = field(init=False)
    theta: np.ndarray = field(init=False)
    alpha_eve: np.ndarray = field(init=False)      # scaled amplitude gains alpha_m
    gbar: np.ndarray = field(init=False)           # (M, N) scaled nominal Eve channels
    dG: np.ndarray = field(init=False)             # (M, M, 2, N, N) radar derivatives (unit alpha scale)
    J: np.ndarray = field(init=False)              # (M, 3, N, N) FIM kernels, S in working units
    fim_scale: float = field(init=False)
    a: np.ndarray = field(init=False)
    b: np.ndarray = field(init=False)
    beta1: np.ndarray = field(init=False)          # stage-1 radii from the prior Q^(1)

    def __post_init__(self):
        sc = self.scenario
        M, N = sc.n_bs, sc.n_antennas
        lam = sc.wavelength
        q = np.asarray(sc.bs_positions, float)
        self.dist, self.theta, _ = eve_geometry_nb(q, np.asarray(sc.eve_estimate, float))
        se = np.sqrt(sc.power_unit_w / 10.0 ** ((sc.noise_eve_dbm - 30) / 10))
        self.alpha_eve = lam / (4 * np.pi * self.dist) * se
        los = np.sqrt(sc.kappa / (1 + sc.kappa))
        self.gbar = np.array([self.alpha_eve[m] * los * steering_paper_nb(N, self.theta[m]) for m in range(M)])
        alpha_r = np.sqrt(lam ** 2 * sc.rcs / ((4 * np.pi) ** 3 * np.outer(self.dist ** 2, self.dist ** 2)))
        self.dG = radar_response_derivatives_nb(N, self.theta, self.dist, alpha_r.astype(np.complex128))
        self.fim_scale = 2.0 * sc.snapshots * sc.power_unit_w / 10.0 ** ((sc.noise_sensing_dbm - 30) / 10)
        self.J = fim_kernel_matrices_nb(self.dG, self.fim_scale)
        self.a, self.b = radius_constants_nb(N, self.alpha_eve, self.dist, self.theta, sc.kappa,
                                             np.full(M, sc.beta_nlos))
        self.beta1 = self.radius(float(np.trace(np.asarray(sc.prior_cov, float))))

    @property
    def M(self):
        return self.scenario.n_bs

    @property
    def N(self):
        return self.scenario.n_antennas

    @property
    def K(self):
        return self.scenario.n_users

    @property
    def tau(self):
        return np.asarray(self.scenario.tau, float)

    def radius(self, trace_q: float) -> np.ndarray:
        """beta_gm (17) for an MSE Tr Q (m^2), scaled units."""
        return self.b + np.sqrt(max(trace_q, 0.0)) / self.a

    def fim(self, S1: np.ndarray) -> np.ndarray:
        """F = sum_m Fbar_m (2 x 2) from stage-1 covariances S1 (M, N, N)."""
        return np.real(np.einsum("mqab,mba->q", self.J, S1))[[0, 2, 2, 1]].reshape(2, 2)

    def mse(self, S1: np.ndarray) -> float:
        """Tr(F^{-1}) (m^2), the CRB-based MSE of the location estimate."""
        return float(trace_inverse_2x2_nb(self.fim(S1)))
