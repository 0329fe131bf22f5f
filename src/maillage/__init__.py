"""maillage: how well is a territory meshed by a network of venues.

Load a territory and a venue census, compute drive times to the nearest venue over a real
road network (or a documented straight-line model), find the white zones, attribute the
coverage to venues, suggest where to open next, and publish maps and a yearly report.

The package is laid out as the data flows, one floor a subpackage, each importing only from
the floors below it: :mod:`maillage.sources` (catalogue, downloads) → :mod:`maillage.load`
(raw readers) → :mod:`maillage.prepare` (canonical frames) → :mod:`maillage.travel`
(travel-time engines) → :mod:`maillage.analysis` (metrics) → :mod:`maillage.maps` →
:mod:`maillage.report` → :mod:`maillage.cli`; :mod:`maillage.errors`,
:mod:`maillage.options` and :mod:`maillage.schema` are the ground floor. This module only
re-exports the public API.
"""

from __future__ import annotations

import logging

from maillage import errors, maps, report
from maillage.analysis.accounting import census_counts, data_credits, supported_contribution
from maillage.analysis.active import active_venues
from maillage.analysis.attribution import attribution
from maillage.analysis.catchments import catchments, isochrones
from maillage.analysis.change import decompose_change, decompose_series
from maillage.analysis.commute_scenario import (
    CommuteScenario,
    commute_sensitivity,
    scenario_trips,
)
from maillage.analysis.commute_totals import (
    commute_savings,
    commute_savings_by_venue,
    savings_by_commune,
)
from maillage.analysis.commute_venues import select_venue_kinds
from maillage.analysis.commutes import commute_trips
from maillage.analysis.coverage import coverage
from maillage.analysis.indicators import indicators
from maillage.analysis.origins import origins_from_communes, origins_from_grid
from maillage.analysis.resilience import closure_impact, nearest_k, second_choice
from maillage.analysis.siting import suggest_sites
from maillage.analysis.uncertainty import headline_range, uncertain_communes
from maillage.analysis.vintages import coverage_by_date, match_vintages
from maillage.analysis.years import coverage_by_year
from maillage.analysis.zones import white_zones
from maillage.errors import *  # noqa: F403 - every error and warning class (errors.__all__)
from maillage.options import Options, options
from maillage.prepare.cities import communes_by_arrondissement
from maillage.prepare.communes import load_communes
from maillage.prepare.commutes import load_commutes
from maillage.prepare.grid import load_population_grid
from maillage.prepare.support import describe_support, mark_supported, match_supported
from maillage.prepare.venues import load_venues
from maillage.report import build_report, save_report, write_report
from maillage.sources import (
    CATALOGUE,
    credits,
    fetch,
    fetch_osm_extract,
    fetch_osm_extracts,
    get_dataset,
    osm_extracts_for,
)
from maillage.travel import (
    CalibratedModel,
    CrowFlyModel,
    OSRMModel,
    RoadNetwork,
    TravelTimeModel,
    default_model,
)

__version__ = "0.2.0"

__all__ = [
    "CATALOGUE",
    "CalibratedModel",
    "CommuteScenario",
    "CrowFlyModel",
    "OSRMModel",
    "Options",
    "RoadNetwork",
    "TravelTimeModel",
    "__version__",
    "active_venues",
    "attribution",
    "build_report",
    "catchments",
    "census_counts",
    "closure_impact",
    "communes_by_arrondissement",
    "commute_savings",
    "commute_savings_by_venue",
    "commute_sensitivity",
    "commute_trips",
    "coverage",
    "coverage_by_date",
    "coverage_by_year",
    "credits",
    "data_credits",
    "decompose_change",
    "decompose_series",
    "default_model",
    "describe_support",
    "fetch",
    "fetch_osm_extract",
    "fetch_osm_extracts",
    "get_dataset",
    "headline_range",
    "indicators",
    "isochrones",
    "load_communes",
    "load_commutes",
    "load_population_grid",
    "load_venues",
    "maps",
    "mark_supported",
    "match_supported",
    "match_vintages",
    "nearest_k",
    "options",
    "origins_from_communes",
    "origins_from_grid",
    "osm_extracts_for",
    "report",
    "save_report",
    "savings_by_commune",
    "scenario_trips",
    "second_choice",
    "select_venue_kinds",
    "suggest_sites",
    "supported_contribution",
    "uncertain_communes",
    "white_zones",
    "write_report",
]
__all__ += errors.__all__

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    """Serve the deprecated names of 0.1 (one release), with a DeprecationWarning."""
    if name == "read_population_grid":
        import warnings  # noqa: PLC0415 - only on the deprecated path

        warnings.warn(
            "maillage.read_population_grid is deprecated: use maillage.load_population_grid",
            DeprecationWarning,
            stacklevel=2,
        )
        return load_population_grid
    msg = f"module 'maillage' has no attribute {name!r}"
    raise AttributeError(msg)
