"""Load a JSON census file without keeping any personal field.

JSON has no column selection: the whole document has to be parsed. The parser's
``object_hook`` drops every key that names personal data (:func:`is_personal`: e-mail,
phone, contact) as each object is built, so no reader ever sees those values.

Examples
--------
>>> import json, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "e.json"
>>> _ = path.write_text(json.dumps({"data": [{"name": "A", "telephone": "0600000000"}]}))
>>> load_json(path)
{'data': [{'name': 'A'}]}
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from maillage.errors import InputDataError
from maillage.load.census_schemas import is_personal

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["load_json", "without_personal"]


def without_personal(obj: dict[str, Any]) -> dict[str, Any]:
    """Return ``obj`` without the keys that name personal data.

    Parameters
    ----------
    obj : dict
        One JSON object.

    Returns
    -------
    dict
        The same keys less ``email``, ``telephone``, ``courriels``, ``contact`` and the like.

    Examples
    --------
    >>> without_personal({"name": "A", "email": "hidden", "courriels": "a@b.fr"})
    {'name': 'A'}
    """
    return {key: value for key, value in obj.items() if not is_personal(key)}


def load_json(path: Path) -> Any:
    """Parse a JSON file, dropping personal keys as the objects are built.

    Parameters
    ----------
    path : pathlib.Path
        UTF-8 JSON or GeoJSON file.

    Returns
    -------
    object
        The parsed document.

    Raises
    ------
    InputDataError
        When the file is not valid JSON, or nests arrays and objects deeper than Python's
        recursion limit (about 1,000 levels; a census nests fewer than ten): refused in
        French, never an internal error.
    """
    try:
        with path.open(encoding="utf-8-sig") as fh:
            return json.load(fh, object_hook=without_personal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"source {str(path)!r} is not valid UTF-8 JSON: {exc}"
        raise InputDataError(msg) from exc
    except RecursionError:
        msg = (
            f"source {str(path)!r} : document JSON imbriqué sur plus de "
            f"{sys.getrecursionlimit()} niveaux, ce qu'aucun recensement de lieux ne fait ; "
            "maillage ne le lit pas : vérifiez le fichier"
        )
        raise InputDataError(msg) from None
