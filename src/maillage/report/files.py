"""Render the report files in memory, each deterministic: same report, same bytes.

:func:`render_files` returns every file of a :class:`~maillage.report.model.Report` as bytes;
the page receives the images it embeds from there, never from disk.

PNG files carry no software version nor date; GeoPackages get a fixed modification date
(``OGR_CURRENT_DATE``); folium's random element ids are renumbered (:func:`stable_ids`);
tables are sorted and written with a fixed float format, for French spreadsheets
(:func:`~maillage.report.columns.table_csv`), and gathered in ``tables.xlsx`` with fixed dates.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from maillage.report.columns import table_csv
from maillage.report.images import PRINT_DPI, new_figure, pdf_bytes, png_bytes
from maillage.report.model import REPORT_FILES
from maillage.report.page import render_page
from maillage.report.qgis import add_layer_styles
from maillage.report.xlsx import workbook_bytes

if TYPE_CHECKING:
    from collections.abc import Callable

    import geopandas as gpd

    from maillage.report.model import Report

__all__ = [
    "RENDERERS",
    "TABLES",
    "render_file",
    "render_files",
    "report_tables",
    "stable_ids",
    "venues_layer",
]

logger = logging.getLogger(__name__)

_FIXED_DATE = "2000-01-01T00:00:00.000Z"


_drawn: list[tuple[weakref.ref[Report], Any]] = []
"""The last report's map figure: ``map.png`` and ``map-impression.pdf`` save one drawing."""


def _map_figure(report: Report) -> Any:
    """Return the report's map, drawn once for its PNG and its PDF."""
    if _drawn and _drawn[0][0]() is report:
        return _drawn[0][1]
    fig = _draw_map(report)
    _drawn[:] = [(weakref.ref(report), fig)]
    return fig


def _draw_map(report: Report) -> Any:
    from maillage.maps import plot_coverage  # noqa: PLC0415 - heavy, loaded only when this file is rendered

    fig = new_figure((10, 10))
    ax = fig.add_subplot()
    plot_coverage(
        report.communes,
        report.venues,
        white_zones=report.white_zones,
        threshold_min=report.threshold_min,
        credits=report.credits,
        title=f"{report.area} – temps d'accès en voiture au lieu le plus proche\n"
        f"Zones blanches : plus de {report.summary['threshold_min']:g} min",
        ax=ax,
    )
    return fig


def _map_png(report: Report) -> bytes:
    return png_bytes(_map_figure(report), dpi=PRINT_DPI)


def _map_pdf(report: Report) -> bytes:
    return pdf_bytes(_map_figure(report))


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


def _map_html(report: Report) -> bytes:
    from maillage.maps import explore_coverage  # noqa: PLC0415 - heavy, loaded only when this file is rendered

    m = explore_coverage(
        report.communes,
        report.venues,
        white_zones=report.white_zones,
        catchments=report.catchments,
        credits=report.credits,
    )
    return stable_ids(m.get_root().render()).encode("utf-8")


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


def _gpkg(report: Report) -> bytes:
    import pyogrio  # noqa: PLC0415 - heavy, loaded only when this file is rendered

    layers = {
        "communes": report.communes,
        "venues": venues_layer(report),
        "white_zones": report.white_zones,
        "catchments": report.catchments,
    }
    credits = " ; ".join(report.credits)
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _FIXED_DATE})
    folder = tempfile.TemporaryDirectory(prefix="maillage-gpkg-")
    path = Path(folder.name) / "coverage.gpkg"
    try:
        frames = {name: _gpkg_frame(frame) for name, frame in layers.items()}
        for name, frame in frames.items():
            pyogrio.write_dataframe(
                frame,
                path,
                layer=name,
                driver="GPKG",
                layer_metadata={"DESCRIPTION": f"{report.area} – {name}", "CREDITS": credits},
            )
        add_layer_styles(path, frames, when=_FIXED_DATE, area=report.area)  # QGIS's own table
        return path.read_bytes()
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})
        folder.cleanup()


def _communes_table(report: Report) -> pd.DataFrame:
    return pd.DataFrame(report.communes.drop(columns="geometry")).sort_index()


def _indicators_table(report: Report) -> pd.DataFrame:
    return report.indicators.reset_index(drop=True)


def _sites_table(report: Report) -> pd.DataFrame:
    sites = report.sites
    table = pd.DataFrame(sites.drop(columns="geometry"))
    # Lambert-93 in metropolitan France; an overseas région's own CRS named by its EPSG code
    epsg = sites.crs.to_epsg() if sites.crs is not None else 2154
    x, y = ("x_l93", "y_l93") if epsg == 2154 else (f"x_epsg{epsg}", f"y_epsg{epsg}")
    if len(sites):
        table[x] = sites.geometry.x.round(1)
        table[y] = sites.geometry.y.round(1)
        wgs = sites.geometry.to_crs("EPSG:4326")
        table["lon"] = wgs.x.round(6)
        table["lat"] = wgs.y.round(6)
    else:
        table = table.assign(**{x: [], y: [], "lon": [], "lat": []})
    return table.set_index("rank") if "rank" in table.columns else table


TABLES: dict[str, Callable[[Report], pd.DataFrame]] = {
    "communes.csv": _communes_table,
    "indicators.csv": _indicators_table,
    "sites.csv": _sites_table,
}
"""The table behind each CSV file of every report (canonical names), also a sheet of
``tables.xlsx``; the sections give theirs (:func:`report_tables`)."""


def report_tables(report: Report) -> dict[str, pd.DataFrame]:
    """Return every table of ``report`` by CSV file name: :data:`TABLES`, then the sections'.

    Parameters
    ----------
    report : maillage.report.Report
        The report.

    Returns
    -------
    dict of str to pandas.DataFrame
        In the order of ``report.files``; each is a CSV file and a sheet of ``tables.xlsx``.
    """
    tables = {name: TABLES[name](report) for name in REPORT_FILES if name in TABLES}
    for section in report.sections:
        tables.update(section.tables())
    return tables


def _csv_renderer(name: str) -> Callable[[Report], bytes]:
    return lambda report: table_csv(TABLES[name](report))


def _xlsx(report: Report) -> bytes:
    sheets = {file: name for s in report.sections for file, name in s.sheets.items()}
    return workbook_bytes(report_tables(report), sheets=sheets)


def _summary_json(report: Report) -> bytes:
    text = json.dumps(report.summary, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


RENDERERS: dict[str, Callable[[Report], bytes]] = {
    "map.png": _map_png,
    "map-impression.pdf": _map_pdf,
    "map.html": _map_html,
    "coverage.gpkg": _gpkg,
    "summary.json": _summary_json,
    "tables.xlsx": _xlsx,
    **{name: _csv_renderer(name) for name in TABLES},
}
"""Renderer of each file of every report but the page, which embeds the images (see
:func:`render_files`); the sections give the renderers of their files."""


def _table_renderer(table: pd.DataFrame) -> Callable[[Report], bytes]:
    return lambda _report: table_csv(table)


def _renderers(report: Report) -> dict[str, Callable[[Report], bytes]]:
    """Every renderer of ``report``: :data:`RENDERERS` (read now), then the sections'."""
    renderers = dict(RENDERERS)
    for section in report.sections:
        for name, table in section.tables().items():
            renderers[name] = _table_renderer(table)
        renderers.update(section.files())
    return renderers


def render_file(report: Report, name: str) -> bytes:
    """Render one file of ``report`` in memory (not the page, which embeds the images).

    Parameters
    ----------
    report : maillage.report.Report
        The report.
    name : str
        One of ``report.files`` but ``report.html``.

    Returns
    -------
    bytes
        Its content, as :func:`render_files` writes it.
    """
    return _renderers(report)[name](report)


def render_files(report: Report, *, progress: bool = False) -> dict[str, bytes]:
    """Render every file of ``report`` in memory.

    Parameters
    ----------
    report : maillage.report.Report
        The report.
    progress : bool
        Show a progress bar over the files.

    Returns
    -------
    dict of str to bytes
        File name to content, for every name of ``report.files``; ``report.html`` embeds
        ``map.png`` and the sections' images from this dict.
    """
    renderers = _renderers(report)
    names = [n for n in report.files if n != "report.html"]
    if progress:
        from tqdm.auto import tqdm  # noqa: PLC0415 - only when asked: it warns in notebooks

        names = tqdm(names, desc="fichiers", leave=False)
    files: dict[str, bytes] = {}
    for name in names:
        logger.info("rendering %s", name)
        files[name] = renderers[name](report)
    files["report.html"] = render_page(report, images=files).encode("utf-8")
    _drawn.clear()  # the map's drawing is not kept once the report's files are rendered
    return files
