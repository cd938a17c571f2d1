"""Build once, re-solve with parameters: the solver plumbing every paper uses.

In-place updates: CVXPY reuses its canonicalisation of a DPP problem whatever
``warm_start`` says; ``warm_start=True`` additionally updates the Clarabel solver's data
in place. On the dual_eve subproblem (36 SCA runs, K = 3..5, gamma_s = 32 dBm) the
in-place path ended ``solver_error`` in 5 runs at the first solve and 13 times mid-run,
while a Clarabel solver set up afresh per solve failed 0 times, at the same time per
iteration (0.10 s vs 0.12 s). So ``warm_start`` defaults to False here, and a failed solve
is retried from a fresh solver with :data:`FALLBACK_CLARABEL_SETTINGS`, then with
:data:`SHORT_STEP_CLARABEL_SETTINGS` (Clarabel only). An infeasibility certificate is final
only if no later attempt finds a solution.

Direct Clarabel driving (``direct=True``, the default for Clarabel): the problem is
canonicalised once with ``get_problem_data``; every later solve maps the parameter vector
to the solver data (q, A, b) by one sparse product on the fixed CSC pattern CVXPY
computed, calls ``clarabel.DefaultSolver`` itself and hands the raw result back to CVXPY's
own inversion (``unpack_results``), so variable values, statuses and duals are exactly
what ``problem.solve`` would give (tested) without CVXPY's per-solve data rebuilding.
Measured on the unified_outage AV-SCA baseline (N = 8, 18 solves): see the README's
benchmark table (issue 9).

Status policy (numerics.md 1): ``optimal`` is accepted; ``optimal_inaccurate`` is
accepted but flagged (``SolveRecord.inaccurate``) so the caller re-checks every
constraint in NumPy; ``infeasible*`` raises :class:`InfeasibleError`; anything else
(``solver_error``, ``unbounded*``, a CVXPY exception) raises :class:`SolverError`
carrying the status.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from .._checks import as_int
from ..errors import InfeasibleError, SolverError

#: Clarabel settings. Measured on the dual_eve SCA subproblem (K = 3, Clarabel 0.11.1,
#: per solve): Nt = 8: qdldl 58 ms, faer 2 threads 237 ms, faer 1 thread 77 ms, faer
#: 1 thread without iterative refinement 41 ms; Nt = 12: 333 / 263 / 251 / 117 ms, same
#: SR to 1e-6. One thread also suits process pools (one solver per core). Presolve and
#: chordal decomposition off (numerics.md 4).
DEFAULT_CLARABEL_SETTINGS = {
    "direct_solve_method": "faer",
    "max_threads": 1,
    "iterative_refinement_enable": False,
    "presolve_enable": False,
    "chordal_decomposition_enable": False,
}

#: Retry settings: more regularisation and iterative refinement, more iterations.
FALLBACK_CLARABEL_SETTINGS = {
    "direct_solve_method": "qdldl",
    "static_regularization_constant": 1e-7,
    "iterative_refinement_enable": True,
    "max_iter": 400,
}

#: Last resort after the primary and fallback settings both failed: the primary settings with
#: shorter interior-point steps. On unified_outage's PR-SCA beampattern subproblem (181 rotated
#: cones + exponential cones with rate gradients ~1e2) 15 of 17 solves of one run ended
#: ``solver_error`` under both earlier settings; with max_step_fraction 0.9 they end
#: AlmostSolved (29 iterations), which the caller re-checks. networked's stalled local solves
#: showed the same remedy.
SHORT_STEP_CLARABEL_SETTINGS = {"max_step_fraction": 0.9}

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
    attempts: int = 1
    setup_time: float = 0.0   # Clarabel's own setup (data copy, equilibration, KKT symbolic); direct path only

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
    n_retries: int = 0
    wall_time: float = 0.0
    solver_time: float = 0.0
    compile_time: float = 0.0
    setup_time: float = 0.0
    statuses: list = field(default_factory=list)

    def add(self, rec: SolveRecord) -> None:
        self.n_solves += 1
        self.n_retries += rec.attempts - 1
        self.n_inaccurate += int(rec.inaccurate)
        self.wall_time += rec.wall_time
        self.solver_time += rec.solver_time
        self.compile_time += rec.compile_time
        self.setup_time += rec.setup_time
        self.statuses.append(rec.status)

    def add_failure(self, status: str, wall_time: float) -> None:
        self.n_solves += 1
        self.n_failed += 1
        self.wall_time += wall_time
        self.statuses.append(status)

    _TOTALS = ("build_time", "n_solves", "n_inaccurate", "n_failed", "n_retries", "wall_time", "solver_time",
               "compile_time", "setup_time")

    def absorb(self, other: "SolveStats") -> None:
        """Add another run's counts and timings to these (a result that paid for two runs)."""
        if not isinstance(other, SolveStats):
            raise ValueError(f"other: must be a SolveStats, got {type(other).__name__}")
        for k in self._TOTALS:
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.statuses.extend(other.statuses)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self._TOTALS}


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
    direct : bool, optional
        Drive Clarabel directly after one canonicalisation (default for Clarabel; see the
        module docstring). ``False`` goes through ``problem.solve`` every time.
    """

    def __init__(self, problem: cp.Problem, parameters: dict, *, solver: str = cp.CLARABEL,
                 settings: dict | None = None, build_time: float = 0.0, warm_start: bool = False,
                 retry: bool = True, direct: bool | None = None):
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
        self.warm_start = warm_start
        self.retry = retry
        if direct is None:
            direct = solver == cp.CLARABEL
        if direct and solver != cp.CLARABEL:
            raise ValueError(f"direct: only for Clarabel, not {solver}")
        self.direct = bool(direct)
        self._plain = {name: _plain_sign(p) for name, p in self.parameters.items()}
        self._plain = {k: v for k, v in self._plain.items() if v is not None}
        self._driver = None      # _ClarabelDriver, built at the first direct solve

    def set(self, **values) -> None:
        """Set parameter values by name (shapes are checked by CVXPY).

        Real parameters take real values (a complex value with a nonzero imaginary part is
        rejected, never truncated); complex parameters take complex values.
        """
        for name, value in values.items():
            if name not in self.parameters:
                raise ValueError(f"{name}: not a parameter of this problem ({sorted(self.parameters)})")
            param = self.parameters[name]
            arr = np.asarray(value)
            if param.is_complex():
                arr = arr.astype(np.complex128)
            else:
                if np.iscomplexobj(arr):
                    if np.any(arr.imag != 0):
                        raise ValueError(f"{name}: complex value for a real parameter")
                    arr = arr.real
                arr = arr.astype(np.float64)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name}: parameter value must be finite")
            sign = self._plain.get(name)
            if sign is None:
                param.value = arr                    # CVXPY's own attribute projection checks
                continue
            # plain (or sign-constrained) parameter: the checks CVXPY's setter would do, without
            # its projection round trip (~70 us per parameter, 10-20 % of a small SCA iteration)
            if arr.shape != param.shape:
                raise ValueError(f"{name}: shape {arr.shape}, expected {param.shape}")
            if (sign > 0 and np.any(arr < 0)) or (sign < 0 and np.any(arr > 0)):
                raise ValueError(f"{name}: parameter value must be {'nonnegative' if sign > 0 else 'nonpositive'}")
            param.save_value(arr)

    def solve(self, accept=None, **values) -> SolveRecord:
        """Set parameters, solve, map the status; raise on failure.

        ``accept(record) -> bool`` is asked about ``optimal_inaccurate`` solutions (e.g. a
        NumPy re-check of the constraints); a rejected one counts as a failure. A failure
        is retried (fresh solver, fallback settings) when ``retry`` is on; a solver error
        (not an infeasibility certificate) under the fallback too gets one more attempt with
        shorter interior-point steps.
        """
        self.set(**values)
        attempts = [(self.warm_start, self.settings)]
        if self.retry:
            fallback = dict(self.settings)
            if self.solver == cp.CLARABEL:
                fallback.update(FALLBACK_CLARABEL_SETTINGS)
            attempts.append((False, fallback))
            if self.solver == cp.CLARABEL and self.settings.get("max_step_fraction", 0.99) > 0.9:
                attempts.append((False, dict(self.settings, **SHORT_STEP_CLARABEL_SETTINGS)))
        wall = 0.0
        for i, (warm, settings) in enumerate(attempts):
            try:
                rec = self._solve_once(warm, settings)
            except (SolverError, InfeasibleError) as exc:
                wall += getattr(exc, "wall_time", 0.0)
                if i == len(attempts) - 1 or (i == 1 and isinstance(exc, InfeasibleError)):
                    raise
                continue
            rec.wall_time += wall
            rec.attempts = i + 1
            if rec.inaccurate and accept is not None and not accept(rec):
                if i == len(attempts) - 1:
                    exc = SolverError("inaccurate solution rejected by the caller's constraint check",
                                      status=cp.OPTIMAL_INACCURATE)
                    raise exc
                wall = rec.wall_time
                continue
            return rec
        raise AssertionError("unreachable")

    def constant_slots(self, placeholders: np.ndarray) -> None:
        """Make the constant coefficients equal to ``placeholders`` (distinct non-zero values, each occurring
        exactly once in the canonical data, e.g. a dense constant matrix C in ``x == C @ y`` built with
        :func:`placeholder_values`) replaceable without re-canonicalising: later :meth:`set_constants` calls
        overwrite them in the data of every solve. For coefficient blocks too large for DPP parameters (CVXPY's
        parameter tensor has one column per parameter entry). Needs the direct Clarabel path."""
        ph = np.asarray(placeholders, dtype=np.float64).ravel()
        if not self.direct:
            raise ValueError("placeholders: constant slots need the direct Clarabel path")
        if self._driver is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    self._driver = _ClarabelDriver(self.problem)
                except _NotDirect as exc:
                    raise ValueError(f"placeholders: the direct Clarabel path does not cover this problem ({exc})")
        self._driver.locate_constants(ph)

    def set_constants(self, values: np.ndarray) -> None:
        """Values of the constant slots of :meth:`constant_slots`, in the order of its placeholders."""
        if self._driver is None or self._driver.slots is None:
            raise ValueError("values: call constant_slots first")
        v = np.asarray(values, dtype=np.float64).ravel()
        if v.shape != self._driver.slot_sign.shape or not np.all(np.isfinite(v)):
            raise ValueError(f"values: must be {self._driver.slot_sign.size} finite numbers")
        self._driver.slot_values = v * self._driver.slot_sign

    def _solve_once(self, warm: bool, settings: dict) -> SolveRecord:
        t0 = time.perf_counter()
        direct_times, setup_time = None, 0.0
        try:
            with warnings.catch_warnings():
                # inaccurate solutions are handled explicitly (status + caller's check)
                warnings.filterwarnings("ignore", message="Solution may be inaccurate", category=UserWarning)
                if self.direct and self._driver is None:
                    try:
                        self._driver = _ClarabelDriver(self.problem)
                    except _NotDirect:   # a form the driver does not cover: CVXPY's own path
                        self.direct = False
                if self.direct:
                    direct_times, setup_time = self._driver.solve(settings, warm)
                else:
                    self.problem.solve(solver=self.solver, warm_start=warm, **settings)
        except cp.error.SolverError as exc:
            err = SolverError(f"{self.solver} failed: {exc}", status="solver_error")
            err.wall_time = time.perf_counter() - t0
            raise err from exc
        wall = time.perf_counter() - t0
        status = self.problem.status
        if status in _INFEASIBLE:
            err = InfeasibleError(f"{self.solver} certified infeasibility", status=status)
            err.wall_time = wall
            raise err
        if status not in _ACCEPTED or self.problem.value is None or not np.isfinite(self.problem.value):
            err = SolverError(f"{self.solver} returned no usable solution", status=str(status))
            err.wall_time = wall
            raise err
        stats = self.problem.solver_stats
        solver_time = float(stats.solve_time) if stats is not None and stats.solve_time is not None else 0.0
        if direct_times is not None:
            compile_time = direct_times
        else:
            compile_time = float(getattr(self.problem, "compilation_time", 0.0) or 0.0)
        iters = int(stats.num_iters) if stats is not None and stats.num_iters is not None else -1
        return SolveRecord(status=status, objective=float(self.problem.value), wall_time=wall,
                           solver_time=solver_time, compile_time=compile_time, iterations=iters,
                           setup_time=setup_time)


def _plain_sign(param: cp.Parameter) -> int | None:
    """0 (no attribute), +1 (nonneg only), -1 (nonpos only); None for anything CVXPY must project."""
    if param.sparse_idx is not None:
        return None
    attrs = {k: v for k, v in param.attributes.items() if v and k != "complex"}
    if not attrs:
        return 0
    if attrs == {"nonneg": True}:
        return 1
    if attrs == {"nonpos": True}:
        return -1
    return None


class _NotDirect(Exception):
    """The problem has a form :class:`_ClarabelDriver` does not cover."""


class _ClarabelDriver:
    """One canonicalisation, then Clarabel called directly (module docstring).

    Per solve: the reductions refresh their derived parameters (``update_parameters``,
    e.g. the real/imaginary split of complex ones), the parameter vector is assembled,
    ``c = Q p`` and the values of ``[A | b]`` on CVXPY's fixed CSC pattern are one sparse
    product each, Clarabel solves ``min c'x s.t. -A x + s = b`` (CVXPY's sign convention),
    and CVXPY's solving chain inverts the raw result into the problem's variables.
    """

    def __init__(self, problem: cp.Problem):
        import clarabel
        from cvxpy import settings as cps
        from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import dims_to_solver_cones

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data, chain, inverse_data = problem.get_problem_data(cp.CLARABEL)
        pp = data[cps.PARAM_PROB]
        if getattr(pp, "lb_tensor", None) is not None or getattr(pp, "ub_tensor", None) is not None:
            raise _NotDirect("variable bounds")
        pp.reduced_A.cache(False)
        if pp.reduced_A.problem_data_index is None:
            raise _NotDirect("no constraint data")
        self.quadratic = cps.P in data
        if self.quadratic:
            pp.reduced_P.cache(False)
        self._clarabel = clarabel
        self.problem = problem
        self.chain = chain
        self.inverse_data = inverse_data
        self.solver_inverse = inverse_data[-1]
        self.param_prog = pp
        self.cones = dims_to_solver_cones(data["dims"])
        indices, indptr, shape = pp.reduced_A.problem_data_index
        m, n1 = shape
        self.n = n1 - 1
        split = indptr[-2]                   # the last column of [A | b] is b
        self.a_indices = np.asarray(indices[:split])
        self.a_indptr = np.asarray(indptr[:-1])
        self.b_rows = np.asarray(indices[split:])
        self.split = split
        self.m = m
        self.reduced_A = pp.reduced_A.reduced_mat.tocsr()
        self.Q = pp.q.tocsr() if hasattr(pp.q, "tocsr") else np.asarray(pp.q)
        self.P = _empty_csc(self.n)
        self._solver = None
        self.slots = self.slot_sign = self.slot_values = None

    def locate_constants(self, ph):
        """Positions (in the data vector of every solve) of the constant coefficients equal to ``ph`` up to
        sign; each must occur exactly once, in an entry that no parameter touches."""
        R = self.reduced_A                                  # CSR: one row per data slot, last column constant
        const = R[:, [R.shape[1] - 1]].toarray().ravel()
        touched = np.diff(R.indptr)                         # entries per data slot (1 = constant only)
        mag = np.abs(const)
        order = np.argsort(mag, kind="stable")
        lo = np.searchsorted(mag[order], np.abs(ph), side="left")
        hi = np.searchsorted(mag[order], np.abs(ph), side="right")
        if np.any(hi - lo != 1):
            raise ValueError("placeholders: every placeholder must occur exactly once in the canonical data")
        pos = order[lo]
        if np.any(touched[pos] != 1) or np.any(pos >= self.split):
            raise ValueError("placeholders: a placeholder slot is also parameter-dependent or in b")
        self.slots = pos
        self.slot_sign = const[pos] / ph
        self.slot_values = const[pos].copy()

    def _offset_key(self):
        from cvxpy import settings as cps
        return cps.OFFSET

    def data(self):
        """(q, d, A, b) at the current parameter values (Clarabel's sign convention for A)."""
        import scipy.sparse as sp
        from cvxpy.cvxcore.python import canonInterface

        for reduction in self.chain.reductions:
            reduction.update_parameters(self.problem)
        pp = self.param_prog
        pvec = canonInterface.get_parameter_vector(
            pp.total_param_size, pp.param_id_to_col, pp.param_id_to_size,
            lambda pid: np.asarray(pp.id_to_param[pid].value))
        if pvec is None:
            pvec = np.ones(1)
        qd = np.asarray(self.Q @ pvec).ravel()
        flat = np.asarray(self.reduced_A @ pvec).ravel()
        if self.slots is not None:
            flat[self.slots] = self.slot_values
        A = sp.csc_array((-flat[:self.split], self.a_indices, self.a_indptr), shape=(self.m, self.n))
        b = np.zeros(self.m)
        np.add.at(b, self.b_rows, flat[self.split:])
        if self.quadratic:
            P, _ = pp.reduced_P.get_matrix_from_tensor(pvec, with_offset=False)
            self.P = sp.triu(P).tocsc()
        return qd[:-1].copy(), float(qd[-1]), A, b

    def solve(self, settings: dict, warm: bool) -> tuple[float, float]:
        """Solve at the current parameters; returns (time outside Clarabel, Clarabel setup time)."""
        from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import CLARABEL as CvxClarabel

        t0 = time.perf_counter()
        q, d, A, b = self.data()
        opts = CvxClarabel.parse_solver_opts(False, dict(settings))
        t1 = time.perf_counter()
        solver = None
        if warm and self._solver is not None and self._solver.is_data_update_allowed():
            try:
                if self.quadratic:
                    self._solver.update(P=self.P, q=q, A=A, b=b, settings=opts)
                else:
                    self._solver.update(q=q, A=A, b=b, settings=opts)
                solver = self._solver
            except Exception:
                solver = None
        if solver is None:
            solver = self._clarabel.DefaultSolver(self.P, q, A, b, self.cones, opts)
        t_setup = time.perf_counter() - t1
        results = solver.solve()
        self._solver = solver
        t2 = time.perf_counter()
        self.solver_inverse.inverse_data[self._offset_key()] = d
        self.solver_inverse.solver_options = dict(settings)   # e.g. accept_unknown, read by invert
        self.problem.unpack_results(results, self.chain, self.inverse_data)
        return (t1 - t0) + (time.perf_counter() - t2), t_setup


def placeholder_values(n: int, start: int = 0) -> np.ndarray:
    """n distinct placeholder coefficients 1 + (start + k + 1) 2^-26 (exact doubles in (1, 2) for
    start + n < 2^26) for :meth:`ParametricProblem.constant_slots`."""
    n, start = as_int(n, "n", minimum=1), as_int(start, "start", minimum=0)
    if start + n >= 2 ** 26:
        raise ValueError("n: too many placeholders (start + n must stay below 2^26)")
    k = np.arange(start + 1, start + n + 1, dtype=np.float64)
    return 1.0 + k * 2.0 ** -26


def _empty_csc(n: int):
    import scipy.sparse as sp

    return sp.csc_array((n, n))
