"""Fault corpus (issue 9): communes with a missing or empty geometry, multi-part white zones.

Every analysis and map must go through a commune that has no polygon (None) or an empty
one: it is counted (population, white zone figures) but not placed, and nothing crashes.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

from maillage import CrowFlyModel, MaillageWarning, load_communes
from maillage.analysis.catchments import catchments
from maillage.analysis.coverage import coverage
from maillage.analysis.indicators import indicators
from maillage.analysis.siting import suggest_sites
from maillage.analysis.zones import white_zones
from maillage.maps import explore_coverage, plot_coverage, plot_years
from maillage.prepare.toy import X0, Y0, toy_territory

mpl.use("Agg")

MODEL = CrowFlyModel(circuity=1, speed_kph=60, access_time_s=0)


def _with_unplaced(kind: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The toy territory plus a commune of 50 inhabitants with a None or an empty polygon."""
    communes, venues = toy_territory()
    extra = gpd.GeoDataFrame(
        {
            "nom": ["Nulle-Part"],
            "departement": ["00"],
            "region": ["00"],
            "epci": ["000000001"],
            "population": [50],
        },
        geometry=[None if kind == "none" else Polygon()],
        index=pd.Index(["00003"], name="code_insee"),
        crs=communes.crs,
    )
    return pd.concat([communes, extra]), venues


@pytest.fixture(params=["none", "empty"])
def unplaced(request: pytest.FixtureRequest) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return _with_unplaced(request.param)


def _coverage(communes: gpd.GeoDataFrame, venues: gpd.GeoDataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MaillageWarning)  # "cannot be placed": expected
        return coverage(communes, venues, model=MODEL, threshold_min=20, detail=True)


def test_coverage_counts_the_unplaced_commune(unplaced):
    communes, venues = unplaced
    communes_cov, origins_cov = _coverage(communes, venues)
    assert len(communes_cov) == 3
    assert int(communes_cov["population"].sum()) == 250
    assert not communes_cov.loc["00003", "covered"]  # no place, no time: not covered
    overall = indicators(communes_cov, origins=origins_cov).iloc[0]
    assert overall["population"] == 250
    assert overall["white_zone_population"] == 50


def test_white_zones_skip_the_unplaced_commune(unplaced):
    communes, venues = unplaced
    communes_cov, _ = _coverage(communes, venues[venues["venue_id"] == "a"])
    zones = white_zones(communes_cov)
    # commune 00002 (30 km away) is white and placed; 00003 is white but has no place
    assert zones["communes"].tolist() == [1]
    assert zones["population"].tolist() == [100.0]
    assert zones.attrs["unplaced_communes"] == ["00003"]
    assert zones.geometry.area.sum() == pytest.approx(1_000_000)


def test_white_zones_of_unplaced_communes_only():
    communes, venues = _with_unplaced("none")
    communes_cov, _ = _coverage(communes.loc[["00003"]], venues)
    zones = white_zones(communes_cov)
    assert len(zones) == 0
    assert zones.attrs["unplaced_communes"] == ["00003"]


def test_catchments_and_sites_skip_the_unplaced_commune(unplaced):
    communes, venues = unplaced
    _, origins_cov = _coverage(communes, venues[venues["venue_id"] == "a"])
    areas = catchments(origins_cov, venues, communes)
    assert areas.loc["a", "population_served"] == pytest.approx(200.0)
    assert areas.geometry.is_valid.all()
    for method in ("greedy", "exact"):
        sites = suggest_sites(
            origins_cov, k=2, model=MODEL, threshold_min=20, communes=communes, method=method
        )
        assert "00003" not in set(sites["candidate_id"])
        assert sites["candidate_id"].tolist() == ["00002"]


def test_maps_draw_around_the_unplaced_commune(unplaced):
    communes, venues = unplaced
    communes_cov, origins_cov = _coverage(communes, venues[venues["venue_id"] == "a"])
    zones = white_zones(communes_cov)
    ax = plot_coverage(communes_cov, venues, white_zones=zones)
    assert ax.get_title()
    mpl.pyplot.close(ax.figure)
    html = (
        explore_coverage(
            communes_cov,
            venues,
            white_zones=zones,
            catchments=catchments(origins_cov, venues, communes),
        )
        .get_root()
        .render()
    )
    assert "Amont" in html and "Aval" in html


def test_grid_origins_skip_the_unplaced_commune(unplaced):
    communes, venues = unplaced
    grid = gpd.GeoDataFrame(
        {"population": [60.0, 40.0, 100.0]},
        geometry=[
            box(X0, Y0, X0 + 200, Y0 + 200),
            box(X0 + 400, Y0 + 400, X0 + 600, Y0 + 600),
            box(X0 + 30_000, Y0, X0 + 30_200, Y0 + 200),
        ],
        index=pd.Index(["a", "b", "c"], name="cell_id"),
        crs=2154,
    )
    with pytest.warns(MaillageWarning) as caught:  # the grid misses 00003, which has no place
        cov = coverage(communes, venues, model=MODEL, threshold_min=20, grid=grid)
    assert any("places 80.0% of the population" in str(w.message) for w in caught)
    assert cov["covered"].tolist() == [True, True, False]
    assert int(cov["population"].sum()) == 250


def test_small_multiples_draw_around_the_unplaced_commune(unplaced):
    communes, venues = unplaced
    communes_cov, _ = _coverage(communes, venues)
    axes = plot_years({2020: communes_cov, 2021: communes_cov}, ncols=2)
    assert [a.get_title() for a in axes] == ["2020", "2021"]
    mpl.pyplot.close(axes[0].figure)


def test_white_zone_keeps_every_part_of_a_commune():
    """The minimal case of issue 9: an island part of a white commune stays in its zone."""
    island = shapely.union_all([box(0, 0, 1000, 1000), box(5000, 0, 5500, 500)])
    cov = gpd.GeoDataFrame(
        {"population": [10, 20], "time_min": [30.0, 5.0]},
        geometry=[island, box(20_000, 0, 21_000, 1000)],
        index=pd.Index(["00001", "00002"], name="code_insee"),
        crs=2154,
    )
    zones = white_zones(cov, threshold_min=20)
    assert len(zones) == 1
    assert zones["communes"].tolist() == [1]
    assert zones.geometry.area.sum() == pytest.approx(1_250_000)
    assert zones.geometry.iloc[0].geom_type == "MultiPolygon"


def test_white_zone_links_zones_through_a_commune():
    """Two white blocks joined only by a commune's two parts form one zone."""
    cov = gpd.GeoDataFrame(
        {"population": [10, 20, 30], "time_min": [30.0, 30.0, 30.0]},
        geometry=[
            box(0, 0, 1000, 1000),
            shapely.union_all([box(1000, 0, 2000, 1000), box(9000, 0, 10_000, 1000)]),
            box(10_000, 0, 11_000, 1000),
        ],
        index=pd.Index(["a", "b", "c"], name="code_insee"),
        crs=2154,
    )
    zones = white_zones(cov, threshold_min=20)
    assert zones["communes"].tolist() == [3]
    assert zones["population"].tolist() == [60.0]
    assert zones.geometry.area.sum() == pytest.approx(4_000_000)


def test_white_zones_without_commune_index():
    cov = gpd.GeoDataFrame(
        {"population": [10], "time_min": [30.0]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)], crs=2154
    )
    assert white_zones(cov, threshold_min=20)["communes"].tolist() == [1]


@pytest.fixture(scope="module")
def finistere() -> gpd.GeoDataFrame:
    return load_communes(departements="29")


def test_white_zones_of_finistere_keep_every_islet(finistere):
    """All of Finistère white: the zones cover exactly the communes, islands included."""
    cov = finistere.assign(time_min=99.0)
    zones = white_zones(cov, threshold_min=20)
    assert zones["communes"].sum() == len(finistere)
    assert zones["population"].sum() == pytest.approx(finistere["population"].sum())
    assert zones.geometry.area.sum() == pytest.approx(finistere.geometry.area.sum(), rel=1e-4)
    covered = zones.geometry.union_all()
    for code in ("29083", "29084", "29155", "29082"):  # Sein, Molène, Ouessant, Batz
        island = finistere.geometry.loc[code]
        assert covered.intersection(island).area == pytest.approx(island.area, rel=1e-4)
    # every islet over 1 ha of every white commune is drawn
    parts = shapely.get_parts(finistere.geometry.to_numpy())
    parts = parts[shapely.area(parts) > 10_000]
    inside = shapely.area(shapely.intersection(parts, covered)) / shapely.area(parts)
    assert inside.min() > 0.999


def test_white_zones_of_finistere_with_real_times(finistere):
    """Only some communes white: white area = the area of the white communes."""
    cov = finistere.assign(time_min=[30.0 if i % 3 else 5.0 for i in range(len(finistere))])
    cov.loc[["29083", "29084"], "time_min"] = 45.0  # Sein and Molène, far from any venue
    zones = white_zones(cov, threshold_min=20)
    white = cov[cov["time_min"] > 20]
    assert zones["communes"].sum() == len(white)
    assert zones.geometry.area.sum() == pytest.approx(white.geometry.area.sum(), rel=1e-4)
    covered = zones.geometry.union_all()
    for code in ("29083", "29084"):
        island = finistere.geometry.loc[code]
        assert covered.intersection(island).area == pytest.approx(island.area, rel=1e-4)
