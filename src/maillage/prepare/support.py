"""Mark the publicly supported venues of a census from a list of labelled venues.

A census such as the CGET tiers-lieux 2019 says nothing about public support, while the
ANCT lists of labelled venues ("Fabriques de territoire", "Manufactures de proximité")
name the supported ones but place them at their commune centroid. :func:`match_supported`
pairs each labelled venue with the census venue(s) it corresponds to, and
:func:`mark_supported` marks those census venues as supported and appends the labelled
venues that the census does not hold (opened later, or missed by it).

Matching rule (documented choices):

* **Labelled venues**: a labelled row may hold several venues of one commune, ids and names
  separated by ``"; "`` (the upstream ANCT layer merges them per commune). It is split
  into one venue per id when ids and names have the same count; parts whose names are
  similar (the same venue labelled in two waves) stay together.
* **Place**: a candidate census venue has the same current commune code (COG 2026), or
  lies within ``max_distance_km`` of the labelled point (a commune centroid).
* **Name**: names are normalised (lower case, accents and punctuation stripped, a final
  ``s``/``x`` dropped from words of more than 3 letters) and stop words removed: articles
  and prepositions (``le``, ``la``, ``de``...), generic words (``tiers``, ``lieu``,
  ``coworking``, ``fablab``, ``lab``, ``association``, ``scic``...) and the words of
  either commune's name. The similarity is the larger of the token overlap
  ``|A & B| / min(|A|, |B|)`` and :class:`difflib.SequenceMatcher` ratio of the joined
  words; a name with no word left scores 0. A pair matches when it reaches
  ``min_name_similarity`` (``match_method`` ``"name+commune"``, or ``"name+distance"``
  when the codes differ). Every pair above the threshold matches: a labelled consortium
  may match several census venues, a census venue several labelled ones.
* **Place only** (``location_only=True``, off by default): a labelled venue left
  unmatched that is alone in its commune, where the census holds exactly one venue, is
  paired with it (``match_method`` ``"commune_only"``). It is off because on
  Nouvelle-Aquitaine most such pairs are visibly different venues (a Fabrique de
  territoire and a coworking of the same town).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
import pandas as pd

from maillage.errors import InputDataError, OptionError
from maillage.load.cog import read_cog_table
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Unpack

    import geopandas as gpd

__all__ = [
    "MAX_DISTANCE_KM",
    "MIN_NAME_SIMILARITY",
    "STOP_WORDS",
    "describe_support",
    "mark_supported",
    "match_supported",
    "name_similarity",
    "support_counts",
]

logger = logging.getLogger(__name__)

STOP_WORDS = frozenset(
    {
        # articles, prepositions, conjunctions
        *("le", "la", "les", "l", "de", "du", "des", "d", "et", "a", "au", "aux", "en"),
        *("un", "une", "sur", "sous", "pour", "par", "avec", "chez", "the", "of", "and"),
        # generic words of venue names, and legal forms
        *("tiers", "lieu", "tierslieu", "coworking", "cowork", "co", "working"),
        *("fablab", "fab", "lab", "association", "asso", "scic", "sas", "sarl", "sa"),
        *("scop", "projet", "consortium", "reseau"),
    }
)
"""Words ignored when comparing venue names (after normalisation)."""

MAX_DISTANCE_KM = 5.0
"""Default reach, from a labelled point (a commune centroid), to a census venue of another commune."""

MIN_NAME_SIMILARITY = 0.75
"""Default least name similarity for a match: on Nouvelle-Aquitaine the true pairs score 1.0
and the best false candidate 0.59 (CGET 2019 vs Fabriques de territoire 2024)."""

_MATCH_COLUMNS = (
    "labelled_id",
    "labelled_name",
    "venue_id",
    "name",
    "code_insee",
    "distance_m",
    "name_similarity",
    "match_method",
)


class _MatchOptions(TypedDict, total=False):
    """The matching rule's options: :func:`mark_supported` passes them to :func:`match_supported`."""

    max_distance_km: float
    min_name_similarity: float
    location_only: bool


def _words(text: object, ignore: Iterable[str] = ()) -> tuple[str, ...]:
    """Normalised words of a name, without stop words nor ``ignore`` words."""
    if not isinstance(text, str):
        return ()
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    drop = STOP_WORDS | set(ignore)
    words = [w for w in re.findall(r"[a-z0-9]+", plain) if w not in drop]
    words = [w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words]
    return tuple(w for w in words if w not in drop and (len(w) > 1 or w.isdigit()))


def name_similarity(a: object, b: object, *, ignore: Iterable[str] = ()) -> float:
    """Return the similarity of two venue names, 0 (unrelated) to 1 (same words).

    Parameters
    ----------
    a, b : str
        Venue names (anything else scores 0).
    ignore : iterable of str
        Further words to leave out, already normalised (e.g. the commune's name).

    Returns
    -------
    float
        The larger of the word overlap ``|A & B| / min(|A|, |B|)`` and the
        :class:`difflib.SequenceMatcher` ratio of the normalised names; 0 when either name
        has no word left.

    Examples
    --------
    >>> name_similarity("L'Établi", "L'etabli")
    1.0
    >>> name_similarity("Tiers-lieu La Smalah", "La Smalah - Sauce Ouest")
    1.0
    >>> name_similarity("Fablab Pau", "Work in Pau", ignore=["pau"])
    0.0
    >>> round(name_similarity("Coeur de Bastide", "La Bastide Numérique"), 2)
    0.5
    """
    wa, wb = _words(a, ignore), _words(b, ignore)
    if not wa or not wb:
        return 0.0
    sa, sb = set(wa), set(wb)
    overlap = len(sa & sb) / min(len(sa), len(sb))
    ratio = SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio()
    return float(max(overlap, ratio))


def _check_inputs(venues: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame, **options: float) -> None:
    for name, frame in (("venues", venues), ("labelled", labelled)):
        check_columns(frame, ["venue_id", "name", "code_insee", "geometry"], name=name)
        check_crs(frame, name=name)
    for name, value in options.items():
        ok = not isinstance(value, bool) and isinstance(value, int | float) and value >= 0
        if not ok or (name == "min_name_similarity" and not 0 < value <= 1):
            limits = "in (0, 1]" if name == "min_name_similarity" else ">= 0"
            msg = f"{name} must be a number {limits}, got {value!r}"
            raise OptionError(msg)
    ids = venues["venue_id"].astype("string")
    if ids.duplicated().any() or ids.isna().any():
        msg = (
            "venues has missing or duplicate venue_id values "
            f"({ids[ids.duplicated() | ids.isna()].head(5).tolist()}); give each venue one id"
        )
        raise InputDataError(msg)


def _group_parts(ids: list[str], names: list[str], threshold: float) -> list[tuple[str, str]]:
    """Group the parts of a merged labelled row; similar names are one venue."""
    groups: list[tuple[list[str], str]] = []
    for part_id, part_name in zip(ids, names, strict=True):
        for group_ids, group_name in groups:
            if name_similarity(part_name, group_name) >= threshold:
                group_ids.append(part_id)
                break
        else:
            groups.append(([part_id], part_name))
    return [("; ".join(group_ids), name) for group_ids, name in groups]


def split_labelled(labelled: gpd.GeoDataFrame, *, min_name_similarity: float) -> gpd.GeoDataFrame:
    """Return one row per labelled venue, splitting rows that merge several ``"; "``.

    Parameters
    ----------
    labelled : geopandas.GeoDataFrame
        Labelled venues (canonical venue columns).
    min_name_similarity : float
        Parts whose names reach it are the same venue (kept as one row).

    Returns
    -------
    geopandas.GeoDataFrame
        Same columns; ``venue_id`` and ``name`` of each part; a default index.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> lab = gpd.GeoDataFrame({"venue_id": ["f-1; f-2; f-3"],
    ...     "name": ["La Proue; Le Battement d'ailes; Battement d'ailes & Co"]},
    ...     geometry=[Point(0, 0)], crs=2154)
    >>> split_labelled(lab, min_name_similarity=0.8)[["venue_id", "name"]].values.tolist()
    [['f-1', 'La Proue'], ['f-2; f-3', "Le Battement d'ailes"]]
    """
    rows: list[tuple[str, str]] = []
    positions: list[int] = []
    for pos, (venue_id, name) in enumerate(
        zip(labelled["venue_id"], labelled["name"], strict=True)
    ):
        ids = [p.strip() for p in str(venue_id).split(";")]
        names = [p.strip() for p in str(name).split(";")] if isinstance(name, str) else []
        parts = (
            _group_parts(ids, names, min_name_similarity)
            if len(ids) > 1 and len(ids) == len(names)
            else [(venue_id, name)]
        )
        rows.extend(parts)
        positions.extend([pos] * len(parts))
    out = labelled.iloc[positions].copy()
    out["venue_id"] = [r[0] for r in rows]
    out["name"] = [r[1] for r in rows]
    return out.reset_index(drop=True)


def _candidates(
    venues: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame, max_distance_m: float
) -> pd.DataFrame:
    """Pairs (labelled position, venue position) in the same commune or within the distance."""
    codes = venues["code_insee"].astype("string").reset_index(drop=True)
    by_code = pd.DataFrame({"venue": np.arange(len(venues)), "code": codes})
    lab_codes = pd.DataFrame(
        {"label": np.arange(len(labelled)), "code": labelled["code_insee"].astype("string")}
    ).dropna()
    same = lab_codes.merge(by_code.dropna(), on="code")[["label", "venue"]]
    placed = labelled.geometry.notna() & ~labelled.geometry.is_empty
    near = venues.sindex.query(
        labelled.geometry[placed].to_numpy(), predicate="dwithin", distance=max_distance_m
    )
    close = pd.DataFrame({"label": np.flatnonzero(placed)[near[0]], "venue": near[1]})
    pairs = pd.concat([same, close]).drop_duplicates().reset_index(drop=True)
    lab_geom = labelled.geometry.iloc[pairs["label"]].reset_index(drop=True)
    ven_geom = venues.geometry.iloc[pairs["venue"]].reset_index(drop=True)
    pairs["distance_m"] = lab_geom.distance(ven_geom).to_numpy()
    lab_code = labelled["code_insee"].astype("string").iloc[pairs["label"]].to_numpy()
    pairs["same_commune"] = (codes.iloc[pairs["venue"]].to_numpy() == lab_code).astype(bool)
    return pairs


def _commune_words(codes: pd.Series) -> list[frozenset[str]]:
    """Return the normalised words of each commune's name, to leave out of venue names."""
    names = read_cog_table()["nom"]
    return [
        frozenset(_words(names.get(c))) if pd.notna(c) else frozenset()
        for c in codes.astype("string")
    ]


def _score(venues: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame, pairs: pd.DataFrame) -> pd.Series:
    ven_words = _commune_words(venues["code_insee"].reset_index(drop=True))
    lab_words = _commune_words(labelled["code_insee"].reset_index(drop=True))
    scores = [
        name_similarity(
            labelled["name"].iloc[lab],
            venues["name"].iloc[ven],
            ignore=lab_words[lab] | ven_words[ven],
        )
        for lab, ven in zip(pairs["label"], pairs["venue"], strict=True)
    ]
    return pd.Series(scores, index=pairs.index, dtype=float)


def _location_only(
    venues: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame, pairs: pd.DataFrame
) -> pd.DataFrame:
    """Same-commune pairs of a lone unmatched labelled venue and a lone census venue."""
    same = pairs[pairs["same_commune"]]
    lone_label = labelled["code_insee"].astype("string").duplicated(keep=False).to_numpy()
    lone_venue = venues["code_insee"].astype("string").duplicated(keep=False).to_numpy()
    keep = ~lone_label[same["label"]] & ~lone_venue[same["venue"]]
    matched = pairs.loc[pairs["match_method"].notna(), "label"]
    keep &= ~same["label"].isin(matched).to_numpy()
    return same[keep].assign(match_method="commune_only")


def match_supported(
    venues: gpd.GeoDataFrame,
    labelled: gpd.GeoDataFrame,
    *,
    max_distance_km: float = MAX_DISTANCE_KM,
    min_name_similarity: float = MIN_NAME_SIMILARITY,
    location_only: bool = False,
) -> pd.DataFrame:
    """Pair each labelled venue with the census venue(s) it corresponds to.

    The rule is in the module docstring (:mod:`maillage.prepare.support`).

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        The census (canonical venue columns, EPSG:2154, unique ``venue_id``).
    labelled : geopandas.GeoDataFrame
        The labelled, publicly supported venues (e.g. ``load_venues(
        "fabriques-territoire-2024")``); rows merging several venues are split.
    max_distance_km : float
        A census venue of another commune is a candidate within this distance of the
        labelled point (a commune centroid).
    min_name_similarity : float
        Least :func:`name_similarity` for a match, in (0, 1].
    location_only : bool
        Also pair, on location alone, a lone unmatched labelled venue with the only
        census venue of its commune (``"commune_only"``).

    Returns
    -------
    pandas.DataFrame
        One row per matched pair, plus one row per unmatched labelled venue (``venue_id``
        NA): ``labelled_id``, ``labelled_name``, ``venue_id``, ``name``, ``code_insee``
        (of the census venue, else of the labelled one), ``distance_m``,
        ``name_similarity``, ``match_method`` (``"name+commune"``, ``"name+distance"``,
        ``"commune_only"``, NA when unmatched). Sorted by labelled venue.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> census = gpd.GeoDataFrame({"venue_id": ["1", "2"], "name": ["L'Établi", "La Ruche"],
    ...     "code_insee": ["40310", "33063"]}, geometry=[Point(0, 0), Point(9e4, 0)], crs=2154)
    >>> lab = gpd.GeoDataFrame({"venue_id": ["fabt-1"], "name": ["Tiers-lieu l'etabli"],
    ...     "code_insee": ["40310"]}, geometry=[Point(800, 0)], crs=2154)
    >>> match_supported(census, lab)[["labelled_id", "venue_id", "match_method"]].values.tolist()
    [['fabt-1', '1', 'name+commune']]
    """
    _check_inputs(
        venues, labelled, max_distance_km=max_distance_km, min_name_similarity=min_name_similarity
    )
    labelled = split_labelled(labelled, min_name_similarity=min_name_similarity)
    pairs = _candidates(venues, labelled, float(max_distance_km) * 1000.0)
    pairs["name_similarity"] = _score(venues, labelled, pairs)
    method = np.where(pairs["same_commune"], "name+commune", "name+distance")
    hit = pairs["name_similarity"] >= min_name_similarity
    pairs["match_method"] = pd.Series(method, index=pairs.index).where(hit).astype("string")
    found = pairs[hit]
    if location_only:
        found = pd.concat([found, _location_only(venues, labelled, pairs)])
    return _match_table(venues, labelled, found)


def _match_table(
    venues: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame, found: pd.DataFrame
) -> pd.DataFrame:
    missing = np.setdiff1d(np.arange(len(labelled)), found["label"].to_numpy())
    table = pd.DataFrame(
        {
            "labelled_id": labelled["venue_id"].astype("string").iloc[found["label"]].to_numpy(),
            "labelled_name": labelled["name"].astype("string").iloc[found["label"]].to_numpy(),
            "venue_id": venues["venue_id"].astype("string").iloc[found["venue"]].to_numpy(),
            "name": venues["name"].astype("string").iloc[found["venue"]].to_numpy(),
            "code_insee": venues["code_insee"].astype("string").iloc[found["venue"]].to_numpy(),
            "distance_m": found["distance_m"].to_numpy(dtype=float),
            "name_similarity": found["name_similarity"].to_numpy(dtype=float),
            "match_method": found["match_method"].astype("string").to_numpy(),
            "_order": found["label"].to_numpy(),
        }
    )
    alone = pd.DataFrame(
        {
            "labelled_id": labelled["venue_id"].astype("string").iloc[missing].to_numpy(),
            "labelled_name": labelled["name"].astype("string").iloc[missing].to_numpy(),
            "code_insee": labelled["code_insee"].astype("string").iloc[missing].to_numpy(),
            "_order": missing,
        }
    )
    dtypes = dict.fromkeys(table.columns, "string") | {
        "distance_m": float,
        "name_similarity": float,
        "_order": int,
    }
    parts = [f.reindex(columns=table.columns).astype(dtypes) for f in (table, alone) if len(f)]
    table = pd.concat(parts) if parts else table.astype(dtypes)
    table = table.sort_values(["_order", "name_similarity"], ascending=[True, False], kind="stable")
    return table[list(_MATCH_COLUMNS)].reset_index(drop=True)


def _merge_credits(*frames: pd.DataFrame) -> list[str]:
    credits: list[str] = []
    for frame in frames:
        credits.extend(c for c in frame.attrs.get("data_credits", []) if c not in credits)
    return credits


def _joined(values: pd.Series, previous: pd.Series) -> pd.Series:
    """Join new labels after the previous ones (a census marked twice keeps both)."""
    both = pd.concat([previous.dropna(), values.dropna()])
    return both.groupby(level=0).agg("; ".join).reindex(previous.index).astype("string")


def _appended(
    out: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame, ids: pd.Series, source: str
) -> gpd.GeoDataFrame:
    """Return the unmatched labelled venues as rows of ``out``'s columns and dtypes."""
    rows = labelled[labelled["venue_id"].astype("string").isin(ids)].reset_index(drop=True)
    clash = rows["venue_id"].astype("string").isin(out["venue_id"].astype("string"))
    if clash.any():
        msg = (
            f"labelled venue id(s) {rows.loc[clash, 'venue_id'].tolist()} already name census "
            "venues; rename them in labelled, or leave add_unmatched=False"
        )
        raise InputDataError(msg)
    rows = rows.reindex(columns=out.columns)
    rows["supported"] = True
    rows["location_quality"] = "commune_centroid"
    rows["support_source"] = source + ":" + rows["venue_id"].astype(str)
    rows["match_method"] = "appended"
    dtypes = {c: t for c, t in out.dtypes.items() if c != out.geometry.name}
    return rows.astype(dtypes).set_geometry(out.geometry.name, crs=out.crs)


def _mark(
    venues: gpd.GeoDataFrame, matches: pd.DataFrame, source: str
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Copy the census and mark the matched venues; return it and the marked mask."""
    out = venues.copy().reset_index(drop=True)
    if "supported" not in out:
        out["supported"] = pd.NA
    out["supported"] = out["supported"].astype("boolean")
    for column in ("support_source", "match_method"):
        if column not in out:
            out[column] = pd.NA
        out[column] = out[column].astype("string")
    pairs = matches.dropna(subset=["venue_id"])
    position = pd.Series(out.index, index=out["venue_id"].astype("string"))
    at = position.reindex(pairs["venue_id"]).to_numpy()
    labels = pd.Series((source + ":" + pairs["labelled_id"]).to_numpy(), index=at)
    methods = pd.Series(pairs["match_method"].to_numpy(), index=at)
    methods = methods.groupby(level=0).agg(lambda m: "; ".join(dict.fromkeys(m)))
    out["support_source"] = _joined(labels.groupby(level=0).agg("; ".join), out["support_source"])
    out["match_method"] = _joined(methods, out["match_method"])
    marked = out.index.isin(at)
    out.loc[marked, "supported"] = True
    return out, marked


def mark_supported(
    venues: gpd.GeoDataFrame,
    labelled: gpd.GeoDataFrame,
    *,
    add_unmatched: bool = False,
    unmatched_supported: bool | None = None,
    source: str | None = None,
    **matching: Unpack[_MatchOptions],
) -> gpd.GeoDataFrame:
    """Mark the census venues that a list of labelled venues names as publicly supported.

    Census venues matched by a labelled venue (rule in :mod:`maillage.prepare.support`, pairs in
    :func:`match_supported`) get ``supported=True``. The labelled venues that match no
    census venue are counted (``attrs["support_matching"]["unmatched"]``) and, only when
    asked (``add_unmatched=True``), appended as venues of their own at their commune
    centroid: by default the census stays the census the analyst gave.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        The census (canonical venue columns, EPSG:2154, unique ``venue_id``).
    labelled : geopandas.GeoDataFrame
        Labelled, publicly supported venues, e.g. ``load_venues(
        "fabriques-territoire-2024", errors="report")[0]``.
    add_unmatched : bool, default False
        Append the unmatched labelled venues (``location_quality="commune_centroid"``,
        ``supported=True``, their ``opened`` when known, ``match_method="appended"``).
    unmatched_supported : bool, optional
        Value given to the unmatched census venues whose ``supported`` is NA; None keeps
        NA (unknown). A value already known is never changed.
    source : str, optional
        Label of the labelled list in ``support_source``; default its first data credit
        (``"fabriques-territoire-2024"``), else ``"labelled"``.
    **matching
        ``max_distance_km``, ``min_name_similarity`` and ``location_only``: the matching
        rule's options, with the meaning and defaults of :func:`match_supported`.

    Returns
    -------
    geopandas.GeoDataFrame
        The census columns plus ``support_source`` (``"<source>:<labelled id>"``, joined
        by ``"; "``; NA when unmatched) and ``match_method``; a default index;
        ``len(out) == len(venues) + attrs["support_matching"]["appended"]``.
        ``attrs["data_credits"]`` merges both inputs'; ``attrs["support_matching"]``:
        ``labelled_rows``, ``labelled`` (venues after splitting merged rows),
        ``matched`` (labelled venues matched), ``unmatched``, ``appended``,
        ``census_marked`` (census venues marked).

    Raises
    ------
    InputDataError
        Duplicate census ids, or an appended id that already names a census venue.
    OptionError
        For an invalid distance or similarity.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> census = gpd.GeoDataFrame({"venue_id": ["1", "2"], "name": ["Le 400", "La Ruche"],
    ...     "code_insee": ["19031", "33063"], "supported": pd.array([pd.NA] * 2, "boolean"),
    ...     "location_quality": "address"}, geometry=[Point(0, 0), Point(9e4, 0)], crs=2154)
    >>> lab = gpd.GeoDataFrame({"venue_id": ["fabt-68; fabt-9"], "name": ["LE 400; Nouveau"],
    ...     "code_insee": ["19031"], "supported": True, "location_quality": "commune_centroid"},
    ...     geometry=[Point(500, 0)], crs=2154)
    >>> out = mark_supported(census, lab, source="fabt", add_unmatched=True)
    >>> out[["venue_id", "supported", "support_source", "match_method"]].values.tolist()
    [['1', True, 'fabt:fabt-68', 'name+commune'], ['2', <NA>, <NA>, <NA>], ['fabt-9', True, 'fabt:fabt-9', 'appended']]
    >>> out.attrs["support_matching"]["matched"], out.attrs["support_matching"]["appended"]
    (1, 1)
    """
    matches = match_supported(venues, labelled, **matching)
    if source is None:
        source = next(iter(labelled.attrs.get("data_credits", [])), "labelled")
    out, marked = _mark(venues, matches, source)
    if unmatched_supported is not None:
        fill = ~marked & out["supported"].isna().to_numpy()
        out.loc[fill, "supported"] = bool(unmatched_supported)
    unmatched = matches.loc[matches["venue_id"].isna(), "labelled_id"]
    if add_unmatched and len(unmatched):
        similarity = matching.get("min_name_similarity", MIN_NAME_SIMILARITY)
        split = split_labelled(labelled, min_name_similarity=similarity)
        out = pd.concat([out, _appended(out, split, unmatched, source)], ignore_index=True)
    out.attrs = {**venues.attrs, "data_credits": _merge_credits(venues, labelled)}
    n_labelled = int(matches["labelled_id"].nunique())
    out.attrs["support_matching"] = {
        "labelled_rows": len(labelled),
        "labelled": n_labelled,
        "matched": n_labelled - len(unmatched),
        "unmatched": len(unmatched),
        "appended": len(unmatched) if add_unmatched else 0,
        "census_marked": int(marked.sum()),
    }
    logger.info("support matching: %s", out.attrs["support_matching"])
    return out


def describe_support(venues: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return how the ``supported`` flags of ``venues`` were determined.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Venues, possibly from :func:`maillage.mark_supported` (``attrs["support_matching"]``
        and ``support_source`` column).

    Returns
    -------
    dict
        ``method``: ``"matching"`` (matched with a labelled list; then ``source`` and the
        counts of ``attrs["support_matching"]``), ``"census"`` (the census's own column) or
        ``"unknown"`` (no venue known to be supported or not), plus the venue counts
        ``supported``, ``not_supported`` and ``unknown``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> v = gpd.GeoDataFrame({"venue_id": ["a", "b"],
    ...     "supported": pd.array([True, pd.NA], dtype="boolean")},
    ...     geometry=[Point(0, 0), Point(1, 1)], crs=2154)
    >>> describe_support(v)
    {'method': 'census', 'supported': 1, 'not_supported': 0, 'unknown': 1}
    """
    counts = support_counts(venues)
    matching = venues.attrs.get("support_matching")
    if matching is not None:
        source = "liste de lieux labellisés"
        if "support_source" in venues.columns:
            found = venues["support_source"].dropna().astype(str)
            if len(found):
                source = found.iloc[0].split("; ")[0].rsplit(":", 1)[0]
        return {"method": "matching", "source": source, **dict(matching), **counts}
    method = "census" if counts["supported"] + counts["not_supported"] else "unknown"
    return {"method": method, **counts}


def support_counts(venues: gpd.GeoDataFrame) -> dict[str, int]:
    """Count the venues known to be supported, known not to be, and unknown.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Venues, with or without a ``supported`` column.

    Returns
    -------
    dict
        ``supported``, ``not_supported`` and ``unknown`` venue counts.

    Examples
    --------
    >>> import geopandas as gpd
    >>> support_counts(gpd.GeoDataFrame({"supported": [True, False]}, geometry=[None, None]))
    {'supported': 1, 'not_supported': 1, 'unknown': 0}
    """
    if "supported" not in venues.columns:
        flags = pd.Series(pd.NA, index=venues.index, dtype="boolean")
    else:
        flags = venues["supported"].astype("boolean")
    return {
        "supported": int(flags.fillna(False).sum()),
        "not_supported": int((~flags).fillna(False).sum()),
        "unknown": int(flags.isna().sum()),
    }
