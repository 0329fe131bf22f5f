"""Which venues one can work a day in: the venue kinds counted for commuters.

A commuter saves a trip only at a place where one can work a day. The censuses say what
kind of place each venue is (``kind``, :func:`maillage.load_venues`), in their own words;
:func:`workspace_kinds` maps them to :data:`VENUE_KINDS`:

* 2019 tiers-lieux census (CGET, ``TYPO``): *Tiers lieux à dominante coworking* →
  ``coworking``; *à dominante fablab* → ``fablab``; empty (49 venues added after the
  census) → ``non renseigné``;
* France services (ANCT): every row is a public-service desk → ``guichet`` (never a
  workspace by default: a counter for procedures, not desks to work at);
* ANCT programme layers: *fabrique de territoire* → ``tiers-lieu`` (a multi-purpose
  tiers-lieu: the layer does not say whether it has workstations, they are assumed);
  *manufacture de proximité* → ``fablab`` (productive workshops);
* GoGoCarto and other censuses: by the words of their category or typology (coworking,
  fablab / makerspace / atelier, France services / MSAP, tiers-lieu / télécentre).

By default (:data:`WORKSPACE_KINDS`) only ``coworking`` and ``tiers-lieu`` count.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from maillage.errors import OptionError

if TYPE_CHECKING:
    from collections.abc import Collection

    import geopandas as gpd

__all__ = [
    "VENUE_KINDS",
    "WORKSPACE_KINDS",
    "check_venue_kinds",
    "select_venue_kinds",
    "workspace_kinds",
]

VENUE_KINDS: dict[str, str] = {
    "coworking": "espace de coworking",
    "tiers-lieu": "tiers-lieu (postes de travail supposés)",
    "fablab": "fablab, atelier de fabrication",
    "guichet": "guichet de service public (France services)",
    "non renseigné": "type non renseigné par le recensement",
    "autre": "autre lieu",
}
"""The venue kinds for commuters, with their French names for the page."""
WORKSPACE_KINDS = ("coworking", "tiers-lieu")
"""Kinds counted by default: places where one can work a day."""

# first match wins: a "tiers-lieu à dominante fablab" is a fablab
_RULES = (
    ("guichet", r"france ?services|\bmsap\b|maison de services au public|service public"),
    ("coworking", r"co-?working|cotravail|télécentre|telecentre|espace de travail partagé"),
    ("fablab", r"fab ?lab|maker|hacker|atelier|manufacture|fabrication"),
    ("tiers-lieu", r"tiers[- ]lieu|fabrique de territoire|fabrique"),
    ("non renseigné", r"^\s*(non renseign[ée]e?|inconnu|nr|)\s*$"),
)


def workspace_kinds(kind: pd.Series) -> pd.Series:
    """Map the census's own kinds to :data:`VENUE_KINDS` (see the module docstring).

    Parameters
    ----------
    kind : pandas.Series
        The ``kind`` column of canonical venues (free text, NA when unknown).

    Returns
    -------
    pandas.Series
        One of the keys of :data:`VENUE_KINDS`, indexed like ``kind``.

    Examples
    --------
    >>> workspace_kinds(pd.Series(["coworking", "fablab", "France services",
    ...     "fabrique de territoire", None, "Café associatif"])).tolist()
    ['coworking', 'fablab', 'guichet', 'tiers-lieu', 'non renseigné', 'autre']
    """
    text = kind.astype("string").fillna("").str.lower().to_numpy(dtype=object)
    out = np.full(len(text), "autre", dtype=object)
    done = np.zeros(len(text), dtype=bool)
    for name, pattern in _RULES:
        regex = re.compile(pattern)
        hit = np.array([bool(regex.search(t)) for t in text], dtype=bool) & ~done
        out[hit] = name
        done |= hit
    return pd.Series(out, index=kind.index, name="workspace_kind")


def check_venue_kinds(kinds: Collection[str] | Literal["all"]) -> set[str]:
    """Return the kinds asked for as a set of keys of :data:`VENUE_KINDS`, or refuse them.

    ``"all"`` (or ``["all"]``, as a command line gives it) is every kind.

    Examples
    --------
    >>> sorted(check_venue_kinds(["fablab", "coworking"])), len(check_venue_kinds(["all"]))
    (['coworking', 'fablab'], 6)
    """
    if kinds == "all" or (not isinstance(kinds, str) and list(kinds) == ["all"]):
        return set(VENUE_KINDS)
    wanted = {kinds} if isinstance(kinds, str) else set(kinds)
    wrong = sorted(wanted - set(VENUE_KINDS))
    if wrong or not wanted:
        msg = f"kinds must be 'all' or among {list(VENUE_KINDS)}; got {kinds!r}"
        raise OptionError(msg)
    return wanted


def select_venue_kinds(
    venues: gpd.GeoDataFrame, kinds: Collection[str] | Literal["all"] = WORKSPACE_KINDS
) -> gpd.GeoDataFrame:
    """Keep the venues of the given kinds; say which kinds were counted and which were not.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Canonical venues; without a ``kind`` column every venue is ``non renseigné``.
    kinds : collection of str or "all"
        Keys of :data:`VENUE_KINDS` to count (default :data:`WORKSPACE_KINDS`).

    Returns
    -------
    geopandas.GeoDataFrame
        The venues kept (a copy) with a ``workspace_kind`` column; ``attrs`` adds
        ``venue_kinds_counted`` (the kinds counted, in French) and ``venues_by_kind``
        (``{kind: {"lieux": number, "comptés": bool}}`` for every kind present).

    Examples
    --------
    >>> from maillage.prepare.toy import toy_territory
    >>> _, venues = toy_territory()
    >>> kept = select_venue_kinds(venues.assign(kind=["coworking", "France services"]))
    >>> len(kept), kept.attrs["venues_by_kind"]["guichet"]
    (1, {'lieux': 1, 'comptés': False})
    """
    wanted = check_venue_kinds(kinds)
    raw = venues["kind"] if "kind" in venues.columns else pd.Series(pd.NA, index=venues.index)
    mapped = workspace_kinds(raw)
    keep = mapped.isin(wanted).to_numpy()
    out = venues[keep].copy()
    out["workspace_kind"] = mapped[keep].to_numpy()
    counts = mapped.value_counts()
    out.attrs = dict(venues.attrs) | {
        "venue_kinds_counted": [VENUE_KINDS[k] for k in VENUE_KINDS if k in wanted],
        "venues_by_kind": {
            str(k): {"lieux": int(n), "comptés": k in wanted} for k, n in counts.items()
        },
    }
    return out
