"""Reference car times for the fit of the default model: stock OSRM wherever it can be had.

The definition of a car trip (README, report): an access leg at each end, from the point to
its place on the nearest road at 15 km/h, plus the free-flow time on OpenStreetMap roads as
OSRM's stock car profile computes it. The references, all read through the catalogue
(:func:`maillage.fetch`) or, for an extract not yet catalogued, by its path in
``MAILLAGE_DATA_DIR``:

* ``extract_pairs``: OSRM itself (``osrm-bindings``, :class:`maillage.OSRMModel` with
  ``access_speed_kph=15``) between random points near the roads of every real OpenStreetMap
  extract (Monaco and its French neighbours, central Paris, Andorra, Saint-Barthélemy): every
  pair of ``POINTS`` points, at every distance the extract allows;
* ``prefecture_pairs``: the matrix between the 94 metropolitan prefectures;
* ``paris_pairs``: the matrix from every commune of metropolitan France to Paris (stock OSRM,
  July 2021), from each commune's centroid;
* ``mapotempo_pairs``: real addresses routed by Mapotempo's OSRM with a land-use profile
  (urban roads slowed): **not** the definition; a separate reference, never fitted.

Every table has the columns of :data:`COLUMNS`: ``source``, ``area`` (the unit left out by
the cross-validation), the origin and destination in WGS84, ``crow_m`` (geodesic straight
line) and ``time_s``. Each function leaves out no row silently: what it drops is counted.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

from maillage import MissingDataError, OSRMModel, fetch
from maillage.travel.graph.osm import read_ways

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

COLUMNS = ("source", "area", "o_lon", "o_lat", "d_lon", "d_lat", "crow_m", "time_s")
POINTS = 160  # random points per extract
JITTER_M = 150.0  # points are drawn up to this far from a road node
ACCESS_KPH = 15.0  # the access leg of the definition
SEED = 0
EXTRACTS = {
    # name: (catalogue entry, path under MAILLAGE_DATA_DIR, working CRS)
    "monaco-06": ("osm-monaco-osrm-2016", "osm/monaco-osrm-2016/monaco.osm.pbf", "EPSG:2154"),
    "paris-marais": (
        "osm-paris-bss-valhalla-2020",
        "osm/paris-bss-valhalla-2020/paris_bss.osm.pbf",
        "EPSG:2154",
    ),
    "andorra": ("osm-andorra-2013", "osm/andorra-2013/andorra.osm.pbf", "EPSG:2154"),
    "saint-barthelemy": (
        "osm-saint-barthelemy-2015",
        "osm/saint-barthelemy-2015/saint_barthelemy.osm.pbf",
        "EPSG:5490",
    ),
}
TERRITORY_DENSITY = {
    # outside the metropolitan communes: density of the whole territory, inhabitants per km²
    "andorra": 76_000 / 468,  # Andorra, census 2013, 468 km²
    "saint-barthelemy": 10_500 / 24,  # Saint-Barthélemy (INSEE 977), about 10,500 on 24 km²
}
GEOD = Geod(ellps="WGS84")


def _geodesic_m(
    o_lon: ArrayLike, o_lat: ArrayLike, d_lon: ArrayLike, d_lat: ArrayLike
) -> np.ndarray:
    return np.asarray(GEOD.inv(o_lon, o_lat, d_lon, d_lat)[2], dtype=float)


def extract_path(name: str) -> Path:
    """Return the file of an extract: through the catalogue, else by its data-dir path."""
    entry, rel, _ = EXTRACTS[name]
    try:
        return fetch(entry)[0]
    except (KeyError, MissingDataError, ValueError) as exc:
        path = Path(os.environ.get("MAILLAGE_DATA_DIR", "data")) / rel
        if path.is_file():
            return path
        msg = f"extract {name}: not in the catalogue nor at {path}"
        raise MissingDataError(msg) from exc


def _random_points(path: Path, crs: str, n: int, seed: int) -> gpd.GeoSeries:
    """Return ``n`` points drawn up to ``JITTER_M`` from random car-road nodes."""
    ways = read_ways(path)
    lonlat = np.unique(np.column_stack([ways.lon, ways.lat]), axis=0)
    rng = np.random.default_rng(seed)
    picked = lonlat[rng.choice(len(lonlat), size=min(n, len(lonlat)), replace=False)]
    nodes = gpd.GeoSeries.from_xy(picked[:, 0], picked[:, 1], crs=4326).to_crs(crs)
    radius = JITTER_M * np.sqrt(rng.random(len(nodes)))
    angle = rng.random(len(nodes)) * 2 * np.pi
    x = nodes.x.to_numpy() + radius * np.cos(angle)
    y = nodes.y.to_numpy() + radius * np.sin(angle)
    return gpd.GeoSeries.from_xy(x, y, crs=crs, index=[f"p{i}" for i in range(len(x))])


def extract_pairs(name: str, *, points: int = POINTS, seed: int = SEED) -> pd.DataFrame:
    """Return OSRM's times (with the access legs) between random points of an extract."""
    _, _, crs = EXTRACTS[name]
    path = extract_path(name)
    pts = _random_points(path, crs, points, seed)
    model = OSRMModel.from_osm(path, access_speed_kph=ACCESS_KPH)
    table = model.time_matrix(pts, pts).to_numpy()
    ll = pts.to_crs(4326)
    lon, lat = ll.x.to_numpy(), ll.y.to_numpy()
    i, j = (a.ravel() for a in np.indices(table.shape))
    frame = pd.DataFrame(
        {
            "source": "osrm-extract",
            "area": name,
            "o_lon": lon[i],
            "o_lat": lat[i],
            "d_lon": lon[j],
            "d_lat": lat[j],
            "time_s": table.ravel(),
        }
    )
    frame["crow_m"] = _geodesic_m(frame["o_lon"], frame["o_lat"], frame["d_lon"], frame["d_lat"])
    keep = (i != j) & np.isfinite(frame["time_s"].to_numpy())
    return frame.loc[keep, list(COLUMNS)].reset_index(drop=True)


def prefecture_pairs() -> pd.DataFrame:
    """Return the prefecture matrix (area: the origin's département)."""
    csv, gpkg = sorted(fetch("prefectures-car-distanamo"), key=lambda p: p.suffix != ".csv")
    minutes = pd.read_csv(csv, index_col=0)
    points = gpd.read_file(gpkg, layer="prefecture").set_index("NOM_COM")
    ll = points.geometry.to_crs(4326)
    long = (
        minutes.rename_axis("o").reset_index().melt(id_vars="o", var_name="d", value_name="minutes")
    ).dropna()
    long = long[long["o"] != long["d"]]
    o, d = ll.loc[long["o"]], ll.loc[long["d"]]
    frame = pd.DataFrame(
        {
            "source": "prefectures",
            "area": points.loc[long["o"], "INSEE_COM"].str[:2].to_numpy(),
            "o_lon": o.x.to_numpy(),
            "o_lat": o.y.to_numpy(),
            "d_lon": d.x.to_numpy(),
            "d_lat": d.y.to_numpy(),
            "time_s": long["minutes"].to_numpy() * 60.0,
        }
    )
    frame["crow_m"] = _geodesic_m(frame["o_lon"], frame["o_lat"], frame["d_lon"], frame["d_lat"])
    return frame[list(COLUMNS)]


PARIS_ID = "FR_75056"


def read_paris_matrix() -> pd.DataFrame:
    """Return the communes-to-Paris file: ``code_insee``, ``lon``, ``lat``, ``duration``."""
    (path,) = fetch("osrm-france-communes-to-paris-2021")
    frame = pd.read_csv(path, dtype={"id": str})
    frame["code_insee"] = frame["id"].str.removeprefix("FR_")
    return frame


def paris_pairs() -> pd.DataFrame:
    """Return the trips from every commune to Paris (area: the commune's département)."""
    frame = read_paris_matrix()
    paris = frame.loc[frame["id"] == PARIS_ID].iloc[0]
    frame = frame[frame["id"] != PARIS_ID]
    code = frame["code_insee"]
    out = pd.DataFrame(
        {
            "source": "communes-paris",
            "area": np.where(code.str.startswith("97"), code.str[:3], code.str[:2]),
            "o_lon": frame["lon"].to_numpy(),
            "o_lat": frame["lat"].to_numpy(),
            "d_lon": float(paris["lon"]),
            "d_lat": float(paris["lat"]),
            "time_s": frame["duration"].to_numpy(dtype=float),
        }
    )
    out["crow_m"] = _geodesic_m(out["o_lon"], out["o_lat"], out["d_lon"], out["d_lat"])
    return out[list(COLUMNS)].reset_index(drop=True)


def _plain_blocks(path: Path) -> list[dict]:
    blocks = json.loads(zlib.decompress(path.read_bytes()))
    return [
        b
        for b in blocks
        if b.get(":mode") == ":car"
        and float(b.get(":options", {}).get(":speed_multiplier", -1)) == 1.0
        and not b.get(":options", {}).get(":traffic", False)
    ]


def mapotempo_pairs() -> tuple[pd.DataFrame, dict[str, int]]:
    """Return the plain car pairs of the Mapotempo dumps (area: the dump), blocks skipped."""
    frames, seen, skipped = [], set(), {"shape_mismatch": 0, "duplicate": 0}
    for path in fetch("mapotempo-optimizer-api-2021"):
        for block in _plain_blocks(path):
            dims = block[":dimensions"]
            time = np.asarray(block[":matrices"][dims.index(":time")], dtype=float)
            rows = np.asarray(block[":row"], dtype=float)
            cols = np.asarray(block[":column"], dtype=float)
            if time.shape != (len(rows), len(cols)):
                skipped["shape_mismatch"] += 1
                continue
            key = hash(time.tobytes() + rows.tobytes() + cols.tobytes())
            if key in seen:
                skipped["duplicate"] += 1
                continue
            seen.add(key)
            i, j = (a.ravel() for a in np.indices(time.shape))
            frames.append(
                pd.DataFrame(
                    {
                        "source": "mapotempo",
                        "area": path.stem,
                        "o_lon": rows[i, 1],
                        "o_lat": rows[i, 0],
                        "d_lon": cols[j, 1],
                        "d_lat": cols[j, 0],
                        "time_s": time.ravel(),
                    }
                )
            )
    frame = pd.concat(frames, ignore_index=True)
    same = (frame["o_lon"] == frame["d_lon"]) & (frame["o_lat"] == frame["d_lat"])
    skipped["same_point_pairs"] = int(same.sum())
    frame = frame[~same]
    frame["crow_m"] = _geodesic_m(frame["o_lon"], frame["o_lat"], frame["d_lon"], frame["d_lat"])
    return frame[list(COLUMNS)].reset_index(drop=True), skipped
