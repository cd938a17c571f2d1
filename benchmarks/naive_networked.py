"""Algorithm 1 of seed 000 written straight from the paper in CVXPY: the block-A SDP (60) is
rebuilt every BCD sweep, and block B (62) is solved as the 2MK tiny SDPs the paper states
(minimise xi subject to the S-procedure LMI (51)). Same math, initial point, xi rule and
stopping as ``fastisac.algorithms.networked.centralized_bcd``. Also Algorithm 2 with every
per-BS problem rebuilt each ADMM iteration (``naive_decentralized_admm``). Benchmark baselines only.
"""

import math
import time

import cvxpy as cp
import numpy as np
from scipy.linalg import block_diag

from fastisac.algorithms import networked as alg
from fastisac.solvers import SolveStats


def block_b_sdp(inst, W, R, beta_joint):
    """(62) per (i, m, k): min xi s.t. LMI (51) on the joint ball, as CVXPY SDPs."""
    M, K, N = inst.M, inst.K, inst.N
    g = inst.gbar.reshape(-1)
    n = M * N
    xi_out = np.zeros((2, M, K))
    eta_out = np.zeros((2, M, K))
    solver_time = 0.0
    for i in range(2):
        Rb = block_diag(*R[i])
        for m in range(M):
            for k in range(K):
                Wb = np.zeros((n, n), complex)
                Wb[m * N:(m + 1) * N, m * N:(m + 1) * N] = W[i, m, k]
                xi, eta = cp.Variable(nonneg=True), cp.Variable(nonneg=True)
                Mg = Wb @ g - xi * (Rb @ g)
                corner = (-eta * beta_joint[i] ** 2 + xi
                          - (np.real(g.conj() @ Wb @ g) - xi * np.real(g.conj() @ Rb @ g)))
                col = cp.reshape(Mg, (n, 1), order="F")
                L = cp.bmat([[eta * np.eye(n) - Wb + xi * Rb, -col], [-col.H, cp.reshape(corner, (1, 1), order="F")]])
                p = cp.Problem(cp.Minimize(xi), [0.5 * (L + L.H) >> 0])
                p.solve(solver=cp.CLARABEL)
                solver_time += p.solver_stats.solve_time or 0.0
                xi_out[i, m, k], eta_out[i, m, k] = xi.value, eta.value
    return xi_out, eta_out, solver_time


def naive_centralized_bcd(inst, max_iter=8, tol=1e-3, eps0_db=-20.0):
    t0 = time.perf_counter()
    sc = inst.scenario
    M, K = inst.M, inst.K
    stats = SolveStats()
    W, R, _, _ = alg._init_fixed(inst, stats, eps0_db)
    delta = inst.radius(inst.mse(W[0].sum(axis=1) + R[0]))
    bj = np.array([math.sqrt(np.sum(inst.beta1 ** 2)), math.sqrt(float(np.sum(delta ** 2)))])
    xi, eta = alg._joint_xi_eta(inst, W, R, bj, np.full((2, M, K), 2.0 ** sc.rate_leak - 1), "refill", inst.tau,
                                sc.rate_leak)
    trace = [float(alg.bs_power_nb(W, R, inst.tau).sum())]
    solver_time = 0.0
    for _ in range(max_iter):
        prob = alg.CentralProblem(inst, "block_a").bind(inst)          # rebuilt every sweep
        prob.pp.set(power_offset=np.zeros(M))
        prob.set_sca(W, R)
        c1 = 2 * inst.a ** 2 * (delta - inst.b)
        prob.pp.set(c1=c1, c0=inst.a ** 2 * (delta - inst.b) ** 2 - c1 * delta, xi=xi.reshape(2, -1),
                    eta=eta.reshape(2, -1), eta_beta1=(eta[0] * bj[0] ** 2).reshape(1, -1).repeat(2, 0))
        try:
            rec = prob.pp.solve()
        except Exception:
            break
        solver_time += rec.solver_time
        W, R = prob.values()
        delta = np.maximum(np.asarray(prob.delta.value, float), inst.b)
        bj = np.array([bj[0], math.sqrt(float(max(prob.delta0.value, np.sum(delta ** 2))))])
        xs, _, st = block_b_sdp(inst, W, R, bj)                          # the 2MK tiny SDPs
        solver_time += st
        xs = np.minimum(xs * (1 + alg.XI_MARGIN) + 1e-12, np.maximum(xi, xs))
        c = sc.rate_leak - np.tensordot(inst.tau, np.log2(1 + xs), axes=1)
        xi = (1 + xs) * (2.0 ** np.maximum(c, 0.0))[None] - 1
        eta = alg._joint_multipliers(inst, W, R, bj, xi)
        trace.append(rec.objective)
        if abs(trace[-2] - trace[-1]) <= tol * abs(trace[-2]):
            break
    return dict(trace=trace, W=W, R=R, wall_time=time.perf_counter() - t0, solver_time=solver_time)


def naive_decentralized_admm(inst, max_iter=6, rho_init=1.0, varsigma=1.5, rho_max=1e6, eps0_db=-20.0):
    """Algorithm 2 with every per-BS problem (136) rebuilt in CVXPY at every ADMM iteration
    (fresh ``LocalProblem``, same parameter values, same solve and stalled-point policy); start,
    block B, global and dual steps are the library's, so the trace must equal
    ``decentralized_admm(inst, max_iter=...)``'s (no early stop is taken in ``max_iter`` <= 6)."""
    t0 = time.perf_counter()
    M = inst.M
    stats = SolveStats()
    W, R, _, eps_fixed, beta, deltas, st, xi, psis, lams, _ = alg._admm_start(inst, stats, None, eps0_db, "refill")
    cons = alg._Consensus(st)
    Wl, Rl = W.copy(), R.copy()
    rho = float(rho_init)
    trace = [float(alg.bs_power_nb(W, R, inst.tau).sum())]
    fail_count = [0] * M
    build_time = 0.0
    for n in range(1, max_iter + 1):
        rhos = cons.rhos(rho)
        targets = cons.targets(rhos)
        outs = []
        for m in range(M):
            tb = time.perf_counter()
            lp = alg.LocalProblem(inst, m).bind(inst)                       # rebuilt every iteration
            build_time += time.perf_counter() - tb
            lp.pp.set(**alg._local_values(inst, m, Wl, Rl, st, xi, psis, lams, beta, deltas, eps_fixed), **targets[m])
            outs.append(alg._solve_local(lp, fail_count[m] >= 2))
        for m, (rec, out) in enumerate(outs):
            if out is None:
                fail_count[m] += 1
                continue
            fail_count[m] = 0
            stats.add(rec)
            Wl[:, m], Rl[:, m], v = out
            alg._store_local(inst, st, m, v)
            deltas[m] = max(v["delta"], inst.b[m])
            beta[1, m] = math.sqrt(max(v["delta0"], deltas[m] ** 2))
        if max(fail_count) >= 3:
            break
        for m in range(M):
            xi[:, m], psis[:, m], lams[:, m] = alg._local_block_b(inst, m, Wl[:, m], Rl[:, m], st.u_bar[:, m],
                                                                  beta[:, m], xi[:, m], "refill")
        cons.update(st, rhos)
        trace.append(float(alg.bs_power_nb(np.ascontiguousarray(Wl), np.ascontiguousarray(Rl), inst.tau).sum()))
        rho = min(rho * varsigma, rho_max)
    return dict(trace=trace, wall_time=time.perf_counter() - t0, solver_time=stats.solver_time, build_time=build_time)
