"""The headline sentence of the page, which says where its travel times come from.

With a straight-line model (the calibrated default, or the simple crow-fly reference) the
headline is an estimate without the road network: the sentence says so, with the error the
model measured on real car trips (read from its ``describe()``), and a separate box gives the
command that computes the same report on the road network. With a road engine (the road graph
or OSRM) the sentence says the times come from the road network.
"""

from __future__ import annotations

import html
import shlex
from typing import TYPE_CHECKING, Any

from maillage.load.cog import read_departements
from maillage.report.numbers import fr_number, fr_percent
from maillage.report.sections.census import CensusSection

if TYPE_CHECKING:
    from maillage.report.model import Report

__all__ = [
    "HEADLINE_CSS",
    "headline_section",
    "road_box",
    "road_command",
    "share_with_range",
]

HEADLINE_CSS = (
    ".titre{font-size:1.15em;background:#f4f6f8;border-left:4px solid #4a6d8c;"
    "padding:.6em .9em;margin:.8em 0}"
    ".commande{border:1px solid #c9a227;background:#fff8e1;border-radius:6px;"
    "padding:.5em .9em;margin:.8em 0}"
    ".commande pre{white-space:pre-wrap;margin:.3em 0;font-size:.9em}"
)
"""Style of the headline and of the command box."""

_ROAD_OUT = "rapport-routier"


def headline_section(report: Report) -> str:
    """Return the headline sentence: the share of residents within the threshold, and how.

    Parameters
    ----------
    report : maillage.report.Report
        The report.

    Returns
    -------
    str
        HTML: a paragraph (class ``titre``). With a straight-line model it says the figure
        is an estimate, and points to the command that computes it on the road network
        (:func:`road_box`, in the box "Reproduire ce rapport" at the end of the page).
    """
    summary = report.summary
    model = report.model_description
    share = share_with_range(summary)
    t = f"{summary['threshold_min']:g}"
    figure = f"<b>{share}</b> des habitants sont à {t} min ou moins en voiture d'un lieu"
    if model.get("engine") != "straight_line":
        label = html.escape(str(model.get("label_fr", "réseau routier")))
        return (
            f'<p class="titre">{figure}. Temps de trajet calculés sur le réseau routier '
            f"({label}).</p>"
        )
    return (
        f'<p class="titre"><b>Estimation sans le réseau routier</b> : {figure}. '
        f"{_error_sentence(model)}{_range_sentence(summary)} Le calcul sur le réseau routier "
        'OpenStreetMap est décrit dans « <a href="#reproduire">Reproduire ce rapport</a> ».</p>'
    )


def _range_sentence(summary: dict[str, Any]) -> str:
    """Explain the range where it first appears, with a link to the method."""
    if "share_within_threshold_low" not in summary:
        return ""
    return (
        " La fourchette entre parenthèses tient compte de cet écart : la part réelle s'y trouve "
        "8 fois sur 10 (voir la méthode, « "
        '<a href="#precision">Précision des temps de trajet</a> ») ; les nombres '
        "d'habitants qui en dépendent sont arrondis à la centaine ou au millier."
    )


def road_box(report: Report) -> str:
    """Return the box holding the command that computes the figure on the road network.

    Returns
    -------
    str
        HTML (class ``commande``), or ``""`` when the report already uses a road engine.
    """
    if report.model_description.get("engine") != "straight_line":
        return ""
    return (
        '<div class="commande"><p>Pour calculer le chiffre principal sur le réseau routier '
        "OpenStreetMap (téléchargement des extraits régionaux, calcul plus long), avec le "
        "même territoire et les mêmes lieux :</p>"
        f"<pre><code>{html.escape(road_command(report))}</code></pre></div>"
    )


def share_with_range(summary: dict[str, Any]) -> str:
    r"""Return the headline share, with its low and high values when the model knows its error.

    Examples
    --------
    >>> share_with_range({"share_within_threshold": 0.75, "share_within_threshold_low": 0.7,
    ...     "share_within_threshold_high": 0.8})
    '75,0\xa0% (entre 70,0\xa0% et 80,0\xa0%)'
    """
    share = fr_percent(summary["share_within_threshold"])
    if "share_within_threshold_low" not in summary:
        return share
    low = fr_percent(summary["share_within_threshold_low"])
    high = fr_percent(summary["share_within_threshold_high"])
    return f"{share} (entre {low} et {high})"


def _error_sentence(model: dict[str, Any]) -> str:
    """Say what the straight-line times are and how far from real car times they were found."""
    base = "Les temps sont estimés à partir de la distance à vol d'oiseau"
    error = model.get("median_abs_rel_error")
    bands = model.get("error_by_band") or []
    if error is not None and bands:
        n = sum(int(b["n"]) for b in bands)
        held = ", sur des territoires laissés hors du calage" if model.get("error_scheme") else ""
        return (
            f"{base} ; comparés à "
            f"{fr_number(n)} trajets réels en voiture calculés sur le réseau routier, ils "
            f"s'en écartent de {fr_number(100 * float(error), 0)} % en médiane{held} (détail "
            'par distance dans « <a href="#precision">Précision des temps de trajet</a> »).'
        )
    if "circuity" in model and "speed_kph" in model:
        return (
            f"{base} (modèle simple de référence : distance × "
            f"{fr_number(float(model['circuity']), 1)} parcourue à "
            f"{fr_number(float(model['speed_kph']), 0)} km/h) ; son écart aux temps réels "
            "n'est pas mesuré."
        )
    return f"{base} ; leur écart aux temps réels n'est pas mesuré."


def road_command(report: Report) -> str:
    """Return the command that writes the same report on the road network.

    The census, the list of labelled venues, the area and the threshold are those of the
    report; the road network is that of the regional OpenStreetMap extracts (``--network
    osm``).

    Parameters
    ----------
    report : maillage.report.Report
        The report.

    Returns
    -------
    str
        One shell command line (arguments quoted when needed).
    """
    section = report.section("census")
    source = section.source if isinstance(section, CensusSection) else ""
    census = source or "VOTRE_RECENSEMENT.csv"
    words = ["maillage", "report", "--venues", str(census)]
    if report.support.get("method") == "matching" and report.support.get("source"):
        words += ["--supported", str(report.support["source"])]
    words += _area_words(report)
    threshold = report.threshold_min
    if threshold != 20:
        words += ["--threshold", f"{threshold:g}"]
    words += ["--network", "osm", "--out", _ROAD_OUT]
    return shlex.join(words)


def _area_words(report: Report) -> list[str]:
    """``--region R`` when the communes make a whole région, else ``--departement ...``."""
    communes = report.communes
    if "departement" not in communes.columns:
        return []
    deps = sorted(communes["departement"].dropna().astype(str).unique())
    regions = communes["region"].dropna().astype(str).unique() if "region" in communes else []
    if len(regions) == 1:
        table = read_departements()
        whole = sorted(table.index[table["region"].astype(str) == regions[0]].astype(str))
        if whole == deps:
            return ["--region", str(regions[0])]
    return ["--departement", *deps]
