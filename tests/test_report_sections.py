"""A report section is one module: a new one plugged into the list adds its files, its
``summary.json`` keys, its sheet and its HTML at its place, on the 6 x 4 toy territory."""

from __future__ import annotations

import html
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import openpyxl
import pandas as pd
import pytest
from test_report_page import MODEL, _territory

from maillage.report import REPORT_FILES, build_report, save_report
from maillage.report import sections as report_sections
from maillage.report.columns import read_table
from maillage.report.manifest import MANIFEST_NAME
from maillage.report.numbers import fr_number
from maillage.report.page import render_page
from maillage.report.sections import PageContext, Place, Section
from maillage.report.sections.years import YearsSection

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from maillage.report.model import Report
    from maillage.report.sections import ReportContext, ReportOptions


@dataclass(frozen=True)
class Busiest(Section):
    """The most populated commune and its time, from the coverage the report computed."""

    key: ClassVar[str] = "busiest"
    place: ClassVar[Place] = "supported"
    sheets: ClassVar[Mapping[str, str]] = {"busiest.csv": "Plus peuplée"}

    code: str
    population: int
    time_min: float

    def summary(self) -> dict[str, object]:
        return {"busiest": {"code_insee": self.code, "population": self.population}}

    def tables(self) -> dict[str, pd.DataFrame]:
        index = pd.Index([self.code], name="code_insee")
        frame = {"population": [self.population], "time_min": [self.time_min]}
        return {"busiest.csv": pd.DataFrame(frame, index=index)}

    def files(self) -> dict[str, Callable[[Report], bytes]]:
        return {"busiest.txt": self._text}

    def _text(self, report: Report) -> bytes:
        return f"{report.area} : {self.code}\n".encode()

    def html(self, page: PageContext) -> str:
        return (
            '<h2 id="busiest">La commune la plus peuplée</h2>'
            f"<p>{self.code} : {fr_number(self.population)} habitants, "
            f"{fr_number(self.time_min, 1)} min (seuil {page.threshold_min:g} min)</p>"
        )


def build_busiest(context: ReportContext, options: ReportOptions) -> Busiest | None:
    cov = context.communes_cov
    code = str(cov["population"].idxmax())
    return Busiest(code, int(cov.loc[code, "population"]), float(cov.loc[code, "time_min"]))


@pytest.fixture(scope="module")
def plugged(tmp_path_factory):
    communes, venues = _territory()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_sections, "BUILDERS", (*report_sections.BUILDERS, build_busiest))
        report = build_report(
            communes, venues, model=MODEL, threshold_min=15, years=[2018, 2021], k_sites=2
        )
    return report, save_report(report, tmp_path_factory.mktemp("plugged") / "rapport")


def test_a_new_section_adds_its_files_keys_sheet_and_html(plugged):
    report, out = plugged
    section = report.section("busiest")
    assert isinstance(section, Busiest) and isinstance(report.section("years"), YearsSection)
    assert report.section("absent") is None
    resilience = ("closures.csv", "alternatives.csv", "closures.png")  # every report with venues
    extra = (*resilience, "years.csv", "evolution.png", "why.csv", "busiest.csv", "busiest.txt")
    assert report.files == (*REPORT_FILES, *extra)
    assert {p.name for p in out.iterdir()} == {*REPORT_FILES, *extra, MANIFEST_NAME}
    communes = read_table(out / "communes.csv").set_index("code_insee")
    biggest = communes["population"].idxmax()
    assert section.code == biggest and section.population == communes.loc[biggest, "population"]
    # its table: a French CSV, a sheet named by the section, described in Lisez-moi
    (row,) = read_table(out / "busiest.csv").to_dict("records")
    assert row["code_insee"] == biggest and row["population"] == section.population
    assert row["time_min"] == communes.loc[biggest, "time_min"]  # both written with 4 decimals
    assert row["time_min"] == pytest.approx(section.time_min, abs=1e-4)
    assert (out / "busiest.txt").read_text() == f"{report.area} : {biggest}\n"
    book = openpyxl.load_workbook(io.BytesIO((out / "tables.xlsx").read_bytes()))
    assert book.sheetnames[-4:] == ["Années", "Causes de l'évolution", "Plus peuplée", "Lisez-moi"]
    readme = {(r[0], r[3]) for r in book["Lisez-moi"].iter_rows(values_only=True)}
    assert ("Plus peuplée", "time_min") in readme
    # its summary.json key, after the usual ones
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[-1] == "busiest"
    assert summary["busiest"] == {"code_insee": biggest, "population": section.population}
    # its HTML, after the supported venues and before the tables by département
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    at = page.index('<h2 id="busiest">')
    assert page.index("<h2>Évolution</h2>") < page.index("<h2>Contribution des lieux soutenus")
    assert page.index("<h2>Contribution des lieux soutenus") < at < page.index("Par département")
    assert f"{biggest} : {fr_number(section.population)} habitants" in page[at:]
    assert "(seuil 15 min)" in page[at:]


def test_without_the_section_the_report_is_as_before(plugged):
    report, _ = plugged
    communes, venues = _territory()
    plain = build_report(
        communes, venues, model=MODEL, threshold_min=15, years=[2018, 2021], k_sites=2
    )
    assert report.section("busiest") is not None and plain.section("busiest") is None
    assert "busiest" not in plain.summary and "busiest.csv" not in plain.files
    assert {k: v for k, v in report.summary.items() if k != "busiest"} == plain.summary
    section_html = report.section("busiest").html(PageContext(report))
    assert render_page(report).replace("\n" + section_html, "") == render_page(plain)


def test_a_what_if_scenario_says_which_venues_are_hypothetical():
    communes, venues = _territory()
    scenario = venues.assign(hypothetical=[True] + [False] * (len(venues) - 1))
    report = build_report(communes, scenario, model=MODEL, threshold_min=15, k_sites=1)
    name = str(scenario["name"].iloc[0])
    assert report.summary["hypothetical_venues"] == 1
    assert report.summary["hypothetical_names"] == [name]
    page = html.unescape(render_page(report))
    assert "Scénario « et si » : ce rapport compte 1 lieu hypothétique" in page
    assert name in page.split("Scénario « et si »")[1]
    plain = build_report(communes, venues, model=MODEL, threshold_min=15, k_sites=1)
    assert "hypothetical_venues" not in plain.summary
