"""The coverage report: every figure, map and table of a territory, written to one folder.

:func:`build_report` computes (coverage, indicators, white zones, catchments, suggested
sites, optional yearly evolution) and returns a :class:`Report`; :func:`save_report`
writes it; :func:`write_report` does both. Writing is atomic: the files are built in a
temporary sibling folder which then replaces ``out_dir``, so a failed run leaves the
previous report untouched and never a half-written file. Identical inputs give
byte-identical files (fixed PNG and GeoPackage metadata, fixed folium element ids).

Files written (:data:`REPORT_FILES`): ``map.png``, ``map.html``, ``coverage.gpkg``
(layers ``communes``, ``venues``, ``white_zones``, ``catchments``), ``communes.csv``,
``indicators.csv``, ``sites.csv``, ``report.html``, ``summary.json``; with years, also
``years.csv`` and ``evolution.png``; with a previous report, ``changes.csv``
(:mod:`maillage.compare`).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from maillage.attribution import attribution
from maillage.catchments import catchments
from maillage.compare import Comparison, Previous, compare_reports, read_previous
from maillage.coverage import coverage
from maillage.errors import OptionError
from maillage.load.cog import read_departements, read_epci
from maillage.planning import suggest_sites
from maillage.report_files import WRITERS
from maillage.schema import SUMMARY_KEYS
from maillage.years import active_venues, coverage_by_year
from maillage.zones import indicators, white_zones

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import geopandas as gpd

    from maillage.travel import TravelTimeModel

__all__ = [
    "REPORT_FILES",
    "SUMMARY_KEYS",
    "Report",
    "build_report",
    "describe_support",
    "save_report",
    "write_report",
]

logger = logging.getLogger(__name__)

REPORT_FILES = (
    "map.png",
    "map.html",
    "coverage.gpkg",
    "communes.csv",
    "indicators.csv",
    "sites.csv",
    "summary.json",
    "report.html",
)
"""Files of every report; ``years.csv`` and ``evolution.png`` are added with years."""
YEAR_FILES = ("years.csv", "evolution.png")
COMPARE_FILES = ("changes.csv",)


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
    comparison : maillage.compare.Comparison or None
        The comparison with a previous report, when one was given.
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
    comparison: Comparison | None = None

    @property
    def files(self) -> tuple[str, ...]:
        """Names of the files :func:`save_report` writes for this report."""
        years = YEAR_FILES if self.by_year is not None else ()
        changes = COMPARE_FILES if self.comparison is not None else ()
        return REPORT_FILES[:-2] + years + changes + REPORT_FILES[-2:]


def _scalar(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()  # numpy scalar -> Python
    if isinstance(value, float) and pd.isna(value):
        return None
    return value


def make_summary(
    overall: pd.Series,
    *,
    area: str,
    venues: int,
    threshold_min: float,
    model: dict[str, Any],
    credits: Sequence[str],
) -> dict[str, Any]:
    """Return the ``summary.json`` content from the territory-wide indicators row.

    Parameters
    ----------
    overall : pandas.Series
        The single row of :func:`maillage.indicators` with ``by=None``.
    area : str
        Name of the territory.
    venues : int
        Number of venues used.
    threshold_min : float
        Threshold in minutes.
    model : dict
        ``model.describe()``.
    credits : sequence of str
        Data credits.

    Returns
    -------
    dict
        Keys :data:`SUMMARY_KEYS`, JSON-serialisable values.

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"communes": 3, "population": 600, "population_within_threshold": 450.0,
    ...     "share_within_threshold": 0.75, "white_zone_communes": 1,
    ...     "white_zone_population": 150.0, "median_time_min": 12.5})
    >>> s = make_summary(row, area="test", venues=2, threshold_min=20,
    ...     model={"model": "crow-fly"}, credits=["INSEE"])
    >>> list(s) == list(SUMMARY_KEYS), s["communes"], s["white_zone_population"]
    (True, 3, 150)
    """
    return {
        "area": str(area),
        "communes": int(overall["communes"]),
        "population": round(float(overall["population"])),
        "venues": int(venues),
        "threshold_min": float(threshold_min),
        "population_within_threshold": round(float(overall["population_within_threshold"])),
        "share_within_threshold": round(float(overall["share_within_threshold"]), 6),
        "white_zone_communes": int(overall["white_zone_communes"]),
        "white_zone_population": round(float(overall["white_zone_population"])),
        "median_time_min": _scalar(round(float(overall["median_time_min"]), 3)),
        "travel_time_model": json.loads(json.dumps(model, default=str)),
        "data_credits": [str(c) for c in credits],
    }


def _step(bar: Any, label: str) -> None:
    logger.info(label)
    if bar is not None:
        bar.set_description(label)
        bar.update()


def build_report(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold_min: float = 20,
    grid: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    years: Sequence[int] | None = None,
    area: str = "territoire",
    k_sites: int = 5,
    data_credits: Sequence[str] = (),
    previous: str | Path | Previous | None = None,
    progress: bool = False,
) -> Report:
    """Compute everything a report shows.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The territory (:func:`maillage.load_communes`).
    venues : geopandas.GeoDataFrame
        The venues (:func:`maillage.load_venues`), including those just outside the border.
    model : TravelTimeModel
        :class:`maillage.CrowFlyModel` or :class:`maillage.RoadNetwork`.
    threshold_min : float
        Access threshold in minutes: beyond it a commune is in a white zone.
    grid : geopandas.GeoDataFrame, optional
        Population grid for finer origins (:func:`maillage.read_population_grid`).
    year : int, optional
        Map and figures for the venues open that year (:func:`maillage.years.active_venues`);
        default all venues given.
    years : sequence of int, optional
        Years of the evolution table and chart (venues need ``opened`` years).
    area : str
        Name of the territory shown in the titles and ``summary.json``.
    k_sites : int
        Number of suggested sites.
    data_credits : sequence of str
        Attribution lines of the datasets used (:func:`maillage.credits`).
    previous : str, pathlib.Path or maillage.compare.Previous, optional
        Folder of an earlier report to compare with; read and checked first, before any
        computation (:func:`maillage.compare.read_previous`), so it may be the output folder.
    progress : bool
        Show a progress bar over the steps.

    Returns
    -------
    Report
        The computed report, ready for :func:`save_report`.
    """
    if previous is not None and not isinstance(previous, Previous):
        previous = read_previous(previous)
    support = describe_support(venues)
    if year is not None:
        venues = active_venues(venues, int(year))
    bar = None
    if progress:  # tqdm.auto only when asked: it warns in notebooks without ipywidgets
        from tqdm.auto import tqdm  # noqa: PLC0415

        bar = tqdm(total=6 + (1 if years else 0), desc="rapport", leave=False)
    try:
        _step(bar, "temps d'accès")
        communes_cov, origins_cov = coverage(
            communes,
            venues,
            model=model,
            threshold_min=threshold_min,
            grid=grid,
            detail=True,
            data_credits=data_credits,
        )
        _step(bar, "indicateurs")
        parts = [
            indicators(communes_cov, by=by, origins=origins_cov) for by in ("departement", "epci")
        ]
        overall = indicators(communes_cov, origins=origins_cov).iloc[0]
        zones = white_zones(communes_cov)
        _step(bar, "apport des lieux soutenus")
        contribution = attribution(
            communes, venues, model=model, threshold_min=threshold_min, origins=origins_cov
        )
        _step(bar, "zones de desserte")
        areas = catchments(origins_cov, venues, communes)
        _step(bar, "sites suggérés")
        sites = suggest_sites(
            origins_cov,
            k=k_sites,
            model=model,
            threshold_min=threshold_min,
            communes=communes,
            venues=venues,
        )
        by_year = None
        if years:
            _step(bar, "évolution par année")
            by_year = _by_year(
                communes, venues, model=model, years=years, threshold_min=threshold_min, grid=grid
            )
        _step(bar, "synthèse")
    finally:
        if bar is not None:
            bar.close()
    summary = make_summary(
        overall,
        area=area,
        venues=int(communes_cov.attrs.get("venues", len(venues))),
        threshold_min=threshold_min,
        model=model.describe(),
        credits=list(data_credits),
    )
    return Report(
        area=area,
        summary=summary,
        communes=communes_cov,
        venues=venues,
        white_zones=zones,
        catchments=areas,
        indicators=_with_names(pd.concat(parts, ignore_index=True)),
        sites=sites,
        by_year=by_year,
        attribution=contribution,
        support={**support, **_support_counts(venues)},
        comparison=None if previous is None else compare_reports(previous, summary, communes_cov),
    )


def describe_support(venues: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return how the ``supported`` flags of ``venues`` were determined.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Venues, possibly from :func:`maillage.mark_supported` (``attrs["support_matching"]``
        and ``support_source`` column).

    Returns
    -------
    dict
        ``method``: ``"matching"`` (matched with a labelled list; then ``source`` and the
        counts of ``attrs["support_matching"]``), ``"census"`` (the census's own column) or
        ``"unknown"`` (no venue known to be supported or not), plus the venue counts
        ``supported``, ``not_supported`` and ``unknown``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> v = gpd.GeoDataFrame({"venue_id": ["a", "b"],
    ...     "supported": pd.array([True, pd.NA], dtype="boolean")},
    ...     geometry=[Point(0, 0), Point(1, 1)], crs=2154)
    >>> describe_support(v)
    {'method': 'census', 'supported': 1, 'not_supported': 0, 'unknown': 1}
    """
    counts = _support_counts(venues)
    matching = venues.attrs.get("support_matching")
    if matching is not None:
        source = "liste de lieux labellisés"
        if "support_source" in venues.columns:
            found = venues["support_source"].dropna().astype(str)
            if len(found):
                source = found.iloc[0].split("; ")[0].rsplit(":", 1)[0]
        return {"method": "matching", "source": source, **dict(matching), **counts}
    method = "census" if counts["supported"] + counts["not_supported"] else "unknown"
    return {"method": method, **counts}


def _support_counts(venues: gpd.GeoDataFrame) -> dict[str, int]:
    if "supported" not in venues.columns:
        flags = pd.Series(pd.NA, index=venues.index, dtype="boolean")
    else:
        flags = venues["supported"].astype("boolean")
    return {
        "supported": int(flags.fillna(False).sum()),
        "not_supported": int((~flags).fillna(False).sum()),
        "unknown": int(flags.isna().sum()),
    }


def _with_names(table: pd.DataFrame) -> pd.DataFrame:
    """Add the département and EPCI names (COG) after the codes."""
    names = {"departement": read_departements()["nom"], "epci": read_epci()["nom"]}
    found = [
        names[lvl].get(code) if lvl in names else None
        for lvl, code in zip(table["level"], table["code"], strict=True)
    ]
    out = table.copy()
    out.insert(out.columns.get_loc("code") + 1, "name", pd.array(found, dtype="string"))
    return out


def _by_year(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    years: Sequence[int],
    threshold_min: float,
    grid: gpd.GeoDataFrame | None,
) -> pd.DataFrame:
    return coverage_by_year(
        communes, venues, model=model, years=list(years), threshold_min=threshold_min, grid=grid
    )


def write_report(
    out_dir: str | Path,
    *,
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    model: TravelTimeModel,
    threshold_min: float = 20,
    grid: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    years: Sequence[int] | None = None,
    area: str = "territoire",
    k_sites: int = 5,
    data_credits: Sequence[str] = (),
    previous: str | Path | Previous | None = None,
    progress: bool = False,
) -> Path:
    """Compute the coverage report of a territory and write its files into ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Report folder; replaced as a whole, atomically (see :func:`save_report`).
    communes, venues, model, threshold_min, grid, year, years, area, k_sites, data_credits
        As in :func:`build_report`.
    previous : str, pathlib.Path or maillage.compare.Previous, optional
        Folder of an earlier report (may be ``out_dir``): read before anything is computed
        or written; adds ``changes.csv`` and a section of the page.
    progress : bool
        Show progress bars.

    Returns
    -------
    pathlib.Path
        The report folder, holding :data:`REPORT_FILES` (plus ``years.csv`` and
        ``evolution.png`` with years, ``changes.csv`` with ``previous``).

    Raises
    ------
    OptionError
        If ``out_dir`` is a file or holds other files (checked before any computation).
    InputDataError
        If ``previous`` lacks a file, key or column.

    Examples
    --------
    >>> import json, tempfile
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from maillage.travel import CrowFlyModel
    >>> communes = gpd.GeoDataFrame(
    ...     {"nom": ["A", "B"], "departement": ["17", "17"], "epci": ["241700434"] * 2,
    ...      "population": [500, 200]},
    ...     geometry=[box(400_000, 6_500_000, 405_000, 6_505_000),
    ...               box(405_000, 6_500_000, 440_000, 6_505_000)],
    ...     index=pd.Index(["17001", "17002"], name="code_insee"), crs="EPSG:2154")
    >>> venues = gpd.GeoDataFrame({"venue_id": ["v1"], "name": ["Le Lieu"], "kind": ["coworking"]},
    ...     geometry=[Point(402_000, 6_502_000)], crs="EPSG:2154")
    >>> out = write_report(tempfile.mkdtemp() + "/rapport", communes=communes, venues=venues,
    ...     model=CrowFlyModel(), area="Exemple")
    >>> sorted(json.loads((out / "summary.json").read_text()))[:3]
    ['area', 'communes', 'data_credits']
    """
    _check_out_dir(Path(out_dir), REPORT_FILES + YEAR_FILES + COMPARE_FILES)
    report = build_report(
        communes,
        venues,
        model=model,
        threshold_min=threshold_min,
        grid=grid,
        year=year,
        years=years,
        area=area,
        k_sites=k_sites,
        data_credits=data_credits,
        previous=previous,
        progress=progress,
    )
    return save_report(report, out_dir, progress=progress)


def _check_out_dir(out_dir: Path, allowed: Iterable[str]) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        msg = f"out_dir {out_dir} is a file; give a folder for the report"
        raise OptionError(msg)
    if not out_dir.is_dir():
        return
    foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in set(allowed))
    if foreign:
        msg = (
            f"out_dir {out_dir} holds files that are not part of a maillage report "
            f"({', '.join(foreign[:5])}); the report replaces the whole folder, so give an "
            "empty or new folder"
        )
        raise OptionError(msg)


def save_report(
    report: Report,
    out_dir: str | Path,
    *,
    writers: dict[str, Callable[[Report, Path], None]] | None = None,
    progress: bool = False,
) -> Path:
    """Write every file of ``report`` into ``out_dir``, atomically.

    Parameters
    ----------
    report : Report
        What to write (from :func:`build_report`).
    out_dir : str or pathlib.Path
        Folder of the report; created, or replaced as a whole if it holds a previous
        report. A folder holding other files is refused.
    writers : dict, optional
        File name to writer function; defaults to the built-in writers (tests replace one
        to check that a failure leaves the previous report intact).
    progress : bool
        Show a progress bar over the files.

    Returns
    -------
    pathlib.Path
        The report folder.

    Raises
    ------
    OptionError
        If ``out_dir`` is a file or holds files that are not part of a report.
    """
    out_dir = Path(out_dir)
    _check_out_dir(out_dir, REPORT_FILES + YEAR_FILES + COMPARE_FILES)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    chosen = dict(WRITERS if writers is None else writers)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        names = list(report.files)
        if progress:
            from tqdm.auto import tqdm  # noqa: PLC0415

            names = tqdm(names, desc="fichiers", leave=False)
        for name in names:
            logger.info("writing %s", name)
            chosen[name](report, tmp / name)
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _swap(new: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``new`` with two renames."""
    new.chmod(0o755)
    if not out_dir.exists():
        new.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    try:
        new.rename(out_dir)
    except OSError:
        old.rename(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
