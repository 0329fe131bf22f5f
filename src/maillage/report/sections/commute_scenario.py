"""The commute scenario beside the gross potential, for the section "Trajets domicile-travail".

The gross potential (*potentiel brut*, :mod:`maillage.report.sections.commutes`) credits one
telework day a week to every eligible car commuter and all of it to the venues. The scenario
(:class:`maillage.CommuteScenario`, every default cited) keeps who can telework, the share a
tiers-lieu takes rather than home, a gradual take-up by trip length, peak-hour times, people
per car and direct emissions, and counts only the venues where one can work a day. Both go
on the page side by side, with the assumptions and a sensitivity table.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from maillage.analysis.commute_scenario import SCENARIO_COLUMNS, commute_sensitivity
from maillage.analysis.commute_totals import counted_trips, savings_by_commune, savings_by_venue
from maillage.prepare.commutes import PCS_GROUPS
from maillage.report.fragments import cells_table
from maillage.report.numbers import fr_number, significant

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    import geopandas as gpd

    from maillage.analysis.commute_scenario import CommuteScenario
    from maillage.analysis.commutes import TripOptions
    from maillage.travel.protocol import TravelTimeModel

__all__ = ["ScenarioPart", "build_scenario", "round_to", "scenario_html"]


def round_to(value: float, digits: int = 2) -> str:
    """Write a scenario figure to ``digits`` significant figures, as a whole number.

    These are orders of magnitude: two significant figures, never decimals.

    Examples
    --------
    >>> [round_to(v).replace("\u202f", " ") for v in (218_223.4, 2_982, 0.34, 0)]
    ['220 000', '3 000', '0', '0']
    """
    if not math.isfinite(value):
        return "–"
    return fr_number(round(significant(value, digits)))


@dataclass(frozen=True)
class ScenarioPart:
    """The scenario's figures, assumptions and sensitivity (:func:`build_scenario`).

    Attributes
    ----------
    totals : dict
        Sums of :data:`~maillage.analysis.commute_scenario.SCENARIO_COLUMNS` over the homes.
    assumptions : dict
        :meth:`maillage.CommuteScenario.assumptions`: ``{field: {libellé, valeur, source}}``.
    sensitivity : pandas.DataFrame
        :func:`maillage.commute_sensitivity`.
    kinds_counted : tuple of str
        The kinds of venues counted, in French.
    venues_by_kind : dict
        ``{kind: {"lieux": n, "comptés": bool}}``.
    venues : pandas.DataFrame
        By venue, with the scenario's columns and ``rankable``.
    city_caveat : str or None
        Why no venue is ranked on a city counted whole.
    """

    totals: dict[str, float]
    assumptions: dict[str, dict[str, object]]
    sensitivity: pd.DataFrame
    kinds_counted: tuple[str, ...]
    venues_by_kind: dict[str, dict[str, object]]
    venues: pd.DataFrame
    city_caveat: str | None

    def summary(self) -> dict[str, object]:
        """Return the ``summary.json`` key ``commute_scenario``."""
        return {
            **{k: round(v, 1) for k, v in self.totals.items()},
            "venue_kinds_counted": list(self.kinds_counted),
            "venues_by_kind": self.venues_by_kind,
            "assumptions": {k: v["valeur"] for k, v in self.assumptions.items()},
        }


def build_scenario(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    commutes: pd.DataFrame,
    *,
    model: TravelTimeModel,
    scenario: CommuteScenario,
    kinds: Collection[str] | None,
    options: TripOptions,
) -> ScenarioPart:
    """Compute the scenario on the venues where one can work (:func:`counted_trips`).

    Parameters
    ----------
    communes, venues, commutes, model
        As for the gross potential.
    scenario : CommuteScenario
        The assumptions.
    kinds : collection of str, optional
        Venue kinds counted (``["all"]``: every venue); default those where one can work a
        day.
    options : TripOptions
        ``work_communes`` and ``origins``, as for the gross potential.

    Returns
    -------
    ScenarioPart
        The scenario's part of the section.
    """
    trips, counted = counted_trips(
        communes,
        venues,
        commutes,
        model=model,
        scenario=scenario,
        kinds=kinds,
        options=options,
    )
    by_commune = savings_by_commune(trips, index=communes.index)
    ids = pd.Index(counted["venue_id"].astype(str)) if len(counted) else None
    by_venue = savings_by_venue(trips, index=ids)
    if "name" in counted.columns and len(counted):
        names = pd.Series(counted["name"].to_numpy(), index=counted["venue_id"].astype(str))
        by_venue.insert(0, "name", names[~names.index.duplicated()].reindex(by_venue.index))
    sensitivity = commute_sensitivity(
        trips, scenario, communes=communes, work_communes=options.get("work_communes")
    )
    return ScenarioPart(
        totals={c: float(by_commune[c].sum()) for c in SCENARIO_COLUMNS},
        assumptions=dict(trips.attrs["scenario"]),
        sensitivity=sensitivity,
        kinds_counted=tuple(trips.attrs["venue_kinds_counted"]),
        venues_by_kind=dict(trips.attrs["venues_by_kind"]),
        venues=by_venue,
        city_caveat=by_commune.attrs.get("city_caveat"),
    )


def _value(value: object) -> str:
    if isinstance(value, dict):
        named = {k: PCS_GROUPS.get(k, k) for k in value} if set(value) <= set(PCS_GROUPS) else {}
        return " ; ".join(f"{named.get(k, k)} : {_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return " et ".join(_value(v) for v in value)
    if isinstance(value, float):
        return fr_number(value, 3).rstrip("0").rstrip(",") if value % 1 else fr_number(value)
    return str(value)


def _table(rows: list[list[str]], header: list[str], numeric: list[bool]) -> str:
    return cells_table(header, [list(c) for c in zip(*rows, strict=True)], numeric)


def _side_by_side(gross: Mapping[str, float], part: ScenarioPart) -> str:
    labels = {
        "eligible_commuters": ("Navetteurs concernés", "scenario_commuters"),
        "saved_hours_per_year": ("Heures de trajet évitées par an", "scenario_hours_per_year"),
        "km_avoided_per_year": (
            "Kilomètres en voiture évités par an",
            "scenario_km_avoided_per_year",
        ),
        "co2_avoided_t_per_year": (
            "Tonnes de CO₂ évitées par an (brut : cycle de vie ; scénario : échappement)",
            "scenario_co2_avoided_t_per_year",
        ),
    }
    rows = [
        [name, round_to(float(gross[key])), round_to(part.totals[mine])]
        for key, (name, mine) in labels.items()
    ]
    header = ["", "Potentiel brut (tous les lieux)", "Scénario (lieux où l'on peut travailler)"]
    return _table(rows, header, [False, True, True])


def _kinds(part: ScenarioPart) -> str:
    counted = ", ".join(part.kinds_counted) or "aucun"
    left = [
        f"{kind} ({info['lieux']} lieu{'x' if int(str(info['lieux'])) > 1 else ''})"
        for kind, info in part.venues_by_kind.items()
        if not info["comptés"]
    ]
    text = f"Lieux comptés dans le scénario : {counted}"
    return f"<p>{html.escape(text)}" + (
        f" ; non comptés : {html.escape(', '.join(left))}.</p>" if left else ".</p>"
    )


def _sensitivity(part: ScenarioPart) -> str:
    rows = [
        [
            str(r["label"]).replace("%", "\u00a0%").replace("\u00a0\u00a0", "\u00a0"),
            "—" if pd.isna(r["gross_commuters"]) else round_to(float(r["gross_commuters"])),
            "—"
            if pd.isna(r["gross_hours_per_year"])
            else round_to(float(r["gross_hours_per_year"])),
            round_to(float(r["scenario_commuters"])),
            round_to(float(r["scenario_hours_per_year"])),
            round_to(float(r["scenario_co2_avoided_t_per_year"])),
        ]
        for _, r in part.sensitivity.iterrows()
    ]
    header = [
        "Variante",
        "Navetteurs (potentiel brut)",
        "Heures par an (potentiel brut)",
        "Navetteurs (scénario)",
        "Heures par an (scénario)",
        "t CO₂ par an (scénario)",
    ]
    return _table(rows, header, [False, *[True] * 5])


def scenario_html(gross: Mapping[str, float], part: ScenarioPart) -> list[str]:
    """Return the page's scenario part: both figures, the kinds, assumptions, sensitivity.

    Parameters
    ----------
    gross : mapping
        The gross potential's totals (``eligible_commuters``, ``saved_hours_per_year``,
        ``km_avoided_per_year``, ``co2_avoided_t_per_year``).
    part : ScenarioPart
        The scenario.

    Returns
    -------
    list of str
        HTML fragments.
    """
    caveat = f'<p class="note">{html.escape(part.city_caveat)}</p>' if part.city_caveat else ""
    assumptions = [
        [str(v["libellé"]), _value(v["valeur"]), str(v["source"])]
        for v in part.assumptions.values()
    ]
    return [
        "<h3>Potentiel brut et scénario</h3>",
        "<p>Le <b>potentiel brut</b> suppose que chaque navetteur concerné travaille un jour par "
        "semaine dans le lieu le plus proche et crédite tout le gain aux lieux. Le "
        "<b>scénario</b> retient des hypothèses sourcées : qui peut télétravailler selon son "
        "métier, la part de ce télétravail faite en tiers-lieu plutôt qu'à domicile, une "
        "adoption progressive selon la durée du trajet, les temps aux heures de pointe. Les "
        "deux chiffres sont des ordres de grandeur, arrondis à deux chiffres significatifs.</p>",
        _side_by_side(gross, part),
        _kinds(part),
        caveat,
        "<h4>Hypothèses du scénario</h4>",
        _table(assumptions, ["Hypothèse", "Valeur", "Source"], [False, False, False]),
        "<h4>Sensibilité</h4>",
        "<p>Comment les chiffres bougent quand une hypothèse change (les autres gardant leur "
        "valeur par défaut).</p>",
        _sensitivity(part),
    ]
