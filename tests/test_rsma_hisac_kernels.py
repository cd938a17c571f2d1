"""Seed 002 (rsma_hisac): scenario, kernels vs NumPy reference, and the note's closed-form oracles."""

import math

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from fastisac import reference as ref
from fastisac.kernels import rsma_hisac as K
from fastisac.systems import RsmaHisacScenario
from fastisac.systems.rsma_hisac import upa_shape


def _cplx(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _psd(rng, m, rank=None):
    X = _cplx(rng, m, rank or m)
    return X @ X.conj().T


# ----------------------------------------------------------------------------- scenario
def test_scenario_defaults_and_draw_shapes():
    sc = RsmaHisacScenario()
    assert sc.p0 == pytest.approx(22.0)
    assert upa_shape(12) == (4, 3) and upa_shape(16) == (4, 4) and upa_shape(6) == (3, 2)
    ch = sc.draw(np.random.default_rng(1))
    assert ch.h_bo.shape == (12,) and ch.g_n.shape == (4, 12) and ch.h_n.shape == (4, 12)
    ch2 = sc.draw(np.random.default_rng(1))
    np.testing.assert_array_equal(ch.g_n, ch2.g_n)            # seeded
    # target: LoS, ||h_ta||^2 = M1 PL(d_ta) (O6)
    d3 = math.hypot(sc.target_distance, sc.bs_height - sc.node_height)
    assert np.linalg.norm(ch.h_ta) ** 2 == pytest.approx(sc.m1 * sc.path_gain(d3, 2.0), rel=1e-12)
    # kappa^2 = 4 pi RCS / lambda^2 gives ~ +5.3..5.9 dB sensing ceiling at 25 dBW (spec 6.1)
    assert 4.5 < 10 * math.log10(sc.scnr_ceiling()) < 6.5


@pytest.mark.parametrize("kw, name", [
    (dict(e_h=1.0), "e_h"), (dict(e_g=-0.1), "e_g"), (dict(m1=0), "m1"), (dict(gamma_th=-1.0), "gamma_th"),
    (dict(fading="foo"), "fading"), (dict(csi_error="x"), "csi_error"), (dict(p0_w=-1.0), "p0_w"),
    (dict(user_radii=(50.0, 10.0)), "user_radii"), (dict(rate_secrecy=0.0), "rate_secrecy"),
])
def test_scenario_rejects_bad_inputs(kw, name):
    with pytest.raises(ValueError, match=name):
        RsmaHisacScenario(**kw)


@pytest.mark.parametrize("fading", ["nakagami2", "rayleigh"])
def test_nakagami_mean_power(fading):
    sc = RsmaHisacScenario(fading=fading, n_users=200)
    ch = sc.draw(np.random.default_rng(3))
    d = np.hypot(np.hypot(*(ch.positions[2:] - [sc.bs2_x, 0]).T), sc.bs_height - sc.node_height)
    ratio = np.abs(ch.g_n) ** 2 / sc.path_gain(d)[:, None]
    assert ratio.mean() == pytest.approx(1.0, abs=0.06)


# ----------------------------------------------------------------------------- kernels vs reference
@given(mh=st.integers(1, 5), mv=st.integers(1, 4), az=st.floats(-3.1, 3.1), dep=st.floats(0, 1.5))
@settings(max_examples=30, deadline=None)
def test_steering_upa_matches_reference(mh, mv, az, dep):
    np.testing.assert_allclose(K.steering_upa_depression(mh, mv, az, dep), ref.steering_upa_depression(mh, mv, az, dep), atol=1e-12)


@given(seed=st.integers(0, 10_000), e=st.floats(0.0, 0.9), rel=st.booleans())
@settings(max_examples=30, deadline=None)
def test_robust_radius_matches_reference(seed, e, rel):
    h = _cplx(np.random.default_rng(seed), 3, 5)
    np.testing.assert_allclose(K.robust_radius(h, e, rel), ref.robust_radius(h, e, rel), rtol=1e-12, atol=1e-300)


@given(seed=st.integers(0, 10_000), m=st.integers(2, 8))
@settings(max_examples=30, deadline=None)
def test_echo_filter_general_vs_scipy_eigh(seed, m):
    """Generalised Rayleigh quotient kernel against scipy.linalg.eigh(S, C) and the reference."""
    rng = np.random.default_rng(seed)
    S = _psd(rng, m)
    C = _psd(rng, m) + m * np.eye(m)
    a, lam = K.echo_filter(S, C)
    w, V = scipy.linalg.eigh(S, C)
    assert lam == pytest.approx(w[-1], rel=1e-9)
    assert np.real(a.conj() @ C @ a) == pytest.approx(1.0, rel=1e-9)
    assert np.real(a.conj() @ S @ a) / np.real(a.conj() @ C @ a) == pytest.approx(w[-1], rel=1e-9)
    a_ref, lam_ref = ref.echo_filter(S, C)
    assert lam_ref == pytest.approx(lam, rel=1e-9)
    np.testing.assert_allclose(a, a_ref, atol=1e-8 * np.abs(a).max())


def test_echo_filter_reduces_to_matched_filter_and_ceiling():
    """O1 / O6: S = c h h^H -> a = h/||h||, lambda = c ||h||^2; ceiling kappa^2||h||^4 P/(2 sigma^2)."""
    sc = RsmaHisacScenario()
    h = sc.target_channel()
    rng = np.random.default_rng(0)
    W = _psd(rng, sc.m1)
    S_scalar = np.real(h.conj() @ W @ h)
    c = sc.kappa2 * S_scalar / (2 * sc.sigma2)
    a, lam = K.echo_filter(c * np.outer(h, h.conj()) / c)      # normalised (conditioning)
    mf = K.matched_echo_filter(h)
    assert abs(abs(np.vdot(a, mf)) - 1.0) < 1e-10
    assert lam * c == pytest.approx(c * np.linalg.norm(h) ** 2, rel=1e-10)
    # any other filter gives a lower SCNR (O1)
    for _ in range(20):
        b = _cplx(rng, sc.m1)
        assert abs(np.vdot(b, h)) ** 2 / np.vdot(b, b).real <= np.linalg.norm(h) ** 2 * (1 + 1e-12)
    # O6: all power on h/||h|| attains the ceiling
    P1 = sc.p1_w
    Wc = P1 * np.outer(mf, mf.conj())
    g = sc.kappa2 * abs(np.vdot(mf, h)) ** 2 * np.real(h.conj() @ Wc @ h) / (2 * sc.sigma2)
    assert g == pytest.approx(K.scnr_ceiling(h, P1, sc.kappa2, sc.sigma2), rel=1e-10)
    assert g == pytest.approx(ref.scnr_ceiling(h, P1, sc.kappa2, sc.sigma2), rel=1e-10)
    # and a random W of the same power stays below it
    Wr = _psd(rng, sc.m1)
    Wr *= P1 / np.trace(Wr).real
    gr = sc.kappa2 * np.linalg.norm(h) ** 2 * np.real(h.conj() @ Wr @ h) / (2 * sc.sigma2)
    assert gr <= g * (1 + 1e-12)


def test_echo_filter_structured_clutter_is_mvdr():
    """clutter="structured": a* ∝ (I + P 1 1^H)^-1 h_ta (Sherman-Morrison form, spec 4.1)."""
    rng = np.random.default_rng(5)
    m, P = 6, 3.0
    h = _cplx(rng, m)
    C = np.eye(m) + P * np.ones((m, m))
    a, _ = K.echo_filter(np.outer(h, h.conj()), C)
    mvdr = np.linalg.solve(C, h)
    assert abs(abs(np.vdot(a, mvdr)) / (np.linalg.norm(a) * np.linalg.norm(mvdr)) - 1.0) < 1e-10


def test_echo_filter_rejects_bad_inputs():
    with pytest.raises(ValueError, match="C"):
        K.echo_filter(np.eye(3), -np.eye(3))
    with pytest.raises(ValueError, match="S"):
        K.echo_filter(np.ones((3, 2)))
    with pytest.raises(ValueError, match="e"):
        K.robust_radius(np.ones((1, 3)), 1.2, True)


@given(seed=st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_robust_quadratic_forms_and_rank_one_bounds(seed):
    rng = np.random.default_rng(seed)
    h = _cplx(rng, 4, 5)
    X = np.stack([_psd(rng, 5) for _ in range(4)])
    e = rng.uniform(0, 1, 4)
    np.testing.assert_allclose(K.robust_quadratic_forms(h, X, e), ref.robust_quadratic_forms(h, X, e), rtol=1e-10)
    w = _cplx(rng, 5)
    np.testing.assert_allclose(K.rank_one_gain_bounds(h[0], w, 0.3), ref.rank_one_gain_bounds(h[0], w, 0.3),
                               rtol=1e-12)
    r = rng.uniform(0.1, 2, 6)
    p = rng.uniform(0.5, 2, 6)
    np.testing.assert_allclose(K.dinkelbach_ratio(r - 1, p), ref.dinkelbach_ratio(r - 1, p), rtol=1e-14)


def test_csi_bounds_o3_monte_carlo():
    """O3: w^H(H - e_UB I)w <= |(h+e)^H w|^2 <= w^H(H + e_UB I)w for every ||e|| <= e; the
    (10) radius e(||h||+e) is not a valid lower bound; the printed example numbers."""
    rng = np.random.default_rng(11)
    m = 8
    h = _cplx(rng, m)
    h *= math.sqrt(8.8) / np.linalg.norm(h)
    e = 0.3 * np.linalg.norm(h)
    w = h / np.linalg.norm(h)
    eub = float(K.robust_radius(h[None], e, relative=False)[0])
    lo, hi = float(np.real(np.vdot(h, h)) - eub), float(np.real(np.vdot(h, h)) + eub)
    exact_lo, exact_hi = K.rank_one_gain_bounds(h, w, e)
    assert exact_lo == pytest.approx(4.31, abs=0.01)               # true worst
    assert 8.8 - e * (math.sqrt(8.8) + e) == pytest.approx(5.37, abs=0.01)  # (10): above the true worst
    assert lo == pytest.approx(2.73, abs=0.01)                     # App. A bound: valid
    assert exact_hi == pytest.approx(hi, rel=1e-12)                # tight for w || h
    z = _cplx(rng, 20000, m)
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    for radii in (np.full(20000, e), e * rng.uniform(0, 1, 20000) ** (1 / (2 * m))):
        g = np.abs((h[None] + z * radii[:, None]).conj() @ w) ** 2
        assert g.min() >= lo - 1e-12 and g.max() <= hi + 1e-12
        assert g.min() >= exact_lo - 1e-9
    # random non-aligned w, relative model
    W = _psd(rng, m, 2)
    eub_rel = float(K.robust_radius(h[None], 0.2, True)[0])
    q = np.real(np.einsum("li,ij,lj->l", (h[None] + z * 0.2 * np.linalg.norm(h)).conj(), W,
                          h[None] + z * 0.2 * np.linalg.norm(h)))
    t = np.trace(W).real
    q0 = np.real(h.conj() @ W @ h)
    assert q.min() >= q0 - eub_rel * t - 1e-9 and q.max() <= q0 + eub_rel * t + 1e-9


def _random_design(rng, m1, m2, n, rc=1, rw=1):
    W = np.stack([np.stack([_psd(rng, m1, 1), _psd(rng, m1, 2)]) for _ in range(rw)])
    O = np.stack([np.stack([_psd(rng, m2, 1) for _ in range(n + 1)]) for _ in range(rw)])
    ch = dict(h_bo=_cplx(rng, rc, m1), h_e=_cplx(rng, rc, m1), g_bo=_cplx(rng, rc, m2), g_e=_cplx(rng, rc, m2),
              h_n=_cplx(rng, rc, n, m1), g_n=_cplx(rng, rc, n, m2), h_ta=_cplx(rng, m1), a=_cplx(rng, m1),
              e_ub=rng.uniform(0, 0.5, (rc, 4)))
    return W, O, ch


@given(seed=st.integers(0, 10_000), n=st.integers(1, 4), batch=st.sampled_from([(1, 1), (3, 1), (1, 3), (2, 2)]))
@settings(max_examples=25, deadline=None)
def test_metrics_kernel_matches_reference(seed, n, batch):
    rng = np.random.default_rng(seed)
    rw, rc = batch
    W, O, ch = _random_design(rng, 4, 3, n, rc=rc, rw=rw)
    got = K.rsma_hisac_metrics(W, O, **ch, sigma2=0.7, kappa2=2.0, p0=1.5)
    exp = ref.rsma_hisac_metrics(W, O, **ch, sigma2=0.7, kappa2=2.0, p0=1.5)
    for k, v in exp.items():
        np.testing.assert_allclose(got[k], v, rtol=1e-9, atol=1e-12, err_msg=k)


def test_metrics_formulas_by_hand():
    """(9)-(15), (18) and SEE on a perfect-CSI instance, written out scalar by scalar."""
    rng = np.random.default_rng(7)
    W, O, ch = _random_design(rng, 3, 3, 2)
    ch["e_ub"][:] = 0.0
    m = K.rsma_hisac_metrics(W, O, **ch, sigma2=1.0, kappa2=3.0, p0=2.0)

    def q(h, X):
        return float(np.real(h.conj() @ X @ h))
    hb, he, gb, ge = ch["h_bo"][0], ch["h_e"][0], ch["g_bo"][0], ch["g_e"][0]
    Wb, Wt = W[0]
    Os = O[0].sum(0)
    ib, ie = q(gb, Os), q(ge, Os)
    assert m["gamma_bo_ta"][0] == pytest.approx(q(hb, Wt) / (q(hb, Wb) + ib + 1))
    assert m["gamma_bo_bo"][0] == pytest.approx(q(hb, Wb) / (ib + 1))
    assert m["gamma_e_bo"][0] == pytest.approx(q(he, Wb) / (q(he, Wt) + ie + 1))
    assert m["gamma_e_ta"][0] == pytest.approx(q(he, Wt) / (q(he, Wb) + ie + 1))
    rs = math.log2(1 + m["gamma_bo_bo"][0]) - math.log2(1 + m["gamma_e_bo"][0])
    assert m["secrecy_raw"][0] == pytest.approx(rs)
    P1, P2 = np.trace(Wb + Wt).real, np.trace(Os).real
    assert m["see"][0] == pytest.approx(max(rs, 0) / (P1 + P2 + 2.0))
    a, hta = ch["a"], ch["h_ta"]
    assert m["gamma_b1"][0] == pytest.approx(3.0 * abs(np.vdot(a, hta)) ** 2 * q(hta, Wb + Wt) / (2 * np.vdot(a, a).real))
    rc = min(math.log2(1 + q(g, O[0, 0]) / (q(g, O[0, 1]) + q(g, O[0, 2]) + q(h, Wb + Wt) + 1))
             for g, h in zip(ch["g_n"][0], ch["h_n"][0]))
    assert m["rate_common"][0] == pytest.approx(rc)


def test_metrics_rejects_bad_inputs():
    rng = np.random.default_rng(0)
    W, O, ch = _random_design(rng, 3, 3, 2)
    with pytest.raises(ValueError, match="W"):
        K.rsma_hisac_metrics(W[:, :1], O, **ch, sigma2=1.0, kappa2=1.0, p0=1.0)
    bad = dict(ch, e_ub=-ch["e_ub"])
    with pytest.raises(ValueError, match="e_ub"):
        K.rsma_hisac_metrics(W, O, **bad, sigma2=1.0, kappa2=1.0, p0=1.0)
    with pytest.raises(ValueError, match="sigma2"):
        K.rsma_hisac_metrics(W, O, **ch, sigma2=-1.0, kappa2=1.0, p0=1.0)
    with pytest.raises(ValueError, match="g_n"):
        K.rsma_hisac_metrics(W, O, **dict(ch, g_n=ch["g_n"][:, :1]), sigma2=1.0, kappa2=1.0, p0=1.0)
    with pytest.raises(ValueError, match="power"):
        K.dinkelbach_ratio(np.ones(2), np.array([1.0, -1.0]))


def test_prop1_soc_equivalence_o5():
    """O5: for tau > 1 the exact SOC of spec 4.3 holds iff R_S^worst >= I_S (random scalars)."""
    rng = np.random.default_rng(3)
    agree = 0
    for _ in range(4000):
        Is = rng.uniform(0.2, 2.0)
        tau = 2 ** Is
        A, E, F, bb, be = rng.exponential(3.0, 5) + np.r_[0, 0, 0, 0.1, 0.1]
        rs = math.log2((bb + A) / bb) - math.log2((be + E + F) / (be + F))
        U1 = A - (tau - 1) * bb
        U2 = tau / (tau - 1) * E + F + be
        soc = U1 + U2 >= math.hypot(2 * math.sqrt(tau / (tau - 1) * A * E), U1 - U2)
        if abs(rs - Is) > 1e-9:
            assert soc == (rs >= Is)
            agree += 1
    assert agree > 3900


def test_eve_cap_o2_by_sampling():
    """O2: C7 + C9 with gamma_th < 1 imply gamma_e,bo < gamma_th (=> R_e < 0.585 at gamma 0.5)."""
    rng = np.random.default_rng(4)
    g = 0.5
    worst = 0.0
    for _ in range(20000):
        alpha = rng.exponential(1.0)
        b = rng.uniform(0, g * alpha / (1 - g))        # C9 region for F = b
        a = rng.uniform(0, b)                          # C7: E <= F
        if b < g * (a + alpha):
            worst = max(worst, a / (b + alpha))
    assert worst < g
    assert math.log2(1 + worst) < math.log2(1.5)


# ----------------------------------------------------------------- structured clutter (spec 2.6 [D], 4.1)
def _phase_aligned(a, b):
    """|<a, b>| / (||a|| ||b||): 1 iff equal up to a complex scalar."""
    return abs(np.vdot(a, b)) / (np.linalg.norm(a) * np.linalg.norm(b))


@settings(max_examples=30, deadline=None)
@given(m=st.integers(2, 12), c=st.floats(0.0, 1e4), seed=st.integers(0, 2 ** 31))
def test_mvdr_filter_matches_reference_and_generalised_eigenvector(m, c, seed):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    a = K.mvdr_echo_filter(h, c)
    assert np.linalg.norm(a) == pytest.approx(1.0)
    assert _phase_aligned(a, ref.mvdr_echo_filter(h, c)) == pytest.approx(1.0, abs=1e-9)
    C = np.eye(m) + c * np.ones((m, m))
    g, _ = K.echo_filter(np.outer(h, h.conj()), C)                   # generalised Rayleigh quotient
    assert _phase_aligned(a, g) == pytest.approx(1.0, abs=1e-7)
    # it maximises the structured SCNR: no random filter does better
    s_echo, p1 = np.array([2.0]), np.array([c])
    best = K.structured_scnr(a, h, s_echo, p1, 1.0, 1.5, 0.3)[0]
    np.testing.assert_allclose(best, ref.structured_scnr(a, h, s_echo, p1, 1.0, 1.5, 0.3)[0], rtol=1e-10)
    for _ in range(5):
        b = rng.standard_normal(m) + 1j * rng.standard_normal(m)
        assert K.structured_scnr(b, h, s_echo, p1, 1.0, 1.5, 0.3)[0] <= best * (1 + 1e-9)


def test_mvdr_filter_reduces_to_matched_filter_without_clutter():
    sc = RsmaHisacScenario()
    h = sc.target_channel()
    np.testing.assert_allclose(K.mvdr_echo_filter(h, 0.0), K.matched_echo_filter(h), atol=1e-14)
    prev = 1.0
    for c in (1e-9, 1e-3, 1.0, 316.0):          # continuous in c, and the clutter leak 1^H a shrinks
        a = K.mvdr_echo_filter(h, c)
        assert _phase_aligned(a, h) <= 1.0 + 1e-12
        leak = abs(a.sum()) ** 2
        assert leak <= prev + 1e-15
        prev = leak
    assert _phase_aligned(K.mvdr_echo_filter(h, 1e-9), h) == pytest.approx(1.0, abs=1e-9)
    # no clutter power: structured SCNR = kappa^2 ||h||^2 S / sigma^2 = twice the printed (18) value
    S = np.array([3.0])
    got = K.structured_scnr(K.matched_echo_filter(h), h, S, np.array([0.0]), 1.0, 2.0, 0.5)[0]
    assert got == pytest.approx(2.0 * np.vdot(h, h).real * 3.0 / 0.5)
    with pytest.raises(ValueError, match="clutter"):
        K.mvdr_echo_filter(h, -1.0)
    with pytest.raises(ValueError, match="h_ta"):
        K.mvdr_echo_filter(np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="clutter"):
        RsmaHisacScenario(clutter="pink")


def test_every_public_rsma_hisac_kernel_has_a_reference_twin():
    import inspect
    names = [n for n in K.__all__ if callable(getattr(K, n)) and n != "warmup"]
    for name in names:
        assert list(inspect.signature(getattr(ref, name)).parameters) == \
            list(inspect.signature(getattr(K, name)).parameters), name
