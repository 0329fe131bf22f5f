"""What a report says about the commune polygons: communes not placed, polygons approximated.

Every commune of the territory is counted in the figures. One without a polygon cannot be
drawn nor given an access time (its residents count as beyond the threshold); one with an
approximate polygon (:data:`maillage.prepare.commune_frames.APPROXIMATE_SOURCES`) is drawn
and timed on that approximation. Both are named in ``summary.json`` and on the page.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import shapely

from maillage.prepare.commune_frames import APPROXIMATE_SOURCES

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["TERRITORY_KEYS", "territory_notes", "territory_paragraph"]

TERRITORY_KEYS = ("communes_without_geometry", "communes_approximate_geometry")
"""Keys of ``summary.json`` listing the communes not placed and those placed approximately:
lists of ``{"code_insee", "nom"}``, each key present only when its list is not empty."""


def _named(communes: gpd.GeoDataFrame, mask: Any) -> list[dict[str, str]]:
    names = communes["nom"] if "nom" in communes else communes.index.to_series()
    return [
        {"code_insee": str(code), "nom": str(name)}
        for code, name in zip(communes.index[mask], names[mask], strict=True)
    ]


def territory_notes(communes: gpd.GeoDataFrame) -> dict[str, list[dict[str, str]]]:
    """Return the :data:`TERRITORY_KEYS` entries of ``summary.json`` for ``communes``.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The territory; ``geometry_source`` (optional) flags the approximate polygons.

    Returns
    -------
    dict
        ``communes_without_geometry`` (missing or empty polygon) and
        ``communes_approximate_geometry``, each only when there are some.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> c = gpd.GeoDataFrame({"nom": ["A", "B"], "geometry_source": ["split", "missing"]},
    ...     geometry=[box(0, 0, 1, 1), None], index=["1", "2"], crs=2154)
    >>> territory_notes(c)
    {'communes_without_geometry': [{'code_insee': '2', 'nom': 'B'}], 'communes_approximate_geometry': [{'code_insee': '1', 'nom': 'A'}]}
    >>> territory_notes(c.iloc[:0])
    {}
    """
    geoms = communes.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    approx = (
        communes["geometry_source"].isin(APPROXIMATE_SOURCES).to_numpy() & ~missing
        if "geometry_source" in communes
        else missing & False
    )
    notes = {
        "communes_without_geometry": _named(communes, missing),
        "communes_approximate_geometry": _named(communes, approx),
    }
    return {key: entries for key, entries in notes.items() if entries}


def _listing(entries: list[dict[str, str]]) -> str:
    return ", ".join(html.escape(f"{e['nom']} ({e['code_insee']})") for e in entries)


def territory_paragraph(summary: dict[str, Any]) -> str:
    """Return the French HTML note naming the communes not placed or placed approximately.

    Parameters
    ----------
    summary : dict
        ``summary.json`` content with :data:`TERRITORY_KEYS` (absent keys: nothing to say).

    Returns
    -------
    str
        HTML (escaped), empty when every commune has its own polygon.

    Examples
    --------
    >>> note = territory_paragraph({"communes_without_geometry": [{"code_insee": "1", "nom": "A"}]})
    >>> note[:52]
    '<p class="note">1 commune sans contour connu : A (1)'
    """
    missing = summary.get("communes_without_geometry") or []
    approx = summary.get("communes_approximate_geometry") or []
    parts = []
    if missing:
        parts.append(
            f'<p class="note">{len(missing)} commune{"s" if len(missing) > 1 else ""} sans '
            f"contour connu : {_listing(missing)}. Leurs habitants sont comptés dans les "
            "chiffres, comme au-delà du seuil, mais elles ne figurent pas sur les cartes.</p>"
        )
    if approx:
        parts.append(
            f'<p class="note">Contours approchés ({len(approx)} communes) : {_listing(approx)}. '
            "Les contours disponibles datent d'avant que des communes sortent de leur commune "
            "nouvelle : le territoire de l'ancienne commune nouvelle est partagé entre elles "
            "autour de leurs chefs-lieux, et leurs temps d'accès reposent sur ce partage.</p>"
        )
    return "\n".join(parts)
