"""What the what-if map's front end draws: commune shapes, fills, venues, the panel's text.

Pure functions from the state's frames to JSON-ready values, in French, with the colours,
classes and legend texts of the report's map (:mod:`maillage.maps._style`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from maillage.maps._layers import encode_geometry
from maillage.maps._style import (
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    TIME_LEGEND_TITLE,
    classify_times,
    format_minutes,
)
from maillage.maps.interactive import simplify_coverage

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.maps.whatif.state import Venue

__all__ = [
    "READ_ONLY_NOTICE",
    "changed_communes",
    "commune_shapes",
    "fills",
    "legend",
    "panel_rows",
    "venue_marks",
]

READ_ONLY_NOTICE = (
    "Lecture seule : aucun noyau Python n'est relié à cette carte (notebook exporté ou "
    "ouvert sans l'exécuter). Elle montre le dernier état enregistré ; exécutez le notebook "
    "pour ouvrir, fermer ou déplacer des lieux."
)
"""Shown over the map when no kernel answers (a saved notebook, a static page)."""

_WGS84 = "EPSG:4326"


def commune_shapes(communes: gpd.GeoDataFrame, *, simplify_m: float) -> dict[str, Any]:
    """Return the communes as delta-encoded polygons in degrees, with codes and bounds."""
    geom = simplify_coverage(communes.geometry, simplify_m).to_crs(_WGS84)
    lon0, lat0, lon1, lat1 = (float(v) for v in geom.total_bounds)
    return {
        "codes": [str(c) for c in communes.index],
        "shapes": [encode_geometry(g) for g in geom.to_numpy()],
        "bounds": [lon0, lat0, lon1, lat1],
        "centre_lat": (lat0 + lat1) / 2,
    }


def fills(
    communes_cov: pd.DataFrame, previous: tuple[pd.DataFrame, list[str]] | None = None
) -> tuple[list[int], list[bool], list[str]]:
    """Return per commune its time class (-1: no time), white-zone flag and hover text.

    With ``previous`` (the figures and texts sent last), only the texts of the communes whose
    time or side changed are written again.
    """
    classes = classify_times(communes_cov["time_min"])
    names = communes_cov["nom"] if "nom" in communes_cov else pd.Series(communes_cov.index)
    times = communes_cov["time_min"].to_numpy(dtype=float)
    covered = communes_cov["covered"].to_numpy(dtype=bool)
    if previous is None:
        titles: list[str] = [""] * len(times)
        redo = np.arange(len(times))
    else:
        before, titles = previous[0], list(previous[1])
        was = before["time_min"].to_numpy(dtype=float)
        same = (was == times) | (np.isnan(was) & np.isnan(times))
        redo = np.flatnonzero(~same | (before["covered"].to_numpy(dtype=bool) != covered))
    text = names.astype(str).to_numpy()
    for i in redo:
        zone = " (zone blanche)" if not covered[i] else ""
        titles[i] = f"{text[i]} : {format_minutes(times[i])}{zone}"
    return classes.codes.astype(int).tolist(), (~covered).tolist(), titles


def legend(threshold_min: float) -> dict[str, Any]:
    """Return the legend: the report map's classes and texts, the white zones, the venues."""
    classes = classify_times(pd.Series([0.0]))
    return {
        "title": TIME_LEGEND_TITLE,
        "labels": list(classes.labels),
        "colours": list(classes.colours),
        "no_data_colour": NO_DATA_COLOUR,
        "extra": [
            ["", NO_DATA_LABEL],
            ["white-zone", f"Zone blanche : plus de {threshold_min:g} min"],
            ["supported", "Lieu soutenu (plein)"],
            ["not-supported", "Non soutenu ou inconnu (creux)"],
            ["hypothetical", "Lieu hypothétique (ajouté ou déplacé ici)"],
        ],
    }


def venue_marks(venues: list[Venue], crs: object) -> list[dict[str, Any]]:
    """Return the open venues as points in degrees with their name and flags."""
    if not venues:
        return []
    xy = shapely.points([v.x for v in venues], [v.y for v in venues])
    import geopandas as gpd  # noqa: PLC0415 - a runtime import kept beside its one use

    deg = gpd.GeoSeries(xy, crs=crs).to_crs(_WGS84)
    return [
        {
            "venue_id": v.venue_id,
            "name": v.name,
            "lon": round(float(p.x), 6),
            "lat": round(float(p.y), 6),
            "x": v.x,
            "y": v.y,
            "supported": v.supported,
            "hypothetical": v.hypothetical,
        }
        for v, p in zip(venues, deg, strict=True)
    ]


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %".replace(".", ",")


def _people(value: float) -> str:
    return f"{round(value):,}".replace(",", "\u202f")


def _signed(value: float, unit: str) -> str:
    if abs(value) < 0.05:
        return "(inchangé)"
    sign = "+" if value > 0 else "−"
    number = f"{abs(value):,.1f}" if unit == "point" else f"{abs(round(value)):,}"
    number = number.replace(",", "\u202f").replace(".", ",")
    plural = "s" if unit == "point" and abs(value) >= 2 else ""
    return f"({sign}{number} {unit}{plural} depuis le départ)"


def panel_rows(head: dict[str, Any], start: dict[str, Any]) -> list[list[str]]:
    """Return the panel's rows: ``[term, value, change since the start]``, in French."""
    t = head["threshold_min"]
    share = _pct(head["share_within_threshold"])
    if "share_within_threshold_low" in head:
        low, high = head["share_within_threshold_low"], head["share_within_threshold_high"]
        share += f" (fourchette {_pct(low)} – {_pct(high)})"
    diff = (head["share_within_threshold"] - start["share_within_threshold"]) * 100
    return [
        [f"Part de la population à {t:g} min ou moins", share, _signed(diff, "point")],
        [
            "Habitants au-delà du seuil",
            _people(head["residents_beyond"]),
            _signed(head["residents_beyond"] - start["residents_beyond"], "hab."),
        ],
        [
            "Habitants des communes en zone blanche",
            f"{_people(head['white_zone_population'])} ({head['white_zone_communes']} communes)",
            _signed(head["white_zone_population"] - start["white_zone_population"], "hab."),
        ],
        [
            f"Habitants avec un second lieu à {t:g} min ou moins",
            _people(head["residents_second_choice"]),
            _signed(head["residents_second_choice"] - start["residents_second_choice"], "hab."),
        ],
        ["Lieux ouverts", str(head["venues_open"]), ""],
    ]


def changed_communes(now: pd.DataFrame, start: pd.DataFrame, *, limit: int = 60) -> list[list[Any]]:
    """Return the communes that changed side of the threshold since the start, by direction."""
    names = now["nom"].astype(str) if "nom" in now else pd.Series(now.index.astype(str))
    was = start["covered"].to_numpy(dtype=bool)
    is_ = now["covered"].to_numpy(dtype=bool)
    out = []
    for title, mask in (
        ("Communes passées sous le seuil", is_ & ~was),
        ("Communes passées au-delà du seuil", ~is_ & was),
    ):
        picked = names.to_numpy()[np.flatnonzero(mask)].tolist()
        more = len(picked) - limit
        shown = sorted(picked)[:limit] + ([f"… et {more} autres"] if more > 0 else [])
        out.append([f"{title} ({len(picked)})", shown])
    return out
