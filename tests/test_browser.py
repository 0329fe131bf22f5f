"""report.html and map.html of a small real report, opened in headless Chromium, offline.

The report covers Charente-Maritime with the CGET 2019 census, through the same loaders and
writer as the command line; a few venues and a commune carry script payloads in their name,
kind and id. Chromium gets no network: every request is recorded and only ``file:`` and
``data:`` ones are served. Screenshots are kept under ``$MAILLAGE_TEST_ARTIFACTS`` (default
``tests/artifacts/``, ignored by git).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from chromium import Browser, chromium_path

import maillage
from maillage.maps import LAYER_NAMES
from maillage.report import write_report

pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="Chromium is not installed: apt-get install chromium (.ci/run installs it)",
)

ARTIFACTS = Path(os.environ.get("MAILLAGE_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))
TILE = re.compile(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")
PAYLOADS = {
    "name": "<img src=x onerror=\"window.__xss='name';document.title='xss'\">",
    "kind": "<svg onload=\"window.__xss='kind'\">",
    "venue_id": "</script><script>window.__xss='id'</script>",
    "nom": "<img src=y onerror=\"window.__xss='commune'\">",
}

STATE_JS = """(() => {
    const rect = (el) => el && el.getBoundingClientRect().toJSON();
    const notice = document.querySelector('.maillage-tile-notice');
    return {
        container: !!document.querySelector('.leaflet-container'),
        panes: document.querySelectorAll('.leaflet-pane').length,
        paths: document.querySelectorAll('.leaflet-overlay-pane svg path').length,
        markers: document.querySelectorAll('.leaflet-marker-pane .maillage-venue').length,
        layers: Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
            .map((l) => l.textContent.trim()),
        legend: (document.querySelector('.maillage-legend') || {}).textContent || '',
        legendBox: rect(document.querySelector('.maillage-legend')),
        scaleBox: rect(document.querySelector('.leaflet-control-scale')),
        notice: notice && notice.offsetParent !== null ? notice.textContent : null,
        xss: window.__xss === undefined ? null : String(window.__xss),
        title: document.title,
    };
})()"""

OPEN_EVERYTHING_JS = """(() => {
    const over = (el) => el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
    document.querySelectorAll('.leaflet-overlay-pane svg path.leaflet-interactive').forEach(over);
    const popups = [];
    document.querySelectorAll('.maillage-venue').forEach((el) => {
        over(el);
        el.dispatchEvent(new MouseEvent('click', {bubbles: true}));
        const open = document.querySelectorAll('.leaflet-popup-content');
        if (open.length) popups.push(open[open.length - 1].textContent);
    });
    const tooltips = Array.from(document.querySelectorAll('.leaflet-tooltip'))
        .map((t) => t.textContent);
    return {popups: popups, tooltips: tooltips};
})()"""


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    communes = maillage.load_communes(departements=["17"])
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", departements=["17"], errors="report")
    for column in ("name", "kind", "venue_id"):
        venues.loc[venues.index[:2], column] = [PAYLOADS[column], PAYLOADS[column] + " 2"]
    communes.loc[communes.index[0], "nom"] = PAYLOADS["nom"]
    sources = ["cget-tiers-lieux-2019", "etalab-decoupage-administratif-6.0.0"]
    return write_report(
        tmp_path_factory.mktemp("browser") / "rapport",
        communes=communes,
        venues=venues,
        model=maillage.CrowFlyModel(),
        area="Charente-Maritime",
        data_credits=maillage.credits(sources),
    )


@pytest.fixture(scope="module")
def browser():
    found = chromium_path()
    assert found is not None
    chrome = Browser(found)
    yield chrome
    chrome.close()


def _offline_only(requests: list[str]) -> list[str]:
    """Requests that would leave the machine, other than background tiles."""
    return [u for u in requests if not u.startswith(("file:", "data:")) and not TILE.match(u)]


def test_map_renders_offline_with_its_layers_and_legends(report_dir, browser):
    browser.requests.clear()
    browser.open(report_dir / "map.html", settle_s=2.0)
    state = browser.evaluate(STATE_JS)
    browser.screenshot(ARTIFACTS / "map_html.png")
    assert state["container"] and state["panes"] >= 5
    assert state["paths"] > 400, "communes and white zones drawn"  # 460 communes in 17
    assert state["markers"] > 10
    for name in (LAYER_NAMES["times"], LAYER_NAMES["white_zones"], LAYER_NAMES["catchments"]):
        assert name in state["layers"]
    assert any(label.startswith(f"{LAYER_NAMES['venues']} : ") for label in state["layers"])
    for entry in ("0 – 10 min", "30 min et plus", "Zone blanche : plus de 20 min"):
        assert entry in state["legend"]
    assert "Lieu soutenu (plein)" in state["legend"]
    legend, scale = state["legendBox"], state["scaleBox"]
    assert legend["bottom"] <= scale["top"] or scale["bottom"] <= legend["top"], "overlap"
    assert state["notice"] and "connexion" in state["notice"], "tiles failed: said on the map"
    assert _offline_only(browser.requests) == []
    assert any(TILE.match(u) for u in browser.requests), "tiles were asked for (and refused)"
    assert browser.errors == []


def test_payloads_in_the_data_do_not_run(report_dir, browser):
    browser.open(report_dir / "map.html", settle_s=1.0)
    # the check can see a payload run: markup set with innerHTML does run here
    browser.evaluate(
        "document.body.insertAdjacentHTML('beforeend', "
        "'<img id=probe src=x onerror=\"window.__probe=1\">')"
    )
    browser.pump(1.0)
    assert browser.evaluate("window.__probe") == 1
    browser.evaluate("document.getElementById('probe').remove()")

    shown = browser.evaluate(OPEN_EVERYTHING_JS)
    browser.pump(1.5)
    state = browser.evaluate(STATE_JS)
    browser.screenshot(ARTIFACTS / "map_html_popups.png")
    assert state["xss"] is None and state["title"] != "xss"
    assert browser.dialogs == []
    assert any(PAYLOADS["name"] in text for text in shown["popups"]), "name shown as text"
    assert any(PAYLOADS["nom"] in text for text in shown["tooltips"]), "commune shown as text"
    assert f"{LAYER_NAMES['venues']} : {PAYLOADS['kind']}" in state["layers"]
    assert browser.errors == []


def test_report_page_renders_offline(report_dir, browser):
    browser.requests.clear()
    browser.open(report_dir / "report.html", settle_s=1.0)
    state = browser.evaluate(
        """(() => ({
            h1: (document.querySelector('h1') || {}).textContent || '',
            images: Array.from(document.images).map((i) => i.complete && i.naturalWidth > 0),
            mapLink: !!document.querySelector('a[href="map.html"]'),
            xss: window.__xss === undefined ? null : String(window.__xss),
        }))()"""
    )
    browser.screenshot(ARTIFACTS / "report_html.png", full_page=True)
    assert "Charente-Maritime" in state["h1"]
    assert state["images"] and all(state["images"]), "map.png and charts load"
    assert state["mapLink"]
    assert state["xss"] is None and browser.dialogs == []
    assert [u for u in browser.requests if not u.startswith(("file:", "data:"))] == []
    assert browser.errors == []
