"""fastisac: fast, trustworthy secure integrated sensing and communication (ISAC) research.

Layers (each imports only those above it): ``kernels`` (Numba), ``reference`` (NumPy
twins, tests and benchmarks only), ``solvers`` (CVXPY + Clarabel), ``systems``
(scenarios and channel draws), ``algorithms`` (one module per paper),
``experiments`` and ``cli`` (figures, sweeps, the ``fastisac`` command).
"""

from .errors import FastisacError, InfeasibleError, SolverError

__version__ = "0.1.0"

__all__ = ["FastisacError", "InfeasibleError", "SolverError", "__version__"]
