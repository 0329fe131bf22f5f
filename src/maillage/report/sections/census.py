"""The census section: every census row accounted for, ``rejected.csv``, the venues explained.

:func:`census_facts` gathers what the page and ``summary.json`` say about the census: its
name and date, the rows read for the area, accepted (in the area, within the band around it)
and rejected by reason, the labelled venues added by ``--supported``. :func:`build` makes the
:class:`CensusSection`: ``rejected.csv`` (:func:`french_rejected_table`), the ``summary.json``
keys ``venues_input`` and ``venues_rejected``, the census named in the page's title and the
section "Lieux pris en compte".

Examples
--------
>>> census_label("cget-tiers-lieux-2019")
'Recensement national des tiers-lieux 2019 (2019-03)'
>>> census_label("france-services-2020-10-12")
'Liste des France services au 2020-10-12'
>>> census_label("mes-lieux.csv")
'mes-lieux.csv'
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from maillage.prepare.venue_rows import reason_category
from maillage.report.columns import COLUMNS
from maillage.report.reasons import french_reason
from maillage.report.sections.base import Place, Section
from maillage.sources import CATALOGUE

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

    from maillage.report.sections.base import PageContext, ReportContext, ReportOptions

__all__ = [
    "REJECTED_FILE_COLUMNS",
    "CensusSection",
    "build",
    "census_facts",
    "census_label",
    "french_rejected_table",
    "headline",
    "rejected_table",
    "summary_counts",
]

REJECTED_FILE_COLUMNS = (
    "file",
    "file_row",
    "venue_id",
    "name",
    "code_insee",
    "latitude",
    "longitude",
    "reason",
)
"""Columns of ``rejected.csv``: the file, the row in it (1 = first row after the header), the
census's non-personal canonical columns, and the reason."""


def _number(value: float) -> str:
    return f"{round(value):,}".replace(",", "\u202f")


def census_label(source: str | Path) -> str:
    """Name a census for a title: the catalogue title and date, else the file name.

    Parameters
    ----------
    source : str or path
        Catalogue name or file.

    Returns
    -------
    str
        ``"<title> (<vintage>)"`` for a catalogue census (the title alone when it holds the
        date), the file name otherwise.
    """
    name = str(source)
    if name in CATALOGUE:
        dataset = CATALOGUE[name]
        if dataset.vintage in dataset.title:
            return dataset.title
        return f"{dataset.title} ({dataset.vintage})"
    return Path(name).name


def census_facts(venues: gpd.GeoDataFrame, rejected: pd.DataFrame | None) -> dict[str, Any]:
    """Gather the census accounting of ``venues`` for the report.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Venues of :func:`maillage.load_venues` (``attrs["census"]``), possibly with labelled
        venues added by :func:`maillage.mark_supported` (``attrs["support_matching"]``).
    rejected : pandas.DataFrame or None
        The rejected rows of the area, as returned with ``errors="report"``.

    Returns
    -------
    dict
        ``attrs["census"]`` (``source``, ``input``, ``in_area``, ``near_area``,
        ``elsewhere``, ``rejected``, ``rejected_elsewhere``, ``rejected_by_reason``,
        ``buffer_km``, ``by_commune``, ``code_from_point``, ``duplicates``) plus ``label``
        (the census's name, and the labelled venues added when there are), ``added``
        (labelled venues appended) and
        ``area_input`` (rows of the area: accepted + rejected); empty when the venues
        carry no accounting.
    """
    census = dict(venues.attrs.get("census") or {})
    if not census:
        return {}
    if rejected is not None:
        census["rejected"] = len(rejected)
        by_reason = rejected["reason"].astype(str).map(reason_category).value_counts()
        census["rejected_by_reason"] = {str(k): int(v) for k, v in by_reason.items()}
    census["label"] = census_label(census.get("source", ""))
    census["added"] = int((venues.attrs.get("support_matching") or {}).get("appended", 0))
    if census["added"]:  # the title says that the venues are not the census alone
        census["label"] += f" + {_number(census['added'])} lieux labellisés absents du recensement"
    census["area_input"] = census["in_area"] + census["near_area"] + census["rejected"]
    return census


def summary_counts(facts: dict[str, Any]) -> dict[str, int]:
    """Return the keys ``summary.json`` gains: ``venues_input`` and ``venues_rejected``.

    Parameters
    ----------
    facts : dict
        :func:`census_facts`.

    Returns
    -------
    dict
        Rows of the census read for the area and rows rejected among them; empty without
        accounting. ``venues_input - venues_rejected`` census venues are used.

    Examples
    --------
    >>> summary_counts({"area_input": 240, "rejected": 7})
    {'venues_input': 240, 'venues_rejected': 7}
    """
    if not facts:
        return {}
    return {"venues_input": int(facts["area_input"]), "venues_rejected": int(facts["rejected"])}


def rejected_table(rejected: pd.DataFrame) -> pd.DataFrame:
    """Return ``rejected.csv``: one row per rejected census row, never a personal column.

    Parameters
    ----------
    rejected : pandas.DataFrame
        Rejected rows of :func:`maillage.load_venues` (``errors="report"``).

    Returns
    -------
    pandas.DataFrame
        :data:`REJECTED_FILE_COLUMNS`, sorted by file and row.

    Examples
    --------
    >>> r = pd.DataFrame({"row": [3], "venue_id": ["a"], "reason": ["missing coordinates"],
    ...     "name": ["Un"], "file": ["x.csv"], "file_row": ["4"]})
    >>> rejected_table(r).to_dict("records")[0]["file_row"]
    4
    """
    table = pd.DataFrame(index=rejected.index)
    for column in REJECTED_FILE_COLUMNS:
        table[column] = rejected[column] if column in rejected.columns else pd.NA
    if "file_row" not in rejected.columns and "row" in rejected.columns:
        table["file_row"] = rejected["row"].astype(int) + 1
    table["file_row"] = pd.to_numeric(table["file_row"], errors="coerce").astype("Int64")
    return table.sort_values(["file", "file_row"], kind="stable").reset_index(drop=True)


def headline(facts: dict[str, Any], venues: int) -> str:
    """Explain the number of venues the report counts, in French.

    Parameters
    ----------
    facts : dict
        :func:`census_facts`.
    venues : int
        Venues counted by the report.

    Returns
    -------
    str
        ``"278 lieux pris en compte : 225 du recensement dans le territoire, 8 à moins de
        10 km au-delà, 45 lieux labellisés ajoutés."``

    Examples
    --------
    >>> headline({"in_area": 225, "near_area": 8, "added": 45, "buffer_km": 10}, 278)
    '278 lieux pris en compte : 225 du recensement dans le territoire, 8 à moins de 10 km au-delà de ses limites (ils desservent les communes du bord), 45 lieux labellisés ajoutés (absents du recensement).'
    """
    parts = [f"{_number(facts['in_area'])} du recensement dans le territoire"]
    if facts.get("near_area"):
        parts.append(
            f"{_number(facts['near_area'])} à moins de {facts.get('buffer_km', 10):g} km au-delà "
            "de ses limites (ils desservent les communes du bord)"
        )
    if facts.get("added"):
        parts.append(f"{_number(facts['added'])} lieux labellisés ajoutés (absents du recensement)")
    other = venues - facts["in_area"] - facts.get("near_area", 0) - facts.get("added", 0)
    year = facts.get("year")
    when = f"en {int(year)}" if year is not None else "l'année choisie"
    if other < 0:
        parts.append(f"dont {_number(-other)} non ouverts {when} et laissés de côté")
    elif other > 0:
        parts.append(f"{_number(other)} de plus, ouverts {when}")
    return f"{_number(venues)} lieux pris en compte : {', '.join(parts)}."


def _page_reason(reason: str) -> str:
    """Return the French reason, without the command-line option it may suggest (the page has none).

    Examples
    --------
    >>> _page_reason("coordinates look projected (latitude 6000000, longitude 400000), not degrees")
    'coordonnées projetées (latitude 6000000, longitude 400000), pas des degrés : donnez-les en x/y avec leur système de coordonnées'
    """
    text = re.sub(r"\s*\(--[\w-]+[^)]*\)", "", french_reason(reason))
    return text.replace("avec leur système", "avec leur système de coordonnées")


def _reason_rows(facts: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(_page_reason(reason))}</td><td>{_number(n)}</td></tr>"
        for reason, n in sorted(facts["rejected_by_reason"].items(), key=lambda kv: -kv[1])
    )
    return f"<table><tr><th>Motif du rejet</th><th>Lignes</th></tr>{rows}</table>" if rows else ""


def _census_parts(facts: dict[str, Any], venues: int) -> list[str]:
    """Return the HTML fragments of the section "Lieux pris en compte"."""
    items = [
        f"lignes du recensement pour le territoire : <b>{_number(facts['area_input'])}</b>",
        f"retenues dans le territoire : {_number(facts['in_area'])}",
        f"retenues à moins de {facts.get('buffer_km', 10):g} km au-delà : "
        f"{_number(facts['near_area'])}",
        f"rejetées : <b>{_number(facts['rejected'])}</b> (détail dans <code>rejected.csv</code>)",
    ]
    items += _placement_items(facts)
    if facts.get("added"):
        items.append(f"lieux labellisés ajoutés : {_number(facts['added'])}")
    elsewhere = facts.get("elsewhere", 0) + facts.get("rejected_elsewhere", 0)
    note = (
        f'<p class="note">Le fichier compte {_number(facts["input"])} lignes ; '
        f"{_number(elsewhere)} concernent d'autres territoires et sont laissées de côté.</p>"
    )
    return [
        "<h2>Lieux pris en compte</h2>",
        f"<p>{html.escape(headline(facts, venues))}</p>",
        "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>",
        _reason_rows(facts),
        note,
        *_placement_method(facts),
    ]


def _placement_items(facts: dict[str, Any]) -> list[str]:
    """List the census rows placed otherwise than by their point, and the repeated venues."""
    items = []
    if facts.get("by_commune"):
        items.append(
            "dont placées au point de leur commune (le fichier ne donne que la commune) : "
            f"{_number(facts['by_commune'])}"
        )
    if facts.get("code_from_point"):
        items.append(
            "dont code INSEE inconnu, commune prise au point donné : "
            f"{_number(facts['code_from_point'])}"
        )
    if facts.get("duplicates"):
        kept = "gardés et signalés" if facts.get("duplicates_kept") else "écartés"
        items.append(
            f"doublons (même nom au même lieu, à 1 m près), {kept} : {_number(facts['duplicates'])}"
        )
    return items


def _placement_method(facts: dict[str, Any]) -> list[str]:
    """Explain how the venues given only by their commune are placed."""
    if not facts.get("by_commune"):
        return []
    return [
        '<p class="note">Méthode : un lieu dont le fichier ne donne que la commune (son code '
        "INSEE, ou son nom avec le code postal ou le département) est placé au point "
        "représentatif du contour de la commune (IGN ADMIN EXPRESS : un point intérieur, proche "
        "du centre ; aucun point de chef-lieu n'est disponible hors ligne, et ce point n'est "
        "pas pondéré par la population). Son temps d'accès est donc approché ; la colonne "
        f"« {COLUMNS['location_source'].name} » des tableaux des lieux le signale.</p>"
    ]


def french_rejected_table(rejected: pd.DataFrame) -> pd.DataFrame:
    """Return the table of ``rejected.csv``: the rejected rows, their reasons in French.

    Parameters
    ----------
    rejected : pandas.DataFrame
        Rejected rows, as :func:`maillage.load_venues` returns them.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rejected_table`.
    """
    table = rejected_table(rejected)
    return table.assign(reason=table["reason"].map(french_reason, na_action="ignore"))


@dataclass(frozen=True)
class CensusSection(Section):
    """The census accounting of the report's venues (:func:`build`).

    Attributes
    ----------
    facts : dict
        :func:`census_facts`.
    rejected : pandas.DataFrame or None
        The rejected rows, written to ``rejected.csv`` when given.
    """

    key: ClassVar[str] = "census"
    place: ClassVar[Place] = "key_figures"
    sheets: ClassVar[Mapping[str, str]] = {"rejected.csv": "Lignes écartées"}

    facts: dict[str, Any]
    rejected: pd.DataFrame | None = None

    @property
    def source(self) -> str:
        """The census's catalogue name or file (``""`` when unknown)."""
        return str(self.facts.get("source") or "")

    def summary(self) -> dict[str, object]:
        """Return ``venues_input`` and ``venues_rejected`` (:func:`summary_counts`)."""
        return dict(summary_counts(self.facts))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``rejected.csv``, when the rejected rows are known."""
        if self.rejected is None:
            return {}
        return {"rejected.csv": french_rejected_table(self.rejected)}

    def title(self) -> str:
        """Return the census's name (and the labelled venues added)."""
        return str(self.facts.get("label") or "")

    def html(self, page: PageContext) -> str:
        """Return the section "Lieux pris en compte"."""
        return "\n".join(_census_parts(self.facts, int(page.report.figure("venues"))))


def build(context: ReportContext, options: ReportOptions) -> CensusSection | None:
    """Return the census section, or ``None`` when the venues carry no census accounting.

    Parameters
    ----------
    context : ReportContext
        The report's venues (``attrs["census"]``, ``attrs["support_matching"]``).
    options : ReportOptions
        ``rejected``: the rejected rows.

    Returns
    -------
    CensusSection or None
        The section.
    """
    facts = census_facts(context.venues, options.rejected)
    if not facts:
        return None
    if context.year is not None:
        facts = {**facts, "year": int(context.year)}
    return CensusSection(facts, options.rejected)
