"""Reading OSM tag values as OSRM's profile libraries do (``lib/tags.lua``, ``lib/measure.lua``).

Speeds (``maxspeed``), durations (``duration`` of ferries), vehicle limits (heights,
widths and lengths in metres, weights in kilograms), and the forward/backward variants of
a key (``maxspeed:forward``...).

Examples
--------
>>> parse_maxspeed("50"), parse_maxspeed("30 mph"), parse_maxspeed("FR:rural")
(50.0, 48.27, 80.0)
>>> parse_maxspeed("bogus") is None
True
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "MAXSPEED_DEFAULT_KPH",
    "MAXSPEED_TABLE_KPH",
    "NON_NUMERIC_HEIGHT_M",
    "directional",
    "parse_duration",
    "parse_limit",
    "parse_maxspeed",
]

MAXSPEED_TABLE_KPH = {"fr:rural": 80.0, "none": 140.0}
"""Symbolic ``maxspeed`` values, km/h (car.lua ``maxspeed_table``: its French row and ``none``)."""

MAXSPEED_DEFAULT_KPH = {"urban": 50.0, "rural": 90.0, "trunk": 110.0, "motorway": 130.0}
"""Speed of ``xx:kind`` values not in the table (car.lua ``maxspeed_table_default``)."""

NON_NUMERIC_HEIGHT_M = 4.5
"""Height of a ``maxheight`` that is not a number (lib/measure.lua ``default_maxheight``)."""

_NON_NUMERIC_HEIGHTS = frozenset(("default", "none", "no-sign", "unsigned"))
_LIMIT_UNITS = {"height": "m", "width": "m", "length": "m", "weight": "kg"}
_MPH_KPH = 1.609  # lib/measure.lua miles_to_kilometers
_LEADING_NUMBER = re.compile(r"^\d+")
_COUNTRY_KIND = re.compile(r"[a-z][a-z]:([a-z]+)")
_NUMBER = re.compile(r"\d+\.?\d*")
_ISO_DURATION = re.compile(r"^PT?(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+)S)?$")


def parse_maxspeed(value: str | None) -> float | None:
    """Return a ``maxspeed`` tag value in km/h as car.lua reads it, or None.

    A leading number is the speed (``mph`` converts); otherwise the lower-cased value is
    looked up in car.lua's ``maxspeed_table`` (``FR:rural`` 80, ``none`` 140), then its
    ``xx:kind`` part in ``maxspeed_table_default`` (``urban`` 50, ``rural`` 90, ``trunk``
    110, ``motorway`` 130). Anything else (``walk``, ``FR:zone30``, ``signals``) is not a
    speed: the class speed stays.

    Parameters
    ----------
    value : str or None
        Value of a ``maxspeed``, ``source:maxspeed`` or ``maxspeed:type`` tag.

    Returns
    -------
    float or None
        Speed limit in km/h.

    Examples
    --------
    >>> parse_maxspeed("FR:motorway"), parse_maxspeed("90;70"), parse_maxspeed("walk")
    (130.0, 90.0, None)
    """
    if not value:
        return None
    text = value.strip()
    number = _LEADING_NUMBER.match(text)
    if number is not None:
        speed = float(number.group()) * (_MPH_KPH if "mph" in text or "mp/h" in text else 1.0)
    else:
        lower = text.lower()
        kind = _COUNTRY_KIND.search(lower)
        speed = MAXSPEED_TABLE_KPH.get(lower) or (
            MAXSPEED_DEFAULT_KPH.get(kind.group(1), 0.0) if kind else 0.0
        )
    return round(speed, 6) if speed > 0 else None


def parse_duration(value: str | None) -> float | None:
    """Return an OSM ``duration`` tag (``"HH:MM"``, ``"HH:MM:SS"``, minutes, ISO 8601) in seconds.

    Parameters
    ----------
    value : str or None
        Value of a ferry's ``duration`` tag.

    Returns
    -------
    float or None
        Seconds, or None when absent or unreadable.

    Examples
    --------
    >>> parse_duration("01:30"), parse_duration("45"), parse_duration("0:00:30")
    (5400.0, 2700.0, 30.0)
    >>> parse_duration("PT1H15M")
    4500.0
    """
    if not value:
        return None
    text = value.strip()
    iso = _ISO_DURATION.match(text)
    if iso is not None and any(iso.groups()):
        h, m, s = (float(g) if g else 0.0 for g in iso.groups())
        seconds = h * 3600.0 + m * 60.0 + s
        return seconds if seconds > 0 else None
    try:
        numbers = [float(p) for p in text.split(":")]
    except ValueError:
        return None
    if len(numbers) not in (1, 2, 3):
        return None
    factors = (60.0,) if len(numbers) == 1 else (3600.0, 60.0, 1.0)
    seconds = sum(n * f for n, f in zip(numbers, factors, strict=False))
    return seconds if seconds > 0 else None


def directional(tags: Mapping[str, str], keys: Sequence[str]) -> tuple[str | None, str | None]:
    """Return the (forward, backward) value of the first of ``keys`` set (``Tags.get_forward_backward_by_set``).

    Each key is read as ``key:forward`` / ``key:backward``, then plain ``key``.

    Parameters
    ----------
    tags : mapping of str to str
        OSM tags.
    keys : sequence of str
        Keys, most specific first.

    Returns
    -------
    tuple of (str or None, str or None)
        Values for each direction.

    Examples
    --------
    >>> directional({"access": "no", "motor_vehicle:backward": "yes"}, ("motor_vehicle", "access"))
    ('no', 'yes')
    """
    forward = backward = None
    for key, key_forward, key_backward in _variants(tuple(keys)):
        forward = forward or tags.get(key_forward)
        backward = backward or tags.get(key_backward)
        if forward is None or backward is None:
            common = tags.get(key)
            forward, backward = forward or common, backward or common
        if forward is not None and backward is not None:
            break
    return forward, backward


@functools.cache
def _variants(keys: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((key, f"{key}:forward", f"{key}:backward") for key in keys)


def parse_limit(what: str, value: str | None) -> float | None:
    """Return a vehicle limit tag value as car.lua reads it (``Measure.get_max_*``).

    Heights, widths and lengths are in metres (``Measure.parse_value_meters``): the first
    number of the value; with a ``'``, feet and inches. A height of ``default``, ``none``,
    ``no-sign`` or ``unsigned`` is :data:`NON_NUMERIC_HEIGHT_M`. Weights are in kilograms
    (``Measure.parse_value_kilograms``): the first number, in tonnes unless the value says
    ``kg`` or ``lbs``.

    Parameters
    ----------
    what : {"height", "width", "length", "weight"}
        The limit the value gives.
    value : str or None
        Value of a ``maxheight``, ``maxwidth``, ``maxlength`` or ``maxweight`` tag.

    Returns
    -------
    float or None
        Metres or kilograms, or None when the value holds no number.

    Examples
    --------
    >>> parse_limit("width", "3,5 m"), round(parse_limit("height", "6'6"), 3)
    (3.5, 1.981)
    >>> parse_limit("height", "default"), parse_limit("length", "default")
    (4.5, None)
    >>> parse_limit("weight", "3.5"), parse_limit("weight", "1500 kg")
    (3500.0, 1500.0)
    """
    if value is None:
        return None
    if what == "height" and value in _NON_NUMERIC_HEIGHTS:
        return NON_NUMERIC_HEIGHT_M
    number = _NUMBER.search(value.replace(",", "."))
    if number is None:
        return None
    amount = float(number.group())
    if _LIMIT_UNITS[what] == "kg":
        return amount * (0.45359237 if "lbs" in value else 1.0 if "kg" in value else 1000.0)
    if "'" in value:
        inches = re.search(r"\d+", value[value.index("'") :])
        amount = (amount * 12 + (float(inches.group()) if inches else 0.0)) * 0.0254
    return amount
