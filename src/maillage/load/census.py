"""Read a venue census, named in the catalogue or given as a file, into a raw canonical table.

The public entry point is :func:`maillage.load_venues` (module :mod:`maillage.prepare.venues`), which
adds the row checks of :mod:`maillage.prepare.venue_rows` and the area selection.

Examples
--------
>>> raw, schema, name = read_venues("fabriques-territoire-2024")
>>> len(raw), schema.name, name
(440, 'fabriques-territoire-2024', 'fabriques-territoire-2024')
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from maillage.errors import InputDataError, OptionError
from maillage.load.census_readers import read_census, read_frame
from maillage.load.reading import reading
from maillage.sources import CATALOGUE, fetch

if TYPE_CHECKING:
    from collections.abc import Mapping

    from maillage.load.census_schemas import CensusSchema

__all__ = ["read_venues", "venue_censuses"]


def venue_censuses() -> list[str]:
    """Return the catalogue names of the venue censuses.

    Returns
    -------
    list of str
        Catalogue keys whose reader is ``"venues"``.

    Examples
    --------
    >>> venue_censuses()[:3]
    ['cget-tiers-lieux-2019', 'france-services-2024-08-01', 'france-services-2020-01-02']
    >>> len(venue_censuses())
    10
    """
    return [name for name, entry in CATALOGUE.items() if entry.reader == "venues"]


def _source_paths(source: str | Path) -> tuple[list[Path], str | None]:
    """Return the files of ``source`` and its catalogue name (None for a user file)."""
    known = ", ".join(venue_censuses())
    if isinstance(source, str) and source in CATALOGUE:
        if CATALOGUE[source].reader != "venues":
            msg = f"source {source!r} is not a venue census; catalogue censuses: {known}"
            raise OptionError(msg)
        return fetch(source), source
    path = Path(source)
    if not path.is_file():
        msg = f"source {str(source)!r} is neither a catalogue census ({known}) nor a file"
        raise InputDataError(msg)
    return [path], None


def read_venues(
    source: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
) -> tuple[pd.DataFrame, CensusSchema | None, str]:
    """Read a venue census without checking its rows.

    Parameters
    ----------
    source : str, path or pandas.DataFrame
        Catalogue census name, a CSV, XLSX, GeoJSON or GeoPackage file, or a table (a
        GeoDataFrame's points give the coordinates).
    columns : dict, optional
        ``{"their column": "canonical name"}`` mapping.
    sheet : str, optional
        Sheet of an XLSX file.
    header_row : int, optional
        Row of the header (1: first line); default found below any title rows.

    Returns
    -------
    raw : pandas.DataFrame
        One row per input row (see :func:`~maillage.load.census_readers.read_census`).
    schema : CensusSchema or None
        The recognised catalogue schema.
    credit : str
        What to credit: the catalogue name, the recognised census's name for a copy of a
        catalogue census, else the file name.

    Raises
    ------
    OptionError
        For a catalogue dataset that is not a venue census.
    InputDataError
        For a missing, unreadable or empty file.
    """
    if isinstance(source, pd.DataFrame):
        raw, schema = read_frame(source, columns)
        if len(raw) == 0:
            raise InputDataError("le tableau donné n'a aucune ligne")
        return raw, schema, "tableau"
    paths, name = _source_paths(source)
    with reading(paths[0] if len(paths) == 1 else source, name="source"):
        raw, schema = read_census(paths, columns, sheet=sheet, header_row=header_row)
    if len(raw) == 0:
        msg = f"source {str(source)!r} has no rows"
        raise InputDataError(msg)
    copy_of = schema.name if schema is not None and schema.name in CATALOGUE else None
    credit = name or copy_of or paths[0].name
    return raw, schema, credit
