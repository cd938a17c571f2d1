"""Seed 004 (tris_rsma): the BCD of note 4.3 and the comparison schemes of note 5.

Loop (note 4.3): X^(0) -> E -> [t-LP] -> (P2.1') -> E -> ... with F^(r) = (1/T) sum_l t_l S_l.
Block 2 is the exact evaluation step E (Numba, :func:`fastisac.kernels.tris_rsma_evaluate`):
worst-case SINRs (64)/(69), Bernstein redundancy rates C_min, the common-rate split and
the greedy slot durations. Block 1 is one SDP per slot (P2.1'), built ONCE per
(N, K, M, scheme) with ``cp.Parameter`` (DPP) and re-solved for every slot, iteration
and realisation:

* (34d) per-element caps diag(sum X_i) <= 1 (TRSMA: tr <= N), (34k) beampattern SOC, (62)
  tr(sum X_i) >= p_min (detection), (46) common rate at the current sum C;
* (51)-(53) LU Bernstein blocks at a^W_k = min(1/theta_k(C_k), a_hi,k) (switched off by a
  parameter when C_k >= r^s), with the corrected r_k = s Y h (note 4.2 [R]);
* (58)-(60) IU Bernstein blocks for every (k, m) with theta_e = 2^{r^e} - 1, sigma^2_g with
  the corrected sign and path loss, r_km = s Y g_hat ([R]);
* (67) and (73) S-procedure LMIs at the current chi_k, iota_k (pi = iota / eta_m, the closed
  form of the corrected (74)), each (2,2) entry reduced by a margin s_k / e_km >= 0.

DPP reformulation (not in the note): the LMIs are used after the congruence by
E = [[I, h], [0, 1]], i.e. [[-U + theta I, -theta h], [-theta h^H, -chi/rho + theta(|h|^2 - eps^2)]]
>= 0, which is equivalent to (67) and keeps every term parameter x variable; the products
X_i h and h^H X_i h enter through auxiliary variables tied by equality rows.

Objective of (P2.1'): sum_k w^s_k s_k + sum_k w^e_k e_{k m*_k} with the note's first-order
weights; ``paper_literal=True`` sets the weights to 0 (pure feasibility, as printed).
Every solve keeps the previous X feasible, so F^(r) is non-decreasing (note 7.11).

Schemes (note 5): "proposed", "trsma" (total power N P_t, N receive antennas for sensing),
"zf" (ZF private beams with scalar powers + AN), "sdp" (AN, worst-case rate thresholds
instead of the outage constraints), "sdma" (SDMA + AN), "noma" (NOMA + AN) and "perfect"
(proposed with eps = tau = 0: every robust block becomes a deterministic SINR constraint).

NOMA + AN (note 5.5 [A]) shares the SDMA + AN problem (AN covariance in the stream-0 slot, C = 0,
no (46), IU blocks unchanged); only the interference sets and the decoders differ. SIC order
pi = users by rho_k ||h_k||^2 ascending (weakest decoded first, ``K4.noma_sic_order``); private
stream pi(i) is interfered by pi(i+1..K) and the AN, and must be decoded by users pi(i..K): its
(67)-type constraint is imposed at every such user (extra pair constraints, pi(i) at pi(j) with
h_j, eps_j, rho_j and the same chi), and E takes chi_k = min over those decoders of the worst-case
SINR. The SIC order depends on the realisation, so the SDP is built once per (N, K, M, order)
(at most K! problems; one in practice, the path loss fixes it). Readings not in the note: (34h)
constrains user k's own stream after SIC (interference = pi(i+1..K) + AN in (48)); failures of
the earlier SIC stages are not added to the outage (they are covered in the worst case of the ball
by the min over decoders, not in probability); the margin s_k of the W-step is shared by all
decoders of stream k; the block-1 weights use the interference at the worst decoder.
Measured (N = 9, quick scenario, draw 0, r^s = 0.1, 3 iterations): NOMA + AN reaches SSE 1.46
on the SDR covariances (SDMA + AN 1.42, proposed 3.32), but the weakest user's stream, which all
three users must decode (a multicast-like SDR), is high rank and neither the truncation nor 100
randomisations keep its LU outage certificate (best draw: LU margin -0.071, SSE 1.230, infeasible);
the rank-one penalty below recovers a feasible rank-one point (SSE 1.224, SEE 2.96e9 bit/J, 12 s).

Deviation from the note (measured): the default (``exact=False``) keeps only the 4 covariance
PSD cones and uses SOC surrogates: (64) is replaced by its lower bound
h^H X_k h - chi (h^H S h + 1/rho + eps^2 tr S) - 2 eps ||(X_k - chi S) h|| >= s_k, (69)/(73) by the
upper bound g^H X~ g + 2 tau ||X~ g|| + tau^2 tr X_k <= iota / eta_m - e_km, and the Bernstein
eigenvalue terms of (51)/(58) by linear trace bounds (``bernstein_bound="trace"``, default):
lambda^-(A) <= s_h^2 tr S_k (A = s_h^2 (a X_k - S_k), a X_k >= 0) and lambda^+(B) <= s_e^2 tr X_k / theta_e
(B = s_e^2 (X_k / theta_e - X_c), X_c >= 0), so (53)/(60) disappear. All are safe (conservative)
replacements, so every output still satisfies the outage constraints and the worst-case bounds;
block 2 uses the same surrogates (``fast`` evaluation) so the BCD stays monotone, and the reported
value is the exact evaluation E of the rank-one output (>= the surrogate trace). ``exact=True``
uses the note's LMIs (67), (73) and the Bernstein LMIs (53), (60): 22 PSD cones.
``bernstein_bound="norm"`` is the earlier surrogate, lambda <= ||[vec A; sqrt2 r]|| folded into the
(52)/(59) SOCs. Why the trace bound (issue 7, measured at N = 16, P_t = 1 mW): with the norm bound
SDMA + AN was infeasible at the initial SDP of slot 3 on 4 of 10 draws and NOMA + AN on 2 of 10. Slot 3
scans LU 2 (45, 20 deg), whose beam has normalised gain 0.87 towards IU 1 (a stronger link than LU 2's);
the beampattern (34k) forces about 28 % of the coherent beam there, so IU 1 must be jammed, and AN (not
removable by SIC, unlike RSMA's common stream) also jams LU 2. The norm bound grows with the AN aimed at
the IU (r = s_e (X_k / theta_e - X_c) g) although the true lambda^+ falls: at the exact-LMI solution of
draw 1, IU 1, stream 1, sigma_2 lambda^+ = 30.9, its norm bound 368, its trace bound 31.6, against a
budget sigma^2_g = 279. With the trace bounds all those slots are feasible (each check of the exact E
met); the exact LMIs agree (draw 1 feasible, 67-74 s per solve instead of 1.2-1.6 s). The trace bound
is tight for near-rank-one private streams; it loses up to a factor sqrt(rank) against the norm bound on
high-rank ones.

Formulation (``formulation="real"``, default; :class:`RealSlotSDP`): the SDP is written directly
in the real embedding (X_r = [[A, -B], [B, A]], A symmetric, B skew from its strict upper
triangle, no equality rows; S-lemma LMIs of order 2N + 1 over the real error ball; Frobenius norms
on the N^2-vector [diag; sqrt2 triu]; cones posed with ``cp.SOC``). ``formulation="complex"``
(:class:`ComplexSlotSDP`) is the CVXPY complex form, kept as the agreement oracle (same optimum
to 2e-4 in the tests). Both build their constraints with one assembler, :func:`_assemble_slot_constraints`, over a
per-formulation algebra (:class:`_ComplexAlgebra`, :class:`_RealAlgebra`). Measured (CVXPY 1.9.3, Clarabel faer
1 thread, one slot SDP of draw 1, initial SDP / one BCD step; machine shared, load 1-5):

* N = 9, surrogate: A 6971 x 2685 -> 2254 x 722 (CVXPY's ``cp.norm(x) <= t`` alone added 3.9k
  inequality rows), 0.54 / 0.61 s -> 0.14 / 0.14 s.
* N = 9, exact: complex 9914 x 2532 (init ended solver_error, step 2.2 s) -> real 5350 x 740,
  0.75 / 0.88 s (18-21 iterations).
* N = 16, surrogate: complex 19942 x 7417, about 9 s -> real 5971 x 1702, 2.0 / 1.6 s.
* N = 16, exact: complex 29185 x 7138, 191 s -> real 15493 x 1720, 51 / 60 s (22 / 21
  iterations, about 2.5 s per iteration). The time is the sparse LDL of the KKT system with 22
  dense PSD-cone blocks (svec length 528-561) coupled through the same 4N^2 covariance entries,
  and it is fragile in the fill: one (60) LMI per LU instead of per (k, m) (an exact merge, 19 cones)
  made N = 9 2.5x SLOWER at the same iteration count; PSD slack variables tied by equality rows 1.3x
  slower; qdldl did not finish one N = 16 solve in 4 min. So ``exact=True`` stays opt-in and the
  SOC-surrogate default stays, now about 5x faster at N = 16 than with complex variables.
* Where the surrogate's time goes (one initial slot SDP of draw 1, Clarabel 0.11.1 called directly on
  CVXPY's data, faer 1 thread, machine shared, load 2-4): N = 16: A 5971 x 1702, 4 PSD cones of order 32
  (svec 528), 10 SOCs of length 257-289, 18 iterations, 0.087 s each (1.6 s); N = 25: A 13342 x 3538,
  PSD svec 1275, 23 iterations, 1.2-1.7 s each (26-40 s); N = 36: A 26311 x 6662, PSD svec 2628, 22
  iterations, 15.3 s each: 336 s per solve (+ 11 s CVXPY canonicalisation, once, and 3.4 s Clarabel
  setup), against the note's "about a second per slot SDP at N = 36" (about 340x). Per-iteration time
  grows as N^6.4 (16 -> 25) and N^7 (25 -> 36): it is the sparse LDL of the KKT system, whose PSD-cone
  blocks (Nesterov-Todd scaling) are dense svec x svec (svec = 2N^2 + N in the real embedding), and whose
  4N^2 covariance entries form one dense front because the beampattern SOC (34k) and the Bernstein SOCs
  (52)/(59) couple every stream entry by entry. Measured by dropping cones' rows from the same data
  (per iteration, N = 16 / 25): all 0.100 / 1.40 s; without the 9 Bernstein SOCs 0.117 / 1.52 s;
  without the beampattern SOC 0.084 / 1.85 s; without both 0.042 / 0.68 s; with only X_c's PSD cone
  0.025 / 0.33 s; without PSD cones 0.018 / 0.08 s. So splitting the Bernstein norms per stream (a
  safe triangle-inequality surrogate) cannot help while (34k) couples the streams, and (34k) is not
  redundant. Settings (same N = 16 / 25 problem): 2 threads 1.9 / 40 s (no gain on this shared
  machine), qdldl 19 s at N = 16 (12x slower; it is also the retry setting), tolerances 1e-6 instead of
  1e-8 17 / 22 iterations instead of 18 / 23, static regularisation 1e-7 19 iterations: none changes
  the order of magnitude. Clarabel's floor for the cones alone (session 9, CVXPY toy problem min
  sum tr(C_i X_i), sum tr X_i = 1, X_i >= 0 of order 72, 6 iterations): one cone 0.47-0.52 s per
  iteration, four uncoupled cones 2.0 s (order 36: 0.036 s per iteration), so even without the
  coupling one slot SDP at N = 36 would take ~40 s at its 20-odd iterations; in the N = 25 slot SDP's
  profile (perf) faer's dense GEMM microkernel and supernodal LDL take ~65 % of the time. Reaching
  about a second at N = 36 would need a method without dense svec-order KKT blocks (a first-order
  conic method or a low-rank / Burer-Monteiro factorisation), not a different setting. A fixed
  subspace restriction X_i = U Y_i U^H (U orthonormal, exact for every constraint: the error balls and
  Gaussian errors project to balls and Gaussians of the same size, Frobenius and trace terms are
  unitarily invariant) was measured on the initial slot SDPs of the N = 16 draw 1 (slots 0-1) and not
  adopted: with U spanning the LU and IU channels and the scan direction (r = 6) the objective fell by
  5.9-7.3 %, adding the phase-only LU channels (r = 9) by 1.7-1.8 %, and 8-17 % of each full solution's
  Frobenius norm lies outside that span; a certified version would need the full-space dual slack
  (column generation), not attempted. Measured with SCS 3.3.1 (first-order, on the same CVXPY problem, initial SDP
  of slot 2, draw 0, 1 thread, machine shared): N = 16, eps 1e-7: 1.5 s, 550 iterations, objective 78.1923
  (Clarabel 78.1922, 4.4 s on the same loaded machine), largest constraint violation 3.5e-5 (Clarabel 3e-9);
  eps 1e-5: 1.1 s, violation 2.6e-2. N = 36, eps 1e-6: 49 s, 3500 iterations, violation 4.9e-3: 7x faster
  than Clarabel's 336 s but not accurate enough for the per-element caps and the outage blocks the BCD
  re-checks, so SCS is not used.
* Subspace column generation (``subspace_rank=r``, opt-in, session 17; :meth:`RealSlotSDP._solve_subspace`): the
  private streams are restricted to X_k = U_k Y_k U_k^H (Y_k >= 0 of order r, U_k orthonormal) through equality
  rows on their real and imaginary parts; the duals of those rows give the full-space dual slack Z_k, and the
  duality gap of the full (P2.1') at the restricted point is at most sum_k max(0, -lambda_min(Z_k)) N, so a small
  bound certifies the full optimum (relative 1e-6, else U_k keeps X_k's dominant range and takes Z_k's most
  negative eigenvectors; after 8 rounds the full problem is solved). Seeds: the previous iterate's eigenvectors,
  the scan direction, the LU / IU channels. The common stream keeps its full cone: with it restricted too (all
  streams, N = 36, r = 12, 24-35 s per round) the per-element caps, active on every element, need X_c spread over
  many directions (N = 9, r = 4: 19 of 20 BCD solves hit the round cap; N = 36: 352.7 -> 377.5 in 7 rounds against
  the full optimum 379.55). The U-dependent coefficient block is dense (N^2 x r^2 per stream); as DPP parameters
  CVXPY's parameter tensor needed 40 GiB at N = 36 and 34-65 s of canonicalisation at N = 16, so it is a constant
  block overwritten before each solve (:meth:`fastisac.solvers.ParametricProblem.constant_slots`; 0.34 s at N = 9).
  Measured (r = 8, machine with another job on the second core): N = 36 cold initial SDP (draw 1) 4 rounds of
  28-48 s, 149 s, objective 379.5583 against the full solve's 379.5489 (225 s, almost solved), gap bound 2.9e-4;
  in the BCD (draw 0, the sweep's settings) initial slot SDPs 33-261 s (1-7 rounds), the slot SDPs of BCD
  iterations 1-4 132-383 s (4-7 rounds, median 212 s; another BCD run on the second core during iterations 3-4)
  against 208-315 s (median 255 s) for the full problem in session 16's run of the same point: 0.7-1.9x, 1.2x in
  the median. At N = 16 / 25 one
  BCD-step solve takes 4.2 / 38.8 s in 5 rounds against 1.7 / 29.2 s (slower; at N = 25 both end almost solved and
  the full solve stops 2.4e-4 below the subspace optimum, 1e-5 inside its cap and beampattern rows). The rounds:
  between BCD iterations the private beams move, so round 1 is 10-75 % below the optimum, round 2 within about
  1 %, round 3 0.1 %, round 4 1e-5 (N = 16); seeding with the previous solve's certified subspace did not cut
  them (4-7 rounds either way, 144 vs 149 s per BCD run; the full-space BCD of the same N = 16 run: 66 s). With
  ``subspace_tol = 1e-4`` (attribute of the problem; about the accuracy of the almost-solved full solves at
  N >= 25) the N = 16 run takes 3-5 rounds per solve, 101 s. So it is an option for N >= 36, not the default.

Readings chosen here: slots share the channels (note 2.2 [A]); a failed or infeasible SDP
keeps the previous slot covariance (counted in ``stats.n_failed``); rank-one extraction
(note 4.4) by the principal eigenvector; AN covariances stay full rank.

Rank-one recovery (``rank_one``; note 4.4 only gives truncation + randomisation). Measured at N = 16
(default scenario, draw 0, 3 BCD iterations): only the common stream X_c is high rank, in the two
slots whose scan direction is on no user (slots 1 and 5: lambda2/lambda1 0.50 and 0.70; every
private stream and the other slots below 0.04). X_c is both the common message and the power that
fills the beampattern / detection budget (every slot at full power, tr = 16, every diag = 1), so
truncation loses the lambda2.. power: beampattern margin -1.88, detection -0.63, while all outage,
SINR and split checks still hold (and 100 randomisations did not recover). Re-optimising only the
powers along the truncated directions (rescaling) is infeasible there: the principal direction of
X_c cannot fill the per-element budget. Default ``rank_one="penalty"``, slot by slot and only in the
slots whose truncated SDR point fails a check of that slot (:func:`_recover_rank_one`): (1) rank-one
penalty SCA: (P2.1') at the converged parameters with the objective reduced by
mu sum_i (tr X_i - u_i^H X_i u_i), u_i the principal eigenvector of the previous iterate (a DPP
parameter P_i = mu u_r u_r^T in the real embedding; mu = 0 is the plain problem), mu = 0.8 x 2^t,
truncating after every solve and stopping as soon as the truncated slot passes every check (at most
``penalty_iter`` solves, or when lambda2/lambda1 <= 1e-4); every iterate meets every (P2.1')
constraint. (2) If the slot still fails (typically the beampattern at -1e-4, the SDR being on that
boundary), one fixed-direction power allocation of that slot: (P2.1') with every common / private
stream p_i u_i u_i^H (u_i parameters, p_i >= 0 the only stream variables, AN free). (3) If a slot still
fails, the full power repair (every slot, a few BCD iterations of the fixed-direction problem, keeping
the best point that passes every check), then (4) randomisation as before. ``rank_one="repair"`` skips
(1); ``"randomise"`` is the previous behaviour. Outputs are exactly rank one (p_i u_i u_i^H rebuilt
from p_i).
Measured, N = 16, P_t = 1 mW, draws 0 / 1 (previous procedure: penalty in every slot with
lambda2/lambda1 > 1e-4, mu = 0.1 x 2^t down to 1e-4, then the full power repair; BCD to convergence,
4 / 5 iterations): truncation alone
infeasible (beampattern -1.88 / -0.67, detection -0.63 / +0.17; SSE 5.812 / 6.013, SEE 7.48e9 /
7.69e9 bit/J); the power repair alone along the SDR directions is infeasible (draw 0, every repair SDP
of slots 1 and 5); penalty (lambda2/lambda1 -> 5e-5 .. 4e-8) + truncation leaves the beampattern at
-1.4e-4, then the power repair gives feasible rank-one outputs with SSE 5.821 / 6.066, SEE 7.29e9 /
7.59e9 (the SEE falls because the repaired slots use all the power the truncation had dropped),
detection min 0.924 / 0.926, Monte Carlo outage within target; total 141 / 207 s with the
recovery (55 SDP solves each, most of them ending "almost solved"; the BCD alone took 35 s for 3
iterations of draw 0), i.e. the recovery costs more than the BCD at N = 16. Same draw 0, TRSMA and
perfect CSI (truncation infeasible for both, SDR lambda2/lambda1 0.79 / 0.21): the penalty alone
recovers them, SSE 5.908 -> 5.921 / 6.399 -> 6.413, SEE 7.53e9 -> 7.40e9 / 8.03e9 -> 8.02e9; so at
N = 16, draw 0, all feasible: SEE proposed vs TRSMA -1.5 % (paper >= +44 %), vs perfect CSI -9.1 %
(paper about -5 %).
Recovery cost, N = 16, draw 0, proposed (4 BCD iterations = 25 solves either way; machine shared,
load 2-4). Previous procedure: 55 solves, 212 s; penalty in slots 1, 2, 5 (SDR lambda2/lambda1 0.50,
0.04, 0.70) with 7 + 4 + 6 solves (118 s), full power repair 13 solves (37 s); and solves that fail at
the first attempt (solver_error) were retried with qdldl at 23-33 s each (another run of the same code:
11 retries, 312 s of 406 s). Now (slot by slot, stop at the first truncation that passes, mu0 = 0.8,
faer retry first, :data:`SLOT_RETRY_SETTINGS`): 33 solves, 105 s; slots 3, 4 kept truncated, penalty
4 + 1 + 3 solves in slots 1, 2, 5 (27 s), no power repair, 4 retries at 2.4-5 s; SSE 5.836 (before
5.821), SEE 7.30e9 (7.29e9) bit/J, detection min 0.926 (0.924), every check met. With mu0 = 0.1
instead: 42 solves (penalty 7 + 3 + 6, one power allocation in slot 2), 129 s, SSE 5.826.
Where the recovery fails (session 17, N = 16, draw 1, P_t = 0.2 mW, slot 4; also N = 36, draw 0, one BCD pass,
slots 0 and 1): the relaxed common stream is rank two at every BCD iterate (lambda2/lambda1 0.29-0.82) with one
private stream on; the penalty SCA stalls at lambda2/lambda1 about 0.045 for mu up to 1.6e3 and its truncations
miss the beampattern budget (34k) by 1.2-1.8 % of sqrt(delta); with that budget tightened by 3 % in the penalty
solves the beampattern holds but the common-rate split fails (-0.08 to -0.44 bps/Hz); raising the common-SINR
target of (46) by 10 % makes X_c take the whole slot power and stay rank two (0.21), by 30 % the SDP is
infeasible; fixed-direction power allocations along the SDR directions, the scan direction or the principal
direction of R - X_1 are all infeasible; X_c = a a^H alone meets every check but the split (-1.28). The common
stream must cover both the scan direction (34k) and the LUs' common rate (46) under per-element caps active on
every element, which one beam did not do there; such runs are reported infeasible (``feasible=False``).
With the norm bound (``bernstein_bound="norm"``, before 2026-12-03), N = 16, P_t = 1 mW, draws 0 / 1 / 2 / 3
(all feasible, every slot at full power 16 mW): proposed SSE 5.836 / 6.016 / 6.186 / 5.917, SEE 7.30 / 7.53 /
7.73 / 7.40e9 bit/J, 4 / 5 / 7 / 4 BCD iterations, 105 / 142 / 167 / 122 s; TRSMA SSE 5.942 / 6.168 / 6.246 /
5.989, SEE 7.43 / 7.71 / 7.81 / 7.49e9: SEE proposed vs TRSMA -1.8 / -2.3 / -1.0 / -1.2 % (paper >= +44 %; the
power terms are equal, so the ratio is the SSE ratio); IEE proposed 5.65e8 vs TRSMA 6.12e8 bit/J (means).
Draws 0 / 1: SDMA + AN infeasible (initial SDP of slot 3), NOMA + AN SSE 2.727 / infeasible (slot 3).
Default trace bound, same setting (channel_seed draws, rng 0, machine shared): proposed SSE 5.917 / 6.062 /
6.219 / 6.040 (draws 0-3), SEE 7.40 / 7.58 / 7.77 / 7.55e9, IEE 6.8 / 6.5 / 6.6 / 6.4e8; TRSMA 5.972 / 6.096 /
6.297 / 6.047, SEE 7.47 / 7.62 / 7.87 / 7.56e9 (proposed -0.9 / -0.5 / -1.2 / -0.1 %), IEE 7.1 / 7.1 / 7.0 /
6.6e8; SDMA + AN SSE 3.128 / 3.211 / 3.331 / 3.087 (draws 0-3, all feasible), IEE
1.43-1.55e9; NOMA + AN 2.951 / 3.365 / 3.123 / 3.153, IEE 1.45-1.56e9; 49-118 s per run. So TRSMA >=
proposed > NOMA + AN, SDMA + AN and the proposed scheme has the lowest IEE, as in the paper.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from .._checks import as_float, as_int
from ..errors import InfeasibleError, SolverError
from ..kernels import tris_rsma as K4
from ..solvers import ParametricProblem, SolveStats, placeholder_values
from ..solvers.problem import FALLBACK_CLARABEL_SETTINGS
from ..systems.tris_rsma import TrisRsmaInstance, TrisRsmaScenario

SCHEMES = ("proposed", "trsma", "zf", "sdp", "sdma", "noma", "perfect")
AN_SCHEMES = ("zf", "sdp", "sdma", "noma")
TOL = 1e-6


def _scheme_flags(scheme):
    if scheme not in SCHEMES:
        raise ValueError(f"scheme: must be one of {SCHEMES}, got {scheme!r}")
    return dict(an=scheme in AN_SCHEMES, common=scheme in ("proposed", "trsma", "perfect"),
                total_power=scheme == "trsma", zf=scheme == "zf", threshold=scheme == "sdp",
                deterministic=scheme == "perfect", sic=scheme == "noma")


def sic_order_of(scheme, inst):
    """The NOMA SIC decoding order of this realisation (note 5.5 [A], weakest first), else None."""
    return tuple(int(k) for k in K4.noma_sic_order(inst.H, inst.inv_rho)) if scheme == "noma" else None


def _col(v, n):
    return cp.reshape(v, (n, 1), order="F")


def _scal(v):
    return cp.reshape(v, (1, 1), order="F")


#: Retry settings of the slot SDPs, tried in this order after a failed solve (a fresh Clarabel solver each):
#: the shared fallback (static regularisation 1e-7, iterative refinement, 400 iterations) with faer, then
#: the shared fallback as is (qdldl; not after a second infeasibility certificate). Measured at N = 16 (proposed, draw 0, BCD + recovery): 11 of 40
#: solves failed (solver_error) at the first attempt; the qdldl retry solved all 11 at 23-33 s each (312 s
#: of the run's 405 s), the faer retry solved the same 11 at 2.4-5 s each (same objective to 1e-6).
SLOT_RETRY_SETTINGS = ({**FALLBACK_CLARABEL_SETTINGS, "direct_solve_method": "faer"}, dict(FALLBACK_CLARABEL_SETTINGS))


class _SlotSDPBase:
    """What both slot-SDP formulations share: scheme flags, SIC order, the parameter registry, the retries."""

    def _solve_pp(self, values):
        """``self.pp.solve`` with the retries of :data:`SLOT_RETRY_SETTINGS` (the record counts the attempts
        and their time)."""
        first = self.pp.settings
        wall = 0.0
        for attempt, extra in enumerate((None,) + SLOT_RETRY_SETTINGS):
            if extra is not None:
                self.pp.settings = {**first, **extra}
            try:
                rec = self.pp.solve(**values)
            except (InfeasibleError, SolverError) as exc:
                wall += getattr(exc, "wall_time", 0.0)
                # an infeasibility certified twice (default and faer retry) is not retried with qdldl
                if attempt == len(SLOT_RETRY_SETTINGS) or (attempt >= 1 and isinstance(exc, InfeasibleError)):
                    raise
                continue
            finally:
                self.pp.settings = first
            rec.wall_time += wall
            rec.attempts = attempt + 1
            return rec
        raise AssertionError("unreachable")

    def _common_setup(self, N, K, M, scheme, exact, sic_order):
        """Check the scheme / SIC order and return (flags, order, parameters dict, par(name, shape, **kw))."""
        self.exact = exact
        f = _scheme_flags(scheme)
        if f["sic"] != (sic_order is not None):
            raise ValueError("sic_order: a SIC order is needed by (and only by) scheme 'noma'")
        order = None if sic_order is None else [int(x) for x in sic_order]
        if order is not None and sorted(order) != list(range(K)):
            raise ValueError(f"sic_order: must be a permutation of 0..{K - 1}, got {sic_order!r}")
        self.sic_order = None if order is None else tuple(order)
        self.N, self.K, self.M, self.scheme, self.flags = N, K, M, scheme, f
        P = {}

        def par(name, shape=(), **kw):
            P[name] = cp.Parameter(shape, name=name, **kw)
            return P[name]

        return f, order, P, par

    def _finish(self, obj, cons, P, solver_settings, t0):
        """Maximise ``obj`` under ``cons``: the parametric problem and its build time (since ``t0``)."""
        self.params = P
        self.pp = ParametricProblem(cp.Problem(cp.Maximize(obj), cons), P, settings=solver_settings, build_time=0.0,
                                    retry=False)
        self.pp.build_time = time.perf_counter() - t0


class ComplexSlotSDP(_SlotSDPBase):
    """(P2.1') for one slot with CVXPY complex (Hermitian) variables (``formulation="complex"``), built
    once per (N, K, M, scheme) and re-solved with parameters. Kept as the agreement oracle of
    :class:`RealSlotSDP`."""

    formulation = "complex"

    def __init__(self, N, K, M, scheme, solver_settings=None, exact=False, sic_order=None):
        t0 = time.perf_counter()
        f, order, P, par = self._common_setup(N, K, M, scheme, exact, sic_order)
        h = [par(f"h{k}", N, complex=True) for k in range(K)]
        g = [par(f"g{m}", N, complex=True) for m in range(M)]
        Rp = par("R", (N, N), hermitian=True)
        ws, we = par("ws", K, nonneg=True), par("we", (K, M), nonneg=True)
        cons = []
        if f["zf"]:
            V = [par(f"V{k}", (N, N), hermitian=True) for k in range(K)]
            pz = cp.Variable(K, nonneg=True, name="p")
            X = [cp.Variable((N, N), hermitian=True, name=f"X{i}") for i in range(K + 1)]
            cons.append(X[0] >> 0)
            cons += [X[k + 1] == pz[k] * V[k] for k in range(K)]      # ZF directions, scalar powers
        else:
            X = [cp.Variable((N, N), hermitian=True, name=f"X{i}") for i in range(K + 1)]
            cons += [x >> 0 for x in X]
        self.X = X
        self.s, self.e = _assemble_slot_constraints(_ComplexAlgebra(X, h, g, Rp), par, f, order, K, M, exact, cons)
        obj = cp.sum(cp.multiply(ws, self.s)) + cp.sum(cp.multiply(we, self.e))
        self._finish(obj, cons, P, solver_settings, t0)

    def solve(self, values, stats: SolveStats):
        # ParametricProblem.set casts to float64: complex parameters are bound here directly
        real = {}
        for name, val in values.items():
            par = self.params[name]
            if par.is_complex():
                arr = np.asarray(val, dtype=np.complex128)
                if not np.all(np.isfinite(arr)):
                    raise ValueError(f"{name}: parameter value must be finite")
                par.value = arr
            else:
                real[name] = val
        rec = self._solve_pp(real)
        stats.add(rec)
        Xs = np.stack([np.asarray(x.value, dtype=np.complex128) for x in self.X])
        Xs = 0.5 * (Xs + np.conj(np.swapaxes(Xs, -1, -2)))
        # project to PSD (solver round-off)
        lam, U = np.linalg.eigh(Xs)
        Xs = np.einsum("inr,ir,imr->inm", U, np.maximum(lam, 0.0), U.conj())
        return Xs



def _lmi_parameter_sets(par, K, M, threshold, noma, chi, chi_rho, iota, pi, s, e):
    """Parameters of the S-procedure LMIs (67)/(73), shared by the complex and real slot SDPs.

    Returns (chi_eps, two_eps, two_tau, tau2, chi_sets, iota_sets, pair): ``chi_sets`` rows
    (chi, chi/rho, chi eps^2, 2 eps chi, margin variable or None) and ``iota_sets`` rows
    (iota, pi, 2 tau iota, slack or None) for the rate LMIs and, with ``threshold``, the
    threshold LMIs; ``pair`` holds the NOMA pair parameters (note 5.5: stream k at a later
    decoder j: chi_k / rho_j, chi_k eps_j^2, 2 eps_j chi_k), or None.
    """
    chi_eps, two_eps = par("chi_eps", K, nonneg=True), par("two_eps", K, nonneg=True)
    two_tau, tau2 = par("two_tau", M, nonneg=True), par("tau2", M, nonneg=True)
    two_eps_chi, two_tau_iota = par("two_eps_chi", K, nonneg=True), par("two_tau_iota", (K, M), nonneg=True)
    chi_sets = [(chi, chi_rho, chi_eps, two_eps_chi, s)]
    iota_sets = [(iota, pi, two_tau_iota, e)]
    if threshold:
        chi_th, chi_th_rho = par("chi_th", K, nonneg=True), par("chi_th_rho", K)
        chi_th_eps = par("chi_th_eps", K, nonneg=True)
        iota_th, pi_th = par("iota_th", K, nonneg=True), par("pi_th", (K, M))
        tec, tti = par("two_eps_chi_th", K, nonneg=True), par("two_tau_iota_th", (K, M), nonneg=True)
        chi_sets.append((chi_th, chi_th_rho, chi_th_eps, tec, None))
        iota_sets.append((iota_th, pi_th, tti, None))
    pair = None
    if noma:
        pair = {n: par(n, (K, K), nonneg=True) for n in ("chi_rho_pair", "chi_eps_pair", "two_eps_chi_pair")}
    return chi_eps, two_eps, two_tau, tau2, chi_sets, iota_sets, pair

def _interference_sets(K, an, order):
    """interf(k): streams interfering with private stream k (0 = common / AN); decoders(k): users that
    decode it (k, and under SIC every user decoded after k)."""
    def interf(k):
        if order is not None:       # NOMA: the streams decoded after k, plus AN
            return [j + 1 for j in order[order.index(k) + 1:]] + [0]
        return [i for i in range(1, K + 1) if i != k + 1] + ([0] if an else [])

    def decoders(k):
        return [k] if order is None else order[order.index(k):]
    return interf, decoders


def _skew_map(N):
    """Constant (N^2, N(N-1)/2) map b -> vec(B) (column-major) of the skew matrix with strict upper part b."""
    iu = np.triu_indices(N, 1)
    T = np.zeros((N * N, len(iu[0])))
    for c, (i, j) in enumerate(zip(*iu)):
        T[i + N * j, c] = 1.0          # B[i, j] = b_c
        T[j + N * i, c] = -1.0         # B[j, i] = -b_c
    return T


def _sym_map(N):
    """Constant (N^2, N(N+1)/2) map a -> vec(A) (column-major) of the symmetric matrix with upper part a
    (``np.triu_indices`` order)."""
    iu = np.triu_indices(N)
    T = np.zeros((N * N, len(iu[0])))
    for c, (i, j) in enumerate(zip(*iu)):
        T[i + N * j, c] = 1.0
        T[j + N * i, c] = 1.0
    return T


def _triu_selector(N, strict):
    """Constant selector vec(A) (column-major) -> A[triu_indices(N, 1 if strict else 0)]."""
    iu = np.triu_indices(N, 1 if strict else 0)
    S = np.zeros((len(iu[0]), N * N))
    S[np.arange(len(iu[0])), iu[0] + N * iu[1]] = 1.0
    return S


def _subspace_maps(U):
    """(UA, UB) with triu(Re X) = UA y and striu(Im X) = UB y for X = U Y U^H, Y = Ya + j Yb Hermitian r x r,
    y = [upper part of Ya (triu order); strict upper part of Yb] (the parameters of the subspace slot SDP)."""
    N, r = U.shape
    Ur, Ui = U.real, U.imag
    K1 = np.kron(Ur, Ur) + np.kron(Ui, Ui)         # vec(Re X) = K1 vec(Ya) - K2 vec(Yb)
    K2 = np.kron(Ur, Ui) - np.kron(Ui, Ur)         # vec(Im X) = K2 vec(Ya) + K1 vec(Yb)
    Ts, Tk = _sym_map(r), _skew_map(r)
    iu, ius = np.triu_indices(N), np.triu_indices(N, 1)      # the rows _triu_selector picks, by indexing
    UA = np.hstack([K1 @ Ts, -K2 @ Tk])[iu[0] + N * iu[1]]
    UB = np.hstack([K2 @ Ts, K1 @ Tk])[ius[0] + N * ius[1]]
    return UA, UB


def _orthonormal_columns(cands, r, N):
    """Up to r orthonormal columns from the candidate vectors, in order (Gram-Schmidt, twice; dependent or zero
    candidates skipped)."""
    Q = np.zeros((N, 0), dtype=np.complex128)
    for c in cands:
        c = np.asarray(c, dtype=np.complex128).ravel()
        n0 = np.linalg.norm(c)
        if n0 <= 1e-300:
            continue
        for _ in range(2):
            c = c - Q @ (Q.conj().T @ c)
        if np.linalg.norm(c) > 1e-8 * n0:
            Q = np.hstack([Q, (c / np.linalg.norm(c))[:, None]])
            if Q.shape[1] == r:
                break
    return Q


def _fill_basis(Q, r, N):
    """Complete Q to r orthonormal columns with the columns of a fixed unitary DFT matrix."""
    if Q.shape[1] < r:
        F = np.fft.fft(np.eye(N)) / np.sqrt(N)
        Q = _orthonormal_columns(list(Q.T) + list(F.T), r, N)
    return Q


def _seed_basis(values, hint, i, K, M, N, r):
    """Initial subspace of stream i: eigenvectors of ``hint[i]`` (descending, eigenvalues > 1e-9 of the
    largest), the scan direction, the LU and IU channels, then DFT columns."""
    cands = []
    if hint is not None:
        lam, V = np.linalg.eigh(np.asarray(hint[i]))
        if lam[-1] > 0:
            cands += [V[:, j] for j in range(N - 1, -1, -1) if lam[j] > 1e-9 * lam[-1]][: max(r // 2, 1)]
    cands.append(np.linalg.eigh(np.asarray(values["R"]))[1][:, -1])
    cands += [np.asarray(values[f"h{k}"]) for k in range(K)] + [np.asarray(values[f"g{m}"]) for m in range(M)]
    return _fill_basis(_orthonormal_columns(cands, r, N), r, N)


def _update_basis(U, X, Znew, r):
    """Next subspace: the dominant range of X (the eigenvectors holding all but 1e-6 of its trace, at most r / 2),
    then the most negative eigenvectors of the dual slack, then the previous columns."""
    N = U.shape[0]
    lam, V = np.linalg.eigh(X)
    lam, V = np.maximum(lam[::-1], 0.0), V[:, ::-1]
    tot = lam.sum()
    n_keep = 0 if tot <= 0 else int(np.searchsorted(np.cumsum(lam), (1.0 - 1e-6) * tot) + 1)
    keep = list(V[:, :min(n_keep, max(r // 2, 1))].T)
    return _fill_basis(_orthonormal_columns(keep + list(Znew.T) + list(U.T), r, N), r, N)


def _fro_maps(N):
    """Constant maps with ||[M_s vec(S); M_k vec(Q)]|| = ||S + jQ||_F for S symmetric, Q skew (length N^2)."""
    iu = np.triu_indices(N, 1)
    Ms = np.zeros((N + len(iu[0]), N * N))
    for n in range(N):
        Ms[n, n + N * n] = 1.0
    for c, (i, j) in enumerate(zip(*iu)):
        Ms[N + c, i + N * j] = np.sqrt(2.0)
    Mk = np.zeros((len(iu[0]), N * N))
    for c, (i, j) in enumerate(zip(*iu)):
        Mk[c, i + N * j] = np.sqrt(2.0)
    return Ms, Mk


def _rows(Q):
    """The entries of a 2-D variable as nested lists (Q[i][j] = Q[i, j])."""
    return [[Q[i, j] for j in range(Q.shape[1])] for i in range(Q.shape[0])]


class _ComplexAlgebra:
    """What :func:`_assemble_slot_constraints` needs over the complex Hermitian X_i (N x N) of
    :class:`ComplexSlotSDP`; cones are written the CVXPY-native way (``cp.norm(.) <= t``)."""

    def __init__(self, X, h, g, R):
        self.N = self.n = X[0].shape[0]         # N: elements, n: order of the LMI blocks
        self.X, self.h, self.g, self.R = X, h, g, R
        self.I = np.eye(self.n)
        self.tr = [cp.real(cp.trace(x)) for x in X]

    def products(self, cons):
        """(v, vg, q, qg): v_ik = X_i h_k, q_ik = h_k^H X_i h_k (likewise at the IU estimates g_m), auxiliaries
        tied by equality rows appended to ``cons``."""
        X, h, g, N = self.X, self.h, self.g, self.N
        v = [[cp.Variable(N, complex=True) for _ in h] for _ in X]
        q = cp.Variable((len(X), len(h)))
        vg = [[cp.Variable(N, complex=True) for _ in g] for _ in X]
        qg = cp.Variable((len(X), len(g)))
        for i in range(len(X)):
            for k in range(len(h)):
                cons += [v[i][k] == X[i] @ h[k], q[i, k] == cp.real(cp.conj(h[k]) @ v[i][k])]
            for m in range(len(g)):
                cons += [vg[i][m] == X[i] @ g[m], qg[i, m] == cp.real(cp.conj(g[m]) @ vg[i][m])]
        return v, vg, _rows(q), _rows(qg)

    def total_trace(self):
        return cp.real(cp.trace(sum(self.X)))

    def total_diag(self):
        return cp.real(cp.diag(sum(self.X)))

    @staticmethod
    def parts(d):
        """Real vectors whose stacked norm is ||d|| (d complex)."""
        return [cp.real(d), cp.imag(d)]

    @staticmethod
    def _fro(S):
        return [cp.vec(cp.real(S), order="F"), cp.vec(cp.imag(S), order="F")]

    def fro_comb(self, a, i, b, idx):
        """Parts of ||a X_i - b sum_{j in idx} X_j||_F."""
        return self._fro(a * self.X[i] - b * sum(self.X[j] for j in idx))

    def fro_beam(self):
        """Parts of ||sum_i X_i - R||_F (34k)."""
        return self._fro(sum(self.X) - self.R)

    @staticmethod
    def soc(t, parts):
        """||[parts]|| <= t."""
        return cp.norm(cp.hstack(parts)) <= t

    @staticmethod
    def ct(col):
        return col.H


class _RealAlgebra:
    """What :func:`_assemble_slot_constraints` needs over the real embedding X_r = [[A, -B], [B, A]] (2N x 2N)
    of :class:`RealSlotSDP`; Frobenius norms on the compressed N^2-vector, cones posed with ``cp.SOC``."""

    def __init__(self, A, B, h, g, R_re, R_im):
        self.N = A[0].shape[0]
        self.n = 2 * self.N
        self.A, self.B, self.h, self.g, self.R_re, self.R_im = A, B, h, g, R_re, R_im
        self.X = [cp.bmat([[a, -b], [b, a]]) for a, b in zip(A, B)]
        self.I = np.eye(self.n)
        self.tr = [cp.trace(a) for a in A]
        self.Ms, self.Mk = _fro_maps(self.N)

    def products(self, cons):
        """(v, vg, q, qg): v_ik = X_r,i h_r,k (stacked Re; Im), q_ik = h_r,k^T v_ik (likewise at g_m), auxiliaries
        tied by equality rows appended to ``cons`` (parameter x q products stay DPP)."""
        X, h, g = self.X, self.h, self.g
        v = [[cp.Variable(self.n) for _ in h] for _ in X]
        vg = [[cp.Variable(self.n) for _ in g] for _ in X]
        for i in range(len(X)):
            cons += [v[i][k] == X[i] @ h[k] for k in range(len(h))]
            cons += [vg[i][m] == X[i] @ g[m] for m in range(len(g))]
        q, qg = cp.Variable((len(X), len(h))), cp.Variable((len(X), len(g)))
        cons += [q[i, k] == h[k] @ v[i][k] for i in range(len(X)) for k in range(len(h))]
        cons += [qg[i, m] == g[m] @ vg[i][m] for i in range(len(X)) for m in range(len(g))]
        return v, vg, _rows(q), _rows(qg)

    def total_trace(self):
        return cp.trace(sum(self.A))

    def total_diag(self):
        return cp.diag(sum(self.A))

    @staticmethod
    def parts(d):
        return [d]

    def _fro(self, S, Q):
        """||S + jQ||_F as a real vector of length N^2 (S symmetric, Q skew)."""
        return [self.Ms @ cp.vec(S, order="F"), self.Mk @ cp.vec(Q, order="F")]

    def fro_comb(self, a, i, b, idx):
        """Parts of ||a X_i - b sum_{j in idx} X_j||_F."""
        return self._fro(a * self.A[i] - b * sum(self.A[j] for j in idx),
                         a * self.B[i] - b * sum(self.B[j] for j in idx))

    def fro_beam(self):
        """Parts of ||sum_i X_i - R||_F (34k)."""
        return self._fro(sum(self.A) - self.R_re, sum(self.B) - self.R_im)

    @staticmethod
    def soc(t, parts):
        """||[parts]|| <= t."""
        return cp.SOC(t, parts[0] if len(parts) == 1 else cp.hstack(parts))

    @staticmethod
    def ct(col):
        return col.T


def _assemble_slot_constraints(a, par, f, order, K, M, exact, cons):
    """The constraints of (P2.1') (note 4.3) over the algebra ``a`` (:class:`_ComplexAlgebra` or
    :class:`_RealAlgebra`), shared by both formulations: (34d)/(34k)/(62), the (67)/(73) S-procedure LMIs (or
    their SOC surrogates, or the deterministic SINR rows), (46), the (51)-(53) LU and (58)-(60) IU Bernstein
    blocks, the NOMA decoder loops. Creates the constraint parameters with ``par``, appends to ``cons`` and
    returns the margins (s, e)."""
    X, I, tr, h, g = a.X, a.I, a.tr, a.h, a.g
    v, vg, q, qg = a.products(cons)
    hh, gg = par("hh", K), par("gg", M)
    chi, chi_rho = par("chi", K, nonneg=True), par("chi_rho", K)
    iota, pi = par("iota", K, nonneg=True), par("pi", (K, M))
    sq_delta, pmin = par("sq_delta", nonneg=True), par("pmin")

    def bordered(U, c, corner):     # [[U, c], [c^H, corner]] >= 0
        col = _col(c, a.n)
        return cp.bmat([[U, col], [a.ct(col), _scal(corner)]]) >> 0

    # (34d) / TRSMA total power, (34k), (62)
    cons.append(a.total_trace() <= a.N if f["total_power"] else a.total_diag() <= 1)
    cons.append(a.soc(sq_delta, a.fro_beam()))
    cons.append(a.total_trace() >= pmin)
    interf, decoders = _interference_sets(K, f["an"], order)

    s = cp.Variable(K, name="s")
    e = cp.Variable((K, M), nonneg=True, name="e")
    # (67) LU S-procedure and (73) IU S-procedure (congruent DPP form)
    chi_eps, two_eps, two_tau, tau2, chi_sets, iota_sets, pair = _lmi_parameter_sets(
        par, K, M, f["threshold"], order is not None, chi, chi_rho, iota, pi, s, e)
    for (c_, c_rho, c_eps, c_te, marg) in chi_sets:
        for k in range(K):
            m_ = 0 if marg is None else marg[k]
            for j in decoders(k):     # (67) at user j for stream k (j = k without SIC)
                if j == k:
                    rho_, ceps_, cte_ = c_rho[k], c_eps[k], c_te[k]
                else:
                    rho_, ceps_, cte_ = (pair["chi_rho_pair"][k, j], pair["chi_eps_pair"][k, j],
                                         pair["two_eps_chi_pair"][k, j])
                Sq = sum(q[i][j] for i in interf(k))
                if f["deterministic"]:
                    cons.append(q[k + 1][j] - c_[k] * Sq - rho_ - m_ >= 0)
                    continue
                if not exact:  # SOC surrogate of (64): a lower bound on the worst-case desired-minus-interference
                    d = two_eps[j] * v[k + 1][j] - cte_ * sum(v[i][j] for i in interf(k))
                    trS = sum(tr[i] for i in interf(k))
                    cons.append(a.soc(q[k + 1][j] - c_[k] * Sq - rho_ - ceps_ * trS - m_, a.parts(d)))
                    continue
                th = cp.Variable(nonneg=True)
                U = X[k + 1] - c_[k] * sum(X[i] for i in interf(k)) + th * I
                cons.append(bordered(U, -th * h[j], -rho_ + th * hh[j] - m_))
    for (i_, pi_, i_tt, marg) in iota_sets:
        for k in range(K):
            for m in range(M):
                m_ = 0 if marg is None else marg[k, m]
                if f["deterministic"]:
                    cons.append(pi_[k, m] - qg[k + 1][m] + i_[k] * qg[0][m] - m_ >= 0)
                    continue
                if not exact:  # SOC surrogate of (69)/(73): an upper bound on the worst-case IU quadratic form
                    d = two_tau[m] * vg[k + 1][m] - i_tt[k, m] * vg[0][m]
                    cons.append(a.soc(pi_[k, m] - m_ - qg[k + 1][m] + i_[k] * qg[0][m] - tau2[m] * tr[k + 1],
                                      a.parts(d)))
                    continue
                ze = cp.Variable(nonneg=True)
                cons.append(bordered(i_[k] * X[0] - X[k + 1] + ze * I, -ze * g[m], pi_[k, m] + ze * gg[m] - m_))
    # (46) common-rate constraint at the current sum C
    if f["common"]:
        gc, gc_eps2, eps2, gc_rho = par("gc", nonneg=True), par("gc_eps2", K), par("eps2", K), par("gc_rho", K)
        for k in range(K):
            pr = range(1, K + 1)
            cons.append(q[0][k] + eps2[k] * tr[0] >= gc * sum(q[i][k] for i in pr)
                        + gc_eps2[k] * sum(tr[i] for i in pr) + gc_rho[k])
    # (51)-(53) LU outage (Bernstein), switched by on_k; SDP scheme: none (threshold LMIs instead)
    if not f["threshold"]:
        on, on_a, on_as2, on_s2, on_rho = (par(n, K, nonneg=True) for n in ("on", "on_a", "on_as2", "on_s2", "on_rho"))
        b1a, b1s, r1a, r1s, b2a, b2s = (par(n, K, nonneg=True) for n in ("b1a", "b1s", "r1a", "r1s", "b2a", "b2s"))
        for k in range(K):
            idx = interf(k)
            # on_k * (E^- - sigma_h^2) >= 0 with the slacks scaled: zc = sqrt(2 sig1) z, nc = sig1 nu
            lhs = (on_as2[k] * tr[k + 1] - on_s2[k] * sum(tr[i] for i in idx) - on_rho[k]
                   + on_a[k] * q[k + 1][k] - on[k] * sum(q[i][k] for i in idx))
            if f["deterministic"]:
                cons.append(lhs >= 0)
                continue
            zc, nc = cp.Variable(nonneg=True), cp.Variable(nonneg=True)
            if not exact:
                nc = 0          # lambda^-(A) <= ||[vec A; sqrt2 r]||: one SOC scaled by sqrt(2 sig1) + sig1
            cons.append(lhs - zc - nc >= 0)
            r1 = r1a[k] * v[k + 1][k] - r1s[k] * sum(v[i][k] for i in idx)
            cons.append(a.soc(zc, a.fro_comb(b1a[k], k + 1, b1s[k], idx)
                              + [np.sqrt(2) * p for p in a.parts(r1)]))                                   # (52)
            if exact:
                cons.append(nc * I + (b2a[k] * X[k + 1] - b2s[k] * sum(X[i] for i in idx)) >> 0)         # (53)
    # (58)-(60) IU outage (Bernstein)
    se2t, se2, inv_eta = (par(n, M, nonneg=True) for n in ("se2t", "se2", "inv_eta"))
    b3a, b3s, r3a, r3s, b4a, b4s = (par(n, M, nonneg=True) for n in ("b3a", "b3s", "r3a", "r3s", "b4a", "b4s"))
    inv_te = par("inv_te", nonneg=True)
    if not f["threshold"]:
        for k in range(K):
            for m in range(M):
                sig_g = inv_eta[m] - inv_te * qg[k + 1][m] + qg[0][m]
                if f["deterministic"]:
                    cons.append(sig_g >= 0)
                    continue
                rc, mc = cp.Variable(nonneg=True), cp.Variable(nonneg=True)
                if not exact:
                    mc = 0
                cons.append(se2t[m] * tr[k + 1] - se2[m] * tr[0] + rc + mc <= sig_g)                       # (58)
                r3 = r3a[m] * vg[k + 1][m] - r3s[m] * vg[0][m]
                cons.append(a.soc(rc, a.fro_comb(b3a[m], k + 1, b3s[m], [0])
                                  + [np.sqrt(2) * p for p in a.parts(r3)]))                               # (59)
                if exact:
                    cons.append(mc * I - (b4a[m] * X[k + 1] - b4s[m] * X[0]) >> 0)                       # (60)
    return s, e


class RealSlotSDP(_SlotSDPBase):
    """(P2.1') for one slot written directly in the real embedding (``formulation="real"``, the default).

    Every Hermitian covariance X_i = A_i + j B_i is the real symmetric 2N x 2N block
    [[A_i, -B_i], [B_i, A_i]] with A_i a symmetric variable and B_i built from its strict upper
    triangle (no equality rows); X_i >= 0 iff the block is PSD. With h_r = [Re h; Im h],
    h^H X h = h_r^T X_r h_r (no factor 1/2) and X h = X_r h_r stacked (Re; Im). The S-procedure
    LMIs (67)/(73) become REAL S-lemma LMIs of order 2N + 1 (the error ball in R^{2N}; lossless, one
    constraint), the Bernstein LMIs (53)/(60) the PSD blocks nu I + embed(A) of order 2N, and every
    Frobenius norm uses the compressed vector [diag S; sqrt2 triu S; sqrt2 triu Q] (length N^2, half
    of the complex vec). SOCs are posed with ``cp.SOC`` (``cp.norm(.) <= t`` of CVXPY 1.9 adds 2n+1
    inequality rows per cone). X_r h_r and h_r^T X_r h_r enter through auxiliaries tied by
    equality rows (the parameter x quadratic-form products must stay DPP), as in the complex form.
    Parameters keep the names of :class:`ComplexSlotSDP` except that the complex h{k}, g{m} are
    passed stacked (Re; Im) and R, V{k} as their real / imaginary parts (:meth:`real_values`).
    """

    formulation = "real"

    def __init__(self, N, K, M, scheme, solver_settings=None, exact=False, sic_order=None, fixed_directions=False,
                 rank_penalty=False, subspace_rank=None):
        t0 = time.perf_counter()
        f, order, P, par = self._common_setup(N, K, M, scheme, exact, sic_order)
        self.fixed_directions, self.rank_penalty = bool(fixed_directions), bool(rank_penalty)
        if subspace_rank is not None:
            subspace_rank = as_int(subspace_rank, "subspace_rank", minimum=1, maximum=N)
        self.subspace_rank = subspace_rank
        self.streams = tuple(i for i in range(K + 1) if not (i == 0 and f["an"]))    # beamforming streams

        N2 = 2 * N
        T_skew = _skew_map(N)
        h = [par(f"h{k}", N2) for k in range(K)]
        g = [par(f"g{m}", N2) for m in range(M)]
        R_re, R_im = par("R_re", (N, N), symmetric=True), par("R_im", (N, N))
        ws, we = par("ws", K, nonneg=True), par("we", (K, M), nonneg=True)
        cons = []

        def skew(name):
            if N == 1:
                return cp.Constant(np.zeros((1, 1)))
            b = cp.Variable(N * (N - 1) // 2, name=name)
            return cp.reshape(T_skew @ b, (N, N), order="F")

        if f["zf"]:
            V_re = [par(f"V{k}_re", (N, N), symmetric=True) for k in range(K)]
            V_im = [par(f"V{k}_im", (N, N)) for k in range(K)]
            pz = cp.Variable(K, nonneg=True, name="p")
        # rank-one repair (fixed_directions): every beamforming stream (common / private; not AN, not
        # the ZF streams) is X_i = p_i D_i with D_i = u_i u_i^H a parameter, only p_i >= 0 free
        fixed = ([i for i in range(K + 1) if not (i == 0 and f["an"]) and not (i > 0 and f["zf"])]
                 if fixed_directions else [])
        self.fixed = tuple(fixed)
        self.p_fixed = None
        if fixed:
            pf = self.p_fixed = cp.Variable(K + 1, nonneg=True, name="p_fixed")
        A = [cp.Variable((N, N), symmetric=True, name=f"A{i}") for i in range(K + 1)]
        B = [skew(f"b{i}") for i in range(K + 1)]
        for i in fixed:     # equality rows, as for ZF (keeps the later parameter x X products DPP)
            cons += [A[i] == pf[i] * par(f"D{i}_re", (N, N), symmetric=True),
                     B[i] == pf[i] * par(f"D{i}_im", (N, N))]
        if f["zf"]:     # ZF directions, scalar powers (equality rows keep parameter x variable products DPP)
            cons += [A[k + 1] == pz[k] * V_re[k] for k in range(K)] + [B[k + 1] == pz[k] * V_im[k] for k in range(K)]
        alg = _RealAlgebra(A, B, h, g, R_re, R_im)
        Xr, tr = alg.X, alg.tr
        # subspace restriction X_k = U_k Y_k U_k^H (column generation, :meth:`solve`): the private streams that are
        # neither fixed nor ZF (the common stream keeps its cone, see the module docstring); their PSD cones are
        # replaced by Y_k's (order 2r)
        self.subspace_rounds, self.subspace_tol, self.cg_log, self._full = 8, 1e-6, [], None
        self.subspace = (tuple(i for i in self.streams if i > 0 and i not in fixed and not f["zf"])
                         if subspace_rank is not None else ())
        self._sub_cons = {}
        if self.subspace:
            r = subspace_rank
            S_tri, S_str = _triu_selector(N, strict=False), _triu_selector(N, strict=True)
            T_sym_r, T_skew_r = _sym_map(r), _skew_map(r)
            n_ph = 0
            for i in self.subspace:
                y = cp.Variable(r * r, name=f"y{i}")
                ya, yb = y[:r * (r + 1) // 2], y[r * (r + 1) // 2:]
                Ya = cp.reshape(T_sym_r @ ya, (r, r), order="F")
                Yb = cp.reshape(T_skew_r @ yb, (r, r), order="F") if r > 1 else cp.Constant(np.zeros((1, 1)))
                # the maps U -> (UA, UB) are dense (N^2 x r^2 in all): constant placeholders overwritten per solve
                # (ParametricProblem.constant_slots), not DPP parameters (one tensor column per entry)
                PA = placeholder_values(len(S_tri) * r * r, n_ph).reshape(len(S_tri), r * r)
                PB = placeholder_values(len(S_str) * r * r, n_ph + PA.size).reshape(len(S_str), r * r)
                n_ph += PA.size + PB.size
                ca = S_tri @ cp.vec(A[i], order="F") == PA @ y
                cb = S_str @ cp.vec(B[i], order="F") == PB @ y
                cons += [ca, cb, cp.bmat([[Ya, -Yb], [Yb, Ya]]) >> 0]
                self._sub_cons[i] = (ca, cb)
            self._n_placeholders, self._slots_ready = n_ph, False
        cons += ([Xr[0] >> 0] if f["zf"] else
                 [x >> 0 for i, x in enumerate(Xr) if i not in fixed and i not in self.subspace])
        self.A, self.B = A, B
        self.s, self.e = _assemble_slot_constraints(alg, par, f, order, K, M, exact, cons)
        obj = cp.sum(cp.multiply(ws, self.s)) + cp.sum(cp.multiply(we, self.e))
        if rank_penalty:    # - mu sum_i (tr X_i - u_i^H X_i u_i), P{i} = mu [Re u; Im u][Re u; Im u]^T
            mu = par("mu_pen", nonneg=True)
            obj = obj - sum(mu * tr[i] - cp.sum(cp.multiply(par(f"P{i}", (N2, N2), symmetric=True), Xr[i]))
                            for i in self.streams)
        self._finish(obj, cons, P, solver_settings, t0)

    @staticmethod
    def real_values(values):
        """The complex parameter values of :func:`_values` in this formulation's real parameters."""
        out = {}
        for name, val in values.items():
            if name == "R" or (name[0] in "VD" and name[1:].isdigit()):
                arr = np.asarray(val, dtype=np.complex128)
                out[f"{name}_re"] = 0.5 * (arr.real + arr.real.T)
                out[f"{name}_im"] = 0.5 * (arr.imag - arr.imag.T)
            elif name[0] in "hg" and name[1:].isdigit():
                arr = np.asarray(val, dtype=np.complex128)
                out[name] = np.concatenate([arr.real, arr.imag])
            else:
                out[name] = val
        return out

    def solve(self, values, stats: SolveStats, hint=None):
        """Solve at ``values`` (complex parameters of :func:`_values`); returns the (K+1, N, N) covariances.
        With ``subspace_rank`` this is the column generation of :meth:`_solve_subspace` (``hint``: a previous
        point of this slot, whose eigenvectors seed the subspaces)."""
        if self.subspace:
            return self._solve_subspace(values, stats, hint)
        return self._solve_full(self.real_values(values), stats, values)

    def _solve_full(self, real_vals, stats, values):
        rec = self._solve_pp(real_vals)
        stats.add(rec)
        self.last_objective = float(rec.objective)
        Xs = np.stack([np.asarray(a.value, dtype=np.float64) + 1j * np.asarray(b.value, dtype=np.float64)
                       for a, b in zip(self.A, self.B)])
        Xs = 0.5 * (Xs + np.conj(np.swapaxes(Xs, -1, -2)))
        lam, U = np.linalg.eigh(Xs)          # project to PSD (solver round-off)
        Xs = np.einsum("inr,ir,imr->inm", U, np.maximum(lam, 0.0), U.conj())
        for i in self.fixed:                 # exactly rank one: p_i D_i (the equality rows hold to solver accuracy)
            Xs[i] = max(float(self.p_fixed.value[i]), 0.0) * np.asarray(values[f"D{i}"], dtype=np.complex128)
        return Xs

    def dual_slack(self, i):
        """Z_i: the Hermitian full-space dual slack of stream i at the last subspace solve, from the duals of the
        rows tying X_i to U_i Y_i U_i^H (Z_i >= 0 for every i certifies that the subspace optimum is the full
        (P2.1') optimum; Z_i's negative eigenvectors are the directions that improve it)."""
        if i not in self._sub_cons:
            raise ValueError(f"i: stream {i!r} is not restricted to a subspace (restricted: {self.subspace})")
        ca, cb = self._sub_cons[i]
        if ca.dual_value is None or cb.dual_value is None:
            raise ValueError("i: no subspace solve yet (call solve first)")
        N = self.N
        lam_a = np.asarray(ca.dual_value, dtype=np.float64).ravel()
        lam_b = np.asarray(cb.dual_value, dtype=np.float64).ravel()
        Zr = np.zeros((N, N))
        iu = np.triu_indices(N)
        Zr[iu] = lam_a
        Zr = (Zr + Zr.T) / 4.0
        Zr[np.diag_indices(N)] = lam_a[iu[0] == iu[1]] / 2.0
        Zi = np.zeros((N, N))
        ius = np.triu_indices(N, 1)
        Zi[ius] = lam_b / 4.0
        Zi = Zi - Zi.T
        return -(Zr + 1j * Zi)

    def _solve_subspace(self, values, stats, hint):
        """Column generation over subspaces (``subspace_rank`` r; not in the paper): X_i = U_i Y_i U_i^H with
        Y_i >= 0 of order r in place of X_i >= 0, U_i orthonormal. Seeds: the eigenvectors of ``hint[i]``, the
        LU / IU channels and the scan direction (principal eigenvector of R). After each solve the full-space
        dual slack Z_i (:meth:`dual_slack`) is checked: the duality gap of the full problem at this point is
        at most sum_i max(0, -lambda_min(Z_i)) tr_max(X_i) (tr X_i <= N under the per-element / total caps);
        below ``subspace_tol`` (relative to |objective|, with an absolute floor of 1e-7) the point is certified
        optimal for the full (P2.1'); otherwise U_i keeps X_i's range and takes Z_i's most negative
        eigenvectors. After ``subspace_rounds`` uncertified rounds the full problem is solved (built once,
        cached). Each call's rounds and final gap are appended to ``self.cg_log``."""
        N, r = self.N, self.subspace_rank
        real_vals = self.real_values(values)
        bases = {i: _seed_basis(values, hint, i, self.K, self.M, N, r) for i in self.subspace}
        if self._slots_ready is False:
            self.pp.constant_slots(placeholder_values(self._n_placeholders))
            self._slots_ready = True
        for rnd in range(1, self.subspace_rounds + 1):
            self.pp.set_constants(np.concatenate([m.ravel() for i in self.subspace for m in _subspace_maps(bases[i])]))
            try:
                Xs = self._solve_full(real_vals, stats, values)
            except (InfeasibleError, SolverError) as exc:    # the restriction may be infeasible: full problem
                stats.wall_time += getattr(exc, "wall_time", 0.0)
                self.cg_log.append(dict(rounds=rnd, gap=np.inf, objective=np.nan, status=getattr(exc, "status", "")))
                break
            obj = self.last_objective
            gap, new = 0.0, {}
            for i in self.subspace:
                lam, V = np.linalg.eigh(self.dual_slack(i))
                gap += max(0.0, -lam[0]) * N
                new[i] = V[:, lam < 0][:, np.argsort(lam[lam < 0])]
            self.cg_log.append(dict(rounds=rnd, gap=float(gap), objective=obj))
            if gap <= max(self.subspace_tol * abs(obj), 1e-7):
                return Xs
            for i in self.subspace:
                bases[i] = _update_basis(bases[i], Xs[i], new[i], r)
        self.cg_log[-1]["full"] = True
        if self._full is None:
            self._full = RealSlotSDP(self.N, self.K, self.M, self.scheme, self.pp.settings, self.exact,
                                     self.sic_order, self.fixed_directions, self.rank_penalty)
        return self._full.solve(values, stats)


FORMULATIONS = ("real", "complex")
BERNSTEIN_SURROGATES = ("trace", "norm")
RANK_ONE_MODES = ("penalty", "repair", "randomise")


def SlotSDP(N, K, M, scheme, solver_settings=None, exact=False, sic_order=None, formulation="real",
            fixed_directions=False, rank_penalty=False, subspace_rank=None):
    """(P2.1') of one slot: :class:`RealSlotSDP` (default) or :class:`ComplexSlotSDP`; ``fixed_directions``
    (real form only) gives the rank-one repair problem (stream directions are parameters, powers free),
    ``rank_penalty`` (real form only) adds the rank-one penalty of :func:`_recover_rank_one`,
    ``subspace_rank`` (real form only) solves it by column generation over subspaces of that dimension."""
    if formulation not in FORMULATIONS:
        raise ValueError(f"formulation: must be one of {FORMULATIONS}, got {formulation!r}")
    if formulation == "real":
        return RealSlotSDP(N, K, M, scheme, solver_settings, exact, sic_order, fixed_directions, rank_penalty,
                           subspace_rank)
    if fixed_directions or rank_penalty or subspace_rank is not None:
        raise ValueError("fixed_directions / rank_penalty / subspace_rank: only available with formulation='real'")
    return ComplexSlotSDP(N, K, M, scheme, solver_settings, exact, sic_order)


_CACHE: dict = {}


def slot_problem(N, K, M, scheme, solver_settings=None, exact=False, sic_order=None, formulation="real",
                 fixed_directions=False, rank_penalty=False, subspace_rank=None):
    """The cached (P2.1') of this (N, K, M, scheme[, SIC order], formulation, fixed_directions, rank_penalty,
    subspace_rank) (built on first use in this process; NOMA has one problem per decoding order, at most K! of
    them)."""
    key = (N, K, M, scheme, exact, tuple(sorted((solver_settings or {}).items())),
           None if sic_order is None else tuple(sic_order), formulation, bool(fixed_directions), bool(rank_penalty),
           subspace_rank)
    if key not in _CACHE:
        _CACHE[key] = SlotSDP(N, K, M, scheme, solver_settings, exact, sic_order, formulation, fixed_directions,
                              rank_penalty, subspace_rank)
    return _CACHE[key]


@dataclass
class TrisRsmaResult:
    scheme: str
    X: np.ndarray                 # (L, K+1, N, N) normalised covariances (rank-one where extracted)
    X_sdr: np.ndarray             # (L, K+1, N, N) SDR covariances at convergence
    t: np.ndarray                 # (L,) slot durations (s)
    C: np.ndarray                 # (L, K) common-rate split
    objective_trace: list         # F^(r) of the SDR iterates (bps/Hz)
    value: float                  # F of the reported (rank-one) solution, [.]^+ applied (SSE)
    iterations: int
    converged: bool
    feasible: bool
    rank_one_ratio: float         # max lambda2 / lambda1 over the beamforming streams
    n_randomised: int
    repaired: str                 # rank-one recovery step used: "", "penalty", "power", "penalty+power"
    evaluation: dict
    checks: dict                  # constraint values of the reported solution
    metrics: dict                 # SSE, SEE, IEE, detection, power per slot
    wall_time: float
    stats: SolveStats = field(default_factory=SolveStats)
    sic_order: tuple | None = None   # NOMA + AN: SIC decoding order (weakest first)
    recovery: list = field(default_factory=list)   # rank-one recovery log, one dict per slot (when it ran)
    subspace: dict = field(default_factory=dict)   # column generation (subspace_rank): calls, rounds, fallbacks

    def summary(self) -> dict:
        return dict(scheme=self.scheme, value=self.value, trace=[float(v) for v in self.objective_trace],
                    iterations=self.iterations, converged=self.converged, feasible=self.feasible,
                    rank_one_ratio=self.rank_one_ratio, n_randomised=self.n_randomised, repaired=self.repaired,
                    t_ms=[float(x) * 1e3 for x in self.t], wall_time=self.wall_time,
                    solver=self.stats.as_dict(), **{k: v for k, v in self.metrics.items()},
                    checks={k: float(v) for k, v in self.checks.items()},
                    recovery=[{k: (float(v) if isinstance(v, (float, np.floating)) else v) for k, v in e.items()}
                              for e in self.recovery], subspace=dict(self.subspace))


def _evaluate(sc, inst, X, scheme, positive_part=True, fast=False, bound="trace"):
    f = _scheme_flags(scheme)
    rs = np.zeros(sc.n_users) if f["threshold"] else np.full(sc.n_users, sc.rate_user)
    return K4.tris_rsma_evaluate(X, inst.H, inst.G, inst.eps, inst.inv_rho, inst.s_h, inst.tau, inst.eta, inst.s_e,
                                 rs, sc.theta_e, sc.sigma1, sc.sigma2, an=f["an"], common=f["common"],
                                 positive_part=positive_part, t_min=sc.t_min_s, t_max=sc.t_max_s, period=sc.period_s,
                                 fast=fast, sic_order=sic_order_of(scheme, inst), bound=bound)


def _values(sc, inst, scheme, l, ev, init=False, paper_literal=False, iota_init=None, exact=False, bound="trace"):
    """Parameter values of slot l's SDP from the evaluation ``ev`` of the previous point; ``bound`` (surrogate
    SDP only): how the Bernstein eigenvalue terms are bounded, "trace" (linear trace terms) or "norm" (folded
    into the SOC), see the module docstring."""
    f = _scheme_flags(scheme)
    K, M = sc.n_users, sc.n_ius
    v = {f"h{k}": inst.H[k] for k in range(K)}
    v.update({f"g{m}": inst.G[m] for m in range(M)})
    v["hh"] = np.sum(np.abs(inst.H) ** 2, axis=1) - inst.eps ** 2
    v["gg"] = np.sum(np.abs(inst.G) ** 2, axis=1) - inst.tau ** 2
    v["R"] = inst.R[l]
    v["sq_delta"] = np.sqrt(inst.delta[l])
    # (62); the traditional transceiver has N receive antennas (varsigma x N, note 5.1 [A])
    v["pmin"] = float(np.max(inst.p_min) / (sc.n_elements if f["total_power"] else 1.0))
    if init:
        chi = np.zeros(K)
        iota = np.full(K, iota_init)
        C = ev                                                       # the initial split
        ws = np.ones(K)
        we = np.zeros((K, M))
        a_hi = np.full(K, np.inf)
    else:
        chi, iota, C = ev["chi"][l], ev["iota"][l], ev["C"][l]
        a_hi = ev["a_hi"][l]
        T = sc.period_s
        tl = ev["t"][l]
        ws = tl / (T * np.log(2) * (1 + chi) * (ev["I_wc"][l] + inst.inv_rho))
        we = np.zeros((K, M))
        for k in range(K):
            m = ev["m_star"][l, k]
            we[k, m] = tl / (T * np.log(2) * (1 + iota[k]) * (ev["J_wc"][l, k] + 1.0 / inst.eta[m]))
        # normalise the weights (only their ratios matter; keeps the objective O(1))
        sc_w = max(np.max(ws), np.max(we), 1e-12)
        ws, we = np.maximum(ws / sc_w, 1e-3), we / sc_w
        if paper_literal:
            ws, we = np.full(K, 1e-6), np.zeros((K, M))
    v["chi"], v["chi_rho"], v["chi_eps"], v["two_eps"] = chi, chi * inst.inv_rho, chi * inst.eps ** 2, 2 * inst.eps
    v["two_tau"], v["tau2"] = 2 * inst.tau, inst.tau ** 2
    v["two_eps_chi"], v["two_tau_iota"] = 2 * inst.eps * chi, 2 * iota[:, None] * inst.tau[None, :]
    v["iota"], v["pi"] = iota, iota[:, None] / inst.eta[None, :]
    v["ws"], v["we"] = ws, we
    if f["sic"]:
        v["chi_rho_pair"], v["chi_eps_pair"] = np.outer(chi, inst.inv_rho), np.outer(chi, inst.eps ** 2)
        v["two_eps_chi_pair"] = 2 * np.outer(chi, inst.eps)
    if f["threshold"]:
        cth, ith = 2.0 ** sc.rate_user - 1, sc.theta_e
        v["chi_th"], v["chi_th_rho"], v["chi_th_eps"] = np.full(K, cth), cth * inst.inv_rho, cth * inst.eps ** 2
        v["iota_th"], v["pi_th"] = np.full(K, ith), ith / np.tile(inst.eta, (K, 1))
        v["two_eps_chi_th"], v["two_tau_iota_th"] = 2 * inst.eps * cth, 2 * ith * np.tile(inst.tau, (K, 1))
    if f["common"]:
        gc = 2.0 ** float(np.sum(C)) - 1.0
        v["gc"], v["gc_eps2"], v["eps2"], v["gc_rho"] = gc, gc * inst.eps ** 2, inst.eps ** 2, gc * inst.inv_rho
    if not f["threshold"]:
        theta = 2.0 ** (sc.rate_user - C) - 1.0
        on = (theta > 1e-9).astype(float)
        a = np.where(on > 0, np.minimum(1.0 / np.maximum(theta, 1e-300), a_hi), 0.0)
        s = inst.s_h
        c1, c2 = np.sqrt(2 * sc.sigma1), sc.sigma1
        lin = 1.0                   # sigma1 lambda^-(A) <= sigma1 s^2 tr S_k: a linear term on tr S_k
        if not exact and bound == "norm":
            c1 = c1 + c2
        elif not exact:
            lin = 1.0 + c2
        v.update(on=on, on_a=on * a, on_as2=on * a * s ** 2, on_s2=on * lin * s ** 2, on_rho=on * inst.inv_rho,
                 b1a=on * c1 * a * s ** 2, b1s=on * c1 * s ** 2, r1a=on * c1 * a * s, r1s=on * c1 * s,
                 b2a=on * c2 * a * s ** 2, b2s=on * c2 * s ** 2)
    te, se = sc.theta_e, inst.s_e
    c3, c4 = np.sqrt(2 * sc.sigma2), sc.sigma2
    lin = 1.0                       # sigma2 lambda^+(B) <= sigma2 s_e^2 tr X_k / theta_e
    if not exact and bound == "norm":
        c3 = c3 + c4
    elif not exact:
        lin = 1.0 + c4
    v.update(se2t=lin * se ** 2 / te, se2=se ** 2, inv_eta=1.0 / inst.eta, inv_te=1.0 / te,
             b3a=c3 * se ** 2 / te, b3s=c3 * se ** 2, r3a=c3 * se / te, r3s=c3 * se,
             b4a=c4 * se ** 2 / te, b4s=c4 * se ** 2)
    if f["zf"]:
        Hh = inst.H.conj()                                           # rows h_k^H
        Wzf = Hh.conj().T @ np.linalg.inv(Hh @ Hh.conj().T)          # N x K
        Wzf = Wzf / np.linalg.norm(Wzf, axis=0)
        for k in range(K):
            v[f"V{k}"] = np.outer(Wzf[:, k], Wzf[:, k].conj())
    return v


def _checks(sc, inst, X, ev, scheme, slots=None):
    """Constraint values of a solution (normalised units): >= -tol means satisfied. ``X`` and ``ev`` hold
    the slots ``slots`` of the scenario (all slots by default)."""
    f = _scheme_flags(scheme)
    slots = range(len(X)) if slots is None else list(slots)
    tot = X.sum(axis=1)
    diag = np.real(np.einsum("lnn->ln", tot))
    cap = (sc.n_elements - diag.sum(axis=1)) if f["total_power"] else (1.0 - diag).min(axis=1)
    bp = np.array([np.sqrt(inst.delta[l]) - np.linalg.norm(tot[j] - inst.R[l]) for j, l in enumerate(slots)])
    pmin = np.max(inst.p_min) / (sc.n_elements if f["total_power"] else 1.0)
    det = diag.sum(axis=1) - pmin
    # common-rate split (note 4.3 step 5) as a margin in bps/Hz: Rc_max - sum C_min (RSMA), -max C_min
    # (AN schemes: no common rate, the LU outage must hold at C = 0); the kernel's split_feasible flag
    # is exact to 1e-12, below the SDP's accuracy (a certificate on the boundary gives C_min ~ 1e-9)
    if f["common"]:
        split = ev["Rc_max"] - ev["C_min"].sum(axis=1)
    elif f["threshold"]:
        split = np.zeros(len(X))
    else:
        split = -ev["C_min"].max(axis=1)
    out = dict(power_cap=float(cap.min()), beampattern=float(bp.min()), detection=float(det.min()),
               iu_outage=float(ev["iu_margin"].min()) if not f["threshold"] else 0.0,
               lu_outage=float(np.min(ev["C"] - ev["C_min"])) if not f["threshold"] else 0.0,
               split=float(np.min(split)))
    if f["threshold"]:
        out["lu_threshold"] = float(np.min(ev["chi"] - (2 ** sc.rate_user - 1)))
        out["iu_threshold"] = float(np.min(sc.theta_e - ev["iota"]))
    return out


def _feasible(chk, tol=1e-5):
    return all(v >= -tol for v in chk.values())


def _metrics(sc, inst, X, ev, scheme):
    f = _scheme_flags(scheme)
    t = ev["t"]
    T = sc.period_s
    p = sc.power_w * np.real(np.einsum("linn->l", X))                   # W per slot
    if f["total_power"]:
        p_cir = sc.n_elements * sc.p_rf_w
    else:
        p_cir = sc.p_feed_w + sc.n_elements * sc.p_element_w
    pbar = float(np.sum(t * (p + p_cir)) / T)
    sse = float(ev["value"])
    eav = float(np.sum(t * ev["omega"].sum(axis=1)) / T)
    var = inst.varsigma * (sc.n_elements if f["total_power"] else 1.0)
    pd = K4.detection_probability(p, var, sc.p_fa)
    return dict(sse=sse, see=sc.bandwidth_hz * sse / pbar if pbar > 0 else float("nan"),
                iee=sc.bandwidth_hz * eav / pbar if pbar > 0 else float("nan"), power_avg_w=pbar,
                power_slot_w=[float(x) for x in p], detection_min=float(pd.min()), detection_mean=float(pd.mean()),
                eavesdropped_rate=eav)


def calibrated_p_rf(sse_proposed: float, power_proposed_w: float, sse_trsma: float, power_trsma_w: float,
                    n_elements: int, gain: float = 0.44, p_cir_tris_w: float = 0.0) -> float:
    """Per-antenna RF-chain power P_RF of TRSMA's circuit power N P_RF at which the proposed scheme's SEE
    is ``1 + gain`` times TRSMA's (note 6.3, "SEE 44 %"; SEE [A] of note 2.9).

    With the slot durations summing to T, SEE = B SSE / (p_tx + P_cir), p_tx the slot-averaged transmit
    power, so SEE_prop / SEE_TRSMA = (SSE_prop / SSE_TRSMA) (p_TRSMA + N P_RF) / (p_prop + P_cir^TRIS) and

        P_RF = ((1 + gain) SSE_TRSMA (p_prop + P_cir^TRIS) / SSE_prop - p_TRSMA) / N.

    The powers are the transmit-only averages (``power_avg_w`` of runs with zero circuit power, the
    default). Returns 0.0 when the transmit-power-only ratio already reaches the target: the note
    calibrates P_RF only where that ratio falls short.
    """
    sse_p = as_float(sse_proposed, "sse_proposed", positive=True)
    pp = as_float(power_proposed_w, "power_proposed_w", positive=True)
    sse_t = as_float(sse_trsma, "sse_trsma", positive=True)
    pt = as_float(power_trsma_w, "power_trsma_w", positive=True)
    n = as_int(n_elements, "n_elements", minimum=1)
    g = as_float(gain, "gain")
    if g <= -1.0:
        raise ValueError(f"gain: must be > -1, got {gain!r}")
    pc = as_float(p_cir_tris_w, "p_cir_tris_w", nonneg=True)
    return max(0.0, ((1.0 + g) * sse_t * (pp + pc) / sse_p - pt) / n)


def _rank_one(X, an):
    """Principal-eigenvector truncation of every beamforming stream (AN stays full rank)."""
    Xr = X.copy()
    ratio = 0.0
    L, S = X.shape[:2]
    for l in range(L):
        for i in range(S):
            if an and i == 0:
                continue
            lam, U = np.linalg.eigh(X[l, i])
            if lam[-1] <= 1e-12 * max(np.trace(X[l, i]).real, 1e-300):
                Xr[l, i] = 0.0
                continue
            ratio = max(ratio, max(lam[-2], 0.0) / lam[-1])
            Xr[l, i] = lam[-1] * np.outer(U[:, -1], U[:, -1].conj())
    return Xr, ratio


def _direction_values(X_l, fixed):
    """Parameters D{i} = u_i u_i^H (unit principal eigenvector of stream i of one slot) of the repair SDP."""
    out = {}
    for i in fixed:
        lam, U = np.linalg.eigh(X_l[i])
        out[f"D{i}"] = np.outer(U[:, -1], U[:, -1].conj())
    return out


def _penalty_values(X_l, streams, mu):
    """Parameters of the rank-one penalty at the principal eigenvectors u_i of one slot's covariances."""
    out = {"mu_pen": float(mu)}
    for i in streams:
        lam, U = np.linalg.eigh(X_l[i])
        ur = np.concatenate([U[:, -1].real, U[:, -1].imag])
        out[f"P{i}"] = mu * np.outer(ur, ur)
    return out


def _stream_ratio(X_l, streams):
    """max lambda2 / lambda1 over the beamforming streams of one slot (0 for switched-off streams)."""
    r = 0.0
    for i in streams:
        lam = np.linalg.eigvalsh(X_l[i])
        if lam[-1] > 1e-12 * max(lam.sum(), 1e-300):
            r = max(r, max(lam[-2], 0.0) / lam[-1])
    return r


def _slot_feasible(sc, inst, X_l, l, scheme):
    """Whether slot l's covariances X_l (K+1, N, N) pass every check (exact evaluation of that slot alone;
    the checks of a slot do not depend on the other slots or on the durations)."""
    ev = _evaluate(sc, inst, X_l[None], scheme)
    return _feasible(_checks(sc, inst, X_l[None], ev, scheme, slots=[l]))


def _recover_rank_one(sc, inst, scheme, X_sdr, ev, stats, *, solver_settings, exact, penalty, mu0, growth, n_iter,
                      ratio_tol, bound="trace", subspace_rank=None):
    """Rank-one recovery slot by slot (not in the paper; note 4.4 only gives truncation + randomisation).

    For every slot whose truncated SDR point fails a check of that slot: (1) if ``penalty``, the rank-one
    penalty SCA on that slot only: (P2.1') at the converged parameters ``ev`` with the objective reduced by
    mu sum_i (tr X_i - u_i^H X_i u_i) (u_i = principal eigenvector of the previous iterate; the penalty is
    >= 0 and 0 iff X_i = lambda u_i u_i^H; every iterate meets every constraint of (P2.1'), the SDR point
    being feasible with zero margins), mu = mu0 growth^t, truncating after every solve and stopping as
    soon as the truncated slot passes every check (or lambda2/lambda1 <= ``ratio_tol``); (2) if it
    still fails, one fixed-direction power allocation (:class:`RealSlotSDP` with ``fixed_directions``)
    along the principal directions of the last iterate, parameters from the evaluation of the point with
    this slot truncated, else the converged ``ev``, else the initial-point values (note 4.4). Slots whose
    truncation passes are left as truncated. Returns (X, log): X (L, K+1, N, N) with every beamforming
    stream rank one, log one dict per slot (step, solves, seconds)."""
    f = _scheme_flags(scheme)
    N, K, M, L = sc.n_elements, sc.n_users, sc.n_ius, sc.n_slots
    order = sic_order_of(scheme, inst)
    pen = (slot_problem(N, K, M, scheme, solver_settings, exact, order, "real", rank_penalty=True,
                        subspace_rank=subspace_rank) if penalty else None)
    rep = slot_problem(N, K, M, scheme, solver_settings, exact, order, "real", fixed_directions=True)
    Xt_all, _ = _rank_one(X_sdr, f["an"])
    X = Xt_all.copy()
    iota_init = 1.1 * float(np.max(inst.eta * (np.linalg.norm(inst.G, axis=1) + inst.tau) ** 2)) * N
    log = []
    for l in range(L):
        t0 = time.perf_counter()
        entry = dict(slot=l, step="truncation", penalty_solves=0, repair_solves=0,
                     sdr_ratio=_stream_ratio(X_sdr[l], [i for i in range(K + 1) if not (i == 0 and f["an"])]))
        log.append(entry)
        if _slot_feasible(sc, inst, Xt_all[l], l, scheme):
            entry["seconds"] = time.perf_counter() - t0
            continue
        Xl, Xt, done = X_sdr[l].copy(), Xt_all[l], False
        if pen is not None:
            base = _values(sc, inst, scheme, l, ev, exact=exact, bound=bound)
            for t in range(n_iter):
                try:
                    Xl = _solve_slot(pen, {**base, **_penalty_values(Xl, pen.streams, mu0 * growth ** t)}, stats, Xl)
                except (InfeasibleError, SolverError) as exc:
                    stats.add_failure(getattr(exc, "status", "solver_error"), 0.0)
                    break
                entry["penalty_solves"] += 1
                Xt = _rank_one(Xl[None], f["an"])[0][0]
                if _slot_feasible(sc, inst, Xt, l, scheme):
                    X[l], done, entry["step"] = Xt, True, "penalty"
                    break
                if _stream_ratio(Xl, pen.streams) <= ratio_tol:
                    break
        if not done:
            D = _direction_values(Xt, rep.fixed)
            Xe = X.copy()
            Xe[l] = Xt
            tries = [dict(ev=_evaluate(sc, inst, Xe, scheme, fast=not exact, bound=bound)), dict(ev=ev)]
            tries += [dict(ev=C0, init=True, iota_init=iota_init)
                      for C0 in (([np.full(K, sc.rate_user)] if f["common"] else []) + [np.zeros(K)])]
            for kw in tries:
                try:
                    Xp = rep.solve({**_values(sc, inst, scheme, l, exact=exact, bound=bound, **kw), **D}, stats)
                except (InfeasibleError, SolverError) as exc:
                    stats.add_failure(getattr(exc, "status", "solver_error"), 0.0)
                    continue
                entry["repair_solves"] += 1
                if _slot_feasible(sc, inst, Xp, l, scheme):
                    X[l], done = Xp, True
                    entry["step"] = "penalty+power" if entry["penalty_solves"] else "power"
                    break
        if not done:
            X[l], entry["step"] = Xt, "failed"
        entry["seconds"] = time.perf_counter() - t0
    return X, log


def _fixed_direction_repair(sc, inst, scheme, Xr, X_sdr, stats, *, solver_settings, exact, max_iter, rel_tol,
                            bound="trace"):
    """Rank-one repair (note 4.4, not in the paper): keep the principal directions of the truncated point
    ``Xr`` and re-optimise only the stream powers with the slot problem (P2.1') itself
    (:class:`RealSlotSDP` with ``fixed_directions=True``: every common / private stream is p_i u_i u_i^H,
    AN covariances stay free), then a few BCD iterations of that problem. Parameters come from the
    evaluation of the truncated point, else of the SDR point, else the initial-point values (note 4.4).
    Returns (X, feasible evaluation, checks, iterations) of the best feasible point found, or None."""
    f = _scheme_flags(scheme)
    N, K, M, L = sc.n_elements, sc.n_users, sc.n_ius, sc.n_slots
    prob = slot_problem(N, K, M, scheme, solver_settings, exact, sic_order_of(scheme, inst), "real",
                        fixed_directions=True)
    fast = not exact
    D = [_direction_values(Xr[l], prob.fixed) for l in range(L)]
    ev_r = _evaluate(sc, inst, Xr, scheme, fast=fast, bound=bound)
    ev_s = _evaluate(sc, inst, X_sdr, scheme, fast=fast, bound=bound)
    iota_init = 1.1 * float(np.max(inst.eta * (np.linalg.norm(inst.G, axis=1) + inst.tau) ** 2)) * N
    X = Xr.copy()
    for l in range(L):          # first power allocation of every slot
        tries = [dict(ev=ev_r), dict(ev=ev_s)]
        tries += [dict(ev=C0, init=True, iota_init=iota_init)
                  for C0 in (([np.full(K, sc.rate_user)] if f["common"] else []) + [np.zeros(K)])]
        for kw in tries:
            try:
                X[l] = prob.solve({**_values(sc, inst, scheme, l, exact=exact, bound=bound, **kw), **D[l]}, stats)
                break
            except (InfeasibleError, SolverError) as exc:
                stats.add_failure(getattr(exc, "status", "solver_error"), 0.0)
    ev = _evaluate(sc, inst, X, scheme, fast=fast, bound=bound)
    best, it = None, 0
    for it in range(1, max_iter + 1):
        evx = _evaluate(sc, inst, X, scheme)
        chk = _checks(sc, inst, X, evx, scheme)
        if _feasible(chk) and (best is None or evx["value"] > best[1]["value"]):
            best = (X, evx, chk, it)
        Xn = X.copy()
        for l in range(L):
            try:
                Xn[l] = prob.solve({**_values(sc, inst, scheme, l, ev, exact=exact, bound=bound), **D[l]}, stats)
            except (InfeasibleError, SolverError) as exc:
                stats.add_failure(getattr(exc, "status", "solver_error"), 0.0)
        evn = _evaluate(sc, inst, Xn, scheme, fast=fast, bound=bound)
        diff = abs(evn["value"] - ev["value"])
        X, ev = Xn, evn
        if diff < 1e-6 or diff / max(abs(evn["value"]), 1e-9) < rel_tol:
            break
    evx = _evaluate(sc, inst, X, scheme)
    chk = _checks(sc, inst, X, evx, scheme)
    if _feasible(chk) and (best is None or evx["value"] > best[1]["value"]):
        best = (X, evx, chk, it)
    return best


def _solve_slot(prob, values, stats, hint):
    """``prob.solve``, passing the seed point ``hint`` to the subspace (column-generation) form."""
    if getattr(prob, "subspace", ()):
        return prob.solve(values, stats, hint=hint)
    return prob.solve(values, stats)


def tris_rsma_bcd(sc: TrisRsmaScenario, inst: TrisRsmaInstance, scheme: str = "proposed", *, max_iter: int = 30,
                  rel_tol: float = 1e-3, abs_tol: float = 1e-6, paper_literal: bool = False, n_random: int = 100,
                  rng: np.random.Generator | None = None, solver_settings: dict | None = None,
                  exact: bool = False, formulation: str = "real", rank_one: str = "penalty",
                  repair_iter: int = 5, penalty_mu: float = 0.8, penalty_iter: int = 8,
                  bernstein_bound: str = "trace", subspace_rank: int | None = None) -> TrisRsmaResult:
    """BCD of note 4.3 for one realisation and one scheme; raises InfeasibleError if the initial SDP is infeasible.

    ``exact=True`` uses the note's LMIs (67), (73), (53), (60) in block 1 and the exact E in block 2;
    the default uses their SOC surrogates in both blocks (see the module docstring), with the Bernstein
    eigenvalue terms bounded by traces (``bernstein_bound="trace"``, default) or, as before issue 7's
    SDMA + AN analysis, by the Frobenius norm (``"norm"``). Either way the reported value is the exact E
    of the rank-one output.

    ``rank_one`` (what happens when the truncated point fails a check): "penalty" (default) = slot by
    slot, only in the slots whose truncation fails a check (:func:`_recover_rank_one`): the rank-one
    penalty SCA (mu = ``penalty_mu`` x 2^t, at most ``penalty_iter`` solves, stopping as soon as the
    truncated slot passes every check), then if still needed one fixed-direction power allocation of
    that slot; "repair" = the same without the penalty (power allocation along the SDR directions). If
    a slot still fails: the full power repair (:func:`_fixed_direction_repair`, every slot, ``repair_iter``
    BCD iterations), then Gaussian randomisation. "randomise" = randomisation only (the previous
    behaviour). ``repaired`` in the result says which steps produced the output ("", "penalty",
    "power", "penalty+power"); ``recovery`` logs every slot (step, solves, seconds).
    """
    if not isinstance(sc, TrisRsmaScenario):
        raise ValueError("sc: must be a TrisRsmaScenario")
    if not isinstance(inst, TrisRsmaInstance):
        raise ValueError("inst: must be a TrisRsmaInstance")
    f = _scheme_flags(scheme)
    if formulation not in FORMULATIONS:
        raise ValueError(f"formulation: must be one of {FORMULATIONS}, got {formulation!r}")
    max_iter = as_int(max_iter, "max_iter", minimum=1)
    if rank_one not in RANK_ONE_MODES:
        raise ValueError(f"rank_one: must be one of {RANK_ONE_MODES}, got {rank_one!r}")
    repair_iter = as_int(repair_iter, "repair_iter", minimum=1)
    penalty_iter = as_int(penalty_iter, "penalty_iter", minimum=1)
    penalty_mu = as_float(penalty_mu, "penalty_mu", positive=True)
    rel_tol = as_float(rel_tol, "rel_tol", positive=True)
    if bernstein_bound not in BERNSTEIN_SURROGATES:
        raise ValueError(f"bernstein_bound: must be one of {BERNSTEIN_SURROGATES}, got {bernstein_bound!r}")
    if subspace_rank is not None:
        if formulation != "real":
            raise ValueError("subspace_rank: needs formulation='real'")
        subspace_rank = as_int(subspace_rank, "subspace_rank", minimum=1, maximum=sc.n_elements)
    bound = bernstein_bound
    rng = np.random.default_rng(0) if rng is None else rng
    if scheme == "perfect" and not sc.perfect_csi:
        raise ValueError("scheme: 'perfect' needs a scenario with perfect_csi=True (and its own draw)")
    if scheme == "trsma" and inst.tma_power_factor != 1.0:
        raise ValueError("inst: TRSMA is a traditional transceiver without TMA loss (note 5.1 [A]); draw its "
                         "instance with tma_loss_db=0")
    t0 = time.perf_counter()
    N, K, M, L = sc.n_elements, sc.n_users, sc.n_ius, sc.n_slots
    prob = slot_problem(N, K, M, scheme, solver_settings, exact, sic_order_of(scheme, inst), formulation,
                        subspace_rank=subspace_rank)
    fast = not exact
    stats = SolveStats(build_time=prob.pp.build_time)
    cg_probs = [prob] + ([slot_problem(N, K, M, scheme, solver_settings, exact, sic_order_of(scheme, inst), "real",
                                       rank_penalty=True, subspace_rank=subspace_rank)]
                         if subspace_rank is not None and rank_one == "penalty" else [])
    cg_start = [len(getattr(p, "cg_log", ())) for p in cg_probs]
    # ---- initial point (note 4.4)
    iota_init = 1.1 * float(np.max(inst.eta * (np.linalg.norm(inst.G, axis=1) + inst.tau) ** 2)) * N
    X = np.zeros((L, K + 1, N, N), dtype=np.complex128)
    for l in range(L):
        done = False
        splits = ([np.full(K, sc.rate_user)] if f["common"] else []) + [np.zeros(K)]
        for C0 in splits:
            try:
                X[l] = _solve_slot(prob, _values(sc, inst, scheme, l, C0, init=True, iota_init=iota_init,
                                                 exact=exact, bound=bound), stats, X[l - 1] if l else None)
                done = True
                break
            except InfeasibleError:
                continue
            except SolverError as exc:
                stats.add_failure(getattr(exc, "status", "solver_error"), 0.0)
                continue
        if not done:
            raise InfeasibleError(f"initial SDP of slot {l} infeasible for scheme {scheme}", status="infeasible")
    ev = _evaluate(sc, inst, X, scheme, fast=fast, bound=bound)
    trace = [ev["value"]]
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        Xn = X.copy()
        for l in range(L):
            try:
                Xn[l] = _solve_slot(prob, _values(sc, inst, scheme, l, ev, paper_literal=paper_literal,
                                                  exact=exact, bound=bound), stats, X[l])
            except (InfeasibleError, SolverError) as exc:
                stats.add_failure(getattr(exc, "status", "solver_error"), 0.0)
        evn = _evaluate(sc, inst, Xn, scheme, fast=fast, bound=bound)
        if evn["value"] >= ev["value"] - 1e-9 or not _feasible(_checks(sc, inst, X, ev, scheme)):
            X, ev = Xn, evn
        trace.append(ev["value"])
        diff = abs(trace[-1] - trace[-2])
        if diff < abs_tol or diff / max(abs(trace[-2]), 1e-9) < rel_tol:
            converged = True
            break
    X_sdr = X
    # ---- rank-one extraction (note 4.4)
    Xr, ratio = _rank_one(X, f["an"])
    evr = _evaluate(sc, inst, Xr, scheme)
    chk = _checks(sc, inst, Xr, evr, scheme)
    n_rand, repaired, recovery = 0, "", []
    if not _feasible(chk) and rank_one in ("penalty", "repair"):
        if formulation != "real":
            raise ValueError("rank_one: 'penalty' and 'repair' need formulation='real'")
        Xp, recovery = _recover_rank_one(sc, inst, scheme, X, ev, stats, solver_settings=solver_settings, exact=exact,
                                         penalty=rank_one == "penalty", mu0=penalty_mu, growth=2.0,
                                         n_iter=penalty_iter, ratio_tol=1e-4, bound=bound,
                                         subspace_rank=subspace_rank)
        evp = _evaluate(sc, inst, Xp, scheme)
        chp = _checks(sc, inst, Xp, evp, scheme)
        used = "+".join(step for step in ("penalty", "power") if any(step in e["step"] for e in recovery))
        if _feasible(chp):
            Xr, evr, chk, repaired = Xp, evp, chp, used
        else:   # fallback: the full power repair (every slot, a few BCD iterations) along Xp's directions
            rep = _fixed_direction_repair(sc, inst, scheme, Xp, X, stats, solver_settings=solver_settings,
                                          exact=exact, max_iter=repair_iter, rel_tol=rel_tol, bound=bound)
            if rep is not None:
                Xr, evr, chk, _ = rep
                repaired = "penalty+power" if "penalty" in used else "power"
    if not _feasible(chk):
        best = None
        for _ in range(n_random):
            n_rand += 1
            Xc = Xr.copy()
            for l in range(L):
                for i in range(K + 1):
                    if f["an"] and i == 0:
                        Xc[l, i] = X[l, i]
                        continue
                    z = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) / np.sqrt(2)
                    lam, U = np.linalg.eigh(X[l, i])
                    w = U @ (np.sqrt(np.maximum(lam, 0)) * z)
                    Xc[l, i] = np.outer(w, w.conj())
                tot = np.real(np.diag(Xc[l].sum(axis=0)))
                scale = sc.n_elements / tot.sum() if f["total_power"] else 1.0 / tot.max()
                Xc[l] *= scale
            evc = _evaluate(sc, inst, Xc, scheme)
            chc = _checks(sc, inst, Xc, evc, scheme)
            if _feasible(chc) and (best is None or evc["value"] > best[1]["value"]):
                best = (Xc, evc, chc)
        if best is not None:
            Xr, evr, chk = best
    feasible = _feasible(chk)
    cg = [c for p, n0 in zip(cg_probs, cg_start) for c in getattr(p, "cg_log", ())[n0:]]
    subspace = {} if subspace_rank is None else dict(
        rank=subspace_rank, calls=sum(c["rounds"] == 1 for c in cg), rounds=len(cg),
        full_fallbacks=sum(bool(c.get("full")) for c in cg), restricted_failures=sum("status" in c for c in cg))
    return TrisRsmaResult(scheme=scheme, X=Xr, X_sdr=X_sdr, t=evr["t"], C=evr["C"], objective_trace=trace,
                          value=float(evr["value"]), iterations=it, converged=converged, feasible=feasible,
                          rank_one_ratio=float(ratio), n_randomised=n_rand, repaired=repaired, evaluation=evr, checks=chk,
                          metrics=_metrics(sc, inst, Xr, evr, scheme), wall_time=time.perf_counter() - t0, stats=stats,
                          sic_order=sic_order_of(scheme, inst), recovery=recovery, subspace=subspace)


def rcrb(sc: TrisRsmaScenario, result: TrisRsmaResult, iu: int = 0) -> np.ndarray:
    """RCRB of (distance, azimuth, pitch) of IU ``iu`` (note 2.7 [A]) for a solution; traditional
    transceivers (TRSMA) use N co-located receive antennas."""
    iu = as_int(iu, "iu", minimum=0, maximum=sc.n_ius - 1)
    d, az, pt = sc.ius[iu]
    Rx = sc.power_w * result.X.sum(axis=1)
    J = K4.tris_fim(Rx, result.t * sc.bandwidth_hz, d, np.deg2rad(az), np.deg2rad(pt), sc.n_rows, sc.n_cols,
                    sc.spacing, sc.wavelength, float(sc.sigma_alpha2(d) / sc.sigma_r2),
                    multi_rx=result.scheme == "trsma")
    return np.sqrt(np.diag(np.linalg.inv(J)))
