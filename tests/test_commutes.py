"""Commute flows: readers, COG 2026 harmonisation, savings, siting for commuters.

Real data: INSEE's 2014 home-to-work flows of Île-de-France (by mode, and with distances)
and La Réunion's 2010 matrix, from ``../shared/data/commutes`` through the catalogue; the
2019 census of tiers-lieux for the venues.
"""

from __future__ import annotations

import builtins
import json
import zipfile
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import maillage
from maillage import (
    ColumnError,
    CrowFlyModel,
    InputDataError,
    MaillageWarning,
    OptionError,
    commute_savings,
    commute_savings_by_venue,
    commute_trips,
    load_commutes,
    suggest_sites,
)
from maillage.analysis.commute_totals import savings_by_commune
from maillage.analysis.commutes import CAR_KG_CO2E_PER_KM, WORKING_WEEKS_PER_YEAR
from maillage.load.commutes import read_commute_file, read_rdata
from maillage.prepare.codes import harmonise_codes, normalise_codes
from maillage.prepare.commutes import COMMUTE_COLUMNS
from maillage.report.columns import read_table
from maillage.sources import fetch

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "fd_mobpro_sample.csv"
KM = 1000.0
LINE = CrowFlyModel(circuity=1.0, speed_kph=60.0, access_time_s=0.0)  # 1 km a minute


# --- readers and harmonisation -------------------------------------------------------------


def test_detail_file_every_worker_accounted_for():
    commutes, rejected = load_commutes(SAMPLE, errors="report")
    assert list(commutes.columns) == list(COMMUTE_COLUMNS)
    read = commutes.attrs["workers_read"]
    assert read == pytest.approx(13.5)
    assert commutes["workers"].sum() + rejected["workers"].sum() == pytest.approx(read)
    assert rejected["reason"].tolist() == [
        "work place abroad ('99999')",
        "unknown INSEE code '33999' for the work commune",
    ]
    assert rejected["row"].tolist() == [5, 6]
    assert commutes.attrs["unknown_modes"] == {"Z": pytest.approx(0.3)}


def test_source_is_named_without_the_users_folders(tmp_path):
    folder = tmp_path / "Documents de Jeanne"
    folder.mkdir()
    copy = folder / SAMPLE.name
    copy.write_bytes(SAMPLE.read_bytes())
    commutes = load_commutes(copy, errors="report")[0]
    assert commutes.attrs["source"] == SAMPLE.name
    assert load_commutes("mobpro-reunion-2010").attrs["source"] == "mobpro-reunion-2010"


def test_detail_file_harmonised_to_cog_2026():
    commutes = load_commutes(SAMPLE, errors="report")[0]
    homes = set(commutes["home_code"])
    assert "75056" in homes  # Paris: the commune, not an arrondissement
    assert "49126" in homes and "49040" not in homes  # Bouzillé, now in Orée d'Anjou
    assert set(commutes["home_code"]) | set(commutes["work_code"]) <= set(
        maillage.load.cog.read_cog_table().index
    )
    modes = commutes.groupby("mode", dropna=False)["workers"].sum()
    assert modes["car"] == pytest.approx(2.5 + 1.5 + 1.0 + 2.0)
    assert modes["public_transport"] == pytest.approx(3.0)
    assert modes["two_wheeler"] == pytest.approx(0.7)  # TRANS 4 from vintage 2017 on


def test_trans_codes_follow_the_vintage(tmp_path):
    old = tmp_path / "FD_MOBPRO_2016.csv"
    old.write_bytes(SAMPLE.read_bytes())
    commutes = load_commutes(old, errors="report")[0]
    assert commutes.attrs["vintage"] == 2016
    modes = commutes.groupby("mode", dropna=False)["workers"].sum()
    assert modes["car"] == pytest.approx(0.7)  # TRANS 4 was the car until 2016
    assert modes["public_transport"] == pytest.approx(2.5 + 1.5 + 1.0 + 2.0)  # TRANS 5
    assert commutes.attrs["unknown_modes"] == {"6": 3.0, "Z": pytest.approx(0.3)}


def test_departement_filter_reads_only_those_homes():
    raw = read_commute_file(SAMPLE, departements={"33"})
    assert raw["home"].str[:2].eq("33").all()
    assert raw["row"].tolist() == [0, 1, 2, 5, 6, 7, 9]


def test_area_selection_keeps_every_resident():
    raw = read_commute_file(SAMPLE)
    home = harmonise_codes(normalise_codes(raw["home"]))
    expected = raw.loc[home.str[:2].eq("33").fillna(False).to_numpy(), "workers"].sum()
    commutes, rejected = load_commutes(SAMPLE, departements="33", errors="report")
    assert commutes["home_code"].str[:2].eq("33").all()
    assert commutes["workers"].sum() + rejected["workers"].sum() == pytest.approx(expected)


def test_insee_flows_zip(tmp_path):
    text = (
        "\ufeffCODGEO;LIBGEO;DCLT;L_DCLT;NBFLUX_C21_ACTOCC15P\n"
        '"69381";"Lyon 1er";"69123";"Lyon";10.5\n'
        "69123;Lyon;69266;Villeurbanne;4.25\n"
        "01001;L'Abergement;99137;Luxembourg;2\n"
    )
    path = tmp_path / "base-flux-mobilite-domicile-lieu-travail-2021-csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("base-flux-mobilite-domicile-lieu-travail-2021.csv", text.encode())
        archive.writestr("meta_base-flux.csv", "not the data\n")
    commutes, rejected = load_commutes(path, errors="report")
    assert commutes.attrs["layout"] == "insee-flows"
    assert commutes.attrs["vintage"] == 2021
    assert commutes["mode"].isna().all()
    assert commutes.set_index("work_code")["workers"].to_dict() == {"69123": 10.5, "69266": 4.25}
    assert rejected["reason"].tolist() == ["work place abroad ('99137')"]


def test_detail_parquet(tmp_path):
    frame = pd.DataFrame(
        {
            "COMMUNE": ["33063", "33063"],
            "ARM": ["ZZZZZ", "ZZZZZ"],
            "DCLT": ["33281", "33063"],
            "TRANS": [5, 6],
            "IPONDI": [1.25, 2.0],
            "AGEREVQ": [30, 40],
        }
    )
    path = tmp_path / "RP2022_mobpro.parquet"
    frame.to_parquet(path)
    commutes = load_commutes(path)
    assert commutes.attrs["vintage"] == 2022
    assert commutes["mode"].tolist() == ["public_transport", "car"]


def test_plain_table_with_a_column_mapping(tmp_path):
    path = tmp_path / "od.csv"
    path.write_text("ORIGINE,DEST,N,MODE\n33063,33281,3,car\n33281,33063,2,VP\n33063,33063,1,bus\n")
    mapping = {"ORIGINE": "home_code", "DEST": "work_code", "N": "workers", "MODE": "mode"}
    commutes = load_commutes(path, columns=mapping)
    assert commutes["workers"].sum() == 6
    assert commutes["mode"].tolist() == [pd.NA, "car", "car"]
    assert commutes.attrs["unknown_modes"] == {"BUS": 1.0}
    parquet = tmp_path / "od.parquet"
    pd.read_csv(path, dtype=str).to_parquet(parquet)
    assert load_commutes(parquet, columns=mapping)["workers"].sum() == 6
    with pytest.raises(ColumnError, match="'ORIGINE', 'DEST', 'N', 'MODE'"):
        load_commutes(path)
    with pytest.raises(OptionError, match="canonical names"):
        load_commutes(path, columns={"ORIGINE": "home"})


def test_rdata_is_optional(monkeypatch, tmp_path):
    (tmp_path / "never-read.rda").write_bytes(b"RDX3\n")
    real_import = builtins.__import__

    def no_rdata(name, *args, **kwargs):
        if name == "rdata":
            raise ImportError("No module named 'rdata'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rdata)
    with pytest.raises(ImportError, match="pip install rdata"):
        read_rdata(tmp_path / "never-read.rda")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"errors": "raise"}, InputDataError, r"2 row\(s\) cannot be placed"),
        ({"errors": "ignore"}, OptionError, "errors must be"),
        ({"modes": "bike"}, OptionError, "modes must be among"),
        ({"region": "4"}, OptionError, r"unknown region code\(s\) \['4'\]"),
        ({"departements": 33}, OptionError, "'04', not 4"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_commutes(SAMPLE, **kwargs)


def test_rejections_warn_by_default():
    with pytest.warns(MaillageWarning, match="2 row") as caught:
        load_commutes(SAMPLE)
    text = str(caught[0].message)
    assert "work place abroad" in text and "unknown INSEE code" in text and "2 workers" in text


def test_unknown_source_lists_the_catalogue():
    with pytest.raises(InputDataError, match=r"mobpro-reunion-2010.*insee-fd-mobpro-2019"):
        load_commutes("mobpro-nowhere")


# --- real data: Île-de-France 2014, La Réunion 2010 ----------------------------------------


@pytest.fixture(scope="module")
def idf_raw():
    return read_rdata(fetch("mobpro-idf-2014-modes")[0])


@pytest.fixture(scope="module")
def idf():
    return load_commutes("mobpro-idf-2014-modes", region="11", errors="report")


def test_idf_totals_conserved(idf, idf_raw):
    commutes, rejected = idf
    assert len(rejected) == 0
    assert commutes["workers"].sum() == pytest.approx(idf_raw["FLOW"].sum())
    assert commutes["workers"].sum() == pytest.approx(5_323_745, abs=1)
    # per home commune, through the harmonisation (Paris arrondissements, merged communes)
    home = harmonise_codes(normalise_codes(idf_raw["ORI"].astype("string")))
    expected = idf_raw["FLOW"].groupby(home.to_numpy()).sum()
    got = commutes.groupby("home_code")["workers"].sum()
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False)
    assert not commutes["home_code"].str.startswith("751").any()


def test_idf_car_share_is_the_files(idf, idf_raw):
    commutes = idf[0]
    share = commutes.loc[commutes["mode"].eq("car").fillna(False), "workers"].sum()
    share /= commutes["workers"].sum()
    raw = idf_raw.loc[idf_raw["MODE"] == "VP", "FLOW"].sum() / idf_raw["FLOW"].sum()
    assert share == pytest.approx(raw, rel=1e-12)
    assert share == pytest.approx(0.4084, abs=1e-4)


def test_idf_selection_by_departement(idf, idf_raw):
    val_de_marne = load_commutes("mobpro-idf-2014-modes", departements="94", modes="car")
    raw = idf_raw[(idf_raw["ORI"].str[:2] == "94") & (idf_raw["MODE"] == "VP")]
    assert val_de_marne["workers"].sum() == pytest.approx(raw["FLOW"].sum())
    assert set(val_de_marne["mode"]) == {"car"}


def test_idf_distances_file_and_reunion():
    distances = load_commutes("mobpro-idf-2014-distances", errors="report")[0]
    assert distances["workers"].sum() == pytest.approx(5_326_058.2, abs=1)
    assert distances["mode"].isna().all()
    reunion = load_commutes("mobpro-reunion-2010", region="04")
    assert reunion["home_code"].nunique() == 24
    assert reunion["workers"].sum() == pytest.approx(240_199.7, abs=0.1)


@pytest.fixture(scope="module")
def idf_setup(idf):
    communes = maillage.load_communes(region="11")
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", region="11", errors="report")
    model = CrowFlyModel()
    trips = commute_trips(communes, venues, idf[0], model=model)
    return communes, venues, idf[0], model, trips


def test_idf_savings_never_negative(idf_setup):
    communes, _, commutes, _, trips = idf_setup
    savings = savings_by_commune(trips, index=communes.index)
    numbers = savings.drop(columns=["commute_min", "access_min"])
    assert (numbers >= 0).all().all()
    assert (trips["saved_min_per_day"] >= 0).all() and (trips["km_avoided_per_day"] >= 0).all()
    assert (trips.loc[trips["eligible"], "status"] == "long").all()
    parts = ["long_commuters", "beyond_daily", "unplaced"]
    short = trips.loc[trips["status"] == "short"].groupby("home_code")["commuters"].sum()
    total = savings[parts].sum(axis=1) + short.reindex(savings.index).fillna(0.0)
    np.testing.assert_allclose(total, savings["car_commuters"], rtol=1e-9)
    car_other = commutes[commutes["mode"].eq("car").fillna(False)]
    car_other = car_other[car_other["home_code"] != car_other["work_code"]]
    assert savings["car_commuters"].sum() == pytest.approx(car_other["workers"].sum())
    assert savings["eligible_commuters"].sum() > 50_000


def test_idf_adding_a_venue_never_lowers_a_saving(idf_setup):
    communes, venues, commutes, model, trips = idf_setup
    before = savings_by_commune(trips, index=communes.index)
    lacking = before[(before["long_commuters"] > 100) & (before["eligible_commuters"] == 0)]
    where = lacking["long_commuters"].idxmax()
    extra = gpd.GeoDataFrame(
        {"venue_id": ["nouveau"]},
        geometry=[communes.loc[where, "geometry"].representative_point()],
        crs=venues.crs,
    )
    more = pd.concat([venues[["venue_id", "geometry"]], extra], ignore_index=True)
    after = commute_savings(communes, more, commutes, model=model)
    for column in ("eligible_commuters", "saved_min_per_day", "km_avoided_per_year"):
        assert (after[column] >= before[column] - 1e-6).all(), column
    assert after.loc[where, "saved_min_per_day"] > 0


def test_idf_min_commute_is_monotonic(idf_setup):
    communes, venues, commutes, model, _ = idf_setup
    runs = [
        commute_savings(communes, venues, commutes, model=model, min_commute_min=m)
        for m in (20, 30, 45)
    ]
    for shorter, longer in pairwise(runs):
        for column in ("long_commuters", "eligible_commuters", "saved_min_per_day"):
            assert (longer[column] <= shorter[column] + 1e-6).all(), column


# --- a toy worked out by hand --------------------------------------------------------------


def toy() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Home commune A, work commune B 60 km east; a venue 3 km from A's one origin."""
    communes = gpd.GeoDataFrame(
        {"nom": ["A", "B"], "population": [100, 100]},
        geometry=[box(-1 * KM, -1 * KM, 1 * KM, 1 * KM), box(59 * KM, -1 * KM, 61 * KM, 1 * KM)],
        index=pd.Index(["00001", "00002"], name="code_insee"),
        crs=2154,
    )
    venues = gpd.GeoDataFrame({"venue_id": ["v"]}, geometry=[Point(3 * KM, 0)], crs=2154)
    commutes = pd.DataFrame(
        {
            "home_code": ["00001", "00001", "00002", "00001"],
            "work_code": ["00002", "00002", "00001", "00001"],
            "mode": pd.array(["car", "public_transport", "car", "car"], dtype="string"),
            "workers": [10.0, 5.0, 4.0, 7.0],
        }
    )
    origins = gpd.GeoDataFrame(
        {"code_insee": ["00001", "00002"], "population": [100.0, 100.0]},
        geometry=[Point(0, 0), Point(60 * KM, 0)],
        index=pd.Index(["a", "b"], name="origin_id"),
        crs=2154,
    )
    return communes, venues, commutes, origins


def test_toy_worked_out_by_hand():
    communes, venues, commutes, origins = toy()
    out = commute_savings(communes, venues, commutes, model=LINE, origins=origins)
    a, b = out.loc["00001"], out.loc["00002"]
    # A: 10 drivers, 60 min each way; the venue is 3 min away: 2 x (60 - 3) = 114 min a day
    assert a["workers"] == 22.0 and a["car_commuters"] == 10.0
    assert a["long_commuters"] == 10.0 and a["eligible_commuters"] == 10.0
    assert a["commute_min"] == pytest.approx(60.0) and a["access_min"] == pytest.approx(3.0)
    assert a["saved_min_per_day"] == pytest.approx(10 * 114)
    assert a["saved_hours_per_year"] == pytest.approx(10 * 114 * WORKING_WEEKS_PER_YEAR / 60)
    km = 10 * 2 * (60 - 3) * 1.3 * WORKING_WEEKS_PER_YEAR  # road km = 1.3 x straight line
    assert a["km_avoided_per_year"] == pytest.approx(km)
    assert a["co2_avoided_t_per_year"] == pytest.approx(km * CAR_KG_CO2E_PER_KM / 1000)
    # B: 4 drivers to A, but the venue is 57 min from their home: no saving
    assert b["long_commuters"] == 4.0 and b["eligible_commuters"] == 0.0
    assert b["saved_min_per_day"] == 0.0
    # two telework days double it; a 90-minute threshold makes nobody a long commuter
    two = commute_savings(
        communes, venues, commutes, model=LINE, origins=origins, telework_days_per_week=2
    )
    assert two.loc["00001", "saved_hours_per_year"] == pytest.approx(2 * a["saved_hours_per_year"])
    none = commute_savings(
        communes,
        venues,
        commutes,
        model=LINE,
        origins=origins,
        min_commute_min=90,
        max_commute_min=120,
    )
    assert none["saved_min_per_day"].sum() == 0.0
    by_venue = commute_savings_by_venue(communes, venues, commutes, model=LINE, origins=origins)
    assert by_venue.loc["v", "eligible_commuters"] == 10.0
    assert by_venue.loc["v", "saved_min_per_day"] == pytest.approx(1140.0)


def test_toy_beyond_a_daily_commute_and_unplaced_work():
    communes, venues, commutes, origins = toy()
    far = commute_savings(
        communes, venues, commutes, model=LINE, origins=origins, max_commute_min=45
    )
    assert far.loc["00001", "beyond_daily"] == 10.0
    assert far.loc["00001", "saved_min_per_day"] == 0.0
    trips = commute_trips(communes.iloc[:1], venues, commutes, model=LINE, origins=origins)
    assert trips.loc[trips["status"] == "unplaced", "commuters"].sum() == 10.0
    assert trips.attrs["workers_home_outside"] == 4.0


def test_unknown_modes_are_counted_as_car_with_a_warning():
    communes, venues, commutes, origins = toy()
    unknown = commutes.assign(mode=pd.array([pd.NA] * 4, dtype="string"))
    with pytest.warns(MaillageWarning, match="counted as car commuters"):
        out = commute_savings(communes, venues, unknown, model=LINE, origins=origins)
    assert out.loc["00001", "car_commuters"] == 15.0


def test_sites_for_commuters():
    communes, venues, commutes, origins = toy()
    trips = commute_trips(communes, venues.iloc[:0], commutes, model=LINE, origins=origins)
    candidates = gpd.GeoSeries(
        [Point(1 * KM, 0), Point(10 * KM, 0), Point(58 * KM, 0)],
        index=["near", "mid", "far"],
        crs=2154,
    )
    for method in ("greedy", "exact"):
        sites = suggest_sites(
            trips, candidates, k=2, model=LINE, objective="commute", method=method
        )
        assert sites["candidate_id"].tolist() == ["near", "far"]
        # 10 drivers from A save 2 x (60 - 1); 4 from B save 2 x (60 - 2)
        assert sites["gain_min_per_day"].tolist() == pytest.approx([1180.0, 464.0])
        assert sites["gain_commuters"].tolist() == pytest.approx([10.0, 4.0])
    limited = suggest_sites(
        trips, candidates, k=2, model=LINE, objective="commute", method="exact", time_limit_s=30
    )
    assert limited["candidate_id"].tolist() == ["near", "far"]
    assert limited.attrs["exact"]["optimal"] is True and limited.attrs["exact"]["mip_gap"] == 0
    assert limited.attrs["exact"]["time_limit_s"] == 30.0
    with pytest.raises(OptionError, match="objective must be"):
        suggest_sites(trips, candidates, model=LINE, objective="jobs")


def test_overseas_frames_stay_in_their_crs():
    communes = maillage.load_communes(region="04")
    venues, _ = maillage.load_venues("france-services-2024-08-01", region="04", errors="report")
    assert venues.crs.equals(communes.crs) and communes.crs.to_epsg() == 2975
    commutes = load_commutes("mobpro-reunion-2010", region="04")
    with pytest.warns(MaillageWarning, match="counted as car commuters"):
        out = commute_savings(communes, venues, commutes, model=CrowFlyModel())
    assert out["car_commuters"].sum() == pytest.approx(91_125.6, abs=1)
    mixed = venues.to_crs(2154)
    with pytest.raises(InputDataError, match="one working CRS"):
        commute_savings(communes, mixed, commutes, model=CrowFlyModel())


# --- the command line, end to end, on La Réunion ------------------------------------------


@pytest.mark.filterwarnings("always::maillage.errors.MaillageWarning")
def test_report_with_commutes_on_la_reunion(tmp_path, capsys):
    from maillage.cli import main
    from maillage.schema import SUMMARY_KEYS

    out = tmp_path / "reunion"
    args = ["report", "--venues", "france-services-2024-08-01", "--region", "04"]
    code = main([*args, "--commutes", "mobpro-reunion-2010", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "counted as car commuters" in err  # the file has no mode: said on the terminal
    for name in ("commutes.csv", "commutes.png", "report.html", "summary.json", "map.html"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary)[: len(SUMMARY_KEYS)] == list(SUMMARY_KEYS)
    assert summary["communes"] == 24
    figures, assumptions = summary["commutes"], summary["commute_assumptions"]
    assert figures["workers"] == 240_200
    assert figures["car_share"] is None  # the 2010 matrix has no mode
    assert figures["car_commuters_other_commune"] == 91_126
    assert 0 < figures["eligible_commuters"] <= figures["long_commuters"]
    assert figures["saved_hours_per_year"] > 0 and figures["co2_avoided_t_per_year"] > 0
    assert assumptions["telework_days_per_week"] == 1.0
    assert assumptions["car_kg_co2e_per_km"] == CAR_KG_CO2E_PER_KM
    assert "ADEME" in assumptions["emission_source"]
    assert assumptions["workers_unknown_mode_counted_as_car"] == 91_126
    table = read_table(out / "commutes.csv")
    assert len(table) == 24 and table["code_insee"].str.startswith("974").all()
    assert table["saved_hours_per_year"].sum() == pytest.approx(
        figures["saved_hours_per_year"], abs=1
    )
    page = (out / "report.html").read_text()
    assert "Trajets domicile-travail évitables" in page
    assert "Où ouvrir pour les navetteurs" in page and "ADEME" in page
    # the scenario beside the gross potential: France services are desks, not workspaces
    scenario = summary["commute_scenario"]
    assert scenario["scenario_commuters"] == 0 and scenario["venue_kinds_counted"]
    assert scenario["venues_by_kind"]["guichet"] == {"lieux": 29, "comptés": False}
    assert "Potentiel brut et scénario" in page and "Hypothèses du scénario" in page
    assert "non comptés : guichet" in page and "INSEE Focus" in page
    # counting the desks, as asked, gives the scenario a figure, below the gross potential
    again = tmp_path / "guichets"
    more = ["--commute-kinds", "guichet", "--tiers-lieu-share", "0.1", "--co2", "cycle-de-vie"]
    code = main([*args, "--commutes", "mobpro-reunion-2010", *more, "--out", str(again)])
    assert code == 0, capsys.readouterr().err
    desks = json.loads((again / "summary.json").read_text())["commute_scenario"]
    assert 0 < desks["scenario_commuters"] < figures["eligible_commuters"]
    assert desks["assumptions"]["venue_share"] == 0.1
    bad = ["--commute-kinds", "cowork", "--out", str(tmp_path / "x")]
    code = main([*args, "--commutes", "mobpro-reunion-2010", *bad])
    assert code == 2 and "--commute-kinds « cowork » : types connus" in capsys.readouterr().err
    assert "comptés comme automobilistes" in page  # the unknown mode, said in plain French
    layer = gpd.read_file(out / "coverage.gpkg", layer="communes")
    assert layer.crs.to_epsg() == 2975  # RGR92 / UTM 40S, not Lambert-93


def test_report_commutes_file_missing(tmp_path, capsys):
    from maillage.cli import main

    code = main(
        [
            "report",
            "--venues",
            "france-services-2024-08-01",
            "--region",
            "04",
            "--commutes",
            str(tmp_path / "absent.csv"),
            "--out",
            str(tmp_path / "r"),
        ]
    )
    assert code == 2
    assert "--commutes" in capsys.readouterr().err
