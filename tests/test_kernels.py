"""Layer 1 kernels against their Layer 2 NumPy twins, plus mathematical properties.

* every public kernel vs :mod:`fastisac.reference` on random inputs (hypothesis);
* properties of the steering vector, beampattern (Parseval), quadratic forms,
  eigen helpers, Gaussian randomisation, SINR / rate / secrecy rate;
* ``dual_eve_metrics`` vs the full matrix formulas (8), (12), (14), (17) and vs the
  reduced scalar forms of spec 003 section 2.5 computed by hand;
* input validation: ``ValueError`` whose message starts with the argument name;
* batched kernels equal a loop over single-instance calls.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import fastisac.kernels as K
import fastisac.reference as R

SETTINGS = settings(max_examples=40, deadline=None, database=None)
FEW = settings(max_examples=30, deadline=None, database=None)

sizes = st.integers(1, 16)
small = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)
angles = st.floats(-np.pi / 2, np.pi / 2, allow_nan=False)
spacings = st.sampled_from([0.5, 0.25, 0.37, 1.0])
RTOL = 1e-10


# --------------------------------------------------------------------------- helpers

def crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)


def rand_psd(rng, n, rank=None, batch=()):
    G = crandn(rng, *batch, n, n if rank is None else rank)
    return G @ np.conj(np.swapaxes(G, -1, -2))


def rand_herm(rng, n, batch=()):
    A = crandn(rng, *batch, n, n)
    return 0.5 * (A + np.conj(np.swapaxes(A, -1, -2)))


def assert_close(actual, expected, rtol=RTOL):
    """max |actual - expected| <= rtol * max(|expected|) (scale-relative), same shape."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-300)
    err = float(np.max(np.abs(actual - expected), initial=0.0))
    assert err <= rtol * scale, f"max error {err:.3e} > {rtol:.0e} * scale {scale:.3e}"


def assert_same_up_to_phase(u, v, tol=1e-8):
    """Rows of u equal rows of v up to a unit-modulus factor per row."""
    u = np.atleast_2d(u)
    v = np.atleast_2d(v)
    for a, b in zip(u, v):
        ip = np.vdot(b, a)
        ph = ip / abs(ip) if abs(ip) > 0 else 1.0
        assert np.max(np.abs(a - ph * b), initial=0.0) <= tol * max(np.max(np.abs(b)), 1e-300)


# --------------------------------------------------------------------------- kernel vs reference

@SETTINGS
@given(n=sizes, theta=angles, spacing=spacings)
def test_steering_ula_vs_reference(n, theta, spacing):
    assert_close(K.steering_ula(n, theta, spacing), R.steering_ula(n, theta, spacing))
    assert_close(K.steering_ula_derivative(n, theta, spacing), R.steering_ula_derivative(n, theta, spacing))


@SETTINGS
@given(n=sizes, thetas=st.lists(angles, min_size=0, max_size=20), spacing=spacings)
def test_steering_ula_batch_vs_reference(n, thetas, spacing):
    th = np.array(thetas, dtype=float)
    assert_close(K.steering_ula_batch(n, th, spacing), R.steering_ula_batch(n, th, spacing))
    assert_close(K.steering_ula_derivative_batch(n, th, spacing), R.steering_ula_derivative_batch(n, th, spacing))


@SETTINGS
@given(n=sizes, n_angles=st.integers(1, 40), seed=seeds, spacing=spacings, psd=st.booleans())
def test_beampattern_vs_reference(n, n_angles, seed, spacing, psd):
    rng = np.random.default_rng(seed)
    X = rand_psd(rng, n) if psd else rand_herm(rng, n)
    th = rng.uniform(-np.pi / 2, np.pi / 2, n_angles)
    # scale: |a^H X a| <= N * max|X| ... use the matrix scale, not the (possibly tiny) output
    out = K.beampattern(X, th, spacing)
    ref = R.beampattern(X, th, spacing)
    assert out.dtype == np.float64
    assert np.max(np.abs(out - ref)) <= RTOL * n * np.sum(np.abs(X))


@SETTINGS
@given(n=sizes, seed=seeds)
def test_quadratic_form_vs_reference(n, seed):
    rng = np.random.default_rng(seed)
    h = crandn(rng, n)
    for X in (rand_psd(rng, n), rand_herm(rng, n), crandn(rng, n, n)):
        out = K.quadratic_form(h, X)
        assert isinstance(out, float)
        assert abs(out - R.quadratic_form(h, X)) <= RTOL * np.sum(np.abs(X)) * np.sum(np.abs(h)) ** 2


@SETTINGS
@given(n=sizes, k=small, j=small, m=st.integers(1, 4), seed=seeds)
def test_quadratic_forms_vs_reference(n, k, j, m, seed):
    rng = np.random.default_rng(seed)
    h = crandn(rng, m, k, n)
    X = rand_psd(rng, n, batch=(m, j))
    out = K.quadratic_forms(h, X)
    assert out.shape == (m, k, j)
    assert_close(out, R.quadratic_forms(h, X))
    assert_close(K.quadratic_forms(h[0], X[0]), R.quadratic_forms(h[0], X[0]))


@SETTINGS
@given(n=sizes, k=small, m=st.integers(1, 4), seed=seeds)
def test_outer_products_vs_reference(n, k, m, seed):
    rng = np.random.default_rng(seed)
    W = crandn(rng, m, k, n)
    assert_close(K.outer_products(W), R.outer_products(W))
    assert_close(K.outer_products(W[0]), R.outer_products(W[0]))
    assert K.outer_products(W).shape == (m, k, n, n)


@SETTINGS
@given(n=sizes, m=st.integers(1, 5), seed=seeds, psd=st.booleans())
def test_principal_eigenpairs_vs_reference(n, m, seed, psd):
    rng = np.random.default_rng(seed)
    X = rand_psd(rng, n, batch=(m,)) if psd else rand_herm(rng, n, batch=(m,))
    lam = np.linalg.eigvalsh(X)
    scale = np.max(np.abs(lam))
    if n > 1:  # principal eigenvector is only defined up to phase when lam1 is simple
        assume(np.min(lam[:, -1] - lam[:, -2]) > 1e-6 * scale)
    l1, l2, u1 = K.principal_eigenpairs(X)
    r1, r2, v1 = R.principal_eigenpairs(X)
    assert_close(l1, r1, 1e-10 * scale / max(np.max(np.abs(r1)), 1e-300))
    assert np.max(np.abs(l2 - r2)) <= 1e-10 * scale
    assert_same_up_to_phase(u1, v1, tol=1e-7)
    # unit norm, eigen-equation, and the phase convention (largest-modulus entry real > 0)
    assert_close(np.linalg.norm(u1, axis=1), np.ones(m), 1e-12)
    for x, l, u in zip(X, l1, u1):
        assert np.max(np.abs(x @ u - l * u)) <= 1e-9 * scale
        i = int(np.argmax(np.abs(u)))
        assert abs(u[i].imag) <= 1e-12 and u[i].real > 0
    if n == 1:
        assert np.all(l2 == 0.0)


@SETTINGS
@given(n=sizes, m=st.integers(1, 5), seed=seeds, rank=st.integers(1, 3), zero=st.booleans())
def test_rank_one_extract_vs_reference(n, m, seed, rank, zero):
    rng = np.random.default_rng(seed)
    X = rand_psd(rng, n, rank=min(rank, n), batch=(m,))
    if zero:
        X[0] = 0.0
    w, ratio, active = K.rank_one_extract(X)
    rw, rratio, ractive = R.rank_one_extract(X)
    assert w.shape == (m, n) and ratio.shape == (m,) and active.dtype == np.bool_
    np.testing.assert_array_equal(active, ractive)
    assert np.max(np.abs(ratio - rratio)) <= 1e-9
    # w is unique up to phase when lam1 is simple: compare w w^H
    scale = max(float(np.max(np.abs(X))), 1e-300)
    lam = np.linalg.eigvalsh(X)
    simple = (lam[:, -1] - (lam[:, -2] if n > 1 else 0.0)) > 1e-6 * scale
    for i in np.flatnonzero(simple):
        assert np.max(np.abs(np.outer(w[i], w[i].conj()) - np.outer(rw[i], rw[i].conj()))) <= 1e-8 * scale
    assert np.all(np.isfinite(w)) and np.all(np.isfinite(ratio))
    if zero:
        assert not active[0] and ratio[0] == 0.0 and np.all(w[0] == 0)


@SETTINGS
@given(n=sizes, L=st.integers(1, 30), seed=seeds, rank=st.integers(1, 16))
def test_sample_from_covariance_vs_reference(n, L, seed, rank):
    rng = np.random.default_rng(seed)
    X = rand_psd(rng, n, rank=min(rank, n))
    z = crandn(rng, L, n)
    out = K.sample_from_covariance(X, z)
    assert out.shape == (L, n)
    # the square-root factor F (out = z F^T) is unique only up to a unitary, so compare
    # the covariance it realises: F F^H must equal the reference's (= X for PSD X)
    Fk = K.sample_from_covariance(X, np.eye(n, dtype=complex)).T
    Fr = R.sample_from_covariance(X, np.eye(n, dtype=complex)).T
    assert_close(Fk @ Fk.conj().T, Fr @ Fr.conj().T, 1e-9)
    assert_close(Fk @ Fk.conj().T, X, 1e-9)
    assert_close(out, z @ Fk.T, 1e-12)


@SETTINGS
@given(m=st.integers(1, 5), k=small, seed=seeds, with_extra=st.booleans())
def test_sinr_users_vs_reference(m, k, seed, with_extra):
    rng = np.random.default_rng(seed)
    gains = rng.exponential(size=(m, k, k)) * 10.0 ** rng.uniform(-2, 2, size=(m, k, k))
    noise = 10.0 ** rng.uniform(-2, 1, size=k)
    extra = rng.exponential(size=(m, k)) if with_extra else None
    assert_close(K.sinr_users(gains, noise, extra), R.sinr_users(gains, noise, extra))


@SETTINGS
@given(m=st.integers(1, 5), e=small, k=small, seed=seeds, with_extra=st.booleans())
def test_sinr_eavesdroppers_vs_reference(m, e, k, seed, with_extra):
    rng = np.random.default_rng(seed)
    gains = rng.exponential(size=(m, e, k)) * 10.0 ** rng.uniform(-2, 2, size=(m, e, k))
    noise = 10.0 ** rng.uniform(-2, 1, size=e)
    extra = rng.exponential(size=(m, e)) if with_extra else None
    out = K.sinr_eavesdroppers(gains, noise, extra)
    assert out.shape == (m, e, k)
    assert_close(out, R.sinr_eavesdroppers(gains, noise, extra))


@SETTINGS
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=3), seed=seeds)
def test_rate_vs_reference(shape, seed):
    rng = np.random.default_rng(seed)
    sinr = rng.exponential(size=shape) * 10.0 ** rng.uniform(-3, 3, size=shape)
    out = K.rate(sinr)
    assert out.shape == tuple(shape)
    assert_close(out, R.rate(sinr), 1e-13)


@SETTINGS
@given(m=st.integers(1, 5), e=small, k=small, seed=seeds)
def test_secrecy_rate_vs_reference(m, e, k, seed):
    rng = np.random.default_rng(seed)
    ru = rng.exponential(size=(m, k))
    re_ = rng.exponential(size=(m, e, k))
    out = K.secrecy_rate(ru, re_)
    assert_close(out, R.secrecy_rate(ru, re_), 1e-14)
    # properties: >= 0 and equal to [R_u - max_e R_e]^+ (spec 003 (16))
    assert np.all(out >= 0.0)
    np.testing.assert_array_equal(out, np.maximum(ru - re_.max(axis=1), 0.0))


def _dual_eve_instance(rng, m, k, n):
    hce = crandn(rng, n) * rng.uniform(0.2, 2.0)
    g = crandn(rng, m, k, n)
    he = crandn(rng, m, k) * rng.uniform(0.1, 2.0)
    h = np.conj(g) + he[:, :, None] * np.conj(hce)[None, None, :]      # h_k = g_k^H + h_e,k h_ce^H
    W = crandn(rng, m, k, n) * rng.uniform(0.1, 2.0)
    Q = W[..., :, None] * np.conj(W[..., None, :])                     # Q_k = w_k w_k^H
    S = rand_psd(rng, n, rank=int(rng.integers(1, n + 1)), batch=(m,)) * rng.uniform(0.1, 2.0)
    sigma_k2 = rng.uniform(0.1, 10.0, size=k)
    return Q, S, h, hce, he, sigma_k2, float(rng.uniform(0.1, 10.0)), float(rng.uniform(0.1, 10.0)), W


@SETTINGS
@given(m=st.integers(1, 4), k=st.integers(1, 4), n=sizes, seed=seeds)
def test_dual_eve_metrics_vs_full_matrix_reference(m, k, n, seed):
    rng = np.random.default_rng(seed)
    Q, S, h, hce, he, sk2, st2, sb2, W = _dual_eve_instance(rng, m, k, n)
    out = K.dual_eve_metrics(Q, S, h, hce, he, sk2, st2, sb2)
    ref = R.dual_eve_metrics(Q, S, h, hce, he, sk2, st2, sb2)
    assert set(out) == set(ref) == {"sinr_u", "sinr_t", "scnr_b", "scnr_u", "power", "sr"}
    for key in ref:
        assert out[key].shape == ref[key].shape, key
        # elementwise relative comparison (the metrics span orders of magnitude)
        np.testing.assert_allclose(out[key], ref[key], rtol=1e-9, atol=1e-12, err_msg=key)
    assert np.all(out["sr"] >= 0.0)

    # spec 2.5 reduced scalar forms, by hand
    rho = np.vdot(hce, hce).real
    s_t = np.einsum("n,mnp,p->m", hce.conj(), S, hce).real
    a = np.einsum("n,mknp,p->mk", hce.conj(), Q, hce).real
    A = a.sum(axis=1)
    g2 = np.abs(he) ** 2
    np.testing.assert_allclose(out["scnr_b"], rho * s_t / (sb2 + rho * A), rtol=1e-9)
    np.testing.assert_allclose(out["scnr_u"], g2 * (s_t[:, None] + a) / (sk2 + g2 * (A[:, None] - a)),
                               rtol=1e-9)
    np.testing.assert_allclose(out["sinr_t"], a / (st2 + s_t[:, None] + A[:, None] - a), rtol=1e-9)
    # (7) == (8) with Q_k = w_k w_k^H: |h_k w_i|^2 form of the user SINR
    hw2 = np.abs(np.einsum("mkn,min->mki", h, W)) ** 2
    hs = np.einsum("mkn,mnp,mkp->mk", h, S, h.conj()).real
    sig = np.einsum("mkk->mk", hw2)
    sinr7 = sig / (sk2 + hw2.sum(axis=2) - sig + hs)
    np.testing.assert_allclose(out["sinr_u"], sinr7, rtol=1e-8)
    np.testing.assert_allclose(out["power"], np.sum(np.abs(W) ** 2, axis=(1, 2)) + np.trace(S, axis1=1, axis2=2).real,
                               rtol=1e-12)
    sr = np.maximum(np.log2(1 + out["sinr_u"]) - np.log2(1 + out["sinr_t"]), 0).sum(axis=1)
    np.testing.assert_allclose(out["sr"], sr, rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- properties

@SETTINGS
@given(n=sizes, theta=angles)
def test_steering_properties(n, theta):
    a = K.steering_ula(n, theta)
    np.testing.assert_array_equal(K.steering_ula(n, 0.0), np.ones(n, dtype=complex))
    np.testing.assert_allclose(np.abs(a), 1.0, rtol=0, atol=1e-14)
    assert abs(np.vdot(a, a).real - n) <= 1e-12 * n
    assert_close(K.steering_ula(n, -theta), np.conj(a), 1e-14)
    # a_n = exp(j pi n sin theta) for d / lambda = 0.5
    assert_close(a, np.exp(1j * np.pi * np.arange(n) * np.sin(theta)), 1e-12)


@SETTINGS
@given(n=sizes, theta=angles, spacing=spacings)
def test_steering_derivative_finite_difference(n, theta, spacing):
    step = 1e-6
    fd = (K.steering_ula(n, theta + step, spacing) - K.steering_ula(n, theta - step, spacing)) / (2 * step)
    d = K.steering_ula_derivative(n, theta, spacing)
    scale = 2 * np.pi * spacing * max(n - 1, 1)          # max_n |d a_n / d theta|
    assert np.max(np.abs(d - fd)) <= 1e-6 * scale
    db = K.steering_ula_derivative_batch(n, np.array([theta]), spacing)[0]
    assert_close(db, d, 1e-14)


@FEW
@given(n=sizes, seed=seeds, psd=st.booleans())
def test_beampattern_parseval(n, seed, psd):
    """(1/2) int_{-1}^{1} a^H(arcsin x) X a(arcsin x) dx = Tr(X) for d / lambda = 0.5 (spec 10.5)."""
    rng = np.random.default_rng(seed)
    X = rand_psd(rng, n) if psd else rand_herm(rng, n)
    x = np.linspace(-1.0, 1.0, 20001)
    P = K.beampattern(X, np.arcsin(x), 0.5)
    trapezoid = getattr(np, "trapezoid", None) or np.trapz      # numpy < 2 has only trapz
    integral = 0.5 * trapezoid(P, x)
    tr = np.trace(X).real
    assert abs(integral - tr) <= 1e-3 * max(abs(tr), np.sum(np.abs(X)))


@SETTINGS
@given(n=sizes, seed=seeds, rank=st.integers(1, 16), n_angles=st.integers(1, 50))
def test_beampattern_real_nonnegative_for_psd(n, seed, rank, n_angles):
    rng = np.random.default_rng(seed)
    X = rand_psd(rng, n, rank=min(rank, n))
    th = rng.uniform(-np.pi / 2, np.pi / 2, n_angles)
    P = K.beampattern(X, th)
    assert P.dtype == np.float64 and P.shape == (n_angles,)
    assert np.all(P >= -1e-12 * np.trace(X).real)
    # equals a^H X a by brute force
    brute = [np.vdot(a, X @ a).real for a in (K.steering_ula(n, t) for t in th)]
    assert_close(P, np.array(brute), 1e-10)


@SETTINGS
@given(n=sizes, k=small, seed=seeds)
def test_quadratic_forms_bruteforce(n, k, seed):
    rng = np.random.default_rng(seed)
    h = crandn(rng, k, n)
    X = rand_psd(rng, n, batch=(3,))
    out = K.quadratic_forms(h, X)
    assert np.isrealobj(out) and out.dtype == np.float64
    brute = np.array([[np.vdot(hk.conj(), Xj @ hk.conj()).real for Xj in X] for hk in h])  # h X h^H
    assert_close(out, brute, 1e-10)
    assert np.all(out >= -1e-12 * np.max(np.abs(brute)))
    assert abs(K.quadratic_form(h[0], X[0]) - brute[0, 0]) <= 1e-10 * abs(brute[0, 0])


@SETTINGS
@given(n=sizes, seed=seeds, scale=st.floats(1e-3, 1e3))
def test_rank_one_extract_exact_rank_one(n, seed, scale):
    rng = np.random.default_rng(seed)
    w = crandn(rng, n) * scale
    X = np.outer(w, w.conj())[None]
    we, ratio, active = K.rank_one_extract(X)
    assert active[0]
    assert ratio[0] < 1e-12
    assert_same_up_to_phase(we, w[None], tol=1e-10)


def test_rank_one_extract_zero_matrix():
    for n in (1, 3, 8):
        w, ratio, active = K.rank_one_extract(np.zeros((2, n, n), dtype=complex))
        assert not np.any(active)
        assert np.all(w == 0) and np.all(ratio == 0)
        assert np.all(np.isfinite(w)) and np.all(np.isfinite(ratio))


def test_sample_from_covariance_empirical():
    rng = np.random.default_rng(12345)
    n, L = 6, 200_000
    X = rand_psd(rng, n, rank=4)
    z = crandn(rng, L, n)                                  # E[z z^H] = I
    w = K.sample_from_covariance(X, z)
    C = w.T @ w.conj() / L                                 # sum_l w_l w_l^H / L
    assert np.linalg.norm(C - X) <= 0.02 * np.linalg.norm(X)


@SETTINGS
@given(m=st.integers(1, 4), k=small, e=small, seed=seeds)
def test_sinr_rate_secrecy_properties(m, k, e, seed):
    rng = np.random.default_rng(seed)
    gu = rng.exponential(size=(m, k, k))
    ge = rng.exponential(size=(m, e, k))
    su = K.sinr_users(gu, np.ones(k))
    se = K.sinr_eavesdroppers(ge, np.ones(e))
    assert np.all(su >= 0) and np.all(se >= 0)
    ru, re_ = K.rate(su), K.rate(se)
    sr = K.secrecy_rate(ru, re_)
    assert np.all(sr >= 0)
    np.testing.assert_array_equal(sr, np.maximum(0.0, ru - re_.max(axis=1)))
    # zero signal -> zero SINR -> zero rate
    gu0 = gu.copy()
    gu0[:, np.arange(k), np.arange(k)] = 0.0
    assert np.all(K.sinr_users(gu0, np.ones(k)) == 0.0)


def test_rate_zero():
    assert K.rate(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    assert K.rate(0.0) == 0.0
    assert K.rate(np.array([1.0, 3.0])).tolist() == [1.0, 2.0]


# --------------------------------------------------------------------------- input validation

def _nan(x, idx=0):
    x = np.array(x, dtype=complex if np.iscomplexobj(x) else float, copy=True)
    x.flat[idx] = np.nan
    return x


def _validation_cases():
    rng = np.random.default_rng(7)
    n, k, m, e = 3, 2, 2, 2
    X = rand_psd(rng, n)
    nonherm = X.copy()
    nonherm[0, 1] += 1.0
    Xb = rand_psd(rng, n, batch=(m,))
    nonherm_b = Xb.copy()
    nonherm_b[1, 0, 2] += 1.0j
    th = np.linspace(-1, 1, 5)
    h = crandn(rng, k, n)
    gains_u = rng.exponential(size=(m, k, k))
    gains_e = rng.exponential(size=(m, e, k))
    Q, S, hh, hce, he, sk2, st2, sb2, _ = _dual_eve_instance(rng, m, k, n)
    de = dict(Q=Q, S=S, h=hh, hce=hce, he=he, sigma_k2=sk2, sigma_t2=st2, sigma_b2=sb2)

    cases = []  # (id, function, kwargs, argname)

    def add(name, fn, good, arg, bad):
        kw = dict(good)
        kw[arg] = bad
        cases.append(pytest.param(fn, kw, arg, id=f"{name}-{arg}-{len(cases)}"))

    for name in ("steering_ula", "steering_ula_derivative"):
        fn = getattr(K, name)
        good = dict(n_antennas=n, theta=0.3, spacing=0.5)
        add(name, fn, good, "n_antennas", 0)
        add(name, fn, good, "n_antennas", 2.5)
        add(name, fn, good, "theta", np.nan)
        add(name, fn, good, "theta", 1j)
        add(name, fn, good, "spacing", -0.5)
        add(name, fn, good, "spacing", 0.0)
    for name in ("steering_ula_batch", "steering_ula_derivative_batch"):
        fn = getattr(K, name)
        good = dict(n_antennas=n, thetas=th, spacing=0.5)
        add(name, fn, good, "n_antennas", -1)
        add(name, fn, good, "thetas", th[None])
        add(name, fn, good, "thetas", _nan(th))
        add(name, fn, good, "spacing", -1.0)
    good = dict(X=X, thetas=th, spacing=0.5)
    add("beampattern", K.beampattern, good, "X", X[:, :2])
    add("beampattern", K.beampattern, good, "X", _nan(X))
    add("beampattern", K.beampattern, good, "X", nonherm)
    add("beampattern", K.beampattern, good, "thetas", _nan(th))
    add("beampattern", K.beampattern, good, "spacing", -0.5)
    good = dict(h=h[0], X=X)
    add("quadratic_form", K.quadratic_form, good, "h", h)
    add("quadratic_form", K.quadratic_form, good, "h", _nan(h[0]))
    add("quadratic_form", K.quadratic_form, good, "X", X[:2, :2])
    add("quadratic_form", K.quadratic_form, good, "X", _nan(X))
    good = dict(h=h, X=Xb)
    add("quadratic_forms", K.quadratic_forms, good, "h", h[0])
    add("quadratic_forms", K.quadratic_forms, good, "h", _nan(h))
    add("quadratic_forms", K.quadratic_forms, good, "X", Xb[:, :2, :2])
    add("quadratic_forms", K.quadratic_forms, good, "X", _nan(Xb))
    add("quadratic_forms", K.quadratic_forms, dict(h=h[None], X=Xb[None]), "X", np.stack([Xb, Xb]))
    good = dict(W=h)
    add("outer_products", K.outer_products, good, "W", h[0])
    add("outer_products", K.outer_products, good, "W", _nan(h))
    for name in ("principal_eigenpairs", "rank_one_extract"):
        fn = getattr(K, name)
        good = dict(X=Xb)
        add(name, fn, good, "X", X)
        add(name, fn, good, "X", Xb[:, :, :2])
        add(name, fn, good, "X", _nan(Xb))
        add(name, fn, good, "X", nonherm_b)
    add("rank_one_extract", K.rank_one_extract, dict(X=Xb), "off_tol", -1e-9)
    add("rank_one_extract", K.rank_one_extract, dict(X=Xb), "off_tol", np.nan)
    good = dict(X=X, z=h)
    add("sample_from_covariance", K.sample_from_covariance, good, "X", -X)
    add("sample_from_covariance", K.sample_from_covariance, good, "X", nonherm)
    add("sample_from_covariance", K.sample_from_covariance, good, "X", _nan(X))
    add("sample_from_covariance", K.sample_from_covariance, good, "X", X[:, :2])
    add("sample_from_covariance", K.sample_from_covariance, good, "z", h[:, :2])
    add("sample_from_covariance", K.sample_from_covariance, good, "z", _nan(h))
    add("sample_from_covariance", K.sample_from_covariance, good, "z", h[0])
    good = dict(gains=gains_u, noise=np.ones(k), extra=np.zeros((m, k)))
    add("sinr_users", K.sinr_users, good, "gains", gains_u[:, :, :1])
    add("sinr_users", K.sinr_users, good, "gains", -gains_u)
    add("sinr_users", K.sinr_users, good, "gains", _nan(gains_u))
    add("sinr_users", K.sinr_users, good, "noise", -np.ones(k))
    add("sinr_users", K.sinr_users, good, "noise", np.zeros(k))
    add("sinr_users", K.sinr_users, good, "noise", np.ones(k + 1))
    add("sinr_users", K.sinr_users, good, "noise", _nan(np.ones(k)))
    add("sinr_users", K.sinr_users, good, "extra", -np.ones((m, k)))
    add("sinr_users", K.sinr_users, good, "extra", np.zeros((m + 1, k)))
    add("sinr_users", K.sinr_users, good, "extra", _nan(np.zeros((m, k))))
    good = dict(gains=gains_e, noise=np.ones(e), extra=np.zeros((m, e)))
    add("sinr_eavesdroppers", K.sinr_eavesdroppers, good, "gains", gains_e[0])
    add("sinr_eavesdroppers", K.sinr_eavesdroppers, good, "gains", -gains_e)
    add("sinr_eavesdroppers", K.sinr_eavesdroppers, good, "gains", _nan(gains_e))
    add("sinr_eavesdroppers", K.sinr_eavesdroppers, good, "noise", -np.ones(e))
    add("sinr_eavesdroppers", K.sinr_eavesdroppers, good, "noise", np.ones(e + 1))
    add("sinr_eavesdroppers", K.sinr_eavesdroppers, good, "extra", -np.ones((m, e)))
    add("sinr_eavesdroppers", K.sinr_eavesdroppers, good, "extra", np.zeros((m, e + 1)))
    add("rate", K.rate, dict(sinr=np.ones(3)), "sinr", -np.ones(3))
    add("rate", K.rate, dict(sinr=np.ones(3)), "sinr", _nan(np.ones(3)))
    add("rate", K.rate, dict(sinr=np.ones(3)), "sinr", np.ones(3) + 1j)
    good = dict(rate_user=np.ones((m, k)), rate_eve=np.ones((m, e, k)))
    add("secrecy_rate", K.secrecy_rate, good, "rate_user", np.ones(k))
    add("secrecy_rate", K.secrecy_rate, good, "rate_user", -np.ones((m, k)))
    add("secrecy_rate", K.secrecy_rate, good, "rate_user", _nan(np.ones((m, k))))
    add("secrecy_rate", K.secrecy_rate, good, "rate_eve", np.ones((m, e, k + 1)))
    add("secrecy_rate", K.secrecy_rate, good, "rate_eve", np.ones((m + 1, e, k)))
    add("secrecy_rate", K.secrecy_rate, good, "rate_eve", -np.ones((m, e, k)))
    add("secrecy_rate", K.secrecy_rate, good, "rate_eve", _nan(np.ones((m, e, k))))
    f = K.dual_eve_metrics
    add("dual_eve_metrics", f, de, "Q", Q[0])
    add("dual_eve_metrics", f, de, "Q", Q[..., :2])
    add("dual_eve_metrics", f, de, "Q", _nan(Q))
    add("dual_eve_metrics", f, de, "S", S[0])
    add("dual_eve_metrics", f, de, "S", S[:1])
    add("dual_eve_metrics", f, de, "S", _nan(S))
    add("dual_eve_metrics", f, de, "h", hh[:, :1])
    add("dual_eve_metrics", f, de, "h", _nan(hh))
    add("dual_eve_metrics", f, de, "hce", hce[:2])
    add("dual_eve_metrics", f, de, "hce", _nan(hce))
    add("dual_eve_metrics", f, de, "he", he[0])
    add("dual_eve_metrics", f, de, "he", _nan(he))
    add("dual_eve_metrics", f, de, "sigma_k2", -sk2)
    add("dual_eve_metrics", f, de, "sigma_k2", sk2[:1])
    add("dual_eve_metrics", f, de, "sigma_k2", _nan(sk2))
    add("dual_eve_metrics", f, de, "sigma_t2", -1.0)
    add("dual_eve_metrics", f, de, "sigma_t2", np.nan)
    add("dual_eve_metrics", f, de, "sigma_b2", 0.0)
    add("dual_eve_metrics", f, de, "sigma_b2", np.inf)
    cn = dict(seed=1, first=0, n_draws=2, n_per_draw=3)
    add("counter_normals", K.counter_normals, cn, "seed", -1)
    add("counter_normals", K.counter_normals, cn, "seed", 1.5)
    add("counter_normals", K.counter_normals, cn, "first", -2)
    add("counter_normals", K.counter_normals, cn, "n_draws", -1)
    add("counter_normals", K.counter_normals, cn, "n_per_draw", "3")
    return cases


VALIDATION_CASES = _validation_cases()


@pytest.mark.parametrize("fn, kwargs, argname", VALIDATION_CASES)
def test_validation_names_argument(fn, kwargs, argname):
    with pytest.raises(ValueError, match=rf"^{argname}\b"):
        fn(**kwargs)


def test_validation_covers_every_public_kernel():
    covered = {case.values[0].__name__ for case in VALIDATION_CASES}
    assert covered == set(K.__all__) - {"warmup"}


def test_reference_covers_every_public_kernel():
    import inspect
    for name in set(K.__all__) - {"warmup"}:
        ref = getattr(R, name)
        assert list(inspect.signature(ref).parameters) == list(inspect.signature(getattr(K, name)).parameters), name
    assert "never called by the library" in R.__doc__


# --------------------------------------------------------------------------- batch == loop

def test_batched_kernels_equal_single_instance_loop():
    rng = np.random.default_rng(2024)
    M, n, k, e = 7, 5, 3, 2
    th = rng.uniform(-np.pi / 2, np.pi / 2, M)

    def same(a, b):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-300)

    same(K.steering_ula_batch(n, th), np.stack([K.steering_ula(n, t) for t in th]))
    same(K.steering_ula_derivative_batch(n, th), np.stack([K.steering_ula_derivative(n, t) for t in th]))
    X = rand_psd(rng, n)
    same(K.beampattern(X, th), [K.quadratic_form(np.conj(K.steering_ula(n, t)), X) for t in th])

    h = crandn(rng, M, k, n)
    Xs = rand_psd(rng, n, batch=(M, 2))
    qf = K.quadratic_forms(h, Xs)
    same(qf, np.stack([K.quadratic_forms(h[i], Xs[i]) for i in range(M)]))
    same(qf, [[[K.quadratic_form(h[i, a], Xs[i, b]) for b in range(2)] for a in range(k)] for i in range(M)])
    same(K.outer_products(h), np.stack([K.outer_products(h[i]) for i in range(M)]))

    Xb = rand_psd(rng, n, rank=2, batch=(M,))
    Xb[3] = 0.0
    for batch_out, loop_out in zip(K.principal_eigenpairs(Xb),
                                   zip(*[K.principal_eigenpairs(Xb[i:i + 1]) for i in range(M)])):
        same(batch_out, np.concatenate(loop_out))
    for batch_out, loop_out in zip(K.rank_one_extract(Xb),
                                   zip(*[K.rank_one_extract(Xb[i:i + 1]) for i in range(M)])):
        np.testing.assert_array_equal(batch_out, np.concatenate(loop_out))

    z = crandn(rng, M, n)
    same(K.sample_from_covariance(X, z), np.concatenate([K.sample_from_covariance(X, z[i:i + 1]) for i in range(M)]))

    gu = rng.exponential(size=(M, k, k))
    ge = rng.exponential(size=(M, e, k))
    ex_u = rng.exponential(size=(M, k))
    ex_e = rng.exponential(size=(M, e))
    nu, ne = rng.uniform(0.5, 2, k), rng.uniform(0.5, 2, e)
    su = K.sinr_users(gu, nu, ex_u)
    se = K.sinr_eavesdroppers(ge, ne, ex_e)
    same(su, np.concatenate([K.sinr_users(gu[i:i + 1], nu, ex_u[i:i + 1]) for i in range(M)]))
    same(se, np.concatenate([K.sinr_eavesdroppers(ge[i:i + 1], ne, ex_e[i:i + 1]) for i in range(M)]))
    same(K.rate(se), np.stack([K.rate(s) for s in se]))
    ru, re_ = K.rate(su), K.rate(se)
    same(K.secrecy_rate(ru, re_), np.concatenate([K.secrecy_rate(ru[i:i + 1], re_[i:i + 1]) for i in range(M)]))

    Q, S, hh, hce, he, sk2, st2, sb2, _ = _dual_eve_instance(rng, M, k, n)
    full = K.dual_eve_metrics(Q, S, hh, hce, he, sk2, st2, sb2)
    parts = [K.dual_eve_metrics(Q[i:i + 1], S[i:i + 1], hh[i:i + 1], hce, he[i:i + 1], sk2, st2, sb2)
             for i in range(M)]
    for key, val in full.items():
        same(val, np.concatenate([p[key] for p in parts]))


# --------------------------------------------------------------------------- warmup

def test_warmup_papers_match_registry_and_validate():
    from fastisac.experiments import PAPERS
    assert set(K.PAPER_KERNEL_MODULES) == set(PAPERS)
    with pytest.raises(ValueError, match=r"^papers\b"):
        K.warmup(["no_such_paper"])


def test_warmup_of_one_paper_loads_only_its_kernel_module():
    import subprocess
    import sys
    code = ("import sys, fastisac.kernels as K; K.warmup(['networked']); "
            "print(sorted(m for m in sys.modules if m.startswith('fastisac.kernels.') and '._' not in m))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=600)
    assert out.stdout.strip() == "['fastisac.kernels.networked']"


# --------------------------------------------------------------------------- counter-based normals
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 63 - 1), first=st.integers(0, 2 ** 40), n=st.integers(0, 40),
       m=st.integers(0, 9))
def test_counter_normals_match_reference_bitwise(seed, first, n, m):
    np.testing.assert_array_equal(K.counter_normals(seed, first, n, m), R.counter_normals(seed, first, n, m))


def test_counter_normals_cover_wedges_and_tail_bitwise():
    """20000 normals hit the wedge test (~1 %) and the tail beyond r (~2.6e-4) of the ziggurat."""
    from fastisac.kernels._random import ZIG_R
    a = K.counter_normals(3, 0, 5000, 4)
    b = R.counter_normals(3, 0, 5000, 4)
    np.testing.assert_array_equal(a, b)
    assert np.sum(np.abs(a) > ZIG_R) >= 1


def test_counter_normals_are_standard_normal():
    """KS test on 1e6 draws, moments, and the tail mass beyond the ziggurat's base r (binomial 5 sigma)."""
    from scipy import stats

    from fastisac.kernels._random import ZIG_R
    x = K.counter_normals(11, 0, 250_000, 4).ravel()
    assert stats.kstest(x, "norm").pvalue > 1e-4
    n = x.size
    assert abs(x.mean()) < 5 / np.sqrt(n)
    assert abs(x.var() - 1.0) < 5 * np.sqrt(2.0 / n)
    assert abs(np.mean(x ** 4) - 3.0) < 5 * np.sqrt(96.0 / n)
    p_tail = 2 * stats.norm.sf(ZIG_R)
    k = np.sum(np.abs(x) > ZIG_R)
    assert abs(k - n * p_tail) < 5 * np.sqrt(n * p_tail) + 1
    # rows are independent streams: correlation between neighbouring draws' first normals
    y = K.counter_normals(11, 0, 200_000, 1).ravel()
    assert abs(np.corrcoef(y[:-1], y[1:])[0, 1]) < 5 / np.sqrt(y.size)


# --------------------------------------------------------------------------- structured array kernels
@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 70), seed=seeds, spacing=spacings)
def test_beampattern_diagonal_sums_equal_the_quadratic_form(n, seed, spacing):
    """Kernel level, any square X (not Hermitian): the O(N) diagonal-sum form equals Re a^H X a,
    for N beyond the phase ramp's re-anchoring length (16)."""
    from fastisac.kernels._array import beampattern_nb, diagonal_sums_nb
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    th = rng.uniform(-np.pi / 2, np.pi / 2, 25)
    A = R.steering_ula_batch(n, th, spacing)
    direct = np.real(np.einsum("ti,ij,tj->t", A.conj(), X, A))
    assert np.max(np.abs(beampattern_nb(X, th, spacing) - direct)) <= 1e-12 * n * np.sum(np.abs(X))
    d = diagonal_sums_nb(X)
    H = 0.5 * (X + X.conj().T)
    np.testing.assert_allclose(d, [np.trace(H, offset=m) for m in range(n)], rtol=1e-12, atol=1e-12 * np.abs(X).sum())
    ramp = K.steering_ula_batch(n, th, spacing)
    np.testing.assert_allclose(ramp, A, rtol=0, atol=64 * n * 2.2e-16)


@settings(max_examples=20, deadline=None)
@given(n_rows=st.integers(1, 9), n_cols=st.integers(1, 19), seed=seeds)
def test_beampattern_upa_diagonal_sums_equal_the_quadratic_form(n_rows, n_cols, seed):
    """The 2-D diagonal-sum form of the UPA beampattern equals Re a^H X a for any square X."""
    from fastisac.kernels._array import beampattern_upa_nb, steering_upa_batch_nb
    import fastisac.reference.tris_rsma as RT
    rng = np.random.default_rng(seed)
    n = n_rows * n_cols
    X = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    az, pt = rng.uniform(-np.pi, np.pi, 15), rng.uniform(0, np.pi / 2, 15)
    A = RT.steering_upa_batch(n_rows, n_cols, az, pt)
    direct = np.real(np.einsum("ti,ij,tj->t", A.conj(), X, A))
    out = beampattern_upa_nb(np.ascontiguousarray(X), n_rows, n_cols, az, pt, 0.5)
    assert np.max(np.abs(out - direct)) <= 1e-12 * n * np.sum(np.abs(X))
    np.testing.assert_allclose(steering_upa_batch_nb(n_rows, n_cols, az, pt, 0.5), A, rtol=0, atol=1e-13)


def test_tris_verifier_factors_keep_exactly_the_needed_rank():
    """The outage verifier's covariance factors: F F^H = X for full-rank and rank-one slots, with
    one column for a rank-one design (the verifier then costs N, not N^2, per stream and draw)."""
    from fastisac.kernels.tris_rsma import _factors
    rng = np.random.default_rng(3)
    N = 9
    A = rng.standard_normal((4, N, N)) + 1j * rng.standard_normal((4, N, N))
    full = A @ np.conj(np.swapaxes(A, -1, -2))
    v = rng.standard_normal((4, N)) + 1j * rng.standard_normal((4, N))
    rank1 = np.einsum("kn,km->knm", v, v.conj())
    mixed = rank1.copy()
    mixed[2] = full[2]
    for X, r in ((full, N), (rank1, 1), (mixed, N)):
        F = _factors(X)
        assert F.shape == (4, N, r)
        np.testing.assert_allclose(F @ np.conj(np.swapaxes(F, -1, -2)), X, atol=1e-10 * np.abs(X).max())
