"""Report files French Excel and QGIS open as they are: ; BOM and decimal commas, French
headers from the data dictionary, oui/non, whole counts, one workbook with its Lisez-moi
sheet, QGIS styles in the GeoPackage."""

from __future__ import annotations

import io
import sqlite3
import xml.etree.ElementTree as ET

import openpyxl
import pandas as pd
import pytest
from test_report_page import MODEL, _territory

from maillage.maps._style import NO_DATA_COLOUR, class_colours, classify_times
from maillage.report import build_report
from maillage.report.columns import COLUMNS, column_entry, read_table, table_csv
from maillage.report.files import RENDERERS, report_tables
from maillage.report.qgis import LAYER_STYLES_COLUMNS
from maillage.report.reasons import french_reason

LAYERS = ("communes", "venues", "white_zones", "catchments")


@pytest.fixture(scope="module")
def report():
    communes, venues = _territory()
    return build_report(
        communes, venues, model=MODEL, threshold_min=15, years=[2018, 2021], k_sites=3
    )


def _french_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")


def test_every_column_of_every_table_is_in_the_data_dictionary(report):
    tables = report_tables(report)
    assert [n for n in report.files if n.endswith(".csv")] == list(tables)
    for name, table in tables.items():
        columns = [table.index.name, *table.columns] if table.index.name else table.columns
        missing = [c for c in columns if c != "geometry" and column_entry(str(c)) is None]
        assert missing == [], name
    for name in ("uncertain", "time_min_low", "time_min_high"):  # the uncertainty columns
        assert COLUMNS[name].meaning


def test_communes_csv_opens_in_french_excel_settings(report):
    data = RENDERERS["communes.csv"](report)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    table = _french_csv(data)
    assert list(table.columns[:2]) == ["code_insee", "Commune"]
    assert {"Population", "Habitants à moins du seuil", "Couverte", "Temps d'accès (min)"} <= set(
        table.columns
    )
    assert table["Population"].dtype == "int64"
    assert table["Habitants à moins du seuil"].dtype == "int64"
    assert table["Temps d'accès (min)"].dtype == "float64"  # decimal commas read as numbers
    assert set(table["Couverte"]) <= {"oui", "non"}
    covered = report.communes["covered"].sort_index()
    assert (table["Couverte"] == covered.map({True: "oui", False: "non"}).to_numpy()).all()
    assert (
        table["Habitants à moins du seuil"].sum() == report.summary["population_within_threshold"]
    )


def test_tables_read_back_with_their_canonical_names(report):
    table = read_table(RENDERERS["communes.csv"](report)).set_index("code_insee")
    expected = report.communes.drop(columns="geometry").sort_index()
    assert list(table.columns) == list(expected.columns)
    assert table["covered"].tolist() == expected["covered"].tolist()
    assert (table["time_min"] - expected["time_min"]).abs().max() < 1e-4
    # the international CSV: commas, decimal points, the same French headers
    international = table_csv(report_tables(report)["years.csv"], international=True).decode()
    assert international.startswith("Année,Lieux,")


def test_workbook_has_a_sheet_per_table_and_its_data_dictionary(report):
    data = RENDERERS["tables.xlsx"](report)
    assert data == RENDERERS["tables.xlsx"](report)  # same report, same bytes
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Communes",
        "Indicateurs",
        "Sites suggérés",
        "Lieux indispensables",
        "Deuxième lieu",
        "Années",
        "Causes de l'évolution",
        "Lisez-moi",
    ]
    communes = book["Communes"]
    header = [c.value for c in communes[1]]
    assert header == list(_french_csv(RENDERERS["communes.csv"](report)).columns)
    rows = list(communes.iter_rows(min_row=2, values_only=True))
    people = [row[header.index("Population")] for row in rows]
    assert all(isinstance(v, int) for v in people) and sum(people) == report.summary["population"]
    assert {row[header.index("Couverte")] for row in rows} <= {"oui", "non"}
    readme = list(book["Lisez-moi"].iter_rows(values_only=True))
    assert readme[0] == (
        "Feuille",
        "Fichier CSV",
        "Colonne",
        "Nom technique",
        "Signification",
        "Unité",
    )
    described = {(r[0], r[2]) for r in readme[1:] if r[4]}
    for sheet in book.sheetnames[:-1]:
        assert {(sheet, c.value) for c in book[sheet][1]} <= described, sheet
    units = {r[3]: r[5] for r in readme[1:]}
    assert units["population"] == "habitants" and units["time_min"] == "min"


def _styles(report, tmp_path):
    path = tmp_path / "coverage.gpkg"
    path.write_bytes(RENDERERS["coverage.gpkg"](report))
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(layer_styles)")]
        rows = db.execute(f"SELECT {', '.join(LAYER_STYLES_COLUMNS)} FROM layer_styles").fetchall()
        kind = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    db.close()
    return columns, [dict(zip(LAYER_STYLES_COLUMNS, r, strict=True)) for r in rows], kind


def test_geopackage_carries_a_default_qgis_style_per_layer(report, tmp_path):
    columns, rows, kind = _styles(report, tmp_path)
    assert columns == ["id", *LAYER_STYLES_COLUMNS]
    assert kind == ("attributes",)
    assert sorted(r["f_table_name"] for r in rows) == sorted(LAYERS)
    for row in rows:
        assert row["useAsDefault"] == 1 and row["f_geometry_column"] == "geom"
        ET.fromstring(row["styleSLD"])  # well-formed
        qml = ET.fromstring(row["styleQML"].split("\n", 1)[1])
        assert qml.find("renderer-v2").get("type") == "RuleRenderer"
    communes = next(r for r in rows if r["f_table_name"] == "communes")
    qml = ET.fromstring(communes["styleQML"].split("\n", 1)[1])
    labels = [rule.get("label") for rule in qml.iter("rule")]
    classes = classify_times(report.communes["time_min"])
    assert labels == [*classes.labels, "Non atteint / sans donnée"]
    colours = [o.get("value") for o in qml.iter("Option") if o.get("name") == "color"]
    hexes = ["#" + "".join(f"{int(c):02x}" for c in v.split(",")[:3]) for v in colours]
    assert hexes == [*class_colours(4), NO_DATA_COLOUR]  # the colours of map.png
    aliases = {a.get("field"): a.get("name") for a in qml.iter("alias")}
    assert aliases["time_min"] == "Temps d'accès (min)" and aliases["covered"] == "Couverte"


def test_venue_style_fills_supported_venues_only(report, tmp_path):
    _, rows, _ = _styles(report, tmp_path)
    venues = next(r for r in rows if r["f_table_name"] == "venues")
    qml = ET.fromstring(venues["styleQML"].split("\n", 1)[1])
    rules = {rule.get("label"): rule.get("filter") for rule in qml.iter("rule")}
    assert rules["coworking – soutenu"] == '"kind" = \'coworking\' AND "supported" = 1'
    assert set(rules) == {
        f"{k} – {s}" for k in ("coworking", "fablab") for s in ("soutenu", "non soutenu")
    }


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("missing coordinates", "coordonnées manquantes"),
        ("latitude and longitude swapped", "latitude et longitude inversées"),
        ("unknown INSEE code '99999'", "code INSEE inconnu '99999'"),
        (
            "unparsable coordinates (latitude 'abc', longitude '1')",
            "coordonnées illisibles (latitude 'abc', longitude '1')",
        ),
    ],
)
def test_rejection_reasons_in_french(english, french):
    assert french_reason(english) == french
