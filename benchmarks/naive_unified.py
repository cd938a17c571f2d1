"""Naive baselines for seed 001 (unified_outage): the same SCA / SDR / PGA iterations as
``fastisac.algorithms._unified_baselines``, but every subproblem is built (CVXPY expression
tree, DPP check, canonicalisation) afresh for each solve and solved through ``problem.solve``
(CVXPY's own Clarabel interface), as a researcher writing the paper's loop straight in CVXPY
would. Same formulation and Clarabel settings, so both runs visit the same iterates.
Benchmark baseline only (not part of the package)."""

from __future__ import annotations

from fastisac.algorithms import _unified_baselines as ub


class _FreshParam:
    def __init__(self, owner):
        self.owner = owner

    def solve(self, accept=None, **values):
        prob = self.owner.factory()               # rebuild the whole problem
        prob.param.direct = False                 # through problem.solve, as written from the paper
        self.owner.current = prob
        rec = prob.param.solve(accept, **values)
        rec.wall_time += prob.param.build_time    # the rebuild is part of every iteration's cost
        return rec


class _Rebuilt:
    """Stands in for a cached subproblem: ``param.solve`` builds a fresh one each time."""

    def __init__(self, factory):
        self.factory, self.current = factory, None
        self.param = _FreshParam(self)

    def step(self):
        return self.current.step()

    def covariances(self):
        return self.current.covariances()


def naive_baseline(method, sc, inst, **kw):
    """``BASELINES[method](sc, inst, **kw)`` with every subproblem rebuilt per solve."""
    orig = ub._get
    ub._get = lambda key, factory: _Rebuilt(factory)
    try:
        return ub.BASELINES[method](sc, inst, **kw)
    finally:
        ub._get = orig
