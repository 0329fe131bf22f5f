"""Regional OpenStreetMap extracts: which ones cover an area, and where to get them.

Geofabrik still cuts metropolitan France by the 22 former régions (before 2016), so a
current région may need several extracts: Nouvelle-Aquitaine (75) is ``osm-aquitaine``,
``osm-limousin`` and ``osm-poitou-charentes``. The extracts change every day, so they are
dated, not hashed. :func:`fetch_osm_extract` looks for a copy in this order:

1. ``<data_dir>/osm/<name>/``: any ``*.osm.pbf`` file put there by hand (the newest);
2. ``<cache_dir>/osm/<name>/<name>-YYYY-MM-DD.osm.pbf``: the newest download (its date is
   logged; delete it to download a fresh one);
3. a download with pooch, named after the day (never when offline: the error says which
   URL to download and where to put it). Geofabrik publishes each file's MD5 beside it
   (``<slug>-latest.osm.pbf.md5``): the download is checked against it, and a truncated or
   corrupt file is refused and never cached.

A mirror with Geofabrik's layout (``<base>/europe/france/<slug>-latest.osm.pbf`` and its
``.md5``) replaces Geofabrik when the environment variable ``MAILLAGE_OSM_MIRROR`` gives its
base URL (e.g. ``http://miroir.example.org/geofabrik``).

Examples
--------
>>> [e.name for e in osm_extracts_for(region="75")]
['osm-aquitaine', 'osm-limousin', 'osm-poitou-charentes']
>>> OSM_EXTRACTS["osm-limousin"].departements
('19', '23', '87')
"""

from __future__ import annotations

import logging
import os
import re
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from maillage.errors import OptionError
from maillage.sources.catalogue import find_entry
from maillage.sources.dated import DatedFile, download_dated, fetch_dated

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path
    from typing import Unpack

    from maillage.sources.dated import FetchOptions

__all__ = [
    "MIRROR_ENV",
    "OSM_EXTRACTS",
    "OsmExtract",
    "fetch_osm_extract",
    "fetch_osm_extracts",
    "mirrored_url",
    "osm_extracts_for",
    "published_md5",
]

logger = logging.getLogger(__name__)

MIRROR_ENV = "MAILLAGE_OSM_MIRROR"
"""Environment variable: base URL of a mirror with Geofabrik's layout, used instead of it."""

_GEOFABRIK_HOST = "https://download.geofabrik.de"
_MD5 = re.compile(r"\s*([0-9a-fA-F]{32})\b")


def mirrored_url(url: str) -> str:
    """Return ``url`` on the mirror named by ``MAILLAGE_OSM_MIRROR``, if one is set.

    Parameters
    ----------
    url : str
        A Geofabrik URL.

    Returns
    -------
    str
        The same path under the mirror's base URL; ``url`` itself without a mirror.

    Examples
    --------
    >>> os.environ[MIRROR_ENV] = "http://127.0.0.1:8000/geofabrik/"
    >>> mirrored_url(OSM_EXTRACTS["osm-corse"].url)
    'http://127.0.0.1:8000/geofabrik/europe/france/corse-latest.osm.pbf'
    >>> del os.environ[MIRROR_ENV]
    >>> mirrored_url(OSM_EXTRACTS["osm-corse"].url)
    'https://download.geofabrik.de/europe/france/corse-latest.osm.pbf'
    """
    base = os.environ.get(MIRROR_ENV, "").strip().rstrip("/")
    if not base or not url.startswith(_GEOFABRIK_HOST):
        return url
    return base + url.removeprefix(_GEOFABRIK_HOST)


def published_md5(url: str) -> str | None:
    """Return the MD5 published beside ``url`` (``<url>.md5``), or None if there is none.

    Parameters
    ----------
    url : str
        Address of the file.

    Returns
    -------
    str or None
        The lower-case hex digest; None (with a warning) when the checksum cannot be read,
        and the file is then downloaded unchecked.
    """
    try:
        with urllib.request.urlopen(f"{url}.md5", timeout=60) as answer:
            text = answer.read(4096).decode("ascii", "replace")
    except OSError as exc:
        logger.warning(
            "somme de contrôle %s.md5 illisible (%s) : le fichier sera téléchargé sans vérification",
            url,
            exc,
        )
        return None
    match = _MD5.match(text)
    if match is None:
        logger.warning(
            "%s.md5 ne contient pas de somme MD5 : le fichier sera téléchargé sans vérification",
            url,
        )
        return None
    return match.group(1).lower()


@dataclass(frozen=True)
class OsmExtract(DatedFile):
    """An upstream regional OpenStreetMap extract: dated, not hashed (it changes daily).

    Attributes
    ----------
    name : str
        Catalogue key, ``"osm-<slug>"``.
    url : str
        Download URL of the latest extract.
    covers : str
        What the extract covers.
    region : str or None
        Code of the current région the extract lies in (None for the whole of France).
    departements : tuple of str
        Codes of the départements it covers.
    """

    name: str
    url: str
    covers: str
    region: str | None = None
    departements: tuple[str, ...] = ()

    folder: ClassVar[str] = "osm"
    label: ClassVar[str] = "OpenStreetMap extract"
    endings: ClassVar[tuple[str, ...]] = (".osm.pbf",)

    def download(self, cache_dir: Path, *, progress: bool) -> Path:
        """Download the extract (from the mirror if one is set), checked against its MD5."""
        url = mirrored_url(self.url)
        md5 = published_md5(url)
        return download_dated(
            url,
            self.folder_in(cache_dir),
            self.dated_name(),
            by_hand=self.by_hand,
            progress=progress,
            known_hash=None if md5 is None else f"md5:{md5}",
        )


_GEOFABRIK = f"{_GEOFABRIK_HOST}/europe/france"

# slug on Geofabrik, former région, current région code, départements (COG codes)
_FORMER_REGIONS = (
    ("alsace", "Alsace", "44", "67 68"),
    ("aquitaine", "Aquitaine", "75", "24 33 40 47 64"),
    ("auvergne", "Auvergne", "84", "03 15 43 63"),
    ("basse-normandie", "Basse-Normandie", "28", "14 50 61"),
    ("bourgogne", "Bourgogne", "27", "21 58 71 89"),
    ("bretagne", "Bretagne", "53", "22 29 35 56"),
    ("centre", "Centre", "24", "18 28 36 37 41 45"),
    ("champagne-ardenne", "Champagne-Ardenne", "44", "08 10 51 52"),
    ("corse", "Corse", "94", "2A 2B"),
    ("franche-comte", "Franche-Comté", "27", "25 39 70 90"),
    ("haute-normandie", "Haute-Normandie", "28", "27 76"),
    ("ile-de-france", "Île-de-France", "11", "75 77 78 91 92 93 94 95"),
    ("languedoc-roussillon", "Languedoc-Roussillon", "76", "11 30 34 48 66"),
    ("limousin", "Limousin", "75", "19 23 87"),
    ("lorraine", "Lorraine", "44", "54 55 57 88"),
    ("midi-pyrenees", "Midi-Pyrénées", "76", "09 12 31 32 46 65 81 82"),
    ("nord-pas-de-calais", "Nord-Pas-de-Calais", "32", "59 62"),
    ("pays-de-la-loire", "Pays de la Loire", "52", "44 49 53 72 85"),
    ("picardie", "Picardie", "32", "02 60 80"),
    ("poitou-charentes", "Poitou-Charentes", "75", "16 17 79 86"),
    ("provence-alpes-cote-d-azur", "Provence-Alpes-Côte d'Azur", "93", "04 05 06 13 83 84"),
    ("rhone-alpes", "Rhône-Alpes", "84", "01 07 26 38 42 69 73 74"),
)


def _regional(slug: str, title: str, region: str, codes: str) -> OsmExtract:
    departements = tuple(codes.split())
    covers = (
        f"former région {title} (now in région {region}): départements {', '.join(departements)}"
    )
    return OsmExtract(
        f"osm-{slug}", f"{_GEOFABRIK}/{slug}-latest.osm.pbf", covers, region, departements
    )


_REGIONAL = tuple(_regional(*row) for row in _FORMER_REGIONS)
_FRANCE = OsmExtract(
    "osm-france",
    f"{_GEOFABRIK}-latest.osm.pbf",
    "all of France in one file (about 5 GB); the regional extracts are smaller",
    None,
    tuple(sorted(d for e in _REGIONAL for d in e.departements)),
)
OSM_EXTRACTS: dict[str, OsmExtract] = {e.name: e for e in (*_REGIONAL, _FRANCE)}
"""Upstream OpenStreetMap extracts of France (Geofabrik), by name; dated by download day."""


def _codes(departements: str | Iterable[str]) -> list[str]:
    items = [departements] if isinstance(departements, str) else list(departements)
    return [str(d).zfill(2) for d in items]


def osm_extracts_for(
    *, region: str | None = None, departements: str | Sequence[str] | None = None
) -> list[OsmExtract]:
    """Return the regional extracts that cover a région and/or départements.

    Parameters
    ----------
    region : str, optional
        Current INSEE région code, e.g. ``"75"`` (metropolitan régions only).
    departements : str or sequence of str, optional
        Département codes, e.g. ``["16", "87"]``. With ``region`` too, the extracts of
        both are returned.

    Returns
    -------
    list of OsmExtract
        In catalogue order; every regional extract when no area is given.

    Raises
    ------
    OptionError
        A code no extract covers (overseas, or unknown); the message lists the known codes.

    Examples
    --------
    >>> [e.name for e in osm_extracts_for(departements=["16", "87"])]
    ['osm-limousin', 'osm-poitou-charentes']
    >>> len(osm_extracts_for())
    22
    >>> osm_extracts_for(region="01")
    Traceback (most recent call last):
    ...
    maillage.errors.OptionError: region '01' has no catalogued OpenStreetMap extract; the catalogue covers the metropolitan régions 11, 24, 27, 28, 32, 44, 52, 53, 75, 76, 84, 93, 94 (elsewhere pass your own .osm.pbf files)
    """
    if region is None and departements is None:
        return list(_REGIONAL)
    wanted: set[str] = set()
    if region is not None:
        found = {e.name for e in _REGIONAL if e.region == str(region)}
        if not found:
            known = ", ".join(sorted({e.region for e in _REGIONAL if e.region}))
            msg = (
                f"region {region!r} has no catalogued OpenStreetMap extract; the catalogue "
                f"covers the metropolitan régions {known} (elsewhere pass your own .osm.pbf files)"
            )
            raise OptionError(msg)
        wanted |= found
    if departements is not None:
        codes = _codes(departements)
        covered = {d for e in _REGIONAL for d in e.departements}
        unknown = [d for d in codes if d not in covered]
        if unknown:
            msg = (
                f"departements {unknown} have no catalogued OpenStreetMap extract (only the "
                "96 metropolitan départements do); pass your own .osm.pbf files"
            )
            raise OptionError(msg)
        wanted |= {e.name for e in _REGIONAL if set(e.departements) & set(codes)}
    return [e for e in _REGIONAL if e.name in wanted]


def fetch_osm_extract(name: str, **how: Unpack[FetchOptions]) -> Path:
    """Return a local copy of the OpenStreetMap extract ``name``, downloading it if needed.

    Parameters
    ----------
    name : str
        Key of :data:`OSM_EXTRACTS`, e.g. ``"osm-aquitaine"``.
    **how : FetchOptions
        ``data_dir`` (a ``*.osm.pbf`` in ``<data_dir>/osm/<name>/`` is used as is),
        ``offline``, ``progress``: see :class:`~maillage.sources.dated.FetchOptions`.

    Returns
    -------
    pathlib.Path
        The ``.osm.pbf`` file.

    Raises
    ------
    OptionError
        Unknown extract name.
    MissingDataError
        Offline and no copy found; the message gives the URL and where to put the file.
    DataSourceError
        The download failed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = Path(tmp) / "osm" / "osm-limousin"
    ...     folder.mkdir(parents=True)
    ...     _ = (folder / "limousin-latest.osm.pbf").write_bytes(b"")
    ...     fetch_osm_extract("osm-limousin", data_dir=tmp, offline=True).name
    'limousin-latest.osm.pbf'
    """
    return fetch_osm_extracts([name], **how)[0]


def fetch_osm_extracts(names: Iterable[str], **how: Unpack[FetchOptions]) -> list[Path]:
    """Return local copies of several extracts; offline, one error lists every missing one.

    Parameters
    ----------
    names : iterable of str
        Keys of :data:`OSM_EXTRACTS`.
    **how : FetchOptions
        As in :func:`fetch_osm_extract`.

    Returns
    -------
    list of pathlib.Path
        One file per name, in order.

    Raises
    ------
    MissingDataError
        Offline and some extracts have no copy: every URL and target path in one message.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     fetch_osm_extracts(["osm-corse"], data_dir=tmp, offline=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    maillage.errors.MissingDataError: OpenStreetMap extract(s) osm-corse not available offline: download https://download.geofabrik.de/europe/france/corse-latest.osm.pbf to .../osm/osm-corse/ (any name ending .osm.pbf)
    """
    return fetch_dated([find_entry(OSM_EXTRACTS, n, "OpenStreetMap extract") for n in names], **how)
