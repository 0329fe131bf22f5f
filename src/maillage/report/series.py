"""Dated vintages of a network in the report (``--series``): the evolution, its maps, its changes.

``maillage report --series france-services-2020-01-02 france-services-2020-10-12 ...`` (or
``FILE=2024-05-01`` for a file) compares the lists of one network at several dates: the
coverage figures of each vintage (``series.csv``), one access map per vintage
(``series.png``, small multiples), the sites opened and closed between consecutive vintages
(``series_changes.csv``), and a section of the page.

Examples
--------
>>> parse_series_spec("france-services-2020-01-09")
('france-services-2020-01-09', '2020-01-09')
>>> parse_series_spec("lieux-2023.csv=2023-06")
('lieux-2023.csv', '2023-06-01')
"""

from __future__ import annotations

import html
import io
import math
from typing import TYPE_CHECKING, Any, cast

from maillage.analysis.coverage import (
    aggregate,
    build_origins,
    coverage,
    origin_times,
    venue_points,
)
from maillage.analysis.vintages import coverage_by_date, iso_date, match_vintages
from maillage.errors import OptionError
from maillage.report.model import SERIES_FILES
from maillage.sources import CATALOGUE

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

    from maillage.report.model import Report
    from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "SERIES_FILES",
    "build_series",
    "parse_series_spec",
    "series_renderers",
    "series_section",
]


_COLUMNS = {
    "date": "Date",
    "source": "Liste",
    "venues": "Lieux",
    "opened": "Ouvertures",
    "closed": "Fermetures",
    "share_within_threshold": "Part couverte",
    "white_zone_communes": "Communes en zone blanche",
    "median_time_min": "Temps médian (min)",
}


def parse_series_spec(text: str) -> tuple[str, str]:
    """Read one ``--series`` item: ``NAME_OR_FILE[=DATE]``.

    Parameters
    ----------
    text : str
        A catalogue census (its date is its vintage) or a file followed by ``=DATE``.

    Returns
    -------
    source, date : str
        The census and its ISO date.

    Raises
    ------
    OptionError
        For a file without a date, or a catalogue census whose vintage is not a day.
    """
    source, sep, day = str(text).rpartition("=") if "=" in str(text) else (text, "", "")
    if sep:
        return source, iso_date(day)
    if source in CATALOGUE:
        vintage = CATALOGUE[source].vintage
        if len(vintage) >= len("YYYY-MM"):
            return source, iso_date(vintage)
    msg = f"--series {text}: give the date of this list, e.g. --series {text}=2024-05-01"
    raise OptionError(msg)


def build_series(
    communes: gpd.GeoDataFrame,
    censuses: Mapping[str, gpd.GeoDataFrame],
    *,
    model: TravelTimeModel,
    threshold_min: float,
    grid: gpd.GeoDataFrame | None = None,
    sources: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Compute the evolution of dated vintages of a network over the territory.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The territory.
    censuses : dict of {date: geopandas.GeoDataFrame}
        Venues of each vintage (:func:`maillage.load_venues`; ids made from row numbers,
        ``attrs["census"]["row_ids"]``, are not matched by id).
    model : TravelTimeModel
        Travel-time model.
    threshold_min : float
        Access threshold in minutes.
    grid : geopandas.GeoDataFrame, optional
        Population grid.
    sources : dict of {date: str}, optional
        Name of each vintage's census, for the table.

    Returns
    -------
    dict
        ``table`` (indexed by date: ``source``, the coverage figures of
        :func:`~maillage.analysis.vintages.coverage_by_date` and the ``opened``, ``closed``,
        ``kept`` counts of :func:`~maillage.analysis.vintages.match_vintages`), ``changes``
        (openings and closures), ``frames`` and ``venues`` (coverage and venues per date,
        for the maps).
    """
    dated = {iso_date(day): frame for day, frame in censuses.items()}
    figures = coverage_by_date(communes, dated, model=model, threshold_min=threshold_min, grid=grid)
    stable = {
        day: not (f.attrs.get("census") or {}).get("row_ids", False) for day, f in dated.items()
    }
    summary, changes = match_vintages(dated, stable_ids=stable)
    table = figures.join(summary[["opened", "closed", "kept"]].rename_axis("date"))
    names = {day: (f.attrs.get("census") or {}).get("source", "") for day, f in dated.items()}
    names |= {iso_date(k): v for k, v in (sources or {}).items()}
    table.insert(0, "source", [names.get(day, "") for day in table.index])
    frames = {
        day: _coverage_of(communes, dated[day], model=model, threshold_min=threshold_min, grid=grid)
        for day in table.index
    }
    return {"table": table, "changes": changes, "frames": frames, "venues": dated}


def _coverage_of(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold_min: float,
    grid: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    """Coverage by one dated list; a list without venue in the area covers no one (0 %)."""
    if len(venues):
        return coverage(communes, venues, model=model, threshold_min=threshold_min, grid=grid)
    points = venue_points(venues, model=model, allow_empty=True)
    origins = origin_times(
        build_origins(communes, grid), points, model=model, threshold_min=threshold_min
    )
    return aggregate(communes, origins, threshold_min=threshold_min)


def _series_png(report: Report) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - heavy
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy, only when drawn

    from maillage.maps import plot_years  # noqa: PLC0415 - heavy, only when drawn

    series = report.extra["series"]
    ncols = min(3, len(series["frames"]))
    rows = -(-len(series["frames"]) // ncols)
    fig = Figure(figsize=(6 * ncols, 5.5 * rows))
    FigureCanvasAgg(fig)
    plot_years(
        cast("Any", series["frames"]),
        cast("Any", series["venues"]),
        ncols=ncols,
        fig=fig,
        threshold_min=report.summary["threshold_min"],
        scale_bar=False,
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()


def series_tables() -> dict[str, Any]:
    """Return the table behind each CSV file of :data:`SERIES_FILES` (report -> frame).

    Returns
    -------
    dict
        File name to function; :mod:`maillage.report.files` writes the tables.
    """
    return {
        "series.csv": lambda r: r.extra["series"]["table"],
        "series_changes.csv": lambda r: r.extra["series"]["changes"].set_index("vintage"),
    }


def series_renderers() -> dict[str, Any]:
    """Return the renderer of ``series.png`` (report -> bytes).

    Returns
    -------
    dict
        File name to function.
    """
    return {"series.png": _series_png}


def _minutes(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") if math.isfinite(value) else "–"


def _percent(value: float) -> str:
    return f"{100 * value:.1f}\u00a0%".replace(".", ",")


def series_section(report: Report, series_png: bytes | None = None) -> list[str]:
    """Return the page's section on the dated vintages.

    Parameters
    ----------
    report : maillage.report.Report
        The report; ``extra["series"]`` holds :func:`build_series`.
    series_png : bytes, optional
        The small multiples, embedded.

    Returns
    -------
    list of str
        HTML fragments; empty without a series.
    """
    series = report.extra.get("series")
    if not series:
        return []
    table = series["table"].reset_index()
    rows = []
    for _, row in table.iterrows():
        cells = [
            row["date"],
            row["source"],
            f"{int(row['venues'])}",
            f"{int(row['opened'])}",
            f"{int(row['closed'])}",
            _percent(float(row["share_within_threshold"])),
            f"{int(row['white_zone_communes'])}",
            _minutes(float(row["median_time_min"])),
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{label}</th>" for label in _COLUMNS.values())
    parts = [
        "<h2>Évolution entre les listes datées</h2>",
        "<p>Une liste d'un même réseau à plusieurs dates. Un site est le même d'une liste à "
        "l'autre s'il garde son identifiant, sinon s'il est dans la même commune sous le même "
        "nom ou à moins de 300 m ; les autres sont des ouvertures ou des fermetures "
        "(<code>series_changes.csv</code>, tableau : <code>series.csv</code>).</p>",
        f"<table><tr>{head}</tr>{''.join(rows)}</table>",
    ]
    empty = [str(day) for day, n in zip(table["date"], table["venues"], strict=True) if n == 0]
    if empty:
        listed = ", ".join(html.escape(day) for day in empty)
        parts.append(
            f"<p>Aucun lieu dans le territoire dans la liste du {listed} : cette date ne "
            "couvre personne (0 %), ses cartes sont entièrement en zone blanche.</p>"
            if len(empty) == 1
            else f"<p>Aucun lieu dans le territoire dans les listes du {listed} : ces dates "
            "ne couvrent personne (0 %), leurs cartes sont entièrement en zone blanche.</p>"
        )
    if series_png:
        import base64  # noqa: PLC0415 - only with a series

        data = base64.b64encode(series_png).decode("ascii")
        parts.append(f'<img src="data:image/png;base64,{data}" alt="Cartes par liste">')
    return parts
