"""Filosofi 200 m population grid: the real Oléron tile."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import maillage
from maillage import (
    ColumnError,
    InputDataError,
    MaillageWarning,
    load_population_grid,
    origins_from_grid,
)


@pytest.fixture(scope="module")
def grid():
    return load_population_grid()


def test_oleron_tile(grid):
    assert len(grid) == 1507
    assert grid.crs.equals("EPSG:2154")
    assert grid.index.name == "cell_id" and grid.index.is_unique
    assert grid["population"].sum() == pytest.approx(26_820.5)
    assert grid["imputed"].dtype == bool and grid["imputed"].any() and not grid["imputed"].all()
    # 200 m squares: 40,000 m² (Lambert-93 scale factor near Oléron is within 0.1 %)
    assert np.allclose(grid.area, 40_000, rtol=2e-3)
    lon_lat = grid.to_crs(4326).total_bounds
    np.testing.assert_allclose(lon_lat, [-1.401, 45.679, -1.141, 46.037], atol=1e-3)


def test_first_cell_corner(grid):
    # x=243, y=47 in tile 4/11: lower-left corner 3200000 + 4*51200 + 243*200 = 3453400
    assert grid.index[0] == "CRS3035RES200mN2572600E3453400"
    bounds = grid.geometry.iloc[:1].to_crs(3035).total_bounds
    np.testing.assert_allclose(bounds, [3453400, 2572600, 3453600, 2572800], atol=0.01)
    assert grid["population"].iloc[0] == 3


def test_bad_files(tmp_path):
    bad = tmp_path / "grid_tile_4_11.csv"
    bad.write_text("x,y,ind\r\n1,2,3\r\n")
    with pytest.raises(ColumnError, match="imputed"):
        load_population_grid(bad)
    nameless = tmp_path / "grid.csv"
    nameless.write_text("x,y,imputed,ind\r\n1,2,0,3\r\n")
    with pytest.raises(InputDataError, match="tile"):
        load_population_grid(nameless)
    assert len(load_population_grid(nameless, tile=(4, 11))) == 1
    with pytest.raises(InputDataError, match="neither"):
        load_population_grid("no-such-grid")


def test_origins_from_grid_hand_made_communes(grid):
    """Four boxes cover the tile: every cell is assigned, populations add up."""
    x0, y0, x1, y1 = grid.total_bounds
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    communes = gpd.GeoDataFrame(
        {"population": [1, 1, 1, 1]},
        geometry=[
            box(x0, y0, xm, ym),
            box(xm, y0, x1, ym),
            box(x0, ym, xm, y1),
            box(xm, ym, x1, y1),
        ],
        index=pd.Index(["A", "B", "C", "D"], name="code_insee"),
        crs=2154,
    )
    origins = origins_from_grid(grid, communes)
    assert origins["population"].sum() == pytest.approx(26_820.5)
    assert set(origins["code_insee"]) <= set("ABCD")
    rescaled = origins_from_grid(grid, communes, rescale=True)
    assert rescaled.groupby("code_insee")["population"].sum().to_dict() == pytest.approx(
        dict.fromkeys(rescaled["code_insee"].unique(), 1.0)
    )


def test_cells_outside_communes_warn(grid):
    x0, y0, x1, y1 = grid.total_bounds
    shrunk = gpd.GeoDataFrame(
        {"population": [1]},
        geometry=[box(x0 + 300, y0, x1, y1)],
        index=pd.Index(["A"], name="code_insee"),
        crs=2154,
    )
    with pytest.warns(MaillageWarning, match="nearest commune"):
        origins = origins_from_grid(grid, shrunk)
    assert origins["population"].sum() == pytest.approx(26_820.5)
    tiny = gpd.GeoDataFrame(
        {"population": [1]},
        geometry=[box(x0, y0, x0 + 1000, y0 + 1000)],
        index=pd.Index(["A"], name="code_insee"),
        crs=2154,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MaillageWarning)
        part = origins_from_grid(grid, tiny)
    assert part["population"].sum() < 26_820.5  # far cells are outside the area, left out


@pytest.mark.skipif(not hasattr(maillage, "load_communes"), reason="communes loader not landed")
def test_oleron_commune_sums():
    """Sums per commune match the figures checked against legal populations (SOURCE.md)."""
    communes = maillage.load_communes(departements=["17"])
    grid = load_population_grid()
    with pytest.warns(MaillageWarning, match="17 grid cell"):
        origins = origins_from_grid(grid, communes)
    sums = origins.groupby("code_insee")["population"].sum()
    names = communes["nom"]
    by_name = sums.rename(index=names.to_dict())
    assert by_name["Saint-Pierre-d'Oléron"] == pytest.approx(6975, abs=40)
    assert by_name["Le Château-d'Oléron"] == pytest.approx(4387.5, abs=40)
    assert by_name["Saint-Georges-d'Oléron"] == pytest.approx(4172, abs=40)
    assert by_name["Dolus-d'Oléron"] == pytest.approx(3518.5, abs=40)
