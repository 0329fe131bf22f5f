"""Fault corpus, data: personal columns, implausible numbers, empty lists, crowded maps.

Real data: the France services of 2024 (non-personal columns only), Charente's communes, the
COG 2026 codes; the personal values are made up and must reach no output file.
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import maillage
from maillage import InputDataError, MaillageWarning, OptionError
from maillage.cli import main
from maillage.cli.parser import parse_years
from maillage.load.census_guess import columns_flag, parse_columns_flag
from maillage.load.census_schemas import is_personal
from maillage.prepare.commutes import MAX_WORKERS_PER_FLOW
from maillage.prepare.toy import toy_territory
from maillage.report.columns import read_table
from maillage.schema import check_populations
from maillage.sources import fetch

PERSONAL = {
    "Mél": "mel-7f3a@exemple.fr",
    "Courriel": "courriel-7f3a@exemple.fr",
    "E-mail": "email-7f3a@exemple.fr",
    "adresse_electronique": "adresse-7f3a@exemple.fr",
    "Téléphone": "05 45 00 7f 3a",
    "Tél.": "05 45 01 7f 3a",
    "Portable": "06 00 02 7f 3a",
    "GSM": "07 00 03 7f 3a",
    "Fax": "05 45 04 7f 3a",
    "Référent": "Jeanne Réfèrent7f3a",
    "Responsable": "Paul Responsable7f3a",
    "Contact": "Marie Contact7f3a",
    "Prénom": "Prenom7f3a",
    "Nom du contact": "NomContact7f3a",
    "Site personnel": "https://perso-7f3a.exemple.fr",
}
"""Column names people give to personal data, and made-up values to look for in outputs."""

VENUE_NAMES = ["Nom", "Nom du lieu", "Nom de la structure", "Identifiant", "Latitude", "Commune"]


@pytest.fixture(scope="module")
def charente_rows() -> pd.DataFrame:
    """The France services of Charente in 2024: id, name, point (never a personal column)."""
    (path,) = fetch("france-services-2024-08-01")
    usecols = ["id_fs", "insee_dep", "lib_fs", "latitude", "longitude"]
    table = pd.read_csv(path, usecols=usecols, dtype=str)
    return table[table["insee_dep"] == "16"].drop(columns="insee_dep")


@pytest.fixture(scope="module")
def personal_census(charente_rows, tmp_path_factory) -> pd.DataFrame:
    census = charente_rows.set_axis(["Identifiant", "Nom", "Latitude", "Longitude"], axis=1)
    return census.assign(**PERSONAL)


@pytest.fixture(scope="module")
def charente_report(personal_census, tmp_path_factory):
    """One report: a census full of personal columns, and a dated list with no venue there."""
    folder = tmp_path_factory.mktemp("charente")
    lieux = folder / "lieux.csv"
    personal_census.to_csv(lieux, index=False)
    elsewhere = personal_census.iloc[:1].assign(Latitude="44.8378", Longitude="-0.5792")
    vide = folder / "vide.csv"  # one venue, in Bordeaux: none in or near Charente
    elsewhere.to_csv(vide, index=False)
    out = folder / "out"
    series = [f"{lieux}=2024-08-01", f"{vide}=2020-01-01"]
    argv = ["-q", "report", "--departement", "16", "--venues", str(lieux), "--out", str(out)]
    code = main([*argv, "--series", *series])
    return code, out


@pytest.mark.parametrize("column", list(PERSONAL))
def test_personal_column_names_in_french_and_english(column):
    assert is_personal(column)
    assert is_personal(column.upper()) and is_personal(column.lower())


@pytest.mark.parametrize("column", VENUE_NAMES)
def test_a_venue_name_is_not_personal(column):
    assert not is_personal(column)


@pytest.mark.parametrize("column", list(PERSONAL))
def test_mapping_a_personal_column_is_refused_in_french(column, personal_census, tmp_path):
    path = tmp_path / "lieux.csv"
    personal_census.to_csv(path, index=False)
    with pytest.raises(OptionError, match="données personnelles") as caught:
        maillage.load_venues(path, columns={column: "venue_id"}, errors="report")
    assert repr(column) in str(caught.value)


def test_mapped_personal_column_is_refused_on_the_command_line(personal_census, tmp_path, capsys):
    path = tmp_path / "lieux.csv"
    personal_census.to_csv(path, index=False)
    out = tmp_path / "out"
    argv = ["-q", "report", "--departement", "16", "--venues", str(path), "--out", str(out)]
    code = main([*argv, "--columns", "Mél=venue_id,Nom=name,Latitude=latitude,Longitude=longitude"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "'Mél'" in err and "données personnelles" in err and "Traceback" not in err
    assert PERSONAL["Mél"] not in err


def test_no_personal_value_reaches_any_output_file(charente_report, personal_census):
    code, out = charente_report
    assert code == 0
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {"report.html", "communes.csv", "coverage.gpkg", "summary.json"} <= {
        p.name for p in files
    }
    for path in files:
        content = path.read_bytes()
        for column, value in PERSONAL.items():
            assert value.encode("utf-8") not in content, (path.name, column)
    # the census's other columns do reach the outputs: the venues' names, for one
    plain = next(name for name in personal_census["Nom"] if name.isascii())
    assert any(plain.encode("utf-8") in path.read_bytes() for path in files)


def test_a_dated_list_without_venue_in_the_area_shows_zero(charente_report):
    code, out = charente_report
    assert code == 0
    series = read_table(out / "series.csv").set_index("date")
    assert series.loc["2020-01-01", "venues"] == 0
    assert series.loc["2020-01-01", "share_within_threshold"] == 0
    assert series.loc["2024-08-01", "venues"] > 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Aucun lieu dans le territoire dans la liste du 1er janvier 2020" in page


def test_census_whose_rows_are_all_rejected_writes_rejected_csv(tmp_path, capsys):
    path = tmp_path / "lieux.csv"
    path.write_text("nom,latitude,longitude\nA,,\nB,x,1\nC,200,1\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["-q", "report", "--departement", "16", "--venues", str(path), "--out", str(out)])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1
    assert "aucun lieu retenu, les 3 lignes sont écartées" in err[0]
    assert "coordonnées manquantes : 1" in err[0] and "point hors de France : 1" in err[0]
    rejected = read_table(out / "rejected.csv", typed=False)
    assert rejected["name"].tolist() == ["A", "B", "C"]  # every input row, with its reason
    assert rejected["reason"].notna().all()


def test_all_rejected_never_writes_into_an_existing_folder(tmp_path, capsys):
    path = tmp_path / "lieux.csv"
    path.write_text("nom,latitude,longitude\nA,,\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()  # a folder maillage may fill: left as it is by a run that computed nothing
    code = main(["-q", "report", "--departement", "16", "--venues", str(path), "--out", str(out)])
    assert code == 2 and "la 1 ligne est écartée" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_same_source_column_twice_is_a_french_error(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["-q", "report", "--departement", "16", "--out", str(out)]
    code = main([*argv, "--venues", "x.csv", "--columns", "Nom=name,Nom=kind"])
    err = capsys.readouterr().err
    assert code == 2 and "deux fois la colonne « Nom »" in err and not out.exists()


def test_column_names_with_equals_and_commas_can_be_mapped(charente_rows, tmp_path):
    header = ["Identifiant", "Nom, du lieu", "Lat=WGS84", "Lon\\WGS84"]
    path = tmp_path / "lieux.csv"
    charente_rows.set_axis(header, axis=1).to_csv(path, index=False)
    mapping = {"Nom, du lieu": "name", "Lat=WGS84": "latitude", "Lon\\WGS84": "longitude"}
    flag = columns_flag(mapping)
    assert flag == r'--columns "Nom\, du lieu=name,Lat\=WGS84=latitude,Lon\\WGS84=longitude"'
    parsed = parse_columns_flag(flag.removeprefix("--columns ").strip('"'))
    assert parsed == mapping
    venues, rejected = maillage.load_venues(path, columns=parsed, errors="report")
    assert len(venues) + len(rejected) == len(charente_rows) and len(venues) > 20
    assert venues["name"].tolist()[:3] == charente_rows["lib_fs"].tolist()[:3]


@pytest.mark.parametrize("text", ["2019-50000000", "1900-2101", "2019-20244", "1900-2100"])
def test_years_span_is_bounded(text):
    with pytest.raises(argparse.ArgumentTypeError, match="200 au plus"):
        parse_years(text)


def test_years_span_refused_on_the_command_line_in_one_line(tmp_path, capsys):
    out = tmp_path / "o"
    code = main(["report", "--venues", "x.csv", "--out", str(out), "--years", "2019-50000000"])
    lines = [line for line in capsys.readouterr().err.splitlines() if "erreur" in line]
    assert code == 2 and len(lines) == 1 and "--years" in lines[0] and not out.exists()
    assert parse_years("1901-2100") == list(range(1901, 2101))


@pytest.mark.parametrize("value", [np.nan, -5.0, np.inf])
def test_implausible_population_names_the_commune(value):
    communes, venues = toy_territory()
    communes["population"] = communes["population"].astype(float)
    communes.loc[communes.index[0], "population"] = value
    with pytest.raises(InputDataError, match=r"population .* 00001 Amont"):
        maillage.build_report(communes, venues, model=maillage.CrowFlyModel())


def test_population_check_lists_at_most_ten_communes():
    frame = pd.DataFrame({"population": ["x"] * 12}, index=[f"c{i}" for i in range(12)])
    with pytest.raises(InputDataError, match=r"pour 12 commune\(s\) : c0 \(x\).* c9 \(x\) …"):
        check_populations(frame, name="communes")


def test_zero_inhabitants_write_a_json_summary(tmp_path):
    communes, venues = toy_territory()
    communes["population"] = 0
    report = maillage.build_report(communes, venues, model=maillage.CrowFlyModel())
    out = maillage.save_report(report, tmp_path / "out")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["population"] == 0 and summary["share_within_threshold"] is None


def _od_table(tmp_path, rows: list[str]):
    path = tmp_path / "navettes.csv"
    path.write_text("home_code,work_code,workers\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_infinite_huge_and_non_numeric_flows_are_rejected_per_row(tmp_path):
    path = _od_table(
        tmp_path,
        ["16015,16015,12", "16015,16102,inf", "16102,16015,1e300", "16102,16102,douze"],
    )
    commutes, rejected = maillage.load_commutes(path, errors="report")
    assert commutes["workers"].tolist() == [12.0]
    reasons = dict(zip(rejected["row"], rejected["reason"], strict=True))
    assert (
        reasons[1] == reasons[2] == f"workers infinite or above {MAX_WORKERS_PER_FLOW:,} per flow"
    )
    assert reasons[3] == "workers missing, negative or not a number"
    assert commutes.attrs["workers_read"] == 12.0 and commutes.attrs["workers_rejected"] == 0


def test_non_numeric_flow_of_an_insee_file_is_rejected_on_its_row(tmp_path):
    path = tmp_path / "base-flux-mobilite-domicile-lieu-travail-2019.csv"
    path.write_text(
        "CODGEO;LIBGEO;DCLT;L_DCLT;NBFLUX_C19_ACTOCC15P\n"
        "16015;Angoulême;16015;Angoulême;4321.5\n"
        "16015;Angoulême;16102;Cognac;n/a\n",
        encoding="utf-8",
    )
    commutes, rejected = maillage.load_commutes(path, errors="report")
    assert commutes["workers"].tolist() == [4321.5]
    assert rejected["reason"].tolist() == ["workers missing, negative or not a number"]


def test_header_only_commute_file_is_warned_about_in_french(tmp_path):
    path = _od_table(tmp_path, [])
    with pytest.warns(MaillageWarning, match="aucune ligne de flux"):
        commutes = maillage.load_commutes(path)
    assert len(commutes) == 0


def test_commute_file_of_another_area_is_warned_about_in_french(tmp_path):
    path = _od_table(tmp_path, ["33063,33063,10", "33063,33281,5"])
    with pytest.warns(MaillageWarning, match="aucune de ses 2 lignes ne part d'une commune"):
        commutes = maillage.load_commutes(path, departements="16")
    assert len(commutes) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(maillage.load_commutes(path, departements="33")) == 2


@pytest.fixture(scope="module")
def metropolitan():
    return maillage.load_venues("france-services-2024-08-01", metropolitan=True, errors="report")


def test_metropolitan_selection_leaves_overseas_venues_out(metropolitan):
    venues, rejected = metropolitan
    census = venues.attrs["census"]
    assert census["in_area"] == len(venues) == 2726 and census["elsewhere"] == 119
    assert census["input"] == census["in_area"] + census["elsewhere"] + len(rejected)
    assert not venues["code_insee"].str.startswith("97").any()
    everything, _ = maillage.load_venues("france-services-2024-08-01", errors="report")
    assert len(everything) == 2845  # without the option: every venue, as documented


def test_markers_shrink_on_a_crowded_national_map(metropolitan):
    from matplotlib.figure import Figure

    from maillage.maps.static import _draw_venues

    venues, _ = metropolitan

    def cover(frame) -> float:
        fig = Figure(figsize=(6, 6))
        ax = fig.add_axes((0, 0, 1, 1))
        _draw_venues(ax, frame)
        drawn = sum(len(c.get_offsets()) * float(c.get_sizes()[0]) for c in ax.collections)
        return drawn / (6 * 72) ** 2

    assert cover(venues) <= 0.045  # 2,726 venues: at most 4 % of the map, give or take
    few = venues[venues["code_insee"].str.startswith("16")]
    assert cover(few) == pytest.approx(16 * len(few) / (6 * 72) ** 2)  # full size


def test_a_census_without_codes_is_placed_by_its_points(tmp_path):
    """The vectorised location agrees with the codes the census declares."""
    (path,) = fetch("france-services-2024-08-01")
    usecols = ["id_fs", "lib_fs", "insee_com", "latitude", "longitude"]
    table = pd.read_csv(path, usecols=usecols, dtype=str)
    table = table[~table["insee_com"].str.startswith("97")]
    declared = dict(zip(table["id_fs"], table["insee_com"], strict=True))
    codeless = tmp_path / "sans_codes.csv"
    table.drop(columns="insee_com").set_axis(
        ["venue_id", "name", "latitude", "longitude"], axis=1
    ).to_csv(codeless, index=False)
    venues, rejected = maillage.load_venues(codeless, errors="report")
    assert len(venues) + len(rejected) == len(table) and len(rejected) == 0
    flags = venues["location_flag"]
    assert flags.str.startswith("code_insee missing, taken from the location: ").all()
    inside = flags.str.contains(": in ", regex=False)
    assert inside.mean() > 0.99  # a few points lie just off the coast or a border
    same = venues["code_insee"] == venues["venue_id"].map(declared)
    assert same.mean() > 0.97  # the others: a point in a neighbouring commune, or a merger
    angouleme = flags[venues["code_insee"] == "16015"]
    assert (angouleme == "code_insee missing, taken from the location: in 16015 (Angoulême)").any()
