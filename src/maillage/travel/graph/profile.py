"""Routing profile: which OSM ways a car may use, in which direction, at which speed.

Default speeds per ``highway`` class are those of the OSRM car profile (``profiles/car.lua``
of OSRM v5, table ``speeds.highway``), which are typical free-flow speeds, lower than the
legal limits. Where a way carries a ``maxspeed`` tag, its speed is ``maxspeed`` times
``MAXSPEED_FACTOR`` (0.8, OSRM's ``speed_reduction``: vehicles rarely drive at the limit).
Symbolic limits are read with the French rules (Code de la route, articles R413-2 and
R413-3: 50 km/h in built-up areas, 80 km/h on two-way rural roads since 2018, 130 km/h on
motorways). Ferries (``route=ferry``) use their ``duration`` tag when present, otherwise
``FERRY_SPEED_KPH`` (OSRM's default ferry speed, 5 km/h).

Examples
--------
>>> parse_maxspeed("50")
50.0
>>> parse_maxspeed("30 mph")
48.28032
>>> parse_maxspeed("FR:rural")
80.0
>>> parse_maxspeed("bogus") is None
True
>>> way_rule({"highway": "primary", "oneway": "yes"})
WayRule(speed_kph=65.0, forward=True, backward=False, duration_s=None)
>>> way_rule({"highway": "footway"}) is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from maillage.errors import OptionError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CAR_SPEEDS_KPH",
    "FERRY_SPEED_KPH",
    "MAXSPEED_FACTOR",
    "PROFILES",
    "WayRule",
    "check_profile",
    "parse_duration",
    "parse_maxspeed",
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
}
"""Default car speed per ``highway`` class, km/h (OSRM car profile, ``speeds.highway``)."""

MAXSPEED_FACTOR = 0.8
"""Share of a tagged ``maxspeed`` actually driven (OSRM car profile ``speed_reduction``)."""

FERRY_SPEED_KPH = 5.0
"""Speed of a ferry without a ``duration`` tag (OSRM car profile ``route_speeds.ferry``)."""

PROFILES = ("car",)
"""Profiles known to :func:`check_profile`."""

_SYMBOLIC_KPH = {
    "fr:urban": 50.0,
    "fr:rural": 80.0,
    "fr:trunk": 110.0,
    "fr:motorway": 130.0,
    "fr:zone30": 30.0,
    "fr:zone20": 20.0,
    "fr:walk": 6.0,
    "walk": 6.0,
    "living_street": 20.0,
    "none": 130.0,
}
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(mph|km/h|kmh|kph|knots)?\s*$")
_UNIT_KPH = {None: 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "knots": 1.852}
_NO_ACCESS = {"no", "private", "agricultural", "forestry", "delivery", "emergency"}
_YES = {"yes", "1", "true"}
_IMPLIED_ONEWAY = {"motorway", "motorway_link"}


@dataclass(frozen=True)
class WayRule:
    """How a car may use one OSM way.

    Attributes
    ----------
    speed_kph : float
        Driving speed on the way.
    forward : bool
        Drivable in the order of the way's nodes.
    backward : bool
        Drivable against the order of the way's nodes.
    duration_s : float or None
        Total crossing time of a ferry way (``duration`` tag), spread along its length.
    """

    speed_kph: float
    forward: bool
    backward: bool
    duration_s: float | None = None


def check_profile(profile: str) -> str:
    """Return ``profile`` if it is known, else raise :class:`~maillage.errors.OptionError`.

    Parameters
    ----------
    profile : str
        Profile name.

    Returns
    -------
    str
        The profile name.

    Examples
    --------
    >>> check_profile("car")
    'car'
    """
    if profile not in PROFILES:
        msg = f"profile must be one of {PROFILES}, got {profile!r}"
        raise OptionError(msg)
    return profile


def parse_maxspeed(value: str | None) -> float | None:
    """Return a ``maxspeed`` tag value in km/h, or None when it cannot be read.

    Parameters
    ----------
    value : str or None
        Tag value: ``"50"``, ``"50 mph"``, ``"FR:urban"``, ``"walk"``, ``"none"``...
        With several values (``"50;70"``) the lowest is used.

    Returns
    -------
    float or None
        Speed limit in km/h.

    Examples
    --------
    >>> parse_maxspeed("FR:motorway"), parse_maxspeed("none"), parse_maxspeed("90;70")
    (130.0, 130.0, 70.0)
    """
    if not value:
        return None
    speeds = [_one_maxspeed(part) for part in value.split(";")]
    found = [s for s in speeds if s is not None and s > 0]
    return min(found) if found else None


def _one_maxspeed(value: str) -> float | None:
    text = value.strip().lower()
    if text in _SYMBOLIC_KPH:
        return _SYMBOLIC_KPH[text]
    match = _NUMBER.match(text)
    if match is None:
        return None
    return float(match.group(1).replace(",", ".")) * _UNIT_KPH[match.group(2)]


def parse_duration(value: str | None) -> float | None:
    """Return an OSM ``duration`` tag (``"HH:MM"``, ``"HH:MM:SS"``, minutes) in seconds.

    Parameters
    ----------
    value : str or None
        Tag value.

    Returns
    -------
    float or None
        Seconds, or None when absent or unreadable.

    Examples
    --------
    >>> parse_duration("01:30"), parse_duration("45"), parse_duration("0:00:30")
    (5400.0, 2700.0, 30.0)
    """
    if not value:
        return None
    parts = value.strip().split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    if len(numbers) == 1:
        seconds = numbers[0] * 60.0
    elif len(numbers) in (2, 3):
        seconds = sum(n * f for n, f in zip(numbers, (3600.0, 60.0, 1.0), strict=False))
    else:
        return None
    return seconds if seconds > 0 else None


def _oneway(tags: Mapping[str, str], highway: str | None) -> tuple[bool, bool] | None:
    """Return (forward, backward), or None for a reversible (time-dependent) way."""
    value = tags.get("oneway", "").strip().lower()
    if value in {"reversible", "alternating"}:
        return None
    if value == "-1":
        return False, True
    if value in _YES:
        return True, False
    if value == "no":
        return True, True
    if tags.get("junction") in ("roundabout", "circular") or highway in _IMPLIED_ONEWAY:
        return True, False
    return True, True


def _denied(tags: Mapping[str, str]) -> bool:
    for key in ("motor_vehicle", "motorcar", "vehicle", "access"):
        value = tags.get(key)
        if value is not None:
            return value.strip().lower() in _NO_ACCESS
    return False


def way_rule(tags: Mapping[str, str], profile: str = "car") -> WayRule | None:
    """Return how a car may use a way with these tags, or None when it may not.

    Access tags are read from the most specific to the most general (``motor_vehicle``,
    ``motorcar``, ``vehicle``, ``access``), so ``access=no`` + ``motor_vehicle=yes`` is
    drivable. ``oneway=reversible`` ways are excluded (their direction changes in time).

    Parameters
    ----------
    tags : mapping of str to str
        OSM tags of the way.
    profile : str, default "car"
        Routing profile.

    Returns
    -------
    WayRule or None
        Speed, allowed directions and ferry duration; None for a way cars cannot use.

    Examples
    --------
    >>> way_rule({"highway": "motorway"}).backward
    False
    >>> way_rule({"highway": "residential", "access": "private"}) is None
    True
    >>> way_rule({"route": "ferry", "duration": "00:20"}).duration_s
    1200.0
    """
    check_profile(profile)
    highway = tags.get("highway")
    ferry = tags.get("route") == "ferry"
    if not ferry and highway not in CAR_SPEEDS_KPH:
        return None
    if _denied(tags) or tags.get("area") == "yes":
        return None
    directions = _oneway(tags, highway)
    if directions is None:
        return None
    if ferry:
        duration = parse_duration(tags.get("duration"))
        return WayRule(FERRY_SPEED_KPH, directions[0], directions[1], duration)
    tagged = parse_maxspeed(tags.get("maxspeed"))
    speed = tagged * MAXSPEED_FACTOR if tagged is not None else CAR_SPEEDS_KPH[str(highway)]
    return WayRule(speed, directions[0], directions[1])
