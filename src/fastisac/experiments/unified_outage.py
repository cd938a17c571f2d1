"""Figures 2-7 of seed 001 (unified_outage): sweep definitions, evaluation, aggregation, plots.

The paper's captions and most of its numbers were lost (spec 6); the axes follow spec 6.2
[A]: Fig. 3 = worst-user secrecy rate vs the sensing threshold (Gamma_s in dB; eta in
eps_BP = eta (N P)^2; P_D^th), Fig. 4 = vs the power budget P, Fig. 5 = realised sensing
value vs threshold, Fig. 6 = no eavesdropper / eavesdroppers with AN / without AN, Fig. 7
= sum secrecy rate vs threshold. The proposed method is reported at T1 = 100 and T2 = 1000
iterations (best feasible iterate so far, from one run). Baselines (spec 5) enter every
rate figure when :mod:`fastisac.algorithms.unified_outage` provides them.

Common random numbers: trial r is the same draw for every method, threshold and power.
Secrecy rates are signed in the optimiser; figures plot the signed worst-user rate
(spec 8.7) averaged over trials with a feasible output.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..algorithms import unified_outage as alg
from ..systems import UnifiedOutageScenario
from .common import Comparison, finite_mean, group_rows, ok_rows, write_csv  # noqa: F401
from .sweep import Task, task_seed

PAPER = "unified_outage"
FIGURES = (2, 3, 4, 5, 6, 7)
METRICS = ("sinr", "beampattern", "detection")
THRESHOLDS = {"sinr": (0.0, 5.0, 10.0, 15.0, 20.0), "beampattern": (0.03, 0.04, 0.05, 0.1, 0.2),
              "detection": (0.5, 0.7, 0.8, 0.9, 0.99)}
DEFAULT_THRESHOLD = {"sinr": 10.0, "beampattern": 0.05, "detection": 0.9}
THRESHOLD_LABEL = {"sinr": r"Sensing SINR threshold $\Gamma_s$ (dB)",
                   "beampattern": r"Beampattern MSE bound $\eta$ ($\varepsilon_{BP}=\eta(NP)^2$)",
                   "detection": r"Detection probability threshold $P_D^{th}$"}
POWERS_DBM = (20.0, 25.0, 30.0, 35.0, 40.0)
# quick size: every other grid point (a subset, so quick runs are reused by full ones)
QUICK_THRESHOLDS = {m: v[::2] for m, v in THRESHOLDS.items()}
QUICK_POWERS_DBM = POWERS_DBM[::2]
T1, T2 = 100, 1000
CHECKPOINTS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
QUICK_TRIALS, FULL_TRIALS = 2, 100


def baseline_names() -> tuple:
    return tuple(getattr(alg, "BASELINES", {}))


def _point(**kw) -> dict:
    base = dict(metric="sinr", threshold=10.0, power_dbm=30.0, method="proposed", objective="worst",
                case="eve_an")
    base.update(kw)
    return base


def tasks(figure: int, quick: bool = False) -> list[Task]:
    if figure not in FIGURES:
        raise ValueError(f"figure: unified_outage has figures {FIGURES}, got {figure}")
    trials = QUICK_TRIALS if quick else FULL_TRIALS
    thresholds = QUICK_THRESHOLDS if quick else THRESHOLDS
    powers = QUICK_POWERS_DBM if quick else POWERS_DBM
    methods = ("proposed",) + baseline_names()
    pts = []
    if figure == 2:
        pts = [_point(metric=m, threshold=DEFAULT_THRESHOLD[m], method=meth) for m in METRICS
               for meth in ("proposed", "unregularised")]
    elif figure in (3, 5):
        pts = [_point(metric=m, threshold=th, method=meth) for m in METRICS for th in thresholds[m]
               for meth in methods]
    elif figure == 4:
        pts = [_point(metric=m, threshold=DEFAULT_THRESHOLD[m], power_dbm=p, method=meth) for m in METRICS
               for p in powers for meth in methods]
    elif figure == 6:
        pts = [_point(metric=m, threshold=DEFAULT_THRESHOLD[m], case=c) for m in METRICS
               for c in ("no_eve", "eve_an", "eve_no_an")]
    elif figure == 7:
        pts = [_point(metric=m, threshold=th, method=meth, objective="sum") for m in METRICS
               for th in thresholds[m] for meth in methods]
    if figure == 5:           # same runs as Fig. 3: reuse them (same keys) rather than recompute
        figure = 3
    return [Task.make(PAPER, f"fig{figure}", p, r) for p in pts for r in range(trials)]


def channel_seed(trial: int) -> int:
    return task_seed(PAPER, "channels", "default", trial)


def _best_so_far(obj, f, tol=1e-6):
    best = -np.inf
    out = np.empty(len(obj))
    for i, (o, v) in enumerate(zip(obj, f)):
        if v >= -tol and o > best:
            best = o
        out[i] = best
    return out


def evaluate(task: Task) -> dict:
    p = task.params_dict
    sc = UnifiedOutageScenario(power_dbm=float(p["power_dbm"]))
    inst = sc.draw(np.random.default_rng(channel_seed(task.realisation)))
    kw = dict(metric=p["metric"], threshold=float(p["threshold"]), objective=p["objective"])
    method = p["method"]
    if method in ("proposed", "unregularised"):
        case = p["case"]
        res = alg.unified_method(sc, inst, n_iter=T2, regularised=method == "proposed",
                                 eavesdroppers=case != "no_eve", artificial_noise=case != "eve_no_an", **kw)
        best = _best_so_far(res.objective_trace, res.f_trace)
        out = res.summary()
        out["trace"] = [float(best[min(c, len(best) - 1)]) for c in CHECKPOINTS]
        out["objective_T1"] = float(best[min(T1, len(best) - 1)])
        return out
    fn = alg.BASELINES[method]
    return fn(sc, inst, **kw).summary()


def _value(r, key):
    v = r["payload"].get(key)
    return v if (r["payload"].get("feasible", True)) else None


def _feasible_realisations(rows) -> set:
    return {r["realisation"] for r in ok_rows(rows) if r["payload"].get("feasible", True)}


def _common_realisations(rows, *keys) -> dict:
    """Per point (keys without "method"): the realisations every method solved feasibly."""
    common = {}
    for k, rs in group_rows(rows, *keys, "method").items():
        common[k[:-1]] = _feasible_realisations(rs) if k[:-1] not in common else \
            common[k[:-1]] & _feasible_realisations(rs)
    return common


def summarise(figure: int, rows: list[dict]) -> list[dict]:
    """Figure table. ``rate`` averages each method over its own feasible trials;
    ``rate_common`` over the trials feasible for every method at that point (the fair
    comparison; ``common_trials`` says how many)."""
    out = []
    if figure == 2:
        for (m, meth), rs in sorted(group_rows(rows, "metric", "method").items()):
            ok = [r for r in ok_rows(rs)]
            for i, c in enumerate(CHECKPOINTS):
                vals = [r["payload"]["trace"][i] for r in ok]
                out.append(dict(metric=m, method=meth, iteration=c, worst_user_rate=finite_mean(vals), trials=len(ok)))
    elif figure in (3, 5, 7):
        common = _common_realisations(rows, "metric", "threshold")
        for (m, th, meth), rs in sorted(group_rows(rows, "metric", "threshold", "method").items()):
            ok = ok_rows(rs)
            cr = common[(m, th)]
            row = dict(metric=m, threshold=th, method=meth,
                       rate=finite_mean([_value(r, "objective") for r in ok]),
                       rate_common=finite_mean([r["payload"]["objective"] for r in ok if r["realisation"] in cr]),
                       common_trials=len(cr),
                       sensing_value=finite_mean([_value(r, "sensing_value") for r in ok]),
                       wall_time_s=finite_mean([r["payload"]["wall_time"] for r in ok]),
                       trials=len(ok), infeasible=sum(1 for r in ok if not r["payload"].get("feasible", True)),
                       failed=len(rs) - len(ok))
            if meth == "proposed":
                row["rate_T1"] = finite_mean([_value(r, "objective_T1") for r in ok])
            out.append(row)
    elif figure == 4:
        common = _common_realisations(rows, "metric", "power_dbm")
        for (m, pw, meth), rs in sorted(group_rows(rows, "metric", "power_dbm", "method").items()):
            ok = ok_rows(rs)
            cr = common[(m, pw)]
            out.append(dict(metric=m, power_dbm=pw, method=meth, rate=finite_mean([_value(r, "objective") for r in ok]),
                            rate_common=finite_mean([r["payload"]["objective"] for r in ok if r["realisation"] in cr]),
                            common_trials=len(cr),
                            wall_time_s=finite_mean([r["payload"]["wall_time"] for r in ok]), trials=len(ok)))
    elif figure == 6:
        for (m, case), rs in sorted(group_rows(rows, "metric", "case").items()):
            ok = ok_rows(rs)
            out.append(dict(metric=m, case=case, rate=finite_mean([_value(r, "objective") for r in ok]), trials=len(ok)))
    return out


def plot(figure: int, table: list[dict], path: Path) -> None:
    from .plotting import new_figure, save
    fig, axes = new_figure(3)
    for ax, m in zip(axes, METRICS):
        rows = [r for r in table if r["metric"] == m]
        if figure == 2:
            for meth, ls in (("proposed", "-o"), ("unregularised", "--s")):
                rr = [r for r in rows if r["method"] == meth]
                ax.semilogx([max(r["iteration"], 0.8) for r in rr], [r["worst_user_rate"] for r in rr], ls,
                            label="Proposed (regularised)" if meth == "proposed" else "Without regularisation")
            ax.set(xlabel="Iteration", ylabel="Worst-user secrecy rate (bps/Hz)", title=f"({'abc'[METRICS.index(m)]}) {m}")
        elif figure in (3, 5, 7):
            key = "sensing_value" if figure == 5 else "rate_common"
            for meth in dict.fromkeys(r["method"] for r in rows):
                rr = [r for r in rows if r["method"] == meth]
                t = finite_mean([r["wall_time_s"] for r in rr])
                ax.plot([r["threshold"] for r in rr], [r[key] for r in rr], "-o", label=f"{meth} ({t:.2g} s)")
                if meth == "proposed" and figure != 5:
                    ax.plot([r["threshold"] for r in rr], [r.get("rate_T1") for r in rr], ":o", label=f"proposed T1={T1}")
            if figure == 5:
                th = sorted({r["threshold"] for r in rows})
                ax.plot(th, th, color="lightblue", lw=3, alpha=0.6, label="threshold")
            ax.set(xlabel=THRESHOLD_LABEL[m], ylabel={3: "Worst-user secrecy rate (bps/Hz)", 7: "Sum secrecy rate (bps/Hz)",
                                                       5: "Realised sensing value"}[figure])
        elif figure == 4:
            for meth in dict.fromkeys(r["method"] for r in rows):
                rr = [r for r in rows if r["method"] == meth]
                ax.plot([r["power_dbm"] for r in rr], [r["rate_common"] for r in rr], "-o", label=meth)
            ax.set(xlabel="Power budget P (dBm)", ylabel="Worst-user secrecy rate (bps/Hz)")
        elif figure == 6:
            cases = ("no_eve", "eve_an", "eve_no_an")
            vals = [next((r["rate"] for r in rows if r["case"] == c), np.nan) for c in cases]
            ax.bar(["no Eve", "Eve + AN", "Eve, no AN"], vals, color=["C0", "C1", "C3"])
            ax.set(ylabel="Worst-user secrecy rate (bps/Hz)")
        ax.set_title(f"Fig. {figure}({'abc'[METRICS.index(m)]}): {m}")
        if figure != 6:
            ax.legend()
    save(fig, path)


def paper_comparison(tables: dict) -> list[dict]:
    cmp = Comparison()
    t2 = tables.get(2)
    if t2:
        for m, drop in zip(METRICS, (11.51, 29.73, 15.47)):
            rows = {(r["method"], r["iteration"]): r["worst_user_rate"] for r in t2 if r["metric"] == m}
            reg_t1, reg_t2 = rows.get(("proposed", T1)), rows.get(("proposed", T2))
            unreg = rows.get(("unregularised", T2))
            ratio = 100 * reg_t1 / reg_t2 if reg_t1 is not None and reg_t2 else float("nan")
            cmp.add_claim(f"Fig. 2 {m}: rate at T1={T1} >= 95 % of rate at T2={T2}", ratio,
                          math.isfinite(ratio) and ratio >= 95.0, "%", ">= 95")
            loss = 100 * (reg_t2 - unreg) / reg_t2 if reg_t2 and unreg is not None else None
            cmp.add(f"Fig. 2 {m}: loss without regularisation", drop, loss, 0.5, "%", rel=True)
    t6 = tables.get(6)
    if t6:
        for m in METRICS:
            r = {x["case"]: x["rate"] for x in t6 if x["metric"] == m}
            if r.get("no_eve"):
                cmp.add(f"Fig. 6 {m}: degradation with Eves, no AN", 33.0, 100 * (1 - r["eve_no_an"] / r["no_eve"]), 0.5,
                        "%", rel=True)
                cmp.add(f"Fig. 6 {m}: degradation with Eves and AN", 17.0, 100 * (1 - r["eve_an"] / r["no_eve"]), 0.5,
                        "%", rel=True)
    for fig in (3, 4, 7):
        table = tables.get(fig)
        if not table:
            continue
        what = "sum" if fig == 7 else "worst-user"
        for m in METRICS:
            rows = [r for r in table if r["metric"] == m]
            methods = sorted({r["method"] for r in rows})
            if len(methods) < 2:
                cmp.add_claim(f"Fig. {fig} {m}: proposed highest (no baseline measured)", float("nan"), False)
                continue
            means = {meth: finite_mean([r["rate_common"] for r in rows if r["method"] == meth]) for meth in methods}
            others = {k: v for k, v in means.items() if k != "proposed" and math.isfinite(v)}
            best = max(others, key=others.get) if others else None
            cmp.add_claim(f"Fig. {fig} {m}: proposed has the highest mean {what} rate (trials feasible for all; "
                          f"best baseline {best} {others.get(best, float('nan')):.2f})", means["proposed"],
                          bool(others) and means["proposed"] >= others[best], "bps/Hz")
            if fig == 3:
                times = {meth: finite_mean([r["wall_time_s"] for r in rows if r["method"] == meth]) for meth in methods}
                fastest = min(times, key=times.get)
                cmp.add_claim(f"Fig. 3 {m}: proposed among the fastest (fastest: {fastest} {times[fastest]:.3g} s)",
                              times["proposed"], times["proposed"] <= 2 * times[fastest], "s")
    t3 = tables.get(3)
    if t3:
        for m in METRICS:          # Fig. 5 uses the Fig. 3 runs
            rows = [r for r in t3 if r["metric"] == m]
            gap = {}
            for meth in {r["method"] for r in rows}:
                rr = [r for r in rows if r["method"] == meth]
                if m == "beampattern":   # MSE must stay below eta: closeness = eta - MSE
                    gap[meth] = finite_mean([r["threshold"] - r["sensing_value"] for r in rr])
                else:
                    gap[meth] = finite_mean([r["sensing_value"] - r["threshold"] for r in rr])
            if len(gap) > 1:
                cmp.add_claim(f"Fig. 5 {m}: proposed closest to the threshold (mean over-satisfaction)",
                              gap.get("proposed", float("nan")),
                              gap.get("proposed", np.inf) <= min(v for k, v in gap.items() if k != "proposed"))
    return cmp.rows
