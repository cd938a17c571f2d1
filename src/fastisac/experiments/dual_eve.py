"""Figures 2-9 of seed 003 (dual_eve): sweep definitions, evaluation, aggregation, plots.

Parameters the paper leaves out follow spec 7.2 [A]: Fig. 2 at Nt = 8, gamma_s = 32,
gamma_se = 5 dBm; Fig. 3 gamma_s in [20, 34] dBm; Fig. 5 P in [14, 30] dBm; Fig. 6
gamma_s in [24, 32] dBm with Nt in {8, 10, 12}; Fig. 7 K in 1..6 with "average SR" =
SR / K; Figs. 8-9 at P = 18, gamma_s = 32, gamma_se = 5 dBm, K = 3, one realisation,
each curve normalised by its own maximum (dB).

Channels use common random numbers: realisation r of a given (Nt, K, theta_t) is the
same draw at every P, gamma and scheme, so schemes are compared on the same draws.
Fig. 4's feasibility probability uses the closed-form test of spec 8.2 per
realisation (it is exact and channel-independent); a few points either side of each
edge are also checked by running Algorithm 1 (``method = "solver"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..algorithms import dual_eve as alg
from ..kernels import beampattern_nb, outer_products_nb
from ..systems import DualEveScenario
from .common import Comparison, finite_mean, group_rows, ok_rows, params_of, write_csv  # noqa: F401
from .sweep import Task, task_seed

PAPER = "dual_eve"
FIGURES = (2, 3, 4, 5, 6, 7, 8, 9)
THETA_GRID_DEG = np.round(np.arange(-90.0, 90.0001, 0.1), 1)


@dataclass(frozen=True)
class Size:
    realisations: int
    gamma_s_fig3: tuple
    powers_fig5: tuple
    gamma_s_fig6: tuple
    users_fig7: tuple
    realisations_fig2: int
    realisations_fig7: int


QUICK = Size(realisations=3, gamma_s_fig3=(20.0, 23.0, 26.0, 28.0, 30.0, 32.0, 34.0),
             powers_fig5=(14.0, 18.0, 22.0, 26.0, 30.0), gamma_s_fig6=(24.0, 26.0, 28.0, 30.0, 32.0),
             users_fig7=(1, 2, 4, 6), realisations_fig2=1, realisations_fig7=2)
FULL = Size(realisations=50, gamma_s_fig3=tuple(float(g) for g in range(20, 35)),
            powers_fig5=tuple(float(p) for p in range(14, 31, 2)),
            gamma_s_fig6=tuple(float(g) for g in range(24, 33)), users_fig7=(1, 2, 3, 4, 5, 6),
            realisations_fig2=10, realisations_fig7=20)


def _point(**kw) -> dict:
    base = dict(n_antennas=8, n_users=3, power_dbm=18.0, gamma_s_dbm=32.0, gamma_se_dbm=5.0,
                theta_deg=0.0, scheme="proposed")
    base.update(kw)
    return base


def tasks(figure: int, quick: bool = False) -> list[Task]:
    """Every (point, realisation) task of one figure."""
    if figure not in FIGURES:
        raise ValueError(f"figure: dual_eve has figures {FIGURES}, got {figure}")
    z = QUICK if quick else FULL
    pts: list[dict] = []
    reps = z.realisations
    if figure == 2:
        pts = [_point(power_dbm=p, scheme="proposed") for p in (18.0, 22.0, 26.0)]
        reps = z.realisations_fig2
    elif figure == 3:
        pts = [_point(gamma_s_dbm=g, gamma_se_dbm=gse, scheme=sch) for gse in (2.0, 5.0)
               for g in z.gamma_s_fig3 for sch in ("proposed", "no_sensing_security")]
    elif figure == 4:
        grid = np.round(np.arange(20.0, 34.0001, 0.05), 2)
        pts = [_point(gamma_s_dbm=float(g), gamma_se_dbm=gse, scheme="closed_form")
               for gse in (2.0, 5.0) for g in grid]
        pts += [_point(gamma_s_dbm=g, gamma_se_dbm=gse, scheme="proposed")
                for gse, edge in ((2.0, 29.2), (5.0, 32.2)) for g in (round(edge - 0.1, 2), round(edge + 0.1, 2))]
    elif figure == 5:
        pts = [_point(n_antennas=n, power_dbm=p, scheme=sch) for n in (8, 10, 12)
               for p in z.powers_fig5 for sch in ("proposed", "s_random", "s_random_r1")]
    elif figure == 6:
        pts = [_point(n_antennas=n, gamma_s_dbm=g) for n in (8, 10, 12) for g in z.gamma_s_fig6]
    elif figure == 7:
        pts = [_point(n_antennas=n, power_dbm=p, n_users=k) for p in (18.0, 28.0) for n in (8, 12)
               for k in z.users_fig7]
        reps = z.realisations_fig7
    elif figure in (8, 9):
        pts = [_point(n_antennas=n, theta_deg=0.0 if figure == 8 else 10.0, scheme="beampattern")
               for n in (8, 12)]
        reps = 1
    # the closed-form feasibility test does not depend on the channel draw (spec 8.2):
    # one realisation per point is exact
    return [Task.make(PAPER, f"fig{figure}", p, r) for p in pts
            for r in range(1 if p["scheme"] == "closed_form" else reps)]


def scenario_of(params: dict) -> DualEveScenario:
    return DualEveScenario(n_antennas=int(params["n_antennas"]), n_users=int(params["n_users"]),
                           power_dbm=float(params["power_dbm"]), gamma_s_dbm=float(params["gamma_s_dbm"]),
                           gamma_se_dbm=float(params["gamma_se_dbm"]),
                           target_angle_deg=float(params["theta_deg"]))


def channel_seed(params: dict, realisation: int) -> int:
    """Common random numbers: the draw depends on (Nt, K, theta_t, realisation) only."""
    key = {k: params[k] for k in ("n_antennas", "n_users", "theta_deg")}
    return task_seed(PAPER, "channels", repr(sorted(key.items())), realisation)


def evaluate(task: Task) -> dict:
    """Evaluate one task (top-level, picklable: runs in worker processes)."""
    p = task.params_dict
    sc = scenario_of(p)
    scheme = p["scheme"]
    if scheme == "closed_form":
        rep = alg.feasibility(sc)
        return {"feasible": rep.feasible, "gamma_s_max_dbm": rep.gamma_s_max_dbm}
    ch = sc.draw(np.random.default_rng(channel_seed(p, task.realisation)))
    rng = np.random.default_rng(task.seed)
    if scheme == "proposed" or scheme == "beampattern":
        res = alg.secure_beamforming(sc, ch, rng=rng)
    elif scheme == "no_sensing_security":
        res = alg.without_sensing_security(sc, ch, rng=rng)
    elif scheme == "s_random":
        res = alg.s_random(sc, ch, rng)
    elif scheme == "s_random_r1":          # sensitivity of the baseline to its recipe (spec 9.18)
        res = alg.s_random(sc, ch, rng, rank=1)
    else:
        raise ValueError(f"scheme: unknown {scheme!r}")
    out = res.summary()
    out["feasible"] = bool(res.constraint_violation <= alg.CONSTRAINT_RTOL)
    if scheme == "beampattern":
        th = np.deg2rad(THETA_GRID_DEG)
        Pc = beampattern_nb(np.sum(outer_products_nb(res.W[None])[0], axis=0), th, sc.spacing)
        Ps = beampattern_nb(res.S, th, sc.spacing)
        out["pattern_comm"] = Pc.tolist()
        out["pattern_sens"] = Ps.tolist()
    return out


# --------------------------------------------------------------------------- aggregation
_groups = group_rows
_params = params_of
_ok = ok_rows
_mean = finite_mean


def summarise(figure: int, rows: list[dict]) -> list[dict]:
    """Per-point table of a figure's stored results (what goes into the CSV)."""
    out = []
    if figure == 2:
        for (p,), rs in sorted(_groups(rows, "power_dbm").items()):
            ok = _ok(rs)
            L = max((len(r["payload"]["surrogate_trace"]) for r in ok), default=0)
            for it in range(L):
                sur = [r["payload"]["surrogate_trace"][min(it, len(r["payload"]["surrogate_trace"]) - 1)] for r in ok]
                tru = [r["payload"]["sr_trace"][min(it, len(r["payload"]["sr_trace"]) - 1)] for r in ok]
                out.append(dict(power_dbm=p, iteration=it + 1, surrogate_bps=_mean(sur), true_sr_bps=_mean(tru),
                                runs=len(ok)))
    elif figure == 3:
        for (gse, g, sch), rs in sorted(_groups(rows, "gamma_se_dbm", "gamma_s_dbm", "scheme").items()):
            ok = _ok(rs)
            row = dict(gamma_se_dbm=gse, gamma_s_dbm=g, scheme=sch, runs=len(ok),
                       infeasible=sum(r["status"] == "infeasible" for r in rs),
                       failed=sum(r["status"] == "error" for r in rs))
            K = len(ok[0]["payload"]["scnr_u"]) if ok else 3
            for k in range(K):
                vals = [10 * math.log10(max(r["payload"]["scnr_u"][k], 1e-300)) + 30 for r in ok]
                row[f"scnr{k + 1}_dbm"] = _mean(vals)
            out.append(row)
    elif figure == 4:
        for (gse, g, sch), rs in sorted(_groups(rows, "gamma_se_dbm", "gamma_s_dbm", "scheme").items()):
            feas = [r["status"] == "ok" and r["payload"]["feasible"] for r in rs]
            out.append(dict(gamma_se_dbm=gse, gamma_s_dbm=g, method="closed_form" if sch == "closed_form" else "solver",
                            feasibility_probability=float(np.mean(feas)) if feas else float("nan"), runs=len(rs)))
    elif figure == 5:
        for (n, p, sch), rs in sorted(_groups(rows, "n_antennas", "power_dbm", "scheme").items()):
            ok = _ok(rs)
            out.append(dict(n_antennas=n, power_dbm=p, scheme=sch, sr_bps=_mean([r["payload"]["sr"] for r in ok]),
                            runs=len(ok), infeasible=sum(r["status"] == "infeasible" for r in rs),
                            failed=sum(r["status"] == "error" for r in rs),
                            wall_time_s=_mean([r["payload"]["wall_time"] for r in ok])))
    elif figure == 6:
        for (n, g), rs in sorted(_groups(rows, "n_antennas", "gamma_s_dbm").items()):
            ok = _ok(rs)
            out.append(dict(n_antennas=n, gamma_s_dbm=g, sr_bps=_mean([r["payload"]["sr"] for r in ok]),
                            runs=len(ok), infeasible=sum(r["status"] == "infeasible" for r in rs),
                            failed=sum(r["status"] == "error" for r in rs)))
    elif figure == 7:
        for (p, n, k), rs in sorted(_groups(rows, "power_dbm", "n_antennas", "n_users").items()):
            ok = _ok(rs)
            out.append(dict(power_dbm=p, n_antennas=n, n_users=k,
                            avg_sr_bps=_mean([r["payload"]["sr"] / k for r in ok]), runs=len(ok),
                            failed=sum(r["status"] != "ok" for r in rs)))
    elif figure in (8, 9):
        for (n, th), rs in sorted(_groups(rows, "n_antennas", "theta_deg").items()):
            for r in _ok(rs):
                pc = np.asarray(r["payload"]["pattern_comm"])
                ps = np.asarray(r["payload"]["pattern_sens"])
                pc_db = 10 * np.log10(np.maximum(pc / pc.max(), 1e-30))
                ps_db = 10 * np.log10(np.maximum(ps / ps.max(), 1e-30))
                for t, a, b in zip(THETA_GRID_DEG, pc_db, ps_db):
                    out.append(dict(n_antennas=n, theta_t_deg=th, theta_deg=float(t), comm_db=float(a),
                                    sens_db=float(b)))
    return out


# --------------------------------------------------------------------------- plots
def plot(figure: int, table: list[dict], path: Path) -> None:
    from .plotting import new_figure, save
    if figure == 3:
        fig, axes = new_figure(2)
        for ax, gse in zip(axes, (2.0, 5.0)):
            for sch, ls in (("proposed", "-"), ("no_sensing_security", "--")):
                rows = [r for r in table if r["gamma_se_dbm"] == gse and r["scheme"] == sch]
                for k in range(1, 4):
                    prop = sch == "proposed"
                    ax.plot([r["gamma_s_dbm"] for r in rows], [r.get(f"scnr{k}_dbm", np.nan) for r in rows], ls,
                            color=f"C{k - 1}", marker="os^"[k - 1], markersize=9 if prop else 4,
                            markerfacecolor="none" if prop else None,
                            label=f"SCNR{k} {'proposed' if prop else 'w/o (19)'}")
            ax.axhline(gse, color="k", lw=0.8, ls=":", label=r"$\gamma_{se}$")
            ax.set(xlabel=r"BS SCNR threshold $\gamma_s$ (dBm)", ylabel="Sensing SCNR at CUs (dBm)",
                   title=f"({'ab'[gse == 5.0]}) $\\gamma_{{se}}$ = {gse:g} dBm")
            ax.legend(ncol=2)
        save(fig, path)
        return
    fig, axes = new_figure(1)
    ax = axes[0]
    if figure == 2:
        for p in sorted({r["power_dbm"] for r in table}):
            rows = [r for r in table if r["power_dbm"] == p]
            ax.plot([r["iteration"] for r in rows], [r["surrogate_bps"] for r in rows], "-o", label=f"P={p:g} dBm, surrogate f/ln2")
            ax.plot([r["iteration"] for r in rows], [r["true_sr_bps"] for r in rows], ":", label=f"P={p:g} dBm, true SR")
        ax.set(xlabel="Iteration", ylabel="Secrecy rate (bps/Hz)", title="Fig. 2: convergence of Algorithm 1")
    elif figure == 4:
        for gse in (2.0, 5.0):
            rows = [r for r in table if r["gamma_se_dbm"] == gse and r["method"] == "closed_form"]
            ax.plot([r["gamma_s_dbm"] for r in rows], [r["feasibility_probability"] for r in rows], "-",
                    label=f"$\\gamma_{{se}}$={gse:g} dBm (closed form)")
            rows = [r for r in table if r["gamma_se_dbm"] == gse and r["method"] == "solver"]
            ax.plot([r["gamma_s_dbm"] for r in rows], [r["feasibility_probability"] for r in rows], "kx",
                    label=f"$\\gamma_{{se}}$={gse:g} dBm (Algorithm 1)")
        for e in (29.2, 32.2):
            ax.axvline(e, color="grey", ls=":", lw=0.8)
        ax.set(xlabel=r"$\gamma_s$ (dBm)", ylabel="Feasibility probability", title="Fig. 4 (paper edges: 29.2, 32.2 dBm)")
    elif figure == 5:
        for n in (8, 10, 12):
            for sch, ls, name in (("proposed", "-o", "Proposed"), ("s_random", "--s", "S Random"),
                                  ("s_random_r1", ":^", "S Random (rank 1)")):
                rows = [r for r in table if r["n_antennas"] == n and r["scheme"] == sch]
                ax.plot([r["power_dbm"] for r in rows], [r["sr_bps"] for r in rows], ls, color=f"C{(n - 8) // 2}",
                        label=f"{name}, $N_t$={n}")
        ax.set(xlabel="Maximum transmit power P (dBm)", ylabel="System secrecy rate (bps/Hz)", title="Fig. 5")
    elif figure == 6:
        for n in (8, 10, 12):
            rows = [r for r in table if r["n_antennas"] == n]
            ax.plot([r["gamma_s_dbm"] for r in rows], [r["sr_bps"] for r in rows], "-o", label=f"$N_t$={n}")
        ax.set(xlabel=r"$\gamma_s$ (dBm)", ylabel="System secrecy rate (bps/Hz)", title="Fig. 6")
    elif figure == 7:
        for p in (18.0, 28.0):
            for n in (8, 12):
                rows = [r for r in table if r["power_dbm"] == p and r["n_antennas"] == n]
                ax.plot([r["n_users"] for r in rows], [r["avg_sr_bps"] for r in rows], "-o", label=f"P={p:g} dBm, $N_t$={n}")
        ax.set(xlabel="Number of CUs K", ylabel="Average secrecy rate SR/K (bps/Hz)", title="Fig. 7")
    elif figure in (8, 9):
        for n, ls in ((8, "-"), (12, "--")):
            rows = [r for r in table if r["n_antennas"] == n]
            ax.plot([r["theta_deg"] for r in rows], [r["sens_db"] for r in rows], ls, label=f"Sensing, $N_t$={n}")
            ax.plot([r["theta_deg"] for r in rows], [r["comm_db"] for r in rows], ls, alpha=0.7, label=f"Communication, $N_t$={n}")
        th = 0.0 if figure == 8 else 10.0
        ax.axvline(th, color="k", ls=":", lw=0.8)
        ax.set(xlabel=r"$\theta$ (deg)", ylabel="Normalised beampattern (dB)", ylim=(-60, 3),
               title=f"Fig. {figure}: $\\theta_t$ = {th:g}$^\\circ$")
    ax.legend()
    save(fig, path)


# --------------------------------------------------------------------------- paper vs measured
def paper_comparison(tables: dict) -> list[dict]:
    """Each number the paper states (spec 7.2) beside the measured value and a verdict."""
    cmp = Comparison()
    add = cmp.add
    out = cmp.rows

    t4 = tables.get(4)
    if t4:
        for gse, edge in ((2.0, 29.2), (5.0, 32.2)):
            rows = [r for r in t4 if r["gamma_se_dbm"] == gse and r["method"] == "closed_form"
                    and r["feasibility_probability"] > 0]
            add(f"Fig. 4 feasibility edge, gamma_se={gse:g} dBm", edge,
                max(r["gamma_s_dbm"] for r in rows) if rows else None, 0.1, "dBm")
    t5 = tables.get(5)
    if t5:
        pr = [r for r in t5 if r["n_antennas"] == 8 and r["power_dbm"] == 18.0]
        prop = next((r["sr_bps"] for r in pr if r["scheme"] == "proposed"), None)
        for sch, name in (("s_random", "S Random"), ("s_random_r1", "S Random rank 1")):
            rand = next((r for r in pr if r["scheme"] == sch), None)
            gain = None
            if prop is not None and rand is not None and rand["runs"] and rand["sr_bps"] > 0:
                gain = 100.0 * (prop - rand["sr_bps"]) / rand["sr_bps"]
            add(f"Fig. 5 gain over {name}, Nt=8, P=18 dBm" +
                (f" (feasible in {rand['runs']}/{rand['runs'] + rand['infeasible'] + rand['failed']} draws)"
                 if rand else ""), 98.3, gain, 0.5, "%", rel=True)
    t6 = tables.get(6)
    if t6:
        for n, drop in ((8, 2.1), (10, 0.7), (12, 0.4)):
            rows = {r["gamma_s_dbm"]: r["sr_bps"] for r in t6 if r["n_antennas"] == n}
            m = rows[24.0] - rows[32.0] if 24.0 in rows and 32.0 in rows else None
            add(f"Fig. 6 SR drop 24->32 dBm, Nt={n}", drop, m, 0.5, "bps/Hz", rel=True)
    for f, th in ((8, 0.0), (9, 10.0)):
        for n in (8, 12):
            rows = [r for r in tables.get(f) or [] if r["n_antennas"] == n]
            if not rows:
                continue
            peak = max(rows, key=lambda r: r["sens_db"])["theta_deg"]
            add(f"Fig. {f} sensing beam peak angle, Nt={n}", th, peak, 12.7 / 2, "deg")
            notch = min(rows, key=lambda r: abs(r["theta_deg"] - th))["comm_db"]
            out.append(dict(quantity=f"Fig. {f} comm pattern at theta_t, Nt={n} ('sharp decrease')", paper=float("nan"),
                            measured=notch, deviation=float("nan"), tolerance="<= -10", unit="dB",
                            verdict="matches" if notch <= -10 else "differs"))
    t2 = tables.get(2)
    if t2:
        its = []
        for p in {r["power_dbm"] for r in t2}:
            rows = [r for r in t2 if r["power_dbm"] == p]
            final = rows[-1]["surrogate_bps"]
            its.append(next(r["iteration"] for r in rows if abs(r["surrogate_bps"] - final) <= 1e-2 * abs(final)))
        add("Fig. 2 iterations to stabilise (within 1 % of final)", 4, float(max(its)) if its else None, 1, "iterations")
    return out
