"""The road graph against OSRM's car profile on the four real extracts of the shared data.

Both engines follow maillage's definition of a car trip (:mod:`maillage.travel.graph.snap`).
``scripts/road_graph_vs_osrm.py`` draws off-road points of each extract (building centroids,
or random points 20-500 m from the roads) and compares the two engines' times from origins
to venues among them: the median ratio graph ÷ OSRM must lie in [0.97, 1.03] and 90 % of
the pairs within 5 % (issue 16), here on two draws (seeds 0 and 1) of 120 origins and 15
venues. Both route by car.lua's routability weight and report the route's time (central
Paris's p90 error was 3.4-7.2 % when the graph took the fastest route). With so few venues
one venue weighs 7 % of the pairs: in Andorra, seed 2 draws a venue 1 km from the roads
that the two engines place on different roads (p90 error 8 %, by weight or by duration);
the script's draws of 300 x 30 meet the target on seeds 0-4 of every extract. The nearest venue
of one multi-source search by weight is also compared with the least time of the table.
It also draws random road-graph nodes and compares the times between every pair of them
(no access leg).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("osrm", reason="osrm-bindings is not installed (pip install osrm-bindings)")

from maillage import options

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "road_graph_vs_osrm.py"


def _script():
    spec = importlib.util.spec_from_file_location("road_graph_vs_osrm", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("road_graph_vs_osrm", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    with options.set(cache_dir=tmp_path_factory.mktemp("cache")):
        yield


EXTRACTS = ["monaco", "saint-barthelemy", "paris", "andorra"]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("extract", EXTRACTS)
def test_off_road_trips_agree_with_osrm(extract, seed, cache_dir):
    script = _script()
    path = script.extract_path(extract)
    result = script.measure_offroad(
        path, origins=120, venues=15, seed=seed, **script.extract_settings(extract)
    )
    ratio = result["all_pairs"]
    assert result["pairs_unreachable_osrm"] == result["pairs_unreachable_maillage"] == 0
    assert ratio["pairs"] == 120 * 15
    assert result["median_access_m"] > 15  # off the road: the access legs count
    assert result["origins_placed_apart_over_5m"] <= 3  # both engines place them alike
    assert 0.97 <= ratio["median"] <= 1.03, ratio
    assert ratio["p90_error"] <= 0.05, ratio
    # one search labels each node with one venue (least weight, one route per node under
    # turn costs); the table's least time per origin is the exact nearest
    nearest = result["nearest_vs_table"]
    assert nearest["share_differing_over_0_1pct"] <= 0.2, nearest


@pytest.mark.parametrize("extract", EXTRACTS)
def test_median_ratio_to_osrm(extract, cache_dir):
    script = _script()
    path = script.extract_path(extract)
    if not path.is_file():
        pytest.skip(f"no {extract} extract at {path}")
    result = script.measure(path, nodes=80, seed=0, **script.extract_settings(extract))
    ratio = result["all_pairs"]
    assert ratio["pairs"] > 6000
    assert result["nodes_off_osrm"] == 0  # every road node is on OSRM's car network too
    assert 0.97 <= ratio["median"] <= 1.03, ratio
    assert ratio["q25"] >= 0.95 and ratio["q75"] <= 1.05, ratio
