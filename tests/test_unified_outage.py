"""Seed 001 (unified_outage): outage kernels, unified-framework kernels and Algorithm 1.

* public kernels (:mod:`fastisac.kernels.outage`) vs their NumPy twins in
  :mod:`fastisac.reference` (hypothesis, N 3..8, K 1..4, M 0..3): SOP F for both models,
  tau*, implicit gradients, rates, the three sensing metrics and gradients, projections;
* central finite differences (real and imaginary parts) of every analytic gradient,
  including the implicit gradient of R^E (the full root solve is differenced);
* oracles of spec 7: single beam without AN, (9) == (9-ex) for orthogonal beams, the
  rank-one closed form, monotonicity, joint scaling, the worst eavesdropper (11);
* Monte Carlo vs closed form within a binomial band, intercept <= SOP, counts independent
  of the thread count and of the chunk size;
* MVDR maximises the sensing SINR (7.7);
* Algorithm 1 (power, Proposition 1 at the output, the returned objective, singleton Lambda,
  rho, identical users, the unregularised variant, input validation) and the Monte Carlo
  outage guarantee of its output.
"""

from __future__ import annotations

import dataclasses
import math

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastisac.kernels.outage as O
import fastisac.reference as R
from fastisac.algorithms.unified_outage import (_initial_point, sensing_problem, unified_method,
                                                verify_outage)
from fastisac.kernels._unified import unified_alg1_nb
from fastisac.systems import UnifiedOutageScenario

SETTINGS = settings(max_examples=25, deadline=None, database=None)
seeds = st.integers(0, 2**32 - 1)
n_ant = st.integers(3, 8)
n_users = st.integers(1, 4)
n_an = st.integers(0, 3)
MODELS = ("exact", "det")
METRIC_NAMES = ("sinr", "beampattern", "detection")


# --------------------------------------------------------------------------- helpers

def crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)


def rel_err(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def instance(rng, n, k, m):
    """Random X = [W, V] (N x (K+M)) and eavesdropper statistics."""
    X = crandn(rng, n, k + m) * rng.uniform(0.3, 2.0)
    delta2 = float(rng.uniform(0.2, 5.0))
    sigma2 = float(rng.uniform(0.2, 5.0))
    eps = float(rng.uniform(0.02, 0.9))
    return X, delta2, sigma2, eps


def fd_gradient(fun, Z, h):
    """Central difference real-sense gradient d fun/d Re Z + j d fun/d Im Z."""
    G = np.zeros(Z.shape, dtype=np.complex128)
    for idx in np.ndindex(Z.shape):
        for unit in (1.0, 1j):
            Zp = Z.copy()
            Zm = Z.copy()
            Zp[idx] += h * unit
            Zm[idx] -= h * unit
            G[idx] += unit * (fun(Zp) - fun(Zm)) / (2.0 * h)
    return G


def sensing_data(rng, n, n_scat=2, n_grid=13):
    """Steering vectors, gains and beampattern grid for the three sensing metrics."""
    th = rng.uniform(-1.2, 1.2, n_scat + 1)
    steer = np.exp(1j * np.pi * np.outer(np.sin(th), np.arange(n)))
    grid = np.linspace(-np.pi / 2, np.pi / 2, n_grid)
    Agrid = np.exp(1j * np.pi * np.outer(np.sin(grid), np.arange(n)))
    return dict(a0=steer[0], As=steer[1:], alpha2=rng.uniform(0.2, 3.0, n_scat + 1),
                gamma=float(rng.uniform(0.5, 3.0)), Agrid=Agrid, Pd=rng.uniform(0.0, 2.0 * n, n_grid),
                eps_bp=float(rng.uniform(1.0, 20.0)), kappa=float(rng.uniform(0.5, 2.0)),
                t_d=float(rng.uniform(1.0, 10.0)))


# --------------------------------------------------------------------------- kernel vs reference

@SETTINGS
@given(n=n_ant, k=n_users, m=n_an, seed=seeds, model=st.sampled_from(MODELS))
def test_sop_and_redundancy_vs_reference(n, k, m, seed, model):
    rng = np.random.default_rng(seed)
    X, d2, s2, eps = instance(rng, n, k, m)
    for j in range(k):
        tau_o = O.redundancy_threshold(X, j, d2, s2, eps, model)
        tau_r = R.redundancy_threshold(X, j, d2, s2, eps, model)
        assert abs(tau_o - tau_r) <= 1e-9 * (1.0 + tau_r)
        assert abs(O.redundancy_rate(X, j, d2, s2, eps, model) - R.redundancy_rate(X, j, d2, s2, eps, model)) <= 1e-9
        w = X[:, j]
        B = R._interference(X, j)
        # F on a few thresholds below the root (finite there for both models)
        for frac in (0.1, 0.5, 0.9, 1.0):
            t = frac * tau_r
            Fo, Fr = O.sop_function(w, B, t, d2, s2, model), R.sop_function(w, B, t, d2, s2, model)
            assert abs(Fo - Fr) <= 1e-9 * (1.0 + abs(Fr))
            assert abs(O.secrecy_outage_probability(w, B, t, d2, s2, model)
                       - R.secrecy_outage_probability(w, B, t, d2, s2, model)) <= 1e-9
        # at the root the SOP equals epsilon
        assert abs(O.secrecy_outage_probability(w, B, tau_o, d2, s2, model) - eps) <= 1e-9 * eps
        Go = O.redundancy_rate_gradient(X, j, d2, s2, eps, model)
        Gr = R.redundancy_rate_gradient(X, j, d2, s2, eps, model)
        assert rel_err(Go, Gr) <= 1e-7


@SETTINGS
@given(n=n_ant, k=n_users, m=n_an, seed=seeds)
def test_rates_and_sensing_vs_reference(n, k, m, seed):
    rng = np.random.default_rng(seed)
    X, *_ = instance(rng, n, k, m)
    Hc = crandn(rng, k, n) * 2.0
    wts = rng.uniform(0.0, 2.0, k)
    Ro, Go = O.rates_and_gradient(Hc, X, k, wts)
    Rr, Gr = R.rates_and_gradient(Hc, X, k, wts)
    np.testing.assert_allclose(Ro, Rr, rtol=1e-11, atol=1e-13)
    assert rel_err(Go, Gr) <= 1e-10
    sd = sensing_data(rng, n, n_scat=int(rng.integers(0, 3)))
    u = O.project_sphere(crandn(rng, n))
    for metric in METRIC_NAMES:
        fo, gXo, guo = O.sensing_metric(metric, X, u, **sd)
        fr, gXr, gur = R.sensing_metric(metric, X, u, **sd)
        assert abs(fo - fr) <= 1e-10 * (1.0 + abs(fr)), metric
        assert rel_err(gXo, gXr) <= 1e-10, metric
        if metric == "sinr":
            assert rel_err(guo, gur) <= 1e-10
        else:
            assert not np.any(guo)
    uo = O.mvdr_filter(X, sd["a0"], sd["As"], sd["alpha2"])
    ur = R.mvdr_filter(X, sd["a0"], sd["As"], sd["alpha2"])
    assert abs(abs(np.vdot(uo, ur)) - 1.0) <= 1e-10
    assert abs(O.sensing_sinr(X, u, sd["a0"], sd["As"], sd["alpha2"])
               - R.sensing_sinr(X, u, sd["a0"], sd["As"], sd["alpha2"])) <= 1e-10 * R.sensing_sinr(
        X, u, sd["a0"], sd["As"], sd["alpha2"])


@SETTINGS
@given(k=st.integers(1, 12), seed=seeds, scale=st.sampled_from([1e-3, 1.0, 30.0]))
def test_simplex_projection(k, seed, scale):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(k) * scale
    p_sort, p_bis = O.project_simplex(x), R.project_simplex(x)
    np.testing.assert_allclose(p_sort, p_bis, rtol=0, atol=1e-12 * max(1.0, scale))
    assert np.all(p_sort >= 0) and abs(p_sort.sum() - 1.0) <= 1e-12
    # optimality: every lambda in the simplex is no closer to x
    for _ in range(5):
        q = rng.dirichlet(np.ones(k))
        assert np.linalg.norm(x - p_sort) <= np.linalg.norm(x - q) + 1e-12
    # identity on points of the simplex (including faces)
    lam = rng.dirichlet(np.ones(k))
    lam[rng.random(k) < 0.3] = 0.0
    lam = lam / lam.sum() if lam.sum() > 0 else np.eye(k)[0]
    np.testing.assert_allclose(O.project_simplex(lam), lam, rtol=0, atol=1e-15)
    np.testing.assert_allclose(R.project_simplex(lam), lam, rtol=0, atol=1e-12)


@SETTINGS
@given(n=n_ant, c=st.integers(1, 6), seed=seeds, scale=st.sampled_from([0.1, 1.0, 10.0]),
       radius2=st.sampled_from([0.5, 1.0, 4.0]))
def test_ball_and_sphere_projection(n, c, seed, scale, radius2):
    rng = np.random.default_rng(seed)
    Y = crandn(rng, n, c) * scale
    closed, bisect = O.project_ball(Y, radius2), R.project_ball(Y, radius2)
    np.testing.assert_allclose(closed, bisect, rtol=0, atol=1e-12 * max(1.0, np.abs(Y).max()))   # spec 7.10
    assert np.linalg.norm(closed) ** 2 <= radius2 * (1 + 1e-12)
    if np.linalg.norm(Y) ** 2 <= radius2:
        np.testing.assert_array_equal(closed, Y)
    else:
        assert abs(np.linalg.norm(closed) ** 2 - radius2) <= 1e-12 * radius2
    u = O.project_sphere(Y[:, 0])
    assert abs(np.linalg.norm(u) - 1.0) <= 1e-14
    assert abs(abs(np.vdot(u, Y[:, 0])) - np.linalg.norm(Y[:, 0])) <= 1e-12 * np.linalg.norm(Y[:, 0])
    np.testing.assert_allclose(u, R.project_sphere(Y[:, 0]), rtol=0, atol=1e-15)


# --------------------------------------------------------------------------- finite differences

FD_CASES = [(3, 1, 0, 0), (5, 3, 2, 1), (6, 2, 3, 2), (8, 4, 1, 3), (4, 2, 0, 4)]


@pytest.mark.parametrize("n, k, m, seed", FD_CASES)
def test_rate_gradient_finite_difference(n, k, m, seed):
    rng = np.random.default_rng(seed)
    X, *_ = instance(rng, n, k, m)
    Hc = crandn(rng, k, n) * 1.5
    wts = rng.uniform(0.1, 2.0, k)
    _, G = O.rates_and_gradient(Hc, X, k, wts)
    fd = fd_gradient(lambda Z: float(wts @ O.rates_and_gradient(Hc, Z, k, wts)[0]), X, 1e-6)
    assert rel_err(fd, G) < 1e-6


@pytest.mark.parametrize("n, k, m, seed", FD_CASES)
@pytest.mark.parametrize("metric", METRIC_NAMES)
def test_sensing_gradient_finite_difference(n, k, m, seed, metric):
    rng = np.random.default_rng(100 + seed)
    X, *_ = instance(rng, n, k, m)
    sd = sensing_data(rng, n, n_scat=min(2, n - 1))
    u = O.project_sphere(crandn(rng, n))
    _, gX, gu = O.sensing_metric(metric, X, u, **sd)
    fd = fd_gradient(lambda Z: O.sensing_metric(metric, Z, u, **sd)[0], X, 1e-6)
    assert rel_err(fd, gX) < 1e-6
    if metric == "sinr":
        fdu = fd_gradient(lambda z: O.sensing_metric(metric, X, z, **sd)[0], u, 1e-6)
        assert rel_err(fdu, gu) < 1e-6


@pytest.mark.parametrize("n, k, m, seed", FD_CASES)
@pytest.mark.parametrize("model", MODELS)
def test_redundancy_gradient_finite_difference(n, k, m, seed, model):
    """Implicit-function gradient (38d-f) vs a central difference of the whole root solve."""
    rng = np.random.default_rng(200 + seed)
    X, d2, s2, eps = instance(rng, n, k, m)
    for j in range(k):
        G = O.redundancy_rate_gradient(X, j, d2, s2, eps, model)
        fd = fd_gradient(lambda Z: R.redundancy_rate(Z, j, d2, s2, eps, model), X, 1e-5)
        assert rel_err(fd, G) < 1e-6, (j, rel_err(fd, G))
    # the kernel's own Newton root is smooth enough to difference too
    fd = fd_gradient(lambda Z: O.redundancy_rate(Z, 0, d2, s2, eps, model), X, 1e-5)
    assert rel_err(fd, O.redundancy_rate_gradient(X, 0, d2, s2, eps, model)) < 1e-6


# --------------------------------------------------------------------------- oracles (spec 7)

@pytest.mark.parametrize("model", MODELS)
def test_single_beam_no_an(model):
    """7.2: R^E = log2(1 + delta2 ||w||^2 / sigma2 ln(1/eps)); 0 dB, eps = 0.1 -> 1.7236."""
    rng = np.random.default_rng(1)
    w = crandn(rng, 6, 1)
    w /= np.linalg.norm(w)
    assert round(O.redundancy_rate(w, 0, 1.0, 1.0, 0.1, model), 4) == 1.7236
    assert abs(O.redundancy_rate(w, 0, 1.0, 1.0, 0.1, model) - math.log2(1 + math.log(10))) <= 1e-12
    for d2, s2, eps, scale in [(2.0, 0.5, 0.05, 0.7), (0.3, 4.0, 0.5, 3.0)]:
        X = w * scale
        expect = math.log2(1 + d2 * scale**2 / s2 * math.log(1 / eps))
        assert abs(O.redundancy_rate(X, 0, d2, s2, eps, model) - expect) <= 1e-11 * expect
        assert abs(R.redundancy_rate(X, 0, d2, s2, eps, model) - expect) <= 1e-11 * expect


@pytest.mark.parametrize("n, k, m", [(4, 2, 1), (6, 3, 2), (8, 3, 5)])
def test_det_equals_exact_for_orthogonal_beams(n, k, m):
    """7.1/7.5: with the columns of X mutually orthogonal, (9) and (9-ex) coincide."""
    rng = np.random.default_rng(n)
    Q, _ = np.linalg.qr(crandn(rng, n, n))
    X = Q[:, :k + m] * rng.uniform(0.3, 2.0, k + m)
    for j in range(k):
        w, B = X[:, j], R._interference(X, j)
        for t in (0.1, 0.7, 2.5):
            assert abs(O.sop_function(w, B, t, 1.3, 0.7, "exact") - O.sop_function(w, B, t, 1.3, 0.7, "det")) <= 1e-11
        re_ex = O.redundancy_rate(X, j, 1.3, 0.7, 0.1, "exact")
        re_det = O.redundancy_rate(X, j, 1.3, 0.7, 0.1, "det")
        assert abs(re_ex - re_det) <= 1e-11


def test_rank_one_interference_closed_form():
    """7.5: B = b w w^H / p: exact SOP exp(-tau s/(p - tau b)) (0 if tau b >= p), (9) gives
    exp(-tau s/p) / (1 + tau b/p)."""
    rng = np.random.default_rng(3)
    w = crandn(rng, 5)
    p = float(np.vdot(w, w).real)
    b = 0.8 * p
    B = b * np.outer(w, w.conj()) / p
    d2, s2 = 1.5, 0.6
    s = s2 / d2
    for tau in (0.05, 0.3, 0.9, 1.2, 1.25 - 1e-6):
        exact = math.exp(-tau * s / (p - tau * b))
        det = math.exp(-tau * s / p) / (1 + tau * b / p)
        assert abs(O.secrecy_outage_probability(w, B, tau, d2, s2, "exact") - exact) <= 1e-10
        assert abs(R.secrecy_outage_probability(w, B, tau, d2, s2, "exact") - exact) <= 1e-10
        assert abs(O.secrecy_outage_probability(w, B, tau, d2, s2, "det") - det) <= 1e-12
    assert O.secrecy_outage_probability(w, B, 1.3, d2, s2, "exact") == 0.0      # tau b >= p


@pytest.mark.parametrize("model", MODELS)
def test_redundancy_monotonicity_and_scaling(model):
    """7.3 and 7.4."""
    rng = np.random.default_rng(11)
    X, _, _, _ = instance(rng, 6, 3, 2)
    for k in range(3):
        re = lambda Z=X, d2=1.0, s2=1.0, eps=0.1: O.redundancy_rate(Z, k, d2, s2, eps, model)  # noqa: E731
        seq = [re(d2=d) for d in (0.1, 0.5, 1.0, 3.0, 10.0)]
        assert np.all(np.diff(seq) > 0)
        seq = [re(s2=s) for s in (0.1, 0.5, 1.0, 3.0, 10.0)]
        assert np.all(np.diff(seq) < 0)
        scaled = []
        for a in (0.5, 0.8, 1.0, 1.5, 3.0):
            Z = X.copy()
            Z[:, k] *= a
            scaled.append(re(Z))
        assert np.all(np.diff(scaled) > 0)
        seq = [re(eps=e) for e in (0.01, 0.05, 0.1, 0.5, 0.9, 1.0)]
        assert np.all(np.diff(seq) < 0) and seq[-1] == 0.0
        # 7.4: (W, V, sigma_e) -> (sW, sV, s sigma_e) leaves tau* unchanged
        t0 = O.redundancy_threshold(X, k, 1.0, 0.7, 0.1, model)
        for s in (0.01, 3.0, 100.0):
            assert abs(O.redundancy_threshold(s * X, k, 1.0, 0.7 * s**2, 0.1, model) - t0) <= 1e-9 * t0
        if model == "det":   # more AN along a fixed direction lowers R^E (log-det grows)
            Z = np.concatenate([X, crandn(rng, 6, 1)], axis=1)
            seq = []
            for a in (0.0, 0.5, 1.0, 2.0):
                Z2 = Z.copy()
                Z2[:, -1] *= a
                seq.append(re(Z2))
            assert np.all(np.diff(seq) < 0)


def test_worst_eavesdropper():
    """(11): R^E_k = max_e R^E_{k,e} is attained at argmax delta2 / sigma2, for both models."""
    rng = np.random.default_rng(5)
    X, *_ = instance(rng, 5, 2, 2)
    d2 = np.array([0.5, 2.0, 1.2, 0.1])
    s2 = np.array([0.2, 1.5, 0.3, 0.05])
    e_star = O.worst_eavesdropper(d2, s2)
    assert e_star == int(np.argmax(d2 / s2)) == R.worst_eavesdropper(d2, s2) == 2
    assert O.worst_eavesdropper(d2, 1.0) == 1
    for model in MODELS:
        for k in range(2):
            per_e = [O.redundancy_rate(X, k, d, s, 0.1, model) for d, s in zip(d2, s2)]
            assert int(np.argmax(per_e)) == e_star


# --------------------------------------------------------------------------- Monte Carlo

def _mc_instance():
    rng = np.random.default_rng(2024)
    X = crandn(rng, 6, 5)                                   # N = 6, K = 3, M = 2
    d2, s2, eps = 1.0, 0.5, 0.1
    taus = np.array([O.redundancy_threshold(X, k, d2, s2, eps, "exact") for k in range(3)])
    return X, d2, s2, eps, taus


def test_monte_carlo_matches_closed_form():
    """7.1/7.6: with tau* from (9-ex) the empirical SOP is epsilon (4-sigma binomial band,
    10^6 draws); intercept <= SOP; the intercept probability also matches exp(-F)."""
    X, d2, s2, eps, taus = _mc_instance()
    rates = np.log2(1 + taus) + np.array([0.1, 0.4, 1.0])      # any R_k >= R^E_k
    n = 1_000_000
    out = O.outage_monte_carlo(X, 3, d2, s2, taus, rates, n, seed=7)
    band = 4 * math.sqrt(eps * (1 - eps) / n)
    assert np.all(np.abs(out["sop"] - eps) <= band), out["sop"]
    assert np.all(out["intercept_counts"] <= out["outage_counts"])
    for k in range(3):
        p_int = O.secrecy_outage_probability(X[:, k], R._interference(X, k), 2 ** rates[k] - 1, d2, s2)
        assert abs(out["intercept"][k] - p_int) <= 4 * math.sqrt(p_int * (1 - p_int) / n) + 1e-6
    np.testing.assert_array_equal(O.intercept_probability(X, 3, d2, s2, rates, n, seed=7), out["intercept"])
    # the NumPy twin (different random numbers) agrees statistically
    n_ref = 200_000
    ref = R.outage_monte_carlo(X, 3, d2, s2, taus, rates, n_ref, seed=7, chunk=50_000)
    assert np.all(np.abs(ref["sop"] - eps) <= 4 * math.sqrt(eps * (1 - eps) / n_ref))
    assert np.all(ref["intercept_counts"] <= ref["outage_counts"])


def test_monte_carlo_det_model_biased_unless_orthogonal():
    """7.1: the (9) root is calibrated only for orthogonal beams."""
    rng = np.random.default_rng(9)
    n = 400_000
    band = 4 * math.sqrt(0.1 * 0.9 / n)
    Q, _ = np.linalg.qr(crandn(rng, 6, 6))
    Xo = Q[:, :5] * rng.uniform(0.5, 2.0, 5)
    taus = np.array([O.redundancy_threshold(Xo, k, 1.0, 0.5, 0.1, "det") for k in range(3)])
    out = O.outage_monte_carlo(Xo, 3, 1.0, 0.5, taus, np.log2(1 + taus), n, seed=3)
    assert np.all(np.abs(out["sop"] - 0.1) <= band)
    # general beams: the Monte Carlo follows (9-ex) at the (9) root, which misses epsilon
    X = crandn(rng, 6, 5)
    taus = np.array([O.redundancy_threshold(X, k, 1.0, 0.5, 0.1, "det") for k in range(3)])
    exact = np.array([O.secrecy_outage_probability(X[:, k], R._interference(X, k), taus[k], 1.0, 0.5, "exact")
                      for k in range(3)])
    out = O.outage_monte_carlo(X, 3, 1.0, 0.5, taus, np.log2(1 + taus), n, seed=4)
    assert np.all(np.abs(out["sop"] - exact) <= 4 * np.sqrt(exact * (1 - exact) / n))
    assert np.all(np.abs(out["sop"] - 0.1) > band)


def test_monte_carlo_deterministic_across_threads_and_chunks():
    X, d2, s2, eps, taus = _mc_instance()
    rates = np.log2(1 + taus) + 0.3
    n = 50_001
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = O.outage_monte_carlo(X, 3, d2, s2, taus, rates, n, seed=11, chunk=4096)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = O.outage_monte_carlo(X, 3, d2, s2, taus, rates, n, seed=11, chunk=4096)
    finally:
        numba.set_num_threads(before)
    for chunk in (1, 777, 65536, 10**6):
        other = O.outage_monte_carlo(X, 3, d2, s2, taus, rates, n, seed=11, chunk=chunk)
        for key in ("outage_counts", "intercept_counts"):
            np.testing.assert_array_equal(other[key], one[key])
    for key in ("outage_counts", "intercept_counts"):
        np.testing.assert_array_equal(one[key], two[key])
    # a prefix of the draws is the same draws: counts are monotone in n_draws for fixed seed
    half = O.outage_monte_carlo(X, 3, d2, s2, taus, rates, n // 2, seed=11)
    assert np.all(half["outage_counts"] <= one["outage_counts"])
    other_seed = O.outage_monte_carlo(X, 3, d2, s2, taus, rates, n, seed=12)
    assert not np.array_equal(other_seed["outage_counts"], one["outage_counts"])


# --------------------------------------------------------------------------- MVDR (7.7)

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mvdr_maximises_sensing_sinr(seed):
    rng = np.random.default_rng(seed)
    n = 8
    X, *_ = instance(rng, n, 3, 2)
    sd = sensing_data(rng, n, n_scat=3)
    a0, As, alpha2 = sd["a0"], sd["As"], sd["alpha2"]
    u = O.mvdr_filter(X, a0, As, alpha2)
    best = O.sensing_sinr(X, u, a0, As, alpha2)
    Rm = X @ X.conj().T
    Cm = np.eye(n) + sum(alpha2[i + 1] * np.vdot(a, Rm @ a).real * np.outer(a, a.conj()) for i, a in enumerate(As))
    closed = alpha2[0] * np.vdot(a0, Rm @ a0).real * np.vdot(a0, np.linalg.solve(Cm, a0)).real
    assert abs(best - closed) <= 1e-10 * closed
    assert abs(O.sensing_sinr(X, 3.7j * u, a0, As, alpha2) - best) <= 1e-12 * best      # scale invariance
    for _ in range(200):
        v = O.project_sphere(crandn(rng, n))
        assert O.sensing_sinr(X, v, a0, As, alpha2) <= best * (1 + 1e-12)


# --------------------------------------------------------------------------- Algorithm 1

SC = UnifiedOutageScenario()
THRESHOLDS = {"sinr": 0.0, "beampattern": 0.1, "detection": 0.9}


def _draw(seed, sc=SC):
    return sc.draw(np.random.default_rng(seed))


def alg1_args(sc, inst, metric="sinr", threshold=0.0, objective="worst", n_iter=50, regularised=True,
              sop_model="exact", c0=1.0, max_step=0.03, beta=0.5, tol_f=1e-6, beta_rho=0.7):
    """The positional arguments unified_method passes to unified_alg1_nb (same build)."""
    K, P = sc.n_users, sc.power_w
    sp = sensing_problem(sc, inst, metric, threshold)
    inv_snr = float(sc.noise_w / (np.max(inst.delta2) * P))
    log_inv_eps = math.log(1.0 / sc.epsilon)
    lam0 = np.full(K, 1.0 / K) if objective == "worst" else np.ones(K)
    Hc = np.ascontiguousarray(inst.H * math.sqrt(P / sc.noise_w))
    X0 = _initial_point(sc, inst, sp, sc.n_an_columns)
    u0 = O.mvdr_filter(X0, sp.a0, sp.As, sp.alpha2) if metric == "sinr" else sp.a0 / np.linalg.norm(sp.a0)
    return (Hc, X0, np.ascontiguousarray(u0), lam0, K, objective == "worst", inv_snr, log_inv_eps,
            0 if sop_model == "exact" else 1, True, *sp.args(), n_iter, c0, beta, 1.0, 1.0, tol_f,
            regularised, max_step, beta_rho)


def numpy_alg1(*args):
    """Algorithm 1 with the NumPy reference functions (``fastisac.reference.unified_alg1``),
    as a dict with the lambda and U traces; traces cut at the last iteration run."""
    tr = {}
    Xb, ub, best, best_it, obj, f, rho, n_done = R.unified_alg1(*args, traces=tr)
    n = len(tr["U"])
    return dict(X=Xb, u=ub, best=best, best_it=best_it, obj=obj[:n], f=f[:n], rho=rho[:n], lam=tr["lam"], U=tr["U"])


@pytest.mark.parametrize("metric", METRIC_NAMES)
@pytest.mark.parametrize("seed", [0, 1])
def test_alg1_output_properties(metric, seed):
    sc, inst = SC, _draw(seed)
    res = unified_method(sc, inst, metric=metric, threshold=THRESHOLDS[metric], n_iter=200)
    P = sc.power_w
    assert np.sum(np.abs(res.W) ** 2) + np.sum(np.abs(res.V) ** 2) <= P * (1 + 1e-9)
    assert res.feasible and res.sensing_f >= -1e-6                          # Proposition 1 at the output
    assert res.objective == pytest.approx(float(np.min(res.U)), abs=1e-12)
    assert res.objective == pytest.approx(res.objective_trace[res.best_iteration], abs=1e-8)
    assert res.objective >= np.max(res.objective_trace[res.f_trace >= -1e-6]) - 1e-8
    # independent recomputation of U_k in physical units with the public kernels
    K = sc.n_users
    X = np.concatenate([res.W, res.V], axis=1)
    Rk, _ = O.rates_and_gradient(inst.H / math.sqrt(sc.noise_w), X, K)
    e = O.worst_eavesdropper(inst.delta2, sc.noise_w)
    RE = np.array([O.redundancy_rate(X, k, inst.delta2[e], sc.noise_w, sc.epsilon) for k in range(K)])
    np.testing.assert_allclose(Rk - RE, res.U, rtol=0, atol=1e-8)
    np.testing.assert_allclose(RE, res.RE, rtol=0, atol=1e-8)


def test_alg1_kernel_matches_numpy_replica():
    """The Numba loop and the NumPy replica built from the reference functions agree."""
    sc, inst = SC, _draw(3)
    for metric in METRIC_NAMES:
        args = alg1_args(sc, inst, metric, THRESHOLDS[metric], n_iter=30)
        Xb, ub, best, best_it, obj_tr, f_tr, rho_tr, n_done = unified_alg1_nb(*args)
        ref = numpy_alg1(*args)
        np.testing.assert_allclose(obj_tr, ref["obj"], rtol=0, atol=1e-8)
        np.testing.assert_allclose(f_tr, ref["f"], rtol=0, atol=1e-8)
        np.testing.assert_allclose(rho_tr, ref["rho"], rtol=0, atol=1e-8)
        assert best_it == ref["best_it"]
        np.testing.assert_allclose(Xb, ref["X"], rtol=0, atol=1e-8)


def test_alg1_singleton_lambda_and_rho():
    """7.11: Lambda = {1}: lambda never changes (the fixed-lambda replica reproduces the
    kernel); with f >= 0 along the path rho stays 0 (plain projected gradient ascent)."""
    sc, inst = SC, _draw(1)
    res = unified_method(sc, inst, metric="sinr", threshold=-10.0, objective="sum", n_iter=200)
    assert np.all(res.f_trace >= 0) and np.all(res.rho_trace == 0.0)
    assert res.objective == pytest.approx(float(np.sum(res.U)), abs=1e-10)
    args = alg1_args(sc, inst, "sinr", -10.0, objective="sum", n_iter=40)
    out = unified_alg1_nb(*args)
    ref = numpy_alg1(*args)
    assert np.all(ref["lam"] == 1.0)
    np.testing.assert_allclose(out[4], ref["obj"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(out[4], ref["U"].sum(axis=1), rtol=0, atol=1e-8)
    # rho recursion: rho^t = 0 and f^t >= 0 imply rho^{t+1} = 0, on a run where f goes negative
    res = unified_method(sc, _draw(0), metric="detection", threshold=0.999, objective="sum", n_iter=200)
    f, rho = res.f_trace, res.rho_trace
    assert np.any(f < 0) and np.any(rho > 0)
    stay = (rho[:-1] == 0) & (f[:-1] >= 0)
    assert np.all(rho[1:][stay] == 0)
    grow = f[:-1] < 0
    assert np.all(rho[1:][grow] > 0)


def test_alg1_identical_users_keep_uniform_lambda():
    """7.14: identical users and a symmetric start: lambda^t = 1/K and every U_k equals the objective."""
    sc = SC
    base = _draw(4)
    inst = dataclasses.replace(base, H=np.ascontiguousarray(np.tile(base.H[:1], (sc.n_users, 1))))
    args = alg1_args(sc, inst, "sinr", 0.0, n_iter=8)
    out = unified_alg1_nb(*args)
    ref = numpy_alg1(*args)
    np.testing.assert_allclose(out[4], ref["obj"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ref["lam"], 1.0 / sc.n_users, rtol=0, atol=1e-12)
    for t in range(len(out[4])):
        np.testing.assert_allclose(ref["U"][t], out[4][t], rtol=0, atol=1e-9)


def test_alg1_unregularised_terminates_when_infeasible():
    sc, inst = SC, _draw(0)
    res = unified_method(sc, inst, metric="detection", threshold=0.9, n_iter=200, regularised=False)
    assert res.iterations < 200
    assert res.f_trace[-1] < 0 and np.all(res.f_trace[:-1] >= 0)
    assert len(res.objective_trace) == res.iterations + 1
    assert 0 <= res.best_iteration <= res.iterations
    feas = res.f_trace >= -1e-6
    assert res.objective == pytest.approx(np.max(res.objective_trace[feas]), abs=1e-8)
    assert res.sensing_f >= -1e-6
    ref = numpy_alg1(*alg1_args(sc, inst, "detection", 0.9, n_iter=200, regularised=False))
    assert len(ref["obj"]) == res.iterations + 1


@pytest.mark.parametrize("kwargs, argname", [
    (dict(metric="snr"), "metric"),
    (dict(objective="max"), "objective"),
    (dict(sop_model="approx"), "sop_model"),
    (dict(metric="detection", threshold=1e-5), "threshold"),
    (dict(metric="detection", threshold=1.0), "threshold"),
    (dict(metric="beampattern", threshold=0.0), "threshold"),
    (dict(n_iter=-1), "n_iter"),
    (dict(n_iter=2.5), "n_iter"),
    (dict(threshold=np.nan), "threshold"),
    (dict(objective="sum", weights=[1.0, -1.0, 1.0]), "weights"),
    (dict(beta=0.0), "beta"),
])
def test_alg1_validation(kwargs, argname):
    with pytest.raises(ValueError, match=rf"^{argname}\b"):
        unified_method(SC, _draw(0), **{"n_iter": 5, **kwargs})


@pytest.mark.parametrize("changes, argname", [
    (dict(epsilon=0.0), "epsilon"), (dict(epsilon=1.5), "epsilon"), (dict(n_scatterers=8), "n_scatterers"),
    (dict(n_scatterers=9), "n_scatterers"), (dict(n_antennas=1), "n_antennas"), (dict(p_fa=0.0), "p_fa"),
    (dict(radius_m=-1.0), "radius_m"), (dict(n_users=0), "n_users"),
])
def test_scenario_validation(changes, argname):
    with pytest.raises(ValueError, match=rf"^{argname}\b"):
        UnifiedOutageScenario(**changes)


def test_verify_outage_on_alg1_output():
    """The paper's guarantee: at the worst eavesdropper every user's SOP is epsilon (binomial
    band), at the other eavesdropper it is at most epsilon; intercept <= SOP."""
    sc, inst = SC, _draw(2)
    res = unified_method(sc, inst, metric="sinr", threshold=0.0, n_iter=200)
    n = 1_000_000
    out = verify_outage(sc, inst, res, n_draws=n, seed=5)
    band = 4 * math.sqrt(sc.epsilon * (1 - sc.epsilon) / n)
    e_star = O.worst_eavesdropper(inst.delta2, sc.noise_w)
    sop = np.array(out["sop"])
    assert sop.shape == (sc.n_eves, sc.n_users)
    assert np.all(np.abs(sop[e_star] - sc.epsilon) <= band), sop
    assert np.all(sop <= sc.epsilon + band)
    icpt = np.array(out["intercept"])
    ok = res.U >= 0
    assert np.all(icpt[:, ok] <= sop[:, ok])


# --------------------------------------------------------------------------- validation of the kernels

def _validation_cases():
    rng = np.random.default_rng(0)
    X = crandn(rng, 4, 3)
    w, B = X[:, 0], R._interference(X, 0)
    sd = sensing_data(rng, 4)
    cases = []

    def add(fn, good, arg, bad):
        kw = dict(good)
        kw[arg] = bad
        cases.append(pytest.param(fn, kw, arg, id=f"{fn.__name__}-{arg}-{len(cases)}"))

    for fn in (O.sop_function, O.secrecy_outage_probability):
        good = dict(w=w, B=B, tau=0.5, delta2=1.0, sigma2=1.0, model="exact")
        add(fn, good, "w", np.zeros(4))
        add(fn, good, "w", np.full(4, np.nan))
        add(fn, good, "B", B[:3, :3])
        add(fn, good, "B", B + np.triu(np.ones((4, 4)), 1))
        add(fn, good, "B", -B)
        add(fn, good, "tau", -1.0)
        add(fn, good, "delta2", -1.0)
        add(fn, good, "sigma2", -0.5)
        add(fn, good, "sigma2", np.nan)
        add(fn, good, "model", "approx")
    for fn in (O.redundancy_threshold, O.redundancy_rate, O.redundancy_rate_gradient):
        good = dict(X=X, k=0, delta2=1.0, sigma2=1.0, epsilon=0.1, model="det")
        add(fn, good, "X", X[:, 0])
        add(fn, good, "X", np.full((4, 3), np.nan))
        add(fn, good, "X", np.array([["a"]]))
        add(fn, good, "k", 3)
        add(fn, good, "k", -1)
        add(fn, good, "delta2", 0.0)
        add(fn, good, "sigma2", -1.0)
        add(fn, good, "epsilon", 0.0)
        add(fn, good, "epsilon", 1.2)
        add(fn, good, "epsilon", np.nan)
        add(fn, good, "model", "exct")
    add(O.worst_eavesdropper, dict(delta2=[1.0, 2.0], sigma2=1.0), "delta2", [1.0, -2.0])
    add(O.worst_eavesdropper, dict(delta2=[1.0, 2.0], sigma2=1.0), "delta2", [])
    add(O.worst_eavesdropper, dict(delta2=[1.0, 2.0], sigma2=1.0), "sigma2", [1.0, 1.0, 1.0])
    add(O.worst_eavesdropper, dict(delta2=[1.0, 2.0], sigma2=1.0), "sigma2", -1.0)
    good = dict(X=X, n_streams=2, delta2=1.0, sigma2=1.0, tau=[0.5, 0.5], rates=[1.0, 1.0], n_draws=10)
    add(O.outage_monte_carlo, good, "n_streams", 4)
    add(O.outage_monte_carlo, good, "delta2", -1.0)
    add(O.outage_monte_carlo, good, "sigma2", 0.0)
    add(O.outage_monte_carlo, good, "tau", [0.5])
    add(O.outage_monte_carlo, good, "tau", [-0.5, 0.5])
    add(O.outage_monte_carlo, good, "rates", [1.0, np.nan])
    add(O.outage_monte_carlo, good, "n_draws", 0)
    add(O.outage_monte_carlo, good, "seed", -1)
    add(O.outage_monte_carlo, good, "chunk", 0)
    add(O.intercept_probability, dict(X=X, n_streams=2, delta2=1.0, sigma2=1.0, rates=[1.0, 1.0], n_draws=10),
        "rates", [-1.0, 1.0])
    add(O.project_simplex, dict(x=[0.2, 0.3]), "x", [[0.2, 0.3]])
    add(O.project_simplex, dict(x=[0.2, 0.3]), "x", [np.nan, 0.3])
    add(O.project_ball, dict(Y=X, radius2=1.0), "radius2", 0.0)
    add(O.project_ball, dict(Y=X, radius2=1.0), "Y", np.full((2, 2), np.inf))
    add(O.project_sphere, dict(u=w), "u", np.zeros(4))
    add(O.project_sphere, dict(u=w), "u", X)
    good = dict(X=X, a0=sd["a0"], As=sd["As"], alpha2=sd["alpha2"])
    add(O.mvdr_filter, good, "a0", sd["a0"][:3])
    add(O.mvdr_filter, good, "As", sd["As"][:, :3])
    add(O.mvdr_filter, good, "alpha2", sd["alpha2"][:2])
    add(O.mvdr_filter, good, "alpha2", -sd["alpha2"])
    add(O.sensing_sinr, dict(good, u=w), "u", np.zeros(4))
    good = dict(Hc=crandn(rng, 2, 4), X=X, n_streams=2)
    add(O.rates_and_gradient, good, "Hc", crandn(rng, 3, 4))
    add(O.rates_and_gradient, good, "n_streams", 0)
    add(O.rates_and_gradient, dict(good, weights=[1.0, 1.0]), "weights", [1.0])
    good = dict(metric="sinr", X=X, u=w, **sd)
    add(O.sensing_metric, good, "metric", "snr")
    add(O.sensing_metric, good, "u", None)
    add(O.sensing_metric, good, "gamma", 0.0)
    add(O.sensing_metric, good, "alpha2", np.ones(7))
    add(O.sensing_metric, dict(good, metric="beampattern"), "Agrid", None)
    add(O.sensing_metric, dict(good, metric="beampattern"), "Pd", sd["Pd"][:3])
    add(O.sensing_metric, dict(good, metric="beampattern"), "eps_bp", -1.0)
    add(O.sensing_metric, dict(good, metric="detection"), "t_d", 0.0)
    add(O.sensing_metric, dict(good, metric="detection"), "kappa", -1.0)
    P = crandn(rng, 4, 3)
    good = dict(P=P, G=crandn(rng, 4, 3), A=crandn(rng, 2, 4), e=0.5, radius2=1.0)
    add(O.project_ball_quadratic, good, "P", np.ones(4))
    add(O.project_ball_quadratic, good, "G", crandn(rng, 3, 3))
    add(O.project_ball_quadratic, good, "A", crandn(rng, 2, 3))
    add(O.project_ball_quadratic, good, "e", np.inf)
    add(O.project_ball_quadratic, good, "radius2", -1.0)
    return cases


VALIDATION_CASES = _validation_cases()


@pytest.mark.parametrize("fn, kwargs, argname", VALIDATION_CASES)
def test_kernel_validation_names_argument(fn, kwargs, argname):
    with pytest.raises(ValueError, match=rf"^{argname}\b"):
        fn(**kwargs)


def test_every_public_function_has_reference_and_validation():
    import inspect
    public = [name for name in O.__all__ if callable(getattr(O, name))]
    covered = {case.values[0].__name__ for case in VALIDATION_CASES}
    assert covered == set(public)
    for name in public:
        assert list(inspect.signature(getattr(R, name)).parameters) == \
            list(inspect.signature(getattr(O, name)).parameters), name
