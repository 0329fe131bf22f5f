"""Writers of the report files, each deterministic: same report, same bytes.

PNG files carry no software version nor date; GeoPackages get a fixed modification date
(``OGR_CURRENT_DATE``); folium's random element ids are renumbered (:func:`stable_ids`);
tables are sorted and written with a fixed float format.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from maillage.report_page import render_page

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import geopandas as gpd

    from maillage.report import Report

__all__ = ["WRITERS", "stable_ids", "venues_layer"]

_FIXED_DATE = "2000-01-01T00:00:00.000Z"
_PNG_META = {"Software": None}
_DPI = 150


def _new_figure(figsize: tuple[float, float]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _write_map_png(report: Report, path: Path) -> None:
    from maillage.maps import plot_coverage  # noqa: PLC0415

    fig = _new_figure((10, 10))
    ax = fig.add_subplot()
    plot_coverage(
        report.communes,
        report.venues,
        white_zones=report.white_zones,
        threshold_min=report.summary["threshold_min"],
        credits=report.summary["data_credits"],
        title=f"{report.area} – temps d'accès au lieu le plus proche\n"
        f"Zones blanches : plus de {report.summary['threshold_min']:g} min",
        ax=ax,
    )
    fig.savefig(path, dpi=_DPI, metadata=_PNG_META, bbox_inches="tight")


def _write_evolution_png(report: Report, path: Path) -> None:
    from maillage.maps import plot_share_by_year  # noqa: PLC0415

    fig = _new_figure((8, 4.5))
    plot_share_by_year(
        report.by_year, threshold_min=report.summary["threshold_min"], ax=fig.add_subplot()
    )
    fig.savefig(path, dpi=_DPI, metadata=_PNG_META, bbox_inches="tight")


_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")


def stable_ids(html: str) -> str:
    """Replace folium's random element ids by numbers in order of first appearance.

    Parameters
    ----------
    html : str
        Rendered folium page.

    Returns
    -------
    str
        The same page with ids ``map_000...1``, ``geo_json_000...2``, ...

    Examples
    --------
    >>> stable_ids("map_" + "ab" * 16 + " layer_" + "cd" * 16 + " map_" + "ab" * 16)
    'map_00000000000000000000000000000001 layer_00000000000000000000000000000002 map_00000000000000000000000000000001'
    """
    seen: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(0), f"{len(seen) + 1:032d}")

    return _ID.sub(number, html)


def _write_map_html(report: Report, path: Path) -> None:
    from maillage.maps import explore_coverage  # noqa: PLC0415

    m = explore_coverage(
        report.communes,
        report.venues,
        white_zones=report.white_zones,
        catchments=report.catchments,
        credits=report.summary["data_credits"],
    )
    path.write_text(stable_ids(m.get_root().render()), encoding="utf-8")


def _gpkg_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.reset_index() if frame.index.name is not None else frame.reset_index(drop=True)
    for name in out.columns:
        if name != "geometry" and isinstance(out[name].dtype, pd.BooleanDtype):
            out[name] = out[name].astype("Int8")
        elif name != "geometry" and out[name].dtype == object:
            out[name] = out[name].astype("string")
    return out


def venues_layer(report: Report) -> gpd.GeoDataFrame:
    """Return the venues with their attribution: ``population_covered``, ``population_only_this``.

    Venues the travel-time model could not place get NA. ``supported`` and
    ``support_source`` are kept from the venues frame when present.

    Parameters
    ----------
    report : maillage.report.Report
        The report.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``report.venues`` with the two attribution columns appended.
    """
    venues = report.venues.copy()
    att = report.attribution
    ids = venues["venue_id"].astype(str)
    for name in ("population_covered", "population_only_this"):
        values = att[name] if att is not None else pd.Series(dtype=float)
        venues[name] = values.reindex(ids).to_numpy(dtype=float)
    return venues


def _write_gpkg(report: Report, path: Path) -> None:
    import pyogrio  # noqa: PLC0415

    layers = {
        "communes": report.communes,
        "venues": venues_layer(report),
        "white_zones": report.white_zones,
        "catchments": report.catchments,
    }
    credits = " ; ".join(report.summary["data_credits"])
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _FIXED_DATE})
    try:
        for name, frame in layers.items():
            pyogrio.write_dataframe(
                _gpkg_frame(frame),
                path,
                layer=name,
                driver="GPKG",
                layer_metadata={"DESCRIPTION": f"{report.area} – {name}", "CREDITS": credits},
            )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def _csv(frame: pd.DataFrame, path: Path) -> None:
    floats = frame.select_dtypes("float").columns
    frame = frame.assign(**{str(c): frame[c].round(4) for c in floats})
    frame.to_csv(path, lineterminator="\n", encoding="utf-8")


def _write_communes_csv(report: Report, path: Path) -> None:
    table = pd.DataFrame(report.communes.drop(columns="geometry")).sort_index()
    _csv(table, path)


def _write_indicators_csv(report: Report, path: Path) -> None:
    _csv(report.indicators.reset_index(drop=True).set_index(["level", "code"]), path)


def _write_sites_csv(report: Report, path: Path) -> None:
    sites = report.sites
    table = pd.DataFrame(sites.drop(columns="geometry"))
    if len(sites):
        table["x_l93"] = sites.geometry.x.round(1)
        table["y_l93"] = sites.geometry.y.round(1)
        wgs = sites.geometry.to_crs("EPSG:4326")
        table["lon"] = wgs.x.round(6)
        table["lat"] = wgs.y.round(6)
    else:
        table = table.assign(x_l93=[], y_l93=[], lon=[], lat=[])
    _csv(table.set_index("rank") if "rank" in table.columns else table, path)


def _write_years_csv(report: Report, path: Path) -> None:
    _csv(report.by_year, path)


def _write_changes_csv(report: Report, path: Path) -> None:
    if report.comparison is None:
        msg = "changes.csv needs a report built with previous="
        raise ValueError(msg)
    _csv(report.comparison.changes, path)


def _write_summary(report: Report, path: Path) -> None:
    text = json.dumps(report.summary, ensure_ascii=False, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def _write_page(report: Report, path: Path) -> None:
    png = path.with_name("map.png")
    evolution = path.with_name("evolution.png")
    page = render_page(
        report,
        map_png=png.read_bytes() if png.is_file() else None,
        evolution_png=evolution.read_bytes() if evolution.is_file() else None,
    )
    path.write_text(page, encoding="utf-8")


WRITERS: dict[str, Callable[[Report, Path], None]] = {
    "map.png": _write_map_png,
    "evolution.png": _write_evolution_png,
    "map.html": _write_map_html,
    "coverage.gpkg": _write_gpkg,
    "communes.csv": _write_communes_csv,
    "indicators.csv": _write_indicators_csv,
    "sites.csv": _write_sites_csv,
    "years.csv": _write_years_csv,
    "changes.csv": _write_changes_csv,
    "summary.json": _write_summary,
    "report.html": _write_page,
}
