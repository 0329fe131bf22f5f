"""Several OSM extracts read as one road network: overlapping borders are deduplicated."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import osmium
import pytest
from osm_grid import split_grid_pbf, write_grid_pbf

from maillage import NetworkError, RoadNetwork, options

BOUNDS = (-0.50, 45.00, -0.30, 45.15)  # near Bordeaux
SIDE = 20
CUT = -0.40


@pytest.fixture
def extracts(tmp_path):
    whole = tmp_path / "whole.osm.pbf"
    write_grid_pbf(whole, BOUNDS, SIDE)
    west, east = tmp_path / "west.osm.pbf", tmp_path / "east.osm.pbf"
    split_grid_pbf((west, east), BOUNDS, SIDE, CUT)
    return whole, west, east


def _way_ids(path) -> set[int]:
    return {way.id for way in osmium.FileProcessor(str(path), osmium.osm.WAY)}


def _assert_same_graph(a: RoadNetwork, b: RoadNetwork) -> None:
    assert (a.n_nodes, a.n_edges) == (b.n_nodes, b.n_edges)
    for field in ("indptr", "indices", "weights", "xy", "node_ids"):
        np.testing.assert_array_equal(getattr(a.graph, field), getattr(b.graph, field))


def test_two_overlapping_extracts_give_the_network_of_the_whole(extracts):
    whole, west, east = extracts
    shared = _way_ids(west) & _way_ids(east)
    assert len(shared) == SIDE  # every row crosses the cut: in both files
    full = RoadNetwork.from_osm(whole, cache=False)
    merged = RoadNetwork.from_osm([west, east], cache=False)
    assert full.n_nodes == SIDE * SIDE
    _assert_same_graph(full, merged)
    for part in (west, east):
        assert RoadNetwork.from_osm(part, cache=False).n_edges < full.n_edges
    xy = full.graph.xy
    homes = gpd.GeoSeries.from_xy(xy[::7, 0] + 150, xy[::7, 1] - 80, crs=2154)
    venues = gpd.GeoSeries.from_xy(xy[[0, 399], 0], xy[[0, 399], 1], crs=2154, index=["a", "b"])
    left, right = full.nearest(homes, venues), merged.nearest(homes, venues)
    np.testing.assert_array_equal(left["travel_time_s"], right["travel_time_s"])
    assert left["dest_id"].tolist() == right["dest_id"].tolist()


def test_ways_cut_at_the_border_take_their_nodes_from_the_other_file(tmp_path, caplog):
    whole = tmp_path / "whole.osm.pbf"
    write_grid_pbf(whole, BOUNDS, SIDE)
    west, east = tmp_path / "west.osm.pbf", tmp_path / "east.osm.pbf"
    split_grid_pbf((west, east), BOUNDS, SIDE, CUT, complete_ways=False)
    caplog.set_level(logging.INFO, logger="maillage.travel.graph")
    merged = RoadNetwork.from_osm([east, west], cache=False)
    _assert_same_graph(RoadNetwork.from_osm(whole, cache=False), merged)
    assert "no location" not in caplog.text
    assert "20 ways appear in more than one file" in caplog.text


def test_merged_graph_is_cached_under_all_the_hashes(extracts, tmp_path):
    _, west, east = extracts
    with options.set(cache_dir=tmp_path / "cache"):
        first = RoadNetwork.from_osm([west, east])
        again = RoadNetwork.from_osm([str(east), west, east])  # any order, repeats ignored
        alone = RoadNetwork.from_osm(west)
    cached = list((tmp_path / "cache" / "road-graphs").glob("*.npz"))
    assert len(cached) == 2  # the pair, and the west file alone
    _assert_same_graph(first, again)
    info = first.describe()
    assert info["file"] == "west.osm.pbf + east.osm.pbf"
    assert len(info["sha256"].split(" + ")) == 2
    assert alone.describe()["file"] == "west.osm.pbf"
    assert len(alone.describe()["sha256"]) == 64


def test_bad_file_lists_are_clear_errors(extracts, tmp_path):
    _, west, _ = extracts
    with pytest.raises(NetworkError, match="no OpenStreetMap file given"):
        RoadNetwork.from_osm([], cache=False)
    with pytest.raises(NetworkError, match=r"missing\.osm\.pbf"):
        RoadNetwork.from_osm([west, tmp_path / "missing.osm.pbf"], cache=False)
