"""The commute scenario beside the gross potential, venue kinds, cities counted whole.

Real data: INSEE's 2014 flows of Île-de-France by mode and occupational group, La Réunion's
2010 matrix, the 2019 tiers-lieux census and the 2024 France services list. The scenario
is recomputed here from the raw files by a small independent implementation of the
definitions of :mod:`maillage.analysis.commute_scenario` (straight-line times written out,
nearest venue by brute force, density classes from population and area).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

import maillage
from maillage import (
    CommuteScenario,
    CrowFlyModel,
    MaillageWarning,
    OptionError,
    commute_savings,
    commute_savings_by_venue,
    commute_sensitivity,
    commute_trips,
    load_commutes,
    scenario_trips,
    select_venue_kinds,
)
from maillage.analysis.commute_scenario import SCENARIO_COLUMNS, TELEWORK_SHARE_BY_PCS
from maillage.analysis.commute_totals import savings_by_commune, savings_by_venue
from maillage.analysis.commute_venues import WORKSPACE_KINDS, workspace_kinds
from maillage.load.commutes import read_commute_file, read_rdata
from maillage.prepare.codes import harmonise_codes, normalise_codes
from maillage.sources import fetch

MODEL = CrowFlyModel()  # 120 s + distance x 1.3 / 80 km/h
GROSS = ["car_commuters", "long_commuters", "eligible_commuters", "saved_hours_per_year"]


# --- an independent implementation of the definitions -------------------------------------


def _codes(values: pd.Series) -> pd.Series:
    return harmonise_codes(normalise_codes(values.astype("string")))


def _minutes(distance_m: np.ndarray) -> np.ndarray:
    return (120.0 + distance_m * 1.3 / (80.0 / 3.6)) / 60.0


def independent_scenario(
    flows: pd.DataFrame, communes, venue_points: np.ndarray, scenario: CommuteScenario
) -> tuple[float, float]:
    """Scenario commuters and hours a year, from car flows (home, work, pcs, workers)."""
    flows = flows[(flows["home"] != flows["work"]) & flows["home"].isin(communes.index)]
    flows = flows[flows["work"].isin(communes.index)]
    origins = maillage.origins_from_communes(communes[communes.index.isin(flows["home"])])
    total = origins.groupby("code_insee")["population"].transform("sum")
    xy = shapely.get_coordinates(origins.geometry.to_numpy())
    table = pd.DataFrame(
        {"home": origins["code_insee"].to_numpy(), "share": (origins["population"] / total)}
    )
    table["x"], table["y"] = xy[:, 0], xy[:, 1]
    to_venue = np.hypot(
        xy[:, None, 0] - venue_points[None, :, 0], xy[:, None, 1] - venue_points[None, :, 1]
    )
    table["access_d"] = to_venue.min(axis=1)
    work_xy = shapely.get_coordinates(shapely.point_on_surface(communes.geometry.to_numpy()))
    work = pd.DataFrame({"work": communes.index, "wx": work_xy[:, 0], "wy": work_xy[:, 1]})
    area_km2 = communes.geometry.area.to_numpy() / 1e6
    density = communes["population"].to_numpy(dtype=float) / area_km2
    factor = pd.Series(
        np.select([density >= 1500, density >= 300], [1.5, 1.25], 1.1), communes.index
    )
    pairs = flows.merge(table, on="home").merge(work, on="work")
    commute = _minutes(np.hypot(pairs["x"] - pairs["wx"], pairs["y"] - pairs["wy"]).to_numpy())
    access = _minutes(pairs["access_d"].to_numpy())
    home_f = factor.reindex(pairs["home"]).to_numpy()
    peak = commute * np.maximum(home_f, factor.reindex(pairs["work"]).to_numpy())
    peak_access = access * home_f
    keep = (commute <= 120) & (access <= 15) & (peak > peak_access)
    take_up = 1 / (1 + np.exp(-(peak - 30) / 5))
    rate = pairs["pcs"].map(TELEWORK_SHARE_BY_PCS).fillna(0.22).to_numpy(dtype=float)
    n = np.where(keep, pairs["workers"] * pairs["share"] * take_up * rate * 0.02, 0.0)
    hours = n * 1.5 * 45 * 2 * (peak - peak_access) / 60
    return float(n.sum()), float(np.where(keep, hours, 0.0).sum())


# --- Île-de-France 2014 ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def idf():
    commutes = load_commutes("mobpro-idf-2014-modes", region="11", occupations=True)
    communes = maillage.load_communes(region="11")
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", region="11", errors="report")
    return communes, venues, commutes


@pytest.fixture(scope="module")
def idf_scenario(idf):
    communes, venues, commutes = idf
    return commute_savings(communes, venues, commutes, model=MODEL, scenario=CommuteScenario())


@pytest.fixture(scope="module")
def idf_raw_car():
    raw = read_rdata(fetch("mobpro-idf-2014-modes")[0])
    raw = raw[raw["MODE"] == "VP"]
    return pd.DataFrame(
        {
            "home": _codes(raw["ORI"]).to_numpy(dtype=object),
            "work": _codes(raw["DES"]).to_numpy(dtype=object),
            "pcs": raw["CSP"].astype(str).to_numpy(),
            "workers": raw["FLOW"].to_numpy(dtype=float),
        }
    )


def test_idf_occupational_groups_are_the_files(idf):
    commutes = idf[2]
    raw = read_rdata(fetch("mobpro-idf-2014-modes")[0])
    assert commutes.attrs["pcs_column"] == "CSP"
    got = commutes.groupby("pcs")["workers"].sum()
    expected = raw.groupby(raw["CSP"].astype(str))["FLOW"].sum()
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False)
    assert list(load_commutes("mobpro-reunion-2010").columns) == [
        "home_code",
        "work_code",
        "mode",
        "workers",
    ]


def test_idf_scenario_recomputed_independently(idf, idf_scenario, idf_raw_car):
    communes, venues, _ = idf
    coworking = venues[venues["kind"] == "coworking"]  # the default kinds, here
    points = shapely.get_coordinates(coworking.geometry.to_numpy())
    commuters, hours = independent_scenario(idf_raw_car, communes, points, CommuteScenario())
    assert idf_scenario["scenario_commuters"].sum() == pytest.approx(commuters, rel=0.005)
    assert idf_scenario["scenario_hours_per_year"].sum() == pytest.approx(hours, rel=0.005)
    # the scenario is a fraction of the gross potential, whatever the venues
    assert 0 < idf_scenario["scenario_commuters"].sum() < idf_scenario["eligible_commuters"].sum()
    assert idf_scenario.attrs["scenario"]["venue_share"]["valeur"] == 0.02
    assert idf_scenario.attrs["pcs_known_share"] == pytest.approx(1.0)


def test_idf_gross_potential_unchanged(idf, idf_scenario):
    communes, venues, _ = idf
    plain = load_commutes("mobpro-idf-2014-modes", region="11")  # without the groups
    before = commute_savings(communes, venues, plain, model=MODEL, kinds=WORKSPACE_KINDS)
    assert "scenario_commuters" not in before.columns
    # the groups split the flows, the scenario adds columns: the gross figures stay
    np.testing.assert_allclose(idf_scenario[GROSS].to_numpy(), before[GROSS].to_numpy(), rtol=1e-9)
    assert before.attrs["venue_kinds_counted"] == idf_scenario.attrs["venue_kinds_counted"]
    assert idf_scenario.attrs["venues_by_kind"]["fablab"]["comptés"] is False


@pytest.fixture(scope="module")
def idf_trips(idf):
    """Trips from 20 min on (for the cutoffs), to the venues one can work in, with the scenario."""
    communes, venues, commutes = idf
    counted = select_venue_kinds(venues)
    trips = commute_trips(communes, counted, commutes, model=MODEL, min_commute_min=20)
    return scenario_trips(trips, CommuteScenario(), communes=communes)


def test_idf_cutoff_and_share_sensitivity(idf, idf_scenario, idf_trips):
    table = commute_sensitivity(idf_trips, CommuteScenario(), communes=idf[0])
    table = table.set_index(["parameter", "value"])
    cut = table.loc["cutoff_min"]
    assert list(cut.index) == [25.0, 30.0, 35.0]
    assert cut["gross_commuters"].is_monotonic_decreasing
    assert cut["scenario_hours_per_year"].is_monotonic_decreasing
    # at 30 min, the gross potential and the scenario of commute_savings (same venues)
    for column, total in (
        ("gross_commuters", "eligible_commuters"),
        ("gross_hours_per_year", "saved_hours_per_year"),
        ("scenario_hours_per_year", "scenario_hours_per_year"),
    ):
        assert cut.loc[30.0, column] == pytest.approx(idf_scenario[total].sum()), column
    share = table.loc["venue_share", "scenario_commuters"]
    assert share.loc[0.10] == pytest.approx(5 * share.loc[0.02])  # linear in the share
    free = table.loc[("congestion", 1.0), "scenario_hours_per_year"]
    assert free < cut.loc[30.0, "scenario_hours_per_year"]  # peak hours lengthen commutes


def test_idf_paris_counted_whole_is_never_ranked(idf_scenario, idf_trips):
    out = savings_by_venue(idf_trips)
    by_commune = savings_by_commune(idf_trips)
    assert "Paris" in out.attrs["city_caveat"] and "Paris" in idf_scenario.attrs["city_caveat"]
    assert set(SCENARIO_COLUMNS) <= set(out.columns)
    assert out["rankable"].tolist() == (out["city_share"] == 0).tolist()
    assert 0 < (~out["rankable"]).sum() < len(out)
    from_paris = (out["eligible_commuters"] * out["city_share"]).sum()
    assert from_paris == pytest.approx(by_commune.loc["75056", "eligible_commuters"])
    assert out["scenario_hours_per_year"].sum() == pytest.approx(
        by_commune["scenario_hours_per_year"].sum()
    )


# --- La Réunion 2010 and France services -----------------------------------------------------


@pytest.fixture(scope="module")
def reunion():
    communes = maillage.load_communes(region="04")
    venues, _ = maillage.load_venues("france-services-2024-08-01", region="04", errors="report")
    return communes, venues, load_commutes("mobpro-reunion-2010", region="04")


def test_france_services_are_not_workspaces_by_default(reunion):
    communes, venues, commutes = reunion
    with pytest.warns(MaillageWarning, match="counted as car commuters"):
        out = commute_savings(communes, venues, commutes, model=MODEL, scenario=CommuteScenario())
    assert out.attrs["venues_by_kind"] == {"guichet": {"lieux": len(venues), "comptés": False}}
    assert out["eligible_commuters"].sum() == 0 and out["scenario_commuters"].sum() == 0
    with pytest.warns(MaillageWarning):
        by_venue = commute_savings_by_venue(
            communes, venues, commutes, model=MODEL, scenario=CommuteScenario()
        )
    assert len(by_venue) == 0
    with pytest.warns(MaillageWarning):  # without a scenario: every venue, as before
        gross = commute_savings(communes, venues, commutes, model=MODEL)
    assert gross["eligible_commuters"].sum() > 0
    assert gross.attrs["venues_by_kind"]["guichet"]["comptés"] is True


def test_reunion_scenario_with_the_national_rate(reunion):
    communes, venues, commutes = reunion
    with pytest.warns(MaillageWarning, match="counted as car commuters"):
        out = commute_savings(
            communes, venues, commutes, model=MODEL, scenario=CommuteScenario(), kinds=["guichet"]
        )
    assert out.attrs["pcs_known_share"] == 0.0  # the 2010 matrix has no occupational group
    raw = read_commute_file(fetch("mobpro-reunion-2010")[0])
    flows = pd.DataFrame(
        {
            "home": _codes(raw["home"]).to_numpy(dtype=object),
            "work": _codes(raw["work"]).to_numpy(dtype=object),
            "pcs": pd.array([pd.NA] * len(raw), dtype="string"),
            "workers": raw["workers"].to_numpy(dtype=float),
        }
    )
    points = shapely.get_coordinates(venues.geometry.to_numpy())
    commuters, hours = independent_scenario(flows, communes, points, CommuteScenario())
    assert out["scenario_commuters"].sum() == pytest.approx(commuters, rel=0.005)
    assert out["scenario_hours_per_year"].sum() == pytest.approx(hours, rel=0.005)
    assert out.attrs["venue_kinds_counted"] == ["guichet de service public (France services)"]
    assert "city_caveat" not in out.attrs


# --- venue kinds and the assumptions ----------------------------------------------------------


def test_census_kinds_map_to_workspaces(idf):
    venues = idf[1]
    raw = pd.read_csv(
        fetch("cget-tiers-lieux-2019")[0], usecols=["ID", "TYPO"], dtype=str
    ).set_index("ID")
    typo = raw["TYPO"].reindex(venues["venue_id"].astype(str)).fillna("")
    expected = np.select(
        [typo.str.contains("coworking"), typo.str.contains("fablab")],
        ["coworking", "fablab"],
        "non renseigné",
    )
    assert workspace_kinds(venues["kind"]).tolist() == expected.tolist()
    counted = select_venue_kinds(venues)
    assert set(counted["workspace_kind"]) == {"coworking"}
    assert len(counted) == (expected == "coworking").sum()
    by_kind = counted.attrs["venues_by_kind"]
    assert by_kind["fablab"] == {"lieux": int((expected == "fablab").sum()), "comptés": False}
    fablabs = select_venue_kinds(venues, ["fablab", "coworking"])
    assert len(fablabs) == int(np.isin(expected, ["fablab", "coworking"]).sum())
    with pytest.raises(OptionError, match="kinds must be"):
        select_venue_kinds(venues, ["bureau"])


def test_scenario_assumptions_are_checked_and_cited():
    with pytest.raises(OptionError) as caught:
        CommuteScenario(venue_share=1.5, car_occupancy=0.5, telework_share_by_pcs={"9": 0.1})
    text = str(caught.value)
    assert "venue_share" in text and "car_occupancy" in text and "unknown groups" in text
    rows = CommuteScenario().assumptions()
    names = {f.name for f in dataclasses.fields(CommuteScenario)} - {"rebound_share"}
    assert set(rows) == names
    assert all(row["source"] and row["libellé"] for row in rows.values())
    assert "INSEE Focus n° 263" in rows["telework_share_by_pcs"]["source"]
    assert "ADEME" in rows["emissions"]["source"]
    assert CommuteScenario(emissions="life_cycle").co2_kg_per_km == 0.2156


def test_detail_file_occupational_group_is_cs1():
    sample = Path(__file__).parent / "data" / "fd_mobpro_sample.csv"
    commutes, rejected = load_commutes(sample, errors="report", occupations=True)
    raw = pd.read_csv(sample, sep=";", dtype=str)
    kept = raw.drop(index=rejected["row"].tolist())
    got = commutes.groupby("pcs")["workers"].sum()
    expected = kept.groupby("CS1")["IPONDI"].apply(lambda w: w.astype(float).sum())
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False)
    assert commutes.attrs["pcs_column"] == "CS1"


def test_kilometres_and_co2_worked_out_by_hand():
    """One executive-group flow, 60 km apart, venue at home, in rural communes."""
    communes = gpd.GeoDataFrame(
        {"population": [10.0, 10.0]},
        geometry=[box(0, 0, 1000, 1000), box(60_000, 0, 61_000, 1000)],
        index=pd.Index(["00001", "00002"], name="code_insee"),
        crs=2154,
    )
    venues = gpd.GeoDataFrame(
        {"venue_id": ["v"], "kind": ["coworking"]}, geometry=[Point(500, 500)], crs=2154
    )
    flows = pd.DataFrame(
        {
            "home_code": ["00001"],
            "work_code": ["00002"],
            "mode": pd.array(["car"], dtype="string"),
            "pcs": pd.array(["3"], dtype="string"),
            "workers": [1000.0],
        }
    )
    origins = gpd.GeoDataFrame(
        {"code_insee": ["00001"], "population": [1.0]}, geometry=[Point(500, 500)], crs=2154
    )
    line = CrowFlyModel(circuity=1.0, speed_kph=60.0, access_time_s=0.0)  # 60 min, access 0
    base = {"model": line, "origins": origins}
    direct = commute_savings(communes, venues, flows, scenario=CommuteScenario(), **base)
    # 60 min x 1.1 (rural) = 66 min: take-up 1 / (1 + exp(-36 / 5)); 55 % teleworkers, 2 % at the venue
    n = 1000 / (1 + np.exp(-36 / 5)) * 0.55 * 0.02
    a = direct.loc["00001"]
    assert a["scenario_commuters"] == pytest.approx(n)
    assert a["scenario_hours_per_year"] == pytest.approx(n * 1.5 * 45 * 2 * 66 / 60)
    km = n * 1.5 * 45 * 2 * 60 * 1.3 / 1.05  # road km = 1.3 x straight line; 1.05 per car
    assert a["scenario_km_avoided_per_year"] == pytest.approx(km)
    assert a["scenario_co2_avoided_t_per_year"] == pytest.approx(km * 0.17 / 1000)
    other = CommuteScenario(emissions="life_cycle", rebound=True, car_occupancy=1.0)
    b = commute_savings(communes, venues, flows, scenario=other, **base).loc["00001"]
    km = n * 1.5 * 45 * 2 * 60 * 1.3 * (1 - 1 / 3)
    assert b["scenario_km_avoided_per_year"] == pytest.approx(km)
    assert b["scenario_co2_avoided_t_per_year"] == pytest.approx(km * 0.2156 / 1000)
    assert b["scenario_hours_per_year"] == pytest.approx(a["scenario_hours_per_year"])
