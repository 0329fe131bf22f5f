"""``tables.xlsx``: every table of the report in one workbook, with its data dictionary.

A sheet per table (French headers, ``oui``/``non``, whole counts: the cells of the CSV files,
as numbers), then a ``Lisez-moi`` sheet: for each column of each sheet its French name, its
technical name (the one of ``summary.json`` and the Python API), its meaning and its unit.
The workbook is deterministic: fixed document dates and fixed dates inside the zip.

Examples
--------
>>> import io, openpyxl, pandas as pd
>>> frame = pd.DataFrame({"population": [3.0]}, index=pd.Index(["16001"], name="code_insee"))
>>> book = openpyxl.load_workbook(io.BytesIO(workbook_bytes({"communes.csv": frame})))
>>> book.sheetnames
['Communes', 'Lisez-moi']
>>> [cell.value for cell in book["Communes"][2]]
['16001', 3]
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import TYPE_CHECKING

import pandas as pd

from maillage.report.columns import canonical_name, column_entry, people_table

if TYPE_CHECKING:
    from collections.abc import Mapping

    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["SHEET_NAMES", "workbook_bytes"]

SHEET_NAMES = {
    "communes.csv": "Communes",
    "indicators.csv": "Indicateurs",
    "sites.csv": "Sites suggérés",
}
"""Sheet of each table of every report (Excel allows 31 characters); the sections name theirs."""

README_SHEET = "Lisez-moi"
_FIXED = dt.datetime(2000, 1, 1)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_README_HEADER = ("Feuille", "Fichier CSV", "Colonne", "Nom technique", "Signification", "Unité")


def _fill(sheet: Worksheet, table: pd.DataFrame) -> None:
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False):
        sheet.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(table.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) for v in table[column].head(200))])
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(max(width + 2, 8), 50)


def _readme_rows(sheet: str, file: str, table: pd.DataFrame) -> list[list[str]]:
    rows = []
    for header in table.columns:
        technical = canonical_name(str(header))
        entry = column_entry(technical)
        meaning, unit = (entry.meaning, entry.unit) if entry is not None else ("", "")
        rows.append([sheet, file, str(header), technical, meaning, unit])
    return rows


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed dates (openpyxl stamps the time of writing, in core.xml too)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(entry, content)
    return out.getvalue()


def workbook_bytes(
    tables: Mapping[str, pd.DataFrame], *, sheets: Mapping[str, str] | None = None
) -> bytes:
    """Write ``tables`` as one workbook, a sheet each, and the ``Lisez-moi`` sheet.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        CSV file name (``"communes.csv"``) to its table, with canonical column names.
    sheets : dict of str to str, optional
        Sheet name of more CSV files than :data:`SHEET_NAMES` (a section's); a file named
        nowhere gets its name without ``.csv``.

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    from openpyxl import Workbook  # noqa: PLC0415 - loaded only when the workbook is written
    from openpyxl.styles import Font  # noqa: PLC0415 - loaded only when the workbook is written

    book = Workbook()
    book.remove(book.active)
    readme: list[list[str]] = []
    names = {**SHEET_NAMES, **(sheets or {})}
    for file, frame in tables.items():
        name = names.get(file, file.removesuffix(".csv"))[:31]
        table = people_table(frame)
        _fill(book.create_sheet(name), table)
        readme += _readme_rows(name, file, table)
    sheet = book.create_sheet(README_SHEET)
    sheet.append(list(_README_HEADER))
    for row in readme:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (18, 18, 36, 30, 80, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    book.properties.creator = "maillage"
    book.properties.created = book.properties.modified = _FIXED
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())
