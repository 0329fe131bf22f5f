"""Write a report folder: :func:`save_report` (a built report) and :func:`write_report` (both).

Identical inputs give byte-identical files (fixed PNG and GeoPackage metadata, fixed folium
element ids). Files written (:data:`~maillage.report.model.REPORT_FILES`): ``map.png``,
``map.html``, ``coverage.gpkg`` (layers ``communes``, ``venues``, ``white_zones``,
``catchments``, and QGIS's ``layer_styles``: :mod:`maillage.report.qgis`), ``communes.csv``,
``indicators.csv``, ``sites.csv`` (CSV for French spreadsheets: ``;``, UTF-8 BOM, decimal
commas, French headers; :mod:`maillage.report.columns`), ``tables.xlsx`` (every table and its
data dictionary: :mod:`maillage.report.xlsx`), ``report.html``, ``summary.json``; the files
of the report's sections (:mod:`maillage.report.sections`: with years, ``years.csv`` and
``evolution.png``; with a previous report, ``changes.csv``...); and the manifest
``.maillage-manifest.json`` (:mod:`maillage.report.manifest`), which lets a rerun replace the
folder without ever deleting what maillage did not write (:mod:`maillage.report.folder`).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Concatenate

from maillage.report.build import build_report
from maillage.report.files import render_files
from maillage.report.folder import replace_folder, reserve_folder, writing_errors

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from maillage.report.model import Report

__all__ = ["save_report", "write_report"]


def _after_out_dir[**P](
    build: Callable[P, Report],
) -> Callable[[Callable[..., Path]], Callable[Concatenate[str | Path, P], Path]]:
    """Give the decorated writer the parameters of ``build`` after ``out_dir``.

    Type checkers see them through the returned type and :func:`inspect.signature` (so
    ``help()``) through ``__signature__``: ``build``'s signature is written only once.
    """

    def decorate(write: Callable[..., Path]) -> Callable[Concatenate[str | Path, P], Path]:
        head = inspect.Parameter(
            "out_dir", inspect.Parameter.POSITIONAL_ONLY, annotation="str | Path"
        )
        params = [head, *inspect.signature(build).parameters.values()]
        setattr(write, "__signature__", inspect.Signature(params, return_annotation="Path"))  # noqa: B010 - mypy knows no __signature__
        return write

    return decorate


@_after_out_dir(build_report)
def write_report(out_dir: str | Path, /, *args: Any, **kwargs: Any) -> Path:
    """Compute the coverage report of a territory and write its files into ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Report folder; replaced as a whole, atomically (see :func:`save_report`). It is
        checked and locked before anything is computed.
    *args, **kwargs
        The parameters of :func:`build_report`: ``communes``, ``venues``, ``model``,
        ``threshold_min``, ``grid``, ``year``, ``years``, ``area``, ``k_sites``,
        ``data_credits``, ``previous``, ``progress``, ``rejected``, ``series``,
        ``commutes``, ``work_communes``, ``title``, ``subtitle``, ``intro`` (Markdown) and
        ``command``: the title, subtitle and introduction are the official way to change
        the page's text (a rerun refuses an edited ``report.html``). ``previous`` (a
        folder, possibly ``out_dir``) is
        read before anything is computed or written; ``progress`` also shows a bar over
        the files.

    Returns
    -------
    pathlib.Path
        The report folder, holding :data:`REPORT_FILES` (plus ``years.csv`` and
        ``evolution.png`` with years, ``changes.csv`` with ``previous``, ``rejected.csv``
        for venues from :func:`maillage.load_venues`, ``series.*`` with ``series``).

    Raises
    ------
    OptionError
        If ``out_dir`` must not be replaced or cannot be written, or another run is writing
        it (see :func:`maillage.report.folder.check_out_dir`); checked before any
        computation.
    InputDataError
        If ``previous`` lacks a file, key or column.

    Examples
    --------
    >>> import json, tempfile
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> out = write_report(tempfile.mkdtemp() + "/rapport", communes=communes, venues=venues,
    ...     model=CrowFlyModel(), area="Exemple")
    >>> summary = json.loads((out / "summary.json").read_text())
    >>> list(summary)[:3], summary["title"]
    (['area', 'communes', 'population'], 'Accès aux lieux – Exemple')
    """
    with reserve_folder(out_dir):  # checked and locked before any computation
        report = build_report(*args, **kwargs)
        return save_report(report, out_dir, progress=bool(kwargs.get("progress", False)))


def save_report(
    report: Report,
    out_dir: str | Path,
    *,
    progress: bool = False,
) -> Path:
    """Write every file of ``report`` into ``out_dir``, atomically.

    Parameters
    ----------
    report : Report
        What to write (from :func:`build_report`).
    out_dir : str or pathlib.Path
        Folder of the report (``~`` expanded, links followed); created, or replaced as a
        whole when it is empty or holds an unchanged earlier report, as its manifest
        ``.maillage-manifest.json`` lists it. Anything else is refused, never deleted.
    progress : bool
        Show a progress bar over the files.

    Returns
    -------
    pathlib.Path
        The report folder.

    Raises
    ------
    OptionError
        If ``out_dir`` is a file, a protected folder (root, home, current folder), holds
        anything maillage did not write there (named in the message), cannot be written,
        or another run is writing it; or, in French, the disk is full or a file-size limit
        (``ulimit -f``) is reached (the previous report is left whole).
    """
    with reserve_folder(out_dir):  # checked and locked before the files are rendered
        with writing_errors(out_dir):  # a full disk or ulimit -f while a file is rendered
            files = render_files(report, progress=progress)
        return replace_folder(out_dir, files)
