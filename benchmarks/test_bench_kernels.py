"""Kernels (Layer 1, through their public validating wrappers) vs the NumPy reference (Layer 2).

Run with ``pytest benchmarks --benchmark-only``. Every case is a pair of benchmarks,
``impl=ours`` and ``impl=reference``, in the same ``benchmark.group`` ("<kernel> <size>");
``benchmark.extra_info`` carries ``kernel``, ``size`` and ``impl`` so a script can pair
them and compute the speed-up. Before timing, each case checks once (outside the timed
call) that both implementations return the same result, so a pair never compares two
different computations. Sizes follow the seed-003 paper: Nt in {8, 12}, angle grids of
181 / 1801 points, 1e3 / 1e5 channel draws with K = 3 users.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import fastisac.kernels as K
import fastisac.reference as R

# fast cases are auto-calibrated by pytest-benchmark, but kept short
pytestmark = pytest.mark.benchmark(max_time=0.25, min_rounds=5, warmup=False)

N_USERS = 3
SLOW_CALL = 0.01      # s; above this a case uses pedantic mode with few rounds


def _crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)


def _psd(rng, n, batch=()):
    G = _crandn(rng, *batch, n, n)
    return G @ np.conj(np.swapaxes(G, -1, -2))


def _near_rank_one(rng, n, batch):
    """SDR-like outputs: w w^H plus a tiny full-rank residue."""
    w = _crandn(rng, *batch, n)
    return w[..., :, None] * np.conj(w[..., None, :]) + 1e-6 * _psd(rng, n, batch) / n


def _grid(n_points):
    return np.deg2rad(np.linspace(-90.0, 90.0, n_points))


def _label(x):
    return f"1e{int(round(np.log10(x)))}" if x >= 1000 else str(x)


# ----------------------------------------------------------------------------- input builders
# each returns the positional arguments of the kernel (identical for both implementations)

def b_steering(n, _):
    return (n, np.deg2rad(10.0))


def b_steering_batch(n, n_angles):
    return (n, _grid(n_angles))


def b_beampattern(n, n_angles):
    return (_psd(np.random.default_rng(1), n), _grid(n_angles))


def b_quadratic_form(n, _):
    rng = np.random.default_rng(2)
    return (_crandn(rng, n), _psd(rng, n))


def b_quadratic_forms(n, m):
    rng = np.random.default_rng(3)
    # K channels against the K comm covariances and S (J = K + 1), one set per draw
    return (_crandn(rng, m, N_USERS, n), _psd(rng, n, (m, N_USERS + 1)))


def b_outer_products(n, m):
    return (_crandn(np.random.default_rng(4), m, N_USERS, n),)


def b_eig(n, m):
    return (_near_rank_one(np.random.default_rng(5), n, (m,)),)


def b_sample(n, n_samples):
    rng = np.random.default_rng(6)
    return (_psd(rng, n), _crandn(rng, n_samples, n))


def b_sinr_users(_, m):
    rng = np.random.default_rng(7)
    return (rng.exponential(size=(m, N_USERS, N_USERS)), np.full(N_USERS, 0.1), rng.exponential(size=(m, N_USERS)))


def b_sinr_eves(_, m):
    rng = np.random.default_rng(8)
    return (rng.exponential(size=(m, N_USERS, N_USERS)), np.full(N_USERS, 0.1), rng.exponential(size=(m, N_USERS)))


def b_rate(_, m):
    return (np.random.default_rng(9).exponential(size=(m, N_USERS)),)


def b_secrecy(_, m):
    rng = np.random.default_rng(10)
    return (rng.exponential(size=(m, N_USERS)), rng.exponential(size=(m, N_USERS, N_USERS)))


def b_dual_eve(n, m):
    """Seed-003 structure: h_k = g_k^H + h_e,k h_ce^H, Q_k = w_k w_k^H, S PSD (normalised units)."""
    rng = np.random.default_rng(11)
    hce = 0.5 * K.steering_ula(n, np.deg2rad(10.0))
    g = _crandn(rng, m, N_USERS, n)
    he = 0.3 * np.exp(2j * np.pi * rng.random((m, N_USERS)))
    h = np.conj(g) + he[:, :, None] * np.conj(hce)
    W = _crandn(rng, m, N_USERS, n)
    Q = W[..., :, None] * np.conj(W[..., None, :])
    S = _psd(rng, n, (m,)) / n
    return (Q, S, h, hce, he, np.full(N_USERS, 0.5), 1.0, 2.0)


# ----------------------------------------------------------------------------- comparisons

def _close(a, b, rtol=1e-9):
    a = np.asarray(a)
    b = np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    if b.dtype == bool:
        np.testing.assert_array_equal(a, b)
        return
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-300)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale)


def cmp_default(ours, ref, args):
    if isinstance(ours, dict):
        assert set(ours) == set(ref)
        for key in ref:
            _close(ours[key], ref[key])
    elif isinstance(ours, tuple):
        assert len(ours) == len(ref)
        for a, b in zip(ours, ref):
            _close(a, b)
    else:
        _close(ours, ref)


def cmp_sample(ours, ref, args):
    """CN(0, X) samples: the square-root factor F (out = z F^T) is unique only up to a
    unitary, so check the realised covariance F F^H and that ours really is z F^T."""
    X, z = args
    eye = np.eye(X.shape[0], dtype=np.complex128)
    Fo = K.sample_from_covariance(X, eye).T
    Fr = R.sample_from_covariance(X, eye).T
    _close(Fo @ Fo.conj().T, Fr @ Fr.conj().T)
    _close(ours, z @ Fo.T)


def b_counter_normals(n_draws, n_per_draw):
    return (7, 1000, n_draws, n_per_draw)


def cmp_exact(ours, ref, args):
    np.testing.assert_array_equal(ours, ref)          # same bits: same generator


# ----------------------------------------------------------------------------- cases

CASES = []  # (kernel, size label, builder, builder args, comparison)


def _add(kernel, label, builder, params, cmp=cmp_default):
    CASES.append((kernel, label, builder, params, cmp))


for _n in (8, 12):
    _add("steering_ula", f"N={_n}", b_steering, (_n, None))
    _add("steering_ula_derivative", f"N={_n}", b_steering, (_n, None))
    _add("quadratic_form", f"N={_n}", b_quadratic_form, (_n, None))
    for _g in (181, 1801):
        _add("steering_ula_batch", f"N={_n} grid={_g}", b_steering_batch, (_n, _g))
        _add("steering_ula_derivative_batch", f"N={_n} grid={_g}", b_steering_batch, (_n, _g))
        _add("beampattern", f"N={_n} grid={_g}", b_beampattern, (_n, _g))
    for _m in (1000, 100_000):
        _add("quadratic_forms", f"N={_n} M={_label(_m)} K={N_USERS}", b_quadratic_forms, (_n, _m))
        _add("outer_products", f"N={_n} M={_label(_m)} K={N_USERS}", b_outer_products, (_n, _m))
        _add("sample_from_covariance", f"N={_n} L={_label(_m)}", b_sample, (_n, _m), cmp_sample)
        _add("dual_eve_metrics", f"N={_n} M={_label(_m)} K={N_USERS}", b_dual_eve, (_n, _m))
    _add("principal_eigenpairs", f"M=1e3 N={_n}", b_eig, (_n, 1000))
    _add("rank_one_extract", f"M=1e3 N={_n}", b_eig, (_n, 1000))
for _m in (1000, 100_000):
    _add("sinr_users", f"M={_label(_m)} K={N_USERS}", b_sinr_users, (None, _m))
    _add("sinr_eavesdroppers", f"M={_label(_m)} E={N_USERS} K={N_USERS}", b_sinr_eves, (None, _m))
    _add("rate", f"M={_label(_m)} K={N_USERS}", b_rate, (None, _m))
    _add("secrecy_rate", f"M={_label(_m)} E={N_USERS} K={N_USERS}", b_secrecy, (None, _m))

_add("counter_normals", "1e3 draws x 32 normals", b_counter_normals, (1000, 32), cmp_exact)

# ours and reference of one case are adjacent, so the inputs are built (and checked) once
PARAMS = [pytest.param(case, impl, id=f"{case[0]}[{case[1].replace(' ', ',')}]-{impl}")
          for case in CASES for impl in ("ours", "reference")]

_current: dict = {}   # single-slot cache: {(kernel, label): (args, checked)}


def _inputs(case):
    kernel, label, builder, params, cmp = case
    key = (kernel, label)
    if key not in _current:
        _current.clear()                       # keep only one (possibly large) case alive
        _current[key] = [builder(*params), False]
    entry = _current[key]
    if not entry[1]:
        args = entry[0]
        cmp(getattr(K, kernel)(*args), getattr(R, kernel)(*args), args)
        entry[1] = True
    return entry[0]


def test_every_kernel_is_benchmarked():
    assert {c[0] for c in CASES} == set(K.__all__) - {"warmup"}


@pytest.mark.parametrize("case, impl", PARAMS)
def test_kernel_vs_reference(benchmark, case, impl):
    kernel, label = case[0], case[1]
    args = _inputs(case)                       # also compiles ours and asserts ours == reference
    fn = getattr(K if impl == "ours" else R, kernel)
    t0 = time.perf_counter()
    fn(*args)                                  # one untimed call (cache warm-up, cost estimate)
    one_call = time.perf_counter() - t0
    benchmark.group = f"{kernel} {label}"
    benchmark.extra_info.update(kernel=kernel, size=label, impl=impl)
    if one_call > SLOW_CALL:
        rounds = int(min(20, max(5, 1.0 / one_call)))
        benchmark.pedantic(fn, args=args, rounds=rounds, iterations=1, warmup_rounds=1)
    else:
        benchmark(fn, *args)
