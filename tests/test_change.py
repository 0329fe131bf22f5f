"""Why coverage changed: the Shapley split adds up to the change, each part where it belongs."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import maillage
from maillage import CrowFlyModel, decompose_change, decompose_series, default_model
from maillage.analysis.change import PARTS, Snapshot, shapley_split
from maillage.analysis.geography import commune_crosswalk
from maillage.analysis.vintages import coverage_by_date, match_vintages
from maillage.errors import InputDataError, OptionError
from maillage.load.cog import read_former_codes
from maillage.prepare.toy import X0, Y0
from maillage.report.change_text import change_sentence, change_table

FS2020 = [
    "france-services-2020-01-02",
    "france-services-2020-01-09",
    "france-services-2020-02-06",
    "france-services-2020-03-31",
    "france-services-2020-06-17",
    "france-services-2020-09-02",
    "france-services-2020-10-12",
]
KM_PER_MIN = CrowFlyModel(circuity=1, speed_kph=60, access_time_s=0)  # 1 km a minute


def _parts(change, column="points"):
    return change.parts[column].to_dict()


def _adds_up(change):
    assert change.parts["points"].sum() == pytest.approx(change.change, abs=1e-9)
    assert change.parts["residents"].sum() == pytest.approx(change.change_residents, abs=1e-6)
    assert change.change == pytest.approx(100 * (change.after_share - change.before_share))


def _share(communes, venues):
    _, origins = maillage.coverage(
        communes, venues, model=KM_PER_MIN, threshold_min=20, detail=True
    )
    return float(origins.loc[origins["covered"], "population"].sum() / origins["population"].sum())


# --- real data: the seven France services lists of 2020, default model -----------------


@pytest.fixture(scope="module")
def series_2020():
    communes = maillage.load_communes(region="75")
    lists = {}
    for name in FS2020:
        venues, _ = maillage.load_venues(name, errors="report")
        lists[name.removeprefix("france-services-")] = venues
    return communes, lists, default_model(communes)


@pytest.fixture(scope="module")
def split_2020(series_2020):
    communes, lists, model = series_2020
    return decompose_series(communes, lists, model=model, threshold_min=20)


def test_parts_add_up_on_the_2020_lists(series_2020, split_2020):
    communes, lists, model = series_2020
    table = split_2020
    dates = sorted(lists)
    assert table.index.tolist() == [*itertools.pairwise(dates), (dates[0], dates[-1])]
    points = table[list(PARTS)].sum(axis=1)
    np.testing.assert_allclose(points, table["change"], rtol=0, atol=1e-9)
    residents = table[[f"{p}_residents" for p in PARTS]].sum(axis=1)
    np.testing.assert_allclose(residents, table["change_residents"], rtol=0, atol=1e-6)
    # the same communes at every date: nothing comes from population or geography
    assert (table["population"] == 0).all() and (table["geography"] == 0).all()
    # each date's share is the one coverage_by_date gives
    figures = coverage_by_date(communes, lists, model=model, threshold_min=20)
    shares = figures["share_within_threshold"]
    consecutive = table.iloc[:-1]
    np.testing.assert_allclose(
        consecutive["before_share"], shares.loc[dates[:-1]], rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        consecutive["after_share"], shares.loc[dates[1:]], rtol=0, atol=1e-12
    )
    # first to last is the sum of the steps, and the network grew: openings dominate
    last = table.loc[(dates[0], dates[-1])]
    assert last["change"] == pytest.approx(consecutive["change"].sum(), abs=1e-9)
    assert last["change"] > 0 and last["opened"] > last["change"] > 0
    assert table.attrs["method"] == "Shapley" and "24 orders" in table.attrs["definition"]


def test_venue_counts_are_those_of_the_vintage_matching(series_2020, split_2020):
    _, lists, _ = series_2020
    stable = {d: not f.attrs["census"]["row_ids"] for d, f in lists.items()}
    summary, _ = match_vintages(lists, stable_ids=stable)
    steps = split_2020.iloc[:-1].reset_index(level="before", drop=True)
    assert steps["venues_opened"].tolist() == summary["opened"].iloc[1:].tolist()
    assert steps["venues_closed"].tolist() == summary["closed"].iloc[1:].tolist()
    kept = steps["venues_moved"] + steps["venues_kept"]
    assert kept.tolist() == summary["kept"].iloc[1:].tolist()
    assert (steps["communes_merged"] == 0).all() and (steps["communes_split"] == 0).all()


# --- constructed cases: each part known --------------------------------------------------


def _venues(points, ids=None):
    ids = ids or [f"v{i}" for i in range(len(points))]
    return gpd.GeoDataFrame(
        {"venue_id": ids, "name": [f"Lieu {i}" for i in ids], "code_insee": "00001"},
        geometry=[Point(X0 + x, Y0 + 500) for x in points],
        crs=2154,
    )


def _communes(populations, boxes, codes=None):
    codes = codes or [f"0000{i + 1}" for i in range(len(boxes))]
    return gpd.GeoDataFrame(
        {"population": populations},
        geometry=[box(X0 + a, Y0, X0 + b, Y0 + 1000) for a, b in boxes],
        index=pd.Index(codes, name="code_insee"),
        crs=2154,
    )


TWO = [(0, 1000), (30_000, 31_000)]  # two communes 30 km apart (the toy territory)


def test_only_an_opening():
    communes = _communes([100, 100], TWO)
    change = decompose_change(
        (communes, _venues([500])),
        (communes, _venues([500, 30_500])),
        model=KM_PER_MIN,
        threshold_min=20,
    )
    _adds_up(change)
    assert (change.before_share, change.change) == (pytest.approx(0.5), pytest.approx(50))
    assert _parts(change) == {
        "opened": change.change,
        "closed": 0.0,
        "population": 0.0,
        "geography": 0.0,
    }
    assert change.parts.loc["opened", "residents"] == pytest.approx(100)
    assert change.counts() == {
        "venues_opened": 1,
        "venues_closed": 0,
        "venues_moved": 0,
        "venues_kept": 1,
        "communes_merged": 0,
        "communes_split": 0,
    }


def test_only_a_closure_and_a_move():
    communes = _communes([100, 100], TWO)
    before = _venues([500, 30_500])
    closed = decompose_change(
        (communes, before), (communes, before.iloc[:1]), model=KM_PER_MIN, threshold_min=20
    )
    _adds_up(closed)
    assert closed.change == pytest.approx(-50)
    assert _parts(closed) == {
        "opened": 0.0,
        "closed": closed.change,
        "population": 0.0,
        "geography": 0.0,
    }
    moved = before.assign(geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 1500, Y0 + 500)])
    change = decompose_change(
        (communes, before), (communes, moved), model=KM_PER_MIN, threshold_min=20
    )
    _adds_up(change)
    assert (change.venues_moved, change.venues_kept, change.venues_opened) == (1, 1, 0)
    assert change.parts.loc["closed", "points"] == change.change == pytest.approx(-50)
    assert change_sentence(change) == "−50,0 points : −50,0 dus aux fermetures et déplacements"


def test_only_a_population_change():
    communes = _communes([100, 100], TWO)
    venues = _venues([500])
    grown = communes.assign(population=[300, 100])
    change = decompose_change(
        (communes, venues), (grown, venues), model=KM_PER_MIN, threshold_min=20
    )
    _adds_up(change)
    assert change.after_share == pytest.approx(0.75)
    assert _parts(change) == {
        "opened": 0.0,
        "closed": 0.0,
        "population": change.change,
        "geography": 0.0,
    }
    assert change.parts.loc["population", "residents"] == pytest.approx(200)
    assert change_sentence(change) == "+25,0 points : +25,0 dus à la population"


def test_only_a_merger_of_two_communes():
    before = _communes([100, 100], [(0, 2000), (24_000, 25_000)])
    merged = before.iloc[:1].assign(population=[200], geometry=[before.union_all()])
    venues = _venues([1000])
    change = decompose_change(
        (before, venues), (merged, venues), model=KM_PER_MIN, threshold_min=20
    )
    _adds_up(change)
    assert change.before_share == pytest.approx(0.5)
    assert change.after_share == pytest.approx(_share(merged, venues), abs=1e-12)
    assert change.change != pytest.approx(0)  # the merged commune's origins lie elsewhere
    assert _parts(change) == {
        "opened": 0.0,
        "closed": 0.0,
        "population": 0.0,
        "geography": change.change,
    }
    assert (change.communes_merged, change.communes_split) == (2, 0)
    assert "aux fusions de communes" in change_sentence(change)


def test_two_factors_split_by_hand():
    """Opening b and tripling Aval's population: v(none) = 1/2, v(opening) = 1,
    v(population) = 100/400, v(both) = 1. Opening: ((1 - 1/2) + (1 - 1/4)) / 2 = 5/8;
    population: ((1/4 - 1/2) + (1 - 1)) / 2 = -1/8. Residents: 100, 200, 100, 400."""
    communes = _communes([100, 100], TWO)
    change = decompose_change(
        Snapshot(communes, _venues([500])),
        Snapshot(communes.assign(population=[100, 300]), _venues([500, 30_500])),
        model=KM_PER_MIN,
        threshold_min=20,
    )
    _adds_up(change)
    points = change.parts["points"]
    assert points["opened"] == pytest.approx(62.5) and points["population"] == pytest.approx(-12.5)
    residents = change.parts["residents"]
    assert residents["opened"] == pytest.approx(200) and residents["population"] == pytest.approx(
        100
    )
    assert points["closed"] == points["geography"] == 0.0
    assert len(change.states) == 16
    assert (
        change_sentence(change) == "+50,0 points : +62,5 dus aux ouvertures, −12,5 à la population"
    )
    table = change_table(change)
    assert table.loc["Total", "Points de pourcentage"] == pytest.approx(50)


def test_shapley_split_is_efficient_and_symmetric():
    rng = np.random.default_rng(7)
    values = {s: float(rng.random()) for s in itertools.product([False, True], repeat=4)}
    parts = shapley_split(values)
    assert sum(parts) == pytest.approx(values[(True,) * 4] - values[(False,) * 4], abs=1e-14)
    symmetric = {s: float(sum(s)) ** 2 for s in values}  # only the number of factors counts
    assert shapley_split(symmetric) == pytest.approx([4.0] * 4)
    with pytest.raises(InputDataError, match="2\\*\\*2"):
        shapley_split({(False, False): 0.0})


def test_former_codes_pair_merged_communes():
    """Bouzillé (49040) is part of Orée d'Anjou (49126) in the COG 2026."""
    before = _communes([10, 20], [(0, 1000), (5000, 6000)], codes=["49040", "49126"])
    after = _communes([30], [(0, 6000)], codes=["49126"])
    pairs = commune_crosswalk(before, after)
    assert pairs.to_numpy().tolist() == [
        ["49040", "49126", "former code"],
        ["49126", "49126", "code"],
    ]
    with pytest.raises(InputDataError, match="no counterpart"):
        commune_crosswalk(before, after.assign(geometry=[box(0, 0, 1, 1)]).rename({"49126": "x"}))


def test_series_of_years_on_the_toy(toy):
    communes, venues = toy
    years = {y: maillage.active_venues(venues, y) for y in (2017, 2018, 2020)}
    table = decompose_series(communes, years, model=KM_PER_MIN, threshold_min=20)
    assert table["change"].round(9).tolist() == [50.0, 50.0, 100.0]
    assert table["opened"].round(9).tolist() == [50.0, 50.0, 100.0]
    assert table.attrs["method"] == "Shapley"
    with pytest.raises(InputDataError, match="two dates"):
        decompose_series(communes, {2020: venues}, model=KM_PER_MIN)
    with pytest.raises(OptionError, match="moved_m"):
        decompose_series(communes, years, model=KM_PER_MIN, moved_m=-1)
    with pytest.raises(InputDataError, match="pair"):
        decompose_change(communes, (communes, venues), model=KM_PER_MIN)


def test_small_shifts_are_kept_in_the_counts_but_not_lost_in_the_parts():
    """A point re-geocoded 200 m away is no move in the counts (moved_m=250); its effect,
    Aval's western origins coming within 20 km, stays in the split."""
    communes = _communes([100, 100], TWO)
    before = _venues([500, 10_000])
    after = before.assign(geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 10_200, Y0 + 500)])
    change = decompose_change(
        (communes, before), (communes, after), model=KM_PER_MIN, threshold_min=20, moved_m=250
    )
    _adds_up(change)
    assert (change.venues_moved, change.venues_kept) == (0, 2)
    assert change.after_share == pytest.approx(_share(communes, after), abs=1e-12)
    assert change.parts.loc["closed", "points"] == change.change
    assert change.parts.loc["closed", "points"] > 0


def test_previous_report_folder_holds_what_an_exact_split_needs(toy, tmp_path):
    """--previous: coverage.gpkg keeps the communes (codes, populations, polygons) and the
    venues (ids, names, points); with the same model and threshold the share recomputed from
    them is the published one, and the split explains the change to the current report."""
    communes, venues = toy
    folder = maillage.write_report(
        tmp_path / "2025", communes=communes, venues=venues.iloc[:1], model=KM_PER_MIN
    )
    summary = pd.read_json(folder / "summary.json", typ="series")
    old_communes = gpd.read_file(folder / "coverage.gpkg", layer="communes")
    old_venues = gpd.read_file(folder / "coverage.gpkg", layer="venues")
    before = (old_communes.set_index("code_insee"), old_venues)
    now = communes.assign(population=[100, 150])
    change = decompose_change(before, (now, venues), model=KM_PER_MIN)
    _adds_up(change)
    assert change.before_share == pytest.approx(summary["share_within_threshold"], abs=1e-12)
    assert change.threshold_min == summary["threshold_min"]
    assert change.venues_opened == 1 and change.parts.loc["geography", "points"] == 0.0


def test_a_population_grid_places_the_origins_at_both_dates():
    communes = _communes([100, 100], TWO)
    cells = [(x, y) for x0 in (0, 30_000) for x in (x0, x0 + 600) for y in (0, 600)]
    grid = gpd.GeoDataFrame(
        {"population": [1.0, 2.0, 3.0, 4.0, 4.0, 3.0, 2.0, 1.0]},
        geometry=[box(X0 + x, Y0 + y, X0 + x + 200, Y0 + y + 200) for x, y in cells],
        crs=2154,
    )
    venues = _venues([500, 30_500])
    grown = communes.assign(population=[100, 300])
    change = decompose_change(
        (communes, venues.iloc[:1]), (grown, venues), model=KM_PER_MIN, threshold_min=20, grid=grid
    )
    _adds_up(change)
    _, origins = maillage.coverage(
        grown, venues, model=KM_PER_MIN, threshold_min=20, grid=grid, detail=True
    )
    assert len(origins) == 8 and change.after_share == pytest.approx(1.0)
    assert change.before_share == pytest.approx(0.5)
    assert change.parts["points"].round(9).to_dict() == {
        "opened": 62.5,
        "closed": 0.0,
        "population": -12.5,
        "geography": 0.0,
    }


def test_redrawn_polygons_under_the_same_codes_are_geography():
    before = _communes([100, 100], TWO)
    after = _communes([100, 100], [(0, 1000), (19_000, 31_000)])  # Aval now reaches west
    venues = _venues([500])
    change = decompose_change((before, venues), (after, venues), model=KM_PER_MIN, threshold_min=20)
    _adds_up(change)
    assert change.after_share == pytest.approx(_share(after, venues), abs=1e-12)
    assert change.change > 0 and change.parts.loc["geography", "points"] == change.change
    assert (change.communes_merged, change.communes_split) == (0, 0)
    states = change.states
    assert list(states.columns) == [*PARTS, "total_population", "residents", "share"]
    assert np.allclose(states["total_population"], 200) and states["closed"].sum() == 8


def test_road_network_groups_give_the_coverage_of_each_date():
    """Saint-Barthélemy's roads: the minimum over groups of venues is the road coverage."""
    net = maillage.RoadNetwork.from_osm(maillage.fetch("osm-saint-barthelemy-2015")[0], cache=False)
    xy = net.graph.xy
    (x0, y0), (x1, y1) = xy.min(0), xy.max(0)
    xm = (x0 + x1) / 2
    communes = gpd.GeoDataFrame(
        {"population": [1000, 3000]},
        geometry=[box(x0, y0, xm, y1), box(xm, y0, x1, y1)],
        index=pd.Index(["97701", "97702"], name="code_insee"),
        crs=2154,
    )

    def census(ids, nodes):
        return gpd.GeoDataFrame(
            {"venue_id": ids, "name": ids}, geometry=[Point(xy[n]) for n in nodes], crs=2154
        )

    n = len(xy)
    before = census(["v1", "v2"], [0, n // 2])
    after = census(["v2", "v3"], [n // 3, n - 1])  # v2 moved, v1 closed, v3 opened
    with pytest.warns(maillage.MaillageWarning, match="cannot be placed") as caught:
        change = decompose_change((communes, before), (communes, after), model=net, threshold_min=5)
        shares = [
            maillage.coverage(communes, v, model=net, threshold_min=5, detail=True)[1]
            for v in (before, after)
        ]
    assert all("cannot be placed" in str(w.message) for w in caught)
    _adds_up(change)
    for share, origins in zip((change.before_share, change.after_share), shares, strict=True):
        within = origins.loc[origins["covered"], "population"].sum()
        assert share == pytest.approx(within / origins["population"].sum(), abs=1e-12)
    assert (change.venues_opened, change.venues_closed, change.venues_moved) == (1, 1, 1)
    assert change.parts.loc["population", "points"] == change.parts.loc["geography", "points"] == 0


def test_new_codes_alone_change_nothing(series_2020):
    """Nouvelle-Aquitaine under former codes (one per commune nouvelle) then COG 2026 codes:
    the communes are paired through the former codes and no part moves."""
    communes, lists, model = series_2020
    former = read_former_codes()
    former = former[former.isin(communes.index)]
    renamed = communes.rename(
        index={new: old for old, new in former.groupby(former).head(1).items()}
    )
    pairs = commune_crosswalk(renamed, communes)
    assert pairs["how"].value_counts().to_dict() == {"code": 4073, "former code": 220}
    venues = lists["2020-10-12"]
    change = decompose_change((renamed, venues), (communes, venues), model=model, threshold_min=20)
    assert change.change == 0 and (change.parts == 0).all().all()
    assert change.communes_merged == change.communes_split == 0
