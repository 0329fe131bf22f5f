"""Venue census schemas: recognise a census from its columns and map it to canonical names.

A census file is read in two steps: its header first, to recognise one of the known
schemas (:data:`SCHEMAS`) or to apply the user's ``columns`` mapping; then only the
columns that the mapping needs. Columns holding personal data (a contact person, an
e-mail, a phone number) are never part of a mapping, so they are never read.

Examples
--------
>>> from maillage.load.census_schemas import recognise, is_personal
>>> recognise(["ID", "NOM_TL", "TYPO", "INSEECOM", "LAT", "LONG", "MAIL"]).name
'cget-tiers-lieux-2019'
>>> is_personal("MAIL"), is_personal("e-mail"), is_personal("NOM_TL")
(True, True, False)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from maillage.errors import ColumnError, OptionError
from maillage.schema import VENUE_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "GOGOCARTO_SCHEMA",
    "KIND_UNKNOWN",
    "MAPPABLE",
    "MEDIATION_SCHEMA",
    "SCHEMAS",
    "CensusSchema",
    "is_personal",
    "recognise",
    "resolve_mapping",
]

KIND_UNKNOWN = "non renseigné"
"""Kind given to a venue whose census does not say what it is."""

MAPPABLE = (
    *(c for c in VENUE_COLUMNS if c != "geometry"),
    "latitude",
    "longitude",
    "x",
    "y",
    "commune",
    "postal_code",
    "departement",
)
"""Canonical names a census column can be mapped to with ``columns={...}``; ``x`` / ``y``
are projected coordinates, in the CRS given with ``crs=``; ``commune`` (a name),
``postal_code`` and ``departement`` place a venue without coordinates in its commune."""

_PLACES = ("code_insee", "commune")  # a venue without coordinates is placed at its commune

_REQUIRED = ("name",)  # without a venue_id column, venues are named after their row
_PERSONAL_WORDS = (
    # e-mail, in French and English
    "mail",
    "email",
    "mel",
    "courriel",
    "electronique",
    "adressemail",
    "adresseemail",
    # phone and fax
    "telephone",
    "tel",
    "phone",
    "portable",
    "mobile",
    "gsm",
    "fax",
    "telecopie",
    # a person: contact, referent, person in charge, first name, title
    "contact",
    "referent",
    "referente",
    "responsable",
    "interlocuteur",
    "interlocutrice",
    "gerant",
    "gerante",
    "prenom",
    "civilite",
    "personne",
    "personnel",
    "perso",
)
_PERSONAL_TOKENS = frozenset(_PERSONAL_WORDS) | {f"{w}s" for w in _PERSONAL_WORDS}
_PERSONAL_PREFIXES = ("email", "courriel", "telephone", "contact", "referent", "responsable")
"""A token that starts with one of these is personal as well (``emailContact``, ``telephone1``)."""


@dataclass(frozen=True)
class CensusSchema:
    """A known census layout.

    Attributes
    ----------
    name : str
        Catalogue name of the census the schema was written for.
    columns : dict
        Census column -> canonical name; every one of them must be present.
    constants : dict
        Canonical columns with one value for every row (e.g. ``supported``).
    kinds : dict
        Census value of the ``kind`` column -> canonical kind; other values become
        :data:`KIND_UNKNOWN`. Empty: the values are kept as they are.
    id_kinds : dict
        Prefix of ``venue_id`` -> kind, for censuses that encode the kind in the id.
    """

    name: str
    columns: dict[str, str]
    constants: dict[str, object] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    id_kinds: dict[str, str] = field(default_factory=dict)


_FS_CONSTANTS: dict[str, object] = {
    "kind": "France services",
    "supported": True,
    "location_quality": "address",
}
_FS2020 = {"MATRICULE": "venue_id", "lib_france_services": "name", "insee_com": "code_insee"}


def _fs2020_schema(day: str, lat_lon: tuple[str, str], *, opened: str) -> CensusSchema:
    """Return the schema of a France services list of 2020 with a MATRICULE (2020-01-09 on)."""
    latitude, longitude = lat_lon
    columns = {**_FS2020, latitude: "latitude", longitude: "longitude", opened: "opened"}
    return CensusSchema(name=f"france-services-{day}", columns=columns, constants=_FS_CONSTANTS)


SCHEMAS: tuple[CensusSchema, ...] = (
    CensusSchema(
        name="cget-tiers-lieux-2019",
        columns={
            "ID": "venue_id",
            "NOM_TL": "name",
            "TYPO": "kind",
            "INSEECOM": "code_insee",
            "LAT": "latitude",
            "LONG": "longitude",
        },
        # the census says nothing about public support; points are geocoded addresses
        constants={"location_quality": "address"},
        kinds={
            "Tiers lieux à dominante coworking": "coworking",
            "Tiers lieux à dominante fablab": "fablab",
        },
    ),
    CensusSchema(
        name="france-services-2024-08-01",
        columns={
            "id_fs": "venue_id",
            "lib_fs": "name",
            "insee_com": "code_insee",
            "latitude": "latitude",
            "longitude": "longitude",
            "labellisation_fs": "opened",
        },
        # a network labelled and funded by the State: publicly supported by definition
        constants={"kind": "France services", "supported": True, "location_quality": "address"},
    ),
    CensusSchema(
        name="fabriques-territoire-2024",
        columns={"id_territoire": "venue_id", "lib_territoire": "name", "id_geo": "code_insee"},
        # ANCT-labelled venues; the upstream points are commune centroids
        constants={"supported": True, "location_quality": "commune_centroid"},
        id_kinds={"fabt-": "fabrique de territoire", "manuprox-": "manufacture de proximité"},
    ),
    # The France services lists of 2020, whose layout changed between vintages;
    # MATRICULE names a site from 2020-01-09 on.
    _fs2020_schema("2020-01-09", ("latitude", "longitude"), opened="LABELISATION"),
    _fs2020_schema("2020-02-06", ("LATITUDE", "LONGITUDE"), opened="LABELLISATION"),
    # the same layout from 2020-03-31 to 2020-10-12
    _fs2020_schema("2020-03-31", ("LATITUDE", "LONGITUDE"), opened="Labellisation"),
    # The first list has no id (venues are named after their row) and no INSEE code but
    # the geocoder's (result_citycode); after the others, whose columns it lacks
    CensusSchema(
        name="france-services-2020-01-02",
        columns={
            "lib_france_services": "name",
            "result_citycode": "code_insee",
            "lat": "latitude",
            "long": "longitude",
        },
        constants=_FS_CONSTANTS,
    ),
)
"""The catalogue censuses recognised without a mapping."""

GOGOCARTO_SCHEMA = CensusSchema(name="gogocarto", columns={})
"""A GoGoCarto export (:mod:`maillage.load.census_gogocarto`)."""

MEDIATION_SCHEMA = CensusSchema(
    name="lieux-de-mediation-numerique",
    columns={},
    # the schema's coordinates come from geocoded addresses
    constants={"location_quality": "address"},
)
"""A file of the "lieux de médiation numérique" schema (:mod:`maillage.load.census_mediation`)."""


def _tokens(column: str) -> set[str]:
    """Words of a column name: no accent nor case; split at punctuation and camelCase."""
    plain = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode()
    plain = re.sub(r"([a-z])([A-Z])", r"\1 \2", plain).lower()
    plain = re.sub(r"e[-_ .]?mail", "email", plain)
    return set(re.split(r"[^a-z]+", plain)) - {""}


def is_personal(column: str) -> bool:
    """Tell whether a column name looks like personal data, in French or English.

    Personal data: an e-mail address (mél, courriel, e-mail, adresse électronique), a phone or
    fax number (téléphone, tél, portable, GSM), a person (contact, référent, responsable,
    prénom, civilité, a personal site). Accents, case, punctuation and camelCase do not
    matter. A venue's own name (``Nom``, ``Nom du lieu``, ``Nom de la structure``) is not
    personal; ``Nom du contact``, ``Nom du responsable`` or ``Prénom`` is.

    Parameters
    ----------
    column : str
        Column name as found in the census.

    Returns
    -------
    bool
        True for names such as ``CONTACT``, ``MAIL``, ``Mél``, ``téléphone``, ``GSM``.

    Examples
    --------
    >>> is_personal("telephone_contact"), is_personal("Courriel"), is_personal("lib_com")
    (True, True, False)
    >>> [is_personal(c) for c in ("Mél", "Tél.", "Référent", "Prénom", "adresse_electronique")]
    [True, True, True, True, True]
    >>> [is_personal(c) for c in ("Nom", "Nom du lieu", "Nom de la structure", "Nom du contact")]
    [False, False, False, True]
    """
    tokens = _tokens(str(column))
    return bool(tokens & _PERSONAL_TOKENS) or any(t.startswith(_PERSONAL_PREFIXES) for t in tokens)


def recognise(columns: Iterable[str], *, has_geometry: bool = False) -> CensusSchema | None:
    """Return the known schema whose columns are all present, or None.

    Parameters
    ----------
    columns : iterable of str
        Column names found in the census.
    has_geometry : bool
        The file has point geometries: the coordinate columns may be absent.

    Returns
    -------
    CensusSchema or None
        The first schema of :data:`SCHEMAS` that fits.

    Examples
    --------
    >>> recognise(["id_territoire", "lib_territoire", "id_geo", "geometry"]).name
    'fabriques-territoire-2024'
    >>> recognise(["a", "b"]) is None
    True
    """
    found = set(columns)
    for schema in SCHEMAS:
        needed = {
            c
            for c, target in schema.columns.items()
            if not (has_geometry and target in ("latitude", "longitude"))
        }
        if needed <= found:
            return schema
    return None


def _check_user_mapping(columns: Mapping[str, str], found: list[str]) -> None:
    bad_targets = sorted({t for t in columns.values() if t not in MAPPABLE})
    if bad_targets:
        msg = (
            f"columns maps to unknown canonical name(s) {', '.join(map(repr, bad_targets))}; "
            f"use one of {', '.join(MAPPABLE)}"
        )
        raise OptionError(msg)
    doubled = sorted({t for t in columns.values() if list(columns.values()).count(t) > 1})
    if doubled:
        msg = f"columns maps several columns to {', '.join(map(repr, doubled))}; map one each"
        raise OptionError(msg)
    personal = [c for c in columns if is_personal(c)]
    if personal:
        msg = (
            f"columns : {', '.join(map(repr, personal))} "
            f"{'semble' if len(personal) == 1 else 'semblent'} contenir des données "
            "personnelles (courriel, téléphone, nom ou prénom d'une personne, contact, "
            "référent) ; maillage ne lit jamais de telles colonnes : retirez-les de la "
            "correspondance (columns maps personal data)"
        )
        raise OptionError(msg)
    absent = [c for c in columns if c not in found]
    if absent:
        msg = (
            f"columns names {', '.join(map(repr, absent))}, not in the census; "
            f"columns found: {', '.join(map(repr, found))}"
        )
        raise ColumnError(msg)


def _matched(found: list[str], mapping: Mapping[str, str], proposal: Mapping[str, str]) -> str:
    """Each column found and what it was matched to, in French."""
    parts = []
    for column in found:
        if column in mapping:
            parts.append(f"« {column} » → {mapping[column]}")
        elif column in proposal:
            parts.append(f"« {column} » → {proposal[column]} ? (probable, non appliqué)")
        elif is_personal(column):
            parts.append(f"« {column} » → non lue (données personnelles)")
        else:
            parts.append(f"« {column} » → non reconnue")
    return ", ".join(parts)


def _missing_message(
    missing: list[str],
    found: list[str],
    proposal: Mapping[str, str],
    *,
    mapping: Mapping[str, str] | None = None,
    applied: Mapping[str, str] | None = None,
) -> str:
    """French message: what is missing, each column and its match, a ``--columns`` line."""
    mapping = dict(mapping or {})
    wanted = " et ".join(
        "un lieu (latitude et longitude, x et y, code_insee ou commune)"
        if m == "place"
        else f"« {m} »"
        for m in missing
    )
    head = (
        f"le fichier n'a pas de colonne pour {wanted} ; colonnes trouvées : "
        f"{_matched(found, mapping, proposal)}."
    )
    taken = set(mapping.values())
    complete = mapping | {c: t for c, t in proposal.items() if c not in mapping and t not in taken}
    added = {c: t for c, t in complete.items() if c not in (applied or {})}
    targets = set(complete.values())
    works = "name" in targets and (
        {"latitude", "longitude"} <= targets or {"x", "y"} <= targets or targets & set(_PLACES)
    )
    if works and added and complete != dict(applied or {}):
        pairs = ",".join(f"{_escape_flag(c)}={t}" for c, t in complete.items())
        return (
            f'{head} Correspondance probable, à vérifier : --columns "{pairs}" '
            f"(ligne de commande) ou columns={complete!r} (Python)"
        )
    return (
        f"{head} Indiquez la colonne de chaque nom canonique manquant : "
        f'--columns "Leur colonne={missing[0] if missing[0] != "place" else "code_insee"},..." '
        "(ligne de commande) ou columns={'leur colonne': 'name', ...} (Python)"
    )


def _escape_flag(name: str) -> str:
    return re.sub(r"([\\=,])", r"\\\1", name)


def resolve_mapping(
    found: Iterable[str],
    columns: Mapping[str, str] | None = None,
    *,
    has_geometry: bool = False,
    layout: Mapping[str, str] | None = None,
    proposal: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], CensusSchema | None]:
    """Build the census column -> canonical name mapping for a census header.

    Parameters
    ----------
    found : iterable of str
        Column names of the census (without the geometry column of a spatial file).
    columns : dict, optional
        User mapping ``{"their column": "canonical name"}``; it completes and
        overrides the recognised schema.
    has_geometry : bool
        Whether the file carries point geometries (then latitude/longitude columns
        are not needed).
    layout : dict, optional
        Mapping of a header read as it is (canonical or French names,
        :func:`maillage.load.census_guess.header_matches`), used when no schema is recognised,
        completed or overridden by ``columns``.
    proposal : dict, optional
        Likely mapping shown in the error when required columns are not mapped; never
        applied.

    Returns
    -------
    mapping : dict
        Census column -> canonical name, never including a personal-data column. Without a
        ``venue_id`` column the venues are named after their row.
    schema : CensusSchema or None
        The recognised schema, if any.

    Raises
    ------
    ColumnError
        If a required canonical column is not mapped; the message lists the
        columns found.
    OptionError
        If ``columns`` maps to an unknown name or maps a personal-data column.

    Examples
    --------
    >>> mapping, schema = resolve_mapping(["code", "nom", "lat", "lon"],
    ...     {"code": "venue_id", "nom": "name", "lat": "latitude", "lon": "longitude"})
    >>> mapping["nom"], schema
    ('name', None)
    >>> resolve_mapping(["code", "nom"], {"code": "venue_id"})
    Traceback (most recent call last):
    ...
    maillage.errors.ColumnError: le fichier n'a pas de colonne pour « name » et un lieu (latitude et longitude, x et y, code_insee ou commune) ; colonnes trouvées : « code » → venue_id, « nom » → non reconnue. Indiquez la colonne de chaque nom canonique manquant : --columns "Leur colonne=name,..." (ligne de commande) ou columns={'leur colonne': 'name', ...} (Python)
    """
    found = [str(c) for c in found]
    schema = recognise(found, has_geometry=has_geometry)
    mapping: dict[str, str] = (
        {c: t for c, t in schema.columns.items() if c in found} if schema is not None else {}
    )
    if schema is None and layout:
        mapping = dict(layout)
    if columns:
        _check_user_mapping(columns, found)
        taken = set(columns.values())
        mapping = {c: t for c, t in mapping.items() if t not in taken}
        mapping.update(columns)
    targets = set(mapping.values())
    located = has_geometry or {"x", "y"} <= targets or {"latitude", "longitude"} <= targets
    missing = [r for r in _REQUIRED if r not in targets]
    if not located and not targets & set(_PLACES):
        missing.append("place")
    if missing:
        message = _missing_message(
            missing, found, proposal or {}, mapping=mapping, applied=columns or {}
        )
        raise ColumnError(message)
    return mapping, schema
