"""Naive baseline for the seed 004 BCD: the same algorithm, but the per-slot CVXPY problem is
rebuilt (and re-canonicalised) for every solve instead of being built once with parameters."""

from __future__ import annotations

from fastisac.algorithms import tris_rsma as alg


class _Rebuilt:
    """Stands in for a cached slot SDP: every ``solve`` builds a fresh problem (same formulation)."""

    def __init__(self, *args, **kw):
        self.args, self.kw = args, kw   # (N, K, M, scheme, solver_settings, exact, sic_order, formulation), variants
        self.pp = type("PP", (), {"build_time": 0.0})()
        template = alg.SlotSDP(*args, **kw)     # attributes the rank-one recovery reads
        self.fixed, self.streams = getattr(template, "fixed", ()), getattr(template, "streams", ())

    def solve(self, values, stats):
        prob = alg.SlotSDP(*self.args, **self.kw)
        stats.build_time += prob.pp.build_time
        return prob.solve(values, stats)


def naive_tris_rsma_bcd(sc, inst, scheme="proposed", **kw):
    """:func:`fastisac.algorithms.tris_rsma.tris_rsma_bcd` with a rebuild per slot SDP."""
    orig = alg.slot_problem
    alg.slot_problem = lambda *a, **kw: _Rebuilt(*a, **kw)
    try:
        return alg.tris_rsma_bcd(sc, inst, scheme, **kw)
    finally:
        alg.slot_problem = orig
