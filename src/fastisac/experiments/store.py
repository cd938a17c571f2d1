"""Crash-safe result store for parameter sweeps: one SQLite file, one row per finished task.

A sweep (see :mod:`fastisac.experiments.sweep`) evaluates many independent
*tasks* -- one Monte-Carlo realisation of one point of one figure of one paper --
and records each outcome here.  The store is what makes a sweep resumable:

* **One committed row per finished task.**  :meth:`ResultStore.put` inserts a
  single row and commits it in its own transaction before returning.  If the
  process is killed (even with SIGKILL) at any moment, every row that was
  committed is intact and no half-written row is ever visible; the task that
  was running is simply absent and is recomputed on the next run.
* **No duplicates.**  Rows are keyed by a deterministic string built from
  ``(paper, figure, point, realisation, code_version)`` (:func:`make_key`) and
  inserted with ``INSERT OR IGNORE``, so storing the same task twice keeps the
  first row.
* **Durability.**  The database runs in WAL mode.  With the default
  ``synchronous=NORMAL`` a committed row survives the death of the process;
  pass ``synchronous="FULL"`` to also survive an operating-system crash or
  power loss (one extra fsync per row).

Payloads are JSON.  Floats round-trip exactly (``json`` writes ``repr(x)``);
numpy scalars and arrays are converted to Python numbers and (nested) lists by
:func:`to_jsonable`.  NaN and +/-inf are kept, written as the JSON extensions
``NaN`` / ``Infinity`` / ``-Infinity`` (Python's ``json`` default), which
:meth:`ResultStore.rows` decodes back to floats; note that strict JSON readers
(including SQLite's ``json_*`` functions) reject those tokens.

Only one process -- the sweep driver -- should write a given store at a time;
readers may open it concurrently.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import sqlite3
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["ResultStore", "STATUSES", "TIMING_KEYS", "make_key", "to_jsonable", "dumps_payload",
           "canonical_json", "default_code_version", "result_fields"]

#: The allowed values of the ``status`` column.
STATUSES = ("ok", "infeasible", "error")

#: Payload keys that hold measured run times (seconds) rather than results:
#: ``wall_time`` (whole algorithm), ``build_time`` (building the CVXPY problem),
#: ``solver_time`` (inside Clarabel) and ``cvxpy_time`` (CVXPY's share of the solves),
#: as written by e.g. :meth:`fastisac.algorithms.dual_eve.DualEveResult.summary`.
#: They legitimately differ between two runs of the same task; every other payload
#: field is a deterministic function of the task and must be bit-for-bit
#: reproducible (see :func:`result_fields`).
TIMING_KEYS = frozenset({"wall_time", "build_time", "solver_time", "cvxpy_time"})

_COLUMNS = ("key", "paper", "figure", "point", "realisation", "code_version", "status",
            "payload", "error_type", "error_message", "elapsed", "finished_at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key           TEXT PRIMARY KEY,
    paper         TEXT NOT NULL,
    figure        TEXT NOT NULL,
    point         TEXT NOT NULL,
    realisation   INTEGER NOT NULL,
    code_version  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('ok', 'infeasible', 'error')),
    payload       TEXT,
    error_type    TEXT,
    error_message TEXT,
    elapsed       REAL,
    finished_at   REAL
);
CREATE INDEX IF NOT EXISTS results_paper_figure ON results (paper, figure);
"""


def default_code_version() -> str:
    """``fastisac.__version__`` if the package defines it, else ``'0'``."""
    try:
        import fastisac
        return str(getattr(fastisac, "__version__", "0"))
    except Exception:  # pragma: no cover - package always importable in practice
        return "0"


def to_jsonable(obj: Any) -> Any:
    """Convert ``obj`` to plain JSON-able Python objects (dict / list / str / int / float / bool / None).

    numpy scalars become Python scalars, arrays and tuples become (nested) lists,
    mappings must have ``str`` keys.  Floats are passed through unchanged (so they
    round-trip exactly); NaN / inf are allowed.  Complex numbers and other objects
    raise ``TypeError`` -- store real and imaginary parts separately.
    """
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "biuf":
            # tolist() already yields Python scalars; no per-element recursion needed.
            return obj.tolist()
        if obj.dtype.kind in "OU":
            return [to_jsonable(v) for v in obj.tolist()] if obj.ndim else to_jsonable(obj.item())
        raise TypeError(f"cannot convert a numpy array of dtype {obj.dtype} to JSON")
    if isinstance(obj, np.generic):
        if obj.dtype.kind in "biufU":
            return to_jsonable(obj.item())
        raise TypeError(f"cannot convert numpy {type(obj).__name__} to JSON")
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        return float(obj)
    if isinstance(obj, Mapping):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"JSON object keys must be str, got {type(k).__name__} ({k!r})")
            out[str(k)] = to_jsonable(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")


def dumps_payload(payload: Any) -> str:
    """Encode a payload as compact JSON with sorted keys (NaN / inf allowed, see module docstring)."""
    return json.dumps(to_jsonable(payload), sort_keys=True, separators=(",", ":"), allow_nan=True)


def result_fields(payload: Mapping | None) -> dict | None:
    """The reproducible part of a stored payload: a copy without the :data:`TIMING_KEYS`.

    Only top-level keys are dropped (that is where payloads keep their timings).
    ``None`` (the payload of an infeasible task) is returned as ``None``.  Two runs of
    the same task -- serial, in a process pool, on a Dask cluster, or resumed after a
    kill -- give equal ``dumps_payload(result_fields(payload))`` text, bit for bit.
    """
    if payload is None:
        return None
    if not isinstance(payload, Mapping):
        raise ValueError(f"payload: must be a dict or None, got {type(payload).__name__}")
    return {k: v for k, v in payload.items() if k not in TIMING_KEYS}


def canonical_json(params: Mapping) -> str:
    """Canonical JSON of point parameters: sorted keys, no whitespace, NaN / inf rejected."""
    return json.dumps(to_jsonable(params), sort_keys=True, separators=(",", ":"), allow_nan=False)


def make_key(paper: str, figure: str, point: str, realisation: int, code_version: str) -> str:
    """Deterministic primary key of one task: sha256 hex of its identifying fields.

    The fields are serialised as a JSON array before hashing, so no choice of
    strings can make two different tasks collide by concatenation.
    """
    for name, val in (("paper", paper), ("figure", figure), ("point", point),
                      ("code_version", code_version)):
        if not isinstance(val, str):
            raise ValueError(f"{name}: must be a str, got {type(val).__name__}")
    if isinstance(realisation, bool) or not isinstance(realisation, numbers.Integral):
        raise ValueError(f"realisation: must be an integer, got {type(realisation).__name__}")
    blob = json.dumps([paper, figure, point, int(realisation), code_version],
                      separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(blob.encode("ascii")).hexdigest()


class ResultStore:
    """SQLite-backed store of sweep results (see the module docstring for the guarantees).

    Parameters
    ----------
    path : str or os.PathLike
        Database file; it (and its parent directory) is created if absent.
    code_version : str, optional
        Version recorded with (and hashed into the key of) rows written by
        :meth:`put` when no explicit ``code_version`` is passed there.
        Defaults to :func:`default_code_version`.
    synchronous : {"NORMAL", "FULL"}
        SQLite ``synchronous`` pragma.  NORMAL survives process crashes, FULL
        also power loss.
    timeout : float
        Seconds to wait for a lock held by another connection.
    """

    def __init__(self, path, *, code_version: str | None = None, synchronous: str = "NORMAL",
                 timeout: float = 60.0):
        try:
            path = os.fspath(path)
        except TypeError:
            raise ValueError(f"path: must be a str or path-like, got {type(path).__name__}") from None
        if not isinstance(path, str) or not path or path == ":memory:":
            raise ValueError(f"path: must name a database file, got {path!r}")
        if code_version is not None and (not isinstance(code_version, str) or not code_version):
            raise ValueError(f"code_version: must be a non-empty str, got {code_version!r}")
        if not isinstance(synchronous, str) or synchronous.upper() not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous: must be 'NORMAL' or 'FULL', got {synchronous!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not timeout > 0:
            raise ValueError(f"timeout: must be a positive number, got {timeout!r}")
        self.path = os.path.abspath(path)
        self.code_version = code_version if code_version is not None else default_code_version()
        parent = os.path.dirname(self.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        # isolation_level=None: autocommit; transactions are opened explicitly in put().
        self._conn = sqlite3.connect(self.path, timeout=float(timeout), isolation_level=None)
        try:
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. some network filesystems
                raise sqlite3.OperationalError(f"could not enable WAL mode (got {mode!r})")
            self._conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
            self._conn.executescript(_SCHEMA)
        except Exception:
            self._conn.close()
            raise

    # -- writing -----------------------------------------------------------------

    def put(self, task, status: str, payload: Any, error_type: str | None = None,
            error_message: str | None = None, elapsed: float = 0.0, *,
            code_version: str | None = None) -> bool:
        """Insert the outcome of one task and commit it immediately.

        ``task`` is a :class:`fastisac.experiments.sweep.Task` (anything with
        ``paper``, ``figure``, ``point`` and ``realisation`` attributes).
        ``payload`` is JSON-able (see :func:`to_jsonable`); ``None`` is stored as
        JSON ``null``.  Returns ``True`` if a row was inserted, ``False`` if the
        key was already present (the existing row is kept).
        """
        self._check_open()
        try:
            paper, figure, point, realisation = task.paper, task.figure, task.point, task.realisation
        except AttributeError:
            raise ValueError(f"task: must be a Task, got {type(task).__name__}") from None
        if status not in STATUSES:
            raise ValueError(f"status: must be one of {STATUSES}, got {status!r}")
        for name, val in (("error_type", error_type), ("error_message", error_message)):
            if val is not None and not isinstance(val, str):
                raise ValueError(f"{name}: must be a str or None, got {type(val).__name__}")
        if isinstance(elapsed, bool) or not isinstance(elapsed, numbers.Real) or not math.isfinite(elapsed):
            raise ValueError(f"elapsed: must be a finite number, got {elapsed!r}")
        version = self.code_version if code_version is None else code_version
        if not isinstance(version, str) or not version:
            raise ValueError(f"code_version: must be a non-empty str, got {version!r}")
        try:
            payload_json = dumps_payload(payload)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"payload: not JSON-serialisable ({exc})") from exc
        key = make_key(paper, figure, point, realisation, version)
        row = (key, paper, figure, point, int(realisation), version, status, payload_json,
               error_type, error_message, float(elapsed), time.time())
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                f"INSERT OR IGNORE INTO results ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))})", row)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return cur.rowcount == 1

    # -- reading -----------------------------------------------------------------

    @staticmethod
    def _where(paper, figure, status=None):
        clauses, args = [], []
        for name, val in (("paper", paper), ("figure", figure), ("status", status)):
            if val is None:
                continue
            if not isinstance(val, str):
                raise ValueError(f"{name}: must be a str or None, got {type(val).__name__}")
            clauses.append(f"{name} = ?")
            args.append(val)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), args

    def done_keys(self, paper: str | None = None, figure: str | None = None) -> set[str]:
        """Keys of all stored rows (any status), optionally restricted to one paper / figure."""
        self._check_open()
        where, args = self._where(paper, figure)
        return {k for (k,) in self._conn.execute(f"SELECT key FROM results{where}", args)}

    def rows(self, paper: str | None = None, figure: str | None = None,
             status: str | None = None) -> list[dict]:
        """All matching rows as dicts (payload JSON-decoded), ordered by (figure, point, realisation)."""
        self._check_open()
        where, args = self._where(paper, figure, status)
        cur = self._conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM results{where} "
            "ORDER BY figure, point, realisation, code_version, paper", args)
        out = []
        for values in cur:
            row = dict(zip(_COLUMNS, values))
            row["payload"] = json.loads(row["payload"]) if row["payload"] is not None else None
            out.append(row)
        return out

    def counts(self) -> list[dict]:
        """Row counts per ``(paper, figure, code_version, status)``, as dicts with key ``n``.

        Ordered by paper, figure, code version and status; one aggregate query, no
        payload is read (cheap on large stores).
        """
        self._check_open()
        cur = self._conn.execute(
            "SELECT paper, figure, code_version, status, COUNT(*) FROM results "
            "GROUP BY paper, figure, code_version, status ORDER BY paper, figure, code_version, status")
        return [dict(zip(("paper", "figure", "code_version", "status", "n"), values)) for values in cur]

    def count(self, paper: str | None = None, figure: str | None = None,
              status: str | None = None) -> int:
        """Number of matching rows."""
        self._check_open()
        where, args = self._where(paper, figure, status)
        return self._conn.execute(f"SELECT COUNT(*) FROM results{where}", args).fetchone()[0]

    # -- lifecycle ---------------------------------------------------------------

    def _check_open(self):
        if self._conn is None:
            raise ValueError(f"ResultStore({self.path!r}) is closed")

    @property
    def closed(self) -> bool:
        return self._conn is None

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"ResultStore({self.path!r}, code_version={self.code_version!r}, {state})"
