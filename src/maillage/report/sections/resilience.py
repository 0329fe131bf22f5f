"""Resilience of the network: a second choice, and the venues it cannot lose.

Section "Résilience du maillage", ``closures.csv`` (every venue: residents it serves, those
who would fall beyond the threshold if it closed, the minutes they would add),
``alternatives.csv`` (by département and EPCI, the residents with at least two venues within
the threshold) and ``closures.png`` (the venues sized by what their closure would cost).

Everything comes from each origin's two nearest venues (:func:`maillage.nearest_k`, one
search more than the report's coverage, whose origins it reuses):
:func:`maillage.second_choice` and :func:`maillage.closure_impact`, which equals closing each
venue in turn and computing the coverage again.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from maillage.analysis.resilience import closure_impact, nearest_k, second_choice
from maillage.prepare.names import with_area_names
from maillage.report.counts import largest_remainder
from maillage.report.fragments import html_table
from maillage.report.images import new_figure, png_bytes
from maillage.report.numbers import fr_number, fr_percent
from maillage.report.sections.base import Place, Section

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

    from maillage.report.model import Report
    from maillage.report.sections.base import (
        FileRenderer,
        PageContext,
        ReportContext,
        ReportOptions,
    )

__all__ = ["ResilienceSection", "build"]

_SHOWN = 10  # venues listed on the page (all of them in closures.csv)
_CLOSURE_COLUMNS = (
    "name",
    "code_insee",
    "supported",
    "residents_served",
    "residents_beyond",
    "added_minutes_per_resident",
    "residents_without_alternative",
)
_WHOLE = ("residents_served", "residents_beyond", "residents_without_alternative")


@dataclass(frozen=True)
class ResilienceSection(Section):
    """Second choice and indispensable venues (:func:`build`).

    Attributes
    ----------
    overall : pandas.Series
        :func:`maillage.second_choice` for the whole area (``population``,
        ``population_within_threshold``, ``population_two_within``, their shares).
    areas : pandas.DataFrame
        The same by département then EPCI (``level``, ``code``, ``name``).
    closures : pandas.DataFrame
        :func:`maillage.closure_impact` with the venues' names, indexed by ``venue_id``,
        resident counts whole.
    venues : geopandas.GeoDataFrame
        The venues' points, for the map.
    communes : pandas.DataFrame
        :func:`maillage.second_choice` by commune, for the map.
    """

    key: ClassVar[str] = "resilience"
    place: ClassVar[Place] = "supported"
    sheets: ClassVar[Mapping[str, str]] = {
        "closures.csv": "Lieux indispensables",
        "alternatives.csv": "Deuxième lieu",
    }

    overall: pd.Series
    areas: pd.DataFrame
    closures: pd.DataFrame
    venues: gpd.GeoDataFrame
    communes: pd.DataFrame

    def indispensable(self) -> pd.DataFrame:
        """Return the venues whose closure would put residents beyond the threshold."""
        return self.closures[self.closures["residents_beyond"] > 0]

    def summary(self) -> dict[str, object]:
        """Return the ``summary.json`` keys of the second choice and the closures."""
        first = self.indispensable().head(1)
        share = float(self.overall["share_two_within"])  # NaN without any resident
        return {
            "population_two_within_threshold": round(float(self.overall["population_two_within"])),
            "share_two_within_threshold": round(share, 5) if math.isfinite(share) else None,
            "indispensable_venues": len(self.indispensable()),
            "most_indispensable_venue": None if first.empty else str(first.index[0]),
            "most_indispensable_residents_beyond": (
                0 if first.empty else int(first["residents_beyond"].iloc[0])
            ),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``closures.csv`` and ``alternatives.csv``."""
        closures = self.closures.reset_index()
        columns = ["venue_id", *(c for c in _CLOSURE_COLUMNS if c in closures.columns)]
        return {"closures.csv": closures[columns], "alternatives.csv": self.areas}

    def files(self) -> dict[str, FileRenderer]:
        """Return ``closures.png``: the venues sized by the residents their closure would cost."""
        return {"closures.png": self._closures_png}

    def _closures_png(self, report: Report) -> bytes:
        fig = new_figure((8, 8))
        ax = fig.add_subplot()
        shares = self.communes.reindex(report.communes.index.astype(str))
        classes = np.select(
            [
                shares["share_two_within"].to_numpy(float) >= 0.5,
                shares["share_within_threshold"].to_numpy(float) >= 0.5,
            ],
            [2, 1],
            0,
        )
        minutes = fr_number(report.threshold_min)
        for value, colour, label in (
            (0, "#d9d9d9", f"la plupart des habitants à plus de {minutes} min de tout lieu"),
            (1, "#fdd9a0", f"la plupart des habitants : un seul lieu à moins de {minutes} min"),
            (
                2,
                "#cfe8c8",
                f"la plupart des habitants : au moins deux lieux à moins de {minutes} min",
            ),
        ):
            mine = report.communes[classes == value]
            if len(mine):
                mine.plot(ax=ax, color=colour, edgecolor="#bbbbbb", linewidth=0.2)
            ax.fill([], [], color=colour, label=label)
        points = self.venues.set_index("venue_id").reindex(self.closures.index)
        beyond = self.closures["residents_beyond"].to_numpy(dtype=float)
        xy = np.column_stack([points.geometry.x, points.geometry.y])
        spare = beyond <= 0
        ax.scatter(*xy[spare].T, s=8, color="#7a7a7a", label="fermeture sans effet sur le seuil")
        size = 20 + 600 * np.sqrt(beyond[~spare] / max(float(beyond.max()), 1.0))
        ax.scatter(
            *xy[~spare].T,
            s=size,
            color="#c0392b",
            alpha=0.6,
            edgecolor="white",
            label="lieu indispensable (surface ∝ habitants qui passeraient au-delà du seuil)",
        )
        ax.set_title(f"Si ce lieu fermait : habitants au-delà de {minutes} min en voiture")
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.0), fontsize=8, frameon=False)
        ax.set_axis_off()
        ax.set_aspect("equal")
        return png_bytes(fig)

    def html(self, page: PageContext) -> str:
        """Return the section "Résilience du maillage"."""
        minutes = fr_number(page.threshold_min)
        share_one = fr_percent(float(self.overall["share_within_threshold"]))
        share_two = fr_percent(float(self.overall["share_two_within"]))
        kept = self.indispensable()
        lines = [
            '<h2 id="resilience">Résilience du maillage</h2>',
            f"<p>{share_one} des habitants ont un lieu à moins de {minutes} min en voiture ; "
            f"<b>{share_two} en ont au moins deux</b> (une alternative si l'un ferme).</p>",
            _closure_sentence(kept, len(self.closures), minutes),
        ]
        if not kept.empty:
            lines += [
                page.image("closures.png", "Lieux indispensables"),
                f"<h3>Les {min(_SHOWN, len(kept))} lieux les plus indispensables</h3>",
                html_table(
                    kept.head(_SHOWN).reset_index(),
                    {
                        "name": "Lieu",
                        "residents_served": "Habitants dont c'est le lieu le plus proche",
                        "residents_beyond": f"Habitants qui passeraient au-delà de {minutes} min",
                        "added_minutes_per_resident": "Minutes de plus par habitant (moyenne)",
                    },
                ),
            ]
        lines.append(
            '<p class="note">Calcul : pour chaque habitant, les deux lieux les plus proches ; '
            "si un lieu fermait, ceux dont il est le plus proche iraient au second. Le résultat "
            "est celui qu'on obtient en fermant chaque lieu l'un après l'autre et en recalculant "
            "la couverture. Toutes les lignes sont dans closures.csv et alternatives.csv.</p>"
        )
        return "\n".join(lines)


def _closure_sentence(kept: pd.DataFrame, venues: int, minutes: str) -> str:
    if kept.empty:
        return (
            f"<p>Aucun lieu n'est indispensable : la fermeture de n'importe lequel laisserait "
            f"chacun de ses habitants à moins de {minutes} min d'un autre lieu.</p>"
        )
    first = kept.iloc[0]
    name = html.escape(str(first.get("name") or kept.index[0]))
    return (
        f"<p><b>{fr_number(len(kept))} lieux sur {fr_number(venues)} sont indispensables</b> : "
        f"si l'un d'eux fermait, des habitants passeraient au-delà de {minutes} min. "
        f"Le premier, {name}, en laisserait {fr_number(float(first['residents_beyond']))} "
        f"au-delà du seuil.</p>"
    )


def _whole(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Round resident counts to whole residents, each column keeping its rounded total."""
    out = frame.copy()
    for name in columns:
        if name in out.columns:
            out[name] = largest_remainder(out[name].to_numpy(dtype=float)).astype("int64")
    return out


def build(context: ReportContext, options: ReportOptions) -> ResilienceSection | None:
    """Return the second choice and the closures, or ``None`` without any venue placed.

    Parameters
    ----------
    context : ReportContext
        The territory, the venues, the model and the origins of the coverage (reused).
    options : ReportOptions
        Not used: the section is always there.

    Returns
    -------
    ResilienceSection or None
        The section.
    """
    del options
    if context.venues.empty:
        return None
    origins = context.origins_cov
    times = nearest_k(origins, context.venues, 2, model=context.model)
    common = {
        "model": context.model,
        "threshold_min": context.threshold_min,
        "origins": origins,
        "times": times,
    }
    overall = second_choice(context.communes, context.venues, by=None, **common).iloc[0]
    areas = pd.concat(
        [
            second_choice(context.communes, context.venues, by=level, **common)
            for level in ("departement", "epci")
            if level in context.communes.columns
        ],
        ignore_index=True,
    )
    areas = _whole(with_area_names(areas), ("population_within_threshold", "population_two_within"))
    impact = closure_impact(context.communes, context.venues, **common)
    described = context.venues.drop_duplicates("venue_id").set_index("venue_id")
    info = [c for c in ("name", "code_insee", "supported") if c in described.columns]
    closures = impact.join(described[info])
    by_commune = second_choice(context.communes, context.venues, by="commune", **common)
    return ResilienceSection(
        communes=by_commune[["share_within_threshold", "share_two_within"]],
        overall=overall,
        areas=areas,
        closures=_whole(closures, _WHOLE),
        venues=context.venues,
    )
