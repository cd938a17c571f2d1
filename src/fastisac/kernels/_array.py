"""Array-response kernels: ULA steering vectors, their angle derivatives, beampatterns.

Convention (all papers): element n = 0..N-1 of a half-wavelength ULA has response
``a_n(theta) = exp(+j 2 pi (d/lambda) n sin(theta))``, theta in radians from broadside,
unnormalised so ``||a||^2 = N`` (seed 003 eq. (48)).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def steering_ula_nb(n_antennas, theta, spacing):
    out = np.empty(n_antennas, dtype=np.complex128)
    k = 2.0 * np.pi * spacing * np.sin(theta)
    for n in range(n_antennas):
        out[n] = np.cos(k * n) + 1j * np.sin(k * n)
    return out


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
