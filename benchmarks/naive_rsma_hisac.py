"""Naive CVXPY version of Algorithm 4 (seed 002) for the benchmark: every subproblem (Phase I,
block B, block C) is rebuilt from scratch at every iteration with complex Hermitian variables
(``cp.Variable(hermitian=True)``, ``Q >> 0``) and constants instead of parameters.

The iteration logic (expansion points, Dinkelbach parameter, acceptance, stopping) is the
library's own: :func:`naive_rsma_hisac_see` swaps the cached DPP blocks for these rebuilt
problems, so both versions follow the same sequence of subproblems.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import cvxpy as cp
import numpy as np

from fastisac.algorithms import rsma_hisac as alg
from fastisac.solvers import embed_hermitian, hermitian_from_embedding
from fastisac.solvers.problem import SolveRecord

LN2 = np.log(2.0)


class _Var:
    def __init__(self):
        self.value = None


def _herm_rows(F, m):
    return [hermitian_from_embedding(row.reshape(2 * m, 2 * m)) for row in np.asarray(F)]


def _tr(H, X):
    return cp.real(cp.trace(H @ X))


def _users(G, J, sc, scheme):
    N = len(G)
    tc, tp = 2.0 ** sc.rate_common - 1.0, 2.0 ** sc.rate_private - 1.0
    cons = []
    for n in range(N):
        if scheme == "rsma":
            priv = sum(G[n][1:])
            if tc > 0:
                cons.append(G[n][0] >= tc * (priv + J[n] + 1.0))
            cons.append(G[n][n + 1] >= tp * (priv - G[n][n + 1] + J[n] + 1.0))
        elif scheme == "sdma":
            cons.append(G[n][n] >= tp * (sum(G[n]) - G[n][n] + J[n] + 1.0))
    if scheme == "noma":
        for j in range(N):
            for k in range(j, N):
                rest = sum(G[k][j + 1:]) if j + 1 < N else 0.0
                cons.append(G[k][j] >= tp * (rest + J[k] + 1.0))
    return cons


class _NaiveParam:
    def __init__(self, kind, sc, d, scheme, frac, fixed):
        self.kind, self.sc, self.scheme, self.frac, self.fixed = kind, sc, scheme, frac, fixed
        self.M1, self.M2, self.N = d.h_bo.shape[0], d.g_bo.shape[0], d.n
        self.build_time = 0.0

    def solve(self, **v):
        t0 = time.perf_counter()
        sc, g, N = self.sc, self.sc.gamma_th, self.N
        cons, out_vars = [], []
        if self.kind in ("bs1", "phase1"):
            H = _herm_rows(v["F" if self.kind == "bs1" else "F1"], self.M1)
            Wb = cp.Variable((self.M1, self.M1), hermitian=True)
            Wt = cp.Variable((self.M1, self.M1), hermitian=True)
            cons += [Wb >> 0, Wt >> 0]
            A, Bbo, Bta = _tr(H[0], Wb), _tr(H[1], Wb), _tr(H[0], Wt)
            Fm, E, Eta, Ebo = _tr(H[2], Wt), _tr(H[3], Wb), _tr(H[3], Wt), _tr(H[2], Wb)
            echo, p1 = _tr(H[4], Wb + Wt), _tr(H[5], Wb + Wt)
            J = [_tr(H[9 + n], Wb + Wt) for n in range(N)]
            cons.append(p1 == v["p1"] if sc.p1_equality else p1 <= v["p1"])
            for name, X in (("bo", Wb), ("ta", Wt)):
                if f"fix_{name}" in v:
                    cons.append(X == hermitian_from_embedding(v[f"fix_{name}"]))
            out_vars += [Wb, Wt]
        if self.kind in ("bs2", "phase1"):
            G = _herm_rows(v["F" if self.kind == "bs2" else "F2"], self.M2)
            K = N + 1 if self.scheme == "rsma" else N
            O = [cp.Variable((self.M2, self.M2), hermitian=True) for _ in range(K)]
            cons += [o >> 0 for o in O]
            Osum = sum(O)
            Ib, Ie, p2 = _tr(G[0], Osum), _tr(G[1], Osum), _tr(G[2], Osum)
            Gm = [[_tr(G[6 + n], o) for o in O] for n in range(N)]
            cons.append(p2 == v["p2"] if sc.p2_equality else p2 <= v["p2"])
            out_vars += O
        if self.kind == "bs1":
            rs = (cp.log(v["beta_b"] + A) + cp.log(v["beta_e"] + Fm)) / LN2 - _tr(H[6], Wb) - _tr(H[7], Wt) + v["k0"]
            cons += [Bbo <= Bta, E <= Fm, Bta >= g * (Bbo + v["beta_b"]),
                     Eta <= (1 - 1e-6) * g * (Ebo + v["beta_e"]), echo >= g, A >= g * v["beta_b"],
                     cp.hstack(J) <= v["jcap"], rs >= sc.rate_secrecy]
            eta_p1 = _tr(H[8], Wb + Wt)
            if self.frac == "dinkelbach":
                obj = cp.Maximize(rs - eta_p1 - v["eta_p_rest"])
            else:
                t = cp.Variable(nonneg=True)
                cons.append(cp.sqrt(rs) >= t)
                obj = cp.Maximize(2 * v["y"] * t - eta_p1 - v["eta_p_rest"])
        elif self.kind == "bs2":
            tau = sc.tau
            U1 = v["A"] - (tau - 1.0) * (1.0 + Ib)
            U2 = v["u2c"] + Ie
            cons += [cp.SOC(U1 + U2, cp.hstack([v["c_soc"], U1 - U2])), Ib <= v["ib_cap"], Ie >= v["ie_floor"]]
            cons += _users(Gm, list(v["J"]), sc, self.scheme)
            rs = (cp.log(v["a1"] + Ib) + cp.log(v["f1"] + Ie)) / LN2 - _tr(G[3], Osum) - _tr(G[4], Osum) + v["k0"]
            obj = cp.Maximize(rs - _tr(G[5], Osum) - v["eta_p_rest"])
        else:
            tau = sc.tau
            cons += [Bbo <= Bta, E <= Fm, Bta >= g * (Bbo + 1.0 + Ib), Eta <= (1 - 1e-6) * g * (Ebo + 1.0 + Ie),
                     echo >= g, A >= g * (1.0 + Ib), A >= (tau * (1.0 + g) - 1.0) * (1.0 + Ib)]
            cons += _users(Gm, J, sc, self.scheme)
            obj = cp.Minimize(p1 * (not sc.p1_equality) + p2 * (not sc.p2_equality))
        prob = cp.Problem(obj, cons)
        try:
            prob.solve(solver=cp.CLARABEL)
        except cp.error.SolverError as exc:
            raise alg.SolverError(str(exc), status="solver_error") from exc
        if prob.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
            raise alg.InfeasibleError("naive: infeasible", status=prob.status)
        if prob.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
            raise alg.SolverError("naive: no solution", status=prob.status)
        for holder, x in zip(self.holders, out_vars):
            holder.value = embed_hermitian(x.value)
        st = prob.solver_stats
        return SolveRecord(status=prob.status, objective=float(prob.value), wall_time=time.perf_counter() - t0,
                           solver_time=float(st.solve_time or 0.0), compile_time=0.0,
                           iterations=int(st.num_iters or -1))


class _NaiveBlock:
    def __init__(self, kind, sc, d, scheme, frac, fixed):
        self.param = _NaiveParam(kind, sc, d, scheme, frac, fixed)
        n = {"bs1": 2, "bs2": d.n + (1 if scheme == "rsma" else 0)}.get(kind, 2 + d.n + (1 if scheme == "rsma" else 0))
        self.vars = tuple(_Var() for _ in range(n))
        self.param.holders = self.vars


@contextmanager
def _naive_problems():
    orig = alg._problem

    def fresh(kind, sc, d, scheme, frac, fixed, solver, settings):
        return _NaiveBlock(kind, sc, d, scheme, frac, fixed)
    alg._problem = fresh
    try:
        yield
    finally:
        alg._problem = orig


def naive_rsma_hisac_see(sc, ch, **kw):
    """Algorithm 4 with every subproblem rebuilt each iteration (complex Hermitian variables)."""
    with _naive_problems():
        return alg.rsma_hisac_see(sc, ch, **kw)
