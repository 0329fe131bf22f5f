"""The forward graph of a RoadNetwork is dropped once the searches' reversed graph exists.

On the real Saint-Barthélemy extract (turn costs, routes by weight, node delays): the
network built with ``keep_forward=False`` (the default) no longer holds the forward graph
after a search, rebuilds the same graph when asked, and answers every query exactly as the
network that keeps it.
"""

from __future__ import annotations

import dataclasses
import gc
import weakref

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from maillage import RoadNetwork
from maillage.sources import fetch


@pytest.fixture(scope="module")
def pbf():
    return fetch("osm-saint-barthelemy-2015")[0]


@pytest.fixture(scope="module")
def points(pbf):
    """Off-road points over the island: 300 homes and 12 venues."""
    xy = RoadNetwork.from_osm(pbf, keep_forward=True).graph.xy
    low, high = xy.min(axis=0), xy.max(axis=0)
    rng = np.random.default_rng(18)
    homes = rng.uniform(low, high, (300, 2))
    venues = xy[rng.choice(len(xy), 12, replace=False)] + rng.normal(0, 40, (12, 2))
    return (
        gpd.GeoSeries.from_xy(homes[:, 0], homes[:, 1], crs=2154),
        gpd.GeoSeries.from_xy(
            venues[:, 0], venues[:, 1], index=[f"v{i}" for i in range(12)], crs=2154
        ),
    )


def _same_graph(a, b):
    for field in dataclasses.fields(a):
        left, right = getattr(a, field.name), getattr(b, field.name)
        if isinstance(left, np.ndarray):
            assert left.dtype == right.dtype, field.name
            np.testing.assert_array_equal(left, right, err_msg=field.name)
        else:
            assert left == right, field.name


def test_forward_graph_not_held_after_a_search(pbf, points):
    homes, venues = points
    net = RoadNetwork.from_osm(pbf)
    forward = weakref.ref(net.graph)  # held until the first search
    assert forward() is not None
    times = net.nearest(homes, venues)
    gc.collect()
    assert forward() is None  # only the reversed graph is left
    assert times["travel_time_s"].notna().sum() > 250


def test_kept_when_asked(pbf, points):
    homes, venues = points
    net = RoadNetwork.from_osm(pbf, keep_forward=True)
    graph = net.graph
    net.nearest(homes, venues)
    assert net.graph is graph


def test_rebuilt_graph_is_the_same_and_not_kept(pbf, points):
    homes, venues = points
    kept = RoadNetwork.from_osm(pbf, keep_forward=True)
    net = RoadNetwork.from_osm(pbf)
    net.nearest(homes.iloc[:5], venues)
    rebuilt = net.graph  # the forward graph again, from the reversed one
    _same_graph(rebuilt, kept.graph)
    assert net.graph is rebuilt  # while the caller holds it
    ref = weakref.ref(rebuilt)
    del rebuilt
    gc.collect()
    assert ref() is None


@pytest.mark.parametrize("route_by", ["weight", "duration"])
def test_every_query_gives_the_same_result(pbf, points, route_by):
    homes, venues = points
    kept = RoadNetwork.from_osm(pbf, keep_forward=True, route_by=route_by)
    net = RoadNetwork.from_osm(pbf, route_by=route_by)
    net.nearest(homes.iloc[:3], venues)  # the forward graph is gone from here on
    gc.collect()
    assert net.describe() == kept.describe()
    assert (net.n_nodes, net.n_edges, net.crs) == (kept.n_nodes, kept.n_edges, kept.crs)
    for query in (
        lambda m: m.nearest(homes, venues),
        lambda m: m.nearest(homes, venues, max_time_s=240),
        lambda m: m.nearest_k(homes, venues, k=2),
        lambda m: m.od_table(homes, venues, max_time_s=600, progress=False),
        lambda m: m.od_table(
            homes, venues.iloc[6:], max_time_s=600, served_by=venues.iloc[:6], progress=False
        ),
    ):
        left, right = query(net), query(kept)
        assert len(left) > 0
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    venue = venues.iloc[0]
    np.testing.assert_array_equal(net.reached_nodes(venue, 300), kept.reached_nodes(venue, 300))
    assert list(net.unplaced(homes)) == list(kept.unplaced(homes))
