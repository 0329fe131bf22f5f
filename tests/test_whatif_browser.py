"""The what-if map in a real JupyterLab, driven by a real mouse in headless Chromium, offline.

The test starts a JupyterLab server on 127.0.0.1 (a kernel running this interpreter), opens a
notebook that builds ``maillage.explore`` on Corrèze with the default model, runs it, clicks
the map once in a white zone, and checks that the panel's headline becomes what
``maillage.coverage`` gives for the same venues. Chromium gets no network beyond that local
server (tests/chromium.py). Then the notebook is saved with its widget state, the kernel
shut down and the page reloaded: the map shows again, read-only, and says so.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
import nbformat
import numpy as np
import pytest
from chromium import Browser, chromium_path
from jupyter_lab import (
    HEADLINE,
    KERNEL_READY,
    ROOT,
    RUN_ALL,
    SAVE_AND_STOP,
    TARGET_JS,
    running_lab,
)
from shapely.geometry import Point

import maillage

pytest.importorskip("anywidget", reason="anywidget is not installed: pip install -e '.[dev]'")
pytest.importorskip("jupyterlab", reason="JupyterLab is not installed: pip install -e '.[dev]'")
pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="Chromium is not installed: apt-get install chromium (.ci/run installs it)",
)

CELL = """\
import maillage
communes = maillage.load_communes(departements=["19"])
venues, _ = maillage.load_venues("cget-tiers-lieux-2019", departements=["19"], errors="report")
widget = maillage.explore(communes, venues, model=maillage.default_model(communes), threshold_min=20)
widget"""

ADDED_JS = """(() => Array.from(document.querySelectorAll('.maillage-whatif-map circle.hypothetical'))
    .map((c) => [Number(c.dataset.x), Number(c.dataset.y)]))()"""
VENUE_JS = """(() => {
    const c = document.querySelector('.maillage-whatif-map circle.hypothetical');
    if (!c) return null;
    const b = c.getBoundingClientRect();
    return [b.left + b.width / 2, b.top + b.height / 2];
})()"""
UNDO_JS = "document.querySelector('.maillage-whatif-panel button[data-action=undo]').click()"
PANEL_JS = "document.querySelector('.maillage-whatif-panel dl').textContent"


ARTIFACTS = Path(os.environ.get("MAILLAGE_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))


@pytest.fixture(scope="module")
def lab(tmp_path_factory, data_dir):
    """A JupyterLab server on 127.0.0.1 with the notebook; yields (base URL, token, folder)."""
    root = tmp_path_factory.mktemp("lab")
    with running_lab(root, CELL, data_dir) as (base, token):
        yield base, token, root


def coverage_with(added: tuple[float, float]) -> gpd.GeoDataFrame:
    """coverage() of Corrèze with the census and one more venue at ``added``."""
    communes = maillage.load_communes(departements=["19"])
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", departements=["19"], errors="report")
    rows = [*venues[["venue_id", "geometry"]].to_dict("records")]
    rows.append({"venue_id": "clic", "geometry": Point(added)})
    both = gpd.GeoDataFrame(rows, geometry="geometry", crs=2154)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return maillage.coverage(
            communes, both, model=maillage.default_model(communes), threshold_min=20
        )


def run_and_click(browser: Browser, url: str) -> tuple[dict, dict, tuple, str, str]:
    """Open the notebook, run it, click a white zone; return the headlines, point, commune, panel."""
    browser.navigate(url)
    browser.wait_for(KERNEL_READY, timeout_s=60)
    browser.evaluate(RUN_ALL)
    start = browser.wait_for(HEADLINE, timeout_s=90)
    browser.pump(1.0)  # the kernel's answer to the ping: live, not read-only
    assert browser.evaluate(f"{ROOT}.querySelector('.maillage-whatif-notice').hidden")
    assert not browser.evaluate(f"{ROOT}.classList.contains('read-only')")
    x, y, code = browser.wait_for(f"{TARGET_JS}(0)", timeout_s=10)
    browser.click(x, y)
    more = f"h && h.venues_open > {start['venues_open']} ? h : null"
    after = browser.wait_for(f"(() => {{ const h = {HEADLINE}; return {more}; }})()", timeout_s=30)
    (added,) = browser.evaluate(ADDED_JS)
    browser.screenshot(ARTIFACTS / "whatif_lab.png")
    return start, after, tuple(added), code, browser.evaluate(PANEL_JS)


def test_click_opens_a_venue_and_the_headline_is_coverage(lab):
    base, token, root = lab
    url = f"{base}/lab/tree/whatif.ipynb?token={token}"
    browser = Browser(chromium_path(), allow=(base,), width=1500, height=1000)
    try:
        start, after, added, code, panel = run_and_click(browser, url)
        cov = coverage_with(added)
        assert cov.loc[code].geometry.contains(Point(added)), "the venue is where clicked"
        share = cov["population_within_threshold"].sum() / cov["population"].sum()
        assert after["share_within_threshold"] == pytest.approx(share, rel=1e-12)
        assert after["share_within_threshold"] > start["share_within_threshold"]
        assert f"{share * 100:.1f} %".replace(".", ",") in panel
        assert "depuis le départ" in panel
        beyond = cov["population"].sum() - cov["population_within_threshold"].sum()
        assert after["residents_beyond"] == pytest.approx(beyond, rel=1e-9)

        # drag the new venue 60 px away: moved, same count; click it: closed; undo: back
        (vx, vy) = browser.evaluate(VENUE_JS)
        browser.drag((vx, vy), (vx + 60, vy + 30))
        changed = f"(() => {{ const h = {HEADLINE}; return h && h.share_within_threshold !== {after['share_within_threshold']} ? h : null; }})()"
        moved = browser.wait_for(changed, timeout_s=30)
        (moved_at,) = browser.evaluate(ADDED_JS)
        assert moved["venues_open"] == after["venues_open"] and moved_at != list(added)
        assert np.hypot(moved_at[0] - added[0], moved_at[1] - added[1]) > 1000  # metres
        (vx, vy) = browser.evaluate(VENUE_JS)
        browser.click(vx, vy)
        closed = f"(() => {{ const h = {HEADLINE}; return h && h.venues_open === {start['venues_open']} ? h : null; }})()"
        ranged = ("_low", "_high")  # the range is the start's, computed again on request
        assert browser.wait_for(closed, timeout_s=30) == {
            k: v for k, v in start.items() if not k.endswith(ranged)
        }
        browser.evaluate(UNDO_JS)
        back = f"(() => {{ const h = {HEADLINE}; return h && h.venues_open > {start['venues_open']} ? h : null; }})()"
        assert browser.wait_for(back, timeout_s=30) == moved
        assert browser.evaluate(ADDED_JS) == [moved_at]

        # saved with its widget state, kernel stopped, page reloaded: the last map, read-only
        browser.evaluate(SAVE_AND_STOP)
        saved = nbformat.read(root / "whatif.ipynb", as_version=4)
        assert "application/vnd.jupyter.widget-state+json" in saved.metadata.get("widgets", {})
        browser.navigate(url)
        browser.wait_for(f"{ROOT} && {ROOT}.classList.contains('read-only')", timeout_s=60)
        notice = browser.evaluate(f"{ROOT}.querySelector('.maillage-whatif-notice').textContent")
        assert notice.startswith("Lecture seule")
        assert browser.evaluate(HEADLINE) == moved
        assert browser.evaluate(ADDED_JS) == [moved_at]
        enabled = "button:not([disabled]), input:not([disabled])"
        assert browser.evaluate(f"{ROOT}.querySelectorAll('{enabled}').length") == 0
        browser.screenshot(ARTIFACTS / "whatif_lab_read_only.png")
        assert browser.errors == []
        assert [u for u in browser.requests if not u.startswith((base, "data:", "blob:"))] == []
    finally:
        browser.close()
