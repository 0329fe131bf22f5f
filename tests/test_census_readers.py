"""Any census file: catalogue layouts, GoGoCarto, the médiation schema, canonical and French
headers, --columns, projected coordinates; every row accepted or rejected with its reason."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from maillage import ColumnError, OptionError, load_venues
from maillage.load.census import read_venues, venue_censuses
from maillage.load.census_gogocarto import CREATED_AT_FLAG
from maillage.load.census_schemas import is_personal
from maillage.options import options

DATA = Path(__file__).parent / "data"
GOGO = DATA / "gogocarto"
REGION = DATA / "region_export.csv"
FS2020 = {  # input rows, accepted, rejected of the France services lists of 2020
    "france-services-2020-01-02": (456, 445, 11),  # 9 rows repeat a venue
    "france-services-2020-01-09": (483, 483, 0),
    "france-services-2020-02-06": (534, 534, 0),
    "france-services-2020-03-31": (580, 580, 0),
    "france-services-2020-06-17": (580, 580, 0),
    "france-services-2020-09-02": (591, 591, 0),
    "france-services-2020-10-12": (908, 908, 0),  # 4 wrong codes, good points
}


def _accounts(venues, rejected):
    census = venues.attrs["census"]
    assert census["input"] == len(venues) + len(rejected) == census["in_area"] + census["rejected"]
    return census


@pytest.mark.parametrize("name", sorted(FS2020))
def test_france_services_2020_vintages_are_catalogue_censuses(name):
    assert name in venue_censuses()
    venues, rejected = load_venues(name, errors="report")
    assert (len(venues) + len(rejected), len(venues), len(rejected)) == FS2020[name]
    _accounts(venues, rejected)
    assert venues["kind"].eq("France services").all() and venues["supported"].all()
    assert venues["code_insee"].str.fullmatch(r"[0-9AB]{5}").all()
    # personal columns (CONTACT.MAIL, TELEPHONE, REMARQUES.CDC) are never part of the table
    raw, _, _ = read_venues(name)
    assert not [c for c in raw.columns if is_personal(c) or c.startswith("REMARQUES")]


def test_france_services_2020_first_list_rows_and_codes():
    venues, rejected = load_venues("france-services-2020-01-02", errors="report")
    missing = rejected[rejected["reason"] == "missing coordinates"]  # no geometry upstream
    assert missing["name"].str.strip().tolist() == [
        "Bogny-sur-Meuse",
        "Espace France Services Descartes",
    ]
    # the same venue twice or three times (same name, same point): reported, not counted twice
    doubles = rejected[rejected["reason"].str.startswith("doublon du même nom au même lieu")]
    assert len(doubles) == 9 == venues.attrs["census"]["duplicates"]
    assert doubles["reason"].iloc[0] == "doublon du même nom au même lieu (ligne 23)"
    assert doubles["file_row"].iloc[:2].tolist() == ["24", "25"]
    assert venues.attrs["census"]["row_ids"]  # no id in that list: named after their row
    assert venues["venue_id"].iloc[0] == "ligne 1"
    # 2020 codes harmonised to COG 2026: merged communes remapped and recorded
    assert venues["code_insee_declared"].notna().sum() == 5


def test_france_services_2020_october_bad_codes_with_good_points_are_kept_and_flagged():
    venues, rejected = load_venues("france-services-2020-10-12", errors="report")
    assert rejected.empty
    flagged = venues[venues["location_flag"].str.startswith("code INSEE inconnu").fillna(False)]
    assert sorted(flagged["code_insee_declared"]) == ["14771", "19927", "2B10", "2B14"]
    assert sorted(flagged["code_insee"]) == ["14764", "19031", "2B169", "2B169"]  # at the point
    assert venues.attrs["census"]["code_from_point"] == 4
    assert not venues.attrs["census"]["row_ids"]
    assert venues["venue_id"].str.fullmatch(r"\d+").all()  # MATRICULE, never "1.0"


def test_gogocarto_real_sample_through_load_venues():
    path = options.data_dir / "venues" / "gogocarto-sample-2018" / "elements.json"
    venues, rejected = load_venues(path, errors="report")
    assert (len(venues), len(rejected)) == (12, 0)
    assert venues["kind"].value_counts()["Agriculture & Alimentation"] == 5
    assert (
        venues["code_insee"].str.startswith(("16", "17", "79", "86")).all()
    )  # taken from the points


@pytest.mark.parametrize(
    ("file", "accepted", "reasons"),
    [
        ("full.json", 3, ["GoGoCarto status -4 (deleted)", "missing coordinates"]),
        ("compact.json", 3, ["GoGoCarto status -2 (refused by the map's administrators)"]),
        ("elements.geojson", 2, ["missing coordinates", "geometry is not a point: LineString"]),
        ("export.csv", 3, ["GoGoCarto status -4 (deleted)"]),
    ],
)
def test_gogocarto_exports_recognised_without_a_mapping(file, accepted, reasons):
    venues, rejected = load_venues(GOGO / file, errors="report")
    assert len(venues) == accepted
    assert rejected["reason"].tolist() == reasons
    assert venues["opened_flag"].isin([CREATED_AT_FLAG]).any()
    flagged = venues["opened_flag"].notna()
    assert venues.loc[flagged, "opened"].notna().all()


def test_mediation_schema_published_example_through_load_venues():
    venues = load_venues(DATA / "mediation_exemple_valide.csv")
    row = venues.iloc[0]
    assert (row["venue_id"], row["kind"], bool(row["supported"])) == (
        "structure-1",
        "tiers-lieu",
        True,
    )
    # the example's point is in Aix-en-Provence, its declared commune Reims: kept, flagged
    assert "declared 51454" in row["location_flag"]


def test_canonical_header_is_read_without_a_mapping(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text(
        "venue_id;name;latitude;longitude\na;Un;45.6484;0.1562\nb;Deux;45.6958;-0.3287\n"
    )
    venues = load_venues(path)
    assert venues["venue_id"].tolist() == ["a", "b"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson"])
def test_french_headers_are_read_without_a_mapping(tmp_path, suffix):
    frame = pd.DataFrame(
        {
            "Identifiant": ["a", "b"],
            "Nom": ["Un", "Deux"],
            "Type": ["coworking", "fablab"],
            "Latitude": [45.6484, 45.6958],
            "Longitude": [0.1562, -0.3287],
            "Téléphone": ["05 00 00 00 01", ""],
        }
    )
    path = tmp_path / f"lieux{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False, sep=";")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        points = gpd.points_from_xy(frame["Longitude"], frame["Latitude"])
        gpd.GeoDataFrame(
            frame.drop(columns=["Latitude", "Longitude"]), geometry=points, crs=4326
        ).to_file(path)
    venues = load_venues(path)
    assert venues["kind"].tolist() == ["coworking", "fablab"]


def test_region_style_export_is_read_as_it_is():
    # nom, typologie, latitude, longitude are French headers; no id: venues named after their row
    venues, rejected = load_venues(REGION, errors="report")
    assert venues["venue_id"].tolist() == ["ligne 1", "ligne 2", "ligne 3", "ligne 4", "ligne 5"]
    assert venues["kind"].tolist()[:2] == ["Coworking", "Fablab"]
    assert rejected.empty
    # ligne 4 gives no point: placed in Limoges (87000), named by its commune and postal code
    limoges = venues.set_index("venue_id").loc["ligne 4"]
    assert (limoges["code_insee"], limoges["location_source"]) == ("87085", "commune_name")
    assert venues.attrs["census"]["row_ids"]


def test_unrecognised_header_error_lists_columns_and_proposes_a_columns_line(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Enseigne;categorie;geo_lat;geo_lng;insee;mail\nUn;coworking;45.6484;0.1562;16015;a@b.fr\n"
    )
    with pytest.raises(ColumnError) as info:
        load_venues(path)
    message = str(info.value)
    assert "pas de colonne pour « name »" in message
    assert "« Enseigne » → non reconnue" in message
    assert "« insee » → code_insee" in message
    assert "« categorie » → kind ? (probable, non appliqué)" in message
    assert "« mail » → non lue (données personnelles)" in message
    assert "mail=" not in message
    # the user names what is missing; the headers recognised are read with it
    venues = load_venues(path, columns={"Enseigne": "name"})
    assert venues["code_insee"].tolist() == ["16015"]
    assert venues["location_source"].tolist() == ["commune_code"]


def test_error_proposes_a_complete_line_never_the_one_applied(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("lib;latwgs84;lonwgs84\nUn;45.6484;0.1562\n")
    with pytest.raises(ColumnError) as info:
        load_venues(path)
    assert '--columns "lib=name,latwgs84=latitude,lonwgs84=longitude"' in str(info.value)
    assert load_venues(
        path, columns={"lib": "name", "latwgs84": "latitude", "lonwgs84": "longitude"}
    )["code_insee"].tolist() == ["16015"]
    path.write_text("Enseigne;latitude_gps;longitude_gps\nUn;45.6484;0.1562\n")
    with pytest.raises(ColumnError) as info:
        load_venues(path, columns={"Enseigne": "name"})
    assert '--columns "Enseigne=name' not in str(info.value)


def test_region_style_export_personal_columns_never_read(monkeypatch):
    reads: list[tuple[object, list[str]]] = []
    original = pd.read_csv

    def spy(*args, **kwargs):
        frame = original(*args, **kwargs)
        reads.append((kwargs.get("nrows"), [str(c) for c in frame.columns]))
        return frame

    monkeypatch.setattr(pd, "read_csv", spy)
    load_venues(
        REGION,
        columns={"nom": "name", "latitude": "latitude", "longitude": "longitude"},
        errors="report",
    )
    load_venues(GOGO / "export.csv", errors="report")
    load_venues(DATA / "mediation_exemple_valide.csv")
    with_rows = [columns for nrows, columns in reads if nrows != 0]
    assert not [c for columns in with_rows for c in columns if is_personal(c)]


def test_projected_coordinates_with_their_crs(tmp_path):
    path = tmp_path / "lambert.csv"
    path.write_text("Nom;X;Y\nBordeaux;417241,5;6421813,3\nIllisible;abc;6421813\n")
    venues, rejected = load_venues(path, crs=2154, errors="report")
    assert venues["code_insee"].tolist() == ["33063"]
    assert rejected["reason"].tolist() == ["unparsable coordinates (x 'abc', y '6421813')"]
    with pytest.raises(OptionError, match="--crs 2154"):
        load_venues(path)
    with pytest.raises(OptionError, match="has none"):
        load_venues(REGION, crs=2154)


def test_projected_values_declared_as_latitude_longitude_are_said_to_look_projected(tmp_path):
    path = tmp_path / "faux-degres.csv"
    path.write_text(
        "name,latitude,longitude\nBordeaux,6421813.3,417241.5\nAngoulême,45.6484,0.1562\n"
    )
    venues, rejected = load_venues(path, errors="report")
    assert len(venues) == 1
    reason = rejected["reason"].iloc[0]
    assert reason.startswith("coordinates look projected (latitude 6421813, longitude 417242)")
    assert "--crs 2154" in reason
