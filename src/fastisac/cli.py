"""The ``fastisac`` command.

    fastisac reproduce dual_eve [--figure N ...] [--quick] [--workers N] [--out DIR]
    fastisac feasibility [--nt 8] [--gamma-se 5] [--power 18]

``reproduce`` runs a paper's figure sweeps (resumable: results go to a SQLite file as
each point finishes; rerun the same command to continue after a kill or Ctrl-C),
writes one PNG and one CSV per figure, and prints each number the paper states beside
the measured one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

PAPERS = ("dual_eve",)
PLANNED = ("networked", "unified_outage", "rsma_hisac", "tris_rsma")


def _fmt(v) -> str:
    if isinstance(v, float):
        return "nan" if v != v else f"{v:.4g}"
    return str(v)


def print_table(rows: list[dict], file=sys.stdout) -> None:
    if not rows:
        return
    cols = list(rows[0])
    cells = [[_fmt(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)), file=file)


def _markdown(rows: list[dict]) -> str:
    if not rows:
        return ""
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def cmd_reproduce(args) -> int:
    from .experiments import ResultStore, run_sweep
    from .experiments import dual_eve as fig_mod
    from .kernels import warmup

    if args.paper in PLANNED:
        print(f"fastisac: {args.paper} is not implemented yet (see the README's feature table)", file=sys.stderr)
        return 2
    figures = args.figure or list(fig_mod.FIGURES)
    for f in figures:
        if f not in fig_mod.FIGURES:
            print(f"fastisac: --figure must be one of {fig_mod.FIGURES}, got {f}", file=sys.stderr)
            return 2
    out = Path(args.out) / args.paper
    out.mkdir(parents=True, exist_ok=True)
    db = Path(args.db) if args.db else Path(args.out) / "results.sqlite"
    t0 = time.perf_counter()
    tasks = [t for f in figures for t in fig_mod.tasks(f, quick=args.quick)]
    size = "quick" if args.quick else "full"
    print(f"fastisac: {args.paper} figures {figures} ({size} size): {len(tasks)} tasks, "
          f"{args.workers} worker(s), results in {db}", file=sys.stderr)
    with ResultStore(db) as store:
        try:
            summ = run_sweep(tasks, fig_mod.evaluate, store, workers=args.workers, progress=not args.no_progress,
                             desc=args.paper, warmup=warmup)
        except KeyboardInterrupt:
            return 130
        tables = {}
        keys = {t.key(store.code_version) for t in tasks} if hasattr(store, "code_version") else None
        for f in figures:
            rows = [r for r in store.rows(fig_mod.PAPER, f"fig{f}") if keys is None or r["key"] in keys]
            table = fig_mod.summarise(f, rows)
            tables[f] = table
            fig_mod.write_csv(table, out / f"fig{f}.csv")
            fig_mod.plot(f, table, out / f"fig{f}.png")
    comparison = fig_mod.paper_comparison(tables)
    print()
    print(f"{args.paper}: paper vs measured ({size} size)")
    print_table(comparison)
    md = [f"# {args.paper}: paper vs measured ({size} size)\n", _markdown(comparison)]
    md += [f"\n## Fig. {f}\n\n![Fig. {f}](fig{f}.png)\n\nData: [fig{f}.csv](fig{f}.csv)\n" for f in figures]
    (out / "REPRODUCTION.md").write_text("\n".join(md))
    print(f"\n{summ.ran} tasks run ({summ.ok} ok, {summ.infeasible} infeasible, {summ.failed} failed), "
          f"{summ.skipped} taken from the store; wall {time.perf_counter() - t0:.1f} s. "
          f"Figures, CSVs and REPRODUCTION.md in {out}")
    return 0


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fastisac", description=__doc__.split("\n\n")[0] + " Secure-ISAC toolkit.",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("reproduce", help="run a paper's figure sweeps, plot them, compare with the paper",
                       description="Run a paper's figure sweeps (resumable), write PNG + CSV per figure and "
                                   "REPRODUCTION.md, and print the paper's stated numbers beside ours.")
    r.add_argument("paper", choices=PAPERS + PLANNED, help="paper short name")
    r.add_argument("--figure", type=int, action="append", help="figure number (repeatable; default: all)")
    r.add_argument("--quick", action="store_true", help="reduced size: fewer realisations, coarser grids")
    r.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4),
                   help="worker processes (1 = run inline; default: min(cores, 4))")
    r.add_argument("--out", default="fastisac-results", help="output directory (default: fastisac-results)")
    r.add_argument("--db", default=None, help="SQLite result store (default: OUT/results.sqlite)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_reproduce)
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
        print("fastisac: --workers must be >= 1", file=sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
