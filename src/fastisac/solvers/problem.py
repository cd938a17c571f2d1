"""Build once, re-solve with parameters: the solver plumbing every paper uses.

Status policy (numerics.md 1): ``optimal`` is accepted; ``optimal_inaccurate`` is
accepted but flagged (``SolveRecord.inaccurate``) so the caller re-checks every
constraint in NumPy; ``infeasible*`` raises :class:`InfeasibleError`; anything else
(``solver_error``, ``unbounded*``, a CVXPY exception) raises :class:`SolverError`
carrying the status.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from ..errors import InfeasibleError, SolverError

#: Clarabel settings measured in numerics.md 3-4: qdldl is ~2x faster than faer with
#: 2 threads on these small dense PSD blocks; presolve and chordal decomposition off so
#: CVXPY can update Clarabel's data in place when only parameters change.
DEFAULT_CLARABEL_SETTINGS = {
    "direct_solve_method": "qdldl",
    "presolve_enable": False,
    "chordal_decomposition_enable": False,
}

_ACCEPTED = {cp.OPTIMAL, cp.OPTIMAL_INACCURATE}
_INFEASIBLE = {cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE}


@dataclass
class SolveRecord:
    """One solve: status, objective and where the time went (seconds)."""

    status: str
    objective: float
    wall_time: float          # whole ``problem.solve`` call
    solver_time: float        # Clarabel's own solve time
    compile_time: float       # CVXPY canonicalisation / parameter binding
    iterations: int

    @property
    def inaccurate(self) -> bool:
        return self.status == cp.OPTIMAL_INACCURATE

    @property
    def overhead_time(self) -> float:
        return max(self.wall_time - self.solver_time, 0.0)


@dataclass
class SolveStats:
    """Accumulated timings of many solves (for result dataclasses)."""

    build_time: float = 0.0
    n_solves: int = 0
    n_inaccurate: int = 0
    n_failed: int = 0
    wall_time: float = 0.0
    solver_time: float = 0.0
    compile_time: float = 0.0
    statuses: list = field(default_factory=list)

    def add(self, rec: SolveRecord) -> None:
        self.n_solves += 1
        self.n_inaccurate += int(rec.inaccurate)
        self.wall_time += rec.wall_time
        self.solver_time += rec.solver_time
        self.compile_time += rec.compile_time
        self.statuses.append(rec.status)

    def add_failure(self, status: str, wall_time: float) -> None:
        self.n_solves += 1
        self.n_failed += 1
        self.wall_time += wall_time
        self.statuses.append(status)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("build_time", "n_solves", "n_inaccurate", "n_failed",
                                              "wall_time", "solver_time", "compile_time")}


class ParametricProblem:
    """A CVXPY problem built once (DPP) and re-solved with new parameter values.

    Parameters
    ----------
    problem : cp.Problem
        Must be DPP (checked), so CVXPY canonicalises it once and afterwards only
        rebinds parameters.
    parameters : dict[str, cp.Parameter]
        The parameters :meth:`solve` may set, by name.
    solver : str
        Any CVXPY solver name; Clarabel by default.
    settings : dict
        Solver settings; for Clarabel they default to :data:`DEFAULT_CLARABEL_SETTINGS`.
    """

    def __init__(self, problem: cp.Problem, parameters: dict, *, solver: str = cp.CLARABEL,
                 settings: dict | None = None, build_time: float = 0.0):
        if not isinstance(problem, cp.Problem):
            raise ValueError(f"problem: must be a cvxpy.Problem, got {type(problem).__name__}")
        if not problem.is_dpp():
            raise ValueError("problem: must be DPP so it can be re-solved without rebuilding")
        self.problem = problem
        self.parameters = dict(parameters)
        self.solver = solver
        base = dict(DEFAULT_CLARABEL_SETTINGS) if solver == cp.CLARABEL else {}
        base.update(settings or {})
        self.settings = base
        self.build_time = build_time

    def set(self, **values) -> None:
        """Set parameter values by name (shapes are checked by CVXPY)."""
        for name, value in values.items():
            if name not in self.parameters:
                raise ValueError(f"{name}: not a parameter of this problem ({sorted(self.parameters)})")
            arr = np.asarray(value, dtype=np.float64)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name}: parameter value must be finite")
            self.parameters[name].value = arr

    def solve(self, **values) -> SolveRecord:
        """Set parameters, solve, map the status; raise on failure."""
        self.set(**values)
        t0 = time.perf_counter()
        try:
            self.problem.solve(solver=self.solver, warm_start=True, **self.settings)
        except cp.error.SolverError as exc:
            raise SolverError(f"{self.solver} failed: {exc}", status="solver_error") from exc
        wall = time.perf_counter() - t0
        status = self.problem.status
        if status in _INFEASIBLE:
            raise InfeasibleError(f"{self.solver} certified infeasibility", status=status)
        if status not in _ACCEPTED or self.problem.value is None or not np.isfinite(self.problem.value):
            raise SolverError(f"{self.solver} returned no usable solution", status=str(status))
        stats = self.problem.solver_stats
        solver_time = float(stats.solve_time) if stats is not None and stats.solve_time is not None else 0.0
        compile_time = float(getattr(self.problem, "compilation_time", 0.0) or 0.0)
        iters = int(stats.num_iters) if stats is not None and stats.num_iters is not None else -1
        return SolveRecord(status=status, objective=float(self.problem.value), wall_time=wall,
                           solver_time=solver_time, compile_time=compile_time, iterations=iters)
