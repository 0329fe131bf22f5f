"""The commute section never ranks a venue on the mass of a city counted whole.

Île-de-France 2014 flows count Paris as one commune (no arrondissement): the scenario says
so on the page and leaves out of « les lieux qui font gagner le plus de temps » every venue
some of whose commuters come from Paris.
"""

from __future__ import annotations

import re

import pytest

import maillage
from maillage.report.sections.base import PageContext
from maillage.report.sections.commutes import build_commutes


@pytest.fixture(scope="module")
def paris_and_92():
    communes = maillage.load_communes(departements=["75", "92"])
    venues = maillage.load_venues("cget-tiers-lieux-2019", departements=["75", "92"])
    commutes = maillage.load_commutes(
        "mobpro-idf-2014-modes", departements=["75", "92"], occupations=True
    )
    model = maillage.default_model(communes)
    section = build_commutes(communes, venues, commutes, model=model, k_sites=1)
    return section


def test_no_venue_is_ranked_on_paris_as_one_commune(paris_and_92):
    section = paris_and_92
    part = section.scenario
    assert part is not None and part.city_caveat  # Paris counted whole: said
    venues = part.venues
    from_paris = venues[~venues["rankable"].astype(bool) & (venues["scenario_hours_per_year"] > 0)]
    assert len(from_paris) > 0  # the case the rule is for
    html = section.html(PageContext(report=None))  # type: ignore[arg-type]
    ranked = html.split("Les lieux qui font gagner le plus de temps")[1].split("</table>")[0]
    names = set(re.findall(r"<td>([^<]+)</td>", ranked))
    for name in from_paris["name"].dropna():
        assert name not in names
    assert "non classé(s)" in ranked
    assert "Potentiel brut et scénario" in html
