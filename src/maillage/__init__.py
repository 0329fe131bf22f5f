"""maillage: how well is a territory meshed by a network of venues.

Load a territory and a venue census, compute drive times to the nearest venue over a real
road network (or a documented straight-line model), find the white zones, attribute the
coverage to venues, suggest where to open next, and publish maps and a yearly report.
"""

from __future__ import annotations

import logging

from maillage.attribution import attribution
from maillage.catchments import catchments, isochrones
from maillage.coverage import coverage
from maillage.errors import (
    ColumnError,
    DataSourceError,
    HashMismatchError,
    InputDataError,
    MaillageError,
    MaillageWarning,
    MissingDataError,
    NetworkError,
    OptionError,
)
from maillage.load.grid import read_population_grid
from maillage.network import RoadNetwork
from maillage.options import Options, options
from maillage.origins import origins_from_communes, origins_from_grid
from maillage.planning import suggest_sites
from maillage.sources import (
    CATALOGUE,
    credits,
    fetch,
    fetch_osm_extract,
    fetch_osm_extracts,
    get_dataset,
    osm_extracts_for,
)
from maillage.support import mark_supported, match_supported
from maillage.territory import load_communes
from maillage.travel import CrowFlyModel, TravelTimeModel
from maillage.venues import load_venues
from maillage.years import coverage_by_year
from maillage.zones import indicators, white_zones

__version__ = "0.1.0"

__all__ = [
    "CATALOGUE",
    "ColumnError",
    "CrowFlyModel",
    "DataSourceError",
    "HashMismatchError",
    "InputDataError",
    "MaillageError",
    "MaillageWarning",
    "MissingDataError",
    "NetworkError",
    "OptionError",
    "Options",
    "RoadNetwork",
    "TravelTimeModel",
    "__version__",
    "attribution",
    "catchments",
    "coverage",
    "coverage_by_year",
    "credits",
    "fetch",
    "fetch_osm_extract",
    "fetch_osm_extracts",
    "get_dataset",
    "indicators",
    "isochrones",
    "load_communes",
    "load_venues",
    "mark_supported",
    "match_supported",
    "options",
    "origins_from_communes",
    "origins_from_grid",
    "osm_extracts_for",
    "read_population_grid",
    "suggest_sites",
    "white_zones",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
