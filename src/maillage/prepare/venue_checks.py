"""Row checks of a venue census: each bad row gets a reason, never a silent drop.

Every check takes the raw table (see :mod:`maillage.load.census_readers`) and returns a
Series of reasons indexed like it (NA where the row passes). :func:`first_reasons`
keeps the first reason of each row. Checks in order: missing id, missing or unparsable
coordinates, latitude and longitude swapped, point outside France, duplicate id, unknown
INSEE code.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"latitude": ["45.1", "2.3", None, "x"],
...                     "longitude": ["-0.5", "48.8", "1", "1"]})
>>> lon, lat = parse_coordinates(raw)
>>> coordinate_reasons(raw, lon, lat).tolist()
[<NA>, 'latitude and longitude swapped', 'missing coordinates', "unparsable coordinates (latitude 'x', longitude '1')"]
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.prepare.venue_coords import PROJECTED_REASON, looks_projected

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "DUPLICATE_REASON",
    "FRANCE_BOXES",
    "MAX_DISTANCE_FROM_COMMUNE_M",
    "coordinate_reasons",
    "duplicate_reasons",
    "first_reasons",
    "in_france",
    "nearest_commune",
    "outside_france_reasons",
    "parse_coordinates",
    "same_place_reasons",
]

FRANCE_BOXES: dict[str, tuple[float, float, float, float]] = {
    # territory: (lon min, lat min, lon max, lat max), WGS84, a little wider than the land
    "metro": (-5.3, 41.3, 9.6, 51.15),
    "971": (-61.9, 15.8, -60.95, 16.55),  # Guadeloupe
    "972": (-61.25, 14.35, -60.8, 14.9),  # Martinique
    "973": (-54.65, 2.1, -51.5, 5.8),  # Guyane
    "974": (55.2, -21.4, 55.85, -20.85),  # La Réunion
    "976": (44.95, -13.05, 45.35, -12.6),  # Mayotte
    "975": (-56.45, 46.7, -56.1, 47.15),  # Saint-Pierre-et-Miquelon
    "977": (-62.95, 17.85, -62.78, 17.98),  # Saint-Barthélemy
    "978": (-63.17, 18.03, -62.96, 18.13),  # Saint-Martin (French part)
}
"""Bounding boxes of France: metropolitan, the DROM, and the COM that have INSEE codes."""

MAX_DISTANCE_FROM_COMMUNE_M = 20_000.0
"""A point farther than this from every commune polygon is outside France."""


def _blank(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.isna() | (text == "")


def missing_id_reasons(raw: pd.DataFrame) -> pd.Series:
    """Return "missing venue_id" for rows without an id.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table with ``venue_id``.

    Returns
    -------
    pandas.Series
        Reasons (string, NA where the row passes).
    """
    blank = _blank(raw["venue_id"])
    return pd.Series(pd.NA, index=raw.index, dtype="string").mask(blank, "missing venue_id")


def _to_float(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype(float)


def parse_coordinates(raw: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return longitude and latitude as floats (NaN when missing or unparsable).

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table with ``latitude`` and ``longitude`` (text or numbers;
        a decimal comma is accepted).

    Returns
    -------
    lon, lat : pandas.Series
        Floats indexed like ``raw``.
    """
    return _to_float(raw["longitude"]), _to_float(raw["latitude"])


def in_france(lon: pd.Series | np.ndarray, lat: pd.Series | np.ndarray) -> np.ndarray:
    """Tell which points fall in a bounding box of :data:`FRANCE_BOXES`.

    Parameters
    ----------
    lon, lat : array-like
        WGS84 coordinates.

    Returns
    -------
    numpy.ndarray
        Boolean mask.

    Examples
    --------
    >>> in_france([-0.58, 2.35, -61.5, 13.4], [44.84, 48.86, 16.2, 52.5]).tolist()
    [True, True, True, False]
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    inside = np.zeros(lon.shape, dtype=bool)
    for x0, y0, x1, y1 in FRANCE_BOXES.values():
        inside |= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    return inside


def coordinate_reasons(raw: pd.DataFrame, lon: pd.Series, lat: pd.Series) -> pd.Series:
    """Return a reason for missing, unparsable, projected, swapped or out-of-France coordinates.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table (for the text of unparsable values and ``geom_type``).
    lon, lat : pandas.Series
        Parsed coordinates (:func:`parse_coordinates`).

    Returns
    -------
    pandas.Series
        Reasons (string, NA where the row passes).
    """
    reasons = pd.Series(pd.NA, index=raw.index, dtype="string")
    if "geom_type" in raw.columns:
        not_point = raw["geom_type"].notna()
        reasons = reasons.mask(not_point, "geometry is not a point: " + raw["geom_type"])
    missing = _blank(raw["latitude"]) | _blank(raw["longitude"])
    reasons = reasons.fillna(reasons.mask(missing, "missing coordinates"))
    bad = (lon.isna() | lat.isna()) & reasons.isna()
    for i, (text_lat, text_lon) in raw.loc[bad, ["latitude", "longitude"]].iterrows():
        reasons[i] = f"unparsable coordinates (latitude {text_lat!r}, longitude {text_lon!r})"

    projected = looks_projected(lat, lon) & reasons.isna()
    for i in raw.index[projected.to_numpy()]:
        reasons[i] = PROJECTED_REASON.format(lat=lat[i], lon=lon[i])
    ok = reasons.isna().to_numpy()
    given = in_france(lon, lat)
    swapped = ~given & in_france(lat, lon)
    reasons[ok & swapped] = "latitude and longitude swapped"
    reasons[ok & ~given & ~swapped] = "point outside France"
    return reasons


def nearest_commune(
    points: gpd.GeoSeries, communes: gpd.GeoDataFrame, checked: pd.Series | None = None
) -> pd.DataFrame:
    """Code of the nearest commune polygon of each point and its distance (0: inside).

    One query for all points: those inside a polygon are found by a "within" query on the
    spatial index; only the others (on a border, at sea) need a nearest-polygon search.
    The time grows linearly with the number of points.

    Parameters
    ----------
    points : geopandas.GeoSeries
        The points to place, in the polygons' CRS.
    communes : geopandas.GeoDataFrame
        The polygons, indexed by ``code_insee``.
    checked : pandas.Series, optional
        Which points to place; the others get NA and an infinite distance.

    Returns
    -------
    pandas.DataFrame
        ``code`` (string, NA) and ``distance_m`` (float, ``inf`` when not placed), indexed
        like ``points``.
    """
    codes = np.full(len(points), None, dtype=object)
    distance = np.full(len(points), np.inf)
    todo = np.ones(len(points), bool) if checked is None else checked.to_numpy(dtype=bool)
    wanted = np.flatnonzero(todo)
    if len(wanted):
        geoms = points.to_numpy()[wanted]
        index = communes.index.to_numpy()
        rows, polys = communes.sindex.query(geoms, predicate="within")
        first = ~pd.Series(rows).duplicated().to_numpy()
        codes[wanted[rows[first]]] = index[polys[first]]
        distance[wanted[rows[first]]] = 0.0
        rest = np.flatnonzero(pd.isna(codes[wanted]))
        pairs, dist = communes.sindex.nearest(geoms[rest], return_distance=True)
        first = ~pd.Series(pairs[0]).duplicated().to_numpy()
        found = wanted[rest[pairs[0][first]]]
        codes[found] = index[pairs[1][first]]
        distance[found] = dist[first]
    code = pd.array(codes, dtype="string")
    return pd.DataFrame({"code": code, "distance_m": distance}, index=points.index)


def outside_france_reasons(
    points: gpd.GeoSeries,
    communes: gpd.GeoDataFrame,
    checked: pd.Series,
    *,
    near: pd.DataFrame | None = None,
    lonlat: tuple[pd.Series, pd.Series] | None = None,
) -> pd.Series:
    """Reject points farther than 20 km from every commune polygon.

    Only points whose territory has polygons in ``communes`` are tested (a frame of
    metropolitan communes cannot judge a point in La Réunion).

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points in the CRS of ``communes``.
    communes : geopandas.GeoDataFrame
        Commune polygons indexed by ``code_insee``.
    checked : pandas.Series
        Boolean mask of the points to test (the others get NA).
    near : pandas.DataFrame, optional
        :func:`nearest_commune` of the points, when already computed.
    lonlat : tuple of pandas.Series, optional
        The points' WGS84 longitude and latitude, when already known.

    Returns
    -------
    pandas.Series
        Reasons (string, NA where the row passes).
    """
    reasons = pd.Series(pd.NA, index=points.index, dtype="string")
    if lonlat is None:
        wgs84 = points.to_crs("EPSG:4326")
        lonlat = (wgs84.x, wgs84.y)
    lon, lat = (np.asarray(values, dtype=float) for values in lonlat)
    testable = checked.to_numpy() & _has_polygons(lon, lat, communes.index)
    if not testable.any():
        return reasons
    if near is None:
        near = nearest_commune(points, communes, pd.Series(testable, index=points.index))
    far = testable & (near["distance_m"].to_numpy() > MAX_DISTANCE_FROM_COMMUNE_M)
    reasons[far] = "point outside France (more than 20 km from any French commune)"
    return reasons


def _has_polygons(lon: np.ndarray, lat: np.ndarray, codes: pd.Index) -> np.ndarray:
    """Tell which points lie in a territory that ``codes`` covers."""
    covered = np.zeros(lon.shape, dtype=bool)
    prefixes = set(pd.Index(codes).astype(str).str[:3])
    for name, (x0, y0, x1, y1) in FRANCE_BOXES.items():
        has = (
            bool(prefixes - {p for p in prefixes if p.startswith("97")})
            if name == "metro"
            else (name in prefixes)
        )
        if has:
            covered |= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    return covered


def duplicate_reasons(raw: pd.DataFrame, candidates: pd.Series) -> pd.Series:
    """Reject every repeat of a ``venue_id`` among the candidate rows; the first stays.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table with ``venue_id``.
    candidates : pandas.Series
        Boolean mask of the rows still accepted.

    Returns
    -------
    pandas.Series
        Reasons naming the row of the first occurrence (NA where the row passes).
    """
    reasons = pd.Series(pd.NA, index=raw.index, dtype="string")
    ids = raw.loc[candidates, "venue_id"].astype("string").str.strip()
    repeats = ids[ids.duplicated(keep="first")]
    first = ids[~ids.duplicated(keep="first")]
    first_row = pd.Series(first.index, index=first.to_numpy())
    for i, value in repeats.items():
        reasons[i] = f"duplicate venue_id {value!r} (first at row {first_row[value]})"
    return reasons


DUPLICATE_REASON = "doublon du même nom au même lieu"
"""Reason (and category) of a row that repeats a venue of the census."""


def same_place_reasons(
    names: pd.Series, points: gpd.GeoSeries, candidates: pd.Series, *, rows: pd.Series
) -> pd.Series:
    """Reject every repeat of a venue: same name once normalised, same point to 1 metre.

    Parameters
    ----------
    names : pandas.Series
        Venue names.
    points : geopandas.GeoSeries
        Points in a metric CRS (Lambert-93).
    candidates : pandas.Series
        Boolean mask of the rows still accepted.
    rows : pandas.Series
        How to name each row in a reason (``"ligne 12"``, ``"ligne 12 de x.csv"``).

    Returns
    -------
    pandas.Series
        ``"doublon du même nom au même lieu (ligne N)"`` (the row of the first one) on
        every repeat, NA elsewhere and on the first occurrence.
    """
    reasons = pd.Series(pd.NA, index=names.index, dtype="string")
    mask = candidates.to_numpy(dtype=bool)
    if not mask.any():
        return reasons
    key = names[mask].astype("string").map(_plain_name, na_action="ignore").fillna("")
    chosen = points[mask]
    table = pd.DataFrame(
        {"key": key, "x": np.round(chosen.x.to_numpy()), "y": np.round(chosen.y.to_numpy())},
        index=names.index[mask],
    )
    repeats = table.duplicated(keep="first")
    if repeats.any():
        first = table.reset_index().groupby(["key", "x", "y"])["index"].transform("first")
        first.index = table.index
        quoted = rows.astype("string").reindex(first[repeats].to_numpy()).to_numpy()
        text = DUPLICATE_REASON + " (" + pd.Series(quoted, index=first[repeats].index) + ")"
        reasons[repeats[repeats].index] = text
    return reasons


def _plain_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def first_reasons(*reasons: pd.Series) -> pd.Series:
    """Combine reason Series, keeping the first non-NA reason of each row.

    Parameters
    ----------
    *reasons : pandas.Series
        Reason Series indexed alike.

    Returns
    -------
    pandas.Series
        First reason per row.

    Examples
    --------
    >>> a = pd.Series([pd.NA, "x", pd.NA], dtype="string")
    >>> b = pd.Series(["y", "z", pd.NA], dtype="string")
    >>> first_reasons(a, b).tolist()
    ['y', 'x', <NA>]
    """
    out = reasons[0].astype("string")
    for more in reasons[1:]:
        out = out.fillna(more.astype("string"))
    return out
