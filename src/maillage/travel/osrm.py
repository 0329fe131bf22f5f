"""OSRMModel: car times from OSRM itself (a TravelTimeModel).

OSRM (Open Source Routing Machine) is the engine behind INSEE's Metric-OSRM, the official
French method for access times. :meth:`OSRMModel.from_osm` prepares OpenStreetMap
extracts once with the executables of the ``osrm-bindings`` wheel (cached, see
:mod:`maillage.travel.osrm_build`); queries then go through OSRM's ``Table`` service, in
blocks of at most :data:`TABLE_CELLS` cells, so the times are OSRM's own.

Examples
--------
>>> from maillage.sources import fetch
>>> model = OSRMModel.from_osm(fetch("osm-saint-barthelemy-2015")[0])
>>> info = model.describe()
>>> info["model"], info["engine"], info["profile"], info["algorithm"]
('OSRMModel', 'osrm', 'car', 'ch')
"""

from __future__ import annotations

import functools
import shutil
import weakref
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pyproj import Transformer

from maillage.errors import NetworkError
from maillage.travel.engine import PairQuery, check_positive
from maillage.travel.graph.snap import ACCESS_SPEED_KPH, TRIP_DEFINITION
from maillage.travel.network import DEFAULT_MAX_SNAP_M, NetworkEngine
from maillage.travel.osrm_build import (
    SMALL_COMPONENT_SIZE,
    PreparedOSRM,
    check_algorithm,
    osrm_module,
    osrm_version,
    prepare_osrm,
)
from maillage.travel.protocol import check_same_crs, placed_xy

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Sequence

    import geopandas as gpd

__all__ = ["TABLE_CELLS", "OSRMModel"]

TABLE_CELLS = 1_000_000
"""Largest number of origin x destination cells asked of OSRM in one ``Table`` call."""

_MAX_COLUMNS = 1_000  # destinations per call: a call searches backwards from each of them


@functools.cache
def _to_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(crs, 4326, always_xy=True)


def _lonlat(points: gpd.GeoSeries, *, name: str) -> np.ndarray:
    """WGS84 coordinates of points in a working CRS; NaN rows for missing or impossible points."""
    xy = placed_xy(points, name=name)  # checks the CRS is one of schema.WORKING_CRS
    lon, lat = _to_wgs84(points.crs.to_string()).transform(xy[:, 0], xy[:, 1])
    lonlat = np.column_stack([lon, lat]).astype(float).reshape(-1, 2)
    bad = ~np.isfinite(lonlat).all(axis=1)
    bad[~bad] |= (np.abs(lonlat[~bad, 0]) > 180) | (np.abs(lonlat[~bad, 1]) > 85)
    lonlat[bad] = np.nan
    return lonlat


class OSRMModel(NetworkEngine):
    """Car times computed by OSRM; implements :class:`maillage.TravelTimeModel`.

    Build it with :meth:`from_osm`. OSRM places each point on the nearest road segment it
    can route from (it skips tiny disconnected pieces of road when a larger one is near);
    a point farther than ``max_snap_m`` from that spot is unplaced (NaN time, listed by
    :meth:`unplaced`). A trip's time follows maillage's definition of a car trip (the same
    in every engine, :mod:`maillage.travel.graph.snap`): OSRM's duration between the
    snapped spots (tenths of a second) plus an access leg at each end, the straight-line
    distance between the point and its spot at ``access_speed_kph`` (15 km/h,
    :data:`~maillage.travel.graph.snap.ACCESS_SPEED_KPH`). Unreachable pairs (e.g. an island
    without ferry) are ``inf``.

    OSRM works in longitude and latitude: points may be in any working CRS (Lambert-93 or
    an overseas région's, :data:`maillage.schema.WORKING_CRS`), origins and destinations
    in the same one; the model itself has no CRS.

    Parameters
    ----------
    base : path
        Base path of prepared OSRM files (``.../network.osrm``), as written by
        :func:`maillage.travel.osrm_build.prepare_osrm`.
    algorithm : {"ch", "mld"}, default "ch"
        Algorithm the files were prepared for.
    max_snap_m : float, default 2000
        Largest distance between a point and the spot where OSRM places it, metres (the
        default of :class:`~maillage.travel.graph.RoadNetwork`).
    access_speed_kph : float or None, default 15
        Speed of the access leg between each end and its snapped spot, km/h, as in
        :class:`~maillage.travel.graph.RoadNetwork`; ``None`` gives OSRM's durations alone
        (as INSEE's Metric-OSRM reports them), which is not maillage's definition of a trip.
    source : dict, optional
        Build metadata (files, sha256, profile, OSRM version), reported by :meth:`describe`.

    Notes
    -----
    Every query asks OSRM for the full table between the placed origins and destinations,
    in blocks (:data:`TABLE_CELLS`); :meth:`nearest` keeps each row's minimum, so it is
    exact, and its cost grows with origins x destinations (about 1 µs a cell with
    ``"ch"`` on a 2-core machine). :meth:`od_table` with ``served_by`` asks one
    nearest-venue table first, then the table of the origins left only.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from maillage.sources import fetch
    >>> model = OSRMModel.from_osm(fetch("osm-saint-barthelemy-2015")[0])
    >>> homes = gpd.GeoSeries.from_xy([-62.85, -62.80], [17.90, 17.91], index=["h1", "h2"],
    ...                               crs=4326).to_crs(2154)
    >>> venues = gpd.GeoSeries.from_xy([-62.83], [17.90], index=["v1"], crs=4326).to_crs(2154)
    >>> near = model.nearest(homes, venues)
    >>> near["dest_id"].tolist(), bool(near["travel_time_s"].between(60, 1800).all())
    (['v1', 'v1'], True)
    >>> model.nearest(homes.to_crs(5490), venues.to_crs(5490)).equals(near)  # UTM zone 20N
    True
    >>> table = model.od_table(homes, venues, max_time_s=3600)
    >>> table["origin_id"].tolist(), bool((table["travel_time_s"] <= 3600).all())
    (['h1', 'h2'], True)
    >>> paris = gpd.GeoSeries.from_xy([652_000], [6_862_000], index=["paris"], crs=2154)
    >>> list(model.unplaced(paris))
    ['paris']
    """

    _network_name = "OSRM road network"

    def __init__(
        self,
        base: Path | str | os.PathLike[str],
        *,
        algorithm: str = "ch",
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        access_speed_kph: float | None = ACCESS_SPEED_KPH,
        source: dict[str, object] | None = None,
    ) -> None:
        self._base = Path(base)
        self._algorithm = check_algorithm(algorithm)
        self._max_snap_m = check_positive("max_snap_m", max_snap_m)
        self._access_kph = (
            None
            if access_speed_kph is None
            else check_positive("access_speed_kph", access_speed_kph)
        )
        self._source = dict(source or {})

    @classmethod
    def from_osm(
        cls,
        paths: Path | str | Sequence[Path | str],
        *,
        profile: str | os.PathLike[str] = "car",
        algorithm: str = "ch",
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        access_speed_kph: float | None = ACCESS_SPEED_KPH,
        small_component_size: int = SMALL_COMPONENT_SIZE,
        cache: bool = True,
    ) -> OSRMModel:
        """Prepare OpenStreetMap extract(s) for OSRM (once, cached) and open them.

        Parameters
        ----------
        paths : path or sequence of paths
            ``.osm.pbf`` extract(s); overlapping extracts are merged, each object once.
        profile : str or path, default "car"
            OSRM profile: ``"car"`` (the stock ``car.lua``), ``"bicycle"``, ``"foot"`` or
            the path of a Lua profile.
        algorithm : {"ch", "mld"}, default "ch"
            Contraction hierarchies (fastest tables) or multi-level Dijkstra; both give
            the same times.
        max_snap_m : float, default 2000
            Largest distance between a point and the road, metres.
        access_speed_kph : float or None, default 15
            Speed of the access leg between each end and its road, km/h (class
            Parameters); ``None``: OSRM's durations alone.
        small_component_size : int, default 1000
            Pieces of the road network with fewer nodes are skipped when a point is placed,
            if a larger one is near (``osrm-extract --small-component-size``, see
            :data:`~maillage.travel.osrm_build.SMALL_COMPONENT_SIZE`); part of the cache key.
        cache : bool, default True
            Reuse and store the prepared files in ``options.cache_dir / "osrm"``, under a
            key of the files' SHA-256, the profile, the algorithm and the OSRM version.

        Returns
        -------
        OSRMModel
            The model, ready to answer queries.

        Raises
        ------
        NetworkError
            A file is missing, not a PBF, or OSRM cannot process it.
        MissingDependencyError
            ``osrm-bindings`` is not installed (an :class:`ImportError`; the message
            gives the install command).
        OptionError
            Unknown profile or algorithm.

        Examples
        --------
        >>> from maillage.sources import fetch
        >>> model = OSRMModel.from_osm(fetch("osm-saint-barthelemy-2015")[0], algorithm="mld")
        >>> model.describe()["file"]
        'saint_barthelemy.osm.pbf'
        """
        prepared: PreparedOSRM = prepare_osrm(
            paths,
            profile=profile,
            algorithm=algorithm,
            small_component_size=small_component_size,
            cache=cache,
        )
        model = cls(
            prepared.base,
            algorithm=algorithm,
            max_snap_m=max_snap_m,
            access_speed_kph=access_speed_kph,
            source=prepared.meta,
        )
        if prepared.temporary:  # an uncached build lives as long as its model
            weakref.finalize(model, shutil.rmtree, prepared.base.parent, ignore_errors=True)
        return model

    @cached_property
    def _engine(self) -> object:
        osrm = osrm_module()
        try:
            return osrm.OSRM(
                storage_config=str(self._base),
                algorithm=self._algorithm.upper(),
                use_shared_memory=False,
            )
        except RuntimeError as exc:
            msg = f"OSRM cannot open the prepared files {self._base}: {exc}"
            raise NetworkError(msg) from exc

    def describe(self) -> dict[str, object]:
        """Return the model name, engine, OSRM version, profile, algorithm and sources.

        Returns
        -------
        dict
            ``model`` ("OSRMModel"), ``engine`` ("osrm"), ``label_fr``, ``sources``, source
            file(s) and sha256 (joined with `` + `` when several), ``profile``,
            ``algorithm``, ``osrm_version``, ``max_snap_m``, ``access_speed_kph`` and
            ``trip_definition`` (maillage's definition of a car trip, or what differs).

        Examples
        --------
        >>> from maillage.sources import fetch
        >>> info = OSRMModel.from_osm(fetch("osm-saint-barthelemy-2015")[0]).describe()
        >>> info["sha256"][:8], info["max_snap_m"], info["osrm_version"] == osrm_version()
        ('ec1be5c5', 2000.0, True)
        """
        version = str(self._source.get("osrm_version") or osrm_version())
        profile = self._source.get("profile")
        return {
            "model": "OSRMModel",
            "engine": "osrm",
            "label_fr": f"OSRM {version}, profil « {profile} » (itinéraire le plus rapide)",
            "sources": [
                "© OpenStreetMap contributors (ODbL 1.0)",
                f"OSRM {version} (Project OSRM, osrm-backend), profil {profile}.lua d'origine "
                "(moteur de Metric-OSRM, la méthode de l'Insee pour les temps d'accès)",
            ],
            "file": self._source.get("file"),
            "sha256": self._source.get("sha256"),
            "profile": profile,
            "profile_sha256": self._source.get("profile_sha256"),
            "algorithm": self._algorithm,
            "osrm_version": version,
            "max_snap_m": self._max_snap_m,
            "small_component_size": self._source.get("small_component_size"),
            "access_speed_kph": self._access_kph,
            "trip_definition": (
                TRIP_DEFINITION
                if self._access_kph == ACCESS_SPEED_KPH
                else f"{TRIP_DEFINITION}; here the access legs are "
                + ("left out" if self._access_kph is None else f"at {self._access_kph:g} km/h")
            ),
        }

    # -- OSRM calls --------------------------------------------------------------------

    def _call(
        self, sources: np.ndarray, destinations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One ``Table`` call: durations (inf when unreachable) and both snap distances."""
        osrm = osrm_module()
        n_src = len(sources)
        coordinates = [tuple(pair) for pair in np.vstack([sources, destinations]).tolist()]
        params = osrm.TableParameters(
            coordinates=coordinates,
            sources=list(range(n_src)),
            destinations=list(range(n_src, len(coordinates))),
            annotations=["duration"],
            generate_hints=False,
        )
        try:
            result = self._engine.Table(params)  # type: ignore[attr-defined]
        except RuntimeError as exc:
            msg = f"OSRM table of {n_src} x {len(destinations)} points failed: {exc}"
            raise NetworkError(msg) from exc
        rows = [list(row) for row in result["durations"]]
        times = np.array(rows, dtype=float).reshape(n_src, len(destinations))
        times[np.isnan(times)] = np.inf  # OSRM gives null for unreachable pairs
        snap_src = np.array([w["distance"] for w in result["sources"]], dtype=float)
        snap_dst = np.array([w["distance"] for w in result["destinations"]], dtype=float)
        return times, snap_src, snap_dst

    def _snap_m(self, lonlat: np.ndarray) -> np.ndarray:
        """Distance from each point to where OSRM places it (inf for NaN rows)."""
        out = np.full(len(lonlat), np.inf)
        valid = np.flatnonzero(~np.isnan(lonlat[:, 0]))
        step = max(1, TABLE_CELLS // 100)
        for start in range(0, len(valid), step):
            rows = valid[start : start + step]
            _, snap, _ = self._call(lonlat[rows], lonlat[rows[:1]])
            out[rows] = snap
        return out

    def _blocks(
        self, origins: np.ndarray, destinations: np.ndarray
    ) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
        """Yield (rows, times of those rows to every destination, rows' snap distances).

        Times are OSRM's durations, plus both access legs when ``access_speed_kph`` is set.
        """
        n_dest = len(destinations)
        width = min(n_dest, _MAX_COLUMNS)
        height = max(1, TABLE_CELLS // max(width, 1))
        for start in range(0, len(origins), height):
            rows = slice(start, min(start + height, len(origins)))
            parts, snap = [], np.empty(0)
            for col in range(0, n_dest, width):
                times, snap, snap_dst = self._call(origins[rows], destinations[col : col + width])
                if self._access_kph is not None:  # both ends pay their access leg
                    times += (snap[:, None] + snap_dst[None, :]) / (self._access_kph / 3.6)
                parts.append(times)
            yield rows, np.hstack(parts), snap

    def _placed(
        self, points: gpd.GeoSeries, *, name: str, warn: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates and positions of the destination-like points OSRM places."""
        self._refuse_empty(points, name=name)
        lonlat = _lonlat(points, name=name)
        placed = self._keep_placed(
            points, self._snap_m(lonlat) <= self._max_snap_m, name=name, warn=warn
        )
        return lonlat[placed], placed

    def _min_times(
        self, origins: np.ndarray, destinations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per origin row: shortest time and its destination (NaN and -1 when unplaced)."""
        best = np.full(len(origins), np.nan)
        which = np.full(len(origins), -1)
        for rows, times, snap in self._blocks(origins, destinations):
            col = times.argmin(axis=1)
            time_s = times[np.arange(len(col)), col]
            ok = snap <= self._max_snap_m
            best[rows] = np.where(ok, time_s, np.nan)
            which[rows] = np.where(ok & np.isfinite(time_s), col, -1)
        return best, which

    # -- TravelTimeModel ---------------------------------------------------------------

    def _placed_mask(self, points: gpd.GeoSeries) -> np.ndarray:
        """Return, per point, whether OSRM places it within ``max_snap_m``."""
        return self._snap_m(_lonlat(points, name="points")) <= self._max_snap_m

    def time_matrix(self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> pd.DataFrame:
        """Return the full table of times, seconds: origins as rows, destinations as columns.

        Parameters
        ----------
        origins, destinations : geopandas.GeoSeries
            Points in one working CRS.

        Returns
        -------
        pandas.DataFrame
            ``inf`` for unreachable pairs; NaN rows and columns for unplaced points.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from maillage.sources import fetch
        >>> model = OSRMModel.from_osm(fetch("osm-saint-barthelemy-2015")[0])
        >>> pts = gpd.GeoSeries.from_xy([-62.85, -62.83], [17.90, 17.90], index=["a", "b"],
        ...                             crs=4326).to_crs(2154)
        >>> table = model.time_matrix(pts, pts)
        >>> round(float(table.loc["a", "a"]), 1), bool(table.loc["a", "b"] > 60)  # a to a: two access legs
        (4.1, True)
        >>> bare = OSRMModel.from_osm(fetch("osm-saint-barthelemy-2015")[0], access_speed_kph=None)
        >>> float(bare.time_matrix(pts, pts).loc["a", "a"])  # OSRM's duration alone
        0.0
        """
        out = np.full((len(origins), len(destinations)), np.nan)
        dest_ll, dest_pos = self._placed(destinations, name="destinations", warn=False)
        origin_ll = _lonlat(origins, name="origins")
        check_same_crs(origins, destinations)  # each is in a working CRS: the same one?
        valid = np.flatnonzero(~np.isnan(origin_ll[:, 0]))
        if len(dest_pos):
            for rows, times, snap in self._blocks(origin_ll[valid], dest_ll):
                ok = snap <= self._max_snap_m
                out[np.ix_(valid[rows][ok], dest_pos)] = times[ok]
        return pd.DataFrame(out, index=origins.index, columns=destinations.index)

    def _table_inputs(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Check a nearest query; return the placed destinations and the origins' coordinates.

        ``(destination lon/lat, their positions, origin lon/lat, rows of the valid origins)``.
        """
        if max_time_s is not None:
            check_positive("max_time_s", max_time_s)
        dest_ll, dest_pos = self._placed(destinations, name="destinations")
        origin_ll = _lonlat(origins, name="origins")
        check_same_crs(origins, destinations)  # each is in a working CRS: the same one?
        return dest_ll, dest_pos, origin_ll, np.flatnonzero(~np.isnan(origin_ll[:, 0]))

    def _nearest_positions(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return each row's minimum of OSRM's full table and its destination's position."""
        dest_ll, dest_pos, origin_ll, valid = self._table_inputs(origins, destinations, max_time_s)
        total = np.full(len(origins), np.nan)
        which = np.full(len(origins), -1)
        total[valid], which[valid] = self._min_times(origin_ll[valid], dest_ll)
        self._check_origins(origins, int((~np.isnan(total)).sum()))
        return self._within(total, np.where(which >= 0, dest_pos[which], -1), max_time_s)

    def _nearest_k_positions(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, k: int, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each row's k least times of OSRM's full table, and their destinations' positions."""
        dest_ll, dest_pos, origin_ll, valid = self._table_inputs(origins, destinations, max_time_s)
        total = np.full((len(origins), k), np.nan)
        which = np.full((len(origins), k), -1)
        reach = min(k, len(dest_pos))
        for rows, times, snap in self._blocks(origin_ll[valid], dest_ll):
            col = np.argsort(times, axis=1, kind="stable")[:, :reach]
            ok = snap <= self._max_snap_m
            at = valid[rows][ok]
            total[at] = np.inf
            found = np.take_along_axis(times, col, axis=1)[ok]
            total[at, :reach] = found
            which[at, :reach] = np.where(np.isfinite(found), dest_pos[col[ok]], -1)
        self._check_origins(origins, int((~np.isnan(total[:, 0])).sum()))
        for j in range(k):
            total[:, j], which[:, j] = self._within(total[:, j], which[:, j], max_time_s)
        return total, which

    def _unserved(
        self, origin_ll: np.ndarray, served_by: gpd.GeoSeries, max_time_s: float
    ) -> np.ndarray:
        """Mask of the origin rows no ``served_by`` point reaches within ``max_time_s``."""
        if len(served_by) == 0:
            return np.ones(len(origin_ll), dtype=bool)
        venue_ll, _ = self._placed(served_by, name="served_by", warn=False)
        if len(venue_ll) == 0:
            return np.ones(len(origin_ll), dtype=bool)
        best, _ = self._min_times(origin_ll, venue_ll)
        return ~(best <= max_time_s)

    def _pair_positions(self, query: PairQuery) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the cells of OSRM's table within ``max_time_s``, by origin then time."""
        origins, destinations, _, served_by, _ = query
        max_time_s = check_positive("max_time_s", query.max_time_s)
        dest_ll, dest_pos = self._placed(destinations, name="destinations")
        origin_ll = _lonlat(origins, name="origins")
        check_same_crs(origins, destinations)  # each is in a working CRS: the same one?
        keep = np.flatnonzero(~np.isnan(origin_ll[:, 0]))
        if served_by is not None:
            keep = keep[self._unserved(origin_ll[keep], served_by, max_time_s)]
        origin_parts, dest_parts, time_parts = [], [], []
        n_placed = 0
        for rows, times, snap in self._blocks(origin_ll[keep], dest_ll):
            times[~(snap <= self._max_snap_m)] = np.inf
            n_placed += int((snap <= self._max_snap_m).sum())
            row, col = np.nonzero(times <= max_time_s)
            origin_parts.append(keep[rows][row])
            dest_parts.append(dest_pos[col])
            time_parts.append(times[row, col])
        if served_by is None:
            self._check_origins(origins, n_placed)
        return self._by_origin(
            np.concatenate([np.empty(0, dtype=np.int64), *origin_parts]),
            np.concatenate([np.empty(0, dtype=np.int64), *dest_parts]),
            np.concatenate([np.empty(0), *time_parts]),
        )

    def __repr__(self) -> str:
        name = self._source.get("file", self._base)
        return f"OSRMModel({name}, profile={self._source.get('profile')}, {self._algorithm})"
