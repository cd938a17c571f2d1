"""The ``fastisac`` command.

    fastisac reproduce PAPER [--figure N ...] [--quick] [--workers N] [--out DIR] [--db PATH]
                             [--dask ADDRESS|local] [--no-progress]
    fastisac reproduce --all [--figure N ...] [--quick] [...same options]
    fastisac results list [--db PATH]
    fastisac results show PAPER [--figure N ...] [--db PATH]
    fastisac results export --csv DIR [--paper P] [--db PATH]
    fastisac feasibility [--nt 8] [--gamma-se 5] [--power 18]

``reproduce`` runs a paper's figure sweeps (or every implemented paper's, ``--all``) in a
local process pool or on a Dask cluster.  It is resumable: each finished point is
committed to a SQLite store at once; rerun the same command to continue after a kill
or Ctrl-C.  It writes one PNG and one CSV per figure and each number the paper states
beside the measured one (OUT/PAPER/), plus OUT/REPRODUCTION.md covering every paper
in the store.  ``results`` lists, shows and exports what the store holds.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .experiments import PAPERS as _REGISTRY
from .experiments import PLANNED as _PLANNED_REGISTRY

PAPERS = tuple(_REGISTRY)
PLANNED = tuple(p for p in _PLANNED_REGISTRY if p not in _REGISTRY)
DEFAULT_OUT = "fastisac-results"
DEFAULT_DB = os.path.join(DEFAULT_OUT, "results.sqlite")
DASK_HINT = "install the distributed extra: pip install 'fastisac[distributed]'"
RESUME_HINT = "rerun the same command to resume"


def _fmt(v) -> str:
    if isinstance(v, float):
        return "nan" if v != v else f"{v:.4g}"
    return str(v)


def _planned_suffix(sep: str) -> str:
    """``sep + "not implemented yet: ..."`` while papers are still planned, else ""."""
    return f"{sep}not implemented yet: {', '.join(PLANNED)}" if PLANNED else ""


def print_table(rows: list[dict], file=None, max_rows: int = 0) -> None:
    """Print ``rows`` as aligned columns; ``max_rows > 0`` prints only the first and last rows."""
    file = sys.stdout if file is None else file
    if not rows:
        return
    cols = list(dict.fromkeys(k for r in rows for k in r))
    shown = rows
    if max_rows and len(rows) > max_rows:
        half = max(max_rows // 2, 1)
        shown = rows[:half] + [None] + rows[-half:]
    cells = [None if r is None else [_fmt(r.get(c, "")) for c in cols] for r in shown]
    widths = [max(len(c), *(len(row[i]) for row in cells if row is not None)) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for row in cells:
        if row is None:
            print(f"... ({len(rows) - 2 * half} more rows) ...", file=file)
        else:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths)), file=file)


def _markdown(rows: list[dict]) -> str:
    if not rows:
        return ""
    cols = list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c, "")).replace("|", "\\|") for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _err(msg: str) -> None:
    print(f"fastisac: {msg}", file=sys.stderr)


def _figure_number(name: str):
    """'fig10' -> 10 (sort key and registry lookup); None if the name has no trailing number."""
    m = re.fullmatch(r"fig(\d+)", name)
    return int(m.group(1)) if m else None


def _figure_sort_key(name: str):
    n = _figure_number(name)
    return (0, n, name) if n is not None else (1, 0, name)


# --------------------------------------------------------------------------- planning
class PlanError(ValueError):
    """The requested reproduction cannot be planned (unknown paper, bad figure, ...)."""


@dataclass
class Plan:
    """What ``fastisac reproduce`` will run: ``runs`` = [(paper, module, figures)] in order;
    ``notes`` = one line per paper that is skipped, and why."""

    runs: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _load(name: str, registry) -> object:
    if registry is None:
        from .experiments import paper_module
        return paper_module(name)
    spec = registry[name]
    return importlib.import_module(spec) if isinstance(spec, str) else spec


def plan_reproduction(paper: str | None, all_papers: bool, figures=None, *, registry=None,
                      planned=None) -> Plan:
    """Plan ``reproduce PAPER`` / ``reproduce --all`` with optional ``--figure`` numbers.

    ``registry`` (name -> module or module path; default the experiments registry) and
    ``planned`` (names not implemented yet; default ``experiments.PLANNED``) are
    parameters for testing.  With one paper, every requested figure must exist.  With
    ``--all`` the figure numbers apply to each paper that has them; papers with none
    of them, and planned papers, are skipped with a note.  Raises :class:`PlanError`.
    """
    names = list(PAPERS if registry is None else registry)
    planned = [p for p in (PLANNED if planned is None else planned) if p not in names]
    figures = list(dict.fromkeys(figures or ()))
    if paper is not None and all_papers:
        raise PlanError("give either a paper name or --all, not both")
    if paper is None and not all_papers:
        raise PlanError(f"name a paper ({', '.join(names + planned)}) or use --all")
    plan = Plan()
    if paper is not None:
        if paper in planned:
            raise PlanError(f"{paper} is not implemented yet (see the README's feature table)")
        if paper not in names:
            raise PlanError(f"unknown paper {paper!r}; implemented: {', '.join(names)}")
        mod = _load(paper, registry)
        bad = [f for f in figures if f not in mod.FIGURES]
        if bad:
            raise PlanError(f"--figure must be one of {tuple(mod.FIGURES)} for {paper}, got {bad[0]}")
        plan.runs.append((paper, mod, tuple(figures or mod.FIGURES)))
        return plan
    for name in names:
        mod = _load(name, registry)
        chosen = tuple(f for f in figures if f in mod.FIGURES) if figures else tuple(mod.FIGURES)
        if chosen:
            plan.runs.append((name, mod, chosen))
        else:
            plan.notes.append(f"{name}: skipped, it has no figure {', '.join(map(str, figures))} "
                              f"(figures {', '.join(map(str, mod.FIGURES))})")
    plan.notes += [f"{name}: not implemented yet, skipped" for name in planned]
    if not plan.runs:
        raise PlanError(f"no implemented paper has figure {', '.join(map(str, figures))}")
    return plan


# --------------------------------------------------------------------------- rows -> tables
@dataclass
class FigureResult:
    """One figure's summarised table and what it was built from."""

    size: str          # "quick", "full", or a description of a partial set
    counts: str        # "576 rows: 570 ok, 6 infeasible, 0 error"
    table: list


def _status_counts(rows) -> str:
    c = {s: 0 for s in ("ok", "infeasible", "error")}
    for r in rows:
        c[r["status"]] = c.get(r["status"], 0) + 1
    return f"{len(rows)} rows: " + ", ".join(f"{n} {s}" for s, n in c.items())


def store_label(mod, figure: int) -> str:
    """The ``Task.figure`` under which figure ``figure``'s rows are stored.

    Usually ``f"fig{figure}"``; a figure drawn from another figure's runs (unified_outage
    Fig. 5 reads the Fig. 3 runs) carries that figure's label on its tasks.
    """
    labels = {t.figure for t in mod.tasks(figure, quick=True)}
    return labels.pop() if len(labels) == 1 else f"fig{figure}"


def select_rows(store, mod, figure: int, quick: bool | None = None) -> tuple[str, list]:
    """Stored rows of one figure at the current code version, and which size they are.

    ``quick`` True / False: exactly that size's tasks.  ``None``: the largest size
    whose tasks are all in the store (full, then quick), else every stored row of
    the figure (a partial set).
    """
    fig, cv = store_label(mod, figure), store.code_version
    stored = store.done_keys(mod.PAPER, fig)
    for q in ((quick,) if quick is not None else (False, True)):
        keys = {t.key(cv) for t in mod.tasks(figure, quick=q)}
        if quick is not None or keys <= stored:
            rows = [r for r in store.rows(mod.PAPER, fig) if r["key"] in keys]
            size = "quick" if q else "full"
            if len(rows) < len(keys):
                size += f" (incomplete: {len(rows)} of {len(keys)} tasks)"
            return size, rows
    rows = [r for r in store.rows(mod.PAPER, fig) if r["code_version"] == cv]
    return "partial (neither the quick nor the full size is complete)", rows


def _figure_outputs(mod, figure: int, size: str, rows: list, out: Path, strict: bool) -> FigureResult:
    """Summarise one figure's rows and write figN.csv and figN.png into ``out``."""
    table = mod.summarise(figure, rows)
    out.mkdir(parents=True, exist_ok=True)
    mod.write_csv(table, out / f"fig{figure}.csv")
    try:
        mod.plot(figure, table, out / f"fig{figure}.png")
    except Exception as exc:
        if strict:
            raise
        _err(f"warning: {mod.PAPER} Fig. {figure}: plot failed ({type(exc).__name__}: {exc})")
    return FigureResult(size, _status_counts(rows), table)


def _comparisons(mod, tables: dict) -> tuple[dict, list]:
    """Paper-vs-measured rows per figure, and those that need several figures together."""
    per, seen = {}, set()
    for f, table in tables.items():
        try:
            per[f] = mod.paper_comparison({f: table})
        except Exception as exc:  # a partial table the comparison cannot use
            _err(f"warning: {mod.PAPER} Fig. {f}: comparison failed ({type(exc).__name__}: {exc})")
            per[f] = []
        seen |= {r.get("quantity") for r in per[f]}
    try:
        whole = mod.paper_comparison(tables)
    except Exception:
        whole = []
    return per, [r for r in whole if r.get("quantity") not in seen]


def write_report(store, out_root: Path, fresh: dict, notes=()) -> Path:
    """(Re)write ``OUT/REPRODUCTION.md`` from the store, for every implemented paper with rows.

    ``fresh`` = {paper: {figure: FigureResult}} made by this command; every other
    figure with rows at the current code version is re-summarised from the store
    (at the largest complete size, see :func:`select_rows`) and its CSV and PNG
    rewritten in OUT/PAPER/.
    """
    from .experiments import paper_module

    out_root = Path(out_root)
    cv = store.code_version
    in_store: dict[str, set] = {}
    other: dict[str, int] = {}
    for c in store.counts():
        if c["paper"] in PAPERS:
            if c["code_version"] == cv:
                in_store.setdefault(c["paper"], set()).add(c["figure"])
        else:
            other[c["paper"]] = other.get(c["paper"], 0) + c["n"]
    try:
        db_label = os.path.relpath(store.path, out_root.resolve())
    except ValueError:  # another drive (Windows)
        db_label = os.path.basename(store.path)
    md = ["# fastisac: reproduction report\n",
          f"Every implemented paper with results in the store `{db_label}` (code version {cv}), "
          "regenerated by each `fastisac reproduce` run. A figure is reported at the size the run "
          "used, otherwise at the largest size whose tasks are all stored (full, then quick). "
          "Per-paper details, CSVs and plots are in the paper's directory.\n"]
    papers = [p for p in PAPERS if p in in_store or p in fresh]
    if not papers:
        md.append("No results stored yet.\n")
    for paper in papers:
        mod = paper_module(paper)
        results = dict(fresh.get(paper, {}))
        for f in mod.FIGURES:
            if f not in results and store_label(mod, f) in in_store.get(paper, ()):
                size, rows = select_rows(store, mod, f)
                results[f] = _figure_outputs(mod, f, size, rows, out_root / paper, strict=False)
        figures = sorted(results)
        per, across = _comparisons(mod, {f: results[f].table for f in figures})
        md.append(f"## {paper}\n")
        md.append(f"Details: [{paper}/REPRODUCTION.md]({paper}/REPRODUCTION.md)\n")
        for f in figures:
            r = results[f]
            md.append(f"### {paper}: Fig. {f} ({r.size} size; {r.counts})\n")
            md.append(f"![{paper} Fig. {f}]({paper}/fig{f}.png)\n")
            md.append(f"Data: [{paper}/fig{f}.csv]({paper}/fig{f}.csv)\n")
            md.append(_markdown(per[f]) if per[f] else "The paper states no number for this figure.\n")
        if across:
            md.append(f"### {paper}: numbers that combine several figures\n")
            md.append(_markdown(across))
    if notes:
        md.append("## Not reproduced\n")
        md.append("\n".join(f"- {n}" for n in notes) + "\n")
    if other:
        md.append("## Other rows in the store\n")
        md.append("\n".join(f"- `{p}`: {n} rows (no experiments module registered)" for p, n in sorted(other.items()))
                  + "\n")
    out_root.mkdir(parents=True, exist_ok=True)
    path = out_root / "REPRODUCTION.md"
    path.write_text("\n".join(md))
    return path


# --------------------------------------------------------------------------- Dask
class DaskMissing(ImportError):
    pass


def _dask_worker_setup(papers=None) -> None:
    """Run on each Dask worker before its first task: one BLAS / Numba thread, the kernels of
    ``papers`` (all if None) loaded."""
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    if "numba" in sys.modules:
        try:
            sys.modules["numba"].set_num_threads(1)
        except Exception:
            pass
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except Exception:
        pass
    from .kernels import warmup
    warmup(papers)  # reads the Numba cache the driver wrote (same machine) or compiles once


@contextlib.contextmanager
def dask_client(address: str, workers: int):
    """A ``dask.distributed.Client``: connected to ``address``, or to a new
    ``LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)`` if
    ``address == 'local'``.  Client and cluster are closed on exit."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise DaskMissing(str(exc)) from exc
    cluster = client = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(address, timeout="30s")
        yield client
    finally:
        for thing in (client, cluster):
            if thing is not None:
                try:
                    thing.close(timeout=20)
                except Exception:
                    pass


# --------------------------------------------------------------------------- reproduce
def _run_paper(name, mod, figures, args, store, executor, workers, warm, out_root: Path) -> dict:
    """Sweep one paper's figures, write OUT/PAPER/ (PNG, CSV, REPRODUCTION.md); {figure: FigureResult}."""
    from .experiments import run_sweep

    out = out_root / name
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    # figures drawn from the same runs (tris_rsma Figs. 6 and 10, networked Figs. 4 and 6) share tasks
    tasks = list({(t.figure, t.point, t.realisation): t
                  for f in figures for t in mod.tasks(f, quick=args.quick)}.values())
    size = "quick size" if args.quick else "full size"
    if args.realisations is not None:   # a partial run: the first realisations of every point
        tasks = [t for t in tasks if t.realisation < args.realisations]
        size += f", realisations 0-{args.realisations - 1}"
    where = f"Dask at {args.dask}" if executor is not None else f"{workers} worker(s)"
    print(f"fastisac: {name} figures {list(figures)} ({size}): {len(tasks)} tasks, {where}, "
          f"results in {store.path}", file=sys.stderr)
    summ = run_sweep(tasks, mod.evaluate, store, executor=executor, workers=workers,
                     progress=not args.no_progress, desc=name, code_version=store.code_version,
                     warmup=warm)
    results = {}
    for f in figures:
        fsize, rows = select_rows(store, mod, f, quick=args.quick)
        results[f] = _figure_outputs(mod, f, fsize, rows, out, strict=True)
    comparison = mod.paper_comparison({f: r.table for f, r in results.items()})
    print()
    print(f"{name}: paper vs measured ({size})")
    print_table(comparison)
    md = [f"# {name}: paper vs measured ({size})\n", _markdown(comparison)]
    md += [f"\n## Fig. {f}\n\n![Fig. {f}](fig{f}.png)\n\nData: [fig{f}.csv](fig{f}.csv)\n" for f in figures]
    (out / "REPRODUCTION.md").write_text("\n".join(md))
    print(f"\n{summ.ran} tasks run ({summ.ok} ok, {summ.infeasible} infeasible, {summ.failed} failed), "
          f"{summ.skipped} taken from the store; wall {time.perf_counter() - t0:.1f} s. "
          f"Figures, CSVs and REPRODUCTION.md in {out}")
    if summ.failed:
        print(f"{name}: {summ.failed} task(s) raised; `fastisac results export` has their error type and message",
              file=sys.stderr)
    return results


def cmd_reproduce(args) -> int:
    if args.realisations is not None and args.realisations < 1:
        _err(f"--realisations: must be >= 1, got {args.realisations}")
        return 2
    try:
        plan = plan_reproduction(args.paper, args.all, args.figure)
    except ValueError as exc:  # PlanError, or a registry problem
        _err(str(exc))
        return 2
    for note in plan.notes:
        print(f"fastisac: {note}", file=sys.stderr)
    from .experiments import ResultStore
    from .kernels import warmup

    t0 = time.perf_counter()
    out_root = Path(args.out)
    db = Path(args.db) if args.db else out_root / "results.sqlite"
    failed: list[str] = []
    fresh: dict = {}
    with contextlib.ExitStack() as stack:
        executor, workers = None, args.workers
        papers = [name for name, _, _ in plan.runs]

        def warm():  # only the kernels of the papers this run needs
            warmup(papers)
        if args.dask:
            try:
                client = stack.enter_context(dask_client(args.dask, args.workers))
            except DaskMissing:
                _err(DASK_HINT)
                return 2
            except (OSError, ValueError) as exc:  # unreachable scheduler, malformed address
                _err(f"cannot use Dask at {args.dask!r}: {exc}")
                return 2
            executor = client.get_executor(pure=False)
            # size the submission window to the cluster (about 4 tasks in flight per thread)
            workers = max(args.workers, sum(client.nthreads().values()) or 1)
            warmed = []

            def warm():  # the driver first (writes the Numba cache), then every worker (reads it)
                if not warmed:
                    warmup(papers)
                    client.run(_dask_worker_setup, papers)
                    warmed.append(True)
        store = stack.enter_context(ResultStore(db))
        for name, mod, figures in plan.runs:
            try:
                fresh[name] = _run_paper(name, mod, figures, args, store, executor, workers, warm, out_root)
            except KeyboardInterrupt:
                raise
            except Exception as exc:
                failed.append(name)
                _err(f"{name} failed ({type(exc).__name__}: {exc}); results so far are stored, {RESUME_HINT}")
        report = write_report(store, out_root, fresh, plan.notes)
    done = [n for n, _, _ in plan.runs if n not in failed]
    print(f"\nfastisac: {len(done)} of {len(plan.runs)} paper(s) reproduced ({', '.join(done) or 'none'}) "
          f"in {time.perf_counter() - t0:.1f} s; report for every paper in the store: {report}; store: {db}")
    return 1 if failed else 0


# --------------------------------------------------------------------------- results
def _open_store(db: str):
    from .experiments import ResultStore
    if not Path(db).is_file():
        _err(f"no result store at {db} (run `fastisac reproduce` first, or pass --db)")
        return None
    return ResultStore(db)


def cmd_results_list(args) -> int:
    store = _open_store(args.db)
    if store is None:
        return 2
    with store:
        counts = store.counts()
        current = store.code_version
    if not counts:
        print(f"{args.db}: no results stored yet")
        return 0
    agg: dict = {}
    for c in counts:
        a = agg.setdefault((c["paper"], c["figure"]), {"rows": 0, "ok": 0, "infeasible": 0, "error": 0,
                                                       "versions": set()})
        a["rows"] += c["n"]
        a[c["status"]] += c["n"]
        a["versions"].add(c["code_version"])
    table = [dict(paper=p, figure=f, rows=a["rows"], ok=a["ok"], infeasible=a["infeasible"], error=a["error"],
                  code_versions=", ".join(sorted(a["versions"])))
             for (p, f), a in sorted(agg.items(), key=lambda kv: (kv[0][0], _figure_sort_key(kv[0][1])))]
    print(f"{args.db} (current code version {current})")
    print_table(table)
    missing = [p for p in PAPERS if p not in {p for p, _ in agg}]
    if missing:
        print(f"\nno rows yet: {', '.join(missing)}" + _planned_suffix("; "))
    return 0


def cmd_results_show(args) -> int:
    if args.paper in PLANNED:
        _err(f"{args.paper} is not implemented yet (see the README's feature table)")
        return 2
    from .experiments import paper_module
    mod = paper_module(args.paper)
    bad = [f for f in args.figure or () if f not in mod.FIGURES]
    if bad:
        _err(f"--figure must be one of {tuple(mod.FIGURES)} for {args.paper}, got {bad[0]}")
        return 2
    store = _open_store(args.db)
    if store is None:
        return 2
    with store:
        cv = store.code_version
        have = {c["figure"] for c in store.counts() if c["paper"] == mod.PAPER and c["code_version"] == cv}
        figures = list(dict.fromkeys(args.figure)) if args.figure else [f for f in mod.FIGURES if store_label(mod, f) in have]
        if not figures:
            print(f"{args.db}: no {args.paper} results at code version {cv}")
            return 1
        tables = {}
        for f in figures:
            size, rows = select_rows(store, mod, f)
            tables[f] = table = mod.summarise(f, rows)
            print(f"{args.paper} Fig. {f} ({size} size; {_status_counts(rows)})")
            if table:
                print_table(table, max_rows=args.max_rows)
            else:
                print("(no rows)")
            print()
    comparison = mod.paper_comparison(tables)
    if comparison:
        print(f"{args.paper}: paper vs measured")
        print_table(comparison)
    return 0


_FIXED = ("key", "paper", "figure")
_META = ("realisation", "code_version", "status", "error_type", "error_message", "elapsed")


def export_rows(rows: list[dict]) -> tuple[list[str], list[dict]]:
    """Flatten stored rows for CSV: key, paper, figure, the point's parameters (one column
    each; list values as JSON), realisation, code_version, status, error_type,
    error_message, elapsed, then the payload's scalar fields (lists and dicts are left
    out; a field whose name is already a column is prefixed ``payload.``)."""
    import json

    params, flat = [], []
    for r in rows:
        point = json.loads(r["point"])
        params += [k for k in point if k not in params]
        flat.append((r, point))
    params.sort()
    taken = set(_FIXED) | set(_META) | set(params)
    payload_cols: list[str] = []
    out = []
    for r, point in flat:
        d = {c: r[c] for c in _FIXED}
        d.update({k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in point.items()})
        d.update({c: r[c] for c in _META})
        for k, v in (r["payload"] or {}).items():
            if v is None or isinstance(v, (bool, int, float, str)):
                col = f"payload.{k}" if k in taken else k
                if col not in payload_cols:
                    payload_cols.append(col)
                d[col] = v
        out.append(d)
    return list(_FIXED) + params + list(_META) + payload_cols, out


def cmd_results_export(args) -> int:
    store = _open_store(args.db)
    if store is None:
        return 2
    with store:
        rows = store.rows(paper=args.paper)
    if not rows:
        print(f"{args.db}: no rows" + (f" for paper {args.paper}" if args.paper else ""))
        return 1
    groups: dict = {}
    for r in rows:
        groups.setdefault((r["paper"], r["figure"]), []).append(r)
    out = Path(args.csv)
    out.mkdir(parents=True, exist_ok=True)
    for (paper, figure), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], _figure_sort_key(kv[0][1]))):
        cols, flat = export_rows(rs)
        path = out / re.sub(r"[^A-Za-z0-9._-]+", "_", f"{paper}_{figure}.csv")
        with open(path, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=cols, restval="")
            w.writeheader()
            w.writerows(flat)
        print(f"{path}: {len(flat)} rows")
    return 0


# --------------------------------------------------------------------------- feasibility
def cmd_feasibility(args) -> int:
    from .algorithms.dual_eve import feasibility
    from .systems import DualEveScenario
    sc = DualEveScenario(n_antennas=args.nt, gamma_se_dbm=args.gamma_se, power_dbm=args.power,
                         gamma_s_dbm=args.gamma_s)
    rep = feasibility(sc)
    print(f"Nt={args.nt}, P={args.power} dBm, gamma_se={args.gamma_se} dBm: feasibility edge "
          f"gamma_s,max = {rep.gamma_s_max_dbm:.3f} dBm; gamma_s={args.gamma_s} dBm is "
          f"{'feasible' if rep.feasible else 'infeasible'} (min sensing power {rep.min_sensing_power_w * 1e3:.3g} mW)")
    return 0


# --------------------------------------------------------------------------- parser
EPILOG = f"""\
examples:
  fastisac reproduce dual_eve --quick                 one paper, reduced size, local process pool
  fastisac reproduce --all --workers 8                every implemented paper, full size
  fastisac reproduce --all --dask local --workers 8   the same on a local Dask cluster
  fastisac reproduce --all --dask tcp://host:8786     ... on a running Dask cluster
  fastisac results list                               what the store holds
  fastisac results export --csv raw/                  every stored row as CSV

Interrupted (Ctrl-C, kill, crash)? Rerun the same command: finished points are kept
in the store ({DEFAULT_DB} by default) and only the missing ones run.
implemented papers: {', '.join(PAPERS)}""" + _planned_suffix("; ")


def cmd_bench(args) -> int:
    from .bench import run_bench
    try:
        rc, table = run_bench(args.path, quick=args.quick, select=args.select, json_out=args.json)
    except ValueError as exc:
        _err(str(exc))
        return 2
    print()
    print_table(table)
    return rc


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fastisac",
                                description="fastisac, a secure-ISAC research toolkit: reproduce papers' figures "
                                            "(resumable sweeps, on this machine or a Dask cluster), inspect the "
                                            "stored results, closed-form checks.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="{reproduce,results,bench,feasibility}")
    r = sub.add_parser(
        "reproduce", help="run papers' figure sweeps (local pool or Dask), plot them, compare with the papers",
        description="Run a paper's figure sweeps (or every implemented paper's, --all), write PNG + CSV per "
                    "figure and REPRODUCTION.md in OUT/PAPER/, print the paper's stated numbers beside ours, "
                    "and rewrite OUT/REPRODUCTION.md for every paper in the store.",
        epilog=f"Resumable: each finished point is committed to the SQLite store at once; after a kill, a crash "
               f"or Ctrl-C (exit code 130), rerun the same command and only the missing points run. "
               f"Exit code 0 if every requested paper was reproduced, 1 if one failed, 2 on bad arguments."
               + _planned_suffix(" "))
    r.add_argument("paper", nargs="?", choices=PAPERS + PLANNED, metavar="PAPER",
                   help=f"paper short name: {', '.join(PAPERS + PLANNED)} (or use --all)")
    r.add_argument("--all", action="store_true",
                   help="every implemented paper (planned ones are listed and skipped)")
    r.add_argument("--figure", type=int, action="append", metavar="N",
                   help="figure number (repeatable; default: all; with --all, applies to each paper that has it)")
    r.add_argument("--quick", action="store_true", help="reduced size: fewer realisations, coarser grids")
    r.add_argument("--realisations", type=int, default=None, metavar="N",
                   help="run only realisations 0..N-1 of every point (e.g. a few of the full size's drops); "
                        "the figures use what the store holds and say how many of the size's tasks that is")
    r.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4), metavar="N",
                   help="worker processes (1 = run inline; default: min(cores, 4)); with --dask local, "
                        "the number of Dask workers")
    r.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output directory (default: {DEFAULT_OUT})")
    r.add_argument("--db", default=None, metavar="PATH", help="SQLite result store (default: OUT/results.sqlite)")
    r.add_argument("--dask", default=None, metavar="ADDRESS|local",
                   help="run the tasks on a Dask cluster: a scheduler address (e.g. tcp://host:8786; the "
                        "workers need fastisac installed) or 'local' for a LocalCluster of --workers processes. "
                        "Needs the distributed extra: pip install 'fastisac[distributed]'")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_reproduce)

    res = sub.add_parser("results", help="list, show or export what the result store holds",
                         description="Inspect the SQLite result store that `fastisac reproduce` fills.")
    rsub = res.add_subparsers(dest="results_command", required=True, metavar="{list,show,export}")
    db_help = f"SQLite result store (default: {DEFAULT_DB})"
    lst = rsub.add_parser("list", help="rows per paper and figure: ok / infeasible / error, code versions",
                          description="Rows per paper and figure: ok / infeasible / error, and code versions.")
    lst.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=db_help)
    lst.set_defaults(func=cmd_results_list)
    show = rsub.add_parser("show", help="print a paper's summarised figure tables and the paper-vs-measured table",
                           description="Print a paper's summarised figure tables (from the stored rows at the "
                                       "current code version) and the paper-vs-measured table.")
    show.add_argument("paper", choices=PAPERS + PLANNED, metavar="PAPER",
                      help=f"paper short name: {', '.join(PAPERS)}")
    show.add_argument("--figure", type=int, action="append", metavar="N",
                      help="figure number (repeatable; default: every figure with rows)")
    show.add_argument("--max-rows", type=int, default=40, metavar="N",
                      help="print at most N rows per table (first and last ones; 0 = all; default 40)")
    show.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=db_help)
    show.set_defaults(func=cmd_results_show)
    exp = rsub.add_parser("export", help="write the raw stored rows as one CSV per paper and figure",
                          description="Write every stored row as CSV, one file PAPER_FIGURE.csv per paper and "
                                      "figure: key, paper, figure, the point's parameters, realisation, "
                                      "code_version, status, error_type, error_message, elapsed, and the "
                                      "payload's scalar fields.")
    exp.add_argument("--csv", required=True, metavar="DIR", help="output directory")
    exp.add_argument("--paper", default=None, help="only this paper")
    exp.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=db_help)
    exp.set_defaults(func=cmd_results_export)

    bn = sub.add_parser("bench", help="run the benchmark suite (pytest-benchmark) and print one table",
                        description="Run benchmarks/ (pytest-benchmark, from a source checkout) and print one "
                                    "table: operation, size, ours, baseline, ratio, share of time inside Clarabel.")
    bn.add_argument("--quick", action="store_true", help="one round per case (rough numbers, a few minutes)")
    bn.add_argument("--path", default="benchmarks", metavar="DIR", help="benchmark directory (default: benchmarks)")
    bn.add_argument("-k", dest="select", default=None, metavar="EXPR", help="pytest -k expression to select cases")
    bn.add_argument("--json", default=None, metavar="FILE", help="also keep pytest-benchmark's JSON here")
    bn.set_defaults(func=cmd_bench)

    f = sub.add_parser("feasibility", help="closed-form feasibility edge of the dual_eve scenario (spec 8.2)")
    f.add_argument("--nt", type=int, default=8, help="BS antennas (default 8)")
    f.add_argument("--power", type=float, default=18.0, help="power budget P in dBm (default 18)")
    f.add_argument("--gamma-se", type=float, default=5.0, help="sensing-eavesdropper cap in dBm (default 5)")
    f.add_argument("--gamma-s", type=float, default=32.0, help="BS SCNR threshold in dBm (default 32)")
    f.set_defaults(func=cmd_feasibility)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "workers", 1) is not None and getattr(args, "workers", 1) < 1:
        _err("--workers must be >= 1")
        return 2
    if getattr(args, "max_rows", 0) < 0:
        _err("--max-rows must be >= 0")
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"\nfastisac: interrupted; results so far are stored, {RESUME_HINT}", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())
