"""What every optional part of the report is: a :class:`Section`, built from a :class:`ReportContext`.

A section is a frozen dataclass holding its computed data. It says what it adds to the folder
(CSV tables, which are also sheets of ``tables.xlsx``, and other files such as images), to
``summary.json`` and to the page (its HTML, at one of the :data:`Place` of the page). Its module
has ``build(context, options) -> section or None`` (``None``: nothing to show).

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Note(Section):
...     key: ClassVar[str] = "note"
...     place: ClassVar[Place] = "sites"
...     text: str
...     def html(self, page: PageContext) -> str:
...         return f"<p>{self.text}</p>"
>>> note = Note("Bonjour")
>>> note.summary(), note.tables(), note.files(), note.title()
({}, {}, {}, '')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from maillage.report.fragments import image

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import geopandas as gpd
    import pandas as pd

    from maillage.analysis.commute_scenario import CommuteScenario
    from maillage.report.model import Report
    from maillage.report.sections.comparison import Previous
    from maillage.travel.protocol import TravelTimeModel

__all__ = ["FileRenderer", "PageContext", "Place", "ReportContext", "ReportOptions", "Section"]

Place = Literal["key_figures", "map", "supported", "sites"]
"""Where a section goes on the page: after the key figures (before the map), after the map
(and the communes to confirm), after the contribution of the supported venues, or after the
suggested sites (before the method). Sections at one place keep the order of the list."""

type FileRenderer = Callable[[Report], bytes]
"""Renders one file of the folder from the whole report (an image needs the venues, the area)."""


@dataclass(frozen=True)
class ReportContext:
    """What every section is built from: the report's inputs and what it has already computed.

    Attributes
    ----------
    communes, venues : geopandas.GeoDataFrame
        The territory and the venues the report counts (those open in ``year`` when given).
    model : TravelTimeModel
        The travel-time model.
    threshold_min : float
        Access threshold in minutes.
    grid : geopandas.GeoDataFrame or None
        The population grid, when given.
    communes_cov, origins_cov : geopandas.GeoDataFrame
        :func:`maillage.coverage` with ``detail=True``: the communes and their origins with
        their times to the nearest venue, so that a section never searches again for them.
    summary : dict
        The figures of ``summary.json`` computed before the sections (:data:`SUMMARY_KEYS`...).
    area : str
        Name of the territory.
    k_sites : int
        Number of suggested sites.
    year : int or None
        The year of the venues counted (``year`` of :func:`maillage.report.build_report`),
        ``None`` when every venue given counts.
    """

    communes: gpd.GeoDataFrame
    venues: gpd.GeoDataFrame
    model: TravelTimeModel
    threshold_min: float
    grid: gpd.GeoDataFrame | None
    communes_cov: gpd.GeoDataFrame
    origins_cov: gpd.GeoDataFrame
    summary: Mapping[str, object]
    area: str
    k_sites: int
    year: int | None = None


@dataclass(frozen=True)
class ReportOptions:
    """The optional inputs of a report, each asking for a section (see :func:`build_report`).

    Attributes
    ----------
    years : tuple of int
        Years of the evolution table and chart (``--years``); empty: no such section.
    previous : Previous or None
        An earlier report to compare with (``--previous``).
    rejected : pandas.DataFrame or None
        The census rows :func:`maillage.load_venues` rejected (``rejected.csv``).
    series : dict of {date: geopandas.GeoDataFrame} or None
        Dated vintages of a network (``--series``).
    commutes : pandas.DataFrame or None
        Home-to-work flows (``--commutes``).
    work_communes : geopandas.GeoDataFrame or None
        With ``commutes``: where the work communes outside the territory are.
    commute_scenario : CommuteScenario or None
        With ``commutes``: the scenario beside the gross potential (default the cited one).
    commute_kinds : tuple of str or None
        With ``commutes``: the venue kinds the scenario counts (default where one can work).
    """

    years: tuple[int, ...] = ()
    previous: Previous | None = None
    rejected: pd.DataFrame | None = None
    series: Mapping[str, gpd.GeoDataFrame] | None = None
    commutes: pd.DataFrame | None = None
    work_communes: gpd.GeoDataFrame | None = None
    commute_scenario: CommuteScenario | None = None
    commute_kinds: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PageContext:
    """What a section's HTML is rendered with: the whole report and the files rendered so far.

    Attributes
    ----------
    report : Report
        The report.
    images : dict of str to bytes
        Files already rendered (``map.png``, the sections' images...), to embed; empty when
        the page is rendered alone (images are then left out).
    """

    report: Report
    images: Mapping[str, bytes] = field(default_factory=dict)

    def image(self, name: str, alt: str) -> str:
        """Return the ``<img>`` embedding the file ``name``, or ``""`` when it was not rendered."""
        return image(self.images.get(name), alt)

    @property
    def threshold_min(self) -> float:
        """The report's threshold, in minutes."""
        return self.report.threshold_min


class Section(Protocol):
    """One optional part of the report: its data, files, ``summary.json`` keys and HTML.

    Subclass it (a frozen dataclass) and override what the section has: the defaults add
    nothing. ``key`` names the section (:meth:`maillage.report.Report.section`), ``place``
    says where its HTML goes on the page, ``sheets`` names the sheet of ``tables.xlsx`` of
    each of its tables (default: the file name without ``.csv``).
    """

    key: ClassVar[str]
    place: ClassVar[Place]
    sheets: ClassVar[Mapping[str, str]] = {}

    def summary(self) -> dict[str, object]:
        """Return the keys the section adds to ``summary.json`` (after the usual ones)."""
        return {}

    def credits(self) -> tuple[str, ...]:
        """Return the datasets to credit for this section (names or attribution lines)."""
        return ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return its tables by CSV file name, canonical columns: each a CSV and a sheet."""
        return {}

    def files(self) -> dict[str, FileRenderer]:
        """Return its other files (images...) by name, each rendered from the report."""
        return {}

    def title(self) -> str:
        """Return what the section adds to the page's title (``""``: nothing)."""
        return ""

    def html(self, page: PageContext) -> str:
        """Return the section's HTML (``""`` when it has nothing to show)."""
        return ""
