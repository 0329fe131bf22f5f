"""The section "Résilience du maillage" of a real report: Lozère, France services 2024.

Its tables are those of :func:`maillage.closure_impact` and :func:`maillage.second_choice`
computed apart, its figures add up, and the page says them in French.
"""

from __future__ import annotations

import json
import re

import pytest

import maillage
from maillage.report import write_report
from maillage.report.columns import read_table


@pytest.fixture(scope="module")
def lozere(tmp_path_factory):
    communes = maillage.load_communes(departements=["48"])
    venues = maillage.load_venues("france-services-2024-08-01", departements=["48"])
    model = maillage.default_model(communes)
    out = tmp_path_factory.mktemp("lozere") / "rapport"
    write_report(out, communes, venues, model=model, threshold_min=20, area="Lozère", k_sites=1)
    return communes, venues, model, out


def test_closures_csv_is_closure_impact(lozere):
    communes, venues, model, out = lozere
    table = read_table(out / "closures.csv").set_index("venue_id")
    table.index = table.index.astype(str)
    impact = maillage.closure_impact(communes, venues, model=model, threshold_min=20)
    assert table.index.tolist() == impact.index.astype(str).tolist()  # ranked the same
    # whole residents: each venue within one resident of the exact figure, totals kept
    for column in ("residents_served", "residents_beyond"):
        assert (table[column] - impact[column].to_numpy()).abs().max() <= 1
        assert table[column].sum() == round(impact[column].sum())
    assert table["name"].iloc[0] == "France services Marvejols"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["indispensable_venues"] == int((impact["residents_beyond"] > 0).sum()) == 22
    assert summary["most_indispensable_residents_beyond"] == table["residents_beyond"].iloc[0]


def test_alternatives_csv_and_the_page(lozere):
    communes, venues, model, out = lozere
    areas = read_table(out / "alternatives.csv")
    dep = areas[areas["level"] == "departement"].iloc[0]
    overall = maillage.second_choice(communes, venues, model=model, threshold_min=20, by=None)
    assert dep["share_two_within"] == pytest.approx(overall["share_two_within"].iloc[0], abs=1e-4)
    epci = areas[areas["level"] == "epci"]
    assert epci["population"].sum() == dep["population"]
    assert (epci["population_two_within"] <= epci["population_within_threshold"]).all()
    page = " ".join(re.sub(r"<[^>]+>", " ", (out / "report.html").read_text()).split())
    assert "Résilience du maillage" in page
    assert "88,7 % des habitants ont un lieu à moins de 20 min" in page
    assert "47,0 % en ont au moins deux" in page
    assert "22 lieux sur" in page and "sont indispensables" in page
    assert (out / "closures.png").stat().st_size > 10_000
