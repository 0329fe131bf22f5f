"""The data dictionary of the report's tables, and the tables as French spreadsheets read them.

Every column of a table meant for people (``communes.csv``, ``indicators.csv``...) has an
entry in :data:`COLUMNS`: its French header, what it means and its unit. A new column only
needs an entry here; the CSV writer, the workbook's ``Lisez-moi`` sheet and the GeoPackage's
QGIS aliases all read it.

The CSV files are written for French spreadsheets (:func:`table_csv`): ``;`` between cells,
a UTF-8 byte-order mark (so Excel reads the accents), decimal commas, ``oui``/``non`` for
yes/no columns and whole numbers where people are counted. The ``code_insee`` key keeps its
name. :func:`read_table` reads such a file (or a comma-separated one of an earlier report)
back with the canonical column names.

Examples
--------
>>> french_name("time_min"), french_name("share_10_min")
("Temps d'accès (min)", 'Part des habitants à 10 min ou moins')
>>> canonical_name("Part des habitants à 10 min ou moins")
'share_10_min'
>>> frame = pd.DataFrame({"covered": [True], "population": [12.0]}, index=pd.Index(["16001"], name="code_insee"))
>>> table_csv(frame).decode("utf-8-sig").splitlines()
['code_insee;Couverte;Population', '16001;oui;12']
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from maillage.report.formulas import neutralise_formulas

__all__ = [
    "COLUMNS",
    "Column",
    "canonical_name",
    "column_entry",
    "french_name",
    "people_table",
    "read_table",
    "table_csv",
]


@dataclass(frozen=True)
class Column:
    """One entry of the data dictionary.

    Attributes
    ----------
    name : str
        French header.
    meaning : str
        What the column holds, in French.
    unit : str
        Its unit (``"min"``, ``"habitants"``, ``"part (0 à 1)"``...), ``""`` for text.
    kind : str
        ``"text"``, ``"count"`` (whole number), ``"number"``, or ``"bool"`` (``oui``/``non``).
    """

    name: str
    meaning: str
    unit: str = ""
    kind: str = "text"


def _c(name: str, meaning: str, unit: str = "", kind: str = "text") -> Column:
    return Column(name, meaning, unit, kind)


_PEOPLE, _MIN, _SHARE = "habitants", "min", "part (0 à 1)"

COLUMNS: dict[str, Column] = {
    "code_insee": _c("code_insee", "Code INSEE de la commune (clé de jointure)"),
    "nom": _c("Commune", "Nom de la commune"),
    "departement": _c("Département", "Code du département"),
    "region": _c("Région", "Code de la région"),
    "epci": _c("EPCI", "Code SIREN de l'intercommunalité (EPCI)"),
    "population": _c("Population", "Population municipale", _PEOPLE, "count"),
    "geometry_source": _c("Origine du contour", "D'où vient le contour de la commune"),
    "time_min": _c(
        "Temps d'accès (min)",
        "Temps de trajet en voiture du centre de la commune au lieu le plus proche",
        _MIN,
        "number",
    ),
    "median_time_min": _c(
        "Temps médian (min)",
        "Temps d'accès médian des habitants au lieu le plus proche",
        _MIN,
        "number",
    ),
    "mean_time_min": _c(
        "Temps moyen (min)",
        "Temps d'accès moyen des habitants au lieu le plus proche",
        _MIN,
        "number",
    ),
    "uncertain": _c(
        "Temps incertain",
        "oui quand l'incertitude du temps d'accès fait passer la commune d'un côté à l'autre du seuil",
        kind="bool",
    ),
    "time_min_low": _c(
        "Temps d'accès bas (min)",
        "Borne basse du temps d'accès (incertitude du modèle)",
        _MIN,
        "number",
    ),
    "time_min_high": _c(
        "Temps d'accès haut (min)",
        "Borne haute du temps d'accès (incertitude du modèle)",
        _MIN,
        "number",
    ),
    "nearest_venue": _c("Identifiant du lieu le plus proche", "Identifiant du lieu le plus proche"),
    "nearest_venue_name": _c("Lieu le plus proche", "Nom du lieu le plus proche"),
    "covered": _c("Couverte", "oui quand le temps d'accès est au plus le seuil", kind="bool"),
    "population_within_threshold": _c(
        "Habitants à moins du seuil",
        "Habitants à au plus le seuil d'un lieu (nombre entier, arrondi au plus fort reste)",
        _PEOPLE,
        "count",
    ),
    "share_within_threshold": _c(
        "Part des habitants à moins du seuil",
        "Part des habitants à au plus le seuil d'un lieu",
        _SHARE,
        "number",
    ),
    "level": _c("Niveau", "departement ou epci"),
    "code": _c("Code", "Code du département ou de l'EPCI"),
    "name": _c("Nom", "Nom du territoire ou du lieu"),
    "communes": _c("Communes", "Nombre de communes", "communes", "count"),
    "white_zone_communes": _c(
        "Communes en zone blanche", "Communes au-delà du seuil", "communes", "count"
    ),
    "white_zone_population": _c(
        "Habitants en zone blanche", "Habitants des communes au-delà du seuil", _PEOPLE, "count"
    ),
    "population_two_within": _c(
        "Habitants avec deux lieux à moins du seuil",
        "Habitants qui ont au moins deux lieux à au plus le seuil (une alternative si l'un ferme)",
        _PEOPLE,
        "count",
    ),
    "share_two_within": _c(
        "Part des habitants avec deux lieux à moins du seuil",
        "Part des habitants qui ont au moins deux lieux à au plus le seuil",
        _SHARE,
        "number",
    ),
    "residents_served": _c(
        "Habitants desservis",
        "Habitants dont ce lieu est le plus proche",
        _PEOPLE,
        "count",
    ),
    "residents_beyond": _c(
        "Habitants au-delà du seuil s'il fermait",
        "Habitants desservis qui passeraient au-delà du seuil si ce lieu fermait",
        _PEOPLE,
        "count",
    ),
    "added_minutes_per_resident": _c(
        "Minutes de plus par habitant s'il fermait",
        "Temps d'accès ajouté en moyenne aux habitants desservis qui ont un autre lieu",
        _MIN,
        "number",
    ),
    "residents_without_alternative": _c(
        "Habitants sans autre lieu",
        "Habitants desservis qui n'auraient aucun autre lieu accessible s'il fermait",
        _PEOPLE,
        "count",
    ),
    "before": _c("Début", "Date (ou année) du début de l'étape"),
    "after": _c("Fin", "Date (ou année) de la fin de l'étape"),
    "before_share": _c(
        "Part à moins du seuil au début",
        "Part des habitants à au plus le seuil d'un lieu, au début",
        _SHARE,
        "number",
    ),
    "after_share": _c(
        "Part à moins du seuil à la fin",
        "Part des habitants à au plus le seuil d'un lieu, à la fin",
        _SHARE,
        "number",
    ),
    "change_points": _c(
        "Évolution (points)",
        "Évolution de la part à moins du seuil, en points de pourcentage",
        "points",
        "number",
    ),
    "change_residents": _c(
        "Évolution (habitants)",
        "Évolution du nombre d'habitants à moins du seuil",
        _PEOPLE,
        "count",
    ),
    "opened_points": _c(
        "Dû aux ouvertures (points)",
        "Part de l'évolution due aux ouvertures de lieux, en points (partage de Shapley)",
        "points",
        "number",
    ),
    "opened_residents": _c(
        "Dû aux ouvertures (habitants)",
        "Habitants à moins du seuil gagnés ou perdus du fait des ouvertures de lieux",
        _PEOPLE,
        "count",
    ),
    "closed_points": _c(
        "Dû aux fermetures (points)",
        "Part de l'évolution due aux fermetures et déplacements de lieux, en points (partage de Shapley)",
        "points",
        "number",
    ),
    "closed_residents": _c(
        "Dû aux fermetures (habitants)",
        "Habitants à moins du seuil gagnés ou perdus du fait des fermetures et déplacements de lieux",
        _PEOPLE,
        "count",
    ),
    "population_points": _c(
        "Dû à la population (points)",
        "Part de l'évolution due à l'évolution de la population, en points (partage de Shapley)",
        "points",
        "number",
    ),
    "population_residents": _c(
        "Dû à la population (habitants)",
        "Habitants à moins du seuil gagnés ou perdus du fait de l'évolution de la population",
        _PEOPLE,
        "count",
    ),
    "geography_points": _c(
        "Dû à la carte communale (points)",
        "Part de l'évolution due aux changements de la carte communale (fusions, scissions), en points (partage de Shapley)",
        "points",
        "number",
    ),
    "geography_residents": _c(
        "Dû à la carte communale (habitants)",
        "Habitants à moins du seuil gagnés ou perdus du fait des changements de la carte communale (fusions, scissions)",
        _PEOPLE,
        "count",
    ),
    "venues_opened": _c(
        "Lieux ouverts", "Lieux ouverts entre le début et la fin de l'étape", kind="count"
    ),
    "venues_closed": _c(
        "Lieux fermés", "Lieux fermés entre le début et la fin de l'étape", kind="count"
    ),
    "venues_moved": _c(
        "Lieux déplacés", "Lieux déplacés entre le début et la fin de l'étape", kind="count"
    ),
    "venues_kept": _c(
        "Lieux maintenus", "Lieux maintenus entre le début et la fin de l'étape", kind="count"
    ),
    "communes_merged": _c(
        "Communes fusionnées",
        "Communes fusionnées entre le début et la fin de l'étape",
        kind="count",
    ),
    "communes_split": _c(
        "Communes scindées", "Communes scindées entre le début et la fin de l'étape", kind="count"
    ),
    "rank": _c(
        "Rang", "Ordre du site suggéré (le premier gagne le plus d'habitants)", kind="count"
    ),
    "candidate_id": _c("Site candidat", "Identifiant du site candidat"),
    "gain_population": _c(
        "Habitants gagnés", "Habitants passés sous le seuil par ce site", _PEOPLE, "count"
    ),
    "cumulative_population": _c(
        "Habitants gagnés (cumul)",
        "Habitants gagnés par ce site et les précédents",
        _PEOPLE,
        "count",
    ),
    "share_within_threshold_after": _c(
        "Part à moins du seuil après ajout",
        "Part des habitants à au plus le seuil avec ce site et les précédents",
        _SHARE,
        "number",
    ),
    "x_l93": _c("X Lambert-93", "Abscisse en Lambert-93 (EPSG:2154)", "m", "number"),
    "y_l93": _c("Y Lambert-93", "Ordonnée en Lambert-93 (EPSG:2154)", "m", "number"),
    "lon": _c("Longitude", "Longitude WGS 84", "degrés", "number"),
    "lat": _c("Latitude", "Latitude WGS 84", "degrés", "number"),
    "longitude": _c("Longitude lue", "Longitude telle que lue dans le fichier", "degrés", "number"),
    "latitude": _c("Latitude lue", "Latitude telle que lue dans le fichier", "degrés", "number"),
    "year": _c("Année", "Année d'état du réseau", kind="count"),
    "venues": _c("Lieux", "Nombre de lieux ouverts", "lieux", "count"),
    "time_min_before": _c(
        "Temps d'accès avant (min)", "Temps d'accès dans le rapport précédent", _MIN, "number"
    ),
    "time_min_after": _c(
        "Temps d'accès après (min)", "Temps d'accès dans ce rapport", _MIN, "number"
    ),
    "covered_before": _c("Couverte avant", "Couverture dans le rapport précédent", kind="bool"),
    "covered_after": _c("Couverte après", "Couverture dans ce rapport", kind="bool"),
    "change": _c("Évolution", "Ce qui a changé pour la commune"),
    "file": _c("Fichier", "Fichier du recensement"),
    "file_row": _c(
        "Ligne du fichier", "Numéro de la ligne (1 = première ligne après l'en-tête)", kind="count"
    ),
    "venue_id": _c("Identifiant du lieu", "Identifiant du lieu dans le recensement"),
    "reason": _c("Motif", "Pourquoi la ligne est écartée"),
    "date": _c("Date", "Date de la liste"),
    "vintage": _c("Date", "Date de la liste"),
    "previous": _c("Date précédente", "Date de la liste précédente"),
    "source": _c("Liste", "Liste de lieux"),
    "opened": _c("Ouvertures", "Lieux apparus depuis la liste précédente", "lieux", "count"),
    "closed": _c("Fermetures", "Lieux disparus depuis la liste précédente", "lieux", "count"),
    "kept": _c("Maintenus", "Lieux présents dans les deux listes", "lieux", "count"),
    "site": _c("Site", "Numéro du site apparié entre les listes"),
    "kind": _c("Type de lieu", "Type de lieu"),
    "workers": _c("Actifs", "Actifs résidant dans la commune", "personnes", "count"),
    "car_commuters": _c(
        "Navetteurs en voiture",
        "Actifs allant travailler en voiture dans une autre commune",
        "personnes",
        "count",
    ),
    "long_commuters": _c(
        "Longs navetteurs",
        "Navetteurs en voiture dont le trajet dépasse la durée retenue",
        "personnes",
        "count",
    ),
    "eligible_commuters": _c(
        "Navetteurs concernés",
        "Longs navetteurs qui ont un lieu plus proche que leur travail",
        "personnes",
        "count",
    ),
    "beyond_daily": _c(
        "Trajet hors quotidien",
        "Navetteurs dont le trajet est trop long pour être quotidien",
        "personnes",
        "count",
    ),
    "unplaced": _c(
        "Non localisés",
        "Navetteurs dont une commune n'a pas de temps de trajet",
        "personnes",
        "count",
    ),
    "commute_min": _c(
        "Trajet moyen (min)", "Trajet moyen (aller) des longs navetteurs", _MIN, "number"
    ),
    "access_min": _c(
        "Accès moyen au lieu (min)",
        "Temps d'accès moyen au lieu des navetteurs concernés",
        _MIN,
        "number",
    ),
    "saved_min_per_day": _c(
        "Minutes gagnées par jour",
        "Temps de trajet évité par jour de télétravail au lieu",
        _MIN,
        "number",
    ),
    "saved_hours_per_year": _c(
        "Heures gagnées par an", "Temps de trajet évité par an", "heures", "number"
    ),
    "km_avoided_per_year": _c(
        "Km évités par an", "Distance en voiture évitée par an", "km", "number"
    ),
    "co2_avoided_t_per_year": _c(
        "CO2 évité (t/an)", "Émissions évitées par an", "tonnes de CO2", "number"
    ),
    "supported": _c("Soutenu", "oui quand le lieu est soutenu par l'action publique", kind="bool"),
    "support_source": _c("Source du soutien", "Liste qui établit le soutien"),
    "location_quality": _c("Qualité de la localisation", "Précision du point du lieu"),
    "location_source": _c("Origine du point", "D'où vient le point du lieu"),
    "population_covered": _c(
        "Habitants couverts", "Habitants à au plus le seuil de ce lieu", _PEOPLE, "count"
    ),
    "population_only_this": _c(
        "Habitants couverts seulement par ce lieu",
        "Habitants qui n'ont que ce lieu à au plus le seuil",
        _PEOPLE,
        "count",
    ),
    "population_served": _c(
        "Habitants desservis", "Habitants dont ce lieu est le plus proche", _PEOPLE, "count"
    ),
    "communes_served": _c(
        "Communes desservies", "Communes dont ce lieu est le plus proche", "communes", "count"
    ),
    "zone_id": _c("Zone", "Numéro de la zone blanche"),
}
"""Canonical column name -> its entry; see also the patterns of :func:`column_entry`."""

_PATTERNS = (  # columns named after a number: (canonical, French) with one {} each
    ("share_{}_min", "Part des habitants à {} min ou moins"),
    ("x_epsg{}", "X EPSG:{}"),
    ("y_epsg{}", "Y EPSG:{}"),
)


def column_entry(column: str) -> Column | None:
    """Return the dictionary entry of ``column``, None when it has none.

    Parameters
    ----------
    column : str
        Canonical name, e.g. ``"share_20_min"``.

    Returns
    -------
    Column or None
        The entry (a column named after a number, like ``share_20_min``, gets one too).
    """
    if column in COLUMNS:
        return COLUMNS[column]
    for canonical, french in _PATTERNS:
        match = re.fullmatch(re.escape(canonical).replace(r"\{\}", r"(\d+)"), column)
        if match:
            number = match[1]
            if canonical.startswith("share"):
                return _c(
                    french.format(number),
                    f"Part des habitants à {number} min ou moins d'un lieu",
                    _SHARE,
                    "number",
                )
            return _c(
                french.format(number), f"Coordonnée dans le système EPSG:{number}", "m", "number"
            )
    return None


def french_name(column: str) -> str:
    """Return the French header of ``column`` (the name itself when it has no entry)."""
    entry = column_entry(str(column))
    return entry.name if entry is not None else str(column)


def canonical_name(header: str) -> str:
    """Return the canonical name of a French header (the header itself when none matches)."""
    for canonical, entry in COLUMNS.items():
        if entry.name == header and canonical != "vintage":
            return canonical
    for canonical, french in _PATTERNS:
        match = re.fullmatch(re.escape(french).replace(r"\{\}", r"(\d+)"), header)
        if match:
            return canonical.format(match[1])
    return header


def _yes_no(values: pd.Series) -> pd.Series:
    flags = values.astype("boolean")
    return flags.map({True: "oui", False: "non"}, na_action="ignore").astype("string")


def people_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as people read it: French headers, ``oui``/``non``, whole counts.

    The index (named) becomes the first column. Floats are rounded to 4 decimals; text
    cells a spreadsheet would run as a formula are neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with canonical column names.

    Returns
    -------
    pandas.DataFrame
        A new frame, with a plain range index.
    """
    table = frame.reset_index() if frame.index.name is not None else frame.reset_index(drop=True)
    table = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    for column in table.columns:
        entry = column_entry(str(column))
        kind = entry.kind if entry is not None else "text"
        values = table[column]
        if kind == "bool":
            table[column] = _yes_no(values)
        elif kind == "count" and pd.api.types.is_numeric_dtype(values):
            table[column] = values.astype(float).round().astype("Int64")
        elif pd.api.types.is_float_dtype(values):
            table[column] = values.round(4)
    table = neutralise_formulas(table)
    return table.rename(columns={c: french_name(str(c)) for c in table.columns})


def table_csv(frame: pd.DataFrame, *, international: bool = False) -> bytes:
    r"""Write ``frame`` as a CSV file for French spreadsheets (see the module's docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with canonical column names (its named index first).
    international : bool
        Write a comma-separated UTF-8 file with decimal points instead (still French headers).

    Returns
    -------
    bytes
        The file, with ``\\n`` line ends.
    """
    table = people_table(frame)
    if international:
        return table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    text = table.to_csv(index=False, sep=";", decimal=",", lineterminator="\n")
    return text.encode("utf-8-sig")


def _typed(values: pd.Series, kind: str) -> pd.Series:
    if kind == "bool":
        flags = (
            values.str.strip()
            .str.lower()
            .map({"oui": True, "non": False, "true": True, "false": False})
        )
        flags = flags.astype("boolean")
        return flags.astype(bool) if flags.notna().all() else flags
    if kind == "count":
        numbers = pd.to_numeric(values, errors="coerce").astype("Int64")
        return numbers.astype("int64") if numbers.notna().all() else numbers
    if kind == "number":
        return pd.to_numeric(values, errors="coerce").astype(float)
    return values


def read_table(source: str | Path | bytes, *, typed: bool = True) -> pd.DataFrame:
    """Read a table of a report back, with canonical names and types.

    Reads the French CSV of :func:`table_csv` (``;``, BOM, decimal commas) and, for reports
    written before it, the comma-separated one with English headers.

    Parameters
    ----------
    source : str, pathlib.Path or bytes
        The file, or its content.
    typed : bool
        Convert the columns to their types; else every cell stays text (numbers with a
        decimal point), for a caller that checks the values itself.

    Returns
    -------
    pandas.DataFrame
        Canonical column names; codes and text as strings, counts as integers, yes/no as
        booleans (nullable types where cells are empty).
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    text = data.decode("utf-8-sig")
    french = ";" in text.split("\n", 1)[0] or data.startswith(b"\xef\xbb\xbf")
    sep = ";" if french else ","
    table = pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""]
    )
    table = table.rename(columns={c: canonical_name(c) for c in table.columns})
    for column in table.columns:
        entry = column_entry(column)
        kind = entry.kind if entry is not None else ("text" if column == "code_insee" else "")
        if french and kind in ("number", "count", ""):
            table[column] = table[column].str.replace(",", ".", regex=False)
        if typed and kind:
            table[column] = _typed(table[column], kind)
        elif typed:
            numbers = pd.to_numeric(table[column], errors="coerce")
            if numbers.notna().sum() == table[column].notna().sum():
                table[column] = numbers
    return table
