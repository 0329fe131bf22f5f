"""The national "lieux de médiation numérique" schema: recognise it and read it.

The schema (schema.data.gouv.fr, ``LaMednum/standard-mediation-num``; modelled by ANCT's
``@gouvfr-anct/lieux-de-mediation-numerique``) describes the digital-inclusion venues,
France services and many tiers-lieux among them. A file follows it when its header holds
the schema's required fields ``id``, ``pivot``, ``nom``, ``commune``, ``code_postal`` and
``adresse``; it is published as CSV (and XLSX) or, by the national API, as a JSON list of
objects with the same field names.

Canonical fields: ``id`` -> ``venue_id``, ``nom`` -> ``name``, ``code_insee``,
``latitude``, ``longitude`` (WGS84). ``kind`` and ``supported`` come from ``typologie``
(several values separated by ``,``, ``;`` or ``|``) and ``dispositif_programmes_nationaux``
(see :func:`mediation_fields`). ``date_maj`` is an update date, not an opening date: it is
not read. ``telephone`` and ``courriels`` are never read.

Examples
--------
>>> is_mediation_header(["id", "pivot", "nom", "commune", "code_postal", "adresse", "courriels"])
True
>>> mediation_columns(["id", "pivot", "nom", "commune", "code_postal", "adresse", "Latitude",
...                    "telephone"])
{'id': 'id', 'nom': 'nom', 'Latitude': 'latitude'}
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

import pandas as pd

from maillage.errors import InputDataError
from maillage.load.census_json import load_json
from maillage.load.census_schemas import is_personal

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = [
    "KIND_MEDIATION",
    "MEDIATION_FIELDS",
    "MEDIATION_REQUIRED",
    "PUBLIC_PROGRAMMES",
    "is_mediation_header",
    "mediation_columns",
    "mediation_fields",
    "read_mediation_json",
]

MEDIATION_REQUIRED = ("id", "pivot", "nom", "commune", "code_postal", "adresse")
"""Required fields of the schema that identify a file as following it."""

_KEPT = ("code_insee", "latitude", "longitude")  # fields whose name is already canonical

MEDIATION_FIELDS = ("id", "nom", *_KEPT, "typologie", "dispositif_programmes_nationaux")
"""The schema's fields that maillage reads."""

PUBLIC_PROGRAMMES = ("france services", "conseillers numeriques", "aidants connect")
"""National State programmes (``dispositif_programmes_nationaux``) that make a venue
publicly supported; the others (Emmaüs Connect, La Croix Rouge...) say nothing of it."""

_KINDS = (("tiers_lieux", "tiers-lieu"), ("fablab", "fablab"), ("fabrique", "fablab"))
KIND_MEDIATION = "lieu de médiation numérique"
"""Kind of a venue of the schema that is neither a France services, a tiers-lieu nor a fablab."""


def _plain(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text.lower().strip()


def is_mediation_header(columns: Iterable[str]) -> bool:
    """Tell whether a header follows the "lieux de médiation numérique" schema.

    Parameters
    ----------
    columns : iterable of str
        Column names (case does not matter).

    Returns
    -------
    bool
        True when every field of :data:`MEDIATION_REQUIRED` is present.
    """
    found = {str(c).strip().lower() for c in columns}
    return set(MEDIATION_REQUIRED) <= found


def mediation_columns(columns: Iterable[str]) -> dict[str, str]:
    """Return the columns to read: their name -> schema field of :data:`MEDIATION_FIELDS`.

    Parameters
    ----------
    columns : iterable of str
        Column names of the file.

    Returns
    -------
    dict
        Only fields that maillage reads; never ``telephone`` nor ``courriels``.
    """
    wanted = set(MEDIATION_FIELDS)
    out: dict[str, str] = {}
    for column in columns:
        field = str(column).strip().lower()
        if field in wanted and not is_personal(column) and field not in out.values():
            out[str(column)] = field
    return out


def _tokens(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    items = value if isinstance(value, list) else re.split(r"[,;|]", str(value))
    return [_plain(str(t)) for t in items if str(t).strip()]


def _kind(typologie: object, programmes: object) -> str:
    if "france services" in _tokens(programmes):
        return "France services"
    types = _tokens(typologie)
    for token, kind in _KINDS:
        if token in types:
            return kind
    return KIND_MEDIATION


def _supported(programmes: object) -> object:
    tokens = _tokens(programmes)
    return True if any(t in PUBLIC_PROGRAMMES for t in tokens) else pd.NA


def mediation_fields(table: pd.DataFrame) -> pd.DataFrame:
    """Turn the schema's fields into the raw canonical table.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns named after :data:`MEDIATION_FIELDS` (absent optional ones allowed).

    Returns
    -------
    pandas.DataFrame
        ``venue_id``, ``name``, ``code_insee``, ``latitude``, ``longitude``, ``kind``,
        ``supported`` as text, indexed like ``table``. ``kind`` is ``"France services"``
        when ``dispositif_programmes_nationaux`` names it, else ``"tiers-lieu"`` or
        ``"fablab"`` after ``typologie`` (``TIERS_LIEUX``, ``FABLAB``, ``FABRIQUE``), else
        ``"lieu de médiation numérique"``. ``supported`` is ``"true"`` for a venue of a
        national State programme (:data:`PUBLIC_PROGRAMMES`), empty otherwise (unknown).

    Examples
    --------
    >>> t = pd.DataFrame({"id": ["a", "b"], "nom": ["Un", "Deux"],
    ...     "typologie": ["TIERS_LIEUX;ASSO", "CCAS"],
    ...     "dispositif_programmes_nationaux": [None, "France Services|Aidants Connect"]})
    >>> raw = mediation_fields(t)
    >>> raw["kind"].tolist(), raw["supported"].tolist()
    (['tiers-lieu', 'France services'], [<NA>, 'true'])
    """
    empty = pd.Series(None, index=table.index, dtype="object")
    types = table.get("typologie", empty)
    programmes = table.get("dispositif_programmes_nationaux", empty)
    out = pd.DataFrame(index=table.index)
    out["venue_id"] = table["id"]
    out["name"] = table["nom"]
    for column in _KEPT:
        out[column] = table.get(column, empty)
    out["kind"] = [_kind(t, p) for t, p in zip(types, programmes, strict=True)]
    supported = [_supported(p) for p in programmes]
    out["supported"] = ["true" if s is True else None for s in supported]
    return out.astype("string")


def read_mediation_json(path: Path, *, doc: Any = None) -> pd.DataFrame | None:
    """Read a JSON list of "lieux de médiation numérique" (the national API's shape).

    Parameters
    ----------
    path : pathlib.Path
        JSON file: a list of objects with the schema's field names (or ``{"data": [...]}``).
    doc : object, optional
        The already parsed document (personal keys dropped).

    Returns
    -------
    pandas.DataFrame or None
        The raw canonical table plus ``file``, or None when the objects do not follow the
        schema.

    Raises
    ------
    InputDataError
        When a list item is not an object.
    """
    doc = load_json(path) if doc is None else doc
    records = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(records, list) or not records:
        return None
    if not all(isinstance(r, dict) for r in records):
        msg = f"source {str(path)!r}: every item of the list must be an object"
        raise InputDataError(msg)
    if not is_mediation_header(records[0]):
        return None
    table = pd.DataFrame([{f: r.get(f) for f in MEDIATION_FIELDS} for r in records])
    raw = mediation_fields(table.astype("string"))
    raw["file"] = path.name
    return raw.reset_index(drop=True)
