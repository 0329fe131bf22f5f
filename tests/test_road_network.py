"""Road network: speed rules, graph building and searches on hand-checkable graphs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point

from maillage import InputDataError, MaillageWarning, NetworkError, RoadNetwork, TravelTimeModel
from maillage.travel.graph.graph import MIN_EDGE_TIME_S, graph_from_edges
from maillage.travel.graph.profile import way_rule
from maillage.travel.graph.snap import ACCESS_SPEED_KPH
from maillage.travel.graph.tags import parse_duration, parse_maxspeed

STEP_M = 1000.0
EDGE_S = 60.0


# ---------------------------------------------------------------- speed and direction rules
# car.lua's reading (WayHandlers.parse_maxspeed): a leading number, mph converted, else its
# symbolic tables; "walk", "FR:zone30" and the second value of a list are not read.
@pytest.mark.parametrize(
    ("value", "kph"),
    [
        ("50", 50.0),
        ("50 mph", 80.45),
        ("FR:urban", 50.0),
        ("FR:rural", 80.0),
        ("FR:motorway", 130.0),
        ("walk", None),
        ("FR:zone30", None),
        ("none", 140.0),
        ("70;50", 70.0),
        ("12,5", 12.0),
        ("signals", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_maxspeed(value, kph):
    assert parse_maxspeed(value) == pytest.approx(kph) if kph else parse_maxspeed(value) is None


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, (25.0, True, True)),
        ({"highway": "primary", "maxspeed": "50"}, (40.0, True, True)),
        ({"highway": "residential", "maxspeed": "50"}, (40.0, True, True)),  # replaces 25
        ({"highway": "residential", "source:maxspeed": "FR:urban"}, (40.0, True, True)),
        ({"highway": "primary", "oneway": "yes"}, (65.0, True, False)),
        ({"highway": "primary", "oneway": "1"}, (65.0, True, False)),
        ({"highway": "primary", "oneway": "true"}, (65.0, True, False)),
        ({"highway": "primary", "oneway": "-1"}, (65.0, False, True)),
        ({"highway": "primary", "oneway": "yes", "oneway:motorcar": "no"}, (65.0, True, True)),
        ({"highway": "tertiary", "junction": "roundabout"}, (40.0, True, False)),
        ({"highway": "motorway"}, (90.0, True, False)),
        ({"highway": "motorway", "oneway": "no"}, (90.0, True, True)),
        ({"highway": "motorway_link"}, (45.0, True, True)),  # car.lua implies motorway only
        ({"highway": "residential", "access": "no", "motor_vehicle": "yes"}, (25.0, True, True)),
        ({"highway": "residential", "motor_vehicle:backward": "no"}, (25.0, True, False)),
        ({"highway": "track", "motor_vehicle": "yes"}, (10.0, True, True)),
        ({"highway": "primary", "surface": "sett"}, (40.0, True, True)),
        ({"highway": "primary", "maxspeed": "90", "tracktype": "grade2"}, (40.0, True, True)),
        ({"highway": "primary", "smoothness": "very_bad"}, (20.0, True, True)),
        ({"highway": "secondary", "bridge": "movable"}, (5.0, True, True)),
        ({"highway": "service", "service": "parking_aisle"}, (15.0, True, True)),  # rate only
        ({"highway": "residential", "oneway": "alternating"}, (25.0, True, True)),
    ],
)
def test_way_rule_speed_and_directions(tags, expected):
    rule = way_rule(tags)
    assert (rule.speed_kph, rule.forward, rule.backward) == pytest.approx(expected)


def test_way_rule_speeds_per_direction():
    rule = way_rule({"highway": "primary", "maxspeed:forward": "70", "maxspeed:backward": "30"})
    assert (rule.forward_kph, rule.backward_kph) == pytest.approx((56.0, 24.0))


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "footway"},
        {"highway": "track"},
        {"highway": "footway", "access": "no"},
        {"highway": "residential", "access": "private"},
        {"highway": "residential", "access": "destination"},  # restricted: trip ends only
        {"highway": "service", "access": "customers"},
        {"highway": "residential", "access": "no"},
        {"highway": "primary", "motor_vehicle": "no"},
        {"highway": "primary", "motorcar": "no", "motor_vehicle": "yes"},
        {"highway": "residential", "access": "bus"},
        {"highway": "secondary", "oneway": "reversible"},
        {"highway": "residential", "maxheight": "1.9"},
        {"highway": "residential", "maxwidth": "1.8"},
        {"highway": "residential", "maxweight": "1.5"},
        {"highway": "residential", "smoothness": "impassable"},
        {"highway": "service", "service": "emergency_access"},
        {"highway": "residential", "construction": "yes"},
        {"highway": "construction"},
        {"highway": "steps"},
        {"highway": "residential", "area": "yes"},
        {"highway": "residential", "hov": "designated"},
        {"route": "ferry", "motor_vehicle": "no"},
        {"building": "yes"},
    ],
)
def test_way_rule_excluded(tags):
    assert way_rule(tags) is None


def test_ferry_duration_and_default_speed():
    assert way_rule({"route": "ferry", "duration": "01:15"}).duration_s == 4500.0
    rule = way_rule({"route": "ferry"})
    assert rule.duration_s is None
    assert rule.speed_kph == 5.0
    assert parse_duration("garbage") is None


# ---------------------------------------------------------------- graph building
def test_parallel_edges_keep_minimum_and_zero_length_gets_floor():
    tails = np.array([0, 0, 0, 1, 1, 2])
    heads = np.array([1, 1, 1, 0, 2, 0])
    times = np.array([30.0, 10.0, 20.0, 5.0, 0.0, 7.0])
    g = graph_from_edges(tails, heads, times, np.zeros((3, 2)), np.arange(3))
    m = g.matrix()
    assert g.n_edges == 4
    assert m[0, 1] == 10.0
    assert m[1, 2] == MIN_EDGE_TIME_S
    assert (g.weights > 0).all()


def test_self_loops_dropped_and_largest_component_kept():
    # 0 <-> 1 strongly connected; 2 only reachable (one-way in), 3 isolated loop.
    g = graph_from_edges(
        np.array([0, 1, 1, 3]),
        np.array([1, 0, 2, 3]),
        np.array([1.0, 1.0, 1.0, 1.0]),
        np.arange(8.0).reshape(4, 2),
        np.array([10, 11, 12, 13]),
    )
    assert g.node_ids.tolist() == [10, 11]
    assert g.xy.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert g.n_edges == 2


def test_no_edge_is_an_error():
    with pytest.raises(NetworkError, match="no drivable edge"):
        graph_from_edges(
            np.array([0]), np.array([0]), np.array([1.0]), np.zeros((1, 2)), np.arange(1)
        )


# ---------------------------------------------------------------- grid with known times
def grid_network(n: int = 5, **kwargs) -> RoadNetwork:
    """n x n grid, nodes STEP_M apart, every street EDGE_S long in both directions."""
    idx = np.arange(n * n).reshape(n, n)
    pairs = [(idx[:, :-1], idx[:, 1:]), (idx[:-1, :], idx[1:, :])]
    a = np.concatenate([p[0].ravel() for p in pairs])
    b = np.concatenate([p[1].ravel() for p in pairs])
    xy = np.column_stack([(idx % n).ravel() * STEP_M, (idx // n).ravel() * STEP_M]) + np.array(
        [4e5, 6.5e6]
    )
    g = graph_from_edges(np.r_[a, b], np.r_[b, a], np.full(2 * len(a), EDGE_S), xy, idx.ravel())
    return RoadNetwork(g, **kwargs)


def node_points(net: RoadNetwork, nodes=None, index=None) -> gpd.GeoSeries:
    xy = net.graph.xy if nodes is None else net.graph.xy[nodes]
    return gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154, index=index)


def test_grid_nearest_matches_manhattan_times():
    net = grid_network()
    homes = node_points(net)
    venues = node_points(net, [0, 24], index=["sw", "ne"])
    result = net.nearest(homes, venues)
    i, j = np.divmod(np.arange(25), 5)
    expected = np.minimum(i + j, 8 - i - j) * EDGE_S
    np.testing.assert_allclose(result["travel_time_s"], expected)
    assert result.loc[1, "dest_id"] == "sw"
    assert result.loc[23, "dest_id"] == "ne"
    assert result.index.equals(homes.index)


def test_grid_max_time_gives_inf_and_na():
    net = grid_network()
    result = net.nearest(node_points(net), node_points(net, [0]), max_time_s=2 * EDGE_S)
    far = result["travel_time_s"] > 2 * EDGE_S
    assert np.isinf(result.loc[far, "travel_time_s"]).all()
    assert result.loc[far, "dest_id"].isna().all()
    assert far.sum() == 25 - 6  # nodes with i + j <= 2


def test_access_leg_and_unplaced_points():
    net = grid_network(max_snap_m=500.0)
    x0, y0 = net.graph.xy[0]
    homes = gpd.GeoSeries(  # "near": 300 m off the grid's corner, whose node is its placement
        [Point(x0 - 180, y0 - 240), Point(x0 - 5000, y0)], index=["near", "far"], crs=2154
    )
    venues = node_points(net, [6], index=["v"])
    result = net.nearest(homes, venues)
    access = 300 / (ACCESS_SPEED_KPH / 3.6)
    assert result.loc["near", "travel_time_s"] == pytest.approx(2 * EDGE_S + access)
    assert np.isnan(result.loc["far", "travel_time_s"])
    assert pd.isna(result.loc["far", "dest_id"])
    assert list(net.unplaced(homes)) == ["far"]


def test_od_table_matches_brute_force():
    net = grid_network()
    homes = node_points(net)
    venues = node_points(net, [0, 12], index=["corner", "centre"])
    table = net.od_table(homes, venues, max_time_s=2 * EDGE_S)
    i, j = np.divmod(np.arange(25), 5)
    expected = set()
    for name, (vi, vj) in {"corner": (0, 0), "centre": (2, 2)}.items():
        steps = np.abs(i - vi) + np.abs(j - vj)
        expected |= {(o, name, s * EDGE_S) for o, s in zip(range(25), steps, strict=True) if s <= 2}
    got = {(o, d, t) for o, d, t in table.itertuples(index=False)}
    assert got == expected
    assert list(table.columns) == ["origin_id", "dest_id", "travel_time_s"]


def test_od_table_served_by_keeps_exactly_the_unserved_pairs():
    net = grid_network(7)
    homes = node_points(net)
    venues = node_points(net, [0, 24, 30, 48], index=list("abcd"))
    incumbents = node_points(net, [3, 45])
    full = net.od_table(homes, venues, max_time_s=4 * EDGE_S)
    pruned = net.od_table(homes, venues, max_time_s=4 * EDGE_S, served_by=incumbents)
    served = net.nearest(homes, incumbents)["travel_time_s"] <= 4 * EDGE_S
    expected = full[~served.reindex(full["origin_id"]).to_numpy()].reset_index(drop=True)
    pd.testing.assert_frame_equal(pruned, expected)
    assert 0 < len(pruned) < len(full)


def test_pruned_searches_stop_where_an_incumbent_is_nearer():
    from maillage.travel.graph.search import bounded_pairs

    line = graph_from_edges(
        np.array([0, 1, 1, 2, 2, 3]), np.array([1, 0, 2, 1, 3, 2]), np.full(6, 10.0),
        np.zeros((4, 2)), np.arange(4),
    )  # fmt: skip
    args = (
        line,
        (np.zeros(1, dtype=int), np.array([0]), np.zeros(1)),
        (np.arange(4),) * 2 + (np.zeros(4),),
    )
    assert bounded_pairs(*args, max_time_s=100.0)[0].tolist() == [0, 1, 2, 3]
    floor = np.array([np.inf, np.inf, 5.0, 0.0])  # node 2 is 5 s from an incumbent, 20 s from 0
    assert bounded_pairs(*args, max_time_s=100.0, floor_s=floor)[0].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="one time per node"):
        bounded_pairs(*args, max_time_s=100.0, floor_s=np.zeros(3))


def test_reached_nodes_grow_with_time():
    net = grid_network()
    centre = Point(net.graph.xy[12])
    assert len(net.reached_nodes(centre, EDGE_S)) == 5
    assert len(net.reached_nodes(centre, 2 * EDGE_S)) == 13
    assert len(net.reached_nodes(Point(0, 0), EDGE_S)) == 0


def test_one_way_street_changes_direction_of_times():
    # 0 -> 1 one way (10 s); back 1 -> 0 only through 2 (100 + 100 s).
    xy = np.array([[0.0, 0.0], [1000.0, 0.0], [500.0, 800.0]]) + np.array([4e5, 6.5e6])
    g = graph_from_edges(
        np.array([0, 1, 2]), np.array([1, 2, 0]), np.array([10.0, 100.0, 100.0]), xy, np.arange(3)
    )
    net = RoadNetwork(g)
    points = node_points(net, index=["a", "b", "c"])
    to_b = net.nearest(points, points.loc[["b"]])
    to_a = net.nearest(points, points.loc[["a"]])
    assert to_b.loc["a", "travel_time_s"] == 10.0
    assert to_a.loc["b", "travel_time_s"] == 200.0


def test_satisfies_protocol_and_describes_itself():
    net = grid_network()
    assert isinstance(net, TravelTimeModel)
    info = net.describe()
    assert info["model"] == "RoadNetwork"
    assert info["n_nodes"] == 25
    assert info["speeds_kph"]["motorway"] == 90.0
    assert "OSRM" in info["speeds_source"]


def test_bad_points_are_clear_errors():
    net = grid_network()
    venues = node_points(net, [0])
    with pytest.raises(InputDataError, match="destinations is empty"):
        net.nearest(node_points(net), venues.iloc[:0])
    with pytest.raises(InputDataError, match="EPSG:2154"):
        net.nearest(node_points(net).to_crs(4326), venues)
    with pytest.raises(InputDataError, match="origins must be a GeoSeries"):
        net.nearest([Point(0, 0)], venues)
    with pytest.raises(InputDataError, match="max_time_s must be a positive number"):
        net.od_table(node_points(net), venues, max_time_s=-1)
    with pytest.raises(InputDataError, match="duplicate index labels"):
        net.nearest(node_points(net, [0, 1], index=["x", "x"]), venues)


def test_network_not_reaching_the_territory():
    net = grid_network()
    far = gpd.GeoSeries([Point(0, 0), Point(1, 1)], index=["p", "q"], crs=2154)
    with pytest.raises(NetworkError, match="does not reach the territory"):
        net.nearest(far, node_points(net, [0]))
    with pytest.raises(NetworkError, match="none of the 2 destinations"):
        net.nearest(node_points(net), far)


def test_unplaced_destination_warns_and_is_ignored():
    net = grid_network()
    venues = gpd.GeoSeries([Point(net.graph.xy[0]), Point(0, 0)], index=["ok", "sea"], crs=2154)
    with pytest.warns(MaillageWarning, match="sea"):
        result = net.nearest(node_points(net), venues)
    assert set(result["dest_id"]) == {"ok"}


def test_inputs_not_mutated():
    net = grid_network()
    homes = node_points(net)
    before = homes.copy()
    net.nearest(homes, node_points(net, [3]))
    pd.testing.assert_series_equal(homes, before)


def test_empty_origins_give_empty_results():
    net = grid_network()
    none = node_points(net, [])
    assert net.nearest(none, node_points(net, [0])).empty
    assert net.od_table(none, node_points(net, [0]), max_time_s=60).empty
    assert len(net.unplaced(none)) == 0
