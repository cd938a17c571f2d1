"""Layer 6: figure definitions, the resumable sweep runner and its SQLite store, plots."""

from .store import ResultStore
from .sweep import SweepSummary, Task, run_sweep, task_seed

__all__ = ["ResultStore", "SweepSummary", "Task", "run_sweep", "task_seed"]
