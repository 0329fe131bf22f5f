"""Typed canonical venue fields from a raw census table: kind, years, support, location quality.

Values that cannot be understood become NA and are counted in one
:class:`~maillage.errors.MaillageWarning` per column (never silently).

Examples
--------
>>> import pandas as pd
>>> parse_years(pd.Series(["Espace labellisé 01/02/2020", "2019", None]), column="opened").tolist()
[2020, 2019, <NA>]
>>> parse_supported(pd.Series(["oui", "Non", None, "1"])).tolist()
[True, False, <NA>, True]
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import pandas as pd

from maillage.errors import MaillageWarning
from maillage.load.census_schemas import KIND_UNKNOWN

if TYPE_CHECKING:
    from maillage.load.census_schemas import CensusSchema

__all__ = ["canonical_fields", "parse_kinds", "parse_supported", "parse_years"]

_TRUE = {"1", "true", "vrai", "oui", "yes", "o", "y", "x"}
_FALSE = {"0", "false", "faux", "non", "no", "n"}
_QUALITY_ALIASES = {
    "address": "address",
    "adresse": "address",
    "commune_centroid": "commune_centroid",
    "centroid": "commune_centroid",
    "centroide": "commune_centroid",
    "centroïde": "commune_centroid",
    "commune": "commune_centroid",
}


def _warn_unparsed(text: pd.Series, parsed: pd.Series, column: str) -> None:
    bad = text.notna() & (text != "") & parsed.isna()
    if bad.any():
        examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
        msg = f"{int(bad.sum())} value(s) of {column!r} not understood and set to NA: {examples}"
        warnings.warn(msg, MaillageWarning, stacklevel=6)  # the caller of load_venues


def parse_years(values: pd.Series, *, column: str) -> pd.Series:
    """Extract a year (1800-2099) from each value: ``2019``, ``01/05/2019``, ``2019-05-01``.

    Parameters
    ----------
    values : pandas.Series
        Text or numbers.
    column : str
        Canonical column name, for the warning.

    Returns
    -------
    pandas.Series
        Int64 years, NA where absent or not understood.
    """
    text = values.astype("string").str.strip()
    years = text.str.extract(r"(?<!\d)(1[89]\d\d|20\d\d)(?:\.0)?(?!\d)", expand=False)
    parsed = pd.to_numeric(years, errors="coerce").astype("Int64")
    _warn_unparsed(text, parsed, column)
    return parsed


def parse_supported(values: pd.Series) -> pd.Series:
    """Read yes/no values (oui/non, true/false, 1/0) as a nullable boolean.

    Parameters
    ----------
    values : pandas.Series
        Text or booleans.

    Returns
    -------
    pandas.Series
        pandas ``boolean`` dtype, NA where absent or not understood.
    """
    text = values.astype("string").str.strip().str.lower().str.replace(r"\.0$", "", regex=True)
    parsed = pd.Series(pd.NA, index=values.index, dtype="boolean")
    parsed[text.isin(_TRUE).fillna(False)] = True
    parsed[text.isin(_FALSE).fillna(False)] = False
    _warn_unparsed(text, parsed, "supported")
    return parsed


def parse_kinds(raw: pd.DataFrame, schema: CensusSchema | None, default: str | None) -> pd.Series:
    """Return the kind of each venue.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table.
    schema : CensusSchema or None
        Recognised schema (its kind labels and id prefixes).
    default : str or None
        Kind of venues whose census says nothing; None: :data:`KIND_UNKNOWN`.

    Returns
    -------
    pandas.Series
        Kinds as text, never NA.
    """
    fallback = default if default is not None else KIND_UNKNOWN
    kinds = pd.Series(pd.NA, index=raw.index, dtype="string")
    if "kind" in raw.columns:
        kinds = raw["kind"].astype("string").str.strip().replace("", pd.NA)
        if schema is not None and schema.kinds:
            kinds = kinds.map(schema.kinds).astype("string")
    if schema is not None and schema.id_kinds:
        ids = raw["venue_id"].astype("string")
        for prefix, kind in schema.id_kinds.items():
            kinds = kinds.mask(ids.str.startswith(prefix).fillna(False) & kinds.isna(), kind)
    if schema is not None and "kind" in schema.constants:
        kinds = kinds.fillna(str(schema.constants["kind"]))
    return kinds.fillna(fallback)


def _location_quality(raw: pd.DataFrame, schema: CensusSchema | None) -> pd.Series:
    if "location_quality" in raw.columns:
        text = raw["location_quality"].astype("string").str.strip().str.lower()
        return text.map(_QUALITY_ALIASES).astype("string")
    constant = schema.constants.get("location_quality", "address") if schema else "address"
    return pd.Series(str(constant), index=raw.index, dtype="string")


def canonical_fields(
    raw: pd.DataFrame, schema: CensusSchema | None, *, kind: str | None = None
) -> pd.DataFrame:
    """Return the typed canonical attribute columns (no geometry) of a raw census table.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table with canonical names.
    schema : CensusSchema or None
        Recognised schema, for constants and kind labels.
    kind : str, optional
        Kind of venues whose census gives none.

    Returns
    -------
    pandas.DataFrame
        ``venue_id``, ``name``, ``kind``, ``opened``, ``closed``, ``supported``,
        ``location_quality`` indexed like ``raw``. ``location_quality`` is NA where the
        census value is not one of :data:`~maillage.schema.LOCATION_QUALITIES`.
    """
    constants = schema.constants if schema is not None else {}
    empty = pd.Series(pd.NA, index=raw.index, dtype="string")
    out = pd.DataFrame(index=raw.index)
    out["venue_id"] = raw["venue_id"].astype("string").str.strip()
    out["name"] = raw["name"].astype("string").str.strip()
    out["kind"] = parse_kinds(raw, schema, kind)
    for column in ("opened", "closed"):
        values = raw[column] if column in raw.columns else empty
        out[column] = parse_years(values, column=column)
    if "supported" in raw.columns:
        out["supported"] = parse_supported(raw["supported"])
    else:
        value = constants.get("supported", pd.NA)
        out["supported"] = pd.Series(value, index=raw.index, dtype="boolean")
    out["location_quality"] = _location_quality(raw, schema)
    return out
