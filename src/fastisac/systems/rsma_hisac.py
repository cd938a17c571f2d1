"""Seed 002 (rsma_hisac) scenario: RSMA-assisted heterogeneous ISAC (spec 002, sections 2 and 6.1).

BS1 (ISAC, UPA of ``m1`` antennas) serves Bob, senses a point target and is overheard by
Eve; BS2 (UPA of ``m2`` antennas) multicasts to ``n_users`` users with one-layer RSMA.
Every channel is a column vector (gain ``h^H w``, spec 1).

Readings (all [A] of the note, configurable):

* UPA shapes 4 = 2x2, 8 = 4x2, 12 = 4x3, 16 = 4x4, 20 = 5x4 (others: the most square
  factorisation), half-wavelength spacing, ``[u_h]_m = exp(j pi m sin(phi) cos(theta))``,
  ``[u_e]_m = exp(j pi m sin(theta))`` (built from the shared ULA kernel).
* Shadowed-Rician channel (1) with the 1/sqrt(T) scaling on the NLoS sum only ([R] 14),
  T = 4, NLoS azimuths within +-60 deg of the LoS one, depressions 0..30 deg;
  LoS amplitude Nakagami-(m, Omega), NLoS CN(0, 2b); (b, m, Omega) = (0.126, 10.1, 0.835).
  ``fading="nakagami2"`` / ``"rayleigh"``: i.i.d. Nakagami-m entries (Fig. 6(a)).
* Path loss (lambda / 4 pi)^2 d^-alpha at 18 GHz (3-D distance, BS 10 m, nodes 1.5 m high);
  target link LoS only with exponent 2, at 30 m horizontal, azimuth 30 deg.
  **Deviation:** alpha = 2.0 for the BS -> node links instead of the note's 2.5. With 2.5 the
  Phase-I SDP (all affine constraints, thresholds 1 bps/Hz) was infeasible in 11 of 12 draws
  at 25 dBW (zero-forcing alone needs 0.7..8.7 x 25 dBW for private SINR 1 at N = 4); with
  2.2: 10/12 feasible; with 2.0: 12/12. ``exponent`` restores 2.5.
* BS1 at (0, 0), BS2 at (120, 0); Bob, Eve uniform (in area) in BS1's 10..120 m annulus,
  users uniform in BS2's ``user_radii`` annulus (Fig. 5 topologies change it).
* kappa^2 = 4 pi sigma_RCS / lambda^2 with sigma_RCS = 10 m^2 (radar equation, spec 6.1).
* P0 = 10 + 0.5 (M1 + M2) W unless ``p0_w`` is given (spec 2.7).
* ``clutter="white"``: the echo SCNR (18) as printed (clutter + noise white, 2 sigma^2);
  ``"structured"``: the literal clutter of (16), 1 h_cl^H x with h_cl ~ CN(0, sigma^2 I), i.e.
  denominator a^H (sigma^2 I + sigma^2 P1 1 1^H) a (spec 2.6 [D]).
* CSI errors relative: ||h_er|| <= e_h ||h_es||, so e_UB = (2 e + e^2) ||h_es||^2
  (spec 2.3 [A]); ``csi_error="absolute"`` gives e_UB = 2 e ||h_es|| + e^2.
* ``p1_equality`` / ``p2_equality``: the power on a figure's x-axis is imposed with
  equality (spec 6.1); otherwise it is a budget.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .._checks import as_float, as_int
from ..kernels import robust_radius_nb, steering_upa_depression_nb
from .channels import _rng, complex_gaussian
from .units import db_to_linear

SPEED_OF_LIGHT = 299_792_458.0
FADINGS = ("shadowed_rician", "nakagami2", "rayleigh")
CSI_ERRORS = ("relative", "absolute")
CLUTTERS = ("white", "structured")
_UPA = {4: (2, 2), 8: (4, 2), 12: (4, 3), 16: (4, 4), 20: (5, 4)}
SHADOWING = {"average": (0.126, 10.1, 0.835), "heavy": (0.063, 0.739, 8.97e-4), "light": (0.158, 19.4, 1.29)}


def upa_shape(m: int) -> tuple[int, int]:
    """(M_h, M_v) of an m-element UPA (spec 2.1)."""
    m = as_int(m, "m", minimum=1)
    if m in _UPA:
        return _UPA[m]
    v = max(d for d in range(1, int(math.isqrt(m)) + 1) if m % d == 0)
    return m // v, v


@dataclass(frozen=True)
class RsmaHisacScenario:
    m1: int = 12
    m2: int = 12
    n_users: int = 4
    p1_dbw: float = 25.0
    p2_dbw: float = 25.0
    p1_equality: bool = False
    p2_equality: bool = False
    noise_dbw: float = -80.0
    gamma_th: float = 0.5
    rate_secrecy: float = 1.0      # I_S (bps/Hz)
    rate_common: float = 1.0       # I_c
    rate_private: float = 1.0      # I_p
    e_h: float = 0.0
    e_g: float = 0.0
    csi_error: str = "relative"
    p0_w: float | None = None
    rcs: float = 10.0
    carrier_hz: float = 18e9
    exponent: float = 2.0
    exponent_target: float = 2.0
    bs_height: float = 10.0
    node_height: float = 1.5
    bs2_x: float = 120.0
    cell_radius: float = 120.0
    inner_radius: float = 10.0
    user_radii: tuple = (10.0, 120.0)
    hybrid_users: bool = False        # Fig. 5 hybrid topology: half the users at each radius band
    target_distance: float = 30.0
    target_azimuth_deg: float = 30.0
    n_paths: int = 4
    fading: str = "shadowed_rician"
    shadowing: str = "average"
    clutter: str = "white"            # (18) as printed, or "structured": clutter of (16) (spec 2.6 [D])

    def __post_init__(self):
        as_int(self.m1, "m1", minimum=1)
        as_int(self.m2, "m2", minimum=1)
        as_int(self.n_users, "n_users", minimum=1)
        as_int(self.n_paths, "n_paths", minimum=1)
        for name in ("p1_dbw", "p2_dbw", "noise_dbw", "target_azimuth_deg"):
            as_float(getattr(self, name), name)
        as_float(self.gamma_th, "gamma_th", positive=True, upper=1.0 - 1e-9)
        as_float(self.rate_secrecy, "rate_secrecy", positive=True)
        for name in ("rate_common", "rate_private"):
            as_float(getattr(self, name), name, nonneg=True)
        for name in ("e_h", "e_g"):
            e = as_float(getattr(self, name), name, nonneg=True)
            if self.csi_error == "relative" and e >= 1.0:
                raise ValueError(f"{name}: relative error radius must be < 1, got {e}")
        if self.csi_error not in CSI_ERRORS:
            raise ValueError(f"csi_error: must be one of {CSI_ERRORS}, got {self.csi_error!r}")
        if self.clutter not in CLUTTERS:
            raise ValueError(f"clutter: must be one of {CLUTTERS}, got {self.clutter!r}")
        if self.fading not in FADINGS:
            raise ValueError(f"fading: must be one of {FADINGS}, got {self.fading!r}")
        if self.shadowing not in SHADOWING:
            raise ValueError(f"shadowing: must be one of {tuple(SHADOWING)}, got {self.shadowing!r}")
        if self.p0_w is not None:
            as_float(self.p0_w, "p0_w", nonneg=True)
        for name in ("rcs", "carrier_hz", "exponent", "exponent_target", "bs_height", "cell_radius",
                     "target_distance"):
            as_float(getattr(self, name), name, positive=True)
        as_float(self.node_height, "node_height", nonneg=True)
        as_float(self.inner_radius, "inner_radius", nonneg=True)
        if not (isinstance(self.user_radii, tuple) and len(self.user_radii) == 2
                and 0 <= self.user_radii[0] < self.user_radii[1]):
            raise ValueError(f"user_radii: must be a tuple (r_min, r_max) with 0 <= r_min < r_max, "
                             f"got {self.user_radii!r}")

    def replace(self, **changes) -> "RsmaHisacScenario":
        return dataclasses.replace(self, **changes)

    # derived quantities ------------------------------------------------------
    @property
    def sigma2(self) -> float:
        return float(db_to_linear(self.noise_dbw))

    @property
    def p1_w(self) -> float:
        return float(db_to_linear(self.p1_dbw))

    @property
    def p2_w(self) -> float:
        return float(db_to_linear(self.p2_dbw))

    @property
    def p0(self) -> float:
        return 10.0 + 0.5 * (self.m1 + self.m2) if self.p0_w is None else float(self.p0_w)

    @property
    def wavelength(self) -> float:
        return SPEED_OF_LIGHT / self.carrier_hz

    @property
    def kappa2(self) -> float:
        """Mean-square RCS coefficient kappa^2 = 4 pi sigma_RCS / lambda^2 (spec 6.1)."""
        return 4.0 * math.pi * self.rcs / self.wavelength ** 2

    @property
    def tau(self) -> float:
        return 2.0 ** self.rate_secrecy

    def path_gain(self, distance, exponent: float | None = None):
        """PL(d) = (lambda / 4 pi)^2 d^-alpha (spec 2.1)."""
        alpha = self.exponent if exponent is None else exponent
        return (self.wavelength / (4 * math.pi)) ** 2 * np.asarray(distance, dtype=float) ** (-alpha)

    def error_radius(self, h_est: np.ndarray, which: str) -> np.ndarray:
        """e_UB of every estimated channel row (spec 2.3): radii of the robust matrices."""
        e = self.e_h if which == "h" else self.e_g
        return robust_radius_nb(np.atleast_2d(h_est), e, self.csi_error == "relative")

    def target_channel(self) -> np.ndarray:
        """h_ta = sqrt(PL(d_ta)) u(theta, phi), LoS only (spec 2.1)."""
        dz = self.bs_height - self.node_height
        d3 = math.hypot(self.target_distance, dz)
        dep = math.atan2(dz, self.target_distance)
        mh, mv = upa_shape(self.m1)
        u = steering_upa_depression_nb(mh, mv, math.radians(self.target_azimuth_deg), dep)
        return math.sqrt(float(self.path_gain(d3, self.exponent_target))) * u

    def scnr_ceiling(self, p1_w: float | None = None) -> float:
        """O6: max gamma_b1 = kappa^2 ||h_ta||^4 P1 / (2 sigma^2)."""
        p1 = self.p1_w if p1_w is None else p1_w
        h = self.target_channel()
        return float(self.kappa2 * np.vdot(h, h).real ** 2 * p1 / (2 * self.sigma2))

    # channel draws ------------------------------------------------------------
    def _positions(self, rng, n, centre, radii):
        r = np.sqrt(rng.uniform(radii[0] ** 2, radii[1] ** 2, n))
        phi = rng.uniform(-np.pi, np.pi, n)
        return np.c_[centre[0] + r * np.cos(phi), centre[1] + r * np.sin(phi)]

    def _channel(self, rng, bs, pos, m):
        """Channels from a BS at ``bs`` to nodes at ``pos`` (n, 2): (n, m) column vectors."""
        mh, mv = upa_shape(m)
        d = pos - np.asarray(bs)[None, :]
        dh = np.hypot(d[:, 0], d[:, 1])
        dz = self.bs_height - self.node_height
        pl = self.path_gain(np.hypot(dh, dz))
        n = pos.shape[0]
        if self.fading != "shadowed_rician":
            mm = 2.0 if self.fading == "nakagami2" else 1.0
            amp = np.sqrt(rng.gamma(mm, 1.0 / mm, (n, m)))
            ph = np.exp(1j * rng.uniform(0, 2 * np.pi, (n, m)))
            return np.sqrt(pl)[:, None] * amp * ph
        b, mn, om = SHADOWING[self.shadowing]
        az0 = np.arctan2(d[:, 1], d[:, 0])
        dep0 = np.arctan2(dz, dh)
        H = np.empty((n, m), dtype=np.complex128)
        T = self.n_paths
        for i in range(n):
            a0 = math.sqrt(rng.gamma(mn, om / mn)) * np.exp(1j * rng.uniform(0, 2 * np.pi))
            h = a0 * steering_upa_depression_nb(mh, mv, az0[i], dep0[i])
            az = az0[i] + np.deg2rad(rng.uniform(-60, 60, T))
            dep = np.deg2rad(rng.uniform(0, 30, T))
            alpha = complex_gaussian(rng, (T,), 2 * b)
            for t in range(T):
                h = h + alpha[t] / math.sqrt(T) * steering_upa_depression_nb(mh, mv, az[t], dep[t])
            H[i] = math.sqrt(pl[i]) * h
        return H

    def draw(self, rng: np.random.Generator) -> "RsmaHisacChannels":
        """One realisation of the estimated channels (draw order: positions, then channels)."""
        rng = _rng(rng)
        bs1, bs2 = (0.0, 0.0), (self.bs2_x, 0.0)
        be = self._positions(rng, 2, bs1, (self.inner_radius, self.cell_radius))
        N = self.n_users
        if self.hybrid_users:
            half = N // 2
            users = np.r_[self._positions(rng, half, bs2, (10.0, 60.0)),
                          self._positions(rng, N - half, bs2, (90.0, 120.0))]
        else:
            users = self._positions(rng, N, bs2, self.user_radii)
        h1 = self._channel(rng, bs1, np.r_[be, users], self.m1)
        g2 = self._channel(rng, bs2, np.r_[be, users], self.m2)
        return RsmaHisacChannels(h_bo=h1[0], h_e=h1[1], h_n=h1[2:], g_bo=g2[0], g_e=g2[1], g_n=g2[2:],
                                 h_ta=self.target_channel(), positions=np.r_[be, users])


@dataclass(frozen=True)
class RsmaHisacChannels:
    """Estimated column channels of one realisation (spec 1): BS1 -> Bob, Eve, users (M1);
    BS2 -> Bob, Eve, users (M2); BS1 -> target. ``positions`` (2 + N, 2): Bob, Eve, users."""

    h_bo: np.ndarray
    h_e: np.ndarray
    h_n: np.ndarray
    g_bo: np.ndarray
    g_e: np.ndarray
    g_n: np.ndarray
    h_ta: np.ndarray
    positions: np.ndarray

    def __post_init__(self):
        m1, m2 = self.h_bo.shape[0], self.g_bo.shape[0]
        n = self.h_n.shape[0]
        shapes = dict(h_bo=(m1,), h_e=(m1,), h_n=(n, m1), g_bo=(m2,), g_e=(m2,), g_n=(n, m2), h_ta=(m1,))
        for name, shp in shapes.items():
            arr = getattr(self, name)
            if arr.shape != shp:
                raise ValueError(f"{name}: must have shape {shp}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name}: must be finite")

    @property
    def m1(self) -> int:
        return self.h_bo.shape[0]

    @property
    def m2(self) -> int:
        return self.g_bo.shape[0]

    @property
    def n_users(self) -> int:
        return self.h_n.shape[0]

    def with_errors(self, dh_bo, dh_e, dg_bo, dg_e) -> "RsmaHisacChannels":
        """True channels = estimates + errors (for the Monte Carlo robustness check)."""
        return dataclasses.replace(self, h_bo=self.h_bo + dh_bo, h_e=self.h_e + dh_e,
                                   g_bo=self.g_bo + dg_bo, g_e=self.g_e + dg_e)
