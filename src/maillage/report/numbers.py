"""Numbers written the French way on the page: ``1 234 568``, ``45,7 %``, years as ``2020``.

Examples
--------
>>> fr_number(1234567.8)
'1\u202f234\u202f568'
>>> fr_percent(0.4567)
'45,7\u00a0%'
>>> fr_year(2020.0)
'2020'
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Concatenate

import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MISSING", "fr_number", "fr_percent", "fr_year"]

MISSING = "–"
"""What the page writes for a missing number (an en dash)."""


def _dash_when_missing[**P](
    format_value: Callable[Concatenate[float, P], str],
) -> Callable[Concatenate[float | None, P], str]:
    """Make ``format_value`` write :data:`MISSING` for a None or NaN value."""

    @functools.wraps(format_value)
    def formatted(value: float | None, /, *args: P.args, **kwargs: P.kwargs) -> str:
        if value is None or pd.isna(value):
            return MISSING
        return format_value(value, *args, **kwargs)

    return formatted


@_dash_when_missing
def fr_number(value: float, decimals: int = 0) -> str:
    """Format a number the French way (narrow no-break space, decimal comma).

    Parameters
    ----------
    value : float
        Number.
    decimals : int
        Digits after the comma.

    Returns
    -------
    str
        Formatted number, ``"–"`` when missing.
    """
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


@_dash_when_missing
def fr_percent(share: float) -> str:
    """Format a share (0..1) as a French percentage with one decimal.

    Parameters
    ----------
    share : float
        Share between 0 and 1.

    Returns
    -------
    str
        E.g. ``"45,7 %"``; ``"–"`` when missing.
    """
    return f"{fr_number(100 * float(share), 1)}\u00a0%"


@_dash_when_missing
def fr_year(value: float) -> str:
    """Format a year: digits only, no thousands separator (``2020``, not ``2 020``).

    Parameters
    ----------
    value : float
        Year.

    Returns
    -------
    str
        The year, ``"–"`` when missing.
    """
    return str(int(value))
