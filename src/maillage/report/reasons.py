"""Rejection reasons in French, for ``rejected.csv``, the page and the command line.

The loaders give each rejected row an English reason (for Python users);
:func:`french_reason` says it in French, keeping the values it quotes. A reason it does
not know is returned unchanged, so a new reason needs only a line in :data:`REASONS`.

Examples
--------
>>> french_reason("unknown INSEE code '99999'")
"code INSEE inconnu '99999'"
>>> french_reason("duplicate venue_id 'a1' (first at row 3)")
"identifiant de lieu en double 'a1' (première occurrence ligne 3)"
"""

from __future__ import annotations

import re

__all__ = ["REASONS", "french_reason"]

REASONS: tuple[tuple[str, str], ...] = (
    (r"missing coordinates", "coordonnées manquantes"),
    (r"missing INSEE code", "code INSEE manquant"),
    (r"missing venue_id", "identifiant de lieu manquant"),
    (r"missing name", "nom manquant"),
    (r"unknown INSEE code(.*)", r"code INSEE inconnu\1"),
    (r"unparsable coordinates", "coordonnées illisibles"),
    (r"duplicate venue_id", "identifiant de lieu en double"),
    (r"coordinates look projected", "coordonnées projetées, pas des degrés"),
    (r"GoGoCarto status (-?\d+)", r"statut GoGoCarto \1"),
    (
        r"unparsable coordinates \(latitude (.*), longitude (.*)\)",
        r"coordonnées illisibles (latitude \1, longitude \2)",
    ),
    (r"unparsable coordinates \(x (.*), y (.*)\)", r"coordonnées illisibles (x \1, y \2)"),
    (r"latitude and longitude swapped", "latitude et longitude inversées"),
    (
        r"point outside France \(more than 20 km from any French commune\)",
        "point hors de France (à plus de 20 km de toute commune française)",
    ),
    (r"point outside France", "point hors de France"),
    (r"geometry is not a point: (.*)", r"la géométrie n'est pas un point : \1"),
    (
        r"duplicate venue_id (.*) \(first at row (\d+)\)",
        r"identifiant de lieu en double \1 (première occurrence ligne \2)",
    ),
    (
        r"coordinates look projected \(latitude (-?\d+), longitude (-?\d+)\), not degrees.*",
        r"coordonnées projetées (latitude \1, longitude \2), pas des degrés : donnez-les en x/y "
        r"avec leur système (--crs 2154)",
    ),
    (
        r"GoGoCarto status (-?\d+) \(refused by the map's administrators\)",
        r"statut GoGoCarto \1 (refusé par les administrateurs de la carte)",
    ),
    (
        r"GoGoCarto status (-?\d+) \(refused by the contributors' votes\)",
        r"statut GoGoCarto \1 (refusé par le vote des contributeurs)",
    ),
    (r"GoGoCarto status (-?\d+) \(deleted\)", r"statut GoGoCarto \1 (supprimé)"),
    (
        r"GoGoCarto status (-?\d+) \(pending modification copy\)",
        r"statut GoGoCarto \1 (copie en attente de modification)",
    ),
    (r"GoGoCarto status (-?\d+) \(duplicate\)", r"statut GoGoCarto \1 (doublon)"),
    (r"GoGoCarto status (-?\d+) \(not public\)", r"statut GoGoCarto \1 (non public)"),
    (r"point outside the area", "point hors du territoire"),
    (r"outside the area", "hors du territoire"),
    (r"closed", "lieu fermé"),
)
"""English reason (a regular expression matching the whole reason) -> its French template."""

_COMPILED = tuple((re.compile(english, re.DOTALL), french) for english, french in REASONS)


def french_reason(reason: str) -> str:
    """Return ``reason`` in French (unchanged when it is already French or unknown).

    Parameters
    ----------
    reason : str
        A rejection reason of :func:`maillage.load_venues`.

    Returns
    -------
    str
        The French reason, with the quoted values kept.
    """
    text = str(reason)
    for pattern, french in _COMPILED:
        match = pattern.fullmatch(text)
        if match:
            return match.expand(french)
    return text
