"""The yearly evolution (``--years``): ``years.csv``, ``evolution.png`` and the section "Évolution".

:func:`build` computes the coverage of the territory by the venues open each year
(:func:`maillage.coverage_by_year`, from the venues' ``opened`` and ``closed`` years);
:func:`check_years` refuses, before any computation, a census that has no such years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from maillage.analysis.years import coverage_by_year
from maillage.errors import OptionError
from maillage.report.counts import whole_columns
from maillage.report.fragments import INDICATOR_COLUMNS, html_table
from maillage.report.images import new_figure, png_bytes
from maillage.report.sections.base import Place, Section

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import geopandas as gpd
    import pandas as pd

    from maillage.report.model import Report
    from maillage.report.sections.base import (
        FileRenderer,
        PageContext,
        ReportContext,
        ReportOptions,
    )

__all__ = ["YearsSection", "build", "check_years"]


@dataclass(frozen=True)
class YearsSection(Section):
    """The coverage year by year (:func:`build`).

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`maillage.coverage_by_year`, indexed by year, whole residents
        (:func:`~maillage.report.counts.whole_columns`).
    """

    key: ClassVar[str] = "years"
    place: ClassVar[Place] = "map"
    sheets: ClassVar[Mapping[str, str]] = {"years.csv": "Années"}

    table: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``years.csv``."""
        return {"years.csv": self.table}

    def files(self) -> dict[str, FileRenderer]:
        """Return ``evolution.png``: the share covered year by year."""
        return {"evolution.png": self._evolution_png}

    def _evolution_png(self, report: Report) -> bytes:
        from maillage.maps import plot_share_by_year  # noqa: PLC0415 - heavy, loaded only when this file is rendered

        fig = new_figure((8, 4.5))
        plot_share_by_year(self.table, threshold_min=report.threshold_min, ax=fig.add_subplot())
        return png_bytes(fig)

    def html(self, page: PageContext) -> str:
        """Return the section "Évolution": the chart and the table by year."""
        years = self.table.reset_index().rename(columns={self.table.index.name or "index": "year"})
        return "\n".join(
            [
                "<h2>Évolution</h2>",
                page.image("evolution.png", "Évolution par année"),
                html_table(years, {"year": "Année", "venues": "Lieux", **INDICATOR_COLUMNS}),
            ]
        )


def build(context: ReportContext, options: ReportOptions) -> YearsSection | None:
    """Return the yearly evolution, or ``None`` when no years were asked for.

    Parameters
    ----------
    context : ReportContext
        The territory, the venues (with ``opened``/``closed`` years), model, threshold, grid.
    options : ReportOptions
        ``years``.

    Returns
    -------
    YearsSection or None
        The section.
    """
    if not options.years:
        return None
    table = coverage_by_year(
        context.communes,
        context.venues,
        model=context.model,
        years=list(options.years),
        threshold_min=context.threshold_min,
        grid=context.grid,
        origins=context.origins_cov,  # the report's own origins, not built again
    )
    return YearsSection(whole_columns(table))


def check_years(venues: gpd.GeoDataFrame, *, years: Sequence[int] | None, year: int | None) -> None:
    """Refuse a yearly evolution, or a year, of a census that has no opening years.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        The venues.
    years : sequence of int, optional
        Years asked for (``--years``).
    year : int, optional
        Year asked for (``--year``).

    Raises
    ------
    OptionError
        When years are asked for and no venue has an ``opened`` or ``closed`` year: every
        venue would count in every year, a flat evolution that says nothing.
    """
    if not years and year is None:
        return
    dated = [c for c in ("opened", "closed") if c in venues.columns and venues[c].notna().any()]
    if dated:
        return
    source = (venues.attrs.get("census") or {}).get("source", "the census")
    option = "--years" if years else "--year"
    msg = (
        f"{option}: {source} gives no opening nor closing year, so every venue would count in "
        "every year (a flat line); compare dated lists with --series NAME=DATE ... instead, "
        "or use a census with opening years"
    )
    raise OptionError(msg)
