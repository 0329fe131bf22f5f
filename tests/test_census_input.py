"""The analyst's own file in: headers as people write them, venues known by their commune,
spreadsheets as exported, tables in memory, duplicates (issue 19, items 1-4)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import Workbook

from maillage import load_venues
from maillage.cli import main
from maillage.report.columns import read_table

DATA = Path(__file__).parent / "data"
ISSUE = DATA / "lieux_entete_issue.csv"  # the header of the issue, with contacts
STRUCTURE = DATA / "lieux_nom_structure.csv"
LIEU = DATA / "lieux_lieu_ville_cp.csv"
INSEE = DATA / "lieux_code_insee.csv"
BELFORT = ["90"]


def _load(source, **options):
    return load_venues(source, departements=BELFORT, errors="report", **options)


def _accounts(venues, rejected, rows):
    census = venues.attrs["census"]
    assert census["input"] == rows == len(venues) + len(rejected)
    return census


def test_the_header_of_the_issue_is_read_as_it_is():
    venues, rejected = _load(ISSUE)
    census = _accounts(venues, rejected, 6)
    assert venues["name"].tolist()[:2] == ["La Fabrique de Belfort", "Le Quai de Delle"]
    # Le Fournil gives no point: placed in Giromagny, found by its name and postal code
    fournil = venues.set_index("name").loc["Le Fournil"]
    assert (fournil["code_insee"], fournil["location_source"]) == ("90052", "commune_name")
    assert fournil["location_quality"] == "commune_centroid"
    assert census["by_commune"] == 1
    # the exact repeat of row 1 is reported, not counted twice
    assert rejected["reason"].tolist() == ["doublon du même nom au même lieu (ligne 1)"]
    assert rejected["file_row"].tolist() == ["5"]
    assert census["duplicates"] == 1


def test_nom_de_la_structure_code_insee_lat_lng():
    venues, rejected = _load(STRUCTURE)
    _accounts(venues, rejected, 4)
    by_name = venues.set_index("name")
    assert by_name.loc["Atelier de Giromagny", "location_source"] == "commune_code"
    # a wrong code with a good point: located by its point, flagged, kept
    valdoie = by_name.loc["Coworking de Valdoie"]
    assert (valdoie["code_insee"], valdoie["code_insee_declared"]) == ("90099", "99999")
    assert valdoie["location_flag"].startswith("code INSEE inconnu, commune prise au point")
    assert venues.attrs["census"]["code_from_point"] == 1


def test_lieu_ville_and_postal_code_only():
    venues, rejected = _load(LIEU)
    _accounts(venues, rejected, 4)
    assert venues["code_insee"].tolist() == ["90010", "90033", "90009"]
    assert (venues["location_source"] == "commune_name").all()
    assert rejected["reason"].tolist() == [
        "commune « Nulle-Part-sur-Savoureuse » (département 90) introuvable : donnez son code INSEE"
    ]


def test_code_insee_only_and_a_repeat_at_the_same_commune():
    venues, rejected = _load(INSEE)
    _accounts(venues, rejected, 5)
    assert venues["code_insee"].tolist() == ["90010", "90033", "90052", "90009"]
    assert (venues["location_source"] == "commune_code").all()
    # each point lies in its commune (a point of the polygon, not a guess)
    assert venues.attrs["census"]["by_commune"] == 4
    assert rejected["reason"].str.startswith("doublon du même nom au même lieu").all()


def test_keep_duplicates_flags_instead_of_rejecting():
    venues, rejected = _load(INSEE, keep_duplicates=True)
    assert rejected.empty and len(venues) == 5
    assert venues["duplicate_flag"].notna().sum() == 1
    assert venues.attrs["census"]["duplicates"] == 1


def _workbook(path: Path, *, sheet: str = "Lieux", first_sheet: bool = True) -> None:
    book = Workbook()
    ws = book.active
    if not first_sheet:
        ws.title = "Notes"
        ws["A1"] = "Feuille de notes"
        ws = book.create_sheet(sheet)
    else:
        ws.title = sheet
    ws["A1"] = "Recensement des tiers-lieux du Territoire de Belfort"
    ws.merge_cells("A1:D1")  # a merged title above the table
    ws["A2"] = "Mis à jour le 2 mars 2026"
    ws.append([])
    ws.append(["Nom du lieu", "Code INSEE", "Latitude", "Longitude"])
    ws.append(["La Grange", "90010", 47.6380, 6.8628])
    ws.append(["Le Hangar", "90033", 47.5080, 6.9990])
    ws.append(["La Forge", "90009", None, None])
    for row in range(8, 12):  # formatted, empty rows below the table
        ws.cell(row=row, column=1).number_format = "@"
        ws.cell(row=row, column=1).value = None
    book.save(path)


def test_xlsx_with_title_rows_merged_title_and_empty_trailing_rows(tmp_path):
    path = tmp_path / "lieux.xlsx"
    _workbook(path)
    venues, rejected = _load(path)
    _accounts(venues, rejected, 3)
    assert venues["location_source"].tolist() == ["coordinates", "coordinates", "commune_code"]
    same, _ = _load(path, header_row=4)
    assert same["name"].tolist() == venues["name"].tolist()


def test_csv_as_french_excel_exports_it_with_title_rows(tmp_path):
    """Windows-1252, ``;``, decimal commas and the title rows kept as ``Titre;;;``."""
    path = tmp_path / "lieux.csv"
    lines = [
        "Recensement des tiers-lieux du Territoire de Belfort;;;",
        "Mis à jour le 2 mars 2026;;;",
        ";;;",
        "Nom du lieu;Code INSEE;Latitude;Longitude",
        "La Grange;90010;47,6380;6,8628",
        '"Le Hangar; atelier partagé";90033;47,5080;6,9990',
        "La Forge;90009;;",
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    venues, rejected = _load(path)
    _accounts(venues, rejected, 3)
    assert venues["name"].tolist()[1] == "Le Hangar; atelier partagé"
    assert venues["location_source"].tolist() == ["coordinates", "coordinates", "commune_code"]
    same, _ = _load(path, header_row=4)
    assert same["name"].tolist() == venues["name"].tolist()
    # without title rows, the first line is the header, as before
    path.write_text("\n".join(lines[3:]), encoding="utf-8")
    again, _ = _load(path)
    assert again["name"].tolist() == venues["name"].tolist()


def test_xlsx_sheet_by_name(tmp_path):
    path = tmp_path / "classeur.xlsx"
    _workbook(path, sheet="Tiers-lieux", first_sheet=False)
    venues, _ = _load(path, sheet="Tiers-lieux")
    assert len(venues) == 3
    with pytest.raises(Exception, match="pas de feuille « Absente » ; feuilles : Notes, Tiers"):
        _load(path, sheet="Absente")


def test_a_dataframe_and_a_geodataframe_load_as_a_file():
    table = pd.read_csv(ISSUE, sep=";", dtype=str)
    venues, rejected = _load(table)
    assert (len(venues), len(rejected)) == (5, 1)
    assert "Courriel" not in venues.columns and venues.attrs["census"]["source"] == "tableau"
    points = gpd.GeoDataFrame(
        {"Nom": ["La Grange", "Le Hangar"]},
        geometry=gpd.points_from_xy([6.8628, 6.9990], [47.6380, 47.5080]),
        crs=4326,
    ).to_crs(2154)
    venues, rejected = _load(points)
    assert venues["code_insee"].tolist() == ["90010", "90033"] and rejected.empty


def test_report_reads_the_issue_header_without_columns(capsys, tmp_path):
    out = tmp_path / "belfort"
    code = main(["-q", "report", "--venues", str(ISSUE), "--departement", "90", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["venues_input"], summary["venues"], summary["venues_rejected"]) == (6, 5, 1)
    rejected = read_table(out / "rejected.csv", typed=False)
    assert rejected["reason"].tolist() == ["doublon du même nom au même lieu (ligne 1)"]
    assert "Courriel" not in rejected.columns
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "dont placées au point de leur commune" in page
    assert "point représentatif du contour de la commune" in page
