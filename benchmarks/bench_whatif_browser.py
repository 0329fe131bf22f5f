"""Time the what-if map from the click to the repainted map, in JupyterLab and Chromium.

``bench_whatif.py`` times the Python side of a click. This times what the analyst sees, on
Nouvelle-Aquitaine with the default model: a JupyterLab server on 127.0.0.1 (the helpers of
``tests/jupyter_lab.py``), the widget of ``maillage.explore`` drawn in headless Chromium,
offline (``tests/chromium.py``); then clicks in white-zone communes, each timed in the page
from the ``pointerdown`` to the first animation frame after the panel's headline changed
(the kernel's work, both messages and the repaint of 4,293 communes), each click undone with
the panel's button before the next; with, for each, the time of the change on the state
alone (the rest: the figures and texts sent back, both messages, the repaint). Also the time to draw the map the first time (the cell's
run to the headline shown). Usage::

    python benchmarks/bench_whatif_browser.py --out benchmarks/results/whatif_browser.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from timing import machine

CELL = """\
import maillage
deps = ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]
communes = maillage.load_communes(departements=deps)
venues, _ = maillage.load_venues("cget-tiers-lieux-2019", departements=deps, errors="report")
widget = maillage.explore(communes, venues, model=maillage.default_model(communes))
widget"""

HOOK = """(() => {
    const root = document.querySelector('.maillage-whatif');
    window.__clicks = [];
    root.addEventListener('pointerdown', () => { window.__t0 = performance.now(); }, true);
    new MutationObserver(() => {
        if (window.__t0 === undefined) return;
        const t0 = window.__t0; window.__t0 = undefined;
        requestAnimationFrame(() => window.__clicks.push(performance.now() - t0));
    }).observe(root, {attributes: true, attributeFilter: ['data-headline']});
    return true;
})()"""
UNDO = "document.querySelector('.maillage-whatif-panel button[data-action=undo]').click()"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clicks", type=int, default=6)
    args = parser.parse_args()
    from chromium import Browser, chromium_path
    from jupyter_lab import HEADLINE, KERNEL_READY, ROOT, RUN_ALL, TARGET_JS, running_lab

    began = machine()
    data = Path(os.environ["MAILLAGE_DATA_DIR"])
    with tempfile.TemporaryDirectory() as tmp, running_lab(Path(tmp), CELL, data) as (base, token):
        browser = Browser(chromium_path(), allow=(base,), width=1500, height=1000)
        try:
            browser.navigate(f"{base}/lab/tree/whatif.ipynb?token={token}")
            browser.wait_for(KERNEL_READY, timeout_s=120)
            start = time.perf_counter()
            browser.evaluate(RUN_ALL)
            browser.wait_for(HEADLINE, timeout_s=600)
            first_draw_s = time.perf_counter() - start
            browser.pump(1.0)
            browser.evaluate(HOOK)
            change_ms = []
            for i in range(args.clicks):
                x, y, _ = browser.wait_for(f"{TARGET_JS}({i})", timeout_s=10)
                browser.click(x, y)
                browser.wait_for(f"window.__clicks.length === {i + 1}", timeout_s=60)
                change_ms.append(int(browser.evaluate(f"{ROOT}.dataset.updateMs")))
                browser.evaluate(UNDO)
                browser.pump(1.5)
            clicks_ms = browser.evaluate("window.__clicks")
        finally:
            browser.close()
    out = {
        "area": "Nouvelle-Aquitaine (12 départements, 4,293 communes)",
        "model": "default",
        "first_draw_s (cell run to map shown: loading, set-up, range, drawing)": round(
            first_draw_s, 1
        ),
        "click_to_repaint_ms": [round(c) for c in clicks_ms],
        "click_to_repaint_median_ms": round(sorted(clicks_ms)[len(clicks_ms) // 2]),
        "of_which_state_change_ms (the kernel's change on the state alone)": change_ms,
        "machine": began,
        "load_average_after": machine()["load_average"],
    }
    print(json.dumps(out, indent=1))
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
