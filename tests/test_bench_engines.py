"""The engines benchmark gives every OSRM call the same problem (``benchmarks/bench_engines.py``).

The benchmark times OSRM twice on each real extract: maillage's public call
``OSRMModel.nearest`` and OSRM's own best call for the question, one ``osrm-bindings``
``Table`` of origins x venues (:func:`bench_engines.table_nearest`). Both must answer the same
question, so on a real extract they must give the same times and the same nearest venue. The
preparation is timed per OSRM program by wrapping the build's step runner: each step is
recorded, the build opens, and the runner is put back.
"""

from __future__ import annotations

import shutil
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

osrm = pytest.importorskip(
    "osrm", reason="osrm-bindings is not installed (pip install osrm-bindings)"
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_engines  # noqa: E402 - after the skip and the path

from maillage import OSRMModel  # noqa: E402
from maillage.errors import MaillageWarning  # noqa: E402
from maillage.travel import osrm_build  # noqa: E402
from maillage.travel.graph.snap import ACCESS_SPEED_KPH  # noqa: E402
from maillage.travel.network import DEFAULT_MAX_SNAP_M  # noqa: E402


@pytest.fixture(scope="module")
def saint_barth():
    """Saint-Barthélemy's settings (its own CRS), and its CH build, timed step by step."""
    args = SimpleNamespace(extract="saint-barthelemy")
    described = bench_engines.use_extract(args)
    record, prepared = bench_engines._osrm_builds(
        args.pbf, "ch", args.small_component_size, repeat=1
    )
    yield args, described, record, prepared
    shutil.rmtree(prepared.base.parent, ignore_errors=True)


def test_extract_settings_follow_the_extract():
    paris = SimpleNamespace(extract="paris")
    assert bench_engines.use_extract(paris)["catalogue_name"] == "osm-paris-bss-valhalla-2020"
    assert paris.pbf.name == "paris_bss.osm.pbf"
    assert paris.small_component_size == 100  # smaller than OSRM's default piece
    assert paris.crs == "EPSG:2154"


def test_osrm_build_is_timed_per_program(saint_barth):
    args, described, record, prepared = saint_barth
    assert described["crs"] == args.crs == "EPSG:5490"  # UTM 20N, not Lambert-93
    assert set(record["steps"]) == {"extract", "contract"}
    steps_wall = sum(step["wall_s"] for step in record["steps"].values())
    assert 0 < steps_wall <= record["wall_s"]
    assert osrm_build._run.__name__ == "_run"  # the build's own runner is back
    assert Path(f"{prepared.base}.hsgr").is_file()  # the contracted graph


def test_osrm_own_table_answers_as_osrm_model_nearest(saint_barth, tmp_path):
    args, _, _, prepared = saint_barth
    points = tmp_path / "points.npz"
    bench_engines.draw_points(args.pbf, points, 300, 20, 300.0, args.crs)
    origins, venues = bench_engines._points(points, args.crs)
    model = OSRMModel(prepared.base, algorithm="ch", source=prepared.meta)
    with warnings.catch_warnings():  # points drawn at sea are left out, with a warning
        warnings.simplefilter("ignore", MaillageWarning)
        near = model.nearest(origins, venues)
    engine = osrm.OSRM(storage_config=str(prepared.base), algorithm="CH", use_shared_memory=False)
    time_s, which = bench_engines.table_nearest(
        engine,
        origins.to_crs(4326).get_coordinates().to_numpy(),
        venues.to_crs(4326).get_coordinates().to_numpy(),
        access_kph=ACCESS_SPEED_KPH,
        max_snap_m=DEFAULT_MAX_SNAP_M,
    )
    expected = near["travel_time_s"].to_numpy(float)
    np.testing.assert_array_equal(np.isnan(time_s), np.isnan(expected))
    placed = ~np.isnan(expected)
    assert placed.sum() > 250
    np.testing.assert_allclose(time_s[placed], expected[placed], rtol=1e-9)
    found = placed & np.isfinite(expected)
    ids = venues.index.to_numpy(str)[which[found]]
    assert (ids == near["dest_id"].to_numpy(str)[found]).mean() > 0.99  # ties aside
