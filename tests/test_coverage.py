"""Coverage on hand-checkable synthetic territories, property tests, and bad input."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from maillage import (
    CrowFlyModel,
    InputDataError,
    MaillageWarning,
    OptionError,
    catchments,
    coverage,
    coverage_by_year,
    indicators,
    origins_from_communes,
    white_zones,
)

KM = 1000.0
SIMPLE = CrowFlyModel(circuity=1.0, speed_kph=60.0, access_time_s=0.0)  # 1 km per minute


def lattice_communes(n: int = 3, side_km: float = 10.0) -> gpd.GeoDataFrame:
    """n x n square communes of ``side_km``; code 'RC' (row, col); population 100 * (k + 1)."""
    rows = []
    for r in range(n):
        for c in range(n):
            k = r * n + c
            rows.append(
                {
                    "code_insee": f"{r}{c}",
                    "nom": f"C{r}{c}",
                    "departement": "D1" if c < 2 else "D2",
                    "epci": "E1" if r == 0 else pd.NA,
                    "population": 100 * (k + 1),
                    "geometry": box(
                        c * side_km * KM,
                        r * side_km * KM,
                        (c + 1) * side_km * KM,
                        (r + 1) * side_km * KM,
                    ),
                }
            )
    return gpd.GeoDataFrame(rows, crs=2154).set_index("code_insee")


def centre_grid(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One 200 m cell at each commune's centre holding its whole population."""
    c = communes.geometry.centroid
    return gpd.GeoDataFrame(
        {"population": communes["population"].astype(float).to_numpy()},
        geometry=[box(p.x - 100, p.y - 100, p.x + 100, p.y + 100) for p in c],
        index=pd.Index([f"cell{k}" for k in communes.index], name="cell_id"),
        crs=2154,
    )


def venues_at(coords, supported=None) -> gpd.GeoDataFrame:
    n = len(coords)
    return gpd.GeoDataFrame(
        {
            "venue_id": [f"v{i}" for i in range(n)],
            "name": [f"V{i}" for i in range(n)],
            "supported": pd.array(
                supported if supported is not None else [pd.NA] * n, dtype="boolean"
            ),
        },
        geometry=[Point(x, y) if x is not None else None for x, y in coords],
        crs=2154,
    )


@pytest.fixture
def communes():
    return lattice_communes()


def test_hand_checked_times(communes):
    """Venue at the centre of the middle commune; origins at commune centres."""
    venues = venues_at([(15 * KM, 15 * KM)])
    cov, org = coverage(
        communes, venues, model=SIMPLE, threshold_min=12, grid=centre_grid(communes), detail=True
    )
    t = cov["time_min"]
    assert t["11"] == pytest.approx(0.0)
    for code in ("01", "10", "12", "21"):
        assert t[code] == pytest.approx(10.0)
    for code in ("00", "02", "20", "22"):
        assert t[code] == pytest.approx(np.hypot(10, 10))
    assert cov["covered"].sum() == 5
    assert (cov["nearest_venue"] == "v0").all()
    assert cov.attrs["threshold_min"] == 12
    assert cov.attrs["travel_time_model"] == SIMPLE.describe()
    assert cov.attrs["origins"] == "grid"
    assert len(org) == 9 and org["population"].sum() == communes["population"].sum()
    # input columns kept, input frame untouched
    assert {"nom", "departement", "epci", "population"} <= set(cov.columns)
    assert "time_min" not in communes.columns
    zones = white_zones(cov)
    assert len(zones) == 4 and (zones["communes"] == 1).all()
    assert zones["population"].sum() == 100 + 300 + 700 + 900
    assert zones["population"].tolist() == [900, 700, 300, 100]
    assert white_zones(cov, threshold_min=15).empty


def test_indicators_by_level(communes):
    venues = venues_at([(15 * KM, 15 * KM)])
    cov, org = coverage(
        communes, venues, model=SIMPLE, threshold_min=12, grid=centre_grid(communes), detail=True
    )
    total = communes["population"].sum()  # 4500
    area = indicators(cov).iloc[0]
    assert area["level"] == "area" and area["code"] == "all"
    assert area["communes"] == 9 and area["population"] == total
    covered_pop = 200 + 400 + 500 + 600 + 800
    assert area["share_within_threshold"] == pytest.approx(covered_pop / total)
    assert area["share_10_min"] == pytest.approx(covered_pop / total)
    assert area["share_20_min"] == pytest.approx(1.0)
    assert area["white_zone_communes"] == 4 and area["white_zone_population"] == 2000
    assert area["median_time_min"] == pytest.approx(10.0)
    expected_mean = (covered_pop - 500) * 10 / total + 2000 * np.hypot(10, 10) / total
    assert area["mean_time_min"] == pytest.approx(expected_mean)
    by_dep = indicators(cov, by="departement").set_index("code")
    assert by_dep["population"].sum() == total
    assert by_dep.loc["D2", "communes"] == 3
    by_epci = indicators(cov, by="epci", origins=org).set_index("code")
    assert set(by_epci.index) == {"E1", "(none)"}
    assert by_epci["population_within_threshold"].sum() == pytest.approx(covered_pop)
    assert indicators(cov, threshold_min=20).iloc[0]["white_zone_communes"] == 0
    with pytest.raises(OptionError, match="by must be"):
        indicators(cov, by="region ")


def test_lattice_origins_never_zero(communes):
    """A venue inside a commune does not put the whole commune at zero minutes."""
    venues = venues_at([(15 * KM, 15 * KM)])
    cov = coverage(communes, venues, model=SIMPLE, threshold_min=20)
    assert cov.attrs["origins"] == "lattice"
    assert cov.loc["11", "time_min"] > 1.0  # half the residents live away from the centre
    assert cov.loc["11", "time_min"] < 5.0
    default = coverage(communes, venues, model=CrowFlyModel())
    assert (default["time_min"] >= 2.0).all()  # access time


def test_origins_from_communes_add_up(communes):
    origins = origins_from_communes(communes)
    sums = origins.groupby("code_insee")["population"].sum()
    np.testing.assert_allclose(sums.reindex(communes.index), communes["population"])
    assert (origins.groupby("code_insee").size() >= 5).all()
    assert origins.index.is_unique and origins.index.name == "origin_id"
    assert (
        origins.loc[[f"{c}-0" for c in communes.index], "population"].to_numpy()
        >= 0.5 * communes["population"].to_numpy() - 1e-9
    ).all()
    tiny = gpd.GeoDataFrame(
        {"population": [7]},
        geometry=[box(0, 0, 1, 1)],
        index=pd.Index(["T"], name="code_insee"),
        crs=2154,
    )
    assert origins_from_communes(tiny)["population"].sum() == pytest.approx(7)


def test_catchments(communes):
    venues = venues_at([(5 * KM, 5 * KM), (25 * KM, 25 * KM), (500 * KM, 0)])
    _, org = coverage(communes, venues, model=SIMPLE, threshold_min=12, detail=True)
    catch = catchments(org, venues, communes)
    assert catch.index.tolist() == ["v0", "v1", "v2"]
    assert catch["population_served"].sum() == pytest.approx(communes["population"].sum())
    assert catch.loc["v2", "population_served"] == 0 and catch.loc["v2", "geometry"].is_empty
    # v0 serves the lower-left triangle, v1 the upper-right; the anti-diagonal is split
    assert catch.loc["v0", "geometry"].contains(Point(1 * KM, 1 * KM))
    assert catch.loc["v1", "geometry"].contains(Point(29 * KM, 29 * KM))
    overlap = catch.loc["v0", "geometry"].intersection(catch.loc["v1", "geometry"]).area
    assert overlap < 1e-3 * communes.area.sum()
    assert catch.area.sum() == pytest.approx(communes.area.sum(), rel=1e-6)
    hulls = catchments(org, venues)
    assert hulls.loc["v0", "population_served"] == catch.loc["v0", "population_served"]


def test_venue_outside_communes_counts(communes):
    """A venue just outside the area still serves the border commune."""
    venues = venues_at([(-2 * KM, 5 * KM)])
    cov = coverage(communes, venues, model=SIMPLE, threshold_min=10, grid=centre_grid(communes))
    assert cov.loc["00", "time_min"] == pytest.approx(np.hypot(7, 0))
    assert cov.loc["00", "covered"]


def test_bad_input(communes):
    with pytest.raises(InputDataError, match="venues is empty"):
        coverage(communes, venues_at([]), model=SIMPLE)
    with pytest.raises(InputDataError, match="EPSG:4326"):
        coverage(communes, venues_at([(0, 0)]).set_crs(4326, allow_override=True), model=SIMPLE)
    with pytest.raises(OptionError, match="TravelTimeModel"):
        coverage(communes, venues_at([(0, 0)]), model="crow")
    with pytest.raises(OptionError, match="threshold_min"):
        coverage(communes, venues_at([(0, 0)]), model=SIMPLE, threshold_min=0)
    with pytest.warns(MaillageWarning, match="v1"):
        cov = coverage(communes, venues_at([(0, 0), (None, None)]), model=SIMPLE)
    assert cov.attrs["venues_excluded"] == ["v1"] and cov.attrs["venues"] == 1
    with (
        pytest.warns(MaillageWarning),
        pytest.raises(InputDataError, match="no venue can be placed"),
    ):
        coverage(communes, venues_at([(None, None)]), model=SIMPLE)
    dup = venues_at([(0, 0), (1, 1)]).assign(venue_id=["a", "a"])
    with pytest.raises(InputDataError, match="duplicates"):
        coverage(communes, dup, model=SIMPLE)


# ---- property tests --------------------------------------------------------------------

coords = st.tuples(st.floats(-5_000, 35_000), st.floats(-5_000, 35_000))
PROPS = settings(max_examples=25, deadline=None)
LATTICE = lattice_communes()


@PROPS
@given(st.lists(coords, min_size=1, max_size=5), coords)
def test_adding_a_venue_never_lengthens_any_time(existing, extra):
    model = CrowFlyModel()
    _, before = coverage(LATTICE, venues_at(existing), model=model, detail=True)
    after_c, after = coverage(LATTICE, venues_at([*existing, extra]), model=model, detail=True)
    assert (after["time_min"] <= before["time_min"] + 1e-9).all()
    before_c = coverage(LATTICE, venues_at(existing), model=model)
    assert (after_c["time_min"] <= before_c["time_min"] + 1e-9).all()


@PROPS
@given(st.lists(coords, min_size=1, max_size=4), st.floats(1, 40), st.floats(0, 30))
def test_raising_the_threshold_never_grows_a_white_zone(venue_xy, low, step):
    cov = coverage(LATTICE, venues_at(venue_xy), model=CrowFlyModel(), threshold_min=low)
    small = white_zones(cov, threshold_min=low + step)
    large = white_zones(cov, threshold_min=low)
    assert small["population"].sum() <= large["population"].sum()
    assert small.union_all().difference(large.union_all()).area < 1.0


@PROPS
@given(st.lists(coords, min_size=1, max_size=4), st.floats(1, 60))
def test_shares_in_unit_interval_and_populations_add_up(venue_xy, threshold):
    cov, org = coverage(
        LATTICE, venues_at(venue_xy), model=CrowFlyModel(), threshold_min=threshold, detail=True
    )
    assert cov["share_within_threshold"].between(0, 1).all()
    assert org["population"].sum() == pytest.approx(LATTICE["population"].sum())
    assert (cov["population_within_threshold"] <= cov["population"] + 1e-6).all()
    for by in (None, "departement", "epci"):
        ind = indicators(cov, by=by, origins=org)
        shares = ind[["share_10_min", "share_20_min", "share_30_min", "share_within_threshold"]]
        assert ((shares >= 0) & (shares <= 1 + 1e-12)).all().all()
        assert ind["population"].sum() == LATTICE["population"].sum()
        assert ind["white_zone_population"].sum() == pytest.approx(
            white_zones(cov)["population"].sum()
        )


def test_toy_territory_by_hand(toy):
    """Two 1 km communes 30 km apart, a venue in each: every figure checks by hand."""
    communes, venues = toy
    cov = coverage(communes, venues, model=SIMPLE, threshold_min=5)
    # 1 km per minute, no access time: every resident is within ~0.7 km of the venue
    assert cov["time_min"].max() < 1.0
    assert cov["nearest_venue"].tolist() == ["a", "b"]
    by_year = coverage_by_year(
        communes, venues, model=SIMPLE, years=[2017, 2019, 2020], threshold_min=5
    )
    assert by_year["white_zone_communes"].tolist() == [2, 1, 0]
    assert by_year["white_zone_population"].tolist() == [200.0, 100.0, 0.0]
