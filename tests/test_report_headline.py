"""The page says where its times come from, lists the uncertain communes, credits in French.

Real data: the communes and tiers-lieux of the Territoire de Belfort (90); the road engine
runs on a synthetic street grid over the same area (``osm_grid``).
"""

from __future__ import annotations

import json
import math
import re
import warnings

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from osm_grid import write_grid_pbf

import maillage
from maillage.maps import plot_coverage
from maillage.maps._style import UNCERTAIN_EDGE, UNCERTAIN_LABEL
from maillage.report import build_report, write_report
from maillage.report.columns import read_table
from maillage.report.page import render_page

ROAD_TEXT = "estimation sans le réseau routier"


@pytest.fixture(scope="module")
def belfort():
    communes = maillage.load_communes(departements="90")
    venues, rejected = maillage.load_venues(
        "cget-tiers-lieux-2019", departements="90", errors="report"
    )
    return communes, venues, rejected


@pytest.fixture(scope="module")
def default_report(belfort, tmp_path_factory):
    communes, venues, rejected = belfort
    out = write_report(
        tmp_path_factory.mktemp("belfort") / "rapport",
        communes=communes,
        venues=venues,
        rejected=rejected,
        model=maillage.default_model(communes),
        area="Territoire de Belfort",
    )
    return {name: (out / name) for name in ("report.html", "map.html", "summary.json")} | {
        "communes": read_table(out / "communes.csv").set_index("code_insee")
    }


def _text(path) -> str:
    return path.read_text(encoding="utf-8")


def _headline(page: str) -> str:
    return re.search(r'<p class="titre">(.*?)</p>', page, re.S).group(1)


def test_straight_line_headline_says_it_is_an_estimate_with_its_measured_error(default_report):
    page = _text(default_report["report.html"])
    headline = _headline(page)
    assert ROAD_TEXT in headline.lower()
    error = maillage.default_model().describe()["median_abs_rel_error"]
    assert f"{round(100 * error)} % en médiane" in headline  # read from the model, not written
    assert "--" not in headline  # no command-line flag in the prose
    box = re.search(r'<div class="commande">(.*?)</div>', page, re.S).group(1)
    assert "maillage report --venues cget-tiers-lieux-2019 --departement 90" in box
    assert "--network osm" in box


def test_uncertain_communes_are_in_the_csv_the_summary_the_page_and_the_map(default_report):
    table = default_report["communes"]
    summary = json.loads(_text(default_report["summary.json"]))
    flags = table["uncertain"].astype(bool)
    assert summary["uncertain_communes"] == int(flags.sum()) > 0
    assert summary["uncertain_population"] == int(table.loc[flags, "population"].sum())
    # uncertain: within the threshold with the faster times, beyond it with the slower ones
    beyond_fast = table["time_min_low"] > 20
    within_slow = table["time_min_high"] <= 20
    assert not (flags & (beyond_fast | within_slow)).any()
    assert (
        (table["time_min_low"] <= table["time_min"]) & (table["time_min"] <= table["time_min_high"])
    ).all()
    page = _text(default_report["report.html"])
    section = page[page.index("<h2>À confirmer avec le réseau routier</h2>") :]
    top = table[flags].sort_values("population", ascending=False).head(5)
    for code, row in top.iterrows():
        assert f"{row['nom']} ({code})" in section
    html = _text(default_report["map.html"])
    assert json.dumps(UNCERTAIN_LABEL)[1:-1] in html  # the layer, in the layer control
    # each commune's tooltip gives its margin: the times rounded up to the tenth, as text
    assert "Marge d\\u0027erreur du temps" in html
    first = top.iloc[0]
    low, high = (math.ceil(10 * first[c] - 1e-9) / 10 for c in ("time_min_low", "time_min_high"))
    assert f"{low:.1f} à {high:.1f} min".replace(".", ",") in html
    for name in top["nom"]:
        assert json.dumps(name, ensure_ascii=False)[1:-1] in html


def test_credits_are_french_and_say_what_each_dataset_is(default_report):
    page = _text(default_report["report.html"])
    credits = page[page.index("<h2>Sources des données</h2>") :]
    for word in ("fixture", "example data", "test data", "contributors", "repository"):
        assert word not in page.lower(), word
    assert "entre adresses réelles" in credits and "94 préfectures" in credits


def test_road_engine_headline_says_the_times_come_from_the_road_network(
    belfort, tmp_path, monkeypatch
):
    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path / "cache"))
    communes, venues, _ = belfort
    pbf = tmp_path / "belfort-grid.osm.pbf"
    write_grid_pbf(pbf, tuple(communes.to_crs(4326).total_bounds), side=12)
    model = maillage.RoadNetwork.from_osm(pbf)
    assert maillage.uncertain_communes(communes, venues, model=model, threshold_min=20) is None
    with warnings.catch_warnings():  # a grid this coarse leaves a few points unplaced
        warnings.simplefilter("ignore", maillage.MaillageWarning)
        report = build_report(communes, venues, model=model, k_sites=1)
    page = render_page(report)
    headline = _headline(page)
    assert "calculés sur le réseau routier" in headline
    assert "© les contributeurs d'OpenStreetMap (ODbL 1.0)" in report.summary["data_credits"]
    assert "contributors" not in page[page.index("<h2>Sources des données</h2>") :]
    assert ROAD_TEXT not in page.lower() and 'class="commande"' not in page
    assert "uncertain" not in report.communes.columns and "uncertain_communes" not in report.summary
    assert "À confirmer avec le réseau routier" not in page


def test_crow_fly_reference_says_its_error_is_not_measured(belfort):
    communes, venues, _ = belfort
    report = build_report(communes, venues, model=maillage.CrowFlyModel(), k_sites=1)
    headline = _headline(render_page(report))
    assert ROAD_TEXT in headline.lower() and "n'est pas mesuré" in headline
    assert "uncertain" not in report.communes.columns


def test_static_map_outlines_the_uncertain_communes_with_a_legend_entry(default_report):
    table = default_report["communes"]
    communes = maillage.load_communes(departements="90")
    cov = communes.join(table[["time_min", "covered", "uncertain"]])
    fig = Figure(figsize=(8, 8))
    FigureCanvasAgg(fig)
    ax = plot_coverage(cov, threshold_min=20, ax=fig.add_subplot())
    labels = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
    assert UNCERTAIN_LABEL in labels
    dashed = [
        c
        for c in ax.collections
        if len(c.get_edgecolor()) and to_hex(c.get_edgecolor()[0]) == UNCERTAIN_EDGE
    ]
    assert len(dashed) == 1  # one dashed outline (over a white halo)
    # the outline goes round exactly the uncertain communes (grouped with their neighbours)
    xy = np.concatenate([p.vertices for p in dashed[-1].get_paths()])
    flagged = cov[cov["uncertain"].astype(bool)]
    expected = flagged.total_bounds
    assert np.allclose([*xy.min(axis=0), *xy.max(axis=0)], expected, atol=1.0)
