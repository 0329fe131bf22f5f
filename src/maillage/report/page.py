"""The one-page French HTML report (``report.html``): key figures, map, tables, method, credits.

Figures are written the French way by :mod:`maillage.report.numbers`.
"""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING, Any

import pandas as pd

from maillage.load.cog import read_cog_table
from maillage.report.census import census_section
from maillage.report.commutes import commute_section
from maillage.report.counts import largest_remainder
from maillage.report.headline import HEADLINE_CSS, headline_section, share_with_range
from maillage.report.method import grid_warning, method_section
from maillage.report.numbers import fr_number, fr_percent, fr_year
from maillage.report.series import series_section
from maillage.report.territory import territory_paragraph
from maillage.report.uncertain import uncertain_section

if TYPE_CHECKING:
    from maillage.report.compare import Comparison
    from maillage.report.model import Report

__all__ = ["commune_label", "fr_number", "fr_percent", "render_page"]

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
.chiffres{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:.6em}
.chiffre{background:#f4f6f8;border-radius:6px;padding:.6em .8em}
.chiffre b{display:block;font-size:1.4em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right}th{background:#f0f0f0}
td:first-child,th:first-child,td:nth-child(2){text-align:left}
img{max-width:100%}.note{color:#555;font-size:.85em}
"""
_CSS += HEADLINE_CSS

_INDICATOR_COLUMNS = {
    "code": "Code",
    "name": "Nom",
    "communes": "Communes",
    "population": "Population",
    "share_within_threshold": "Part couverte",
    "median_time_min": "Temps médian (min)",
    "white_zone_communes": "Communes en zone blanche",
    "white_zone_population": "Population des communes en zone blanche",
}


def _table_note(report: Report) -> str:
    t = f"{report.summary['threshold_min']:g}"
    return (
        f'<p class="note">Part couverte : part des habitants à {t} min ou moins, comptés '
        "habitant par habitant ; population des communes en zone blanche : habitants des "
        f"communes entières dont le temps moyen dépasse {t} min.</p>"
    )


def commune_label(code: object, name: object) -> str:
    """Return ``"Nom (code)"``, or the code alone when the name is unknown.

    Examples
    --------
    >>> commune_label("17306", "Royan"), commune_label("17306", None)
    ('Royan (17306)', '17306')
    """
    if code is None or pd.isna(code):
        return "–"
    if name is None or pd.isna(name) or not str(name):
        return str(code)
    return f"{name} ({code})"


def _commune_names(report: Report) -> pd.Series:
    """Names by INSEE code: the report's communes, then every commune of the COG."""
    own = report.communes["nom"] if "nom" in report.communes.columns else pd.Series(dtype=str)
    own = own.set_axis(own.index.astype(str))
    cog = read_cog_table()["nom"]
    return pd.concat([own, cog[~cog.index.isin(own.index)]])


def _with_commune(
    frame: pd.DataFrame, report: Report, names: pd.Series | None = None
) -> pd.DataFrame:
    """Add a ``commune`` column ``"Nom (code)"`` from ``code_insee`` (and ``nom`` when given)."""
    codes = frame["code_insee"].astype("string")
    if names is None:
        names = _commune_names(report)
    found = frame["nom"] if "nom" in frame.columns else codes.map(names)
    labels = [commune_label(c, n) for c, n in zip(codes, found, strict=True)]
    return frame.assign(commune=labels)


def _key_figures(summary: dict[str, Any]) -> str:
    t = summary["threshold_min"]
    beyond = summary["population"] - summary["population_within_threshold"]
    figures = [
        ("Communes", fr_number(summary["communes"])),
        ("Habitants", fr_number(summary["population"])),
        ("Lieux pris en compte", fr_number(summary["venues"])),
        (f"Population à {t:g} min ou moins", share_with_range(summary)),
        (f"Habitants à {t:g} min ou moins", fr_number(summary["population_within_threshold"])),
        (f"Habitants à plus de {t:g} min", fr_number(beyond)),
        ("Communes en zone blanche", fr_number(summary["white_zone_communes"])),
        ("Habitants des communes en zone blanche", fr_number(summary["white_zone_population"])),
        ("Temps d'accès médian", f"{fr_number(summary['median_time_min'], 1)} min"),
    ]
    return _figures(figures) + _two_counts(summary)


def _two_counts(summary: dict[str, Any]) -> str:
    """Why the residents beyond the threshold and those of the white zones differ."""
    t = f"{summary['threshold_min']:g}"
    beyond = summary["population"] - summary["population_within_threshold"]
    return (
        '<p class="note">Deux façons de compter : les <b>'
        f"{html.escape(fr_number(beyond))} habitants à plus de {t} min</b> sont comptés "
        "habitant par habitant, chacun depuis son lieu de résidence ; les <b>"
        f"{html.escape(fr_number(summary['white_zone_population']))} habitants des communes "
        "en zone blanche</b> sont ceux des communes entières dont le temps moyen dépasse "
        f"{t} min. Une commune en zone blanche peut compter des habitants à moins de {t} min, "
        "et une commune couverte des habitants plus loin : les deux chiffres diffèrent.</p>"
    )


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    shown = frame[[c for c in columns if c in frame.columns]].copy()
    for name in shown.columns:
        if name == "year":
            shown[name] = shown[name].map(fr_year)
        elif name.startswith("share"):
            shown[name] = shown[name].map(fr_percent)
        elif name.endswith("_min"):
            shown[name] = shown[name].map(lambda v: fr_number(v, 1))
        elif pd.api.types.is_numeric_dtype(shown[name]):
            shown[name] = shown[name].map(fr_number)
    shown = shown.rename(columns=columns)
    return shown.to_html(index=False, escape=True, border=0, na_rep="–")


def _image(data: bytes | None, alt: str) -> str:
    if data is None:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def _figures(figures: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<div class="chiffre"><b>{html.escape(v)}</b>{html.escape(k)}</div>' for k, v in figures
    )
    return f'<div class="chiffres">{cells}</div>'


def _count(n: int, one: str, many: str) -> str:
    return f"{fr_number(n)} {one if n == 1 else many}"


def _support_method(support: dict[str, Any]) -> str:
    method = support.get("method", "unknown")
    get = support.get
    if method == "matching":
        source = html.escape(str(get("source", "")))
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
        "n'a été rapprochée. Pour mesurer cet apport, donnez une telle liste, par exemple "
        "<code>--supported fabriques-territoire-2024</code> en ligne de commande ou "
        "<code>maillage.mark_supported</code>."
    )


def _top_venues(report: Report, att: pd.DataFrame) -> str:
    whole = att.assign(
        population_covered=att["population_covered"].round(),
        population_only_this=largest_remainder(att["population_only_this"]),
    )
    table = whole[att["population_only_this"] > 0].reset_index()
    if table.empty:
        return "<p>Aucun habitant n'est couvert par un seul lieu.</p>"
    table = table.sort_values(
        ["population_only_this", "population_covered", "venue_id"],
        ascending=[False, False, True],
    ).head(10)
    info = report.venues.assign(venue_id=report.venues["venue_id"].astype(str))
    info = pd.DataFrame(info.drop(columns="geometry")).drop_duplicates("venue_id")
    table = table.drop(columns="supported").merge(info, on="venue_id", how="left")
    table = _with_commune(table, report)
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
        "population_only_this": "Habitants couverts par lui seul",
    }
    return (
        "<p>Les 10 lieux qui couvrent seuls le plus d'habitants : sans eux, ces habitants "
        "seraient au-delà du seuil.</p>" + _table(table, columns)
    )


def _all_or_none_supported(count: int, venues: int, support: dict[str, Any]) -> str:
    """Return the one sentence that replaces the contribution of the supported venues."""
    if count == 0:
        hint = (
            " ; donnez la liste des lieux labellisés pour le mesurer, par exemple "
            "<code>--supported fabriques-territoire-2024</code> en ligne de commande ou "
            "<code>maillage.mark_supported</code>"
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
    population = float(report.summary["population"]) or 1.0
    t = report.summary["threshold_min"]
    method = _support_method(report.support)
    if count == 0 or count >= len(att):
        return [
            "<h2>Lieux qui couvrent seuls le plus d'habitants</h2>",
            f"<p>{_all_or_none_supported(count, len(att), report.support)}</p>",
            _top_venues(report, att),
        ]
    every = int(report.summary["population_within_threshold"])  # whole residents that add up
    without = round(float(contrib["population_covered_without_supported"]))
    thanks = every - without
    parts.append(
        _figures(
            [
                ("Lieux soutenus", fr_number(count)),
                (
                    f"Habitants à {t:g} min ou moins avec tous les lieux",
                    f"{fr_number(every)} ({fr_percent(every / population)})",
                ),
                (
                    "… sans les lieux soutenus",
                    f"{fr_number(without)} ({fr_percent(without / population)})",
                ),
                (
                    "Habitants couverts grâce aux lieux soutenus",
                    f"{fr_number(thanks)} ({fr_percent(thanks / population)})",
                ),
            ]
        )
    )
    parts.append(
        f"<p>Sans {'le lieu soutenu' if count == 1 else f'les {fr_number(count)} lieux soutenus'}, "
        f"{fr_number(thanks)} habitants "
        f"({fr_percent(thanks / population)} de la population, "
        f"{fr_percent(thanks / every if every else 0)} des habitants couverts) seraient à "
        f"plus de {t:g} min de tout lieu. {method}</p>"
    )
    parts.append(_top_venues(report, att))
    return parts


_FIGURE_NAMES = {
    "share_within_threshold": "Part de la population à {t} min ou moins",
    "population_within_threshold": "Habitants à {t} min ou moins",
    "white_zone_communes": "Communes en zone blanche",
    "white_zone_population": "Habitants en zone blanche",
    "median_time_min": "Temps d'accès médian (min)",
    "venues": "Lieux pris en compte",
}


def _signed(value: float, decimals: int = 0, unit: str = "") -> str:
    if value is None or pd.isna(value):
        return "–"
    if round(float(value), decimals) == 0:
        return f"0{unit}"
    sign = "+" if value > 0 else "\u2212"
    return f"{sign}{fr_number(abs(float(value)), decimals)}{unit}"


def _figure_cells(name: str, row: pd.Series) -> tuple[str, str, str]:
    if name == "share_within_threshold":
        return (
            fr_percent(row["before"]),
            fr_percent(row["after"]),
            _signed(row["difference"], 1, "\u00a0point(s)"),
        )
    decimals = 1 if name == "median_time_min" else 0
    return (
        fr_number(row["before"], decimals),
        fr_number(row["after"], decimals),
        _signed(row["difference"], decimals),
    )


def _moved(report: Report, comparison: Comparison, change: str, title: str) -> str:
    count = int((comparison.changes["change"] == change).sum())
    if count == 0:
        return f"<h3>{html.escape(title)} : aucune</h3>"
    rows = comparison.moved(change, top=15).reset_index()
    for name in ("time_min_before", "time_min_after"):
        rows[name] = rows[name].map(lambda v: fr_number(v, 1))
    shown = "les 15 plus peuplées" if count > 15 else "par population"
    table = _table(
        _with_commune(rows, report),
        {
            "commune": "Commune",
            "population": "Population",
            "time_min_before": "Temps avant (min)",
            "time_min_after": "Temps maintenant (min)",
        },
    )
    return f"<h3>{html.escape(title)} : {fr_number(count)} ({shown})</h3>{table}"


def _previous_section(report: Report) -> list[str]:
    comparison = report.comparison
    if comparison is None:
        return []
    t = f"{report.summary['threshold_min']:g}"
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            html.escape(_FIGURE_NAMES[name].format(t=t)),
            *(html.escape(c) for c in _figure_cells(str(name), row)),
        )
        for name, row in comparison.figures.iterrows()
    )
    counts = comparison.changes["change"].value_counts()
    others = [
        f"{fr_number(counts.get(key, 0))} {label}"
        for key, label in (("nouvelle commune", "nouvelle(s)"), ("commune disparue", "disparue(s)"))
        if counts.get(key, 0)
    ]
    notes = "".join(f"<p><b>Attention :</b> {html.escape(n)}</p>" for n in comparison.notes)
    return [
        "<h2>Évolution depuis le rapport précédent</h2>",
        f"<p>Comparaison avec le rapport du dossier « {html.escape(comparison.folder)} ». "
        "Détail par commune : <code>changes.csv</code>."
        + (f" Communes {html.escape(', '.join(others))} depuis." if others else "")
        + "</p>",
        notes,
        "<table><tr><th>Indicateur</th><th>Rapport précédent</th><th>Maintenant</th>"
        f"<th>Différence</th></tr>{rows}</table>",
        _moved(
            report, comparison, "sort de la zone blanche", "Communes sorties de la zone blanche"
        ),
        _moved(report, comparison, "entre en zone blanche", "Communes entrées en zone blanche"),
    ]


def _sections(
    report: Report,
    map_png: bytes | None,
    evolution_png: bytes | None,
    series_png: bytes | None = None,
    commutes_png: bytes | None = None,
) -> list[str]:
    ind = report.indicators
    by_dep = ind[ind["level"] == "departement"]
    by_epci = ind[ind["level"] == "epci"].sort_values(["share_within_threshold", "code"]).head(15)
    parts = [
        "<h2>Chiffres clés</h2>",
        headline_section(report),
        _key_figures(report.summary),
        grid_warning(report.communes.attrs),
        territory_paragraph(report.summary),
        *census_section(report),
        *_previous_section(report),
        "<h2>Carte</h2>",
        _image(map_png, "Carte des temps d'accès"),
        '<p>Carte interactive (couches, info-bulles) : <a href="map.html">map.html</a>. '
        "Données pour un SIG : <code>coverage.gpkg</code> (styles QGIS inclus), tableaux : "
        "<code>tables.xlsx</code> (avec la feuille Lisez-moi), <code>communes.csv</code>, "
        "<code>indicators.csv</code>, <code>sites.csv</code>.</p>",
        *uncertain_section(report),
    ]
    if report.by_year is not None:
        parts += ["<h2>Évolution</h2>", _image(evolution_png, "Évolution par année")]
        years = report.by_year.reset_index().rename(
            columns={report.by_year.index.name or "index": "year"}
        )
        parts.append(_table(years, {"year": "Année", "venues": "Lieux", **_INDICATOR_COLUMNS}))
    parts += series_section(report, series_png)
    parts += _supported_section(report)
    parts += ["<h2>Par département</h2>", _table(by_dep, _INDICATOR_COLUMNS), _table_note(report)]
    parts += [
        "<h2>Les 15 EPCI les moins bien couverts</h2>",
        _table(by_epci, _INDICATOR_COLUMNS),
        _table_note(report),
    ]
    site_cols = {
        "rank": "Rang",
        "commune": "Commune",
        "gain_population": "Habitants gagnés",
        "cumulative_population": "Cumul",
        "share_within_threshold_after": "Part couverte après",
    }
    parts += [
        "<h2>Où ouvrir les prochains lieux</h2>",
        "<p>Sites choisis un par un pour couvrir le plus d'habitants aujourd'hui au-delà du seuil.</p>",
        _table(
            _with_commune(pd.DataFrame(report.sites.drop(columns="geometry")), report), site_cols
        ),
    ]
    parts += commute_section(report, commutes_png)
    parts += ["<h2>Méthode</h2>", method_section(report.summary, report.communes.attrs)]
    credits = "".join(f"<li>{html.escape(c)}</li>" for c in report.summary["data_credits"])
    parts += ["<h2>Sources des données</h2>", f"<ul>{credits}</ul>"]
    return parts


def render_page(
    report: Report,
    *,
    map_png: bytes | None = None,
    evolution_png: bytes | None = None,
    series_png: bytes | None = None,
    commutes_png: bytes | None = None,
) -> str:
    """Return the French HTML page of ``report`` (images embedded, no external resource).

    Parameters
    ----------
    report : maillage.report.Report
        The report.
    map_png, evolution_png, series_png, commutes_png : bytes, optional
        PNG images embedded in the page.

    Returns
    -------
    str
        A complete HTML document.
    """
    title = f"Accès aux lieux – {report.area}"
    census = (report.extra.get("census") or {}).get("label")
    if census:
        title += f" – {census}"
    body = "\n".join(_sections(report, map_png, evolution_png, series_png, commutes_png))
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{body}\n"
        '<p class="note">Rapport produit par maillage.</p>\n</body>\n</html>\n'
    )
