"""Command line: ``maillage report ...``, ``maillage catalogue``; the only module that configures logging.

Everything the command prints is in French, like the report: help, messages, errors and the
final line (argparse's own messages are translated by :class:`FrenchParser`).

User errors (bad codes, missing files, unreadable or empty input files, an ``--out`` that
must not be replaced) end with one line on stderr and exit code 2, never a traceback; the
line names command-line flags (``--out``), not Python parameters (``out_dir``). An internal
error ends with one line and exit code 1; ``-v`` adds its traceback.

Examples
--------
>>> parse_years("2019-2021")
[2019, 2020, 2021]
>>> main(["report", "--venues", "cget-tiers-lieux-2019", "--region", "99", "--out", "x"])
2
>>> main(["--version"])
maillage 0.2.0
0
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import maillage
from maillage.errors import MaillageError, OptionError, UnknownCodeError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import geopandas as gpd
    import pandas as pd

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["FrenchParser", "build_parser", "main", "parse_years", "print_catalogue"]

logger = logging.getLogger("maillage.cli")

USAGE_ERROR = 2
INTERNAL_ERROR = 1


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
        When the text is not ``A-B`` with ``A <= B``.
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
    """Return argparse's ``message`` in French (unknown messages are kept as they are)."""
    for pattern, repl in _ARGPARSE_FR:
        if re.fullmatch(pattern, message, flags=re.DOTALL):
            return re.sub(pattern, repl, message, flags=re.DOTALL)
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
        '"Identifiant=venue_id,Nom=name,Latitude=latitude,Longitude=longitude"',
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


class _FrenchLevels(logging.Formatter):
    """Log lines with French level names (``avertissement``, ``info``...)."""

    _NAMES: ClassVar[dict[str, str]] = {
        "DEBUG": "débogage",
        "INFO": "info",
        "WARNING": "avertissement",
        "ERROR": "erreur",
        "CRITICAL": "erreur",
    }

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record`` with its level name in French."""
        record = logging.makeLogRecord(record.__dict__)
        record.levelname = self._NAMES.get(record.levelname, record.levelname.lower())
        return super().format(record)


def _configure_logging(verbose: int, quiet: bool) -> Callable[[], None]:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_FrenchLevels("maillage : %(levelname)s : %(message)s"))
    root = logging.getLogger("maillage")
    previous = (root.level, warnings.showwarning)
    root.addHandler(handler)
    root.setLevel(level)

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        if not quiet:
            print(f"maillage : avertissement : {message}", file=sys.stderr)

    warnings.showwarning = show

    def undo() -> None:
        root.removeHandler(handler)
        root.setLevel(previous[0])
        warnings.showwarning = previous[1]

    return undo


def _area_label(region: str | None, departements: Sequence[str] | None) -> str:
    from maillage.load.cog import read_departements, read_regions  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if region:
        names = read_regions()["nom"]
        return f"{names.get(region, region)} (région {region})"
    if departements:
        names = read_departements()["nom"]
        return ", ".join(f"{names.get(d, d)} ({d})" for d in departements)
    return "France métropolitaine"


def _load(
    args: argparse.Namespace,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    t0 = time.perf_counter()
    communes = maillage.load_communes(region=args.region, departements=args.departement)
    logger.info("%d communes chargées en %.1f s", len(communes), time.perf_counter() - t0)
    venues, rejected = _load_venues(args.venues, args, columns=args.columns, crs=args.crs)
    if args.supported is not None:  # the credits of both lists are merged in venues.attrs
        labelled, _ = _load_venues(args.supported, args)
        venues = maillage.mark_supported(venues, labelled)  # logs its match counts
    return communes, venues, rejected


def _load_venues(
    source: str,
    args: argparse.Namespace,
    *,
    columns: dict[str, str] | None = None,
    crs: str | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load a venue list over the chosen area; log its rejected rows."""
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    t0 = time.perf_counter()
    venues, rejected = maillage.load_venues(
        source,
        region=args.region,
        departements=args.departement,
        errors="report",
        columns=columns,
        crs=crs,
    )
    logger.info("%d lieux de %s chargés en %.1f s", len(venues), source, time.perf_counter() - t0)
    if len(rejected):
        reasons = rejected["reason"].value_counts().head(3)
        listing = "; ".join(f"{n} × {r}" for r, n in reasons.items())
        logger.warning("%d ligne(s) de %s écartée(s) (%s)", len(rejected), source, listing)
    return venues, rejected


def _load_series(args: argparse.Namespace) -> dict[str, gpd.GeoDataFrame]:
    """Load the dated lists of ``--series``, keyed by their date."""
    from maillage.report.series import parse_series_spec  # noqa: PLC0415 - keeps --help fast

    specs = [parse_series_spec(item) for item in args.series or ()]
    dates = [day for _, day in specs]
    if len(set(dates)) < len(dates):
        msg = f"--series : deux listes ont la même date ({', '.join(sorted(dates))})"
        raise OptionError(msg)
    return {day: _load_venues(source, args)[0] for source, day in specs}


def _network_files(args: argparse.Namespace, *, progress: bool) -> list[Path] | None:
    """Resolve ``--network`` to local files, before any slow work (fail fast)."""
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if args.network is None:
        return None
    if "osm" in args.network:
        if args.network != ["osm"]:
            msg = "--network osm désigne les extraits du catalogue : donnez-le seul, sans fichier"
            raise maillage.OptionError(msg)
        extracts = maillage.osm_extracts_for(region=args.region, departements=args.departement)
        logger.info(
            "extraits OpenStreetMap du territoire : %s", ", ".join(e.name for e in extracts)
        )
        return maillage.fetch_osm_extracts([e.name for e in extracts], progress=progress)
    paths = [Path(item) for item in args.network]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        msg = (
            f"--network {' '.join(missing)} : fichier introuvable ; donnez des extraits "
            ".osm.pbf ou « osm »"
        )
        raise FileNotFoundError(msg)
    return paths


def _model(files: list[Path] | None, engine: str, communes: gpd.GeoDataFrame) -> TravelTimeModel:
    """Return the travel-time model; its data credits come with its ``describe()``."""
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if files is None:
        # the calibrated straight-line model, with the densities of the area's communes
        return maillage.default_model(communes)
    t0 = time.perf_counter()
    model: TravelTimeModel
    if engine == "osrm":
        model = maillage.OSRMModel.from_osm(files)
    else:
        model = maillage.RoadNetwork.from_osm(files, progress=logger.isEnabledFor(logging.WARNING))
    logger.info("réseau routier prêt en %.1f s", time.perf_counter() - t0)
    return model


def _load_commutes(args: argparse.Namespace) -> pd.DataFrame | None:
    """Load the home-to-work flows of the residents of the area (``--commutes``)."""
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if args.commutes is None:
        return None
    t0 = time.perf_counter()
    commutes, rejected = maillage.load_commutes(
        args.commutes, region=args.region, departements=args.departement, errors="report"
    )
    logger.info(
        "%d navettes (%.0f actifs) de %s chargées en %.1f s",
        len(commutes),
        commutes["workers"].sum(),
        args.commutes,
        time.perf_counter() - t0,
    )
    if len(rejected):
        logger.warning(
            "%d ligne(s) de %s écartée(s), %.0f actifs (lieu de travail à l'étranger ou code "
            "inconnu)",
            len(rejected),
            args.commutes,
            rejected["workers"].sum(),
        )
    return commutes


def _work_communes(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Where the residents work: all of metropolitan France, or the overseas région itself."""
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if communes.crs is None or communes.crs.to_epsg() != 2154:
        return None  # an overseas région, in its own CRS: its flows stay on the island
    with warnings.catch_warnings():  # the missing geometries are the area's business
        warnings.simplefilter("ignore", maillage.MaillageWarning)
        return maillage.load_communes()


def _run_report(args: argparse.Namespace, *, progress: bool) -> Path:
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast
    from maillage.report import write_report  # noqa: PLC0415 - loaded when a command runs, so --help stays fast
    from maillage.report.compare import read_previous  # noqa: PLC0415 - loaded when a command runs, so --help stays fast
    from maillage.report.series import parse_series_spec  # noqa: PLC0415 - keeps --help fast

    if args.venues is None and not args.series:
        raise OptionError("--venues est obligatoire (ou --series)")
    previous = None if args.previous is None else read_previous(args.previous)  # fail fast
    files = _network_files(args, progress=progress)
    series = _load_series(args) if args.series else None
    if args.venues is None:  # the latest list of the series
        specs = [parse_series_spec(item) for item in args.series]
        args.venues = max(specs, key=lambda spec: spec[1])[0]
    commutes = _load_commutes(args)  # before the slow work: a bad file fails fast
    communes, venues, rejected = _load(args)
    model = _model(files, args.engine, communes)
    grid = None if args.grid is None else maillage.load_population_grid(args.grid)
    # every credit comes from the frames' attrs and the model (never a list kept here)
    series_credits = [c for frame in (series or {}).values() for c in frame.attrs["data_credits"]]
    t0 = time.perf_counter()
    out = write_report(
        args.out,
        communes=communes,
        venues=venues,
        model=model,
        threshold_min=args.threshold,
        grid=grid,
        year=args.year,
        years=args.years,
        area=_area_label(args.region, args.departement),
        k_sites=args.sites,
        data_credits=series_credits,
        previous=previous,
        progress=progress,
        rejected=rejected,
        series=series,
        commutes=commutes,
        work_communes=None if commutes is None else _work_communes(communes),
    )
    logger.info("rapport calculé et écrit en %.1f s", time.perf_counter() - t0)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``maillage`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0 on success, 2 on a user error (one line on stderr), 130 when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its one-line usage error
        return int(exc.code or 0)
    verbose, quiet = getattr(args, "verbose", 0), getattr(args, "quiet", False)
    if args.command == "catalogue":
        print_catalogue()
        return 0
    problem = _check_options(args)
    if problem is not None:
        print(f"maillage : erreur : {problem}", file=sys.stderr)
        return USAGE_ERROR
    undo = _configure_logging(verbose, quiet)
    try:
        return _run(args, verbose=verbose, progress=not quiet)
    finally:
        undo()


def _check_options(args: argparse.Namespace) -> str | None:
    """Return what is wrong with the options of ``report`` (one French line), else None.

    The area codes are normalised in place (``9`` -> ``09``, ``2a`` -> ``2A``).
    """
    from maillage.prepare.communes import check_area  # noqa: PLC0415 - keeps --help fast

    if not args.threshold > 0:
        return f"--threshold : durée en minutes supérieure à 0 attendue (reçu {args.threshold:g})"
    if args.sites < 1:
        return f"--sites : nombre de sites au moins égal à 1 attendu (reçu {args.sites})"
    if args.engine == "osrm" and args.network is None:
        return "--engine osrm demande --network (fichiers .osm.pbf ou « osm »)"
    try:
        args.region, args.departement, _ = check_area(
            region=args.region, departements=args.departement
        )
    except UnknownCodeError as exc:
        return _unknown_code_line(exc)
    return None


_LEVEL_WORDS = {
    "region": ("--region", "code de région"),
    "departement": ("--departement", "code de département"),
    "epci": ("--epci", "code d'EPCI"),
}


def _unknown_code_line(exc: UnknownCodeError) -> str:
    """Say in French which code is unknown and what it may have meant, never every code."""
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


def print_catalogue(file: Any = None) -> None:
    """Print the datasets of the catalogue, by use, in French.

    Parameters
    ----------
    file : file object, optional
        Where to print (default ``sys.stdout``).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> print_catalogue(out)
    >>> "cget-tiers-lieux-2019" in out.getvalue() and "(--grid)" in out.getvalue()
    True
    """
    from maillage.sources.listing import catalogue_lines  # noqa: PLC0415 - keeps --help fast

    print("\n".join(catalogue_lines()), file=sys.stdout if file is None else file)


def _run(args: argparse.Namespace, *, verbose: int, progress: bool) -> int:
    """Write the report; return the exit code, after one line on stderr on failure."""
    from maillage.report.folder import reserve_folder  # noqa: PLC0415 - keeps --help fast

    try:
        with reserve_folder(args.out):  # --out checked and locked before any slow work
            out = _run_report(args, progress=progress)
    except (MaillageError, OSError) as exc:
        print(f"maillage : erreur : {_one_line(exc, args)}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("maillage : interrompu ; le rapport précédent est intact", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, the traceback only with -v
        if verbose:
            logger.exception("erreur interne")
        print(f"maillage : erreur interne : {_one_line(exc, args)}", file=sys.stderr)
        if not verbose:
            print("maillage : relancez avec -v pour le détail", file=sys.stderr)
        return INTERNAL_ERROR
    print(f"Rapport écrit dans {out}/ — ouvrez {out / 'report.html'}")
    return 0


def _user_path(text: str) -> Path:
    """Return the path given to a flag, ``~`` expanded (a shell leaves ``--out=~/x``)."""
    return Path(text).expanduser()


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


def _one_line(exc: BaseException, args: argparse.Namespace | None = None) -> str:
    text = str(exc) or type(exc).__name__
    return _flag_names(" ".join(text.split()), args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
