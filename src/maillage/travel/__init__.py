"""Floor 3: travel times. The :class:`TravelTimeModel` protocol and every engine behind it.

Analyses see only the protocol (:mod:`~maillage.travel.protocol`). Engines: the straight-line
:class:`CrowFlyModel` (:mod:`~maillage.travel.crowfly`) and the road graph
:class:`RoadNetwork` (:mod:`maillage.travel.graph`).
"""

from maillage.travel.crowfly import CrowFlyModel
from maillage.travel.graph import RoadNetwork
from maillage.travel.protocol import TravelTimeModel

__all__ = ["CrowFlyModel", "RoadNetwork", "TravelTimeModel"]
