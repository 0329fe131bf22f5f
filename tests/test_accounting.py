"""Public accessors of what a result says about itself (census counts, support, credits)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import maillage
from maillage import InputDataError

OWN_FILE = Path(__file__).resolve().parent.parent / "notebooks" / "data" / "mes-lieux-belfort.csv"


def test_census_counts_of_an_analysts_file():
    venues, rejected = maillage.load_venues(OWN_FILE, departements=["90"], errors="report")
    counts = maillage.census_counts(venues)
    assert counts["input"] == 9 == len(venues) + len(rejected)
    assert counts["in_area"] + counts["near_area"] + counts["elsewhere"] == len(venues) == 6
    assert counts["rejected"] == len(rejected) == 3
    assert sum(counts["rejected_by_reason"].values()) == 3
    assert counts["row_ids"] is True and counts["by_commune"] == 1 and counts["duplicates"] == 1
    counts["input"] = 0  # a copy: the frame keeps its own
    assert maillage.census_counts(venues)["input"] == 9
    credits = maillage.data_credits(venues, None)
    assert credits[0] == "mes-lieux-belfort.csv"
    assert any("COG 2026" in line for line in credits)


def test_supported_contribution_and_refusals(toy):
    communes, venues = toy
    venues = venues.assign(supported=pd.array([True, False], dtype="boolean"))
    model = maillage.CrowFlyModel(circuity=1, speed_kph=60)
    table = maillage.attribution(communes, venues, model=model, threshold_min=20)
    thanks = maillage.supported_contribution(table)
    assert thanks["supported_venues"] == 1
    assert thanks["population_thanks_to_supported"] == pytest.approx(
        thanks["population_covered_all"] - thanks["population_covered_without_supported"]
    )
    with pytest.raises(InputDataError, match=r"maillage\.load_venues"):
        maillage.census_counts(venues)
    with pytest.raises(InputDataError, match=r"maillage\.attribution"):
        maillage.supported_contribution(communes)
