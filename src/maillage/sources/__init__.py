"""Catalogue of the public datasets maillage knows; this package is the only place that downloads.

Each :class:`Dataset` pins its upstream files by URL (a commit or a version) and sha256,
and carries its licence and attribution. The entries are data: the package file
``data/catalogue.toml`` (:mod:`maillage.sources.catalogue`), read once into :data:`CATALOGUE`. :func:`fetch` looks for a file in this order:

1. the data directory (``options.data_dir``, env ``MAILLAGE_DATA_DIR``), laid out like
   the catalogue paths (``venues/cget-tiers-lieux-2019/CGET_TiersLieux_2019.csv``);
   the sha256 is checked;
2. the cache directory (``options.cache_dir``); the sha256 is checked too, and a damaged
   copy is reported in a :class:`~maillage.errors.MaillageWarning`, deleted and downloaded
   again;
3. a download with pooch (never when ``options.offline`` is set). Pooch writes to a
   temporary file and moves it only once the hash matches, so a failed download is never
   cached.

Regional OpenStreetMap extracts change daily: they are dated, not hashed, and live in
:mod:`maillage.sources.extracts` (:data:`OSM_EXTRACTS`, :func:`osm_extracts_for`,
:func:`fetch_osm_extract`), re-exported here. So are INSEE's national home-to-work files,
pinned by census vintage and dated, not hashed (:mod:`maillage.sources.commutes`:
:data:`INSEE_COMMUTE_FILES`, :func:`fetch_insee_commutes`).

Examples
--------
>>> from maillage.sources import get_dataset, credits
>>> get_dataset("cget-tiers-lieux-2019").licence
'Licence Ouverte 2.0 (Etalab)'
>>> credits(["cget-tiers-lieux-2019"])[0]
'CGET / ANCT – Mission Coworking, base des tiers-lieux 2019 (Licence Ouverte 2.0 (Etalab))'
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maillage.errors import DataSourceError, HashMismatchError, MissingDataError
from maillage.sources.cache import discard_entry
from maillage.sources.catalogue import catalogue_tables, find_entry, lookup_dirs
from maillage.sources.commutes import INSEE_COMMUTE_FILES, InseeCommuteFile, fetch_insee_commutes
from maillage.sources.extracts import (
    OSM_EXTRACTS,
    OsmExtract,
    fetch_osm_extract,
    fetch_osm_extracts,
    osm_extracts_for,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CATALOGUE",
    "INSEE_COMMUTE_FILES",
    "OSM_EXTRACTS",
    "DataFile",
    "Dataset",
    "InseeCommuteFile",
    "OsmExtract",
    "credits",
    "fetch",
    "fetch_insee_commutes",
    "fetch_osm_extract",
    "fetch_osm_extracts",
    "get_dataset",
    "osm_extracts_for",
    "sha256_of",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataFile:
    """One pinned file of a dataset.

    Attributes
    ----------
    path : str
        Path relative to the data directory, also used in the cache.
    url : str or None
        Upstream URL pinned to a commit or version; None when the file comes from a
        package and must be placed in the data directory by hand.
    sha256 : str
        Expected SHA-256 of the file's bytes.
    """

    path: str
    url: str | None
    sha256: str


@dataclass(frozen=True)
class Dataset:
    """A named public dataset.

    Attributes
    ----------
    name : str
        Catalogue key, e.g. ``"cget-tiers-lieux-2019"``.
    title, producer, licence, attribution, vintage : str
        Description; ``attribution`` is the text every output using the data must show.
    reader : str
        Which loader reads it (``"venues"``, ``"grid"``, ``"osm"``, ``"communes"``,
        ``"travel-times"``, ``"commutes"``).
    files : tuple of DataFile
        The pinned files.
    upstream : str
        Human-readable upstream location (repository and commit, or package and version).
    """

    name: str
    title: str
    producer: str
    licence: str
    attribution: str
    vintage: str
    reader: str
    files: tuple[DataFile, ...]
    upstream: str

    @property
    def credit(self) -> str:
        """Attribution line with its licence."""
        return f"{self.attribution} ({self.licence})"


def _dataset(entry: dict[str, Any]) -> Dataset:
    """Build a :class:`Dataset` from a ``[[dataset]]`` table of the catalogue file."""
    files = tuple(DataFile(**{"url": None} | file) for file in entry.get("files", ()))
    return Dataset(**entry | {"files": files})


CATALOGUE: dict[str, Dataset] = {
    d.name: d for d in (_dataset(entry) for entry in catalogue_tables()["dataset"])
}
"""Every catalogued dataset by name, as ``data/catalogue.toml`` lists them."""


def get_dataset(name: str) -> Dataset:
    """Return the catalogue entry called ``name``.

    Parameters
    ----------
    name : str
        Catalogue key.

    Returns
    -------
    Dataset
        The entry.

    Raises
    ------
    OptionError
        If no entry has that name; the message lists the known names.

    Examples
    --------
    >>> get_dataset("filosofi-2021-200m-oleron").producer
    'INSEE (tiling by J. Gaffuri)'
    """
    return find_entry(CATALOGUE, name, "dataset")


def credits(names: Iterable[str]) -> list[str]:
    """Return the attribution lines of the named datasets, without repeats, in order.

    Parameters
    ----------
    names : iterable of str
        Catalogue keys of the datasets a result used. Names that are not in the
        catalogue (a user's own file) are returned as given.

    Returns
    -------
    list of str
        One line per dataset: attribution and licence.

    Examples
    --------
    >>> credits(["osm-saint-barthelemy-2015", "my-own-census.csv"])
    ['© OpenStreetMap contributors (ODbL 1.0)', 'my-own-census.csv']
    """
    lines: list[str] = []
    for name in names:
        line = CATALOGUE[name].credit if name in CATALOGUE else str(name)
        if line not in lines:
            lines.append(line)
    return lines


_VERIFIED: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path, *, memo: bool = True) -> str:
    """Return the hex SHA-256 of a file's bytes, memoised on path, size and mtime.

    Parameters
    ----------
    path : pathlib.Path
        A regular file.
    memo : bool, default True
        Reuse the digest of a file already hashed with the same size and modification
        time; False reads the bytes again (a report folder checked for hand edits).

    Returns
    -------
    str
        Hex digest.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo and key in _VERIFIED:
        return _VERIFIED[key]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if memo:
        _VERIFIED[key] = digest.hexdigest()
    return digest.hexdigest()


def _checked(path: Path, file: DataFile) -> Path:
    found = sha256_of(path)
    if found != file.sha256:
        msg = (
            f"{path} does not match the catalogue: sha256 {found}, expected {file.sha256}. "
            "Replace it with the upstream file or remove it to download it again."
        )
        raise HashMismatchError(msg)
    return path


def _cached_intact(path: Path, file: DataFile) -> bool:
    """Whether a downloaded copy is in the cache, whole; a damaged one is reported and deleted."""
    if not path.is_file():
        return False
    found = sha256_of(path)
    if found == file.sha256:
        return True
    discard_entry(path, f"sha256 {found}, the catalogue pins {file.sha256}")
    return False


def _download(dataset: Dataset, file: DataFile, cache_dir: Path) -> Path:
    import pooch  # noqa: PLC0415 - only when a download is needed

    if file.url is None:
        msg = (
            f"{file.path} of dataset {dataset.name!r} cannot be downloaded: it comes from "
            f"{dataset.upstream}. Put it at <data_dir>/{file.path}."
        )
        raise MissingDataError(msg)
    target = cache_dir / file.path
    logger.info("downloading %s from %s", file.path, file.url)
    try:
        fetched = pooch.retrieve(
            file.url,
            known_hash=f"sha256:{file.sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=False,
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        raise HashMismatchError(f"download of {file.url} failed its hash check: {exc}") from exc
    except OSError as exc:
        msg = f"download of {file.url} failed ({exc}); put the file at <data_dir>/{file.path}"
        raise DataSourceError(msg) from exc
    return Path(fetched)


def fetch(
    name: str, *, data_dir: Path | str | None = None, offline: bool | None = None
) -> list[Path]:
    """Return local, hash-checked paths to every file of dataset ``name``.

    Parameters
    ----------
    name : str
        Catalogue key.
    data_dir : path, optional
        Data directory; defaults to ``options.data_dir``.
    offline : bool, optional
        Forbid downloads; defaults to ``options.offline``.

    Returns
    -------
    list of pathlib.Path
        One path per :class:`DataFile`, in catalogue order.

    Raises
    ------
    MissingDataError
        Offline and the file is in neither the data directory nor the cache; the
        message says which file to put where.
    HashMismatchError
        A file of the data directory, or a download, has the wrong sha256; the message names
        the file and both hashes. (A damaged copy in the cache is deleted and fetched again.)

    Examples
    --------
    >>> [path.name for path in fetch("fabriques-territoire-2024")]
    ['fabt_geom.geojson', 'manuprox_geom.geojson']
    """
    dataset = get_dataset(name)
    root, offline, cache_dir = lookup_dirs(data_dir, offline)
    paths = []
    for file in dataset.files:
        if root is not None and (root / file.path).is_file():
            paths.append(_checked(root / file.path, file))
        elif _cached_intact(cache_dir / file.path, file):
            paths.append(cache_dir / file.path)
        elif offline:
            where = f"{root}/{file.path}" if root is not None else f"<data_dir>/{file.path}"
            msg = (
                f"dataset {name!r} is not available offline: put {Path(file.path).name} "
                f"({file.url or dataset.upstream}) at {where}, or set MAILLAGE_DATA_DIR"
            )
            raise MissingDataError(msg)
        else:
            paths.append(_download(dataset, file, cache_dir))
    return paths
