"""The comparison with the previous report (``--previous``): figures then and now, communes that changed.

:func:`read_previous` reads and checks ``summary.json`` and ``communes.csv`` of an earlier
report folder (before anything is computed); :func:`compare_reports` compares them with the
current figures and returns a :class:`Comparison` (key figures, one row per commune in
``changes``, notes when the threshold, the travel-time model or the area differ): the section
"Évolution depuis le rapport précédent" and ``changes.csv``.

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

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import pandas as pd

from maillage.errors import InputDataError, OptionError
from maillage.report.columns import read_table
from maillage.report.fragments import html_table, with_commune
from maillage.report.numbers import fr_number, fr_percent, round_residents
from maillage.report.sections.base import Place, Section
from maillage.schema import SUMMARY_KEYS

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

    from maillage.report.sections.base import PageContext, ReportContext, ReportOptions

__all__ = [
    "CHANGES",
    "CHANGE_COLUMNS",
    "FIGURE_KEYS",
    "Comparison",
    "Previous",
    "build",
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
    places : (geopandas.GeoDataFrame, geopandas.GeoDataFrame) or None
        The layers ``communes`` (indexed by ``code_insee``, with ``population`` and polygons)
        and ``venues`` of its ``coverage.gpkg``: what an exact split of the change needs
        (:mod:`maillage.report.sections.change`); ``None`` when the folder lacks them.
    """

    folder: str
    summary: dict[str, Any]
    communes: pd.DataFrame
    places: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None


@dataclass(frozen=True)
class Comparison(Section):
    """The current report compared with a previous one (:func:`compare_reports`): a section.

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

    key: ClassVar[str] = "comparison"
    place: ClassVar[Place] = "key_figures"
    sheets: ClassVar[Mapping[str, str]] = {"changes.csv": "Changements"}

    folder: str
    figures: pd.DataFrame
    changes: pd.DataFrame
    population: pd.Series
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``changes.csv``: one row per commune of either report."""
        return {"changes.csv": self.changes}

    def html(self, page: PageContext) -> str:
        """Return the section "Évolution depuis le rapport précédent"."""
        return "\n".join(_comparison_parts(self, page))

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
    summary, communes = _read_summary(folder), _read_communes(folder)
    return Previous(folder.name, summary, communes, _read_places(folder))


def _read_places(folder: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None:
    """Return the ``communes`` and ``venues`` layers of the folder's ``coverage.gpkg``, or None.

    An older folder without them (or with an unreadable file) gives ``None``: the comparison
    still works, the change is then not split into its causes.
    """
    path = folder / "coverage.gpkg"
    if not path.is_file():
        return None
    import pyogrio  # noqa: PLC0415 - read only with --previous

    try:
        communes = pyogrio.read_dataframe(path, layer="communes")
        venues = pyogrio.read_dataframe(path, layer="venues")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        return None
    if not {"code_insee", "population"} <= set(communes.columns) or "venue_id" not in venues:
        return None
    communes["code_insee"] = communes["code_insee"].astype(str)
    venues["venue_id"] = venues["venue_id"].astype(str)
    return communes.set_index("code_insee"), venues


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


_MODEL_WORDS = {
    "label_fr": "modèle",
    "circuity": "coefficient de détour",
    "speed_kph": "vitesse (km/h)",
    "access_time_s": "temps aux deux bouts du trajet (s)",
    "file": "réseau routier",
}
"""French names of the model's settings the comparison names when they differ."""


def _model_note(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    if before == after:
        return None
    keys = [k for k in _MODEL_WORDS if before.get(k) != after.get(k)]
    shown = " ; ".join(
        f"{_MODEL_WORDS[k]} : {_short(before.get(k))} → {_short(after.get(k))}" for k in keys
    )
    return (
        "Le modèle de temps de trajet diffère entre les deux rapports"
        f"{' (' + shown + ')' if shown else ' (détail dans summary.json)'} : une partie des "
        "écarts vient de la méthode, pas du réseau de lieux."
    )


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return "non précisé" if value is None else str(value)


THRESHOLD_BOUND = ("share_within_threshold", "population_within_threshold")
"""Figures counted resident by resident: not recomputed at another threshold from communes.csv."""


def at_threshold(previous: Previous, threshold_min: float) -> Previous:
    """Return ``previous`` measured at ``threshold_min`` from the times of its communes.

    A commune is covered when its time (``communes.csv``) is ``threshold_min`` or less; the
    white-zone figures follow. The shares counted resident by resident
    (:data:`THRESHOLD_BOUND`) cannot be recomputed from the communes: they become null.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"nom": ["A", "B"], "population": [10, 20],
    ...     "time_min": [16.8, 12.0], "covered": [False, True]},
    ...     index=pd.Index(["01001", "01002"], name="code_insee"))
    >>> s = {"threshold_min": 15.0, "white_zone_communes": 1, "white_zone_population": 10,
    ...     "share_within_threshold": 0.6}
    >>> again = at_threshold(Previous("2025", s, c), 20.0)
    >>> again.communes["covered"].tolist(), again.summary["white_zone_communes"]
    ([True, True], 0)
    >>> again.summary["share_within_threshold"] is None
    True
    """
    communes = previous.communes
    times = communes["time_min"].astype(float)
    covered = (times <= threshold_min).astype("boolean").mask(times.isna())
    beyond = times > threshold_min
    summary = {
        **previous.summary,
        "threshold_min": float(threshold_min),
        "white_zone_communes": int(beyond.sum()),
        "white_zone_population": round(float(communes["population"].astype(float)[beyond].sum())),
        **dict.fromkeys(THRESHOLD_BOUND),
    }
    return Previous(previous.folder, summary, communes.assign(covered=covered))


def _notes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    notes = []
    t0, t1 = float(before["threshold_min"]), float(after["threshold_min"])
    if t0 != t1:
        notes.append(
            f"Le seuil diffère : {t0:g} min dans le rapport précédent, {t1:g} min dans celui-ci. "
            f"Les communes et les zones blanches du rapport précédent sont recalculées à {t1:g} "
            "min à partir des temps de ses communes ; la part des habitants sous le seuil et "
            "leur nombre, comptés habitant par habitant, ne peuvent pas l'être : ces lignes "
            "restent vides."
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
    >>> now = compare_reports(Previous("2025", s, c), s, c.assign(time_min=[12.0], covered=[True]))
    >>> now.changes["change"].tolist(), len(now.notes)
    (['sort de la zone blanche'], 0)

    At another threshold, the previous communes are measured at the current one:

    >>> again = compare_reports(Previous("2025", s, c.assign(time_min=[16.8])),
    ...     {**s, "threshold_min": 15.0}, c.assign(time_min=[15.5], covered=[False]))
    >>> again.changes["change"].tolist(), len(again.notes)
    (['inchangé'], 1)
    >>> bool(pd.isna(again.figures.loc["share_within_threshold", "before"]))
    True
    """
    notes = _notes(previous.summary, summary)
    if float(previous.summary["threshold_min"]) != float(summary["threshold_min"]):
        previous = at_threshold(previous, float(summary["threshold_min"]))
    current = pd.DataFrame(communes.drop(columns="geometry", errors="ignore"))
    changes = change_table(previous.communes, current)
    population = current["population"].astype(float).reindex(changes.index)
    population = population.fillna(previous.communes["population"].astype(float))
    return Comparison(
        folder=previous.folder,
        figures=_figures(previous.summary, summary),
        changes=changes,
        population=population,
        notes=notes,
    )


def build(context: ReportContext, options: ReportOptions) -> Comparison | None:
    """Return the comparison with ``options.previous``, or ``None`` without a previous report.

    Parameters
    ----------
    context : ReportContext
        The current figures (``summary``) and communes (``communes_cov``).
    options : ReportOptions
        ``previous``: from :func:`read_previous`.

    Returns
    -------
    Comparison or None
        The section (:func:`compare_reports`).
    """
    if options.previous is None:
        return None
    return compare_reports(options.previous, dict(context.summary), context.communes_cov)


_FIGURE_NAMES = {
    "share_within_threshold": "Part de la population à {t} min ou moins",
    "population_within_threshold": "Habitants à {t} min ou moins",
    "white_zone_communes": "Communes en zone blanche",
    "white_zone_population": "Habitants en zone blanche",
    "median_time_min": "Temps d'accès médian (min)",
    "venues": "Lieux pris en compte",
}


def _signed(value: float, decimals: int = 0, unit: str = "") -> str:
    if value is None or pd.isna(value):
        return "–"
    if round(float(value), decimals) == 0:
        return f"0{unit}"
    sign = "+" if value > 0 else "\u2212"
    return f"{sign}{fr_number(abs(float(value)), decimals)}{unit}"


def _points(difference: float) -> str:
    """Percentage points, singular below 2 as French writes it (« 1,5 point », « 2 points »)."""
    if difference is None or pd.isna(difference):
        return ""
    return "\u00a0point" if abs(round(float(difference), 1)) < 2 else "\u00a0points"


_RESIDENTS = ("population_within_threshold", "white_zone_population")
"""Figures counted in residents: rounded as the page's rule says when a range is shown."""


def _figure_cells(name: str, row: pd.Series, *, uncertain: bool) -> tuple[str, str, str]:
    if name in _RESIDENTS:
        before, after = (
            float("nan") if pd.isna(row[k]) else round_residents(row[k], uncertain=uncertain)
            for k in ("before", "after")
        )
        return fr_number(before), fr_number(after), _signed(after - before)
    if name == "share_within_threshold":
        return (
            fr_percent(row["before"]),
            fr_percent(row["after"]),
            _signed(row["difference"], 1, _points(row["difference"])),
        )
    decimals = 1 if name == "median_time_min" else 0
    return (
        fr_number(row["before"], decimals),
        fr_number(row["after"], decimals),
        _signed(row["difference"], decimals),
    )


def _moved(page: PageContext, comparison: Comparison, change: str, title: str) -> str:
    count = int((comparison.changes["change"] == change).sum())
    if count == 0:
        return f"<h3>{html.escape(title)} : aucune</h3>"
    rows = comparison.moved(change, top=15).reset_index()
    for name in ("time_min_before", "time_min_after"):
        rows[name] = rows[name].map(lambda v: fr_number(v, 1))
    shown = "les 15 plus peuplées" if count > 15 else "par population"
    table = html_table(
        with_commune(rows, page.report.communes),
        {
            "commune": "Commune",
            "population": "Population",
            "time_min_before": "Temps avant (min)",
            "time_min_after": "Temps maintenant (min)",
        },
    )
    return f"<h3>{html.escape(title)} : {fr_number(count)} ({shown})</h3>{table}"


def _comparison_parts(comparison: Comparison, page: PageContext) -> list[str]:
    t = f"{page.threshold_min:g}"
    uncertain = "share_within_threshold_low" in page.report.summary
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            html.escape(_FIGURE_NAMES[name].format(t=t)),
            *(html.escape(c) for c in _figure_cells(str(name), row, uncertain=uncertain)),
        )
        for name, row in comparison.figures.iterrows()
    )
    counts = comparison.changes["change"].value_counts()
    others = [
        f"{fr_number(counts.get(key, 0))} {one if counts.get(key, 0) == 1 else many}"
        for key, one, many in (
            ("nouvelle commune", "nouvelle", "nouvelles"),
            ("commune disparue", "disparue", "disparues"),
        )
        if counts.get(key, 0)
    ]
    notes = "".join(f"<p><b>Attention :</b> {html.escape(n)}</p>" for n in comparison.notes)
    return [
        "<h2>Évolution depuis le rapport précédent</h2>",
        f"<p>Comparaison avec le rapport du dossier « {html.escape(comparison.folder)} ». "
        "Détail par commune : <code>changes.csv</code>."
        + (f" Communes {html.escape(', '.join(others))} depuis." if others else "")
        + "</p>",
        notes,
        "<table><tr><th>Indicateur</th><th>Rapport précédent</th><th>Maintenant</th>"
        f"<th>Différence</th></tr>{rows}</table>",
        _moved(page, comparison, "sort de la zone blanche", "Communes sorties de la zone blanche"),
        _moved(page, comparison, "entre en zone blanche", "Communes entrées en zone blanche"),
    ]
