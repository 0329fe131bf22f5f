"""The box "Reproduire ce rapport", last on the page: the exact command and the versions.

It is the only place of the page where command-line options and Python names appear: the
command that produced the report (or the Python function), the one that computes the same
report on the road network, how to measure the contribution of supported venues, and the
versions of maillage, Python and the main libraries.
"""

from __future__ import annotations

import html
import platform
from importlib import metadata
from typing import TYPE_CHECKING

from maillage.report.headline import road_box

if TYPE_CHECKING:
    from maillage.report.model import Report

__all__ = ["LIBRARIES", "reproduce_section", "versions"]

LIBRARIES = ("pandas", "geopandas", "shapely", "pyproj", "numpy", "matplotlib", "folium")
"""The libraries whose versions the box gives, after maillage and Python."""


def versions(maillage_version: object) -> str:
    """Return ``"maillage 0.2.0, Python 3.12.3, pandas 2.2.3, ..."``."""
    found = [f"maillage {maillage_version}", f"Python {platform.python_version()}"]
    for name in LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def _support_hint(report: Report) -> str:
    if report.support.get("method", "unknown") != "unknown":
        return ""
    return (
        "<p>Pour mesurer l'apport des lieux soutenus publiquement, donnez la liste des lieux "
        "labellisés : <code>--supported fabriques-territoire-2024</code> (nom du catalogue ou "
        "fichier) en ligne de commande, ou <code>maillage.mark_supported</code> en Python.</p>"
    )


def reproduce_section(report: Report) -> str:
    """Return the box "Reproduire ce rapport" (``id="reproduire"``).

    Parameters
    ----------
    report : maillage.report.Report
        The report; ``summary["command"]`` is the command that produced it (empty when it
        was produced from Python).

    Returns
    -------
    str
        HTML.
    """
    summary = report.summary
    command = str(summary.get("command") or "")
    if command:
        how = (
            "<p>Commande qui a produit ce rapport :</p>"
            f"<pre><code>{html.escape(command)}</code></pre>"
        )
    else:
        how = (
            "<p>Rapport produit en Python avec <code>maillage.write_report</code> ; "
            "<code>summary.json</code> en garde les paramètres.</p>"
        )
    return (
        '<section class="reproduire" id="reproduire"><h2>Reproduire ce rapport</h2>'
        f"{how}{road_box(report)}{_support_hint(report)}"
        f"<p>Versions : {html.escape(versions(summary.get('maillage_version', '?')))}.</p>"
        "</section>"
    )
