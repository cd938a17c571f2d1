"""Layer 5: one module per paper with the proposed algorithm and its baselines."""

from . import dual_eve, unified_outage

__all__ = ["dual_eve", "unified_outage"]

from . import networked  # noqa: E402  (seed 000)

__all__ += ["networked"]

from . import tris_rsma  # noqa: E402  (seed 004)

__all__ += ["tris_rsma"]
