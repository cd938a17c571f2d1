"""Top-level task functions for tests/test_sweep.py (importable by worker processes)."""

from __future__ import annotations

import time

import numpy as np

from fastisac.errors import InfeasibleError
from fastisac.experiments.sweep import Task

PAPER = "test-paper"
FIGURE = "fig-mc"


def make_tasks(n_points: int, n_real: int, figure: str = FIGURE) -> list[Task]:
    """n_points x n_real Monte-Carlo tasks."""
    return [Task.make(PAPER, figure, {"snr_db": float(p) * 2.5, "n": 1000 + 10 * p}, r)
            for p in range(n_points) for r in range(n_real)]


def mc_eval(task: Task, sleep: float = 0.0) -> dict:
    """Seeded Monte-Carlo estimate; a deterministic function of task.seed."""
    rng = np.random.default_rng(task.seed)
    p = task.params_dict
    x = rng.standard_normal((p["n"], 8)) + 1j * rng.standard_normal((p["n"], 8))
    snr = 10.0 ** (p["snr_db"] / 10.0)
    rate = np.log2(1.0 + snr * np.sum(np.abs(x) ** 2, axis=1) / 8.0)
    if sleep:
        time.sleep(sleep)
    return {"mean_rate": float(np.mean(rate)), "std_rate": np.std(rate),
            "q": np.quantile(rate, [0.1, 0.5, 0.9]), "n": np.int64(p["n"]),
            "third": 1.0 / 3.0 + rng.random() * 1e-12}


def mc_eval_slow(task: Task) -> dict:
    """mc_eval plus ~50 ms of waiting (for the kill test)."""
    return mc_eval(task, sleep=0.045)


def mixed_eval(task: Task) -> dict:
    """Realisation 1 raises ValueError, realisation 2 is infeasible, the rest succeed."""
    if task.realisation == 1:
        raise ValueError(f"bad point {task.point}")
    if task.realisation == 2:
        raise InfeasibleError("power budget too small", status="infeasible")
    return mc_eval(task)


def nan_eval(task: Task) -> dict:
    return {"nan": float("nan"), "inf": np.inf, "arr": np.array([1.5, -np.inf])}


def not_a_dict(task: Task):
    return [1, 2, 3]


def compile_kernels() -> None:
    """Stand-in for a Numba warm-up: would compile kernels in the parent."""
    compile_kernels.calls = getattr(compile_kernels, "calls", 0) + 1
