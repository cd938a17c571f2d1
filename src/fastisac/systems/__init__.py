"""Layer 4: scenarios (frozen dataclasses with each paper's defaults) and seeded channel draws."""

from .channels import complex_gaussian, uniform_phases
from .dual_eve import DualEveChannels, DualEveScenario
from .rsma_hisac import RsmaHisacChannels, RsmaHisacScenario  # seed 002
from .unified_outage import UnifiedOutageInstance, UnifiedOutageScenario
from .networked import NetworkedInstance, NetworkedScenario
from .units import (THRESHOLD_CONVENTIONS, db_to_linear, dbm_to_watt, linear_to_db, path_loss,
                    threshold_to_linear, watt_to_dbm)

__all__ = [
    "NetworkedScenario", "NetworkedInstance",
    "DualEveScenario", "DualEveChannels", "UnifiedOutageScenario", "UnifiedOutageInstance", "complex_gaussian", "uniform_phases", "db_to_linear",
    "dbm_to_watt", "linear_to_db", "path_loss", "threshold_to_linear", "watt_to_dbm",
    "THRESHOLD_CONVENTIONS", "RsmaHisacScenario", "RsmaHisacChannels",
]

from .tris_rsma import TrisRsmaInstance, TrisRsmaScenario  # noqa: E402  (seed 004)

__all__ += ["TrisRsmaScenario", "TrisRsmaInstance"]
