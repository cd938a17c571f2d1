"""Sweeps at scale (issue 8): Dask, kills, Ctrl-C, --all planning, the results commands.

Results are compared with :func:`fastisac.experiments.store.result_fields`: the payload
without its timing fields; everything else must be equal bit for bit (JSON text).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from types import SimpleNamespace

import numpy as np
import pytest

from fastisac import cli
from fastisac.experiments import PAPERS, PLANNED, ResultStore, paper_module, run_sweep
from fastisac.experiments import dual_eve as de
from fastisac.experiments.store import TIMING_KEYS, dumps_payload, result_fields
from fastisac.kernels import warmup

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups and signals are POSIX-only")

FIGS = ("--figure", "4", "--figure", "8")
N_TASKS = len(de.tasks(4, quick=True)) + len(de.tasks(8, quick=True))  # 576: 562 closed form, 14 Algorithm 1


def reproduce_cmd(out, *extra, figures=FIGS, workers=2):
    return [sys.executable, "-m", "fastisac.cli", "reproduce", "dual_eve", "--quick", *figures,
            "--workers", str(workers), "--no-progress", "--out", str(out), *extra]


def stored(db) -> dict:
    """key -> (paper, figure, point, realisation, code_version, status, error_type, error_message,
    JSON text of the payload's result fields), read with plain sqlite3."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT key, paper, figure, point, realisation, code_version, status, error_type, "
                           "error_message, payload FROM results").fetchall()
        n_distinct = con.execute("SELECT COUNT(DISTINCT key) FROM results").fetchone()[0]
    finally:
        con.close()
    assert n_distinct == len(rows)  # no duplicate keys
    return {r[0]: r[1:9] + (dumps_payload(result_fields(json.loads(r[9]))),) for r in rows}


def n_rows(db) -> int:
    if not os.path.exists(db):
        return 0
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        con.close()


def integrity(db) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted CLI run: dual_eve Figs. 4 and 8, quick size, 2 workers."""
    out = tmp_path_factory.mktemp("reference")
    run = subprocess.run(reproduce_cmd(out), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    db = out / "results.sqlite"
    rows = stored(db)
    assert len(rows) == N_TASKS
    return SimpleNamespace(out=out, db=db, rows=rows)


# -- result fields -----------------------------------------------------------------

def test_result_fields_drop_exactly_the_timings(reference):
    assert TIMING_KEYS == {"wall_time", "build_time", "solver_time", "cvxpy_time"}
    with ResultStore(reference.db) as store:
        (row, *_) = store.rows("dual_eve", "fig8")
    payload = row["payload"]
    assert TIMING_KEYS <= set(payload)  # what DualEveResult.summary writes
    kept = result_fields(payload)
    assert set(kept) == set(payload) - TIMING_KEYS and kept["sr"] == payload["sr"]
    assert "wall_time" in payload  # a copy: the input is untouched
    assert result_fields(None) is None
    with pytest.raises(ValueError, match="payload"):
        result_fields([1, 2])


# -- Dask ----------------------------------------------------------------------------

def _scale_tasks():
    """Figure 8 quick (2 Algorithm-1 runs) and a handful of Figure 4 tasks (closed form + solver)."""
    t4 = de.tasks(4, quick=True)
    closed = [t for t in t4 if t.params_dict["scheme"] == "closed_form"][::120]
    solver = [t for t in t4 if t.params_dict["scheme"] == "proposed" and t.realisation == 0]
    return de.tasks(8, quick=True) + closed + solver


def test_dask_cluster_and_process_pool_store_identical_results(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    tasks = _scale_tasks()
    assert len(tasks) == 2 + 5 + 4
    with ResultStore(tmp_path / "pool.sqlite") as store:
        s = run_sweep(tasks, de.evaluate, store, workers=2, progress=False, warmup=warmup)
    assert s.ran == len(tasks) and s.failed == 0 and s.infeasible == 2  # the points just above the edges
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        with ResultStore(tmp_path / "dask.sqlite") as store:
            s = run_sweep(tasks, de.evaluate, store, executor=client.get_executor(), workers=2,
                          progress=False, warmup=warmup)
        assert s.ran == len(tasks) and s.failed == 0
        # the CLI on the same, running cluster: `--dask ADDRESS`
        rc = cli.main(["reproduce", "dual_eve", "--quick", "--figure", "8", "--dask", cluster.scheduler_address,
                       "--no-progress", "--out", str(tmp_path / "cli")])
        assert rc == 0
    pool, dask = stored(tmp_path / "pool.sqlite"), stored(tmp_path / "dask.sqlite")
    assert len(pool) == len(tasks)
    assert dask == pool  # same keys, statuses, messages and result fields, bit for bit
    via_cli = stored(tmp_path / "cli" / "results.sqlite")
    assert len(via_cli) == 2 and via_cli == {k: v for k, v in pool.items() if v[1] == "fig8"}


def test_cli_dask_local_matches_process_pool(reference, tmp_path):
    pytest.importorskip("dask.distributed")
    run = subprocess.run(reproduce_cmd(tmp_path, "--dask", "local", figures=("--figure", "8")),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Dask at local" in run.stderr and "2 tasks run" in run.stdout
    got = stored(tmp_path / "results.sqlite")
    assert got == {k: v for k, v in reference.rows.items() if v[1] == "fig8"}
    assert (tmp_path / "dual_eve" / "fig8.png").stat().st_size > 0
    assert "Fig. 8" in (tmp_path / "REPRODUCTION.md").read_text()


def test_cli_without_dask_says_how_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # makes the import fail
    rc = cli.main(["reproduce", "dual_eve", "--quick", "--figure", "8", "--dask", "local",
                   "--out", str(tmp_path), "--no-progress"])
    assert rc == 2
    assert "pip install 'fastisac[distributed]'" in capsys.readouterr().err
    assert not (tmp_path / "results.sqlite").exists()


# -- kills and Ctrl-C ------------------------------------------------------------------

def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # driver, pool workers and forkserver at once
    except ProcessLookupError:  # already gone
        pass
    proc.wait(timeout=60)


def test_cli_sigkill_and_rerun_gives_the_uninterrupted_store(reference, tmp_path):
    """SIGKILL the whole process group at seeded random moments, rerun after each kill, then
    finish: the store equals the uninterrupted run's.  Kill 0 comes 0.5-3 s after the start
    (imports, warm-up, pool start: usually before any row); kills 1-3 come 0.5-3 s after the
    rerun committed its first new row, i.e. in the middle of the sweep."""
    db = tmp_path / "results.sqlite"
    cmd = reproduce_cmd(tmp_path)
    rng = np.random.default_rng(27)  # delays 2.24, 1.28, 0.80, 1.31 s
    counts = []
    for i, delay in enumerate(rng.uniform(0.5, 3.0, size=4)):
        before = n_rows(db)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        if i > 0:
            deadline = time.monotonic() + 120
            while n_rows(db) == before and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
        time.sleep(delay)
        _kill_group(proc)
        assert proc.returncode in (-signal.SIGKILL, 0)  # a run that finished first is fine too
        assert integrity(db) == "ok"
        counts.append(n_rows(db))
    print("rows after each kill:", counts)
    assert counts == sorted(counts)  # committed rows are never lost
    assert any(0 < n < N_TASKS for n in counts[1:]), counts  # kills landed mid-sweep
    # Run to completion: only the missing tasks run.
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert f"{N_TASKS - counts[-1]} tasks run" in run.stdout
    assert f"{counts[-1]} taken from the store" in run.stdout
    assert integrity(db) == "ok"
    assert stored(db) == reference.rows  # same keys, equal result fields, no duplicates


def _default_sigint():  # a background job may inherit SIGINT ignored; a terminal's child does not
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_cli_ctrl_c_exits_130_and_says_how_to_resume(tmp_path):
    db = tmp_path / "results.sqlite"
    proc = subprocess.Popen(reproduce_cmd(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 120
    while n_rows(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "rerun the same command to resume" in err
    n = n_rows(db)
    assert 0 < n < N_TASKS and integrity(db) == "ok"


def test_cli_failing_worker_is_stored_and_the_sweep_continues(tmp_path, monkeypatch, capsys):
    real = de.evaluate

    def flaky(task):
        if task.params_dict["n_antennas"] == 12:
            raise RuntimeError(f"boom at {task.point}")
        return real(task)

    monkeypatch.setattr(de, "evaluate", flaky)  # workers=1 runs inline, in this process
    rc = cli.main(["reproduce", "dual_eve", "--quick", "--figure", "8", "--workers", "1", "--no-progress",
                   "--out", str(tmp_path)])
    assert rc == 0
    assert "2 tasks run (1 ok, 0 infeasible, 1 failed)" in capsys.readouterr().out  # both ran
    with ResultStore(tmp_path / "results.sqlite") as store:
        rows = {r["status"]: r for r in store.rows()}
    assert set(rows) == {"ok", "error"}
    assert rows["error"]["error_type"] == "RuntimeError"
    assert rows["error"]["error_message"].startswith("boom at {")
    assert "RuntimeError" in rows["error"]["payload"]["traceback"]
    assert rows["ok"]["payload"]["sr"] > 0


# -- planning --all --------------------------------------------------------------------

def test_plan_reproduction_registry_logic():
    reg = {"a": SimpleNamespace(FIGURES=(1, 2, 3)), "b": SimpleNamespace(FIGURES=(2, 5))}
    plan = cli.plan_reproduction(None, True, None, registry=reg, planned=("c", "d"))
    assert [(n, f) for n, _, f in plan.runs] == [("a", (1, 2, 3)), ("b", (2, 5))]
    assert plan.notes == ["c: not implemented yet, skipped", "d: not implemented yet, skipped"]
    plan = cli.plan_reproduction(None, True, [5, 5], registry=reg, planned=("c",))
    assert [(n, f) for n, _, f in plan.runs] == [("b", (5,))]
    assert plan.notes[0].startswith("a: skipped, it has no figure 5") and plan.notes[1].startswith("c: not impl")
    plan = cli.plan_reproduction(None, True, [3, 2], registry=reg, planned=())
    assert [(n, f) for n, _, f in plan.runs] == [("a", (3, 2)), ("b", (2,))] and plan.notes == []
    plan = cli.plan_reproduction("b", False, None, registry=reg, planned=("c",))
    assert [(n, f) for n, _, f in plan.runs] == [("b", (2, 5))]
    for args, msg in [((None, True, [9]), "no implemented paper has figure 9"),
                      (("a", False, [4]), "--figure must be one of"),
                      (("c", False, None), "not implemented yet"),
                      (("zz", False, None), "unknown paper"),
                      ((None, False, None), "or use --all"),
                      (("a", True, None), "not both")]:
        with pytest.raises(cli.PlanError, match=msg):
            cli.plan_reproduction(*args, registry=reg, planned=("c",))
    # the real registry: every implemented paper exposes the experiments interface
    assert "dual_eve" in PAPERS and not set(PAPERS) & set(PLANNED)
    assert paper_module("dual_eve") is de
    for name in PLANNED:
        with pytest.raises(ValueError, match="not implemented yet"):
            paper_module(name)
    with pytest.raises(ValueError, match="unknown paper"):
        paper_module("no_such_paper")
    for name in PAPERS:                      # every registered module has the whole interface
        paper_module(name)


def test_reproduce_all_skips_planned_and_reports_every_stored_figure(reference, tmp_path, monkeypatch, capsys):
    # Pin the registry to dual_eve, so papers landing later do not change this test's cost.
    monkeypatch.setattr(cli, "PAPERS", ("dual_eve",))
    monkeypatch.setattr(cli, "PLANNED", ("networked", "unified_outage", "rsma_hisac", "tris_rsma"))
    db = tmp_path / "copy.sqlite"
    shutil.copy(reference.db, db)
    out = tmp_path / "out"
    rc = cli.main(["reproduce", "--all", "--quick", "--figure", "8", "--workers", "1", "--no-progress",
                   "--out", str(out), "--db", str(db)])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    for name in cli.PLANNED:
        assert f"{name}: not implemented yet, skipped" in cap.err
    assert "0 tasks run" in cap.out and "2 taken from the store" in cap.out
    report = (out / "REPRODUCTION.md").read_text()
    # Fig. 8 was requested; Fig. 4 is in the store, so it is regenerated and reported too.
    for f in (4, 8):
        assert f"### dual_eve: Fig. {f} (quick size" in report
        assert f"](dual_eve/fig{f}.png)" in report
        assert (out / "dual_eve" / f"fig{f}.png").stat().st_size > 0
    assert "Fig. 4 feasibility edge, gamma_se=5 dBm | 32.2 | 32.2 |" in report
    assert "Fig. 8 sensing beam peak angle, Nt=8" in report and "matches" in report
    assert "- tris_rsma: not implemented yet, skipped" in report
    assert "/tmp" not in report and str(tmp_path) not in report  # relative links only


# -- results list / show / export ----------------------------------------------------

def test_results_list_show_export(reference, tmp_path, capsys):
    db = str(reference.db)
    assert cli.main(["results", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    n4 = sum(v[1] == "fig4" for v in reference.rows.values())
    inf4 = sum(v[1] == "fig4" and v[5] == "infeasible" for v in reference.rows.values())
    assert inf4 > 0
    line4 = next(ln for ln in out.splitlines() if ln.startswith("dual_eve") and " fig4 " in ln)
    assert line4.split()[:6] == ["dual_eve", "fig4", str(n4), str(n4 - inf4), str(inf4), "0"]
    assert any(ln.split()[:3] == ["dual_eve", "fig8", "2"] for ln in out.splitlines())
    assert "0.1.0" in line4

    assert cli.main(["results", "show", "dual_eve", "--figure", "4", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "dual_eve Fig. 4 (quick size" in out and "feasibility_probability" in out
    assert "Fig. 4 feasibility edge, gamma_se=2 dBm" in out and "Fig. 8" not in out
    assert cli.main(["results", "show", "dual_eve", "--db", db, "--max-rows", "4"]) == 0
    out = capsys.readouterr().out
    assert "dual_eve Fig. 8" in out and "more rows" in out

    assert cli.main(["results", "export", "--csv", str(tmp_path / "raw"), "--db", db]) == 0
    files = sorted(p.name for p in (tmp_path / "raw").iterdir())
    assert files == ["dual_eve_fig4.csv", "dual_eve_fig8.csv"]
    exported = {}
    for name in files:
        with open(tmp_path / "raw" / name, newline="") as fh:
            rows = list(csv.DictReader(fh))
        for col in ("key", "paper", "figure", "n_antennas", "gamma_s_dbm", "scheme", "realisation", "status",
                    "error_type", "error_message", "elapsed"):
            assert col in rows[0]
        exported.update({r["key"]: r for r in rows})
        assert len(rows) == len({r["key"] for r in rows})
    assert set(exported) == set(reference.rows)  # one CSV row per stored row
    fig8 = [r for r in exported.values() if r["figure"] == "fig8"]
    assert all(float(r["sr"]) > 0 and r["payload.scheme"] == "proposed" for r in fig8)
    assert "pattern_comm" not in fig8[0]  # lists are left out
    infeasible = [r for r in exported.values() if r["status"] == "infeasible"]
    assert len(infeasible) == inf4 and all(r["error_type"] == "InfeasibleError" for r in infeasible)

    assert cli.main(["results", "list", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert "no result store" in capsys.readouterr().err
