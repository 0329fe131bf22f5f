"""The report value: everything a report shows, computed once (:class:`Report`).

This module imports nothing else of the report: the builder fills a :class:`Report`, the
writers turn it into files, the page into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from maillage.report.sections.base import Section

__all__ = ["REPORT_FILES", "Report"]

REPORT_FILES = (
    "map.png",
    "map-impression.pdf",
    "map.html",
    "coverage.gpkg",
    "communes.csv",
    "indicators.csv",
    "sites.csv",
    "tables.xlsx",
    "summary.json",
    "report.html",
)
"""Files of every report; each section adds its own (``years.csv`` and ``evolution.png``...)."""


@dataclass(frozen=True)
class Report:
    """Everything a report shows, computed once; :func:`save_report` writes it.

    Attributes
    ----------
    area : str
        Name of the territory, e.g. ``"région 75"``.
    summary : dict
        The figures of ``summary.json`` (keys :data:`SUMMARY_KEYS`, then the sections').
    communes : geopandas.GeoDataFrame
        Output of :func:`maillage.coverage`.
    venues : geopandas.GeoDataFrame
        The venues used.
    white_zones, catchments, sites : geopandas.GeoDataFrame
        Outputs of :func:`maillage.white_zones`, :func:`maillage.catchments`,
        :func:`maillage.suggest_sites`.
    indicators : pandas.DataFrame
        Indicators by département then by EPCI (column ``level``).
    attribution : pandas.DataFrame or None
        Output of :func:`maillage.attribution` (population covered by each venue, by it
        alone, and ``.attrs["supported_contribution"]``).
    support : dict
        How public support was determined: ``method`` (``"matching"``, ``"census"`` or
        ``"unknown"``), ``supported``, ``not_supported``, ``unknown`` (venue counts) and,
        after :func:`maillage.mark_supported`, ``source`` and its ``support_matching`` counts.
    sections : tuple of Section
        The optional parts (census, comparison, years, series, commutes...), in page order
        (:mod:`maillage.report.sections`).
    """

    area: str
    summary: dict[str, object]
    communes: gpd.GeoDataFrame
    venues: gpd.GeoDataFrame
    white_zones: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    indicators: pd.DataFrame
    sites: gpd.GeoDataFrame
    attribution: pd.DataFrame | None = None
    support: dict[str, object] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()

    def figure(self, key: str) -> float:
        """Return the number ``summary[key]`` as a float (NaN when it is null).

        Raises
        ------
        TypeError
            If ``summary[key]`` is not a number.
        """
        value = self.summary[key]
        if value is None:
            return float("nan")
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = f"summary[{key!r}] is {value!r}, not a number"
            raise TypeError(msg)
        return float(value)

    @property
    def threshold_min(self) -> float:
        """The access threshold in minutes (``summary["threshold_min"]``)."""
        return self.figure("threshold_min")

    @property
    def credits(self) -> list[str]:
        """The data credits of ``summary.json``, in French."""
        lines = self.summary.get("data_credits")
        return [str(line) for line in lines] if isinstance(lines, list) else []

    @property
    def model_description(self) -> dict[str, object]:
        """The travel-time model's description (``summary["travel_time_model"]``)."""
        found = self.summary.get("travel_time_model")
        return {str(k): v for k, v in found.items()} if isinstance(found, dict) else {}

    def section(self, key: str) -> Section | None:
        """Return the section named ``key`` (``"census"``, ``"years"``...), or ``None``."""
        return next((s for s in self.sections if s.key == key), None)

    @property
    def files(self) -> tuple[str, ...]:
        """Names of the files written: :data:`REPORT_FILES`, then each section's tables and files."""
        extra = (name for s in self.sections for name in (*s.tables(), *s.files()))
        return REPORT_FILES + tuple(extra)
