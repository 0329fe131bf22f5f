"""``--network osm`` end to end against a local mirror laid out like Geofabrik's.

The test serves, on 127.0.0.1 only, three real extracts cut from Andorra's OSM file the way
Geofabrik cuts its regional files (every way with a node inside the strip, whole, with all
its nodes; every relation with a member inside), each with its ``.md5``, under the names of
Nouvelle-Aquitaine's three extracts. ``MAILLAGE_OSM_MIRROR`` sends the downloads there.
"""

from __future__ import annotations

import hashlib
import http.server
import logging
import threading
from functools import partial
from pathlib import Path

import numpy as np
import osmium
import pytest

from maillage import DataSourceError, RoadNetwork, fetch, options
from maillage.cli import _network_files
from maillage.cli.parser import build_parser
from maillage.sources import osm_extracts_for
from maillage.sources.extracts import MIRROR_ENV

SLUGS = ("aquitaine", "limousin", "poitou-charentes")
FRANCE = "europe/france"


def _cut(source: str, strips: list[tuple[float, float]]) -> list[dict[str, set[int]]]:
    """Ids of the nodes, ways and relations of each longitude strip, Geofabrik-style."""
    inside: list[set[int]] = [set() for _ in strips]
    parts: list[dict[str, set[int]]] = [{"n": set(), "w": set(), "r": set()} for _ in strips]
    for obj in osmium.FileProcessor(source):
        if obj.is_node():
            for box, (west, east) in zip(inside, strips, strict=True):
                if west <= obj.location.lon < east:
                    box.add(obj.id)
            continue
        for box, part in zip(inside, parts, strict=True):
            refs = [node.ref for node in obj.nodes] if obj.is_way() else []
            if any(ref in box for ref in refs):
                part["w"].add(obj.id)
                part["n"].update(refs)
            elif obj.is_relation() and any(
                m.ref in (part["w"] if m.type == "w" else part["n"]) for m in obj.members
            ):
                part["r"].add(obj.id)
    return parts


def _write_parts(source: str, parts: list[dict[str, set[int]]], targets) -> None:
    writers = [osmium.SimpleWriter(str(path)) for path in targets]
    try:
        for obj in osmium.FileProcessor(source):
            for writer, part in zip(writers, parts, strict=True):
                if obj.id in part[obj.type_str()]:
                    writer.add(obj)
    finally:
        for writer in writers:
            writer.close()


class _Mirror(http.server.SimpleHTTPRequestHandler):
    """Geofabrik's layout on loopback; records each request; can cut a file mid-transfer."""

    requests: list[str]
    cut: set[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        if self.path not in self.cut:
            super().do_GET()
            return
        data = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])  # then the connection closes

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(scope="module")
def andorra():
    return fetch("osm-andorra-2013")[0]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, andorra):
    """Serve the three cut extracts with their MD5 files; yield (base URL, root, handler)."""
    root = tmp_path_factory.mktemp("mirror")
    folder = root / FRANCE
    folder.mkdir(parents=True)
    lons = [n.location.lon for n in osmium.FileProcessor(str(andorra), osmium.osm.NODE)]
    edges = np.quantile(lons, [0, 1 / 3, 2 / 3, 1])
    strips = [(edges[0] - 1, edges[1]), (edges[1], edges[2]), (edges[2], edges[3] + 1)]
    targets = [folder / f"{slug}-latest.osm.pbf" for slug in SLUGS]
    _write_parts(str(andorra), _cut(str(andorra), strips), targets)
    for path in targets:
        md5 = hashlib.md5(path.read_bytes()).hexdigest()
        path.with_name(path.name + ".md5").write_text(f"{md5}  {path.name}\n")
    handler = type("Handler", (_Mirror,), {"requests": [], "cut": set()})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root, handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def on_mirror(mirror, monkeypatch, tmp_path):
    base, root, handler = mirror
    monkeypatch.setenv(MIRROR_ENV, base)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    handler.requests.clear()
    handler.cut.clear()
    empty = tmp_path / "data"
    empty.mkdir()
    with options.set(data_dir=empty, cache_dir=tmp_path / "cache", offline=False):
        yield root, handler


_REPORT = ["report", "--venues", "cget-tiers-lieux-2019", "--out", "rapport"]


def _network_osm():
    """What ``maillage report --region 75 --network osm`` fetches, before any slow work."""
    args = build_parser().parse_args([*_REPORT, "--region", "75", "--network", "osm"])
    return _network_files(args, progress=False)


def test_network_osm_downloads_checks_merges_then_reuses_the_cache(on_mirror, andorra, caplog):
    root, handler = on_mirror
    paths = _network_osm()
    names = [e.name for e in osm_extracts_for(region="75")]
    assert [p.parent.name for p in paths] == names
    assert [p.parent.parent.parent for p in paths] == [options.cache_dir] * 3
    for path, slug in zip(paths, SLUGS, strict=True):
        assert path.read_bytes() == (root / FRANCE / f"{slug}-latest.osm.pbf").read_bytes()
    expected = []
    for slug in SLUGS:
        url = f"/{FRANCE}/{slug}-latest.osm.pbf"
        expected += [f"{url}.md5", url]
    assert handler.requests == expected  # each checksum read, then its file
    merged = RoadNetwork.from_osm(paths)
    whole = RoadNetwork.from_osm(andorra, cache=False)
    assert (merged.n_nodes, merged.n_edges) == (whole.n_nodes, whole.n_edges)
    for field in ("indptr", "indices", "weights", "xy", "node_ids"):
        np.testing.assert_array_equal(getattr(merged.graph, field), getattr(whole.graph, field))
    for path in paths:  # each strip alone is a smaller network: the merge joined them
        assert RoadNetwork.from_osm(path, cache=False).n_nodes < whole.n_nodes / 2
    handler.requests.clear()
    caplog.set_level(logging.INFO, logger="maillage")
    again = _network_osm()
    assert again == paths
    assert handler.requests == []  # no second download
    cached = RoadNetwork.from_osm(again)
    assert "read from the cache" in caplog.text
    np.testing.assert_array_equal(cached.graph.weights, merged.graph.weights)


def _break(root, how: str, handler) -> str:
    """Damage the Limousin file on the mirror (its .md5 stays the original's); return its URL."""
    url = f"/{FRANCE}/limousin-latest.osm.pbf"
    path = root / FRANCE / "limousin-latest.osm.pbf"
    data = path.read_bytes()
    if how == "tronqué":
        path.write_bytes(data[: len(data) // 2])
    elif how == "corrompu":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]))
        path.write_bytes(path.read_bytes() + data[middle + 64 :])
    else:
        handler.cut.add(url)
    return data


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("tronqué", "ne correspond pas à la somme de contrôle publiée"),
        ("corrompu", "ne correspond pas à la somme de contrôle publiée"),
        ("coupé", "échec du téléchargement"),
    ],
)
def test_a_damaged_download_is_refused_in_french_and_not_cached(on_mirror, how, message):
    root, handler = on_mirror
    original = _break(root, how, handler)
    try:
        with pytest.raises(DataSourceError, match=message) as info:
            _network_osm()
    finally:
        (root / FRANCE / "limousin-latest.osm.pbf").write_bytes(original)
    assert "limousin-latest.osm.pbf" in str(info.value)
    assert "rien n'a été gardé en cache" in str(info.value)
    assert "<data_dir>/osm/osm-limousin/" in str(info.value)
    cached = sorted(p.parent.name for p in options.cache_dir.rglob("*.osm.pbf"))
    assert cached == ["osm-aquitaine"]  # the one before it; nothing of the damaged file
    assert not list((options.cache_dir / "osm" / "osm-limousin").glob("*"))
    handler.cut.clear()
    assert len(_network_osm()) == 3  # the intact file is then downloaded


def test_a_mirror_without_checksum_still_serves_with_a_warning(on_mirror, caplog):
    root, _ = on_mirror
    md5 = root / FRANCE / "limousin-latest.osm.pbf.md5"
    saved = md5.read_text()
    md5.unlink()
    try:
        paths = _network_osm()
    finally:
        md5.write_text(saved)
    assert "limousin-latest.osm.pbf.md5 illisible" in caplog.text
    assert "téléchargé sans vérification" in caplog.text
    assert paths[1].read_bytes() == (root / FRANCE / "limousin-latest.osm.pbf").read_bytes()
