"""Maps: static choropleth colours on Agg, folium layers, evolution charts (hand-made frames)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from shapely.geometry import Point, box

from maillage.errors import ColumnError, InputDataError, OptionError
from maillage.maps import (
    LAYER_NAMES,
    class_colours,
    classify_times,
    explore_coverage,
    plot_coverage,
    plot_share_by_year,
    plot_years,
)

X0, Y0 = 400_000, 6_500_000
SIDE = 10_000


@pytest.fixture
def communes_cov() -> gpd.GeoDataFrame:
    """Four 10 km squares in Lambert-93, one per access-time class, plus one unreachable."""
    times = [5.0, 15.0, 25.0, 45.0, np.nan]
    frame = gpd.GeoDataFrame(
        {
            "nom": ["Aa", "Bb", "Cc", "Dd", "Ee"],
            "departement": ["17", "17", "79", "79", "79"],
            "population": [1000, 2000, 500, 300, 10],
            "time_min": times,
            "nearest_venue": ["v1", "v1", "v2", "v2", pd.NA],
            "covered": [True, True, False, False, False],
        },
        geometry=[box(X0 + i * SIDE, Y0, X0 + (i + 1) * SIDE, Y0 + SIDE) for i in range(5)],
        index=pd.Index(["17001", "17002", "79001", "79002", "79003"], name="code_insee"),
        crs="EPSG:2154",
    )
    frame.attrs["threshold_min"] = 20.0
    frame.attrs["data_credits"] = ["INSEE, populations légales"]
    return frame


@pytest.fixture
def venues() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "venue_id": ["v1", "v2", "v3"],
            "name": ["Le Lieu", "La Fabrique", "L'Atelier"],
            "kind": ["coworking", "fablab", "coworking"],
            "opened": pd.array([2015, pd.NA, 2020], dtype="Int64"),
            "supported": pd.array([True, False, pd.NA], dtype="boolean"),
        },
        geometry=[
            Point(X0 + 5000, Y0 + 5000),
            Point(X0 + 25000, Y0 + 5000),
            Point(X0 + 1000, Y0 + 9000),
        ],
        crs="EPSG:2154",
    )


def _render(ax) -> np.ndarray:
    canvas = ax.figure.canvas
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[:, :, :3]


def _has_colour(pixels: np.ndarray, colour: str, tol: int = 2) -> bool:
    target = np.array([round(c * 255) for c in to_rgb(colour)])
    return bool((np.abs(pixels.astype(int) - target).max(axis=2) <= tol).any())


def js(text: str) -> str:
    """A string as folium writes it into the page's script."""
    return json.dumps(text).replace("'", "\\u0027")


def _new_ax():
    fig = Figure(figsize=(6, 6))
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def test_default_classes_cover_the_four_ranges():
    classes = classify_times(pd.Series([0.0, 10.0, 10.1, 20.0, 29.9, 30.0, 300.0, np.inf, np.nan]))
    assert classes.codes.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, -1]
    assert classes.labels == ("0 – 10 min", "10 – 20 min", "20 – 30 min", "30 min et plus")
    assert len(set(classes.colours)) == 4


def test_mapclassify_scheme_and_bad_scheme():
    times = pd.Series(np.arange(100, dtype=float))
    classes = classify_times(times, scheme="quantiles", k=4)
    assert sorted(set(classes.codes)) == [0, 1, 2, 3]
    assert all(label.endswith("min") for label in classes.labels)
    with pytest.raises(OptionError, match="scheme"):
        classify_times(times, scheme="no_such_scheme")
    with pytest.raises(OptionError, match="increasing"):
        classify_times(times, bins=[20, 10])


def test_static_map_draws_every_class_colour(communes_cov, venues):
    ax = plot_coverage(communes_cov, venues, ax=_new_ax())
    pixels = _render(ax)
    for colour in class_colours(4):
        assert _has_colour(pixels, colour), colour
    assert _has_colour(pixels, "#bdbdbd")  # unreachable commune in grey
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "0 – 10 min" in texts and "30 min et plus" in texts
    assert any("Zone blanche" in t for t in texts)
    assert "Lieu : coworking" in texts and "Lieu : fablab" in texts
    assert ax.get_legend().get_title().get_text().endswith("(min)")
    assert "20 min" in ax.get_title()
    assert any("INSEE, populations légales" in t.get_text() for t in ax.texts)


def test_static_map_marks_supported_venues_and_white_zones(communes_cov, venues):
    ax = plot_coverage(communes_cov, venues, ax=_new_ax())
    faces = {
        tuple(np.round(c.get_facecolor()[0][:3], 3))
        for c in ax.collections
        if c.get_offsets().size and len(c.get_offsets()) <= 2 and c.get_facecolor().size
    }
    assert tuple(np.round(to_rgb("#08306b"), 3)) in faces  # supported: filled
    assert (1.0, 1.0, 1.0) in faces  # not supported or unknown: hollow
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert hatched, "white zones are hatched"


def test_static_map_does_not_touch_inputs(communes_cov, venues):
    before = communes_cov.copy()
    plot_coverage(communes_cov, venues, ax=_new_ax(), scheme="equal_interval", k=3)
    pd.testing.assert_frame_equal(communes_cov, before)


def test_static_map_rejects_bad_frames(communes_cov):
    with pytest.raises(ColumnError, match="time_min"):
        plot_coverage(communes_cov.drop(columns="time_min"), ax=_new_ax())
    with pytest.raises(InputDataError, match="to_crs"):
        plot_coverage(communes_cov.to_crs(4326), ax=_new_ax())


def test_interactive_map_layers_tooltips_popups(communes_cov, venues):
    catch = gpd.GeoDataFrame(
        {"population_served": [3000.0, 800.0]},
        geometry=[
            communes_cov.geometry.iloc[:2].union_all(),
            communes_cov.geometry.iloc[2:4].union_all(),
        ],
        index=pd.Index(["v1", "v2"], name="venue_id"),
        crs="EPSG:2154",
    )
    m = explore_coverage(communes_cov, venues, catchments=catch)
    html = m.get_root().render()
    for name in (LAYER_NAMES["times"], LAYER_NAMES["white_zones"], LAYER_NAMES["catchments"]):
        assert js(name) in html
    assert js("Lieux : coworking") in html and js("Lieux : fablab") in html
    assert "L.control.layers" in html
    for alias in ("Commune", "Population", "Lieu le plus proche", "Soutien public", "Ouverture"):
        assert js(alias) in html
    assert "Le Lieu" in html  # nearest venue by name
    assert "INSEE, populations légales" in html  # credits in the map
    assert communes_cov.crs.to_epsg() == 2154  # input not reprojected


def test_interactive_map_is_in_wgs84(communes_cov):
    m = explore_coverage(communes_cov, simplify_m=0)
    (south, west), (north, east) = m.get_bounds()
    assert 40 < south < north < 52 and -6 < west < east < 10


def test_share_by_year_chart():
    by_year = pd.DataFrame(
        {"venues": [3, 5, 8], "share_within_threshold": [0.4, 0.55, 0.7]},
        index=pd.Index([2020, 2021, 2022], name="year"),
    )
    ax = plot_share_by_year(by_year, threshold_min=30, ax=_new_ax())
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([40, 55, 70])
    assert ax.get_ylabel() == "Population à 30 min ou moins (%)"
    assert [t.get_text() for t in ax.texts] == ["3 lieux", "5 lieux", "8 lieux"]


def test_small_multiples_one_panel_per_year(communes_cov, venues):
    fig = Figure(figsize=(8, 4))
    FigureCanvasAgg(fig)
    axes = plot_years(
        {2021: communes_cov, 2020: communes_cov}, {2020: venues.iloc[:1]}, fig=fig, ncols=2
    )
    assert [a.get_title() for a in axes] == ["2020", "2021"]
    assert axes[0].get_legend() is None and axes[1].get_legend() is not None
    with pytest.raises(InputDataError):
        plot_years({})


def test_interactive_map_without_white_zones(communes_cov):
    everyone = communes_cov.assign(covered=True, time_min=5.0)
    html = explore_coverage(everyone).get_root().render()
    assert js(LAYER_NAMES["white_zones"]) in html
