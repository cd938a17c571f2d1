"""Input validation shared by every public function.

Each helper returns a C-contiguous array of the canonical dtype or raises
``ValueError`` naming the offending argument.
"""

from __future__ import annotations

import numbers

import numpy as np


def _fail(name: str, what: str):
    raise ValueError(f"{name}: {what}")


def as_real(x, name: str, ndim: int | tuple[int, ...] | None = None, *,
            shape: tuple | None = None, nonneg: bool = False, positive: bool = False) -> np.ndarray:
    """float64 array, finite, with optional ndim / shape / sign checks."""
    if type(x) is np.ndarray:
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except Exception as exc:  # pragma: no cover - exotic inputs
            _fail(name, f"cannot be converted to an array ({exc})")
    kind = arr.dtype.kind
    if kind == "c":
        _fail(name, "must be real, got a complex array")
    if kind not in "biuf":
        _fail(name, f"must be numeric, got dtype {arr.dtype}")
    if arr.dtype != np.float64 or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=np.float64)
    _check_shape(arr, name, ndim, shape)
    if not np.isfinite(arr).all():
        _fail(name, "must be finite (contains NaN or inf)")
    if positive and (arr <= 0).any():
        _fail(name, "must be strictly positive")
    if nonneg and (arr < 0).any():
        _fail(name, "must be non-negative")
    return arr


def as_complex(x, name: str, ndim: int | tuple[int, ...] | None = None, *,
               shape: tuple | None = None) -> np.ndarray:
    """complex128 array, finite, with optional ndim / shape checks."""
    arr = x if type(x) is np.ndarray else np.asarray(x)
    if arr.dtype.kind not in "iufc":
        _fail(name, f"must be numeric, got dtype {arr.dtype}")
    if arr.dtype != np.complex128 or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=np.complex128)
    _check_shape(arr, name, ndim, shape)
    if not np.isfinite(arr).all():
        _fail(name, "must be finite (contains NaN or inf)")
    return arr


def _check_shape(arr, name, ndim, shape):
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            _fail(name, f"must have ndim in {allowed}, got shape {arr.shape}")
    if shape is not None:
        if len(shape) != arr.ndim or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            _fail(name, f"must have shape {tuple('*' if s is None else s for s in shape)}, got {arr.shape}")


def as_hermitian(x, name: str, *, batch: bool = False, psd: bool = False, rtol: float = 1e-8) -> np.ndarray:
    """complex128 square (batch of) Hermitian matrices; optionally PSD within rtol."""
    arr = as_complex(x, name, ndim=3 if batch else 2)
    if arr.shape[-1] != arr.shape[-2]:
        _fail(name, f"must be square in its last two axes, got {arr.shape}")
    if arr.size:
        scale = max(float(np.abs(arr).max()), 1e-300)
        if float(np.abs(arr - arr.conj().swapaxes(-1, -2)).max()) > rtol * scale + 1e-300:
            _fail(name, "must be Hermitian")
    else:
        scale = 1e-300
    if psd:
        lam = np.linalg.eigvalsh(arr)
        if np.min(lam) < -1e-6 * scale * arr.shape[-1]:
            _fail(name, f"must be positive semidefinite (min eigenvalue {np.min(lam):.3e})")
    return arr


def as_int(x, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        _fail(name, f"must be an integer, got {type(x).__name__}")
    x = int(x)
    if minimum is not None and x < minimum:
        _fail(name, f"must be >= {minimum}, got {x}")
    if maximum is not None and x > maximum:
        _fail(name, f"must be <= {maximum}, got {x}")
    return x


def as_float(x, name: str, *, positive: bool = False, nonneg: bool = False,
             lower: float | None = None, upper: float | None = None) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        if isinstance(x, np.ndarray) and x.ndim == 0 and np.isrealobj(x):
            x = float(x)
        else:
            _fail(name, f"must be a real number, got {type(x).__name__}")
    x = float(x)
    if not np.isfinite(x):
        _fail(name, f"must be finite, got {x}")
    if positive and x <= 0:
        _fail(name, f"must be > 0, got {x}")
    if nonneg and x < 0:
        _fail(name, f"must be >= 0, got {x}")
    if lower is not None and x < lower:
        _fail(name, f"must be >= {lower}, got {x}")
    if upper is not None and x > upper:
        _fail(name, f"must be <= {upper}, got {x}")
    return x
