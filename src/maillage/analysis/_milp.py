"""The exact site choice: one call to :func:`scipy.optimize.milp` (HiGHS).

Shared by :mod:`~maillage.analysis.siting` (maximal covering) and
:mod:`~maillage.analysis.commute_siting` (maximum-benefit location).

Solving to optimality can take long on a région (measured on Nouvelle-Aquitaine, 4,300
communes, ``k=10``: greedy 1.9 s, exact 9 min for +2.8 % residents): ``time_limit_s`` stops
HiGHS and keeps the best choice found, and the gap it reached is reported
(:class:`ExactChoice`, a log line, and the result's ``attrs["exact"]``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from maillage.errors import InputDataError, OptionError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "ExactChoice",
    "check_time_limit",
    "exact_attrs",
    "keep_better",
    "pick_sites_exactly",
    "ranked",
]

logger = logging.getLogger(__name__)

#: scipy's ``milp`` status when the time (or iteration) limit stopped HiGHS.
_LIMIT_REACHED = 1


class ExactChoice(NamedTuple):
    """The sites chosen by the solver and how close to the optimum it got.

    ``value`` is the benefit of the choice (minus the objective), ``bound`` the most any
    choice can bring (HiGHS's dual bound), ``mip_gap`` = (bound - value) / value, ``kept``
    ``"exact"`` or ``"greedy"`` (see :func:`keep_better`).
    """

    sites: np.ndarray
    optimal: bool
    mip_gap: float
    seconds: float
    time_limit_s: float | None
    value: float
    bound: float
    kept: str = "exact"


def keep_better(choice: ExactChoice, greedy_value: float) -> ExactChoice:
    """Return the better of a stopped solve's choice and the greedy one, with its gap.

    A solve stopped by its time limit may hold a choice worse than the greedy one (or
    none); the greedy choice is then kept (``kept="greedy"``). Both objectives (residents
    newly covered, commute time saved) are monotone submodular, so the optimum is at most
    greedy / (1 - 1/e) (Nemhauser, Wolsey & Fisher 1978): the bound used for the gap is
    the smaller of that and the solver's.

    Examples
    --------
    >>> c = ExactChoice(np.array([0]), False, 1.0, 1.0, 1.0, value=5.0, bound=10.0)
    >>> keep_better(c, 8.0).kept, keep_better(c, 8.0).mip_gap
    ('greedy', 0.25)
    """
    if choice.optimal:
        return choice
    bound = min(choice.bound, greedy_value / (1 - np.exp(-1)))
    kept = "greedy" if greedy_value > choice.value else "exact"
    value = max(greedy_value, choice.value)
    gap = max(bound - value, 0.0) / value if value > 0 else 0.0
    logger.warning(
        "choix gardé : %s ; le meilleur choix possible apporterait au plus %s %% de plus",
        "celui du solveur" if kept == "exact" else "le choix glouton, meilleur",
        f"{100 * gap:.1f}".replace(".", ","),
    )
    return choice._replace(value=value, bound=bound, mip_gap=gap, kept=kept)


def ranked(
    choice: ExactChoice,
    greedy: Callable[[Any, np.ndarray, int], list[tuple[int, float]]],
    matrix: Any,
    data: np.ndarray,
    k: int,
) -> tuple[list[tuple[int, float]], ExactChoice]:
    """Order the chosen sites by marginal gain with ``greedy``; a stopped solve keeps the better.

    ``greedy(matrix, data, k)`` is the objective's greedy choice, returning (site, gain)
    pairs; on the columns of the chosen sites it gives their order and gains.
    """
    if not choice.optimal:
        picks = greedy(matrix, data, k)
        choice = keep_better(choice, sum(gain for _, gain in picks))
        if choice.kept == "greedy":
            return picks, choice
    order = greedy(matrix[:, choice.sites], data, len(choice.sites))
    return [(int(choice.sites[i]), gain) for i, gain in order], choice


def exact_attrs(choice: ExactChoice | None, time_limit_s: float | None) -> dict[str, object]:
    """Describe the solve as plain values for ``attrs["exact"]`` (None: nothing to solve)."""
    if choice is None:
        return {
            "optimal": True,
            "mip_gap": 0.0,
            "seconds": 0.0,
            "time_limit_s": time_limit_s,
            "kept": "exact",
        }
    return {
        "optimal": choice.optimal,
        "mip_gap": float(choice.mip_gap),
        "seconds": round(choice.seconds, 3),
        "time_limit_s": choice.time_limit_s,
        "kept": choice.kept,
    }


def check_time_limit(time_limit_s: float | None, *, method: str) -> float | None:
    """Validate ``time_limit_s`` (seconds > 0, only with ``method="exact"``)."""
    if time_limit_s is None:
        return None
    if method != "exact":
        msg = f"time_limit_s ne sert qu'avec method='exact' (method={method!r})"
        raise OptionError(msg)
    limit = float(time_limit_s)
    if not limit > 0:
        raise OptionError(
            f"time_limit_s doit être un nombre de secondes > 0 (reçu {time_limit_s!r})"
        )
    return limit


def pick_sites_exactly(
    objective: np.ndarray,
    constraints: Sequence[LinearConstraint],
    *,
    n_sites: int,
    k: int,
    time_limit_s: float | None = None,
    progress: bool = False,
) -> ExactChoice:
    """Minimise ``objective`` choosing at most ``k`` sites; return the chosen sites.

    The first ``n_sites`` variables are the sites (binary), the others lie in 0..1. The
    solver runs to optimality (``mip_rel_gap=0``; HiGHS's default gap is 1e-4) unless
    ``time_limit_s`` stops it first: then the best choice found is kept and
    ``optimal`` is False, with the relative gap HiGHS reached (``mip_gap``: the optimum is
    at most that fraction better). ``progress`` prints HiGHS's log (bounds and gap as it
    goes).

    Examples
    --------
    >>> pick_sites_exactly(np.array([-1.0, -3.0, -2.0]), [], n_sites=3, k=2).sites.tolist()
    [1, 2]
    """
    n_other = len(objective) - n_sites
    budget = np.r_[np.ones(n_sites), np.zeros(n_other)][None, :]
    options: dict[str, object] = {"mip_rel_gap": 0.0, "disp": bool(progress)}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    logger.info(
        "choix exact : %d sites candidats, %d variables, limite %s",
        n_sites,
        len(objective),
        "aucune" if time_limit_s is None else f"{time_limit_s:g} s",
    )
    start = time.perf_counter()
    res = milp(
        objective,
        constraints=[*constraints, LinearConstraint(budget, 0, k)],
        integrality=np.r_[np.ones(n_sites), np.zeros(n_other)],
        bounds=Bounds(0, 1),
        options=options,
    )
    seconds = time.perf_counter() - start
    if res.status != _LIMIT_REACHED:
        if not res.success:
            raise InputDataError(f"le solveur exact a échoué : {res.message}")
        logger.info("choix exact optimal en %.1f s (écart 0 %%)", seconds)
        picked = np.flatnonzero(res.x[:n_sites] > 0.5)
        value = -float(res.fun)
        return ExactChoice(picked, True, 0.0, seconds, time_limit_s, value, value)
    return _stopped(res, n_sites=n_sites, seconds=seconds, time_limit_s=time_limit_s)


def _stopped(
    res: OptimizeResult, *, n_sites: int, seconds: float, time_limit_s: float | None
) -> ExactChoice:
    """Return the best choice of a solve its time limit stopped (none found: no site)."""
    dual = getattr(res, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else np.inf
    if res.x is None:
        logger.warning("choix exact arrêté par la limite de %g s avant tout choix", time_limit_s)
        return ExactChoice(
            np.array([], dtype=int), False, np.inf, seconds, time_limit_s, 0.0, bound
        )
    value = -float(res.fun)
    gap = max(bound - value, 0.0) / value if value > 0 else np.inf
    logger.warning("choix exact arrêté par la limite de %g s", time_limit_s)
    picked = np.flatnonzero(res.x[:n_sites] > 0.5)
    return ExactChoice(picked, False, gap, seconds, time_limit_s, value, bound)
