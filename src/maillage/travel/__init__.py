"""Floor 3: travel times. The :class:`TravelTimeModel` protocol and every engine behind it.

Analyses see only the protocol (:mod:`~maillage.travel.protocol`). Engines: the default,
:class:`CalibratedModel` (:mod:`~maillage.travel.calibrated`, :func:`default_model`), a
straight-line model calibrated on real car times; the straight-line
:class:`CrowFlyModel` (:mod:`~maillage.travel.crowfly`), the road graph
:class:`RoadNetwork` (:mod:`maillage.travel.graph`) and OSRM itself, :class:`OSRMModel`
(:mod:`~maillage.travel.osrm`, optional ``osrm-bindings``). What they share: the queries
and their frames (:mod:`~maillage.travel.engine`), the straight-line search
(:mod:`~maillage.travel.straight`) and the placement checks of the road engines
(:mod:`~maillage.travel.network`).
"""

from maillage.travel.calibrated import CalibratedModel, default_model
from maillage.travel.crowfly import CrowFlyModel
from maillage.travel.graph import RoadNetwork
from maillage.travel.osrm import OSRMModel
from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "CalibratedModel",
    "CrowFlyModel",
    "OSRMModel",
    "RoadNetwork",
    "TravelTimeModel",
    "default_model",
]
