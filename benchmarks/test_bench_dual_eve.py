"""Algorithm 1 (seed 003): fastisac (DPP problem built once, real embedding, tuned Clarabel)
against the naive CVXPY version that rebuilds the problem every iteration.

Asserts both reach the same surrogate trace and SR to solver tolerance; records the
share of wall time spent inside Clarabel's own solve in ``extra_info``.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from naive_dual_eve import naive_secure_beamforming  # noqa: E402

from fastisac.algorithms import dual_eve as de  # noqa: E402
from fastisac.kernels import dual_eve_metrics  # noqa: E402
from fastisac.systems import DualEveScenario  # noqa: E402


@pytest.mark.parametrize("nt", [8, 12])
def test_algorithm1_dpp_vs_naive(benchmark, nt):
    sc = DualEveScenario(n_antennas=nt, gamma_s_dbm=28.0)
    ch = sc.draw(np.random.default_rng(123))
    de.secure_beamforming(sc, ch)                   # build + canonicalise once (per process)
    naive = naive_secure_beamforming(sc, ch)
    ours = de.secure_beamforming(sc, ch)
    assert len(naive["trace"]) == ours.iterations
    np.testing.assert_allclose(ours.surrogate_trace, naive["trace"], rtol=1e-4, atol=1e-4)
    m = dual_eve_metrics(naive["Q"][None], naive["S"][None], ch.h[None], ch.hce, ch.he[None],
                         sc.sigma_k2, sc.sigma_t2, sc.sigma_b2)
    assert ours.sr_trace[-1] == pytest.approx(float(m["sr"][0]), rel=1e-3)   # SR is flatter than f

    res = benchmark.pedantic(lambda: de.secure_beamforming(sc, ch), rounds=5, iterations=1, warmup_rounds=1)
    t_naive = min(naive_secure_beamforming(sc, ch)["wall_time"] for _ in range(2))
    benchmark.group = f"Algorithm 1 Nt={nt}"
    benchmark.extra_info.update(
        kernel="dual_eve Algorithm 1", size=f"Nt={nt} K={sc.n_users}", impl="ours", iterations=res.iterations, ours_wall_s=res.wall_time, naive_wall_s=t_naive,
        ratio=t_naive / res.wall_time, clarabel_share=res.solver_time / res.wall_time,
        naive_clarabel_share=naive["solver_time"] / naive["wall_time"])
    print(f"\nAlgorithm 1 Nt={nt}: ours {res.wall_time:.3f} s ({res.iterations} it), naive {t_naive:.3f} s, "
          f"ratio {t_naive / res.wall_time:.1f}x, inside Clarabel {res.solver_time / res.wall_time:.0%} "
          f"(naive {naive['solver_time'] / naive['wall_time']:.0%})")
