"""Numbers and dates written the French way on the page, and the rounding rules of the page.

``1 234 568``, ``45,7 %``, years as ``2020``, dates as ``2 janvier 2020``. The rounding
rules are written here once: residents next to a range to the hundred or the thousand
(:func:`fr_residents`), kilometres, tonnes and hours to 3 significant figures
(:func:`fr_significant`).

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

import datetime as dt
import functools
import math
import re
from typing import TYPE_CHECKING, Concatenate

import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "MISSING",
    "MONTHS",
    "fr_date",
    "fr_dates_in",
    "fr_number",
    "fr_percent",
    "fr_residents",
    "fr_significant",
    "fr_year",
    "residents_step",
    "round_residents",
    "significant",
]

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


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
"""French month names, January first."""

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")


def fr_date(value: dt.date | str) -> str:
    """Write a date the French way: ``"7 décembre 2026"``, ``"1er août 2024"``, ``"mars 2019"``.

    Parameters
    ----------
    value : datetime.date or str
        A date, or an ISO text ``"YYYY-MM-DD"`` or ``"YYYY-MM"`` (a month).

    Returns
    -------
    str
        The date in words; a text that is not an ISO date is returned unchanged.

    Examples
    --------
    >>> fr_date("2020-01-02"), fr_date("2024-08-01"), fr_date("2019-03")
    ('2 janvier 2020', '1er août 2024', 'mars 2019')
    """
    if isinstance(value, dt.date):
        value = value.isoformat()
    found = _ISO_DATE.fullmatch(str(value).strip())
    if found is None:
        return str(value)
    year, month, day = found.groups()
    if not 1 <= int(month) <= 12:
        return str(value)
    name = MONTHS[int(month) - 1]
    if day is None:
        return f"{name} {year}"
    return f"{'1er' if int(day) == 1 else int(day)} {name} {year}"


def fr_dates_in(text: str) -> str:
    """Write every ISO date of ``text`` in words (:func:`fr_date`), each once.

    Examples
    --------
    >>> fr_dates_in("ANCT, liste des France services (2020-01-02)")
    'ANCT, liste des France services (2 janvier 2020)'

    A date in brackets that the text already gives is left out:

    >>> fr_dates_in("Liste au 1er août 2024 (2024-08-01)")
    'Liste au 1er août 2024'

    Other brackets stay, even when their words come earlier:

    >>> fr_dates_in("via Etalab (Licence Ouverte (Etalab))")
    'via Etalab (Licence Ouverte (Etalab))'
    """
    text = _ISO_DATE.sub(lambda m: fr_date(m.group(0)), text)
    return _REPEATED.sub(lambda m: "" if m.group(1) in m.string[: m.start()] else m.group(0), text)


_REPEATED = re.compile(
    r" \(((?:1er|\d{1,2}) (?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
    r"octobre|novembre|décembre) \d{4})\)"
)
"""A date in words in brackets: left out when the text already gives it."""


def residents_step(count: float, *, uncertain: bool) -> int:
    """Return what a count of residents is rounded to on the page.

    The rule, the same everywhere: a count next to a range (``uncertain``: the travel
    times have a known error margin, so the headline share is shown with its low and high
    values) is rounded to the hundred, to the thousand from 100 000 residents on, to the ten
    below 1 000; an exact count (a census population) is shown to the resident.

    Examples
    --------
    >>> residents_step(13076, uncertain=True), residents_step(102451, uncertain=True)
    (100, 1000)
    >>> residents_step(102451, uncertain=False)
    1
    """
    if not uncertain:
        return 1
    if abs(count) >= 100_000:
        return 1000
    return 100 if abs(count) >= 1000 else 10


@_dash_when_missing
def fr_residents(count: float, *, uncertain: bool = False) -> str:
    """Write a count of residents, rounded by :func:`residents_step`.

    Examples
    --------
    >>> fr_residents(13076, uncertain=True), fr_residents(102451, uncertain=True)
    ('13\u202f100', '102\u202f000')
    >>> fr_residents(43, uncertain=True), fr_residents(13076)
    ('40', '13\u202f076')
    """
    return fr_number(round_residents(count, uncertain=uncertain))


def round_residents(count: float, *, uncertain: bool) -> float:
    """Round a count of residents by :func:`residents_step`, halves away from zero.

    Examples
    --------
    >>> round_residents(13_050, uncertain=True), round_residents(-13_050, uncertain=True)
    (13100, -13100)
    """
    step = residents_step(count, uncertain=uncertain)
    whole = step * math.floor(abs(float(count)) / step + 0.5)
    return whole if count >= 0 else -whole


def significant(value: float, digits: int = 3) -> float:
    """Round ``value`` to ``digits`` significant figures (kilometres, tonnes, hours).

    Examples
    --------
    >>> significant(691_838_515), significant(149_160.4), significant(0.012345)
    (692000000.0, 149000.0, 0.0123)
    """
    if value == 0 or not math.isfinite(value):
        return float(value)
    places = digits - 1 - math.floor(math.log10(abs(value)))
    return float(round(value, places))


@_dash_when_missing
def fr_significant(value: float, digits: int = 3) -> str:
    """Write ``value`` to ``digits`` significant figures, the French way.

    Large values keep their zeros (``692 000 000``); small ones keep the decimals they need.

    Examples
    --------
    >>> fr_significant(691_838_515), fr_significant(149_160.4), fr_significant(4.567)
    ('692\u202f000\u202f000', '149\u202f000', '4,57')
    """
    rounded = significant(float(value), digits)
    if rounded == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    return fr_number(rounded, decimals)
