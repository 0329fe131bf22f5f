"""Pieces of HTML the page and its sections share: tables, images, key-figure cards, communes.

Figures are written the French way by :mod:`maillage.report.numbers`; every text is escaped.

Examples
--------
>>> commune_label("17306", "Royan"), commune_label("17306", None)
('Royan (17306)', '17306')
>>> image(None, "Carte")
''
"""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING

import pandas as pd

from maillage.load.cog import read_cog_table
from maillage.report.numbers import MISSING, fr_dates_in, fr_number, fr_percent, fr_year
from maillage.sources import CATALOGUE

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "INDICATOR_COLUMNS",
    "commune_label",
    "commune_names",
    "dataset_label",
    "figure_cards",
    "html_table",
    "image",
    "with_commune",
]

INDICATOR_COLUMNS = {
    "code": "Code",
    "name": "Nom",
    "communes": "Communes",
    "population": "Population",
    "share_within_threshold": "Part couverte",
    "median_time_min": "Temps médian (min)",
    "white_zone_communes": "Communes en zone blanche",
    "white_zone_population": "Population des communes en zone blanche",
}
"""French headers of the indicator tables (by département, EPCI, year)."""


def commune_label(code: object, name: object) -> str:
    """Return ``"Nom (code)"``, or the code alone when the name is unknown.

    Examples
    --------
    >>> commune_label("17306", "Royan"), commune_label("17306", None)
    ('Royan (17306)', '17306')
    """
    if code is None or pd.isna(code):
        return "–"
    if name is None or pd.isna(name) or not str(name):
        return str(code)
    return f"{name} ({code})"


def commune_names(communes: pd.DataFrame) -> pd.Series:
    """Return names by INSEE code: those of ``communes`` (``nom``), then every commune of the COG.

    Parameters
    ----------
    communes : pandas.DataFrame
        The report's communes, indexed by ``code_insee``.

    Returns
    -------
    pandas.Series
        Name by code.
    """
    own = communes["nom"] if "nom" in communes.columns else pd.Series(dtype=str)
    own = own.set_axis(own.index.astype(str))
    cog = read_cog_table()["nom"]
    return pd.concat([own, cog[~cog.index.isin(own.index)]])


def with_commune(
    frame: pd.DataFrame, communes: pd.DataFrame, names: pd.Series | None = None
) -> pd.DataFrame:
    """Add a ``commune`` column ``"Nom (code)"`` from ``code_insee`` (and ``nom`` when given).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with a ``code_insee`` column.
    communes : pandas.DataFrame
        The report's communes, for the names (:func:`commune_names`).
    names : pandas.Series, optional
        Names by code, when already looked up.

    Returns
    -------
    pandas.DataFrame
        A copy with the ``commune`` column.
    """
    codes = frame["code_insee"].astype("string")
    if names is None:
        names = commune_names(communes)
    found = frame["nom"] if "nom" in frame.columns else codes.map(names)
    labels = [commune_label(c, n) for c, n in zip(codes, found, strict=True)]
    return frame.assign(commune=labels)


def _formatted(column: pd.Series, name: str) -> tuple[pd.Series, bool]:
    """Return a column written the French way, and whether it holds numbers."""
    if name == "year":
        return column.map(fr_year), True
    if name.startswith("share"):
        return column.map(fr_percent), True
    if name.endswith("_min"):
        return column.map(lambda v: fr_number(v, 1)), True
    if pd.api.types.is_bool_dtype(column):
        return column.map({True: "oui", False: "non"}).fillna(MISSING), False
    if pd.api.types.is_numeric_dtype(column):
        return column.map(fr_number), True
    return column.map(lambda v: MISSING if v is None or pd.isna(v) else str(v)), False


def dataset_label(name: str) -> str:
    """Return how the page names a dataset: its title when catalogued (never its key), else its file.

    Examples
    --------
    >>> dataset_label("france-services-2020-01-02"), dataset_label("/home/x/recensement.csv")
    ('Liste des France services au 2 janvier 2020', 'recensement.csv')
    """
    if name in CATALOGUE:
        return fr_dates_in(CATALOGUE[name].title)
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def html_table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    """Return ``frame`` as an HTML table: ``columns`` (canonical -> French header), French figures.

    Years as years, shares as percentages, ``*_min`` columns with one decimal, other numbers
    as whole numbers; missing values as ``–``; every text escaped. Columns of numbers are
    right-aligned, headers included; columns of text (class ``t``) left-aligned.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["<b>A</b>"], "population": [1234], "x": [0]})
    >>> html_table(frame, {"name": "Nom", "population": "Population"})
    '<table><thead><tr><th class="t">Nom</th><th>Population</th></tr></thead><tbody><tr><td class="t">&lt;b&gt;A&lt;/b&gt;</td><td>1\u202f234</td></tr></tbody></table>'
    """
    names = [c for c in columns if c in frame.columns]
    formatted = [_formatted(frame[name], name) for name in names]
    return cells_table(
        [columns[n] for n in names],
        [[str(v) for v in text] for text, _ in formatted],
        [is_number for _, is_number in formatted],
    )


def cells_table(
    headers: Sequence[str], columns: Sequence[Sequence[str]], numeric: Sequence[bool]
) -> str:
    """Return an HTML table of cells already written as text, one list per column.

    Every text is escaped; columns of numbers are right-aligned, headers included, columns
    of text (class ``t``) left-aligned, as in :func:`html_table`.

    Examples
    --------
    >>> cells_table(["Hypothèse", "Valeur"], [["Part"], ["2 %"]], [False, True])
    '<table><thead><tr><th class="t">Hypothèse</th><th>Valeur</th></tr></thead><tbody><tr><td class="t">Part</td><td>2 %</td></tr></tbody></table>'
    """
    css = ["" if n else ' class="t"' for n in numeric]
    head = "".join(f"<th{c}>{html.escape(h)}</th>" for h, c in zip(headers, css, strict=True))
    rows = "".join(
        "<tr>"
        + "".join(f"<td{c}>{html.escape(v)}</td>" for v, c in zip(row, css, strict=True))
        + "</tr>"
        for row in zip(*columns, strict=True)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def image(data: bytes | None, alt: str) -> str:
    """Return an ``<img>`` embedding the PNG ``data`` (``""`` without data)."""
    if data is None:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def figure_cards(figures: Sequence[tuple[str, str]]) -> str:
    """Return key-figure cards: each ``(label, value)`` as a value in bold above its label."""
    cells = "".join(
        f'<div class="chiffre"><b>{html.escape(v)}</b>{html.escape(k)}</div>' for k, v in figures
    )
    return f'<div class="chiffres">{cells}</div>'
