"""Why coverage changed between two dates: section "Pourquoi la couverture a changé", ``why.csv``.

With ``--series`` (dated lists of a network) or ``--years`` (the venues open each year), the
change in the share of residents within the threshold is split into venues opened, venues
closed or moved, population change and commune-geography change
(:func:`maillage.decompose_series`, the symmetric Shapley split: the parts add up exactly to
the change, whatever the order). The page gives the first-to-last sentence
(:func:`~maillage.report.change_text.change_sentence`) and the table of every step.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from maillage.analysis.active import active_venues
from maillage.analysis.change import PARTS, changes_table, decompose_change, series_changes
from maillage.errors import InputDataError
from maillage.report.change_text import change_sentence, change_table, signed_points
from maillage.report.counts import whole_columns
from maillage.report.fragments import html_table
from maillage.report.numbers import fr_date, fr_percent
from maillage.report.sections.base import Place, Section

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd
    import pandas as pd

    from maillage.report.sections.base import PageContext, ReportContext, ReportOptions

__all__ = ["ChangeSection", "build"]

logger = logging.getLogger(__name__)

_COUNTS = (
    "venues_opened",
    "venues_closed",
    "venues_moved",
    "venues_kept",
    "communes_merged",
    "communes_split",
)


@dataclass(frozen=True)
class ChangeSection(Section):
    """The change of coverage split into its causes (:func:`build`).

    Attributes
    ----------
    steps : pandas.DataFrame
        One row per consecutive pair of dates, then first to last (``before``, ``after``,
        shares, ``change_points`` and ``<part>_points``, residents, counts of venues and
        communes).
    sentence : str
        The first-to-last change as one French sentence.
    parts : pandas.DataFrame
        The first-to-last parts with French headers (:func:`change_table`).
    source : str
        ``"previous"``, ``"series"`` or ``"years"``: what the dates are.
    published_before : float or None
        With ``--previous``: the share the previous report published, beside the one
        recomputed here with this report's model and threshold.
    """

    key: ClassVar[str] = "change"
    place: ClassVar[Place] = "map"
    sheets: ClassVar[Mapping[str, str]] = {"why.csv": "Causes de l'évolution"}

    steps: pd.DataFrame
    sentence: str
    parts: pd.DataFrame
    source: str
    published_before: float | None = None

    def summary(self) -> dict[str, object]:
        """Return ``change_split``: the first-to-last change and its parts, in points."""
        last = self.steps.iloc[-1]
        return {
            "change_split": {
                "from": str(last["before"]),
                "to": str(last["after"]),
                "method": "Shapley",
                "change_points": round(float(last["change_points"]), 4),
                **{part: round(float(last[f"{part}_points"]), 4) for part in PARTS},
            }
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``why.csv``: every step and the first-to-last split."""
        return {"why.csv": self.steps}

    def html(self, page: PageContext) -> str:
        """Return the section "Pourquoi la couverture a changé"."""
        del page
        last = self.steps.iloc[-1]
        dates = {
            "series": "les listes datées",
            "years": "les années",
            "previous": "le rapport précédent et celui-ci",
        }[self.source]
        parts = self.parts.reset_index()
        parts.columns = ["cause", "points", "residents"]
        parts["points"] = parts["points"].map(signed_points)
        return "\n".join(
            [
                '<h2 id="pourquoi">Pourquoi la couverture a changé</h2>',
                f"<p>{html.escape(self._span(last))}, part des habitants à moins du seuil : "
                f"<b>{html.escape(self.sentence)}</b>.</p>",
                self._recomputed(),
                html_table(
                    parts,
                    {
                        "cause": "Cause",
                        "points": "Points de pourcentage",
                        "residents": "Habitants à moins du seuil",
                    },
                ),
                f'<p class="note">Entre {dates}, l\'évolution est partagée entre les ouvertures, '
                "les fermetures ou déplacements de lieux, l'évolution de la population et celle de "
                "la carte communale (fusions de communes). Le partage est celui de Shapley : la "
                "part d'une cause est l'effet moyen de son changement sur les 24 ordres possibles "
                "de faire changer les quatre causes ; les parts s'additionnent exactement à "
                "l'évolution et aucune cause n'est favorisée. Chaque étape est dans why.csv.</p>",
            ]
        )

    def _span(self, last: pd.Series) -> str:
        if self.source == "previous":
            return f"Depuis le {last['before']}"
        return f"Du {fr_date(str(last['before']))} au {fr_date(str(last['after']))}"

    def _recomputed(self) -> str:
        """Say so when the previous report's published share is not the one split here."""
        if self.published_before is None:
            return ""
        now = float(self.steps.iloc[-1]["before_share"])
        if abs(now - self.published_before) < 5e-4:
            return ""
        return (
            f'<p class="note">Le rapport précédent publiait {fr_percent(self.published_before)} ; '
            f"recalculée avec le modèle et le seuil de ce rapport, sa part est {fr_percent(now)}. "
            "L'évolution décomposée ici part de ce chiffre recalculé : l'écart entre les deux "
            "vient du calcul, pas du territoire.</p>"
        )


def _steps(table: pd.DataFrame) -> pd.DataFrame:
    """Return the split with its canonical column names (``<part>_points``) and whole counts."""
    out = table.reset_index().rename(
        columns={"change": "change_points", **{part: f"{part}_points" for part in PARTS}}
    )
    out["before"] = out["before"].astype(str)
    out["after"] = out["after"].astype(str)
    counts = [c for c in _COUNTS if c in out.columns]
    out[counts] = out[counts].astype("int64")
    return whole_columns(out)


def _dated(
    context: ReportContext, options: ReportOptions
) -> tuple[str, dict[Any, gpd.GeoDataFrame]] | None:
    if options.series and len(options.series) >= 2:
        return "series", dict(options.series)
    if len(options.years) >= 2:
        return "years", {int(y): active_venues(context.venues, int(y)) for y in options.years}
    return None


def _since_previous(context: ReportContext, options: ReportOptions) -> ChangeSection | None:
    """Split the change since the previous report (``--previous``), from its own layers."""
    previous = options.previous
    if previous is None or previous.places is None:
        return None
    model, threshold, grid = context.model, context.threshold_min, context.grid
    try:
        whole = decompose_change(
            previous.places,
            (context.communes, context.venues),
            model=model,
            threshold_min=threshold,
            grid=grid,
        )
    except InputDataError as exc:  # another area: the comparison says what differs
        logger.warning("évolution depuis le rapport précédent non décomposée : %s", exc)
        return None
    label = (f"rapport précédent ({previous.folder})", "ce rapport")
    steps = _steps(changes_table({label: whole}))
    published = previous.summary.get("share_within_threshold")
    return ChangeSection(
        steps=steps,
        sentence=change_sentence(whole),
        parts=change_table(whole),
        source="previous",
        published_before=None if published is None else float(published),
    )


def build(context: ReportContext, options: ReportOptions) -> ChangeSection | None:
    """Return the split of the change, or ``None`` without two dates.

    Parameters
    ----------
    context : ReportContext
        The territory, the model, the threshold, the grid.
    options : ReportOptions
        ``series`` (at least two dated lists), else ``years`` (at least two years).

    Returns
    -------
    ChangeSection or None
        The section.
    """
    since = _since_previous(context, options)
    if since is not None:
        return since
    dated = _dated(context, options)
    if dated is None:
        return None
    source, censuses = dated
    model, threshold, grid = context.model, context.threshold_min, context.grid
    changes = series_changes(
        context.communes, censuses, model=model, threshold_min=threshold, grid=grid
    )
    whole = changes[(min(censuses), max(censuses))]  # first to last, already split
    return ChangeSection(
        steps=_steps(changes_table(changes)),
        sentence=change_sentence(whole),
        parts=change_table(whole),
        source=source,
    )
