"""Why coverage changed, on the page: the French sentence and table of a :class:`CoverageChange`.

:func:`change_sentence` writes the split of :func:`maillage.decompose_change` as one
sentence, numbers the French way; :func:`change_table` gives its table (one row a cause,
then the total) with French headers.

Examples
--------
>>> from maillage import CrowFlyModel, decompose_change
>>> from maillage.prepare.toy import toy_territory
>>> communes, venues = toy_territory()
>>> change = decompose_change((communes, venues.iloc[:1]),
...     (communes.assign(population=[100, 300]), venues),
...     model=CrowFlyModel(circuity=1, speed_kph=60), threshold_min=20)
>>> change_sentence(change)
'+50,0 points : +62,5 dus aux ouvertures, −12,5 à la population'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from maillage.analysis.change import PARTS
from maillage.report.numbers import fr_number

if TYPE_CHECKING:
    from maillage.analysis.change import CoverageChange

__all__ = ["PART_LABELS", "change_sentence", "change_table", "signed_points"]

PART_LABELS = {
    "opened": "Ouvertures de lieux",
    "closed": "Fermetures et déplacements de lieux",
    "population": "Évolution de la population",
    "geography": "Évolution de la carte communale (fusions, scissions)",
}
"""French name of each part, for the table."""

_MINUS = "\u2212"


def signed_points(value: float, decimals: int = 1) -> str:
    """Write a change in points with its sign, the French way (``+3,1``, ``−0,4``, ``0,0``).

    Parameters
    ----------
    value : float
        Percentage points.
    decimals : int
        Digits after the comma.

    Returns
    -------
    str
        The signed number (a true minus sign), no sign when it rounds to zero.

    Examples
    --------
    >>> signed_points(3.14), signed_points(-0.4), signed_points(-0.01)
    ('+3,1', '−0,4', '0,0')
    """
    rounded = round(float(value), decimals)
    text = fr_number(abs(rounded), decimals)
    if rounded > 0:
        return f"+{text}"
    return f"{_MINUS}{text}" if rounded < 0 else text


def _unit(value: float, decimals: int) -> str:
    """``point`` below 2 in absolute value (French rule), else ``points``."""
    return "point" if abs(round(value, decimals)) < 2 else "points"


def _phrases(change: CoverageChange) -> dict[str, str]:
    geography = (
        "aux fusions de communes"
        if change.communes_split == 0
        else "aux changements de la carte communale"
    )
    closed = "aux fermetures" if change.venues_moved == 0 else "aux fermetures et déplacements"
    return {
        "opened": "aux ouvertures",
        "closed": closed,
        "population": "à la population",
        "geography": geography,
    }


def change_sentence(change: CoverageChange, *, decimals: int = 1) -> str:
    """Write the change and its parts as one French sentence (no final full stop).

    Parts that round to zero are left out; the first part shown says ``dus``.

    Parameters
    ----------
    change : CoverageChange
        From :func:`maillage.decompose_change`.
    decimals : int
        Digits after the comma.

    Returns
    -------
    str
        E.g. ``"+3,1 points : +3,8 dus aux ouvertures, −0,4 aux fermetures, −0,3 à la
        population"``; ``"Part couverte inchangée (0,0 point)"`` when nothing moved.
    """
    total = f"{signed_points(change.change, decimals)} {_unit(change.change, decimals)}"
    phrases = _phrases(change)
    shown = [
        (part, float(change.parts.loc[part, "points"]))
        for part in PARTS
        if round(float(change.parts.loc[part, "points"]), decimals) != 0
    ]
    if not shown:
        return f"Part couverte inchangée ({total})"
    words = [
        f"{signed_points(value, decimals)}{' dus' if i == 0 else ''} {phrases[part]}"
        for i, (part, value) in enumerate(shown)
    ]
    return f"{total} : {', '.join(words)}"


def change_table(change: CoverageChange) -> pd.DataFrame:
    """Return the parts and the total with French headers, for the page and the files.

    Parameters
    ----------
    change : CoverageChange
        From :func:`maillage.decompose_change`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``Cause`` (:data:`PART_LABELS`, then ``Total``), columns
        ``Points de pourcentage`` and ``Habitants à moins du seuil``.

    Examples
    --------
    >>> from maillage import CrowFlyModel, decompose_change
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> table = change_table(decompose_change((communes, venues.iloc[:1]), (communes, venues),
    ...     model=CrowFlyModel(circuity=1, speed_kph=60), threshold_min=20))
    >>> table.round(6).loc["Total"].tolist()
    [50.0, 100.0]
    """
    parts = change.parts.rename(index=PART_LABELS)
    total = pd.DataFrame(
        {"points": [change.change], "residents": [change.change_residents]}, index=["Total"]
    )
    table = pd.concat([parts, total])
    table.index.name = "Cause"
    return table.rename(
        columns={"points": "Points de pourcentage", "residents": "Habitants à moins du seuil"}
    )
