"""The one-page French HTML report (``report.html``): key figures, map, tables, method, credits.

The report's sections (:mod:`maillage.report.sections`) give their own HTML, placed after
the key figures, the map, the supported venues or the suggested sites (their ``place``), in
the order of the list. Figures are written the French way by :mod:`maillage.report.numbers`.
"""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING, Any

import pandas as pd

from maillage.load.cog import read_cog_table
from maillage.report.counts import largest_remainder
from maillage.report.fragments import (
    INDICATOR_COLUMNS,
    commune_label,
    dataset_label,
    figure_cards,
    html_table,
    with_commune,
)
from maillage.report.headline import HEADLINE_CSS, headline_section, share_with_range
from maillage.report.identity import IDENTITY_CSS, glossary_html, header_html
from maillage.report.method import grid_warning, method_section
from maillage.report.numbers import (
    fr_dates_in,
    fr_number,
    fr_percent,
    fr_residents,
    round_residents,
)
from maillage.report.reproduce import reproduce_section
from maillage.report.sections.base import PageContext
from maillage.report.territory import territory_paragraph
from maillage.report.uncertain import uncertain_section

if TYPE_CHECKING:
    from collections.abc import Mapping

    from maillage.report.model import Report
    from maillage.report.sections.base import Place

__all__ = ["commune_label", "fr_number", "fr_percent", "render_page"]

_CSS = """
body{font-family:system-ui,sans-serif;font-size:16px;line-height:1.45;max-width:1000px;
margin:2em auto;padding:0 1em;color:#222;overflow-wrap:break-word}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
.chiffres{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:.6em}
.chiffre{background:#f4f6f8;border-radius:6px;padding:.6em .8em}
.chiffre b{display:block;font-size:1.4em}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0;display:block;overflow-x:auto;
max-width:100%}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right;vertical-align:top}
th{background:#f0f0f0}th:first-child,td:first-child,th.t,td.t{text-align:left}
img{max-width:100%;height:auto}.note{color:#555;font-size:.9em}
pre,code{white-space:pre-wrap;overflow-wrap:anywhere}
.reproduire{border:1px solid #bbb;border-radius:6px;padding:.2em 1em;margin-top:2em}
@media (max-width:600px){body{margin:.8em auto;padding:0 .7em}h1{font-size:1.35em}
.chiffres{grid-template-columns:repeat(auto-fill,minmax(150px,1fr))}}
@media print{@page{size:A4;margin:14mm 12mm}
body{max-width:none;margin:0;padding:0;font-size:10.5pt;color:#000;background:#fff}
h2:not(:first-of-type){break-before:page}h2,h3{break-after:avoid}
table{display:table;overflow:visible;font-size:9pt}tr,img,.chiffre{break-inside:avoid}
.chiffre,.titre,.commande,th{background:#fff!important}a{color:#000}}
"""
_CSS += HEADLINE_CSS + IDENTITY_CSS


def _table_note(report: Report) -> str:
    t = f"{report.summary['threshold_min']:g}"
    return (
        f'<p class="note">Part couverte : part des habitants à {t} min ou moins, comptés '
        "habitant par habitant ; population des communes en zone blanche : habitants des "
        f"communes entières dont le temps moyen dépasse {t} min.</p>"
    )


def _uncertain(summary: Mapping[str, Any]) -> bool:
    """Whether the counts that depend on the times are shown next to a range (rounded)."""
    return "share_within_threshold_low" in summary


def _residents(summary: Mapping[str, Any], count: float) -> str:
    """Write a count of residents that depends on the times, rounded as the page's rule says."""
    return fr_residents(count, uncertain=_uncertain(summary))


def _key_figures(summary: dict[str, Any]) -> str:
    t = summary["threshold_min"]
    beyond = summary["population"] - summary["population_within_threshold"]
    figures = [
        ("Communes", fr_number(summary["communes"])),
        ("Habitants", fr_number(summary["population"])),
        ("Lieux pris en compte", fr_number(summary["venues"])),
        (f"Part des habitants à {t:g} min ou moins", share_with_range(summary)),
        (
            f"Habitants à {t:g} min ou moins",
            _residents(summary, summary["population_within_threshold"]),
        ),
        (f"Habitants à plus de {t:g} min", _residents(summary, beyond)),
        ("Communes en zone blanche", fr_number(summary["white_zone_communes"])),
        (
            "Habitants des communes en zone blanche",
            _residents(summary, summary["white_zone_population"]),
        ),
        ("Temps d'accès médian", f"{fr_number(summary['median_time_min'], 1)} min"),
    ]
    return figure_cards(figures) + _two_counts(summary)


def _two_counts(summary: dict[str, Any]) -> str:
    """Why the residents beyond the threshold and those of the white zones differ."""
    t = f"{summary['threshold_min']:g}"
    beyond = summary["population"] - summary["population_within_threshold"]
    return (
        '<p class="note">Deux façons de compter : les <b>'
        f"{html.escape(_residents(summary, beyond))} habitants à plus de {t} min</b> sont comptés "
        "habitant par habitant, chacun depuis son lieu de résidence ; les <b>"
        f"{html.escape(_residents(summary, summary['white_zone_population']))} habitants des "
        "communes "
        "en zone blanche</b> sont ceux des communes entières dont le temps moyen dépasse "
        f"{t} min. Une commune en zone blanche peut compter des habitants à moins de {t} min, "
        "et une commune couverte des habitants plus loin : les deux chiffres diffèrent.</p>"
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{fr_number(n)} {one if n == 1 else many}"


def _support_method(support: dict[str, Any]) -> str:
    method = support.get("method", "unknown")
    get = support.get
    if method == "matching":
        source = html.escape(dataset_label(str(get("source", ""))))
        return (
            "Lieux soutenus déterminés par rapprochement du recensement avec la liste des lieux "
            f"labellisés « {source} » (même commune ou lieu proche, noms voisins) : "
            f"{_count(get('labelled', 0), 'lieu labellisé', 'lieux labellisés')} "
            f"({_count(get('labelled_rows', 0), 'ligne', 'lignes')} de la liste), dont "
            f"{_count(get('matched', 0), 'rapproché', 'rapprochés')} de "
            f"{_count(get('census_marked', 0), 'lieu', 'lieux')} du recensement et "
            f"{_count(get('appended', 0), 'ajouté', 'ajoutés')} comme lieu à part, au centre de "
            "sa commune, faute de correspondance. Les autres lieux du recensement, dont le "
            "soutien est inconnu, comptent comme non soutenus."
        )
    if method == "census":
        return (
            "Soutien public lu dans la colonne « supported » du recensement : "
            f"{_count(get('supported', 0), 'lieu soutenu', 'lieux soutenus')}, "
            f"{_count(get('not_supported', 0), 'non soutenu', 'non soutenus')}, "
            f"{_count(get('unknown', 0), 'au soutien inconnu', 'au soutien inconnu')} (compté "
            "comme non soutenu)."
        )
    return (
        "Le recensement ne dit pas quels lieux sont soutenus (soutien inconnu pour "
        f"{_count(get('unknown', 0), 'lieu', 'lieux')}) et aucune liste de lieux labellisés "
        "n'a été rapprochée. Pour mesurer cet apport, il faut une telle liste (voir "
        '« <a href="#reproduire">Reproduire ce rapport</a> »).'
    )


def _top_venues(report: Report, att: pd.DataFrame) -> str:
    whole = att.assign(
        population_covered=att["population_covered"].round(),
        population_only_this=largest_remainder(att["population_only_this"]),
    )
    table = whole[whole["population_only_this"] > 0].reset_index()
    if table.empty:
        return "<p>Aucun habitant n'est couvert par un seul lieu.</p>"
    rounded = functools.partial(round_residents, uncertain=_uncertain(report.summary))
    for column in ("population_covered", "population_only_this"):
        table[column] = table[column].map(rounded)
    table = table.sort_values(
        ["population_only_this", "population_covered", "venue_id"],
        ascending=[False, False, True],
    ).head(10)
    info = report.venues.assign(venue_id=report.venues["venue_id"].astype(str))
    info = pd.DataFrame(info.drop(columns="geometry")).drop_duplicates("venue_id")
    table = table.drop(columns="supported").merge(info, on="venue_id", how="left")
    table = with_commune(table, report.communes)
    flags = table["supported"].astype("boolean") if "supported" in table else None
    table["soutien"] = (
        "inconnu"
        if flags is None
        else flags.map({True: "oui", False: "non"}, na_action="ignore").fillna("inconnu")
    )
    columns = {
        "name": "Lieu",
        "commune": "Commune",
        "kind": "Type",
        "soutien": "Soutenu",
        "population_covered": "Habitants à portée",
        "population_only_this": "Habitants couverts seulement par ce lieu",
    }
    return (
        "<p>Les 10 lieux qui couvrent seuls le plus d'habitants : sans eux, ces habitants "
        "seraient au-delà du seuil.</p>" + html_table(table, columns)
    )


def _all_or_none_supported(count: int, venues: int, support: dict[str, Any]) -> str:
    """Return the one sentence that replaces the contribution of the supported venues."""
    if count == 0:
        hint = (
            " ; il faut pour le mesurer la liste des lieux labellisés (voir "
            '« <a href="#reproduire">Reproduire ce rapport</a> »)'
            if support.get("method", "unknown") == "unknown"
            else ""
        )
        return (
            "<b>Aucun lieu n'est connu comme soutenu publiquement</b> parmi les "
            f"{fr_number(venues)} lieux pris en compte : l'apport des lieux soutenus ne peut "
            f"pas être mesuré{hint}."
        )
    return (
        f"<b>Les {fr_number(venues)} lieux pris en compte sont tous soutenus publiquement</b> "
        "(un réseau labellisé comme France services, par exemple) : leur apport est celui de "
        "tout le réseau, que donnent les chiffres clés."
    )


def _supported_section(report: Report) -> list[str]:
    parts = ["<h2>Contribution des lieux soutenus</h2>"]
    att = report.attribution
    if att is None:
        return [*parts, "<p>Apport des lieux non calculé pour ce rapport.</p>"]
    contrib = att.attrs.get("supported_contribution", {})
    count = int(contrib.get("supported_venues", 0))
    population = report.figure("population") or 1.0
    t = report.summary["threshold_min"]
    method = _support_method(report.support)
    if count == 0 or count >= len(att):
        return [
            "<h2>Lieux qui couvrent seuls le plus d'habitants</h2>",
            f"<p>{_all_or_none_supported(count, len(att), report.support)}</p>",
            _top_venues(report, att),
        ]
    every = int(report.figure("population_within_threshold"))  # whole residents that add up
    without = round(float(contrib["population_covered_without_supported"]))
    thanks = every - without
    n = functools.partial(_residents, report.summary)
    parts.append(
        figure_cards(
            [
                ("Lieux soutenus", fr_number(count)),
                (
                    f"Habitants à {t:g} min ou moins avec tous les lieux",
                    f"{n(every)} ({fr_percent(every / population)})",
                ),
                (
                    "… sans les lieux soutenus",
                    f"{n(without)} ({fr_percent(without / population)})",
                ),
                (
                    "Habitants couverts grâce aux lieux soutenus",
                    f"{n(thanks)} ({fr_percent(thanks / population)})",
                ),
            ]
        )
    )
    parts.append(
        f"<p>Sans {'le lieu soutenu' if count == 1 else f'les {fr_number(count)} lieux soutenus'}, "
        f"{n(thanks)} habitants "
        f"({fr_percent(thanks / population)} de la population, "
        f"{fr_percent(thanks / every if every else 0)} des habitants couverts) seraient à "
        f"plus de {t:g} min de tout lieu. {method}</p>"
    )
    parts.append(_top_venues(report, att))
    return parts


def _placed(page: PageContext, place: Place) -> list[str]:
    """Return the HTML of the sections at ``place``, in their order (empty ones left out)."""
    found = (s.html(page) for s in page.report.sections if s.place == place)
    return [text for text in found if text]


def _least_covered_epci(report: Report) -> pd.DataFrame:
    """Return the 15 least covered EPCIs: ties by residents concerned; those partly in the area marked."""
    ind = report.indicators
    epci = ind[ind["level"] == "epci"]
    epci = epci.sort_values(
        ["share_within_threshold", "population", "code"], ascending=[True, False, True]
    ).head(15)
    totals = read_cog_table()["epci"].dropna().astype(str).value_counts()
    partial = epci["communes"] < epci["code"].astype(str).map(totals).fillna(0)
    names = epci["name"].astype("string").fillna(epci["code"].astype(str))
    return epci.assign(name=names.where(~partial, names + " *"), partial=partial)


def _rounded_indicators(report: Report, table: pd.DataFrame) -> pd.DataFrame:
    """Return the indicator table with its counts that depend on the times rounded (page's rule)."""
    rounded = functools.partial(round_residents, uncertain=_uncertain(report.summary))
    values = table["white_zone_population"]
    return table.assign(white_zone_population=values.map(rounded, na_action="ignore"))


def _epci_part(report: Report) -> list[str]:
    epci = _least_covered_epci(report)
    note = (
        '<p class="note">* EPCI dont une partie seulement des communes est dans le '
        "territoire : ses chiffres ne portent que sur celles-ci.</p>"
        if epci["partial"].any()
        else ""
    )
    return [
        "<h2>Les 15 EPCI les moins bien couverts</h2>",
        "<p class=\"note\">À part couverte égale, l'EPCI le plus peuplé vient d'abord.</p>",
        html_table(_rounded_indicators(report, epci), INDICATOR_COLUMNS),
        _table_note(report),
        note,
    ]


def _sections(page: PageContext) -> list[str]:
    report = page.report
    ind = report.indicators
    by_dep = ind[ind["level"] == "departement"]
    parts = [
        "<h2>Chiffres clés</h2>",
        headline_section(report),
        _key_figures(report.summary),
        grid_warning(report.communes.attrs),
        territory_paragraph(report.summary),
        *_placed(page, "key_figures"),
        "<h2>Carte</h2>",
        page.image("map.png", "Carte des temps d'accès en voiture"),
        '<p>Carte interactive (couches, info-bulles) : <a href="map.html">map.html</a>. '
        "Données pour un SIG : <code>coverage.gpkg</code> (styles QGIS inclus), tableaux : "
        "<code>tables.xlsx</code> (avec la feuille Lisez-moi), <code>communes.csv</code>, "
        "<code>indicators.csv</code>, <code>sites.csv</code>.</p>",
        *uncertain_section(report),
        *_placed(page, "map"),
        *_supported_section(report),
        *_placed(page, "supported"),
        "<h2>Par département</h2>",
        html_table(_rounded_indicators(report, by_dep), INDICATOR_COLUMNS),
        _table_note(report),
        *_epci_part(report),
    ]
    site_cols = {
        "rank": "Rang",
        "commune": "Commune",
        "gain_population": "Habitants gagnés",
        "cumulative_population": "Cumul",
        "share_within_threshold_after": "Part couverte après",
    }
    sites = with_commune(pd.DataFrame(report.sites.drop(columns="geometry")), report.communes)
    parts += [
        "<h2>Où ouvrir les prochains lieux</h2>",
        "<p>Sites choisis un par un pour couvrir le plus d'habitants aujourd'hui au-delà du seuil.</p>",
        html_table(sites, site_cols),
        *_placed(page, "sites"),
    ]
    parts += ["<h2>Méthode</h2>", method_section(report.summary, report.communes.attrs)]
    credits = "".join(f"<li>{html.escape(fr_dates_in(c))}</li>" for c in report.credits)
    parts += ["<h2>Sources des données</h2>", f"<ul>{credits}</ul>", glossary_html()]
    parts.append(reproduce_section(report))
    return parts


def render_page(report: Report, *, images: Mapping[str, bytes] | None = None) -> str:
    """Return the French HTML page of ``report`` (images embedded, no external resource).

    Parameters
    ----------
    report : maillage.report.Report
        The report.
    images : dict of str to bytes, optional
        The rendered files whose images the page embeds (``map.png``, the sections' images);
        an image not given is left out.

    Returns
    -------
    str
        A complete HTML document: the key figures, the map, the sections of the report at
        their place (:mod:`maillage.report.sections`), the tables, the method, the credits.
    """
    title = str(report.summary.get("title") or f"Accès aux lieux – {report.area}")
    body = "\n".join(_sections(PageContext(report, images or {})))
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{header_html({**report.summary, 'title': title})}\n{body}\n"
        "</body>\n</html>\n"
    )
