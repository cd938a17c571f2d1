"""Typed errors raised by fastisac.

``SolverError`` carries the solver status; ``InfeasibleError`` marks a scenario
whose constraints cannot all hold (an infeasible point is a result, not a crash).
"""

from __future__ import annotations


class FastisacError(Exception):
    """Base class of every fastisac error."""


class SolverError(FastisacError):
    """A conic solve did not return a usable solution.

    Attributes
    ----------
    status : str
        The CVXPY / solver status string (e.g. ``"solver_error"``, ``"unbounded"``).
    """

    def __init__(self, message: str, status: str | None = None):
        super().__init__(f"{message} (status: {status})" if status else message)
        self.status = status


class InfeasibleError(FastisacError):
    """The scenario's constraints cannot be met (closed-form test or solver certificate)."""

    def __init__(self, message: str, status: str | None = None):
        super().__init__(message)
        self.status = status
