"""The report folder: every file, its content, byte-identical reruns, atomic writes."""

from __future__ import annotations

import hashlib
import html
import json
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread
from shapely.geometry import Point, box

from maillage.errors import OptionError
from maillage.maps import LAYER_NAMES, class_colours
from maillage.report import REPORT_FILES, SUMMARY_KEYS, build_report, save_report, write_report
from maillage.report.columns import read_table
from maillage.report.identity import PAGE_KEYS
from maillage.report.manifest import MANIFEST_NAME
from maillage.travel import CrowFlyModel

# every report with a venue has the section "Résilience du maillage"
RESILIENCE_FILES = {"closures.csv", "alternatives.csv", "closures.png"}
RESILIENCE_KEYS = [
    "population_two_within_threshold",
    "share_two_within_threshold",
    "indispensable_venues",
    "most_indispensable_venue",
    "most_indispensable_residents_beyond",
]

if TYPE_CHECKING:
    from pathlib import Path

X0, Y0, SIDE = 420_000, 6_520_000, 6_000


@pytest.fixture(scope="module")
def territory() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A 6 x 4 grid of 6 km communes over two départements and two EPCI, with two venues.

    With the straight-line model, times range from a few minutes near the venues to
    well over 30 minutes in the far corner, so every class appears.
    """
    rows = []
    for i in range(6):
        for j in range(4):
            code = f"{17 if i < 3 else 79}{i * 4 + j + 1:03d}"
            rows.append(
                {
                    "code_insee": code,
                    "nom": f"Commune {code}",
                    "departement": code[:2],
                    "region": "75",
                    "epci": "241700434" if i < 3 else "200041762",
                    "population": 100 * (i + 1) + 10 * j,
                    "geometry": box(
                        X0 + i * SIDE, Y0 + j * SIDE, X0 + (i + 1) * SIDE, Y0 + (j + 1) * SIDE
                    ),
                }
            )
    communes = gpd.GeoDataFrame(rows, crs="EPSG:2154").set_index("code_insee")
    venues = gpd.GeoDataFrame(
        {
            "venue_id": ["v1", "v2"],
            "name": ["Le Lieu", "La Fabrique"],
            "kind": ["coworking", "fablab"],
            "code_insee": ["17001", "17006"],
            "opened": pd.array([2016, 2020], dtype="Int64"),
            "closed": pd.array([pd.NA, pd.NA], dtype="Int64"),
            "supported": pd.array([True, pd.NA], dtype="boolean"),
            "location_quality": ["address", "commune_centroid"],
        },
        geometry=[Point(X0 + 1000, Y0 + 1000), Point(X0 + 3000, Y0 + 9000)],
        crs="EPSG:2154",
    )
    return communes, venues


MODEL = CrowFlyModel(circuity=1.3, speed_kph=30, access_time_s=120)
CREDITS = ["INSEE, populations légales 2023 (Licence Ouverte)", "CGET / ANCT (Licence Ouverte 2.0)"]


@pytest.fixture(scope="module")
def report(territory):
    communes, venues = territory
    return build_report(
        communes,
        venues,
        model=MODEL,
        threshold_min=15,
        years=[2018, 2021],
        area="Test (deux départements)",
        k_sites=3,
        data_credits=CREDITS,
    )


@pytest.fixture(scope="module")
def out(report, tmp_path_factory) -> Path:
    return save_report(report, tmp_path_factory.mktemp("rep") / "out")


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_every_file_is_written(out):
    names = {p.name for p in out.iterdir()}
    years = {"years.csv", "evolution.png", "why.csv"}  # the years and why coverage changed
    assert names == set(REPORT_FILES) | RESILIENCE_FILES | years | {MANIFEST_NAME}
    assert not list(out.parent.glob(".out.*")), "no temporary folder left behind"


def test_summary_keys_types_and_values(out, territory):
    communes, _ = territory
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary) == [*SUMMARY_KEYS, *PAGE_KEYS, *RESILIENCE_KEYS, "change_split"]
    assert summary["area"] == "Test (deux départements)"
    assert summary["communes"] == 24
    assert summary["population"] == int(communes["population"].sum())
    assert summary["venues"] == 2
    assert summary["threshold_min"] == 15.0
    for key in ("population_within_threshold", "white_zone_communes", "white_zone_population"):
        assert isinstance(summary[key], int), key
    assert 0 < summary["share_within_threshold"] < 1
    assert summary["population_within_threshold"] == pytest.approx(
        summary["share_within_threshold"] * summary["population"], abs=1
    )
    assert summary["white_zone_communes"] > 0
    assert isinstance(summary["median_time_min"], float)
    assert summary["travel_time_model"]["model"] == MODEL.describe()["model"]
    assert summary["data_credits"] == CREDITS


def test_png_size_and_every_class_colour(out):
    pixels = imread(out / "map.png")
    height, width = pixels.shape[:2]
    assert min(width, height) > 800 and max(width, height) > 1000
    rgb = np.round(pixels[:, :, :3] * 255).astype(int)
    for colour in class_colours(4):
        target = np.array([round(c * 255) for c in to_rgb(colour)])
        assert (np.abs(rgb - target).max(axis=2) <= 2).sum() > 50, colour


def test_html_map_has_every_layer(out):
    text = (out / "map.html").read_text(encoding="utf-8")
    for name in LAYER_NAMES.values():
        if name == LAYER_NAMES["venues"]:
            continue
        assert json.dumps(name).replace("'", "\\u0027") in text
    assert json.dumps("Lieux : coworking") in text and json.dumps("Lieux : fablab") in text
    assert "L.control.layers" in text


def test_geopackage_layers_and_rows(out, report):
    layers = dict(pyogrio.list_layers(out / "coverage.gpkg"))
    assert layers.pop("layer_styles") is None  # QGIS's styles: a table, no geometry
    assert set(layers) == {"communes", "venues", "white_zones", "catchments"}
    communes = pyogrio.read_dataframe(out / "coverage.gpkg", layer="communes")
    assert len(communes) == 24 and communes.crs.to_epsg() == 2154
    assert {"code_insee", "time_min", "covered", "nearest_venue"} <= set(communes.columns)
    assert len(pyogrio.read_dataframe(out / "coverage.gpkg", layer="venues")) == 2
    assert len(pyogrio.read_dataframe(out / "coverage.gpkg", layer="white_zones")) == len(
        report.white_zones
    )
    assert len(pyogrio.read_dataframe(out / "coverage.gpkg", layer="catchments")) == 2
    for layer in layers:
        meta = pyogrio.read_info(out / "coverage.gpkg", layer=layer)["layer_metadata"]
        assert meta["CREDITS"] == " ; ".join(report.summary["data_credits"])
        assert meta["CREDITS"]


def test_tables(out):
    communes = read_table(out / "communes.csv")
    assert communes["code_insee"].is_monotonic_increasing and len(communes) == 24
    indicators = read_table(out / "indicators.csv")
    assert indicators.groupby("level").size().to_dict() == {"departement": 2, "epci": 2}
    assert set(indicators.loc[indicators["level"] == "departement", "name"]) == {
        "Charente-Maritime",
        "Deux-Sèvres",
    }
    sites = read_table(out / "sites.csv")
    assert 1 <= len(sites) <= 3 and sites["rank"].tolist() == list(range(1, len(sites) + 1))
    assert {"lon", "lat", "x_l93", "y_l93"} <= set(sites.columns)
    years = read_table(out / "years.csv")
    assert years["year"].tolist() == [2018, 2021] and years["venues"].tolist() == [1, 2]


def test_report_page_in_french(out):
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    for heading in (
        "Chiffres clés",
        "Carte",
        "Évolution",
        "Par département",
        "Méthode",
        "Sources des données",
    ):
        assert heading in page
    assert "data:image/png;base64," in page and 'href="map.html"' in page
    assert "CGET / ANCT (Licence Ouverte 2.0)" in page
    assert "circuity" in page and "vol d'oiseau" in html.unescape(page)  # model, parameters


def test_rerun_gives_identical_bytes(report, out, tmp_path):
    again = save_report(report, tmp_path / "again")
    assert _digest(again) == _digest(out)


def test_failed_run_leaves_previous_report_intact(report, tmp_path, monkeypatch):
    target = save_report(report, tmp_path / "r")
    before = _digest(target)

    def broken(_report):
        raise RuntimeError("disk full")

    from maillage.report import files

    monkeypatch.setitem(files.RENDERERS, "indicators.csv", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        save_report(report, target)
    assert _digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_foreign_folder_is_refused_before_computing(territory, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    communes, venues = territory
    with pytest.raises(OptionError, match=r"notes\.txt"):
        write_report(tmp_path, communes=communes, venues=venues, model=MODEL)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_write_report_end_to_end_without_years(territory, tmp_path):
    communes, venues = territory
    before = communes.copy()
    out = write_report(tmp_path / "r", communes=communes, venues=venues, model=MODEL, year=2018)
    assert {p.name for p in out.iterdir()} == {*REPORT_FILES, *RESILIENCE_FILES, MANIFEST_NAME}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["venues"] == 1  # only the venue open in 2018
    pd.testing.assert_frame_equal(communes, before)


def test_supported_contribution_is_consistent(report):
    att = report.attribution
    contrib = att.attrs["supported_contribution"]
    assert set(att.index) == {"v1", "v2"} and contrib["supported_venues"] == 1
    assert contrib["population_thanks_to_supported"] == pytest.approx(
        contrib["population_covered_all"] - contrib["population_covered_without_supported"]
    )
    # the attribution reuses the coverage's origins: same covered population
    assert contrib["population_covered_all"] == pytest.approx(
        report.summary["population_within_threshold"], abs=1
    )
    assert contrib["population_thanks_to_supported"] > 0
    # v1 is the only supported venue: what it alone covers is what is lost without it
    assert contrib["population_thanks_to_supported"] == pytest.approx(
        att.loc["v1", "population_only_this"]
    )
    assert (att["population_only_this"] <= att["population_covered"]).all()
    assert report.support["method"] == "census"
    assert (report.support["supported"], report.support["unknown"]) == (1, 1)


def test_report_page_has_the_supported_section(out, report):
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    start = page.index("<h2>Contribution des lieux soutenus</h2>")
    section = page[start : page.index("<h2>", start + 5)]
    contrib = report.attribution.attrs["supported_contribution"]
    from maillage.report.page import fr_number, fr_percent

    for key in ("population_covered_all", "population_covered_without_supported"):
        assert fr_number(contrib[key]) in section, key
    # whole residents that add up: with all venues = without the supported + thanks to them
    every = report.summary["population_within_threshold"]
    thanks = every - round(contrib["population_covered_without_supported"])
    assert thanks == pytest.approx(contrib["population_thanks_to_supported"], abs=1)
    assert (
        f"<b>{fr_number(thanks)} ({fr_percent(thanks / report.summary['population'])})" in section
    )
    assert "colonne « supported » du recensement" in section
    assert "Le Lieu" in section and "La Fabrique" in section  # the venues covering alone
    assert "Aucun lieu n'est connu" not in section
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary) == [
        *SUMMARY_KEYS,
        *PAGE_KEYS,
        *RESILIENCE_KEYS,
        "change_split",
    ]  # supported: no key


def test_geopackage_venues_carry_their_attribution(out, report):
    venues = pyogrio.read_dataframe(out / "coverage.gpkg", layer="venues").set_index("venue_id")
    assert {"population_covered", "population_only_this", "supported"} <= set(venues.columns)
    att = report.attribution
    for name in ("population_covered", "population_only_this"):
        np.testing.assert_allclose(venues[name], att[name].reindex(venues.index))
    assert venues.loc["v1", "supported"] == 1 and pd.isna(venues.loc["v2", "supported"])


def test_no_supported_venue_is_said_plainly(territory, tmp_path):
    communes, venues = territory
    unknown = venues.assign(supported=pd.array([pd.NA, pd.NA], dtype="boolean"))
    rep = build_report(communes, unknown, model=MODEL, threshold_min=15, k_sites=1)
    contrib = rep.attribution.attrs["supported_contribution"]
    assert contrib["supported_venues"] == 0 and contrib["population_thanks_to_supported"] == 0
    assert rep.support["method"] == "unknown"
    out = save_report(rep, tmp_path / "r")
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert "Aucun lieu n'est connu comme soutenu publiquement" in page
    assert "--supported fabriques-territoire-2024" in page


def test_support_from_a_labelled_list_is_described(territory):
    from maillage.prepare.support import mark_supported

    communes, venues = territory
    labelled = gpd.GeoDataFrame(
        {
            "venue_id": ["fabt-1", "fabt-2"],
            "name": ["La Fabrique", "Atelier du Marais"],
            "code_insee": ["17006", "79020"],
            "supported": True,
            "location_quality": "commune_centroid",
        },
        geometry=[Point(X0 + 3000, Y0 + 9000), Point(X0 + 27_000, Y0 + 21_000)],
        crs="EPSG:2154",
    )
    marked = mark_supported(
        venues.assign(supported=pd.NA), labelled, source="fabt", add_unmatched=True
    )
    rep = build_report(communes, marked, model=MODEL, threshold_min=15, k_sites=1)
    assert rep.support["method"] == "matching" and rep.support["source"] == "fabt"
    assert (rep.support["matched"], rep.support["appended"]) == (1, 1)
    contrib = rep.attribution.attrs["supported_contribution"]
    assert contrib["supported_venues"] == 2 and rep.summary["venues"] == 3
    from maillage.report.page import render_page

    page = html.unescape(render_page(rep))
    assert "liste des lieux labellisés « fabt »" in page
    assert "1 rapproché de 1 lieu du recensement et 1 ajouté" in page


def _covered(folder: Path) -> pd.Series:
    table = read_table(folder / "communes.csv")
    return table.set_index("code_insee")["covered"]


def test_previous_report_in_the_same_folder(territory, tmp_path):
    """2018 (one venue) then 2021 (two venues), the second run reading the first's folder."""
    communes, venues = territory
    target = tmp_path / "rapport"
    write_report(target, communes=communes, venues=venues, model=MODEL, threshold_min=15, year=2018)
    before, before_summary = _covered(target), json.loads((target / "summary.json").read_text())
    out = write_report(
        target,
        communes=communes,
        venues=venues,
        model=MODEL,
        threshold_min=15,
        year=2021,
        previous=target,
    )
    files = {*REPORT_FILES, *RESILIENCE_FILES, "changes.csv", "why.csv", MANIFEST_NAME}
    assert {p.name for p in out.iterdir()} == files
    after, summary = _covered(out), json.loads((out / "summary.json").read_text())
    assert list(summary) == [*SUMMARY_KEYS, *PAGE_KEYS, *RESILIENCE_KEYS, "change_split"]
    # why it changed, from the previous folder's own layers: the venue opened in 2021
    split = summary["change_split"]
    assert split["change_points"] == pytest.approx(
        100 * (summary["share_within_threshold"] - before_summary["share_within_threshold"]),
        abs=1e-3,
    )
    assert split["opened"] == pytest.approx(split["change_points"], abs=1e-3)
    assert split["closed"] == split["population"] == split["geography"] == 0
    why = read_table(out / "why.csv")
    assert why["venues_opened"].tolist() == [1] and why["before"].iloc[0].startswith("rapport")
    changes = read_table(out / "changes.csv").set_index("code_insee")
    assert list(changes.columns) == [
        "nom",
        "time_min_before",
        "time_min_after",
        "covered_before",
        "covered_after",
        "change",
    ]
    assert changes.index.is_monotonic_increasing and len(changes) == 24
    pd.testing.assert_series_equal(changes["covered_before"], before, check_names=False)
    pd.testing.assert_series_equal(changes["covered_after"], after, check_names=False)
    left = changes.index[changes["change"] == "sort de la zone blanche"]
    assert set(left) == set(before.index[~before & after]) and len(left) > 0
    assert set(changes.index[changes["change"] == "entre en zone blanche"]) == set(
        before.index[before & ~after]
    )
    assert (changes["time_min_after"] <= changes["time_min_before"] + 1e-9).all()  # one more venue
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    start = page.index("<h2>Évolution depuis le rapport précédent</h2>")
    section = page[start : page.index("<h2>", start + 5)]
    assert f"Communes sorties de la zone blanche : {len(left)}" in section
    assert "Communes entrées en zone blanche : aucune" in section
    gained = summary["white_zone_communes"] - before_summary["white_zone_communes"]
    assert gained == -len(left) and f"\u2212{len(left)}<" in section
    assert "Attention" not in section  # same threshold, same model
    for code in left[:15]:  # the commune's name next to its code
        assert f'<td class="t">Commune {code} ({code})</td>' in section


def test_comparison_is_byte_reproducible_and_notes_differences(territory, tmp_path):
    from maillage.report import read_previous

    communes, venues = territory
    first = write_report(
        tmp_path / "a", communes=communes.iloc[1:], venues=venues, model=CrowFlyModel(), year=2018
    )
    previous = read_previous(first)
    reps = [
        build_report(communes, venues, model=MODEL, threshold_min=15, k_sites=1, previous=previous)
        for _ in range(2)
    ]
    one, two = save_report(reps[0], tmp_path / "b"), save_report(reps[1], tmp_path / "c")
    assert _digest(one) == _digest(two)
    changes = reps[0].section("comparison").changes
    assert changes.loc[communes.index[0], "change"] == "nouvelle commune"
    assert pd.isna(changes.loc[communes.index[0], "covered_before"])
    page = html.unescape((one / "report.html").read_text(encoding="utf-8"))
    assert "Le seuil diffère : 20 min dans le rapport précédent, 15 min" in page
    assert "Le modèle de temps de trajet diffère" in page and "vitesse (km/h) : 80 → 30" in page
    assert "Communes 1 nouvelle depuis" in page


def test_bad_previous_folder_is_refused_before_writing(territory, tmp_path):
    from maillage.errors import InputDataError

    communes, venues = territory
    (tmp_path / "old").mkdir()
    with pytest.raises(InputDataError, match=r"no summary\.json"):
        write_report(
            tmp_path / "r", communes=communes, venues=venues, model=MODEL, previous=tmp_path / "old"
        )
    assert not (tmp_path / "r").exists()
    (tmp_path / "old" / "summary.json").write_text('{"area": "x"}')
    with pytest.raises(InputDataError, match=r"lacks the key.*threshold_min"):
        build_report(communes, venues, model=MODEL, previous=tmp_path / "old")
    good = save_report(build_report(communes, venues, model=MODEL, k_sites=1), tmp_path / "g")
    (good / "communes.csv").unlink()
    with pytest.raises(InputDataError, match=r"no communes\.csv"):
        build_report(communes, venues, model=MODEL, previous=good)
    with pytest.raises(OptionError, match="no such folder"):
        build_report(communes, venues, model=MODEL, previous=tmp_path / "none")
