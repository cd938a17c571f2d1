"""Seed 003 (dual_eve): secure beamforming against a communication and a sensing eavesdropper.

Zhang, Su, Dong, "Secure Beamforming for ISAC Systems Under Communication Eavesdropper
and Sensing Eavesdropper". Implemented from ``shared/spec/003_dual_eve.md``.

* :func:`secure_beamforming` is Algorithm 1 (spec 4.5, 6): SCA on the exponential-cone
  reformulation (35)-(43) with SDR (P4). The subproblem P^(n) is built once per
  (Nt, K, variant) and process as a DPP problem and re-solved with new parameters:
  every channel, gain and threshold enters through one feature matrix ``F`` (rows are
  real embeddings of the whitened rank-one channel matrices, spec 12.2), the expansion
  points through ``c = e^{eps^(n)}``, ``d = c (1 - eps^(n))`` and their ``u`` twins.
* Scaling (numerics.md 2): covariances are divided by P (trace budget 1) and channels
  whitened by their receiver's noise, so every coefficient is O(1e-3 .. 1e4).
* Update rule: the paper's ``eps^(n+1) = eps_sol`` by default; ``update="tight"`` is the
  CCP update ``eps^(n+1) = ln(1 + m1 Tr(R_-k H_k))`` (spec 4.5 [A]).
* Stopping (spec 6 [A]): f^(0) = -inf, relative change <= tol (paper delta = 1e-3) with
  denominator max(|f|, 1e-9), or absolute change < 1e-6 nats, or ``max_iter`` (50).
* Initial point (spec 6 [A]): the isotropic split Q_k = S = P/((K+1) Nt) I.
* Solver statuses (numerics.md 1): ``optimal_inaccurate`` is accepted only if every
  constraint (19)-(21) and PSD re-checked in NumPy holds to ``CONSTRAINT_RTOL``;
  a failed solve after the first keeps the last good iterate and is counted.
* Output: beamformers w_k = sqrt(lambda_1) u_1 (no rescaling, spec 5 remark), the
  ratio lambda_2/lambda_1 per user, Gaussian randomisation if it exceeds ``rank_tol``,
  and the true SR (7)-(16) in bps/Hz recomputed from (w_k, S).
* Baselines (spec 6, 9.18): "S Random" (:func:`s_random`) and "without sensing security
  constraint" (:func:`without_sensing_security`, drops (27)).
* :func:`feasibility` is the closed-form / LP test of spec 8.2-8.3.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
from scipy.optimize import linprog

from .._checks import as_float, as_int
from ..errors import InfeasibleError, SolverError
from ..kernels import dual_eve_metrics_nb, outer_products_nb
from ..solvers import (ParametricProblem, SolveStats, embed_hermitian, extract_rank_one,
                       gaussian_randomisation, hermitian_from_embedding)
from ..systems import DualEveChannels, DualEveScenario

CONSTRAINT_RTOL = 1e-5
UPDATES = ("paper", "tight")
LN2 = math.log(2.0)

__all__ = ["DualEveResult", "FeasibilityReport", "feasibility", "secure_beamforming", "s_random",
           "without_sensing_security", "draw_s_random", "evaluate_design", "CONSTRAINT_RTOL"]


# --------------------------------------------------------------------------- feasibility
@dataclass(frozen=True)
class FeasibilityReport:
    feasible: bool
    gamma_s_max: float          # largest feasible gamma_s (linear)
    gamma_s_max_dbm: float      # same, in the paper's units (threshold convention)
    min_sensing_power_w: float  # Tr S >= gamma_s sigma_b^2 / rho^2 (spec 8.4)


def _gains(scenario: DualEveScenario):
    he2 = scenario.beta_e ** 2
    return scenario.rho, he2


def _lp_feasible(scenario: DualEveScenario, gamma_s: float, sensing_security: bool = True,
                 fixed_st: float | None = None, power_left: float | None = None) -> bool:
    """Spec 8.2: feasibility of (27)-(29) as an LP in (s_t, a_1..a_K), scaled by rho P."""
    rho, he2 = _gains(scenario)
    K, P = scenario.n_users, scenario.power_w
    scale = rho * P
    c = rho * scale / scenario.sigma_b2                     # m3 rho, scaled
    e = he2 * scale / scenario.sigma_k2                    # m1 |h_e,k|^2, scaled
    gse = scenario.gamma_se
    A_ub, b_ub = [], []
    # (28): -c s + gamma_s c A <= -gamma_s
    A_ub.append(np.r_[-c, np.full(K, gamma_s * c)]); b_ub.append(-gamma_s)
    if sensing_security:
        for k in range(K):           # (27): e(s + a_k) - gse e (A - a_k) <= gse
            row = np.r_[e[k], np.full(K, -gse * e[k])]
            row[1 + k] = e[k] * (1.0 + gse)
            A_ub.append(row); b_ub.append(gse)
    if fixed_st is None:
        A_ub.append(np.ones(K + 1)); b_ub.append(1.0)          # (29): s + A <= 1
        bounds = [(0, None)] * (K + 1)
    else:
        st = fixed_st / scale
        A_ub.append(np.r_[0.0, np.ones(K)]); b_ub.append((power_left or 0.0) * rho / scale)
        bounds = [(st, st)] + [(0, None)] * K
    res = linprog(np.zeros(K + 1), A_ub=np.array(A_ub), b_ub=np.array(b_ub), bounds=bounds,
                  method="highs")
    return res.status == 0


def feasibility(scenario: DualEveScenario, sensing_security: bool = True) -> FeasibilityReport:
    """Closed-form feasibility of (19)-(21) (spec 8.2-8.3): a 0/1 answer independent of g_k, phi_k.

    When the edge lies in the regime gamma_s >= gamma_se the threshold is closed form,
    gamma_s,max = min(min_k gamma_se sigma_k^2 rho / (|h_e,k|^2 sigma_b^2), P rho^2 / sigma_b^2);
    otherwise it is found by bisection on the LP.
    """
    if not isinstance(scenario, DualEveScenario):
        raise ValueError("scenario: must be a DualEveScenario")
    rho, he2 = _gains(scenario)
    sb2 = scenario.sigma_b2
    power_cap = scenario.power_w * rho ** 2 / sb2
    if sensing_security:
        ratio_cap = float(np.min(scenario.gamma_se * scenario.sigma_k2 * rho / (he2 * sb2)))
        gmax = min(ratio_cap, power_cap)
    else:
        gmax = power_cap
    if sensing_security and gmax < scenario.gamma_se:
        lo, hi = 0.0, power_cap             # LP regime: bisection in log space
        if not _lp_feasible(scenario, 1e-300):
            gmax = 0.0
        else:
            lo = 1e-300
            for _ in range(200):
                mid = math.sqrt(lo * hi) if lo > 0 else hi / 2
                lo, hi = (mid, hi) if _lp_feasible(scenario, mid) else (lo, mid)
            gmax = lo
    gs = scenario.gamma_s
    feasible = gs <= gmax * (1 + 1e-12) if gs >= scenario.gamma_se or not sensing_security \
        else _lp_feasible(scenario, gs, sensing_security)
    if scenario.threshold_convention == "dBm_as_W":
        gmax_dbm = 10 * math.log10(gmax) + 30 if gmax > 0 else -math.inf
    else:
        gmax_dbm = 10 * math.log10(gmax) if gmax > 0 else -math.inf
    return FeasibilityReport(feasible=bool(feasible), gamma_s_max=gmax, gamma_s_max_dbm=gmax_dbm,
                             min_sensing_power_w=gs * sb2 / rho ** 2)


# --------------------------------------------------------------------------- subproblem
class _Subproblem:
    """P^(n) of spec 4.5 in whitened units, real-embedded, built once and re-solved.

    Feature rows of ``F`` (each the real embedding of a Hermitian matrix, raveled):
      0..K-1       P/sigma_k^2 H_k / s_k                 (user k, in (36))
      K+k          e^{-eps_k^(n)} P/sigma_k^2 H_k        (user k, in (42))
      2K+k         P/sigma_t^2 G_ce / r_k                (communication eavesdropper, in (39))
      3K           e^{-u^(n)} P/sigma_t^2 G_ce           (communication eavesdropper, in (43))
      3K+1         P rho/sigma_b^2 G_ce / gamma_s        (sensing, S side of (28))
      3K+2         P rho/sigma_b^2 G_ce                  (sensing, Q side of (28))
      3K+3+k       P|h_e,k|^2/sigma_k^2 G_ce / gamma_se  (sensing eavesdropper k, S and Q_k)
      4K+3+k       P|h_e,k|^2/sigma_k^2 G_ce             (sensing eavesdropper k, Q_i, i != k)
    so T = F @ [vec X_1 .. vec X_K, vec X_S] / 2 holds every received power; thresholds
    and expansion points are folded into F (DPP forbids parameter x parameter-affine
    products). Conditioning (numerics.md 2): (42)-(43) are divided by e^{eps^(n)},
    e^{u^(n)}, and the log arguments of (36), (39) by s_k, r_k = their values at the
    previous iterate (tau = tau' + ln s_k), so every cone sees O(1) data. The
    constraints are the paper's; only their scaling differs.
    """

    def __init__(self, n: int, K: int, *, fixed_S: bool, sensing_security: bool,
                 solver: str, settings: dict | None):
        t0 = time.perf_counter()
        n2 = 2 * n
        nf = 5 * K + 3
        self.n, self.K, self.fixed_S, self.sensing_security = n, K, fixed_S, sensing_security
        self.X = [cp.Variable((n2, n2), PSD=True, name=f"Q{k}") for k in range(K)]
        self.XS = None if fixed_S else cp.Variable((n2, n2), PSD=True, name="S")
        vars_ = self.X + ([] if fixed_S else [self.XS])
        F = cp.Parameter((nf, n2 * n2), name="F")
        params = {"F": F}
        T = 0.5 * (F @ cp.vstack([cp.vec(x, order="C") for x in vars_]).T)   # (nf, nvar)
        if fixed_S:
            TS = cp.Parameter(nf, name="TS")
            p_left = cp.Parameter(nonneg=True, name="p_left")
            params.update(TS=TS, p_left=p_left)
            s_col = TS
        else:
            s_col = T[:, K]
        U = T[0:K, 0:K]
        Rk = cp.sum(U, axis=1) + s_col[0:K]                                   # R_k / s_k
        U42 = T[K:2 * K, 0:K]
        Rmk42 = cp.sum(U42, axis=1) - cp.diag(U42) + s_col[K:2 * K]        # e^{-eps^(n)} R_-k
        E39 = T[2 * K:3 * K, 0:K]
        Emk = cp.sum(E39, axis=1) - cp.diag(E39) + s_col[2 * K:3 * K]      # E_-k / r_k
        Etot43 = cp.sum(T[3 * K, 0:K]) + s_col[3 * K]                      # e^{-u^(n)} E
        cons = [s_col[3 * K + 1] - cp.sum(T[3 * K + 2, 0:K]) >= 1]                  # (28)
        if sensing_security:
            C = T[3 * K + 3:4 * K + 3, 0:K]
            Cfull = T[4 * K + 3:5 * K + 3, 0:K]
            cons.append(s_col[3 * K + 3:4 * K + 3] + cp.diag(C)
                        - (cp.sum(Cfull, axis=1) - cp.diag(Cfull)) <= 1)            # (27)
        power = 0.5 * sum(cp.trace(x) for x in self.X)
        if fixed_S:
            cons.append(power <= p_left)
        else:
            cons.append(power + 0.5 * cp.trace(self.XS) <= 1)                       # (29)
        tau, eps, v = (cp.Variable(K, name=s) for s in ("tau", "eps", "v"))
        u = cp.Variable(name="u")
        d, du = cp.Parameter(K, name="d"), cp.Parameter(name="du")
        inv_s, inv_r = cp.Parameter(K, name="inv_s"), cp.Parameter(K, name="inv_r")
        log_scale = cp.Parameter(name="log_scale")
        params.update(d=d, du=du, inv_s=inv_s, inv_r=inv_r, log_scale=log_scale)
        cons += [tau <= cp.log(inv_s + Rk),                                           # (36)
                 v <= cp.log(inv_r + Emk),                                            # (39)
                 eps >= d + Rmk42,                                                    # (42)
                 u >= du + Etot43]                                                    # (43)
        objective = cp.sum(tau - eps + v) - K * u + log_scale
        self.eps, self.u = eps, u
        self.problem = cp.Problem(cp.Maximize(objective), cons)
        self.param = ParametricProblem(self.problem, params, solver=solver, settings=settings,
                                       build_time=0.0)
        self.param.build_time = time.perf_counter() - t0


_CACHE: dict = {}


def _subproblem(n, K, fixed_S, sensing_security, solver, settings) -> _Subproblem:
    key = (n, K, fixed_S, sensing_security, solver, tuple(sorted((settings or {}).items())))
    sub = _CACHE.get(key)
    if sub is None:
        sub = _Subproblem(n, K, fixed_S=fixed_S, sensing_security=sensing_security,
                          solver=solver, settings=settings)
        _CACHE[key] = sub
    return sub


def _features(scenario: DualEveScenario, ch: DualEveChannels) -> np.ndarray:
    """Unscaled feature matrix F (5K+3, 4N^2) of the whitened channels (row layout of
    _Subproblem with s_k = r_k = 1 and eps^(n) = u^(n) = 0; _set_expansion scales it)."""
    K = ch.n_users
    P = scenario.power_w
    sk2 = scenario.sigma_k2
    G = np.outer(ch.hce, np.conj(ch.hce))
    he2 = np.abs(ch.he) ** 2
    users = [P / sk2[k] * np.outer(np.conj(ch.h[k]), ch.h[k]) for k in range(K)]   # h^H h
    gb = P * scenario.rho / scenario.sigma_b2
    Gt = P / scenario.sigma_t2 * G
    mats = users + users + [Gt] * (K + 1) + [gb / scenario.gamma_s * G, gb * G]
    mats += [P * he2[k] / sk2[k] / scenario.gamma_se * G for k in range(K)]
    mats += [P * he2[k] / sk2[k] * G for k in range(K)]
    return np.stack([embed_hermitian(m).ravel() for m in mats])


def _set_expansion(values: dict, F: np.ndarray, K: int, eps_n: np.ndarray, u_n: float,
                   Rk: np.ndarray, Emk: np.ndarray) -> None:
    """Parameters of P^(n): expansion points (eps^(n), u^(n)) for (42)-(43) and the log
    scales s_k = 1 + R_k, r_k = 1 + E_-k of (36), (39) at the previous iterate."""
    s_k, r_k = 1.0 + Rk, 1.0 + Emk
    Fn = F.copy()
    Fn[0:K] /= s_k[:, None]
    Fn[K:2 * K] *= np.exp(-eps_n)[:, None]
    Fn[2 * K:3 * K] /= r_k[:, None]
    Fn[3 * K] *= math.exp(-u_n)
    values["F"] = Fn
    values["d"] = np.exp(-eps_n) - (1.0 - eps_n)
    values["du"] = math.exp(-u_n) - (1.0 - u_n)
    values["inv_s"], values["inv_r"] = 1.0 / s_k, 1.0 / r_k
    values["log_scale"] = float(np.sum(np.log(s_k)) + np.sum(np.log(r_k)))
    if "_XS" in values:
        values["TS"] = Fn @ values["_XS"]


def _quantities(F: np.ndarray, Qt: np.ndarray, St: np.ndarray, K: int):
    """NumPy twin of the received powers at whitened covariances: (R_k, R_-k, E, E_-k)."""
    Xs = [embed_hermitian(q).ravel() for q in Qt]
    T = 0.5 * F[[*range(K), 2 * K]] @ np.stack(Xs + [embed_hermitian(St).ravel()]).T
    U = T[:K, :K]
    Rk = U.sum(axis=1) + T[:K, K]
    Rmk = Rk - np.diag(U)
    Etot = T[K, :K].sum() + T[K, K]
    return Rk, Rmk, Etot, Etot - T[K, :K]


# --------------------------------------------------------------------------- results
@dataclass
class DualEveResult:
    """Output of Algorithm 1 or a baseline (physical units: W, bps/Hz)."""

    scheme: str
    W: np.ndarray                    # (K, N) beamformers (rows are w_k)
    S: np.ndarray                    # (N, N) sensing covariance
    Q_sdr: np.ndarray                # (K, N, N) covariances returned by the SDR
    sr: float                        # true sum secrecy rate (16) of (W, S), bps/Hz
    sr_per_user: np.ndarray
    metrics: dict                    # sinr_u, sinr_t, scnr_u (K,), scnr_b, power
    surrogate_trace: list            # f^(n) / ln 2 per iteration (bps/Hz)
    sr_trace: list                   # true SR of the SDR iterate (Q^(n), S^(n)) per iteration
    gap_trace: list                  # sum_k (R_u,k - R_t,k) without [.]^+, per iteration
    iterations: int
    converged: bool
    rank_ratios: np.ndarray          # lambda_2 / lambda_1 per user
    active: np.ndarray               # users with non-negligible lambda_1
    randomised: bool
    constraint_violation: float      # max relative violation of (19)-(21) at the output
    solve_stats: SolveStats
    wall_time: float
    info: dict = field(default_factory=dict)

    @property
    def max_rank_ratio(self) -> float:
        return float(np.max(self.rank_ratios, initial=0.0))

    @property
    def solver_time(self) -> float:
        return self.solve_stats.solver_time

    @property
    def cvxpy_time(self) -> float:
        return max(self.solve_stats.wall_time - self.solve_stats.solver_time, 0.0)

    @property
    def other_time(self) -> float:
        return max(self.wall_time - self.solve_stats.wall_time - self.solve_stats.build_time, 0.0)

    def summary(self) -> dict:
        """JSON-able scalars and short lists (what sweeps store)."""
        m = self.metrics
        return {
            "scheme": self.scheme, "sr": self.sr, "sr_per_user": self.sr_per_user.tolist(),
            "scnr_u": m["scnr_u"].tolist(), "scnr_b": float(m["scnr_b"]), "power": float(m["power"]),
            "sinr_u": m["sinr_u"].tolist(), "sinr_t": m["sinr_t"].tolist(),
            "surrogate_trace": list(self.surrogate_trace), "sr_trace": list(self.sr_trace),
            "iterations": self.iterations, "converged": self.converged,
            "max_rank_ratio": self.max_rank_ratio, "randomised": self.randomised,
            "active": [bool(a) for a in self.active], "constraint_violation": self.constraint_violation,
            "n_inaccurate": self.solve_stats.n_inaccurate, "n_failed": self.solve_stats.n_failed,
            "wall_time": self.wall_time, "build_time": self.solve_stats.build_time,
            "solver_time": self.solver_time, "cvxpy_time": self.cvxpy_time, **self.info,
        }


def evaluate_design(scenario: DualEveScenario, ch: DualEveChannels, Q: np.ndarray, S: np.ndarray) -> dict:
    """Metrics (7)-(17) and the relative constraint violations of (19)-(21) for covariances (Q, S)."""
    out = dual_eve_metrics_nb(Q[None], S[None], ch.h[None], ch.hce, ch.he[None], scenario.sigma_k2,
                              scenario.sigma_t2, scenario.sigma_b2)
    m = dict(zip(("sinr_u", "sinr_t", "scnr_b", "scnr_u", "power", "sr"), (o[0] for o in out)))
    viol = [m["scnr_b"] < 0 or 0.0, max(0.0, 1.0 - m["scnr_b"] / scenario.gamma_s),
            max(0.0, m["power"] / scenario.power_w - 1.0)]
    m["violation_27"] = float(np.max(np.maximum(0.0, m["scnr_u"] / scenario.gamma_se - 1.0)))
    m["violation_28"] = viol[1]
    m["violation_29"] = viol[2]
    return m


def _check_inputs(scenario, channels):
    if not isinstance(scenario, DualEveScenario):
        raise ValueError(f"scenario: must be a DualEveScenario, got {type(scenario).__name__}")
    if not isinstance(channels, DualEveChannels):
        raise ValueError(f"channels: must be DualEveChannels, got {type(channels).__name__}")
    if channels.n_users != scenario.n_users or channels.n_antennas != scenario.n_antennas:
        raise ValueError(f"channels: shape (K={channels.n_users}, N={channels.n_antennas}) does not match "
                         f"the scenario (K={scenario.n_users}, N={scenario.n_antennas})")


# --------------------------------------------------------------------------- Algorithm 1
def secure_beamforming(scenario: DualEveScenario, channels: DualEveChannels, *, update: str = "paper",
                       sensing_security: bool = True, fixed_S: np.ndarray | None = None,
                       tol: float = 1e-3, max_iter: int = 50, rank_tol: float = 1e-4,
                       n_randomisations: int = 200, rng: np.random.Generator | None = None,
                       solver: str = cp.CLARABEL, solver_settings: dict | None = None,
                       scheme: str | None = None, check_feasibility: bool = True) -> DualEveResult:
    """Algorithm 1 of seed 003: maximise the sum secrecy rate (18) s.t. (19)-(24) by SCA + SDR.

    Parameters
    ----------
    update : "paper" (eps^(n+1) = eps_sol, default) or "tight" (CCP update).
    sensing_security : False drops (19)/(27) (the "without sensing security" baseline).
    fixed_S : a fixed sensing covariance (W), for the "S Random" baseline.
    tol : relative stopping tolerance delta (Table I: 1e-3).
    check_feasibility : run the closed-form test of spec 8.2 first (default); False lets
        the conic solver decide (used to cross-check the closed form).

    Raises
    ------
    InfeasibleError
        when (19)-(21) cannot all hold (closed-form test, spec 8.2), or the first solve
        certifies infeasibility.
    SolverError
        when the first subproblem cannot be solved.
    """
    t_start = time.perf_counter()
    _check_inputs(scenario, channels)
    if update not in UPDATES:
        raise ValueError(f"update: must be one of {UPDATES}, got {update!r}")
    tol = as_float(tol, "tol", positive=True)
    max_iter = as_int(max_iter, "max_iter", minimum=1)
    rank_tol = as_float(rank_tol, "rank_tol", nonneg=True)
    rng = np.random.default_rng(0) if rng is None else rng
    K, N, P = scenario.n_users, scenario.n_antennas, scenario.power_w
    if scheme is None:
        scheme = "proposed" if sensing_security and fixed_S is None else (
            "s_random" if fixed_S is not None else "no_sensing_security")

    F = _features(scenario, channels)
    if fixed_S is not None:
        fixed_S = np.asarray(fixed_S, dtype=np.complex128)
        if fixed_S.shape != (N, N) or not np.all(np.isfinite(fixed_S)):
            raise ValueError(f"fixed_S: must be a finite ({N}, {N}) matrix")
        if np.max(np.abs(fixed_S - fixed_S.conj().T)) > 1e-9 * max(np.abs(fixed_S).max(), 1e-300) \
                or np.linalg.eigvalsh(fixed_S).min() < -1e-9 * np.real(np.trace(fixed_S)):
            raise ValueError("fixed_S: must be Hermitian positive semidefinite")
        trS = float(np.real(np.trace(fixed_S)))
        if trS > P * (1 + 1e-9):
            raise ValueError(f"fixed_S: trace {trS:.3e} W exceeds the power budget {P:.3e} W")
        St_fixed = fixed_S / P
        p_left = max(1.0 - trS / P, 0.0)
        st = float(np.real(np.conj(channels.hce) @ fixed_S @ channels.hce))
        if check_feasibility and not _lp_feasible(scenario, scenario.gamma_s, sensing_security, fixed_st=st,
                                                  power_left=p_left * P):
            raise InfeasibleError("(19)-(21) cannot hold with this fixed S (LP test, spec 8.2)")
    elif check_feasibility:
        rep = feasibility(scenario, sensing_security)
        if not rep.feasible:
            raise InfeasibleError(
                f"gamma_s = {scenario.gamma_s_dbm} exceeds the feasibility edge {rep.gamma_s_max_dbm:.3f} "
                f"(spec 8.2-8.3)")

    sub = _subproblem(N, K, fixed_S is not None, sensing_security, solver, solver_settings)
    stats = SolveStats(build_time=sub.param.build_time)
    sub.param.build_time = 0.0                      # charge the build to the first user only
    values = {}
    if fixed_S is not None:
        values["_XS"] = 0.5 * embed_hermitian(St_fixed).ravel()
        values["p_left"] = p_left
        Qbar = np.repeat((p_left / (K * N) * np.eye(N))[None], K, 0).astype(complex)
        Sbar = St_fixed
    else:
        Qbar = np.repeat((np.eye(N) / ((K + 1) * N))[None], K, 0).astype(complex)
        Sbar = np.eye(N, dtype=complex) / ((K + 1) * N)
    Rk, Rmk, Etot, Emk = _quantities(F, Qbar, Sbar, K)
    eps_n, u_n = np.log1p(Rmk), float(np.log1p(Etot))

    f_prev = -np.inf
    surrogate, sr_trace, gap_trace = [], [], []
    best = None
    converged = False
    for it in range(max_iter):
        _set_expansion(values, F, K, eps_n, u_n, Rk, Emk)
        state = {}

        def accept(_rec):
            """NumPy re-check of (19)-(21) at the solver's point (numerics.md 1)."""
            Qt = np.stack([hermitian_from_embedding(x.value) for x in sub.X])
            St = St_fixed if fixed_S is not None else hermitian_from_embedding(sub.XS.value)
            m = evaluate_design(scenario, channels, P * Qt, P * St)
            state.update(Qt=Qt, St=St, m=m)
            return _violation(m, sensing_security) <= CONSTRAINT_RTOL

        t0 = time.perf_counter()
        try:
            rec = sub.param.solve(accept=accept, **{k: v for k, v in values.items() if not k.startswith("_")})
        except (SolverError, InfeasibleError) as exc:
            stats.add_failure(getattr(exc, "status", "error") or "error", time.perf_counter() - t0)
            if best is None:
                raise
            break
        if "m" not in state or not rec.inaccurate:
            accept(rec)
        Qt, St, m = state["Qt"], state["St"], state["m"]
        stats.add(rec)
        f = rec.objective
        surrogate.append(f / LN2)
        sr_trace.append(float(m["sr"]))
        gap_trace.append(float(np.sum(np.log2(1 + m["sinr_u"]) - np.log2(1 + m["sinr_t"]))))
        best = (Qt, St)
        Rk, Rmk, Etot, Emk = _quantities(F, Qt, St, K)
        if update == "paper":
            eps_n, u_n = np.asarray(sub.eps.value, dtype=float).copy(), float(sub.u.value)
        else:
            eps_n, u_n = np.log1p(Rmk), float(np.log1p(Etot))
        delta = abs(f - f_prev) / max(abs(f_prev), 1e-9) if np.isfinite(f_prev) else np.inf
        if delta <= tol or abs(f - f_prev) < 1e-6:
            converged = True
            f_prev = f
            break
        f_prev = f

    Qt, St = best
    Q_sdr, S = P * Qt, P * St
    # keep S PSD to round-off (the embedding projection can leave -1e-12 eigenvalues)
    lam, V = np.linalg.eigh(S)
    S = (V * np.maximum(lam, 0.0)) @ V.conj().T
    Q_psd = np.stack([(lambda l, v: (v * np.maximum(l, 0.0)) @ v.conj().T)(*np.linalg.eigh(q)) for q in Q_sdr])
    r1 = extract_rank_one(Q_psd, ratio_tol=rank_tol)
    W = r1.W
    randomised = False
    m = evaluate_design(scenario, channels, outer_products_nb(W[None])[0], S)
    if not r1.is_rank_one:
        W_rand, _ = _randomise(scenario, channels, Q_psd, S, sensing_security, rng, n_randomisations)
        if W_rand is not None:
            m_r = evaluate_design(scenario, channels, outer_products_nb(W_rand[None])[0], S)
            if m_r["sr"] >= m["sr"] or _violation(m, sensing_security) > CONSTRAINT_RTOL:
                W, m, randomised = W_rand, m_r, True
    sr_user = np.maximum(np.log2(1 + m["sinr_u"]) - np.log2(1 + m["sinr_t"]), 0.0)
    metrics = {k: m[k] for k in ("sinr_u", "sinr_t", "scnr_u", "scnr_b", "power")}
    return DualEveResult(
        scheme=scheme, W=W, S=S, Q_sdr=Q_sdr, sr=float(m["sr"]), sr_per_user=sr_user, metrics=metrics,
        surrogate_trace=surrogate, sr_trace=sr_trace, gap_trace=gap_trace, iterations=len(surrogate),
        converged=converged, rank_ratios=r1.ratios, active=r1.active, randomised=randomised,
        constraint_violation=_violation(m, sensing_security), solve_stats=stats,
        wall_time=time.perf_counter() - t_start)


def _violation(m: dict, sensing_security: bool) -> float:
    return float(max(m["violation_27"] if sensing_security else 0.0, m["violation_28"], m["violation_29"]))


def _randomise(scenario, ch, Q, S, sensing_security, rng, n_draws):
    """Gaussian randomisation (spec 6): candidates scaled to the power left, checked on (19)-(21)."""
    P = scenario.power_w
    trS = float(np.real(np.trace(S)))

    def score(cand):
        L = cand.shape[0]
        Qc = outer_products_nb(cand)
        tr = np.real(np.einsum("lkii->l", Qc))
        scale = np.minimum(1.0, np.maximum(P - trS, 0.0) / np.maximum(tr, 1e-300))
        Qc = Qc * scale[:, None, None, None]
        Sb = np.repeat(S[None], L, 0)
        out = dual_eve_metrics_nb(Qc, Sb, np.repeat(ch.h[None], L, 0), ch.hce, np.repeat(ch.he[None], L, 0),
                                  scenario.sigma_k2, scenario.sigma_t2, scenario.sigma_b2)
        sinr_u, sinr_t, scnr_b, scnr_u, power, sr = out
        ok = scnr_b >= scenario.gamma_s * (1 - CONSTRAINT_RTOL)
        if sensing_security:
            ok &= np.all(scnr_u <= scenario.gamma_se * (1 + CONSTRAINT_RTOL), axis=1)
        cand *= np.sqrt(scale)[:, None, None]
        return sr, ok

    return gaussian_randomisation(Q, score, rng, n_draws)


# --------------------------------------------------------------------------- baselines
def without_sensing_security(scenario: DualEveScenario, channels: DualEveChannels, **kwargs) -> DualEveResult:
    """Baseline "without sensing security constraint": Algorithm 1 with (19)/(27) dropped."""
    return secure_beamforming(scenario, channels, sensing_security=False, scheme="no_sensing_security", **kwargs)


def draw_s_random(scenario: DualEveScenario, channels: DualEveChannels, rng: np.random.Generator, *,
                  rank: int | None = None, mode: str = "reject", max_attempts: int = 100_000,
                  batch: int = 2048):
    """Random sensing covariance for "S Random" (spec 9.18 [A]).

    Direction S~ = G G^H / Tr(G G^H), G (N x rank) i.i.d. CN(0, 1) (rank defaults to N);
    ``mode="reject"``: trace p_S ~ U(0, P), redrawn until the Q = 0 constraints (27)-(28)
    hold (closed form on s_t = h_ce^H S h_ce); ``mode="feasible_scale"``: p_S uniform inside
    the feasible interval of the drawn direction. Returns ``(S, attempts)`` or raises
    InfeasibleError after ``max_attempts`` draws.
    """
    _check_inputs(scenario, channels)
    if mode not in ("reject", "feasible_scale"):
        raise ValueError(f"mode: must be 'reject' or 'feasible_scale', got {mode!r}")
    N = scenario.n_antennas
    rank = N if rank is None else as_int(rank, "rank", minimum=1, maximum=N)
    max_attempts = as_int(max_attempts, "max_attempts", minimum=1)
    P = scenario.power_w
    hce = channels.hce
    he2 = np.abs(channels.he) ** 2
    lo_q = scenario.gamma_s * scenario.sigma_b2 / scenario.rho          # s_t >= lo_q   (28) with Q = 0
    hi_q = float(np.min(scenario.gamma_se * scenario.sigma_k2 / he2))   # s_t <= hi_q   (27) with Q = 0
    attempts = 0
    while attempts < max_attempts:
        b = min(batch, max_attempts - attempts)
        G = (rng.standard_normal((b, N, rank)) + 1j * rng.standard_normal((b, N, rank))) / np.sqrt(2)
        fro = np.sum(np.abs(G) ** 2, axis=(1, 2))
        q = np.sum(np.abs(np.einsum("n,bnr->br", np.conj(hce), G)) ** 2, axis=1) / fro   # h^H S~ h
        if mode == "reject":
            p = rng.uniform(0.0, P, size=b)
            ok = (p * q >= lo_q) & (p * q <= hi_q)
        else:
            p_lo, p_hi = lo_q / q, np.minimum(P, hi_q / q)
            ok = p_lo <= p_hi
            p = p_lo + rng.uniform(0.0, 1.0, size=b) * np.maximum(p_hi - p_lo, 0.0)
        idx = np.flatnonzero(ok)
        if idx.size:
            i = int(idx[0])
            attempts += i + 1
            S = p[i] * (G[i] @ G[i].conj().T) / fro[i]
            return 0.5 * (S + S.conj().T), attempts
        attempts += b
    raise InfeasibleError(f"S Random: no admissible random S in {max_attempts} draws (spec 9.18)")


def s_random(scenario: DualEveScenario, channels: DualEveChannels, rng: np.random.Generator, *,
             rank: int | None = None, mode: str = "reject", max_attempts: int = 100_000,
             **kwargs) -> DualEveResult:
    """Baseline "S Random": S drawn by :func:`draw_s_random`, then Algorithm 1 over {Q_k} only."""
    S, attempts = draw_s_random(scenario, channels, rng, rank=rank, mode=mode, max_attempts=max_attempts)
    res = secure_beamforming(scenario, channels, fixed_S=S, scheme="s_random", rng=rng, **kwargs)
    res.info.update(s_random_attempts=attempts, s_random_mode=mode,
                    s_random_rank=scenario.n_antennas if rank is None else rank)
    return res
