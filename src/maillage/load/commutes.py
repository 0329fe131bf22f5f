"""Readers of home-to-work flow files: R data, INSEE's national files, plain OD tables.

Every reader returns the same raw table, one row per row read (no harmonisation, no check):
``row`` (0-based position of the row in the file), ``home`` and ``work`` (codes as found),
``mode`` (the file's own mode code or label, NA when the file has none) and ``workers``
(float). ``attrs`` records ``layout``, ``mode_coding`` (how :mod:`maillage.prepare.commutes`
reads ``mode``) and ``vintage`` (census year, when known). With ``departements``, only rows
whose *home* code starts with one of those département codes are kept (read in batches:
a national file is never held in memory whole).

Layouts
-------
``insee-flows``: INSEE, *Base flux de mobilité : déplacements domicile – lieu de travail*,
one CSV per census vintage (``;``-separated, in a zip), one row per couple of communes:

* ``CODGEO``: code of the home commune (arrondissement municipal in Paris, Lyon, Marseille);
* ``LIBGEO``: its name (not read);
* ``DCLT``: code of the work commune (arrondissement municipal in Paris, Lyon, Marseille);
* ``L_DCLT``: its name (not read);
* ``NBFLUX_C<yy>_ACTOCC15P``: employed people aged 15 or more (*actifs occupés*) living in
  ``CODGEO`` and working in ``DCLT`` at the census of year 20 *yy* (weighted, decimal).

``insee-detail``: INSEE, *fichier détail FD_MOBPRO* (*Mobilités professionnelles des
individus*), one row per sampled employed person (about 8 million rows), CSV (``;``) or
Parquet. Only four columns are read:

* ``COMMUNE``: home commune (the whole commune for Paris 75056, Lyon 69123, Marseille 13055);
* ``ARM``: home arrondissement municipal in those three cities, ``ZZZZZ`` elsewhere (not
  needed: flows are counted per commune);
* ``DCLT``: work commune (*département et commune du lieu de travail*; the arrondissement in
  Paris, Lyon and Marseille; ``99999`` or a ``99xxx`` country code abroad);
* ``TRANS``: main mode of transport to work. From vintage 2017 on (the first whose five
  collection surveys all use the 2015 questionnaire): 1 no transport (works at home),
  2 walking (or rollers, scooter), 3 bicycle (incl. electric), 4 motorised two-wheeler,
  5 car, van or lorry, 6 public transport. Up to vintage 2016: 1 no transport, 2 walking,
  3 two-wheeler (motorised or not), 4 car, van or lorry, 5 public transport;
* ``IPONDI``: weight of the person (decimals kept: the weights add up to workers).

``rdata-od`` (R data, read with the optional package ``rdata``): ``ORI``, ``DES``,
``FLOW`` and optionally ``MODE`` (``VP`` car, ``TC`` public transport, ``NM`` walk and
two-wheelers, ``DOMICILE`` works at home), as in the Île-de-France 2014 files of
Géographie-cités; or ``HOME``, ``WORK``, ``FLOW`` as in La Réunion 2010 (R package ttwa).

``table``: any CSV or Parquet OD table, its columns mapped with ``columns=`` to
``home_code``, ``work_code``, ``workers`` and optionally ``mode`` (canonical mode names).

Occupational group
------------------
With ``occupations=True`` the raw table has a sixth column, ``pcs``: the worker's
occupational group (*groupe socioprofessionnel*, PCS level 1: 1 farmers, 2 craftsmen,
shopkeepers and business owners, 3 executives and higher intellectual professions,
4 intermediate occupations, 5 clerical and service employees, 6 manual workers), as found
in ``CS1`` (FD_MOBPRO), ``CSP`` (Île-de-France 2014, Géographie-cités) or ``PCS``; NA when
the file has no such column (INSEE's flows files, La Réunion 2010), and
``attrs["pcs_column"]`` names the column read (None when there is none).

Arrondissements municipaux
--------------------------
With ``arrondissements=True`` FD_MOBPRO's ``ARM`` (the home arrondissement in Paris, Lyon
and Marseille, ``ZZZZZ`` elsewhere) is read into a column ``arm``; the other layouts give
the arrondissement in their home and work codes already. :func:`read_arrondissements`
(:mod:`maillage.load.cities`) reads the arrondissements' outlines and populations.

Examples
--------
>>> from maillage.sources import fetch
>>> raw = read_commute_file(fetch("mobpro-reunion-2010")[0])
>>> len(raw), round(float(raw["workers"].sum())), raw.attrs["layout"]
(446, 240200, 'rdata-od')
"""

from __future__ import annotations

import logging
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import pandas as pd

from maillage.errors import ColumnError, InputDataError, OptionError
from maillage.load.commute_rdata import RDATA_INSTALL, read_rdata

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Mapping

__all__ = [
    "RAW_COLUMNS",
    "RDATA_INSTALL",
    "TABLE_COLUMNS",
    "read_commute_file",
    "read_rdata",
]

logger = logging.getLogger(__name__)

RAW_COLUMNS = ("row", "home", "work", "mode", "workers")
"""Columns of every reader's output."""
TABLE_COLUMNS = ("home_code", "work_code", "mode", "workers", "pcs")
"""Canonical names a plain OD table is mapped to (``mode`` and ``pcs`` optional)."""

_RDATA_SUFFIXES = (".rda", ".rdata", ".rds")
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_FLOWS_RE = re.compile(r"^NBFLUX_C(\d{2})_ACTOCC15P$", re.IGNORECASE)
_DETAIL = ("COMMUNE", "DCLT", "TRANS", "IPONDI")
_PCS_NAMES = ("CS1", "CSP", "PCS")
_YEAR_RE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)")
_BATCH_BYTES = 64 << 20


def _empty_raw() -> pd.DataFrame:
    text = pd.array([], dtype="string")
    return pd.DataFrame(
        {
            "row": np.array([], dtype=np.int64),
            "home": text,
            "work": text,
            "mode": text,
            "workers": np.array([], dtype=float),
        }
    )


def _home_filter(codes: pd.Series, departements: Collection[str] | None) -> np.ndarray:
    """Boolean mask of codes whose département (2 or 3 characters) is in ``departements``."""
    if departements is None:
        return np.ones(len(codes), dtype=bool)
    text = codes.astype("string").str.strip().str.upper()
    text = text.mask(text.str.fullmatch(r"\d{4}").fillna(False), "0" + text)
    dep = text.str.slice(0, 2).where(~text.str.startswith("97").fillna(False), text.str.slice(0, 3))
    return dep.isin(set(departements)).fillna(False).to_numpy(dtype=bool)


def _raw(
    frame: pd.DataFrame, names: Mapping[str, str | None], departements: Collection[str] | None
) -> pd.DataFrame:
    """Rename to the raw columns, add ``row``, keep the rows of ``departements``."""
    out = pd.DataFrame({"row": np.arange(len(frame), dtype=np.int64)})
    for raw_name, column in names.items():
        if column is None:
            out[raw_name] = pd.array([pd.NA] * len(frame), dtype="string")
        elif raw_name == "workers":
            out[raw_name] = pd.to_numeric(frame[column], errors="coerce").astype(float).to_numpy()
        else:
            out[raw_name] = pd.array(frame[column].astype("string").to_numpy(), dtype="string")
    keep = _home_filter(out["home"], departements)
    extra = [c for c in ("pcs", "arm") if c in names]
    raw = out[[*RAW_COLUMNS, *extra]][keep].reset_index(drop=True)
    raw.attrs["rows_read"] = len(frame)
    if "pcs" in names:
        raw.attrs["pcs_column"] = names["pcs"]
    return raw


def _with_pcs(names: dict[str, str | None], found: Iterable[str]) -> dict[str, str | None]:
    """Add the occupational group column (``pcs``) to a layout: the first of CS1, CSP, PCS."""
    upper = {str(c).upper(): str(c) for c in found}
    return names | {"pcs": next((upper[c] for c in _PCS_NAMES if c in upper), None)}


def _rdata_layout(frame: pd.DataFrame, path: Path) -> tuple[dict[str, str | None], str | None]:
    cols = set(frame.columns)
    if {"ORI", "DES", "FLOW"} <= cols:
        mode = "MODE" if "MODE" in cols else None
        return {"home": "ORI", "work": "DES", "mode": mode, "workers": "FLOW"}, mode and "labels"
    if {"HOME", "WORK", "FLOW"} <= cols:
        return {"home": "HOME", "work": "WORK", "mode": None, "workers": "FLOW"}, None
    found = ", ".join(repr(str(c)) for c in frame.columns)
    msg = (
        f"{path.name}: unknown R data layout (expected ORI, DES, FLOW [, MODE] or HOME, WORK, "
        f"FLOW); found: {found}. Convert it to CSV and map its columns with columns=..."
    )
    raise ColumnError(msg)


@contextmanager
def _open_member(path: Path) -> Iterator[tuple[BinaryIO, str]]:
    """Open a text file, or the data file inside a zip; yield (binary stream, name)."""
    if path.suffix.lower() != ".zip":
        with path.open("rb") as fh:
            yield fh, path.name
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputDataError(f"{path.name} is not a readable zip archive: {exc}") from exc
    with archive:
        members = [
            m
            for m in archive.infolist()
            if m.filename.lower().endswith((*_TEXT_SUFFIXES, ".parquet"))
            and not Path(m.filename).name.lower().startswith(("varmod", "meta"))
        ]
        if not members:
            names = ", ".join(archive.namelist())
            raise InputDataError(f"{path.name} holds no CSV data file (members: {names})")
        member = max(members, key=lambda m: m.file_size)
        with archive.open(member) as fh:
            yield fh, member.filename  # type: ignore[misc]


def _header(stream: BinaryIO) -> tuple[list[str], str]:
    """Read the first line; return (column names, separator); rewind is the caller's job."""
    first = stream.readline().decode("utf-8-sig", errors="replace").strip("\r\n")
    sep = max((";", ",", "\t", "|"), key=first.count)
    return [c.strip().strip('"') for c in first.split(sep)], sep


def _columns_error(name: str, found: list[str], wanted: str) -> ColumnError:
    listing = ", ".join(repr(c) for c in found[:40])
    return ColumnError(f"{name} is missing the {wanted} column(s); found: {listing}")


def _vintage(name: str, header: list[str] | None = None) -> int | None:
    for column in header or []:
        match = _FLOWS_RE.match(column)
        if match:
            return 2000 + int(match.group(1))
    match = _YEAR_RE.search(Path(name).name)
    return int(match.group(1)) if match else None


def _arrow_keep(batch: object, home: str, departements: Collection[str]) -> np.ndarray:
    """Rows of an Arrow batch whose home code lies in ``departements`` (filtered in Arrow)."""
    import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415 - pyarrow only for the files that need it
    import pyarrow.compute as pc  # type: ignore[import-untyped]  # noqa: PLC0415 - pyarrow only for the files that need it

    codes = batch.column(home)  # type: ignore[attr-defined]
    if not pa.types.is_string(codes.type):
        codes = pc.cast(codes, pa.string())
    codes = pc.utf8_trim_whitespace(codes)
    short = pc.equal(pc.utf8_length(codes), 4)  # a code read as a number lost its zero
    codes = pc.if_else(short, pc.binary_join_element_wise("0", codes, ""), codes)
    head = pc.if_else(
        pc.starts_with(codes, "97"),
        pc.utf8_slice_codeunits(codes, 0, 3),
        pc.utf8_slice_codeunits(codes, 0, 2),
    )
    keep = pc.fill_null(pc.is_in(head, value_set=pa.array(sorted(departements))), False)
    return keep.to_numpy(zero_copy_only=False)


def _from_batches(
    batches: Iterable[object], names: Mapping[str, str | None], departements: Collection[str] | None
) -> pd.DataFrame:
    """Turn Arrow batches into the raw table, keeping only the rows of ``departements``."""
    parts, offset = [], 0
    for batch in batches:
        size = batch.num_rows  # type: ignore[attr-defined]
        rows, kept = np.arange(size), batch
        if departements is not None:
            keep = _arrow_keep(batch, str(names["home"]), departements)
            rows, kept = np.flatnonzero(keep), batch.filter(keep)  # type: ignore[attr-defined]
        part = _raw(kept.to_pandas(), dict(names), None)  # type: ignore[attr-defined]
        part["row"] = rows + offset
        offset += size
        parts.append(part)
    raw = pd.concat(parts, ignore_index=True) if parts else _empty_raw()
    raw.attrs["rows_read"] = offset
    for extra in ("arm",):
        if extra in names and extra not in raw.columns:  # no batch: an empty file
            raw[extra] = pd.array([], dtype="string")
    if "pcs" in names:
        raw.attrs["pcs_column"] = names["pcs"]
        if "pcs" not in raw.columns:  # no batch: an empty file
            raw["pcs"] = pd.array([], dtype="string")
    return raw


def _read_csv_batches(
    stream: BinaryIO,
    sep: str,
    names: Mapping[str, str | None],
    departements: Collection[str] | None,
) -> pd.DataFrame:
    """Stream a large ``sep``-separated file with pyarrow, keep four columns and some rows."""
    import pyarrow as pa  # noqa: PLC0415 - pyarrow only for the files that need it
    from pyarrow import csv  # noqa: PLC0415 - pyarrow only for the files that need it

    wanted = list(dict.fromkeys(c for c in names.values() if c is not None))
    types = {c: pa.string() for c in wanted}
    # workers read as text: a value that is not a number is rejected on its row, not fatal
    reader = csv.open_csv(
        stream,
        read_options=csv.ReadOptions(block_size=_BATCH_BYTES, encoding="utf8"),
        parse_options=csv.ParseOptions(delimiter=sep),
        convert_options=csv.ConvertOptions(include_columns=wanted, column_types=types),
    )
    return _from_batches(reader, names, departements)


def _read_parquet_detail(
    path: Path, names: Mapping[str, str | None], departements: Collection[str] | None
) -> pd.DataFrame:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: PLC0415 - pyarrow only for the files that need it

    parquet = pq.ParquetFile(path)
    found = parquet.schema_arrow.names
    wanted = [c for c in names.values() if c is not None]
    missing = [c for c in wanted if c not in found]
    if missing:
        raise _columns_error(path.name, found, ", ".join(missing))
    batches = parquet.iter_batches(columns=wanted, batch_size=1 << 20)
    return _from_batches(batches, names, departements)


def _detail_names(header: list[str]) -> dict[str, str] | None:
    upper = {c.upper(): c for c in header}
    if all(c in upper for c in _DETAIL):
        return {
            "home": upper["COMMUNE"],
            "work": upper["DCLT"],
            "mode": upper["TRANS"],
            "workers": upper["IPONDI"],
        }
    return None


def _flows_names(header: list[str]) -> dict[str, str] | None:
    upper = {c.upper(): c for c in header}
    flows = [c for c in header if _FLOWS_RE.match(c)]
    if "CODGEO" in upper and "DCLT" in upper and flows:
        return {"home": upper["CODGEO"], "work": upper["DCLT"], "workers": flows[0]}
    return None


def _trans_coding(vintage: int | None, raw: pd.DataFrame) -> str:
    if vintage is not None:
        return "insee-trans-2017" if vintage >= 2017 else "insee-trans-2016"
    has_six = bool(raw["mode"].astype("string").str.strip().eq("6").any())
    return "insee-trans-2017" if has_six else "insee-trans-2016"


def _extra_names(
    names: Mapping[str, str | None], header: Iterable[str], *, occupations: bool, arm: bool
) -> dict[str, str | None]:
    """Add the occupational group (``pcs``) and the home arrondissement (``arm``) columns."""
    out = _with_pcs(dict(names), header) if occupations else dict(names)
    if arm:
        out["arm"] = next((str(c) for c in header if str(c).upper() == "ARM"), None)
    return out


def _read_insee(
    path: Path,
    departements: Collection[str] | None,
    *,
    occupations: bool = False,
    arrondissements: bool = False,
) -> pd.DataFrame | None:
    """Read an INSEE flows or detail file (CSV, zipped CSV); None when not one of them."""
    with _open_member(path) as (stream, name):
        if name.lower().endswith(".parquet"):
            return None
        header, sep = _header(stream)
        detail, flows = _detail_names(header), _flows_names(header)
        if detail is None and flows is None:
            return None
        stream.seek(0)
        if detail is not None:
            names = _extra_names(detail, header, occupations=occupations, arm=arrondissements)
            raw = _read_csv_batches(stream, sep, names, departements)
            vintage = _vintage(name)
            raw.attrs.update(layout="insee-detail", vintage=vintage)
            raw.attrs["mode_coding"] = _trans_coding(vintage, raw)
            return raw
        if flows is None:  # not reached: one of the two layouts matched
            return None
        names = {"home": flows["home"], "work": flows["work"], "mode": None}
        names |= {"pcs": None} if occupations else {}
        raw = _read_csv_batches(stream, sep, names | {"workers": flows["workers"]}, departements)
        raw.attrs.update(layout="insee-flows", vintage=_vintage(name, header), mode_coding=None)
        return raw


def _read_table(
    path: Path,
    columns: Mapping[str, str] | None,
    departements: Collection[str] | None,
    *,
    occupations: bool = False,
) -> pd.DataFrame:
    mapping = dict(columns or {})
    wrong = sorted(set(mapping.values()) - set(TABLE_COLUMNS))
    if wrong:
        msg = f"columns maps to unknown name(s) {wrong}; canonical names are {list(TABLE_COLUMNS)}"
        raise OptionError(msg)
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            with path.open("rb") as fh:
                _, sep = _header(fh)
            frame = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputDataError(f"{path.name} cannot be read as an OD table: {exc}") from exc
    frame = frame.rename(columns=mapping)
    missing = [c for c in ("home_code", "work_code", "workers") if c not in frame.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns)
        msg = (
            f"{path.name}: no column for {', '.join(missing)}; found: {found}. Map them, e.g. "
            "columns={'ORIGIN': 'home_code', 'DEST': 'work_code', 'COUNT': 'workers'}"
        )
        raise ColumnError(msg)
    names = {"home": "home_code", "work": "work_code", "workers": "workers"}
    names["mode"] = "mode" if "mode" in frame.columns else None  # type: ignore[assignment]
    if occupations:
        names["pcs"] = "pcs" if "pcs" in frame.columns else None  # type: ignore[assignment]
    raw = _raw(frame, names, departements)
    raw.attrs.update(layout="table", vintage=None, mode_coding="labels" if names["mode"] else None)
    return raw


def read_commute_file(
    path: Path | str,
    *,
    columns: Mapping[str, str] | None = None,
    departements: Collection[str] | None = None,
    vintage: int | None = None,
    occupations: bool = False,
    arrondissements: bool = False,
) -> pd.DataFrame:
    """Read a home-to-work flow file into the raw table (see the module docstring).

    Parameters
    ----------
    path : path
        R data (``.rda``, ``.RData``, ``.rds``), an INSEE flows or FD_MOBPRO file (CSV,
        zipped CSV, or Parquet for FD_MOBPRO), or a plain CSV / Parquet OD table.
    columns : mapping, optional
        For a plain table: ``{column in the file: canonical name}``, canonical names
        ``home_code``, ``work_code``, ``workers`` and optionally ``mode``.
    departements : collection of str, optional
        Keep only the rows whose home code lies in these départements (codes of the
        file's vintage, e.g. ``{"16", "17"}``; ``"974"`` for La Réunion).
    vintage : int, optional
        Census vintage, when the file name does not tell it (it decides how FD_MOBPRO's
        ``TRANS`` codes are read).
    occupations : bool
        Also read the occupational group into a ``pcs`` column (see the module docstring).
    arrondissements : bool
        Also read FD_MOBPRO's home arrondissement into an ``arm`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``row, home, work, mode, workers``; ``attrs`` ``layout``,
        ``mode_coding``, ``vintage``, ``file``.

    Raises
    ------
    InputDataError
        Missing or unreadable file.
    ColumnError
        A required column is missing (the columns found are listed).
    ImportError
        An R data file without the ``rdata`` package.

    Examples
    --------
    >>> from pathlib import Path
    >>> import maillage
    >>> sample = Path(maillage.__file__).parents[2] / "tests" / "data" / "fd_mobpro_sample.csv"
    >>> raw = read_commute_file(sample, departements={"33"})
    >>> raw.attrs["layout"], raw.attrs["mode_coding"], raw["home"].str[:2].unique().tolist()
    ('insee-detail', 'insee-trans-2017', ['33'])
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"commute file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix in _RDATA_SUFFIXES:
        frame = read_rdata(path)
        names, coding = _rdata_layout(frame, path)
        names = _with_pcs(names, frame.columns) if occupations else names
        raw = _raw(frame, names, departements)
        raw.attrs.update(layout="rdata-od", mode_coding=coding, vintage=_vintage(path.name))
    elif suffix == ".parquet" and _parquet_is_detail(path):
        found = _parquet_names(path)
        detail: dict[str, str | None] = dict(_detail_names(found) or {})
        detail = _extra_names(detail, found, occupations=occupations, arm=arrondissements)
        raw = _read_parquet_detail(path, detail, departements)
        vintage = _vintage(path.name)
        raw.attrs.update(layout="insee-detail", vintage=vintage)
        raw.attrs["mode_coding"] = _trans_coding(vintage, raw)
    elif suffix in (*_TEXT_SUFFIXES, ".zip") and columns is None:
        insee = _read_insee(
            path, departements, occupations=occupations, arrondissements=arrondissements
        )
        raw = (
            insee
            if insee is not None
            else _read_table(path, columns, departements, occupations=occupations)
        )
    else:
        raw = _read_table(path, columns, departements, occupations=occupations)
    if vintage is not None:
        raw.attrs["vintage"] = int(vintage)
        if raw.attrs["layout"] == "insee-detail":
            raw.attrs["mode_coding"] = _trans_coding(int(vintage), raw)
    raw.attrs["file"] = path.name
    if occupations:
        raw.attrs.setdefault("pcs_column", None)
    logger.info("%s: %d rows read (%s)", path.name, len(raw), raw.attrs["layout"])
    return raw


def _parquet_names(path: Path) -> list[str]:
    import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow only for the files that need it

    try:
        return list(pq.ParquetFile(path).schema_arrow.names)
    except (OSError, ValueError) as exc:
        raise InputDataError(f"{path.name} cannot be read as Parquet: {exc}") from exc


def _parquet_is_detail(path: Path) -> bool:
    return _detail_names(_parquet_names(path)) is not None
