"""Helpers every paper's experiments module shares: grouping stored rows, means, CSV, verdicts."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np


def params_of(row: dict) -> dict:
    """The point parameters of a stored row."""
    return json.loads(row["point"])


def group_rows(rows, *keys) -> dict:
    """Rows grouped by the values of the given point parameters."""
    g = defaultdict(list)
    for r in rows:
        p = params_of(r)
        g[tuple(p[k] for k in keys)].append(r)
    return g


def ok_rows(rows):
    return [r for r in rows if r["status"] == "ok"]


def finite_mean(vals) -> float:
    """Mean of the finite values (NaN if none): failed points never enter an average silently."""
    vals = [v for v in vals if v is not None and math.isfinite(v)]
    return float(np.mean(vals)) if vals else float("nan")


def write_csv(table: list[dict], path: Path) -> None:
    if not table:
        Path(path).write_text("")
        return
    cols = list(dict.fromkeys(k for row in table for k in row))
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(table)


class Comparison:
    """Builds the paper-vs-measured rows (quantity, paper, measured, deviation, tolerance, unit, verdict)."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, what, paper, measured, tol, unit, rel=False):
        if measured is None or not math.isfinite(measured):
            self.rows.append(dict(quantity=what, paper=paper, measured=float("nan"), deviation=float("nan"),
                                  tolerance=tol, unit=unit, verdict="not measured"))
            return
        dev = measured - paper
        ok = abs(dev) <= (tol * abs(paper) if rel else tol)
        self.rows.append(dict(quantity=what, paper=paper, measured=measured, deviation=dev,
                              tolerance=f"{tol:.0%}" if rel else tol, unit=unit,
                              verdict="matches" if ok else "differs"))

    def report(self, what, measured, unit=""):
        """A measured number the paper does not state (no verdict)."""
        self.rows.append(dict(quantity=what, paper=float("nan"), measured=measured, deviation=float("nan"),
                              tolerance="not stated", unit=unit, verdict="reported"))

    def add_claim(self, what, measured, holds: bool, unit="", tolerance="qualitative"):
        """A qualitative statement of the paper, checked on the measured numbers."""
        self.rows.append(dict(quantity=what, paper=float("nan"), measured=measured, deviation=float("nan"),
                              tolerance=tolerance, unit=unit, verdict="matches" if holds else "differs"))
