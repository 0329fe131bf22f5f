"""Canonical column names, units and validators shared by every stage.

Frames passed between stages:

* **communes**: GeoDataFrame indexed by ``code_insee`` (str), EPSG:2154, columns
  :data:`COMMUNE_COLUMNS`.
* **venues**: GeoDataFrame with a default index, EPSG:2154, columns :data:`VENUE_COLUMNS`.

EPSG:2154 (Lambert-93) is the working CRS of metropolitan France. Lambert-93 does not fit
the overseas régions (at La Réunion its scale factor is 1.88: every distance would be 88 %
too long), so their frames are in the legal projected CRS of each (décret 2006-272 and
arrêté of 5 March 2019): :data:`OVERSEAS_CRS`, :func:`working_crs`. Every frame of one
analysis is in the same working CRS; :func:`check_crs` accepts any of :data:`WORKING_CRS`.
* **rejected rows**: DataFrame with :data:`REJECT_COLUMNS`; ``row`` is the 0-based position
  of the row in the input file.
* **origins**: GeoDataFrame indexed by ``origin_id``, EPSG:2154, columns
  :data:`ORIGIN_COLUMNS`: population-weighted points from which travel times are measured.
* **travel times**: a long table ``origin_id, dest_id, travel_time_s``
  (:data:`OD_COLUMNS`).
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import TYPE_CHECKING

from maillage.errors import ColumnError, InputDataError, OptionError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    import geopandas as gpd
    import pandas as pd

__all__ = [
    "COMMUNE_COLUMNS",
    "CRS",
    "DEFAULT_THRESHOLD_MIN",
    "LOCATION_QUALITIES",
    "OD_COLUMNS",
    "ORIGIN_COLUMNS",
    "OVERSEAS_CRS",
    "PROVENANCE_MEANING",
    "REJECT_COLUMNS",
    "SUMMARY_KEYS",
    "SUMMARY_RANGE_KEYS",
    "VENUE_COLUMNS",
    "WORKING_CRS",
    "Provenance",
    "check_choice",
    "check_columns",
    "check_crs",
    "check_not_empty",
    "check_populations",
    "check_working_crs",
    "credits_of",
    "provenance",
    "threshold_of",
    "working_crs",
]

CRS = "EPSG:2154"
"""Lambert-93, the working CRS of every metropolitan frame (metres)."""
OVERSEAS_CRS = {
    "01": "EPSG:5490",  # Guadeloupe: RGAF09 / UTM zone 20N
    "02": "EPSG:5490",  # Martinique: RGAF09 / UTM zone 20N
    "03": "EPSG:2972",  # Guyane: RGFG95 / UTM zone 22N
    "04": "EPSG:2975",  # La Réunion: RGR92 / UTM zone 40S
    "06": "EPSG:4471",  # Mayotte: RGM04 / UTM zone 38S
}
"""Working CRS (metres) of each overseas région, by région code: its legal projection."""
WORKING_CRS = (CRS, *sorted(set(OVERSEAS_CRS.values())))
"""Every working CRS a frame may be in."""

COMMUNE_COLUMNS = ("nom", "departement", "region", "epci", "population", "geometry")
VENUE_COLUMNS = (
    "venue_id",
    "name",
    "kind",
    "code_insee",
    "opened",
    "closed",
    "supported",
    "location_quality",
    "geometry",
)
LOCATION_QUALITIES = ("address", "commune_centroid")
REJECT_COLUMNS = ("row", "venue_id", "reason")
ORIGIN_COLUMNS = ("code_insee", "population", "geometry")
OD_COLUMNS = ("origin_id", "dest_id", "travel_time_s")
SUMMARY_KEYS = (
    "area",
    "communes",
    "population",
    "venues",
    "threshold_min",
    "population_within_threshold",
    "share_within_threshold",
    "white_zone_communes",
    "white_zone_population",
    "median_time_min",
    "travel_time_model",
    "data_credits",
)
"""Keys of every report's ``summary.json``, in order."""

SUMMARY_RANGE_KEYS = (
    "share_within_threshold_low",
    "share_within_threshold_high",
    "white_zone_population_low",
    "white_zone_population_high",
)
"""Keys that follow :data:`SUMMARY_KEYS` when the travel-time model knows its measured error
(:func:`maillage.analysis.uncertainty.headline_range`)."""


def check_columns(frame: pd.DataFrame, required: Iterable[str], *, name: str) -> None:
    """Raise if ``frame`` lacks any of ``required``, naming all of them at once.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to check.
    required : iterable of str
        Column names that must be present.
    name : str
        Argument name used in the message.

    Raises
    ------
    ColumnError
        Listing the missing columns and the columns found.

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"a": [1]}), ["a", "b"], name="venues")
    Traceback (most recent call last):
    ...
    maillage.errors.ColumnError: venues is missing column(s) 'b'; found: 'a'
    """
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns)
        miss = ", ".join(repr(c) for c in missing)
        msg = f"{name} is missing column(s) {miss}; found: {found}"
        raise ColumnError(msg)


def working_crs(region: str | None = None) -> str:
    """Return the working CRS of a région: Lambert-93, or the overseas région's projection.

    Parameters
    ----------
    region : str, optional
        Région code (COG); None or a metropolitan région gives Lambert-93.

    Returns
    -------
    str
        ``"EPSG:..."``.

    Examples
    --------
    >>> working_crs(), working_crs("75"), working_crs("04")
    ('EPSG:2154', 'EPSG:2154', 'EPSG:2975')
    """
    return OVERSEAS_CRS.get(str(region), CRS) if region is not None else CRS


def check_crs(frame: gpd.GeoDataFrame, *, name: str, crs: str | None = None) -> None:
    """Raise if ``frame`` is not in ``crs`` (by default: in one of :data:`WORKING_CRS`).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or geopandas.GeoSeries
        Frame to check.
    name : str
        Argument name used in the message.
    crs : str, optional
        Expected CRS; by default any working CRS (Lambert-93, or an overseas région's).

    Raises
    ------
    InputDataError
        Naming both CRSs and the fix.

    Examples
    --------
    >>> import geopandas as gpd
    >>> check_crs(gpd.GeoDataFrame(geometry=[], crs=2975), name="communes")  # La Réunion
    >>> check_crs(gpd.GeoDataFrame(geometry=[], crs=4326), name="communes")
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: communes is in EPSG:4326, expected EPSG:2154 (or an overseas région's CRS: EPSG:2972, EPSG:2975, EPSG:4471, EPSG:5490); call .to_crs('EPSG:2154')
    """
    expected = (crs,) if crs is not None else WORKING_CRS
    target = expected[0]
    if frame.crs is None:
        msg = f"{name} has no CRS; set it with .set_crs(...) then call .to_crs({target!r})"
        raise InputDataError(msg)
    if not any(frame.crs.equals(c) for c in expected):
        others = f" (or an overseas région's CRS: {', '.join(expected[1:])})" if crs is None else ""
        msg = (
            f"{name} is in {frame.crs.to_string()}, expected {target}{others}; "
            f"call .to_crs({target!r})"
        )
        raise InputDataError(msg)


def check_working_crs(name: str, crs: object) -> str:
    """Return ``crs`` as the ``"EPSG:..."`` of :data:`WORKING_CRS` it is, else raise.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    crs : str, int or pyproj.CRS
        A CRS in any form pyproj reads: ``"EPSG:5490"``, ``5490``, a ``pyproj.CRS``.

    Returns
    -------
    str
        One of :data:`WORKING_CRS`.

    Raises
    ------
    OptionError
        When ``crs`` is not a working CRS (the message lists them).

    Examples
    --------
    >>> check_working_crs("crs", 5490), check_working_crs("crs", "epsg:2975")
    ('EPSG:5490', 'EPSG:2975')
    >>> check_working_crs("crs", 4326)
    Traceback (most recent call last):
    ...
    maillage.errors.OptionError: crs must be 'EPSG:2154', 'EPSG:2972', 'EPSG:2975', 'EPSG:4471' or 'EPSG:5490', got 'EPSG:4326'
    """
    import pyproj  # noqa: PLC0415 - keeps the import of the package light

    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except (pyproj.exceptions.CRSError, TypeError, ValueError):
        parsed = None
    found = [c for c in WORKING_CRS if parsed is not None and parsed.equals(c)]
    if found:
        return found[0]
    shown = parsed.to_string() if parsed is not None else crs  # one line, not pyproj's repr
    return str(check_choice(name, shown, WORKING_CRS))  # raises: crs is none of them


def check_not_empty(frame: pd.DataFrame, *, name: str) -> None:
    """Raise if ``frame`` has no rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to check.
    name : str
        Argument name used in the message.

    Raises
    ------
    InputDataError
        When the frame is empty.
    """
    if len(frame) == 0:
        msg = f"{name} is empty: at least one row is needed"
        raise InputDataError(msg)


def check_populations(frame: pd.DataFrame, *, name: str, column: str = "population") -> None:
    """Raise if a population is missing, not a number, infinite or negative.

    Zero is allowed (an uninhabited commune). The message names the communes (the index,
    ``code_insee``, with ``nom`` when the frame has it), at most ten of them.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame indexed by ``code_insee`` with a population column.
    name : str
        Argument name used in the message.
    column : str
        The population column.

    Raises
    ------
    InputDataError
        When a population is not a finite number >= 0.

    Examples
    --------
    >>> import pandas as pd
    >>> check_populations(pd.DataFrame({"population": [0, 12]}, index=["a", "b"]), name="x")
    >>> check_populations(pd.DataFrame({"population": [-3.0, float("inf")]}, index=["a", "b"]),
    ...     name="communes")
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: communes : population manquante, négative, infinie ou non numérique pour 2 commune(s) : a (-3.0), b (inf) ; une population est un nombre d'habitants >= 0
    """
    import numpy as np  # noqa: PLC0415 - the ground floor loads no array library: keeps --help fast
    import pandas as pd  # noqa: PLC0415 - same reason

    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    bad = ~(np.isfinite(values.to_numpy()) & (values.to_numpy() >= 0))
    if not bad.any():
        return
    names = frame["nom"] if "nom" in frame.columns else None
    shown = [
        f"{code}{f' {names[code]}' if names is not None else ''} ({frame[column].iloc[i]})"
        for i, code in zip(np.flatnonzero(bad)[:10], frame.index[bad][:10], strict=True)
    ]
    more = " …" if bad.sum() > 10 else ""
    msg = (
        f"{name} : population manquante, négative, infinie ou non numérique pour "
        f"{int(bad.sum())} commune(s) : {', '.join(shown)}{more} ; une population est un "
        "nombre d'habitants >= 0"
    )
    raise InputDataError(msg)


DEFAULT_THRESHOLD_MIN = 20.0
"""Access threshold in minutes when none is given nor recorded."""


def threshold_of(threshold_min: float | None, frame: pd.DataFrame | None = None) -> float:
    """Return the access threshold in minutes, by the one rule every function follows.

    The threshold given; else the one recorded in ``frame.attrs["threshold_min"]``
    (:data:`Provenance.THRESHOLD_MIN`; coverage
    records it on every output); else :data:`DEFAULT_THRESHOLD_MIN`.

    Parameters
    ----------
    threshold_min : float or None
        Threshold given by the caller.
    frame : pandas.DataFrame, optional
        An output of coverage.

    Returns
    -------
    float
        A positive number of minutes.

    Raises
    ------
    OptionError
        When the threshold is not a positive number.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame()
    >>> frame.attrs["threshold_min"] = 30
    >>> threshold_of(None, frame), threshold_of(15, frame), threshold_of(None)
    (30.0, 15.0, 20.0)
    """
    value: object = threshold_min
    if value is None and frame is not None:
        value = provenance(frame, Provenance.THRESHOLD_MIN)
    if value is None:
        value = DEFAULT_THRESHOLD_MIN
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not (math.isfinite(number) and number > 0):
        msg = f"threshold_min must be a positive number of minutes (got {value!r})"
        raise OptionError(msg)
    return number


def check_choice[T](name: str, value: T, choices: Collection[T]) -> T:
    """Return ``value`` when it is one of ``choices``, else raise :class:`OptionError`.

    The one check of every argument that takes a value from a fixed list (``errors=``,
    ``method=``, a profile, an algorithm...): the message names the argument, the allowed
    values and the value given.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given.
    choices : collection
        The allowed values, in the order the message lists them.

    Returns
    -------
    object
        ``value``.

    Raises
    ------
    OptionError
        When ``value`` is not one of ``choices``.

    Examples
    --------
    >>> check_choice("method", "exact", ("greedy", "exact"))
    'exact'
    >>> check_choice("errors", "ignore", ("raise", "warn", "report"))
    Traceback (most recent call last):
    ...
    maillage.errors.OptionError: errors must be 'raise', 'warn' or 'report', got 'ignore'
    """
    if value in choices:
        return value
    listed = [repr(c) for c in choices]
    allowed = listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"
    msg = f"{name} must be {allowed}, got {value!r}"
    raise OptionError(msg)


class Provenance(StrEnum):
    """The keys of ``DataFrame.attrs``: what a frame says about where it comes from.

    Every key a maillage frame carries is named here, once, with its meaning
    (:data:`PROVENANCE_MEANING`); read them with :func:`provenance` (or the typed
    :func:`credits_of`, :func:`threshold_of`). A member is a ``str``: ``frame.attrs[key]``
    and ``json`` take it as its value. ``tests/test_provenance.py`` fails when the code uses
    a key that is not here.

    Examples
    --------
    >>> Provenance.DATA_CREDITS == "data_credits", Provenance("threshold_min").name
    (True, 'THRESHOLD_MIN')
    """

    DATA_CREDITS = "data_credits"
    THRESHOLD_MIN = "threshold_min"
    TRAVEL_TIME_MODEL = "travel_time_model"
    ORIGINS = "origins"
    GRID_COVERAGE = "grid_coverage"
    VENUES = "venues"
    EXCLUDED = "excluded"
    UNPLACED_COMMUNES = "unplaced_communes"
    POPULATION = "population"
    METHOD = "method"
    EXACT = "exact"
    K = "k"
    CENSUS = "census"
    ROW_IDS = "row_ids"
    OUTSIDE_SELECTION = "outside_selection"
    SUPPORT_MATCHING = "support_matching"
    SUPPORTED_CONTRIBUTION = "supported_contribution"
    SUPPORTED_GROUP = "supported_group"
    MISSING_GEOMETRY = "missing_geometry"
    APPROXIMATE_GEOMETRY = "approximate_geometry"
    CITIES_SPLIT = "cities_split"
    EXTENT = "extent"
    SOURCE = "source"
    FILE = "file"
    VINTAGE = "vintage"
    LAYOUT = "layout"
    ROWS_READ = "rows_read"
    MODE_CODING = "mode_coding"
    UNKNOWN_MODES = "unknown_modes"
    PCS_COLUMN = "pcs_column"
    ARRONDISSEMENTS = "arrondissements"
    WORKERS_REJECTED = "workers_rejected"
    WORKERS_UNKNOWN_MODE = "workers_unknown_mode"
    WORKERS_HOME_OUTSIDE = "workers_home_outside"
    WORKERS_BY_HOME = "workers_by_home"
    MIN_COMMUTE_MIN = "min_commute_min"
    MAX_ACCESS_MIN = "max_access_min"
    MAX_COMMUTE_MIN = "max_commute_min"
    SAVED_MIN_PER_DAY_NOW = "saved_min_per_day_now"
    SCENARIO = "scenario"
    PCS_KNOWN_SHARE = "pcs_known_share"
    VENUE_KINDS_COUNTED = "venue_kinds_counted"
    VENUES_BY_KIND = "venues_by_kind"
    CITY_CAVEAT = "city_caveat"


PROVENANCE_MEANING: dict[Provenance, str] = {
    Provenance.DATA_CREDITS: "catalogue names or attribution lines of the datasets to credit",
    Provenance.THRESHOLD_MIN: "access threshold (min) the figures were computed at",
    Provenance.TRAVEL_TIME_MODEL: "the travel-time model's describe()",
    Provenance.ORIGINS: "where the residents' origins come from: 'lattice' or 'grid'",
    Provenance.GRID_COVERAGE: "how many communes the population grid placed, and the fallback",
    Provenance.VENUES: "number of venues placed by the model",
    Provenance.EXCLUDED: "ids of the venues the model could not place",
    Provenance.UNPLACED_COMMUNES: "communes none of whose origins the model could place",
    Provenance.POPULATION: "population the attribution was computed on",
    Provenance.METHOD: "siting method ('greedy' or 'exact')",
    Provenance.EXACT: "exact siting: optimal, gap reached, seconds, time limit, choice kept",
    Provenance.K: "number of nearest venues searched (nearest_k)",
    Provenance.CENSUS: "accounting of the census rows read, rejected, placed, duplicated",
    Provenance.ROW_IDS: "True when the venue ids are row numbers (not stable across lists)",
    Provenance.OUTSIDE_SELECTION: "venues read that lie outside the selected area",
    Provenance.SUPPORT_MATCHING: "counts of mark_supported (matched, unmatched, appended)",
    Provenance.SUPPORTED_CONTRIBUTION: "residents covered thanks to the supported venues",
    Provenance.SUPPORTED_GROUP: "the same, as closure_impact's group of supported venues",
    Provenance.MISSING_GEOMETRY: "communes kept without a polygon",
    Provenance.APPROXIMATE_GEOMETRY: "communes whose polygon is approximate (split, restored)",
    Provenance.CITIES_SPLIT: "cities replaced by their arrondissements",
    Provenance.EXTENT: "square of the population-grid tile (EPSG:3035)",
    Provenance.SOURCE: "name of the file or catalogue entry read",
    Provenance.FILE: "name of the commute file read",
    Provenance.VINTAGE: "census vintage of the commute file",
    Provenance.LAYOUT: "layout of the commute file (detail, flows, R table)",
    Provenance.ROWS_READ: "rows read from the commute file",
    Provenance.MODE_CODING: "how the commute file codes the transport mode",
    Provenance.UNKNOWN_MODES: "mode values the coding does not know, with their workers",
    Provenance.PCS_COLUMN: "column of the occupational group read (None when none)",
    Provenance.ARRONDISSEMENTS: "whether any flow is by arrondissement",
    Provenance.WORKERS_REJECTED: "workers of the commute rows rejected",
    Provenance.WORKERS_UNKNOWN_MODE: "workers without a mode, counted as car commuters",
    Provenance.WORKERS_HOME_OUTSIDE: "workers whose home is outside the communes",
    Provenance.WORKERS_BY_HOME: "workers per home commune",
    Provenance.MIN_COMMUTE_MIN: "shortest commute (min) counted as long",
    Provenance.MAX_ACCESS_MIN: "longest access (min) to a venue counted",
    Provenance.MAX_COMMUTE_MIN: "longest commute (min) counted as daily",
    Provenance.SAVED_MIN_PER_DAY_NOW: "minutes a day the venues save today (commute siting)",
    Provenance.SCENARIO: "the commute scenario's assumptions table",
    Provenance.PCS_KNOWN_SHARE: "share of car commuters whose occupational group is known",
    Provenance.VENUE_KINDS_COUNTED: "venue kinds the commute figures count, in French",
    Provenance.VENUES_BY_KIND: "venues of each kind and whether they were counted",
    Provenance.CITY_CAVEAT: "why no venue is ranked on a city counted whole",
}
"""What each :class:`Provenance` key holds."""


def provenance(frame: pd.DataFrame, key: Provenance | str, default: object = None) -> object:
    """Return ``frame.attrs[key]``, or ``default``; ``key`` must be a :class:`Provenance` key.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame()
    >>> frame.attrs[Provenance.THRESHOLD_MIN] = 15.0
    >>> provenance(frame, "threshold_min"), provenance(frame, Provenance.CENSUS, {})
    (15.0, {})
    >>> provenance(frame, "treshold_min")
    Traceback (most recent call last):
    ValueError: 'treshold_min' is not a valid Provenance
    """
    return frame.attrs.get(Provenance(key).value, default)


def credits_of(*frames: pd.DataFrame | None) -> list[str]:
    """Return the ``data_credits`` of ``frames``, in order, without repeats.

    Examples
    --------
    >>> import pandas as pd
    >>> a, b = pd.DataFrame(), pd.DataFrame()
    >>> a.attrs["data_credits"], b.attrs["data_credits"] = ["insee", "ign"], ["ign", "cget"]
    >>> credits_of(a, None, b)
    ['insee', 'ign', 'cget']
    """
    found = (
        str(c)
        for frame in frames
        if frame is not None
        for c in provenance(frame, Provenance.DATA_CREDITS, None) or []  # type: ignore[attr-defined]
    )
    return list(dict.fromkeys(found))
