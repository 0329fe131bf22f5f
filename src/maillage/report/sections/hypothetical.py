"""Venues that do not exist: a report of a what-if scenario says so first.

:func:`maillage.explore`'s ``widget.scenario`` flags the venues opened or moved on the map
(``hypothetical=True``). A report of those venues describes the scenario, not the network as
it is: the section says so at the top of the page, names them, and ``summary.json`` counts
them (``hypothetical_venues``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from maillage.report.numbers import fr_number
from maillage.report.sections.base import Place, Section

if TYPE_CHECKING:
    from maillage.report.sections.base import PageContext, ReportContext, ReportOptions

__all__ = ["HypotheticalSection", "build"]


@dataclass(frozen=True)
class HypotheticalSection(Section):
    """The hypothetical venues of a what-if scenario (:func:`build`).

    Attributes
    ----------
    names : tuple of str
        Their names (or ids when they have none).
    """

    key: ClassVar[str] = "hypothetical"
    place: ClassVar[Place] = "key_figures"

    names: tuple[str, ...]

    def summary(self) -> dict[str, object]:
        """Return ``hypothetical_venues`` and their names."""
        return {"hypothetical_venues": len(self.names), "hypothetical_names": list(self.names)}

    def title(self) -> str:
        """Return what the page's title adds: it is a scenario."""
        return "scénario « et si »"

    def html(self, page: PageContext) -> str:
        """Return the warning placed above the map."""
        del page
        n = len(self.names)
        word = "lieu hypothétique" if n == 1 else "lieux hypothétiques"
        return (
            f'<p class="note"><b>Scénario « et si » : ce rapport compte {fr_number(n)} {word}, '
            f"ajouté(s) ou déplacé(s) sur la carte « et si » : "
            f"{html.escape(', '.join(self.names))}.</b> Ses chiffres décrivent ce scénario, "
            "non le maillage actuel.</p>"
        )


def build(context: ReportContext, options: ReportOptions) -> HypotheticalSection | None:
    """Return the section when some venues are hypothetical (``hypothetical`` column), else ``None``.

    Parameters
    ----------
    context : ReportContext
        The venues of the report.
    options : ReportOptions
        Not used.

    Returns
    -------
    HypotheticalSection or None
        The section.
    """
    del options
    venues = context.venues
    if "hypothetical" not in venues.columns:
        return None
    mine = venues[venues["hypothetical"].fillna(False).astype(bool)]
    if mine.empty:
        return None
    labels = mine["name"] if "name" in mine.columns else mine["venue_id"]
    names = labels.astype("string").fillna(mine["venue_id"].astype("string"))
    return HypotheticalSection(tuple(str(n) for n in names))
