"""Read GoGoCarto exports (API JSON, GeoJSON, CSV) into a raw canonical census table.

GoGoCarto is the map software on which, among others, the Coopérative Tiers-Lieux keeps the
Nouvelle-Aquitaine census. A map exports its places in three shapes, all recognised here
without a mapping:

* the API's JSON, ``{"ontology": "gogofull", "data": [{...}, ...]}``: one object per place
  with ``id``, ``name``, ``geo: {latitude, longitude}``, ``address``, ``categories`` (names;
  exports before 2019 give ``optionValues``, option ids resolved through the map's
  ``taxonomy.json``), ``createdAt``, ``status`` and the map's own fields;
* the compact JSON, ``{"ontology": "gogocompact", "mapping": [...], "data": [[id, [fields],
  latitude, longitude, [option ids], status], ...]}``, whose option ids need the taxonomy;
* a GeoJSON ``FeatureCollection`` of points whose properties are the places' fields, and the
  CSV export, one column per field (``id``, ``name``, ``categories``, ``latitude``, ...).

Canonical fields:

* ``kind``: a ``typologie`` / ``type`` field of the map when there is one, else the first
  category (names; ids resolved through the taxonomy);
* ``opened``: an opening-date field of the map (``date_ouverture``, ``annee_ouverture``,
  ``opened``...) when there is one; else ``createdAt``, the day the place was added to the
  map, flagged in ``opened_flag`` since it only bounds the opening from above;
* ``code_insee``: a ``code_insee`` / ``insee`` field when the map has one, else empty (the
  commune is then taken from the point);
* ``reject_reason``: places deleted, refused or marked duplicate (``status`` <= -2) are
  kept in the table with this reason, so that every row is accounted for.

E-mails and phone numbers are never read: JSON objects lose those keys while they are
parsed (:func:`~maillage.load.census_json.load_json`), CSV columns are selected.

Examples
--------
>>> from maillage.options import options
>>> folder = options.data_dir / "venues" / "gogocarto-sample-2018"
>>> raw = read_gogocarto_json(folder / "elements.json")
>>> len(raw), raw.loc[0, "name"], raw.loc[0, "kind"]
(12, 'La Ruche de Chenay', 'Agriculture & Alimentation')
>>> "telephone" in raw.columns or "email" in raw.columns
False
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from maillage.errors import InputDataError, MaillageWarning
from maillage.load.census_json import load_json, without_personal
from maillage.load.census_schemas import is_personal

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

__all__ = [
    "CREATED_AT_FLAG",
    "GOGOCARTO_COLUMNS",
    "gogocarto_csv_mapping",
    "gogocarto_layout",
    "gogocarto_rows",
    "read_gogocarto_json",
    "read_taxonomy",
]

GOGOCARTO_COLUMNS = (
    "venue_id",
    "name",
    "kind",
    "code_insee",
    "opened",
    "opened_flag",
    "latitude",
    "longitude",
    "reject_reason",
)
"""Columns of the raw table built from a GoGoCarto export (plus ``geom_type`` and ``file``)."""

CREATED_AT_FLAG = "opened = createdAt (the day the place was added to the GoGoCarto map)"
"""Flag of a venue whose opening year comes from ``createdAt``."""

_KIND_KEYS = ("typologie", "typology", "typedelieu", "typelieu", "type", "kind")
_OPENED_KEYS = (
    "opened",
    "dateouverture",
    "anneeouverture",
    "ouverture",
    "openingdate",
    "anneecreation",
    "datecreation",
)
_CODE_KEYS = ("codeinsee", "insee", "codecommune", "citycode")
_LAT_KEYS = ("latitude", "lat", "geolatitude")
_LON_KEYS = ("longitude", "lng", "long", "lon", "geolongitude")
_CATEGORY_KEYS = ("categories", "optionsstring", "taxonomy", "optionvalues")
_STATUS = {
    -2: "refused by the map's administrators",
    -3: "refused by the contributors' votes",
    -4: "deleted",
    -5: "pending modification copy",
    -6: "duplicate",
}


def _norm(key: str) -> str:
    """Key without accents, case and punctuation: ``"Date d'ouverture"`` -> ``dateouverture``."""
    plain = unicodedata.normalize("NFKD", str(key)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def _find(element: Mapping[str, Any], keys: Iterable[str]) -> Any:
    """Value of the first key of ``keys`` present (normalised names) and not empty."""
    by_norm = {_norm(k): v for k, v in element.items()}
    for key in keys:
        value = by_norm.get(key)
        if value not in (None, "", []):
            return value
    return None


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, list):
        return _text(value[0]) if value else None
    text = str(value).strip()
    return text or None


def read_taxonomy(path: Path) -> dict[str, str]:
    """Read a GoGoCarto ``taxonomy.json`` as ``{option id: option name}``.

    Parameters
    ----------
    path : pathlib.Path
        The map's taxonomy (``/api/taxonomy.json``): categories holding ``options``, which
        may hold sub-categories in turn.

    Returns
    -------
    dict
        Option ids (as text) to names, at every depth.

    Examples
    --------
    >>> from maillage.options import options
    >>> names = read_taxonomy(options.data_dir / "venues/gogocarto-sample-2018/taxonomy.json")
    >>> names["10427"], len(names)
    ('Agriculture & Alimentation', 8)
    """
    names: dict[str, str] = {}
    stack: list[tuple[object, bool]] = [(load_json(path), False)]
    while stack:  # depth-first without recursion: no depth of document can exhaust it
        node, in_options = stack.pop()
        if isinstance(node, dict):
            if in_options and "id" in node and "name" in node:
                names[str(node["id"])] = str(node["name"])
            stack += [(value, key == "options") for key, value in reversed(node.items())]
        elif isinstance(node, list):
            stack += [(item, in_options) for item in reversed(node)]
    return names


def gogocarto_layout(doc: object) -> str | None:
    """Tell which GoGoCarto export a parsed JSON document is.

    Parameters
    ----------
    doc : object
        Parsed JSON.

    Returns
    -------
    str or None
        ``"gogofull"``, ``"gogocompact"``, ``"geojson"`` (a FeatureCollection whose
        properties carry GoGoCarto fields) or None.

    Examples
    --------
    >>> gogocarto_layout({"ontology": "gogocompact", "data": []})
    'gogocompact'
    >>> gogocarto_layout({"type": "FeatureCollection", "features": []}) is None
    True
    """
    if not isinstance(doc, dict):
        return None
    ontology = str(doc.get("ontology", "")).lower()
    if ontology in ("gogofull", "gogocompact") and isinstance(doc.get("data"), list):
        return ontology
    if doc.get("type") == "FeatureCollection" and isinstance(doc.get("features"), list):
        props = [f.get("properties") or {} for f in doc["features"][:20] if isinstance(f, dict)]
        gogo = {"categories", "categoriesfull", "optionvalues", "createdat", "sourcekey"}
        if props and all(gogo & {_norm(k) for k in p} for p in props):
            return "geojson"
    return None


def _categories(element: Mapping[str, Any], options: Mapping[str, str]) -> list[str]:
    """Category names of a place; ids resolved through ``options``, unknown ids dropped."""
    value = _find(element, _CATEGORY_KEYS)
    if value is None and isinstance(element.get("categoriesFull"), list):
        value = [c.get("name") for c in element["categoriesFull"] if isinstance(c, dict)]
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    names = []
    for item in items:
        raw = item.get("optionId", item.get("name")) if isinstance(item, dict) else item
        text = _text(raw)
        if text is None:
            continue
        if re.fullmatch(r"\d+", text):
            text = options.get(text)
        if text:
            names.append(text)
    return names


def _coordinates(element: Mapping[str, Any]) -> tuple[object, object]:
    found = element.get("geo")
    geo: dict[str, Any] = found if isinstance(found, dict) else {}
    lat = geo.get("latitude", _find(element, _LAT_KEYS))
    lon = geo.get("longitude", _find(element, _LON_KEYS))
    return lat, lon


def _status_reason(status: object) -> str | None:
    try:
        code = int(float(str(status)))
    except ValueError:
        return None
    if code <= -2:
        return f"GoGoCarto status {code} ({_STATUS.get(code, 'not public')})"
    return None


def _row(element: Mapping[str, Any], options: Mapping[str, str]) -> dict[str, object]:
    """One raw canonical row from one GoGoCarto place (a dict of its fields)."""
    lat, lon = _coordinates(element)
    kind = _text(_find(element, _KIND_KEYS))
    if kind is None:
        kind = next(iter(_categories(element, options)), None)
    opened, flag = _text(_find(element, _OPENED_KEYS)), None
    if opened is None and _text(element.get("createdAt")) is not None:
        opened, flag = _text(element.get("createdAt")), CREATED_AT_FLAG
    return {
        "venue_id": _text(element.get("id")),
        "name": _text(element.get("name", element.get("title"))),
        "kind": kind,
        "code_insee": _text(_find(element, _CODE_KEYS)),
        "opened": opened,
        "opened_flag": flag,
        "latitude": _text(lat),
        "longitude": _text(lon),
        "reject_reason": _status_reason(element.get("status")),
    }


def gogocarto_rows(
    elements: Iterable[Mapping[str, Any]], options: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Build the raw canonical table from GoGoCarto places given as dicts of fields.

    Parameters
    ----------
    elements : iterable of dict
        Places (``gogofull`` objects, GeoJSON properties or CSV rows).
    options : dict, optional
        Taxonomy ``{option id: name}`` for category ids.

    Returns
    -------
    pandas.DataFrame
        :data:`GOGOCARTO_COLUMNS` as text, one row per place, default index.

    Examples
    --------
    >>> raw = gogocarto_rows([{"id": "a1", "name": "La Forge", "categories": ["Fablab"],
    ...     "geo": {"latitude": 45.65, "longitude": 0.15}, "createdAt": "2019-04-02T10:00:00+02:00",
    ...     "status": 1}, {"id": "b2", "name": "Ancien lieu", "status": -4}])
    >>> raw[["venue_id", "kind", "opened"]].to_dict("records")[0]
    {'venue_id': 'a1', 'kind': 'Fablab', 'opened': '2019-04-02T10:00:00+02:00'}
    >>> raw.loc[1, "reject_reason"]
    'GoGoCarto status -4 (deleted)'
    """
    options = options or {}
    rows = [_row(element, options) for element in elements]
    return pd.DataFrame(rows, columns=list(GOGOCARTO_COLUMNS), dtype="string")


def _compact_elements(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Turn ``gogocompact`` arrays into dicts of fields (personal fields dropped)."""
    mapping = doc.get("mapping") or ["id", ["name"], "latitude", "longitude", "status"]
    fields = mapping[1] if len(mapping) > 1 and isinstance(mapping[1], list) else ["name"]
    elements = []
    for row in doc["data"]:
        if not isinstance(row, list) or len(row) < 4:
            msg = f"gogocompact row {row!r} is not [id, [fields], latitude, longitude, ...]"
            raise InputDataError(msg)
        values = row[1] if isinstance(row[1], list) else [row[1]]
        element: dict[str, Any] = without_personal(dict(zip(fields, values, strict=False)))
        element.update(id=row[0], geo={"latitude": row[2], "longitude": row[3]})
        element["optionValues"] = row[4] if len(row) > 4 else []
        element["status"] = row[5] if len(row) > 5 else 1
        elements.append(element)
    return elements


def _geojson_elements(doc: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str | None]]:
    """Properties of each feature, its point as ``geo``, and the type of non-point geometries."""
    elements: list[dict[str, Any]] = []
    kinds: list[str | None] = []
    for feature in doc["features"]:
        element = dict(feature.get("properties") or {})
        geometry: dict[str, Any] = feature.get("geometry") or {}
        coords: Any = geometry.get("coordinates")
        is_point = geometry.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2
        if is_point:
            element["geo"] = {"latitude": coords[1], "longitude": coords[0]}
        elements.append(element)
        kinds.append(None if is_point or not geometry else str(geometry.get("type")))
    return elements, kinds


def _warn_unresolved(
    elements: list[dict[str, Any]], options: Mapping[str, str], path: Path
) -> None:
    ids = {
        str(i)
        for e in elements
        for i in (e.get("optionValues") or [])
        if not isinstance(i, dict) and str(i).isdigit()
    }
    missing = sorted(ids - set(options))
    if missing and not options:
        msg = (
            f"{path.name}: places carry category ids but no taxonomy.json was found beside it; "
            "their kind is unknown. Save the map's /api/taxonomy.json next to the export."
        )
        warnings.warn(msg, MaillageWarning, stacklevel=3)


def read_gogocarto_json(
    path: Path,
    *,
    doc: Any = None,
    taxonomy: Path | None = None,
) -> pd.DataFrame:
    """Read a GoGoCarto JSON or GeoJSON export into a raw canonical table.

    Parameters
    ----------
    path : pathlib.Path
        ``elements.json`` (``gogofull`` or ``gogocompact``) or ``elements.geojson``.
    doc : object, optional
        The already parsed document (parsed with personal keys dropped).
    taxonomy : pathlib.Path, optional
        The map's ``taxonomy.json``; by default the file of that name beside ``path``.

    Returns
    -------
    pandas.DataFrame
        :data:`GOGOCARTO_COLUMNS`, ``geom_type`` (set for a non-point GeoJSON geometry) and
        ``file``; one row per place, in file order.

    Raises
    ------
    InputDataError
        When the document is not a GoGoCarto export.
    """
    doc = load_json(path) if doc is None else doc
    layout = gogocarto_layout(doc)
    if layout is None:
        msg = f"source {str(path)!r} is not a GoGoCarto export (gogofull, gogocompact, GeoJSON)"
        raise InputDataError(msg)
    taxonomy = taxonomy if taxonomy is not None else path.with_name("taxonomy.json")
    options = read_taxonomy(taxonomy) if taxonomy.is_file() else {}
    geom_types: list[str | None] = []
    if layout == "gogocompact":
        elements = _compact_elements(doc)
    elif layout == "geojson":
        elements, geom_types = _geojson_elements(doc)
    else:
        elements = [e for e in doc["data"] if isinstance(e, dict)]
    _warn_unresolved(elements, options, path)
    raw = gogocarto_rows(elements, options)
    raw["geom_type"] = pd.array(geom_types or [None] * len(raw), dtype="string")
    raw["file"] = path.name
    return raw


def gogocarto_csv_mapping(found: Iterable[str]) -> dict[str, str] | None:
    """Recognise a GoGoCarto CSV export from its header; return the columns to read.

    Parameters
    ----------
    found : iterable of str
        Column names of the CSV.

    Returns
    -------
    dict or None
        Their column -> GoGoCarto field name (``id``, ``name``, ``latitude``,
        ``longitude``, ``categories``, ``createdAt``, ``status`` and the map's own kind,
        opening-date and INSEE-code fields); never a personal column. None when the header
        is not a GoGoCarto export's (it needs ``id``, ``name``, coordinates, and
        ``categories`` or ``createdAt``).

    Examples
    --------
    >>> gogocarto_csv_mapping(["id", "name", "categories", "email", "latitude", "longitude"])
    {'id': 'id', 'name': 'name', 'categories': 'categories', 'latitude': 'latitude', 'longitude': 'longitude'}
    >>> gogocarto_csv_mapping(["nom", "latitude", "longitude"]) is None
    True
    """
    wanted = {"id": "id", "name": "name", "createdat": "createdAt", "status": "status"}
    wanted |= dict.fromkeys(_LAT_KEYS, "latitude") | dict.fromkeys(_LON_KEYS, "longitude")
    wanted |= dict.fromkeys(_CATEGORY_KEYS, "categories")
    wanted |= {k: k for k in _KIND_KEYS + _OPENED_KEYS + _CODE_KEYS}
    mapping: dict[str, str] = {}
    for column in found:
        target = wanted.get(_norm(column))
        if target and not is_personal(column) and target not in mapping.values():
            mapping[column] = target
    targets = set(mapping.values())
    needed = {"id", "name", "latitude", "longitude"}
    if needed <= targets and targets & {"categories", "createdAt"}:
        return mapping
    return None
