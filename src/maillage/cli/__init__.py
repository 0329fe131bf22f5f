"""Command line: ``maillage report ...``, ``maillage catalogue``; the only module that configures logging.

Everything the command prints is in French, like the report: help, messages, errors and the
final line (argparse's own messages are translated by :class:`FrenchParser`).

User errors (bad codes, missing files, unreadable or empty input files, an ``--out`` that
must not be replaced) end with one line on stderr and exit code 2, never a traceback; the
line names command-line flags (``--out``), not Python parameters (``out_dir``). An internal
error ends with one line and exit code 1; ``-v`` adds its traceback.

The parser is :mod:`maillage.cli.parser`; the one-line messages, :mod:`maillage.cli.messages`;
``python -m maillage.cli`` runs :func:`main`.

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

import logging
import shlex
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from maillage.cli.messages import french_line, french_message, unknown_code_line
from maillage.cli.parser import USAGE_ERROR, FrenchParser, build_parser, parse_years
from maillage.errors import MaillageError, OptionError, UnknownCodeError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    import geopandas as gpd
    import pandas as pd

    from maillage.analysis.commute_scenario import CommuteScenario
    from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "FrenchParser",
    "build_parser",
    "main",
    "parse_years",
    "print_catalogue",
    "public_command",
]

logger = logging.getLogger("maillage.cli")

INTERNAL_ERROR = 1


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
        """Format ``record`` with its level name and, when the library's is English, message in French."""
        record = logging.makeLogRecord(record.__dict__)
        record.levelname = self._NAMES.get(record.levelname, record.levelname.lower())
        message = record.getMessage()
        record.msg, record.args = french_message(message) or message, None
        return super().format(record)


class _Once(logging.Filter):
    """Let each message through once: a warning met again (another list, the grid) is not repeated."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for a message already shown."""
        message = f"{record.levelno}:{record.getMessage()}"
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


def _configure_logging(verbose: int, quiet: bool) -> Callable[[], None]:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_FrenchLevels("maillage : %(levelname)s : %(message)s"))
    handler.addFilter(_Once())
    shown: set[str] = set()
    root = logging.getLogger("maillage")
    previous = (root.level, warnings.showwarning)
    root.addHandler(handler)
    root.setLevel(level)

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        text = " ".join(str(message).split())
        text = french_message(text) or text
        if not quiet and text not in shown:  # each warning once
            shown.add(text)
            print(f"maillage : avertissement : {text}", file=sys.stderr)

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
    venues, rejected = _load_venues(
        args.venues,
        args,
        columns=args.columns,
        crs=args.crs,
        keep_duplicates=args.keep_duplicates,
        sheet=args.sheet,
        header_row=args.header_row,
    )
    if len(venues) == 0:
        _no_venue(args, rejected)
    if args.supported is not None:  # the credits of both lists are merged in venues.attrs
        labelled, _ = _load_venues(args.supported, args)
        venues = maillage.mark_supported(  # logs its match counts
            venues, labelled, add_unmatched=args.add_unmatched_supported
        )
    return communes, venues, rejected


def _no_venue(args: argparse.Namespace, rejected: pd.DataFrame) -> NoReturn:
    """Stop on a census without venue: its rejected rows counted, in ``rejected.csv`` too.

    ``rejected.csv`` is written into ``--out`` only when that folder does not exist yet
    (a previous report is never replaced by a folder without report).
    """
    from maillage.errors import InputDataError  # noqa: PLC0415 - loaded when a command runs
    from maillage.prepare.venues import no_venue_message  # noqa: PLC0415 - same reason
    from maillage.report.columns import table_csv  # noqa: PLC0415 - same reason
    from maillage.report.folder import replace_folder  # noqa: PLC0415 - same reason
    from maillage.report.reasons import french_reason  # noqa: PLC0415 - same reason
    from maillage.report.sections.census import french_rejected_table  # noqa: PLC0415 - same reason

    if "reason" in rejected.columns:  # the reasons in French, as in every report's rejected.csv
        rejected = rejected.assign(reason=rejected["reason"].map(french_reason, na_action="ignore"))
    message = no_venue_message(rejected, source=Path(str(args.venues)).name)
    out = Path(args.out).expanduser()
    if len(rejected) and not out.exists():
        replace_folder(out, {"rejected.csv": table_csv(french_rejected_table(rejected))})
        message += f" ; détail ligne par ligne : {out.name}/rejected.csv"
    raise InputDataError(message)


def _load_venues(
    source: str,
    args: argparse.Namespace,
    *,
    columns: dict[str, str] | None = None,
    crs: str | None = None,
    **reading: Any,
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
        metropolitan=True,  # without --region nor --departement: metropolitan France only
        **reading,  # the census's sheet, header row, duplicates
    )
    logger.info("%d lieux de %s chargés en %.1f s", len(venues), source, time.perf_counter() - t0)
    if len(rejected):
        from maillage.report.reasons import french_reason  # noqa: PLC0415 - keeps --help fast

        reasons = rejected["reason"].map(french_reason).value_counts().head(3)
        listing = "; ".join(f"{n} × {r}" for r, n in reasons.items())
        logger.warning("%d ligne(s) de %s écartée(s) (%s)", len(rejected), source, listing)
    return venues, rejected


def _load_series(args: argparse.Namespace) -> dict[str, gpd.GeoDataFrame]:
    """Load the dated lists of ``--series``, keyed by their date."""
    from maillage.report.sections.series import parse_series_spec  # noqa: PLC0415 - keeps --help fast

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
    """Return the travel-time model; its data credits come with its ``describe()``.

    A road graph is built in the working CRS of the communes (Lambert-93, or an overseas
    région's own); OSRM takes points in any working CRS.
    """
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if files is None:
        # the calibrated straight-line model, with the densities of the area's communes
        return maillage.default_model(communes)
    t0 = time.perf_counter()
    model: TravelTimeModel
    if engine == "osrm":
        model = maillage.OSRMModel.from_osm(files)
    else:
        model = maillage.RoadNetwork.from_osm(
            files, crs=communes.crs, progress=logger.isEnabledFor(logging.WARNING)
        )
    logger.info("réseau routier prêt en %.1f s", time.perf_counter() - t0)
    return model


def _commute_scenario(args: argparse.Namespace) -> CommuteScenario | None:
    """Return the commute scenario the flags ask for (``None``: the cited defaults)."""
    from maillage import CommuteScenario  # noqa: PLC0415 - loaded when a command runs

    changes: dict[str, object] = {}
    if args.tiers_lieu_share is not None:
        changes["venue_share"] = args.tiers_lieu_share
    if args.co2 is not None:
        changes["emissions"] = "life_cycle" if args.co2 == "cycle-de-vie" else "direct"
    if args.rebond:
        changes["rebound"] = True
    return CommuteScenario(**changes) if changes else None  # type: ignore[arg-type]


def _commute_kinds(args: argparse.Namespace) -> tuple[str, ...] | None:
    """Return the venue kinds the commute scenario counts (``--commute-kinds``)."""
    if args.commute_kinds is None:
        return None
    from maillage.analysis.commute_venues import (  # noqa: PLC0415 - when a command runs
        VENUE_KINDS,
        check_venue_kinds,
    )

    kinds = tuple(k.strip() for k in args.commute_kinds.split(",") if k.strip())
    try:
        check_venue_kinds(kinds)  # the rule the scenario applies, checked before the slow work
    except OptionError as exc:
        known = ", ".join(VENUE_KINDS)
        msg = f"--commute-kinds « {args.commute_kinds} » : types connus : {known}, ou « all »"
        raise OptionError(msg) from exc
    return kinds


def _load_commutes(args: argparse.Namespace) -> pd.DataFrame | None:
    """Load the home-to-work flows of the residents of the area (``--commutes``)."""
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if args.commutes is None:
        return None
    t0 = time.perf_counter()
    commutes, rejected = maillage.load_commutes(
        args.commutes,
        region=args.region,
        departements=args.departement,
        errors="report",
        occupations=True,  # the scenario weighs telework by occupational group
    )
    logger.info(
        "%d navettes (%.0f actifs) de %s chargées en %.1f s",
        len(commutes),
        commutes["workers"].sum(),
        args.commutes,
        time.perf_counter() - t0,
    )
    if Path(args.commutes).is_file():  # the report names the file, not where it lies
        commutes.attrs["source"] = Path(args.commutes).name
    if len(rejected):
        logger.warning(
            "%d ligne(s) de %s écartée(s), %.0f actifs (lieu de travail à l'étranger ou code "
            "inconnu)",
            len(rejected),
            args.commutes,
            commutes.attrs["workers_rejected"],  # plausible counts only (never 1e300)
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
    from maillage.report.sections.comparison import read_previous  # noqa: PLC0415 - loaded when a command runs, so --help stays fast
    from maillage.report.sections.series import parse_series_spec  # noqa: PLC0415 - keeps --help fast

    if args.venues is None and not args.series:
        raise OptionError("--venues est obligatoire (ou --series)")
    texts = _page_texts(args)  # a missing --intro fails fast
    previous = None if args.previous is None else read_previous(args.previous)  # fail fast
    files = _network_files(args, progress=progress)
    series = _load_series(args) if args.series else None
    if args.venues is None:  # the latest list of the series
        specs = [parse_series_spec(item) for item in args.series]
        args.venues = max(specs, key=lambda spec: spec[1])[0]
    kinds, scenario = _commute_kinds(args), _commute_scenario(args)  # bad flags fail first
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
        commute_scenario=scenario,
        commute_kinds=kinds,
        **texts,
    )
    logger.info("rapport calculé et écrit en %.1f s", time.perf_counter() - t0)
    return out


def _page_texts(args: argparse.Namespace) -> dict[str, str | None]:
    """Return the texts of the page: ``--title``, ``--subtitle``, ``--intro`` and the command line."""
    intro = None
    if args.intro is not None:
        try:
            intro = args.intro.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            msg = f"--intro {args.intro} : fichier introuvable"
            raise OptionError(msg) from exc
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"--intro {args.intro} : fichier illisible (texte UTF-8 attendu)"
            raise OptionError(msg) from exc
    return {
        "title": args.title,
        "subtitle": args.subtitle,
        "intro": intro,
        "command": public_command(args.argv),
    }


def public_command(argv: Sequence[str]) -> str:
    """Return the command line as the page shows it: files by their name, never where they lie.

    A report is sent to others: the folders of the analyst's computer stay out of it.

    Examples
    --------
    >>> public_command(["report", "--venues", "/home/jeanne/Documents/lieux.csv",
    ...                 "--out=/tmp/rapport 2026", "--region", "75"])
    "maillage report --venues lieux.csv '--out=rapport 2026' --region 75"
    """

    def name(arg: str) -> str:
        flag, sep, value = arg.partition("=") if arg.startswith("--") else ("", "", arg)
        if "/" in value or "\\" in value:
            value = Path(value.replace("\\", "/")).name or value
        return f"{flag}{sep}{value}"

    return shlex.join(["maillage", *(name(a) for a in argv)])


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
    args.argv = list(sys.argv[1:] if argv is None else argv)
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
        return unknown_code_line(exc)
    return None


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
        with reserve_folder(args.out) as target:  # --out checked and locked before slow work
            before = _manifest(target)
            try:
                out = _run_report(args, progress=progress)
            except KeyboardInterrupt:  # said under the lock: the folder cannot change meanwhile
                print(f"maillage : interrompu ; {_interrupted(target, before)}", file=sys.stderr)
                return 130
    except (MaillageError, OSError) as exc:
        print(f"maillage : erreur : {french_line(exc, args)}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("maillage : interrompu ; aucun rapport n'a été modifié", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, the traceback only with -v
        if verbose:
            logger.exception("erreur interne")
        print(f"maillage : erreur interne : {french_line(exc, args)}", file=sys.stderr)
        if not verbose:
            print("maillage : relancez avec -v pour le détail", file=sys.stderr)
        return INTERNAL_ERROR
    print(f"Rapport écrit dans {out}/ — ouvrez {out / 'report.html'}")
    return 0


def _manifest(target: Path) -> bytes | None:
    """Return the manifest of the report in ``target``, None when there is none."""
    from maillage.report.manifest import MANIFEST_NAME  # noqa: PLC0415 - keeps --help fast

    try:
        return (target / MANIFEST_NAME).read_bytes()
    except OSError:
        return None


def _interrupted(target: Path, before: bytes | None) -> str:
    """Say what an interrupted run leaves in ``target``, as it is (the manifests tell)."""
    from maillage.report.folder import put_back_aside  # noqa: PLC0415 - keeps --help fast

    if put_back_aside(target):  # stopped between the two renames of a two-step swap
        return f"le rapport précédent est intact dans {target}/ (remis en place)"
    now = _manifest(target)
    if now is not None and now != before:
        return f"le nouveau rapport était déjà écrit : il est complet dans {target}/"
    if before is None:
        return "aucun rapport n'a été écrit"
    return f"le rapport précédent est intact dans {target}/"
