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

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from maillage.sources.catalogue import catalogue_tables, find_entry
from maillage.sources.dated import DatedFile, fetch_dated

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Unpack

    from maillage.sources.dated import FetchOptions

__all__ = ["INSEE_COMMUTE_FILES", "InseeCommuteFile", "fetch_insee_commutes"]


@dataclass(frozen=True)
class InseeCommuteFile(DatedFile):
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

    folder: ClassVar[str] = "commutes"
    label: ClassVar[str] = "INSEE commute file"
    endings: ClassVar[tuple[str, ...]] = (".zip", ".csv", ".parquet")

    @property
    def by_hand(self) -> str:
        """How to get the file without maillage: from its INSEE page."""
        return (
            f"download it by hand from {self.page} and put it in <data_dir>/commutes/{self.name}/"
        )

    @property
    def credit(self) -> str:
        """Attribution line with its licence."""
        what = (
            "base flux de mobilité domicile – lieu de travail"
            if self.kind == "flows"
            else "fichier détail Mobilités professionnelles (FD_MOBPRO)"
        )
        return f"INSEE, recensement de la population {self.vintage}, {what} (Licence Ouverte)"


INSEE_COMMUTE_FILES: dict[str, InseeCommuteFile] = {
    f.name: f
    for f in (InseeCommuteFile(**entry) for entry in catalogue_tables()["insee_commute_file"])
}
"""INSEE's national commute files by name, as ``data/catalogue.toml`` lists them; dated by
download day, not hashed."""


def fetch_insee_commutes(name: str, **how: Unpack[FetchOptions]) -> Path:
    """Return a local copy of INSEE's national commute file ``name``, downloading it if needed.

    Parameters
    ----------
    name : str
        Key of :data:`INSEE_COMMUTE_FILES`, e.g. ``"insee-flows-2021"``.
    **how : FetchOptions
        ``data_dir`` (a file in ``<data_dir>/commutes/<name>/`` is used as is), ``offline``,
        ``progress``: see :class:`~maillage.sources.dated.FetchOptions`.

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
    maillage.errors.MissingDataError: INSEE commute file(s) insee-flows-2021 not available offline: download https://www.insee.fr/fr/statistiques/fichier/8201899/base-flux-mobilite-domicile-lieu-travail-2021-csv.zip to .../commutes/insee-flows-2021/ (any name ending .zip or .csv or .parquet)
    """
    return fetch_dated([find_entry(INSEE_COMMUTE_FILES, name, "INSEE commute file")], **how)[0]
