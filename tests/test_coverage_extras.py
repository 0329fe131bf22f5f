"""Attribution, coverage by year and isochrones on hand-checkable territories."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from maillage import (
    CrowFlyModel,
    InputDataError,
    OptionError,
    attribution,
    coverage,
    coverage_by_year,
    isochrones,
)

KM = 1000.0
SIMPLE = CrowFlyModel(circuity=1.0, speed_kph=60.0, access_time_s=0.0)


def strip_communes() -> gpd.GeoDataFrame:
    """Five 2 km communes along a line every 20 km: centres at x = 0, 20, 40, 60, 80 km."""
    return gpd.GeoDataFrame(
        {"population": [100, 200, 300, 400, 500]},
        geometry=[box((20 * i - 1) * KM, -KM, (20 * i + 1) * KM, KM) for i in range(5)],
        index=pd.Index([f"c{i}" for i in range(5)], name="code_insee"),
        crs=2154,
    )


def centre_grid(communes):
    c = communes.geometry.centroid
    return gpd.GeoDataFrame(
        {"population": communes["population"].astype(float).to_numpy()},
        geometry=[box(p.x - 100, p.y - 100, p.x + 100, p.y + 100) for p in c],
        index=pd.Index([f"g{k}" for k in communes.index], name="cell_id"),
        crs=2154,
    )


def venues(rows) -> gpd.GeoDataFrame:
    """rows: (id, x_km, supported, opened, closed)."""
    return gpd.GeoDataFrame(
        {
            "venue_id": [r[0] for r in rows],
            "supported": pd.array([r[2] for r in rows], dtype="boolean"),
            "opened": pd.array([r[3] for r in rows], dtype="Int64"),
            "closed": pd.array([r[4] for r in rows], dtype="Int64"),
        },
        geometry=[Point(r[1] * KM, 0) for r in rows],
        crs=2154,
    )


CENSUS = venues(
    [
        ("a", 0, True, 2015, None),  # covers c0 alone (c1 is 20 km away)
        ("b", 30, False, 2018, 2021),  # 10 km from c1 and c2: covers both
        ("c", 40, True, None, None),  # covers c2 only (c1, c3 at 20 km)
    ]
)


def test_attribution_hand_checked():
    communes = strip_communes()
    att = attribution(communes, CENSUS, model=SIMPLE, threshold_min=15, grid=centre_grid(communes))
    assert att.loc["a", "population_covered"] == 100
    assert att.loc["b", "population_covered"] == 200 + 300
    assert att.loc["c", "population_covered"] == 300
    assert att.loc["a", "population_only_this"] == 100
    assert att.loc["b", "population_only_this"] == 200  # c2 is also served by c
    assert att.loc["c", "population_only_this"] == 0
    assert att["supported"].tolist() == [True, False, True]
    contrib = att.attrs["supported_contribution"]
    assert contrib["population_covered_all"] == 600
    assert contrib["population_covered_without_supported"] == 500
    assert contrib["population_thanks_to_supported"] == 100
    assert att.attrs["travel_time_model"]["model"] == "CrowFlyModel"
    # consistent with coverage: covered population with all venues
    cov = coverage(communes, CENSUS, model=SIMPLE, threshold_min=15, grid=centre_grid(communes))
    assert cov["population_within_threshold"].sum() == contrib["population_covered_all"]


def test_coverage_by_year_from_opening_years():
    communes = strip_communes()
    by_year = coverage_by_year(
        communes,
        CENSUS,
        model=SIMPLE,
        years=[2014, 2016, 2019, 2021],
        threshold_min=15,
        grid=centre_grid(communes),
    )
    assert by_year.index.tolist() == [2014, 2016, 2019, 2021]
    assert by_year["venues"].tolist() == [1, 2, 3, 2]  # c (no year) always open; b closed 2021
    assert by_year["population_within_threshold"].tolist() == [300, 400, 600, 400]
    assert by_year["white_zone_communes"].tolist() == [4, 3, 2, 3]
    assert by_year["white_zone_population"].tolist() == [1200, 1100, 900, 1100]
    assert (by_year["population"] == 1500).all()
    assert by_year.attrs["threshold_min"] == 15


def test_coverage_by_year_from_several_censuses():
    communes = strip_communes()
    censuses = {2019: CENSUS, 2024: CENSUS.iloc[:1], 2010: CENSUS.iloc[:0]}
    by_year = coverage_by_year(
        communes, censuses, model=SIMPLE, threshold_min=15, grid=centre_grid(communes)
    )
    assert by_year.index.tolist() == [2010, 2019, 2024]
    assert by_year["venues"].tolist() == [0, 3, 1]
    assert by_year.loc[2010, "white_zone_communes"] == 5
    assert np.isnan(by_year.loc[2010, "median_time_min"]) or np.isinf(
        by_year.loc[2010, "median_time_min"]
    )
    with pytest.raises(OptionError, match="no census"):
        coverage_by_year(communes, censuses, model=SIMPLE, years=[2020])
    with pytest.raises(OptionError, match="years is required"):
        coverage_by_year(communes, CENSUS, model=SIMPLE)
    with pytest.raises(InputDataError, match="empty"):
        coverage_by_year(communes, CENSUS.iloc[:0], model=SIMPLE, years=[2020])


def test_isochrones_are_discs_under_crow_fly():
    v = venues([("a", 0, True, None, None), ("b", 100, False, None, None)])
    iso = isochrones(v, model=SIMPLE, minutes=(10, 20), spacing_m=500)
    assert len(iso) == 4
    assert iso.attrs["travel_time_model"] == SIMPLE.describe()
    area = iso.set_index(["venue_id", "minutes"]).area
    for venue in ("a", "b"):
        assert area[(venue, 10.0)] == pytest.approx(np.pi * 10_000**2, rel=0.06)
        assert area[(venue, 20.0)] == pytest.approx(np.pi * 20_000**2, rel=0.06)
    a20 = iso[(iso.venue_id == "a") & (iso.minutes == 20)].geometry.iloc[0]
    assert a20.contains(Point(0, 0)) and not a20.contains(Point(25 * KM, 0))
    with pytest.raises(OptionError, match="minutes"):
        isochrones(v, model=SIMPLE, minutes=(0,))
