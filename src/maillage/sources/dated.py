"""Files dated by the day of download, not hashed: OpenStreetMap extracts, INSEE commute files.

Their upstream changes under the same URL (Geofabrik every day, INSEE when it corrects a
file), so no sha256 can pin them. A :class:`DatedFile` entry is looked for in this order:

1. ``<data_dir>/<folder>/<name>/``: the newest file with one of the entry's endings, put there
   by hand;
2. ``<cache_dir>/<folder>/<name>/<name>-YYYY-MM-DD<ending>``: the newest download (its date
   is logged; delete it to download a fresh one);
3. a download named after the day (:func:`download_dated`); pooch writes to a temporary file
   first, so a failed download is never cached.

Examples
--------
>>> import datetime as dt
>>> from maillage.sources import OSM_EXTRACTS
>>> OSM_EXTRACTS["osm-corse"].dated_name(dt.date(2026, 1, 2))
'osm-corse-2026-01-02.osm.pbf'
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypedDict

from maillage.errors import DataSourceError, MissingDataError
from maillage.sources.catalogue import lookup_dirs

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Self, Unpack

__all__ = ["DatedFile", "FetchOptions", "download_dated", "fetch_dated"]

logger = logging.getLogger(__name__)

_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(\..+)")


def download_dated(
    url: str,
    folder: Path,
    fname: str,
    *,
    by_hand: str,
    progress: bool,
    known_hash: str | None = None,
) -> Path:
    """Download a dated (not hashed) file of ``url`` to ``folder / fname``.

    Parameters
    ----------
    url : str
        Upstream address.
    folder, fname : pathlib.Path, str
        Where to store it in the cache (the name carries the day of download).
    by_hand : str
        How to get the file by hand, for the error message.
    progress : bool
        Show a progress bar.
    known_hash : str, optional
        Checksum the upstream publishes beside the file (``"md5:<hex>"``): a download that
        does not match it (truncated, corrupt) is refused and never cached.

    Returns
    -------
    pathlib.Path
        The downloaded file.

    Raises
    ------
    DataSourceError
        The download failed or did not match ``known_hash``; the message says how to do it
        by hand.
    """
    import pooch  # noqa: PLC0415 - only when a download is needed

    logger.info("downloading %s", url)
    try:
        fetched = pooch.retrieve(
            url, known_hash=known_hash, fname=fname, path=folder, progressbar=progress
        )
    except ValueError as exc:  # pooch: the checksum does not match; its temporary file is gone
        msg = (
            f"téléchargement de {url} refusé : le fichier reçu ne correspond pas à la somme de "
            f"contrôle publiée ({known_hash}), il est tronqué ou corrompu ; rien n'a été gardé "
            f"en cache. Relancez la commande, ou {by_hand}"
        )
        raise DataSourceError(msg) from exc
    except OSError as exc:  # requests errors (a connection cut mid-file too) are OSErrors
        msg = f"échec du téléchargement de {url} ({exc}) ; rien n'a été gardé en cache. {by_hand}"
        raise DataSourceError(msg) from exc
    return Path(fetched)


class FetchOptions(TypedDict, total=False):
    """Keyword arguments of the functions that fetch dated files.

    Attributes
    ----------
    data_dir : path or None
        Data directory; defaults to ``options.data_dir``. A copy put in
        ``<data_dir>/<folder>/<name>/`` (``osm``, ``commutes``) is used as is.
    offline : bool or None
        Forbid downloads; defaults to ``options.offline``.
    progress : bool
        Show a progress bar while downloading; default False.
    """

    data_dir: Path | str | None
    offline: bool | None
    progress: bool


class DatedFile:
    """Mixin of the catalogue entries dated by the day of download: where their copies are.

    A subclass is a frozen dataclass with ``name`` and ``url`` fields; it sets the class
    attributes below.

    Attributes
    ----------
    folder : str
        Sub-folder of the data and cache directories (``"osm"``, ``"commutes"``).
    label : str
        What the entry is, for messages (``"OpenStreetMap extract"``).
    endings : tuple of str
        File endings a copy may have, lower case (``(".osm.pbf",)``).
    """

    name: str
    url: str
    folder: ClassVar[str]
    label: ClassVar[str]
    endings: ClassVar[tuple[str, ...]]

    @property
    def suffix(self) -> str:
        """File ending of a download (``.osm.pbf``, ``.zip`` or ``.parquet``)."""
        url = self.url.lower()
        return next((end for end in self.endings if url.endswith(end)), Path(self.url).suffix)

    @property
    def by_hand(self) -> str:
        """How to get the file without maillage, for error messages."""
        return f"téléchargez-le à la main et placez-le dans <data_dir>/{self.folder}/{self.name}/"

    def folder_in(self, root: Path) -> Path:
        """Return ``<root>/<folder>/<name>``, where copies of the entry go."""
        return root / self.folder / self.name

    def dated_name(self, day: dt.date | None = None) -> str:
        """Return the file name of a download on ``day`` (default today) in the cache."""
        return f"{self.name}-{(day or dt.date.today()).isoformat()}{self.suffix}"

    def local_copy(self, root: Path | None) -> Path | None:
        """Return the newest copy put by hand in ``<root>/<folder>/<name>/``, if any."""
        if root is None:
            return None
        files = [
            p
            for p in self.folder_in(root).glob("*")
            if p.is_file() and p.name.lower().endswith(self.endings)
        ]
        if not files:
            return None
        path = max(files, key=lambda p: (p.stat().st_mtime, p.name))
        logger.info("%s %s: using %s from the data directory", self.label, self.name, path)
        return path

    def cached_copy(self, cache_dir: Path) -> Path | None:
        """Return the newest ``<name>-YYYY-MM-DD<ending>`` download in the cache, if any."""
        dated = {}
        for path in self.folder_in(cache_dir).glob(f"{self.name}-*"):
            match = _DAY.fullmatch(path.name.removeprefix(f"{self.name}-"))
            if match and match.group(2).lower() in self.endings and path.is_file():
                dated[match.group(1)] = path
        if not dated:
            return None
        day = max(dated)
        age = (dt.date.today() - dt.date.fromisoformat(day)).days
        logger.info(
            "%s %s: using the copy downloaded on %s (%d days ago) from the cache; delete %s "
            "to download a newer one",
            self.label,
            self.name,
            day,
            age,
            dated[day],
        )
        return dated[day]

    def find_copy(self, root: Path | None, cache_dir: Path) -> Path | None:
        """Return a copy from the data directory, else from the cache, else None."""
        return self.local_copy(root) or self.cached_copy(cache_dir)

    def target(self, root: Path | None, cache_dir: Path) -> str:
        """Return where a copy should go: the data directory's folder, else the dated cache file."""
        if root is not None:
            return f"{self.folder_in(root)}/ (any name ending {' or '.join(self.endings)})"
        return str(self.folder_in(cache_dir) / self.dated_name())

    @classmethod
    def offline_message(cls, missing: Sequence[Self], root: Path | None, cache_dir: Path) -> str:
        """Return the error for entries not available offline: each URL and where to put it."""
        names = ", ".join(e.name for e in missing)
        steps = "; ".join(f"download {e.url} to {e.target(root, cache_dir)}" for e in missing)
        hint = (
            ""
            if root is not None
            else f" (or into <data_dir>/{cls.folder}/<name>/ with MAILLAGE_DATA_DIR)"
        )
        return f"{cls.label}(s) {names} not available offline: {steps}{hint}"

    def download(self, cache_dir: Path, *, progress: bool) -> Path:
        """Download the file into the cache, named after today (:func:`download_dated`)."""
        return download_dated(
            self.url,
            self.folder_in(cache_dir),
            self.dated_name(),
            by_hand=self.by_hand,
            progress=progress,
        )


def fetch_dated[E: DatedFile](entries: Sequence[E], **how: Unpack[FetchOptions]) -> list[Path]:
    """Return a local copy of each entry: data directory, else cache, else a download.

    Parameters
    ----------
    entries : sequence of DatedFile
        Entries of one kind (:class:`~maillage.sources.OsmExtract`, ...).
    **how : FetchOptions
        ``data_dir``, ``offline`` and ``progress`` (:class:`FetchOptions`).

    Returns
    -------
    list of pathlib.Path
        One file per entry, in order; an entry given twice is downloaded once.

    Raises
    ------
    MissingDataError
        Offline and some entries have no copy: every URL and target path in one message.
    DataSourceError
        A download failed.

    Examples
    --------
    >>> import tempfile
    >>> from maillage.sources import INSEE_COMMUTE_FILES
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     fetch_dated([INSEE_COMMUTE_FILES["insee-flows-2021"]], data_dir=tmp, offline=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    maillage.errors.MissingDataError: INSEE commute file(s) insee-flows-2021 not available offline: download https://www.insee.fr/fr/statistiques/fichier/8201899/base-flux-mobilite-domicile-lieu-travail-2021-csv.zip to .../commutes/insee-flows-2021/ (any name ending .zip or .csv or .parquet)
    """
    root, offline, cache_dir = lookup_dirs(how.get("data_dir"), how.get("offline"))
    found = {e.name: e.find_copy(root, cache_dir) for e in entries}
    missing = [e for e in entries if found[e.name] is None]
    if missing and offline:
        raise MissingDataError(missing[0].offline_message(missing, root, cache_dir))
    paths = []
    for entry in entries:
        path = found[entry.name] or entry.download(cache_dir, progress=how.get("progress", False))
        found[entry.name] = path
        paths.append(path)
    return paths
