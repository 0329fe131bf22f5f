"""Access indicators of an area, by département or by EPCI: :func:`indicators`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.analysis._checks import check_threshold
from maillage.analysis.coverage import weighted_median
from maillage.errors import ColumnError
from maillage.schema import check_choice, check_columns

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["headline", "indicators"]

logger = logging.getLogger(__name__)

_LEVELS = (None, "departement", "epci")
_COV_COLUMNS = ("population", "time_min", "population_within_threshold")


def headline(
    communes: pd.DataFrame, units: pd.DataFrame, threshold_min: float
) -> dict[str, float | int]:
    """Return the headline figures of one group: the one definition every output uses.

    Parameters
    ----------
    communes : pandas.DataFrame
        The group's communes with ``population`` and ``time_min`` (population-weighted).
    units : pandas.DataFrame
        What shares and times are counted over: the group's origins (residents' points),
        or its communes, with ``population`` and ``time_min``.
    threshold_min : float
        Access threshold in minutes.

    Returns
    -------
    dict
        ``communes, population, share_10_min, share_20_min, share_30_min,
        share_within_threshold, population_within_threshold, median_time_min,
        mean_time_min, white_zone_communes, white_zone_population``. Shares and times count
        ``units``; white zones count whole communes whose time exceeds the threshold.

    Examples
    --------
    >>> import pandas as pd
    >>> communes = pd.DataFrame({"population": [100, 300], "time_min": [5.0, 25.0]})
    >>> figures = headline(communes, communes, 20.0)
    >>> figures["share_within_threshold"], figures["white_zone_population"]
    (0.25, 300.0)
    """
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
    check_choice("by", by, _LEVELS)
    check_columns(communes_cov, _COV_COLUMNS, name="communes_cov")
    threshold = check_threshold(threshold_min, communes_cov)
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
        rows.append(
            {"level": by or "area", "code": str(code), **headline(members, units, threshold)}
        )
    out = pd.DataFrame(rows)
    out.attrs.update(communes_cov.attrs)
    out.attrs["threshold_min"] = threshold
    return out
