"""Indicators by level and white zones, from a coverage result.

Pure functions of the frames :func:`maillage.coverage` returns.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.coverage import weighted_median
from maillage.errors import ColumnError, OptionError
from maillage.schema import CRS, check_columns

__all__ = ["indicators", "white_zones"]

logger = logging.getLogger(__name__)

_LEVELS = (None, "departement", "epci")
_COV_COLUMNS = ("population", "time_min", "population_within_threshold")


def _threshold(frame: pd.DataFrame, threshold_min: float | None) -> float:
    value = threshold_min if threshold_min is not None else frame.attrs.get("threshold_min")
    if value is None:
        msg = "threshold_min is not given and the frame has no .attrs['threshold_min']"
        raise OptionError(msg)
    return float(value)


def _row(
    communes: pd.DataFrame, units: pd.DataFrame, threshold_min: float
) -> dict[str, float | int]:
    """Return the indicators of one group (``units``: its origins, or its communes)."""
    t = units["time_min"].to_numpy(dtype=float)
    w = units["population"].to_numpy(dtype=float)
    total = float(w.sum())
    finite = np.isfinite(t)

    def share(limit: float) -> float:
        return float(w[t <= limit].sum() / total) if total > 0 else float("nan")

    white = ~(communes["time_min"].to_numpy(dtype=float) <= threshold_min)
    within = float(w[t <= threshold_min].sum())
    mean = float((t[finite] * w[finite]).sum() / w[finite].sum()) if w[finite].sum() > 0 else np.nan
    return {
        "communes": len(communes),
        "population": float(communes["population"].sum()),
        "share_10_min": share(10),
        "share_20_min": share(20),
        "share_30_min": share(30),
        "share_within_threshold": share(threshold_min),
        "population_within_threshold": within,
        "median_time_min": weighted_median(t, w),
        "mean_time_min": mean,
        "white_zone_communes": int(white.sum()),
        "white_zone_population": float(communes.loc[white, "population"].sum()),
    }


def indicators(
    communes_cov: gpd.GeoDataFrame,
    *,
    by: str | None = None,
    threshold_min: float | None = None,
    origins: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Access indicators for the whole area, or by département or EPCI.

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        From :func:`maillage.coverage`.
    by : {None, "departement", "epci"}
        Level; ``None`` gives one row for the whole area (``level="area"``, ``code="all"``).
    threshold_min : float, optional
        Defaults to the threshold the coverage was computed with.
    origins : pandas.DataFrame, optional
        The origin-level detail (``coverage(..., detail=True)``): shares, median and mean
        are then computed over residents' origins rather than whole communes.

    Returns
    -------
    pandas.DataFrame
        ``level, code, communes, population, share_10_min, share_20_min, share_30_min,
        share_within_threshold, population_within_threshold, median_time_min,
        mean_time_min, white_zone_communes, white_zone_population``. Communes with no
        ``epci`` are grouped under code ``"(none)"``. White zones are the communes whose
        population-weighted time exceeds the threshold.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cov = gpd.GeoDataFrame({"population": [100, 300], "time_min": [5.0, 25.0],
    ...     "population_within_threshold": [100.0, 0.0], "departement": ["17", "17"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=2154)
    >>> ind = indicators(cov, threshold_min=20)
    >>> ind[["share_20_min", "white_zone_population", "median_time_min"]].iloc[0].tolist()
    [0.25, 300.0, 25.0]
    """
    if by not in _LEVELS:
        raise OptionError(f"by must be one of {_LEVELS} (got {by!r})")
    check_columns(communes_cov, _COV_COLUMNS, name="communes_cov")
    threshold = _threshold(communes_cov, threshold_min)
    if by is not None and by not in communes_cov.columns:
        raise ColumnError(f"communes_cov has no column {by!r} to group by")
    codes = (
        pd.Series("all", index=communes_cov.index)
        if by is None
        else communes_cov[by].astype("string").fillna("(none)")
    )
    rows = []
    for code, members in communes_cov.groupby(codes.to_numpy(), sort=True):
        if origins is not None:
            units = origins[origins["code_insee"].isin(members.index.astype(str))]
        else:
            units = members
        rows.append({"level": by or "area", "code": str(code), **_row(members, units, threshold)})
    out = pd.DataFrame(rows)
    out.attrs.update(communes_cov.attrs)
    out.attrs["threshold_min"] = threshold
    return out


def white_zones(
    communes_cov: gpd.GeoDataFrame,
    *,
    threshold_min: float | None = None,
    snap_m: float = 1.0,
) -> gpd.GeoDataFrame:
    """Dissolve the communes beyond the threshold into contiguous white zones.

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        From :func:`maillage.coverage`.
    threshold_min : float, optional
        Defaults to the coverage threshold. A commune is in a white zone when its
        population-weighted time is above it (or unknown).
    snap_m : float
        Gaps narrower than this between commune polygons (simplified borders) are closed.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per contiguous zone, largest population first: ``zone_id`` (1..n),
        ``communes``, ``population``, ``geometry`` (Polygon, EPSG:2154).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cov = gpd.GeoDataFrame({"population": [10, 20, 40], "time_min": [30.0, 40.0, 50.0]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000),
    ...               box(5000, 0, 6000, 1000)], crs=2154)
    >>> zones = white_zones(cov, threshold_min=20)
    >>> zones["communes"].tolist(), zones["population"].tolist()
    ([1, 2], [40.0, 30.0])
    """
    check_columns(communes_cov, ["population", "time_min", "geometry"], name="communes_cov")
    threshold = _threshold(communes_cov, threshold_min)
    white = communes_cov[~(communes_cov["time_min"].to_numpy(dtype=float) <= threshold)]
    columns = {"zone_id": [], "communes": [], "population": []}
    if len(white) == 0:
        out = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    else:
        geoms = white.geometry.to_numpy()
        merged = shapely.union_all(shapely.buffer(geoms, snap_m)).buffer(-snap_m)
        parts = shapely.get_parts(merged)
        parts = parts[shapely.area(parts) > 0]
        tree = shapely.STRtree(parts)
        probe = shapely.point_on_surface(geoms)
        hit = tree.query(probe, predicate="within")
        part_of = np.full(len(white), -1)
        part_of[hit[0]] = hit[1]
        missing = part_of < 0
        if missing.any():  # degenerate slivers: nearest part
            part_of[missing] = tree.nearest(probe[missing])
        pop = np.bincount(
            part_of, weights=white["population"].to_numpy(float), minlength=len(parts)
        )
        count = np.bincount(part_of, minlength=len(parts))
        out = gpd.GeoDataFrame(
            {"communes": count, "population": pop}, geometry=list(parts), crs=CRS
        )
        out = out[out["communes"] > 0].sort_values("population", ascending=False, kind="stable")
        out = out.reset_index(drop=True)
        out.insert(0, "zone_id", np.arange(1, len(out) + 1))
    out.attrs.update(communes_cov.attrs)
    out.attrs["threshold_min"] = threshold
    return out
