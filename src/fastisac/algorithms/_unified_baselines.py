"""Seed 001 (unified_outage): the five baselines of spec 5 -- PR-SDR, PR-SCA, PR-PGA, AV-SDR, AV-SCA.

Every baseline works in the units of :func:`~fastisac.algorithms.unified_outage.unified_method`
(X = [W, V] / sqrt(P), ||X||_F <= 1, user channels h_k sqrt(P) / sigma, scatterer gains
|alpha_i|^2 P / sigma_b^2, the scaled sensing function of :func:`sensing_problem`), starts
from the same ``_initial_point`` (u = MVDR for the SINR metric) and is scored by the same
:func:`evaluate_design`, so its :class:`UnifiedResult` compares directly with the proposed
method. Rates are in bits; the penalty weight of PR is mu = 10 bits^-1 (spec 5 [A]).

Inner min_k ("A" of spec 5)
* PR: maximise -(1/mu) ln sum_k exp(-mu U_k) (CVXPY ``log_sum_exp``, exponential cones).
* AV: maximise t s.t. U_k >= t for all k.
* objective="sum": PR and AV are irrelevant; both maximise sum_k weights_k U_k.

Surrogates per outer iteration n at the current point (X^n, u^n)
* Rates, SCA (vector domain): with a = h_k^H w_k, b = interference + 1, T = ||h_k^H X||^2 + 1,
  ln(1 + |a|^2/b) >= ln(1 + g) + 2 Re(a_n^* (a - a_n))/b_n - g (T - T_n)/T_n, g = |a_n|^2/b_n
  (concave: linear minus a convex quadratic; tight at X^n).
* Rates, SDR: R_k = log2 T_k(Q) - log2 I_k(Q); log T_k kept (exponential cone, argument divided
  by T_k^n for conditioning), log I_k linearised at I_k^n (a majorant, so a minorant of R_k).
* Redundancy rate and SOP -- *our reading* of spec 5: R^E_k is fixed at its value log2(1 + tau^n)
  from ``redundancy_tau_nb`` at X^n, and the SOP constraint F(tau^n; X) >= ln(1/eps) is
  **fully linearised** at X^n (F(tau^n; X^n) = ln(1/eps), so it is the half-space
  Re<grad_X F, X - X^n> >= 0, i.e. first-order R^E_k(X) <= R^E_k(X^n); the gradient is the
  implicit gradient of ``redundancy_gradient_nb``, and for SDR the matrix gradient
  dF = Re tr(D_k dQ_k) + Re tr(D_o dB_k) of the same formulas, spec 4.3). Keeping the
  concave part of F exactly (spec 5 "concave part kept") is only possible for the log-det
  model (9) in the lifted domain; the default exact model (9-ex) has no such split, so we use
  the first-order half-space for both models plus a **trust region**
  ||X - X^n||_F <= Delta (SDR: on the stacked covariances) and an acceptance test: a step
  that lowers the method's own objective (true LSE for PR, true min for AV, true sum) is
  rejected and Delta halved (Delta doubled after an accepted step, Delta^0 = 0.5 SCA, 0.5 SDR,
  2 = no trust region while the current point is infeasible). Each solve counts as one outer
  iteration.
* Sensing, kept HARD at every iterate (spec 5): SCA/PGA use inner (conservative) convex
  approximations, so every solution is feasible for the true constraint:
  detection kappa a0^H R a0 >= T_D with a0^H R a0 replaced by its tangent (a minorant);
  SINR (u fixed) c_0 tangent(a0^H R a0) >= Gamma (sum_i c_i a_i^H R a_i + 1), an SOC;
  beampattern |e_l| <= t_l with q_l = a_l^H R a_l <= P_d,l + t_l (SOC) and tangent(q_l) >=
  P_d,l - t_l, (1/L) sum t_l^2 <= eps_BP. SDR constraints are exact in the lifted domain
  (linear for detection and SINR at fixed u, convex quadratic for the beampattern).
  SINR metric: u <- MVDR after each accepted step (raises the SINR, keeps feasibility).
* SDR recovery: Q_k -> w_k = sqrt(lambda_1) v_1 and the residual Q_k - w_k w_k^H is added to
  the AN covariance, V = (Q_V + residuals)^(1/2): R, the power and therefore the sensing
  constraint are unchanged exactly (this is the linearisation point of the next iteration);
  at the end Gaussian randomisation (100 draws w_k ~ CN(0, Q_k), V from Q_V, rescaled to the
  power budget, only sensing-feasible draws kept) competes with it. SDR needs M = N AN
  columns (the AN covariance is full rank).
* PR-PGA: normalised gradient ascent on the log-sum-exp objective (implicit gradient of R^E,
  spec 4.3) with step length s (s^0 = 0.05 of the unit ball, x1.5 after an accepted step,
  /2 after a rejected one); each step is projected onto {||X|| <= 1} and {f >= 0} by a
  QCQP min ||X - Y||^2 with the inner approximation of f linearised at the current feasible
  iterate and then once more at the QCQP's solution (spec 5 "iterated"); when Y itself or its
  radial scaling is feasible no QCQP is needed. For the SINR and detection metrics the QCQP is
  a projection onto a ball intersected with one convex quadratic (or linear) constraint, solved
  exactly by the Numba kernel ``project_ball_quadratic_nb`` (two multipliers, eigenbasis of
  A^H A, secular equation + bisection; agrees with the Clarabel QCQP to its accuracy, 5e-6 on
  the final objective at N = 8): PR-PGA at N = 8 (SINR) 69.8 -> 10.8 ms. ``projection="qcqp"``
  keeps the CVXPY + Clarabel path; the beampattern metric (L second-order cones) always uses it.
* Stopping: relative change of the method's objective < 1e-3 at an accepted step, or
  30 outer iterations (spec 5), or a trust region / step below 1e-4.
* Infeasible start (the beampattern constraint at ``_initial_point``): the first solve runs
  without trust region; if it is infeasible it is repeated linearised at a sensing-feasible
  point found by normalised projected gradient ascent on f from the start (phase 1). A failed first solve raises SolverError / InfeasibleError; later
  failures keep the last good iterate and are counted (``info["n_failed"]``).

Every CVXPY problem is built once per (shape, metric, method kind) with ``cp.Parameter``s
(DPP) and re-solved through :class:`~fastisac.solvers.ParametricProblem` (``_CACHE``).
"""

from __future__ import annotations

import math
import time

import cvxpy as cp
import numpy as np

from .._checks import as_float, as_int
from ..errors import InfeasibleError, SolverError
from ..kernels._outage import interference_matrix_nb, redundancy_gradient_nb, redundancy_tau_nb
from ..kernels._unified import (mvdr_filter_nb, project_ball_nb, project_ball_quadratic_nb, rate_gradient_nb, rates_nb,
                                sensing_nb)
from ..solvers import ParametricProblem, SolveStats, embed_hermitian, hermitian_from_embedding
from .unified_outage import (SOP_MODELS, UnifiedResult, _initial_point, check_run_arguments, evaluate_design,
                             sensing_problem)

LN2 = math.log(2.0)
MU_PR = 10.0
TOL_F = 1e-6

__all__ = ["pr_sdr", "pr_sca", "pr_pga", "av_sdr", "av_sca", "BASELINES"]

_CACHE: dict = {}


# --------------------------------------------------------------------------- helpers
def _flat(Z):
    """(N, C) complex -> real vector [Re vec_C(Z), Im vec_C(Z)] so that Re<G, X> = flat(G) @ flat(X)."""
    return np.concatenate([Z.real.ravel(), Z.imag.ravel()])


def _unflat(x, N, C):
    n = N * C
    return np.ascontiguousarray((x[:n] + 1j * x[n:]).reshape(N, C))


def _rows_ri(R):
    return np.ascontiguousarray(R.real), np.ascontiguousarray(R.imag)


class _Ctx:
    """Normalised data of one run (shared by all baselines)."""

    def __init__(self, sc, inst, metric, threshold, objective, weights, sop_model, artificial_noise,
                 eavesdroppers, mu):
        check_run_arguments(sc, inst, objective, sop_model)
        self.mu = as_float(mu, "mu", positive=True)
        self.sc, self.inst = sc, inst
        self.K, self.N, P = sc.n_users, sc.n_antennas, sc.power_w
        self.sp = sensing_problem(sc, inst, metric, threshold)
        self.metric = metric
        self.M = sc.n_an_columns if artificial_noise else 0
        self.C = self.K + self.M
        self.has_eve = bool(eavesdroppers and sc.n_eves > 0 and sc.epsilon < 1.0)
        self.inv_snr = float(sc.noise_w / (np.max(inst.delta2) * P)) if self.has_eve else 1.0
        self.log_inv_eps = math.log(1.0 / sc.epsilon) if self.has_eve else 0.0
        self.model = SOP_MODELS[sop_model]
        self.objective = objective
        if objective == "sum":
            w = np.ones(self.K) if weights is None else np.asarray(weights, dtype=float)
            if w.shape != (self.K,) or np.any(w < 0) or not np.all(np.isfinite(w)):
                raise ValueError(f"weights: must be {self.K} non-negative finite numbers")
            self.weights = w
        else:
            if weights is not None:
                raise ValueError("weights: only used with objective='sum'")
            self.weights = np.full(self.K, 1.0 / self.K)
        self.Hc = np.ascontiguousarray(inst.H * math.sqrt(P / sc.noise_w))
        self.taus = np.full(self.K, -1.0)

    # true quantities ------------------------------------------------------
    def utilities(self, X):
        R, T, I = rates_nb(self.Hc, X, self.K)
        taus = np.zeros(self.K)
        if self.has_eve:
            for k in range(self.K):
                taus[k] = redundancy_tau_nb(X[:, k].copy(), interference_matrix_nb(X, k), self.inv_snr,
                                            self.log_inv_eps, self.model, self.taus[k])
            self.taus = taus.copy()
        RE = np.log2(1.0 + taus)
        return R - RE, R, RE, taus, T, I

    def true_obj(self, U):
        return float(np.min(U)) if self.objective == "worst" else float(self.weights @ U)

    def smooth_obj(self, U, pr):
        """The objective a method maximises: LSE (PR), min (AV), weighted sum."""
        if self.objective == "sum":
            return float(self.weights @ U)
        if not pr:
            return float(np.min(U))
        m = float(np.min(U))
        return m - math.log(float(np.sum(np.exp(-self.mu * (U - m))))) / self.mu

    def f(self, X, u):
        a = self.sp.args()
        return float(sensing_nb(a[0], X, u, *a[1:])[0])

    def u_for(self, X, u=None):
        if self.metric == "sinr":
            return mvdr_filter_nb(X, self.sp.a0, self.sp.As, self.sp.alpha2)
        return self.sp.a0 / np.linalg.norm(self.sp.a0) if u is None else u

    def sop_halfspaces(self, X, taus):
        """Rows g_k (real, unit norm) with g_k @ flat(X') <= g_k @ flat(X): first-order R^E_k(X') <= R^E_k(X)."""
        G = np.zeros((self.K, 2 * self.N * self.C))
        b = np.zeros(self.K)
        if self.has_eve:
            for k in range(self.K):
                g = _flat(redundancy_gradient_nb(X, k, taus[k], self.inv_snr, self.model))
                nrm = np.linalg.norm(g)
                if nrm > 0:
                    G[k] = g / nrm
                    b[k] = G[k] @ _flat(X)
        return G, b

    def a0_beam(self, X0=None, n_steps=2000, margin=1e-3):
        """A sensing-feasible point (phase 1): normalised projected gradient ascent on f from X0
        (u = MVDR for the SINR metric). Raises InfeasibleError when none is found."""
        X = X0.copy() if X0 is not None else np.full((self.N, self.C), 1.0 / math.sqrt(self.N * self.C), complex)
        u = self.u_for(X)
        a = self.sp.args()
        for i in range(n_steps):
            f, gX, _ = sensing_nb(a[0], X, u, *a[1:])
            if f >= margin:
                return X
            gn = np.linalg.norm(gX)
            if gn == 0:
                break
            X = project_ball_nb(X + 0.05 * 0.998 ** i * gX / gn, 1.0)
            u = self.u_for(X, u)
        raise InfeasibleError(f"threshold: no sensing-feasible point found for the {self.metric} metric "
                              f"(phase-1 ascent on f reached f = {f:.3g})")


def _sop_matrices(w, B, tau, inv_snr, model):
    """(D_own, D_other): dF(tau; .) = Re tr(D_own dQ_k) + Re tr(D_other dB_k) (spec 4.3)."""
    N = w.shape[0]
    p = float(np.real(np.vdot(w, w)))
    if model == SOP_MODELS["det"]:
        Cm = np.linalg.inv(p * np.eye(N) + tau * B)
        coef = -tau * inv_snr / p ** 2 + float(np.real(np.trace(Cm))) - N / p
        return coef * np.eye(N), tau * Cm
    Mm = np.outer(w, w.conj()) - tau * B
    mu, Vv = np.linalg.eigh(0.5 * (Mm + Mm.conj().T))
    mu1 = mu[-1]
    d = np.empty(N)
    d[:-1] = -1.0 / (mu1 - mu[:-1])
    d[-1] = -tau * inv_snr / mu1 ** 2 + float(np.sum(1.0 / (mu1 - mu[:-1]) - 1.0 / mu1))
    D = (Vv * d) @ Vv.conj().T
    return D, -tau * D


def _rate_minorant(ctx, X):
    """Vector-domain minorant (bits) in the step D = X' - X (no large cancelling constants):
    R_k(X + D) >= c_k + G_k @ flat(D) - ||q_k^H D||^2, tight at D = 0 (module docstring)."""
    K, N, C = ctx.K, ctx.N, ctx.C
    Hc = ctx.Hc
    Pm = Hc.conj() @ X                       # (K, C): h_k^H x_j
    G = np.zeros((K, 2 * N * C))
    Q = np.zeros((K, N), dtype=complex)
    c = np.zeros(K)
    for k in range(K):
        a = Pm[k, k]
        T = 1.0 + float(np.sum(np.abs(Pm[k]) ** 2))
        b = T - abs(a) ** 2
        g = abs(a) ** 2 / b
        # d/dD of 2 Re(a^*(h^H d_k))/b - (g/T) sum_j 2 Re(p_j^* h^H d_j)
        Gk = np.outer(Hc[k], -2.0 * (g / T) * Pm[k])
        Gk[:, k] = 2.0 * (a / T) * Hc[k]
        G[k] = _flat(Gk) / LN2
        Q[k] = math.sqrt(g / T / LN2) * Hc[k]
        c[k] = math.log1p(g) / LN2
    return G, Q, c


def _utility_objective(kind, U, K, mu, cons, par):
    """The outer objective over the per-user utilities U (CVXPY (K,)): "av" max t s.t. U >= t,
    "pr" -(1/mu) log-sum-exp(-mu U), "sum" weights @ z s.t. U >= z (epigraph keeps it DPP).
    Appends its constraints to ``cons``; ``par`` creates named parameters."""
    if kind == "av":
        tt = cp.Variable(name="tt")
        cons.append(U >= tt)
        return cp.Maximize(tt)
    if kind == "pr":
        return cp.Maximize(-cp.log_sum_exp(-mu * U) / mu)
    z = cp.Variable(K, name="z")
    cons.append(U >= z)
    return cp.Maximize(par("wts", (K,), nonneg=True) @ z)


# --------------------------------------------------------------------------- vector-domain problems
class _VecProblem:
    """SCA subproblem (kind 'av' / 'pr' / 'sum') or PGA projection QCQP (kind 'proj').

    The variable is the step D = X - X0 from an offset X0 (the current point), so every
    coefficient is a sensitivity and no O(SINR) constants cancel (numerics.md 2).
    """

    def __init__(self, N, C, K, I, Agrid, metric, kind, mu, settings):
        t0 = time.perf_counter()
        n = N * C
        L = Agrid.shape[0]
        self.Dr = Dr = cp.Variable((N, C), name="Dr")
        self.Di = Di = cp.Variable((N, C), name="Di")
        d = cp.hstack([cp.vec(Dr, order="C"), cp.vec(Di, order="C")])
        params = {}

        def par(name, shape=(), **kw):
            p = cp.Parameter(shape, name=name, **kw)
            params[name] = p
            return p

        def rowsq(Rr, Ri, Y0r=None, Y0i=None):
            Yr = Rr @ Dr + Ri @ Di
            Yi = Rr @ Di - Ri @ Dr
            if Y0r is not None:
                Yr, Yi = Yr + Y0r, Yi + Y0i
            return Yr, Yi

        x0 = par("x0", (2 * n,))
        cons = [cp.norm(x0 + d) <= 1]
        # sensing block (inner approximation)
        if metric in ("sinr", "detection"):
            gs, bs = par("gs", (2 * n,)), par("bs")
            if metric == "sinr" and I > 0:
                Yr, Yi = rowsq(par("Bqr", (I, N)), par("Bqi", (I, N)), par("B0r", (I, C)), par("B0i", (I, C)))
                cons.append(gs @ d - bs >= cp.sum_squares(cp.hstack([cp.vec(Yr, order="C"),
                                                                      cp.vec(Yi, order="C")])))
            else:
                cons.append(gs @ d >= bs)
        else:
            # the grid steering matrix depends only on (N, spacing, grid): a constant (keeps DPP cheap)
            Ar, Ai = np.ascontiguousarray(Agrid.real), np.ascontiguousarray(Agrid.imag)
            YDr, YDi = rowsq(Ar, Ai)
            Yr, Yi = YDr + par("A0r", (L, C)), YDi + par("A0i", (L, C))
            t = cp.Variable(L, name="t")
            Pd, bb, leps = par("Pd", (L,)), par("bb", (L,)), par("leps", nonneg=True)
            Pzr, Pzi = par("Pzr", (L, C)), par("Pzi", (L, C))
            lin = 2.0 * cp.sum(cp.multiply(Pzr, YDr) + cp.multiply(Pzi, YDi), axis=1)
            # |a_l^H X|^2 <= Pd_l + t_l for every grid angle, as ONE vectorised rotated cone
            # ||(2 y_l, s_l - 1)|| <= s_l + 1 (s = Pd + t): the same L cones of order 2C + 2 as L
            # separate sum_squares constraints, canonicalised in ~1 s instead of ~39 s (L = 181, C = 11)
            s_l = Pd + t
            cons.append(cp.SOC(s_l + 1, cp.hstack([2 * Yr, 2 * Yi, cp.reshape(s_l - 1, (L, 1), order="C")]),
                               axis=1))
            cons += [lin + t >= bb, cp.sum_squares(t) <= leps]
        if kind == "proj":
            y = par("y", (2 * n,))            # target minus offset
            obj = cp.Minimize(cp.sum_squares(d - y))
        else:
            Gr, cr, re = par("Gr", (K, 2 * n)), par("cr", (K,)), par("re", (K,))
            Yr, Yi = rowsq(par("Qr", (K, N)), par("Qi", (K, N)))
            quad = cp.hstack([cp.sum_squares(cp.hstack([Yr[k, :], Yi[k, :]])) for k in range(K)])
            U = cr + Gr @ d - quad - re
            Gs = par("Gs", (K, 2 * n))
            delta = par("delta", nonneg=True)
            cons += [Gs @ d <= 0, cp.norm(d) <= delta]
            obj = _utility_objective(kind, U, K, mu, cons, par)
        self.problem = cp.Problem(obj, cons)
        self.N, self.C = N, C
        self.param = ParametricProblem(self.problem, params, settings=settings)
        self.param.build_time = time.perf_counter() - t0

    def step(self):
        return np.ascontiguousarray(self.Dr.value + 1j * self.Di.value)


def _vec_sensing_values(ctx, Z, X0, u):
    """Parameters of the sensing inner approximation linearised at Z (filter u), variable D = X - X0."""
    sp = ctx.sp
    vals = {"x0": _flat(X0)}
    if ctx.metric in ("sinr", "detection"):
        a0 = sp.a0
        pz = a0.conj() @ Z
        G = 2.0 * np.outer(a0, pz)
        lin0 = float(np.real(np.vdot(G, X0))) - float(np.sum(np.abs(pz) ** 2))   # tangent at X0
        s = sp.kappa / sp.t_d if ctx.metric == "detection" else sp.alpha2[0] * abs(np.vdot(u, a0)) ** 2 / sp.gamma
        vals["gs"], vals["bs"] = s * _flat(G), 1.0 - s * lin0
        if ctx.metric == "sinr" and len(sp.As):
            ci = np.sqrt(sp.alpha2[1:] * np.abs(sp.As.conj() @ u) ** 2)
            Bq = ci[:, None] * sp.As
            vals["Bqr"], vals["Bqi"] = _rows_ri(Bq)
            vals["B0r"], vals["B0i"] = _rows_ri(Bq.conj() @ X0)
    else:
        A = sp.Agrid                                            # rows a_l (L, N)
        Pz = A.conj() @ Z                                       # (L, C): a_l^H z_j
        qz = np.sum(np.abs(Pz) ** 2, axis=1)
        P0 = A.conj() @ X0
        lin0 = 2.0 * np.sum(np.real(np.conj(Pz) * P0), axis=1) - qz
        vals.update(A0r=P0.real, A0i=P0.imag, Pd=sp.Pd, Pzr=Pz.real, Pzi=Pz.imag, bb=sp.Pd - lin0,
                    leps=A.shape[0] * sp.eps_bp)
    return vals


def _get(key, factory):
    obj = _CACHE.get(key)
    if obj is None:
        obj = factory()
        _CACHE[key] = obj
    return obj


def _settings_key(settings):
    return tuple(sorted((settings or {}).items()))


#: Clarabel settings of the vector (SCA / PGA) subproblems when the caller gives none: with the
#: package default (faer, no iterative refinement) 8 of 26 solves of one AV-SCA run ended
#: inaccurate and were retried; with qdldl + refinement none were. Measured at N=8 on 4 draws x
#: {SINR, detection} (min of 3, direct Clarabel path): AV-SCA 0.585 -> 0.546 s, PR-SCA 0.867 ->
#: 0.628 s in total, share inside Clarabel (setup + solve) 0.51-0.74 -> 0.75-0.84; beampattern
#: metric (3 draws) 22.9 -> 17.8 s (faer + refinement: 31.0 s); same objectives to 1e-3. PR-PGA's
#: projection problems keep the package default (0.247 s against 0.266 s with these, 8 runs).
VEC_CLARABEL_SETTINGS = {"direct_solve_method": "qdldl", "iterative_refinement_enable": True}


def _vec_problem(ctx, kind, settings):
    if settings is None and kind != "proj":
        settings = VEC_CLARABEL_SETTINGS
    I, L = len(ctx.sp.As), ctx.sp.Agrid.shape[0]
    grid = (L, ctx.sc.spacing, ctx.sp.Agrid.tobytes()) if ctx.metric == "beampattern" else None
    key = ("vec", ctx.N, ctx.C, ctx.K, I if ctx.metric == "sinr" else 0, grid,
           ctx.metric, kind, ctx.mu if kind == "pr" else None, _settings_key(settings))
    return _get(key, lambda: _VecProblem(ctx.N, ctx.C, ctx.K, key[4], ctx.sp.Agrid, ctx.metric, kind, ctx.mu,
                                         settings))


# --------------------------------------------------------------------------- SDR problem
class _SdrProblem:
    """Lifted subproblem in Q_1..Q_K, Q_V (real-embedded 2N x 2N PSD blocks)."""

    def __init__(self, N, K, nb, Agrid, metric, kind, mu, settings):
        t0 = time.perf_counter()
        n2, n4 = 2 * N, 4 * N * N
        self.Xe = [cp.Variable((n2, n2), PSD=True, name=f"Q{j}") for j in range(nb)]
        Z = cp.vstack([cp.vec(x, order="C") for x in self.Xe])     # (nb, n4)
        Rsum = cp.vec(sum(self.Xe), order="C")
        params = {}

        def par(name, shape=(), **kw):
            p = cp.Parameter(shape, name=name, **kw)
            params[name] = p
            return p

        cons = [0.5 * sum(cp.trace(x) for x in self.Xe) <= 1]
        if metric in ("sinr", "detection"):
            cons.append(par("fs", (n4,)) @ Rsum >= 1)
        else:
            L = Agrid.shape[0]
            Af = np.stack([_emb(np.outer(a, a.conj())) for a in Agrid])      # constant per (N, grid)
            Pd, leps = par("Pd", (L,)), par("leps", nonneg=True)
            cons.append(cp.sum_squares(Pd - Af @ Rsum) <= leps)
        Ft, inv_s, Fi, inv_i, cst = (par("Ft", (K, n4)), par("inv_s", (K,), nonneg=True), par("Fi", (K, n4)),
                                     par("inv_i", (K,), nonneg=True), par("cst", (K,)))
        TT = Ft @ Z.T                                                 # (K, nb)
        II = Fi @ Z.T
        T_s = cp.sum(TT, axis=1) + inv_s
        I_s = cp.sum(II, axis=1) - cp.diag(II[:, :K]) + inv_i
        U = (cp.log(T_s) - I_s + cst) / LN2 - par("re", (K,))
        Fd, Fo, bsop = par("Fd", (K, n4)), par("Fo", (K, n4)), par("bsop", (K,))
        DD = Fd @ Z.T
        OO = Fo @ Z.T
        cons.append(cp.diag(DD[:, :K]) + cp.sum(OO, axis=1) - cp.diag(OO[:, :K]) >= bsop)
        Zn, delta = par("Zn", (nb, n4)), par("delta", nonneg=True)
        cons.append(cp.norm(Z - Zn, "fro") <= delta)
        obj = _utility_objective(kind, U, K, mu, cons, par)
        self.problem = cp.Problem(obj, cons)
        self.N, self.K, self.nb = N, K, nb
        self.param = ParametricProblem(self.problem, params, settings=settings)
        self.param.build_time = time.perf_counter() - t0

    def covariances(self):
        return [hermitian_from_embedding(x.value) for x in self.Xe]


def _emb(H):
    return embed_hermitian(H).ravel() / 2.0


def _sdr_values(ctx, X, u, taus):
    """Parameters of the lifted subproblem at the rank-one point X (Q_k = x_k x_k^H, Q_V = V V^H)."""
    K, N = ctx.K, ctx.N
    sp = ctx.sp
    vals = {}
    R = X @ X.conj().T
    if ctx.metric == "detection":
        vals["fs"] = _emb(sp.kappa / sp.t_d * np.outer(sp.a0, sp.a0.conj()))
    elif ctx.metric == "sinr":
        Phi = sp.alpha2[0] * abs(np.vdot(u, sp.a0)) ** 2 / sp.gamma * np.outer(sp.a0, sp.a0.conj())
        for i in range(len(sp.As)):
            Phi = Phi - sp.alpha2[i + 1] * abs(np.vdot(u, sp.As[i])) ** 2 * np.outer(sp.As[i], sp.As[i].conj())
        vals["fs"] = _emb(Phi)
    else:
        vals["Pd"], vals["leps"] = sp.Pd, sp.Agrid.shape[0] * sp.eps_bp
    Hc = ctx.Hc
    Pm = Hc.conj() @ X
    T = 1.0 + np.sum(np.abs(Pm) ** 2, axis=1)
    Iv = T - np.abs(np.diag(Pm[:, :K])) ** 2
    HH = np.stack([_emb(np.outer(h, h.conj())) for h in Hc])
    vals["Ft"], vals["inv_s"] = HH / T[:, None], 1.0 / T
    vals["Fi"], vals["inv_i"] = HH / Iv[:, None], 1.0 / Iv
    vals["cst"] = np.log(T) - np.log(Iv) + 1.0
    vals["re"] = np.log2(1.0 + taus)
    Fd = np.zeros((K, 4 * N * N))
    Fo = np.zeros((K, 4 * N * N))
    Qs = _lift(ctx, X)
    Zn = np.stack([embed_hermitian(Q).ravel() for Q in Qs])
    bsop = np.zeros(K)
    if ctx.has_eve:
        for k in range(K):
            if taus[k] <= 0:
                continue
            Dk, Do = _sop_matrices(X[:, k].copy(), interference_matrix_nb(X, k), taus[k], ctx.inv_snr, ctx.model)
            fd, fo = _emb(Dk), _emb(Do)
            nrm = math.sqrt(float(fd @ fd + fo @ fo))
            fd, fo = fd / nrm, fo / nrm
            Fd[k], Fo[k] = fd, fo
            bsop[k] = fd @ Zn[k] + fo @ (Zn.sum(axis=0) - Zn[k])
    vals.update(Fd=Fd, Fo=Fo, bsop=bsop, Zn=Zn)
    del R
    return vals


def _lift(ctx, X):
    K = ctx.K
    Qs = [np.outer(X[:, k], X[:, k].conj()) for k in range(K)]
    V = X[:, K:]
    Qs.append(V @ V.conj().T)
    return Qs


def _psd_sqrt(Q):
    lam, Vv = np.linalg.eigh(0.5 * (Q + Q.conj().T))
    return (Vv * np.sqrt(np.clip(lam, 0.0, None))) @ Vv.conj().T, lam


def _recover(ctx, Qs):
    """Principal eigenvector per user, residuals into the AN covariance (R unchanged)."""
    K, N = ctx.K, ctx.N
    W = np.zeros((N, K), dtype=complex)
    QV = 0.5 * (Qs[K] + Qs[K].conj().T)
    ratios = np.zeros(K)
    for k in range(K):
        Q = 0.5 * (Qs[k] + Qs[k].conj().T)
        lam, Vv = np.linalg.eigh(Q)
        lam = np.clip(lam, 0.0, None)
        if lam[-1] > 0:
            ratios[k] = lam[-2] / lam[-1] if N > 1 else 0.0
            W[:, k] = math.sqrt(lam[-1]) * Vv[:, -1]
        QV = QV + (Vv[:, :-1] * lam[:-1]) @ Vv[:, :-1].conj().T
    V, _ = _psd_sqrt(QV)
    X = np.ascontiguousarray(np.concatenate([W, V], axis=1))
    nrm = np.linalg.norm(X)
    return (X / nrm if nrm > 1 else X), ratios


# --------------------------------------------------------------------------- shared driver
def _common_args(max_iter, tol, delta0):
    return as_int(max_iter, "max_iter", minimum=1), as_float(tol, "tol", positive=True), \
        as_float(delta0, "delta0", positive=True)


class _Run:
    def __init__(self, ctx, name, pr):
        self.ctx, self.name, self.pr = ctx, name, pr
        self.stats = SolveStats()
        self.t0 = time.perf_counter()
        self.obj_tr, self.f_tr, self.sur_tr, self.anchor_tr = [], [], [], []
        self.n_rejected = 0
        self.best = None   # (true_obj, X, u, it)

    def evaluate(self, X, u):
        U = self.ctx.utilities(X)[0]
        return self.ctx.true_obj(U), self.ctx.smooth_obj(U, self.pr), self.ctx.f(X, u)

    def record(self, X, u, it):
        tru, smo, f = self.evaluate(X, u)
        self.obj_tr.append(tru)
        self.f_tr.append(f)
        if f >= -TOL_F and (self.best is None or tru > self.best[0]):
            self.best = (tru, X.copy(), u.copy(), it)
        return tru, smo, f

    def solve(self, prob, first, values):
        try:
            rec = prob.param.solve(**values)
        except (SolverError, InfeasibleError) as exc:
            self.stats.add_failure(getattr(exc, "status", "error") or "error", getattr(exc, "wall_time", 0.0))
            if first:
                raise
            return None
        self.stats.add(rec)
        return rec

    def result(self, iterations, extra=None):
        ctx = self.ctx
        sc, inst = ctx.sc, ctx.inst
        if self.best is None:
            raise InfeasibleError(f"{self.name}: no sensing-feasible iterate")
        _, X, u, it = self.best
        m = evaluate_design(sc, inst, X, u, ctx.sp, ctx.K, ctx.inv_snr, ctx.log_inv_eps, ctx.model, ctx.has_eve)
        obj = ctx.true_obj(m["U"])
        P = sc.power_w
        wall = time.perf_counter() - self.t0
        info = {"method": self.name, "metric": ctx.metric, "objective_type": ctx.objective,
                "outer_iterations": iterations, "n_solves": self.stats.n_solves, "n_failed": self.stats.n_failed,
                "n_inaccurate": self.stats.n_inaccurate, "n_rejected": self.n_rejected,
                "solver_time": self.stats.solver_time, "solver_setup_time": self.stats.setup_time, "solve_wall_time": self.stats.wall_time,
                "cvxpy_time": max(self.stats.wall_time - self.stats.solver_time, 0.0), "total_time": wall,
                "surrogate_trace": list(self.sur_tr), "anchor_trace": list(self.anchor_tr)}
        info.update(extra or {})
        n = len(self.obj_tr)
        return UnifiedResult(W=X[:, :ctx.K] * math.sqrt(P), V=X[:, ctx.K:] * math.sqrt(P), u=u, objective=obj,
                             U=m["U"], R=m["R"], RE=m["RE"], sensing_f=m["f"], sensing_value=m["value"],
                             feasible=bool(m["f"] >= -TOL_F), best_iteration=int(it), iterations=int(iterations),
                             objective_trace=np.array(self.obj_tr), f_trace=np.array(self.f_tr),
                             rho_trace=np.zeros(n), wall_time=wall, info=info)


def _kind(ctx, pr):
    return "sum" if ctx.objective == "sum" else ("pr" if pr else "av")


def _trust_loop(run, X, u, step, max_iter, tol, delta0, dmax):
    """Outer loop with acceptance test and trust region (SCA and SDR).

    ``step(X, u, delta, first) -> (X_candidate, surrogate, extra) | None``.
    """
    ctx = run.ctx
    tru, smo, f = run.record(X, u, 0)
    feasible = f >= -TOL_F
    delta = delta0 if feasible else 2.0
    it = 0
    while it < max_iter:
        it += 1
        out = step(X, u, delta if feasible else 2.0, it == 1, smo if feasible else None)
        if out is None:
            if not feasible:
                break
            run.n_rejected += 1
            delta /= 2
            if delta < 1e-4:
                break
            continue
        Xc, sur = out
        nrm = np.linalg.norm(Xc)
        if nrm > 1:
            Xc = Xc / nrm
        uc = ctx.u_for(Xc, u)
        tru_c, smo_c, f_c = run.evaluate(Xc, uc)
        run.sur_tr.append(sur)
        run.anchor_tr.append(smo if feasible else np.nan)
        if f_c >= -TOL_F and (not feasible or smo_c >= smo - 1e-9 * (1 + abs(smo))):
            change = abs(smo_c - smo) / max(abs(smo), 1e-9)
            was_feasible = feasible
            X, u, smo, feasible = Xc, uc, smo_c, True
            run.record(X, u, it)
            delta = min(2 * delta, dmax)
            if was_feasible and change < tol:
                break
        else:
            run.n_rejected += 1
            run.obj_tr.append(run.obj_tr[-1])
            run.f_tr.append(run.f_tr[-1])
            if not feasible:
                break
            delta /= 2
            if delta < 1e-4:
                break
    return it


# --------------------------------------------------------------------------- SCA
def _sca(name, pr, sc, inst, metric, threshold, objective, weights, max_iter, tol, delta0, sop_model,
         artificial_noise, eavesdroppers, mu, settings):
    max_iter, tol, delta0 = _common_args(max_iter, tol, delta0)
    ctx = _Ctx(sc, inst, metric, threshold, objective, weights, sop_model, artificial_noise, eavesdroppers, mu)
    run = _Run(ctx, name, pr)
    kind = _kind(ctx, pr)
    prob = _vec_problem(ctx, kind, settings)
    X = _initial_point(sc, inst, ctx.sp, ctx.M)
    u = ctx.u_for(X)
    shift = [0.0]

    def values_at(X, u, Xlin, delta):
        _, _, RE, taus, _, _ = ctx.utilities(X)
        Gr, Q, cr = _rate_minorant(ctx, X)
        Gs, bsop = ctx.sop_halfspaces(X, taus)
        # PR: log-sum-exp is shift-invariant; subtract min_k U_k^n so the exponential cones see
        # O(1) arguments (mu U ~ 150 otherwise, and Clarabel fails on the beampattern metric)
        shift[0] = float(np.min(cr - RE)) if kind == "pr" else 0.0
        vals = {"Gr": Gr, "cr": cr - shift[0], "Qr": Q.real, "Qi": Q.imag, "re": RE, "Gs": Gs, "delta": delta}
        if ctx.objective == "sum":
            vals["wts"] = ctx.weights
        vals.update(_vec_sensing_values(ctx, Xlin, X, u))
        return vals

    def step(X, u, delta, first, anchor):
        rec = run.solve(prob, False, values_at(X, u, X, delta))
        if rec is None and first:
            # infeasible inner approximation at the start: linearise the sensing constraint at a beam on a0
            Xb = ctx.a0_beam(X)
            rec = run.solve(prob, True, values_at(X, ctx.u_for(Xb, u), Xb, delta))
        if rec is None:
            return None
        return X + prob.step(), rec.objective + shift[0]

    it = _trust_loop(run, X, u, step, max_iter, tol, delta0, 2.0)
    return run.result(it)


# --------------------------------------------------------------------------- SDR
def _sdr(name, pr, sc, inst, metric, threshold, objective, weights, max_iter, tol, delta0, sop_model,
         artificial_noise, eavesdroppers, mu, settings, n_randomisations, seed):
    max_iter, tol, delta0 = _common_args(max_iter, tol, delta0)
    n_randomisations = as_int(n_randomisations, "n_randomisations", minimum=0)
    ctx = _Ctx(sc, inst, metric, threshold, objective, weights, sop_model, artificial_noise, eavesdroppers, mu)
    if ctx.M != ctx.N:
        raise ValueError(f"sc: SDR baselines need n_an = N = {ctx.N} AN columns (full-rank AN covariance), "
                         f"got {ctx.M}")
    run = _Run(ctx, name, pr)
    grid = (ctx.sc.spacing, ctx.sp.Agrid.tobytes()) if metric == "beampattern" else None
    key = ("sdr", ctx.N, ctx.K, grid, metric, _kind(ctx, pr), ctx.mu if _kind(ctx, pr) == "pr" else None,
           _settings_key(settings))
    prob = _get(key, lambda: _SdrProblem(ctx.N, ctx.K, ctx.K + 1, ctx.sp.Agrid, metric, key[5], ctx.mu, settings))
    X = _initial_point(sc, inst, ctx.sp, ctx.M)
    u = ctx.u_for(X)
    state = {"Qs": None, "max_ratio": 0.0}

    def step(X, u, delta, first, anchor):
        _, _, _, taus, _, _ = ctx.utilities(X)
        vals = _sdr_values(ctx, X, u, taus)
        vals["delta"] = delta * math.sqrt(2.0)          # embedding doubles the squared Frobenius norm
        if ctx.objective == "sum":
            vals["wts"] = ctx.weights
        rec = run.solve(prob, first, vals)
        if rec is None:
            return None
        Qs = prob.covariances()
        Xc, ratios = _recover(ctx, Qs)
        state["Qs"] = Qs
        state["max_ratio"] = max(state["max_ratio"], float(ratios.max(initial=0.0)))
        return Xc, rec.objective

    it = _trust_loop(run, X, u, step, max_iter, tol, delta0, 2.0)
    randomised = False
    if state["Qs"] is not None and n_randomisations > 0:
        randomised = _randomise(run, state["Qs"], n_randomisations, seed, it)
    return run.result(it, {"max_rank_ratio": state["max_ratio"], "randomised": randomised})


def _randomise(run, Qs, n_draws, seed, it):
    """Gaussian randomisation around the last SDP solution; keeps a draw that beats the best iterate."""
    ctx = run.ctx
    K, N = ctx.K, ctx.N
    rng = np.random.default_rng(seed)
    V, _ = _psd_sqrt(Qs[K])
    Ls = [_psd_sqrt(Q)[0] for Q in Qs[:K]]
    improved = False
    for _ in range(n_draws):
        W = np.empty((N, K), dtype=complex)
        for k in range(K):
            z = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) / math.sqrt(2.0)
            W[:, k] = Ls[k] @ z
        X = np.ascontiguousarray(np.concatenate([W, V], axis=1))
        X /= np.linalg.norm(X)                                   # rescale to the power budget
        u = ctx.u_for(X)
        if ctx.f(X, u) < -TOL_F:
            continue
        tru = ctx.true_obj(ctx.utilities(X)[0])
        if run.best is None or tru > run.best[0]:
            run.best = (tru, X, u, it)
            improved = True
    return improved


# --------------------------------------------------------------------------- PGA
def _projection_data(ctx, vals, Z):
    """(G, A, e) of the linearised sensing set {||A X||^2 - Re<G, X> + e <= 0} at Z (the PGA
    projection's constraint, from the QCQP's parameters with offset Z)."""
    G = _unflat(vals["gs"], ctx.N, ctx.C)
    e = float(np.real(np.vdot(G, Z))) + float(vals["bs"])
    if "Bqr" in vals:
        A = np.ascontiguousarray(vals["Bqr"] - 1j * vals["Bqi"])      # Y = conj(Bq) X
    else:
        A = np.zeros((0, ctx.N), dtype=complex)
    return G, A, e


PROJECTIONS = ("auto", "closed_form", "qcqp")


def _pga(name, sc, inst, metric, threshold, objective, weights, max_iter, tol, step0, sop_model,
         artificial_noise, eavesdroppers, mu, settings, n_proj, projection):
    max_iter, tol, step0 = _common_args(max_iter, tol, step0)
    n_proj = as_int(n_proj, "n_proj", minimum=1)
    if projection not in PROJECTIONS:
        raise ValueError(f"projection: must be one of {PROJECTIONS}, got {projection!r}")
    if projection == "closed_form" and metric == "beampattern":
        raise ValueError("projection: 'closed_form' covers the sinr and detection metrics, not beampattern")
    closed = projection == "closed_form" or (projection == "auto" and metric != "beampattern")
    ctx = _Ctx(sc, inst, metric, threshold, objective, weights, sop_model, artificial_noise, eavesdroppers, mu)
    run = _Run(ctx, name, True)
    prob = None if closed else _vec_problem(ctx, "proj", settings)
    N, C, K = ctx.N, ctx.C, ctx.K
    state = {"n_qcqp": 0, "n_closed_form": 0}

    def project(Y, Xlin, u, first):
        nrm = np.linalg.norm(Y)
        Yb = Y / nrm if nrm > 1 else Y
        if ctx.f(Yb, ctx.u_for(Yb, u)) >= 0.0:
            return Yb
        Z = Xlin
        out = None
        for j in range(n_proj):
            if closed:
                G, A, e = _projection_data(ctx, _vec_sensing_values(ctx, Z, Z, u), Z)
                Xn, ok = project_ball_quadratic_nb(np.ascontiguousarray(Y), G, A, e, 1.0)
                state["n_closed_form"] += 1
                if not ok:
                    if first and j == 0:
                        raise InfeasibleError(f"{name}: the linearised sensing set misses the unit ball")
                    break
            else:
                vals = {"y": _flat(Y - Z)}
                vals.update(_vec_sensing_values(ctx, Z, Z, u))
                rec = run.solve(prob, first and j == 0, vals)
                state["n_qcqp"] += 1
                if rec is None:
                    break
                Xn = Z + prob.step()
            nx = np.linalg.norm(Xn)
            if nx > 1:
                Xn = Xn / nx
            if ctx.f(Xn, u) >= -TOL_F:
                out = Xn
            if np.linalg.norm(Xn - Z) < 1e-6:
                break
            Z = Xn
        return out

    X = _initial_point(sc, inst, ctx.sp, ctx.M)
    u = ctx.u_for(X)
    if ctx.f(X, u) < -TOL_F:
        Xp = None
        try:
            Xp = project(X, X, u, True)
        except InfeasibleError:
            pass
        if Xp is None:
            Xb = ctx.a0_beam(X)
            Xp = project(X, Xb, ctx.u_for(Xb, u), True)
        if Xp is None:
            raise InfeasibleError(f"{name}: the initial projection found no sensing-feasible point")
        X, u = Xp, ctx.u_for(Xp, u)
    tru, smo, f = run.record(X, u, 0)
    s = step0
    it = 0
    while it < max_iter:
        it += 1
        U, R, RE, taus, T, I = ctx.utilities(X)
        if ctx.objective == "sum":
            pi = ctx.weights
        else:
            e = np.exp(-ctx.mu * (U - U.min()))
            pi = e / e.sum()
        G = rate_gradient_nb(ctx.Hc, X, K, pi, T, I)
        if ctx.has_eve:
            for k in range(K):
                G = G - pi[k] * redundancy_gradient_nb(X, k, taus[k], ctx.inv_snr, ctx.model)
        gn = np.linalg.norm(G)
        if gn == 0:
            break
        Y = X + s * G / gn
        Xc = project(Y, X, u, False)
        if Xc is None:
            run.n_rejected += 1
            s /= 2
        else:
            uc = ctx.u_for(Xc, u)
            tru_c, smo_c, f_c = run.evaluate(Xc, uc)
            if f_c >= -TOL_F and smo_c >= smo:
                change = abs(smo_c - smo) / max(abs(smo), 1e-9)
                X, u, smo = Xc, uc, smo_c
                run.record(X, u, it)
                s = min(1.5 * s, 1.0)
                if change < tol:
                    break
                continue
            run.n_rejected += 1
            s /= 2
        run.obj_tr.append(run.obj_tr[-1])
        run.f_tr.append(run.f_tr[-1])
        if s < 1e-4:
            break
    del N, C
    return run.result(it, {"n_qcqp": state["n_qcqp"], "n_closed_form": state["n_closed_form"],
                           "projection": "closed_form" if closed else "qcqp"})


# --------------------------------------------------------------------------- public API
_DOC = """{name} baseline (spec 5) for one trial; see the module docstring for the formulation.

    Parameters are those of :func:`unified_method` where shared (``metric``, ``threshold``,
    ``objective``, ``weights`` for ``objective="sum"``, ``sop_model``, ``artificial_noise``,
    ``eavesdroppers``), plus ``max_iter`` (30) and ``tol`` (1e-3) of the outer loop, {extra}
    ``mu`` (log-sum-exp weight, bits^-1) and ``solver_settings`` (Clarabel).
    Returns a :class:`UnifiedResult` scored by :func:`evaluate_design`; ``info`` holds the
    method name, outer iterations, solve counts, solver (Clarabel) time vs total time.
    Raises SolverError / InfeasibleError when the first solve fails.
"""


def pr_sca(sc, inst, *, metric="sinr", threshold=0.0, objective="worst", weights=None, max_iter=30, tol=1e-3,
           delta0=0.5, sop_model="exact", artificial_noise=True, eavesdroppers=True, mu=MU_PR,
           solver_settings=None) -> UnifiedResult:
    return _sca("PR-SCA", True, sc, inst, metric, threshold, objective, weights, max_iter, tol, delta0, sop_model,
                artificial_noise, eavesdroppers, mu, solver_settings)


def av_sca(sc, inst, *, metric="sinr", threshold=0.0, objective="worst", weights=None, max_iter=30, tol=1e-3,
           delta0=0.5, sop_model="exact", artificial_noise=True, eavesdroppers=True, mu=MU_PR,
           solver_settings=None) -> UnifiedResult:
    return _sca("AV-SCA", False, sc, inst, metric, threshold, objective, weights, max_iter, tol, delta0, sop_model,
                artificial_noise, eavesdroppers, mu, solver_settings)


def pr_sdr(sc, inst, *, metric="sinr", threshold=0.0, objective="worst", weights=None, max_iter=30, tol=1e-3,
           delta0=0.5, sop_model="exact", artificial_noise=True, eavesdroppers=True, mu=MU_PR,
           solver_settings=None, n_randomisations=100, seed=0) -> UnifiedResult:
    return _sdr("PR-SDR", True, sc, inst, metric, threshold, objective, weights, max_iter, tol, delta0, sop_model,
                artificial_noise, eavesdroppers, mu, solver_settings, n_randomisations, seed)


def av_sdr(sc, inst, *, metric="sinr", threshold=0.0, objective="worst", weights=None, max_iter=30, tol=1e-3,
           delta0=0.5, sop_model="exact", artificial_noise=True, eavesdroppers=True, mu=MU_PR,
           solver_settings=None, n_randomisations=100, seed=0) -> UnifiedResult:
    return _sdr("AV-SDR", False, sc, inst, metric, threshold, objective, weights, max_iter, tol, delta0, sop_model,
                artificial_noise, eavesdroppers, mu, solver_settings, n_randomisations, seed)


def pr_pga(sc, inst, *, metric="sinr", threshold=0.0, objective="worst", weights=None, max_iter=30, tol=1e-3,
           step0=0.05, sop_model="exact", artificial_noise=True, eavesdroppers=True, mu=MU_PR,
           solver_settings=None, n_proj=2, projection="auto") -> UnifiedResult:
    return _pga("PR-PGA", sc, inst, metric, threshold, objective, weights, max_iter, tol, step0, sop_model,
                artificial_noise, eavesdroppers, mu, solver_settings, n_proj, projection)


pr_sca.__doc__ = _DOC.format(name="PR-SCA", extra="``delta0`` (initial trust radius),")
av_sca.__doc__ = _DOC.format(name="AV-SCA", extra="``delta0`` (initial trust radius),")
pr_sdr.__doc__ = _DOC.format(name="PR-SDR", extra="``delta0``, ``n_randomisations`` (100), ``seed``,")
av_sdr.__doc__ = _DOC.format(name="AV-SDR", extra="``delta0``, ``n_randomisations`` (100), ``seed``,")
pr_pga.__doc__ = _DOC.format(name="PR-PGA", extra="``step0`` (initial step, fraction of the unit ball), "
                             "``n_proj`` (re-linearisations of the projection), ``projection`` ('auto': "
                             "the exact two-multiplier projection kernel for the sinr / detection metrics, "
                             "the QCQP for beampattern; 'qcqp' forces CVXPY + Clarabel),")

BASELINES = {"PR-SDR": pr_sdr, "PR-SCA": pr_sca, "PR-PGA": pr_pga, "AV-SDR": av_sdr, "AV-SCA": av_sca}
