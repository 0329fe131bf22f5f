"""The road graph against OSRM's car profile on the three real extracts of the shared data.

``scripts/road_graph_vs_osrm.py`` draws 80 random nodes of the road graph of each extract
and compares the two engines' times between every pair of them; the median ratio
maillage ÷ OSRM must lie in [0.97, 1.03] on each extract.
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


@pytest.mark.parametrize("extract", ["monaco", "saint-barthelemy", "paris"])
def test_median_ratio_to_osrm(extract, cache_dir):
    script = _script()
    path = script.extract_path(extract)
    if not path.is_file():
        pytest.skip(f"no {extract} extract at {path}")
    result = script.measure(path, nodes=80, seed=0)
    ratio = result["all_pairs"]
    assert ratio["pairs"] > 6000
    assert result["nodes_off_osrm"] == 0  # every road node is on OSRM's car network too
    assert 0.97 <= ratio["median"] <= 1.03, ratio
    assert ratio["q25"] >= 0.95 and ratio["q75"] <= 1.05, ratio
