"""Array-response kernels: ULA and UPA steering vectors, their angle derivatives, beampatterns.

Convention (all papers): element n = 0..N-1 of a half-wavelength ULA has response
``a_n(theta) = exp(+j 2 pi (d/lambda) n sin(theta))``, theta in radians from broadside,
unnormalised so ``||a||^2 = N`` (seed 003 eq. (48)).

UPA (seed 004 eqs. (5), (11)): an N_r x N_c grid, element n = N_c n_r + n_c (row-major,
``np.kron(row_part, col_part)``), ``a_n = exp(-j 2 pi s (u_r n_r + u_c n_c))`` with the
direction cosines ``u_r = sin(pitch) cos(azimuth)``, ``u_c = sin(pitch) sin(azimuth)``,
pitch measured from the array normal. Both arrays share the phase-ramp helper
``_phase_ramp_nb`` (``exp(j k n)``, n = 0..n-1); the UPA is the Kronecker product of two ramps.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _phase_ramp_nb(n, k):
    """exp(j k i) for i = 0..n-1 (shared by the ULA and the UPA)."""
    out = np.empty(n, dtype=np.complex128)
    for i in range(n):
        out[i] = np.cos(k * i) + 1j * np.sin(k * i)
    return out


@njit(cache=True)
def steering_ula_nb(n_antennas, theta, spacing):
    return _phase_ramp_nb(n_antennas, 2.0 * np.pi * spacing * np.sin(theta))


@njit(cache=True)
def steering_ula_derivative_nb(n_antennas, theta, spacing):
    out = np.empty(n_antennas, dtype=np.complex128)
    k = 2.0 * np.pi * spacing * np.sin(theta)
    dk = 2.0 * np.pi * spacing * np.cos(theta)
    for n in range(n_antennas):
        # d/dtheta exp(j k n) = j n dk exp(j k n)
        c = np.cos(k * n)
        s = np.sin(k * n)
        out[n] = n * dk * (-s + 1j * c)
    return out


@njit(cache=True, parallel=True)
def steering_ula_batch_nb(n_antennas, thetas, spacing):
    n_angles = thetas.shape[0]
    out = np.empty((n_angles, n_antennas), dtype=np.complex128)
    for t in prange(n_angles):
        k = 2.0 * np.pi * spacing * np.sin(thetas[t])
        for n in range(n_antennas):
            out[t, n] = np.cos(k * n) + 1j * np.sin(k * n)
    return out


@njit(cache=True, parallel=True)
def steering_ula_derivative_batch_nb(n_antennas, thetas, spacing):
    n_angles = thetas.shape[0]
    out = np.empty((n_angles, n_antennas), dtype=np.complex128)
    for t in prange(n_angles):
        k = 2.0 * np.pi * spacing * np.sin(thetas[t])
        dk = 2.0 * np.pi * spacing * np.cos(thetas[t])
        for n in range(n_antennas):
            out[t, n] = n * dk * (-np.sin(k * n) + 1j * np.cos(k * n))
    return out


@njit(cache=True, parallel=True)
def beampattern_nb(X, thetas, spacing):
    """P(theta) = a(theta)^H X a(theta) for every theta (real part; X Hermitian)."""
    n = X.shape[0]
    n_angles = thetas.shape[0]
    out = np.empty(n_angles, dtype=np.float64)
    for t in prange(n_angles):
        k = 2.0 * np.pi * spacing * np.sin(thetas[t])
        a = np.empty(n, dtype=np.complex128)
        for i in range(n):
            a[i] = np.cos(k * i) + 1j * np.sin(k * i)
        acc = 0.0
        for i in range(n):
            ai = a[i]
            # row i of X times a, then conj(a_i) * (...)
            row = 0.0 + 0.0j
            for j in range(n):
                row += X[i, j] * a[j]
            acc += (ai.real * row.real + ai.imag * row.imag)
        out[t] = acc
    return out


# ----------------------------------------------------------------------------- UPA (seed 004)
@njit(cache=True, inline="always")
def _kron_into(out, n_rows, n_cols, k_row, k_col):
    row = _phase_ramp_nb(n_rows, k_row)
    col = _phase_ramp_nb(n_cols, k_col)
    for r in range(n_rows):
        for c in range(n_cols):
            out[n_cols * r + c] = row[r] * col[c]


@njit(cache=True, inline="always")
def _upa_into(out, n_rows, n_cols, azimuth, pitch, spacing):
    _kron_into(out, n_rows, n_cols, -2.0 * np.pi * spacing * np.sin(pitch) * np.cos(azimuth),
               -2.0 * np.pi * spacing * np.sin(pitch) * np.sin(azimuth))


@njit(cache=True)
def steering_kron_nb(n_rows, n_cols, k_row, k_col):
    """exp(j (k_row r + k_col c)) at index n_cols r + c: a UPA steering vector for any angle
    convention (each paper maps its angles to the two phase increments)."""
    out = np.empty(n_rows * n_cols, dtype=np.complex128)
    _kron_into(out, n_rows, n_cols, k_row, k_col)
    return out


@njit(cache=True)
def steering_upa_nb(n_rows, n_cols, azimuth, pitch, spacing):
    """UPA steering vector (5)/(11), shape (N_r N_c,)."""
    out = np.empty(n_rows * n_cols, dtype=np.complex128)
    _upa_into(out, n_rows, n_cols, azimuth, pitch, spacing)
    return out


@njit(cache=True)
def steering_upa_derivatives_nb(n_rows, n_cols, azimuth, pitch, spacing):
    """(d a / d azimuth, d a / d pitch), each (N,), of the UPA steering vector (seed 004 note 2.7)."""
    a = steering_upa_nb(n_rows, n_cols, azimuth, pitch, spacing)
    N = n_rows * n_cols
    da = np.empty(N, dtype=np.complex128)
    dp = np.empty(N, dtype=np.complex128)
    w = -2.0 * np.pi * spacing
    sa, ca, sp, cp = np.sin(azimuth), np.cos(azimuth), np.sin(pitch), np.cos(pitch)
    for r in range(n_rows):
        for c in range(n_cols):
            n = n_cols * r + c
            da[n] = 1j * w * sp * (-sa * r + ca * c) * a[n]
            dp[n] = 1j * w * cp * (ca * r + sa * c) * a[n]
    return da, dp


@njit(cache=True, parallel=True)
def steering_upa_batch_nb(n_rows, n_cols, azimuths, pitches, spacing):
    """Row g = UPA steering vector at (azimuths[g], pitches[g]); shape (G, N)."""
    G = azimuths.shape[0]
    out = np.empty((G, n_rows * n_cols), dtype=np.complex128)
    for g in prange(G):
        _upa_into(out[g], n_rows, n_cols, azimuths[g], pitches[g], spacing)
    return out


@njit(cache=True, parallel=True)
def beampattern_upa_nb(X, n_rows, n_cols, azimuths, pitches, spacing):
    """P(az, pitch) = a^H X a on a list of grid points (seed 004 Fig. 11); X Hermitian (N, N)."""
    G = azimuths.shape[0]
    N = n_rows * n_cols
    out = np.empty(G, dtype=np.float64)
    for g in prange(G):
        a = np.empty(N, dtype=np.complex128)
        _upa_into(a, n_rows, n_cols, azimuths[g], pitches[g], spacing)
        acc = 0.0
        for i in range(N):
            row = 0.0 + 0.0j
            for j in range(N):
                row += X[i, j] * a[j]
            acc += a[i].real * row.real + a[i].imag * row.imag
        out[g] = acc
    return out
