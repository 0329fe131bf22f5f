"""Coverage of Nouvelle-Aquitaine by the 2019 tiers-lieux census (real data, CrowFlyModel)."""

from __future__ import annotations

import numpy as np
import pytest

import maillage
from maillage import CrowFlyModel, attribution, coverage, indicators, suggest_sites, white_zones


@pytest.fixture(scope="module")
def na():
    communes = maillage.load_communes(region="75")
    venues = maillage.load_venues("cget-tiers-lieux-2019", region="75")
    cov, org = coverage(communes, venues, model=CrowFlyModel(), detail=True)
    return communes, venues, cov, org


def test_headline_numbers(na):
    _, venues, cov, org = na
    assert len(cov) == 4293
    assert cov["population"].sum() == 6_150_451
    assert org["population"].sum() == pytest.approx(6_150_451)
    assert cov["time_min"].notna().all()
    assert cov.attrs["venues"] == len(venues)
    area = indicators(cov, origins=org).iloc[0]
    # measured with the default CrowFlyModel: 84.8 % within 20 min, median 8.3 min
    assert 0.80 < area["share_within_threshold"] < 0.90
    assert area["share_10_min"] < area["share_20_min"] < area["share_30_min"] <= 1
    assert 5 < area["median_time_min"] < 12
    assert 1000 < area["white_zone_communes"] < 1500
    zones = white_zones(cov)
    assert zones["population"].sum() == pytest.approx(area["white_zone_population"])
    assert zones["communes"].sum() == area["white_zone_communes"]
    deps = indicators(cov, by="departement")
    assert len(deps) == 12 and deps["population"].sum() == 6_150_451
    # the Gironde (Bordeaux metropolis) is the best served département
    assert deps.set_index("code")["share_within_threshold"].idxmax() == "33"


def test_bordeaux_is_covered_and_sites_help(na):
    communes, venues, cov, org = na
    assert cov.loc["33063", "covered"]  # Bordeaux
    assert cov.loc["33063", "time_min"] < 5
    sites = suggest_sites(org, k=3, model=CrowFlyModel(), communes=communes)
    assert len(sites) == 3 and (np.diff(sites["gain_population"]) <= 0).all()
    uncovered = org.loc[~org["covered"], "population"].sum()
    assert sites["cumulative_population"].iloc[-1] <= uncovered
    att = attribution(communes, venues, model=CrowFlyModel())
    contrib = att.attrs["supported_contribution"]
    assert contrib["population_covered_all"] == pytest.approx(
        org.loc[org["covered"], "population"].sum()
    )


def test_oleron_with_the_population_grid(na):
    """Grid origins where the tile has cells, lattice origins elsewhere; totals stay legal."""
    communes, venues, cov, _ = na
    dep17 = communes[communes["departement"] == "17"]
    grid = maillage.load_population_grid()
    with pytest.warns(maillage.MaillageWarning) as record:
        gcov, gorg = coverage(dep17, venues, model=CrowFlyModel(), grid=grid, detail=True)
    messages = " ".join(str(w.message) for w in record)
    assert "nearest commune" in messages
    # the tile covers part of the département: the share it places is said, the rest falls back
    placed = gcov.attrs["grid_coverage"]
    assert f"places {placed['population_share']:.1%} of the population" in messages
    assert 0 < placed["population_share"] < 0.5 and placed["communes_fallback"] > 0
    assert placed["communes"] + placed["communes_fallback"] == len(dep17)
    assert gcov.attrs["origins"] == "grid"
    assert gorg["population"].sum() == pytest.approx(dep17["population"].sum())
    from_cells = gorg.index.str.startswith("CRS3035")
    oleron = gorg.loc[from_cells, "code_insee"].unique()
    assert len(oleron) >= 7  # the island's communes wholly inside the tile
    # Arvert has 16 % of its area in the tile: its cells would hold all its residents
    assert "17021" not in set(oleron) and "17385" in set(oleron)
    # outside the tile, same lattice origins as without grid
    others = gcov.index.difference(oleron)
    np.testing.assert_allclose(gcov.loc[others, "time_min"], cov.loc[others, "time_min"])
