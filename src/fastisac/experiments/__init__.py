"""Layer 6: figure definitions, the resumable sweep runner and its SQLite store, plots.

Paper registry
--------------
:data:`PAPERS` maps each implemented paper's short name to the module holding its
experiments (imported lazily by :func:`paper_module`, so listing papers costs no
import of CVXPY).  Every such module exposes exactly this interface
(:data:`PAPER_API`), which is all that ``fastisac reproduce`` and ``fastisac results``
use:

``PAPER``
    the short name (``Task.paper`` of its tasks);
``FIGURES``
    the figure numbers, a tuple of ints; figure ``N``'s tasks have ``Task.figure == f"fig{N}"``;
``tasks(figure, quick)``
    every :class:`Task` of one figure (``quick``: the reduced size);
``evaluate(task)``
    one task -> JSON-able dict (top-level function, picklable, seeded from ``task.seed``);
``summarise(figure, rows)``
    stored rows (:meth:`ResultStore.rows`) -> the figure's table, a list of dicts;
``write_csv(table, path)`` and ``plot(figure, table, path)``
    write that table as CSV and as a PNG;
``paper_comparison(tables)``
    ``{figure: table}`` -> rows ``quantity, paper, measured, deviation, tolerance, unit, verdict``
    for each number the paper states (figures absent from ``tables`` are skipped).

:data:`PLANNED` lists papers whose implementation is still to come; when one lands,
move its name from :data:`PLANNED` to :data:`PAPERS`.
"""

import importlib
from types import ModuleType

from .store import ResultStore
from .sweep import SweepSummary, Task, run_sweep, task_seed

__all__ = ["ResultStore", "SweepSummary", "Task", "run_sweep", "task_seed",
           "PAPERS", "PLANNED", "PAPER_API", "paper_module"]

#: Implemented papers: short name -> module with the experiments interface (:data:`PAPER_API`).
PAPERS = {
    "dual_eve": "fastisac.experiments.dual_eve",
    "unified_outage": "fastisac.experiments.unified_outage",
    "rsma_hisac": "fastisac.experiments.rsma_hisac",
    "networked": "fastisac.experiments.networked",
    "tris_rsma": "fastisac.experiments.tris_rsma",
}

#: Papers announced in the README but not implemented yet (in the order of the feature table).
PLANNED = ()

#: What every experiments module of :data:`PAPERS` exposes.
PAPER_API = ("PAPER", "FIGURES", "tasks", "evaluate", "summarise", "write_csv", "plot",
             "paper_comparison")


def paper_module(name: str) -> ModuleType:
    """Import and return the experiments module of paper ``name`` (a key of :data:`PAPERS`).

    Raises ``ValueError`` for a planned (not implemented yet) or unknown paper, and
    ``TypeError`` if the registered module lacks part of :data:`PAPER_API`.
    """
    if not isinstance(name, str):
        raise ValueError(f"name: must be a str, got {type(name).__name__}")
    if name not in PAPERS:
        if name in PLANNED:
            raise ValueError(f"name: paper {name!r} is not implemented yet")
        raise ValueError(f"name: unknown paper {name!r}; implemented: {', '.join(PAPERS)}")
    mod = importlib.import_module(PAPERS[name])
    missing = [attr for attr in PAPER_API if not hasattr(mod, attr)]
    if missing:
        raise TypeError(f"{mod.__name__} (paper {name!r}) lacks {', '.join(missing)} of the experiments interface")
    return mod
