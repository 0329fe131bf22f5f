"""report.html as an elected official receives it: its own title, French throughout, rounded
figures, like compared with like, readable on a phone and printable.

Real data: the France services of the Territoire de Belfort (90), through the command line.
The first report counts the venues open in 2024 and sets its own title, subtitle and
introduction; the second counts those of 2020 at another threshold (15 min) and compares
itself with the first. The browser test (Chromium, skipped when absent) renders the first at
1440×900 and 390×844 and prints it to PDF; screenshots and the PDF are kept under
``$MAILLAGE_TEST_ARTIFACTS`` (default ``tests/artifacts/``, ignored by git).
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from pathlib import Path

import pytest
from chromium import Browser, chromium_path

from maillage.cli import main
from maillage.report.columns import read_table
from maillage.report.identity import PAGE_KEYS
from maillage.report.numbers import fr_number, residents_step

ARTIFACTS = Path(os.environ.get("MAILLAGE_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))
TITLE = "Les France services du Territoire de Belfort"
SUBTITLE = "Bilan pour le conseil départemental"
INTRO = (
    "# Pourquoi ce rapport\n\nIl mesure **l'accès** aux *France services*.\n\n"
    "- premier point\n- <script>window.__intro=1</script>\n\n"
    "Voir [le site](https://www.france-services.gouv.fr).\n"
)
ENGLISH = re.compile(
    r"\b(the|is|are|not|has|have|found|missing|unknown|with|without|should|would|which|every|"
    r"file|rows?|columns?|covered|coordinates|venues?|threshold|share|people|and|of|from|"
    r"to|by|test|fixtures?|example|changed|link|point\(s\)|s/km)\b",
    re.IGNORECASE,
)
"""English words (and the slips of the page) a reader must not meet outside code names."""


def _run(*args: str) -> None:
    assert main(["-q", "report", *args]) == 0


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("lecteur")
    intro = root / "intro.md"
    intro.write_text(INTRO, encoding="utf-8")
    census = ["--venues", "france-services-2024-08-01", "--departement", "90"]
    first, second = root / "bilan-2024", root / "bilan-2020"
    _run(*census, "--year", "2024", "--out", str(first), "--title", TITLE)
    _run(*census, "--year", "2024", "--out", str(first), "--title", TITLE,
         "--subtitle", SUBTITLE, "--intro", str(intro))  # fmt: skip
    _run(*census, "--year", "2020", "--threshold", "15", "--previous", str(first),
         "--out", str(second))  # fmt: skip
    return {"first": first, "second": second}


def _page(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _reader_text(page: str) -> str:
    """What the page says outside the box "Reproduire ce rapport", styles and images aside."""
    body = page[page.index("<body>") : page.index('<section class="reproduire"')]
    body = re.sub(r'src="data:[^"]*"', "", body)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _words(page: str) -> str:
    """The reader's text without code names (file and column names) and web addresses."""
    body = page[page.index("<body>") : page.index('<section class="reproduire"')]
    body = re.sub(r"<code>.*?</code>|href=\"[^\"]*\"|src=\"[^\"]*\"", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_title_subtitle_intro_date_version_and_vintages(reports):
    page, summary = _page(reports["first"]), _summary(reports["first"])
    assert f"<title>{html.escape(TITLE)}</title>" in page
    assert f"<h1>{html.escape(TITLE)}</h1>" in page
    assert f'<p class="sous-titre">{SUBTITLE}</p>' in page
    assert "<h3>Pourquoi ce rapport</h3>" in page and "<strong>l'accès</strong>" in page
    assert '<a href="https://www.france-services.gouv.fr">le site</a>' in page
    assert "<script>window.__intro" not in page and "&lt;script&gt;" in page
    assert set(PAGE_KEYS) <= set(summary)
    assert summary["title"] == TITLE and summary["subtitle"] == SUBTITLE
    assert summary["intro"] == INTRO and summary["year"] == 2024
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", summary["produced_on"])
    vintages = {v["vintage"] for v in summary["data_vintages"]}
    assert "2024-08-01" in vintages
    provenance = re.search(r'<p class="provenance">(.*?)</p>', page).group(1)
    year, _month, day = (int(x) for x in summary["produced_on"].split("-"))
    assert re.search(rf"Rapport produit le (1er|{day}) \w+ {year} avec maillage ", provenance)
    assert f"maillage {summary['maillage_version']}" in provenance
    assert "1er août 2024" in provenance  # the census's vintage, in words
    command = summary["command"]
    assert command.startswith("maillage -q report --venues france-services-2024-08-01")
    box = page[page.index('<section class="reproduire"') :]
    assert html.escape(command) in box and "--intro" in command
    assert "Versions : maillage " in html.unescape(box) and "pandas " in box


def test_no_flag_no_python_name_no_english_outside_the_reproduction_box(reports):
    for folder in reports.values():
        page = _page(folder)
        text = _reader_text(page)
        assert re.findall(r"(?<![\w-])--\w[\w-]*", text) == []
        assert re.findall(r"\bmaillage\.\w+", text) == []
        assert re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text) == []  # dates in words
        assert ENGLISH.findall(_words(page)) == []
        for slip in ("point(s)", "dont avec un lieu", "par lui seul", "(s)"):
            assert slip not in text, slip
        assert "Glossaire" in text and "Zone blanche" in text and "EPCI" in text
        box = html.unescape(page[page.index('<section class="reproduire"') :])
        assert "Reproduire ce rapport" in box and "maillage -q report" in box


def test_year_changes_the_title_the_census_sentence_and_the_summary(reports):
    page, summary = _page(reports["second"]), _summary(reports["second"])
    assert summary["year"] == 2020
    assert (
        summary["title"] == "Accès aux lieux – Territoire de Belfort (90) – lieux ouverts en 2020"
    )
    assert f"<h1>{html.escape(summary['title'])}</h1>" in page
    text = _reader_text(page)
    assert "de plus ou de moins" not in text
    census = re.search(r"(\d+) lieux pris en compte : ([^.]*)\.", text).group(2)
    assert re.search(r"dont \d+ non ouverts en 2020 et laissés de côté$", census)


def test_previous_at_another_threshold_is_measured_at_this_one(reports):
    page, summary = _page(reports["second"]), _summary(reports["second"])
    assert summary["threshold_min"] == 15.0
    text = " ".join(_reader_text(page).split())
    assert "Le seuil diffère : 20 min dans le rapport précédent, 15 min dans celui-ci" in text
    # the share counted resident by resident cannot be recomputed: its row stays empty
    row = re.search(r"Part de la population à 15 min ou moins ([^ ]+) ", text).group(1)
    assert row == "–"
    changes = read_table(reports["second"] / "changes.csv").set_index("code_insee")
    before, after = changes["time_min_before"], changes["time_min_after"]
    entered = changes["change"] == "entre en zone blanche"
    left = changes["change"] == "sort de la zone blanche"
    assert ((before[entered] <= 15) & (after[entered] > 15)).all()
    assert ((before[left] > 15) & (after[left] <= 15)).all()
    crossed_in = ((before <= 15) & (after > 15)).sum()
    assert entered.sum() == crossed_in > 0  # fewer France services in 2020


def test_counts_next_to_a_range_are_rounded(reports):
    summary = _summary(reports["first"])
    assert "share_within_threshold_low" in summary  # the default model knows its error
    page = html.unescape(_page(reports["first"]))
    beyond = summary["population"] - summary["population_within_threshold"]
    card = re.search(r"<b>([\d\u202f]+)</b>Habitants à plus de 20 min", page).group(1)
    value = int(card.replace("\u202f", ""))
    step = residents_step(beyond, uncertain=True)
    assert step >= 10 and value % step == 0 and abs(value - beyond) <= step / 2
    assert f"<b>{fr_number(summary['population'])}</b>Habitants" in page  # census: exact
    assert 'href="#precision"' in page  # the range explained where it first appears


def test_tables_right_align_numbers_and_order_ties_by_residents(reports):
    page = _page(reports["first"])
    start = page.index("<h2>Les 15 EPCI les moins bien couverts</h2>")
    table = page[start : page.index("</table>", start)]
    heads = re.findall(r"<th( class=\"t\")?>([^<]*)</th>", table)
    assert [bool(t) for t, _ in heads[:4]] == [True, True, False, False]  # Code, Nom | numbers
    assert all(not t for t, _ in heads[2:])
    indicators = read_table(reports["first"] / "indicators.csv")
    epci = indicators[indicators["level"] == "epci"]
    names = re.findall(r'<tr><td class="t">(\d+)</td>', table)
    shown = epci.set_index(epci["code"].astype(str)).loc[names]
    keys = list(zip(shown["share_within_threshold"], -shown["population"], strict=True))
    assert keys == sorted(keys)


def test_an_edited_page_is_refused_with_the_official_way(reports, tmp_path, capsys):
    out = tmp_path / "copie"
    census = ["--venues", "france-services-2024-08-01", "--departement", "90"]
    _run(*census, "--out", str(out))
    page = out / "report.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<h1>", "<h1>Mon titre "))
    capsys.readouterr()
    assert main(["-q", "report", *census, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "report.html (modifié)" in err and "--title" in err and "--intro" in err


@pytest.mark.skipif(chromium_path() is None, reason="Chromium is not installed")
def test_page_reads_on_a_phone_and_a_desktop_and_prints(reports):
    found = chromium_path()
    assert found is not None
    browser = Browser(found)
    measure = """(() => {
        const sizes = Array.from(document.querySelectorAll('p, li, td, dd'))
            .filter((el) => el.textContent.trim() && !el.closest('.reproduire'))
            .map((el) => parseFloat(getComputedStyle(el).fontSize));
        const cell = document.querySelector('td:not(.t):not(:first-child)');
        return {
            body: parseFloat(getComputedStyle(document.body).fontSize),
            smallest: Math.min(...sizes),
            scroll: document.documentElement.scrollWidth,
            width: window.innerWidth,
            numbers: cell ? getComputedStyle(cell).textAlign : null,
        };
    })()"""
    try:
        for name, width, height, mobile in (
            ("bureau", 1440, 900, False),
            ("telephone", 390, 844, True),
        ):
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=2 if mobile else 1,
                mobile=mobile,
            )
            browser.open(reports["first"] / "report.html", settle_s=0.5)
            state = browser.evaluate(measure)
            browser.screenshot(ARTIFACTS / f"report_{name}.png")
            assert state["width"] == width
            assert state["body"] >= 14 and state["smallest"] >= 14, state
            assert state["scroll"] <= state["width"], f"horizontal scroll at {width} px"
            assert state["numbers"] == "right"
        pdf = base64.b64decode(
            browser.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"]
        )
        (ARTIFACTS / "report.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        headings = _page(reports["first"]).count("<h2")
        assert pdf.startswith(b"%PDF") and pages >= headings - 1  # a page per section at least
        assert browser.errors == []
    finally:
        browser.close()


def test_least_covered_epci_ties_by_residents_and_partial_ones_marked():
    from types import SimpleNamespace

    import pandas as pd

    from maillage.load.cog import read_cog_table
    from maillage.report.page import _least_covered_epci

    sizes = read_cog_table()["epci"].dropna().astype(str).value_counts()
    codes = list(sizes[sizes > 3].index[:3])
    table = pd.DataFrame(
        {
            "level": "epci",
            "code": codes,
            "name": ["Petite", "Grande", "Coupée"],
            "communes": [sizes[codes[0]], sizes[codes[1]], sizes[codes[2]] - 2],
            "population": [1_000, 87_000, 5_000],
            "share_within_threshold": [0.0, 0.0, 0.5],
        }
    )
    shown = _least_covered_epci(SimpleNamespace(indicators=table))
    assert shown["name"].tolist() == ["Grande", "Petite", "Coupée *"]  # at 0 %: most residents
    assert shown["partial"].tolist() == [False, False, True]
