"""CalibratedModel: measured error on real car times, the protocol, hand checks, exactness."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from maillage import (
    CalibratedModel,
    ColumnError,
    InputDataError,
    MaillageWarning,
    MissingDataError,
    OptionError,
    TravelTimeModel,
    default_model,
)
from maillage.options import options
from maillage.travel.calibrated import load_calibration
from maillage.travel.remoteness import commune_remoteness

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fit_travel_model.py"

# 60 s access, 60 s/km main pace, 60 s/km more on local roads fading over 1 km
HAND = CalibratedModel(60.0, 60.0, (math.log(60.0), 0.0, 0.0), (0.0, 0.0), (20.0, 20_000.0), 600.0)


def _pts(coords, ids=None, crs=2154):
    geoms = [Point(c) if c is not None else None for c in coords]
    return gpd.GeoSeries(geoms, index=ids, crs=crs)


def _fit_script():
    spec = importlib.util.spec_from_file_location("fit_travel_model", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fit_travel_model", module)
    spec.loader.exec_module(module)
    return module


def _grid_communes(n=4, side_m=5_000.0):
    """Return n x n square communes of varied density (canonical frame)."""
    cells, pops, codes = [], [], []
    rng = np.random.default_rng(1)
    for i in range(n):
        for j in range(n):
            x0, y0 = 700_000 + i * side_m, 6_600_000 + j * side_m
            cells.append(box(x0, y0, x0 + side_m, y0 + side_m))
            pops.append(int(rng.choice([100, 2_000, 50_000, 500_000])))
            codes.append(f"99{i}{j:02d}")
    return gpd.GeoDataFrame(
        {"population": pops}, geometry=cells, index=pd.Index(codes, name="code_insee"), crs=2154
    )


# ----------------------------------------------------------------------- real car times


@pytest.fixture(scope="module")
def fit_script():
    return _fit_script()


@pytest.fixture(scope="module")
def real_pairs(fit_script) -> pd.DataFrame:
    """Every stock-OSRM reference pair (extracts through OSRM, prefectures, communes-Paris)."""
    try:
        pairs, _, _, _, _ = fit_script.load_pairs()
    except MissingDataError as exc:
        pytest.skip(f"reference car times not in MAILLAGE_DATA_DIR: {exc}")
    return pairs


def test_the_packaged_record_meets_the_held_out_targets():
    fit = load_calibration()
    held = fit["held_out"]
    assert [b["band_km"] for b in held["bands"]] == [
        [0.3, 2.0], [2.0, 5.0], [5.0, 10.0], [10.0, 20.0], [20.0, 40.0], [40.0, 80.0], [80.0, 300.0]
    ]  # fmt: skip
    # 2-80 km: held-out median ratio, areas weighted equally, within 10 %
    for band in held["bands"][1:6]:
        assert 0.9 <= band["median_ratio_areas_equal"] <= 1.1, band
        assert band["q10"] <= band["median_ratio"] <= band["q90"]
    # leave-one-area-out error, bands and areas weighted equally (target 15 %, see README)
    assert held["median_abs_rel_error_bands_and_areas_equal"] < 0.17
    assert len(held["folds"]) >= 15  # 4 extracts, 12 régions
    # the range of the trips holds at least 75 % of held-out real times at level 0.8
    assert fit["range"]["levels"]["0.8"]["coverage_held_out"]["share_inside"] >= 0.75
    # the headline range held the real share in at least 80 % of the territories left out
    assert fit["headline_coverage"]["share_inside"] >= 0.8
    assert fit["headline_coverage"]["n_cases"] >= 60
    # the land-use reference is apart, and much slower inside Paris
    assert fit["land_use_reference"]["inside_paris"]["median_ratio"] < 0.7
    roles = {d["name"]: d["role"] for d in fit["fit"]["datasets"]}
    assert roles["mapotempo-optimizer-api-2021"].startswith("land-use reference")
    assert roles["osrm-france-communes-to-paris-2021"] == "fit"
    assert fit["fit"]["n_pairs"] == sum(b["n"] for b in held["bands"])
    assert fit["remoteness_check"]["used_in_formula"] is False


def test_held_out_figures_recomputed_on_an_extract_left_out(fit_script, real_pairs):
    """Refit without Monaco and its French neighbours; score on them as the record says."""
    fit = load_calibration()
    out = (real_pairs["area"] == "monaco-06").to_numpy()
    assert out.sum() > 20_000
    sample = fit_script.stratified_sample(real_pairs)
    fallback = fit["coefficients"]["fallback_density_per_km2"]
    theta = fit_script.fit(sample[sample["area"] != "monaco-06"], fallback, fit_script.THETA0)
    ratio = fit_script.ratios(fit_script.model_from(theta, fallback), real_pairs[out])
    fold = next(f for f in fit["held_out"]["folds"] if f["area"] == "monaco-06")
    assert np.median(ratio) == pytest.approx(fold["median_ratio"], rel=1e-3)
    by_band = pd.Series(ratio).groupby(real_pairs.loc[out, "band"].to_numpy()).median()
    assert by_band.loc[[1, 2]].between(0.8, 1.2).all(), by_band.round(3).to_dict()
    # the packaged range (per band and density class) holds >= 75 % of them
    table = np.asarray(fit["range"]["levels"]["0.8"]["ratio"])
    cls, band = real_pairs.loc[out, "dclass"].to_numpy(), real_pairs.loc[out, "band"].to_numpy()
    inside = (ratio >= table[cls, band, 0]) & (ratio <= table[cls, band, 1])
    assert inside.mean() >= 0.75


def test_bounds_hold_the_real_times_by_band(real_pairs):
    """The fitted model's variants bracket >= 75 % of real times in every band of 2-300 km."""
    model = CalibratedModel.fitted()
    d, rho = real_pairs["crow_m"].to_numpy(), real_pairs["density"].to_numpy()
    low, high = (m.time_s(d, rho) for m in model.bounds(0.8))
    real = real_pairs["time_s"].to_numpy()
    inside = pd.Series((low <= real) & (real <= high)).groupby(real_pairs["band"].to_numpy())
    assert inside.mean().loc[1:].min() >= 0.75, inside.mean().round(3).to_dict()


# ----------------------------------------------------------------------- the protocol


def test_is_a_travel_time_model_that_describes_itself():
    model = default_model(_grid_communes())
    assert isinstance(model, TravelTimeModel)
    info = model.describe()
    assert info["model"] == "CalibratedModel"
    assert info["engine"] == "straight_line"
    assert "vol d'oiseau" in info["label_fr"]
    assert all(isinstance(s, str) for s in info["sources"]) and len(info["sources"]) >= 4
    assert any("OpenStreetMap" in s for s in info["sources"])
    assert len(info["error_by_band"]) == 7
    assert info["density_source"] == "communes: 16 polygons"
    json.dumps(info)


def test_default_model_without_communes_covers_metropolitan_france():
    model = default_model()
    assert int(model.describe()["density_source"].split()[1]) > 34_000
    paris = _pts([(652_000, 6_862_000)])  # central Paris
    assert model.density_at(paris).iloc[0] > 15_000


def test_formula_by_hand():
    # 60 + 60 * d + 60 * 1 * (1 - exp(-d))
    assert float(HAND.time_s(1000.0, 600.0)) == pytest.approx(120 + 60 * (1 - math.exp(-1)))
    assert float(HAND.time_s(0.0, 600.0)) == 60.0
    fitted = CalibratedModel.fitted()
    c0, c1, c2 = fitted.local_pace_coefs
    l0, l1 = fitted.local_length_coefs
    u = -1.0  # 100 inhabitants per km2
    extra, length = math.exp(c0 + c1 * u + c2 * u * u), math.exp(l0 + l1 * u)
    d = 7.0
    expected = (
        fitted.access_time_s
        + fitted.main_pace_s_per_km * d
        + extra * length * (1 - math.exp(-d / length))
    )
    assert float(fitted.time_s(d * 1000, 100.0)) == pytest.approx(expected)
    # densities are clipped to the calibration range; NaN is the fallback density
    lowest = fitted.density_range_per_km2[0]
    assert fitted.time_s(5000.0, 1.0) == fitted.time_s(5000.0, lowest)
    assert fitted.time_s(5000.0, np.nan) == fitted.time_s(5000.0, 600.0)


def test_toy_territory_by_hand(toy):
    communes, venues = toy
    model = CalibratedModel.from_communes(communes)
    homes = _pts([(400_500, 6_500_900), (410_000, 6_500_500)], ["near", "far"])
    with pytest.warns(MaillageWarning, match="1 origin"):  # 'far' lies in no commune
        result = model.nearest(homes, venues.set_index("venue_id").geometry)
    assert result["dest_id"].tolist() == ["a", "a"]
    assert result.loc["near", "travel_time_s"] == pytest.approx(float(model.time_s(400.0, 100.0)))
    assert result.loc["far", "travel_time_s"] == pytest.approx(float(model.time_s(9500.0, 600.0)))


def test_time_grows_with_distance_for_every_density():
    d = np.concatenate([[0.0], np.geomspace(1.0, 1e6, 3000)])
    fitted = CalibratedModel.fitted()
    for model in (fitted, *fitted.bounds(0.8), *fitted.bounds(0.9), HAND):
        for density in (1.0, 20.0, 55.0, 300.0, 3_000.0, 20_000.0, 1e6):
            t = model.time_s(d, density)
            assert np.all(np.diff(t) > 0), (model, density)


def test_reach_is_never_short():
    model = CalibratedModel.fitted()
    density = np.array([5.0, 50.0, 600.0, 8_000.0, 30_000.0])
    assert np.all(model.reach_m(30.0, density) == 0.0)  # less than the access time
    for max_time_s in (model.access_time_s, 600.0, 1200.0, 3600.0):
        reach = model.reach_m(max_time_s, density)
        assert np.all(model.time_s(reach, density) >= max_time_s - 1e-9)
        assert np.all(model.time_s(reach * (1 - 1e-9), density) <= max_time_s + 1e-9)


def _random_points(n, seed, ids_prefix):
    rng = np.random.default_rng(seed)
    xy = rng.uniform([695_000, 6_595_000], [725_000, 6_625_000], size=(n, 2))
    return _pts([tuple(p) for p in xy], [f"{ids_prefix}{i}" for i in range(n)])


def test_nearest_equals_brute_force_over_od_table():
    model = CalibratedModel.from_communes(_grid_communes())
    origins = _random_points(300, 2, "o")
    destinations = _random_points(25, 3, "d")
    with pytest.warns(MaillageWarning, match="fallback density"):  # a few lie off the grid
        table = model.od_table(origins, destinations, max_time_s=1e9)
        nearest = model.nearest(origins, destinations)
    assert len(table) == len(origins) * len(destinations)
    best = table.loc[table.groupby("origin_id")["travel_time_s"].idxmin()].set_index("origin_id")
    best = best.reindex(origins.index)
    assert np.allclose(nearest["travel_time_s"], best["travel_time_s"], rtol=1e-12)
    assert (nearest["dest_id"] == best["dest_id"]).all()


def test_od_table_keeps_exactly_the_pairs_within_the_limit():
    model = CalibratedModel.from_communes(_grid_communes())
    origins = _random_points(200, 4, "o")
    destinations = _random_points(40, 5, "d")
    with pytest.warns(MaillageWarning):
        full = model.od_table(origins, destinations, max_time_s=1e9)
        table = model.od_table(origins, destinations, max_time_s=900.0)
        limited = model.nearest(origins, destinations, max_time_s=900.0)
    expected = full[full["travel_time_s"] <= 900.0]
    key = ["origin_id", "dest_id"]
    assert (
        table.sort_values(key)
        .reset_index(drop=True)
        .equals(expected.sort_values(key).reset_index(drop=True))
    )
    reached = set(table["origin_id"])
    assert (np.isfinite(limited["travel_time_s"]) == limited.index.isin(reached)).all()
    assert limited.loc[~limited.index.isin(reached), "dest_id"].isna().all()


def test_od_table_leaves_out_origins_already_served():
    origins = _pts([(0, 0), (20_000, 0)], ["a", "b"])
    venues = _pts([(10_000, 0)], ["v"])  # 720 s from both
    assert HAND.od_table(origins, venues, max_time_s=900)["origin_id"].tolist() == ["a", "b"]
    existing = _pts([(0, 500)], ["s"])  # 114 s from a, 1320 s from b
    served = HAND.od_table(origins, venues, max_time_s=900, served_by=existing)
    assert served["origin_id"].tolist() == ["b"]


def test_unplaced_points_and_empty_inputs():
    origins = _pts([(0, 0), None], ["a", "b"])
    venues = _pts([(3_000, 0)], ["v"])
    assert list(HAND.unplaced(origins)) == ["b"]
    result = HAND.nearest(origins, venues)
    assert np.isnan(result.loc["b", "travel_time_s"]) and pd.isna(result.loc["b", "dest_id"])
    assert HAND.nearest(origins, venues.iloc[:0])["travel_time_s"].tolist()[0] == np.inf
    empty = HAND.od_table(origins, venues, max_time_s=10.0)
    assert list(empty.columns) == ["origin_id", "dest_id", "travel_time_s"] and empty.empty


def test_bounds_by_band_and_density_class():
    model = CalibratedModel.fitted()
    for level in (0.5, 0.8, 0.9):
        low, high = model.bounds(level)
        for d in (1_000.0, 4_000.0, 15_000.0, 60_000.0, 200_000.0):
            for density in (30.0, 300.0, 5_000.0):
                t = [float(m.time_s(d, density)) for m in (low, model, high)]
                assert t[0] < t[2] and t[0] <= t[1] * 1.5 and t[2] >= t[1] / 1.5
    narrow, wide = model.bounds(0.5), model.bounds(0.9)
    assert narrow[0].time_s(8_000.0, 50.0) > wide[0].time_s(8_000.0, 50.0)
    assert narrow[1].time_s(8_000.0, 50.0) < wide[1].time_s(8_000.0, 50.0)
    with pytest.raises(OptionError, match="levels"):
        model.bounds(0.7)
    with pytest.raises(OptionError, match="measured range"):
        HAND.bounds()


def test_bad_parameters_and_inputs_are_refused():
    with pytest.raises(OptionError, match=r"main_pace_s_per_km.*time_factor"):
        CalibratedModel(1.0, 0.0, (0.0, 0.0, 0.0), (0.0, 0.0), (20.0, 2e4), 600.0, time_factor=0)
    with pytest.raises(InputDataError, match="EPSG:4326"):
        HAND.nearest(_pts([(2.3, 48.8)], crs=4326), _pts([(0, 0)]))
    with pytest.raises(ColumnError, match="population"):
        CalibratedModel.from_communes(_grid_communes().drop(columns="population"))


# ----------------------------------------------------------------------- remoteness


def test_commune_remoteness_from_the_communes_to_paris_matrix(tmp_path):
    r = commune_remoteness()
    if r is None:
        pytest.skip("communes-to-Paris matrix not in MAILLAGE_DATA_DIR")
    assert len(r) > 34_000 and r.index.name == "code_insee" and not r.isna().any()
    # islands reached by ferry are the most remote; typical communes within a few minutes
    assert r.loc[["29155", "29083", "56069"]].min() > 3_600  # Ouessant, Sein, Groix
    assert abs(float(r.median())) < 120 and float(r.abs().quantile(0.75)) < 600
    assert commune_remoteness().equals(r)  # the same, from memory or the cache
    with (
        options.set(data_dir=tmp_path, cache_dir=tmp_path, offline=True),
        pytest.warns(MaillageWarning, match="éloignement des communes"),
    ):
        assert commune_remoteness() is None
