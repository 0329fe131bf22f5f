"""What a result says about itself, as plain dicts: read these rather than ``attrs``.

:func:`census_counts` gives the accounting of a census read by
:func:`maillage.load_venues` (every row: in the area, around it, elsewhere, rejected, and
why); :func:`supported_contribution` what the supported venues add to the coverage, from
:func:`maillage.attribution`; :func:`data_credits` the sources to credit under a result.
The counts of :func:`maillage.mark_supported` are given by
:func:`maillage.describe_support`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from maillage.analysis._checks import merged_credits
from maillage.errors import InputDataError
from maillage.schema import Provenance, provenance
from maillage.sources import credits

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["census_counts", "data_credits", "supported_contribution"]


def _attr(frame: pd.DataFrame, key: Provenance, origin: str) -> dict[str, Any]:
    """Return a copy of ``frame.attrs[key]``; a French error naming ``origin`` without it."""
    value = provenance(frame, key)
    if not isinstance(value, dict):
        msg = f"ce tableau ne porte pas ce décompte : il doit venir de {origin}"
        raise InputDataError(msg)
    return copy.deepcopy(value)


def census_counts(venues: pd.DataFrame) -> dict[str, Any]:
    """Return the accounting of a census: where each row went, and why rows were rejected.

    Parameters
    ----------
    venues : pandas.DataFrame
        Venues from :func:`maillage.load_venues`.

    Returns
    -------
    dict
        ``source``, ``input`` (rows read), ``in_area``, ``near_area`` (within the band
        outside the border), ``elsewhere``, ``rejected`` (rows of the area),
        ``rejected_elsewhere``, ``rejected_by_reason`` (counts by kind of reason);
        ``input`` is the sum of the five counts. Also ``row_ids`` (True when the census
        has no id, so venues are named after their row: such ids do not name the same site
        in two censuses), ``buffer_km``, ``by_commune`` (venues placed at their commune),
        ``duplicates``.

    Raises
    ------
    InputDataError
        When ``venues`` does not come from :func:`maillage.load_venues`.

    Examples
    --------
    >>> from maillage.prepare.toy import toy_territory
    >>> _, venues = toy_territory()
    >>> census_counts(venues)
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: ce tableau ne porte pas ce décompte : il doit venir de maillage.load_venues
    """
    return _attr(venues, Provenance.CENSUS, "maillage.load_venues")


def supported_contribution(contributions: pd.DataFrame) -> dict[str, Any]:
    """Return what the supported venues add: residents covered with and without them.

    Parameters
    ----------
    contributions : pandas.DataFrame
        The table of :func:`maillage.attribution` for venues with a ``supported`` column
        (e.g. from :func:`maillage.mark_supported`).

    Returns
    -------
    dict
        ``population_covered_all``, ``population_covered_without_supported``,
        ``population_thanks_to_supported`` (the difference) and ``supported_venues``.

    Raises
    ------
    InputDataError
        When ``contributions`` is not such a table.
    """
    return _attr(contributions, Provenance.SUPPORTED_CONTRIBUTION, "maillage.attribution")


def data_credits(*results: pd.DataFrame | None) -> list[str]:
    """Return the attribution lines of the data behind ``results``, to print under them.

    Parameters
    ----------
    *results : pandas.DataFrame or None
        Frames of maillage (communes, venues, coverage, savings…); each carries the
        datasets it was made from. ``None`` is skipped.

    Returns
    -------
    list of str
        One line per dataset (attribution and licence, :func:`maillage.credits`), without
        repeats, in order of first appearance; a user's own file by its name.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame()
    >>> frame.attrs["data_credits"] = ["osm-saint-barthelemy-2015", "mes-lieux.csv"]
    >>> data_credits(frame, None)
    ['© OpenStreetMap contributors (ODbL 1.0)', 'mes-lieux.csv']
    """
    return credits(merged_credits(*results))
