"""A commute scenario with stated, sourced assumptions, beside the gross potential.

The gross potential (*potentiel brut*, :mod:`maillage.analysis.commutes`) gives one telework
day a week at the nearest venue to every car commuter whose free-flow commute is longer than
30 minutes. :class:`CommuteScenario` replaces each of those choices by an assumption that
can be quoted; :func:`scenario_trips` adds the scenario's columns to the trips of
:func:`~maillage.analysis.commutes.commute_trips`.

Definitions (written once; the tests recompute them independently)
-------------------------------------------------------------------
For each trip row (car commuters of one home origin to one work commune, of one
occupational group when the flows give it) whose free-flow commute time ``t`` is known
(``status`` long or short) and whose nearest venue of a counted kind is within the access
time ``a`` (``max_access_min``):

* **density class** of a commune: ``dense`` from :attr:`CommuteScenario.density_thresholds_per_km2`
  ``[1]`` inhabitants per km² (its population over its area), ``intermediate`` from ``[0]``,
  ``rural`` below; a work commune without geometry takes its home's class;
* **peak-hour times**: ``t_peak = t × c(denser of home and work)``,
  ``a_peak = a × c(home)`` with ``c`` :attr:`CommuteScenario.congestion_by_density`
  (no observed peak-hour times: an assumption, stated as such);
* **take-up by trip length**: ``w = 1 / (1 + exp(-(t_peak - m) / s))`` with ``m``
  :attr:`~CommuteScenario.take_up_midpoint_min` and ``s``
  :attr:`~CommuteScenario.take_up_scale_min` (half the commuters at ``m`` minutes);
* **telework rate** ``r``: :attr:`~CommuteScenario.telework_share_by_pcs` of the row's
  occupational group, :attr:`~CommuteScenario.telework_share_national` when unknown;
* **scenario commuters** ``n = commuters × w × r × v`` with ``v``
  :attr:`~CommuteScenario.venue_share` (the share of telework a tiers-lieu takes rather
  than home), when the saving ``2 × (t_peak − a_peak)`` is positive, else 0;
* **hours a year** ``n × d × W × 2 × (t_peak − a_peak) / 60`` with ``d``
  :attr:`~CommuteScenario.telework_days_per_week` and ``W``
  :data:`~maillage.analysis.commutes.WORKING_WEEKS_PER_YEAR`;
* **vehicle-km a year** ``n × d × W × 2 × max(commute_km − access_km, 0) / o × (1 − b)``
  with ``o`` :attr:`~CommuteScenario.car_occupancy` and ``b`` the rebound
  (:attr:`~CommuteScenario.rebound_share` when :attr:`~CommuteScenario.rebound`, else 0);
* **t CO₂ a year**: vehicle-km × :attr:`~CommuteScenario.co2_kg_per_km` / 1000 (direct,
  exhaust emissions by default; life-cycle with ``emissions="life_cycle"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from maillage.analysis.commutes import CAR_KG_CO2E_PER_KM, WORKING_WEEKS_PER_YEAR
from maillage.errors import OptionError
from maillage.schema import check_columns
from maillage.travel.density import commune_density

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

__all__ = [
    "CAR_KG_CO2_DIRECT_PER_KM",
    "SCENARIO_COLUMNS",
    "SCENARIO_SOURCES",
    "TELEWORK_SHARE_BY_PCS",
    "CommuteScenario",
    "commute_sensitivity",
    "density_classes",
    "scenario_trips",
]

TELEWORK_SHARE_BY_PCS: dict[str, float] = {
    "1": 0.0,
    "2": 0.05,
    "3": 0.55,
    "4": 0.22,
    "5": 0.10,
    "6": 0.005,
}
"""Share of the workers of each occupational group (PCS level 1) who telework in a week.

3 (cadres) 55 %, 4 (professions intermédiaires) 22 %: INSEE Focus n° 263 (March 2022),
*En 2021, en moyenne chaque semaine, un salarié sur cinq a télétravaillé*, as published.
5 (employés) 10 %: **order of magnitude**, between the 17 % of qualified and the under 1 %
of unqualified employees of the same publication (the flows do not tell them apart).
6 (ouvriers) 0.5 %: the upper end of the 0.1–0.5 % of the same publication.
1 (farmers) 0 % and 2 (craftsmen, shopkeepers, business owners) 5 %: **order of
magnitude**, not salaried, outside the field of the publication. 2021 was partly a year of
mandatory telework (January to May); DARES (November 2024) finds 26 % of salaried people
teleworking at least occasionally in 2023: the same order of magnitude overall."""
TELEWORK_SHARE_NATIONAL = 0.22
"""Share of salaried people who telework in a week, all groups: 22 % in 2021, INSEE Focus
n° 263 (March 2022); used when the flows do not give the occupational group."""
CAR_KG_CO2_DIRECT_PER_KM = 0.17
"""Direct (exhaust) emissions of a car per vehicle-km, kg CO₂: **order of magnitude**, the
combustion part of ADEME's element 'Voiture - motorisation moyenne - 2018' (Base Empreinte,
0.2156 kg CO₂e per km in total with upstream fuel production and vehicle manufacturing)."""

SCENARIO_SOURCES: dict[str, str] = {
    "telework_share_by_pcs": (
        "INSEE Focus n° 263 (mars 2022) : en 2021, 55 % des cadres et 22 % des professions "
        "intermédiaires ont télétravaillé en moyenne chaque semaine ; employés 10 % (ordre "
        "de grandeur entre 17 % des employés qualifiés et moins de 1 % des non qualifiés), "
        "ouvriers 0,5 % (0,1 à 0,5 %) ; agriculteurs 0 % et artisans, commerçants, chefs "
        "d'entreprise 5 % : ordres de grandeur (hors champ, non salariés)"
    ),
    "telework_share_national": (
        "INSEE Focus n° 263 (mars 2022) : 22 % des salariés ont télétravaillé en moyenne "
        "chaque semaine en 2021 (taux appliqué quand le fichier ne donne pas la PCS)"
    ),
    "telework_days_per_week": (
        "ordre de grandeur : DARES (novembre 2024) décrit un télétravail surtout régulier "
        "modéré (un ou deux jours par semaine) en 2023 ; 1,5 est le milieu"
    ),
    "venue_share": (
        "DARES (novembre 2024, tel que rapporté) : le lieu principal du télétravail est le "
        "domicile pour 98 % des télétravailleurs, un espace dédié (coworking…) pour environ "
        "2 % ; ordre de grandeur, voir le tableau de sensibilité"
    ),
    "take_up_midpoint_min": (
        "hypothèse : la moitié des navetteurs concernés à 30 min (le seuil du potentiel "
        "brut), une adoption progressive plutôt qu'un mur ; voir la sensibilité 25/30/35 min"
    ),
    "take_up_scale_min": "hypothèse : de 27 % à 25 min à 73 % à 35 min autour de 30 min",
    "congestion_by_density": (
        "hypothèse (ordre de grandeur) : aucun temps observé aux heures de pointe ; temps "
        "hors congestion multipliés selon la densité de la commune la plus dense du trajet"
    ),
    "density_thresholds_per_km2": (
        "seuils de la grille de degré d'urbanisation d'Eurostat (300 et 1 500 hab./km²), "
        "appliqués ici à la densité moyenne de la commune (approximation)"
    ),
    "car_occupancy": (
        "ordre de grandeur : très peu de passagers sur les trajets domicile-travail en "
        "voiture (SDES, Enquête mobilité des personnes 2019) ; les passagers du recensement "
        "ne sont pas comptés comme des voitures"
    ),
    "emissions": (
        "ADEME, Base Empreinte, élément « Voiture - motorisation moyenne - 2018 » : "
        "0,2156 kg CO₂e/km en cycle de vie (option « life_cycle ») ; par défaut émissions "
        "directes à l'échappement, environ 0,17 kg CO₂/km (ordre de grandeur)"
    ),
    "rebound": (
        "option : ADEME (2020), effets rebond du télétravail (déplacements personnels, "
        "logement), qui réduisent le bénéfice d'environ un tiers (ordre de grandeur)"
    ),
}
"""French source of each assumption of :class:`CommuteScenario`, for the page."""

_LABELS = {
    "telework_share_by_pcs": "Part des actifs qui télétravaillent, par PCS",
    "telework_share_national": "Part des actifs qui télétravaillent (PCS inconnue)",
    "telework_days_per_week": "Jours de télétravail par semaine",
    "venue_share": "Part du télétravail prise en tiers-lieu plutôt qu'à domicile",
    "take_up_midpoint_min": "Adoption : moitié des navetteurs à (min, heure de pointe)",
    "take_up_scale_min": "Adoption : progressivité (min)",
    "congestion_by_density": "Temps de pointe / temps hors congestion, par densité",
    "density_thresholds_per_km2": "Seuils de densité (hab./km²)",
    "car_occupancy": "Personnes par voiture",
    "emissions": "Facteur d'émission",
    "rebound": "Effet rebond",
}

SCENARIO_COLUMNS = (
    "scenario_commuters",
    "scenario_hours_per_year",
    "scenario_km_avoided_per_year",
    "scenario_co2_avoided_t_per_year",
)
"""Columns :func:`scenario_trips` adds (and the sums of :mod:`~maillage.analysis.commute_totals`)."""


def _frozen(values: Mapping[str, float]) -> dict[str, float]:
    return {str(k): float(v) for k, v in values.items()}


@dataclass(frozen=True)
class CommuteScenario:
    """The assumptions of a commute scenario: who teleworks, where, how far and how much.

    Every default is cited in :data:`SCENARIO_SOURCES` (a figure marked *order of
    magnitude* there is one, not a published value); the module docstring defines how
    they combine.

    Parameters
    ----------
    telework_share_by_pcs : dict
        Share of workers who telework, by occupational group ``"1"``..``"6"``
        (:data:`TELEWORK_SHARE_BY_PCS`: INSEE Focus n° 263, 2022).
    telework_share_national : float
        Share used when the group is unknown (22 %, same publication).
    telework_days_per_week : float
        Telework days a week of a teleworker (1.5, order of magnitude, DARES 2024).
    venue_share : float
        Share of that telework a tiers-lieu takes rather than home (2 %, DARES 2024 as
        reported: the main place of telework is a dedicated space for about 2 %).
    take_up_midpoint_min, take_up_scale_min : float
        Smooth take-up by peak-hour trip length: half at 30 min, scale 5 min (assumption).
    congestion_by_density : dict
        Peak-hour time ÷ free-flow time for ``dense``, ``intermediate`` and ``rural``
        communes: 1.5, 1.25, 1.1 (assumption, order of magnitude: no observed times).
    density_thresholds_per_km2 : tuple of float
        Lower bounds of the intermediate and dense classes (300, 1,500: Eurostat).
    car_occupancy : float
        People per car on the way to work (1.05, order of magnitude, SDES EMP 2019).
    emissions : {"direct", "life_cycle"}
        Exhaust emissions (:data:`CAR_KG_CO2_DIRECT_PER_KM`) or life-cycle ones
        (:data:`~maillage.analysis.commutes.CAR_KG_CO2E_PER_KM`, ADEME Base Empreinte).
    rebound : bool
        Subtract the rebound (:attr:`rebound_share`) from the kilometres and CO₂.
    rebound_share : float
        About a third (ADEME 2020, order of magnitude).

    Examples
    --------
    >>> scenario = CommuteScenario()
    >>> scenario.telework_share_by_pcs["3"], scenario.venue_share, scenario.co2_kg_per_km
    (0.55, 0.02, 0.17)
    >>> CommuteScenario(emissions="life_cycle").co2_kg_per_km
    0.2156
    """

    telework_share_by_pcs: dict[str, float] = field(
        default_factory=lambda: dict(TELEWORK_SHARE_BY_PCS)
    )
    telework_share_national: float = TELEWORK_SHARE_NATIONAL
    telework_days_per_week: float = 1.5
    venue_share: float = 0.02
    take_up_midpoint_min: float = 30.0
    take_up_scale_min: float = 5.0
    congestion_by_density: dict[str, float] = field(
        default_factory=lambda: {"dense": 1.5, "intermediate": 1.25, "rural": 1.1}
    )
    density_thresholds_per_km2: tuple[float, float] = (300.0, 1500.0)
    car_occupancy: float = 1.05
    emissions: Literal["direct", "life_cycle"] = "direct"
    rebound: bool = False
    rebound_share: float = 1.0 / 3.0

    def __post_init__(self) -> None:
        """Check every assumption; report all the bad ones in one message."""
        object.__setattr__(self, "telework_share_by_pcs", _frozen(self.telework_share_by_pcs))
        object.__setattr__(self, "congestion_by_density", _frozen(self.congestion_by_density))
        problems = [*self._share_problems(), *self._other_problems()]
        if problems:
            raise OptionError("CommuteScenario: " + "; ".join(problems))

    def _share_problems(self) -> list[str]:
        shares = {
            **{f"telework_share_by_pcs[{k!r}]": v for k, v in self.telework_share_by_pcs.items()},
            "telework_share_national": self.telework_share_national,
            "venue_share": self.venue_share,
            "rebound_share": self.rebound_share,
        }
        problems = [
            f"{k} must be within 0..1, got {v!r}" for k, v in shares.items() if not 0 <= v <= 1
        ]
        unknown = sorted(set(self.telework_share_by_pcs) - set(TELEWORK_SHARE_BY_PCS))
        if unknown:
            problems.append(f"telework_share_by_pcs has unknown groups {unknown} (1..6)")
        return problems

    def _other_problems(self) -> list[str]:
        problems = []
        if not 0 < self.telework_days_per_week <= 5:
            problems.append(
                f"telework_days_per_week must be in (0, 5], got {self.telework_days_per_week!r}"
            )
        if not (self.take_up_scale_min > 0 and self.take_up_midpoint_min >= 0):
            problems.append("take_up_midpoint_min must be >= 0 and take_up_scale_min > 0")
        if (
            set(self.congestion_by_density) != {"dense", "intermediate", "rural"}
            or min(self.congestion_by_density.values(), default=0) < 1
        ):
            problems.append("congestion_by_density needs dense, intermediate, rural, each >= 1")
        low, high = self.density_thresholds_per_km2
        if not 0 <= low <= high:
            problems.append("density_thresholds_per_km2 must be (low, high) with 0 <= low <= high")
        if not self.car_occupancy >= 1:
            problems.append(f"car_occupancy must be >= 1, got {self.car_occupancy!r}")
        if self.emissions not in ("direct", "life_cycle"):
            problems.append(f"emissions must be 'direct' or 'life_cycle', got {self.emissions!r}")
        return problems

    @property
    def co2_kg_per_km(self) -> float:
        """Emission factor per vehicle-km of :attr:`emissions`."""
        return CAR_KG_CO2_DIRECT_PER_KM if self.emissions == "direct" else CAR_KG_CO2E_PER_KM

    def assumptions(self) -> dict[str, dict[str, Any]]:
        """Return the assumptions as rows the page can print: French label, value, source.

        Examples
        --------
        >>> rows = CommuteScenario().assumptions()
        >>> rows["venue_share"]["valeur"], rows["venue_share"]["libellé"]
        (0.02, "Part du télétravail prise en tiers-lieu plutôt qu'à domicile")
        """
        rows = {}
        for item in fields(self):
            if item.name == "rebound_share":
                continue
            value: Any = getattr(self, item.name)
            if item.name == "emissions":
                value = f"{self.co2_kg_per_km} kg CO₂/km ({self.emissions})"
            elif item.name == "rebound":
                value = f"-{self.rebound_share:.0%}" if self.rebound else "non"
            elif isinstance(value, tuple):
                value = list(value)
            rows[item.name] = {
                "libellé": _LABELS[item.name],
                "valeur": value,
                "source": SCENARIO_SOURCES[item.name],
            }
        return rows


def density_classes(
    communes: gpd.GeoDataFrame, thresholds_per_km2: tuple[float, float] = (300.0, 1500.0)
) -> pd.Series:
    """Return the density class of each commune: ``dense``, ``intermediate`` or ``rural``.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Communes with ``population`` and ``geometry`` in a projected CRS (metres).
    thresholds_per_km2 : tuple of float
        Lower bounds (inhabitants per km²) of the intermediate and dense classes.

    Returns
    -------
    pandas.Series
        Indexed like ``communes`` (as strings); ``rural`` where the density is unknown.

    Examples
    --------
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, _ = toy_territory()
    >>> density_classes(communes).tolist()
    ['rural', 'rural']
    """
    density = commune_density(communes).to_numpy(dtype=float)
    low, high = thresholds_per_km2
    classes = np.where(density >= high, "dense", np.where(density >= low, "intermediate", "rural"))
    return pd.Series(classes, index=communes.index.astype(str), name="density_class")


_CLASSES = ("rural", "intermediate", "dense")


def _prepare(trips: pd.DataFrame, classes: pd.Series) -> dict[str, np.ndarray]:
    """Per trip, the class (0 rural .. 2 dense) of its home and of its denser end, its group.

    A work commune without a class takes its home's; ``group`` is -1 when unknown.
    """
    rank = classes.map({c: i for i, c in enumerate(_CLASSES)}).astype(float)
    home = rank.reindex(trips["home_code"].astype(str).to_numpy()).to_numpy(dtype=float)
    home = np.nan_to_num(home, nan=0.0).astype(int)
    work = rank.reindex(trips["work_code"].astype(str).to_numpy()).to_numpy(dtype=float)
    trip = np.where(np.isnan(work), home, np.fmax(home, work)).astype(int)
    group = np.full(len(trips), -1)
    if "pcs" in trips.columns:
        codes = pd.Index(sorted(TELEWORK_SHARE_BY_PCS))
        group = codes.get_indexer(trips["pcs"].astype(object).where(trips["pcs"].notna(), None))
    return {"home": home, "trip": trip, "group": group}


def scenario_trips(
    trips: pd.DataFrame,
    scenario: CommuteScenario,
    *,
    communes: gpd.GeoDataFrame,
    work_communes: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Add the scenario's columns (:data:`SCENARIO_COLUMNS`) to the trips of :func:`commute_trips`.

    Parameters
    ----------
    trips : pandas.DataFrame
        Output of :func:`maillage.analysis.commutes.commute_trips` (with ``pcs`` when the
        flows had the occupational group).
    scenario : CommuteScenario
        The assumptions.
    communes, work_communes : geopandas.GeoDataFrame
        Home and work communes (as given to :func:`commute_trips`), for the density classes.

    Returns
    -------
    pandas.DataFrame
        A copy of ``trips`` with ``scenario_commuters``, ``scenario_hours_per_year``,
        ``scenario_km_avoided_per_year`` and ``scenario_co2_avoided_t_per_year`` (see the
        module docstring); ``attrs["scenario"]`` holds :meth:`CommuteScenario.assumptions`
        and ``attrs["pcs_known_share"]`` the share of car commuters whose group is known.

    Examples
    --------
    100 executives drive 30 min (free flow) between two rural communes, a venue at home:
    33 min at peak hour (x 1.1), a take-up of ``1 / (1 + exp(-3 / 5))``:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from maillage import CrowFlyModel, commute_trips
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> flows = pd.DataFrame({"home_code": ["00001"], "work_code": ["00002"],
    ...     "mode": pd.array(["car"], dtype="string"), "pcs": pd.array(["3"], dtype="string"),
    ...     "workers": [100.0]})
    >>> home = gpd.GeoDataFrame({"code_insee": ["00001"], "population": [1.0]},
    ...     geometry=[Point(400500, 6500500)], crs=communes.crs)
    >>> model = CrowFlyModel(circuity=1.0, speed_kph=60.0, access_time_s=0.0)
    >>> trips = commute_trips(communes, venues, flows, model=model, origins=home)
    >>> out = scenario_trips(trips, CommuteScenario(), communes=communes)
    >>> round(float(out["scenario_commuters"].sum()), 4)  # 100 x 0.6457 x 55 % x 2 %
    0.7102
    """
    check_columns(trips, ["home_code", "work_code", "commuters", "commute_min"], name="trips")
    classes = _classes(scenario, communes, work_communes)
    out = trips.copy()
    prepared = _prepare(trips, classes)
    for name, values in _scenario_columns(trips, scenario, prepared).items():
        out[name] = values
    pcs = trips["pcs"] if "pcs" in trips.columns else pd.Series(pd.NA, index=trips.index)
    car = trips["commuters"].to_numpy(dtype=float)
    known = float(car[pcs.notna().to_numpy()].sum() / car.sum()) if car.sum() > 0 else 0.0
    out.attrs = dict(trips.attrs) | {"scenario": scenario.assumptions(), "pcs_known_share": known}
    return out


def _classes(
    scenario: CommuteScenario,
    communes: gpd.GeoDataFrame,
    work_communes: gpd.GeoDataFrame | None,
) -> pd.Series:
    """Density class of every home and work commune (home first when in both)."""
    frames = [communes] if work_communes is None else [communes, work_communes]
    classes = pd.concat([density_classes(f, scenario.density_thresholds_per_km2) for f in frames])
    return classes[~classes.index.duplicated()]


def _scenario_columns(
    trips: pd.DataFrame, scenario: CommuteScenario, prepared: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Compute the scenario's columns of each trip (the module docstring's definitions)."""
    factor = np.array([scenario.congestion_by_density[c] for c in _CLASSES])
    commute = trips["commute_min"].to_numpy(dtype=float) * factor[prepared["trip"]]
    access = trips["access_min"].to_numpy(dtype=float) * factor[prepared["home"]]
    saving = 2.0 * (commute - access)
    usable = np.isfinite(commute) & np.isfinite(access) & (saving > 0)
    saving = np.where(usable, saving, 0.0)  # no venue (access inf) or no commute time (NaN)
    with np.errstate(over="ignore"):
        take_up = 1.0 / (
            1.0 + np.exp(-(commute - scenario.take_up_midpoint_min) / scenario.take_up_scale_min)
        )
    rates = [
        scenario.telework_share_by_pcs.get(g, scenario.telework_share_national)
        for g in sorted(TELEWORK_SHARE_BY_PCS)
    ]
    rate = np.array([*rates, scenario.telework_share_national])[prepared["group"]]
    n = np.where(usable, trips["commuters"].to_numpy(dtype=float) * take_up * rate, 0.0)
    n *= scenario.venue_share
    yearly = n * scenario.telework_days_per_week * WORKING_WEEKS_PER_YEAR
    road_km = trips["commute_km"].to_numpy(dtype=float) - np.nan_to_num(
        trips["access_km"].to_numpy(dtype=float)
    )
    km = np.nan_to_num(2.0 * np.maximum(road_km, 0.0))
    rebound = scenario.rebound_share if scenario.rebound else 0.0
    vehicle_km = np.where(usable, yearly * km / scenario.car_occupancy * (1.0 - rebound), 0.0)
    return {
        "scenario_commuters": n,
        "scenario_hours_per_year": yearly * saving / 60.0,
        "scenario_km_avoided_per_year": vehicle_km,
        "scenario_co2_avoided_t_per_year": vehicle_km * scenario.co2_kg_per_km / 1000.0,
    }


_SENSITIVITY_COLUMNS = (
    "parameter",
    "label",
    "value",
    "gross_commuters",
    "gross_hours_per_year",
    "scenario_commuters",
    "scenario_hours_per_year",
    "scenario_co2_avoided_t_per_year",
)


def _gross_at(trips: pd.DataFrame, cutoff_min: float, days: float) -> tuple[float, float]:
    """Gross potential with a hard cutoff: eligible commuters and hours a year."""
    commute = trips["commute_min"].to_numpy(dtype=float)
    access = trips["access_min"].to_numpy(dtype=float)
    max_access = float(trips.attrs.get("max_access_min", np.inf))
    placed = trips["status"].isin(["long", "short"]).to_numpy()
    eligible = placed & (commute > cutoff_min) & (access <= max_access)
    commuters = trips["commuters"].to_numpy(dtype=float)[eligible]
    saved = 2.0 * np.maximum(commute[eligible] - access[eligible], 0.0)
    hours = float((commuters * saved).sum()) * days * WORKING_WEEKS_PER_YEAR / 60.0
    return float(commuters.sum()), hours


def commute_sensitivity(
    trips: pd.DataFrame,
    scenario: CommuteScenario,
    *,
    communes: gpd.GeoDataFrame,
    work_communes: gpd.GeoDataFrame | None = None,
    cutoffs_min: tuple[float, ...] = (25.0, 30.0, 35.0),
    venue_shares: tuple[float, ...] = (0.02, 0.05, 0.10, 0.25, 0.50),
    telework_days_per_week: float = 1.0,
) -> pd.DataFrame:
    """Return how the figures move with the cutoff, the tiers-lieu share and congestion.

    One row per variant: the trip-length cutoff (the gross potential's hard cutoff and the
    scenario's take-up midpoint, ``cutoffs_min``), the share of telework taken at a
    tiers-lieu (``venue_shares``, the gross potential does not depend on it: NaN), and
    free-flow times instead of the congestion factors.

    Parameters
    ----------
    trips : pandas.DataFrame
        Output of :func:`maillage.analysis.commutes.commute_trips` (any
        ``min_commute_min``: the short trips keep their commute time).
    scenario : CommuteScenario
        The scenario the variants start from.
    communes, work_communes : geopandas.GeoDataFrame
        As in :func:`scenario_trips`.
    cutoffs_min, venue_shares : tuple of float
        The variants.
    telework_days_per_week : float
        The gross potential's telework days.

    Returns
    -------
    pandas.DataFrame
        :data:`_SENSITIVITY_COLUMNS`: ``parameter`` (``cutoff_min``, ``venue_share``,
        ``congestion``), ``label`` (French, for the page), ``value``, the gross commuters
        and hours, the scenario's commuters, hours and t CO₂ a year.

    Examples
    --------
    >>> from maillage import CrowFlyModel, commute_trips
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> flows = pd.DataFrame({"home_code": ["00001"], "work_code": ["00002"],
    ...     "mode": pd.array(["car"], dtype="string"), "workers": [100.0]})
    >>> trips = commute_trips(communes, venues, flows, model=CrowFlyModel(), min_commute_min=0)
    >>> table = commute_sensitivity(trips, CommuteScenario(), communes=communes)
    >>> table["parameter"].tolist().count("cutoff_min"), len(table)
    (3, 9)
    """
    rows = []
    prepared = _prepare(trips, _classes(scenario, communes, work_communes))

    def add(parameter: str, label: str, value: float, variant: CommuteScenario) -> None:
        columns = _scenario_columns(trips, variant, prepared)
        sums = {k: float(v.sum()) for k, v in columns.items()}
        gross = (
            _gross_at(trips, value, telework_days_per_week)
            if parameter == "cutoff_min"
            else (np.nan, np.nan)
        )
        rows.append(
            (
                parameter,
                label,
                value,
                *gross,
                sums["scenario_commuters"],
                sums["scenario_hours_per_year"],
                sums["scenario_co2_avoided_t_per_year"],
            )
        )

    free = dict.fromkeys(scenario.congestion_by_density, 1.0)
    variants = [
        *[
            ("cutoff_min", f"Seuil de trajet : {c:g} min", float(c), {"take_up_midpoint_min": c})
            for c in cutoffs_min
        ],
        *[
            (
                "venue_share",
                f"Part du télétravail en tiers-lieu : {v:.0%}",
                float(v),
                {"venue_share": v},
            )
            for v in venue_shares
        ],
        (
            "congestion",
            "Temps hors congestion (sans facteur de pointe)",
            1.0,
            {"congestion_by_density": free},
        ),
    ]
    for parameter, label, value, change in variants:
        add(parameter, label, value, replace(scenario, **change))  # type: ignore[arg-type]
    return pd.DataFrame(rows, columns=list(_SENSITIVITY_COLUMNS))
