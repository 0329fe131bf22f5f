"""Read a venue census file (CSV, XLSX, GeoJSON, GeoPackage) into a raw canonical table.

Only the columns named by the mapping are read (``usecols`` / ``columns=``), so columns
with personal data never enter memory. The result has the canonical names of the
mapping as text, ``latitude`` / ``longitude`` (from the columns or from point
geometries, in WGS84), ``geom_type`` (set when a geometry is not a point) and ``file``.

Examples
--------
>>> from maillage.sources import fetch
>>> from maillage.load.census_readers import read_census
>>> raw, schema = read_census(fetch("france-services-2024-08-01"))
>>> schema.name, len(raw), "mail" in raw.columns
('france-services-2024-08-01', 2845, False)
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from maillage.errors import InputDataError
from maillage.load.census_gogocarto import (
    gogocarto_csv_mapping,
    gogocarto_layout,
    gogocarto_rows,
    read_gogocarto_json,
)
from maillage.load.census_guess import header_matches, propose_columns
from maillage.load.census_json import load_json
from maillage.load.census_mediation import (
    is_mediation_header,
    mediation_columns,
    mediation_fields,
    read_mediation_json,
)
from maillage.load.census_schemas import (
    GOGOCARTO_SCHEMA,
    MEDIATION_SCHEMA,
    is_personal,
    recognise,
    resolve_mapping,
)
from maillage.load.reading import text_encoding

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from maillage.load.census_schemas import CensusSchema

__all__ = [
    "TABLE_SUFFIXES",
    "VECTOR_SUFFIXES",
    "excel_header",
    "read_census",
    "read_frame",
    "read_header",
]

logger = logging.getLogger(__name__)

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xls")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES + VECTOR_SUFFIXES:
        known = ", ".join(TABLE_SUFFIXES + VECTOR_SUFFIXES)
        msg = f"source {str(path)!r} has an unknown file type {suffix!r}; use one of {known}"
        raise InputDataError(msg)
    return suffix


_TITLE_ROWS = 30  # rows searched for the header of a spreadsheet or a delimited file


def _filled(line: str, sep: str) -> int:
    """Return the number of non-empty fields of one line split on ``sep`` (quotes respected)."""
    fields = next(csv.reader([line], delimiter=sep), [])
    return sum(1 for field in fields if field.strip())


def _spread(filled: list[int]) -> tuple[int, int]:
    """Rank a separator: most fields on a line, then most lines with that many."""
    most = max(filled, default=0)
    return most, filled.count(most)


def _csv_dialect(path: Path, header_row: int | None = None) -> tuple[str, str, int]:
    """Return (encoding, separator, rows to skip) of a delimited text file.

    All of it is decoded first (:func:`~maillage.load.reading.text_encoding`). The header is
    ``header_row`` (1: first line) when given; else, as in a spreadsheet, the first of the
    first lines filled in at least half as many fields as the fullest (and at least two): a
    title or a date above the table, exported as ``Titre;;;;``, fills one. The separator is
    the one that splits a line into the most filled fields, on the most lines (``A;45,6``
    is two fields on ``;`` and on ``,``, but the header ``nom;latitude`` only on ``;``).
    """
    encoding = text_encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        top = [line for _, line in zip(range(_TITLE_ROWS), fh, strict=False)]
    if header_row is not None:
        top = top[int(header_row) - 1 : int(header_row)] or [""]
    counts = {sep: [_filled(line, sep) for line in top] for sep in (",", ";", "\t", "|")}
    sep = max(counts, key=lambda s: _spread(counts[s]))
    if header_row is not None:
        return encoding, sep, int(header_row) - 1
    filled = counts[sep]
    wanted = max(2, -(-max(filled, default=0) // 2))
    skip = next((i for i, n in enumerate(filled) if n >= wanted), 0)
    return encoding, sep, skip


def excel_header(path: Path, *, sheet: str | None = None, header_row: int | None = None) -> int:
    """Return the 0-based row of the header of a spreadsheet, below any title rows.

    The header is the first row filled in at least half as many cells as the fullest of the
    first rows (and at least two): a title or a date above it fills one cell.
    """
    if header_row is not None:
        return int(header_row) - 1
    top = pd.read_excel(path, sheet_name=sheet or 0, header=None, nrows=_TITLE_ROWS, dtype=str)
    filled = top.notna().sum(axis=1)
    wanted = max(2, -(-int(filled.max()) // 2)) if len(filled) else 2
    rows = filled.index[filled >= wanted]
    return int(rows[0]) if len(rows) else 0


def _read_excel(
    path: Path, *, sheet: str | None, header_row: int | None, nrows: int | None = None
) -> pd.DataFrame:
    with pd.ExcelFile(path) as book:
        sheets = book.sheet_names
    if sheet is not None and sheet not in sheets:
        msg = f"{path.name} n'a pas de feuille « {sheet} » ; feuilles : {', '.join(sheets)}"
        raise InputDataError(msg)
    header = excel_header(path, sheet=sheet, header_row=header_row)
    frame = pd.read_excel(path, sheet_name=sheet or 0, header=header, nrows=nrows, dtype=str)
    names = [  # a merged header cell names its first column only: the others follow it
        f"colonne {i + 1}" if str(c).startswith("Unnamed:") else str(c)
        for i, c in enumerate(frame.columns)
    ]
    frame.columns = names
    return frame.dropna(how="all")  # empty rows below the table (formatting, totals)


def read_header(
    path: Path, *, sheet: str | None = None, header_row: int | None = None
) -> tuple[list[str], bool]:
    """Return the column names of a census file and whether it has geometries.

    Parameters
    ----------
    path : pathlib.Path
        Census file.

    Returns
    -------
    columns : list of str
        Attribute column names (without the geometry column).
    has_geometry : bool
        True for a vector file with geometries.

    Raises
    ------
    InputDataError
        If the file type is unknown or the file cannot be read.
    """
    suffix = _suffix(path)
    if suffix in (".xlsx", ".xls"):
        head = _read_excel(path, sheet=sheet, header_row=header_row, nrows=0)
        return list(head.columns), False
    if suffix in TABLE_SUFFIXES:
        encoding, sep, skip = _csv_dialect(path, header_row)
        head = pd.read_csv(path, nrows=0, sep=sep, encoding=encoding, skiprows=skip)
        return [str(c) for c in head.columns], False
    import pyogrio  # noqa: PLC0415 - vector files only

    try:
        info = pyogrio.read_info(path)
    except pyogrio.errors.DataSourceError as exc:
        msg = f"source {str(path)!r} cannot be read as a vector file: {exc}"
        raise InputDataError(msg) from exc
    return [str(c) for c in info["fields"]], info["geometry_type"] is not None


def _read_table(
    path: Path, usecols: list[str], sheet: str | None = None, header_row: int | None = None
) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xls"):
        frame = _read_excel(path, sheet=sheet, header_row=header_row)[usecols]
    else:
        encoding, sep, skip = _csv_dialect(path, header_row)
        frame = pd.read_csv(
            path, usecols=usecols, dtype=str, sep=sep, encoding=encoding, skiprows=skip
        )
    return frame.astype("string")


def _read_vector(path: Path, usecols: list[str]) -> pd.DataFrame:
    import pyogrio  # noqa: PLC0415 - vector files only

    gdf = pyogrio.read_dataframe(path, columns=usecols)
    if gdf.crs is None:
        msg = f"source {str(path)!r} has no CRS; save it with one (e.g. EPSG:4326)"
        raise InputDataError(msg)
    geoms = gdf.geometry.to_crs("EPSG:4326").to_numpy()
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    for column in frame.columns:  # ids stored as floats (1.0) read as 1
        values = frame[column]
        if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            frame[column] = values.astype("Int64")
    frame = frame.astype("string")
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = shapely.get_type_id(geoms)
    is_point = present & (kinds == shapely.GeometryType.POINT)
    names = [shapely.GeometryType(k).name.title() if k >= 0 else None for k in kinds]
    frame["geom_type"] = pd.array(
        [n if p and not q else None for n, p, q in zip(names, present, is_point, strict=True)],
        dtype="string",
    )
    xy = np.full((len(geoms), 2), np.nan)
    xy[is_point] = shapely.get_coordinates(geoms[is_point])
    frame["_lon"], frame["_lat"] = xy[:, 0], xy[:, 1]
    return frame


def _read_json_format(path: Path) -> tuple[pd.DataFrame, CensusSchema] | None:
    """Read a GoGoCarto export or a JSON list of the médiation schema, known by its content."""
    if path.suffix.lower() not in (".json", ".geojson"):
        return None
    doc = load_json(path)
    if gogocarto_layout(doc) is not None:
        return read_gogocarto_json(path, doc=doc), GOGOCARTO_SCHEMA
    raw = read_mediation_json(path, doc=doc)
    return None if raw is None else (raw, MEDIATION_SCHEMA)


def _read_table_format(path: Path, found: list[str]) -> tuple[pd.DataFrame, CensusSchema] | None:
    """Read a GoGoCarto CSV export or a table of the médiation schema, known by its header."""
    gogo = gogocarto_csv_mapping(found)
    if gogo is not None:
        frame = _read_table(path, list(gogo)).rename(columns=gogo)
        raw = gogocarto_rows(frame.to_dict("records"))
        return raw.assign(file=path.name), GOGOCARTO_SCHEMA
    if is_mediation_header(found):
        wanted = mediation_columns(found)
        frame = _read_table(path, list(wanted)).rename(columns=wanted)
        return mediation_fields(frame).assign(file=path.name), MEDIATION_SCHEMA
    return None


def _mapping(
    found: list[str], columns: Mapping[str, str] | None, *, has_geometry: bool
) -> tuple[dict[str, str], CensusSchema | None]:
    """Resolve the mapping of a header: schema, user's columns, headers as people write them."""
    layout, proposal = header_matches(found), propose_columns(found)
    return resolve_mapping(
        found, columns, has_geometry=has_geometry, layout=layout, proposal=proposal
    )


def _read_mapped(
    path: Path,
    columns: Mapping[str, str] | None,
    found: list[str],
    has_geometry: bool,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> tuple[pd.DataFrame, CensusSchema | None]:
    """Read the columns of a catalogue schema, of the user's mapping, or of a plain layout."""
    mapping, schema = _mapping(found, columns, has_geometry=has_geometry)
    usecols = list(mapping)
    if any(is_personal(c) for c in usecols):  # resolve_mapping never lets one through
        msg = f"refusing to read personal-data columns of {path}"
        raise InputDataError(msg)
    if has_geometry:
        frame = _read_vector(path, usecols)
    else:
        frame = _read_table(path, usecols, sheet=sheet, header_row=header_row)
    frame = frame.rename(columns=mapping)
    if has_geometry:
        for name, geo in (("longitude", "_lon"), ("latitude", "_lat")):
            if name not in frame.columns:
                frame[name] = frame[geo]
        frame = frame.drop(columns=["_lon", "_lat"])
    frame["file"] = path.name
    return frame, schema


def _read_one(
    path: Path,
    columns: Mapping[str, str] | None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> tuple[pd.DataFrame, CensusSchema | None]:
    schema: CensusSchema | None
    special = None if columns else _read_json_format(path)
    if special is not None:
        frame, schema = special
    else:
        found, has_geometry = read_header(path, sheet=sheet, header_row=header_row)
        table = None
        if not columns and not has_geometry and recognise(found) is None:
            table = _read_table_format(path, found)
        frame, schema = table or _read_mapped(
            path, columns, found, has_geometry, sheet=sheet, header_row=header_row
        )
    logger.info("read %d rows from %s (schema %s)", len(frame), path, getattr(schema, "name", None))
    return frame, schema


def read_census(
    paths: Sequence[Path] | Path,
    columns: Mapping[str, str] | None = None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> tuple[pd.DataFrame, CensusSchema | None]:
    """Read one or several census files into one raw table with canonical names.

    A file is read, in this order of preference: with the user's ``columns`` mapping; as
    a catalogue census (:data:`~maillage.load.census_schemas.SCHEMAS`); as a GoGoCarto
    export (:mod:`~maillage.load.census_gogocarto`) or a file of the "lieux de médiation
    numérique" schema (:mod:`~maillage.load.census_mediation`); with canonical or French
    headers (:mod:`~maillage.load.census_guess`). Otherwise the error lists the columns and
    proposes a ``--columns`` line.

    Parameters
    ----------
    paths : path or sequence of paths
        Census files of one census (several for a census split into files).
    columns : dict, optional
        User mapping ``{"their column": "canonical name"}``.
    sheet : str, optional
        Sheet of an XLSX file (default: the first).
    header_row : int, optional
        Row of the header, 1 for the first line (default: row 1 of a CSV; for an XLSX, the
        first row below any title rows, :func:`excel_header`).

    Returns
    -------
    raw : pandas.DataFrame
        One row per input row, in file order, with a default index (the input row
        number); canonical columns as text plus ``file``, ``file_row`` (the row in its
        file, from 1) and, for vector files, ``geom_type``; GoGoCarto exports add ``opened_flag`` and ``reject_reason``. Without
        an id column, ``venue_id`` is ``"ligne N"`` (N = 1 for the first row) and
        ``attrs["row_ids"]`` is True.
    schema : CensusSchema or None
        The recognised schema of the first file.

    Raises
    ------
    ColumnError
        If a required column is not mapped (the message lists the columns found and
        proposes a mapping).
    InputDataError
        If a file cannot be read.
    """
    if isinstance(paths, str | Path):
        paths = [Path(paths)]
    frames, schemas = [], []
    for path in paths:
        frame, schema = _read_one(Path(path), columns, sheet=sheet, header_row=header_row)
        frames.append(frame.assign(file_row=pd.array(range(1, len(frame) + 1), "string")))
        schemas.append(schema)
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return _with_ids(raw.reset_index(drop=True)), schemas[0]


def _with_ids(raw: pd.DataFrame) -> pd.DataFrame:
    """Name the venues after their row when the census has no id column."""
    if "venue_id" not in raw.columns:
        raw.insert(0, "venue_id", pd.array([f"ligne {i + 1}" for i in range(len(raw))], "string"))
        raw.attrs["row_ids"] = True
    return raw


def read_frame(
    table: pd.DataFrame, columns: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, CensusSchema | None]:
    """Read a census already in memory, as :func:`read_census` reads a file.

    Parameters
    ----------
    table : pandas.DataFrame or geopandas.GeoDataFrame
        The census; a GeoDataFrame's point geometries give the coordinates.
    columns : dict, optional
        User mapping ``{"their column": "canonical name"}``.

    Returns
    -------
    raw : pandas.DataFrame
        As :func:`read_census`, ``file`` being ``"tableau"``.
    schema : CensusSchema or None
        The recognised schema.
    """
    geometry = getattr(table, "geometry", None) if hasattr(table, "crs") else None
    plain = pd.DataFrame(table.drop(columns=table.geometry.name) if geometry is not None else table)
    found = [str(c) for c in plain.columns]
    plain.columns = found
    has_geometry = geometry is not None
    mapping, schema = _mapping(found, columns, has_geometry=has_geometry)
    frame = plain[list(mapping)].astype("string").rename(columns=mapping)
    if geometry is not None:
        if table.crs is None:
            msg = "le GeoDataFrame n'a pas de CRS : donnez-lui en un (par exemple EPSG:4326)"
            raise InputDataError(msg)
        points = geometry.to_crs("EPSG:4326")
        is_point = (points.geom_type == "Point").to_numpy()
        xs = np.where(is_point, points.x.where(is_point), np.nan)
        ys = np.where(is_point, points.y.where(is_point), np.nan)
        for name, values in (("longitude", xs), ("latitude", ys)):
            if name not in frame.columns:
                frame[name] = pd.array(
                    [None if np.isnan(v) else repr(float(v)) for v in values], "string"
                )
    frame = frame.reset_index(drop=True).assign(file="tableau")
    frame["file_row"] = pd.array([str(i) for i in range(1, len(frame) + 1)], "string")
    return _with_ids(frame), schema
