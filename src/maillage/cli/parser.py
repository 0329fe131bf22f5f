"""The parser of the ``maillage`` command, in French: :func:`build_parser`, :class:`FrenchParser`.

Examples
--------
>>> build_parser().parse_args(["report", "--out", "x", "--years", "2019-2020"]).years
[2019, 2020]
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import maillage

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["USAGE_ERROR", "FrenchParser", "build_parser", "parse_years"]

USAGE_ERROR = 2
"""Exit code of a user error (argparse's own, and every message of :mod:`maillage.cli`)."""


MAX_YEARS = 200
"""Most years ``--years`` may span: a typo such as ``2019-20244`` is refused, not computed."""

LAST_YEAR = 2100
"""Last year ``--years`` accepts."""


def parse_years(text: str) -> list[int]:
    """Parse ``"A-B"`` (inclusive) or ``"A"`` into a list of years.

    Parameters
    ----------
    text : str
        Years as typed on the command line.

    Returns
    -------
    list of int
        The years, increasing.

    Raises
    ------
    argparse.ArgumentTypeError
        When the text is not ``A-B`` with ``1900 <= A <= B <= 2100``, or spans more
        than :data:`MAX_YEARS` years.
    """
    try:
        parts = [int(p) for p in text.split("-")]
    except ValueError:
        parts = []
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or parts[0] > parts[1] or parts[0] < 1900:
        msg = f"années attendues sous la forme 2019-2024 ou 2024, reçu « {text} »"
        raise argparse.ArgumentTypeError(msg)
    if parts[1] > LAST_YEAR or parts[1] - parts[0] >= MAX_YEARS:
        msg = (
            f"années de 1900 à {LAST_YEAR}, {MAX_YEARS} au plus d'un coup "
            f"(reçu « {text[:40]}{'…' if len(text) > 40 else ''} »)"
        )
        raise argparse.ArgumentTypeError(msg)
    return list(range(parts[0], parts[1] + 1))


_ARGPARSE_FR = (
    (r"the following arguments are required: (.*)", r"argument(s) obligatoire(s) manquant(s) : \1"),
    (r"one of the arguments (.*) is required", r"l'un des arguments \1 est obligatoire"),
    (r"argument (\S+): not allowed with argument (\S+)", r"l'option \1 ne va pas avec \2"),
    (
        r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)",
        r"\1 : choix inconnu \2 (au choix : \3)",
    ),
    (r"argument (\S+): invalid (?:int|float) value: (.*)", r"\1 : nombre attendu, reçu \2"),
    (r"argument (\S+): expected one argument", r"\1 : une valeur attendue"),
    (r"argument (\S+): expected at least one argument", r"\1 : au moins une valeur attendue"),
    (r"argument (\S+): ignored explicit argument (.*)", r"\1 : valeur inattendue \2"),
    (r"unrecognized arguments: (.*)", r"argument(s) inconnu(s) : \1"),
    (r"ambiguous option: (\S+) could match (.*)", r"option ambiguë \1 : \2 ?"),
    (r"argument (\S+): (.*)", r"\1 : \2"),  # a type's own (French) message
)
"""argparse's English messages (Python 3.12) and their French wording."""


def _french(message: str) -> str:
    """Return argparse's ``message`` in French (unknown messages are kept as they are).

    An unknown choice gets what it may have meant (:mod:`difflib`).
    """
    choice = re.fullmatch(_ARGPARSE_FR[3][0], message, flags=re.DOTALL)
    for pattern, repl in _ARGPARSE_FR:
        if re.fullmatch(pattern, message, flags=re.DOTALL):
            message = re.sub(pattern, repl, message, flags=re.DOTALL)
            break
    if choice is not None:
        known = re.findall(r"'([^']*)'", choice[3])
        near = difflib.get_close_matches(choice[2].strip("'"), known, n=2, cutoff=0.6)
        message += f" ; vouliez-vous dire {', '.join(near)} ?" if near else ""
    return message


class _FrenchHelp(argparse.HelpFormatter):
    """Help in French: ``utilisation :`` instead of ``usage:``."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` that speaks French: help, section titles, errors.

    Examples
    --------
    >>> parser = FrenchParser(prog="essai")
    >>> print(parser.format_usage(), end="")
    utilisation : essai [-h]
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _FrenchHelp)
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False  # our own -h, with a French help line
        super().__init__(*args, **kwargs)
        # argparse writes "<title>:"; the space gives the French "options :"
        self._positionals.title = "arguments "
        self._optionals.title = "options "
        if add_help:
            self.add_argument(
                "-h",
                "--help",
                action="help",
                default=argparse.SUPPRESS,
                help="afficher cette aide et quitter",
            )

    def error(self, message: str) -> NoReturn:
        """Print the usage and the French message, then exit with code 2."""
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog} : erreur : {_french(message)}\n")


def _header_row(text: str) -> int:
    try:
        row = int(text)
    except ValueError:
        row = 0
    if row < 1:
        msg = f"--header-row attend un numéro de ligne (1 pour la première), reçu « {text} »"
        raise argparse.ArgumentTypeError(msg)
    return row


def _columns_option(text: str) -> dict[str, str]:
    from maillage.load.census_guess import parse_columns_flag  # noqa: PLC0415 - keeps --help fast

    try:
        return parse_columns_flag(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``maillage`` command (in French).

    Returns
    -------
    argparse.ArgumentParser
        Parser with the ``report`` and ``catalogue`` sub-commands.
    """
    common = FrenchParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="plus de messages (-vv : détails de débogage)",
    )
    common.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="seulement les erreurs, sans barre de progression",
    )
    parser = FrenchParser(
        prog="maillage",
        description="Mesure la desserte d'un territoire par un réseau de lieux (tiers-lieux, "
        "France services...) : temps d'accès, zones blanches, sites à ouvrir.",
        epilog="Exemple : maillage report --venues cget-tiers-lieux-2019 --region 75 --out rapport",
        parents=[common],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"maillage {maillage.__version__}",
        help="afficher la version et quitter",
    )
    sub = parser.add_subparsers(
        title="commandes ", dest="command", required=True, metavar="COMMANDE"
    )
    rep = sub.add_parser(
        "report",
        help="écrire le rapport de desserte d'un territoire dans un dossier",
        description="Écrit le rapport de desserte d'un territoire (report.html, cartes, "
        "tableaux CSV, coverage.gpkg, summary.json) dans un dossier.",
        parents=[common],
    )
    _report_arguments(rep)
    _page_arguments(rep)
    sub.add_parser(
        "catalogue",
        help="lister les jeux de données du catalogue (recensements, grilles, réseaux)",
        description="Liste les jeux de données que maillage connaît par leur nom, à donner "
        "à --venues, --supported, --series, --grid ou --network.",
        parents=[common],
    )
    return parser


def _report_arguments(rep: argparse.ArgumentParser) -> None:
    """Add the options of ``maillage report``."""
    rep.add_argument(
        "--venues",
        metavar="NOM_OU_FICHIER",
        help="recensement des lieux : nom du catalogue (maillage catalogue) ou fichier CSV, "
        "XLSX, GeoJSON, GeoPackage, export GoGoCarto, schéma de la médiation numérique "
        "(avec --series, sa liste la plus récente par défaut)",
    )
    rep.add_argument(
        "--columns",
        type=_columns_option,
        metavar='"Leur=canonique,..."',
        help="noms canoniques des colonnes du fichier --venues, par exemple "
        '"Identifiant=venue_id,Nom=name,Latitude=latitude,Longitude=longitude" ; '
        "un nom de colonne qui contient = ou , les écrit \\= et \\, "
        '(par exemple "Nom\\, lieu=name") ; une colonne de données personnelles '
        "(courriel, téléphone, contact, référent, prénom…) est refusée",
    )
    rep.add_argument(
        "--sheet",
        metavar="FEUILLE",
        help="feuille du classeur XLSX --venues à lire (par défaut la première)",
    )
    rep.add_argument(
        "--header-row",
        type=_header_row,
        metavar="N",
        help="ligne des en-têtes du fichier --venues, 1 pour la première (par défaut : trouvée "
        "sous les lignes de titre d'un classeur, la première d'un CSV)",
    )
    rep.add_argument(
        "--keep-duplicates",
        action="store_true",
        help="garder les doublons du recensement (même nom au même lieu, à 1 m près) en les "
        "signalant, au lieu de les écarter dans rejected.csv",
    )
    rep.add_argument(
        "--crs",
        metavar="EPSG",
        help="système de coordonnées des colonnes x/y du fichier --venues, par exemple 2154 "
        "pour le Lambert-93",
    )
    rep.add_argument(
        "--series",
        nargs="+",
        metavar="NOM_OU_FICHIER[=DATE]",
        help="listes datées d'un même réseau (les noms du catalogue portent leur date ; "
        "FICHIER=DATE pour un fichier) : évolution, cartes, ouvertures et fermetures",
    )
    rep.add_argument(
        "--supported",
        metavar="NOM_OU_FICHIER",
        help="lieux soutenus publiquement (labellisés), nom du catalogue ou fichier, par exemple "
        "fabriques-territoire-2024 : rapprochés du recensement pour y marquer les lieux soutenus",
    )
    rep.add_argument(
        "--add-unmatched-supported",
        action="store_true",
        help="avec --supported : ajouter aussi, au centre de leur commune, les lieux labellisés "
        "qu'aucun lieu du recensement ne rapproche (le titre et le décompte le disent)",
    )
    area = rep.add_mutually_exclusive_group()
    area.add_argument("--region", metavar="CODE", help="code INSEE de la région, par exemple 75")
    area.add_argument(
        "--departement",
        nargs="+",
        metavar="CODE",
        help="code(s) de département, par exemple 17 79 (9 vaut 09, 2a vaut 2A)",
    )
    rep.add_argument(
        "--threshold",
        type=float,
        default=20.0,
        metavar="MIN",
        help="seuil d'accès en minutes : au-delà, une commune est en zone blanche (20 par défaut)",
    )
    rep.add_argument(
        "--network",
        nargs="+",
        action="extend",
        metavar="FICHIER.osm.pbf",
        help="réseau routier : un ou plusieurs fichiers .osm.pbf (les extraits voisins sont "
        "fusionnés), ou « osm » pour les extraits régionaux du catalogue qui couvrent le "
        "territoire, téléchargés une fois et gardés en cache (par défaut : modèle à vol "
        "d'oiseau calé sur des temps de trajet réels)",
    )
    rep.add_argument(
        "--engine",
        choices=["graph", "osrm"],
        default="graph",
        help="moteur de calcul sur les extraits --network : graph (le graphe routier de "
        "maillage, par défaut) ou osrm (profil voiture d'OSRM ; paquet osrm-bindings requis)",
    )
    rep.add_argument(
        "--grid",
        metavar="FICHIER",
        help="grille de population (fichier ou nom du catalogue) : les habitants sont placés "
        "sur ses carreaux de 200 m ; hors de la grille, comme sans grille",
    )
    when = rep.add_mutually_exclusive_group()
    when.add_argument(
        "--year", type=int, metavar="ANNÉE", help="seulement les lieux ouverts cette année-là"
    )
    when.add_argument(
        "--years", type=parse_years, metavar="A-B", help="évolution année par année, de A à B"
    )
    rep.add_argument(
        "--sites", type=int, default=5, metavar="K", help="nombre de sites suggérés (5 par défaut)"
    )
    rep.add_argument(
        "--out",
        required=True,
        type=_user_path,
        metavar="DOSSIER",
        help="dossier du rapport, remplacé en entier seulement s'il est nouveau, vide ou s'il "
        "contient un rapport antérieur inchangé (son .maillage-manifest.json le dit) ; un lien "
        "est suivi",
    )
    rep.add_argument(
        "--previous",
        type=_user_path,
        metavar="DOSSIER",
        help="dossier d'un rapport antérieur (peut être --out) à comparer : ajoute changes.csv "
        "et une section à la page",
    )
    rep.add_argument(
        "--commutes",
        metavar="NOM_OU_FICHIER",
        help="navettes domicile-travail des habitants (nom du catalogue, fichier INSEE par "
        "millésime ou table origine-destination) : ajoute la section « Trajets "
        "domicile-travail évitables », commutes.csv et commutes.png",
    )
    rep.add_argument(
        "--commute-kinds",
        metavar="TYPES",
        help="avec --commutes : types de lieux que le scénario compte, séparés par des virgules "
        "(coworking, tiers-lieu, fablab, guichet, « non renseigné », autre) ou « all » ; par "
        "défaut ceux où l'on peut travailler une journée (coworking, tiers-lieu)",
    )
    rep.add_argument(
        "--tiers-lieu-share",
        type=float,
        metavar="PART",
        help="avec --commutes : part du télétravail faite en tiers-lieu plutôt qu'à domicile, "
        "entre 0 et 1 (par défaut 0,02 : voir les hypothèses du scénario)",
    )
    rep.add_argument(
        "--co2",
        choices=("direct", "cycle-de-vie"),
        help="avec --commutes : émissions du scénario à l'échappement (direct, par défaut) ou "
        "en cycle de vie (ADEME, Base Empreinte)",
    )
    rep.add_argument(
        "--rebond",
        action="store_true",
        help="avec --commutes : retirer du scénario l'effet rebond (environ un tiers, ADEME 2020)",
    )


def _page_arguments(rep: argparse.ArgumentParser) -> None:
    """Add the options that set the text of report.html (never edit the file itself)."""
    page = rep.add_argument_group(
        "texte de la page ", "la seule façon de changer le texte de report.html"
    )
    page.add_argument(
        "--title",
        metavar="TITRE",
        help="titre de la page (par défaut « Accès aux lieux – » et le territoire)",
    )
    page.add_argument(
        "--subtitle",
        metavar="SOUS-TITRE",
        help="sous-titre de la page (par défaut le nom du recensement)",
    )
    page.add_argument(
        "--intro",
        type=_user_path,
        metavar="FICHIER.md",
        help="introduction en Markdown (paragraphes, titres #, listes -, **gras**, *italique*, "
        "liens), placée sous le titre",
    )


def _user_path(text: str) -> Path:
    """Return the path given to a flag, ``~`` expanded (a shell leaves ``--out=~/x``)."""
    return Path(text).expanduser()
