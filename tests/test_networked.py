"""Seed 000 (networked ISAC): kernels vs NumPy twins, spec section 7 oracles, input checks."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastisac import reference as ref_pkg
from fastisac.kernels import networked as kn
from fastisac.kernels._networked import (eve_geometry_nb, radar_response_derivatives_nb, steering_paper_nb,
                                         trace_inverse_2x2_nb)
from fastisac.systems import NetworkedScenario

ref = ref_pkg.networked
Q_BS = np.array([[15.0, 22.5], [-25.0, 25.0], [15.0, -30.0]])


@pytest.fixture(scope="module")
def inst():
    return NetworkedScenario().draw(np.random.default_rng(0))


def _psd(rng, n, r=None):
    r = n if r is None else r
    A = rng.standard_normal((n, r)) + 1j * rng.standard_normal((n, r))
    return A @ A.conj().T


# --------------------------------------------------------------------------- geometry and constants (spec 7)
def test_geometry_oracles(inst):
    d, th, _ = kn.eve_geometry(Q_BS, [0.0, 0.0])
    np.testing.assert_allclose(d, [27.0416, 35.3553, 33.5410], rtol=1e-5)
    np.testing.assert_allclose(np.rad2deg(th), [-123.690, -45.000, 116.565], atol=1e-3)
    np.testing.assert_allclose(np.abs(np.sin(th)), [0.83205, 0.70711, 0.89443], rtol=1e-5)
    s = math.sqrt(1e-3 / 1e-13)                       # working units -> W-referred constants
    np.testing.assert_allclose(inst.alpha_eve / s, [1.7657e-4, 1.3505e-4, 1.4235e-4], rtol=1e-4)
    np.testing.assert_allclose(inst.a * s, [5474.39, 11011.46, 7834.79], rtol=1e-5)
    np.testing.assert_allclose(inst.b / s, [5.324e-6, 4.072e-6, 4.292e-6], rtol=1e-3)
    rel = {2.0: [0.783, 0.515, 0.681], 1e-2: [0.0701, 0.0511, 0.0628], 1e-3: [0.0330, 0.0270, 0.0307]}
    for trq, want in rel.items():
        np.testing.assert_allclose(inst.radius(trq) / np.linalg.norm(inst.gbar, axis=1), want, rtol=2e-3)


def test_steering_and_geometry_match_reference():
    rng = np.random.default_rng(1)
    for _ in range(5):
        p = rng.uniform(-10, 10, 2)
        for got, want in zip(kn.eve_geometry(Q_BS, p), ref.eve_geometry(Q_BS, p)):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        th, d = rng.uniform(-np.pi, np.pi), rng.uniform(5, 50)
        np.testing.assert_allclose(kn.steering_paper(6, th), ref.steering_paper(6, th), atol=1e-12)
        np.testing.assert_allclose(kn.steering_position_derivative(6, th, d),
                                   ref.steering_position_derivative(6, th, d), atol=1e-12)
    a = kn.steering_paper(5, np.pi / 2)
    np.testing.assert_allclose(a, np.ones(5), atol=1e-12)
    assert abs(np.linalg.norm(kn.steering_paper(7, 0.3)) ** 2 - 7) < 1e-12


def test_steering_derivative_finite_difference():
    """d a(theta(p))/dp against central differences of a(theta(p)), h = 1e-6 m."""
    N, h = 6, 1e-6
    for q in Q_BS:
        p = np.array([0.3, -0.2])
        d, th, _ = eve_geometry_nb(q[None], p)
        D = kn.steering_position_derivative(N, th[0], d[0])
        for i in range(2):
            e = np.zeros(2)
            e[i] = h
            ap = steering_paper_nb(N, eve_geometry_nb(q[None], p + e)[1][0])
            am = steering_paper_nb(N, eve_geometry_nb(q[None], p - e)[1][0])
            np.testing.assert_allclose(D[i], (ap - am) / (2 * h), atol=1e-8)


def test_radar_derivatives_finite_difference():
    """dG_{m',m}/dp_i (spec 4.1 [D]) vs central differences, all M^2 pairs, alpha = 1."""
    N, h = 4, 1e-6
    p = np.zeros(2)
    d, th, _ = eve_geometry_nb(Q_BS, p)
    alpha = np.ones((3, 3), complex)
    dG = radar_response_derivatives_nb(N, th, d, alpha)

    def G(pp):
        _, t, _ = eve_geometry_nb(Q_BS, pp)
        A = [steering_paper_nb(N, x) for x in t]
        return np.array([[np.outer(A[mr], A[mt].conj()) for mr in range(3)] for mt in range(3)])
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        np.testing.assert_allclose(dG[:, :, i], (G(p + e) - G(p - e)) / (2 * h), atol=1e-8)
    np.testing.assert_allclose(dG, ref.radar_response_derivatives(N, th, d, alpha), atol=1e-13)


# --------------------------------------------------------------------------- FIM / CRB
def test_fim_against_log_likelihood_finite_differences(inst):
    """F_ij = 2L/sigma^2 Re sum Tr(dmu_j S dmu_i^H) with dmu from finite differences of G(p) (27)."""
    rng = np.random.default_rng(2)
    N, h = inst.N, 1e-6
    S = np.array([_psd(rng, N) for _ in range(3)])
    lam = inst.scenario.wavelength
    alpha_r = np.sqrt(lam ** 2 / ((4 * np.pi) ** 3 * np.outer(inst.dist ** 2, inst.dist ** 2)))

    def G(pp):
        _, t, _ = eve_geometry_nb(Q_BS, pp)
        A = [steering_paper_nb(N, x) for x in t]
        return np.array([[alpha_r[mt, mr] * np.outer(A[mr], A[mt].conj()) for mr in range(3)] for mt in range(3)])
    p = np.zeros(2)
    dG = []
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        dG.append((G(p + e) - G(p - e)) / (2 * h))
    F = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            F[i, j] = inst.fim_scale * sum(np.real(np.trace(dG[j][mt, mr] @ S[mt] @ dG[i][mt, mr].conj().T))
                                           for mt in range(3) for mr in range(3))
    np.testing.assert_allclose(inst.fim(S), F, rtol=1e-6)


def test_centralized_crb_equals_fused(inst):
    rng = np.random.default_rng(3)
    S = np.array([_psd(rng, inst.N, 2) for _ in range(3)])
    Fbar = kn.fim_transmitted(inst.J, S)
    Frec = kn.fim_received(inst.dG, S, inst.fim_scale)
    np.testing.assert_allclose(Fbar.sum(0), Frec.sum(0), rtol=1e-10)
    np.testing.assert_allclose(Fbar.sum(0), inst.fim(S), rtol=1e-10)
    A, Qf = kn.fusion_weights(Frec)
    np.testing.assert_allclose(A.sum(0), np.eye(2), atol=1e-10)
    np.testing.assert_allclose(Qf, np.linalg.inv(Fbar.sum(0)), rtol=1e-10)
    # Q_fused <= Q_m (Loewner) wherever F_m is invertible
    for Fm in Frec:
        if np.linalg.det(Fm) > 1e-9 * np.trace(Fm) ** 2:
            assert np.linalg.eigvalsh(np.linalg.inv(Fm) - Qf).min() >= -1e-9 * np.trace(Qf)
    # twins
    np.testing.assert_allclose(Fbar, ref.fim_transmitted(inst.J, S), rtol=1e-10)
    np.testing.assert_allclose(Frec, ref.fim_received(inst.dG, S, inst.fim_scale), rtol=1e-10)
    np.testing.assert_allclose(inst.J, ref.fim_kernel_matrices(inst.dG, inst.fim_scale), rtol=1e-10)
    Ar, Qr = ref.fusion_weights(Frec)
    np.testing.assert_allclose(A, Ar, rtol=1e-8, atol=1e-12)
    # homogeneity and identical F_m -> A = I / M
    np.testing.assert_allclose(inst.fim(3.0 * S), 3.0 * inst.fim(S), rtol=1e-12)
    A3, _ = kn.fusion_weights(np.array([Frec[0]] * 3))
    np.testing.assert_allclose(A3, np.array([np.eye(2) / 3] * 3), atol=1e-12)


@pytest.mark.parametrize("p_dbm", [0.0, 10.0, 20.0])
def test_crb_oracles_isotropic_and_steered(inst, p_dbm):
    P = 10 ** (p_dbm / 10)                 # working unit is mW
    N = inst.N
    S_iso = np.array([P / N * np.eye(N)] * 3, complex)
    assert abs(10 * np.log10(inst.mse(S_iso)) - (-9.731 - p_dbm)) < 0.01
    A = [steering_paper_nb(N, t) for t in inst.theta]
    S_eve = np.array([P / N * np.outer(a, a.conj()) for a in A])
    assert abs(10 * np.log10(inst.mse(S_eve)) - (-13.683 - p_dbm)) < 0.01


def test_trace_inverse_2x2():
    rng = np.random.default_rng(4)
    for _ in range(20):
        B = rng.standard_normal((2, 2))
        F = B @ B.T + 0.1 * np.eye(2)
        assert abs(kn.trace_inverse_2x2(F) - ref.trace_inverse_2x2(F)) <= 1e-10 * ref.trace_inverse_2x2(F)
    assert trace_inverse_2x2_nb(np.zeros((2, 2))) == np.inf


# --------------------------------------------------------------------------- bound (15)
def test_steering_error_bound_first_order():
    """(15) holds on random draws of practical size and is tight to first order (not strict: spec 2.3)."""
    rng = np.random.default_rng(5)
    N = 4
    c = math.sqrt(N * (N - 1) * (2 * N - 1) / 6)
    for _ in range(2000):
        th = rng.uniform(-np.pi, np.pi)
        dlt = rng.uniform(1e-3, 0.05) * rng.choice([-1, 1])
        lhs = np.linalg.norm(steering_paper_nb(N, th + dlt) - steering_paper_nb(N, th))
        rhs = c * np.pi * abs(np.sin(th)) * abs(dlt)
        # first-order bound: violations only of second order in the angle error
        assert lhs <= rhs + c * np.pi * dlt ** 2
    th = np.deg2rad(-123.69)
    for dlt in (1e-3, 1e-5, 1e-7):
        ratio = np.linalg.norm(steering_paper_nb(N, th + dlt) - steering_paper_nb(N, th)) / (c * np.pi * abs(np.sin(th)) * dlt)
        assert abs(ratio - 1) < 5 * dlt
    # the documented counter-example: LHS > RHS at -123.69 deg, Delta = 1e-3
    lhs = np.linalg.norm(steering_paper_nb(N, th + 1e-3) - steering_paper_nb(N, th))
    assert lhs > c * np.pi * abs(np.sin(th)) * 1e-3


# --------------------------------------------------------------------------- TRS / worst-case SINR
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(2, 6), st.floats(0.05, 3.0))
def test_trs_matches_reference(seed, n, beta):
    rng = np.random.default_rng(seed)
    A = _psd(rng, n) - _psd(rng, n, 2)
    b = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    c = float(rng.standard_normal())
    v, mu, x = kn.trs_max(A, b, c, beta)
    vr, mur, xr = ref.trs_max(A, b, c, beta)
    assert abs(v - vr) <= 1e-7 * max(1.0, abs(vr))
    assert np.linalg.norm(x) <= beta * (1 + 1e-9)
    assert np.linalg.eigvalsh(mu * np.eye(n) - A).min() >= -1e-7 * max(1.0, abs(mu))
    # optimality vs random feasible points
    d = rng.standard_normal((500, n)) + 1j * rng.standard_normal((500, n))
    d *= (beta * rng.uniform(0, 1, 500) ** (1 / (2 * n)) / np.linalg.norm(d, axis=1))[:, None]
    f = np.real(np.einsum("sa,ab,sb->s", d.conj(), A, d)) + 2 * np.real(d.conj() @ b) + c
    assert f.max() <= v + 1e-8 * max(1.0, abs(v))


def test_trs_hard_case():
    A = np.diag([1.0, -1.0, -2.0]).astype(complex)
    v, mu, x = kn.trs_max(A, np.array([0, 1, 0j]), 0.0, 1.0)
    assert abs(v - 1.5) < 1e-12 and abs(mu - 1.0) < 1e-12 and abs(np.linalg.norm(x) - 1) < 1e-12


def test_worst_case_sinr_closed_form_without_an():
    """R = 0, W = w w^H: xi* = (|g^H w| + beta ||w||)^2 / sigma^2 (spec 7)."""
    rng = np.random.default_rng(6)
    for _ in range(10):
        n = 4
        w = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        g = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        beta, noise = rng.uniform(0.1, 2), rng.uniform(0.5, 2)
        xi, _ = kn.worst_case_sinr(np.outer(w, w.conj()), np.zeros((n, n)), g, beta, noise)
        want = (abs(g.conj() @ w) + beta * np.linalg.norm(w)) ** 2 / noise
        assert abs(xi - want) <= 1e-8 * want


def test_worst_case_sinr_vs_dense_sampling_and_reference():
    rng = np.random.default_rng(7)
    n = 4
    for _ in range(5):
        W, R = _psd(rng, n, 1), 0.1 * _psd(rng, n, 3)
        g = 2 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
        beta = rng.uniform(0.2, 1.5)
        xi, eta = kn.worst_case_sinr(W, R, g, beta, 1.0)
        xr, er = ref.worst_case_sinr(W, R, g, beta, 1.0)
        assert abs(xi - xr) <= 1e-8 * xr
        d = rng.standard_normal((100_000, n)) + 1j * rng.standard_normal((100_000, n))
        d *= (beta / np.linalg.norm(d, axis=1))[:, None]
        x = g + d
        ratio = np.real(np.einsum("sa,ab,sb->s", x.conj(), W, x)) / (np.real(np.einsum("sa,ab,sb->s", x.conj(), R, x)) + 1)
        assert ratio.max() <= xi * (1 + 1e-6)
        assert ratio.max() >= 0.9 * xi                     # dense sampling comes close from below
        # S-procedure LMI (51) at (xi, eta) is PSD with minimum eigenvalue ~ 0
        M = W - xi * R
        L = np.block([[eta * np.eye(n) - M, -(M @ g)[:, None]],
                      [-(g.conj() @ M)[None, :], np.array([[-eta * beta ** 2 + xi - np.real(g.conj() @ M @ g)]])]])
        lmin = np.linalg.eigvalsh(L).min()
        assert -1e-7 * np.abs(L).max() <= lmin <= 1e-4 * np.abs(L).max()


def test_worst_case_sinr_equals_sdp():
    """The TRS bisection equals the SDP (62) it replaces (small instance)."""
    cp = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(8)
    n = 4
    W, R = _psd(rng, n, 1), 0.2 * _psd(rng, n, 2)
    g = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    beta = 0.6
    xi_t, _ = kn.worst_case_sinr(W, R, g, beta, 1.0)
    xi, eta = cp.Variable(nonneg=True), cp.Variable(nonneg=True)
    Mg = W @ g - xi * (R @ g)
    corner = -eta * beta ** 2 + xi - (np.real(g.conj() @ W @ g) - xi * np.real(g.conj() @ R @ g))
    col = cp.reshape(Mg, (n, 1), order="F")
    L = cp.bmat([[eta * np.eye(n) - W + xi * R, -col], [-col.H, cp.reshape(corner, (1, 1), order="F")]])
    cp.Problem(cp.Minimize(xi), [0.5 * (L + L.H) >> 0]).solve(solver=cp.CLARABEL)
    assert abs(xi.value - xi_t) <= 1e-5 * xi_t


def test_min_an_power_closed_form():
    """(86): R = r I gives r (||g|| - beta)_+^2."""
    g = np.array([1.0, 2.0, -1.0, 0.5j])
    for beta in (0.5, 1.0, 5.0):
        u, _ = kn.min_an_power(0.7 * np.eye(4), g, beta)
        assert abs(u - 0.7 * max(np.linalg.norm(g) - beta, 0) ** 2) < 1e-9


def test_leakage_product_and_joint_vs_reference(inst):
    rng = np.random.default_rng(9)
    M, K, N = inst.M, inst.K, inst.N
    W = np.array([[[_psd(rng, N, 1) * 0.01 for _ in range(K)] for _ in range(M)] for _ in range(2)])
    R = np.array([[_psd(rng, N) * 0.01 for _ in range(M)] for _ in range(2)])
    beta = np.stack([inst.beta1, inst.radius(1e-2)])
    xi, eta, u, lam = kn.worst_case_leakage_product(W, R, inst.gbar, beta, 1.0)
    xr, er, ur, lr = ref.worst_case_leakage_product(W, R, inst.gbar, beta, 1.0)
    np.testing.assert_allclose(xi, xr, rtol=1e-8)
    np.testing.assert_allclose(u, ur, rtol=1e-8, atol=1e-10)
    bj = np.sqrt((beta ** 2).sum(1))
    xj, _ = kn.worst_case_leakage_joint(W, R, inst.gbar, bj, 1.0)
    np.testing.assert_allclose(xj, ref.worst_case_leakage_joint(W, R, inst.gbar, bj, 1.0)[0], rtol=1e-8)
    assert np.all(xj >= xi * (1 - 1e-9))            # the joint ball contains the product of balls


# --------------------------------------------------------------------------- metrics / Monte Carlo / ADMM
def test_metrics_match_reference(inst):
    rng = np.random.default_rng(10)
    M, K, N = inst.M, inst.K, inst.N
    W = np.array([[_psd(rng, N, 1) for _ in range(K)] for _ in range(M)]) * 0.01
    R = np.array([_psd(rng, N) for _ in range(M)]) * 0.01
    noise = np.ones((M, K))
    np.testing.assert_allclose(kn.user_sinr(inst.h, W, R, noise), ref.user_sinr(inst.h, W, R, noise), rtol=1e-10)
    W2, R2 = np.stack([W, 2 * W]), np.stack([R, 0 * R])
    np.testing.assert_allclose(kn.bs_power(W2, R2, [0.2, 0.8]), ref.bs_power(W2, R2, [0.2, 0.8]), rtol=1e-12)


def test_leakage_monte_carlo_matches_reference(inst):
    rng = np.random.default_rng(11)
    M, K, N = inst.M, inst.K, inst.N
    W = np.array([[[_psd(rng, N, 1) * 0.01 for _ in range(K)] for _ in range(M)] for _ in range(2)])
    R = np.array([[_psd(rng, N) * 0.01 for _ in range(M)] for _ in range(2)])
    S = 300
    pos = rng.normal(0, 0.1, (2, S, 2))
    nl = (rng.standard_normal((2, S, M, N)) + 1j * rng.standard_normal((2, S, M, N))) * 0.05
    got = kn.leakage_monte_carlo(W, R, Q_BS, pos, nl, inst.alpha_eve, 10.0, [0.2, 0.8], 1.0)
    want = ref.leakage_monte_carlo(W, R, Q_BS, pos, nl, inst.alpha_eve, 10.0, np.array([0.2, 0.8]), 1.0)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    # with no NLoS and no position error the sampled leakage equals the nominal one
    nominal = kn.leakage_monte_carlo(W, R, Q_BS, np.zeros((2, 1, 2)), np.zeros((2, 1, M, N)), inst.alpha_eve,
                                     10.0, [0.2, 0.8], 1.0)[0]
    sig = [np.real(np.einsum("ma,mkab,mb->mk", inst.gbar.conj(), W[i], inst.gbar))
           / (np.real(np.einsum("ma,mab,mb->", inst.gbar.conj(), R[i], inst.gbar)) + 1) for i in range(2)]
    np.testing.assert_allclose(nominal, 0.2 * np.log2(1 + sig[0]) + 0.8 * np.log2(1 + sig[1]), rtol=1e-10)


@pytest.mark.parametrize("M,K", [(2, 1), (3, 2), (4, 3)])
def test_admm_global_updates_equal_linear_solve(M, K):
    rng = np.random.default_rng(M * 10 + K)
    y_out, z_in = rng.standard_normal((M, M - 1, K)), rng.standard_normal((M, K))
    np.testing.assert_allclose(kn.admm_pair_update(y_out, z_in), ref.admm_pair_update(y_out, z_in), atol=1e-12)
    yb, yo = rng.standard_normal((M, 4)), rng.standard_normal((M, 4))
    np.testing.assert_allclose(kn.admm_sum_update(yb, yo), ref.admm_sum_update(yb, yo), atol=1e-12)
    E, U = ref.admm_selection_matrices(M, K)
    lhs = sum(Em.T @ Em for Em in E)
    blk = np.zeros_like(lhs)
    L = M * (M - 1) * K
    idx = np.arange(L).reshape(M, M - 1, K)
    for b in range(M):            # I + blkdiag over victim groups of 1 1^T
        for k in range(K):
            g = [idx[a, b if b < a else b - 1, k] for a in range(M) if a != b]
            blk[np.ix_(g, g)] = 1
    np.testing.assert_allclose(lhs, np.eye(L) + blk)
    np.testing.assert_allclose(sum(Um.T @ Um for Um in U), 2 * np.eye(M) + (M - 2) * np.ones((M, M)))
    # consistent data: the global step is the identity and the local views reproduce the copies
    e = rng.standard_normal((M, M - 1, K))
    inc, out = kn.admm_pair_local(e)
    np.testing.assert_allclose(kn.admm_pair_update(out, inc), e, atol=1e-12)
    x = rng.standard_normal((M, 3))
    bar, own = kn.admm_sum_local(x)
    np.testing.assert_allclose(kn.admm_sum_update(bar, own), x, atol=1e-12)


# --------------------------------------------------------------------------- input checks
@pytest.mark.parametrize("kw,name", [(dict(tau=(0.3, 0.8)), "tau"), (dict(rate_info=-1.0), "rate_info"),
                                     (dict(rate_leak=-0.5), "rate_leak"),
                                     (dict(bs_positions=((0.0, 0.0), (1.0, 1.0), (2.0, 2.0))), "bs_positions"),
                                     (dict(bs_positions=((1.0, 2.0), (3.0, 4.0))), "bs_positions"),
                                     (dict(prior_cov=((1.0, 2.0), (2.0, 1.0))), "prior_cov")])
def test_scenario_rejects_bad_inputs(kw, name):
    with pytest.raises(ValueError, match=name):
        NetworkedScenario(**kw)


def test_kernel_wrappers_reject_bad_inputs(inst):
    with pytest.raises(ValueError, match="bs_positions"):
        kn.eve_geometry(Q_BS, Q_BS[0])
    with pytest.raises(ValueError, match="W"):
        kn.worst_case_sinr(np.ones((3, 2)), np.eye(3), np.ones(3), 1.0, 1.0)
    with pytest.raises(ValueError, match="beta"):
        kn.worst_case_sinr(np.eye(3), np.eye(3), np.ones(3), -1.0, 1.0)
    with pytest.raises(ValueError, match="noise"):
        kn.worst_case_sinr(np.eye(3), np.eye(3), np.ones(3), 1.0, 0.0)
    with pytest.raises(ValueError, match="S"):
        kn.fim_transmitted(inst.J, np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="y_out"):
        kn.admm_pair_update(np.zeros((3, 3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="rng"):
        NetworkedScenario().draw(0)
