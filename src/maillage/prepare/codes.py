"""INSEE commune codes: the one home of their cleaning and of their harmonisation to COG 2026.

* :func:`normalise_codes` is the one rule for codes as found in files: strip, upper-case
  (``2a004`` -> ``2A004``), drop a ``.0`` left by a spreadsheet, restore the leading zero a
  number lost (``1004`` -> ``01004``), blank or ``"0"`` -> NA.
* :func:`harmonise_codes` maps any code (a former commune merged into a commune nouvelle, a
  commune déléguée or associée, an arrondissement municipal) to its COG 2026 commune, NA when
  unknown; :func:`unknown_code_reasons` words the rejections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from maillage.load.cog import read_cog_table, read_former_codes

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["harmonise_codes", "normalise_codes", "unknown_code_reasons"]


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
    remapped = series.map(former).astype("string")
    return series.where(series.isin(current), remapped)


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
