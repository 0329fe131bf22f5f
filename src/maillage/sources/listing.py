"""The catalogue as a reader sees it: its datasets by use, in French (``maillage catalogue``).

Examples
--------
>>> lines = catalogue_lines()
>>> lines[0]
'Jeux de données du catalogue de maillage'
>>> any(line.startswith("  cget-tiers-lieux-2019 ") for line in lines)
True
"""

from __future__ import annotations

from maillage.sources import CATALOGUE, OSM_EXTRACTS

__all__ = ["READER_TITLES", "catalogue_lines"]

READER_TITLES = {
    "venues": "Recensements de lieux (--venues, --supported, --series)",
    "grid": "Grilles de population (--grid)",
    "osm": "Réseaux routiers OpenStreetMap (--network)",
    "communes": "Communes, codes et populations (chargés d'office)",
    "travel-times": "Temps de trajet de référence (calage du modèle par défaut)",
    "commutes": "Navettes domicile-travail",
}
"""Heading of each kind of dataset (``Dataset.reader``), with the option that takes it."""


def catalogue_lines() -> list[str]:
    """Return the catalogue as lines of text: a heading per use, then name, title, licence.

    Returns
    -------
    list of str
        Lines without end-of-line characters; a blank line before each heading.
    """
    lines = ["Jeux de données du catalogue de maillage"]
    known = list(READER_TITLES)
    readers = known + sorted({d.reader for d in CATALOGUE.values()} - set(known))
    for reader in readers:
        datasets = [d for d in CATALOGUE.values() if d.reader == reader]
        if not datasets:
            continue
        lines += ["", READER_TITLES.get(reader, reader)]
        width = max(len(d.name) for d in datasets)
        lines += [
            f"  {d.name:<{width}}  {d.title} ({d.producer}, {d.vintage}) ; {d.licence}"
            for d in datasets
        ]
    some = ", ".join(list(OSM_EXTRACTS)[:3])
    lines += [
        "",
        f"Extraits régionaux OpenStreetMap (--network osm choisit ceux du territoire) : "
        f"{len(OSM_EXTRACTS)} extraits ({some}...)",
    ]
    return lines
