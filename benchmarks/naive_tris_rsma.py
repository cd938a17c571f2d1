"""Naive baselines for the seed 004 BCD: the same algorithm with the per-slot CVXPY problem rebuilt
(and re-canonicalised) for every solve instead of being built once with parameters.

``formulation="complex"`` (the default) is the version written straight from the paper, as the
other papers' naive baselines are: CVXPY Hermitian variables ``X_i`` with ``X_i >> 0``
(:class:`fastisac.algorithms.tris_rsma.ComplexSlotSDP`, the agreement oracle of the library's real
embedding) for every slot SDP of the BCD. The rank-one recovery's auxiliary problems (rank-one
penalty, fixed-direction repair; note 4.4 leaves recovery open) exist in the real form only and
are rebuilt in it. ``formulation="real"`` rebuilds the library's own formulation: what DPP
alone buys.
"""

from __future__ import annotations

import inspect

from fastisac.algorithms import tris_rsma as alg

_SIGNATURE = inspect.signature(alg.SlotSDP)


class _Rebuilt:
    """Stands in for a cached slot SDP: every ``solve`` builds a fresh problem."""

    def __init__(self, formulation, *args, **kw):
        bound = _SIGNATURE.bind(*args, **kw)
        bound.apply_defaults()
        self.kw = dict(bound.arguments)
        if not (self.kw["fixed_directions"] or self.kw["rank_penalty"]):
            self.kw["formulation"] = formulation
        self.pp = type("PP", (), {"build_time": 0.0})()
        template = alg.SlotSDP(**self.kw)     # attributes the rank-one recovery reads
        self.fixed, self.streams = getattr(template, "fixed", ()), getattr(template, "streams", ())

    def solve(self, values, stats):
        prob = alg.SlotSDP(**self.kw)
        stats.build_time += prob.pp.build_time
        return prob.solve(values, stats)


def naive_tris_rsma_bcd(sc, inst, scheme="proposed", formulation="complex", **kw):
    """:func:`fastisac.algorithms.tris_rsma.tris_rsma_bcd` with a rebuild per slot SDP (``formulation``:
    "complex", the paper's Hermitian variables, or "real", the library's formulation)."""
    if formulation not in alg.FORMULATIONS:
        raise ValueError(f"formulation: must be one of {alg.FORMULATIONS}, got {formulation!r}")
    orig = alg.slot_problem
    alg.slot_problem = lambda *a, **k: _Rebuilt(formulation, *a, **k)
    try:
        return alg.tris_rsma_bcd(sc, inst, scheme, **kw)
    finally:
        alg.slot_problem = orig
