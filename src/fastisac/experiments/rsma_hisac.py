"""Figures 2-6 of seed 002 (rsma_hisac): sweep definitions, evaluation, aggregation, plots.

Spec 002 section 6.2 defines every figure ([A] choices are the note's). Fig. 4(a)/(b) are
hardware-specific (latency, memory, FLOPs on the authors' platform) and are not reproduced;
Fig. 4(c)/(d) compare the proposed design with the AN comparator of spec 5 ([A]: AN replaces
w_ta, confined to the null space of h_bo, no SIC constraints; ``bs1="an"``): cross-cell SINR
(read as the BS2 users' private-stream SINR, average over users and edge = weakest user,
in dB) and runtime. RIS-security and "RSMA [24]" are not implemented (spec 5: skip RIS).

* Common random numbers: realisation r of a given (M1, M2, N, topology) is the same draw
  for every power, threshold and scheme, and the same node positions for every fading model.
* Averages use only realisations feasible for every scheme compared at that point
  (spec 6.1); each table row shows how many realisations that is (``runs``) out of ``total``.
* Power on a figure's x-axis is imposed with equality (spec 6.1); the other BS keeps
  its 25 dBW budget.
* Fig. 2(a) plots SEE against the solve count of Algorithm 4 (the paper does not say what it
  counts; outer iterations are reported too) and the "traversal" baseline of spec 5
  (:func:`fastisac.algorithms.rsma_hisac.traversal_see`, eta scanned in SEE*/40 steps).
* Fig. 2(d): weighted-sum front (:func:`~fastisac.algorithms.rsma_hisac.pareto_front`), O fixed
  at the Algorithm-4 solution; slope fitted over omega in [0.3, 0.7].
* Fig. 6(b) uncertainty models, relative radii [A]: bounded e = 0.05; ellipsoidal with
  semi-axes e * linspace(0.6, 1, M) -> e_eff = 1 / sqrt(lambda_min(E)) = e; probabilistic
  CN(0, s^2 I) with E||h_er||^2 = (e / 2)^2 ||h||^2 at 5 % outage ->
  e = s sqrt(F^-1_chi2(2M)(0.95) / 2) (spec 6.2).
* Quick size: one realisation per point, Algorithm 4 capped at 4 outer / 3 inner solves
  (Fig. 2(a) always runs to convergence), Fig. 3(b)-(d) "peak SEE over P2" taken as the
  budget-form optimum (P2 <= 25 dBW) instead of a P2 grid. Full size: 50 realisations, the
  note's grids, the equality-power P2 grid plus the budget point.
* Multiple-access comparisons (Fig. 2(c), Fig. 5, Fig. 6(a)): RSMA, PD-NOMA, SDMA and OMA
  (TDMA at BS2, spec 5), the OMA line "RSMA over OMA 30-35 %" on Fig. 2(c).
* Fig. 6(c)/(d): gain maps |u(p)^H o|^2 / ||o||^2 (dB) of o_c and o_N from BS2 over a
  plane grid (LoS UPA response, spec 6.2 [A]); summarised at the marked nodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..algorithms import rsma_hisac as alg
from ..errors import InfeasibleError
from ..kernels import steering_upa_depression_nb
from ..systems.rsma_hisac import RsmaHisacScenario, upa_shape
from .common import Comparison, finite_mean, group_rows, ok_rows, params_of, write_csv  # noqa: F401
from .sweep import Task, task_seed

PAPER = "rsma_hisac"
FIGURES = (2, 3, 4, 5, 6)
ANTENNA_PAIRS = ((4, 4), (8, 8), (12, 12), (16, 12), (16, 16))
TOPOLOGIES = {"centralised": (10.0, 60.0), "edge": (90.0, 120.0), "hybrid": (10.0, 120.0)}


@dataclass(frozen=True)
class Size:
    realisations: int
    p_grid: tuple          # x-axis powers (dBW) for the SEE-vs-power sweeps
    p1_grid: tuple         # Fig. 2(b), 3(a) (the echo constraint needs P1 near 20 dBW and above)
    errors: tuple
    users: tuple
    thresholds: tuple
    m1_fig2a: tuple
    max_outer: int
    max_inner: int


QUICK = Size(realisations=1, p_grid=(20.0, 25.0), p1_grid=(21.0, 25.0), errors=(0.0, 0.05),
             users=(2, 4, 8), thresholds=(0.4, 1.0, 1.7), m1_fig2a=(8, 12, 16), max_outer=4, max_inner=3)
FULL = Size(realisations=50, p_grid=tuple(np.round(np.arange(0.0, 25.01, 2.5), 1)),
            p1_grid=(20.0, 21.0, 22.0, 23.0, 24.0, 25.0), errors=(0.0, 0.05, 0.1, 0.2),
            users=(2, 4, 6, 8, 10, 12, 14, 16), thresholds=(0.4, 0.7, 1.0, 1.3, 1.7, 2.0),
            m1_fig2a=(8, 12, 16), max_outer=50, max_inner=20)


MA_SCHEMES = ("rsma", "noma", "sdma", "oma")     # multiple-access comparison (spec 5, 6.2)


def _point(**kw) -> dict:
    base = dict(panel="", m1=12, m2=12, n=4, p1_dbw=25.0, p2_dbw=25.0, p1_eq=False, p2_eq=False, e=0.0,
                scheme="rsma", bs1="joint", fading="shadowed_rician", topology="uniform", rate=1.0,
                unc="bounded")
    base.update(kw)
    return base


def tasks(figure: int, quick: bool = False) -> list[Task]:
    if figure not in FIGURES:
        raise ValueError(f"figure: rsma_hisac has figures {FIGURES}, got {figure}")
    z = QUICK if quick else FULL
    pts: list[dict] = []
    reps = z.realisations
    if figure == 2:
        pts += [_point(panel="a", m1=m, scheme="convergence") for m in z.m1_fig2a]
        pts += [_point(panel="b", p1_dbw=p, p1_eq=True, scheme=s) for p in z.p1_grid for s in ("rsma", "noma")]
        pts += [_point(panel="c", p2_dbw=p, p2_eq=True, e=e, scheme=s) for p in z.p_grid for e in z.errors
                for s in MA_SCHEMES]
        pts += [_point(panel="d", scheme="pareto")]
    elif figure == 3:
        pts += [_point(panel="a", p1_dbw=p, p1_eq=True, bs1=b) for p in z.p1_grid
                for b in ("joint", "wbo_only", "wta_only", "none")]
        # peak SEE over P2: quick runs the budget form (P2 <= 25 dBW), whose optimum is the peak
        grid = [(25.0, False)] if quick else [(p, True) for p in z.p_grid] + [(25.0, False)]
        pts += [_point(panel="b", m1=a, m2=b, p2_dbw=p, p2_eq=q) for a, b in ANTENNA_PAIRS for p, q in grid]
        pts += [_point(panel="c", n=n, p2_dbw=p, p2_eq=q) for n in z.users for p, q in grid]
        pts += [_point(panel="d", rate=r, p2_dbw=p, p2_eq=q) for r in z.thresholds for p, q in grid]
    elif figure == 4:
        pts += [_point(panel="c", bs1=b) for b in ("joint", "an")]
    elif figure == 5:
        pts += [_point(panel="a", topology=t, scheme=s) for t in TOPOLOGIES for s in MA_SCHEMES]
    elif figure == 6:
        pts += [_point(panel="a", fading=f, scheme=s) for f in ("shadowed_rician", "nakagami2", "rayleigh")
                for s in MA_SCHEMES]
        pts += [_point(panel="b", unc=u, e=0.05 if u != "none" else 0.0, scheme=s)
                for u in ("none", "bounded", "ellipsoidal", "probabilistic") for s in ("rsma", "sdma")]
        pts += [_point(panel="c", scheme="beampattern")]
    out = []
    for p in pts:
        p["max_outer"], p["max_inner"] = z.max_outer, z.max_inner
        if figure == 2 and p["panel"] == "a":         # the convergence figure always runs to convergence
            p["max_outer"], p["max_inner"] = FULL.max_outer, FULL.max_inner
        n_rep = 1 if p["scheme"] == "beampattern" or (p["scheme"] in ("convergence", "pareto") and quick) else reps
        if p["scheme"] == "pareto":
            p["omegas"] = (0.1, 0.3, 0.5, 0.7, 0.9) if quick else tuple(np.round(np.arange(0.1, 0.91, 0.1), 1))
        out += [Task.make(PAPER, f"fig{figure}", p, r) for r in range(n_rep)]
    return out


def _effective_error(p: dict, m: int) -> float:
    e = float(p["e"])
    if p["unc"] in ("bounded", "none", "ellipsoidal"):
        return e                                            # ellipsoid's largest semi-axis is e
    from scipy.stats import chi2
    s_rel = (e / 2.0) / math.sqrt(m)                       # E||h_er||^2 = (e/2)^2 ||h||^2
    return s_rel * math.sqrt(chi2.ppf(0.95, 2 * m) / 2.0)


def scenario_of(p: dict) -> RsmaHisacScenario:
    topo = p["topology"]
    kw = dict(m1=int(p["m1"]), m2=int(p["m2"]), n_users=int(p["n"]), p1_dbw=float(p["p1_dbw"]),
              p2_dbw=float(p["p2_dbw"]), p1_equality=bool(p["p1_eq"]), p2_equality=bool(p["p2_eq"]),
              fading=p["fading"], rate_secrecy=float(p["rate"]), rate_common=float(p["rate"]),
              rate_private=float(p["rate"]))
    sc = RsmaHisacScenario(**kw)
    sc = sc.replace(e_h=min(_effective_error(p, sc.m1), 0.99), e_g=min(_effective_error(p, sc.m2), 0.99))
    if topo in ("centralised", "edge"):
        sc = sc.replace(user_radii=TOPOLOGIES[topo])
    elif topo == "hybrid":
        sc = sc.replace(hybrid_users=True)
    return sc


def channel_seed(p: dict, realisation: int) -> int:
    key = {k: p[k] for k in ("m1", "m2", "n", "topology")}     # fading models share the positions
    return task_seed(PAPER, "channels", repr(sorted(key.items())), realisation)


def _gain_map(o: np.ndarray, sc: RsmaHisacScenario, pts: np.ndarray) -> np.ndarray:
    mh, mv = upa_shape(sc.m2)
    d = pts - np.array([sc.bs2_x, 0.0])
    dz = sc.bs_height - sc.node_height
    out = np.empty(len(pts))
    for i, (dx, dy) in enumerate(d):
        u = steering_upa_depression_nb(mh, mv, math.atan2(dy, dx), math.atan2(dz, math.hypot(dx, dy)))
        out[i] = abs(np.vdot(u, o)) ** 2 / max(np.vdot(o, o).real, 1e-300)
    return 10 * np.log10(np.maximum(out, 1e-12))


def evaluate(task: Task) -> dict:
    """One realisation of one point (top-level, picklable)."""
    p = task.params_dict
    sc = scenario_of(p)
    ch = sc.draw(np.random.default_rng(channel_seed(p, task.realisation)))
    rng = np.random.default_rng(task.seed)
    scheme = "rsma" if p["scheme"] in ("beampattern", "convergence", "pareto") else p["scheme"]
    rho_grid = (0.3, 0.7) if int(p["max_outer"]) < FULL.max_outer else (0.3, 0.7, 0.1, 0.9)
    res = alg.rsma_hisac_see(sc, ch, scheme=scheme, bs1=p["bs1"], rng=rng, max_outer=int(p["max_outer"]),
                             max_inner=int(p["max_inner"]), rho_grid=rho_grid)
    out = res.summary()
    if p["scheme"] == "convergence":
        tr = alg.traversal_see(sc, ch, res.see)
        out.update(traversal_steps=tr["steps"], traversal_trace=tr["see_trace"],
                   traversal_failed=tr["failed_solves"], traversal_wall_time=tr["wall_time"])
    if p["scheme"] == "pareto":
        pf = alg.pareto_front(sc, ch, p["omegas"], base=res, n_mm=2 if len(p["omegas"]) < 9 else 4)
        out.update(pareto_omega=pf["omega"], pareto_rs=pf["secrecy_rate"], pareto_gamma_db=pf["gamma_b1_db"])
    # Fig. 2(b) sensing baselines evaluated on the same kind of design (spec 5)
    hta = ch.h_ta
    S_all = sum(abs(np.vdot(hta, w)) ** 2 for w in res.w)
    ones = np.ones(sc.m1) / math.sqrt(sc.m1)
    k = sc.kappa2 / (2 * sc.sigma2)
    out["gamma_b1_db"] = 10 * math.log10(max(out["m_gamma_b1"], 1e-30))
    out["gamma_b1_nonopt_db"] = 10 * math.log10(max(k * abs(np.vdot(ones, hta)) ** 2 * S_all, 1e-30))
    out["gamma_b1_ta_only_db"] = 10 * math.log10(max(k * np.vdot(hta, hta).real * abs(np.vdot(hta, res.w[1])) ** 2,
                                                     1e-30))
    out["gamma_b1_tdma_db"] = out["gamma_b1_db"] - 10 * math.log10(2.0)
    out["scnr_ceiling_db"] = 10 * math.log10(sc.scnr_ceiling())
    out["user_sinr_db"] = (10 * np.log10(np.maximum(np.asarray(out["m_gamma_p"], float), 1e-30))).tolist()
    if p["scheme"] == "beampattern":
        out["gain_oc_nodes_db"] = _gain_map(res.o[0], sc, ch.positions).tolist()    # Bob, Eve, users
        out["gain_oN_nodes_db"] = _gain_map(res.o[-1], sc, ch.positions).tolist()
        out["positions"] = ch.positions.tolist()
    return out


# --------------------------------------------------------------------------- aggregation
def _common_feasible(rows, keys, scheme_key="scheme"):
    """Group rows by point keys; keep realisations ok (and feasible) for every scheme in the group."""
    out = {}
    for key, rs in group_rows(rows, *keys).items():
        by_scheme = {}
        for r in rs:
            by_scheme.setdefault(params_of(r)[scheme_key], {})[r["realisation"]] = r
        reals = set.intersection(*[set(v) for v in by_scheme.values()]) if by_scheme else set()
        good = [rl for rl in reals if all(by_scheme[s][rl]["status"] == "ok" and by_scheme[s][rl]["payload"]["feasible"]
                                          for s in by_scheme)]
        out[key] = (by_scheme, sorted(good), len(reals))
    return out


def _rows_of(rows, panel):
    return [r for r in rows if params_of(r)["panel"] == panel]


def summarise(figure: int, rows: list[dict]) -> list[dict]:
    out = []
    if figure == 2:
        for (m1,), rs in sorted(group_rows(_rows_of(rows, "a"), "m1").items()):
            ok = [r for r in ok_rows(rs) if r["payload"]["feasible"]]
            L = max((len(r["payload"]["see_trace"]) for r in ok), default=0)
            for it in range(L):
                vals = [r["payload"]["see_trace"][min(it, len(r["payload"]["see_trace"]) - 1)] for r in ok]
                tv = [r["payload"]["traversal_trace"][min(it, len(r["payload"]["traversal_trace"]) - 1)] for r in ok]
                out.append(dict(panel="a", m1=m1, solve=it, see=finite_mean(vals), traversal_see=finite_mean(tv),
                                runs=len(ok),
                                outer_iterations=finite_mean([r["payload"]["outer_iterations"] for r in ok]),
                                n_solves=finite_mean([r["payload"]["n_solves"] for r in ok]),
                                traversal_steps=finite_mean([r["payload"]["traversal_steps"] for r in ok])))
            L2 = max((len(r["payload"]["traversal_trace"]) for r in ok), default=0)
            for it in range(L, L2):
                tv = [r["payload"]["traversal_trace"][min(it, len(r["payload"]["traversal_trace"]) - 1)] for r in ok]
                out.append(dict(panel="a", m1=m1, solve=it, see=float("nan"), traversal_see=finite_mean(tv),
                                runs=len(ok), outer_iterations=out[-1]["outer_iterations"],
                                n_solves=out[-1]["n_solves"], traversal_steps=out[-1]["traversal_steps"]))
        pr = [r for r in ok_rows(_rows_of(rows, "d")) if r["payload"]["feasible"]]
        if pr:
            om = pr[0]["payload"]["pareto_omega"]
            for i, w in enumerate(om):
                out.append(dict(panel="d", omega=w, secrecy_rate=finite_mean([r["payload"]["pareto_rs"][i] for r in pr]),
                                gamma_b1_db=finite_mean([r["payload"]["pareto_gamma_db"][i] for r in pr]),
                                runs=len(pr)))
        for (p1,), (by, good, tot) in sorted(_common_feasible(_rows_of(rows, "b"), ("p1_dbw",)).items()):
            prop = [by["rsma"][g]["payload"] for g in good]
            noma = [by["noma"][g]["payload"] for g in good]
            out.append(dict(panel="b", p1_dbw=p1, runs=len(good), total=tot,
                            proposed_db=finite_mean([x["gamma_b1_db"] for x in prop]),
                            noma_db=finite_mean([x["gamma_b1_ta_only_db"] for x in noma]),
                            tdma_db=finite_mean([x["gamma_b1_tdma_db"] for x in prop]),
                            nonopt_db=finite_mean([x["gamma_b1_nonopt_db"] for x in prop]),
                            ceiling_db=finite_mean([x["scnr_ceiling_db"] for x in prop])))
        for (p2, e), (by, good, tot) in sorted(_common_feasible(_rows_of(rows, "c"), ("p2_dbw", "e")).items()):
            row = dict(panel="c", p2_dbw=p2, e=e, runs=len(good), total=tot)
            for s, d in by.items():
                row[f"see_{s}"] = finite_mean([d[g]["payload"]["see"] for g in good])
                row[f"feasible_{s}"] = sum(r["status"] == "ok" and r["payload"]["feasible"] for r in d.values())
            out.append(row)
    elif figure == 3:
        for (p1,), (by, good, tot) in sorted(_common_feasible(_rows_of(rows, "a"), ("p1_dbw",), "bs1").items()):
            row = dict(panel="a", p1_dbw=p1, total=tot, runs_all=len(good))
            for s, d in by.items():
                okr = [r for r in d.values() if r["status"] == "ok" and r["payload"]["feasible"]]
                row[f"see_{s}"] = finite_mean([r["payload"]["see"] for r in okr])
                row[f"feasible_{s}"] = len(okr)
            out.append(row)
        for panel, key in (("b", ("m1", "m2", "p2_dbw", "p2_eq")), ("c", ("n", "p2_dbw", "p2_eq")),
                           ("d", ("rate", "p2_dbw", "p2_eq"))):
            for k, rs in sorted(group_rows(_rows_of(rows, panel), *key).items()):
                okr = [r for r in ok_rows(rs) if r["payload"]["feasible"]]
                row = dict(panel=panel, **dict(zip(key, k)), see=finite_mean([r["payload"]["see"] for r in okr]),
                           runs=len(okr), total=len(rs),
                           wall_time_s=finite_mean([r["payload"]["wall_time"] for r in okr]))
                out.append(row)
    elif figure == 4:
        for _, (by, good, tot) in _common_feasible(_rows_of(rows, "c"), ("panel",), "bs1").items():
            for b, d in by.items():
                pl = [d[g]["payload"] for g in good]
                out.append(dict(panel="c", bs1=b, runs=len(good), total=tot,
                                avg_sinr_db=finite_mean([float(np.mean(x["user_sinr_db"])) for x in pl]),
                                edge_sinr_db=finite_mean([float(np.min(x["user_sinr_db"])) for x in pl]),
                                see=finite_mean([x["see"] for x in pl]),
                                wall_time_s=finite_mean([x["wall_time"] for x in pl])))
                out.append(dict(panel="d", bs1=b, runs=len(good), total=tot, see=out[-1]["see"],
                                wall_time_s=out[-1]["wall_time_s"],
                                n_solves=finite_mean([x["n_solves"] for x in pl])))
    elif figure in (5, 6):
        if figure == 5:
            groups = [("a", ("topology",))]
        else:
            groups = [("a", ("fading",)), ("b", ("unc",))]
        for panel, key in groups:
            for k, (by, good, tot) in sorted(_common_feasible(_rows_of(rows, panel), key).items()):
                row = dict(panel=panel, **dict(zip(key, k)), runs=len(good), total=tot)
                for s, d in by.items():
                    row[f"see_{s}"] = finite_mean([d[g]["payload"]["see"] for g in good])
                    row[f"feasible_{s}"] = sum(r["status"] == "ok" and r["payload"]["feasible"] for r in d.values())
                out.append(row)
        if figure == 6:
            for r in ok_rows(_rows_of(rows, "c")):
                pl = r["payload"]
                names = ["bob", "eve"] + [f"user{i + 1}" for i in range(len(pl["gain_oc_nodes_db"]) - 2)]
                for nm, gc, gn in zip(names, pl["gain_oc_nodes_db"], pl["gain_oN_nodes_db"]):
                    out.append(dict(panel="c", node=nm, gain_oc_db=gc, gain_oN_db=gn))
    return out


# --------------------------------------------------------------------------- plots
def plot(figure: int, table: list[dict], path: Path) -> None:
    from .plotting import new_figure, save
    panels = sorted({r["panel"] for r in table}) or ["a"]
    fig, axes = new_figure(len(panels))
    for ax, panel in zip(axes, panels):
        rows = [r for r in table if r["panel"] == panel]
        if figure == 2 and panel == "a":
            for m1 in sorted({r["m1"] for r in rows}):
                rr = [r for r in rows if r["m1"] == m1]
                ax.plot([r["solve"] for r in rr], [1e3 * r["see"] for r in rr], "-o", label=f"Alg. 4, M1={m1}")
                ax.plot([r["solve"] for r in rr], [1e3 * r["traversal_see"] for r in rr], "--",
                        label=f"traversal, M1={m1}")
            ax.set(xlabel="solve / traversal step (Phase I = 0)", ylabel="SEE (mbps/Hz/W)", title="Fig. 2(a)")
        elif figure == 2 and panel == "d":
            ax.plot([r["secrecy_rate"] for r in rows], [r["gamma_b1_db"] for r in rows], "-o")
            for r in rows:
                ax.annotate(f"{r['omega']:g}", (r["secrecy_rate"], r["gamma_b1_db"]))
            ax.set(xlabel="R_S (bps/Hz)", ylabel="gamma_b1 (dB)", title="Fig. 2(d) weighted-sum front")
        elif figure == 2 and panel == "b":
            x = [r["p1_dbw"] for r in rows]
            for k, lab in (("proposed_db", "Proposed"), ("noma_db", "NOMA [21]"), ("tdma_db", "TDMA [41]"),
                           ("nonopt_db", "Non-opt. echo"), ("ceiling_db", "O6 ceiling")):
                ax.plot(x, [r[k] for r in rows], "-o", label=lab)
            ax.set(xlabel="P1 (dBW)", ylabel="gamma_b1 (dB)", title="Fig. 2(b)")
        elif figure == 2 and panel == "c":
            for e in sorted({r["e"] for r in rows}):
                for s, ls in (("rsma", "-o"), ("noma", "--s"), ("sdma", ":^"), ("oma", "-.v")):
                    rr = [r for r in rows if r["e"] == e]
                    ax.plot([r["p2_dbw"] for r in rr], [1e3 * r.get(f"see_{s}", np.nan) for r in rr], ls,
                            label=f"{s.upper()} e={e:g}")
            ax.set(xlabel="P2 (dBW)", ylabel="SEE (mbps/Hz/W)", title="Fig. 2(c)")
        elif figure == 3 and panel == "a":
            for s in ("joint", "wbo_only", "wta_only", "none"):
                ax.plot([r["p1_dbw"] for r in rows], [1e3 * r.get(f"see_{s}", np.nan) for r in rows], "-o", label=s)
            ax.set(xlabel="P1 (dBW)", ylabel="SEE (mbps/Hz/W)", title="Fig. 3(a)")
        elif figure == 3:
            key = {"b": ("m1", "m2"), "c": ("n",), "d": ("rate",)}[panel]
            for k in sorted({tuple(r[c] for c in key) for r in rows}):
                rr = [r for r in rows if tuple(r[c] for c in key) == k]
                ax.plot([r["p2_dbw"] for r in rr], [1e3 * r["see"] for r in rr], "-o", label=str(k))
            ax.set(xlabel="P2 (dBW)", ylabel="SEE (mbps/Hz/W)", title=f"Fig. 3({panel})")
        elif figure == 4 and panel == "d":
            x = np.arange(len(rows))
            ax.bar(x, [r["wall_time_s"] for r in rows], 0.5)
            for i, r in enumerate(rows):
                ax.annotate(f"SEE {1e3 * r['see']:.2f} mbps/Hz/W", (i, r["wall_time_s"]), ha="center")
            ax.set_xticks(x, [r["bs1"] for r in rows])
            ax.set(ylabel="runtime (s)", title="Fig. 4(d) runtime, proposed vs AN")
        elif figure == 4:
            x = np.arange(len(rows))
            ax.bar(x - 0.2, [r["avg_sinr_db"] for r in rows], 0.4, label="average")
            ax.bar(x + 0.2, [r["edge_sinr_db"] for r in rows], 0.4, label="edge (weakest user)")
            ax.set_xticks(x, [r["bs1"] for r in rows])
            ax.set(ylabel="BS2 user SINR (dB)", title="Fig. 4(c) proposed vs AN")
        elif figure == 6 and panel == "c":
            ax.bar([r["node"] for r in rows], [r["gain_oc_db"] for r in rows], alpha=0.6, label="o_c")
            ax.bar([r["node"] for r in rows], [r["gain_oN_db"] for r in rows], alpha=0.6, label="o_N")
            ax.set(ylabel="gain (dB)", title="Fig. 6(c)/(d) gains at the nodes")
        else:
            key = [k for k in rows[0] if k not in ("panel", "runs", "total") and not k.startswith(("see_", "feas"))][0] \
                if rows else "x"
            labels = [str(r[key]) for r in rows]
            schemes = [s for s in MA_SCHEMES if any(f"see_{s}" in r for r in rows)]
            wd = 0.8 / max(len(schemes), 1)
            for j, s in enumerate(schemes):
                ax.bar(np.arange(len(rows)) + wd * j, [1e3 * r.get(f"see_{s}", np.nan) for r in rows], wd, label=s)
            ax.set_xticks(np.arange(len(rows)) + wd * (len(schemes) - 1) / 2, labels)
            ax.set(ylabel="SEE (mbps/Hz/W)", title=f"Fig. {figure}({panel})")
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    save(fig, path)


# --------------------------------------------------------------------------- paper vs measured
def _gain(a, b):
    if a is None or b is None or not (np.isfinite(a) and np.isfinite(b)) or b <= 0:
        return None
    return 100.0 * (a - b) / b


def paper_comparison(tables: dict) -> list[dict]:
    cmp = Comparison()
    t2 = tables.get(2)
    if t2:
        a = [r for r in t2 if r["panel"] == "a"]
        for m1, paper in zip((8, 12, 16), (24, 30, 39)):
            rr = [r for r in a if r["m1"] == m1]
            cmp.add(f"Fig. 2(a) Alg. 4 outer iterations, M1={m1}", paper,
                    rr[-1]["outer_iterations"] if rr else None, 0.2, "iterations", rel=True)
            cmp.add(f"Fig. 2(a) Alg. 4 solves (SDPs), M1={m1}", paper, rr[-1]["n_solves"] if rr else None, 0.2,
                    "solves", rel=True)
        for m1, paper in zip((8, 12, 16), (30, 40, 52)):
            rr = [r for r in a if r["m1"] == m1]
            cmp.add(f"Fig. 2(a) traversal steps, M1={m1}", paper, rr[-1]["traversal_steps"] if rr else None, 0.2,
                    "iterations", rel=True)
        finals = [max((r["see"] for r in a if r["m1"] == m), default=np.nan) for m in (8, 12, 16)]
        if all(np.isfinite(finals)):
            cmp.add_claim("Fig. 2(a) final SEE increases with M1 (8<12<16), mbps/Hz/W: "
                          + "/".join(f"{1e3 * f:.2f}" for f in finals), float(finals[-1]),
                          finals[0] < finals[1] < finals[2], "bps/Hz/W")
        b = [r for r in t2 if r["panel"] == "b" and r["runs"] > 0]
        if b:
            cmp.add_claim("Fig. 2(b) proposed gamma_b1 highest of the four schemes at every P1",
                          float(np.mean([r["proposed_db"] for r in b])),
                          all(r["proposed_db"] >= max(r["noma_db"], r["tdma_db"], r["nonopt_db"]) - 1e-6 for r in b),
                          "dB")
            cmp.add_claim("Fig. 2(b) every curve under the O6 ceiling", float(np.mean([r["ceiling_db"] for r in b])),
                          all(r["proposed_db"] <= r["ceiling_db"] + 1e-6 for r in b), "dB")
        c = [r for r in t2 if r["panel"] == "c"]
        if c:
            for e in sorted({r["e"] for r in c}):
                rr = [r for r in c if r["e"] == e and r["runs"] > 0]
                tot = sum(r["total"] for r in c if r["e"] == e)
                feas = sum(r["runs"] for r in c if r["e"] == e)
                cmp.add_claim(f"Fig. 2(c) realisations feasible for all schemes, e={e:g}", float(feas) / max(tot, 1),
                              feas > 0, "share")
                if not rr:
                    continue
                g_n = [_gain(r.get("see_rsma"), r.get("see_noma")) for r in rr]
                g_s = [_gain(r.get("see_rsma"), r.get("see_sdma")) for r in rr]
                g_n = [g for g in g_n if g is not None]
                g_s = [g for g in g_s if g is not None]
                cmp.add(f"Fig. 2(c) RSMA over NOMA, e={e:g} (paper 18-25 %)", 21.5,
                        float(np.mean(g_n)) if g_n else None, 3.5, "%")
                cmp.add(f"Fig. 2(c) RSMA over SDMA, e={e:g} (paper 30-35 %)", 32.5,
                        float(np.mean(g_s)) if g_s else None, 2.5, "%")
                g_o = [g for g in (_gain(r.get("see_rsma"), r.get("see_oma")) for r in rr) if g is not None]
                cmp.add(f"Fig. 2(c) RSMA over OMA, e={e:g} (paper 30-35 %)", 32.5,
                        float(np.mean(g_o)) if g_o else None, 2.5, "%")
            e0 = {r["p2_dbw"]: r.get("see_rsma") for r in c if r["e"] == 0.0 and r["runs"] > 0}
            for e in sorted({r["e"] for r in c if r["e"] > 0}):
                loss = [-_gain(r.get("see_rsma"), e0.get(r["p2_dbw"])) for r in c
                        if r["e"] == e and r["runs"] > 0 and _gain(r.get("see_rsma"), e0.get(r["p2_dbw"])) is not None]
                cmp.add(f"Fig. 2(c) SEE cost of CSI error e={e:g} (paper 8-12 %)", 10.0,
                        float(np.mean(loss)) if loss else None, 2.0, "%")
        dd = [r for r in t2 if r["panel"] == "d" and np.isfinite(r["secrecy_rate"])]
        mid = [r for r in dd if 0.3 <= r["omega"] <= 0.7]
        slope = None
        if len(mid) >= 2 and np.ptp([r["secrecy_rate"] for r in mid]) > 1e-6:
            slope = float(np.polyfit([r["secrecy_rate"] for r in mid], [r["gamma_b1_db"] for r in mid], 1)[0])
        cmp.add("Fig. 2(d) Pareto slope, omega 0.3-0.7", -2.8, slope, 0.5, "dB per bps/Hz", rel=True)
    t3 = tables.get(3)
    if t3:
        a = [r for r in t3 if r["panel"] == "a"]
        if a:
            def best_baseline(r):
                vals = [r.get(f"see_{s}", np.nan) for s in ("wbo_only", "wta_only", "none")]
                vals = [v for v in vals if np.isfinite(v)]
                return max(vals) if vals else -np.inf
            ok = all(r["see_joint"] >= best_baseline(r) - 1e-9 for r in a if np.isfinite(r.get("see_joint", np.nan)))
            cmp.add_claim("Fig. 3(a) joint BS1 design highest at every P1 (feasible draws: "
                          + ", ".join(f"{s} {sum(r.get('feasible_' + s, 0) for r in a)}/{sum(r['total'] for r in a)}"
                                      for s in ("joint", "wbo_only", "wta_only", "none")) + ")",
                          float(np.nanmean([r.get("see_joint", np.nan) for r in a])), ok, "bps/Hz/W")
        b = [r for r in t3 if r["panel"] == "b"]
        if b:
            peak = {}
            for pair in ANTENNA_PAIRS:
                v = [r["see"] for r in b if (r["m1"], r["m2"]) == pair and np.isfinite(r["see"])]
                peak[pair] = max(v) if v else None
            for (x, y, paper) in (((4, 4), (12, 12), 198.87), ((12, 12), (16, 12), 9.99), ((16, 12), (16, 16), -4.52)):
                cmp.add(f"Fig. 3(b) peak SEE {x}->{y}", paper, _gain(peak.get(y), peak.get(x)), 0.5, "%", rel=True)
        c = [r for r in t3 if r["panel"] == "c"]
        if c:
            best = {}
            for r in c:
                if np.isfinite(r["see"]):
                    best[r["n"]] = max(best.get(r["n"], -np.inf), r["see"])
            if best:
                cmp.add("Fig. 3(c) N at the SEE peak (grid " + ",".join(str(k) for k in sorted(best)) + ")", 12,
                        float(max(best, key=best.get)), 0.0, "users")
        dd = [r for r in t3 if r["panel"] == "d"]
        if dd:
            best = {}
            for r in dd:
                if np.isfinite(r["see"]):
                    best[r["rate"]] = max(best.get(r["rate"], -np.inf), r["see"])
            if best:
                arg = max(best, key=best.get)
                cmp.add("Fig. 3(d) threshold at the SEE peak (O7 predicts the smallest)", 1.0, float(arg), 0.0, "bps/Hz")
    t4 = {r["bs1"]: r for r in tables.get(4) or [] if r["panel"] == "c" and r["runs"] > 0}
    for b, name, avg, edge in (("joint", "proposed", 18.2, 8.7), ("an", "AN", 16.4, 7.1)):
        if b in t4:
            cmp.add(f"Fig. 4(c) average cross-cell SINR, {name}", avg, t4[b]["avg_sinr_db"], 1.0, "dB")
            cmp.add(f"Fig. 4(c) edge cross-cell SINR, {name}", edge, t4[b]["edge_sinr_db"], 1.0, "dB")
    if "joint" in t4 and "an" in t4:
        cmp.add_claim("Fig. 4(c) proposed (green interference) SEE above the AN comparator",
                      float(t4["joint"]["see"]), t4["joint"]["see"] >= t4["an"]["see"], "bps/Hz/W")
        cmp.add("Fig. 4(d) runtime of the proposed design at (12,12) (hardware-specific)", 3.2,
                t4["joint"]["wall_time_s"], 10.0, "s")
    t5 = tables.get(5)
    if t5:
        rows = {r["topology"]: r for r in t5 if r["panel"] == "a"}
        if "centralised" in rows and "edge" in rows:
            cmp.add("Fig. 5 edge-clustered vs centralised SEE (RSMA)", -18.0,
                    _gain(rows["edge"].get("see_rsma"), rows["centralised"].get("see_rsma")), 5.0, "%")
        best = [r for r in rows.values() if r["runs"] > 0]
        if best:
            cmp.add_claim("Fig. 5 RSMA best in every topology",
                          float(np.mean([r.get("see_rsma", np.nan) for r in best])),
                          all(r.get("see_rsma", -1) >= max(r.get(f"see_{s}", -1) for s in MA_SCHEMES[1:]) for r in best),
                          "bps/Hz/W")
    t6 = tables.get(6)
    if t6:
        fa = {r["fading"]: r for r in t6 if r["panel"] == "a" and r["runs"] > 0}
        if len(fa) == 3:
            v = [fa[k].get("see_rsma", np.nan) for k in ("shadowed_rician", "nakagami2", "rayleigh")]
            cmp.add_claim("Fig. 6(a) order Rician-shadowed > Nakagami-2 > Rayleigh (RSMA), mbps/Hz/W: "
                          + "/".join(f"{1e3 * x:.2f}" for x in v), float(v[0]), v[0] > v[1] > v[2], "bps/Hz/W")
            cmp.add_claim("Fig. 6(a) RSMA best under each fading model", float(v[0]),
                          all(r.get("see_rsma", -1) >= max(r.get(f"see_{s}", -1) for s in MA_SCHEMES[1:])
                              for r in fa.values()), "bps/Hz/W")
        ub = {r["unc"]: r for r in t6 if r["panel"] == "b" and r["runs"] > 0}
        if "none" in ub:
            losses = [-_gain(r.get("see_rsma"), ub["none"].get("see_rsma")) for k, r in ub.items() if k != "none"]
            losses = [x for x in losses if x is not None]
            cmp.add("Fig. 6(b) worst SEE loss over uncertainty models (paper <= 22 %)", 22.0,
                    float(max(losses)) if losses else None, 22.0, "%")
        cc = [r for r in t6 if r["panel"] == "c"]
        if cc:
            users = [r for r in cc if r["node"].startswith("user")]
            cmp.add_claim("Fig. 6(c) o_c > 0 dB at every user", float(min(r["gain_oc_db"] for r in users)),
                          all(r["gain_oc_db"] > 0 for r in users), "dB")
            eve = next(r for r in cc if r["node"] == "eve")
            cmp.add_claim("Fig. 6(d) o_N > 0 dB at Eve (green interference)", float(eve["gain_oN_db"]),
                          eve["gain_oN_db"] > 0, "dB")
    return cmp.rows
