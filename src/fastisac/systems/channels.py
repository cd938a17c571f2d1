"""Seeded channel draws from ``numpy.random.Generator`` (never Numba's global RNG)."""

from __future__ import annotations

import numpy as np

from .._checks import as_real


def _rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng: must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def complex_gaussian(rng, shape, variance=1.0) -> np.ndarray:
    """i.i.d. CN(0, variance) samples (circularly symmetric, E|x|^2 = variance)."""
    rng = _rng(rng)
    var = as_real(variance, "variance", nonneg=True)
    z = rng.standard_normal(tuple(shape) + (2,))
    return np.sqrt(var / 2.0) * (z[..., 0] + 1j * z[..., 1])


def uniform_phases(rng, shape) -> np.ndarray:
    """Unit-modulus phasors exp(j phi), phi ~ U[0, 2 pi)."""
    rng = _rng(rng)
    return np.exp(1j * rng.uniform(0.0, 2.0 * np.pi, size=tuple(shape)))
