"""Coverage functions accept a RoadNetwork: Saint-Barthélemy with hand-made communes."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from maillage import (
    CrowFlyModel,
    MaillageWarning,
    RoadNetwork,
    attribution,
    catchments,
    coverage,
    coverage_by_year,
    fetch,
    indicators,
    isochrones,
    suggest_sites,
    white_zones,
)


@pytest.fixture(scope="module")
def net():
    return RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0], cache=False)


@pytest.fixture(scope="module")
def island(net):
    """Four boxes splitting the road network's extent, and two venues on road nodes."""
    xy = net.graph.xy
    (x0, y0), (x1, y1) = xy.min(0), xy.max(0)
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    communes = gpd.GeoDataFrame(
        {
            "nom": list("ABCD"),
            "departement": "977",
            "epci": pd.NA,
            "population": [1000, 2000, 3000, 4000],
        },
        geometry=[
            box(x0, y0, xm, ym),
            box(xm, y0, x1, ym),
            box(x0, ym, xm, y1),
            box(xm, ym, x1, y1),
        ],
        index=pd.Index(["97701", "97702", "97703", "97704"], name="code_insee"),
        crs=2154,
    )
    venues = gpd.GeoDataFrame(
        {
            "venue_id": ["v1", "v2"],
            "supported": pd.array([True, False], dtype="boolean"),
            "opened": pd.array([2010, 2020], dtype="Int64"),
        },
        geometry=[Point(xy[0]), Point(xy[len(xy) // 2])],
        crs=2154,
    )
    return communes, venues


def quiet(func, *args, **kwargs):
    """Origins over the sea farther than the snap distance are reported; keep the result."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MaillageWarning)
        out = func(*args, **kwargs)
    assert all("cannot be placed" in str(w.message) for w in caught)
    return out


def test_coverage_over_the_road_network(net, island):
    communes, venues = island
    cov, org = quiet(coverage, communes, venues, model=net, threshold_min=5, detail=True)
    assert cov.attrs["travel_time_model"] == net.describe()
    placed = org["time_min"].notna()
    assert placed.mean() > 0.8
    assert (org.loc[placed, "time_min"] > 0).all()
    assert set(org.loc[placed, "nearest_venue"]) == {"v1", "v2"}
    # network times never beat the straight line at the motorway speed limit
    straight = org.loc[placed].geometry.apply(lambda p: min(p.distance(v) for v in venues.geometry))
    assert (org.loc[placed, "time_min"] * 60 >= straight / (130 / 3.6) - 1e-6).all()
    ind = indicators(cov, origins=org).iloc[0]
    assert 0 <= ind["share_within_threshold"] <= 1
    assert ind["population"] == 10_000
    zones = white_zones(cov)
    assert zones["population"].sum() == ind["white_zone_population"]
    catch = catchments(org, venues, communes)
    assert catch["population_served"].sum() == pytest.approx(org.loc[placed, "population"].sum())


def test_other_functions_accept_a_road_network(net, island):
    communes, venues = island
    far = pd.concat(
        [venues, gpd.GeoDataFrame({"venue_id": ["far"]}, geometry=[Point(0, 0)], crs=2154)]
    )
    with pytest.warns(MaillageWarning, match="far"):
        att = quiet_attr(communes, far, net)
    assert "far" not in att.index
    contrib = att.attrs["supported_contribution"]
    assert contrib["population_thanks_to_supported"] == pytest.approx(
        contrib["population_covered_all"] - contrib["population_covered_without_supported"]
    )
    iso = isochrones(venues, model=net, minutes=(2, 5), spacing_m=200)
    area = iso.set_index(["venue_id", "minutes"]).area
    assert (area[("v1", 5.0)] > area[("v1", 2.0)] > 0) and area[("v2", 5.0)] > area[("v2", 2.0)]
    by_year = quiet(
        coverage_by_year, communes, venues, model=net, years=[2015, 2020], threshold_min=5
    )
    assert by_year["venues"].tolist() == [1, 2]
    assert (
        by_year.loc[2020, "population_within_threshold"]
        >= by_year.loc[2015, "population_within_threshold"]
    )
    _, org = quiet(coverage, communes, venues, model=net, threshold_min=5, detail=True)
    sites = suggest_sites(org, k=2, model=net, communes=communes)
    assert (np.diff(sites["cumulative_population"]) >= 0).all()
    assert (sites["gain_population"] > 0).all()
    # the venues let the candidate searches stop early: same sites, same gains
    pruned = suggest_sites(org, k=2, model=net, communes=communes, venues=venues)
    pd.testing.assert_frame_equal(pruned, sites)


def quiet_attr(communes, venues, net):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*origin", MaillageWarning)
        return attribution(communes, venues, model=net, threshold_min=5)


def test_crow_fly_and_network_agree_roughly(net, island):
    communes, venues = island
    road = quiet(coverage, communes, venues, model=net, threshold_min=5)
    crow = coverage(communes, venues, model=CrowFlyModel(), threshold_min=5)
    ratio = road["time_min"] / crow["time_min"]
    assert ratio.between(0.5, 3).all()
