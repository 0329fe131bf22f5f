"""The optional parts of the report, one module each, in the order of :data:`BUILDERS`.

Every section module has ``build(context, options)`` that returns a frozen dataclass
following :class:`~maillage.report.sections.base.Section` (or ``None`` when there is nothing
to show). The section holds its computed data and says what it adds:

* ``tables()``: its tables by CSV file name (canonical column names, described in
  :data:`maillage.report.columns.COLUMNS`); each is written as a French CSV
  (:func:`~maillage.report.columns.table_csv`) and as a sheet of ``tables.xlsx``, named by
  its ``sheets`` class attribute;
* ``files()``: its other files, such as images (a function of the report returning bytes:
  use :func:`maillage.report.images.new_figure` and :func:`~maillage.report.images.png_bytes`);
* ``summary()``: its keys of ``summary.json``, after the usual ones; ``credits()``: the
  datasets it adds to the credits;
* ``html(page)``: its HTML, placed on the page at its ``place`` (after the key figures, the
  map, the supported venues or the suggested sites); ``page.image(name, alt)`` embeds one of
  its images.

:func:`maillage.report.build_report` builds every section from one
:class:`~maillage.report.sections.base.ReportContext` (the territory, the venues, the model,
the coverage already computed with the origins' times, the key figures) and the optional
inputs (:class:`~maillage.report.sections.base.ReportOptions`); the report's folder, its
``summary.json`` and its page loop over them in this order.

To add a section: write one module here with its frozen dataclass (subclass of
:class:`~maillage.report.sections.base.Section`, with a ``key`` and a ``place``) and its
``build``, then add one line to :data:`BUILDERS` (an optional input it needs goes in
:class:`~maillage.report.sections.base.ReportOptions` and :func:`~maillage.report.build_report`).

Examples
--------
>>> [builder.__module__.rsplit(".", 1)[-1] for builder in BUILDERS]
['hypothetical', 'census', 'resilience', 'comparison', 'years', 'series', 'change', 'commutes']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maillage.report.sections import (
    census,
    change,
    commutes,
    comparison,
    hypothetical,
    resilience,
    series,
    years,
)
from maillage.report.sections.base import (
    PageContext,
    Place,
    ReportContext,
    ReportOptions,
    Section,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "BUILDERS",
    "PageContext",
    "Place",
    "ReportContext",
    "ReportOptions",
    "Section",
    "build_sections",
]

type SectionBuilder = Callable[[ReportContext, ReportOptions], Section | None]

BUILDERS: tuple[SectionBuilder, ...] = (
    hypothetical.build,  # a what-if scenario's venues: said above the map
    census.build,  # "Lieux pris en compte", rejected.csv
    resilience.build,  # "Résilience du maillage", closures.csv, alternatives.csv, closures.png
    comparison.build,  # --previous: "Évolution depuis le rapport précédent", changes.csv
    years.build,  # --years: "Évolution", years.csv, evolution.png
    series.build,  # --series: "Évolution entre les listes datées", series*.csv, series.png
    change.build,  # --series or --years: "Pourquoi la couverture a changé", why.csv
    commutes.build,  # --commutes: "Trajets domicile-travail évitables", commutes.*
)
"""The section builders, in the order of the page (within each place) and of the folder."""


def build_sections(context: ReportContext, options: ReportOptions) -> tuple[Section, ...]:
    """Build every section of :data:`BUILDERS` that has something to show, in its order.

    Parameters
    ----------
    context : ReportContext
        What the sections are built from.
    options : ReportOptions
        The optional inputs.

    Returns
    -------
    tuple of Section
        The sections built (``None`` left out).
    """
    found = (build(context, options) for build in BUILDERS)
    return tuple(section for section in found if section is not None)
