"""nearest_k, second_choice and closure_impact against brute force, on real data.

The road graph and OSRM on Saint-Barthélemy (catalogue), the straight-line models on the
toy territory and on Lozère with France services 2024 (every venue closed in turn).
"""

from __future__ import annotations

import importlib.util
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import maillage
from maillage import (
    CrowFlyModel,
    MaillageWarning,
    RoadNetwork,
    attribution,
    closure_impact,
    coverage,
    default_model,
    fetch,
    nearest_k,
    second_choice,
)
from maillage.analysis.coverage import build_origins
from maillage.errors import InputDataError
from maillage.prepare.toy import toy_territory
from maillage.travel.graph.graph import line_graph

K = 3


def brute_force(od: pd.DataFrame, index: pd.Index, k: int) -> np.ndarray:
    """The k least times of each origin in an od_table (inf past those found)."""
    out = np.full((len(index), k), np.inf)
    ranked = od.sort_values(["origin_id", "travel_time_s"], kind="stable")
    ranked = ranked.assign(rank=ranked.groupby("origin_id").cumcount())
    ranked = ranked[ranked["rank"] < k]
    out[index.get_indexer(ranked["origin_id"]), ranked["rank"].to_numpy()] = ranked["travel_time_s"]
    return out


def assert_same_as(frame: pd.DataFrame, od: pd.DataFrame, k: int) -> None:
    """Engine nearest_k frame equals the brute force of its own od_table (placed origins)."""
    times = frame[[f"travel_time_s_{j}" for j in range(1, k + 1)]].to_numpy(dtype=float)
    placed = ~np.isnan(times[:, 0])
    assert placed.sum() > 0.5 * len(frame)
    expected = brute_force(od, frame.index, k)
    np.testing.assert_allclose(times[placed], expected[placed], rtol=1e-12, atol=1e-9)
    pairs = od.set_index(["origin_id", "dest_id"])["travel_time_s"]
    for j in range(1, k + 1):  # each venue named is the one at that time
        named = frame[frame[f"dest_id_{j}"].notna()]
        keys = pd.MultiIndex.from_arrays([named.index, named[f"dest_id_{j}"]])
        np.testing.assert_allclose(pairs.reindex(keys), named[f"travel_time_s_{j}"], atol=1e-9)
        assert (
            not named[[f"dest_id_{i}" for i in range(1, j)]]
            .eq(named[f"dest_id_{j}"], axis=0)
            .any(axis=None)
        )  # distinct venues


@pytest.fixture(scope="module")
def pbf():
    return fetch("osm-saint-barthelemy-2015")[0]


@pytest.fixture(scope="module")
def island(pbf):
    """300 random homes over the island (some at sea) and 12 venues near road nodes."""
    net = RoadNetwork.from_osm(pbf)
    xy = net.graph.xy
    rng = np.random.default_rng(0)
    homes = rng.uniform(xy.min(0), xy.max(0), (300, 2))
    spots = xy[rng.choice(len(xy), 12, replace=False)] + rng.normal(0, 30, (12, 2))
    return (
        gpd.GeoSeries.from_xy(*homes.T, index=[f"h{i}" for i in range(300)], crs=net.crs),
        gpd.GeoSeries.from_xy(*spots.T, index=[f"v{i}" for i in range(12)], crs=net.crs),
    )


@pytest.mark.parametrize("route_by", ["duration", "weight"])
def test_road_graph_equals_its_own_od_table(pbf, island, route_by):
    net = RoadNetwork.from_osm(pbf, turn_costs=False, route_by=route_by)
    homes, venues = island
    frame = net.nearest_k(homes, venues, K)
    assert_same_as(frame, net.od_table(homes, venues, max_time_s=1e7), K)
    within = net.nearest_k(homes, venues, K, max_time_s=300)
    over = np.isfinite(within["travel_time_s_2"]) & (within["travel_time_s_2"] > 300)
    assert not over.any() and within["dest_id_2"].isna().sum() > frame["dest_id_2"].isna().sum()


@pytest.mark.parametrize("turn_costs", [False, True])
def test_road_graph_k1_is_nearest(pbf, island, turn_costs):
    net = RoadNetwork.from_osm(pbf, turn_costs=turn_costs)
    homes, venues = island
    one, near = net.nearest_k(homes, venues, 1), net.nearest(homes, venues)
    np.testing.assert_array_equal(one["travel_time_s_1"], near["travel_time_s"])
    assert one["dest_id_1"].equals(near["dest_id"])


def test_road_graph_with_turns(pbf, island):
    """Each of a node's k routes turns from its own last edge (kernels.next_rank).

    Rank 1 is never slower than nearest (an origin may leave by a second route whose last
    edge turns more cheaply), and the times are those of the per-venue searches of
    od_table but for a few pairs: none of the 834 pairs here; 8 of 379 origins (at most
    7.2 s) and 1 of 1,116 pairs (0.7 s) on two other draws of 400 homes.
    """
    net = RoadNetwork.from_osm(pbf, turn_costs=True, route_by="duration")
    homes, venues = island
    frame = net.nearest_k(homes, venues, K)
    near = net.nearest(homes, venues)["travel_time_s"]
    placed = near.notna()
    assert (frame.loc[placed, "travel_time_s_1"] <= near[placed] + 1e-9).all()
    od = net.od_table(homes, venues, max_time_s=1e7).set_index(["origin_id", "dest_id"])
    gaps = []
    for j in range(1, K + 1):
        named = frame[frame[f"dest_id_{j}"].notna()]
        keys = pd.MultiIndex.from_arrays([named.index, named[f"dest_id_{j}"]])
        gaps.append(
            np.abs(od["travel_time_s"].reindex(keys).to_numpy() - named[f"travel_time_s_{j}"])
        )
    gaps = np.concatenate(gaps)
    assert (gaps > 1e-6).mean() < 0.03 and gaps.max() < 15


def test_toy_road_and_straight_line(pbf):
    """A toy road (line graph) and the toy territory: every engine equals its od_table."""
    net = RoadNetwork(line_graph([60.0, 120.0, 30.0, 90.0, 45.0]))
    homes = gpd.GeoSeries.from_xy(np.arange(0, 5001, 250.0), np.full(21, 40.0), crs=2154)
    venues = gpd.GeoSeries.from_xy(
        [0, 2000, 2100, 5000], [0, 0, 0, 0], index=list("abcd"), crs=2154
    )
    assert_same_as(net.nearest_k(homes, venues, K), net.od_table(homes, venues, max_time_s=1e7), K)
    communes, toy_venues = toy_territory()
    origins = build_origins(communes).geometry
    points = gpd.GeoSeries(toy_venues.geometry.to_numpy(), index=toy_venues["venue_id"], crs=2154)
    for model in (CrowFlyModel(), default_model(), *default_model().bounds()):
        frame = model.nearest_k(origins, points, K)
        assert_same_as(frame, model.od_table(origins, points, max_time_s=1e7), K)
        assert frame["dest_id_3"].isna().all() and np.isinf(frame["travel_time_s_3"]).all()


def test_straight_line_time_grows_with_distance():
    """What makes the k-d tree exact: for a given origin, time grows with distance."""
    d = np.linspace(0, 150_000, 3001)
    for model in (CrowFlyModel(), default_model(), *default_model().bounds(0.9)):
        for density in (5.0, 80.0, 500.0, 3000.0, 20_000.0):
            t = model.time_s(d) if isinstance(model, CrowFlyModel) else model.time_s(d, density)
            assert (np.diff(t) >= 0).all()


@pytest.mark.skipif(importlib.util.find_spec("osrm") is None, reason="no osrm-bindings")
def test_osrm_equals_its_table(pbf, island):
    model = maillage.OSRMModel.from_osm(pbf)
    homes, venues = island
    homes = homes.iloc[:80]
    frame = model.nearest_k(homes, venues, K)
    table = model.time_matrix(homes, venues)
    od = (
        table.rename_axis(index="origin_id")
        .reset_index()
        .melt(id_vars="origin_id", var_name="dest_id", value_name="travel_time_s")
    )
    assert_same_as(frame, od[np.isfinite(od["travel_time_s"])], K)


def test_k_is_checked():
    communes, venues = toy_territory()
    with pytest.raises(InputDataError, match="k must be"):
        nearest_k(build_origins(communes), venues, 0, model=CrowFlyModel())


@pytest.fixture(scope="module")
def lozere():
    """Lozère and the France services of 2024 around it, default model, coverage detail."""
    communes = maillage.load_communes(departements="48")
    venues = maillage.load_venues("france-services-2024-08-01", departements="48")
    model = default_model(communes)
    _cov, org = coverage(communes, venues, model=model, detail=True)
    return communes, venues, model, org


def test_k1_equals_coverage_nearest(lozere):
    _communes, venues, model, org = lozere
    one = nearest_k(org, venues, 1, model=model)
    np.testing.assert_array_equal(one["time_min_1"], org["time_min"])
    assert (one["venue_1"] == org["nearest_venue"]).all()
    two = nearest_k(org, venues, 2, model=model)
    assert (two["time_min_2"] >= two["time_min_1"]).all()
    assert (two["venue_2"] != two["venue_1"]).all()


def test_closure_impact_equals_closing_each_venue(lozere):
    """Close each venue in turn and compute the coverage again: the same, venue by venue."""
    communes, venues, model, org = lozere
    impact = closure_impact(communes, venues, model=model, origins=org)
    assert sorted(impact.index) == sorted(venues["venue_id"])
    assert (np.diff(impact["residents_beyond"]) <= 0).all()
    pop = org["population"].to_numpy()
    for venue_id, row in impact.iterrows():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MaillageWarning)
            _, after = coverage(
                communes, venues[venues["venue_id"] != venue_id], model=model, detail=True
            )
        before_t, after_t = org["time_min"].to_numpy(), after["time_min"].to_numpy()
        served = (org["nearest_venue"] == venue_id).to_numpy()
        beyond = pop[(before_t <= 20) & ~(after_t <= 20)].sum()
        added = (pop * (after_t - before_t))[served & np.isfinite(after_t)].sum()
        assert row["residents_served"] == pytest.approx(pop[served].sum())
        assert row["residents_beyond"] == pytest.approx(beyond, abs=1e-6)
        assert row["added_minutes"] == pytest.approx(added, rel=1e-9, abs=1e-6)
        assert np.array_equal(after_t[~served], before_t[~served])  # nobody else moves
    assert impact["residents_served"].sum() == pytest.approx(pop.sum())
    assert impact["residents_beyond"].max() > 0


def test_second_choice_by_level(lozere):
    communes, venues, model, org = lozere
    times = nearest_k(org, venues, 2, model=model)
    by_commune = second_choice(communes, venues, model=model, origins=org, times=times)
    assert by_commune.index.equals(communes.index)
    assert (by_commune["population_two_within"] <= by_commune["population_within_threshold"]).all()
    np.testing.assert_allclose(
        by_commune["population_within_threshold"],
        org.groupby("code_insee")["population"]
        .apply(lambda p: p[org.loc[p.index, "covered"]].sum())
        .reindex(communes.index)
        .fillna(0.0),
    )
    area = second_choice(communes, venues, model=model, by=None, origins=org).iloc[0]
    assert area["population"] == communes["population"].sum()
    assert area["population_two_within"] == pytest.approx(
        org.loc[(times["time_min_2"] <= 20).to_numpy(), "population"].sum()
    )
    assert 0 < area["share_two_within"] < area["share_within_threshold"] <= 1
    for level in ("epci", "departement"):
        rows = second_choice(communes, venues, model=model, by=level, origins=org, times=times)
        assert rows["population_two_within"].sum() == pytest.approx(area["population_two_within"])


def test_supported_group_is_attribution():
    communes, venues = toy_territory()
    model = CrowFlyModel(circuity=1, speed_kph=60)
    impact = closure_impact(communes, venues, model=model, threshold_min=20)
    att = attribution(communes, venues, model=model, threshold_min=20)
    assert impact.attrs["supported_group"] == att.attrs["supported_contribution"]
    assert impact.attrs["threshold_min"] == 20


@pytest.mark.parametrize("k", [1, 2, 4])
def test_k_nearest_search_equals_per_venue_dijkstra(pbf, k):
    """Node level: the k least weights of distinct venues are SciPy's per-venue searches."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    from maillage.travel.graph.search import edge_costs, search_from_k

    graph = RoadNetwork.from_osm(pbf, turn_costs=False).graph.reversed()
    sources = np.random.default_rng(3).choice(graph.n_nodes, 9, replace=False)
    sources = np.r_[sources, sources[:2]]  # a venue starting at two nodes, as on an edge
    start = np.r_[np.linspace(0, 40, 9), 5.0, 70.0]
    labels = np.r_[np.arange(9), 0, 1]
    time_s, label, _, weight = search_from_k(graph, sources, start, labels, k)
    _, weights = edge_costs(graph)
    matrix = csr_matrix((weights, graph.indices, graph.indptr), shape=(graph.n_nodes,) * 2)
    per_row = dijkstra(matrix, indices=sources) + start[:, None]
    per_venue = np.stack([per_row[labels == v].min(axis=0) for v in range(9)])
    expected = np.sort(per_venue, axis=0)[:k].T
    np.testing.assert_allclose(weight, expected, rtol=1e-12)
    reached = np.isfinite(weight)
    picked = per_venue[label[reached], np.nonzero(reached)[0]]
    np.testing.assert_allclose(picked, weight[reached], rtol=1e-12)
    assert np.isfinite(time_s[reached]).all()
