"""``fastisac bench``: run the pytest-benchmark suite and print one table.

The suite lives in the source tree (``benchmarks/``, not installed with the package), so the
command runs from a checkout (``--path`` points elsewhere). Every benchmark records in
``benchmark.extra_info``:

``kernel``, ``size``
    the operation and the problem size (one table row per pair);
``impl``
    ``"ours"`` for fastisac, anything else (``"reference"``, ``"naive"``, a baseline's name)
    for what it is compared with: each non-``ours`` entry of the same (kernel, size) becomes
    a row with ``ratio = its median / ours' median``;
``clarabel_share`` (optional)
    the fraction of the timed call spent inside Clarabel's own solve;
``naive_wall_s`` / ``naive_clarabel_share`` (optional)
    a baseline timed outside pytest-benchmark (e.g. a naive CVXPY rebuild that is too slow to
    repeat), reported as a ``naive`` row;
``ours_s`` (optional)
    ours' time when it is not pytest-benchmark's median of the timed call (e.g. the cold start's
    time to ready, measured inside the timed process run);
``reference_s`` (optional)
    a NumPy reference timed inside the same benchmark function, reported as a ``reference`` row.

A paper that lands adds its benchmark file and nothing here. Ratios come from one run.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

__all__ = ["bench_table", "run_bench"]

QUICK_ARGS = ("--benchmark-min-rounds=1", "--benchmark-max-time=0.05", "--benchmark-warmup=off")


def _fmt_time(s: float) -> str:
    if s is None or not math.isfinite(s):
        return "-"
    for unit, f in (("s", 1.0), ("ms", 1e3), ("us", 1e6)):
        if s * f >= 1.0 or unit == "us":
            return f"{s * f:.3g} {unit}"
    return f"{s:.3g} s"


def bench_table(data: dict) -> list[dict]:
    """pytest-benchmark JSON -> rows (operation, size, ours, baseline, baseline time, ratio, inside Clarabel)."""
    groups = defaultdict(dict)
    order = []
    for b in data.get("benchmarks", []):
        info = b.get("extra_info", {})
        key = (info.get("kernel") or b.get("group") or b["name"], info.get("size", ""))
        if key not in groups:
            order.append(key)
        impl = info.get("impl", "ours")
        groups[key][impl] = (b["stats"]["median"], info)
    rows = []
    for key in order:
        entries = groups[key]
        ours = entries.get("ours")
        t_ours = (ours[1].get("ours_s", ours[0])) if ours else float("nan")
        share = ours[1].get("clarabel_share") if ours else None
        base = [(impl, t, info.get("clarabel_share")) for impl, (t, info) in entries.items() if impl != "ours"]
        if ours and "naive_wall_s" in ours[1]:
            base.append(("naive CVXPY", ours[1]["naive_wall_s"], ours[1].get("naive_clarabel_share")))
        if ours and "baseline_s" in ours[1]:        # a named baseline of the library's own (e.g. the full problem)
            base.append((ours[1].get("baseline_name", "baseline"), ours[1]["baseline_s"],
                         ours[1].get("baseline_clarabel_share")))
        if ours and "reference_s" in ours[1] and "reference" not in entries:
            base.append(("reference", ours[1]["reference_s"], None))
        if not base:
            base = [(None, float("nan"), None)]
        for impl, t, bshare in base:
            ratio = t / t_ours if (t_ours and math.isfinite(t_ours) and math.isfinite(t)) else float("nan")
            rows.append({"operation": key[0], "size": key[1], "ours": _fmt_time(t_ours),
                         "baseline": impl or "-", "baseline time": _fmt_time(t),
                         "ratio": f"{ratio:.1f}x" if math.isfinite(ratio) else "-",
                         "inside Clarabel (ours)": f"{share:.0%}" if share is not None else "-",
                         "inside Clarabel (baseline)": f"{bshare:.0%}" if bshare is not None else "-"})
    return rows


def run_bench(path: str | os.PathLike = "benchmarks", quick: bool = False, select: str | None = None,
              json_out: str | os.PathLike | None = None, extra: tuple = ()) -> tuple[int, list[dict]]:
    """Run pytest-benchmark on ``path``; returns (pytest exit code, table rows)."""
    path = Path(path)
    if not path.is_dir():
        raise ValueError(f"path: {path} is not a directory; run from a fastisac source checkout "
                         f"(the benchmarks are not installed with the package) or pass --path")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(json_out) if json_out else Path(tmp) / "bench.json"
        cmd = [sys.executable, "-m", "pytest", str(path), "--benchmark-only", f"--benchmark-json={out}", "-q",
               "-p", "no:cacheprovider", "--rootdir", str(path.resolve().parent)]
        if quick:
            cmd += list(QUICK_ARGS)
        if select:
            cmd += ["-k", select]
        cmd += list(extra)
        rc = subprocess.call(cmd)
        if not out.exists():
            return rc or 1, []
        return rc, bench_table(json.loads(out.read_text()))
