"""Units, scenario defaults, channel draws and the solver layer."""

import cvxpy as cp
import numpy as np
import pytest

from fastisac import InfeasibleError, SolverError
from fastisac.solvers import (ParametricProblem, embed_hermitian, extract_rank_one,
                              gaussian_randomisation, hermitian_from_embedding, placeholder_values)
from fastisac.systems import (DualEveChannels, DualEveScenario, complex_gaussian, db_to_linear, dbm_to_watt,
                              linear_to_db, path_loss, threshold_to_linear, watt_to_dbm)


def test_units_round_trip_and_values():
    assert dbm_to_watt(30.0) == pytest.approx(1.0)
    assert dbm_to_watt(-80.0) == pytest.approx(1e-11)
    assert watt_to_dbm(dbm_to_watt(17.3)) == pytest.approx(17.3)
    assert linear_to_db(db_to_linear(-3.0)) == pytest.approx(-3.0)
    assert threshold_to_linear(32.0) == pytest.approx(10 ** 0.2)          # convention (a)
    assert threshold_to_linear(32.0, "dB") == pytest.approx(10 ** 3.2)
    with pytest.raises(ValueError, match="convention"):
        threshold_to_linear(1.0, "dBW")
    with pytest.raises(ValueError, match="p_w"):
        watt_to_dbm(-1.0)


@pytest.mark.parametrize("d, l, expected_db", [(30, 3.3, -78.745), (50, 2.0, -63.979), (25, 2.3, -62.153),
                                              (30, 2.3, -63.974)])
def test_path_loss_table(d, l, expected_db):
    """Spec 7.1 [D] numerical path losses."""
    assert 10 * np.log10(path_loss(d, l)) == pytest.approx(expected_db, abs=1e-3)


def test_path_loss_rejects_bad_distance():
    with pytest.raises(ValueError, match="distance"):
        path_loss(-1.0, 2.0)
    with pytest.raises(ValueError, match="distance"):
        path_loss(np.nan, 2.0)


def test_scenario_validation():
    with pytest.raises(ValueError, match="n_antennas"):
        DualEveScenario(n_antennas=0)
    with pytest.raises(ValueError, match="n_users"):
        DualEveScenario(n_antennas=4, n_users=4)
    with pytest.raises(ValueError, match="d_bt"):
        DualEveScenario(d_bt=-5.0)
    with pytest.raises(ValueError, match="power_dbm"):
        DualEveScenario(power_dbm=float("nan"))
    with pytest.raises(ValueError, match="threshold_convention"):
        DualEveScenario(threshold_convention="dBW")
    with pytest.raises(ValueError, match="rng"):
        DualEveScenario().draw(42)


def test_channel_draws():
    sc = DualEveScenario()
    a = sc.draw(np.random.default_rng(7))
    b = sc.draw(np.random.default_rng(7))
    np.testing.assert_array_equal(a.g, b.g)
    np.testing.assert_array_equal(a.he, b.he)
    np.testing.assert_allclose(np.abs(a.he), sc.beta_e, rtol=1e-14)
    np.testing.assert_allclose(a.h, np.conj(a.g) + a.he[:, None] * np.conj(a.hce)[None], rtol=1e-14)
    assert np.linalg.norm(sc.hce) ** 2 == pytest.approx(sc.rho)
    # E ||g_k||^2 / N -> PL_BU (20000 draws: relative standard error ~ 0.4 %)
    rng = np.random.default_rng(3)
    g = np.stack([sc.draw(rng).g for _ in range(2500)])
    assert np.mean(np.abs(g) ** 2) / sc.pl_bu[0] == pytest.approx(1.0, rel=0.02)


def test_user_distances_cycle_for_large_k():
    sc = DualEveScenario(n_antennas=8, n_users=6)
    np.testing.assert_allclose(sc.beta_e ** 2, path_loss(np.array([25, 25, 30, 25, 25, 30.0]), 2.3))


def test_complex_gaussian_variance():
    z = complex_gaussian(np.random.default_rng(1), (200000,), 2.0)
    assert np.mean(np.abs(z) ** 2) == pytest.approx(2.0, rel=0.02)
    assert abs(np.mean(z ** 2)) < 0.03          # circular symmetry


def test_embedding_identities():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 5)) + 1j * rng.standard_normal((5, 5))
    Q = A @ A.conj().T
    B = rng.standard_normal((5, 5)) + 1j * rng.standard_normal((5, 5))
    H = B + B.conj().T
    X = embed_hermitian(Q)
    assert 0.5 * np.sum(embed_hermitian(H) * X) == pytest.approx(np.real(np.trace(Q @ H)))
    assert 0.5 * np.trace(X) == pytest.approx(np.real(np.trace(Q)))
    np.testing.assert_allclose(hermitian_from_embedding(X), Q, atol=1e-12)
    assert np.linalg.eigvalsh(X).min() > -1e-10


def _tiny_problem():
    x = cp.Variable(2)
    a = cp.Parameter(2)
    prob = cp.Problem(cp.Minimize(cp.sum_squares(x - a)), [cp.sum(x) <= 1, x >= 0])
    return ParametricProblem(prob, {"a": a}), x


def test_parametric_problem_resolve_matches_fresh_solve():
    pp, x = _tiny_problem()
    r1 = pp.solve(a=np.array([2.0, 0.0]))
    np.testing.assert_allclose(x.value, [1.0, 0.0], atol=1e-6)
    pp.solve(a=np.array([0.2, 0.3]))
    np.testing.assert_allclose(x.value, [0.2, 0.3], atol=1e-6)
    fresh, xf = _tiny_problem()
    fresh.solve(a=np.array([0.2, 0.3]))
    np.testing.assert_allclose(x.value, xf.value, atol=1e-7)
    assert r1.solver_time >= 0 and r1.wall_time >= r1.solver_time
    with pytest.raises(ValueError, match="b"):
        pp.solve(b=1.0)
    with pytest.raises(ValueError, match="a"):
        pp.solve(a=np.array([np.nan, 0.0]))


def test_parametric_problem_complex_parameters_keep_their_imaginary_part():
    z = cp.Variable(2, complex=True)
    c = cp.Parameter(2, complex=True)
    pp = ParametricProblem(cp.Problem(cp.Minimize(cp.sum_squares(z - c))), {"c": c})
    target = np.array([1.0 + 2.0j, -0.5j])
    pp.solve(c=target)
    np.testing.assert_allclose(z.value, target, atol=1e-6)
    real_pp, _ = _tiny_problem()
    with pytest.raises(ValueError, match="^a: complex value"):
        real_pp.solve(a=np.array([1.0 + 1.0j, 0.0]))
    real_pp.solve(a=np.array([0.5 + 0.0j, 0.25]))          # a zero imaginary part is fine


def test_constant_slots_overwrite_a_dense_constant_block():
    """A dense constant block C in x == C y (placeholders) is overwritten per solve: the result equals a
    problem built with the new C; bad uses raise ValueError naming the argument."""
    rng = np.random.default_rng(3)
    m, n = 6, 4
    ph = placeholder_values(m * n).reshape(m, n)
    x, y = cp.Variable(m), cp.Variable(n)
    w = cp.Parameter(m)
    cons = [x == ph @ y, y >= 0, cp.sum(y) == 1]
    pp = ParametricProblem(cp.Problem(cp.Minimize(w @ x), cons), {"w": w})
    with pytest.raises(ValueError, match="values"):
        pp.set_constants(np.ones(m * n))
    pp.constant_slots(ph)
    for _ in range(3):
        C, wv = rng.standard_normal((m, n)), rng.standard_normal(m)
        pp.set_constants(C)
        pp.solve(w=wv)
        yr = cp.Variable(n)
        ref = cp.Problem(cp.Minimize(wv @ C @ yr), [yr >= 0, cp.sum(yr) == 1])
        ref.solve(solver=cp.CLARABEL)
        assert pp.problem.value == pytest.approx(ref.value, abs=1e-7)
        np.testing.assert_allclose(x.value, C @ y.value, atol=1e-7)
        assert cons[0].dual_value is not None
    with pytest.raises(ValueError, match="values"):
        pp.set_constants(np.ones(m * n + 1))
    with pytest.raises(ValueError, match="values"):
        pp.set_constants(np.full(m * n, np.nan))
    x2, y2 = cp.Variable(2), cp.Variable(2)
    ph2 = placeholder_values(2)
    twice = ParametricProblem(cp.Problem(cp.Minimize(cp.sum(x2)), [x2 == cp.multiply(ph2, y2), y2 >= 0, x2 <= cp.multiply(ph2, y2) + 1]), {})
    with pytest.raises(ValueError, match="placeholders"):
        twice.constant_slots(ph2)
    with pytest.raises(ValueError, match="^n: too many"):
        placeholder_values(2 ** 26)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="^n:"):
            placeholder_values(bad)
    with pytest.raises(ValueError, match="^start:"):
        placeholder_values(3, -1)


def test_parametric_problem_status_mapping():
    x = cp.Variable()
    lo = cp.Parameter()
    pp = ParametricProblem(cp.Problem(cp.Minimize(x), [x >= lo, x <= 1]), {"lo": lo})
    with pytest.raises(InfeasibleError):
        pp.solve(lo=2.0)
    y = cp.Variable()
    unb = ParametricProblem(cp.Problem(cp.Minimize(y), [y <= lo]), {"lo": lo})
    with pytest.raises(SolverError) as exc:
        unb.solve(lo=0.0)
    assert "unbounded" in str(exc.value.status)
    p = cp.Parameter(nonneg=True)
    with pytest.raises(ValueError, match="DPP"):
        ParametricProblem(cp.Problem(cp.Minimize(p * p * x), [x >= 0]), {"p": p})


def test_rank_one_extraction_and_randomisation():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((2, 4)) + 1j * rng.standard_normal((2, 4))
    Q = np.einsum("ki,kj->kij", w, np.conj(w))
    r = extract_rank_one(Q)
    assert r.is_rank_one and r.max_ratio < 1e-12
    np.testing.assert_allclose(np.abs(np.einsum("ki,ki->k", np.conj(r.W), w)), np.sum(np.abs(w) ** 2, 1), rtol=1e-10)
    # a rank-two covariance needs randomisation; the best feasible candidate wins
    Q2 = np.stack([np.eye(3, dtype=complex), np.diag([1.0, 0, 0]).astype(complex)])
    r2 = extract_rank_one(Q2)
    assert not r2.is_rank_one and r2.max_ratio == pytest.approx(1.0)

    def score(c):
        return np.abs(c[:, 0, 0]) ** 2, np.abs(c[:, 1, 0]) < 10

    best, obj = gaussian_randomisation(Q2, score, np.random.default_rng(0), 64)
    assert best.shape == (2, 3) and obj == pytest.approx(np.abs(best[0, 0]) ** 2)
    none, obj = gaussian_randomisation(Q2, lambda c: (np.ones(len(c)), np.zeros(len(c), bool)),
                                       np.random.default_rng(0), 8)
    assert none is None and obj == -np.inf


def test_channels_validation():
    with pytest.raises(ValueError, match="g, he, hce"):
        DualEveChannels.from_components(np.ones((3, 4)), np.ones(2), np.ones(4))


# --------------------------------------------------------------------------- direct Clarabel driving

def _hermitian_sdp():
    """Complex Hermitian PSD variable, Hermitian and complex parameters, SOC and PSD cones."""
    n = 4
    G = [cp.Parameter((n, n), hermitian=True) for _ in range(2)]
    g = cp.Parameter(nonneg=True)
    c = cp.Parameter(n, complex=True)
    X = cp.Variable((n, n), hermitian=True)
    t = cp.Variable()
    cons = [X >> 0, cp.real(cp.trace(X)) <= 1, cp.abs(c @ X[:, 0]) <= 0.3]
    cons += [cp.real(cp.trace(Gk @ X)) >= t * g for Gk in G]
    prob = cp.Problem(cp.Maximize(t - 0.1 * cp.norm(X, "fro")), cons)
    return prob, {"G0": G[0], "G1": G[1], "g": g, "c": c}, X, cons


@pytest.mark.parametrize("warm", [False, True])
def test_direct_clarabel_equals_cvxpy_solve(warm):
    """The direct driver hands Clarabel the same data as problem.solve: same primal, duals,
    objective and status on every re-solve (complex parameters, PSD/SOC cones)."""
    rng = np.random.default_rng(7)
    prob, params, X, cons = _hermitian_sdp()
    direct = ParametricProblem(prob, params, direct=True, warm_start=warm)
    viacvx = ParametricProblem(prob, params, direct=False, warm_start=warm)
    assert direct.direct and not viacvx.direct
    for trial in range(4):
        h = rng.standard_normal((2, 4)) + 1j * rng.standard_normal((2, 4))
        vals = dict(G0=np.outer(h[0].conj(), h[0]), G1=np.outer(h[1].conj(), h[1]), g=1.0 + trial,
                    c=rng.standard_normal(4) + 1j * rng.standard_normal(4))
        r1 = direct.solve(**vals)
        x1, d1, s1 = X.value.copy(), cons[0].dual_value.copy(), cons[2].dual_value
        r2 = viacvx.solve(**vals)
        assert r1.status == r2.status
        assert r1.objective == pytest.approx(r2.objective, rel=1e-7, abs=1e-9)
        np.testing.assert_allclose(x1, X.value, atol=1e-7)
        np.testing.assert_allclose(d1, cons[0].dual_value, atol=1e-6)
        np.testing.assert_allclose(s1, cons[2].dual_value, atol=1e-6)
        assert r1.solver_time > 0 and r1.iterations > 0


def test_direct_clarabel_quadratic_objective_and_infeasibility():
    x = cp.Variable(3)
    a = cp.Parameter(3)
    cap = cp.Parameter()
    prob = cp.Problem(cp.Minimize(cp.sum_squares(x - a) + a @ x), [cp.sum(x) <= cap, x >= 0])
    pp = ParametricProblem(prob, {"a": a, "cap": cap}, direct=True)
    rng = np.random.default_rng(3)
    for _ in range(3):
        av = rng.standard_normal(3)
        pp.solve(a=av, cap=1.0)
        xd = x.value.copy()
        ref = cp.Problem(cp.Minimize(cp.sum_squares(x - av) + av @ x), [cp.sum(x) <= 1.0, x >= 0])
        ref.solve(solver=cp.CLARABEL)
        np.testing.assert_allclose(xd, x.value, atol=1e-6)
    with pytest.raises(InfeasibleError):
        pp.solve(a=np.zeros(3), cap=-1.0)
    with pytest.raises(ValueError, match="^direct"):
        ParametricProblem(prob, {"a": a, "cap": cap}, solver=cp.SCS, direct=True)


def test_parameter_fast_path_checks_like_cvxpy():
    """Plain and sign-constrained parameters skip CVXPY's projection but keep its checks; other
    attributes (here symmetric) still go through CVXPY's own setter."""
    x = cp.Variable(3)
    a, b = cp.Parameter(3, name="a"), cp.Parameter(nonneg=True, name="b")
    c = cp.Parameter(3, nonpos=True, name="c")
    S = cp.Parameter((2, 2), symmetric=True, name="S")
    prob = cp.Problem(cp.Minimize(cp.sum_squares(x - a) + b * cp.sum(x) - c @ x + cp.sum(S) * x[0]), [x >= -5])
    pp = ParametricProblem(prob, {"a": a, "b": b, "c": c, "S": S})
    assert set(pp._plain) == {"a", "b", "c"}
    with pytest.raises(ValueError, match="a: shape"):
        pp.set(a=np.ones(4))
    with pytest.raises(ValueError, match="b: .*nonnegative"):
        pp.set(b=-1.0)
    with pytest.raises(ValueError, match="c: .*nonpositive"):
        pp.set(c=np.array([0.0, 1.0, -1.0]))
    with pytest.raises(ValueError):
        pp.set(S=np.array([[1.0, 2.0], [0.0, 1.0]]))        # not symmetric: CVXPY rejects it
    vals = dict(a=np.array([1.0, -2.0, 0.5]), b=0.3, c=-np.ones(3), S=np.eye(2))
    rec = pp.solve(**vals)
    ref = cp.Problem(cp.Minimize(cp.sum_squares(x - vals["a"]) + 0.3 * cp.sum(x) + cp.sum(x) + 2 * x[0]),
                     [x >= -5])
    ref.solve(solver=cp.CLARABEL)
    assert rec.objective == pytest.approx(ref.value, rel=1e-6)


def test_retry_chain_short_steps_after_two_solver_errors(monkeypatch):
    """Primary -> fallback -> short interior-point steps, but only after solver errors: an
    infeasibility certificate under the fallback settings is final."""
    pp, x = _tiny_problem()
    real = pp._solve_once
    seen = []

    def flaky(fail_with):
        def once(warm, settings):
            seen.append(dict(settings))
            if len(seen) <= len(fail_with):
                err = fail_with[len(seen) - 1]("forced", status="solver_error")
                err.wall_time = 0.0
                raise err
            return real(warm, settings)
        return once

    monkeypatch.setattr(pp, "_solve_once", flaky([SolverError, SolverError]))
    rec = pp.solve(a=np.array([2.0, 0.0]))
    assert rec.attempts == 3 and seen[-1]["max_step_fraction"] == 0.9
    assert seen[1]["direct_solve_method"] == "qdldl"
    np.testing.assert_allclose(x.value, [1.0, 0.0], atol=1e-6)
    seen.clear()
    monkeypatch.setattr(pp, "_solve_once", flaky([SolverError, InfeasibleError]))
    with pytest.raises(InfeasibleError):
        pp.solve(a=np.array([2.0, 0.0]))
    assert len(seen) == 2
    seen.clear()
    monkeypatch.setattr(pp, "_solve_once", flaky([SolverError, SolverError, SolverError]))
    with pytest.raises(SolverError):
        pp.solve(a=np.array([2.0, 0.0]))
    assert len(seen) == 3


def test_solve_stats_absorb_adds_every_count_and_time():
    from fastisac.solvers.problem import SolveStats
    a = SolveStats(build_time=1.0, n_solves=2, n_inaccurate=1, n_failed=0, n_retries=1, wall_time=3.0,
                   solver_time=2.0, compile_time=0.5, setup_time=0.25, statuses=["optimal", "optimal_inaccurate"])
    b = SolveStats(build_time=0.5, n_solves=3, n_inaccurate=0, n_failed=1, n_retries=2, wall_time=4.0,
                   solver_time=1.5, compile_time=0.0, setup_time=0.5, statuses=["optimal", "optimal", "solver_error"])
    a.absorb(b)
    assert a.as_dict() == dict(build_time=1.5, n_solves=5, n_inaccurate=1, n_failed=1, n_retries=3, wall_time=7.0,
                               solver_time=3.5, compile_time=0.5, setup_time=0.75)
    assert a.statuses == ["optimal", "optimal_inaccurate", "optimal", "optimal", "solver_error"]
    assert b.n_solves == 3                       # the absorbed stats are left as they were
    with pytest.raises(ValueError, match="other"):
        a.absorb({"n_solves": 1})
