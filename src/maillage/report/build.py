"""Compute a coverage report: :func:`build_report` returns a :class:`~maillage.report.model.Report`.

It runs coverage, indicators, white zones, catchments, attribution and suggested sites, then
builds the optional sections (:mod:`maillage.report.sections`: census, comparison, years,
series, commutes) from what it computed; :mod:`maillage.report.save` writes the result.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

from maillage.analysis.active import active_venues
from maillage.analysis.attribution import attribution
from maillage.analysis.catchments import catchments
from maillage.analysis.coverage import coverage
from maillage.analysis.indicators import indicators
from maillage.analysis.siting import suggest_sites
from maillage.analysis.uncertainty import headline_range
from maillage.analysis.zones import white_zones
from maillage.prepare.names import with_area_names
from maillage.prepare.support import describe_support, support_counts
from maillage.report.counts import whole_counts
from maillage.report.identity import PAGE_KEYS, default_title, production_date
from maillage.report.model import Report
from maillage.report.numbers import fr_dates_in
from maillage.report.sections import ReportContext, ReportOptions, build_sections
from maillage.report.sections.comparison import Previous, read_previous
from maillage.report.sections.years import check_years
from maillage.report.territory import territory_notes
from maillage.report.uncertain import uncertain_frame, uncertain_summary
from maillage.sources import CATALOGUE
from maillage.sources import credits as attribution_lines

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    import geopandas as gpd

    from maillage.analysis.commute_scenario import CommuteScenario
    from maillage.report.sections import Section
    from maillage.travel.protocol import TravelTimeModel

__all__ = ["build_report", "french_credits", "make_summary", "with_venue_names"]

logger = logging.getLogger(__name__)


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
    model: Mapping[str, object],
    credits: Sequence[str],
) -> dict[str, object]:
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
    >>> from maillage.schema import SUMMARY_KEYS
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
        "share_within_threshold": _scalar(round(float(overall["share_within_threshold"]), 6)),
        "white_zone_communes": int(overall["white_zone_communes"]),
        "white_zone_population": round(float(overall["white_zone_population"])),
        "median_time_min": _scalar(round(float(overall["median_time_min"]), 3)),
        "travel_time_model": json.loads(json.dumps(model, default=str)),
        "data_credits": [str(c) for c in credits],
    }


_IN_FRENCH = {"© OpenStreetMap contributors": "© les contributeurs d'OpenStreetMap"}
"""Credit lines a report writes in French (OpenStreetMap's own French wording)."""


def french_credits(lines: Sequence[str]) -> list[str]:
    """Return the credit lines with the English notices a report shows written in French.

    Parameters
    ----------
    lines : sequence of str
        Attribution lines (:func:`maillage.credits`).

    Returns
    -------
    list of str
        The same lines, in order and without repeats.

    Examples
    --------
    >>> french_credits(["© OpenStreetMap contributors (ODbL 1.0)", "INSEE"])
    ["© les contributeurs d'OpenStreetMap (ODbL 1.0)", 'INSEE']
    """
    out = []
    for line in lines:
        text = str(line)
        for english, french in _IN_FRENCH.items():
            text = text.replace(english, french)
        out.append(text)
    return list(dict.fromkeys(out))


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
    rejected: pd.DataFrame | None = None,
    series: Mapping[str, gpd.GeoDataFrame] | None = None,
    commutes: pd.DataFrame | None = None,
    work_communes: gpd.GeoDataFrame | None = None,
    commute_scenario: CommuteScenario | None = None,
    commute_kinds: Sequence[str] | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    intro: str | None = None,
    command: str | None = None,
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
        Map and figures for the venues open that year (:func:`maillage.analysis.years.active_venues`);
        default all venues given.
    years : sequence of int, optional
        Years of the evolution table and chart (venues need ``opened`` years).
    area : str
        Name of the territory shown in the titles and ``summary.json``.
    k_sites : int
        Number of suggested sites.
    data_credits : sequence of str
        More datasets to credit (catalogue names or attribution lines), added to those the
        frames carry in ``attrs["data_credits"]`` (communes, venues, grid) and the model's;
        ``summary.json`` lists their attribution lines (:func:`maillage.credits`).
    previous : str, pathlib.Path or maillage.report.sections.comparison.Previous, optional
        Folder of an earlier report to compare with; read and checked first, before any
        computation (:func:`maillage.report.read_previous`), so it may be the output folder.
    progress : bool
        Show a progress bar over the steps.
    rejected : pandas.DataFrame, optional
        The census rows rejected by :func:`maillage.load_venues` (``errors="report"``):
        written to ``rejected.csv`` and counted on the page and in ``summary.json``
        (``venues_input``, ``venues_rejected``).
    series : dict of {date: geopandas.GeoDataFrame}, optional
        Dated vintages of a network (``--series``): their evolution, maps, openings and
        closures (:mod:`maillage.report.sections.series`).
    commutes : pandas.DataFrame, optional
        Home-to-work flows of the residents (:func:`maillage.load_commutes`): adds the
        section "Trajets domicile-travail évitables", ``commutes.csv``, ``commutes.png`` and
        the ``summary.json`` keys ``commutes`` and ``commute_assumptions``
        (:mod:`maillage.report.sections.commutes`).
    work_communes : geopandas.GeoDataFrame, optional
        With ``commutes``: where the work communes are, when some lie outside ``communes``.
    commute_scenario : maillage.CommuteScenario, optional
        With ``commutes``: the scenario shown beside the gross potential (default
        ``CommuteScenario()``, every assumption cited: ``summary.json`` key
        ``commute_scenario``).
    commute_kinds : sequence of str, optional
        With ``commutes``: the venue kinds the scenario counts (default those where one can
        work a day: coworking spaces and tiers-lieux; see :func:`maillage.select_venue_kinds`).
    title, subtitle : str, optional
        The page's title (default "Accès aux lieux – ``area``", with the year when ``year``
        is given) and subtitle (default: the census's name). The official way to change the
        text of the page: never edit ``report.html`` (a rerun refuses an edited file).
    intro : str, optional
        An introduction in Markdown, shown under the title (a safe subset is rendered:
        :func:`maillage.report.identity.markdown_html`).
    command : str, optional
        The command line that produced the report, shown in the box "Reproduire ce rapport"
        (the command line gives its own).

    Returns
    -------
    Report
        The computed report, ready for :func:`save_report`. Its tables count whole
        residents that add up (:func:`maillage.report.counts.whole_counts`); its communes
        name their nearest venue (``nearest_venue_name``) and, with a model that knows its
        error, say whether their side of the threshold is uncertain (``uncertain``,
        ``time_min_low``, ``time_min_high``: :mod:`maillage.report.uncertain`). Its
        optional parts are ``sections`` (:mod:`maillage.report.sections`), built from
        what is computed here (:class:`~maillage.report.sections.base.ReportContext`,
        the origins' times included) and the optional inputs above
        (:class:`~maillage.report.sections.base.ReportOptions`).
    """
    if previous is not None and not isinstance(previous, Previous):
        previous = read_previous(previous)
    check_years(venues, years=years, year=year)
    support = describe_support(venues)
    if year is not None:
        venues = active_venues(venues, int(year))
    options = ReportOptions(
        years=tuple(int(y) for y in years or ()),
        previous=previous,
        rejected=rejected,
        series=series,
        commutes=commutes,
        work_communes=work_communes,
        commute_scenario=commute_scenario,
        commute_kinds=None if commute_kinds is None else tuple(commute_kinds),
    )
    bar = _bar(progress)
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
        overall = indicators(communes_cov, origins=origins_cov).iloc[0].copy()
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
        _step(bar, "synthèse")
        communes_out, table, sites = whole_counts(
            with_venue_names(communes_cov, venues),
            with_area_names(pd.concat(parts, ignore_index=True)),
            sites,
        )
        overall["population_within_threshold"] = communes_out["population_within_threshold"].sum()
        summary = make_summary(
            overall,
            area=area,
            venues=int(communes_cov.attrs.get("venues", len(venues))),
            threshold_min=threshold_min,
            model=model.describe(),
            credits=french_credits(attribution_lines(communes_cov.attrs.get("data_credits", []))),
        )
        communes_out = _with_error(
            summary,
            communes_out,
            communes,
            venues,
            origins_cov,
            model=model,
            threshold=float(threshold_min),
            grid=grid,
        )
        summary.update(territory_notes(communes))
        _step(bar, "parties du rapport")
        context = ReportContext(
            communes=communes,
            venues=venues,
            model=model,
            threshold_min=float(threshold_min),
            grid=grid,
            communes_cov=communes_cov,
            origins_cov=origins_cov,
            summary=dict(summary),
            area=area,
            k_sites=k_sites,
            year=None if year is None else int(year),
        )
        sections = build_sections(context, options)
    finally:
        if bar is not None:
            bar.close()
    summary.update(
        _identity(
            summary,
            sections,
            names=[*communes_cov.attrs.get("data_credits", []), *_section_names(sections)],
            year=year,
            texts={"title": title, "subtitle": subtitle, "intro": intro, "command": command},
        )
    )
    _add_sections(summary, sections)
    return Report(
        area=area,
        summary=summary,
        communes=communes_out,
        venues=venues,
        white_zones=zones,
        catchments=areas,
        indicators=table,
        sites=sites,
        attribution=contribution,
        support={**support, **support_counts(venues)},
        sections=sections,
    )


def _catalogue_name(credit: str) -> str:
    """Return the catalogue name of a credit (a name, or the line of one dataset only)."""
    if credit in CATALOGUE:
        return credit
    found = [d.name for d in CATALOGUE.values() if d.credit == credit]
    return found[0] if len(found) == 1 else credit


def _section_names(sections: Sequence[Section]) -> list[str]:
    return [str(c) for s in sections for c in s.credits()]


def _identity(
    summary: Mapping[str, object],
    sections: Sequence[Section],
    *,
    names: Sequence[object],
    year: int | None,
    texts: Mapping[str, str | None],
) -> dict[str, object]:
    """Return the keys of ``summary.json`` that say what the page is, when and from what."""
    import maillage  # noqa: PLC0415 - the package imports this module: its version read late

    added = [text for text in (s.title() for s in sections) if text]
    title = texts.get("title") or default_title(str(summary["area"]), year=year)
    vintages = [
        {
            "dataset": CATALOGUE[n].title,
            "vintage": str(CATALOGUE[n].vintage),
            "use": CATALOGUE[n].reader,
        }
        for n in dict.fromkeys(_catalogue_name(str(n)) for n in names)
        if n in CATALOGUE
    ]
    found = {
        "title": str(title),
        "subtitle": str(texts.get("subtitle") or fr_dates_in(" – ".join(added))),
        "intro": texts.get("intro") or "",
        "year": None if year is None else int(year),
        "produced_on": production_date().isoformat(),
        "maillage_version": maillage.__version__,
        "data_vintages": vintages,
        "command": texts.get("command") or "",
    }
    return {key: found[key] for key in PAGE_KEYS}


def _bar(progress: bool) -> Any:
    """Return the progress bar over the steps, or None; tqdm.auto only when asked."""
    if not progress:
        return None
    from tqdm.auto import tqdm  # noqa: PLC0415 - only when asked: tqdm.auto warns in notebooks without ipywidgets

    return tqdm(total=7, desc="rapport", leave=False)


def _add_sections(summary: dict[str, object], sections: Sequence[Section]) -> None:
    """Add the sections' keys to ``summary`` (in place), and their credits to its credits."""
    for section in sections:
        summary.update(section.summary())
    lines = french_credits(attribution_lines([c for s in sections for c in s.credits()]))
    before = summary["data_credits"]
    known = [str(c) for c in before] if isinstance(before, list) else []
    summary["data_credits"] = list(dict.fromkeys([*known, *lines]))


def with_venue_names(communes_cov: gpd.GeoDataFrame, venues: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return ``communes_cov`` with ``nearest_venue_name`` next to ``nearest_venue``.

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        Output of :func:`maillage.coverage`.
    venues : pandas.DataFrame
        The venues, with ``venue_id`` and ``name`` (NA names without it).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the name of each commune's nearest venue (NA when none).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> cov = gpd.GeoDataFrame({"nearest_venue": ["a", None], "covered": [True, False]},
    ...     geometry=[Point(0, 0)] * 2)
    >>> venues = pd.DataFrame({"venue_id": ["a"], "name": ["Le Lieu"]})
    >>> with_venue_names(cov, venues)["nearest_venue_name"].tolist()
    ['Le Lieu', <NA>]
    """
    if "name" in venues.columns:
        names = pd.Series(venues["name"].to_numpy(), index=venues["venue_id"].astype(str))
        names = names[~names.index.duplicated()].astype("string")
    else:
        names = pd.Series(dtype="string")
    ids = communes_cov["nearest_venue"].astype("string")
    found = ids.map(names).astype("string")
    position = list(communes_cov.columns).index("nearest_venue") + 1
    out = communes_cov.copy()
    out.insert(position, "nearest_venue_name", found)
    return out


def _with_error(
    summary: dict[str, object],
    communes_out: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    origins_cov: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold: float,
    grid: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    """Add the headline range to ``summary`` and the uncertain communes to both (in place)."""
    span = headline_range(
        communes, venues, model=model, threshold_min=threshold, grid=grid, origins=origins_cov
    )
    summary.update(
        {k: round(v, 5) if k.startswith("share") else round(v) for k, v in (span or {}).items()}
    )
    flags = uncertain_frame(communes, venues, origins_cov, model=model, threshold_min=threshold)
    if flags is not None:
        communes_out = communes_out.join(flags.reindex(communes_out.index))
    summary.update(uncertain_summary(communes_out))
    return communes_out
