"""Unit conversions, path loss and the SCNR-threshold convention.

Threshold convention (seed 003 spec 8.1 / 9.1): the paper labels SCNR thresholds
(ratios) in "dBm". ``"dBm_as_W"`` (default, convention (a)) converts them like powers,
``gamma_lin = 10**((gamma - 30) / 10)``, the only reading that reproduces Fig. 4;
``"dB"`` reads them as plain dB, ``10**(gamma / 10)`` (then (19) never binds and
SCNR_b is capped near 8 dB at Nt = 8, P = 18 dBm).
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float, as_real

THRESHOLD_CONVENTIONS = ("dBm_as_W", "dB")


def dbm_to_watt(p_dbm):
    """Power in dBm -> W (scalar or array)."""
    p = as_real(p_dbm, "p_dbm")
    out = 10.0 ** ((p - 30.0) / 10.0)
    return float(out) if out.ndim == 0 else out


def watt_to_dbm(p_w):
    """Power in W (> 0) -> dBm."""
    p = as_real(p_w, "p_w", positive=True)
    out = 10.0 * np.log10(p) + 30.0
    return float(out) if out.ndim == 0 else out


def db_to_linear(x_db):
    """dB -> linear ratio."""
    x = as_real(x_db, "x_db")
    out = 10.0 ** (x / 10.0)
    return float(out) if out.ndim == 0 else out


def linear_to_db(x):
    """Linear ratio (> 0) -> dB."""
    x = as_real(x, "x", positive=True)
    out = 10.0 * np.log10(x)
    return float(out) if out.ndim == 0 else out


def threshold_to_linear(gamma, convention: str = "dBm_as_W"):
    """A paper's "dBm" SCNR threshold -> linear ratio under the chosen convention."""
    if convention not in THRESHOLD_CONVENTIONS:
        raise ValueError(f"convention: must be one of {THRESHOLD_CONVENTIONS}, got {convention!r}")
    g = as_real(gamma, "gamma")
    out = 10.0 ** ((g - 30.0) / 10.0) if convention == "dBm_as_W" else 10.0 ** (g / 10.0)
    return float(out) if out.ndim == 0 else out


def path_loss(distance, exponent: float, c0_db: float = -30.0, d0: float = 1.0):
    """Power path gain PL(d) = C0 (d0 / d)^l (seed 003 eq. (49)); C0 in dB."""
    d = as_real(distance, "distance", positive=True)
    exponent = as_float(exponent, "exponent", positive=True)
    c0_db = as_float(c0_db, "c0_db")
    d0 = as_float(d0, "d0", positive=True)
    out = 10.0 ** (c0_db / 10.0) * (d0 / d) ** exponent
    return float(out) if out.ndim == 0 else out
