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

import pandas as pd

__all__ = ["fr_number", "fr_percent", "fr_year"]


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
    if value is None or pd.isna(value):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def fr_percent(share: float) -> str:
    """Format a share (0..1) as a French percentage with one decimal.

    Parameters
    ----------
    share : float
        Share between 0 and 1.

    Returns
    -------
    str
        E.g. ``"45,7 %"``.
    """
    if share is None or pd.isna(share):
        return "–"
    return f"{fr_number(100 * float(share), 1)}\u00a0%"


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
    if value is None or pd.isna(value):
        return "–"
    return str(int(value))
