"""Algorithm 1 of seed 003 as a researcher would write it straight from the paper in CVXPY:
complex Hermitian variables, the problem rebuilt every SCA iteration, default solver
settings. Same math, scaling, initial point, update and stopping as
``fastisac.algorithms.dual_eve.secure_beamforming`` so both reach the same point.
Benchmark baseline only (not part of the package).
"""

import math
import time

import cvxpy as cp
import numpy as np


def naive_secure_beamforming(sc, ch, tol=1e-3, max_iter=50):
    t_start = time.perf_counter()
    K, N, P = sc.n_users, sc.n_antennas, sc.power_w
    Hk = [P / sc.sigma_k2[k] * np.outer(np.conj(ch.h[k]), ch.h[k]) for k in range(K)]
    G = np.outer(ch.hce, np.conj(ch.hce))
    Gt = P / sc.sigma_t2 * G
    Gb = P * sc.rho / sc.sigma_b2 * G
    Gse = [P * abs(ch.he[k]) ** 2 / sc.sigma_k2[k] * G for k in range(K)]
    tr = lambda X, M: cp.real(cp.trace(X @ M))  # noqa: E731
    trn = lambda X, M: float(np.real(np.trace(X @ M)))  # noqa: E731
    Qv = [np.eye(N) / ((K + 1) * N) for _ in range(K)]
    Sv = np.eye(N) / ((K + 1) * N)

    def powers(Qs, S):
        R = S + sum(Qs)
        Rk = np.array([trn(R, Hk[k]) for k in range(K)])
        Rmk = np.array([trn(R - Qs[k], Hk[k]) for k in range(K)])
        E = trn(R, Gt)
        Emk = np.array([trn(R - Qs[k], Gt) for k in range(K)])
        return Rk, Rmk, E, Emk

    Rk, Rmk, E, Emk = powers(Qv, Sv)
    eps_n, u_n = np.log1p(Rmk), math.log1p(E)
    f_prev, trace, solver_time = -np.inf, [], 0.0
    for _ in range(max_iter):
        s_k, r_k = 1 + Rk, 1 + Emk
        Q = [cp.Variable((N, N), hermitian=True) for _ in range(K)]
        S = cp.Variable((N, N), hermitian=True)
        tau, eps, v = cp.Variable(K), cp.Variable(K), cp.Variable(K)
        u = cp.Variable()
        R = S + sum(Q)
        cons = [X >> 0 for X in Q] + [S >> 0, cp.real(cp.trace(R)) <= 1,
                                      tr(S, Gb) >= sc.gamma_s * (1 + sum(tr(Qk, Gb) for Qk in Q))]
        for k in range(K):
            Rm = R - Q[k]
            cons += [tr(S, Gse[k]) + tr(Q[k], Gse[k]) <= sc.gamma_se * (1 + sum(tr(Q[i], Gse[k]) for i in range(K) if i != k)),
                     tau[k] <= cp.log(1 / s_k[k] + tr(R, Hk[k]) / s_k[k]),
                     v[k] <= cp.log(1 / r_k[k] + tr(Rm, Gt) / r_k[k]),
                     eps[k] >= math.exp(-eps_n[k]) * (1 + tr(Rm, Hk[k])) - (1 - eps_n[k])]
        cons.append(u >= math.exp(-u_n) * (1 + tr(R, Gt)) - (1 - u_n))
        obj = cp.sum(tau - eps + v) - K * u + float(np.sum(np.log(s_k)) + np.sum(np.log(r_k)))
        prob = cp.Problem(cp.Maximize(obj), cons)
        prob.solve(solver=cp.CLARABEL)
        solver_time += prob.solver_stats.solve_time
        f = prob.value
        trace.append(f / math.log(2))
        Qv, Sv = [X.value for X in Q], S.value
        Rk, Rmk, E, Emk = powers(Qv, Sv)
        eps_n, u_n = np.asarray(eps.value, float).copy(), float(u.value)
        delta = abs(f - f_prev) / max(abs(f_prev), 1e-9) if np.isfinite(f_prev) else np.inf
        stop = delta <= tol or abs(f - f_prev) < 1e-6
        f_prev = f
        if stop:
            break
    return dict(Q=np.stack(Qv) * P, S=Sv * P, trace=trace, wall_time=time.perf_counter() - t_start,
                solver_time=solver_time)
