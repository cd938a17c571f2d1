"""Seed 003 (dual_eve): closed forms, the SCA subproblem, Algorithm 1 and its baselines."""

import math

import cvxpy as cp
import numpy as np
import pytest

from fastisac import InfeasibleError, SolverError
from fastisac.algorithms import dual_eve as de
from fastisac.systems import DualEveScenario

SC = DualEveScenario()


@pytest.fixture(scope="module")
def channels():
    return SC.draw(np.random.default_rng(2024))


# ----------------------------------------------------------------------------- feasibility
@pytest.mark.parametrize("nt, offset", [(8, 27.204), (10, 28.173), (12, 28.965)])
def test_feasibility_edge_offsets(nt, offset):
    """Spec 8.3: gamma_s,max - gamma_se = 18.174 + 10 log10(Nt) dB."""
    rep = de.feasibility(SC.replace(n_antennas=nt))
    assert rep.gamma_s_max_dbm - SC.gamma_se_dbm == pytest.approx(offset, abs=1e-3)


@pytest.mark.parametrize("gse, edge", [(2.0, 29.2), (5.0, 32.2)])
def test_fig4_edges_closed_form(gse, edge):
    rep = de.feasibility(SC.replace(gamma_se_dbm=gse))
    assert abs(rep.gamma_s_max_dbm - edge) <= 0.1
    assert de.feasibility(SC.replace(gamma_se_dbm=gse, gamma_s_dbm=edge - 0.1)).feasible
    assert not de.feasibility(SC.replace(gamma_se_dbm=gse, gamma_s_dbm=edge + 0.1)).feasible


def test_plain_db_convention_is_power_limited():
    """Spec 10.8: under the plain-dB reading the edge is ~8.1 dB whatever gamma_se."""
    for gse in (2.0, 5.0):
        rep = de.feasibility(SC.replace(threshold_convention="dB", gamma_se_dbm=gse, gamma_s_dbm=0.0))
        assert rep.gamma_s_max_dbm == pytest.approx(8.1, abs=0.05)


def test_lp_agrees_with_closed_form():
    for g in np.linspace(20, 34, 29):
        sc = SC.replace(gamma_s_dbm=float(g))
        assert de._lp_feasible(sc, sc.gamma_s) == de.feasibility(sc).feasible


@pytest.mark.parametrize("gse, edge", [(2.0, 29.204), (5.0, 32.204)])
def test_fig4_edges_solver_agrees(channels, gse, edge):
    """Spec 10.7: Algorithm 1 without the closed-form pre-check finds a feasible design
    0.1 dB inside the edge and none 0.1 dB outside it."""
    inside = de.secure_beamforming(SC.replace(gamma_se_dbm=gse, gamma_s_dbm=edge - 0.1), channels,
                                   check_feasibility=False, max_iter=3)
    assert inside.constraint_violation <= de.CONSTRAINT_RTOL
    try:
        out = de.secure_beamforming(SC.replace(gamma_se_dbm=gse, gamma_s_dbm=edge + 0.1), channels,
                                    check_feasibility=False, max_iter=3)
    except (InfeasibleError, SolverError):
        return
    assert out.constraint_violation > de.CONSTRAINT_RTOL


def test_infeasible_gamma_s_raises(channels):
    with pytest.raises(InfeasibleError, match="edge"):
        de.secure_beamforming(SC.replace(gamma_s_dbm=33.0), channels)


# ----------------------------------------------------------------------------- subproblem
def _ccp_value(sc, ch, eps_n, u_n):
    """Eliminated CCP form of P^(n) (spec 4.5 [D]) written independently with complex
    Hermitian CVXPY variables in whitened units."""
    K, N, P = sc.n_users, sc.n_antennas, sc.power_w
    Q = [cp.Variable((N, N), hermitian=True) for _ in range(K)]
    S = cp.Variable((N, N), hermitian=True)
    Hk = [P / sc.sigma_k2[k] * np.outer(np.conj(ch.h[k]), ch.h[k]) for k in range(K)]
    G = np.outer(ch.hce, np.conj(ch.hce))
    tr = lambda X, M: cp.real(cp.trace(X @ M))  # noqa: E731
    Rall = S + sum(Q)
    m3rho = P * sc.rho / sc.sigma_b2
    cons = [X >> 0 for X in Q] + [S >> 0, cp.real(cp.trace(Rall)) <= 1,
                                  m3rho * tr(S, G) >= sc.gamma_s * (1 + m3rho * sum(tr(Qk, G) for Qk in Q))]
    he2 = np.abs(ch.he) ** 2
    for k in range(K):
        m1 = P * he2[k] / sc.sigma_k2[k]
        cons.append(m1 * (tr(S, G) + tr(Q[k], G)) <= sc.gamma_se * (1 + m1 * sum(tr(Q[i], G) for i in range(K) if i != k)))
    Gt = P / sc.sigma_t2 * G
    obj = 0
    for k in range(K):
        Rmk = Rall - Q[k]
        obj += cp.log(1 + tr(Rall, Hk[k])) - math.exp(-eps_n[k]) * (1 + tr(Rmk, Hk[k])) + cp.log(1 + tr(Rmk, Gt))
        obj += 1 - eps_n[k]
    obj += -K * math.exp(-u_n) * (1 + tr(Rall, Gt)) + K * (1 - u_n)
    prob = cp.Problem(cp.Maximize(obj), cons)
    prob.solve(solver=cp.CLARABEL)
    return prob.value


def test_dpp_subproblem_equals_eliminated_ccp_form(channels):
    sc = SC.replace(gamma_s_dbm=26.0)
    K, N = sc.n_users, sc.n_antennas
    F = de._features(sc, channels)
    Qbar = np.repeat((np.eye(N) / ((K + 1) * N))[None], K, 0).astype(complex)
    Rk, Rmk, Etot, Emk = de._quantities(F, Qbar, Qbar[0], K)
    eps_n, u_n = np.log1p(Rmk) + 0.3, float(np.log1p(Etot)) - 0.2      # not a tight point
    sub = de._subproblem(N, K, False, True, cp.CLARABEL, None)
    values = {}
    de._set_expansion(values, F, K, eps_n, u_n, Rk, Emk)
    rec = sub.param.solve(**values)
    ref = _ccp_value(sc, channels, eps_n, u_n)
    assert rec.objective == pytest.approx(ref, rel=1e-5, abs=1e-5)


# ----------------------------------------------------------------------------- Algorithm 1
@pytest.fixture(scope="module")
def runs(channels):
    return {p: de.secure_beamforming(SC.replace(power_dbm=p), channels) for p in (18.0, 22.0, 26.0)}


def test_algorithm1_properties(runs):
    for p, r in runs.items():
        f = np.array(r.surrogate_trace)
        assert np.all(np.diff(f) >= -1e-6 * np.maximum(1, np.abs(f[1:]))), f"surrogate decreased at P={p}"
        # lower bound: f^(n) <= ln2 * sum (R_u - R_t) at the n-th iterate (spec 4.5 [D])
        assert np.all(f <= np.array(r.gap_trace) + 1e-5 * np.maximum(1, np.abs(f))), f"not a lower bound at P={p}"
        assert r.converged and r.iterations <= 20
        assert r.constraint_violation <= de.CONSTRAINT_RTOL
        assert r.metrics["power"] <= SC.replace(power_dbm=p).power_w * (1 + de.CONSTRAINT_RTOL)
        assert np.all(r.metrics["scnr_u"] <= SC.gamma_se * (1 + de.CONSTRAINT_RTOL))
        assert r.metrics["scnr_b"] >= SC.gamma_s * (1 - de.CONSTRAINT_RTOL)
        assert np.linalg.eigvalsh(r.S).min() >= -1e-12 * np.trace(r.S).real
        assert r.max_rank_ratio < 1e-4 and not r.randomised
        assert r.sr == pytest.approx(float(np.sum(r.sr_per_user)), rel=1e-12)
        assert r.sr >= 0 and np.isfinite(r.sr)
        assert r.solve_stats.n_solves == r.iterations and r.solver_time <= r.wall_time
        # the true SR at convergence is within a hair of the surrogate (the gap closes)
        assert r.sr_trace[-1] >= r.surrogate_trace[-1] - 1e-6


def test_sr_rises_with_power(runs):
    srs = [runs[p].sr for p in (18.0, 22.0, 26.0)]
    assert srs[0] <= srs[1] + 1e-3 and srs[1] <= srs[2] + 1e-3


def test_tight_update_reaches_same_point(channels, runs):
    r = de.secure_beamforming(SC, channels, update="tight")
    assert r.sr == pytest.approx(runs[18.0].sr, rel=2e-3)
    assert r.iterations <= runs[18.0].iterations


def test_comm_notch_and_sensing_peak_toward_target(runs):
    from fastisac.kernels import beampattern
    r = runs[18.0]
    th = np.deg2rad(np.arange(-90, 90.01, 0.1))
    Pc = beampattern(sum(np.outer(w, np.conj(w)) for w in r.W), th)
    Ps = beampattern(r.S, th)
    i0 = np.argmin(np.abs(th))
    assert 10 * np.log10(Pc[i0] / Pc.max()) <= -10.0
    assert abs(np.rad2deg(th[np.argmax(Ps)])) <= 6.35        # within half an HPBW (12.7 deg)


def test_whitening_invariance(channels, runs):
    """Spec 10.17: scaling every noise power and P by the same factor leaves SR unchanged."""
    sc = SC.replace(noise_user_dbm=-70.0, noise_target_dbm=-70.0, noise_bs_dbm=-90.0, power_dbm=28.0)
    r = de.secure_beamforming(sc, channels)
    assert r.sr == pytest.approx(runs[18.0].sr, rel=1e-4)


def test_baselines_ordering(channels, runs):
    prop = runs[18.0]
    nosec = de.without_sensing_security(SC, channels)
    assert nosec.sr >= prop.sr - 1e-3
    rnd = de.s_random(SC.replace(gamma_s_dbm=28.0), channels, np.random.default_rng(1), mode="feasible_scale")
    prop28 = de.secure_beamforming(SC.replace(gamma_s_dbm=28.0), channels)
    assert rnd.constraint_violation <= de.CONSTRAINT_RTOL
    assert prop28.sr >= rnd.sr - 1e-3
    assert rnd.info["s_random_attempts"] >= 1


def test_no_sensing_security_exceeds_gamma_se_beyond_edge(channels):
    r = de.without_sensing_security(SC.replace(gamma_s_dbm=33.5), channels)
    assert np.max(r.metrics["scnr_u"]) > SC.gamma_se


def test_s_random_rejection_statistics(channels):
    sc = SC.replace(gamma_s_dbm=26.0)
    S, attempts = de.draw_s_random(sc, channels, np.random.default_rng(0), rank=1)
    st = np.real(np.conj(channels.hce) @ S @ channels.hce)
    assert sc.rho * st / sc.sigma_b2 >= sc.gamma_s
    assert np.all(np.abs(channels.he) ** 2 * st / sc.sigma_k2 <= sc.gamma_se)
    assert np.real(np.trace(S)) <= sc.power_w
    with pytest.raises(InfeasibleError, match="S Random"):
        de.draw_s_random(SC.replace(gamma_s_dbm=32.1), channels, np.random.default_rng(0), max_attempts=500)


def test_bad_inputs(channels):
    with pytest.raises(ValueError, match="channels"):
        de.secure_beamforming(SC.replace(n_antennas=10), channels)
    with pytest.raises(ValueError, match="scenario"):
        de.secure_beamforming("table I", channels)
    with pytest.raises(ValueError, match="tol"):
        de.secure_beamforming(SC, channels, tol=-1.0)
    with pytest.raises(ValueError, match="update"):
        de.secure_beamforming(SC, channels, update="fast")
    with pytest.raises(ValueError, match="fixed_S"):
        de.secure_beamforming(SC, channels, fixed_S=np.full((8, 8), np.nan))
    with pytest.raises(ValueError, match="fixed_S"):
        de.secure_beamforming(SC, channels, fixed_S=-np.eye(8))
    with pytest.raises(ValueError, match="fixed_S"):
        de.secure_beamforming(SC, channels, fixed_S=np.eye(8))          # 1 W > 63 mW budget
    with pytest.raises(ValueError, match="mode"):
        de.draw_s_random(SC, channels, np.random.default_rng(0), mode="uniform")
    with pytest.raises(ValueError, match="rank"):
        de.draw_s_random(SC, channels, np.random.default_rng(0), rank=0)


def test_metrics_match_monte_carlo_signals(channels, runs):
    """Spec 10.4: sampling c and s reproduces (7), (12), (14), (17) within sampling error."""
    r = runs[18.0]
    rng = np.random.default_rng(11)
    L = 200000
    K, N = SC.n_users, SC.n_antennas
    c = (rng.standard_normal((L, K)) + 1j * rng.standard_normal((L, K))) / np.sqrt(2)
    lam, V = np.linalg.eigh(r.S)
    s = ((rng.standard_normal((L, N)) + 1j * rng.standard_normal((L, N))) / np.sqrt(2)) @ (V * np.sqrt(np.maximum(lam, 0))).T
    y_t_parts = np.conj(channels.hce) @ r.W.T                        # h_ce^H w_k
    eav_s = np.mean(np.abs(s @ np.conj(channels.hce)) ** 2)        # E|h_ce^H s|^2
    k = 0
    sig = np.mean(np.abs(y_t_parts[k] * c[:, k]) ** 2)
    interf = np.mean(np.abs(c[:, 1:] @ y_t_parts[1:]) ** 2)
    sinr_t_mc = sig / (SC.sigma_t2 + eav_s + interf)
    assert sinr_t_mc == pytest.approx(r.metrics["sinr_t"][k], rel=0.05)
    hk = channels.h[k]
    sig_u = np.mean(np.abs((hk @ r.W[k]) * c[:, k]) ** 2)
    int_u = np.mean(np.abs(c[:, 1:] @ (r.W[1:] @ hk)) ** 2) + np.mean(np.abs(s @ hk) ** 2)
    assert sig_u / (SC.sigma_k2[k] + int_u) == pytest.approx(r.metrics["sinr_u"][k], rel=0.05)
