"""One plot style for every figure (matplotlib, Agg backend, no screen needed)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    "figure.figsize": (6.0, 4.2), "figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.35,
    "axes.spines.top": False, "axes.spines.right": False, "legend.fontsize": 8, "font.size": 10,
    "lines.markersize": 5,
}


def new_figure(ncols: int = 1):
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, ncols, figsize=(6.0 * ncols, 4.2), squeeze=False)
    return fig, axes[0]


def save(fig, path) -> None:
    with plt.rc_context(STYLE):
        fig.tight_layout()
        fig.savefig(path)
    plt.close(fig)
