"""Generic, resumable sweep runner: evaluate many independent tasks, store each result as it finishes.

A *task* (:class:`Task`) is one Monte-Carlo realisation of one parameter point
of one figure of one paper.  :func:`run_sweep` evaluates a list of tasks with a
user function ``evaluate(task) -> dict`` -- inline, in a process pool it
creates, or on any ``concurrent.futures.Executor`` (e.g. a Dask
``Client.get_executor()``) -- and writes every outcome to a
:class:`~fastisac.experiments.store.ResultStore`.

Guarantees
----------
* **Resumable.**  Tasks whose key is already in the store are skipped, so
  rerunning the same command after a crash, a kill or Ctrl-C finishes the
  remaining work and nothing else.
* **One committed row per finished task.**  Only the driver process writes the
  store, one committed transaction per task, as soon as that task's future
  completes.  Work in flight when the driver dies is lost and redone, never
  half-written.
* **Reproducible.**  Each task's random seed (:func:`task_seed`) is a hash of
  ``(paper, figure, point, realisation)`` only -- not of worker count,
  scheduling order, process id or Python's randomised ``hash()`` -- so a serial
  run, a parallel run and a resumed run store bit-identical payloads, provided
  ``evaluate`` draws all its randomness from ``numpy.random.default_rng(task.seed)``.
* **Failures are data.**  An exception raised by ``evaluate`` is caught in the
  worker and stored: status ``'infeasible'`` for
  :class:`fastisac.errors.InfeasibleError` (an infeasible scenario is a
  result), ``'error'`` for anything else, with the exception's class name,
  message and (in the payload) traceback.  The sweep carries on.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import numbers
import os
import pickle
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from fastisac.experiments.store import (ResultStore, canonical_json, default_code_version,
                                        dumps_payload, make_key, to_jsonable)

__all__ = ["Task", "SweepSummary", "task_seed", "run_sweep"]

_SEED_BITS = 63


def task_seed(paper: str, figure: str, point_json: str, realisation: int) -> int:
    """Seed of one task: ``sha256`` of its identity, as an int in ``[0, 2**63)``.

    Stable across processes, machines and Python versions (it does not use
    ``hash()``), and independent of the code version, so results of different
    code versions are paired realisation by realisation.  Suitable for
    ``numpy.random.default_rng(seed)``.
    """
    for name, val in (("paper", paper), ("figure", figure), ("point_json", point_json)):
        if not isinstance(val, str):
            raise ValueError(f"{name}: must be a str, got {type(val).__name__}")
    if isinstance(realisation, bool) or not isinstance(realisation, numbers.Integral):
        raise ValueError(f"realisation: must be an integer, got {type(realisation).__name__}")
    blob = json.dumps(["fastisac-seed", paper, figure, point_json, int(realisation)],
                      separators=(",", ":"), ensure_ascii=True)
    digest = hashlib.sha256(blob.encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - _SEED_BITS)


def _freeze(value, name):
    """JSON-able value -> hashable equivalent (lists become tuples)."""
    if isinstance(value, list):
        return tuple(_freeze(v, name) for v in value)
    if isinstance(value, dict):
        raise ValueError(f"params: value of {name!r} must be a scalar or a (nested) list, not a dict")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"params: value of {name!r} must be finite, got {value}")
    return value


@dataclass(frozen=True)
class Task:
    """One unit of work: realisation ``realisation`` of point ``params`` of ``figure`` of ``paper``.

    ``params`` is stored as a tuple of ``(name, value)`` pairs sorted by name
    (values are JSON scalars or tuples), so a task is hashable, picklable and
    has one canonical form.  The constructor also accepts a ``dict`` for
    ``params`` and normalises it; numpy scalars / arrays become Python numbers
    / tuples.  Note that ``1`` and ``1.0`` are different points (their JSON differs).
    """

    paper: str
    figure: str
    params: tuple
    realisation: int

    def __post_init__(self):
        for name in ("paper", "figure"):
            val = getattr(self, name)
            if not isinstance(val, str) or not val:
                raise ValueError(f"{name}: must be a non-empty str, got {val!r}")
        r = self.realisation
        if isinstance(r, bool) or not isinstance(r, numbers.Integral) or r < 0:
            raise ValueError(f"realisation: must be a non-negative integer, got {r!r}")
        object.__setattr__(self, "realisation", int(r))
        params = self.params
        if isinstance(params, Mapping):
            items = list(params.items())
        else:
            try:
                items = [tuple(p) for p in params]
            except TypeError:
                raise ValueError("params: must be a dict or an iterable of (name, value) pairs, "
                                 f"got {type(params).__name__}") from None
            if any(len(p) != 2 for p in items):
                raise ValueError("params: every item must be a (name, value) pair")
        names = [k for k, _ in items]
        if not all(isinstance(k, str) for k in names):
            raise ValueError(f"params: names must be str, got {names!r}")
        if len(set(names)) != len(names):
            raise ValueError(f"params: duplicate names in {names!r}")
        try:
            frozen = tuple(sorted((str(k), _freeze(to_jsonable(v), k)) for k, v in items))
        except TypeError as exc:
            raise ValueError(f"params: values must be JSON-able ({exc})") from exc
        object.__setattr__(self, "params", frozen)

    @classmethod
    def make(cls, paper: str, figure: str, params: Mapping, realisation: int) -> Task:
        """Build a task from a ``dict`` of point parameters."""
        if not isinstance(params, Mapping):
            raise ValueError(f"params: must be a dict, got {type(params).__name__}")
        return cls(paper, figure, params, realisation)

    @property
    def params_dict(self) -> dict:
        """The point parameters as a ``dict`` (tuple values stay tuples)."""
        return dict(self.params)

    @property
    def point(self) -> str:
        """Canonical JSON of the point parameters (sorted keys, no whitespace)."""
        return canonical_json(dict(self.params))

    @property
    def seed(self) -> int:
        """:func:`task_seed` of this task."""
        return task_seed(self.paper, self.figure, self.point, self.realisation)

    def key(self, code_version: str) -> str:
        """Store key of this task under ``code_version``."""
        return make_key(self.paper, self.figure, self.point, self.realisation, code_version)


@dataclass
class SweepSummary:
    """What :func:`run_sweep` did.

    ``total`` distinct tasks requested; ``skipped`` already in the store;
    ``ran`` = ``ok`` + ``infeasible`` + ``failed`` evaluated and stored by this call.
    """

    total: int
    skipped: int
    ran: int
    ok: int
    infeasible: int
    failed: int
    wall_seconds: float
    store_path: str


# -- worker side -------------------------------------------------------------------

def _worker_init() -> None:
    """Initializer of pool workers: one Numba (and, if controllable, BLAS) thread per worker."""
    # Ctrl-C is handled by the driver alone (it cancels work and stops the pool).
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # pragma: no cover - not in the main thread
        pass
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # effective for libraries not imported yet
    if "numba" in sys.modules:  # already imported: the env var is too late
        try:
            sys.modules["numba"].set_num_threads(1)
        except Exception:  # pragma: no cover
            pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:
        pass


def _run_task(evaluate: Callable, task: Task) -> tuple:
    """Run ``evaluate(task)`` where it is scheduled; exceptions come back as data.

    Returns ``(status, payload, error_type, error_message, elapsed)``; the
    payload is already converted by ``to_jsonable`` and known to encode.
    """
    t0 = time.perf_counter()
    try:
        result = evaluate(task)
        if not isinstance(result, Mapping):
            raise TypeError(f"evaluate must return a dict, got {type(result).__name__}")
        payload = to_jsonable(result)
        dumps_payload(payload)  # fail here, as a task error, rather than in the driver
        return "ok", payload, None, None, time.perf_counter() - t0
    except Exception as exc:
        elapsed = time.perf_counter() - t0
        try:
            from fastisac.errors import InfeasibleError
            infeasible = isinstance(exc, InfeasibleError)
        except Exception:  # pragma: no cover
            infeasible = False
        infeasible = infeasible or type(exc).__name__ == "InfeasibleError"
        try:
            message = str(exc)
        except Exception:  # pragma: no cover - a broken __str__
            message = repr(exc)
        if infeasible:
            return "infeasible", None, type(exc).__name__, message, elapsed
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return "error", {"traceback": tb}, type(exc).__name__, message, elapsed


# -- driver side -------------------------------------------------------------------

def _mp_context():
    # Not 'fork': the driver may have started threads (tqdm monitor, Numba's
    # parallel runtime in warmup) that a forked child would inherit in a broken state.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _validate_tasks(tasks) -> list[Task]:
    if isinstance(tasks, (str, bytes, Mapping)) or not isinstance(tasks, Iterable):
        raise ValueError(f"tasks: must be an iterable of Task, got {type(tasks).__name__}")
    out = list(tasks)
    for i, t in enumerate(out):
        if not isinstance(t, Task):
            raise ValueError(f"tasks: item {i} is a {type(t).__name__}, not a Task")
    return out


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Shut down a pool this module created, without waiting for running tasks."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:  # our own workers; their in-flight results are discarded anyway
        try:
            p.terminate()
        except Exception:  # pragma: no cover
            pass
    for p in procs:
        try:
            p.join(timeout=5)
        except Exception:  # pragma: no cover
            pass


def run_sweep(tasks: Iterable[Task], evaluate: Callable[[Task], dict], store: ResultStore, *,
              executor: Executor | None = None, workers: int = 1, progress: bool = True,
              desc: str = "sweep", code_version: str | None = None,
              warmup: Callable[[], Any] | None = None) -> SweepSummary:
    """Evaluate every task not yet in ``store`` and store each outcome as it finishes.

    Parameters
    ----------
    tasks : iterable of Task
        The work; duplicates are evaluated once.
    evaluate : callable
        ``evaluate(task) -> dict`` with a JSON-able result (numpy values are
        fine).  For process pools it must be picklable, i.e. a top-level function.
        It should take all randomness from ``numpy.random.default_rng(task.seed)``.
    store : ResultStore
        Where results go; written only by this (driver) process.
    executor : concurrent.futures.Executor, optional
        Run tasks there (e.g. ``ThreadPoolExecutor`` or a Dask
        ``Client.get_executor()``); it is not shut down.  ``workers`` then only
        sizes the submission window (about ``4 * workers`` tasks in flight; for
        standard executors their own ``max_workers`` is used if larger).
    workers : int
        Without ``executor``: 1 runs inline in this process; > 1 starts a
        process pool of that size (one Numba thread per worker).
    progress : bool
        Show a tqdm progress bar on stderr.
    desc : str
        Progress-bar label.
    code_version : str, optional
        Hashed into the keys (a new version recomputes everything); defaults
        to ``fastisac.__version__`` (``'0'`` if undefined).
    warmup : callable, optional
        Called once in the driver before any task runs, e.g. to compile Numba
        kernels so parallel workers only ever read the on-disk cache.

    Returns
    -------
    SweepSummary

    Raises
    ------
    KeyboardInterrupt
        After cancelling pending work and stopping the pool, with a message on
        stderr; every result stored so far is kept -- rerun to resume.
    """
    from tqdm import tqdm

    task_list = _validate_tasks(tasks)
    if not callable(evaluate):
        raise ValueError(f"evaluate: must be callable, got {type(evaluate).__name__}")
    for meth in ("put", "done_keys"):
        if not callable(getattr(store, meth, None)):
            raise ValueError(f"store: must be a ResultStore, got {type(store).__name__}")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ValueError(f"executor: must be a concurrent.futures.Executor, got {type(executor).__name__}")
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise ValueError(f"workers: must be an integer >= 1, got {workers!r}")
    workers = int(workers)
    if warmup is not None and not callable(warmup):
        raise ValueError(f"warmup: must be callable or None, got {type(warmup).__name__}")
    if not isinstance(desc, str):
        raise ValueError(f"desc: must be a str, got {type(desc).__name__}")
    if code_version is None:
        code_version = default_code_version()
    elif not isinstance(code_version, str) or not code_version:
        raise ValueError(f"code_version: must be a non-empty str, got {code_version!r}")

    t_start = time.perf_counter()
    store_path = str(getattr(store, "path", "?"))

    # Distinct tasks, in order, with their keys; then drop those already stored.
    keyed: dict[str, Task] = {}
    for t in task_list:
        keyed.setdefault(t.key(code_version), t)
    done: set[str] = set()
    for paper, figure in {(t.paper, t.figure) for t in keyed.values()}:
        done |= store.done_keys(paper=paper, figure=figure)
    todo = [t for k, t in keyed.items() if k not in done]
    counts = {"ok": 0, "infeasible": 0, "error": 0}

    def summary() -> SweepSummary:
        ran = sum(counts.values())
        return SweepSummary(total=len(keyed), skipped=len(keyed) - len(todo), ran=ran,
                            ok=counts["ok"], infeasible=counts["infeasible"], failed=counts["error"],
                            wall_seconds=time.perf_counter() - t_start, store_path=store_path)

    if not todo:
        return summary()

    pool = None
    if executor is None and workers > 1:
        try:
            pickle.dumps(evaluate)
        except Exception as exc:
            raise ValueError(f"evaluate: must be picklable for workers > 1 (use a top-level "
                             f"function): {exc}") from exc
    if warmup is not None:
        warmup()
    if executor is None and workers > 1:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(),
                                   initializer=_worker_init)
        executor = pool

    bar = tqdm(total=len(todo), desc=desc, disable=not progress, file=sys.stderr,
               dynamic_ncols=True, leave=True)

    def record(task: Task, outcome: tuple) -> None:
        status, payload, error_type, error_message, elapsed = outcome
        store.put(task, status, payload, error_type=error_type, error_message=error_message,
                  elapsed=elapsed, code_version=code_version)
        counts[status] += 1
        bar.set_postfix(done=sum(counts.values()), infeasible=counts["infeasible"],
                        failed=counts["error"], refresh=False)
        bar.update(1)

    in_flight: dict = {}
    try:
        if executor is None:  # inline: same wrapper, same results, no pool
            for task in todo:
                record(task, _run_task(evaluate, task))
        else:
            width = max(workers, int(getattr(executor, "_max_workers", 0) or 0))
            window = 4 * width
            pending = iter(todo)

            def submit_next() -> None:
                task = next(pending, None)
                if task is not None:
                    in_flight[executor.submit(_run_task, evaluate, task)] = task

            for _ in range(window):
                submit_next()
            while in_flight:
                finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for fut in finished:
                    task = in_flight.pop(fut)
                    # An exception here is infrastructure (broken pool, pickling), not the
                    # task's own failure: it propagates and the task stays unstored.
                    record(task, fut.result())
                    submit_next()
    except BaseException as exc:
        for fut in in_flight:
            fut.cancel()
        if pool is not None:
            _stop_pool(pool)
            pool = None
        bar.close()
        try:
            n = store.count()
        except Exception:
            n = summary().ran
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"aborted ({type(exc).__name__})"
        print(f"\n{what}: {n} results stored in {store_path}; rerun the same command to resume",
              file=sys.stderr, flush=True)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    bar.close()
    return summary()
