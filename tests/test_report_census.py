"""Every census row in the report (rejected.csv, the count explained, the census named with its
date), dated vintages as a series (--series), and --years refused without opening years."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import maillage
from maillage.cli import main
from maillage.report.columns import canonical_name, column_entry, read_table
from maillage.report.sections.census import census_facts, headline
from maillage.schema import SUMMARY_KEYS

DATA = Path(__file__).parent / "data"
REGION = DATA / "region_export.csv"


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(["report", "-q", *args])
    return code, capsys.readouterr().err


@pytest.fixture(scope="module")
def region_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("region") / "rapport"
    assert (
        main(
            [
                "report",
                "-q",
                "--venues",
                str(REGION),
                "--departement",
                "16",
                "79",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out


def test_rejected_csv_has_the_row_the_reason_and_no_personal_column(region_report):
    rejected = read_table(region_report / "rejected.csv")
    assert list(rejected.columns) == [
        "file",
        "file_row",
        "venue_id",
        "name",
        "code_insee",
        "latitude",
        "longitude",
        "reason",
    ]
    # Le Hangar gives no point: placed in Limoges (87000), outside the area, not rejected
    assert rejected.empty
    assert not {"mail", "telephone"} & set(rejected.columns)


def test_summary_keeps_its_keys_and_counts_input_and_rejected_rows(region_report):
    summary = json.loads((region_report / "summary.json").read_text())
    assert list(summary)[: len(SUMMARY_KEYS)] == list(SUMMARY_KEYS)
    assert (summary["venues_input"], summary["venues_rejected"], summary["venues"]) == (3, 0, 3)


def test_page_accounts_for_every_row_and_names_the_census(region_report):
    page = (region_report / "report.html").read_text()
    assert (
        "<title>Accès aux lieux – Charente (16), Deux-Sèvres (79)</title>" in page
        and '<p class="sous-titre">region_export.csv</p>' in page
    )
    assert "Lieux pris en compte" in page
    assert "3 lieux pris en compte : 3 du recensement dans le territoire." in page
    assert "Le fichier compte 5 lignes ; 2 concernent d'autres territoires" in page


def test_headline_of_the_2019_census_in_nouvelle_aquitaine_with_labelled_venues():
    venues = maillage.load_venues("cget-tiers-lieux-2019", region="75", errors="report")[0]
    labelled = maillage.load_venues("fabriques-territoire-2024", region="75", errors="report")[0]
    marked = maillage.mark_supported(venues, labelled, add_unmatched=True)
    facts = census_facts(marked, None)
    assert (facts["in_area"], facts["near_area"]) == (225, 8)
    added = marked.attrs["support_matching"]["appended"]
    assert facts["added"] == added > 0
    text = headline(facts, len(marked))
    assert text.startswith(
        f"{233 + added} lieux pris en compte : 225 du recensement dans le territoire, 8 à moins de 10 km"
    )
    assert f"{added} lieux labellisés ajoutés" in text
    assert facts["label"] == (  # the title says that labelled venues were added
        f"Recensement national des tiers-lieux 2019 (2019-03) + {added} lieux labellisés absents "
        "du recensement"
    )


def test_years_on_a_census_without_opening_years_is_an_error(capsys, tmp_path):
    code, err = _run(
        capsys,
        "--venues",
        "cget-tiers-lieux-2019",
        "--departement",
        "16",
        "--years",
        "2018-2020",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 2
    assert "ne donne aucune année d'ouverture ni de fermeture" in err and "--series" in err
    code, err = _run(
        capsys,
        "--venues",
        "cget-tiers-lieux-2019",
        "--departement",
        "16",
        "--year",
        "2019",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 2 and "--year : cget-tiers-lieux-2019 ne donne aucune année" in err


def test_gogocarto_export_through_maillage_report(capsys, tmp_path):
    out = tmp_path / "gogo"
    code, err = _run(
        capsys,
        "--venues",
        str(DATA / "gogocarto" / "full.json"),
        "--departement",
        "16",
        "79",
        "86",
        "--out",
        str(out),
    )
    assert code == 0, err
    rejected = read_table(out / "rejected.csv")
    assert rejected["reason"].tolist() == [
        "statut GoGoCarto -4 (supprimé)",
        "coordonnées manquantes",
    ]
    assert json.loads((out / "summary.json").read_text())["venues"] == 3


def test_columns_flag_maps_a_file_and_an_unknown_header_gets_a_proposal(capsys, tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text("Enseigne;lat;lng;mail\nLa Fabrique;45.6484;0.1562;a@b.fr\n")
    code, err = _run(
        capsys, "--venues", str(path), "--departement", "16", "--out", str(tmp_path / "r1")
    )
    assert code == 2
    assert "« Enseigne » → non reconnue" in err and "« lat » → latitude" in err
    assert "« mail » → non lue (données personnelles)" in err
    code, err = _run(  # the headers recognised are kept: only the name is to be given
        capsys,
        "--venues",
        str(path),
        "--columns",
        "Enseigne=name",
        "--departement",
        "16",
        "--out",
        str(tmp_path / "r2"),
    )
    assert code == 0, err
    code, err = _run(
        capsys,
        "--venues",
        str(path),
        "--columns",
        "Nom du lieu",
        "--departement",
        "16",
        "--out",
        str(tmp_path / "r3"),
    )
    assert code == 2 and "paires" in err


def test_series_of_the_2020_france_services_lists(capsys, tmp_path):
    out = tmp_path / "series"
    lists = [
        "france-services-2020-01-02",
        "france-services-2020-03-31",
        "france-services-2020-10-12",
    ]
    code, err = _run(capsys, "--series", *lists, "--departement", "16", "--out", str(out))
    assert code == 0, err
    table = read_table(out / "series.csv").set_index("date")
    assert table.index.tolist() == ["2020-01-02", "2020-03-31", "2020-10-12"]
    assert table["source"].tolist() == lists
    assert table["venues"].is_monotonic_increasing
    assert (table["venues"].diff().dropna() == (table["opened"] - table["closed"]).iloc[1:]).all()
    changes = read_table(out / "series_changes.csv")
    assert set(changes["change"]) <= {"ouverture", "fermeture"}
    assert len(changes) == table["opened"].iloc[1:].sum() + table["closed"].sum()
    page = (out / "report.html").read_text()
    assert "Évolution entre les listes datées" in page and "series.png" not in page.split("<img")[0]
    # the report's own venues are the latest list
    assert '<p class="sous-titre">Liste des France services au 12 octobre 2020</p>' in page
    # why coverage changed: each step's parts add up exactly to its change, steps add up
    why = read_table(out / "why.csv")
    parts = why[[f"{p}_points" for p in ("opened", "closed", "population", "geography")]]
    assert (parts.sum(axis=1) - why["change_points"]).abs().max() < 1e-3  # 4 decimals written
    assert (why["population_points"] == 0).all() and (why["geography_points"] == 0).all()
    assert why["change_points"].iloc[:2].sum() == pytest.approx(
        why["change_points"].iloc[2], abs=1e-3
    )
    shares = table["share_within_threshold"].to_numpy()
    assert why["before_share"].iloc[2] == pytest.approx(shares[0], abs=1e-4)
    assert why["after_share"].iloc[2] == pytest.approx(shares[-1], abs=1e-4)
    split = json.loads((out / "summary.json").read_text())["change_split"]
    assert split["method"] == "Shapley" and (split["from"], split["to"]) == (
        "2020-01-02",
        "2020-10-12",
    )
    assert (
        "Pourquoi la couverture a changé" in page and "Du 2 janvier 2020 au 12 octobre 2020" in page
    )


def test_series_file_needs_its_date(capsys, tmp_path):
    code, err = _run(
        capsys, "--series", str(REGION), "--departement", "16", "--out", str(tmp_path / "r")
    )
    assert code == 2 and f"--series {REGION}=2024-05-01" in err


def test_real_report_files_open_in_french_excel(region_report):
    """Charente and Deux-Sèvres: accents, whole residents, oui/non, the workbook's sheets."""
    communes = pd.read_csv(
        region_report / "communes.csv",
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
        dtype={"code_insee": str},
    ).set_index("code_insee")
    assert communes.loc["16008", "Commune"] == "Ambérac"
    for name in ("communes.csv", "indicators.csv", "sites.csv", "rejected.csv"):
        header = (region_report / name).read_text(encoding="utf-8-sig").split("\n", 1)[0]
        unknown = [h for h in header.split(";") if column_entry(canonical_name(h)) is None]
        assert unknown == [], name  # every header is in the data dictionary
    assert communes["Population"].dtype == "int64" and communes["Population"].sum() > 500_000
    assert set(communes["Couverte"]) == {"oui", "non"}
    summary = json.loads((region_report / "summary.json").read_text())
    assert communes["Habitants à moins du seuil"].sum() == summary["population_within_threshold"]
    rejected = pd.read_csv(region_report / "rejected.csv", sep=";", encoding="utf-8-sig")
    # Le Hangar gives no point: placed in its commune (Limoges), outside the area, not rejected
    assert rejected.empty and "Motif" in rejected.columns
    manifest = json.loads((region_report / ".maillage-manifest.json").read_text())
    assert "tables.xlsx" in json.dumps(manifest)
