"""Placement of points on the road graph, worked by hand on a one-way triangle.

Nodes 0 (0, 0), 1 (1000, 0) and 2 (500, 800) m; one-way edges 0 -> 1 (60 s), 1 -> 2 (50 s)
and 2 -> 0 (50 s). A point 20 m beside the edge 0 -> 1 is placed on it (the nearest point of
the nearest segment, as OSRM does), pays a 20 m access leg at 15 km/h (4.8 s), leaves it only
towards node 1 and is reached only from node 0, for the share of the edge's time it drives.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from maillage import RoadNetwork
from maillage.travel.graph.graph import graph_from_edges
from maillage.travel.graph.snap import ACCESS_SPEED_KPH, TRIP_DEFINITION

ORIGIN = np.array([4e5, 6.5e6])  # a place in Lambert-93
ACCESS_S = 20 / (ACCESS_SPEED_KPH / 3.6)  # 4.8 s


def _triangle(delay_at_1: float = 0.0) -> RoadNetwork:
    xy = ORIGIN + np.array([[0.0, 0.0], [1000.0, 0.0], [500.0, 800.0]])
    graph = graph_from_edges(
        np.array([0, 1, 2]), np.array([1, 2, 0]), np.array([60.0, 50.0, 50.0]), xy, np.arange(3),
        delay=np.array([delay_at_1, 0.0, 0.0]),
    )  # fmt: skip
    return RoadNetwork(graph)


def _points(**named: tuple[float, float]) -> gpd.GeoSeries:
    xy = ORIGIN + np.array(list(named.values()), dtype=float)
    return gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], index=list(named), crs=2154)


def test_a_point_beside_a_one_way_edge_leaves_and_is_reached_along_its_direction():
    net = _triangle()
    beside = _points(beside=(500, -20))
    nodes = _points(n0=(0, 0), n1=(1000, 0))
    away = net.od_table(beside, nodes, max_time_s=1e4).set_index("dest_id")["travel_time_s"]
    assert away["n1"] == pytest.approx(ACCESS_S + 30)  # half the edge, then at node 1
    assert away["n0"] == pytest.approx(ACCESS_S + 30 + 50 + 50)  # no going back: round the loop
    towards = net.nearest(nodes, beside)["travel_time_s"]
    assert towards["n0"] == pytest.approx(30 + ACCESS_S)  # from node 0, half the edge
    assert towards["n1"] == pytest.approx(50 + 50 + 30 + ACCESS_S)


def test_two_points_on_one_edge_drive_along_it_one_way_only():
    net = _triangle()
    pts = _points(first=(250, -20), second=(750, 20))
    table = net.od_table(pts, pts, max_time_s=1e4).set_index(["origin_id", "dest_id"])
    times = table["travel_time_s"]
    assert times["first", "second"] == pytest.approx(2 * ACCESS_S + 30)  # a quarter + a quarter
    assert times["second", "first"] == pytest.approx(2 * ACCESS_S + 15 + 100 + 15)
    assert times["first", "first"] == pytest.approx(2 * ACCESS_S)  # the two access legs
    near = net.nearest(pts.iloc[[1]], pts.iloc[[0]])
    assert near["travel_time_s"].iloc[0] == pytest.approx(times["second", "first"])


def test_a_delay_at_a_node_is_paid_by_trips_that_reach_it_not_by_those_stopping_before():
    net = _triangle(delay_at_1=20.0)  # 40 s of driving, then 20 s at node 1's signals
    beside, n1 = _points(beside=(500, -20)), _points(n1=(1000, 0))
    assert net.nearest(beside, n1)["travel_time_s"].iloc[0] == pytest.approx(ACCESS_S + 20 + 20)
    n0 = _points(n0=(0, 0))
    assert net.nearest(n0, beside)["travel_time_s"].iloc[0] == pytest.approx(20 + ACCESS_S)


def test_every_query_follows_the_same_definition():
    net = _triangle()
    beside, n1 = _points(beside=(500, -20)), _points(n1=(1000, 0))
    near = net.nearest(n1, beside)["travel_time_s"].iloc[0]
    pairs = net.od_table(n1, beside, max_time_s=1e4)["travel_time_s"].iloc[0]
    assert near == pytest.approx(pairs) and near == pytest.approx(130 + ACCESS_S)
    served = net.od_table(n1, beside, max_time_s=200, served_by=_points(n0=(0, 0)))
    assert served.empty  # node 0 is 100 s from node 1: it serves it first
    reached = net.reached_nodes(beside.iloc[0], 30 + ACCESS_S)  # node 0 only, 34.8 s away
    np.testing.assert_allclose(reached, net.graph.xy[[0]])
    assert net.describe()["trip_definition"] == TRIP_DEFINITION
    assert list(net.unplaced(_points(far=(500, -3000)))) == ["far"]


def test_placement_is_the_exact_nearest_point_of_the_road_segments():
    import shapely

    from maillage import fetch

    net = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0], cache=False)
    seg = net._segments
    rng = np.random.default_rng(3)
    xy = net.graph.xy[rng.integers(net.n_nodes, size=1500)] + rng.uniform(-600, 600, (1500, 2))
    placed = seg.place(xy, max_snap_m=400.0)
    lines = shapely.linestrings(np.stack([seg.xy[seg.a], seg.xy[seg.b]], axis=1))
    exact = shapely.distance(shapely.points(xy)[:, None], lines[None, :]).min(axis=1)  # brute force
    assert 0 < (~placed.placed).sum() < 1500  # some points lie farther than 400 m
    np.testing.assert_array_equal(placed.placed, exact <= 400.0)
    np.testing.assert_allclose(placed.distance_m[placed.placed], exact[placed.placed], atol=0.011)
    spot = seg.xy[seg.a[placed.segment]] + placed.fraction[:, None] * (
        seg.xy[seg.b[placed.segment]] - seg.xy[seg.a[placed.segment]]
    )
    gap = np.hypot(*(xy - spot).T)
    np.testing.assert_allclose(gap[placed.placed], placed.distance_m[placed.placed], atol=1e-6)


@pytest.mark.parametrize("max_snap_m", [30.0, 700.0, 2000.0])
def test_placement_is_exact_at_every_distance_including_points_far_beyond_the_network(max_snap_m):
    import shapely

    from maillage import fetch

    net = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0], cache=False)
    seg = net._segments
    rng = np.random.default_rng(7)
    near = net.graph.xy[rng.integers(net.n_nodes, size=400)] + rng.uniform(-80, 80, (400, 2))
    far = net.graph.xy.mean(axis=0) + rng.uniform(-15_000, 15_000, (400, 2))  # out at sea too
    xy = np.concatenate([near, far])
    lines = shapely.linestrings(np.stack([seg.xy[seg.a], seg.xy[seg.b]], axis=1))
    exact = shapely.distance(shapely.points(xy)[:, None], lines[None, :]).min(axis=1)
    placed = seg.place(xy, max_snap_m=max_snap_m)
    assert 0 < (~placed.placed).sum() < len(xy)
    np.testing.assert_array_equal(placed.placed, exact <= max_snap_m)
    np.testing.assert_allclose(placed.distance_m[placed.placed], exact[placed.placed], atol=0.011)


def test_the_same_points_are_placed_once_and_their_placement_cannot_be_altered():
    net = _triangle()
    xy = ORIGIN + np.array([[500.0, 20.0], [500.0, 5000.0]])
    first = net._segments.place(xy, max_snap_m=100.0)
    assert net._segments.place(xy.copy(), max_snap_m=100.0) is first
    wider = net._segments.place(xy, max_snap_m=10_000.0)
    assert first.placed.tolist() == [True, False] and wider.placed.tolist() == [True, True]
    with pytest.raises(ValueError, match="read-only"):
        first.segment[0] = 2


def test_a_long_diagonal_segment_costs_cells_along_its_length_not_its_box():
    from maillage.travel.graph.cells import CELL_M, CellIndex, SegmentCells

    xy = np.array([[0.0, 0.0], [100_000.0, 100_000.0], [0.0, 100_000.0]])  # a 141 km ferry line
    index = CellIndex.of(xy, np.array([0, 1]), np.array([1, 2]), CELL_M)
    assert len(index.owner) < 10 * (141_421 + 100_000) / CELL_M  # its box: 4 million cells
    cells = SegmentCells.of(xy, np.array([0, 1]), np.array([1, 2]))
    points = np.array([[50_000.0, 50_030.0], [60_000.0, 99_990.0], [90_000.0, 10_000.0]])
    assert cells.nearest(points, max_snap_m=100.0).tolist() == [0, 1, -1]
