"""The command line: one-line errors with exit code 2, and a full report on real data."""

from __future__ import annotations

import html
import json
import subprocess
import sys

import pytest
from osm_grid import write_grid_pbf

from maillage.cli import main, parse_years
from maillage.report.columns import read_table
from maillage.schema import SUMMARY_KEYS


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    # our errors are one line; argparse adds its usage lines before its own one-line error
    assert lines and lines[-1].startswith(("maillage : erreur :", "maillage report : erreur :"))
    return lines[-1]


def test_parse_years():
    assert parse_years("2019-2021") == [2019, 2020, 2021]
    assert parse_years("2024") == [2024]


@pytest.mark.parametrize("years", ["2024-2019", "abc", "19-"])
def test_bad_years(capsys, years, tmp_path):
    code, _, err = _run(capsys, "report", "--venues", "x", "--years", years, "--out", str(tmp_path))
    assert code == 2
    assert "années attendues sous la forme 2019-2024" in _one_line_error(err)


def test_bad_region_code_exits_2_with_one_line(capsys, tmp_path):
    code, out, err = _run(
        capsys,
        "report",
        "--venues",
        "cget-tiers-lieux-2019",
        "--region",
        "99",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 2 and out == ""
    line = _one_line_error(err)
    # names the bad code and what it may have meant, not the list of every code
    assert "--region 99 : code de région inconnu ; vouliez-vous dire 94 (Corse)" in line
    assert "75" not in line
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("option", "value", "missing"),
    [
        ("--venues", "none.csv", "none.csv"),
        ("--network", "nowhere.osm.pbf", "nowhere.osm.pbf"),
    ],
)
def test_missing_input_file_is_named(capsys, tmp_path, option, value, missing):
    args = {"--venues": "cget-tiers-lieux-2019", option: str(tmp_path / value)}
    flat = [part for pair in args.items() for part in pair]
    code, _, err = _run(
        capsys, "report", *flat, "--departement", "17", "--out", str(tmp_path / "r")
    )
    assert code == 2
    assert missing in _one_line_error(err)


def test_region_and_departement_are_exclusive(capsys, tmp_path):
    code, _, err = _run(
        capsys,
        "report",
        "--venues",
        "x",
        "--region",
        "75",
        "--departement",
        "17",
        "--out",
        str(tmp_path),
    )
    assert code == 2 and "l'option --departement ne va pas avec --region" in err


def test_console_script_never_shows_a_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "maillage.cli",
            "report",
            "--venues",
            "cget-tiers-lieux-2019",
            "--region",
            "99",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0


def test_full_report_on_a_departement(capsys, tmp_path):
    out = tmp_path / "charente"
    code, stdout, err = _run(
        capsys,
        "-q",
        "report",
        "--venues",
        "cget-tiers-lieux-2019",
        "--departement",
        "16",
        "--threshold",
        "15",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert str(out / "report.html") in stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["area"] == "Charente (16)"
    assert summary["threshold_min"] == 15.0
    assert summary["communes"] > 300
    # the credits come from the frames and the model, each line once, none typed in the CLI
    credits = summary["data_credits"]
    assert len(credits) == len(set(credits))
    for producer in ("CGET", "INSEE, COG 2026", "IGN"):
        assert any(producer in line for line in credits), producer
    assert stdout.startswith("Rapport écrit dans")
    assert summary["travel_time_model"]["model"] == "CalibratedModel"  # the default
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert "Aucun lieu n'est connu comme soutenu publiquement" in page  # CGET 2019 says nothing


def test_supported_list_is_matched_and_reported(capsys, tmp_path):
    import pyogrio

    out = tmp_path / "charente"
    code, _, err = _run(
        capsys,
        "-q",
        "report",
        "--venues",
        "cget-tiers-lieux-2019",
        "--supported",
        "fabriques-territoire-2024",
        "--add-unmatched-supported",
        "--departement",
        "16",
        "--out",
        str(out),
    )
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[:12] == list(SUMMARY_KEYS)  # then venues_input, venues_rejected
    assert any("Fabriques de territoire" in line for line in summary["data_credits"])
    venues = pyogrio.read_dataframe(out / "coverage.gpkg", layer="venues")
    assert len(venues) == summary["venues"]
    assert {"supported", "support_source", "population_covered", "population_only_this"} <= set(
        venues.columns
    )
    supported = venues[venues["supported"] == 1]
    assert len(supported) > 0
    assert supported["support_source"].str.startswith("fabriques-territoire-2024:").all()
    appended = int((venues["match_method"] == "appended").sum())
    assert appended > 0  # labelled, missing from the census, added on request
    assert summary["venues"] == summary["venues_input"] - summary["venues_rejected"] + appended
    page = (out / "report.html").read_text(encoding="utf-8")
    subtitle = html.unescape(page.split('<p class="sous-titre">')[1].split("</p>")[0])
    assert subtitle.endswith(f"+ {appended} lieux labellisés absents du recensement")
    assert f"{appended} lieux labellisés ajoutés (absents du recensement)" in html.unescape(page)
    assert "Contribution des lieux soutenus" in page
    assert "rapprochement du recensement avec la liste des lieux labellisés" in page
    assert "Aucun lieu n'est connu" not in html.unescape(page)


def test_bad_supported_path(capsys, tmp_path):
    code, _, err = _run(
        capsys,
        "report",
        "--venues",
        "cget-tiers-lieux-2019",
        "--supported",
        str(tmp_path / "labels.geojson"),
        "--departement",
        "16",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 2
    assert "labels.geojson" in _one_line_error(err)
    assert not (tmp_path / "r").exists()


def test_report_over_a_road_network(capsys, tmp_path, monkeypatch):
    """The whole report with --network: a synthetic street grid laid over Charente."""
    import maillage

    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path / "cache"))
    communes = maillage.load_communes(departements=["16"])
    pbf = tmp_path / "charente-grid.osm.pbf"
    write_grid_pbf(pbf, tuple(communes.to_crs(4326).total_bounds), side=64)  # 4,096 nodes
    out = tmp_path / "charente-net"
    args = ["-q", "report", "--venues", "cget-tiers-lieux-2019", "--departement", "16"]
    code, stdout, err = _run(capsys, *args, "--network", str(pbf), "--out", str(out))
    assert code == 0, err
    assert str(out / "report.html") in stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    model = summary["travel_time_model"]
    assert model["model"] == "RoadNetwork"
    assert (model["file"], model["n_nodes"]) == ("charente-grid.osm.pbf", 64 * 64)
    assert any("OpenStreetMap" in line for line in summary["data_credits"])
    assert summary["communes"] == len(communes) and summary["venues"] > 5
    assert 0 < summary["share_within_threshold"] < 1
    assert summary["median_time_min"] > 0

    table = read_table(out / "communes.csv")
    assert table["time_min"].notna().mean() > 0.95  # the grid reaches (almost) every commune
    sites = read_table(out / "sites.csv")
    assert 1 <= len(sites) <= 5 and (sites["gain_population"] > 0).all()
    assert list((tmp_path / "cache" / "road-graphs").glob("*.npz"))  # the parsed graph is cached


def test_offline_network_osm_says_what_to_download_and_where(capsys, tmp_path, monkeypatch):
    """--network osm offline: one line with every URL and target folder, before any work."""
    import os
    from pathlib import Path

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path / "cache"))
    data = Path(os.environ["MAILLAGE_DATA_DIR"])
    out = tmp_path / "r"
    args = ["report", "--venues", "cget-tiers-lieux-2019", "--region", "75", "--out", str(out)]
    code, stdout, err = _run(capsys, *args, "--network", "osm")
    assert code == 2 and stdout == ""
    assert len([line for line in err.splitlines() if line.strip()]) == 1
    line = _one_line_error(err)
    for slug in ("aquitaine", "limousin", "poitou-charentes"):
        url = f"https://download.geofabrik.de/europe/france/{slug}-latest.osm.pbf"
        assert f"download {url} to {data / 'osm' / f'osm-{slug}'}/" in line
    assert not out.exists()
    code, _, err = _run(capsys, *args, "--network", "osm", str(tmp_path / "x.osm.pbf"))
    assert code == 2 and "donnez-le seul" in _one_line_error(err)


def _charente_bounds() -> tuple[float, float, float, float]:
    import maillage

    communes = maillage.load_communes(departements=["16"])
    return tuple(communes.to_crs(4326).total_bounds)


def test_report_over_two_overlapping_extracts(capsys, tmp_path, monkeypatch):
    """Two extracts cut from one street grid over Charente give the same report as the grid."""
    import pandas as pd
    from osm_grid import split_grid_pbf

    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path / "cache"))
    bounds = _charente_bounds()
    whole = tmp_path / "charente.osm.pbf"
    write_grid_pbf(whole, bounds, side=48)
    parts = (tmp_path / "west.osm.pbf", tmp_path / "east.osm.pbf")
    split_grid_pbf(parts, bounds, side=48, cut=(bounds[0] + bounds[2]) / 2)
    args = ["-q", "report", "--venues", "cget-tiers-lieux-2019", "--departement", "16"]
    networks = {"whole": ["--network", str(whole)]}
    networks["parts"] = ["--network", str(parts[0]), "--network", str(parts[1])]
    tables = {}
    for name, network in networks.items():
        code, _, err = _run(capsys, *args, *network, "--out", str(tmp_path / name))
        assert code == 0, err
        summary = json.loads((tmp_path / name / "summary.json").read_text(encoding="utf-8"))
        tables[name] = read_table(tmp_path / name / "communes.csv")
        assert summary["travel_time_model"]["n_nodes"] == 48 * 48
    assert summary["travel_time_model"]["file"] == "west.osm.pbf + east.osm.pbf"
    assert tables["whole"]["time_min"].notna().mean() > 0.9
    pd.testing.assert_frame_equal(tables["whole"], tables["parts"])


def test_network_osm_downloads_the_extracts_of_the_area(capsys, tmp_path, monkeypatch):
    """Online, --network osm fetches the area's extract once (pooch stubbed), then reuses it."""
    import datetime as dt

    import pooch

    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MAILLAGE_OFFLINE", "0")  # CI runs offline; the download is stubbed
    bounds = _charente_bounds()
    urls = []

    def retrieve(url, known_hash, fname, path, progressbar):
        urls.append(url)
        path.mkdir(parents=True, exist_ok=True)
        write_grid_pbf(path / fname, bounds, side=48)
        return str(path / fname)

    monkeypatch.setattr(pooch, "retrieve", retrieve)
    args = ["-q", "report", "--venues", "cget-tiers-lieux-2019", "--departement", "16"]
    for run in ("first", "again"):
        code, _, err = _run(capsys, *args, "--network", "osm", "--out", str(tmp_path / run))
        assert code == 0, err
    assert urls == ["https://download.geofabrik.de/europe/france/poitou-charentes-latest.osm.pbf"]
    summary = json.loads((tmp_path / "again" / "summary.json").read_text(encoding="utf-8"))
    today = dt.date.today().isoformat()
    assert summary["travel_time_model"]["file"] == f"osm-poitou-charentes-{today}.osm.pbf"


def test_previous_report_france_services_2024_then_2020(capsys, tmp_path):
    """Same folder: the 2024 report, then the 2020 one compared with it (--previous == --out)."""

    out = tmp_path / "charente"
    args = ["-q", "report", "--venues", "france-services-2024-08-01", "--departement", "16"]
    code, _, err = _run(capsys, *args, "--year", "2024", "--out", str(out))
    assert code == 0, err
    assert not (out / "changes.csv").exists()  # only with --previous
    before = read_table(out / "communes.csv").set_index("code_insee")
    old_summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    code, _, err = _run(capsys, *args, "--year", "2020", "--previous", str(out), "--out", str(out))
    assert code == 0, err
    after = read_table(out / "communes.csv").set_index("code_insee")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[:12] == list(SUMMARY_KEYS)
    assert summary["venues"] < old_summary["venues"]
    changes = read_table(out / "changes.csv").set_index("code_insee")
    assert len(changes) == len(after) == len(before)
    entered = before.covered & ~after.covered
    left = ~before.covered & after.covered
    assert entered.sum() > 10  # fewer France services in 2020
    counts = changes["change"].value_counts().to_dict()
    assert counts.get("entre en zone blanche", 0) == entered.sum()
    assert counts.get("sort de la zone blanche", 0) == left.sum()
    assert set(changes.index[changes["change"] == "entre en zone blanche"]) == set(
        entered.index[entered]
    )
    assert counts["inchangé"] == len(changes) - entered.sum() - left.sum()
    assert (changes["time_min_before"] - before["time_min"]).abs().max() < 1e-3
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    start = page.index("<h2>Évolution depuis le rapport précédent</h2>")
    section = page[start : page.index("<h2>", start + 5)]
    assert f"Communes entrées en zone blanche : {entered.sum()} (les 15 plus peuplées)" in section
    biggest = after[entered].sort_values("population", ascending=False)["nom"].iloc[0]
    assert biggest in section
    assert "Attention" not in section  # same threshold and model
    assert "Lieux pris en compte" in section


def test_bad_previous_folder_exits_2_with_one_line(capsys, tmp_path):
    (tmp_path / "old").mkdir()
    code, out, err = _run(
        capsys,
        "report",
        "--venues",
        "cget-tiers-lieux-2019",
        "--departement",
        "16",
        "--previous",
        str(tmp_path / "old"),
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 2 and out == ""
    line = _one_line_error(err)
    assert "summary.json" in line and str(tmp_path / "old") in line
    assert not (tmp_path / "r").exists()


def test_help_version_and_errors_speak_french(capsys):
    import maillage

    assert _run(capsys, "--version")[:2] == (0, f"maillage {maillage.__version__}\n")
    code, out, _ = _run(capsys, "--help")
    assert code == 0 and out.startswith("utilisation : maillage")
    assert "afficher cette aide et quitter" in out and "commandes :" in out
    code, out, _ = _run(capsys, "report", "--help")
    assert code == 0 and "seuil d'accès en minutes" in out and "options :" in out
    for english in ("usage:", "show this help", "options:", "default", "e.g."):
        assert english not in out, english
    code, _, err = _run(capsys, "rapport")
    assert code == 2 and "COMMANDE : choix inconnu 'rapport'" in _one_line_error(err)


def test_catalogue_lists_every_dataset_by_use(capsys):
    from maillage.sources import CATALOGUE

    code, out, err = _run(capsys, "catalogue")
    assert code == 0 and err == ""
    for name in CATALOGUE:
        assert f"  {name} " in out, name
    assert "Recensements de lieux (--venues, --supported, --series)" in out
    assert "Grilles de population (--grid)" in out and "--network osm" in out


@pytest.mark.parametrize(
    ("area", "said"),
    [
        (["--departement", "2c"], "--departement 2c : code de département inconnu ; "
         "vouliez-vous dire 2A (Corse-du-Sud), 2B (Haute-Corse)"),
        (["--region", "33"], "33 est le département Gironde : --departement 33"),
        (["--departement", "Charente"], "vouliez-vous dire 16 (Charente), 17 (Charente-Maritime)"),
    ],
)  # fmt: skip
def test_unknown_area_code_suggests_what_was_meant(capsys, tmp_path, area, said):
    code, out, err = _run(
        capsys, "report", "--venues", "x.csv", *area, "--out", str(tmp_path / "r")
    )
    assert code == 2 and out == ""
    assert said in _one_line_error(err)
    assert not (tmp_path / "r").exists()


def test_area_codes_as_typed_and_the_final_line(capsys, tmp_path, monkeypatch):
    """--departement 9 2a reaches the report as 09 and 2A; the last line is in French."""
    import maillage.cli

    seen = {}

    def fake_report(args, *, progress):
        seen["departements"] = args.departement
        return args.out

    monkeypatch.setattr(maillage.cli, "_run_report", fake_report)
    out = tmp_path / "r"
    code, stdout, err = _run(
        capsys, "-q", "report", "--venues", "x.csv", "--departement", "9", "2a", "--out", str(out)
    )
    assert code == 0, err
    assert seen["departements"] == ["09", "2A"]
    assert stdout == f"Rapport écrit dans {out}/ — ouvrez {out / 'report.html'}\n"


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--threshold", "0", "--threshold : durée en minutes supérieure à 0 attendue (reçu 0)"),
        ("--threshold", "-5", "--threshold : durée en minutes supérieure à 0 attendue (reçu -5)"),
        ("--sites", "0", "--sites : nombre de sites au moins égal à 1 attendu (reçu 0)"),
        ("--threshold", "vingt", "--threshold : nombre attendu, reçu 'vingt'"),
    ],
)
def test_threshold_and_sites_have_their_own_messages(capsys, tmp_path, option, value, said):
    args = ["report", "--venues", "x.csv", "--region", "75", option, value]
    code, _, err = _run(capsys, *args, "--out", str(tmp_path / "r"))
    assert code == 2
    assert _one_line_error(err).endswith(said)
