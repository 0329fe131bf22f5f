"""Node rules of OSRM's car profile: barriers, traffic signals, stops, gates."""

from __future__ import annotations

import geopandas as gpd
import osmium
import pytest
from pyproj import Geod

from maillage import RoadNetwork, options
from maillage.travel.graph.nodes import (
    BACKWARD,
    BOTH,
    FORWARD,
    GATE_DELAY_S,
    PLAIN,
    STOP_MINOR,
    STOP_UNDIRECTED,
    NodeRule,
    node_rule,
)

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "traffic_signals"}, NodeRule(False, ((2.0, BOTH, PLAIN),))),
        (
            {"highway": "traffic_signals", "traffic_signals:direction": "backward"},
            NodeRule(False, ((2.0, BACKWARD, PLAIN),)),
        ),
        (
            {"highway": "traffic_signals", "direction": "forward"},
            NodeRule(False, ((2.0, FORWARD, PLAIN),)),
        ),
        ({"highway": "stop"}, NodeRule(False, ((2.0, BOTH, STOP_UNDIRECTED),))),
        ({"highway": "stop", "stop": "minor"}, NodeRule(False, ((2.0, BOTH, STOP_MINOR),))),
        ({"highway": "give_way", "direction": "forward"}, NodeRule(False, ((1.0, FORWARD, PLAIN),))),
        ({"barrier": "gate"}, NodeRule(False, ((GATE_DELAY_S, BOTH, PLAIN),))),
        ({"barrier": "lift_gate", "highway": "traffic_signals"},
         NodeRule(False, ((GATE_DELAY_S, BOTH, PLAIN), (2.0, BOTH, PLAIN)))),
        ({"barrier": "bollard"}, NodeRule(True)),
        ({"barrier": "block"}, NodeRule(True)),
        ({"barrier": "yes"}, NodeRule(True)),
        ({"barrier": "height_restrictor", "maxheight": "1.8"}, NodeRule(True)),
        ({"access": "no"}, NodeRule(True)),
        ({"motor_vehicle": "no", "barrier": "gate"}, NodeRule(True)),
    ],
)  # fmt: skip
def test_node_rules(tags, expected):
    assert node_rule(tags) == expected


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "crossing"},
        {"highway": "bus_stop"},
        {"barrier": "toll_booth"},
        {"barrier": "cattle_grid"},
        {"barrier": "entrance"},
        {"barrier": "bollard", "bollard": "rising"},
        {"barrier": "kerb", "kerb": "lowered"},
        {"barrier": "kerb", "highway": "crossing"},
        {"barrier": "height_restrictor", "maxheight": "2.5"},
        {"barrier": "bollard", "access": "yes"},  # an access tag decides alone
        {"barrier": "gate", "access": "private"},  # restricted: no barrier in car.lua
    ],
)
def test_nodes_without_rule(tags):
    assert node_rule(tags) is None


# A loop 1-2-3-4 (primary) and 4-5-1 (residential) with, along the primary way: traffic
# signals at 2 facing its direction, a gate at 3; a bollard at 5 closes the residential way.
NODES = {1: (0.00, 45.00), 2: (0.01, 45.00), 3: (0.02, 45.00), 4: (0.03, 45.00), 5: (0.015, 45.01)}
NODE_TAGS = {
    2: {"highway": "traffic_signals", "traffic_signals:direction": "forward"},
    3: {"barrier": "gate"},
    5: {"barrier": "bollard"},
}
WAYS = [([1, 2, 3, 4], {"highway": "primary"}), ([4, 5, 1], {"highway": "residential"})]


@pytest.fixture
def loop(tmp_path) -> RoadNetwork:
    path = tmp_path / "loop.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, location in NODES.items():
            tags = NODE_TAGS.get(node_id, {})
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=location, tags=tags))
        for way_id, (nodes, tags) in enumerate(WAYS, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=nodes, tags=tags))
    with options.set(cache_dir=tmp_path / "cache"):
        return RoadNetwork.from_osm(path)


def seconds(a: int, b: int, kph: float) -> float:
    (lon1, lat1), (lon2, lat2) = NODES[a], NODES[b]
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / (kph / 3.6)


def _time(net: RoadNetwork, a: int, b: int) -> float:
    """Drive time from node id ``a`` to node id ``b``."""
    xy = net.graph.xy[[net.graph.node_ids.tolist().index(i) for i in (a, b)]]
    points = gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154)
    return float(net.nearest(points.iloc[[0]], points.iloc[[1]])["travel_time_s"].iloc[0])


def test_signals_gates_and_bollards_on_a_loop(loop):
    # the bollard splits node 5 into two dead ends, one per road
    assert sorted(loop.graph.node_ids.tolist()) == [1, 2, 3, 4, 5, 5]
    primary = seconds(1, 2, 65) + seconds(2, 3, 65) + seconds(3, 4, 65)
    # 1 -> 4 along the way: the signals (facing forward) and the gate
    assert _time(loop, 1, 4) == pytest.approx(primary + 2.0 + GATE_DELAY_S, rel=5e-3)
    # 4 -> 1 against it: the gate only; never through the bollard
    assert _time(loop, 4, 1) == pytest.approx(primary + GATE_DELAY_S, rel=5e-3)


def test_stop_minor_counts_when_entering_from_the_minor_road(tmp_path):
    """A T junction: a residential road meets a primary at 2, which carries stop=minor."""
    path = tmp_path / "t.osm.pbf"
    nodes = {1: (0.0, 45.0), 2: (0.01, 45.0), 3: (0.02, 45.0), 4: (0.01, 44.99)}
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, location in nodes.items():
            tags = {"highway": "stop", "stop": "minor"} if node_id == 2 else {}
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=location, tags=tags))
        writer.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 2, 3], tags={"highway": "primary"}))
        writer.add_way(osmium.osm.mutable.Way(id=2, nodes=[4, 2], tags={"highway": "residential"}))
    with options.set(cache_dir=tmp_path / "cache"):
        net = RoadNetwork.from_osm(path)
    g = net.graph
    ids = g.node_ids
    entering = {}
    for t in range(g.n_nodes):
        for j in range(g.indptr[t], g.indptr[t + 1]):
            entering[int(ids[t]), int(ids[g.indices[j]])] = float(g.weights[j])
    (lon1, lat1), (lon2, lat2) = nodes[4], nodes[2]
    minor = GEOD.inv(lon1, lat1, lon2, lat2)[2] / (25 / 3.6)
    (lon1, lat1), (lon2, lat2) = nodes[1], nodes[2]
    major = GEOD.inv(lon1, lat1, lon2, lat2)[2] / (65 / 3.6)
    assert entering[4, 2] == pytest.approx(minor + 2.0, rel=5e-3)
    assert entering[1, 2] == pytest.approx(major, rel=5e-3)
