"""Compare a report with the previous one: key figures then and now, communes that changed.

:func:`read_previous` reads and checks ``summary.json`` and ``communes.csv`` of an earlier
report folder; :func:`compare_reports` compares them with the current figures and returns a
:class:`Comparison` (key figures, one row per commune in ``changes``, notes when the
threshold, the travel-time model or the area differ). Nothing here writes a file.

Examples
--------
>>> import pandas as pd
>>> before = pd.DataFrame({"nom": ["A", "B"], "population": [10, 20],
...     "time_min": [25.0, 5.0], "covered": [False, True]},
...     index=pd.Index(["01001", "01002"], name="code_insee"))
>>> after = before.assign(time_min=[12.0, 6.0], covered=[True, True])
>>> change_table(before, after)["change"].tolist()
['sort de la zone blanche', 'inchangé']
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from maillage.errors import InputDataError, OptionError
from maillage.report.columns import read_table
from maillage.schema import SUMMARY_KEYS

__all__ = [
    "CHANGES",
    "CHANGE_COLUMNS",
    "FIGURE_KEYS",
    "Comparison",
    "Previous",
    "change_table",
    "compare_reports",
    "read_previous",
]

CHANGES = (
    "sort de la zone blanche",
    "entre en zone blanche",
    "inchangé",
    "nouvelle commune",
    "commune disparue",
)
"""Values of the ``change`` column of ``changes.csv``."""

CHANGE_COLUMNS = (
    "nom",
    "time_min_before",
    "time_min_after",
    "covered_before",
    "covered_after",
    "change",
)
"""Columns of ``changes.csv`` after the ``code_insee`` index."""

SUMMARY_NEEDED = tuple(
    k for k in SUMMARY_KEYS if k not in ("communes", "population", "data_credits")
)
"""Keys of the previous ``summary.json`` the comparison reads (older reports may lack the rest)."""
COMMUNES_NEEDED = ("code_insee", "nom", "population", "time_min", "covered")
FIGURE_KEYS = (
    "share_within_threshold",
    "population_within_threshold",
    "white_zone_communes",
    "white_zone_population",
    "median_time_min",
    "venues",
)
"""Figures of ``summary.json`` compared between the two reports (numbers, or null)."""
_TRUTH = {"true": True, "false": False, "1": True, "0": False, "oui": True, "non": False}


@dataclass(frozen=True)
class Previous:
    """An earlier report, as read by :func:`read_previous`.

    Attributes
    ----------
    folder : str
        Name of its folder (last path part), shown in the page.
    summary : dict
        Its ``summary.json``.
    communes : pandas.DataFrame
        Its ``communes.csv``, indexed by ``code_insee`` (str), ``covered`` as ``boolean``.
    """

    folder: str
    summary: dict[str, Any]
    communes: pd.DataFrame


@dataclass(frozen=True)
class Comparison:
    """The current report compared with a previous one (:func:`compare_reports`).

    Attributes
    ----------
    folder : str
        Folder name of the previous report.
    figures : pandas.DataFrame
        One row per key figure (index ``figure``), columns ``before``, ``after``,
        ``difference`` (share in percentage points).
    changes : pandas.DataFrame
        Output of :func:`change_table`.
    population : pandas.Series
        Population of each commune of ``changes`` (current, else previous), for ranking.
    notes : list of str
        Differences of method between the two reports (threshold, model, area), in French.
    """

    folder: str
    figures: pd.DataFrame
    changes: pd.DataFrame
    population: pd.Series
    notes: list[str] = field(default_factory=list)

    def moved(self, change: str, top: int = 15) -> pd.DataFrame:
        """Return the ``top`` most populated communes whose ``change`` is ``change``.

        Parameters
        ----------
        change : str
            One of :data:`CHANGES`.
        top : int
            Number of rows.

        Returns
        -------
        pandas.DataFrame
            Rows of ``changes`` with a ``population`` column, most populated first.
        """
        rows = self.changes[self.changes["change"] == change]
        rows = rows.assign(population=self.population.reindex(rows.index))
        order = rows.reset_index().sort_values(
            ["population", "code_insee"], ascending=[False, True]
        )
        return order.head(top).set_index("code_insee")


def _fail(folder: Path, what: str) -> NoReturn:
    msg = (
        f"previous={folder}: {what}; give the folder of an earlier maillage report "
        "(holding summary.json and communes.csv)"
    )
    raise InputDataError(msg)


def _read_summary(folder: Path) -> dict[str, Any]:
    path = folder / "summary.json"
    if not path.is_file():
        _fail(folder, "no summary.json there")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        _fail(folder, f"summary.json is not valid JSON ({exc})")
    if not isinstance(summary, dict):
        _fail(folder, "summary.json is not a JSON object")
    missing = [key for key in SUMMARY_NEEDED if key not in summary]
    if missing:
        _fail(folder, f"summary.json lacks the key(s) {', '.join(missing)}")
    wrong = [
        key
        for key in FIGURE_KEYS
        if summary.get(key) is not None
        and (isinstance(summary[key], bool) or not isinstance(summary[key], int | float))
    ]
    if wrong:
        _fail(folder, f"summary.json has non-numeric value(s) for {', '.join(wrong)}")
    return summary


def _covered(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    flags = text.map(_TRUTH, na_action="ignore")
    return flags.astype("boolean")


def _read_communes(folder: Path) -> pd.DataFrame:
    path = folder / "communes.csv"
    if not path.is_file():
        _fail(folder, "no communes.csv there")
    try:
        table = read_table(path, typed=False)  # French (;, decimal commas) or earlier reports
    except (ValueError, UnicodeDecodeError) as exc:
        _fail(folder, f"communes.csv cannot be read ({exc})")
    missing = [name for name in COMMUNES_NEEDED if name not in table.columns]
    if missing:
        _fail(folder, f"communes.csv lacks the column(s) {', '.join(missing)}")
    if table["code_insee"].isna().any() or table["code_insee"].duplicated().any():
        _fail(folder, "communes.csv has empty or repeated code_insee values")
    covered = _covered(table["covered"])
    if (covered.isna() & table["covered"].notna()).any():
        _fail(folder, "communes.csv has 'covered' values other than oui/non (True/False)")
    numbers = {
        name: pd.to_numeric(table[name], errors="coerce") for name in ("population", "time_min")
    }
    wrong = [
        name for name, values in numbers.items() if (values.isna() & table[name].notna()).any()
    ]
    if wrong:
        _fail(folder, f"communes.csv has values that are not numbers in {', '.join(wrong)}")
    table = table.assign(covered=covered, **numbers)
    return table.set_index("code_insee")[list(COMMUNES_NEEDED[1:])]


def read_previous(folder: str | Path) -> Previous:
    """Read and check the ``summary.json`` and ``communes.csv`` of an earlier report.

    Parameters
    ----------
    folder : str or pathlib.Path
        Folder of the previous report.

    Returns
    -------
    Previous
        Its summary and communes, fully in memory (the folder may then be overwritten).

    Raises
    ------
    OptionError
        If ``folder`` is not a folder.
    InputDataError
        If a file is missing or unreadable, or lacks a key or column.

    Examples
    --------
    >>> import tempfile
    >>> read_previous(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: previous=...: no summary.json there; give ...
    """
    folder = Path(folder)
    if not folder.is_dir():
        msg = f"previous={folder}: no such folder; give the folder of an earlier maillage report"
        raise OptionError(msg)
    return Previous(folder.name, _read_summary(folder), _read_communes(folder))


def change_table(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Return one row per commune present in either table, with what changed.

    Parameters
    ----------
    before, after : pandas.DataFrame
        Communes indexed by ``code_insee`` with ``nom``, ``time_min`` and ``covered``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code_insee`` (sorted), columns :data:`CHANGE_COLUMNS`; ``change`` is
        one of :data:`CHANGES`. A missing ``covered`` counts as not covered.
    """
    codes = before.index.union(after.index).sort_values()
    old, new = before.reindex(codes), after.reindex(codes)
    was = old["covered"].astype("boolean")
    now = new["covered"].astype("boolean")
    in_old, in_new = codes.isin(before.index), codes.isin(after.index)
    was_in, now_in = was.fillna(False).to_numpy(bool), now.fillna(False).to_numpy(bool)
    change = pd.Series("inchangé", index=codes, dtype=object)
    change[in_old & in_new & ~was_in & now_in] = "sort de la zone blanche"
    change[in_old & in_new & was_in & ~now_in] = "entre en zone blanche"
    change[~in_old] = "nouvelle commune"
    change[~in_new] = "commune disparue"
    table = pd.DataFrame(
        {
            "nom": new["nom"].astype(object).where(in_new, old["nom"].astype(object)),
            "time_min_before": old["time_min"].astype(float),
            "time_min_after": new["time_min"].astype(float),
            "covered_before": was,
            "covered_after": now,
            "change": change,
        },
        index=codes,
    )
    table.index.name = "code_insee"
    return table


def _figures(before: dict[str, Any], after: dict[str, Any]) -> pd.DataFrame:
    keys = FIGURE_KEYS

    def number(summary: dict[str, Any], key: str) -> float:
        value = summary.get(key)
        return float("nan") if value is None else float(value)

    rows = {key: (number(before, key), number(after, key)) for key in keys}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["before", "after"])
    table["difference"] = table["after"] - table["before"]
    table.loc["share_within_threshold", "difference"] *= 100  # percentage points
    table.index.name = "figure"
    return table


def _model_note(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    if before == after:
        return None
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    shown = ", ".join(
        f"{k} : {_short(before.get(k))} → {_short(after.get(k))}" for k in keys if k != "sources"
    )
    return (
        "Le modèle de temps de trajet diffère entre les deux rapports"
        f"{' (' + shown + ')' if shown else ''} : une partie des écarts vient de la méthode, "
        "pas du réseau de lieux."
    )


def _short(value: object) -> str:
    return "absent" if value is None else str(value)


def _notes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    notes = []
    t0, t1 = float(before["threshold_min"]), float(after["threshold_min"])
    if t0 != t1:
        notes.append(
            f"Le seuil diffère : {t0:g} min dans le rapport précédent, {t1:g} min dans celui-ci ; "
            "les zones blanches et les parts couvertes ne mesurent pas la même chose."
        )
    model = _model_note(dict(before["travel_time_model"]), dict(after["travel_time_model"]))
    if model:
        notes.append(model)
    if str(before["area"]) != str(after["area"]):
        notes.append(
            f"Le territoire diffère : « {before['area']} » dans le rapport précédent, "
            f"« {after['area']} » dans celui-ci ; seules les communes communes aux deux "
            "sont comparées une à une."
        )
    return notes


def compare_reports(
    previous: Previous, summary: dict[str, Any], communes: pd.DataFrame
) -> Comparison:
    """Compare the current report's figures and communes with ``previous``.

    Parameters
    ----------
    previous : Previous
        From :func:`read_previous`.
    summary : dict
        The current ``summary.json`` content.
    communes : pandas.DataFrame
        The current communes (coverage output) indexed by ``code_insee``.

    Returns
    -------
    Comparison
        Figures, per-commune changes and notes on differing methods.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"nom": ["A"], "population": [10], "time_min": [25.0],
    ...     "covered": [False]}, index=pd.Index(["01001"], name="code_insee"))
    >>> s = {"area": "x", "venues": 1, "threshold_min": 20.0, "population_within_threshold": 0,
    ...     "share_within_threshold": 0.0, "white_zone_communes": 1, "white_zone_population": 10,
    ...     "median_time_min": 25.0, "travel_time_model": {"model": "m"}}
    >>> now = compare_reports(Previous("2025", s, c), {**s, "threshold_min": 30.0},
    ...     c.assign(covered=[True]))
    >>> now.changes["change"].tolist(), len(now.notes)
    (['sort de la zone blanche'], 1)
    """
    current = pd.DataFrame(communes.drop(columns="geometry", errors="ignore"))
    changes = change_table(previous.communes, current)
    population = current["population"].astype(float).reindex(changes.index)
    population = population.fillna(previous.communes["population"].astype(float))
    return Comparison(
        folder=previous.folder,
        figures=_figures(previous.summary, summary),
        changes=changes,
        population=population,
        notes=_notes(previous.summary, summary),
    )
