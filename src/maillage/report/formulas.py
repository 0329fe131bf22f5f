"""No formulas from the data in a CSV: every CSV a report writes goes through :func:`neutralise_formulas`.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and some also
after a tab or a carriage return) as a formula: a venue id such as
``=HYPERLINK("http://…","id")`` would become a live link. As OWASP recommends ("CSV
Injection"), such a text cell gets a leading apostrophe, which spreadsheets show as text;
numbers (``-3``, ``+33``, ``-1.5e3``) are left as they are. A carriage return inside a cell
becomes a line feed: the CSV writer then quotes the cell, so no new cell can start there.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"id": ["=1+1", "-3", "ok", "@SUM(A1)"], "n": [-1, 2, 3, 4]})
>>> neutralise_formulas(frame)["id"].tolist()
["'=1+1", '-3', 'ok', "'@SUM(A1)"]
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise_cell", "neutralise_formulas"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    r"""Return ``value`` with a leading ``'`` when it is text a spreadsheet would run.

    Parameters
    ----------
    value : object
        A cell; anything but a string is returned unchanged.

    Returns
    -------
    object
        ``"'" + value`` for a string that begins with one of :data:`FORMULA_STARTS` and
        is not a number, else ``value``; in a string, carriage returns become ``\n``, so
        the CSV writer quotes the cell and it stays one cell.

    Examples
    --------
    >>> neutralise_cell('=HYPERLINK("http://x","id")')
    '\'=HYPERLINK("http://x","id")'
    >>> neutralise_cell("-0.5"), neutralise_cell(-3), neutralise_cell("+33 6 12")
    ('-0.5', -3, "'+33 6 12")
    >>> neutralise_cell("x\r=1+1")
    'x\n=1+1'
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        value = "'" + value
    if "\r" in value:  # unquoted by the CSV writer, a spreadsheet would start a new cell there
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _texts(values: pd.Index | pd.Series) -> bool:
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _safe_values(values: pd.Series) -> pd.Series:
    if not _texts(values):
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    return values.map(neutralise_cell, na_action="ignore").astype(values.dtype)


def _safe_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        levels = [_safe_index(level) for level in index.levels]
        return index.set_levels(levels)
    if not _texts(index):
        return index
    return index.map(neutralise_cell)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    r"""Return a copy of ``frame`` in which no text cell can start a spreadsheet formula.

    Every text cell, index label and column name that begins with one of
    :data:`FORMULA_STARTS` and is not a number gets a leading ``'``
    (:func:`neutralise_cell`). Numeric columns are left untouched. Call it on every
    table before it is written as CSV.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write.

    Returns
    -------
    pandas.DataFrame
        A neutralised copy; ``frame`` is not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"name": ["\tx", "+", "a"]}, index=pd.Index(["=A1", "b", "c"]))
    >>> safe = neutralise_formulas(frame)
    >>> safe.index.tolist(), safe["name"].tolist()
    (["'=A1", 'b', 'c'], ["'\tx", "'+", 'a'])
    """
    out = frame.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _safe_values(out.iloc[:, position]))
    out.columns = _safe_index(out.columns)
    out.index = _safe_index(out.index)
    out.index.names = [neutralise_cell(n) for n in out.index.names]
    return out
