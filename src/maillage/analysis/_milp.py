"""The exact site choice: one call to :func:`scipy.optimize.milp` (HiGHS).

Shared by :mod:`~maillage.analysis.siting` (maximal covering) and
:mod:`~maillage.analysis.commute_siting` (maximum-benefit location).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from maillage.errors import InputDataError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["pick_sites_exactly"]


def pick_sites_exactly(
    objective: np.ndarray, constraints: Sequence[LinearConstraint], *, n_sites: int, k: int
) -> np.ndarray:
    """Minimise ``objective`` choosing at most ``k`` sites; return the chosen sites.

    The first ``n_sites`` variables are the sites (binary), the others lie in 0..1. The
    solver runs to optimality (``mip_rel_gap=0``; HiGHS's default gap is 1e-4).

    Examples
    --------
    >>> pick_sites_exactly(np.array([-1.0, -3.0, -2.0]), [], n_sites=3, k=2).tolist()
    [1, 2]
    """
    n_other = len(objective) - n_sites
    budget = np.r_[np.ones(n_sites), np.zeros(n_other)][None, :]
    res = milp(
        objective,
        constraints=[*constraints, LinearConstraint(budget, 0, k)],
        integrality=np.r_[np.ones(n_sites), np.zeros(n_other)],
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if not res.success:
        raise InputDataError(f"the exact solver failed: {res.message}")
    return np.flatnonzero(res.x[:n_sites] > 0.5)
