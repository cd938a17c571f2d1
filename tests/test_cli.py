"""The fastisac command end to end at the smallest size."""

import csv
import subprocess
import sys

import pytest

from fastisac.cli import build_parser, main


def test_help_is_clear(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "reproduce" in out and "feasibility" in out and "results" in out
    assert "rerun the same command" in out.lower().replace("\n", " ")
    with pytest.raises(SystemExit):
        main(["reproduce", "--help"])
    out = capsys.readouterr().out
    for flag in ("--figure", "--quick", "--realisations", "--workers", "--out", "--all", "--dask", "--db"):
        assert flag in out
    for sub in ("list", "show", "export"):
        with pytest.raises(SystemExit):
            main(["results", sub, "--help"])
        assert "--db" in capsys.readouterr().out


def test_feasibility_command(capsys):
    assert main(["feasibility", "--gamma-se", "2"]) == 0
    assert "29.204" in capsys.readouterr().out


def test_bad_arguments():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["reproduce", "no_such_paper"])
    assert main(["reproduce", "dual_eve", "--figure", "1"]) == 2
    assert main(["reproduce", "dual_eve", "--workers", "0"]) == 2
    assert main(["reproduce", "dual_eve", "--realisations", "0"]) == 2
    assert main(["reproduce"]) == 2                      # neither a paper nor --all
    assert main(["reproduce", "dual_eve", "--all"]) == 2  # both
    assert main(["reproduce", "networked", "--figure", "1"]) == 2   # networked has figures 3-7
    from fastisac.experiments import PLANNED
    for name in PLANNED:
        assert main(["reproduce", name]) == 2            # planned, not implemented yet
    with pytest.raises(SystemExit):
        build_parser().parse_args(["results", "export"])  # --csv is required


def test_reproduce_first_realisations_only(tmp_path, capsys):
    """--realisations N runs realisations 0..N-1 of every point; the report says the size is incomplete."""
    args = ["reproduce", "unified_outage", "--quick", "--figure", "2", "--workers", "1", "--no-progress",
            "--out", str(tmp_path)]
    assert main(args + ["--realisations", "1"]) == 0
    cap = capsys.readouterr()
    assert "(quick size, realisations 0-0): 6 tasks" in cap.err
    from fastisac.experiments import ResultStore, paper_module
    full = paper_module("unified_outage").tasks(2, quick=True)
    assert len(full) == 12 and {t.realisation for t in full} == {0, 1}
    with ResultStore(tmp_path / "results.sqlite") as store:
        rows = store.rows("unified_outage", "fig2")
    assert len(rows) == 6 and {r["realisation"] for r in rows} == {0}
    assert "Fig. 2 (quick (incomplete: 6 of 12 tasks) size" in (tmp_path / "REPRODUCTION.md").read_text()


def test_reproduce_end_to_end_and_resume(tmp_path):
    cmd = [sys.executable, "-m", "fastisac.cli", "reproduce", "dual_eve", "--quick", "--figure", "4", "--figure", "8",
           "--workers", "1", "--no-progress", "--out", str(tmp_path)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Fig. 4 feasibility edge, gamma_se=5 dBm" in run.stdout
    out = tmp_path / "dual_eve"
    for name in ("fig4.png", "fig4.csv", "fig8.png", "fig8.csv", "REPRODUCTION.md"):
        assert (out / name).stat().st_size > 0
    with open(out / "fig4.csv") as fh:
        rows = list(csv.DictReader(fh))
    closed = [r for r in rows if r["method"] == "closed_form" and r["gamma_se_dbm"] == "5.0"]
    edge = max(float(r["gamma_s_dbm"]) for r in closed if float(r["feasibility_probability"]) > 0)
    assert abs(edge - 32.2) <= 0.1
    solver = {float(r["gamma_s_dbm"]): float(r["feasibility_probability"]) for r in rows if r["method"] == "solver"}
    assert solver[32.1] == 1.0 and solver[32.3] == 0.0
    # the comparison table reports each verdict
    assert "matches" in run.stdout
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0 and "0 tasks run" in rerun.stdout


def test_bench_table_pairs_ours_with_each_baseline():
    from fastisac.bench import bench_table

    def entry(kernel, size, impl, median, **info):
        return {"name": f"{kernel}-{impl}", "group": kernel, "stats": {"median": median},
                "extra_info": dict(kernel=kernel, size=size, impl=impl, **info)}
    data = {"benchmarks": [
        entry("rate", "K=3", "ours", 0.002), entry("rate", "K=3", "reference", 0.010),
        entry("alg", "N=8", "ours", 0.5, clarabel_share=0.9, naive_wall_s=2.0, naive_clarabel_share=0.5),
        entry("cmp", "N=8", "ours", 0.1), entry("cmp", "N=8", "SCA", 0.3, clarabel_share=0.8),
        entry("cmp", "N=8", "SDR", 2.0), entry("coldstart", "import", "ours", 1.0),
        entry("trs", "M=3", "ours", 0.01, reference_s=0.5),
        entry("ready", "import", "ours", 1.2, ours_s=0.8),
        entry("sub", "N=16", "ours", 2.0, baseline_name="full slot SDP", baseline_s=1.0, baseline_clarabel_share=0.9)]}
    rows = bench_table(data)
    by = {(r["operation"], r["baseline"]): r for r in rows}
    assert by[("rate", "reference")]["ratio"] == "5.0x"
    assert by[("alg", "naive CVXPY")]["ratio"] == "4.0x"
    assert by[("alg", "naive CVXPY")]["inside Clarabel (ours)"] == "90%"
    assert by[("alg", "naive CVXPY")]["inside Clarabel (baseline)"] == "50%"
    assert by[("cmp", "SCA")]["ratio"] == "3.0x" and by[("cmp", "SDR")]["ratio"] == "20.0x"
    assert by[("cmp", "SCA")]["inside Clarabel (baseline)"] == "80%"
    assert by[("coldstart", "-")]["ratio"] == "-" and by[("coldstart", "-")]["ours"] == "1 s"
    assert by[("trs", "reference")]["ratio"] == "50.0x"     # reference timed inside the benchmark
    assert by[("ready", "-")]["ours"] == "800 ms"            # ours_s overrides the timed median
    assert by[("sub", "full slot SDP")]["ratio"] == "0.5x"   # a named baseline of the library's own
    assert by[("sub", "full slot SDP")]["inside Clarabel (baseline)"] == "90%"
    assert len(rows) == 8


def test_bench_command_needs_the_benchmark_directory(tmp_path, capsys):
    from fastisac import cli
    assert cli.main(["bench", "--path", str(tmp_path / "missing")]) == 2
    assert "path:" in capsys.readouterr().err
