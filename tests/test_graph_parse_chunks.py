"""The parse decodes way coordinates in chunks: any chunk size gives the same arrays."""

from __future__ import annotations

import numpy as np
import pytest

from maillage import fetch
from maillage.travel.graph import osm
from maillage.travel.graph.osm import read_ways

FIELDS = (
    "node_ids", "lon", "lat", "offsets", "forward_kph", "backward_kph", "duration_s",
    "roundabout", "barrier_ids", "obstacle_ids", "obstacles",
)  # fmt: skip


@pytest.mark.parametrize("chunk", [1, 7])
def test_chunked_decode_equals_one_chunk(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    path = fetch("osm-monaco-osrm-2016")[0]
    whole = read_ways(path)
    monkeypatch.setattr(osm, "_CHUNK_WAYS", chunk)
    chunked = read_ways(path)
    assert whole.n_ways > 1000  # many chunks of 1 or 7 ways
    for name in FIELDS:
        a, b = getattr(whole, name), getattr(chunked, name)
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_arrays_are_flat_numpy() -> None:
    raw = read_ways(fetch("osm-saint-barthelemy-2015")[0])
    assert raw.node_ids.dtype == np.int64 and raw.offsets.dtype == np.int64
    assert raw.lon.dtype == np.float64 and raw.lon.shape == raw.node_ids.shape
    assert raw.offsets[-1] == len(raw.node_ids)
    # coordinates lie on the island (lon -62.9, lat 17.9)
    assert np.all(np.abs(raw.lon + 62.85) < 0.2) and np.all(np.abs(raw.lat - 17.9) < 0.2)
