"""map.html of a real report on a desktop screen and on a phone, in headless Chromium, offline.

The report covers Charente-Maritime with the CGET 2019 census. On a 390 × 844 phone the layer
panel and the legend start closed (a button opens each) and the notice that the background
tiles need a connection stays in sight; on a 1440 × 900 screen both are open, as they were.
Screenshots are kept under ``$MAILLAGE_TEST_ARTIFACTS`` (default ``tests/artifacts/``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from charente import charente_report
from chromium import Browser, chromium_path, running_browser

from maillage.report.files import render_file

pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="Chromium is not installed: apt-get install chromium (.ci/run installs it)",
)

ARTIFACTS = Path(os.environ.get("MAILLAGE_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))

BOXES_JS = """(() => {
    const box = (el) => {
        if (!el || el.offsetParent === null) return null;
        const r = el.getBoundingClientRect();
        const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
        const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, area: w * h};
    };
    const notice = document.querySelector('.maillage-tile-notice');
    let onTop = false;
    if (notice) {
        const r = notice.getBoundingClientRect();
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        onTop = !!hit && notice.contains(hit);
    }
    const panel = document.querySelector('.leaflet-control-layers');
    return {
        screen: innerWidth * innerHeight,
        width: innerWidth,
        scrollWidth: document.documentElement.scrollWidth,
        panel: box(panel),
        panelOpen: panel.classList.contains('leaflet-control-layers-expanded'),
        legend: box(document.querySelector('.maillage-legend')),
        legendOpen: document.querySelector('.maillage-legend details').open,
        notice: box(notice),
        noticeText: notice ? notice.textContent : null,
        noticeOnTop: onTop,
        toggle: box(document.querySelector('.leaflet-control-layers-toggle')),
    };
})()"""


@pytest.fixture(scope="module")
def map_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("map") / "map.html"
    path.write_bytes(render_file(charente_report(), "map.html"))
    return path


@pytest.fixture(scope="module")
def browser():
    with running_browser() as chrome:
        yield chrome


def _show(browser: Browser, path: Path, *, width: int, height: int, mobile: bool) -> dict:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=mobile,
    )
    browser.open(path, settle_s=2.0)
    return browser.evaluate(BOXES_JS)


def _covered(state: dict) -> float:
    boxes = [state[name] for name in ("panel", "legend") if state[name] is not None]
    return sum(b["area"] for b in boxes) / state["screen"]


def test_map_on_a_phone_starts_with_its_controls_closed(map_html, browser):
    state = _show(browser, map_html, width=390, height=844, mobile=True)
    browser.screenshot(ARTIFACTS / "map_html_phone.png")
    assert not state["panelOpen"] and not state["legendOpen"]
    assert _covered(state) < 0.25, state
    assert state["noticeText"] and "connexion" in state["noticeText"], "tiles failed: said"
    notice = state["notice"]
    assert notice is not None and notice["right"] <= state["width"], "notice on the screen"
    assert state["noticeOnTop"], "no control covers the notice"
    assert state["scrollWidth"] <= state["width"], "no horizontal scroll"
    assert browser.errors == []

    # the buttons open them
    browser.evaluate("document.querySelector('.leaflet-control-layers-toggle').click()")
    browser.evaluate("document.querySelector('.maillage-legend summary').click()")
    browser.pump(0.5)
    opened = browser.evaluate(BOXES_JS)
    browser.screenshot(ARTIFACTS / "map_html_phone_open.png")
    assert opened["panelOpen"] and opened["legendOpen"]
    assert _covered(opened) > _covered(state)
    assert browser.errors == []


def test_map_on_a_desktop_screen_keeps_its_controls_open(map_html, browser):
    state = _show(browser, map_html, width=1440, height=900, mobile=False)
    browser.screenshot(ARTIFACTS / "map_html_desktop.png")
    assert state["panelOpen"] and state["legendOpen"]
    assert state["noticeText"] and state["noticeOnTop"]
    assert 0.05 < _covered(state) < 0.4, state
    assert browser.errors == []
