"""Tests of the generic sweep runner and result store (fastisac.experiments.sweep / .store)."""

from __future__ import annotations

import json
import math
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

# Worker processes import task functions from tests/_sweep_tasks.py by module name.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import _sweep_tasks as T  # noqa: E402
from fastisac.errors import InfeasibleError  # noqa: E402
from fastisac.experiments.store import ResultStore, make_key, to_jsonable  # noqa: E402
from fastisac.experiments.sweep import SweepSummary, Task, run_sweep, task_seed  # noqa: E402

TESTS_DIR = Path(__file__).resolve().parent
SRC_DIR = TESTS_DIR.parent / "src"
CV = "test-version"


def raw_rows(db) -> list[tuple]:
    """(key, paper, figure, point, realisation, code_version, status, payload text, error_type) rows."""
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT key, paper, figure, point, realisation, code_version, status, payload, error_type "
            "FROM results ORDER BY key").fetchall()
    finally:
        con.close()


def integrity(db) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


# -- seeds and tasks -------------------------------------------------------------

def test_seed_is_stable_and_distinct():
    t = Task.make("paper-a", "fig3", {"snr_db": 10.0, "K": 4}, 7)
    assert t.point == '{"K":4,"snr_db":10.0}'
    # Computed once; must never change (it would silently change every stored result).
    assert t.seed == 8933154762362770440
    assert t.seed == task_seed("paper-a", "fig3", '{"K":4,"snr_db":10.0}', 7)
    assert 0 <= t.seed < 2**63
    np.random.default_rng(t.seed)  # accepted by numpy

    # Parameter order does not matter; realisation / point / figure / paper do.
    assert Task.make("paper-a", "fig3", {"K": 4, "snr_db": 10.0}, 7).seed == t.seed
    seeds = {Task.make("paper-a", "fig3", {"snr_db": s, "K": k}, r).seed
             for s in (0.0, 5.0, 10.0) for k in (2, 4) for r in range(50)}
    assert len(seeds) == 3 * 2 * 50
    others = {Task.make("paper-b", "fig3", {"snr_db": 10.0, "K": 4}, 7).seed,
              Task.make("paper-a", "fig4", {"snr_db": 10.0, "K": 4}, 7).seed}
    assert t.seed not in others and len(others) == 2

    # Same seed in a fresh interpreter (no dependence on hash randomisation).
    code = ("from fastisac.experiments.sweep import Task;"
            "print(Task.make('paper-a','fig3',{'snr_db':10.0,'K':4},7).seed)")
    env = dict(os.environ, PYTHONHASHSEED="123")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert int(out) == t.seed


def test_task_is_hashable_picklable_and_canonical():
    t = Task.make("p", "f", {"b": np.float64(0.1), "a": np.arange(3), "c": "x"}, np.int64(2))
    assert t.params == (("a", (0, 1, 2)), ("b", 0.1), ("c", "x"))
    assert type(t.realisation) is int
    assert t.point == '{"a":[0,1,2],"b":0.1,"c":"x"}'
    u = pickle.loads(pickle.dumps(t))
    assert u == t and hash(u) == hash(t) and u.seed == t.seed
    assert t.key("1") == make_key("p", "f", t.point, 2, "1") != t.key("2")
    assert t.params_dict == {"a": (0, 1, 2), "b": 0.1, "c": "x"}
    assert Task("p", "f", {"c": "x", "b": 0.1, "a": [0, 1, 2]}, 2) == t


@pytest.mark.parametrize("kwargs, name", [
    (dict(paper="", figure="f", params={}, realisation=0), "paper"),
    (dict(paper="p", figure=3, params={}, realisation=0), "figure"),
    (dict(paper="p", figure="f", params={}, realisation=-1), "realisation"),
    (dict(paper="p", figure="f", params={}, realisation=True), "realisation"),
    (dict(paper="p", figure="f", params={"x": float("nan")}, realisation=0), "params"),
    (dict(paper="p", figure="f", params={1: 2}, realisation=0), "params"),
    (dict(paper="p", figure="f", params={"x": 1j}, realisation=0), "params"),
    (dict(paper="p", figure="f", params=5, realisation=0), "params"),
])
def test_task_validation(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Task(**kwargs)


# -- store -----------------------------------------------------------------------

def test_store_roundtrip_and_no_duplicates(tmp_path):
    db = tmp_path / "sub" / "r.sqlite"
    t = Task.make("p", "f", {"x": 1}, 0)
    payload = {"a": 0.1 + 0.2, "tiny": 5e-324, "big": 1.7976931348623157e308,
               "np": np.float32(0.1), "arr": np.linspace(0, 1, 7), "i": np.int32(-3),
               "b": np.bool_(True), "nested": {"l": [np.float64(1 / 3), None, "s"]},
               "nan": float("nan"), "inf": -np.inf}
    with ResultStore(db, code_version=CV) as store:
        assert store.put(t, "ok", payload, elapsed=0.5) is True
        assert store.put(t, "error", {"other": 1}, error_type="X") is False  # ignored
        assert store.count() == 1 and store.done_keys() == {t.key(CV)}
        assert store.done_keys(paper="other") == set()
        (row,) = store.rows()
        mode = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert row["status"] == "ok" and row["point"] == '{"x":1}' and row["elapsed"] == 0.5
    got = row["payload"]
    assert got["a"] == 0.1 + 0.2 and got["tiny"] == 5e-324 and got["big"] == 1.7976931348623157e308
    assert got["np"] == float(np.float32(0.1))
    assert got["arr"] == np.linspace(0, 1, 7).tolist()
    assert got["i"] == -3 and got["b"] is True and got["nested"] == {"l": [1 / 3, None, "s"]}
    assert math.isnan(got["nan"]) and got["inf"] == -math.inf
    # Reopening sees the committed row.
    with ResultStore(db, code_version=CV) as store:
        assert store.count(status="ok") == 1 and store.count(figure="g") == 0
    assert integrity(db) == "ok"


def test_store_validation(tmp_path):
    with ResultStore(tmp_path / "v.sqlite") as store:
        t = Task.make("p", "f", {}, 0)
        with pytest.raises(ValueError, match="status"):
            store.put(t, "done", {})
        with pytest.raises(ValueError, match="task"):
            store.put("not a task", "ok", {})
        with pytest.raises(ValueError, match="payload"):
            store.put(t, "ok", {"z": 1j})
        with pytest.raises(ValueError, match="paper"):
            store.rows(paper=3)
    with pytest.raises(ValueError, match="closed"):
        store.count()
    with pytest.raises(ValueError, match="synchronous"):
        ResultStore(tmp_path / "w.sqlite", synchronous="OFF")
    with pytest.raises(TypeError):
        to_jsonable(object())


# -- sweeps ----------------------------------------------------------------------

def test_serial_process_pool_and_thread_executor_store_identical_rows(tmp_path):
    tasks = T.make_tasks(5, 4)
    dbs = {name: tmp_path / f"{name}.sqlite" for name in ("serial", "procs", "threads")}
    with ResultStore(dbs["serial"]) as store:
        s = run_sweep(tasks, T.mc_eval, store, workers=1, progress=False, code_version=CV)
    assert (s.total, s.skipped, s.ran, s.ok, s.failed) == (20, 0, 20, 20, 0)
    with ResultStore(dbs["procs"]) as store:
        s = run_sweep(tasks, T.mc_eval, store, workers=2, progress=False, code_version=CV)
    assert s.ok == 20
    with ResultStore(dbs["threads"]) as store, ThreadPoolExecutor(2) as ex:
        s = run_sweep(tasks, T.mc_eval, store, executor=ex, progress=False, code_version=CV)
        assert s.ok == 20
        assert ex.submit(int, "7").result() == 7  # the caller's executor is left running
    ref = raw_rows(dbs["serial"])
    assert len(ref) == 20 and len({r[0] for r in ref}) == 20
    assert raw_rows(dbs["procs"]) == ref  # payload JSON text identical, bit for bit
    assert raw_rows(dbs["threads"]) == ref
    assert isinstance(s, SweepSummary) and s.store_path == str(dbs["threads"])


def test_resume_skips_stored_tasks(tmp_path):
    tasks = T.make_tasks(3, 4)
    calls = []

    def warmup():
        calls.append(1)

    with ResultStore(tmp_path / "r.sqlite") as store:
        s1 = run_sweep(tasks[:5], T.mc_eval, store, progress=False, code_version=CV, warmup=warmup)
        assert (s1.ran, s1.skipped) == (5, 0) and len(calls) == 1
        s2 = run_sweep(tasks + tasks[:3], T.mc_eval, store, progress=False, code_version=CV,
                       warmup=warmup)  # duplicates in the list count once
        assert (s2.total, s2.skipped, s2.ran) == (12, 5, 7) and len(calls) == 2
        s3 = run_sweep(tasks, T.mc_eval, store, progress=False, code_version=CV, warmup=warmup)
        assert (s3.total, s3.skipped, s3.ran) == (12, 12, 0)
        assert len(calls) == 2  # nothing to do: no warm-up
        assert store.count() == 12
        # A new code version recomputes (different keys), keeping the old rows.
        s4 = run_sweep(tasks[:2], T.mc_eval, store, progress=False, code_version=CV + "b")
        assert s4.ran == 2 and store.count() == 14
    rows = raw_rows(tmp_path / "r.sqlite")
    assert len({r[0] for r in rows}) == len(rows) == 14


def test_failures_are_stored_and_sweep_continues(tmp_path):
    tasks = T.make_tasks(2, 4)  # realisation 1 -> ValueError, 2 -> InfeasibleError
    with ResultStore(tmp_path / "f.sqlite") as store:
        s = run_sweep(tasks, T.mixed_eval, store, workers=2, progress=False, code_version=CV)
        assert (s.ran, s.ok, s.infeasible, s.failed) == (8, 4, 2, 2)
        rows = store.rows()
    by_r = {}
    for row in rows:
        by_r.setdefault(row["realisation"], []).append(row)
    for row in by_r[1]:
        assert row["status"] == "error" and row["error_type"] == "ValueError"
        assert row["error_message"].startswith("bad point {")
        assert "ValueError" in row["payload"]["traceback"]
    for row in by_r[2]:
        assert row["status"] == "infeasible" and row["error_type"] == "InfeasibleError"
        assert row["error_message"] == "power budget too small" and row["payload"] is None
    for r in (0, 3):
        assert all(row["status"] == "ok" and "mean_rate" in row["payload"] for row in by_r[r])
    assert all(row["elapsed"] >= 0 for row in rows)
    assert issubclass(InfeasibleError, Exception)


def test_bad_payloads_are_task_errors(tmp_path):
    tasks = T.make_tasks(1, 1)
    with ResultStore(tmp_path / "b.sqlite") as store:
        s = run_sweep(tasks, T.not_a_dict, store, progress=False, code_version=CV)
        assert s.failed == 1 and store.rows()[0]["error_type"] == "TypeError"
        s = run_sweep(tasks, T.nan_eval, store, progress=False, code_version=CV + "2")
        assert s.ok == 1
        (row,) = store.rows(status="ok")
    assert math.isnan(row["payload"]["nan"]) and row["payload"]["arr"] == [1.5, -math.inf]


def test_run_sweep_validation(tmp_path):
    tasks = T.make_tasks(1, 2)
    with ResultStore(tmp_path / "v.sqlite") as store:
        with pytest.raises(ValueError, match="workers"):
            run_sweep(tasks, T.mc_eval, store, workers=0)
        with pytest.raises(ValueError, match="workers"):
            run_sweep(tasks, T.mc_eval, store, workers=1.5)
        with pytest.raises(ValueError, match="tasks"):
            run_sweep(tasks + ["x"], T.mc_eval, store)
        with pytest.raises(ValueError, match="tasks"):
            run_sweep(tasks[0], T.mc_eval, store)
        with pytest.raises(ValueError, match="evaluate"):
            run_sweep(tasks, "mc_eval", store)
        with pytest.raises(ValueError, match="evaluate"):
            run_sweep(tasks, lambda t: {}, store, workers=2)  # not picklable
        with pytest.raises(ValueError, match="store"):
            run_sweep(tasks, T.mc_eval, str(tmp_path / "v.sqlite"))
        with pytest.raises(ValueError, match="executor"):
            run_sweep(tasks, T.mc_eval, store, executor=object())
        with pytest.raises(ValueError, match="warmup"):
            run_sweep(tasks, T.mc_eval, store, warmup=1)
        assert store.count() == 0


# -- crash safety ----------------------------------------------------------------

DRIVER = textwrap.dedent("""
    import signal
    import sys
    import _sweep_tasks as T
    from fastisac.experiments.store import ResultStore
    from fastisac.experiments.sweep import run_sweep

    if __name__ == "__main__":
        # Like an interactive shell (a background job may have inherited SIGINT ignored).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        db, workers = sys.argv[1], int(sys.argv[2])
        with ResultStore(db) as store:
            s = run_sweep(T.make_tasks(20, 3), T.mc_eval_slow, store, workers=workers,
                          progress=True, code_version="kill-test")
        print("ran", s.ran, "skipped", s.skipped)
""")


def _driver(tmp_path, db, workers=2):
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(TESTS_DIR), str(SRC_DIR)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.Popen([sys.executable, str(script), str(db), str(workers)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _reference_rows(tmp_path):
    ref_db = tmp_path / "reference.sqlite"
    with ResultStore(ref_db) as store:  # uninterrupted, inline (mc_eval == mc_eval_slow minus sleep)
        s = run_sweep(T.make_tasks(20, 3), T.mc_eval, store, progress=False, code_version="kill-test")
    assert s.ok == 60
    return raw_rows(ref_db)


def _check_final(db, ref):
    rows = raw_rows(db)
    assert integrity(db) == "ok"
    assert len(rows) == len({r[0] for r in rows}) == 60  # no duplicate rows
    for r in rows:
        json.loads(r[7])  # no half-written payloads
        assert r[6] == "ok"
    assert rows == ref  # same keys, bit-identical payloads


def test_sigkill_and_resume_gives_identical_store(tmp_path):
    db = tmp_path / "killed.sqlite"
    rng = np.random.default_rng(20240607)
    previous, kills = 0, 0
    for _ in range(3):
        proc = _driver(tmp_path, db)
        time.sleep(rng.uniform(0.3, 1.5))
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # driver, workers and forkserver: all at once
        except ProcessLookupError:  # pragma: no cover - group already gone
            pass
        proc.communicate(timeout=30)
        # A fast machine may finish the last few tasks before a late kill; that is fine.
        assert proc.returncode in (-signal.SIGKILL, 0)
        kills += proc.returncode == -signal.SIGKILL
        if db.exists():
            assert integrity(db) == "ok"
            n = len(raw_rows(db))
            assert n >= previous
            previous = n
    # The first kill (after 0.46 s) always lands mid-sweep: 60 x 45 ms on 2 workers takes >= 1.35 s.
    assert kills >= 1
    proc = _driver(tmp_path, db)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.split()[:4] == ["ran", str(60 - previous), "skipped", str(previous)]
    _check_final(db, _reference_rows(tmp_path))


@pytest.mark.skipif(os.name != "posix", reason="process-group signals are POSIX-only")
def test_ctrl_c_stops_cleanly_and_resumes(tmp_path):
    db = tmp_path / "ctrlc.sqlite"
    proc = _driver(tmp_path, db)
    # Wait until some results are stored, then Ctrl-C the whole group (as a terminal does).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.1)
        try:
            if db.exists() and len(raw_rows(db)) >= 4:
                break
        except sqlite3.OperationalError:  # table not created yet
            pass
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "interrupted:" in err and "rerun the same command to resume" in err
    assert "KeyboardInterrupt" in err
    n = len(raw_rows(db))
    assert 4 <= n < 60
    proc = _driver(tmp_path, db)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    _check_final(db, _reference_rows(tmp_path))
