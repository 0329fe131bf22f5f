"""Turn costs of OSRM's car profile on a turn-expanded graph."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import osmium
import pytest
from pyproj import Geod

from maillage import RoadNetwork, options
from maillage.travel.graph.turns import U_TURN_PENALTY_S, expand_turns, turn_cost_s

GEOD = Geod(ellps="WGS84")


def car_lua(angle: float, *, roundabout: bool = False) -> float:
    """process_turn of car.lua, written out again (turn_penalty 7.5, turn_bias 1.075)."""
    if angle >= 0:
        cost = 7.5 / (1 + np.exp(-((13 / 1.075) * angle / 180 - 6.5 * 1.075)))
    else:
        cost = 7.5 / (1 + np.exp(-((13 * 1.075) * -angle / 180 - 6.5 / 1.075)))
    if angle < 0 and not roundabout:
        cost += 2.0 / (1 + np.exp(-(13 * abs(angle) / 180 - 3.25)))
    return cost


@pytest.mark.parametrize("angle", [-180.0, -135.0, -90.0, -30.0, 0.0, 30.0, 90.0, 150.0])
def test_turn_cost_is_car_lua(angle):
    assert turn_cost_s(np.array([angle]))[0] == pytest.approx(car_lua(angle))
    assert turn_cost_s(np.array([angle]), roundabout=True)[0] == pytest.approx(
        car_lua(angle, roundabout=True)
    )


def test_turns_cost_more_to_the_left_and_straight_is_almost_free():
    straight, right, left = turn_cost_s(np.array([0.0, 90.0, -90.0]))
    assert straight < 0.01 < right < 2.2
    assert 7.3 < left < 7.4


# A cross at 45°N: centre 0, arms north 1, east 2, south 3, west 4, all primary two-way.
D = 0.01
NODES = {0: (0.0, 45.0), 1: (0.0, 45.0 + D), 2: (D, 45.0), 3: (0.0, 45.0 - D), 4: (-D, 45.0)}


@pytest.fixture(scope="module")
def cross(tmp_path_factory) -> RoadNetwork:
    tmp = tmp_path_factory.mktemp("cross")
    path = tmp / "cross.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id in sorted(NODES):
            writer.add_node(osmium.osm.mutable.Node(id=node_id + 1, location=NODES[node_id]))
        for arm in (1, 2, 3, 4):
            tags = {"highway": "primary"}
            writer.add_way(osmium.osm.mutable.Way(id=arm, nodes=[1, arm + 1], tags=tags))
    with options.set(cache_dir=tmp / "cache"):
        return RoadNetwork.from_osm(path)


def _leg(net: RoadNetwork, a: int, b: int) -> float:
    """Time of the road a -> b: the edge out of a's own state (turn-free)."""
    g, ids = net.graph, net.graph.node_ids.tolist()
    tail, node = g.own_states()[ids.index(a + 1)], g.node_of_state()
    heads = node[g.indices[g.indptr[tail] : g.indptr[tail + 1]]]
    (j,) = np.flatnonzero(heads == ids.index(b + 1))
    return float(g.weights[g.indptr[tail] + j])


def test_legs_are_the_roads(cross):
    (lon1, lat1), (lon2, lat2) = NODES[4], NODES[0]
    assert _leg(cross, 4, 0) == pytest.approx(
        GEOD.inv(lon1, lat1, lon2, lat2)[2] / (65 / 3.6), rel=5e-3
    )


def _table(net: RoadNetwork) -> dict[tuple[int, int], float]:
    ids = net.graph.node_ids.tolist()
    order = [ids.index(i + 1) for i in range(5)]
    xy = net.graph.xy[order]
    points = gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154)
    table = net.od_table(points, points, max_time_s=3600)
    return {
        (int(o), int(d)): float(t)
        for o, d, t in table[["origin_id", "dest_id", "travel_time_s"]].itertuples(index=False)
    }


def test_times_through_a_cross_pay_car_lua_turns(cross):
    times = _table(cross)
    west = _leg(cross, 4, 0)
    # from the west: north is a left turn, south a right turn, east straight on (the
    # angles are those of the projected arms, within a few tenths of a degree of 90)
    assert times[4, 1] == pytest.approx(west + _leg(cross, 0, 1) + car_lua(-90), abs=0.05)
    assert times[4, 3] == pytest.approx(west + _leg(cross, 0, 3) + car_lua(90), abs=0.05)
    # straight on: the projected parallel bends 0.007° to the left, and car.lua charges the
    # wait for oncoming traffic from the first degree: 0.09 s instead of 0.01 s
    assert times[4, 2] == pytest.approx(west + _leg(cross, 0, 2) + car_lua(-0.007), abs=0.01)
    # starting or ending at the intersection: no turn
    assert times[0, 1] == pytest.approx(_leg(cross, 0, 1))
    assert times[4, 0] == pytest.approx(west)


def test_nearest_agrees_with_the_table(cross):
    ids = cross.graph.node_ids.tolist()
    xy = cross.graph.xy[[ids.index(i + 1) for i in range(5)]]
    points = gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154)
    table = _table(cross)
    near = cross.nearest(points, points.iloc[[1]])
    for origin in range(5):
        assert near.loc[origin, "travel_time_s"] == pytest.approx(table[origin, 1])


def test_u_turn_only_where_nothing_else():
    """A one-way arrives at junction 0 whose only way on is back: a U-turn, penalised."""
    xy = np.array([[0, 0], [-10, 0], [10, 0], [0, 10]], dtype=float)
    # roads 0 <-> 1, and one-ways 2 -> 0 and 3 -> 0: node 0's only exit leads to 1
    tails = np.array([0, 1, 2, 3])
    heads = np.array([1, 0, 0, 0])
    indptr = np.searchsorted(tails, np.arange(5)).astype(np.int64)
    ptr, _, weights, state_ptr = expand_turns(
        indptr, heads.astype(np.int32), np.ones(4), xy, np.zeros(4, dtype=bool)
    )
    assert state_ptr.tolist() == [0, 4, 5, 6, 7]  # node 0: its own state, arrivals from 1, 2, 3
    exits = {int(s): int(ptr[s + 1] - ptr[s]) for s in range(1, 4)}
    # from 1 the only exit is back to 1: kept, with the U-turn penalty
    from_1 = 1
    assert exits[from_1] == 1
    assert weights[ptr[from_1]] == pytest.approx(1 + car_lua(180) + U_TURN_PENALTY_S)
    # from 2 and 3 the exit to 1 is a turn, no U-turn
    assert exits[2] == exits[3] == 1


def test_without_turn_costs(tmp_path):
    path = tmp_path / "cross.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id in sorted(NODES):
            writer.add_node(osmium.osm.mutable.Node(id=node_id + 1, location=NODES[node_id]))
        for arm in (1, 2, 3, 4):
            tags = {"highway": "primary"}
            writer.add_way(osmium.osm.mutable.Way(id=arm, nodes=[1, arm + 1], tags=tags))
    with options.set(cache_dir=tmp_path / "cache"):
        plain = RoadNetwork.from_osm(path, turn_costs=False)
        turns = RoadNetwork.from_osm(path)  # another cache entry
        assert len(list((tmp_path / "cache" / "road-graphs").glob("*.npz"))) == 2
    assert plain.graph.n_states == plain.n_nodes == turns.n_nodes < turns.graph.n_states
    assert plain.describe()["turn_costs"] == "none"
    fast, slow = _table(plain), _table(turns)
    assert fast[4, 1] == pytest.approx(slow[4, 1] - car_lua(-90), abs=0.05)
