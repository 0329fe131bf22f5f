"""Routing profile: which OSM ways a car may use, in which direction, at which speed.

The rules are those of OSRM's car profile (``profiles/car.lua`` and ``profiles/lib/*.lua``
of the ``osrm-bindings`` wheel, OSRM 26), read in the same order:

1. blocked ways (``WayHandlers.blocked_ways``, ``avoid_ways``): ``area=yes``, steps,
   construction, proposed, ``oneway=reversible``, ``impassable``;
2. physical limits of the vehicle (``handle_height``, ``handle_width``, ``handle_length``,
   ``handle_weight``): 2.0 m high, 1.9 m wide, 4.8 m long, 2,000 kg;
3. access (``WayHandlers.access``): the first of ``motorcar``, ``motor_vehicle``,
   ``vehicle``, ``access`` (each with its ``:forward``/``:backward`` variant) decides;
   blacklisted values close the direction. Values of ``restricted_access_tag_list``
   (``private``, ``destination``, ``customers``...) on ordinary road classes are
   *restricted* in car.lua: usable only at the start or the end of a trip (entering one from
   an open road costs ``max_turn_weight``). A node-based search cannot tell the start of a
   trip from its middle, so maillage leaves restricted directions out of the graph; points
   on them are snapped to the nearest open road;
4. one-way rules (``WayHandlers.oneway``): ``oneway:motorcar`` ... ``oneway``; implied on
   motorways and roundabouts;
5. speed (``WayHandlers.speed``, ``ferries``, ``movables``): the class speed of
   :data:`CAR_SPEEDS_KPH`; other classes open to cars by an access tag drive at
   :data:`DEFAULT_SPEED_KPH`; ferries and shuttle trains at :data:`ROUTE_SPEEDS_KPH` or
   their ``duration``; movable bridges at 5 km/h;
6. ``maxspeed`` (``WayHandlers.maxspeed``): the first of ``maxspeed:advisory``,
   ``maxspeed``, ``source:maxspeed``, ``maxspeed:type`` (with direction variants) *replaces*
   the class speed, times :data:`MAXSPEED_FACTOR`; symbolic values are read with car.lua's
   tables (``FR:urban`` 50, ``FR:rural`` 80, ``FR:motorway`` 130 km/h...);
7. surface (``WayHandlers.surface``): ``surface``, ``tracktype`` and ``smoothness`` cap the
   speed.

8. routability penalties (``WayHandlers.penalties``, :func:`way_penalties`): service roads
   such as parking aisles x 0.5, narrow or single-lane two-way roads, ``side_road`` x 0.8,
   ``oneway=alternating`` x 0.4, ``priority`` x 0.7 against the priority direction. They
   divide the way's *routing weight* (``weight_name = 'routability'``: weight = duration /
   penalty), never its duration: OSRM chooses the route of least weight and reports its
   duration, and so do the searches of the road graph (:attr:`WayRule.forward_penalty`).

Examples
--------
>>> way_rule({"highway": "primary", "oneway": "yes"})
WayRule(forward_kph=65.0, backward_kph=0.0, duration_s=None, roundabout=False, forward_penalty=1.0, backward_penalty=1.0)
>>> way_rule({"highway": "footway"}) is None
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from maillage.schema import check_choice
from maillage.travel.graph.tags import (
    directional,
    parse_duration,
    parse_limit,
    parse_maxspeed,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ACCESS_BLACKLIST",
    "ACCESS_HIERARCHY",
    "CAR_SPEEDS_KPH",
    "DEFAULT_SPEED_KPH",
    "FERRY_SPEED_KPH",
    "MAXSPEED_FACTOR",
    "PROFILES",
    "RESTRICTED_ACCESS",
    "ROUTE_SPEEDS_KPH",
    "SERVICE_PENALTIES",
    "SIDE_ROAD_PENALTY",
    "SMOOTHNESS_SPEEDS_KPH",
    "SURFACE_SPEEDS_KPH",
    "TRACKTYPE_SPEEDS_KPH",
    "WayRule",
    "resolve_access",
    "way_penalties",
    "way_rule",
]

CAR_SPEEDS_KPH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 45.0,
    "trunk": 85.0,
    "trunk_link": 40.0,
    "primary": 65.0,
    "primary_link": 30.0,
    "secondary": 55.0,
    "secondary_link": 25.0,
    "tertiary": 40.0,
    "tertiary_link": 20.0,
    "unclassified": 25.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "winter_road": 20.0,
    "ice_road": 15.0,
}
"""Default car speed per ``highway`` class, km/h (car.lua ``speeds.highway``)."""

DEFAULT_SPEED_KPH = 10.0
"""Speed of a way of another class opened to cars by an access tag (car.lua ``default_speed``)."""

MAXSPEED_FACTOR = 0.8
"""Share of a tagged ``maxspeed`` actually driven (car.lua ``speed_reduction``)."""

ROUTE_SPEEDS_KPH: dict[str, float] = {"ferry": 5.0, "shuttle_train": 10.0}
"""Speed of ``route=*`` ways without a ``duration`` tag (car.lua ``route_speeds``)."""

FERRY_SPEED_KPH = ROUTE_SPEEDS_KPH["ferry"]
"""Speed of a ferry without a ``duration`` tag, km/h."""

MOVABLE_BRIDGE_KPH = 5.0
"""Speed over ``bridge=movable`` (car.lua ``bridge_speeds``)."""

SURFACE_SPEEDS_KPH: dict[str, float] = {
    **dict.fromkeys(("cement", "compacted", "fine_gravel"), 80.0),
    **dict.fromkeys(("paving_stones", "metal", "bricks"), 60.0),
    **dict.fromkeys(
        ("grass", "wood", "sett", "grass_paver", "gravel", "unpaved", "ground", "dirt"), 40.0
    ),
    **dict.fromkeys(("pebblestone", "tartan"), 40.0),
    **dict.fromkeys(("cobblestone", "clay", "snow"), 30.0),
    **dict.fromkeys(("earth", "stone", "rocky", "sand", "ice"), 20.0),
    "laterite": 15.0,
    "mud": 10.0,
}
"""Largest speed per ``surface`` value, km/h (car.lua ``surface_speeds``)."""

TRACKTYPE_SPEEDS_KPH: dict[str, float] = {
    "grade1": 60.0,
    "grade2": 40.0,
    "grade3": 30.0,
    "grade4": 25.0,
    "grade5": 20.0,
}
"""Largest speed per ``tracktype``, km/h (car.lua ``tracktype_speeds``)."""

SMOOTHNESS_SPEEDS_KPH: dict[str, float] = {
    "intermediate": 80.0,
    "bad": 40.0,
    "very_bad": 20.0,
    "horrible": 10.0,
    "very_horrible": 5.0,
    "impassable": 0.0,
}
"""Largest speed per ``smoothness``, km/h (car.lua ``smoothness_speeds``)."""

ACCESS_HIERARCHY = ("motorcar", "motor_vehicle", "vehicle", "access")
"""Access keys, most specific first (car.lua ``access_tags_hierarchy``)."""

ACCESS_WHITELIST = frozenset(
    ("yes", "motorcar", "motor_vehicle", "vehicle", "permissive", "designated", "hov")
)
ACCESS_BLACKLIST = frozenset(
    (
        "no", "agricultural", "forestry", "emergency", "psv", "taxi", "share_taxi", "minibus",
        "bus", "foot", "emergency_vehicle", "restricted", "military", "official", "customers",
        "private", "delivery", "destination", "permit", "residents",
    )
)  # fmt: skip
"""Access values that close a way to cars (car.lua ``access_tag_blacklist``)."""

RESTRICTED_ACCESS = frozenset(
    ("private", "delivery", "destination", "customers", "permit", "residents", "unknown")
)
"""Access values car.lua keeps for trip ends only (``restricted_access_tag_list``)."""

RESTRICTED_HIGHWAYS = frozenset(CAR_SPEEDS_KPH)
"""Classes on which those values restrict rather than close (``restricted_highway_whitelist``)."""

PROFILES = ("car",)
"""Profiles the road graph knows (``RoadNetwork.from_osm(profile=...)``)."""

_MAXSPEED_KEYS = ("maxspeed:advisory", "maxspeed", "source:maxspeed", "maxspeed:type")
_LIMIT_KEYS = {
    "height": ("maxheight:physical", "maxheight"),
    "width": ("maxwidth:physical", "maxwidth", "width", "est_width"),
    "length": ("maxlength",),
    "weight": ("maxweightrating", "maxweight"),
}
_AVOIDED = frozenset(("steps", "construction", "proposed", "area"))
_CONSTRUCTION_OK = frozenset(("no", "widening", "minor"))
_YES = frozenset(("yes", "1", "true"))
_VEHICLE = {"height": 2.0, "width": 1.9, "length": 4.8, "weight": 2000.0}  # m, m, m, kg


def _with_variants(keys: tuple[str, ...]) -> frozenset[str]:
    return frozenset(k + suffix for k in keys for suffix in ("", ":forward", ":backward"))


_ACCESS_KEYS = _with_variants(ACCESS_HIERARCHY)
_MAXSPEED_ALL = _with_variants(_MAXSPEED_KEYS)
_LIMIT_ALL = _with_variants(tuple(k for keys in _LIMIT_KEYS.values() for k in keys))
_HOV_KEYS = _with_variants(("hov", "hov:lanes"))


@dataclass(frozen=True)
class WayRule:
    """How a car may use one OSM way.

    Attributes
    ----------
    forward_kph, backward_kph : float
        Speed in the order of the way's nodes and against it; 0 where a car may not go.
    duration_s : float or None
        Total crossing time of a ferry or movable bridge (``duration`` tag), spread along its
        length.
    roundabout : bool
        ``junction=roundabout`` (no oncoming-traffic wait when turning into or out of it).
    forward_penalty, backward_penalty : float
        car.lua's routability penalty per direction (:func:`way_penalties`, 1: none): the
        routing weight of the way is its duration divided by it.
    """

    forward_kph: float
    backward_kph: float
    duration_s: float | None = None
    roundabout: bool = False
    forward_penalty: float = 1.0
    backward_penalty: float = 1.0

    @property
    def forward(self) -> bool:
        """Drivable in the order of the way's nodes."""
        return self.forward_kph > 0

    @property
    def backward(self) -> bool:
        """Drivable against the order of the way's nodes."""
        return self.backward_kph > 0

    @property
    def speed_kph(self) -> float:
        """Speed in the first drivable direction (forward, else backward)."""
        return self.forward_kph if self.forward else self.backward_kph


def _access_rank(value: str) -> int:
    if value in ACCESS_WHITELIST:
        return 3
    if value in RESTRICTED_ACCESS:
        return 2
    return 1 if value in ACCESS_BLACKLIST else 0


def resolve_access(value: str | None) -> str | None:
    """Return the access value that counts in a ``;`` list (``lib/access.lua``).

    Parameters
    ----------
    value : str or None
        Tag value, e.g. ``"no;destination"``.

    Returns
    -------
    str or None
        The most permissive part (whitelisted, then restricted, then blacklisted).

    Examples
    --------
    >>> resolve_access("no;destination"), resolve_access("private")
    ('destination', 'private')
    """
    if value is None or ";" not in value:
        return value
    parts = [part.strip() for part in value.split(";")]
    return max(parts, key=_access_rank)  # first of the best rank, as access.lua


def _blocked(tags: Mapping[str, str], highway: str | None) -> bool:
    """``WayHandlers.blocked_ways`` and ``avoid_ways``."""
    construction = tags.get("construction")
    return (
        highway in _AVOIDED
        or tags.get("area") == "yes"
        or tags.get("railway") == "construction"
        or (construction is not None and construction not in _CONSTRUCTION_OK)
        or ("proposed" in tags and highway is None)
        or tags.get("oneway") == "reversible"
        or tags.get("impassable") == "yes"
        or tags.get("status") == "impassable"
    )


def _too_small(tags: Mapping[str, str]) -> tuple[bool, bool]:
    """(forward, backward) closed by the vehicle's height, width, length or weight."""
    closed = [False, False]
    for what, keys in _LIMIT_KEYS.items():
        for side, raw in enumerate(directional(tags, keys)):
            value = parse_limit(what, raw)
            if value is not None:
                limit = _VEHICLE[what]
                closed[side] |= value <= limit if what == "width" else value < limit
    return closed[0], closed[1]


def _open(access: str | None, highway: str | None) -> bool:
    """Whether one direction is open to through traffic (restricted counts as closed)."""
    if access is None:
        return True
    return not (
        access in ACCESS_BLACKLIST
        or (highway in RESTRICTED_HIGHWAYS and access in RESTRICTED_ACCESS)
    )


def _hov_only(tags: Mapping[str, str]) -> tuple[bool, bool]:
    """Lanes all ``hov=designated`` (restricted in car.lua, ``WayHandlers.hov``)."""
    if tags.get("hov") == "designated":
        return True, True
    lanes = directional(tags, ("hov:lanes",))
    return (
        lanes[0] is not None and all(lane == "designated" for lane in lanes[0].split("|")),
        lanes[1] is not None and all(lane == "designated" for lane in lanes[1].split("|")),
    )


def _oneway(tags: Mapping[str, str], highway: str | None) -> tuple[bool, bool]:
    """(forward, backward) allowed by ``WayHandlers.oneway``."""
    value = next(
        (tags[f"oneway:{key}"] for key in ACCESS_HIERARCHY[:3] if f"oneway:{key}" in tags),
        tags.get("oneway"),
    )
    if value == "-1":
        return False, True
    if value in _YES:
        return True, False
    implied = highway == "motorway" or tags.get("junction") in ("roundabout", "circular")
    return True, not (implied and value != "no")


def _base_speed(
    tags: Mapping[str, str], highway: str | None, access: tuple[str | None, ...]
) -> tuple[float, float, float | None]:
    """(forward, backward, duration) before maxspeed and surface (0 = no speed)."""
    route_kph = ROUTE_SPEEDS_KPH.get(tags.get("route", ""))
    if route_kph is not None:
        return route_kph, route_kph, parse_duration(tags.get("duration"))
    if tags.get("bridge") == "movable":
        duration = parse_duration(tags.get("duration"))
        if duration is not None:
            return DEFAULT_SPEED_KPH, DEFAULT_SPEED_KPH, duration
        return MOVABLE_BRIDGE_KPH, MOVABLE_BRIDGE_KPH, None
    if highway in CAR_SPEEDS_KPH:
        speed = CAR_SPEEDS_KPH[highway]
        return speed, speed, None
    # another class: open to cars only by an access tag that is not blacklisted
    forward, backward = (
        DEFAULT_SPEED_KPH if value is not None and value not in ACCESS_BLACKLIST else 0.0
        for value in access
    )
    return forward, backward, None


def _speed_cap(tags: Mapping[str, str]) -> float:
    """Lowest of the surface, tracktype and smoothness limits (inf when none)."""
    return min(
        SURFACE_SPEEDS_KPH.get(tags.get("surface", ""), math.inf),
        TRACKTYPE_SPEEDS_KPH.get(tags.get("tracktype", ""), math.inf),
        SMOOTHNESS_SPEEDS_KPH.get(tags.get("smoothness", ""), math.inf),
    )


SERVICE_PENALTIES: dict[str, float] = dict.fromkeys(
    ("alley", "parking", "parking_aisle", "driveway", "drive-through", "drive-thru"), 0.5
)
"""Routability penalty per ``service`` value (car.lua ``service_penalties``)."""

SIDE_ROAD_PENALTY = 0.8
"""Penalty of ``side_road=yes|rotary`` (car.lua ``side_road_multiplier``)."""

_LANE_MARKINGS_PENALTY = 0.75  # car.lua lane_markings_penalty
_ALTERNATING_PENALTY = 0.4
_PRIORITY_PENALTY = 0.7  # car.lua priority_penalty
_WIDTH_PENALTIES = ((3.0, 0.5), (4.0, 0.6), (5.0, 0.75), (6.0, 0.8))  # width <= 3, < 4, < 5, < 6
_LEADING_DIGITS = re.compile(r"^\d+")


def _width_penalty(tags: Mapping[str, str]) -> float:
    """Penalty of a two-way road without lane markings, narrow or of one lane."""
    penalty = _LANE_MARKINGS_PENALTY if tags.get("lane_markings") == "no" else 1.0
    width = parse_limit("width", tags.get("width"))
    if width is not None:
        if width <= _WIDTH_PENALTIES[0][0]:
            penalty = _WIDTH_PENALTIES[0][1]
        else:
            penalty = next((p for w, p in _WIDTH_PENALTIES[1:] if width < w), penalty)
    lanes = _LEADING_DIGITS.match(tags.get("lanes", ""))
    return _WIDTH_PENALTIES[0][1] if lanes is not None and int(lanes.group()) <= 1 else penalty


def way_penalties(tags: Mapping[str, str], *, bidirectional: bool) -> tuple[float, float]:
    """Return car.lua's routability penalties of a way, (forward, backward).

    ``WayHandlers.penalties`` of ``profiles/lib/way_handlers.lua`` (osrm-bindings 26.10.0,
    lines 396-486), with car.lua's settings (``service_penalties``, ``side_road_multiplier``
    0.8, ``lane_markings_penalty`` 0.75, ``priority_penalty`` 0.7): per direction, the least
    of the ``service`` penalty, the width penalty of a two-way road (``lane_markings=no``
    0.75; ``width`` <= 3 m 0.5, < 4 m 0.6, < 5 m 0.75, < 6 m 0.8; ``lanes`` <= 1 0.5), the
    ``oneway=alternating`` penalty 0.4, the ``side_road`` penalty and 0.7 against a
    ``priority=forward|backward`` way's priority. The routing weight of the way is its
    duration divided by the penalty (``weight_name = 'routability'``); turns and node
    delays weigh their duration (car.lua ``process_turn``: ``turn.weight = turn.duration``).

    Parameters
    ----------
    tags : mapping of str to str
        OSM tags of the way.
    bidirectional : bool
        Neither direction is inaccessible to cars in car.lua (restricted ones count as
        accessible there).

    Returns
    -------
    tuple of float
        Penalties in (0, 1], 1 meaning none.

    Examples
    --------
    >>> way_penalties({"highway": "service", "service": "parking_aisle"}, bidirectional=True)
    (0.5, 0.5)
    >>> way_penalties({"highway": "residential", "width": "3.5"}, bidirectional=False)
    (1.0, 1.0)
    >>> way_penalties({"highway": "tertiary", "priority": "forward"}, bidirectional=True)
    (1.0, 0.7)
    """
    common = SERVICE_PENALTIES.get(tags.get("service", ""), 1.0)
    if bidirectional:
        common = min(common, _width_penalty(tags))
    oneway = next(
        (tags[f"oneway:{key}"] for key in ACCESS_HIERARCHY[:3] if f"oneway:{key}" in tags),
        tags.get("oneway"),
    )
    if oneway == "alternating":
        common = min(common, _ALTERNATING_PENALTY)
    if tags.get("side_road") in ("yes", "rotary"):
        common = min(common, SIDE_ROAD_PENALTY)
    priority = tags.get("priority")
    forward = min(common, _PRIORITY_PENALTY) if priority == "backward" else common
    backward = min(common, _PRIORITY_PENALTY) if priority == "forward" else common
    return forward, backward


def _accessible(access: str | None, highway: str | None) -> bool:
    """Whether car.lua leaves a direction's mode accessible (restricted counts as accessible)."""
    return _open(access, highway) or (
        highway in RESTRICTED_HIGHWAYS and access in RESTRICTED_ACCESS
    )


def way_rule(tags: Mapping[str, str], profile: str = "car") -> WayRule | None:
    """Return how a car may use a way with these tags, or None when it may not.

    Parameters
    ----------
    tags : mapping of str to str
        OSM tags of the way.
    profile : str, default "car"
        Routing profile.

    Returns
    -------
    WayRule or None
        Speed per direction (0 where closed) and ferry duration; None for a way cars
        cannot use, or use only to start or end a trip (restricted access).

    Examples
    --------
    >>> way_rule({"highway": "motorway"}).backward
    False
    >>> way_rule({"highway": "residential", "access": "destination"}) is None
    True
    >>> way_rule({"highway": "track", "motor_vehicle": "yes"}).speed_kph
    10.0
    >>> way_rule({"highway": "primary", "maxspeed": "90", "surface": "gravel"}).speed_kph
    40.0
    >>> way_rule({"route": "ferry", "duration": "00:20"}).duration_s
    1200.0
    """
    check_choice("profile", profile, PROFILES)
    highway = tags.get("highway")
    keys = tags.keys()
    plain = highway in CAR_SPEEDS_KPH or "route" in tags or "bridge" in tags
    if (not plain and keys.isdisjoint(_ACCESS_KEYS)) or _blocked(tags, highway):
        return None  # no class speed and no access tag: car.lua's speed handler gives up
    access = (None, None)
    if not keys.isdisjoint(_ACCESS_KEYS):
        access = tuple(resolve_access(v) for v in directional(tags, ACCESS_HIERARCHY))  # type: ignore[assignment]
    small = _too_small(tags) if not keys.isdisjoint(_LIMIT_ALL) else (False, False)
    hov = _hov_only(tags) if not keys.isdisjoint(_HOV_KEYS) else (False, False)
    ways = _oneway(tags, highway)
    allowed = [
        ways[side] and not small[side] and not hov[side] and _open(access[side], highway)
        for side in (0, 1)
    ]
    if not any(allowed) or tags.get("service") == "emergency_access":
        return None
    forward, backward, duration = _base_speed(tags, highway, access)
    limits = (None, None)
    if not keys.isdisjoint(_MAXSPEED_ALL):
        limits = tuple(parse_maxspeed(v) for v in directional(tags, _MAXSPEED_KEYS))  # type: ignore[assignment]
    cap = _speed_cap(tags)
    speeds = [
        min(limit * MAXSPEED_FACTOR if limit else base, cap) if base > 0 and ok else 0.0
        for base, limit, ok in zip((forward, backward), limits, allowed, strict=True)
    ]
    if max(speeds) <= 0:
        return None
    accessible = [  # car.lua's modes, for the width penalties of two-way roads
        ways[side] and not small[side] and base > 0 and _accessible(access[side], highway)
        for side, base in enumerate((forward, backward))
    ]
    penalty = way_penalties(tags, bidirectional=all(accessible))
    roundabout = tags.get("junction") == "roundabout"
    return WayRule(speeds[0], speeds[1], duration, roundabout, *penalty)
