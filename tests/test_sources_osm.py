"""Regional OpenStreetMap extracts: which cover an area, and data dir -> cache -> download."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import os
from importlib.resources import files

import pytest

from maillage import (
    DataSourceError,
    MissingDataError,
    OptionError,
    fetch_osm_extract,
    fetch_osm_extracts,
    options,
    osm_extracts_for,
)
from maillage.load.cog import read_departements
from maillage.sources import OSM_EXTRACTS

TODAY = dt.date.today().isoformat()


def _geofabrik_index() -> dict[str, str]:
    """Sub-regions of France in pyrosm's bundled copy of the Geofabrik index: id -> URL."""
    path = files("pyrosm") / "data" / "geofabrik_index.geojson.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    return {
        f["properties"]["id"]: f["properties"]["pbf"]
        for f in features
        if f["properties"].get("parent") == "france"
    }


def test_every_metropolitan_former_region_is_catalogued_with_its_upstream_url():
    index = _geofabrik_index()
    regional = [e for e in OSM_EXTRACTS.values() if e.region is not None]
    assert len(regional) == 22
    for extract in regional:
        slug = extract.name.removeprefix("osm-")
        assert index[slug] == extract.url, extract.name
    overseas = {"guadeloupe", "guyane", "martinique", "mayotte", "reunion"}
    assert {e.name.removeprefix("osm-") for e in regional} == set(index) - overseas
    assert OSM_EXTRACTS["osm-france"].url.endswith("/europe/france-latest.osm.pbf")


def test_extracts_cover_each_metropolitan_departement_once_in_its_current_region():
    deps = read_departements()
    metro = deps[deps["zone"] == "metro"]
    seen = [d for e in osm_extracts_for() for d in e.departements]
    assert len(seen) == len(set(seen)) == 96
    assert set(seen) == set(metro.index)
    for extract in osm_extracts_for():
        assert set(metro.loc[list(extract.departements), "region"]) == {extract.region}
        assert all(d in extract.covers for d in extract.departements)


def test_extracts_for_an_area():
    names = [e.name for e in osm_extracts_for(region="75")]
    assert names == ["osm-aquitaine", "osm-limousin", "osm-poitou-charentes"]
    assert [e.name for e in osm_extracts_for(departements="17")] == ["osm-poitou-charentes"]
    both = osm_extracts_for(region="94", departements=["2A", "64", "33"])
    assert [e.name for e in both] == ["osm-aquitaine", "osm-corse"]
    assert len(osm_extracts_for(region="84")) == 2  # Auvergne + Rhône-Alpes
    with pytest.raises(OptionError, match=r"'971'.*own \.osm\.pbf"):
        osm_extracts_for(departements=["16", "971"])
    with pytest.raises(OptionError, match=r"region '99'.*75"):
        osm_extracts_for(region="99")
    with pytest.raises(OptionError, match="osm-limousin"):
        fetch_osm_extract("osm-nouvelle-aquitaine")


@pytest.fixture(autouse=True)
def no_checksum(monkeypatch):
    """Geofabrik's .md5 files are not read here (tests/test_sources_mirror.py reads them)."""
    monkeypatch.setattr("maillage.sources.extracts.published_md5", lambda _url: None)


@pytest.fixture
def no_download(monkeypatch):
    import pooch

    def refuse(*_args, **_kwargs):
        pytest.fail("pooch.retrieve must not be called")

    monkeypatch.setattr(pooch, "retrieve", refuse)


@pytest.fixture
def fake_download(monkeypatch):
    """Replace pooch.retrieve by a stub that writes a small file and records its calls."""
    import pooch

    calls = []

    def retrieve(url, known_hash, fname, path, progressbar):
        calls.append({"url": url, "known_hash": known_hash, "fname": fname})
        target = path / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"pbf")
        return str(target)

    monkeypatch.setattr(pooch, "retrieve", retrieve)
    return calls


def _cache(tmp_path, name: str, day: str):
    path = tmp_path / "cache" / "osm" / name / f"{name}-{day}.osm.pbf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(day.encode())
    return path


def test_data_directory_copy_comes_first(tmp_path, no_download):
    _cache(tmp_path, "osm-limousin", "2026-01-02")
    folder = tmp_path / "data" / "osm" / "osm-limousin"
    folder.mkdir(parents=True)
    old, new = folder / "old.osm.pbf", folder / "limousin-latest.osm.pbf"
    old.write_bytes(b"old")
    new.write_bytes(b"new")
    os.utime(old, (1e9, 1e9))
    (folder / "notes.txt").write_text("not an extract")
    with options.set(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", offline=False):
        assert fetch_osm_extract("osm-limousin") == new


def test_newest_cached_copy_is_reused_and_its_date_logged(tmp_path, no_download, caplog):
    _cache(tmp_path, "osm-limousin", "2025-12-31")
    newest = _cache(tmp_path, "osm-limousin", "2026-01-02")
    (newest.parent / "osm-limousin-latest.osm.pbf").write_bytes(b"undated: ignored")
    caplog.set_level(logging.INFO, logger="maillage.sources")
    with options.set(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", offline=True):
        assert fetch_osm_extract("osm-limousin") == newest
    assert "downloaded on 2026-01-02" in caplog.text


def test_download_is_dated_not_hashed_then_reused(tmp_path, fake_download):
    with options.set(data_dir=None, cache_dir=tmp_path / "cache", offline=False):
        first = fetch_osm_extract("osm-aquitaine")
        again = fetch_osm_extract("osm-aquitaine")
    assert (
        first
        == again
        == tmp_path / "cache" / "osm" / "osm-aquitaine" / (f"osm-aquitaine-{TODAY}.osm.pbf")
    )
    assert fake_download == [
        {
            "url": OSM_EXTRACTS["osm-aquitaine"].url,
            "known_hash": None,
            "fname": f"osm-aquitaine-{TODAY}.osm.pbf",
        }
    ]


def test_region_75_downloads_its_three_extracts(tmp_path, fake_download):
    names = [e.name for e in osm_extracts_for(region="75")]
    with options.set(data_dir=tmp_path, cache_dir=tmp_path / "cache", offline=False):
        paths = fetch_osm_extracts(names)
    assert [p.parent.name for p in paths] == names
    assert [c["url"].rsplit("/", 1)[1] for c in fake_download] == [
        "aquitaine-latest.osm.pbf",
        "limousin-latest.osm.pbf",
        "poitou-charentes-latest.osm.pbf",
    ]


def test_offline_error_lists_every_missing_url_and_target(tmp_path, no_download):
    _cache(tmp_path, "osm-limousin", "2026-01-02")
    names = [e.name for e in osm_extracts_for(region="75")]
    with (
        options.set(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", offline=True),
        pytest.raises(MissingDataError) as info,
    ):
        fetch_osm_extracts(names)
    message = str(info.value)
    for slug in ("aquitaine", "poitou-charentes"):
        url = OSM_EXTRACTS[f"osm-{slug}"].url
        assert f"download {url} to {tmp_path / 'data' / 'osm' / f'osm-{slug}'}/" in message
    assert "limousin" not in message  # the cached copy is enough


def test_offline_without_data_dir_names_the_dated_cache_file(tmp_path):
    with (
        options.set(data_dir=None, cache_dir=tmp_path, offline=True),
        pytest.raises(MissingDataError, match="MAILLAGE_DATA_DIR") as info,
    ):
        fetch_osm_extract("osm-corse")
    assert str(tmp_path / "osm" / "osm-corse" / f"osm-corse-{TODAY}.osm.pbf") in str(info.value)


def test_failed_download_is_not_cached_and_says_what_to_do(tmp_path, monkeypatch):
    import pooch

    def unreachable(*_args, **_kwargs):
        raise ConnectionError("no route to host")

    monkeypatch.setattr(pooch, "retrieve", unreachable)
    with (
        options.set(data_dir=None, cache_dir=tmp_path, offline=False),
        pytest.raises(DataSourceError, match=r"corse-latest.*<data_dir>/osm/osm-corse/"),
    ):
        fetch_osm_extract("osm-corse")
    assert not list(tmp_path.rglob("*.osm.pbf"))


@pytest.mark.network
def test_real_download_of_the_smallest_extract(tmp_path):
    from maillage.travel.graph.osm import check_pbf

    with options.set(data_dir=None, cache_dir=tmp_path, offline=False):
        path = fetch_osm_extract("osm-corse")
    assert path.name == f"osm-corse-{TODAY}.osm.pbf"
    check_pbf(path)


def test_insee_files_share_the_lookup_of_the_extracts(tmp_path, no_download, caplog):
    from maillage.sources import fetch_insee_commutes

    folder = tmp_path / "cache" / "commutes" / "insee-flows-2021"
    folder.mkdir(parents=True)
    old = folder / "insee-flows-2021-2025-12-31.zip"
    new = folder / "insee-flows-2021-2026-01-02.zip"
    old.write_bytes(b"old")
    new.write_bytes(b"new")
    (folder / "insee-flows-2021-latest.zip").write_bytes(b"undated: ignored")
    caplog.set_level(logging.INFO, logger="maillage.sources")
    with options.set(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", offline=True):
        assert fetch_insee_commutes("insee-flows-2021") == new
    assert "INSEE commute file insee-flows-2021: using the copy downloaded on 2026-01-02" in (
        caplog.text
    )
    with (
        options.set(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", offline=True),
        pytest.raises(MissingDataError, match=r"insee-flows-2019.*any name ending \.zip"),
    ):
        fetch_insee_commutes("insee-flows-2019")
    with pytest.raises(OptionError, match=r"unknown INSEE commute file 'x'.*insee-flows-2017"):
        fetch_insee_commutes("x")
