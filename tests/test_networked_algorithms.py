"""Seed 000 algorithms on a reduced instance (M = 2, K = 1, N = 4): constraints re-checked by the
TRS kernel and by Monte Carlo, Algorithm 1 monotone, Algorithm 2 bookkeeping, baselines, rank-one
recovery (eigenvector first, Gaussian randomisation scored by the exact C1-C3 re-check)."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from fastisac.algorithms import networked as alg
from fastisac.kernels._networked import worst_case_leakage_product_nb
from fastisac.systems import NetworkedScenario

SMALL = NetworkedScenario(n_bs=2, n_users=1, bs_positions=((15.0, 22.5), (-25.0, 25.0)))


@pytest.fixture(scope="module")
def inst():
    return SMALL.draw(np.random.default_rng(1))


@pytest.fixture(scope="module")
def alg1(inst):
    return alg.centralized_bcd(inst, max_iter=8)


def _recheck(inst, res):
    sc = inst.scenario
    beta = np.stack([inst.beta1, inst.radius(res.mse)])
    xi, _, _, _ = worst_case_leakage_product_nb(res.W, res.R, inst.gbar, beta, 1.0, 1e-10)
    leak = inst.tau @ np.log2(1 + xi.reshape(2, -1))
    assert leak.max() <= sc.rate_leak * (1 + alg.FEAS_TOL) + 1e-6
    assert res.check["rate"].min() >= sc.rate_info * (1 - alg.FEAS_TOL) - 1e-6
    assert res.check["power"].max() <= sc.pmax * (1 + alg.FEAS_TOL)
    np.testing.assert_allclose(res.check["power"].sum(), 10 ** ((res.power_dbm - 30) / 10) / sc.power_unit_w,
                               rtol=1e-9)


def test_algorithm1_feasible_and_monotone(inst, alg1):
    assert alg1.feasible, alg1.check
    _recheck(inst, alg1)
    tr = np.asarray(alg1.power_trace)
    assert len(tr) >= 3
    assert np.all(np.diff(tr) <= 1e-6 * tr[:-1] + 1e-9)          # f^(n+1) <= f^(n)
    assert alg1.max_rank_ratio < 1.0
    assert alg1.stats.n_solves >= len(tr)


def test_algorithm1_leakage_monte_carlo(inst, alg1):
    out = alg.leakage_outage(inst, alg1, np.random.default_rng(0), n_samples=20_000)
    assert out <= 0.01          # three-sigma sets: ~e^-9 plus first-order effects (spec 7)


def test_baseline1_power_floor_and_feasible(inst):
    res = alg.baseline_separated(inst)
    assert res.feasible
    _recheck(inst, res)
    floor = inst.tau[0] * inst.M * inst.scenario.pmax
    assert res.check["power"].sum() >= floor * (1 - 1e-3)        # spec 5 [D]
    assert res.check["rate"].min() >= 5.0 - 1e-3


def test_baseline1_sinr_form_is_the_sca_limit_in_one_solve(inst):
    """Issue 5: with a single data stage, C2 is a linear SINR floor, so Baseline 1's stage 2 is one
    convex SDP; the spec's Phase I + SCA converges to the same optimum."""
    exact = alg.baseline_separated(inst)
    sca = alg.baseline_separated(inst, stage2="sca", max_iter=40, tol=1e-7)
    assert exact.iterations == 1 and sca.iterations >= 1
    assert exact.feasible and sca.feasible
    assert exact.power_trace[-1] <= sca.power_trace[-1] * (1 + 1e-6)      # the SDR optimum is global
    np.testing.assert_allclose(exact.power_trace[-1], sca.power_trace[-1], rtol=1e-6)
    gamma = 2.0 ** (inst.scenario.rate_info / inst.tau[1]) - 1
    sig, Z = alg.interference(inst, exact.W, exact.R)
    assert np.all(sig[1] / Z[1] >= gamma * (1 - 1e-4))           # the SINR floor, stage 2
    assert np.all(sig[0] == 0)                                   # stage 1 carries no data
    with pytest.raises(ValueError, match="stage2"):
        alg.baseline_separated(inst, stage2="log")


def test_baseline1_certifies_an_infeasible_stage2():
    """A rate floor no stage-2 design reaches within the budget (-20 dBm): Clarabel's certificate."""
    import dataclasses
    inst = dataclasses.replace(SMALL, pmax_dbm=-20.0).draw(np.random.default_rng(1))
    with pytest.raises(alg.InfeasibleError, match="certified infeasible"):
        alg.baseline_separated(inst)


@pytest.fixture(scope="module")
def alg2(inst):
    return alg.decentralized_admm(inst, max_iter=60)


def test_algorithm2_reaches_consensus_and_matches_algorithm1(inst, alg1, alg2):
    """Issue 5: ADMM must reach consensus (residual in noise units below the 1e-4 stop) and its
    output must be an ADMM iterate (not the centralized start) that passes the exact re-check,
    with a power within 1 dB of Algorithm 1 (measured: -4.98 vs -5.15 dBm, 34 iterations;
    before the fix the run returned its start at 6.42 dBm)."""
    assert alg2.residual_trace[-1] <= 1e-4, alg2.residual_trace[-5:]
    assert alg2.iterations < 60
    assert alg2.feasible, alg2.check
    _recheck(inst, alg2)
    assert alg2.info["selected_iteration"] > 0
    assert alg2.power_dbm < alg2.power_trace_dbm(inst.scenario.power_unit_w)[0] - 3.0
    assert abs(alg2.power_dbm - alg1.power_dbm) <= 1.0


def test_algorithm2_feasible_dip_and_bookkeeping(inst, alg2):
    res = alg2
    assert res.feasible, res.check
    _recheck(inst, res)
    assert res.residual_trace[-1] <= 1e-2
    assert res.exchanged_reals_per_iteration == 2 * (2 * (2 * inst.M * inst.K + 2) + 8)
    assert len(res.residual_trace) == len(res.power_trace) - 1
    # the consensus penalty grows: the power first dips below its final value (paper Fig. 3 right)
    assert min(res.power_trace) < res.power_trace[-1]


def test_algorithm2_rate_tracking_reaches_a_verified_consensus(inst):
    """Issue 5: ``penalty_scaling="rate_tracking"`` (scales follow the victim's current 1 +
    incoming INR) reaches consensus and returns a verified ADMM iterate. Measured on this drop:
    0.56 dBm at iteration 18, residual 2e-5 ("rate" 0.57 dBm, "block" -4.98 dBm: the scalings
    reach different points of the non-convex problem; the start is 6.42 dBm)."""
    res = alg.decentralized_admm(inst, max_iter=60, penalty_scaling="rate_tracking")
    assert res.residual_trace[-1] <= 1e-4 and res.iterations < 60
    assert res.feasible, res.check
    _recheck(inst, res)
    assert res.info["selected_iteration"] > 0
    assert res.power_dbm < res.power_trace_dbm(inst.scenario.power_unit_w)[0] - 3.0


def test_algorithm2_executor_matches_serial(inst):
    a = alg.decentralized_admm(inst, max_iter=3)
    with ThreadPoolExecutor(max_workers=2) as ex:
        b = alg.decentralized_admm(inst, max_iter=3, executor=ex)
    np.testing.assert_allclose(a.power_trace, b.power_trace, rtol=1e-6)


def test_baseline2_meets_its_mse(inst):
    """At consensus the local copies of the other BSs' Fisher bounds are exact, so Tr Q <= eps holds;
    the exact re-check of the output includes the cap (within FEAS_TOL), so a feasible output meets it."""
    res = alg.baseline_fixed_sensing(inst, -20.0, max_iter=30)
    assert res.residual_trace[-1] <= 1e-2
    assert res.feasible
    assert res.mse <= 10 ** (-20 / 10) * (1 + alg.FEAS_TOL)
    assert alg.secrecy_check(inst, res.W, res.R, mse_cap=10 ** (-20 / 10))["feasible"]
    assert not alg.secrecy_check(inst, res.W, res.R, mse_cap=0.5 * res.mse)["feasible"]


@pytest.mark.parametrize("kw,name", [(dict(max_iter=0), "max_iter"), (dict(xi_update="x"), "xi_update"),
                                     (dict(tol=-1.0), "tol")])
def test_algorithm1_rejects_bad_arguments(inst, kw, name):
    with pytest.raises(ValueError, match=name):
        alg.centralized_bcd(inst, **kw)


def test_algorithm2_rejects_bad_arguments(inst):
    with pytest.raises(ValueError, match="executor"):
        alg.decentralized_admm(inst, executor=object())
    with pytest.raises(ValueError, match="varsigma"):
        alg.decentralized_admm(inst, varsigma=0.5)
    with pytest.raises(ValueError, match="penalty_scaling"):
        alg.decentralized_admm(inst, penalty_scaling="diag")
    with pytest.raises(ValueError, match="rho_rule"):
        alg.decentralized_admm(inst, rho_rule="adaptive")
    for bad in (0.0, -1.0, 2e6):
        with pytest.raises(ValueError, match="rho_min"):
            alg.decentralized_admm(inst, rho_rule="balancing", rho_min=bad)
    # rho_min only bounds the balancing rules: the paper's rule accepts rho_max below its default
    with pytest.raises(ValueError, match="xi_update"):
        alg.decentralized_admm(inst, rho_init=1e-6, rho_max=1e-5, xi_update="bad")
    with pytest.raises(ValueError, match="rho_min"):
        alg.decentralized_admm(inst, rho_rule="geometric_then_balancing", rho_init=1e-6, rho_max=1e-5)
    for bad in (-1.0, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError, match="proximal"):
            alg.decentralized_admm(inst, proximal=bad)
    with pytest.raises(ValueError, match="inst"):
        alg.centralized_bcd(SMALL)
    with pytest.raises(ValueError, match="rng"):
        alg.leakage_outage(inst, None, 0)


def test_algorithm2_survives_stalled_local_solves():
    """Issue 5: on the quick Fig. 4 drop at R_info = 3, BS 0's local problem stalls
    (Clarabel InsufficientProgress at a feasible point) three times in a row; the run used to
    stop at iteration 8 and return its start. A stalled point passing the NumPy re-check of
    every local constraint is now kept on the last try, and the run reaches consensus."""
    from fastisac.experiments import networked as ex
    p = ex._point(ex.QUICK, rate_info=3.0, scheme="proposed2")
    inst3 = ex.scenario_of(p).draw(np.random.default_rng(ex.drop_seed(p, 0)))
    res = alg.decentralized_admm(inst3, max_iter=60)
    assert res.feasible, res.check
    _recheck(inst3, res)
    assert res.info["selected_iteration"] > 0                   # not the centralized start
    assert res.power_trace[-1] < res.power_trace[0]
    assert res.residual_trace[-1] <= 1e-4 and res.iterations < 60


def test_local_solve_no_equilibration_attempt(inst, monkeypatch):
    """Issue 5: when the primary and fallback settings fail, the no-equilibration attempt runs
    only when asked (the "rate" scalings) and its point is kept (3 attempts)."""
    from fastisac.errors import SolverError
    s0 = alg._admm_start(inst, alg.SolveStats(), None, -20.0, "refill")  # W, R, .., state, xi, psi, lam
    lp = alg.LocalProblem.cached(inst, 0, per_entry=True)
    cons = alg._Consensus(s0[6], "rate_tracking", Z=alg.interference(inst, s0[0], s0[1])[1])
    lp.pp.set(**alg._local_values(inst, 0, s0[0], s0[1], s0[6], s0[7], s0[8], s0[9], s0[4], s0[5], s0[3]),
              **cons.targets(cons.rhos(1.0))[0])

    def fail(*a, **k):
        raise SolverError("forced", status="solver_error")
    monkeypatch.setattr(lp.pp, "solve", fail)
    monkeypatch.setattr(lp.pp_fallback, "solve", fail)
    rec, v = alg._solve_local(lp)
    assert isinstance(rec, SolverError) and v is None
    rec, v = alg._solve_local(lp, no_equilibration=True)
    assert rec.attempts == 3 and v is not None
    assert lp.max_violation() <= alg.LOCAL_VIOLATION_TOL


# --------------------------------------------------------------------------- rank-one recovery (issue 5)
def _spread(W, frac, seed):
    """Add a random rank-one part of relative power ``frac`` to every covariance (an SDR output of rank 2)."""
    rng = np.random.default_rng(seed)
    out = W.copy()
    for idx in np.ndindex(W.shape[:3]):
        v = rng.standard_normal(W.shape[-1]) + 1j * rng.standard_normal(W.shape[-1])
        v *= np.sqrt(frac * np.real(np.trace(W[idx])) / np.vdot(v, v).real)
        out[idx] = W[idx] + np.outer(v, v.conj())
    return out


def test_algorithm1_recovery_never_worse_than_eigenvector(inst, alg1):
    """The SDR output of Algorithm 1 is not rank one on this drop (lambda2/lambda1 = 0.68), so
    randomisation runs; the design returned is the cheapest candidate that passes C1-C3."""
    cands = alg1.info["rank_one_candidates"]
    assert list(cands)[0] == "eigenvector"
    assert alg1.max_rank_ratio > alg.RANDOMISE_RATIO and "randomisation" in cands
    p_out = alg1.check["power"].sum()
    assert cands[alg1.info["rank_one_recovery"]][0] == pytest.approx(p_out, rel=1e-12)
    for p, ok in cands.values():
        if ok:
            assert p_out <= p * (1 + 1e-12)
    _recheck(inst, alg1)


@pytest.mark.parametrize("frac", [0.01, 0.05])
def test_gaussian_randomisation_recovers_rank_two_designs(inst, alg1, frac):
    """Rank-two covariances (Algorithm 1's beams plus a random part): at 1 % the eigenvector
    candidate passes C1-C3 and randomisation must not be worse (measured: 0.30454 vs 0.30549 mW);
    at 5 % neither eigenvector candidate passes and randomisation must return a design that does.
    The output is rank one and passes the independent TRS re-check."""
    W2 = _spread(alg1.W, frac, seed=5)
    W1, R1, chk, info = alg.recover_rank_one(inst, W2, alg1.R, n_draws=100, rng=np.random.default_rng(0))
    eig_p, eig_ok = info["candidates"]["eigenvector"]
    assert chk["feasible"]
    if eig_ok:
        assert chk["power"].sum() <= eig_p * (1 + 1e-12)
    else:
        assert info["recovery"] == "randomisation"
    lam = np.linalg.eigvalsh(W1.reshape(-1, inst.N, inst.N))
    assert np.all(lam[:, :-1] <= 1e-9 * lam[:, -1:])                     # rank one
    res = alg.NetworkedResult("x", W1, R1, [], alg.dbm(chk["power"].sum(), inst.scenario.power_unit_w), chk["mse"],
                              chk, 0, 0.0, alg.SolveStats(), 0.0)
    _recheck(inst, res)
    # eigenvector-only recovery: no randomised candidate, and at 5 % it is infeasible
    _, _, chk_e, info_e = alg.recover_rank_one(inst, W2, alg1.R, recovery="eigenvector")
    assert "randomisation" not in info_e["candidates"]
    assert chk_e["feasible"] == (eig_ok or info_e["candidates"]["residual_to_an"][1])


def test_recovery_rejects_bad_arguments(inst, alg1):
    with pytest.raises(ValueError, match="recovery"):
        alg.recover_rank_one(inst, alg1.W, alg1.R, recovery="svd")
    with pytest.raises(ValueError, match="n_draws"):
        alg.recover_rank_one(inst, alg1.W, alg1.R, n_draws=0)
    with pytest.raises(ValueError, match="W"):
        alg.recover_rank_one(inst, alg1.W[:, :1], alg1.R)
    with pytest.raises(ValueError, match="rng"):
        alg.centralized_bcd(inst, rng=1)
    for cap in (0.0, -1.0, float("nan"), "x"):
        with pytest.raises(ValueError, match="mse_cap"):
            alg.recover_rank_one(inst, alg1.W, alg1.R, mse_cap=cap)


# --------------------------------------------------------------------------- Phase I of the initialisation (issue 5)
def _phase1_pass0(inst, eps_db, slack_cap):
    """First Phase-I pass of the initialisation SDP (SCA expanded at W = R = 0) at Tr F^-1 <= eps."""
    M, K, N = inst.M, inst.K, inst.N
    prob = alg.CentralProblem.cached(inst, "fixed")
    eps = 10 ** (eps_db / 10)
    prob.pp.set(xi=np.full((2, M * K), 2 ** inst.scenario.rate_leak - 1), power_offset=np.zeros(M),
                beta_sq=np.array([np.sum(inst.beta1 ** 2), np.sum(inst.radius(eps) ** 2)]), mse_cap=eps,
                slack_cap=slack_cap)
    prob.set_sca(np.zeros((2, M, K, N, N), complex), np.zeros((2, M, N, N), complex))
    prob.solve(alg.SolveStats())
    return prob


def test_phase1_slack_cap_admits_the_linearised_stage1_interference():
    """Issue 5: expanded at W = R = 0 the rate surrogate charges (Z - 1)/ln 2 bits for the stage-1
    INR Z that the CRB cap forces, so the first pass needs slacks far above the old cap of 1e3 bits
    (paper size, R_info = 5, eps0 = -40 dB: up to 14523 bits, so Clarabel correctly certified
    infeasibility). Same mechanism at M = 2, K = 2, N = 2, eps0 = -20 dB (measured: 5822 bits)."""
    sc = NetworkedScenario(n_bs=2, n_users=2, n_antennas=2, bs_positions=((15.0, 22.5), (-25.0, 25.0)))
    inst = sc.draw(np.random.default_rng(1))
    prob = _phase1_pass0(inst, -20.0, alg.PHASE1_SLACK_CAP)
    assert 1e3 < float(np.max(prob.slack.value)) < alg.PHASE1_SLACK_CAP
    S1 = prob.values()[0][0].sum(axis=1) + prob.values()[1][0]
    assert inst.mse(S1) <= 10 ** (-20 / 10) * (1 + 1e-4)             # the CRB cap holds
    with pytest.raises(alg.InfeasibleError):
        _phase1_pass0(inst, -20.0, 1e3)                                  # the old cap: a valid certificate
    prob.pp.set(slack_cap=alg.PHASE1_FIRST_SLACK_CAP)                    # Phase I raises the cap on it
    alg._phase1_solve(prob, alg.SolveStats())
    assert float(prob.params["slack_cap"].value) == alg.PHASE1_SLACK_CAP
    assert float(np.max(prob.slack.value)) > 1e3


def test_phase1_loop_pass_limit_and_stage_mask():
    """The Phase-I loop shared by the initialisation and Baseline 1 (:func:`_phase1`): on a drop whose
    Phase I needs 8 passes at eps0 = -15 dB (measured), one pass cannot clear the slacks (error names
    the pass count), the default limit does (slack cap back at 0), and with ``stages=(1,)`` the
    stage-1 covariances passed in are returned untouched (Baseline 1 keeps its stage-1 design)."""
    sc = NetworkedScenario(n_bs=2, n_users=2, n_antennas=4, bs_positions=((15.0, 22.5), (-25.0, 25.0)))
    inst = sc.draw(np.random.default_rng(1))
    prob = _phase1_pass0(inst, -15.0, alg.PHASE1_SLACK_CAP)
    M, K, N = inst.M, inst.K, inst.N
    W0 = np.zeros((2, M, K, N, N), complex)
    R0 = np.zeros((2, M, N, N), complex)
    with pytest.raises(alg.InfeasibleError, match="after 1 passes"):
        alg._phase1(prob, alg.SolveStats(), W0, R0, max_passes=1)
    W, R = alg._phase1(prob, alg.SolveStats(), W0, R0)
    assert float(np.max(prob.slack.value)) <= 1e-7
    assert float(prob.params["slack_cap"].value) == 0.0
    assert np.all(np.isfinite(W)) and np.abs(W).max() > 0
    W1 = W.copy()
    W1[0] *= 0.5
    W2, R2 = alg._phase1(prob, alg.SolveStats(), W1, R, stages=(1,))
    np.testing.assert_array_equal(W2[0], W1[0])
    np.testing.assert_array_equal(R2[0], R[0])
    with pytest.raises(ValueError, match="max_phase1"):
        alg.baseline_separated(inst, max_phase1=0)


def test_initialisation_reports_every_attempt():
    """All eps0 attempts fail on this drop (N = 2 cannot reach -25 dB); the error names each of
    them (issue 5: only the last attempt's error was reported, which hid the real failure)."""
    sc = NetworkedScenario(n_bs=2, n_users=1, n_antennas=2, bs_positions=((15.0, 22.5), (-25.0, 25.0)))
    inst = sc.draw(np.random.default_rng(1))
    with pytest.raises(alg.InfeasibleError) as err:
        alg._init_fixed(inst, alg.SolveStats(), -25.0, fixed_cap=True)     # Baseline 2's fixed MSE
    for eps in ("-25", "-35", "-45"):
        assert f"eps0 = {eps} dB" in str(err.value)
    assert "Baseline 1's design: MSE" in str(err.value)                   # its MSE is above the cap


def test_failed_initialisation_starts_from_baseline1():
    """Session 8: when every Phase-I attempt fails, Baseline 1's design (a feasible point of (18)
    with the smallest MSE) starts Algorithm 1; the BCD then only lowers its power."""
    sc = NetworkedScenario(n_bs=2, n_users=1, n_antennas=2, bs_positions=((15.0, 22.5), (-25.0, 25.0)))
    inst = sc.draw(np.random.default_rng(1))
    W, R, eps, start = alg._init_fixed(inst, alg.SolveStats(), -25.0)
    assert start == "baseline1"
    assert np.all(W[0] == 0) and eps > 10 ** -2.5                        # stage 1 pure sensing
    # session 9: its stage 2 keeps Eve's worst-case SINR within the even split of the leakage budget,
    # so the refill leaves stage 1 a positive cap (with the whole budget in stage 2 the first block-A
    # SDP had no interior and ended NumericalError at paper size)
    bj = np.array([np.sqrt(np.sum(inst.beta1 ** 2)), np.sqrt(np.sum(inst.radius(eps) ** 2))])
    xi_wc, _ = alg.worst_case_leakage_joint_nb(np.ascontiguousarray(W), np.ascontiguousarray(R), inst.gbar, bj,
                                               1.0, 1e-10)
    assert np.max(xi_wc[1]) <= (2.0 ** sc.rate_leak - 1) * (1 + 1e-4)
    xi, _ = alg._joint_xi_eta(inst, W, R, bj, np.full_like(xi_wc, 2.0 ** sc.rate_leak - 1), "refill", inst.tau,
                              sc.rate_leak)
    assert np.min(xi[0]) > 1e-3
    b1 = alg.baseline_separated(inst, recovery="eigenvector")
    assert eps == pytest.approx(b1.info["stage1_mse"], rel=1e-9)
    res = alg.centralized_bcd(inst, eps0_db=-25.0, max_iter=4)
    assert res.feasible, res.check
    assert res.info["start"] == "baseline1" and alg.centralized_bcd(inst, max_iter=1).info["start"] == "phase1"
    _recheck(inst, res)
    tr = np.asarray(res.power_trace)
    assert tr[0] == pytest.approx(float(alg.bs_power_nb(W, R, inst.tau).sum()), rel=1e-6)
    assert np.all(np.diff(tr) <= 1e-6 * tr[:-1] + 1e-9)


def test_central_problem_keeps_a_verified_point_after_a_stall(inst, monkeypatch):
    """Issue 5: an initialisation solve that fails with every setting, with and without chordal
    decomposition (at paper size, Phase-I pass 27
    ended NumericalError at gap 8e-4, residuals 2e-9, with all of them) is repeated with loose gap
    tolerances and its point kept only if every constraint passes the NumPy re-check; outside the
    initialisation the failure propagates."""
    prob = alg.CentralProblem.cached(inst, "fixed")
    M, K, N = inst.M, inst.K, inst.N
    prob.pp.set(xi=np.full((2, M * K), 2 ** 0.5 - 1), power_offset=np.zeros(M), mse_cap=0.01, slack_cap=1e6,
                beta_sq=np.array([np.sum(inst.beta1 ** 2), np.sum(inst.radius(0.01) ** 2)]))
    prob.set_sca(np.zeros((2, M, K, N, N), complex), np.zeros((2, M, N, N), complex))

    def stalled(*a, **k):
        raise alg.SolverError("stalled", status="solver_error")
    monkeypatch.setattr(prob.pp, "solve", stalled)
    # first the same settings without chordal decomposition (also outside the initialisation)
    rec = prob.solve(alg.SolveStats())
    assert rec.objective > 0 and prob.pp_no_chordal.settings["chordal_decomposition_enable"] is False
    monkeypatch.setattr(prob.pp_no_chordal, "solve", stalled)
    with pytest.raises(alg.SolverError):
        prob.solve(alg.SolveStats())
    # then shorter steps (max_step_fraction 0.8) at the normal tolerances
    before = getattr(prob, "stalled_accepted", 0)
    rec = prob.solve(alg.SolveStats(), accept_stalled=True)
    assert rec.objective > 0 and prob.stalled_accepted == before + 1
    assert prob.pp_short_step.settings["max_step_fraction"] == 0.8
    # last resort: loose gap tolerances, kept after the re-check
    monkeypatch.setattr(prob.pp_short_step, "solve", stalled)
    before = prob.stalled_accepted
    stats = alg.SolveStats()
    rec = prob.solve(stats, accept_stalled=True)
    assert rec.objective > 0 and stats.n_failed >= 1 and prob.stalled_accepted == before + 1
    worst = max(float(np.max(c.violation(), initial=0.0)) for c in prob.pp.problem.constraints)
    assert worst <= alg.PHASE1_VIOLATION_TOL
    assert prob.pp_stalled.settings["tol_gap_rel"] == 1e-3


@pytest.mark.slow
def test_algorithm2_paper_size_rate_tracking_returns_a_verified_admm_iterate():
    """Issue 5, paper size (M = 3, K = 2, N = 4, seed 0, R_info = 5): with "block" or "rate"
    no ADMM iterate verified and the start (11.07 dBm) was returned; "rate_tracking" with
    rho_max = 1e3 returns a verified iterate. Measured: 7.13 dBm at iteration 72 of 75, residual
    3e-4, MSE -16.5 dB, power dipping to 4.76 dBm first; about 4 min here."""
    inst5 = NetworkedScenario().draw(np.random.default_rng(0))
    res = alg.decentralized_admm(inst5, penalty_scaling="rate_tracking", rho_max=1e3)
    assert res.feasible, res.check
    _recheck(inst5, res)
    assert res.info["selected_iteration"] > 0
    trace = res.power_trace_dbm(inst5.scenario.power_unit_w)
    assert res.power_dbm < trace[0] - 2.0
    assert min(trace) < res.power_dbm                 # dip below the output first (Fig. 3 right)
    assert res.residual_trace[-1] <= 1e-3


@pytest.mark.slow
def test_algorithm1_on_the_fig4_drop_whose_phase1_fails():
    """Session 9, paper size: the full Fig. 4 sweep's first drop at R_info = 5 (Phase-I pass 4 fails
    under every Clarabel setting here, so Algorithm 1 starts from Baseline 1's design). With the whole
    leakage budget in that design's stage 2 the first block-A SDP failed and the start (17.91 dBm) was
    returned; from the even-split design the BCD runs. Measured: 11 iterations, 17.99 -> 8.22 dBm,
    monotone, about 3 min."""
    from fastisac.experiments import networked as ex
    p = ex._point(ex.FULL, rate_info=5.0)
    inst = ex.scenario_of(p).draw(np.random.default_rng(ex.drop_seed(p, 0)))
    res = alg.centralized_bcd(inst, max_iter=30)
    assert res.feasible, res.check
    assert not res.info["failures"] and res.iterations > 1
    assert res.power_dbm < 12.0
    tr = np.asarray(res.power_trace)
    assert np.all(np.diff(tr) <= 1e-6 * tr[:-1] + 1e-9)


def test_fig5_reports_drops_without_a_baseline1_edge():
    """Issue 5: a drop on which Baseline 1 is infeasible up to the top of the P_max range is
    counted, and when every drop is, the paper's edge claim is reported as not holding (it was
    "not measured")."""
    import json
    from fastisac.experiments import networked as ex

    def row(edge, r):
        return dict(point=json.dumps(ex._point(ex.QUICK, scheme="baseline1_edge")), status="ok",
                    payload={"edge_dbm": edge}, realisation=r)
    for edges, n_none in (([float("nan"), None], 2), ([float("nan"), 10.0], 1)):
        rows = [row(e, r) for r, e in enumerate(edges)]
        table = ex.summarise(5, rows)
        e = [t for t in table if t["scheme"] == "baseline1_edge"][0]
        assert e["no_edge"] == n_none and e["runs"] == 2
        cmp = {c["quantity"]: c for c in ex.paper_comparison({5: table})}
        counted = [c for c in cmp.values() if "infeasible at every P_max" in c["quantity"]]
        assert counted and counted[0]["measured"] == n_none
        if n_none == 2:
            assert cmp["Fig. 5 Baseline 1 feasible above about 17.5 dBm"]["verdict"] == "differs"
        else:
            assert cmp["Fig. 5 Baseline 1 feasibility edge in P_max"]["measured"] == 10.0


def test_fig6_reads_the_fig4_runs():
    """Fig. 6 (adaptive MSE vs R_info) is drawn from the Fig. 4 runs of its schemes: its tasks are a
    subset of Fig. 4's (same keys, so the sweep runs them once) and its table has only its schemes."""
    import json
    from fastisac.experiments import networked as ex
    for quick in (True, False):
        t4, t6 = ex.tasks(4, quick=quick), ex.tasks(6, quick=quick)
        keys4 = {t.key("v") for t in t4}
        assert t6 and {t.key("v") for t in t6} <= keys4 and len(t6) == len(t4) * 3 // 4
        assert {json.loads(t.point)["scheme"] for t in t6} == {"proposed1", "proposed2", "baseline1"}
    rows = [dict(point=t.point, status="ok", realisation=t.realisation,
                 payload={"power_dbm": 1.0, "mse_db": -20.0, "wall_time": 1.0, "feasible": True})
            for t in ex.tasks(6, quick=True)]
    assert {r["scheme"] for r in ex.summarise(6, rows)} == {"proposed1", "proposed2", "baseline1"}


@pytest.mark.skipif(__import__("platform").machine() not in ("x86_64", "AMD64"),
                    reason="OPENBLAS_CORETYPE names x86-64 kernels")
def test_algorithm2_quick_result_does_not_depend_on_the_blas_kernel():
    """Issue 5 (session 8): with penalty_scaling="block" the quick Fig. 4 drop's Proposed 2 moved
    by 5.5 dB between OpenBLAS's Haswell and SkylakeX kernels; the figures' configuration
    ("rate_tracking", rho_max 1e3) must give the same design whatever the kernel (measured at
    R_info = 5: 0.4799 dBm under SkylakeX, Haswell and the SSE-only Nehalem kernels)."""
    import os
    import subprocess
    import sys
    code = ("import numpy as np\n"
            "from fastisac.algorithms import networked as alg\n"
            "from fastisac.experiments import networked as ex\n"
            "p = ex._point(ex.QUICK, rate_info=5.0, scheme='proposed2')\n"
            "inst = ex.scenario_of(p).draw(np.random.default_rng(ex.drop_seed(p, 0)))\n"
            "r = alg.decentralized_admm(inst, max_iter=p['alg2_iter'], penalty_scaling=p['alg2_scaling'],"
            " rho_max=p['alg2_rho_max'])\n"
            "print(repr(float(r.power_dbm)), r.feasible)\n")
    out = {}
    for core in ("default", "Nehalem", "Haswell"):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        if core != "default":
            env["OPENBLAS_CORETYPE"] = core
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr[-2000:]
        power, feasible = run.stdout.split()[-2:]
        assert feasible == "True"
        out[core] = float(power)
    assert max(out.values()) - min(out.values()) <= 0.05, out


def test_continuation_rates():
    assert alg._continuation_rates(5.0) == pytest.approx([0.5 * j for j in range(1, 11)])
    assert alg._continuation_rates(5.0)[-1] == 5.0
    assert alg._continuation_rates(1.2) == pytest.approx([0.5, 1.0, 1.2])
    assert alg._continuation_rates(0.4) == []


def test_failed_zero_start_phase1_falls_back_to_rate_continuation(monkeypatch):
    """Session 10: when Phase I from W = R = 0 fails, it is rerun at rate floors 0.5, 1.0, ...,
    R_info, each from the previous point (here the zero start is made to fail)."""
    sc = NetworkedScenario(n_bs=2, n_users=1, n_antennas=2, bs_positions=((15.0, 22.5), (-25.0, 25.0)),
                           rate_info=2.0)
    inst = sc.draw(np.random.default_rng(1))
    seen = []
    original = alg._phase1

    def phase1(prob, stats, W, R, *args, **kw):
        rate = float(prob.params["rate_info"].value)
        seen.append(rate)
        if rate == sc.rate_info and not np.any(W):
            raise alg.SolverError("zero start made to fail", status="solver_error")
        return original(prob, stats, W, R, *args, **kw)
    monkeypatch.setattr(alg, "_phase1", phase1)
    W, R, eps, start = alg._init_fixed(inst, alg.SolveStats(), -20.0)
    assert start == "continuation"
    assert seen == pytest.approx([2.0, 0.5, 1.0, 1.5, 2.0])
    assert np.min(alg.secrecy_check(inst, W, R)["rate"]) >= sc.rate_info - 1e-4
    assert float(alg.CentralProblem.cached(inst, "fixed").params["rate_info"].value) == sc.rate_info
    res = alg.centralized_bcd(inst, max_iter=3)
    assert res.info["start"] == "continuation" and res.feasible, res.check
    _recheck(inst, res)


def test_rate_continuation_rescues_the_fig4_drop_whose_zero_start_phase1_fails():
    """Paper size, the full Fig. 4 sweep's first drop at R_info = 5 (session 9: Phase I from zero
    fails there under every Clarabel setting and Algorithm 1 started from Baseline 1's design):
    the rate continuation reaches a point meeting every rate floor within the power budget."""
    from fastisac.experiments import networked as ex
    p = ex._point(ex.FULL)
    inst = ex.scenario_of(p).draw(np.random.default_rng(ex.drop_seed(p, 0)))
    W, R, eps, start = alg._init_fixed(inst, alg.SolveStats(), -20.0, max_retries=0)
    assert start == "continuation" and eps == pytest.approx(0.01)
    assert np.min(alg.secrecy_check(inst, W, R)["rate"]) >= inst.scenario.rate_info - 1e-4
    assert np.all(alg.bs_power_nb(W, R, inst.tau) <= inst.scenario.pmax * (1 + 1e-6))


def test_phase1_accepts_slacks_at_solver_accuracy_by_a_zero_slack_pass(monkeypatch):
    """Session 11: at the paper's size Phase I's slacks hovered at 4e-7 - 3e-6 bits (Clarabel's
    accuracy) above the 1e-7 acceptance and the stall rule declared the start infeasible. Here every
    Phase-I pass is made to report slacks of 2e-6 bits: Phase I must end by one pass with the slacks
    fixed at 0, whose point meets every rate floor, instead of stalling."""
    sc = NetworkedScenario(n_bs=2, n_users=1, n_antennas=2, bs_positions=((15.0, 22.5), (-25.0, 25.0)),
                           rate_info=2.0)
    inst = sc.draw(np.random.default_rng(1))
    prob = alg.CentralProblem.cached(inst, "fixed")
    M, K, N = inst.M, inst.K, inst.N
    prob.pp.set(xi=np.full((2, M * K), 2.0 ** sc.rate_leak - 1.0), power_offset=np.zeros(M),
                beta_sq=np.array([np.sum(inst.beta1 ** 2), np.sum(inst.radius(0.01) ** 2)]), mse_cap=0.01,
                rate_info=sc.rate_info)
    original = alg._phase1_solve
    noisy = []

    def phase1_solve(prob, stats, accept_stalled=True):
        out = original(prob, stats, accept_stalled=accept_stalled)
        if np.max(prob.slack.value) <= alg.PHASE1_SLACK_ACCURACY:
            prob.slack.value = np.full(prob.slack.shape, 2e-6)
            noisy.append(len(noisy))
        return out
    monkeypatch.setattr(alg, "_phase1_solve", phase1_solve)
    zero = []
    original_zero = alg._phase1_zero_slack_pass
    monkeypatch.setattr(alg, "_phase1_zero_slack_pass", lambda *a: zero.append(1) or original_zero(*a))
    W0 = np.zeros((2, M, K, N, N), complex)
    R0 = np.zeros((2, M, N, N), complex)
    W, R = alg._phase1(prob, alg.SolveStats(), W0, R0)
    assert noisy and len(zero) == 1
    assert float(prob.params["slack_cap"].value) == 0.0
    assert np.min(alg.secrecy_check(inst, W, R)["rate"]) >= sc.rate_info - 1e-6
    assert np.all(alg.bs_power_nb(W, R, inst.tau) <= sc.pmax * (1 + 1e-6))

    # without the zero-slack pass the same noisy slacks stall Phase I
    monkeypatch.setattr(alg, "_phase1_zero_slack_pass", lambda *a: None)
    with pytest.raises(alg.InfeasibleError, match="stalled"):
        alg._phase1(prob, alg.SolveStats(), W0, R0)


@pytest.mark.parametrize("limit", [2, 4])
def test_algorithm2_stops_after_max_consecutive_failures_of_one_bs(inst, monkeypatch, limit):
    """A BS whose local solve always fails keeps its previous iterate; the run stops after
    ``max_failures`` consecutive failures (session 11: default 8, was 3) and returns the best
    verified iterate, here its centralized start."""
    original = alg._solve_local

    def solve_local(lp, *args):
        if lp.m == 1:
            return alg.SolverError("made to fail", status="solver_error"), None
        return original(lp, *args)
    monkeypatch.setattr(alg, "_solve_local", solve_local)
    res = alg.decentralized_admm(inst, max_iter=20, max_failures=limit)
    assert res.iterations == limit
    assert len(res.info["failures"]) == limit
    assert all("BS 1" in f for f in res.info["failures"])
    assert res.info["selected_iteration"] == 0 and res.feasible
    _recheck(inst, res)


def test_algorithm2_max_failures_validation(inst):
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="max_failures"):
            alg.decentralized_admm(inst, max_failures=bad)
    assert alg.ADMM_MAX_CONSECUTIVE_FAILURES == 8


@pytest.mark.parametrize("field,value,kwarg", [("alg2_rho_init", 0.01, "rho_init"),
                                                ("alg2_rho_rule", "geometric_then_balancing", "rho_rule"),
                                                ("alg2_proximal", 1.0, "proximal"),
                                                ("alg2_fallback_proximal", 1.0, "fallback_proximal")])
def test_alg2_option_reaches_algorithm2_and_stays_out_of_default_task_keys(monkeypatch, field, value, kwarg):
    """Issue 5: the initial ADMM penalty (``alg2_rho_init``), the penalty rule (``alg2_rho_rule``),
    the proximal weight (``alg2_proximal``) and the proximal re-run (``alg2_fallback_proximal``) are
    sweep parameters. At their defaults (1, the paper's "geometric", 0, 0) they
    are absent from the point, so the keys of stored sweeps stay valid; set, they are part of the
    point and reach Algorithm 2 and Baseline 2."""
    import dataclasses
    import json
    from fastisac.experiments import networked as ex
    from fastisac.experiments.sweep import Task
    assert all(field not in json.loads(t.point) for t in ex.tasks(4, quick=True))
    z = dataclasses.replace(ex.QUICK, **{field: value})
    seen = []

    class Stop(Exception):
        pass

    def fake(inst, **kw):
        seen.append(kw)
        raise Stop

    monkeypatch.setattr(alg, "decentralized_admm", fake)
    for scheme in ("proposed2", "baseline2"):
        p = ex._point(z, scheme=scheme, rate_info=3.0)
        assert p[field] == value
        with pytest.raises(Stop):
            ex.evaluate(Task.make(ex.PAPER, "fig4", p, 0))
    assert [kw[kwarg] for kw in seen] == [value, value]
    assert ex._point(ex.QUICK, scheme="proposed2").get(field) is None


def test_algorithm2_output_tries_the_last_iterate_through_the_full_recovery(inst, alg2, monkeypatch):
    """Issue 5: the per-iteration check of ``output="best_verified"`` tries only the eigenvector
    candidates; the last iterate then goes through the full recovery and is returned when it
    passes at a lower power. Here every per-iteration check after the start is made to fail, so
    the kept iterate is the start; the output must still be the (feasible, lower-power) last
    iterate (before: the start was returned)."""
    import sys
    real = alg.secrecy_check

    def rejecting(inst_, W, R, mse=None, mse_cap=None):
        chk = real(inst_, W, R, mse, mse_cap)
        caller = sys._getframe(1)
        if caller.f_code.co_name == "consider" and caller.f_locals.get("it", 0) > 0:
            chk = dict(chk, feasible=False)
        return chk

    monkeypatch.setattr(alg, "secrecy_check", rejecting)
    res = alg.decentralized_admm(inst, max_iter=60)
    assert res.feasible and res.info["selected_iteration"] == res.iterations == alg2.iterations
    # unpatched, an earlier iterate passed at a lower power (measured: iteration 27 of 32)
    assert alg2.power_dbm - 1e-9 <= res.power_dbm <= alg2.power_dbm + 0.5
    start = res.power_trace_dbm(inst.scenario.power_unit_w)[0]
    assert res.power_dbm < start - 3.0


def test_paper_size_proposed2_tracks_proposed1_at_a_low_rate():
    """Issue 5, paper size (M = 3, K = 2, N = 4), Fig. 4 drop 3 at R_info = 1, the sweep's own
    settings (``experiments.networked.FULL``: rho_init = 0.01): Algorithm 2's power first dips
    and then rises to a verified consensus design close to Algorithm 1's (the paper: Proposed 2
    slightly above Proposed 1). Measured: Proposed 1 -15.84 dBm; Proposed 2 -16.42 dBm (54
    iterations); with rho_init = 1 Proposed 2 stopped at -0.07 dBm (15 iterations)."""
    from fastisac.experiments import networked as ex
    from fastisac.experiments.sweep import Task
    out = {}
    for scheme in ("proposed1", "proposed2"):
        p = ex._point(ex.FULL, rate_info=1.0, scheme=scheme)
        out[scheme] = ex.evaluate(Task.make(ex.PAPER, "fig4", p, 3))
    p1, p2 = out["proposed1"], out["proposed2"]
    assert p1["feasible"] and p2["feasible"]
    assert abs(p2["power_dbm"] - p1["power_dbm"]) <= 3.0
    trace = p2["power_trace_dbm"]
    assert trace[0] - p2["power_dbm"] > 10.0          # far below its start (-0.07 dBm with rho_init = 1)
    assert min(trace) < p2["power_dbm"] - 1.0         # the dip of the paper's Fig. 3


def test_algorithm2_proximal_term_holds_the_local_designs(inst, alg2):
    """``proximal`` = mu adds (mu/2) |X - X_prev|_F^2 to every local problem: with a huge mu the
    first local step barely moves the covariances from the start (the power stays within 1e-3
    relative of it), where the paper's local problem (mu = 0) moves them; mu = 0 is the paper's
    run exactly."""
    held = alg.decentralized_admm(inst, max_iter=2, proximal=1e8, output="last")
    free = alg.decentralized_admm(inst, max_iter=2, output="last")
    assert held.power_trace[0] == pytest.approx(free.power_trace[0])            # same start
    assert abs(held.power_trace[1] / held.power_trace[0] - 1) <= 1e-3
    assert abs(free.power_trace[1] / free.power_trace[0] - 1) > 1e-2
    np.testing.assert_allclose(free.power_trace[:3], alg2.power_trace[:3], rtol=1e-6)
    zero = alg.decentralized_admm(inst, max_iter=2, proximal=0.0, output="last")
    np.testing.assert_allclose(zero.power_trace, free.power_trace, rtol=1e-9)


def test_algorithm2_proximal_fallback_runs_only_where_the_plain_run_returns_its_start(inst, alg2):
    """``fallback_proximal`` = mu: a plain run that returns its centralized start (here: 3
    iterations on this drop, selected iteration 0) is followed by a run with ``proximal=mu``
    from the same start, and the cheaper verified output is returned with both runs' time and
    solves counted; a plain run that found a better verified iterate (``alg2``) is returned as it
    is."""
    plain = alg.decentralized_admm(inst, max_iter=3)
    prox = alg.decentralized_admm(inst, max_iter=3, proximal=1.0)
    assert plain.info["selected_iteration"] == 0
    fb = alg.decentralized_admm(inst, max_iter=3, fallback_proximal=1.0)
    info = fb.info["fallback"]
    assert info["ran"] and info["plain_power_dbm"] == pytest.approx(plain.power_dbm)
    assert info["proximal_power_dbm"] == pytest.approx(prox.power_dbm)
    verified = [r.power_dbm for r in (plain, prox) if r.feasible]
    assert fb.feasible and fb.power_dbm == pytest.approx(min(verified))
    assert info["chosen"] == ("proximal" if prox.feasible and prox.power_dbm < plain.power_dbm else "plain")
    assert fb.stats.n_solves == plain.stats.n_solves + prox.stats.n_solves
    assert alg.secrecy_check(inst, fb.W, fb.R)["feasible"]
    kept = alg.decentralized_admm(inst, max_iter=60, fallback_proximal=1.0)
    assert alg2.info["selected_iteration"] != 0
    assert not kept.info["fallback"]["ran"] and kept.power_dbm == pytest.approx(alg2.power_dbm)
    assert kept.stats.n_solves == alg2.stats.n_solves
    with pytest.raises(ValueError, match="fallback_proximal"):
        alg.decentralized_admm(inst, fallback_proximal=1.0, proximal=1.0)
    with pytest.raises(ValueError, match="fallback_proximal"):
        alg.decentralized_admm(inst, fallback_proximal=-1.0)


def test_algorithm2_geometric_then_balancing_penalty(inst, alg2):
    """Issue 5: ``rho_rule="geometric_then_balancing"`` grows rho by varsigma (the paper's rule)
    while the primal residual exceeds 10 x residual_tol and balances it against the dual residual
    otherwise (it may fall). Until the residual first gets there the iterates are the paper
    rule's; whenever consensus is lost again rho regrows, so on this drop the run still meets the
    stopping rule (measured: 50 iterations; without the regrowth rho fell from 1e5 to 3.4 and
    the residual ended at 1-3). The output meets C1-C3 on the exact re-check."""
    hy = alg.decentralized_admm(inst, max_iter=60, rho_rule="geometric_then_balancing")
    geo_rho = [min(1.5 ** n, 1e6) for n in range(1, alg2.iterations + 1)]
    assert alg2.info["rho_trace"] == pytest.approx(geo_rho)
    res, rho = hy.residual_trace, hy.info["rho_trace"]
    first = next(n for n, r in enumerate(res) if r <= 10 * 1e-4)
    assert rho[:first] == pytest.approx(geo_rho[:first])
    np.testing.assert_allclose(hy.power_trace[:first + 2], alg2.power_trace[:first + 2], rtol=1e-6)
    for n in range(first + 1, len(res)):
        if res[n] > 1e-3:
            assert rho[n] == pytest.approx(min(1.5 * rho[n - 1], 1e6))
    assert min(rho[first:]) < max(rho[:first + 1])           # balancing lowered rho after consensus
    assert hy.iterations < 60 and res[-1] <= 1e-4            # stopped by the rule, not by max_iter
    assert hy.feasible and alg.secrecy_check(inst, hy.W, hy.R)["feasible"]
    assert hy.power_dbm <= hy.power_trace_dbm(inst.scenario.power_unit_w)[0] + 1e-9


def test_paper_size_balancing_after_consensus_lowers_proposed2():
    """Issue 5, paper size, Fig. 4 drop 6 at R_info = 3 with the sweep's settings: the paper's
    geometric penalty reaches consensus (stopping rule met before the 80-iteration cap) at a
    point the balanced penalty improves on by more than 1 dB; both outputs pass the exact
    re-check. Measured: geometric -4.91 dBm in 31 iterations; geometric_then_balancing
    -6.22 dBm (80 iterations; Proposed 1 on this drop is not stored)."""
    import dataclasses
    from fastisac.experiments import networked as ex
    from fastisac.experiments.sweep import Task
    out = {}
    for rule in ("geometric", "geometric_then_balancing"):
        z = dataclasses.replace(ex.FULL, alg2_rho_rule=rule)
        out[rule] = ex.evaluate(Task.make(ex.PAPER, "fig4", ex._point(z, rate_info=3.0, scheme="proposed2"), 6))
    geo, hy = out["geometric"], out["geometric_then_balancing"]
    assert geo["feasible"] and hy["feasible"]
    assert geo["iterations"] < 80
    assert hy["power_dbm"] < geo["power_dbm"] - 1.0
