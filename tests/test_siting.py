"""Siting: greedy maximal covering vs the exact integer programme."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from maillage import CrowFlyModel, OptionError, coverage, suggest_sites

KM = 1000.0
MODEL = CrowFlyModel(circuity=1.0, speed_kph=60.0, access_time_s=0.0)  # 1 km per minute


def line_origins(threshold: float = 11.0) -> gpd.GeoDataFrame:
    """Uncovered residents at x = -10, 0, 20, 30 km with 6, 10, 10, 6 inhabitants."""
    out = gpd.GeoDataFrame(
        {
            "code_insee": ["w", "x", "y", "z"],
            "population": [6.0, 10.0, 10.0, 6.0],
            "time_min": [99.0, 99.0, 99.0, 99.0],
        },
        geometry=[Point(x * KM, 0) for x in (-10, 0, 20, 30)],
        index=pd.Index(["o1", "o2", "o3", "o4"], name="origin_id"),
        crs=2154,
    )
    out.attrs["threshold_min"] = threshold
    return out


# A at -5 km covers {-10, 0} (16); B at 25 covers {20, 30} (16); C at 10 covers {0, 20} (20).
CANDIDATES = gpd.GeoSeries(
    [Point(-5 * KM, 0), Point(25 * KM, 0), Point(10 * KM, 0)], index=["A", "B", "C"], crs=2154
)


def test_greedy_is_suboptimal_where_expected():
    greedy = suggest_sites(line_origins(), CANDIDATES, k=2, model=MODEL)
    assert greedy["candidate_id"].tolist() == ["C", "A"]
    assert greedy["gain_population"].tolist() == [20.0, 6.0]
    assert greedy["cumulative_population"].tolist() == [20.0, 26.0]
    assert greedy["share_within_threshold_after"].iloc[-1] == pytest.approx(26 / 32)
    exact = suggest_sites(line_origins(), CANDIDATES, k=2, model=MODEL, method="exact")
    assert sorted(exact["candidate_id"]) == ["A", "B"]
    assert exact["cumulative_population"].iloc[-1] == 32.0
    assert exact["rank"].tolist() == [1, 2]
    assert exact.attrs["method"] == "exact"


def test_stops_when_nothing_left_to_gain():
    sites = suggest_sites(line_origins(), CANDIDATES, k=3, model=MODEL)
    assert len(sites) == 3
    sites = suggest_sites(line_origins(), CANDIDATES.iloc[:1], k=3, model=MODEL)
    assert sites["candidate_id"].tolist() == ["A"]


def test_default_candidates_are_commune_centres():
    communes = gpd.GeoDataFrame(
        {"nom": ["Ouest", "Est"], "population": [100, 50]},
        geometry=[box(0, 0, 2 * KM, 2 * KM), box(60 * KM, 0, 62 * KM, 2 * KM)],
        index=pd.Index(["01001", "01002"], name="code_insee"),
        crs=2154,
    )
    venues = gpd.GeoDataFrame({"venue_id": ["v"]}, geometry=[Point(KM, KM)], crs=2154)
    _, org = coverage(communes, venues, model=MODEL, threshold_min=10, detail=True)
    sites = suggest_sites(org, k=2, model=MODEL, communes=communes)
    assert sites["code_insee"].tolist() == ["01002"]
    assert sites["nom"].tolist() == ["Est"]
    assert sites["gain_population"].iloc[0] == pytest.approx(50)
    assert sites["share_within_threshold_after"].iloc[0] == pytest.approx(1.0)
    assert communes.contains(sites.geometry.iloc[0]).any()
    with pytest.raises(OptionError, match="candidates"):
        suggest_sites(org, k=1, model=MODEL)
    with pytest.raises(OptionError, match="method"):
        suggest_sites(org, k=1, model=MODEL, communes=communes, method="fast")
