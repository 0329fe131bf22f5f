"""Resident counts as whole numbers that add up: largest-remainder rounding for the report.

The analyses count residents in fractions (a commune's population is spread over several
points, a grid cell holds 3.4 inhabitants). A report shows whole residents, and its tables
must add up: the communes' residents within the threshold sum to the area's figure, the
départements' and EPCI's figures are sums of their communes', the suggested sites' gains sum
to their cumulative figure. :func:`largest_remainder` rounds a set of counts so that they
add up to the rounded total (Hamilton's method); :func:`whole_counts` applies it to the
tables of a report.

Examples
--------
>>> largest_remainder([0.4, 0.4, 0.4, 1.8]).tolist()
[1, 0, 0, 2]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd

__all__ = ["largest_remainder", "whole_columns", "whole_counts"]

_LEVEL_KEYS = {"departement": "departement", "epci": "epci"}
_WHOLE = ("population", "population_within_threshold", "white_zone_population")


def largest_remainder(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Round non-negative counts to integers whose sum is the rounded sum of the counts.

    Each count is rounded down, then the units still missing go to the counts with the
    largest fractional parts (the first one on a tie). Missing values count as 0.

    Parameters
    ----------
    values : array-like of float
        Non-negative counts.

    Returns
    -------
    numpy.ndarray
        ``int64`` counts, each within 1 of its value, summing to ``round(sum(values))``.

    Examples
    --------
    >>> largest_remainder([2.5, 2.5]).tolist()
    [3, 2]
    >>> largest_remainder([]).tolist()
    []
    """
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    floor = np.floor(v)
    missing = round(float(v.sum()) - float(floor.sum()))
    order = np.argsort(floor - v, kind="stable")  # largest remainder first
    out = floor.astype(np.int64)
    out[order[: max(0, min(missing, len(v)))]] += 1
    return out


def whole_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose resident counts of one row each are rounded to integers.

    ``population``, ``population_within_threshold`` and ``white_zone_population``, when
    present (e.g. the rows of :func:`maillage.coverage_by_year`, one per year).

    Examples
    --------
    >>> whole_columns(pd.DataFrame({"population": [10.4], "venues": [2]})).to_dict("list")
    {'population': [10], 'venues': [2]}
    """
    out = frame.copy()
    for name in _WHOLE:
        if name in out.columns:
            out[name] = out[name].astype(float).round().astype("int64")
    return out


def _group_sums(counts: pd.Series, keys: pd.Series) -> pd.Series:
    return counts.groupby(keys.astype("string").fillna("(none)").to_numpy()).sum()


def whole_counts(
    communes_cov: gpd.GeoDataFrame,
    indicators: pd.DataFrame,
    sites: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Return the communes, indicators and sites with whole resident counts that add up.

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        Output of :func:`maillage.coverage`.
    indicators : pandas.DataFrame
        Indicators by département then EPCI (column ``level``), from the same coverage.
    sites : geopandas.GeoDataFrame
        Output of :func:`maillage.suggest_sites`.

    Returns
    -------
    communes_cov, indicators, sites
        Copies where ``population_within_threshold`` of the communes is rounded by
        :func:`largest_remainder`, that of each département and EPCI is the sum of its
        communes', ``population`` and ``white_zone_population`` are whole numbers, the
        sites' ``gain_population`` are rounded by :func:`largest_remainder` and their
        ``cumulative_population`` is the running sum of the rounded gains.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> communes = gpd.GeoDataFrame({"departement": ["17", "17", "79"], "population": [1, 1, 1],
    ...     "population_within_threshold": [0.5, 0.5, 0.6]}, geometry=[Point(0, 0)] * 3)
    >>> ind = pd.DataFrame({"level": ["departement"] * 2, "code": ["17", "79"],
    ...     "population": [2.0, 1.0], "population_within_threshold": [1.0, 0.6]})
    >>> sites = gpd.GeoDataFrame({"gain_population": [0.6, 0.6]}, geometry=[Point(0, 0)] * 2)
    >>> c, i, s = whole_counts(communes, ind, sites)
    >>> c["population_within_threshold"].tolist(), i["population_within_threshold"].tolist()
    ([1, 0, 1], [1, 1])
    >>> s["gain_population"].tolist(), s["cumulative_population"].tolist()
    ([1, 0], [1, 1])
    """
    within = pd.Series(
        largest_remainder(communes_cov["population_within_threshold"]),
        index=communes_cov.index,
        dtype="int64",
    )
    communes_out = communes_cov.assign(population_within_threshold=within)
    ind = indicators.copy()
    for level, key in _LEVEL_KEYS.items():
        rows = ind["level"] == level
        if rows.any() and key in communes_cov.columns:
            sums = _group_sums(within, communes_cov[key])
            ind.loc[rows, "population_within_threshold"] = (
                ind.loc[rows, "code"].astype(str).map(sums).fillna(0).to_numpy()
            )
    ind = whole_columns(ind)
    gains = largest_remainder(sites["gain_population"]) if len(sites) else np.zeros(0, np.int64)
    sites_out = sites.assign(gain_population=gains, cumulative_population=np.cumsum(gains))
    return communes_out, ind, sites_out
