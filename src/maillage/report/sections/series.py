"""The dated vintages of a network (``--series``): the evolution, its maps, its changes.

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

import base64
import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from maillage.analysis.coverage import (
    aggregate,
    build_origins,
    coverage,
    origin_times,
    venue_points,
)
from maillage.analysis.vintages import coverage_by_date, iso_date, match_vintages
from maillage.errors import OptionError
from maillage.report.fragments import dataset_label
from maillage.report.images import new_figure, png_bytes
from maillage.report.numbers import fr_date
from maillage.report.sections.base import Place, Section
from maillage.sources import CATALOGUE

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd
    import pandas as pd

    from maillage.report.model import Report
    from maillage.report.sections.base import (
        FileRenderer,
        PageContext,
        ReportContext,
        ReportOptions,
    )
    from maillage.travel.protocol import TravelTimeModel

__all__ = ["SeriesSection", "build", "build_series", "parse_series_spec"]


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
) -> SeriesSection:
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
    SeriesSection
        The table, the openings and closures, the coverage and venues of each date.
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
    return SeriesSection(table, changes, frames, dated)


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


def _minutes(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") if math.isfinite(value) else "–"


def _percent(value: float) -> str:
    return f"{100 * value:.1f}\u00a0%".replace(".", ",")


def _series_parts(table: pd.DataFrame) -> list[str]:
    """Return the heading, the explanation, the table and the note on empty lists."""
    rows = []
    for _, row in table.iterrows():
        cells = [
            fr_date(str(row["date"])),
            dataset_label(str(row["source"])),
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
    empty = [fr_date(str(d)) for d, n in zip(table["date"], table["venues"], strict=True) if n == 0]
    if empty:
        listed = ", ".join(html.escape(day) for day in empty)
        parts.append(
            f"<p>Aucun lieu dans le territoire dans la liste du {listed} : cette date ne "
            "couvre personne (0 %), ses cartes sont entièrement en zone blanche.</p>"
            if len(empty) == 1
            else f"<p>Aucun lieu dans le territoire dans les listes du {listed} : ces dates "
            "ne couvrent personne (0 %), leurs cartes sont entièrement en zone blanche.</p>"
        )
    return parts


@dataclass(frozen=True)
class SeriesSection(Section):
    """Dated vintages of a network over the territory (:func:`build_series`).

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by date: ``source``, the coverage figures of
        :func:`~maillage.analysis.vintages.coverage_by_date` and the ``opened``, ``closed``,
        ``kept`` counts of :func:`~maillage.analysis.vintages.match_vintages`.
    changes : pandas.DataFrame
        The openings and closures between consecutive dates.
    frames, venues : dict of {date: geopandas.GeoDataFrame}
        Coverage and venues of each date, for the maps.
    """

    key: ClassVar[str] = "series"
    place: ClassVar[Place] = "map"
    sheets: ClassVar[Mapping[str, str]] = {
        "series.csv": "Série",
        "series_changes.csv": "Série - ouvertures",
    }

    table: pd.DataFrame
    changes: pd.DataFrame
    frames: Mapping[str, gpd.GeoDataFrame]
    venues: Mapping[str, gpd.GeoDataFrame]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``series.csv`` and ``series_changes.csv``."""
        return {"series.csv": self.table, "series_changes.csv": self.changes.set_index("vintage")}

    def files(self) -> dict[str, FileRenderer]:
        """Return ``series.png``: one access map per date (small multiples)."""
        return {"series.png": self._series_png}

    def _series_png(self, report: Report) -> bytes:
        from maillage.maps import plot_years  # noqa: PLC0415 - heavy, only when drawn

        ncols = min(3, len(self.frames))
        rows = -(-len(self.frames) // ncols)
        fig = new_figure((6 * ncols, 5.5 * rows))
        plot_years(
            cast("Any", self.frames),  # dates, not years, label the maps
            cast("Any", self.venues),
            ncols=ncols,
            fig=fig,
            threshold_min=report.threshold_min,
            scale_bar=False,
        )
        return png_bytes(fig, dpi=110)

    def html(self, page: PageContext) -> str:
        """Return the section "Évolution entre les listes datées", with its maps when drawn."""
        parts = _series_parts(self.table.reset_index())
        data = page.images.get("series.png")
        if data:
            encoded = base64.b64encode(data).decode("ascii")
            parts.append(f'<img src="data:image/png;base64,{encoded}" alt="Cartes par liste">')
        return "\n".join(parts)


def build(context: ReportContext, options: ReportOptions) -> SeriesSection | None:
    """Return the dated vintages of ``options.series``, or ``None`` without a series.

    Parameters
    ----------
    context : ReportContext
        The territory, model, threshold and grid.
    options : ReportOptions
        ``series``: the venues of each date.

    Returns
    -------
    SeriesSection or None
        The section (:func:`build_series`).
    """
    if not options.series:
        return None
    return build_series(
        context.communes,
        options.series,
        model=context.model,
        threshold_min=context.threshold_min,
        grid=context.grid,
    )
