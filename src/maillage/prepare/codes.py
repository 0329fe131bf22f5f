"""INSEE commune codes: the one home of their cleaning and of their harmonisation to COG 2026.

* :func:`normalise_codes` is the one rule for codes as found in files: strip, upper-case
  (``2a004`` -> ``2A004``), drop a ``.0`` left by a spreadsheet, restore the leading zero a
  number lost (``1004`` -> ``01004``), blank or ``"0"`` -> NA.
* :func:`normalise_area_code` is the rule for région, département and EPCI codes as typed
  (``9`` -> ``09``, ``2a`` -> ``2A``); :func:`suggest_area_codes` finds what a mistyped code
  (or a name) meant.
* :func:`harmonise_codes` maps any code (a former commune merged into a commune nouvelle, a
  commune déléguée or associée, an arrondissement municipal) to its COG 2026 commune, NA when
  unknown; :func:`unknown_code_reasons` words the rejections.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.load.cog import read_cog_table, read_former_codes

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "AREA_LEVELS",
    "harmonise_codes",
    "normalise_area_code",
    "normalise_codes",
    "suggest_area_codes",
    "unknown_code_reasons",
]


def normalise_codes(values: pd.Series) -> pd.Series:
    """Clean INSEE codes: strip, restore a lost leading zero, blank or ``"0"`` -> NA.

    Parameters
    ----------
    values : pandas.Series
        Codes as found.

    Returns
    -------
    pandas.Series
        Five-character codes (string dtype) or NA.

    Examples
    --------
    >>> normalise_codes(pd.Series(["1004", " 33063", "0", None, "2a004", "33063.0"])).tolist()
    ['01004', '33063', <NA>, <NA>, '2A004', '33063']
    """
    text = values.astype("string").str.strip().str.upper()
    text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    text = text.mask(text.str.fullmatch(r"\d{4}").fillna(False), "0" + text)
    return text.mask(text.isin(["", "0"]) | text.isna(), pd.NA)


def harmonise_codes(
    codes: Iterable[str] | pd.Series,
    *,
    current: pd.Index | None = None,
    former: pd.Series | None = None,
) -> pd.Series:
    """Map INSEE commune codes to their current (COG 2026) code.

    Parameters
    ----------
    codes : iterable of str or pandas.Series
        Codes of any vintage (normalised: see :func:`normalise_codes`), NA allowed.
    current : pandas.Index, optional
        Current commune codes; default the COG 2026 table.
    former : pandas.Series, optional
        Former or infra-communal code -> current code; default the COG 2026 history.

    Returns
    -------
    pandas.Series
        String dtype, indexed like ``codes`` when it is a Series (else by position): the
        current code, NA when the code is missing or unknown.

    Examples
    --------
    >>> harmonise_codes(["33063", "49040", "75111", "99999"]).tolist()
    ['33063', '49126', '75056', <NA>]
    >>> harmonise_codes(pd.Series(["a1", "b"]), current=pd.Index(["b"]),
    ...                 former=pd.Series({"a1": "b"})).tolist()
    ['b', 'b']
    """
    series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype="object")
    series = series.astype("string")
    current = read_cog_table().index if current is None else current
    former = read_former_codes() if former is None else former
    positions, uniques = pd.factorize(series)  # each distinct code once: fast on long columns
    distinct = pd.Series(uniques, dtype="string")
    distinct = distinct.where(distinct.isin(current), distinct.map(former).astype("string"))
    lookup = np.empty(len(distinct) + 1, dtype=object)  # the last one (None) for position -1
    lookup[:-1] = distinct.to_numpy(dtype=object, na_value=None)
    return pd.Series(lookup[positions], index=series.index, dtype="string")


def unknown_code_reasons(codes: pd.Series, harmonised: pd.Series) -> pd.Series:
    """Return ``"unknown INSEE code 'X'"`` where a given code has no current code.

    Parameters
    ----------
    codes : pandas.Series
        Codes as normalised (NA when missing: no reason).
    harmonised : pandas.Series
        :func:`harmonise_codes` of ``codes``.

    Returns
    -------
    pandas.Series
        Reasons (string, NA where the code is current, former or missing).

    Examples
    --------
    >>> codes = pd.Series(["33063", "99999", pd.NA], dtype="string")
    >>> unknown_code_reasons(codes, harmonise_codes(codes)).tolist()
    [<NA>, "unknown INSEE code '99999'", <NA>]
    """
    codes = codes.astype("string")
    unknown = (codes.notna() & harmonised.isna()).to_numpy(dtype=bool)
    reasons = pd.Series(pd.NA, index=codes.index, dtype="string")
    reasons[unknown] = "unknown INSEE code '" + codes[unknown] + "'"
    return reasons


AREA_LEVELS = ("region", "departement", "epci")
"""Levels of an area selection, named as the communes frame's columns."""


def normalise_area_code(code: str, level: str) -> str:
    """Return a région, département or EPCI code as the COG writes it.

    Spaces are stripped and letters upper-cased (``"2a"`` -> ``"2A"``); a one-digit région or
    département code gets its leading zero back (``"9"`` -> ``"09"``).

    Parameters
    ----------
    code : str
        The code as typed.
    level : {"region", "departement", "epci"}
        What it is the code of.

    Returns
    -------
    str
        The code in COG form (not checked against the COG).

    Examples
    --------
    >>> normalise_area_code("9", "departement"), normalise_area_code(" 2a", "departement")
    ('09', '2A')
    >>> normalise_area_code("243300316 ", "epci")
    '243300316'
    """
    text = str(code).strip().upper()
    if level != "epci" and len(text) == 1 and text.isdigit():
        text = "0" + text
    return text


def _plain(text: str) -> str:
    """Lower case, no accent, words separated by single spaces (for name matching)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", letters).split())


def _one_edit(a: str, b: str) -> bool:
    """Return True when ``a`` and ``b`` differ by one substitution, insertion or deletion."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _number(code: str) -> int:
    digits = re.sub(r"\D", "0", code)
    return int(digits) if digits else 0


def suggest_area_codes(typed: str, valid: pd.Series, *, level: str, limit: int = 5) -> list[str]:
    """Return the valid codes a mistyped code (or a name) most likely meant.

    A name (``"gironde"``, ``"Nouvelle Aquitaine"``) finds the areas whose name contains it,
    or is close to it. A code finds the codes it starts (``"7"`` -> ``75``, ``76``), then those
    one typing error away, nearest number first.

    Parameters
    ----------
    typed : str
        The unknown code, as typed.
    valid : pandas.Series
        Valid codes (index) and their names.
    level : {"region", "departement", "epci"}
        What ``typed`` should be the code of.
    limit : int
        At most this many suggestions.

    Returns
    -------
    list of str
        Valid codes, best first; empty when nothing is close.

    Examples
    --------
    >>> import pandas as pd
    >>> regions = pd.Series({"75": "Nouvelle-Aquitaine", "76": "Occitanie", "93": "Provence"})
    >>> suggest_area_codes("7", regions, level="region")
    ['75', '76']
    >>> suggest_area_codes("nouvelle aquitaine", regions, level="region")
    ['75']
    >>> suggest_area_codes("95", regions, level="region")
    ['93', '75']
    """
    raw = str(typed).strip().upper()
    code = normalise_area_code(raw, level)
    codes = [str(c) for c in valid.index]
    plain = _plain(raw)
    if plain and not any(c.isdigit() for c in raw):
        names = {c: _plain(n) for c, n in zip(codes, valid.astype(str), strict=True)}
        hits = [c for c in codes if plain in names[c]]
        if not hits:
            close = difflib.get_close_matches(plain, list(names.values()), n=limit, cutoff=0.75)
            hits = [c for c in codes if names[c] in close]
        return hits[:limit]
    starts = [c for c in codes if c.startswith(raw) and c != raw]
    near = [c for c in codes if c not in starts and (_one_edit(raw, c) or _one_edit(code, c))]
    near.sort(key=lambda c: (abs(_number(c) - _number(code)), c))
    return (starts + near)[:limit]
