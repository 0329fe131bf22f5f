"""Maps: static choropleth colours on Agg, folium layers, evolution charts (hand-made frames)."""

from __future__ import annotations

import io
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from shapely.geometry import Point, Polygon, box

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
from maillage.maps._layers import encode_geometry
from maillage.maps._style import NO_DATA_COLOUR, format_minutes
from maillage.maps.interactive import TILE_NOTICE, simplify_coverage

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
    escapes = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}
    return "".join(escapes.get(c, c) for c in json.dumps(text))


def legend_of(page: str) -> str:
    """The HTML of the legend control of a rendered interactive map."""
    return json.loads(re.search(r'box.innerHTML = (".*?");\n', page).group(1))


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
    assert "INSEE, populations légales" in legend_of(html)  # credits in the map
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
    assert ax.get_ylabel() == "Population à 30 min ou moins en voiture (%)"
    assert [t.get_text() for t in ax.texts] == ["3 lieux", "5 lieux", "8 lieux"]


def test_small_multiples_one_panel_per_year(communes_cov, venues):
    fig = Figure(figsize=(8, 4))
    FigureCanvasAgg(fig)
    axes = plot_years(
        {2021: communes_cov, 2020: communes_cov}, {2020: venues.iloc[:1]}, fig=fig, ncols=2
    )
    assert [a.get_title() for a in axes] == ["2020", "2021"]
    assert axes[0].get_xlim() == axes[1].get_xlim(), "one scale for every year"
    assert axes[0].get_legend() is None and axes[1].get_legend() is not None
    with pytest.raises(InputDataError):
        plot_years({})


def test_small_multiples_share_one_legend_and_one_credits_line(communes_cov, venues):
    fig = Figure(figsize=(8, 8))
    FigureCanvasAgg(fig)
    years = {2019: communes_cov, 2020: communes_cov, 2021: communes_cov}
    axes = plot_years(years, {2021: venues}, fig=fig, ncols=2)
    spare = [a for a in fig.axes if a not in axes]
    assert len(spare) == 1 and not spare[0].axison, "the legend takes the free cell"
    assert spare[0].get_legend() is not None
    assert all(a.get_legend() is None for a in axes)
    assert all(not a.texts for a in axes), "no names, arrow or credits on the panels"
    (credits,) = fig.texts
    assert credits.get_text().startswith("Sources") and "INSEE" in credits.get_text()
    fig.savefig(io.BytesIO(), format="png")


def test_white_zones_are_hatched_as_one_shape(communes_cov):
    ax = plot_coverage(communes_cov)  # three adjacent uncovered squares
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert hatched and all(len(c.get_paths()) == 1 for c in hatched)


def test_interactive_map_without_white_zones(communes_cov):
    everyone = communes_cov.assign(covered=True, time_min=5.0)
    html = explore_coverage(everyone).get_root().render()
    assert js(LAYER_NAMES["white_zones"]) in html


# --- colours everyone can read --------------------------------------------------------------

CVD = ("deuteranomaly", "protanomaly", "tritanomaly")  # severity 100: dichromacy


def _cam02ucs(colours, vision):
    """Colours in CAM02-UCS, as seen with a colour-vision deficiency (Machado et al. 2009)."""
    cs = pytest.importorskip("colorspacious", reason="colorspacious is in the dev extra")
    rgb = np.array([to_rgb(c) for c in colours])
    if vision is not None:
        cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
        rgb = np.clip(cs.cspace_convert(rgb, cvd, "sRGB1"), 0, 1)
    return cs.cspace_convert(rgb, "sRGB1", "CAM02-UCS")


@pytest.mark.parametrize("vision", [None, *CVD])
@pytest.mark.parametrize(("n", "min_delta_e"), [(4, 20.0), (3, 20.0), (5, 15.0), (6, 12.0)])
def test_class_colours_stay_ordered_and_distinct_for_colour_blind_readers(n, min_delta_e, vision):
    # measured for the 4 default classes: ΔE >= 38.4 (normal), 24.4 (deuteranopia),
    # 27.5 (protanopia), 24.8 (tritanopia); the RdYlGn palette it replaced fell to 1.9
    ucs = _cam02ucs(class_colours(n), vision)
    steps = np.linalg.norm(np.diff(ucs, axis=0), axis=1)
    assert steps.min() >= min_delta_e, steps
    assert (np.diff(ucs[:, 0]) < 0).all(), "lightness falls from short to long times"
    grey = _cam02ucs([NO_DATA_COLOUR], vision)
    assert np.linalg.norm(ucs - grey, axis=1).min() >= 15.0, "no-data grey looks like a class"


# --- map.png: legend inside, scale bar, north arrow, département names -------------------------


def test_static_legend_scale_bar_and_arrow_stay_inside_the_figure(communes_cov, venues):
    fig = Figure(figsize=(10, 10))
    FigureCanvasAgg(fig)
    ax = plot_coverage(communes_cov, venues, ax=fig.add_subplot())
    fig.savefig(io.BytesIO(), format="png")  # no bbox_inches: nothing may fall outside
    inside = fig.bbox
    legend = ax.get_legend().get_window_extent()
    assert inside.x0 <= legend.x0 and legend.x1 <= inside.x1
    assert inside.y0 <= legend.y0 and legend.y1 <= inside.y1
    assert ax.bbox.x0 <= legend.x0 and legend.x1 <= ax.bbox.x1 + 1, "legend in the axes"
    bars = [a for a in ax.artists if type(a).__name__ == "AnchoredSizeBar"]
    assert len(bars) == 1
    assert bars[0].txt_label.get_text() in {"1 km", "2 km", "5 km", "10 km"}
    assert "N" in [t.get_text() for t in ax.texts]
    assert {"Charente-Maritime", "Deux-Sèvres"} <= {t.get_text() for t in ax.texts}
    data = communes_cov.total_bounds  # the map keeps clear of the legend's band
    right_of_map = ax.transData.transform((data[2], data[1]))[0]
    assert right_of_map <= legend.x0 + 1


def test_static_map_on_its_own_figure_keeps_the_legend(communes_cov):
    ax = plot_coverage(communes_cov, departement_names=False, scale_bar=False)
    fig = ax.figure
    fig.savefig(io.BytesIO(), format="png")
    legend = ax.get_legend().get_window_extent()
    assert fig.bbox.x1 >= legend.x1 and fig.bbox.y1 >= legend.y1
    assert not [a for a in ax.artists if type(a).__name__ == "AnchoredSizeBar"]
    assert "Charente-Maritime" not in {t.get_text() for t in ax.texts}
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_static_white_zones_hatched_dark_over_white(communes_cov):
    ax = plot_coverage(communes_cov, ax=_new_ax())
    hatched = [c for c in ax.collections if c.get_hatch()]
    colours = {tuple(np.round(c.get_edgecolor()[0][:3], 3)) for c in hatched}
    assert colours == {(1.0, 1.0, 1.0), (0.0, 0.0, 0.0)}


def test_static_map_reads_dollar_signs_as_text(communes_cov, venues):
    odd = venues.assign(kind=["a $x$ b", "fablab", "a $x$ b"])
    ax = plot_coverage(communes_cov, odd, ax=_new_ax())
    _render(ax)  # mathtext would fail or eat the dollars
    assert "Lieu : a \\$x\\$ b" in [t.get_text() for t in ax.get_legend().get_texts()]


# --- map.html: self-contained, legends, white-zone outline, numbers -----------------------------


def _page(communes_cov, venues=None, **kwargs) -> str:
    return explore_coverage(communes_cov, venues, **kwargs).get_root().render()


def test_interactive_page_loads_nothing_from_the_network(communes_cov, venues):
    page = _page(communes_cov, venues)
    assert not re.search(r"<script[^>]+src=", page), "scripts are inlined"
    assert not re.search(r"<link[^>]+stylesheet", page), "style sheets are inlined"
    assert not re.search(r"""src=\\?["']?https?:|url\(\s*["']?https?:|@import""", page)
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page  # only tiles: the network
    assert 'version="1.9.3"' in page  # Leaflet inside the page
    assert "url(images/" not in page  # its images as data: URLs
    assert "tileerror" in page and js(TILE_NOTICE) in page


def test_interactive_legend_lists_every_symbol(communes_cov, venues):
    page = _page(communes_cov, venues)
    legend = legend_of(page)
    for label in ("0 – 10 min", "30 min et plus", "Non atteint / sans donnée"):
        assert label in legend
    assert "Zone blanche : plus de 20 min" in legend
    assert "stroke-dasharray" in legend  # the outline's own swatch
    assert "Lieu : coworking" in legend and "Lieu : fablab" in legend
    assert "Lieu soutenu (plein)" in legend and "Non soutenu ou inconnu (creux)" in legend
    assert "INSEE, populations légales" in legend
    assert 'position: "bottomleft"' in page  # a Leaflet control: stacked above the scale bar
    assert "imperial: false" in page


def test_interactive_white_zones_are_outlined_over_a_halo(communes_cov):
    page = _page(communes_cov)
    assert '"dashArray":"6 4"' in page
    assert '"halo":{"fill":false,"color":"#ffffff","weight":4,"interactive":false}' in page


def test_tooltip_times_never_read_as_the_threshold():
    assert format_minutes(20.03) == "20,1 min"
    assert format_minutes(20.0) == "20,0 min"
    assert format_minutes(9.99) == "10,0 min"
    assert format_minutes(np.nan) == format_minutes(np.inf) == "non atteint"


def test_interactive_tooltips_show_tenths(communes_cov):
    page = _page(communes_cov.assign(time_min=[5.0, 15.0, 20.03, 45.0, np.nan]))
    assert '"20,1 min"' in page and '"20 min"' not in page


def test_coverage_simplification_opens_no_gap():
    # a 6 x 6 tiling whose shared borders wiggle: neighbours must keep the same border
    rng = np.random.default_rng(0)
    xs = np.linspace(0, 6000, 61)
    wiggle = {x: rng.normal(0, 15) for x in xs}
    tiles = []
    for i in range(6):
        for j in range(6):
            bottom = [(x, j * 1000 + (wiggle[x] if j > 0 else 0)) for x in xs[i * 10 : i * 10 + 11]]
            top = [
                (x, (j + 1) * 1000 + (wiggle[x] if j < 5 else 0)) for x in xs[i * 10 : i * 10 + 11]
            ]
            tiles.append(Polygon([*bottom, *reversed(top)]))
    frame = gpd.GeoSeries(tiles, crs=2154)
    out = simplify_coverage(frame, 100)
    assert sum(len(g.exterior.coords) for g in out) < sum(len(g.exterior.coords) for g in tiles)
    assert out.union_all().area == pytest.approx(frame.union_all().area, rel=1e-9)
    assert out.area.sum() == pytest.approx(out.union_all().area, rel=1e-9)  # no overlap


def test_polygon_encoding_round_trips_to_a_metre():
    square = box(-0.57048, 44.85369, -0.56012, 44.86001)
    rings = encode_geometry(square)[0]
    steps = np.array(rings[0]).reshape(-1, 2)
    coords = np.cumsum(steps, axis=0) / 1e5
    np.testing.assert_allclose(coords, np.asarray(square.exterior.coords), atol=1e-5)


# --- no live markup from the data (issue 9) -----------------------------------------------------

PAYLOADS = (
    "<img src=x onerror=alert(2)>",
    '"><script>alert(1)</script>',
    "</script><script>alert(3)</script>",
    "<svg onload=alert(4)>",
)


def test_interactive_map_carries_no_live_markup_from_the_data(communes_cov, venues):
    ids = [PAYLOADS[2], "v2", PAYLOADS[3]]
    evil_venues = venues.assign(
        venue_id=ids,
        name=[PAYLOADS[0], PAYLOADS[1], "L'Atelier"],
        kind=[PAYLOADS[3], "fablab", PAYLOADS[3]],
    )
    evil_communes = communes_cov.assign(
        nom=[PAYLOADS[1], "Bb", PAYLOADS[0], "Dd", "Ee"],
        nearest_venue=[PAYLOADS[2], PAYLOADS[2], "v2", "v2", pd.NA],
    )
    catch = gpd.GeoDataFrame(
        {"population_served": [3000.0]},
        geometry=[communes_cov.geometry.iloc[:2].union_all()],
        index=pd.Index([PAYLOADS[2]], name="venue_id"),
        crs="EPSG:2154",
    )
    page = explore_coverage(evil_communes, evil_venues, catchments=catch).get_root().render()
    for payload in PAYLOADS:
        assert payload not in page
    for live in ("<img", "<svg onload", "<script>alert", "</script><script>"):
        assert live not in page, live
    # folium's popups, tooltips and layer names use innerHTML: entities, written as JSON
    assert js("&lt;img src=x onerror=alert(2)&gt;") in page  # popup
    assert js("Lieux : &lt;svg onload=alert(4)&gt;") in page
    # the polygon layers write text with textContent: raw text, its <, > as \\u escapes
    assert "\\u003cimg src=x onerror=alert(2)\\u003e" in page
    assert "innerHTML = row" not in page and ".textContent = row[i]" in page


def test_interactive_map_of_nouvelle_aquitaine_stays_under_2_5_mb():
    """4,293 communes (real geometry), white zones, catchments and 233 venues."""
    import maillage

    communes = maillage.load_communes(region="75")
    venues = maillage.load_venues("cget-tiers-lieux-2019", region="75")
    cov = maillage.coverage(communes, venues, model=maillage.CrowFlyModel())
    zones = maillage.white_zones(cov)
    # the catchments' outlines: the communes dissolved by nearest venue
    catch = cov.dissolve("nearest_venue", aggfunc={"population": "sum"})
    catch = catch.rename(columns={"population": "population_served"})
    page = explore_coverage(cov, venues, white_zones=zones, catchments=catch).get_root().render()
    size = len(page.encode("utf-8"))
    assert size < 2_500_000, size  # 5.5 MB before coverage simplification and compact layers


def test_small_multiples_keep_the_credits_given(communes_cov):
    fig = Figure(figsize=(8, 4))
    FigureCanvasAgg(fig)
    plot_years({2020: communes_cov, 2021: communes_cov}, fig=fig, credits=["Mon recensement"])
    (credits,) = fig.texts
    assert "Mon recensement" in credits.get_text() and "INSEE" not in credits.get_text()


# --- commutes.png: rates, not totals; every symbol in the legend, beside the map -------------


def _savings() -> gpd.GeoDataFrame:
    """A big commune with many hours over many workers, a small one with few over fewer."""
    return gpd.GeoDataFrame(
        {
            "saved_hours_per_year": [1000.0, 100.0, 0.0, 50.0],
            "workers": [10_000.0, 100.0, 50.0, 0.0],
        },
        geometry=[box(X0 + i * SIDE, Y0, X0 + (i + 1) * SIDE, Y0 + SIDE) for i in range(4)],
        crs="EPSG:2154",
    )


def test_commute_map_colours_rates_per_worker(venues):
    from maillage.maps import plot_commute_savings

    ax = plot_commute_savings(_savings(), venues, k=2, ax=_new_ax())
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "par actif" in legend.get_title().get_text()
    # 0.1 h per worker in the big commune, 1 h in the small one: the small one is darker
    assert texts[:3] == ["aucun gain", "0,1 – 0,55 h", "0,55 – 1 h"], texts
    assert "sans actif résidant" in texts and "Lieu" in texts, "every symbol named"
    fills = [to_rgb(c) for c in ax.collections[0].get_facecolor()[:, :3].tolist()]
    assert fills[0] != fills[1]
    data = _savings().total_bounds
    right = ax.transData.transform((max(data[2], venues.total_bounds[2]), data[3]))[0]
    ax.figure.canvas.draw()
    box_ = legend.get_window_extent()
    assert right <= box_.x0 < right + 60, "legend right beside the map"


def test_commute_map_per_km2_and_totals(venues):
    from maillage.maps import plot_commute_savings

    per_km2 = plot_commute_savings(_savings(), per="km2", k=2, ax=_new_ax())
    assert "km²" in per_km2.get_legend().get_title().get_text()
    labels = [t.get_text() for t in per_km2.get_legend().get_texts()]
    assert labels[1:3] == ["0,5 – 1 h", "1 – 10 h"], labels  # 100 km²: 50, 100, 1000 h
    totals = plot_commute_savings(_savings(), per=None, k=2, ax=_new_ax())
    assert totals.get_legend().get_title().get_text() == "Heures gagnées par an"
    with pytest.raises(OptionError, match="per"):
        plot_commute_savings(_savings(), per="habitant", ax=_new_ax())
    with pytest.raises(ColumnError):
        plot_commute_savings(_savings().drop(columns="workers"), ax=_new_ax())


def test_a_map_of_many_departements_names_none_unless_asked():
    from maillage.maps.static import MAX_NAMED_DEPARTEMENTS

    n = MAX_NAMED_DEPARTEMENTS + 1
    codes = [f"{i:02d}" for i in range(1, n + 1)]
    frame = gpd.GeoDataFrame(
        {"departement": codes, "population": 100, "time_min": 12.0},
        geometry=[box(X0 + i * SIDE, Y0, X0 + (i + 1) * SIDE, Y0 + SIDE) for i in range(n)],
        index=pd.Index([f"{c}001" for c in codes], name="code_insee"),
        crs="EPSG:2154",
    )
    frame.attrs["threshold_min"] = 20.0
    names = {"Ain", "Aisne", "Allier"}  # the first three of the 25
    for asked, named in ((None, False), (True, True), (False, False)):
        fig = Figure(figsize=(8, 8))
        FigureCanvasAgg(fig)
        ax = plot_coverage(frame, departement_names=asked, ax=fig.add_subplot(), scale_bar=False)
        assert (names <= {t.get_text() for t in ax.texts}) is named
    few = frame.iloc[:3]  # a région's few départements are named by default
    fig = Figure(figsize=(8, 8))
    FigureCanvasAgg(fig)
    ax = plot_coverage(few, ax=fig.add_subplot(), scale_bar=False)
    assert names <= {t.get_text() for t in ax.texts}
