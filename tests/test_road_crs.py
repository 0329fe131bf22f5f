"""The road engines in the working CRS of an overseas territory.

Saint-Barthélemy (real 2015 extract) lies in UTM zone 20N (EPSG:5490, the CRS of Guadeloupe
and Martinique), where Lambert-93 stretches every distance by about 11.7 % and turns the
grid 48° from north. A graph built in either CRS has the same edges and times; only the
snapping distances and access legs follow the projection's scale factor.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from osm_grid import write_grid_pbf

import maillage
from maillage import InputDataError, OptionError, RoadNetwork, fetch, options
from maillage.report.columns import read_table

if TYPE_CHECKING:
    from maillage.travel.graph.graph import Graph

UTM20N = "EPSG:5490"
L93 = "EPSG:2154"


@pytest.fixture(scope="module")
def pbf():
    return fetch("osm-saint-barthelemy-2015")[0]


@pytest.fixture(scope="module")
def nets(pbf) -> dict[str, RoadNetwork]:
    return {crs: RoadNetwork.from_osm(pbf, crs=crs, cache=False) for crs in (L93, UTM20N)}


@pytest.fixture(scope="module")
def homes(nets) -> gpd.GeoSeries:
    """300 random points over the island (WGS84), some at sea."""
    xy = nets[L93].graph.xy
    lon0, lat0, lon1, lat1 = (
        gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=L93).to_crs(4326).total_bounds
    )
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(lon0, lon1, 300), rng.uniform(lat0, lat1, 300)
    return gpd.GeoSeries.from_xy(lon, lat, index=[f"h{i}" for i in range(300)], crs=4326)


def _edges(graph: Graph) -> pd.Series:
    """Edge weights keyed by the OSM ids of their ends (positions differ between CRSs)."""
    tails = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
    index = pd.MultiIndex.from_arrays([graph.node_ids[tails], graph.node_ids[graph.indices]])
    return pd.Series(graph.weights, index=index).sort_index()


def _nodes(graph: Graph, ids: np.ndarray) -> gpd.GeoSeries:
    """The nodes of OSM ids ``ids``, as points in the graph's CRS."""
    order = np.argsort(graph.node_ids)
    at = order[np.searchsorted(graph.node_ids[order], ids)]
    index = [f"v{i}" for i in range(len(ids))]
    return gpd.GeoSeries.from_xy(graph.xy[at, 0], graph.xy[at, 1], index=index, crs=graph.crs)


def _scale(crs: str, points: gpd.GeoSeries) -> np.ndarray:
    """Point scale factor of a conformal ``crs`` at WGS84 ``points``."""
    factors = pyproj.Proj(crs).get_factors(points.x.to_numpy(), points.y.to_numpy())
    return np.asarray(factors.meridional_scale)


def _placement_ids(net: RoadNetwork, place, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OSM ids of the ends of each placement's segment (lower id first), fraction from it.

    A placement on a node (any segment of it) is that node twice, fraction 0.
    """
    seg = net._segments
    ids = net.graph.node_ids[np.stack([seg.a, seg.b], axis=1)[place.segment[mask]]]
    t = place.fraction[mask]
    ids[t == 0.0, 1], ids[t == 1.0, 0] = ids[t == 0.0, 0], ids[t == 1.0, 1]
    swap = ids[:, 0] > ids[:, 1]
    t = np.where(swap, 1.0 - t, t)
    return np.sort(ids, axis=1), np.where(ids[:, 0] == ids[:, 1], 0.0, t)


def test_the_graph_is_the_same_in_either_crs(nets):
    l93, utm = nets[L93].graph, nets[UTM20N].graph
    assert (l93.crs, utm.crs) == (L93, UTM20N)
    assert nets[UTM20N].crs == UTM20N and nets[UTM20N].describe()["crs"] == UTM20N
    assert sorted(l93.node_ids) == sorted(utm.node_ids)
    pd.testing.assert_series_equal(_edges(l93), _edges(utm))  # haversine times: exactly equal
    assert utm.turn_costs and utm.reversed().crs == UTM20N
    ids = l93.node_ids[::50]
    moved = _nodes(l93, ids).to_crs(UTM20N).get_coordinates().to_numpy()
    np.testing.assert_allclose(moved, _nodes(utm, ids).get_coordinates().to_numpy(), atol=1e-3)


def test_crs_is_read_in_any_form_and_must_be_a_working_crs(pbf):
    assert RoadNetwork.from_osm(pbf, crs=5490).crs == UTM20N
    assert RoadNetwork.from_osm(pbf, crs=pyproj.CRS("epsg:5490")).crs == UTM20N
    with pytest.raises(OptionError, match=r"crs must be 'EPSG:2154', .* got 'EPSG:4326'"):
        RoadNetwork.from_osm(pbf, crs=4326)


def test_times_agree_and_access_legs_follow_the_scale_factor(nets, homes):
    venues_l93 = _nodes(nets[L93].graph, nets[L93].graph.node_ids[[5, 900, 2000, 3100]])
    venues = {L93: venues_l93, UTM20N: venues_l93.to_crs(UTM20N)}  # on nodes: no access leg
    near, snap = {}, {}
    for crs, net in nets.items():
        near[crs] = net.nearest(homes.to_crs(crs), venues[crs])
        snap[crs] = net._place(homes.to_crs(crs), name="homes")
    both = snap[L93].placed & snap[UTM20N].placed
    assert both.sum() > 250 and (snap[L93].placed != snap[UTM20N].placed).sum() <= 3
    placed_on = {c: _placement_ids(nets[c], snap[c], both) for c in nets}
    same = (placed_on[L93][0] == placed_on[UTM20N][0]).all(axis=1)
    assert same.mean() > 0.98  # conformal: each home is placed on the same road segment...
    np.testing.assert_allclose(placed_on[L93][1][same], placed_on[UTM20N][1][same], atol=2e-3)
    # ...at the same place along it; the road times are equal (up to float32 turn angles and
    # that fraction), the access leg is what differs
    road_s = {c: near[c]["travel_time_s"].to_numpy()[both] - snap[c].access_s()[both] for c in nets}
    np.testing.assert_allclose(road_s[L93][same], road_s[UTM20N][same], atol=0.05)
    assert (near[L93]["dest_id"][both][same] == near[UTM20N]["dest_id"][both][same]).all()
    # the access leg is the geodesic distance in UTM (scale 0.9996), 11.7 % longer in Lambert-93
    seg, t = nets[UTM20N]._segments, snap[UTM20N].fraction[both]
    a, b = seg.xy[seg.a[snap[UTM20N].segment[both]]], seg.xy[seg.b[snap[UTM20N].segment[both]]]
    spot = a + t[:, None] * (b - a)
    spot_ll = gpd.GeoSeries.from_xy(spot[:, 0], spot[:, 1], crs=UTM20N).to_crs(4326)
    placed = homes[both]
    _, _, geodesic_m = pyproj.Geod(ellps="GRS80").inv(
        placed.x.to_numpy(), placed.y.to_numpy(), spot_ll.x.to_numpy(), spot_ll.y.to_numpy()
    )
    np.testing.assert_allclose(snap[UTM20N].distance_m[both], geodesic_m, rtol=1e-3, atol=0.01)
    ratio = snap[L93].distance_m[both][same] / geodesic_m[same]
    assert np.median(ratio) > 1.1  # Lambert-93 is off by its scale factor...
    np.testing.assert_allclose(ratio, _scale(L93, placed[same]), rtol=2e-3)  # ...that one


def test_points_in_another_crs_than_the_network_are_a_clear_error(nets, homes):
    utm, l93 = nets[UTM20N], nets[L93]
    venues = homes.iloc[:3].to_crs(UTM20N)
    with pytest.raises(InputDataError) as caught:
        utm.nearest(homes.to_crs(L93), venues)
    message = str(caught.value)
    assert "origins must be in EPSG:5490, the road network's CRS, got EPSG:2154" in message
    assert "origins.to_crs('EPSG:5490')" in message and "crs='EPSG:2154'" in message
    with pytest.raises(
        InputDataError, match=r"destinations must be in EPSG:2154, .* got EPSG:5490"
    ):
        l93.od_table(homes.to_crs(L93), venues, max_time_s=600)
    with pytest.raises(
        InputDataError, match=r"must be in EPSG:5490, .* got EPSG:4326; call points.to_crs"
    ):
        utm.unplaced(homes)
    with pytest.raises(InputDataError, match=r"got None; set it with origins\.set_crs"):
        utm.nearest(homes.to_crs(UTM20N).set_crs(None, allow_override=True), venues)


def test_each_crs_has_its_own_cache_entry(pbf, tmp_path):
    with options.set(cache_dir=tmp_path):
        RoadNetwork.from_osm(pbf)
        built = RoadNetwork.from_osm(pbf, crs=UTM20N)
        entries = sorted((tmp_path / "road-graphs").glob("*.npz"))
        assert len(entries) == 2
        cached = RoadNetwork.from_osm(pbf, crs=UTM20N)
        assert sorted((tmp_path / "road-graphs").glob("*.npz")) == entries
    assert cached.crs == UTM20N
    np.testing.assert_array_equal(cached.graph.xy, built.graph.xy)
    np.testing.assert_array_equal(cached.graph.heading, built.graph.heading)


def test_osrm_gives_the_same_times_in_either_crs(pbf, homes, tmp_path):
    pytest.importorskip("osrm", reason="osrm-bindings is not installed")
    with options.set(cache_dir=tmp_path):
        model = maillage.OSRMModel.from_osm(pbf)
    origins, venues = homes.iloc[:60], homes.iloc[200:210]
    tables = [model.time_matrix(origins.to_crs(c), venues.to_crs(c)) for c in (L93, UTM20N)]
    assert tables[0].notna().to_numpy().mean() > 0.5
    pd.testing.assert_frame_equal(*tables, atol=0.2)  # the same spots, up to OSRM's 1e-6°
    near = [model.nearest(origins.to_crs(c), venues.to_crs(c)) for c in (L93, UTM20N)]
    pd.testing.assert_frame_equal(*near, atol=0.2)
    pairs = [
        model.od_table(origins.to_crs(c), venues.to_crs(c), max_time_s=600) for c in (L93, UTM20N)
    ]
    pd.testing.assert_frame_equal(*pairs, atol=0.2)
    with pytest.raises(
        InputDataError, match="origins are in EPSG:2154 and destinations in EPSG:5490"
    ):
        model.nearest(origins.to_crs(L93), venues.to_crs(UTM20N))


def test_report_over_a_road_network_of_la_reunion(tmp_path, capsys, monkeypatch):
    """`maillage report --region 04 --network ...`: the graph is built in EPSG:2975."""
    from maillage.cli import main

    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path / "cache"))
    communes = maillage.load_communes(region="04")
    grid = tmp_path / "reunion-grid.osm.pbf"
    write_grid_pbf(grid, tuple(communes.to_crs(4326).total_bounds), side=48)
    out = tmp_path / "reunion"
    args = ["-q", "report", "--venues", "france-services-2024-08-01", "--region", "04"]
    code = main([*args, "--network", str(grid), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    model = json.loads((out / "summary.json").read_text(encoding="utf-8"))["travel_time_model"]
    assert (model["model"], model["crs"], model["n_nodes"]) == ("RoadNetwork", "EPSG:2975", 48 * 48)
    table = read_table(out / "communes.csv")
    assert len(table) == 24 and table["time_min"].notna().mean() > 0.9
