"""load_venues on the three real catalogue censuses and on hand-made broken files."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import maillage
from maillage import ColumnError, InputDataError, MaillageWarning, OptionError, load_venues
from maillage.schema import VENUE_COLUMNS

DATA = Path(__file__).parent / "data"
BROKEN = DATA / "venues_broken.csv"
CUSTOM = DATA / "venues_custom.csv"
CUSTOM_MAPPING = {
    "identifiant": "venue_id",
    "nom_lieu": "name",
    "categorie": "kind",
    "commune": "code_insee",
    "lat_wgs84": "latitude",
    "lon_wgs84": "longitude",
    "annee_ouverture": "opened",
    "date_fermeture": "closed",
    "financement_public": "supported",
    "precision": "location_quality",
}
PERSONAL_VALUES = ("Jeanne Exemple", "jeanne.exemple@example.org", "Paul Témoin", "anne.perso")
CATALOGUE_CENSUSES = (
    "cget-tiers-lieux-2019",
    "france-services-2024-08-01",
    "fabriques-territoire-2024",
)


@pytest.fixture(scope="module")
def cget():
    return load_venues("cget-tiers-lieux-2019", errors="report")


@pytest.fixture(scope="module")
def france_services():
    return load_venues("france-services-2024-08-01", errors="report")


@pytest.fixture(scope="module")
def fabriques():
    return load_venues("fabriques-territoire-2024", errors="report")


@pytest.fixture(scope="module")
def broken():
    return load_venues(BROKEN, errors="report")


def _check_canonical(venues):
    assert list(venues.columns[: len(VENUE_COLUMNS)]) == list(VENUE_COLUMNS)
    assert venues.crs.to_epsg() == 2154
    assert str(venues["opened"].dtype) == "Int64"
    assert str(venues["closed"].dtype) == "Int64"
    assert str(venues["supported"].dtype) == "boolean"
    assert set(venues["location_quality"]) <= {"address", "commune_centroid"}
    assert (venues.geom_type == "Point").all()
    assert venues["venue_id"].is_unique
    assert venues["code_insee"].notna().all()
    assert venues["kind"].notna().all()
    assert "location_flag" in venues.columns


# --- the real censuses -------------------------------------------------------------


@pytest.mark.parametrize("name", CATALOGUE_CENSUSES)
def test_catalogue_rows_are_accepted_or_rejected_never_dropped(name, request):
    fixture = {
        "cget-tiers-lieux-2019": "cget",
        "france-services-2024-08-01": "france_services",
        "fabriques-territoire-2024": "fabriques",
    }[name]
    venues, rejected = request.getfixturevalue(fixture)
    total = sum(
        len(pd.read_csv(p)) if p.suffix == ".csv" else len(gpd.read_file(p))
        for p in maillage.fetch(name)
    )
    assert len(venues) + len(rejected) == total
    _check_canonical(venues)
    assert venues.attrs["data_credits"][0] == name
    assert all(isinstance(line, str) for line in maillage.credits(venues.attrs["data_credits"]))


def test_cget_schema_recognised(cget):
    venues, rejected = cget
    assert len(venues) + len(rejected) == 1512
    assert venues["supported"].isna().all()  # the census says nothing about support
    assert venues["opened"].isna().all()
    assert (venues["location_quality"] == "address").all()


def test_cget_real_counts(cget):
    venues, rejected = cget
    assert len(rejected) == 0
    assert venues["kind"].value_counts().to_dict() == {
        "coworking": 1118,
        "fablab": 345,
        "non renseigné": 49,
    }


def test_cget_missing_codes_taken_from_the_location(cget):
    venues, _ = cget
    filled = venues["location_flag"].str.startswith("code_insee missing").fillna(False)
    assert filled.sum() == 157  # INSEECOM "0" in the census
    moulins = venues[venues["name"] == "CoWorking Moulins by Connecting Bourbon"].iloc[0]
    assert moulins["code_insee"] == "03190"


def test_cget_arrondissements_and_old_codes_remapped_and_recorded(cget):
    venues, _ = cget
    anticafe = venues[venues["venue_id"] == "2"].iloc[0]
    assert anticafe["code_insee"] == "75056"
    assert anticafe["code_insee_declared"] == "75110"
    cog = maillage.load.cog.read_cog_table()
    assert venues["code_insee"].isin(cog.index).all()
    remapped = venues["code_insee_declared"].notna()
    assert (venues.loc[remapped, "code_insee_declared"] != venues.loc[remapped, "code_insee"]).all()


def test_cget_points_in_another_commune_are_flagged_not_rejected(cget):
    venues, _ = cget
    flags = venues["location_flag"].dropna()
    elsewhere = flags[flags.str.startswith("point in commune")]
    assert len(elsewhere) > 0
    assert elsewhere.str.fullmatch(r"point in commune \w{5} \(.+\), declared \w{5} \(.+\)").all()


def test_cget_nouvelle_aquitaine_with_its_border_band():
    venues, rejected = load_venues("cget-tiers-lieux-2019", region="75", errors="report")
    assert int(venues["in_area"].sum()) == 225  # INSEEREG=75 in the census
    assert len(rejected) == 0
    outside = venues[~venues["in_area"]]
    assert len(outside) > 0
    area = maillage.load_communes(region="75")
    distance = outside.geometry.apply(lambda p: area.distance(p).min())
    assert (distance <= 10_000).all()
    assert venues["in_area"].dtype == "boolean"


def test_wider_buffer_keeps_more_venues_never_fewer():
    counts = [
        len(load_venues("cget-tiers-lieux-2019", departements=["33"], buffer_km=km))
        for km in (0, 10, 50)
    ]
    assert counts[0] <= counts[1] <= counts[2]
    assert counts[2] > counts[0]


def test_france_services_label_date_gives_opened(france_services):
    venues, rejected = france_services
    assert len(venues) + len(rejected) == 2845
    assert venues["opened"].notna().all()
    assert venues["opened"].between(2019, 2024).all()
    assert (venues["kind"] == "France services").all()
    assert venues["supported"].all()
    assert "mail" not in venues.columns
    assert "telephone" not in venues.columns
    valserhone = venues[venues["venue_id"] == "1"].iloc[0]
    assert valserhone["opened"] == 2020
    assert valserhone["code_insee"] == "01033"


def test_france_services_overseas_counters_are_kept(france_services):
    venues, _ = france_services
    assert venues["code_insee"].str.startswith("97").sum() > 20


def test_fabriques_both_files_commune_centroids(fabriques):
    venues, rejected = fabriques
    assert len(venues) + len(rejected) == 342 + 98
    assert (venues["location_quality"] == "commune_centroid").all()
    assert venues["supported"].all()
    kinds = venues["kind"].value_counts().to_dict()
    # Luz'In is both a Fabrique and a Manufacture, at the same point: counted once
    assert kinds == {"fabrique de territoire": 341, "manufacture de proximité": 97}


def test_fabriques_empty_geometry_is_rejected_with_its_reason(fabriques):
    _, rejected = fabriques
    assert rejected[["venue_id", "reason", "code_insee"]].to_dict("records") == [
        # Saint-Martin has no commune polygon: the row cannot be placed at its commune
        {"venue_id": "fabt-364", "reason": "missing coordinates", "code_insee": "97801"},
        {
            "venue_id": "manuprox-2-95",
            "reason": "doublon du même nom au même lieu (ligne 134 de fabt_geom.geojson)",
            "code_insee": "38509",
        },
    ]


def test_errors_raise_summarises_the_rejections():
    with pytest.raises(InputDataError) as info:
        load_venues("fabriques-territoire-2024")
    message = str(info.value)
    assert "2 of 440 rows rejected" in message
    assert "missing coordinates: 1" in message
    assert "doublon du même nom au même lieu: 1" in message
    assert "fabt-364" in message
    assert "errors='report'" in message


def test_clean_census_returns_a_frame_with_errors_raise():
    venues = load_venues("cget-tiers-lieux-2019")
    assert isinstance(venues, gpd.GeoDataFrame)
    assert len(venues) == 1512


# --- broken fixtures ---------------------------------------------------------------


def test_broken_file_every_reason(broken):
    venues, rejected = broken
    assert len(venues) + len(rejected) == len(pd.read_csv(BROKEN, dtype=str))
    reasons = dict(zip(rejected["row"], rejected["reason"], strict=True))
    assert reasons == {
        2: "unparsable coordinates (latitude 'quarante-quatre', longitude '-0.55886')",
        3: "latitude and longitude swapped",
        4: "point outside France",
        5: "point outside France (more than 20 km from any French commune)",
        6: "duplicate venue_id '1' (first at row 0)",
        11: "missing venue_id",
    }
    assert venues["venue_id"].tolist() == ["1", "2", "8", "9", "10", "11", "13", "14"]


def test_broken_file_row_without_point_is_placed_at_its_commune(broken):
    venues, _ = broken
    by_id = venues.set_index("venue_id")
    assert by_id.loc["2", "location_source"] == "commune_code"
    assert by_id.loc["2", "location_quality"] == "commune_centroid"
    assert by_id.loc["2", "code_insee"] == "33063"
    assert pd.isna(by_id.loc["2", "location_flag"])
    assert (by_id.drop(index="2")["location_source"] == "coordinates").all()


def test_broken_file_wrong_code_with_a_good_point_is_kept_and_flagged(broken):
    venues, _ = broken
    row = venues.set_index("venue_id").loc["8"]
    assert row["code_insee"] == "33063"  # the commune at the point
    assert row["code_insee_declared"] == "99999"
    assert row["location_flag"] == (
        "code INSEE inconnu, commune prise au point : déclaré 99999, au point 33063 (Bordeaux)"
    )


def test_broken_file_accepted_rows_are_repaired_and_flagged(broken):
    venues, _ = broken
    by_id = venues.set_index("venue_id")
    assert by_id.loc["9", "code_insee"] == "01165"  # former code 01003
    assert by_id.loc["9", "code_insee_declared"] == "01003"
    assert by_id.loc["10", "location_flag"] == (
        "point in commune 33281 (Mérignac), declared 33063 (Bordeaux)"
    )
    assert by_id.loc["11", "code_insee"] == "03190"
    assert by_id.loc["14", "code_insee"] == "01004"  # leading zero restored
    assert by_id.loc["14", "kind"] == "non renseigné"
    assert by_id.loc["13", "code_insee"] == "97411"  # La Réunion is France
    assert pd.isna(by_id.loc["1", "location_flag"])


def test_broken_file_raises_by_default_with_counts_by_reason():
    with pytest.raises(InputDataError) as info:
        load_venues(BROKEN)
    message = str(info.value)
    assert "6 of 14 rows rejected" in message
    assert "point outside France: 2" in message
    assert "latitude and longitude swapped: 1" in message
    assert "row 2 (venue_id '3'): unparsable coordinates" in message


def test_personal_columns_never_loaded(broken):
    venues, rejected = broken
    for frame in (venues, rejected):
        assert not {"CONTACT", "MAIL"} & set(frame.columns)
        text = frame.astype(str).to_string()
        assert not any(value in text for value in PERSONAL_VALUES)


def test_personal_columns_never_read_even_transiently(monkeypatch):
    reads: list[tuple[object, list[str]]] = []
    original = pd.read_csv

    def spy(*args, **kwargs):
        frame = original(*args, **kwargs)
        reads.append((kwargs.get("nrows"), [str(c) for c in frame.columns]))
        return frame

    monkeypatch.setattr(pd, "read_csv", spy)
    load_venues(BROKEN, errors="report")
    with pytest.warns(MaillageWarning):
        load_venues(CUSTOM, columns=CUSTOM_MAPPING, errors="report")
    with_rows = [columns for nrows, columns in reads if nrows != 0]
    assert len(with_rows) >= 2  # the two censuses (the COG tables are read too)
    is_personal = maillage.load.census_schemas.is_personal
    assert not any(is_personal(c) for columns in with_rows for c in columns)
    # only the header read (nrows=0) sees the names, to recognise the census
    assert any(is_personal(c) for nrows, columns in reads if nrows == 0 for c in columns)


def test_custom_census_with_a_mapping():
    with pytest.warns(MaillageWarning, match="'supported' not understood.*peut-être"):
        venues, rejected = load_venues(
            CUSTOM, columns=CUSTOM_MAPPING, kind="tiers-lieu", errors="report"
        )
    assert rejected[["venue_id", "reason"]].to_dict("records") == [
        {"venue_id": "A4", "reason": "unknown location_quality 'inconnue'"}
    ]
    by_id = venues.set_index("venue_id")
    assert by_id["opened"].tolist() == [2018, 2021, 1990]
    assert by_id["closed"].tolist()[1] == 2023
    assert by_id["supported"].tolist()[:2] == [True, False]
    assert pd.isna(by_id.loc["A3", "supported"])
    assert by_id.loc["A2", "location_quality"] == "commune_centroid"
    assert by_id.loc["A3", "kind"] == "tiers-lieu"
    assert venues.attrs["data_credits"][0] == "venues_custom.csv"
    assert "telephone" not in venues.columns


def test_unmapped_required_column_lists_the_columns_found():
    with pytest.raises(ColumnError) as info:
        load_venues(CUSTOM, columns={"nom_lieu": "venue_id"})  # then no name
    message = str(info.value)
    assert "pas de colonne pour « name » ;" in message
    assert "« nom_lieu » → venue_id" in message
    assert "« nom_lieu »" in message
    assert "« lat_wgs84 »" in message


def test_mapping_a_personal_column_is_refused():
    mapping = {**CUSTOM_MAPPING, "courriel_responsable": "name"}
    mapping.pop("nom_lieu")
    with pytest.raises(OptionError, match="personal data"):
        load_venues(CUSTOM, columns=mapping)


def test_mapping_errors_name_what_is_wrong():
    with pytest.raises(OptionError, match=r"unknown canonical name.*'nom'"):
        load_venues(CUSTOM, columns={**CUSTOM_MAPPING, "nom_lieu": "nom"})
    mapping = {**CUSTOM_MAPPING, "absent": "closed"}
    mapping.pop("date_fermeture")
    with pytest.raises(ColumnError, match="'absent', not in the census"):
        load_venues(CUSTOM, columns=mapping)
    with pytest.raises(OptionError, match="several columns to 'closed'"):
        load_venues(CUSTOM, columns={**CUSTOM_MAPPING, "annee_ouverture": "closed"})


def test_xlsx_census(tmp_path):
    frame = pd.read_csv(CUSTOM, sep=";", dtype=str)
    path = tmp_path / "recensement.xlsx"
    frame.to_excel(path, index=False)
    with pytest.warns(MaillageWarning):
        venues, rejected = load_venues(path, columns=CUSTOM_MAPPING, errors="report")
    assert len(venues) == 3
    assert len(rejected) == 1
    assert venues["opened"].tolist() == [2018, 2021, 1990]


def _geo_fixture(tmp_path, suffix):
    frame = pd.read_csv(BROKEN, dtype=str).iloc[[0, 8, 9]]
    lon = frame["LONG"].astype(float)
    lat = frame["LAT"].astype(float)
    geoms = list(gpd.points_from_xy(lon, lat))
    frame = pd.concat([frame, frame.iloc[[0]].assign(ID="20"), frame.iloc[[0]].assign(ID="21")])
    geoms += [shapely.box(-0.6, 44.8, -0.5, 44.9), shapely.Point()]
    gdf = gpd.GeoDataFrame(frame.drop(columns=["LAT", "LONG"]), geometry=geoms, crs="EPSG:4326")
    path = tmp_path / f"lieux{suffix}"
    if suffix == ".gpkg":
        gdf.to_crs("EPSG:2154").to_file(path, layer="lieux")
    else:
        gdf.to_file(path)
    return path


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_vector_census_with_point_geometries(tmp_path, suffix):
    path = _geo_fixture(tmp_path, suffix)
    venues, rejected = load_venues(path, errors="report")
    assert len(venues) + len(rejected) == 5
    # 21 has an empty point but a code INSEE: placed at its commune
    assert venues["venue_id"].tolist() == ["1", "9", "10", "21"]
    assert venues["location_source"].tolist()[-1] == "commune_code"
    assert venues.attrs["data_credits"][0] == "cget-tiers-lieux-2019"
    reasons = dict(zip(rejected["venue_id"], rejected["reason"], strict=True))
    assert reasons == {"20": "geometry is not a point: Polygon"}
    assert not {"CONTACT", "MAIL"} & set(venues.columns)
    back = venues.geometry.to_crs("EPSG:4326").iloc[0]
    assert back.x == pytest.approx(-0.55886, abs=1e-6)
    assert back.y == pytest.approx(44.86466, abs=1e-6)


def test_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(OptionError, match="errors must be 'raise' or 'report', got 'ignore'"):
        load_venues(BROKEN, errors="ignore")
    with pytest.raises(OptionError, match="buffer_km must be a number >= 0"):
        load_venues(BROKEN, buffer_km=-1)
    with pytest.raises(OptionError, match="not a venue census"):
        load_venues("osm-saint-barthelemy-2015")
    with pytest.raises(InputDataError, match="neither a catalogue census"):
        load_venues("cget-2019")
    odd = tmp_path / "lieux.dbf"
    shutil.copyfile(BROKEN, odd)
    with pytest.raises(InputDataError, match=r"unknown file type '\.dbf'"):
        load_venues(odd)
    empty = tmp_path / "vide.csv"
    empty.write_text("ID,NOM_TL,TYPO,INSEECOM,LAT,LONG\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="has no rows"):
        load_venues(empty)


def test_selection_keeps_only_the_rejections_that_concern_the_area():
    venues, rejected = load_venues(BROKEN, departements=["01"], errors="report")
    assert venues.loc[venues["in_area"], "venue_id"].tolist() == ["9", "14"]
    assert rejected.empty  # every rejected row of the file is in or near Gironde, Madrid or Turin
    gironde, rejected_33 = load_venues(BROKEN, departements=["33"], buffer_km=0, errors="report")
    assert gironde["venue_id"].tolist() == ["1", "2", "8", "10"]
    assert gironde["in_area"].all()
    assert len(rejected_33) == 6  # all declared in Bordeaux, or placed there


def test_selection_without_rejections_returns_a_frame_with_errors_raise():
    venues = load_venues(BROKEN, departements=["01"])
    assert set(venues["venue_id"]) >= {"9", "14"}
    assert venues.attrs["outside_selection"] == 6


@pytest.mark.parametrize(
    ("name", "in_region"),
    [("france-services-2024-08-01", 348), ("fabriques-territoire-2024", 37 + 9)],
)
def test_region_counts_match_the_sources(name, in_region):
    venues, rejected = load_venues(name, region="75", errors="report")
    assert int(venues["in_area"].sum()) == in_region  # counts stated in SOURCE.md
    assert rejected.empty  # the one bad Fabrique is in Saint-Martin
