"""Layer 5: one module per paper with the proposed algorithm and its baselines."""

from . import dual_eve, unified_outage

__all__ = ["dual_eve", "unified_outage"]
