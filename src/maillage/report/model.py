"""The report value: everything a report shows, computed once (:class:`Report`).

This module imports nothing else of the report: the builder fills a :class:`Report`, the
writers turn it into files, the page into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "CENSUS_FILES",
    "COMMUTE_FILES",
    "COMPARE_FILES",
    "REPORT_FILES",
    "SERIES_FILES",
    "YEAR_FILES",
    "Report",
]

REPORT_FILES = (
    "map.png",
    "map.html",
    "coverage.gpkg",
    "communes.csv",
    "indicators.csv",
    "sites.csv",
    "tables.xlsx",
    "summary.json",
    "report.html",
)
"""Files of every report; ``years.csv`` and ``evolution.png`` are added with years."""
YEAR_FILES = ("years.csv", "evolution.png")
COMPARE_FILES = ("changes.csv",)
CENSUS_FILES = ("rejected.csv",)
"""Added when the census accounting is known (``extra["census"]``): its rejected rows."""
SERIES_FILES = ("series.csv", "series_changes.csv", "series.png")
"""Added with dated vintages (``extra["series"]``, ``--series``)."""
COMMUTE_FILES = ("commutes.csv", "commutes.png")
"""Added with home-to-work flows (``extra["commutes"]``, ``--commutes``)."""


@dataclass(frozen=True)
class Report:
    """Everything a report shows, computed once; :func:`save_report` writes it.

    Attributes
    ----------
    area : str
        Name of the territory, e.g. ``"région 75"``.
    summary : dict
        The figures of ``summary.json`` (keys :data:`SUMMARY_KEYS`).
    communes : geopandas.GeoDataFrame
        Output of :func:`maillage.coverage`.
    venues : geopandas.GeoDataFrame
        The venues used.
    white_zones, catchments, sites : geopandas.GeoDataFrame
        Outputs of :func:`maillage.white_zones`, :func:`maillage.catchments`,
        :func:`maillage.suggest_sites`.
    indicators : pandas.DataFrame
        Indicators by département then by EPCI (column ``level``).
    by_year : pandas.DataFrame or None
        Output of :func:`maillage.coverage_by_year`, when years were asked for.
    attribution : pandas.DataFrame or None
        Output of :func:`maillage.attribution` (population covered by each venue, by it
        alone, and ``.attrs["supported_contribution"]``).
    support : dict
        How public support was determined: ``method`` (``"matching"``, ``"census"`` or
        ``"unknown"``), ``supported``, ``not_supported``, ``unknown`` (venue counts) and,
        after :func:`maillage.mark_supported`, ``source`` and its ``support_matching`` counts.
    comparison : maillage.report.compare.Comparison or None
        The comparison with a previous report, when one was given.
    extra : dict
        ``census``: the accounting of the census rows (:func:`maillage.report.census.census_facts`)
        and ``rejected``: its rejected rows; ``series``: the dated vintages
        (:func:`maillage.report.series.build_series`).
    """

    area: str
    summary: dict[str, Any]
    communes: gpd.GeoDataFrame
    venues: gpd.GeoDataFrame
    white_zones: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    indicators: pd.DataFrame
    sites: gpd.GeoDataFrame
    by_year: pd.DataFrame | None = None
    attribution: pd.DataFrame | None = None
    support: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    comparison: Any = None

    @property
    def files(self) -> tuple[str, ...]:
        """Names of the files written for this report, in :data:`REPORT_FILES` order."""
        years = YEAR_FILES if self.by_year is not None else ()
        changes = COMPARE_FILES if self.comparison is not None else ()
        census = CENSUS_FILES if self.extra.get("rejected") is not None else ()
        series = SERIES_FILES if self.extra.get("series") else ()
        commutes = COMMUTE_FILES if self.extra.get("commutes") else ()
        return REPORT_FILES + years + changes + census + series + commutes
