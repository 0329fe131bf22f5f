"""The commute section of the report (``--commutes``): "Trajets domicile-travail évitables".

``maillage report --commutes NAME_OR_FILE`` loads the home-to-work flows of the residents
of the area (:func:`maillage.load_commutes`) and adds to the report:

* ``commutes.csv``: per home commune, the car commuters, the long ones, those with a venue
  near home, and the time, kilometres and CO₂ a telework day a week there could save
  (:func:`maillage.commute_savings`);
* ``commutes.png``: the map of the hours saved per year and commune;
* a section of the page: key figures, the communes and venues that save the most, the
  sites that would save the most (:func:`maillage.suggest_sites` with
  ``objective="commute"``), the method and its assumptions in plain French;
* in ``summary.json``: the keys ``commutes`` (the figures) and ``commute_assumptions``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Unpack

import pandas as pd

from maillage.analysis.commute_scenario import CommuteScenario
from maillage.analysis.commute_totals import savings_by_commune, savings_by_venue
from maillage.analysis.commutes import (
    CAR_EMISSION_SOURCE,
    CAR_KG_CO2E_PER_KM,
    ROAD_CIRCUITY,
    WORKING_WEEKS_PER_YEAR,
    commute_trips,
)
from maillage.analysis.siting import suggest_sites
from maillage.report.fragments import figure_cards, html_table
from maillage.report.images import new_figure, png_bytes
from maillage.report.numbers import fr_number, fr_percent, fr_significant
from maillage.report.sections.base import Place, Section
from maillage.report.sections.commute_scenario import ScenarioPart, build_scenario, scenario_html

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    import geopandas as gpd

    from maillage.analysis.commutes import TripOptions
    from maillage.report.model import Report
    from maillage.report.sections.base import (
        FileRenderer,
        PageContext,
        ReportContext,
        ReportOptions,
    )
    from maillage.travel.protocol import TravelTimeModel

__all__ = ["COMMUTE_SUMMARY_KEYS", "CommutesSection", "build", "build_commutes"]

COMMUTE_SUMMARY_KEYS = ("commutes", "commute_assumptions")
"""Keys added to ``summary.json`` with ``--commutes`` (after the usual ones)."""

_CSV_COLUMNS = (
    "nom",
    "departement",
    "workers",
    "car_commuters",
    "long_commuters",
    "eligible_commuters",
    "beyond_daily",
    "unplaced",
    "commute_min",
    "access_min",
    "saved_min_per_day",
    "saved_hours_per_year",
    "km_avoided_per_year",
    "co2_avoided_t_per_year",
)


def _totals(commutes: pd.DataFrame, by_commune: pd.DataFrame) -> dict[str, Any]:
    """Return the figures of ``summary.json["commutes"]``."""
    workers = float(commutes["workers"].sum())
    known = float(commutes.loc[commutes["mode"].notna().to_numpy(), "workers"].sum())
    car = float(commutes.loc[(commutes["mode"] == "car").fillna(False), "workers"].sum())
    sums = by_commune.drop(columns=["nom", "departement"], errors="ignore").sum(numeric_only=True)
    long = float(sums["long_commuters"])
    eligible = float(sums["eligible_commuters"])
    per_day = float(sums["saved_min_per_day"])
    return {
        "workers": round(workers),
        "car_workers": round(car) if known else None,
        "car_share": round(car / known, 6) if known else None,
        "car_commuters_other_commune": round(float(sums["car_commuters"])),
        "long_commuters": round(long),
        "eligible_commuters": round(eligible),
        "eligible_share_of_long": round(eligible / long, 6) if long else None,
        "beyond_daily": round(float(sums["beyond_daily"])),
        "unplaced": round(float(sums["unplaced"])),
        "saved_min_per_day": round(per_day),
        "saved_min_per_eligible_per_day": round(per_day / eligible, 3) if eligible else None,
        "saved_hours_per_year": round(float(sums["saved_hours_per_year"])),
        "km_avoided_per_year": round(float(sums["km_avoided_per_year"])),
        "co2_avoided_t_per_year": round(float(sums["co2_avoided_t_per_year"]), 1),
    }


def _assumptions(trips: pd.DataFrame, commutes: pd.DataFrame, days: float) -> dict[str, Any]:
    attrs = trips.attrs
    return {
        "source": str(commutes.attrs.get("source", "")),
        "vintage": commutes.attrs.get("vintage"),
        "telework_days_per_week": float(days),
        "working_weeks_per_year": WORKING_WEEKS_PER_YEAR,
        "min_commute_min": attrs["min_commute_min"],
        "max_access_min": attrs["max_access_min"],
        "max_commute_min": attrs["max_commute_min"],
        "car_kg_co2e_per_km": CAR_KG_CO2E_PER_KM,
        "emission_source": CAR_EMISSION_SOURCE,
        "road_circuity": ROAD_CIRCUITY,
        "workers_unknown_mode_counted_as_car": round(float(attrs["workers_unknown_mode"])),
        "workers_home_outside_area": round(float(attrs["workers_home_outside"])),
    }


def build_commutes(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    commutes: pd.DataFrame,
    *,
    model: TravelTimeModel,
    k_sites: int = 5,
    telework_days_per_week: float = 1.0,
    scenario: CommuteScenario | None = None,
    kinds: Collection[str] | None = None,
    **options: Unpack[TripOptions],
) -> CommutesSection:
    """Compute the commute section: savings per commune and venue, sites, totals.

    Parameters
    ----------
    communes, venues : geopandas.GeoDataFrame
        The territory and the venues of the report.
    commutes : pandas.DataFrame
        Canonical commutes of the residents (:func:`maillage.load_commutes`).
    model : TravelTimeModel
        The report's travel-time model.
    k_sites : int
        Number of sites suggested for commuters.
    telework_days_per_week : float
        Telework days a week at the venue.
    scenario : CommuteScenario, optional
        The scenario shown beside the gross potential; default :class:`maillage.CommuteScenario`
        with its cited defaults.
    kinds : collection of str, optional
        Venue kinds the scenario counts; default those where one can work a day.
    **options
        As in :func:`maillage.analysis.commutes.commute_trips`; the report gives
        ``work_communes`` (a wider frame, so that commutes leaving the area are placed) and
        ``origins`` (its own origins, reused for the homes).

    Returns
    -------
    CommutesSection
        Savings per home commune and per venue, sites, totals, assumptions and the credits
        of the commute file.
    """
    trips = commute_trips(communes, venues, commutes, model=model, **options)
    days = float(telework_days_per_week)
    by_commune = savings_by_commune(trips, telework_days_per_week=days, index=communes.index)
    names = communes[[c for c in ("nom", "departement") if c in communes.columns]]
    by_commune = names.join(by_commune).set_geometry(communes.geometry)
    ids = pd.Index(venues["venue_id"].astype(str)) if len(venues) else None
    by_venue = savings_by_venue(trips, telework_days_per_week=days, index=ids)
    if "name" in venues.columns and len(venues):
        name_of = pd.Series(venues["name"].to_numpy(), index=venues["venue_id"].astype(str))
        by_venue.insert(0, "name", name_of[~name_of.index.duplicated()].reindex(by_venue.index))
    sites = suggest_sites(trips, k=k_sites, model=model, communes=communes, objective="commute")
    part = build_scenario(
        communes,
        venues,
        commutes,
        model=model,
        scenario=CommuteScenario() if scenario is None else scenario,
        kinds=kinds,
        options=options,
    )
    return CommutesSection(
        scenario=part,
        communes=by_commune,
        venues=by_venue,
        sites=sites,
        totals=_totals(commutes, by_commune),
        assumptions=_assumptions(trips, commutes, days),
        data_credits=tuple(str(c) for c in commutes.attrs.get("data_credits", [])),
    )


def _label(name: object, code: object) -> str:
    return f"{name} ({code})" if isinstance(name, str) and name else str(code)


def _figures(totals: dict[str, Any], assumptions: dict[str, Any]) -> list[tuple[str, str]]:
    short = f"{assumptions['min_commute_min']:g}"
    reach = f"{assumptions['max_access_min']:g}"
    share = totals["eligible_share_of_long"]
    return [
        ("actifs résidents dans le fichier des navettes", fr_number(totals["workers"])),
        (
            "des actifs vont travailler en voiture",
            fr_percent(totals["car_share"]) if totals["car_share"] is not None else "part inconnue",
        ),
        (
            "navetteurs en voiture vers une autre commune",
            fr_number(totals["car_commuters_other_commune"]),
        ),
        (f"dont à plus de {short} min de leur travail", fr_number(totals["long_commuters"])),
        (
            f"dont ayant un lieu à {reach} min ou moins de chez eux",
            f"{fr_number(totals['eligible_commuters'])} ({fr_percent(share)})",
        ),
        ("heures de trajet évitables par an", fr_number(totals["saved_hours_per_year"])),
        ("kilomètres en voiture évités par an", fr_significant(totals["km_avoided_per_year"])),
        ("tonnes de CO₂e évitées par an", fr_significant(totals["co2_avoided_t_per_year"])),
    ]


def _method(assumptions: dict[str, Any]) -> str:
    a = assumptions
    days = a["telework_days_per_week"]
    jours = f"{fr_number(days, 1 if days % 1 else 0)} jour{'s' if days > 1 else ''}"
    unknown = (
        "<p>Le fichier ne donne pas le mode de transport : tous les actifs qui travaillent dans "
        f"une autre commune ({fr_number(a['workers_unknown_mode_counted_as_car'])}) sont "
        "comptés comme automobilistes, ce qui majore les gains.</p>"
        if a["workers_unknown_mode_counted_as_car"]
        else ""
    )
    vintage = f" (recensement {a['vintage']})" if a.get("vintage") else ""
    return (
        f"<p>Les navettes viennent de <code>{html.escape(a['source'])}</code>{vintage} : pour "
        "chaque commune de résidence, les actifs qui travaillent dans une autre commune et s'y "
        "rendent en voiture. Leur temps de trajet est calculé avec le même modèle que les temps "
        "d'accès de ce rapport, depuis plusieurs points de la commune de résidence placés selon "
        "la population (et non depuis son seul centre) jusqu'au centre de la commune de travail."
        "</p><p>Un navetteur est <b>lointain</b> quand son trajet aller dépasse "
        f"{a['min_commute_min']:g} min. Au-delà de {a['max_commute_min']:g} min, le trajet n'est "
        "pas compté comme quotidien (ces actifs ne font pas l'aller-retour chaque jour). Si un "
        f"lieu est à {a['max_access_min']:g} min ou moins de chez lui, on suppose qu'il y "
        f"travaille {jours} par semaine au lieu d'aller au travail : ce jour-là, il gagne "
        "l'aller-retour domicile-travail moins l'aller-retour jusqu'au lieu (jamais un gain "
        f"négatif). Une année compte {a['working_weeks_per_year']:g} semaines travaillées "
        "(52 moins les congés payés et les jours fériés).</p><p>Les kilomètres évités sont la "
        f"différence des distances à vol d'oiseau multipliée par {fr_number(a['road_circuity'], 1)}"
        " (détour moyen des routes), avec une personne par voiture. Les émissions comptent "
        f"{fr_number(a['car_kg_co2e_per_km'] * 1000)} g de CO₂e par kilomètre : ADEME, Base "
        "Empreinte, « Voiture – motorisation moyenne – 2018 » (carburant, sa production et "
        "la fabrication de la voiture compris).</p>"
        f"{unknown}<p>Ce sont des ordres de grandeur, pas une prévision : tous les métiers ne "
        "se font pas à distance, tous les employeurs n'acceptent pas le télétravail et tous "
        "les navetteurs ne voudront pas d'un tiers-lieu.</p>"
    )


def _top_communes(section: CommutesSection) -> str:
    table = pd.DataFrame(section.communes.drop(columns="geometry"))
    table = table[table["saved_hours_per_year"] > 0]
    table = table.sort_values(["saved_hours_per_year"], ascending=False, kind="stable").head(10)
    table.insert(
        0, "commune", [_label(n, c) for n, c in zip(table["nom"], table.index, strict=True)]
    )
    a = section.assumptions
    return html_table(
        table,
        {
            "commune": "Commune de résidence",
            "car_commuters": "Navetteurs en voiture",
            "long_commuters": f"À plus de {a['min_commute_min']:g} min",
            "eligible_commuters": "Avec un lieu proche",
            "saved_hours_per_year": "Heures gagnées par an",
            "co2_avoided_t_per_year": "t CO₂e évitées par an",
        },
    )


def _top_venues(section: CommutesSection) -> str:
    """Return the 10 venues the scenario credits with the most hours, none ranked on a city."""
    scenario = section.scenario
    mine = scenario is not None and len(scenario.venues) > 0
    table = scenario.venues if mine and scenario is not None else section.venues
    key = "scenario_hours_per_year" if mine else "saved_hours_per_year"
    left_out = 0
    if "rankable" in table.columns:
        left_out = int((~table["rankable"].astype(bool) & (table[key] > 0)).sum())
        table = table[table["rankable"].astype(bool)]
    table = table[table[key] > 0]
    table = table.sort_values(key, ascending=False, kind="stable").head(10).reset_index()
    if "name" in table.columns:
        names = table["name"].astype("string").fillna(table["venue_id"].astype("string"))
    else:
        names = table["venue_id"].astype("string")
    table.insert(0, "lieu", names.to_numpy())
    note = (
        f'<p class="note">{left_out} lieu(x) non classé(s) : une partie de leurs navetteurs '
        "vient d'une ville comptée d'un seul bloc (Paris, Lyon ou Marseille sans ses "
        "arrondissements), dont on ne sait pas d'où ils partent.</p>"
        if left_out
        else ""
    )
    return note + html_table(
        table,
        {
            "lieu": "Lieu",
            "eligible_commuters": "Navetteurs lointains dont c'est le lieu le plus proche",
            "saved_hours_per_year": "Heures gagnées par an (potentiel brut)",
            "scenario_hours_per_year": "Heures gagnées par an (scénario)",
        },
    )


def _sites(section: CommutesSection) -> str:
    sites = pd.DataFrame(section.sites.drop(columns="geometry"))
    if not len(sites):
        return "<p>Aucun nouveau site ne ferait gagner de temps de trajet.</p>"
    sites.insert(
        1, "commune", [_label(n, c) for n, c in zip(sites["nom"], sites["code_insee"], strict=True)]
    )
    return html_table(
        sites,
        {
            "rank": "Rang",
            "commune": "Commune",
            "gain_min_per_day": "Minutes gagnées par jour de télétravail",
            "gain_commuters": "Navetteurs lointains sans lieu proche aujourd'hui",
        },
    )


def _commute_parts(section: CommutesSection, page: PageContext) -> list[str]:
    return [
        "<h2>Trajets domicile-travail évitables</h2>",
        "<p>Un actif qui fait un long trajet en voiture pour aller travailler peut travailler "
        "certains jours dans un tiers-lieu proche de chez lui. Voici le temps, les kilomètres "
        "et le CO₂ que les lieux actuels pourraient lui faire gagner.</p>",
        figure_cards(_figures(section.totals, section.assumptions)),
        *([] if section.scenario is None else scenario_html(section.totals, section.scenario)),
        page.image("commutes.png", "Carte du temps de trajet évitable"),
        "<h3>Les communes où le gain est le plus grand</h3>",
        _top_communes(section),
        "<h3>Les lieux qui font gagner le plus de temps (scénario)</h3>",
        _top_venues(section),
        "<h3>Où ouvrir pour les navetteurs</h3>",
        "<p>Sites choisis un par un pour faire gagner le plus de temps de trajet, en plus des "
        "lieux actuels.</p>",
        _sites(section),
        "<h3>Méthode et hypothèses</h3>",
        _method(section.assumptions),
        '<p class="note">Tableau complet par commune : <code>commutes.csv</code> ; carte : '
        "<code>commutes.png</code> ; chiffres et hypothèses : <code>summary.json</code> (clés "
        "<code>commutes</code> et <code>commute_assumptions</code>).</p>",
    ]


@dataclass(frozen=True)
class CommutesSection(Section):
    """The trips a telework day at a venue could save (:func:`build_commutes`).

    Attributes
    ----------
    communes : geopandas.GeoDataFrame
        Savings per home commune, with ``nom``, ``departement`` and the polygons.
    venues : pandas.DataFrame
        Savings per venue, with ``name``.
    sites : geopandas.GeoDataFrame
        The sites that would save the most (:func:`maillage.suggest_sites`).
    totals, assumptions : dict
        The ``summary.json`` keys ``commutes`` and ``commute_assumptions``.
    data_credits : tuple of str
        Credits of the commute file.
    scenario : ScenarioPart or None
        The scenario beside the gross potential (``summary.json`` key ``commute_scenario``).
    """

    key: ClassVar[str] = "commutes"
    place: ClassVar[Place] = "sites"
    sheets: ClassVar[Mapping[str, str]] = {"commutes.csv": "Navettes"}

    communes: gpd.GeoDataFrame
    venues: pd.DataFrame
    sites: gpd.GeoDataFrame
    totals: dict[str, Any]
    assumptions: dict[str, Any]
    data_credits: tuple[str, ...] = ()
    scenario: ScenarioPart | None = None

    def summary(self) -> dict[str, object]:
        """Return the keys :data:`COMMUTE_SUMMARY_KEYS`: the figures and the assumptions."""
        out: dict[str, object] = {
            "commutes": dict(self.totals),
            "commute_assumptions": dict(self.assumptions),
        }
        if self.scenario is not None:
            out["commute_scenario"] = self.scenario.summary()
        return out

    def credits(self) -> tuple[str, ...]:
        """Return the credits of the commute file."""
        return self.data_credits

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``commutes.csv``: the savings per home commune."""
        table = pd.DataFrame(self.communes)
        return {"commutes.csv": table[[c for c in _CSV_COLUMNS if c in table.columns]].sort_index()}

    def files(self) -> dict[str, FileRenderer]:
        """Return ``commutes.png``: the map of the hours saved per year and commune."""
        return {"commutes.png": self._commutes_png}

    def _commutes_png(self, report: Report) -> bytes:
        from maillage.maps.commutes import plot_commute_savings  # noqa: PLC0415 - maps load matplotlib: only when drawn

        fig = new_figure((10, 10))
        plot_commute_savings(
            self.communes,
            report.venues,
            credits=report.credits,
            title=f"{report.area} – temps de trajet domicile-travail évitable\n"
            "heures gagnées par an et par actif, selon la commune de résidence",
            ax=fig.add_subplot(),
        )
        return png_bytes(fig)

    def html(self, page: PageContext) -> str:
        """Return the section "Trajets domicile-travail évitables"."""
        return "\n".join(_commute_parts(self, page))


def build(context: ReportContext, options: ReportOptions) -> CommutesSection | None:
    """Return the commute section, or ``None`` without home-to-work flows.

    Parameters
    ----------
    context : ReportContext
        The territory, venues, model, ``k_sites`` and the origins already computed (reused
        for the homes).
    options : ReportOptions
        ``commutes`` and ``work_communes``.

    Returns
    -------
    CommutesSection or None
        The section (:func:`build_commutes`).
    """
    if options.commutes is None:
        return None
    return build_commutes(
        context.communes,
        context.venues,
        options.commutes,
        model=context.model,
        work_communes=options.work_communes,
        origins=context.origins_cov,
        k_sites=context.k_sites,
        scenario=options.commute_scenario,
        kinds=options.commute_kinds,
    )
