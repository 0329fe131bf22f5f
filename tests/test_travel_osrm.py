"""OSRMModel: OSRM's own car times behind the TravelTimeModel protocol.

The engine's times are checked against a direct ``osrm-bindings`` Table call on the real
Monaco extract (the test data of OSRM itself), ``nearest`` against the minimum of the full
table, and coverage runs end to end on the three shared OSM extracts.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from osm_grid import split_grid_pbf, write_grid_pbf
from shapely import Point, box

osrm = pytest.importorskip(
    "osrm", reason="osrm-bindings is not installed (pip install osrm-bindings)"
)

import maillage  # noqa: E402 - after the skip
from maillage import (  # noqa: E402
    MissingDependencyError,
    NetworkError,
    OptionError,
    OSRMModel,
    RoadNetwork,
    options,
)
from maillage.report.columns import read_table  # noqa: E402
from maillage.travel import osrm as osrm_engine  # noqa: E402
from maillage.travel import osrm_build  # noqa: E402

_DATA = Path(os.environ.get("MAILLAGE_DATA_DIR", "/nonexistent")) / "osm"
MONACO = _DATA / "monaco-osrm-2016" / "monaco.osm.pbf"
SAINT_BARTH = _DATA / "saint-barthelemy-2015" / "saint_barthelemy.osm.pbf"
PARIS = _DATA / "paris-bss-valhalla-2020" / "paris_bss.osm.pbf"
MONACO_BOX = (7.40, 43.72, 7.49, 43.77)  # lon/lat, the part of the extract with roads
MONACO_COMMUNES = ["06012", "06032", "06150", "06059", "06104"]  # Beausoleil ... Roquebrune

needs_monaco = pytest.mark.skipif(not MONACO.is_file(), reason=f"no Monaco extract at {MONACO}")


def _random_points(bounds, n: int, seed: int, prefix: str = "p") -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(bounds[0], bounds[2], n)
    lat = rng.uniform(bounds[1], bounds[3], n)
    index = [f"{prefix}{i}" for i in range(n)]
    return gpd.GeoSeries.from_xy(lon, lat, index=index, crs=4326).to_crs(2154)


def _direct_table(model: OSRMModel, origins: gpd.GeoSeries, destinations: gpd.GeoSeries):
    """Durations and snap distances from one plain osrm-bindings Table call."""
    engine = osrm.OSRM(storage_config=str(model._base), algorithm="CH", use_shared_memory=False)
    lonlat = pd.concat([origins, destinations]).to_crs(4326).get_coordinates().to_numpy()
    params = osrm.TableParameters(
        coordinates=[tuple(p) for p in lonlat.tolist()],
        sources=list(range(len(origins))),
        destinations=list(range(len(origins), len(lonlat))),
        annotations=["duration"],
    )
    result = engine.Table(params)
    times = np.array([list(row) for row in result["durations"]], dtype=float)
    snap_o = np.array([w["distance"] for w in result["sources"]])
    snap_d = np.array([w["distance"] for w in result["destinations"]])
    return np.where(np.isnan(times), np.inf, times), snap_o, snap_d


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("osrm-cache")


@pytest.fixture(scope="module")
def monaco(cache_dir) -> OSRMModel:
    if not MONACO.is_file():
        pytest.skip(f"no Monaco extract at {MONACO}")
    with options.set(cache_dir=cache_dir):
        return OSRMModel.from_osm(MONACO)


@pytest.fixture(scope="module")
def points() -> tuple[gpd.GeoSeries, gpd.GeoSeries]:
    """120 origins and 40 destinations over Monaco; some at sea, farther than 2 km."""
    return _random_points(MONACO_BOX, 120, 1, "o"), _random_points(MONACO_BOX, 40, 2, "d")


# -- times are OSRM's own ---------------------------------------------------------------


@needs_monaco
def test_times_equal_osrm_own_table(monaco, points):
    origins, destinations = points
    direct, snap_o, snap_d = _direct_table(monaco, origins, destinations)
    table = OSRMModel(monaco._base, access_speed_kph=None).time_matrix(origins, destinations)
    placed_o, placed_d = snap_o <= 2000, snap_d <= 2000
    assert 0 < (~placed_o).sum() < len(origins) // 2  # some points are at sea
    np.testing.assert_array_equal(
        table.to_numpy()[np.ix_(placed_o, placed_d)], direct[np.ix_(placed_o, placed_d)]
    )
    assert table.to_numpy()[~placed_o].size == np.isnan(table.to_numpy()[~placed_o]).sum()
    assert np.isnan(table.to_numpy()[:, ~placed_d]).all()
    assert list(table.index) == list(origins.index)
    assert list(table.columns) == list(destinations.index)
    assert np.isfinite(direct[np.ix_(placed_o, placed_d)]).mean() > 0.9


@needs_monaco
def test_access_legs_add_the_snap_distances_at_the_given_speed(monaco, points):
    origins, destinations = points
    direct, snap_o, snap_d = _direct_table(monaco, origins, destinations)
    walked = monaco  # the access legs are on by default, at RoadNetwork's 15 km/h
    assert walked.describe()["access_speed_kph"] == 15.0
    assert (
        walked.describe()["trip_definition"]
        == RoadNetwork.from_osm(MONACO).describe()["trip_definition"]
    )
    bare = OSRMModel(monaco._base, access_speed_kph=None).describe()
    assert bare["access_speed_kph"] is None and "left out" in bare["trip_definition"]
    table = walked.time_matrix(origins, destinations).to_numpy()
    expected = direct + (snap_o[:, None] + snap_d[None, :]) / (15.0 / 3.6)
    placed = np.ix_(snap_o <= 2000, snap_d <= 2000)
    np.testing.assert_allclose(table[placed], expected[placed], rtol=1e-12)
    with pytest.warns(maillage.MaillageWarning):
        near = walked.nearest(origins, destinations)
    ok = near["travel_time_s"].notna().to_numpy()
    np.testing.assert_allclose(near["travel_time_s"][ok], np.nanmin(table[ok], axis=1))


@needs_monaco
def test_od_table_holds_every_pair_of_the_table_within_the_budget(monaco, points):
    origins, destinations = points
    table = monaco.time_matrix(origins, destinations)
    with pytest.warns(maillage.MaillageWarning, match="destinations are farther than 2000 m"):
        od = monaco.od_table(origins, destinations, max_time_s=240)
    long = table.reset_index(names="origin_id").melt(
        id_vars="origin_id", var_name="dest_id", value_name="travel_time_s"
    )
    expected = long[long["travel_time_s"] <= 240]
    assert len(od) == len(expected) > 100
    merged = od.merge(expected, on=["origin_id", "dest_id"], suffixes=("", "_full"))
    assert len(merged) == len(od)
    np.testing.assert_array_equal(merged["travel_time_s"], merged["travel_time_s_full"])
    order = od.assign(o=od["origin_id"].map({k: i for i, k in enumerate(origins.index)}))
    assert order[["o", "travel_time_s"]].apply(tuple, axis=1).is_monotonic_increasing


@needs_monaco
def test_nearest_is_the_minimum_of_the_full_table(monaco, points):
    origins, destinations = points
    table = monaco.time_matrix(origins, destinations).to_numpy()
    with pytest.warns(maillage.MaillageWarning):
        near = monaco.nearest(origins, destinations)
    placed = ~np.isnan(table).all(axis=1)
    np.testing.assert_array_equal(near["travel_time_s"][placed], np.nanmin(table[placed], axis=1))
    assert near["travel_time_s"][~placed].isna().all()  # unplaced: NaN, never a false zero
    assert near["dest_id"][~placed].isna().all()
    column = {d: j for j, d in enumerate(destinations.index)}
    chosen = table[np.flatnonzero(placed), near["dest_id"][placed].map(column).to_numpy()]
    np.testing.assert_array_equal(chosen, near["travel_time_s"][placed])
    with pytest.warns(maillage.MaillageWarning):
        bounded = monaco.nearest(origins, destinations, max_time_s=60)
    far = placed & (near["travel_time_s"] > 60).to_numpy()
    assert far.sum() > 10
    assert np.isinf(bounded["travel_time_s"][far]).all()
    assert bounded["dest_id"][far].isna().all()


@needs_monaco
def test_results_do_not_depend_on_the_block_size(monaco, points, monkeypatch):
    origins, destinations = points
    with pytest.warns(maillage.MaillageWarning):
        whole = (
            monaco.nearest(origins, destinations),
            monaco.od_table(origins, destinations, max_time_s=300),
        )
    monkeypatch.setattr(osrm_engine, "TABLE_CELLS", 60)
    monkeypatch.setattr(osrm_engine, "_MAX_COLUMNS", 7)
    with pytest.warns(maillage.MaillageWarning):
        blocks = (
            monaco.nearest(origins, destinations),
            monaco.od_table(origins, destinations, max_time_s=300),
        )
    pd.testing.assert_frame_equal(whole[0], blocks[0])
    pd.testing.assert_frame_equal(whole[1], blocks[1])


@needs_monaco
def test_mld_gives_the_same_times_as_ch(monaco, points, cache_dir):
    origins, destinations = points
    with options.set(cache_dir=cache_dir):
        mld = OSRMModel.from_osm(MONACO, algorithm="MLD")
    assert mld.describe()["algorithm"] == "mld"
    pd.testing.assert_frame_equal(
        monaco.time_matrix(origins, destinations), mld.time_matrix(origins, destinations)
    )


@needs_monaco
def test_served_by_leaves_out_the_served_origins_only(monaco, points):
    origins, destinations = points
    venues = destinations.iloc[:3]
    with pytest.warns(maillage.MaillageWarning):
        full = monaco.od_table(origins, destinations, max_time_s=200)
    served = monaco.nearest(origins, venues, max_time_s=200)["travel_time_s"] <= 200
    with pytest.warns(maillage.MaillageWarning):
        pruned = monaco.od_table(origins, destinations, max_time_s=200, served_by=venues)
    expected = full[~full["origin_id"].isin(served[served].index)].reset_index(drop=True)
    assert 0 < len(pruned) < len(full)
    pd.testing.assert_frame_equal(pruned, expected)


@needs_monaco
def test_unplaced_points_never_get_a_time(monaco):
    at_paris = gpd.GeoSeries([Point(652_000, 6_862_000)], crs=2154)
    near_road = _random_points((7.42, 43.735, 7.425, 43.74), 1, 0)
    pts = gpd.GeoSeries(
        [near_road.iloc[0], at_paris.iloc[0], None, Point()], index=["ok", "paris", "none", "e"],
        crs=2154,
    )  # fmt: skip
    assert list(monaco.unplaced(pts)) == ["paris", "none", "e"]
    near = monaco.nearest(pts, pts.iloc[:1])
    snap_m = _direct_table(monaco, pts.iloc[:1], pts.iloc[:1])[1][0]
    assert near.loc["ok", "travel_time_s"] == pytest.approx(2 * snap_m / (15 / 3.6))  # two legs
    assert near.loc[["paris", "none", "e"], "travel_time_s"].isna().all()
    with pytest.raises(NetworkError, match="none of the 1 origins"):
        monaco.nearest(pts.iloc[[1]], pts.iloc[:1])
    with pytest.raises(NetworkError, match="none of the 2 destinations"):
        monaco.nearest(pts.iloc[:1], pts.iloc[1:3])
    with pytest.raises(maillage.InputDataError, match="destinations is empty"):
        monaco.nearest(pts, pts.iloc[:0])
    with pytest.raises(maillage.InputDataError, match="expected EPSG:2154"):
        monaco.nearest(pts.to_crs(4326), pts.iloc[:1])
    with pytest.raises(maillage.InputDataError, match="max_time_s must be a positive"):
        monaco.od_table(pts, pts.iloc[:1], max_time_s=-5)


@needs_monaco
def test_describe_follows_the_protocol_schema(monaco):
    info = monaco.describe()
    assert {"model", "engine", "label_fr", "sources"} <= set(info)
    assert (info["model"], info["engine"], info["profile"]) == ("OSRMModel", "osrm", "car")
    assert info["osrm_version"] == osrm_build.osrm_version()
    assert info["file"] == "monaco.osm.pbf" and len(info["sha256"]) == 64
    assert any("OpenStreetMap" in s for s in info["sources"])
    json.dumps(info)  # JSON-serialisable
    assert isinstance(monaco, maillage.TravelTimeModel)


# -- coverage end to end on the shared extracts -------------------------------------------


@needs_monaco
def test_coverage_of_the_communes_around_monaco(monaco):
    communes = maillage.load_communes(departements="06").loc[MONACO_COMMUNES]
    spots = communes.geometry.representative_point()
    venues = gpd.GeoDataFrame(
        {"venue_id": ["beausoleil", "eze"]}, geometry=[spots["06012"], spots["06059"]], crs=2154
    )
    cov, origins = maillage.coverage(communes, venues, model=monaco, threshold_min=10, detail=True)
    assert cov.attrs["travel_time_model"]["engine"] == "osrm"
    assert origins["time_min"].notna().all()  # every origin of these communes is on the extract
    assert cov.loc["06012", "nearest_venue"] == "beausoleil"
    assert cov.loc["06059", "nearest_venue"] == "eze"
    assert (cov["time_min"] > 0).all() and (cov["time_min"] < 15).all()
    assert 0.75 < cov["share_within_threshold"].min() <= cov["share_within_threshold"].max() <= 1
    near = monaco.nearest(origins.geometry, venues.set_index("venue_id").geometry)
    np.testing.assert_allclose(origins["time_min"], near["travel_time_s"] / 60)


@pytest.mark.parametrize(
    ("path", "bounds"),
    [(SAINT_BARTH, (-62.88, 17.88, -62.79, 17.93)), (PARIS, (2.355, 48.859, 2.378, 48.868))],
    ids=["saint-barthelemy", "paris"],
)
def test_coverage_runs_on_the_other_extracts(path, bounds, cache_dir):
    if not path.is_file():
        pytest.skip(f"no extract at {path}")
    with options.set(cache_dir=cache_dir):
        model = OSRMModel.from_osm(path)
    lon0, lat0, lon1, lat1 = bounds
    mid = (lon0 + lon1) / 2
    cells = [box(lon0, lat0, mid, lat1), box(mid, lat0, lon1, lat1)]
    communes = gpd.GeoDataFrame(
        {"population": [1000, 2000]},
        geometry=cells,
        index=pd.Index(["97701", "97702"], name="code_insee"),
        crs=4326,
    ).to_crs(2154)
    venues = gpd.GeoDataFrame(
        {"venue_id": ["v"]}, geometry=[communes.geometry.iloc[0].centroid], crs=2154
    )
    with warnings.catch_warnings():  # points at sea or in courtyards may be unplaced
        warnings.simplefilter("ignore", maillage.MaillageWarning)
        cov = maillage.coverage(communes, venues, model=model, threshold_min=15)
    assert cov["time_min"].between(0, 30).all()
    assert (cov["nearest_venue"] == "v").all()
    assert cov.attrs["travel_time_model"]["file"] == path.name


# -- preparation and cache --------------------------------------------------------------


@needs_monaco
def test_prepared_files_are_cached_and_reused(tmp_path, monkeypatch, caplog):
    with options.set(cache_dir=tmp_path):
        first = OSRMModel.from_osm(MONACO)
        entries = list((tmp_path / "osrm").iterdir())
        assert len(entries) == 1 and (entries[0] / "meta.json").is_file()
        meta = json.loads((entries[0] / "meta.json").read_text())
        assert meta["profile"] == "car" and meta["algorithm"] == "ch"
        assert set(meta["prepared"]) >= {"network.osrm.hsgr", "network.osrm.ebg_nodes"}

        def no_rebuild(*args, **kwargs):
            raise AssertionError("the cached files should have been used")

        monkeypatch.setattr(osrm_build, "_build", no_rebuild)
        caplog.set_level(logging.INFO, logger="maillage.travel.osrm_build")
        again = OSRMModel.from_osm(str(MONACO))
        assert "read from the cache" in caplog.text
    assert again._base == first._base
    assert [p.name for p in (tmp_path / "osrm").iterdir()] == [entries[0].name]  # no leftovers


GRID_BOUNDS = (-0.50, 45.00, -0.30, 45.15)  # a synthetic street grid near Bordeaux


@pytest.fixture(scope="module")
def grid_pbf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("grid") / "grid.osm.pbf"
    write_grid_pbf(path, GRID_BOUNDS, 12)
    return path


@pytest.mark.parametrize("damage", ["truncate", "meta", "missing"])
def test_a_broken_cache_entry_is_rebuilt(tmp_path, caplog, grid_pbf, damage):
    pts = _random_points(GRID_BOUNDS, 12, 5)
    with options.set(cache_dir=tmp_path):
        before = OSRMModel.from_osm(grid_pbf).time_matrix(pts, pts)
        entry = next((tmp_path / "osrm").iterdir())
        target = entry / "network.osrm.hsgr"
        if damage == "truncate":
            target.write_bytes(target.read_bytes()[:1000])
        elif damage == "meta":
            (entry / "meta.json").write_text("{not json")
        else:
            target.unlink()
        caplog.set_level(logging.WARNING, logger="maillage.travel.osrm_build")
        rebuilt = OSRMModel.from_osm(grid_pbf)
    assert "is broken" in caplog.text and "rebuilt" in caplog.text
    assert np.isfinite(before.to_numpy()).all()
    pd.testing.assert_frame_equal(before, rebuilt.time_matrix(pts, pts))


def test_overlapping_extracts_are_merged(tmp_path):
    bounds, side = GRID_BOUNDS, 16
    whole = tmp_path / "whole.osm.pbf"
    write_grid_pbf(whole, bounds, side)
    west, east = tmp_path / "west.osm.pbf", tmp_path / "east.osm.pbf"
    split_grid_pbf((west, east), bounds, side, cut=-0.40)
    with options.set(cache_dir=tmp_path / "cache"):
        full = OSRMModel.from_osm(whole)
        merged = OSRMModel.from_osm([west, east])
        again = OSRMModel.from_osm([east, west, east])  # any order, repeats ignored
    assert merged._base == again._base
    assert merged.describe()["file"] == "west.osm.pbf + east.osm.pbf"
    pts = _random_points(bounds, 30, 3)
    expected = full.time_matrix(pts, pts)
    assert np.isfinite(expected.to_numpy()).mean() > 0.9
    pd.testing.assert_frame_equal(expected, merged.time_matrix(pts, pts))
    shared = side + side * side  # the rows crossing the cut, with all their nodes
    assert osrm_build.merge_pbf([west, east], tmp_path / "m.osm.pbf") == shared


def test_uncached_build_lives_with_the_model(tmp_path, grid_pbf):
    with options.set(cache_dir=tmp_path / "cache"):
        model = OSRMModel.from_osm(grid_pbf, cache=False)
        assert not (tmp_path / "cache" / "osrm").exists()
        folder = model._base.parent
        assert folder.is_dir()
        assert list(model.unplaced(_random_points(GRID_BOUNDS, 5, 0))) == []
    del model
    gc.collect()
    assert not folder.exists()  # removed with its model


# -- errors -----------------------------------------------------------------------------


def test_bad_inputs_raise_maillage_errors(tmp_path, grid_pbf):
    not_pbf = Path(__file__).parent / "data" / "network_not_a_pbf.osm.pbf"
    with pytest.raises(NetworkError, match="not an OpenStreetMap PBF"):
        OSRMModel.from_osm(not_pbf, cache=False)
    with pytest.raises(NetworkError, match="does not exist"):
        OSRMModel.from_osm(tmp_path / "nowhere.osm.pbf", cache=False)
    with pytest.raises(OptionError, match="not an OSRM profile"):
        OSRMModel.from_osm(grid_pbf, profile="tractor")
    with pytest.raises(OptionError, match="algorithm must be 'ch' or 'mld', got 'dijkstra'"):
        OSRMModel.from_osm(grid_pbf, algorithm="dijkstra")
    nodes_only = tmp_path / "nodes.osm.pbf"
    import osmium

    with osmium.SimpleWriter(str(nodes_only)) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(7.4, 43.7)))
    with pytest.raises(NetworkError, match=r"osrm-extract failed .*no edges"):
        OSRMModel.from_osm(nodes_only, cache=False)


def test_missing_osrm_bindings_says_how_to_install(monkeypatch, grid_pbf):
    real = osrm_build.importlib.import_module

    def fake_import(name, *args):
        if name == "osrm":
            raise ModuleNotFoundError("No module named 'osrm'")
        return real(name, *args)

    monkeypatch.setattr(osrm_build.importlib, "import_module", fake_import)
    with pytest.raises(ImportError, match=r"pip install 'maillage\[osrm\]'") as info:
        OSRMModel.from_osm(grid_pbf)
    assert isinstance(info.value, MissingDependencyError)


# -- command line -----------------------------------------------------------------------


@needs_monaco
def test_cli_report_with_the_osrm_engine(capsys, tmp_path, monkeypatch):
    from maillage.cli import main

    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path / "cache"))
    venues = tmp_path / "venues.csv"
    venues.write_text(
        "venue_id,name,latitude,longitude\n"
        "M1,Tiers-lieu de Beausoleil,43.7445,7.4225\n"
        "M2,Atelier d'Èze,43.7280,7.3620\n",
        encoding="utf-8",
    )
    out = tmp_path / "report"
    args = ["-q", "report", "--venues", str(venues), "--departement", "06", "--sites", "2"]
    with warnings.catch_warnings():  # most of the 06 communes are off the Monaco extract
        warnings.simplefilter("ignore", maillage.MaillageWarning)
        code = main([*args, "--engine", "osrm", "--network", str(MONACO), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    model = summary["travel_time_model"]
    assert (model["model"], model["engine"], model["file"]) == ("OSRMModel", "osrm", MONACO.name)
    table = read_table(out / "communes.csv").set_index("code_insee")
    assert table.loc[MONACO_COMMUNES, "time_min"].notna().all()
    assert list((tmp_path / "cache" / "osrm").iterdir())  # the prepared files are cached
    code = main([*args, "--engine", "osrm", "--out", str(tmp_path / "r2")])
    assert code == 2 and "--engine osrm" in capsys.readouterr().err
