"""INSEE's national home-to-work files, pinned by census vintage: where to get them.

INSEE publishes, for each census vintage (*millésime* N, from the five collection surveys
N-2 to N+2), two national files on home-to-work commutes:

* the *Base flux de mobilité : déplacements domicile – lieu de travail* (``flows``): one
  row per couple home commune × work commune, ``CODGEO; LIBGEO; DCLT; L_DCLT;
  NBFLUX_C<yy>_ACTOCC15P`` (a zipped CSV of about 10 MB);
* the *fichier détail FD_MOBPRO* (``detail``): one row per sampled employed person,
  about 8 million rows, with the home ``COMMUNE`` (and ``ARM``), the work commune
  ``DCLT``, the mode ``TRANS`` and the weight ``IPONDI`` (a zipped CSV of about 90 MB, or
  Parquet from vintage 2021 on).

:mod:`maillage.load.commutes` documents their columns and mode codes. The URLs are those
of INSEE's file pages for each vintage; the files are not hashed (INSEE republishes
corrected files under the same URL) but dated: a download is named after its day, as the
OpenStreetMap extracts are (:mod:`maillage.sources.extracts`). :func:`fetch_insee_commutes`
looks for a copy in this order:

1. ``<data_dir>/commutes/<name>/``: any ``.zip``, ``.csv`` or ``.parquet`` put there by hand
   (the newest);
2. ``<cache_dir>/commutes/<name>/<name>-YYYY-MM-DD.<ext>``: the newest download;
3. a download (never when offline: the error says which URL to download and where to put it).

Examples
--------
>>> INSEE_COMMUTE_FILES["insee-fd-mobpro-2019"].url.rsplit("/", 1)[-1]
'RP2019_mobpro_csv.zip'
>>> sorted({f.kind for f in INSEE_COMMUTE_FILES.values()})
['detail', 'flows']
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from maillage.errors import MissingDataError, OptionError
from maillage.options import options
from maillage.sources.extracts import download_dated

__all__ = ["INSEE_COMMUTE_FILES", "InseeCommuteFile", "fetch_insee_commutes"]

logger = logging.getLogger(__name__)

_INSEE = "https://www.insee.fr/fr/statistiques"


@dataclass(frozen=True)
class InseeCommuteFile:
    """One national INSEE commute file of one census vintage: dated, not hashed.

    Attributes
    ----------
    name : str
        Catalogue key, ``"insee-flows-<vintage>"`` or ``"insee-fd-mobpro-<vintage>"``.
    kind : {"flows", "detail"}
        Base flux (couples of communes) or the FD_MOBPRO detail file (with modes).
    vintage : int
        Census vintage (*millésime*).
    url : str
        Download URL on insee.fr.
    page : str
        The INSEE page describing the file and its variables.
    """

    name: str
    kind: str
    vintage: int
    url: str
    page: str

    @property
    def suffix(self) -> str:
        """File extension of the download (``.zip`` or ``.parquet``)."""
        return Path(self.url).suffix

    @property
    def credit(self) -> str:
        """Attribution line with its licence."""
        what = (
            "base flux de mobilité domicile – lieu de travail"
            if self.kind == "flows"
            else "fichier détail Mobilités professionnelles (FD_MOBPRO)"
        )
        return f"INSEE, recensement de la population {self.vintage}, {what} (Licence Ouverte)"


# (kind, vintage, INSEE page id, file name)
_FILES = (
    ("flows", 2017, "4509353", "base-csv-flux-mobilite-domicile-lieu-travail-2017.zip"),
    ("flows", 2018, "5393835", "base-csv-flux-mobilite-domicile-lieu-travail-2018.zip"),
    ("flows", 2019, "6454112", "base-csv-flux-mobilite-domicile-lieu-travail-2019.zip"),
    ("flows", 2020, "7630376", "base-flux-mobilite-domicile-lieu-travail-2020-csv.zip"),
    ("flows", 2021, "8201899", "base-flux-mobilite-domicile-lieu-travail-2021-csv.zip"),
    ("flows", 2022, "8582949", "base-flux-mobilite-domicile-lieu-travail-2022_csv.zip"),
    ("detail", 2016, "4171531", "RP2016_mobpro_csv.zip"),
    ("detail", 2017, "4507890", "RP2017_mobpro_csv.zip"),
    ("detail", 2018, "5395749", "RP2018_mobpro_csv.zip"),
    ("detail", 2019, "6456056", "RP2019_mobpro_csv.zip"),
    ("detail", 2021, "8205896", "RP2021_mobpro.zip"),
    ("detail", 2022, "8589904", "RP2022_mobpro.parquet"),
)


def _entry(kind: str, vintage: int, page: str, file: str) -> InseeCommuteFile:
    name = f"insee-flows-{vintage}" if kind == "flows" else f"insee-fd-mobpro-{vintage}"
    return InseeCommuteFile(
        name, kind, vintage, f"{_INSEE}/fichier/{page}/{file}", f"{_INSEE}/{page}"
    )


INSEE_COMMUTE_FILES: dict[str, InseeCommuteFile] = {
    f.name: f for f in (_entry(*row) for row in _FILES)
}
"""INSEE's national commute files by name; dated by download day, not hashed."""

_SUFFIXES = (".zip", ".csv", ".parquet")
_DATED = re.compile(r"-(\d{4}-\d{2}-\d{2})\.(zip|csv|parquet)$")


def _get(name: str) -> InseeCommuteFile:
    try:
        return INSEE_COMMUTE_FILES[name]
    except KeyError:
        known = ", ".join(INSEE_COMMUTE_FILES)
        msg = f"unknown INSEE commute file {name!r}; the catalogue knows: {known}"
        raise OptionError(msg) from None


def _local_copy(entry: InseeCommuteFile, root: Path | None) -> Path | None:
    if root is None:
        return None
    folder = root / "commutes" / entry.name
    files = [p for p in folder.glob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES]
    if not files:
        return None
    path = max(files, key=lambda p: (p.stat().st_mtime, p.name))
    logger.info("INSEE file %s: using %s from the data directory", entry.name, path)
    return path


def _cached_copy(entry: InseeCommuteFile, cache_dir: Path) -> Path | None:
    dated = {}
    for path in (cache_dir / "commutes" / entry.name).glob(f"{entry.name}-*"):
        match = _DATED.search(path.name)
        if match and path.is_file():
            dated[match.group(1)] = path
    if not dated:
        return None
    day = max(dated)
    logger.info(
        "INSEE file %s: using the copy downloaded on %s from the cache (delete %s to "
        "download it again)",
        entry.name,
        day,
        dated[day],
    )
    return dated[day]


def _download(entry: InseeCommuteFile, cache_dir: Path, *, progress: bool) -> Path:
    return download_dated(
        entry.url,
        cache_dir / "commutes" / entry.name,
        f"{entry.name}-{dt.date.today().isoformat()}{entry.suffix}",
        by_hand=(
            f"download it by hand from {entry.page} and put it in <data_dir>/commutes/{entry.name}/"
        ),
        progress=progress,
    )


def fetch_insee_commutes(
    name: str,
    *,
    data_dir: Path | str | None = None,
    offline: bool | None = None,
    progress: bool = False,
) -> Path:
    """Return a local copy of INSEE's national commute file ``name``, downloading it if needed.

    Parameters
    ----------
    name : str
        Key of :data:`INSEE_COMMUTE_FILES`, e.g. ``"insee-flows-2021"``.
    data_dir : path, optional
        Data directory; defaults to ``options.data_dir``. A file in
        ``<data_dir>/commutes/<name>/`` is used as is.
    offline : bool, optional
        Forbid downloads; defaults to ``options.offline``.
    progress : bool, default False
        Show a progress bar while downloading.

    Returns
    -------
    pathlib.Path
        The zipped CSV or Parquet file.

    Raises
    ------
    OptionError
        Unknown name.
    MissingDataError
        Offline and no copy found: the message gives the URL and where to put the file.
    DataSourceError
        The download failed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     fetch_insee_commutes("insee-flows-2021", data_dir=tmp, offline=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    maillage.errors.MissingDataError: INSEE file insee-flows-2021 is not available offline: download https://www.insee.fr/fr/statistiques/fichier/8201899/base-flux-mobilite-domicile-lieu-travail-2021-csv.zip into .../commutes/insee-flows-2021/
    """
    entry = _get(name)
    root = Path(data_dir) if data_dir is not None else options.data_dir
    offline = options.offline if offline is None else offline
    cache_dir = Path(options.cache_dir)
    found = _local_copy(entry, root) or _cached_copy(entry, cache_dir)
    if found is not None:
        return found
    if offline:
        where = root if root is not None else cache_dir
        msg = (
            f"INSEE file {name} is not available offline: download {entry.url} into "
            f"{where / 'commutes' / name}/"
        )
        raise MissingDataError(msg)
    return _download(entry, cache_dir, progress=progress)
