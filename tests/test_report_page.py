"""The French page: method in plain words, names next to codes, years, the two counts, support.

A territory of 6 x 4 communes of 6 km over two départements, two venues, the straight-line
model: every figure shown can be traced back to ``summary.json`` and the tables.
"""

from __future__ import annotations

import html
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from maillage.errors import MaillageWarning
from maillage.report import build_report
from maillage.report.method import method_section, model_name
from maillage.report.numbers import fr_number
from maillage.report.page import render_page
from maillage.travel import CrowFlyModel

X0, Y0, SIDE = 420_000, 6_520_000, 6_000
MODEL = CrowFlyModel(circuity=1.3, speed_kph=30, access_time_s=120)


def _territory() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rows = []
    for i in range(6):
        for j in range(4):
            code = f"{17 if i < 3 else 79}{i * 4 + j + 1:03d}"
            cell = box(X0 + i * SIDE, Y0 + j * SIDE, X0 + (i + 1) * SIDE, Y0 + (j + 1) * SIDE)
            rows.append(
                {
                    "code_insee": code,
                    "nom": f"Bourg {code}",
                    "departement": code[:2],
                    "region": "75",
                    "epci": "241700434" if i < 3 else "200041762",
                    "population": 100 * (i + 1) + 10 * j + 3,
                    "geometry": cell,
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
            "location_quality": ["address", "address"],
        },
        geometry=[Point(X0 + 1000, Y0 + 1000), Point(X0 + 3000, Y0 + 9000)],
        crs="EPSG:2154",
    )
    return communes, venues


@pytest.fixture(scope="module")
def report():
    communes, venues = _territory()
    return build_report(
        communes, venues, model=MODEL, threshold_min=15, years=[2018, 2021], k_sites=3
    )


@pytest.fixture(scope="module")
def page(report) -> str:
    return html.unescape(render_page(report))


def _section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}</h2>")
    end = page.find("<h2>", start + 5)
    return page[start : end if end > 0 else len(page)]


def test_method_in_plain_french_with_units(report, page):
    method = _section(page, "Méthode")
    assert "modèle à vol d'oiseau" in method  # the model's label_fr
    assert "Coefficient de détour</td><td>1,3 (distance par la route" in method
    assert "Vitesse moyenne</td><td>30\u00a0km/h" in method
    assert "Temps aux deux bouts du trajet (se garer, marcher)</td><td>2\u00a0min" in method
    assert "zone blanche" in method and "15\u00a0min" in method
    assert "coefficient de détour : Ballou" in method  # the references, in French
    for technical in ("speed_kph", "access_time_s", "CrowFlyModel", "label_fr", "<td>circuity"):
        assert technical not in method, technical
    # the keys stay in summary.json
    assert report.summary["travel_time_model"]["speed_kph"] == 30.0


def test_method_of_an_engine_without_label_fr():
    road = {"model": "Mine", "engine": "road_graph", "max_snap_m": 2000.0, "n_nodes": 12345}
    summary = {"threshold_min": 20.0, "travel_time_model": road}
    text = html.unescape(method_section(summary, {}))
    assert "réseau routier OpenStreetMap" in text and "Mine" not in text
    assert "Distance maximale entre un domicile ou un lieu et la route</td><td>2\u00a0km" in text
    assert f"Nœuds du réseau routier</td><td>{fr_number(12345)}" in text
    unknown = {"threshold_min": 20.0, "travel_time_model": {"model": "X", "weird_s": 3}}
    text = html.unescape(method_section(unknown, {}))
    assert model_name({"model": "X"}) in text and "weird_s" not in text
    assert "<table>" not in text  # no parameter it knows: no empty table


def test_commune_names_next_to_their_codes(report, page):
    sites = _section(page, "Où ouvrir les prochains lieux")
    for _, site in report.sites.iterrows():
        assert f'<td class="t">{site["nom"]} ({site["code_insee"]})</td>' in sites
    contribution = _section(page, "Contribution des lieux soutenus")
    assert '<td class="t">Bourg 17001 (17001)</td>' in contribution  # where Le Lieu stands
    assert "Commune (INSEE)" not in page


def test_years_are_written_without_a_thousands_separator(page):
    evolution = _section(page, "Évolution")
    assert "<td>2018</td>" in evolution and "<td>2021</td>" in evolution
    assert not re.search(r"2\u202f0\d\d", page)


def test_the_two_counts_are_explained_where_both_appear(report, page):
    summary = report.summary
    beyond = summary["population"] - summary["population_within_threshold"]
    figures = _section(page, "Chiffres clés")
    assert f"<b>{fr_number(beyond)}</b>Habitants à plus de 15 min" in figures
    assert (
        f"<b>{fr_number(summary['white_zone_population'])}</b>Habitants des communes en zone "
        "blanche" in figures
    )
    assert "Deux façons de compter" in figures and "communes entières" in figures
    assert "habitant par habitant" in figures
    for heading in ("Par département", "Les 15 EPCI les moins bien couverts"):
        assert "comptés habitant par habitant" in _section(page, heading), heading


@pytest.mark.parametrize(
    ("supported", "sentence"),
    [
        ([True, True], "Les 2 lieux pris en compte sont tous soutenus publiquement"),
        ([pd.NA, pd.NA], "Aucun lieu n'est connu comme soutenu publiquement"),
        ([False, False], "Aucun lieu n'est connu comme soutenu publiquement"),
    ],
)
def test_all_or_no_supported_venue_is_one_sentence(supported, sentence):
    communes, venues = _territory()
    venues = venues.assign(supported=pd.array(supported, dtype="boolean"))
    rep = build_report(communes, venues, model=MODEL, threshold_min=15, k_sites=1)
    page = html.unescape(render_page(rep))
    assert "<h2>Contribution des lieux soutenus</h2>" not in page
    assert "sans les lieux soutenus" not in page and "Lieux soutenus</div>" not in page
    section = _section(page, "Lieux qui couvrent seuls le plus d'habitants")
    assert section.count(sentence) == 1
    assert "Le Lieu" in section  # the venues covering residents alone are still listed


def test_a_partial_grid_says_its_share_and_falls_back(report):
    """A grid over the western half: its share is said, the rest gets lattice origins."""
    communes, venues = _territory()
    west = communes[communes.index.str.startswith("17")]
    cells = west.geometry.centroid
    grid = gpd.GeoDataFrame(
        {"population": west["population"].astype(float).to_numpy()},
        geometry=[box(p.x - 100, p.y - 100, p.x + 100, p.y + 100) for p in cells],
        index=pd.Index([f"c{k}" for k in west.index], name="cell_id"),
        crs=2154,
    )
    grid.attrs["extent"] = box(X0, Y0, X0 + 3 * SIDE, Y0 + 4 * SIDE)
    with pytest.warns(MaillageWarning, match=r"places 2\d\.\d% of the population \(12 of 24"):
        rep = build_report(communes, venues, model=MODEL, threshold_min=15, grid=grid, k_sites=1)
    placed = rep.communes.attrs["grid_coverage"]
    share = west["population"].sum() / communes["population"].sum()
    assert placed["population_share"] == pytest.approx(share)
    assert (placed["communes"], placed["communes_fallback"]) == (12, 12)
    assert rep.summary["population"] == communes["population"].sum()  # nobody lost
    page = html.unescape(render_page(rep))
    percent = f"{fr_number(100 * share, 1)}\u00a0%"
    figures = _section(page, "Chiffres clés")
    assert f"la grille de population ne place que {percent} des habitants (12 communes)" in figures
    method = _section(page, "Méthode")
    assert f"pour 12 communes, soit {percent} de la population" in method
    assert "La grille ne couvre pas les 12 autres communes" in method
    # without a grid, no such warning
    assert "grille de population" not in _section(
        html.unescape(render_page(report)), "Chiffres clés"
    )


def test_method_of_the_calibrated_default_model():
    """Its own words and units; its English fit summary stays in summary.json."""
    from maillage import CalibratedModel

    model = CalibratedModel.fitted().describe()
    text = html.unescape(method_section({"threshold_min": 20.0, "travel_time_model": model}, {}))
    assert "densité de la commune de départ" in text
    assert re.search(
        r"Vitesse sur les longs trajets</td><td>\d+\u00a0km/h \(un kilomètre en \d+\u00a0secondes\)",
        text,
    )
    assert "hab./km²" in text
    for english in ("fitted on", "main_pace", "coefficient de détour"):
        assert english not in text, english
