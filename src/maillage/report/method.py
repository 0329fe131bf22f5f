"""The « Méthode » section of the page: the travel-time model and the counts, in plain French.

``summary.json`` keeps the model's technical description (``travel_time_model``: keys such as
``circuity``, ``speed_kph``); the page says the same in words, with units. Parameters this
module does not know are left to ``summary.json`` (the page says so); an engine whose
``describe()`` lacks ``label_fr`` is named by its ``engine``, or as a model of its own.

Examples
--------
>>> rows = model_parameters({"model": "CrowFlyModel", "circuity": 1.3, "speed_kph": 80.0,
...     "access_time_s": 120.0})
>>> for label, value in rows:
...     print(f"{label} : {value}")
Coefficient de détour : 1,3 (distance par la route ÷ distance à vol d'oiseau)
Vitesse moyenne : 80 km/h
Temps aux deux bouts du trajet (se garer, marcher) : 2 min
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from maillage.report.numbers import fr_number, fr_percent

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "grid_warning",
    "method_section",
    "model_name",
    "model_parameters",
    "precision_section",
]

_ENGINE_NAMES = {
    "straight_line": "modèle à vol d'oiseau",
    "road_graph": "réseau routier OpenStreetMap",
    "osrm": "moteur d'itinéraires OSRM sur le réseau routier OpenStreetMap",
}

_MODEL_TEXT = {
    "CalibratedModel": "Un trajet en voiture est défini comme le trajet sans embouteillage sur "
    "le réseau routier OpenStreetMap, tel que le calcule le moteur d'itinéraires OSRM avec son "
    "profil voiture standard (la méthode du distancier Metric-OSRM de l'Insee), plus, à chaque "
    "bout, le trajet à 15\u00a0km/h entre le point et la route la plus proche. Ce modèle ne lit "
    "pas le réseau routier : il estime ce temps à partir de la distance à vol d'oiseau entre le "
    "domicile et le lieu (la densité de la commune de départ entre dans la formule, mais le "
    "calage ne lui trouve pas d'effet ; elle règle la fourchette). Sa formule a été calée sur "
    "des temps OSRM réels (extraits OpenStreetMap de Monaco et des communes voisines des "
    "Alpes-Maritimes, du centre de Paris, d'Andorre et de Saint-Barthélemy ; matrice entre "
    "préfectures ; temps de chaque commune de France métropolitaine à Paris) et son erreur "
    "mesurée sur des territoires laissés de côté pendant le calage.",
}
"""Plain description of a model, by its class name (``describe()["model"]``), before its engine's."""

_ENGINE_TEXT = {
    "straight_line": "La distance à vol d'oiseau entre le domicile et le lieu est allongée "
    "d'un coefficient de détour (les routes ne vont pas en ligne droite), parcourue à une "
    "vitesse moyenne, puis augmentée d'un temps d'accès (se garer, marcher). Ce modèle ne "
    "lit pas le réseau routier : il ignore les ponts, les reliefs et les bacs.",
    "road_graph": "Le temps est celui du chemin le plus rapide en voiture sur le réseau "
    "routier OpenStreetMap, avec une vitesse par type de voie, les sens uniques et les bacs ; "
    "le trajet entre le domicile (ou le lieu) et la route la plus proche est ajouté.",
    "osrm": "Le temps est celui de l'itinéraire le plus rapide en voiture calculé par OSRM "
    "sur le réseau routier OpenStreetMap, entre les points de la route les plus proches du "
    "domicile et du lieu.",
}

_ROADS = {
    "motorway": "autoroute",
    "trunk": "voie express",
    "primary": "route nationale ou départementale principale",
    "secondary": "route secondaire",
    "tertiary": "route locale",
    "unclassified": "petite route",
    "residential": "rue",
    "living_street": "zone de rencontre",
    "service": "voie de desserte",
}


def _kph(value: Any) -> str:
    return f"{fr_number(float(value), _decimals(value))}\u00a0km/h"


def _decimals(value: Any) -> int:
    return 0 if float(value) == round(float(value)) else 1


def _seconds(value: Any) -> str:
    seconds = float(value)
    if seconds >= 60:
        return f"{fr_number(seconds / 60, 0 if seconds % 60 == 0 else 1)}\u00a0min"
    return f"{fr_number(seconds, 0)}\u00a0s"


def _metres(value: Any) -> str:
    metres = float(value)
    if metres >= 1000:
        return f"{fr_number(metres / 1000, _decimals(metres / 1000))}\u00a0km"
    return f"{fr_number(metres, 0)}\u00a0m"


def _road_speeds(value: Any) -> str:
    speeds = dict(value)
    parts = []
    for kind, name in _ROADS.items():
        if kind in speeds:
            link = speeds.get(f"{kind}_link")
            ramp = f" (bretelle {_kph(link)})" if link is not None else ""
            parts.append(f"{name} {_kph(speeds[kind])}{ramp}")
    return " ; ".join(parts)


def _share_of_limit(value: Any) -> str:
    return f"{fr_percent(float(value))} de la vitesse limite"


def _pace(value: Any) -> str:
    pace = float(value)
    return (
        f"{fr_number(3600 / pace, 0)}\u00a0km/h (un kilomètre en "
        f"{fr_number(pace, 0)}\u00a0secondes)"
    )


def _densities(value: Any) -> str:
    low, high = (float(v) for v in value)
    return f"de {fr_number(low)} à {fr_number(high)}\u00a0hab./km²"


_PARAMETERS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "circuity": (
        "Coefficient de détour",
        lambda v: (
            f"{fr_number(float(v), 2).rstrip('0').rstrip(',')} (distance par la "
            "route ÷ distance à vol d'oiseau)"
        ),
    ),
    "speed_kph": ("Vitesse moyenne", _kph),
    "access_time_s": ("Temps aux deux bouts du trajet (se garer, marcher)", _seconds),
    "main_pace_s_per_km": ("Vitesse sur les longs trajets", _pace),
    "density_range_per_km2": ("Densités de commune prises en compte", _densities),
    "fallback_density_per_km2": (
        "Densité retenue quand celle de la commune est inconnue",
        lambda v: f"{fr_number(float(v))}\u00a0hab./km²",
    ),
    "speeds_kph": ("Vitesse par type de voie, sans limite connue", _road_speeds),
    "maxspeed_factor": ("Vitesse retenue où la limite est connue", _share_of_limit),
    "ferry_speed_kph": ("Vitesse des bacs", _kph),
    "access_speed_kph": ("Vitesse entre le domicile et la route", _kph),
    "max_snap_m": ("Distance maximale entre un domicile ou un lieu et la route", _metres),
    "file": ("Extrait OpenStreetMap", str),
    "osrm_version": ("Version d'OSRM", str),
    "profile": ("Profil de circulation", str),
    "n_nodes": ("Nœuds du réseau routier", lambda v: fr_number(float(v))),
    "n_edges": ("Tronçons du réseau routier", lambda v: fr_number(float(v))),
}


def model_name(description: Mapping[str, Any]) -> str:
    """Return the plain French name of a travel-time model from its ``describe()``.

    Parameters
    ----------
    description : mapping
        ``model.describe()`` (``summary.json``'s ``travel_time_model``).

    Returns
    -------
    str
        ``label_fr``, else the name of its ``engine``, else a generic name.

    Examples
    --------
    >>> model_name({"model": "Mine", "engine": "road_graph"})
    'réseau routier OpenStreetMap'
    >>> print(model_name({"model": "Mine"}))
    modèle de temps de trajet fourni par l'utilisateur
    """
    label = description.get("label_fr")
    if label:
        return str(label)
    return _ENGINE_NAMES.get(
        str(description.get("engine")), "modèle de temps de trajet fourni par l'utilisateur"
    )


def model_parameters(description: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the model's parameters this page knows, as (French label, value with unit).

    Parameters
    ----------
    description : mapping
        As in :func:`model_name`.

    Returns
    -------
    list of (str, str)
        In a fixed order; missing and unknown parameters are left out.
    """
    rows = []
    for key, (label, show) in _PARAMETERS.items():
        value = description.get(key)
        if value is not None and value != "":
            rows.append((label, show(value)))
    return rows


def _grid_text(attrs: Mapping[str, Any]) -> str:
    placed = attrs.get("grid_coverage")
    if attrs.get("origins") != "grid" or not placed:
        return (
            "Les habitants d'une commune sont placés pour moitié au point central de la commune "
            "(là où se trouve d'ordinaire le bourg) et pour moitié sur un semis régulier de "
            "points couvrant la commune, pour tenir compte des hameaux."
        )
    share = float(placed["population_share"])
    text = (
        "Les habitants sont placés sur les carreaux de 200 m de la grille de population "
        f"(Insee, Filosofi) pour {fr_number(placed['communes'])} communes, soit "
        f"{fr_percent(share)} de la population ; les carreaux sont recalés sur la population "
        "légale de leur commune."
    )
    rest = int(placed.get("communes_fallback", 0))
    if rest:
        text += (
            f" <b>La grille ne couvre pas les {fr_number(rest)} autres communes</b> (hors de la "
            "grille, à cheval sur son bord ou sans carreau habité) : leurs habitants sont "
            "placés comme sans grille, pour moitié au point central de la commune et pour "
            "moitié sur un semis régulier de points."
        )
    return text


def grid_warning(attrs: Mapping[str, Any]) -> str:
    """Return a warning paragraph when the population grid places only part of the residents.

    Parameters
    ----------
    attrs : mapping
        ``attrs`` of the coverage (``grid_coverage``).

    Returns
    -------
    str
        HTML, empty without a grid or when the grid places every commune.

    Examples
    --------
    >>> text = grid_warning({"origins": "grid", "grid_coverage": {"communes": 7,
    ...     "communes_fallback": 500, "population_share": 0.04}})
    >>> "ne place que 4,0" in text and "pour les 500 autres communes" in text
    True
    """
    placed = attrs.get("grid_coverage")
    if attrs.get("origins") != "grid" or not placed or not placed.get("communes_fallback"):
        return ""
    return (
        "<p><b>Attention :</b> la grille de population ne place que "
        f"{fr_percent(float(placed['population_share']))} des habitants "
        f"({fr_number(placed['communes'])} communes) ; pour les "
        f"{fr_number(placed['communes_fallback'])} autres communes, les habitants sont placés "
        "comme sans grille (voir la méthode).</p>"
    )


def _references(model: Mapping[str, Any]) -> list[str]:
    """Return the model's references that the page does not give elsewhere.

    Data credits are listed under « Sources des données »; a model that measured its error
    (``error_by_band``) has it described in words, with its fitting data, in the precision
    paragraph, so its own summary line is left to ``summary.json``.
    """
    if model.get("error_by_band"):
        return []
    credited = {str(c) for c in model.get("data_credits", []) or []}
    return [str(s) for s in model.get("sources", []) or [] if str(s) not in credited]


def _ratio_cells(row: Mapping[str, Any]) -> str:
    """Median gap and the range holding 80 % of trips, model ÷ real, as table cells."""
    if not row.get("n"):
        return "<td>–</td><td>–</td><td>–</td>"
    median = float(row.get("median_ratio_areas_equal", row["median_ratio"]))
    return (
        f"<td>{fr_number(float(row['n']))}</td><td>{_gap(median)}</td>"
        f"<td>de {_gap(float(row['q10']))} à {_gap(float(row['q90']))}</td>"
    )


def _km(value: float) -> str:
    return fr_number(float(value), 0 if float(value) == round(float(value)) else 1)


def _headline_check(held: Mapping[str, Any]) -> str:
    """Say which percentiles of the draws make the range and how often it held, in French."""
    if not held.get("nominal_level"):
        return ""
    nominal = float(held["nominal_level"])
    low, high = (
        fr_number(100 * q, 1).replace(",0", "") for q in ((1 - nominal) / 2, (1 + nominal) / 2)
    )
    return (
        f"Pour qu'elle tienne sa promesse, la fourchette va du {low}<sup>e</sup> au "
        f"{high}<sup>e</sup> centile des tirages : sur {fr_number(float(held['n_cases']))} "
        "territoires laissés de côté (extraits OpenStreetMap, régions), elle contenait la part "
        f"réelle {fr_percent(float(held['share_inside']))} du temps. "
    )


def _gap(ratio: float) -> str:
    """Return the gap of a model ÷ real ratio in signed percent (``+12 %``: model slower)."""
    value = 100 * (ratio - 1)
    sign = "+" if value > 0.5 else "−" if value < -0.5 else ""
    return f"{sign}{fr_number(abs(value), 0)}\u00a0%"


def precision_section(model: Mapping[str, Any]) -> str:
    """Return the precision of a calibrated model, held out, in French (HTML, or ``""``).

    The error by distance band and by density class of the origin's commune, measured on
    territories left out of the fit; what the range of the headline means and how often it
    held on such territories; what the definition of a trip leaves out.

    Parameters
    ----------
    model : mapping
        ``describe()`` of the model (``summary.json``'s ``travel_time_model``).

    Returns
    -------
    str
        HTML; empty when the model has no measured error.

    Examples
    --------
    >>> from maillage import CalibratedModel
    >>> text = precision_section(CalibratedModel.fitted().describe())
    >>> "laissé de côté" in text and "embouteillages" in text
    True
    >>> precision_section({"engine": "straight_line"})
    ''
    """
    bands, classes = model.get("error_by_band"), model.get("error_by_class")
    if not bands or not classes:
        return ""
    rows = "".join(
        f"<tr><td>{_km(b['band_km'][0])} à {_km(b['band_km'][1])} km</td>{_ratio_cells(b)}</tr>"
        for b in bands
    )
    rows += "".join(
        f"<tr><td>commune {html.escape(str(c['class']))}</td>{_ratio_cells(c)}</tr>"
        for c in classes
    )
    error = model.get("median_abs_rel_error")
    typical = fr_number(100 * float(error), 0) if error is not None else "?"
    coverage = (model.get("range_coverage") or {}).get("0.8")
    held = model.get("headline_coverage")
    paris = model.get("land_use_gap_paris")
    sparse = model.get("land_use_gap_sparse")
    return (
        '<h3 id="precision">Précision des temps de trajet, mesurée hors calage</h3>'
        "<p>Chaque territoire de référence (un extrait OpenStreetMap, ou une région pour les "
        "matrices) a été laissé de côté à tour de rôle : le modèle, recalé sans lui, a été "
        f"comparé à ses temps OSRM. L'écart typique sur un trajet est de {typical}\u00a0% "
        "(médiane des écarts absolus, chaque tranche de distance et chaque territoire comptant "
        "autant). Écart entre le modèle et OSRM (+ : le modèle est plus lent ; écart médian "
        "à territoires égaux, 8 trajets sur 10 tous trajets confondus) :</p>"
        "<table><tr><th>Trajets</th><th>Nombre</th><th>Écart médian</th>"
        f"<th>Écart de 8 trajets sur 10</th></tr>{rows}</table>"
        "<p>La fourchette donnée avec le chiffre principal est à <b>80\u00a0%</b> : les "
        "erreurs des trajets sont tirées au hasard comme elles ont été mesurées hors calage "
        "(une part commune au territoire, une part par commune, une part par trajet) et le "
        "chiffre principal est recalculé à chaque tirage. "
        + _headline_check(held or {})
        + (
            f"Hors calage, {fr_percent(float(coverage))} des temps réels tombaient entre les "
            "temps rapide et lent du modèle. "
            if coverage is not None
            else ""
        )
        + "Une commune dont le temps moyen passe d'un côté à l'autre du seuil entre ces deux "
        "temps est « à confirmer avec le réseau routier ».</p>"
        "<p>La définition ne compte ni les embouteillages ni le temps pour se garer. "
        + (
            f"Un autre profil d'OSRM, qui ralentit les rues selon l'occupation du sol, donne "
            f"dans Paris des temps {fr_number(1 / float(paris), 1)} fois plus longs que ce "
            "modèle : en ville dense, les temps réels dépassent sans doute nettement ceux de la "
            "définition. "
            if paris
            else ""
        )
        + (
            f"Dans les communes peu denses, ce profil est au contraire plus rapide que le modèle "
            f"(le modèle est {fr_number(100 * (float(sparse) - 1), 0)}\u00a0% plus lent en "
            "médiane) : aucune référence OSRM standard ne couvre les trajets courts de la "
            "campagne de plaine, où le modèle est sans doute un peu pessimiste."
            if sparse and float(sparse) > 1.02
            else ""
        )
        + "</p>"
    )


def method_section(summary: Mapping[str, Any], attrs: Mapping[str, Any]) -> str:
    """Return the HTML of the « Méthode » section (without its heading).

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content.
    attrs : mapping
        ``attrs`` of the coverage (``origins``, ``grid_coverage``).

    Returns
    -------
    str
        Paragraphs and the table of parameters, escaped.

    Examples
    --------
    >>> summary = {"threshold_min": 20.0, "travel_time_model": {"engine": "straight_line",
    ...     "speed_kph": 80.0, "sources": ["Ballou (2002)"]}}
    >>> text = method_section(summary, {})
    >>> "80\u00a0km/h" in text and "speed_kph" not in text and "Ballou" in text
    True
    """
    model = summary["travel_time_model"]
    t = fr_number(float(summary["threshold_min"]), _decimals(summary["threshold_min"]))
    engine = _MODEL_TEXT.get(
        str(model.get("model")), _ENGINE_TEXT.get(str(model.get("engine")), "")
    )
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{html.escape(value)}</td></tr>"
        for label, value in model_parameters(model)
    )
    table = f"<table><tr><th>Paramètre</th><th>Valeur</th></tr>{rows}</table>" if rows else ""
    sources = "".join(f"<li>{html.escape(str(s))}</li>" for s in _references(model))
    return (
        f"<p>Temps de trajet en voiture calculés avec le <b>{html.escape(model_name(model))}</b>. "
        f"{html.escape(engine)}</p>"
        f"<p>{_grid_text(attrs)} Chaque habitant est rattaché au lieu le plus proche en temps. "
        f"Un habitant est couvert quand ce temps est de {t}\u00a0min ou moins. Le temps d'une "
        "commune est la moyenne des temps de ses habitants, pondérée par leur nombre ; une "
        f"commune est en <b>zone blanche</b> quand ce temps moyen dépasse {t}\u00a0min. Les "
        "habitants sont comptés en nombres entiers : les chiffres arrondis s'additionnent "
        "(méthode du plus fort reste).</p>"
        f"{table}"
        + precision_section(model)
        + (f"<p>Références du modèle :</p><ul>{sources}</ul>" if sources else "")
        + '<p class="note">Tous les paramètres, sous leur nom technique : '
        "<code>summary.json</code> (<code>travel_time_model</code>).</p>"
    )
