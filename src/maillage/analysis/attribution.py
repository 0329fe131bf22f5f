"""Attribution: what each venue, and the publicly supported ones, add to the coverage.

A resident (origin) is covered when at least one venue is within the threshold. From the
table of every (origin, venue) pair within the threshold:

* ``population_covered``: residents with this venue within the threshold;
* ``population_only_this``: residents with this venue and no other within the threshold,
  i.e. the coverage lost without it (coverage with all venues vs without this one);
* the supported contribution: covered with all venues minus covered with only the venues
  that are not publicly supported (``supported`` NA counts as not supported).
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.analysis._checks import check_model, check_threshold, stamp
from maillage.analysis.coverage import build_origins, venue_points
from maillage.errors import MaillageWarning
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["attribution"]

logger = logging.getLogger(__name__)


def attribution(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    origins: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Return the population covered by each venue, by it alone, and thanks to supported ones.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population``.
    venues : geopandas.GeoDataFrame
        Canonical venues frame; ``supported`` (nullable boolean) is used when present.
    model : TravelTimeModel
        Travel-time model.
    threshold_min : float
        Access threshold in minutes.
    grid : geopandas.GeoDataFrame, optional
        Population grid; else lattice origins per commune.
    origins : geopandas.GeoDataFrame, optional
        Origins already built for these communes (``population``, ``geometry``), e.g. the
        second frame of ``coverage(..., detail=True)``: reused instead of building them
        again from ``communes`` and ``grid``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``venue_id``: ``population_covered``, ``population_only_this``,
        ``supported``; ``.attrs["supported_contribution"]`` holds
        ``population_covered_all``, ``population_covered_without_supported`` and
        ``population_thanks_to_supported``; ``.attrs["data_credits"]`` merges the inputs'.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> att = attribution(communes, venues, model=CrowFlyModel(circuity=1, speed_kph=60))
    >>> att["population_only_this"].tolist()
    [100.0, 100.0]
    >>> round(att.attrs["supported_contribution"]["population_thanks_to_supported"], 6)
    100.0
    """
    model = check_model(model)
    threshold_min = check_threshold(threshold_min, origins)
    check_columns(communes, ["population", "geometry"], name="communes")
    check_crs(communes, name="communes")
    points = venue_points(venues, model=model)
    if origins is None:
        origins = build_origins(communes, grid)
    else:
        check_columns(origins, ["population", "geometry"], name="origins")
        check_crs(origins, name="origins")
    unplaced = model.unplaced(origins.geometry)
    if len(unplaced):
        warnings.warn(
            f"{len(unplaced)} origin(s) cannot be placed by the travel-time model and count "
            "as not covered",
            MaillageWarning,
            stacklevel=2,
        )
    od = model.od_table(origins.geometry, points, max_time_s=threshold_min * 60.0)
    od = od[od["travel_time_s"] <= threshold_min * 60.0]
    pop = origins["population"].astype(float)
    od = od.assign(population=pop.reindex(od["origin_id"]).to_numpy())
    n_venues = od.groupby("origin_id")["dest_id"].transform("size")
    covered = od.groupby("dest_id")["population"].sum()
    only = od[n_venues.to_numpy() == 1].groupby("dest_id")["population"].sum()
    if "supported" in venues.columns:
        flag = venues["supported"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        supported = pd.Series(flag, index=venues["venue_id"].astype(str)).reindex(points.index)
    else:
        supported = pd.Series(False, index=points.index)
    out = pd.DataFrame(
        {
            "population_covered": covered.reindex(points.index).fillna(0.0),
            "population_only_this": only.reindex(points.index).fillna(0.0),
            "supported": supported.astype("boolean"),
        }
    )
    out.index.name = "venue_id"
    all_pop = float(pop.reindex(od["origin_id"].unique()).sum())
    other = od[~supported.reindex(od["dest_id"]).fillna(False).to_numpy(dtype=bool)]
    without = float(pop.reindex(other["origin_id"].unique()).sum())
    stamp(out, model, threshold_min, inputs=(origins, communes, venues, grid))
    out.attrs["population"] = float(pop.sum())
    out.attrs["supported_contribution"] = {
        "population_covered_all": all_pop,
        "population_covered_without_supported": without,
        "population_thanks_to_supported": all_pop - without,
        "supported_venues": int(np.sum(supported.to_numpy(dtype=bool))),
    }
    return out
