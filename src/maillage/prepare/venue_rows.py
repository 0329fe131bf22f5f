"""Check venue census rows, select an area, and summarise the rejected rows.

:func:`validate_venues` turns a raw census table into accepted venues in Lambert-93 and
rejected rows, each with its reason (checks in :mod:`maillage.prepare.venue_checks`);
:func:`select_venues` keeps the venues of an area and of a band around it;
:func:`summarise_rejections` writes the message of ``errors="raise"``.

Examples
--------
>>> import pandas as pd
>>> from maillage.prepare.communes import load_communes
>>> raw = pd.DataFrame({"venue_id": ["a", "a"], "name": ["Un", "Deux"],
...     "code_insee": ["33063", "33063"], "latitude": ["44.8378", "44.8378"],
...     "longitude": ["-0.5792", "-0.5792"], "file": "t.csv"})
>>> venues, rejected = validate_venues(raw, None, load_communes(departements=["33"]))
>>> len(venues), rejected["reason"].tolist()
(1, ["duplicate venue_id 'a' (first at row 0)"])
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from maillage.load.census_fields import canonical_fields
from maillage.load.cog import read_cog_table
from maillage.prepare.codes import harmonise_codes, normalise_codes, unknown_code_reasons
from maillage.prepare.venue_checks import (
    coordinate_reasons,
    duplicate_reasons,
    first_reasons,
    in_france,
    missing_id_reasons,
    nearest_commune,
    outside_france_reasons,
    parse_coordinates,
    same_place_reasons,
)
from maillage.prepare.venue_places import place_by_commune
from maillage.schema import CRS, REJECT_COLUMNS, VENUE_COLUMNS

if TYPE_CHECKING:
    from maillage.load.census_schemas import CensusSchema

logger = logging.getLogger(__name__)

__all__ = [
    "CODE_FROM_POINT",
    "REJECTED_COLUMNS",
    "reason_category",
    "select_venues",
    "summarise_rejections",
    "validate_venues",
]

REJECTED_COLUMNS = (
    *REJECT_COLUMNS,
    "name",
    "code_insee",
    "latitude",
    "longitude",
    "file",
    "file_row",
)
"""Columns of the rejected-rows table: the reason plus what is needed to fix the row
(``file_row``: the row in its file, 1 for the first row after the header)."""


def _points(lon: pd.Series, lat: pd.Series, usable: pd.Series) -> gpd.GeoSeries:
    """Points in Lambert-93, built once from projected coordinates (no WGS84 copy)."""
    xs = lon.where(usable, 0.0).to_numpy(dtype=float)
    ys = lat.where(usable, 0.0).to_numpy(dtype=float)
    xs, ys = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(xs, ys)
    return gpd.GeoSeries(gpd.points_from_xy(xs, ys), index=lon.index, crs=CRS)


def _labels(codes: pd.Series, names: pd.Series) -> np.ndarray:
    """``"code (name)"`` for each code, ``?`` for a name not found; built once per code."""
    positions, uniques = pd.factorize(codes)
    found = names.reindex(uniques).fillna("?").to_numpy()
    labels = [f"{code} ({name})" for code, name in zip(uniques, found, strict=True)]
    return np.asarray([*labels, None], dtype=object)[positions]


def _filled_flags(codes: pd.Series, distance_m: np.ndarray, names: pd.Series) -> np.ndarray:
    """Write the flags of codes taken from the location, once per commune and distance."""
    metres = np.where(distance_m == 0, -1, np.round(distance_m)).astype("int64")
    commune, _ = pd.factorize(codes)
    positions, _ = pd.factorize(commune * (int(metres.max(initial=0)) + 2) + metres + 1)
    _, first = np.unique(positions, return_index=True)
    label = _labels(codes.iloc[first], names)
    text = [
        f"code_insee missing, taken from the location: {'in' if m < 0 else f'{m} m from'} {x}"
        for m, x in zip(metres[first], label, strict=True)
    ]
    return np.asarray(text, dtype=object)[positions]


def _locate(
    declared: pd.Series, near: pd.DataFrame, polygons: pd.Index, names: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Fill missing codes from the location and flag points lying in another commune.

    Returns the codes, the flags and the reasons (missing code that cannot be located).
    ``near`` is :func:`~maillage.prepare.venue_checks.nearest_commune` of the points and
    ``polygons`` the codes of the communes with a polygon. Whole-column operations only (one
    text per distinct commune), so a census of millions of rows without codes is read in
    time and memory linear in its size.
    """
    distance = near["distance_m"].to_numpy()
    found = near["code"]
    codes = declared.where(declared.notna(), found)
    flags = np.full(len(declared), None, dtype=object)
    fill = (declared.isna() & found.notna()).to_numpy()
    flags[fill] = _filled_flags(found[fill], distance[fill], names)
    reasons = pd.Series(pd.NA, index=declared.index, dtype="string")
    reasons[(declared.isna() & found.isna()).to_numpy()] = "missing INSEE code"
    differs = (found != declared).fillna(False).to_numpy(dtype=bool)
    other = declared.notna().to_numpy() & (distance == 0) & differs
    other &= declared.isin(polygons).to_numpy()  # a commune without polygon: unchecked
    if other.any():
        inside, given = _labels(found[other], names), _labels(declared[other], names)
        pairs = zip(inside, given, strict=True)
        flags[other] = [f"point in commune {a}, declared {b}" for a, b in pairs]
    return codes, pd.Series(flags, index=declared.index, dtype="string"), reasons


def _rejected(raw: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    bad = reasons.notna()
    table = pd.DataFrame(index=raw.index[bad])
    table["row"] = raw.index[bad].to_numpy()
    for column in REJECTED_COLUMNS[1:]:
        source = reasons if column == "reason" else raw.get(column)
        table[column] = source[bad].astype("string") if source is not None else pd.NA
    return table.reset_index(drop=True)


def validate_venues(
    raw: pd.DataFrame,
    schema: CensusSchema | None,
    communes: gpd.GeoDataFrame,
    *,
    kind: str | None = None,
    keep_duplicates: bool = False,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check every row of a raw census table; return accepted venues and rejected rows.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table (:func:`~maillage.load.census_readers.read_census`).
    schema : CensusSchema or None
        Recognised schema.
    communes : geopandas.GeoDataFrame
        Commune polygons indexed by ``code_insee`` in EPSG:2154, for the "outside
        France" test, the point-in-commune check and missing codes.
    kind : str, optional
        Kind of venues whose census gives none.
    keep_duplicates : bool
        Keep the rows that repeat a venue (same normalised name, same place to 1 m) and flag
        them in ``duplicate_flag``, instead of rejecting them.

    Returns
    -------
    venues : geopandas.GeoDataFrame
        Canonical venue columns plus ``location_flag``, ``location_source`` (how the venue
        was placed, :data:`~maillage.prepare.venue_places.LOCATION_SOURCES`),
        ``code_insee_declared``
        (the code as found, where it was remapped from a former code) and, for a census
        whose reader flags opening dates (GoGoCarto's ``createdAt``), ``opened_flag``.
    rejected : pandas.DataFrame
        :data:`REJECTED_COLUMNS`; ``len(venues) + len(rejected) == len(raw)``.
    """
    raw, source, place_reasons = place_by_commune(_with_coordinates(raw), communes)
    fields = canonical_fields(raw, schema, kind=kind)
    fields["location_quality"] = fields["location_quality"].mask(
        source != "coordinates", "commune_centroid"
    )
    cog = read_cog_table()
    declared, harmonised, code_reasons = _declared_codes(raw, cog.index)
    lon, lat = parse_coordinates(raw)
    no_point = lon.isna() & lat.isna()
    reasons = first_reasons(
        _reader_reasons(raw),
        missing_id_reasons(raw),
        place_reasons,
        code_reasons.where(no_point),  # a wrong code and no point: nothing to place the row
        coordinate_reasons(raw, lon, lat),
    )
    bad_quality = fields["location_quality"].isna()
    if "location_quality" in raw.columns:
        text = "unknown location_quality '" + raw["location_quality"].astype("string") + "'"
        reasons = reasons.fillna(text.where(bad_quality))
    points = _points(lon, lat, reasons.isna())
    near = nearest_commune(points, communes, reasons.isna())  # one spatial query for all rows
    outside = outside_france_reasons(points, communes, reasons.isna(), near=near, lonlat=(lon, lat))
    reasons = first_reasons(
        reasons, outside, duplicate_reasons(raw, reasons.isna() & ~outside.notna())
    )
    doubles = same_place_reasons(fields["name"], points, reasons.isna(), rows=_row_names(raw))
    if not keep_duplicates:
        reasons = first_reasons(reasons, doubles)
    ok = reasons.isna()
    codes, flags, locate_reasons = _locate(harmonised[ok], near[ok], communes.index, cog["nom"])
    wrong = code_reasons[ok].notna().to_numpy()
    if wrong.any():
        given = declared[ok][wrong].astype(str).to_numpy(dtype=object)
        found = _labels(codes[wrong], cog["nom"])
        flags[wrong] = [
            f"{CODE_FROM_POINT} : déclaré {a}, au point {b}"
            for a, b in zip(given, found, strict=True)
        ]
    flags[(source[ok] != "coordinates").to_numpy()] = pd.NA
    reasons = first_reasons(reasons, locate_reasons.reindex(raw.index))
    ok = reasons.isna()
    venues = fields[ok].copy()
    venues["code_insee"] = codes.reindex(venues.index)
    venues = gpd.GeoDataFrame(venues, geometry=points[ok], crs=CRS)
    venues = venues[list(VENUE_COLUMNS)]
    venues["location_flag"] = flags.reindex(venues.index)
    venues["location_source"] = source[ok]
    remapped = (declared != harmonised).fillna(False) | code_reasons.notna()
    venues["code_insee_declared"] = declared.where(remapped).reindex(venues.index)
    if keep_duplicates:
        venues["duplicate_flag"] = doubles[ok]
    if "opened_flag" in raw.columns:
        venues["opened_flag"] = raw["opened_flag"].astype("string")[ok]
    return venues.reset_index(drop=True), _rejected(raw, reasons)


CODE_FROM_POINT = "code INSEE inconnu, commune prise au point"
"""Start of the ``location_flag`` of a venue whose declared code is unknown but point good."""


def _with_coordinates(raw: pd.DataFrame) -> pd.DataFrame:
    """Add empty ``latitude`` / ``longitude`` to a census that gives only communes."""
    for column in ("latitude", "longitude"):
        if column not in raw.columns:
            raw = raw.assign(**{column: pd.Series(pd.NA, index=raw.index, dtype="string")})
    return raw


def _declared_codes(raw: pd.DataFrame, current: pd.Index) -> tuple[pd.Series, ...]:
    """Codes as declared, harmonised to the current COG, and the reasons for unknown ones."""
    declared = (
        normalise_codes(raw["code_insee"])
        if "code_insee" in raw.columns
        else pd.Series(pd.NA, index=raw.index, dtype="string")
    )
    harmonised = harmonise_codes(declared, current=current)
    return declared, harmonised, unknown_code_reasons(declared, harmonised)


def _row_names(raw: pd.DataFrame) -> pd.Series:
    """``"ligne N"`` of each row in its file, with the file's name for a census of several."""
    rows = raw["file_row"] if "file_row" in raw.columns else pd.Series(raw.index + 1, raw.index)
    names = "ligne " + rows.astype("string")
    if "file" in raw.columns and (raw["file"] != raw["file"].iloc[0]).any():
        names = names + " de " + raw["file"].astype("string")
    return names


def _reader_reasons(raw: pd.DataFrame) -> pd.Series:
    """Reasons found while reading: a GoGoCarto place deleted, x/y that are not numbers."""
    reasons = pd.Series(pd.NA, index=raw.index, dtype="string")
    for column in ("reject_reason", "xy_reason"):
        if column in raw.columns:
            reasons = reasons.fillna(raw[column].astype("string"))
    return reasons


def reason_category(reason: str) -> str:
    """Return the category of a rejection reason: the reason without its quoted values.

    Parameters
    ----------
    reason : str
        A rejection reason.

    Returns
    -------
    str
        The reason less parentheses and quoted values, to count rows by reason.

    Examples
    --------
    >>> reason_category("unknown INSEE code '99999'")
    'unknown INSEE code'
    """
    text = re.sub(r"\s*\(.*\)", "", reason)
    return re.sub(r"\s*'[^']*'", "", text).strip()


def summarise_rejections(rejected: pd.DataFrame, *, total: int, source: str, first: int = 5) -> str:
    """Describe rejected rows in one message: counts by reason and the first rows.

    Parameters
    ----------
    rejected : pandas.DataFrame
        Rejected rows (``row``, ``venue_id``, ``reason``).
    total : int
        Number of input rows.
    source : str
        What was read, for the message.
    first : int
        How many rows to quote.

    Returns
    -------
    str
        The message.

    Examples
    --------
    >>> rej = pd.DataFrame({"row": [3, 7], "venue_id": ["a", "b"],
    ...     "reason": ["unknown INSEE code '99999'", "missing coordinates"]})
    >>> print(summarise_rejections(rej, total=10, source="t.csv"))
    t.csv: 2 of 10 rows rejected (missing coordinates: 1, unknown INSEE code: 1). First rows: row 3 (venue_id 'a'): unknown INSEE code '99999'; row 7 (venue_id 'b'): missing coordinates. Fix them, or pass errors='report' to get (venues, rejected).
    """
    counts = rejected["reason"].map(reason_category).value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    by_reason = ", ".join(f"{r}: {n}" for r, n in counts.items())
    rows = "; ".join(
        f"row {r.row} (venue_id {r.venue_id!r}): {r.reason}"
        for r in rejected.head(first).itertuples()
    )
    return (
        f"{source}: {len(rejected)} of {total} rows rejected ({by_reason}). First rows: {rows}. "
        "Fix them, or pass errors='report' to get (venues, rejected)."
    )


def _tied_to_area(rejected: pd.DataFrame, area: gpd.GeoDataFrame, buffer_m: float) -> pd.Series:
    """Tell which rejected rows concern the area: code in it, point near it, or unplaceable."""
    codes = harmonise_codes(normalise_codes(rejected["code_insee"]))
    in_area = codes.isin(area.index).fillna(False).to_numpy()
    lon, lat = (values.to_numpy() for values in parse_coordinates(rejected))
    usable = in_france(lon, lat)
    near = usable.copy()
    if usable.any():
        pts = gpd.GeoSeries(gpd.points_from_xy(lon[usable], lat[usable]), crs="EPSG:4326")
        hits = area.sindex.query(pts.to_crs(area.crs), predicate="dwithin", distance=buffer_m)
        flags = pd.Series(False, index=range(usable.sum()))
        flags[hits[0]] = True
        near[usable] = flags.to_numpy()
    unplaceable = codes.isna().to_numpy() & ~usable
    return pd.Series(in_area | near | unplaceable, index=rejected.index)


def select_venues(
    venues: gpd.GeoDataFrame, rejected: pd.DataFrame, area: gpd.GeoDataFrame, *, buffer_km: float
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Keep the venues of ``area`` and those within ``buffer_km`` outside it.

    Venues outside the border serve the border communes. A venue is in the area when its
    ``code_insee`` is one of the area's communes.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Accepted venues (:func:`validate_venues`).
    rejected : pandas.DataFrame
        Rejected rows; those tied to the area are kept (code in it, point near it, or
        neither code nor point usable).
    area : geopandas.GeoDataFrame
        Communes of the area, indexed by ``code_insee``, EPSG:2154.
    buffer_km : float
        Width of the band outside the border, in kilometres.

    Returns
    -------
    venues : geopandas.GeoDataFrame
        The selected venues plus an ``in_area`` boolean column; ``attrs["outside_selection"]``
        counts the venues left out.
    rejected : pandas.DataFrame
        The rejected rows that concern the area.
    """
    buffer_m = float(buffer_km) * 1000.0
    in_area = venues["code_insee"].isin(area.index).to_numpy()
    hits = area.sindex.query(venues.geometry.to_numpy(), predicate="dwithin", distance=buffer_m)
    near = pd.Series(False, index=range(len(venues)))
    near[hits[0]] = True
    keep = in_area | near.to_numpy()
    selected = venues[keep].copy()
    selected["in_area"] = pd.array(in_area[keep], dtype="boolean")
    logger.info(
        "area selection: %d venues in the area, %d within %s km outside, %d elsewhere",
        int(in_area.sum()),
        int((keep & ~in_area).sum()),
        buffer_km,
        int((~keep).sum()),
    )
    selected.attrs["outside_selection"] = int((~keep).sum())
    tied = _tied_to_area(rejected, area, buffer_m)
    return selected.reset_index(drop=True), rejected[tied].reset_index(drop=True)
