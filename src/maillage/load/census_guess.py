"""Headers maillage reads without a mapping, and the ``--columns`` line it proposes for others.

Two layouts are read as they are, whatever the case and accents of their headers:

* the **canonical** one, the canonical names themselves (``venue_id``, ``name``, ``kind``,
  ``code_insee``, ``opened``, ``closed``, ``supported``, ``location_quality``, ``latitude``,
  ``longitude``, ``x``, ``y``);
* the **French** one, their French names (``Identifiant``, ``Nom``, ``Type`` or
  ``Typologie``, ``Code INSEE``, ``Ouverture``, ``Fermeture``, ``Soutien public``, ``Précision``,
  ``Latitude``, ``Longitude``, ``X``, ``Y``); see :data:`FRENCH_NAMES`.

Any other header is not guessed at: :func:`propose_columns` builds, from likely matches
(``nom``, ``lat``, ``lng``, ``insee``, ``identifiant``...), a mapping that the error message
shows as a ``--columns`` line and a ``columns={...}`` argument, for the user to check and
pass. It is never applied silently.

Examples
--------
>>> layout_mapping(["Identifiant", "Nom", "Latitude", "Longitude"])
{'Identifiant': 'venue_id', 'Nom': 'name', 'Latitude': 'latitude', 'Longitude': 'longitude'}
>>> columns_flag(propose_columns(["nom", "typologie", "cp", "Commune", "lat", "lng"]))
'--columns "nom=name,typologie=kind,lat=latitude,lng=longitude"'
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from maillage.load.census_schemas import MAPPABLE, is_personal

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "FRENCH_NAMES",
    "PLACE_FIELDS",
    "PROJECTED",
    "columns_flag",
    "header_matches",
    "layout_mapping",
    "parse_columns_flag",
    "propose_columns",
]

PROJECTED = ("x", "y")
"""Canonical names of projected coordinates (in the CRS given with ``crs=`` / ``--crs``)."""

FRENCH_NAMES = {
    "identifiant": "venue_id",
    "id": "venue_id",
    "nom": "name",
    "nomdulieu": "name",
    "nomlieu": "name",
    "nomdelastructure": "name",
    "nomstructure": "name",
    "structure": "name",
    "lieu": "name",
    "raisonsociale": "name",
    "libelle": "name",
    "denomination": "name",
    "name": "name",
    "type": "kind",
    "typologie": "kind",
    "typedelieu": "kind",
    "codeinsee": "code_insee",
    "insee": "code_insee",
    "codecommune": "code_insee",
    "codeinseecommune": "code_insee",
    "codeinseedelacommune": "code_insee",
    "commune": "commune",
    "ville": "commune",
    "nomdelacommune": "commune",
    "city": "commune",
    "town": "commune",
    "codepostal": "postal_code",
    "cp": "postal_code",
    "postcode": "postal_code",
    "zipcode": "postal_code",
    "departement": "departement",
    "dept": "departement",
    "ouverture": "opened",
    "fermeture": "closed",
    "soutienpublic": "supported",
    "precision": "location_quality",
    "latitude": "latitude",
    "lat": "latitude",
    "longitude": "longitude",
    "lon": "longitude",
    "lng": "longitude",
    "long": "longitude",
    "x": "x",
    "y": "y",
}
"""French and English headers as people write them (compared without case, accents, spaces
nor punctuation) -> canonical name; ``commune``, ``postal_code`` and ``departement`` place a
venue without coordinates in its commune."""

PLACE_FIELDS = ("code_insee", "commune")
"""Canonical names that can place a venue given without coordinates (at its commune)."""

_LIKELY = {
    "venue_id": ("id", "identifiant", "ident", "code", "numero", "matricule", "uid"),
    "name": ("nom", "name", "nomlieu", "libelle", "lib", "raisonsociale", "title", "titre"),
    "kind": ("typologie", "typo", "type", "categorie", "category", "categories", "kind"),
    "code_insee": ("insee", "codeinsee", "codecommune", "inseecom", "codgeo", "depcom", "citycode"),
    "opened": ("annee", "anneeouverture", "dateouverture", "ouverture", "creation", "opened"),
    "latitude": ("lat", "latitude", "latwgs84", "geolatitude", "ycoord"),
    "longitude": ("lon", "lng", "long", "longitude", "lonwgs84", "geolongitude", "xcoord"),
    "x": ("x", "xl93", "xlambert", "coordx"),
    "y": ("y", "yl93", "ylambert", "coordy"),
}


def _key(column: object) -> str:
    plain = unicodedata.normalize("NFKD", str(column)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def layout_mapping(found: Iterable[str], *, has_geometry: bool = False) -> dict[str, str] | None:
    """Map a canonical or French header; None when it is neither.

    Parameters
    ----------
    found : iterable of str
        Column names of the census.
    has_geometry : bool
        The file has geometries, so coordinate columns are not needed.

    Returns
    -------
    dict or None
        Their column -> canonical name (:data:`FRENCH_NAMES`), for a header that holds a
        name and a place: coordinates (``latitude`` and ``longitude``, or ``x`` and ``y``),
        geometries, or a commune (``code_insee``, or ``commune`` with ``postal_code`` or
        ``departement``). Other columns, and personal ones, are ignored.

    Examples
    --------
    >>> layout_mapping(["venue_id", "name", "latitude", "longitude", "email"])
    {'venue_id': 'venue_id', 'name': 'name', 'latitude': 'latitude', 'longitude': 'longitude'}
    >>> layout_mapping(["Nom du lieu", "Commune", "Code postal", "Courriel"])
    {'Nom du lieu': 'name', 'Commune': 'commune', 'Code postal': 'postal_code'}
    >>> layout_mapping(["Référence", "lat", "lon"]) is None
    True
    """
    mapping = header_matches(found)
    targets = set(mapping.values())
    located = has_geometry or {"latitude", "longitude"} <= targets or {"x", "y"} <= targets
    placed = bool(targets & set(PLACE_FIELDS))
    return mapping if "name" in targets and (located or placed) else None


def header_matches(found: Iterable[str]) -> dict[str, str]:
    """Map every header that is a canonical name or in :data:`FRENCH_NAMES`, complete or not.

    Parameters
    ----------
    found : iterable of str
        The headers, as written in the file.

    Returns
    -------
    dict
        Header -> canonical name: the first header for each canonical name, never a personal
        one; what ``columns=`` / ``--columns`` completes or overrides.

    Examples
    --------
    >>> header_matches(["Enseigne", "LAT", "lng", "Téléphone"])
    {'LAT': 'latitude', 'lng': 'longitude'}
    """
    canonical = {_key(c): c for c in MAPPABLE + PROJECTED}
    names = canonical | FRENCH_NAMES
    mapping: dict[str, str] = {}
    for column in found:
        key = _key(column)
        target = canonical.get(key) or names.get(key)
        if target and not is_personal(column) and target not in mapping.values():
            mapping[str(column)] = target
    return mapping


def propose_columns(found: Iterable[str]) -> dict[str, str]:
    """Propose a mapping for an unrecognised header, from likely column names.

    Parameters
    ----------
    found : iterable of str
        Column names of the census.

    Returns
    -------
    dict
        Their column -> canonical name, at most one column per canonical name (the first
        likely one), never a personal column. Only a proposal: it is shown, not applied.
    """
    proposal: dict[str, str] = {}
    for column in found:
        if is_personal(column):
            continue
        key = _key(column)
        for target, likely in _LIKELY.items():
            if key in likely and target not in proposal.values():
                proposal[str(column)] = target
                break
    return proposal


def _escape(name: str) -> str:
    return re.sub(r"([\\=,])", r"\\\1", name)


def columns_flag(mapping: Mapping[str, str]) -> str:
    r"""Write a mapping as the ``--columns`` option of ``maillage report``.

    Parameters
    ----------
    mapping : dict
        Their column -> canonical name.

    Returns
    -------
    str
        ``--columns "Their=canonical,..."``; ``=``, ``,`` and ``\`` in a column name are
        escaped with a backslash.

    Examples
    --------
    >>> columns_flag({"Nom, lieu": "name", "lat": "latitude"})
    '--columns "Nom\\, lieu=name,lat=latitude"'
    """
    pairs = ",".join(f"{_escape(column)}={target}" for column, target in mapping.items())
    return f'--columns "{pairs}"'


def _split_escaped(text: str, separator: str) -> list[str]:
    """Split at ``separator`` not preceded by a backslash; a backslash keeps the next character."""
    parts, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))  # kept escaped until the pair is split
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def parse_columns_flag(text: str) -> dict[str, str]:
    r"""Read the value of ``--columns``: ``"Their=canonical,Other=canonical"``.

    A column name holding ``=`` or ``,`` is written with a backslash before it
    (``"Nom\, prénom=name"``, ``"a\=b=venue_id"``); ``\\`` is a backslash.

    Parameters
    ----------
    text : str
        Comma-separated ``their column=canonical name`` pairs.

    Returns
    -------
    dict
        Their column -> canonical name.

    Raises
    ------
    ValueError
        For a pair without ``=`` or with an empty side, or a column given twice (French
        message naming it).

    Examples
    --------
    >>> parse_columns_flag("Identifiant=venue_id, Nom du lieu=name")
    {'Identifiant': 'venue_id', 'Nom du lieu': 'name'}
    >>> parse_columns_flag(r"Nom\, lieu=name,x\=y=venue_id")
    {'Nom, lieu': 'name', 'x=y': 'venue_id'}
    """
    mapping: dict[str, str] = {}
    for pair in _split_escaped(text, ","):
        sides = _split_escaped(pair, "=")
        column, target = _unescape(sides[0]).strip(), sides[-1].strip()
        if len(sides) != 2 or not column or not target:
            msg = (
                "--columns attend des paires « Leur colonne=nom canonique » séparées par des "
                f"virgules (\\= et \\, dans un nom de colonne), reçu « {pair.strip()} »"
            )
            raise ValueError(msg)
        if column in mapping:
            msg = (
                f"--columns donne deux fois la colonne « {column} » "
                f"(={mapping[column]} et ={target}) : une colonne ne se lit qu'une fois"
            )
            raise ValueError(msg)
        mapping[column] = target
    return mapping
