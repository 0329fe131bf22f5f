"""The what-if state updated one venue at a time equals a full coverage() of the same venues.

On the toy territory, on Corrèze (the CGET 2019 census) with the default model, and on road
graphs: Saint-Barthélemy's (catalogue extract, the hand-made communes of
tests/test_coverage_network.py) and a synthetic road grid
over Lot-et-Garonne. Each add, close and move is compared with coverage() computed from
scratch on the venues then open: origin times, commune figures and the headline.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
from road_grid import grid_network
from shapely.geometry import Point
from test_coverage_network import island, net  # noqa: F401 - Saint-Barthélemy's fixtures

import maillage
from maillage import CrowFlyModel, MaillageWarning, coverage
from maillage.errors import InputDataError
from maillage.maps.whatif.state import WhatIfState


def open_venues(state: WhatIfState) -> gpd.GeoDataFrame:
    venues = [v for _, v in state.open_venues()]
    return gpd.GeoDataFrame(
        {"venue_id": [v.venue_id for v in venues]},
        geometry=gpd.points_from_xy([v.x for v in venues], [v.y for v in venues]),
        crs=state.crs,
    )


def assert_matches_full(state: WhatIfState) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MaillageWarning)
        full, origins = coverage(
            state.communes,
            open_venues(state),
            model=state.model,
            threshold_min=state.threshold_min,
            detail=True,
        )
    mine = state.origin_frame()
    np.testing.assert_allclose(
        mine["time_min"].to_numpy(), origins["time_min"].to_numpy(), rtol=1e-9, atol=1e-9
    )
    fast = state.commune_figures()  # what the map draws
    assert fast["covered"].tolist() == full["covered"].tolist()
    np.testing.assert_allclose(fast["time_min"], full["time_min"], rtol=1e-12)
    np.testing.assert_allclose(
        fast["population_within_threshold"], full["population_within_threshold"], rtol=1e-12
    )
    ours = state.communes_frame()
    assert ours["covered"].tolist() == full["covered"].tolist()
    np.testing.assert_allclose(ours["time_min"], full["time_min"], rtol=1e-9)
    np.testing.assert_allclose(
        ours["population_within_threshold"], full["population_within_threshold"], rtol=1e-9
    )
    head = state.headline()
    share = full["population_within_threshold"].sum() / full["population"].sum()
    assert head["share_within_threshold"] == pytest.approx(share, rel=1e-12)
    assert head["residents_beyond"] == pytest.approx(
        full["population"].sum() - full["population_within_threshold"].sum(), abs=1e-6
    )
    white = ~full["covered"].to_numpy(dtype=bool)
    assert head["white_zone_population"] == pytest.approx(full["population"][white].sum())


def second_choice_by_brute_force(state: WhatIfState) -> float:
    """Residents with a second venue within the threshold: each open venue searched alone."""
    times = []
    for _, venue in state.open_venues():
        one = gpd.GeoSeries([Point(venue.x, venue.y)], index=[venue.venue_id], crs=state.crs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MaillageWarning)
            near = state.model.nearest(state.origins.geometry, one)
        times.append(near["travel_time_s"].to_numpy(dtype=float))
    second = np.sort(np.vstack(times), axis=0)[1] / 60.0
    return float(state.population[second <= state.threshold_min].sum())


def exercise(state: WhatIfState, add_at: Point, move_to: Point) -> None:
    """Add, close, move, undo, reset: each time equal to the full computation."""
    assert_matches_full(state)
    added = state.add(add_at, name="Tiers-lieu hypothétique")
    assert_matches_full(state)
    first = state.open_venues()[0][1].venue_id
    state.close(first)
    assert_matches_full(state)
    assert first not in open_venues(state)["venue_id"].tolist()
    state.move(added, move_to)
    assert_matches_full(state)
    assert state.headline()["residents_second_choice"] == pytest.approx(
        second_choice_by_brute_force(state)
    )
    assert state.undo()
    assert_matches_full(state)
    state.reset()
    assert not state.history
    assert_matches_full(state)


def test_toy_add_close_move(toy):
    communes, venues = toy
    model = CrowFlyModel(circuity=1, speed_kph=60)
    state = WhatIfState(communes, venues.iloc[:1], model=model, threshold_min=20)
    assert state.headline()["share_within_threshold"] == 0.5
    vid = state.add(venues.geometry.iloc[1], name="B bis")
    assert state.headline()["share_within_threshold"] == 1.0
    assert state.headline()["residents_second_choice"] == 0.0
    state.close("a")
    assert state.headline()["share_within_threshold"] == 0.5
    state.move(vid, venues.geometry.iloc[0])
    assert_matches_full(state)
    with pytest.raises(InputDataError, match="last open venue"):
        state.close(vid)
    with pytest.raises(InputDataError, match="no open venue"):
        state.close("a")


def test_threshold_beyond_horizon_is_refused(toy):
    communes, venues = toy
    state = WhatIfState(communes, venues, model=CrowFlyModel(), threshold_min=20)
    state.set_threshold(35)
    assert_matches_full(state)
    with pytest.raises(InputDataError, match="horizon_min"):
        state.set_threshold(state.horizon_min + 1)


@pytest.fixture(scope="module")
def correze():
    communes = maillage.load_communes(departements=["19"])
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", departements=["19"], errors="report")
    return communes, venues


def test_departement_default_model(correze):
    communes, venues = correze
    state = WhatIfState(communes, venues, model=maillage.default_model(communes), threshold_min=20)
    ussel = communes.loc["19275"].geometry.representative_point()  # Haute-Corrèze
    exercise(state, ussel, Point(ussel.x + 15_000, ussel.y - 8_000))
    state.set_threshold(30)
    assert_matches_full(state)


def test_road_graph_saint_barthelemy(request):
    roads = request.getfixturevalue("net")
    communes, venues = request.getfixturevalue("island")  # four boxes, two venues on roads
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MaillageWarning)  # origins over the sea
        state = WhatIfState(communes, venues, model=roads, threshold_min=4, horizon_min=8)
    xy = roads.graph.xy
    exercise(state, Point(xy[len(xy) // 4]), Point(xy[(3 * len(xy)) // 4]))
    assert 0 < state.headline()["share_within_threshold"] < 1


def test_road_graph_departement():
    communes = maillage.load_communes(departements=["47"])
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", departements=["47"], errors="report")
    x0, y0, x1, y1 = communes.total_bounds
    grid = grid_network((x0 - 2000, y0 - 2000, x1 + 2000, y1 + 2000), 1500.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MaillageWarning)  # a venue off the grid's roads
        state = WhatIfState(communes, venues, model=grid, threshold_min=20, horizon_min=40)
    assert len(state.venues) >= len(venues) - 2
    agen = communes.loc["47001"].geometry.representative_point()
    exercise(state, Point(agen.x - 30_000, agen.y + 20_000), Point(agen.x + 25_000, agen.y))


def test_origins_beyond_the_horizon(toy):
    """Origins no venue reaches within the horizon keep exact times through every change."""
    communes, venues = toy  # two communes 30 km apart, venue "a" in the first
    state = WhatIfState(
        communes, venues.iloc[:1], model=CrowFlyModel(), threshold_min=10, horizon_min=12
    )
    assert (state.t1 > 12 * 60).sum() > 0  # the second commune is beyond the horizon
    assert_matches_full(state)
    b = venues.geometry.iloc[1]
    state.add(Point(b.x + 20_000, b.y), name="à 20 km de B")  # nearer B, still beyond 12 min
    assert ((state.t1 > 12 * 60) & (state.v1 == 1)).any()  # found beyond the horizon
    assert_matches_full(state)
    state.close("a")  # the first commune's origins now beyond the horizon too
    assert_matches_full(state)
    state.undo()
    state.undo()
    assert_matches_full(state)
