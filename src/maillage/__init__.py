"""maillage: how well is a territory meshed by a network of venues.

Load a territory and a venue census, compute drive times to the nearest venue over a real
road network (or a documented straight-line model), find the white zones, attribute the
coverage to venues, suggest where to open next, and publish maps and a yearly report.
"""

from __future__ import annotations

import logging

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
from maillage.options import Options, options
from maillage.sources import CATALOGUE, credits, fetch, get_dataset
from maillage.travel import TravelTimeModel

__version__ = "0.1.0"

__all__ = [
    "CATALOGUE",
    "ColumnError",
    "DataSourceError",
    "HashMismatchError",
    "InputDataError",
    "MaillageError",
    "MaillageWarning",
    "MissingDataError",
    "NetworkError",
    "OptionError",
    "Options",
    "TravelTimeModel",
    "__version__",
    "credits",
    "fetch",
    "get_dataset",
    "options",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
