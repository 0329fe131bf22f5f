"""Node rules of OSRM's car profile: barriers that close a road, delays at obstacles.

From ``process_node`` of ``car.lua`` and ``lib/obstacles.lua`` (OSRM 26):

* a node whose access tag (``motorcar``, ``motor_vehicle``, ``vehicle``, ``access``) is
  blacklisted and not merely restricted is a barrier; with no access tag, a ``barrier=*``
  node is one unless its value is whitelisted (``cattle_grid``, ``border_control``,
  ``toll_booth``, ``entrance``...), a rising bollard, a lowered kerb, or a gate;
  a ``height_restrictor`` lower than 2 m is one too. No car passes through a barrier;
* ``barrier=gate`` and ``lift_gate`` cost :data:`GATE_DELAY_S` (``barrier_penalties``);
* ``highway=traffic_signals`` costs 2 s (``traffic_signal_penalty`` unset in car.lua, so
  ``obstacles.lua``'s default), ``highway=stop`` 2 s and ``highway=give_way`` 1 s, in the
  direction given by ``traffic_signals:direction`` or ``direction`` (``forward``/
  ``backward`` along the way), else in every direction. A ``stop=minor`` sign counts only
  when entering by the minor road (a faster road meets the node).

Examples
--------
>>> node_rule({"highway": "traffic_signals"})
NodeRule(barrier=False, obstacles=((2.0, 0, 0),))
>>> node_rule({"barrier": "bollard"}).barrier, node_rule({"barrier": "toll_booth"})
(True, None)
>>> node_rule({"barrier": "gate"}).obstacles
((60.0, 0, 0),)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from maillage.travel.graph.profile import (
    ACCESS_BLACKLIST,
    ACCESS_HIERARCHY,
    RESTRICTED_ACCESS,
    resolve_access,
)
from maillage.travel.graph.tags import parse_limit

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "BACKWARD",
    "BOTH",
    "FORWARD",
    "GATE_DELAY_S",
    "NODE_KEYS",
    "OBSTACLE_DELAYS_S",
    "PLAIN",
    "STOP_MINOR",
    "STOP_UNDIRECTED",
    "NodeRule",
    "node_rule",
]

OBSTACLE_DELAYS_S = {"traffic_signals": 2.0, "stop": 2.0, "give_way": 1.0}
"""Delay of each ``highway=*`` obstacle, seconds (``lib/obstacles.lua``)."""

GATE_DELAY_S = 60.0
"""Delay of a ``barrier=gate`` or ``lift_gate`` (car.lua ``barrier_penalties``)."""

NODE_KEYS = ("highway", "barrier", *ACCESS_HIERARCHY)
"""Node keys that may carry a rule: only nodes with one of them are read."""

BOTH, FORWARD, BACKWARD = 0, 1, 2
"""Direction of an obstacle along its way (``obstacle_direction``)."""

PLAIN, STOP_MINOR, STOP_UNDIRECTED = 0, 1, 2
"""Kind of an obstacle: always counts; ``stop=minor``; stop sign without a direction."""

_BARRIER_WHITELIST = frozenset(
    (
        "cattle_grid", "border_control", "toll_booth", "sally_port", "no", "entrance",
        "height_restrictor", "arch",
    )
)  # fmt: skip
_GATES = frozenset(("gate", "lift_gate"))
_DIRECTIONS = {"forward": FORWARD, "backward": BACKWARD}
_MIN_HEIGHT_M = 2.0  # car.lua vehicle_height


@dataclass(frozen=True)
class NodeRule:
    """What a node does to cars.

    Attributes
    ----------
    barrier : bool
        No car passes through the node.
    obstacles : tuple of (float, int, int)
        ``(delay_s, direction, kind)`` of each delay at the node: direction
        :data:`BOTH`, :data:`FORWARD` or :data:`BACKWARD`; kind :data:`PLAIN`,
        :data:`STOP_MINOR` or :data:`STOP_UNDIRECTED`.
    """

    barrier: bool
    obstacles: tuple[tuple[float, int, int], ...] = ()


def _low_height(value: str | None) -> bool:
    height = parse_limit("height", value)  # a height that is not a number is not low
    return height is not None and height < _MIN_HEIGHT_M


def _blocking_barrier(tags: Mapping[str, str], barrier: str) -> bool:
    """``process_node``: a barrier value that stops cars."""
    exempt = (
        barrier in _BARRIER_WHITELIST
        or barrier in _GATES
        or tags.get("bollard") == "rising"
        or tags.get("kerb") in ("lowered", "flush")
        or (barrier == "kerb" and tags.get("highway") == "crossing")
        or (barrier == "fence" and tags.get("sensory") in ("audible", "audio"))
    )
    too_low = barrier == "height_restrictor" and _low_height(tags.get("maxheight"))
    return not exempt or too_low


def _highway_obstacle(tags: Mapping[str, str]) -> tuple[float, int, int] | None:
    highway = tags.get("highway", "")
    delay = OBSTACLE_DELAYS_S.get(highway)
    if delay is None:
        return None
    direction = tags.get("direction")
    if highway == "traffic_signals":
        direction = tags.get("traffic_signals:direction") or direction
    code = _DIRECTIONS.get(direction or "", BOTH)
    kind = PLAIN
    if highway == "stop" and tags.get("stop") == "minor":
        kind = STOP_MINOR
    elif highway == "stop" and code == BOTH:
        kind = STOP_UNDIRECTED
    return delay, code, kind


def node_rule(tags: Mapping[str, str]) -> NodeRule | None:
    """Return the car rule of a node with these tags, or None when it has none.

    Parameters
    ----------
    tags : mapping of str to str
        OSM tags of the node.

    Returns
    -------
    NodeRule or None
        Barrier flag and delays.

    Examples
    --------
    >>> node_rule({"barrier": "gate", "access": "no"})
    NodeRule(barrier=True, obstacles=())
    >>> node_rule({"barrier": "gate", "access": "private"}) is None  # restricted: ignored
    True
    >>> node_rule({"highway": "stop", "direction": "backward"}).obstacles
    ((2.0, 2, 0),)
    """
    access = resolve_access(next((tags[k] for k in ACCESS_HIERARCHY if k in tags), None))
    barrier = False
    obstacles: list[tuple[float, int, int]] = []
    if access is not None:
        barrier = access in ACCESS_BLACKLIST and access not in RESTRICTED_ACCESS
    elif "barrier" in tags:
        barrier = _blocking_barrier(tags, tags["barrier"])
        if tags["barrier"] in _GATES:
            obstacles.append((GATE_DELAY_S, BOTH, PLAIN))
    highway = _highway_obstacle(tags)
    if highway is not None:
        obstacles.append(highway)
    if not barrier and not obstacles:
        return None
    return NodeRule(barrier, tuple(obstacles))
