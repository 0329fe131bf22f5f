"""maillage.explore driven from Python, as a notebook does, on Corrèze with the default model.

The widget's methods, its ``headline`` and ``scenario``, the messages the front end sends
(a click, a drag, the buttons) and what it sends back (fills, venues, panel), without a
browser: the browser side is tests/test_whatif_browser.py.
"""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pytest

import maillage
from maillage.errors import InputDataError
from maillage.maps.whatif import payload

pytest.importorskip("anywidget", reason="anywidget is not installed: pip install -e '.[dev]'")


@pytest.fixture(scope="module")
def correze():
    communes = maillage.load_communes(departements=["19"])
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", departements=["19"], errors="report")
    return communes, venues, maillage.default_model(communes)


@pytest.fixture
def widget(correze):
    communes, venues, model = correze
    return maillage.explore(communes, venues, model=model, threshold_min=20)


def full_share(communes, venues, model, threshold_min=20):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cov = maillage.coverage(communes, venues, model=model, threshold_min=threshold_min)
    return cov["population_within_threshold"].sum() / cov["population"].sum()


def test_methods_headline_and_scenario(correze, widget, tmp_path):
    communes, venues, model = correze
    start = widget.headline
    plain = widget._repr_mimebundle_()[0]["text/plain"]  # what a viewer without widgets shows
    assert plain.startswith("Carte « et si »") and "lieux ouverts" in plain
    assert {"share_within_threshold", "residents_beyond", "residents_second_choice"} <= set(start)
    assert start["share_within_threshold"] == pytest.approx(full_share(communes, venues, model))
    assert start["share_within_threshold_low"] <= start["share_within_threshold"]
    ussel = communes.loc["19275"].geometry.representative_point()
    vid = widget.add(ussel, name="Tiers-lieu d'Ussel bis")
    sornac = communes.loc["19261"].geometry.representative_point()
    deg = gpd.GeoSeries([sornac], crs=2154).to_crs(4326).iloc[0]
    other = widget.add((deg.x, deg.y))  # (lon, lat), as a click gives
    first = str(venues["venue_id"].iloc[0])
    widget.close(first)
    widget.move(vid, sornac.buffer(5000).exterior.interpolate(0))
    scenario = widget.scenario
    assert scenario.crs == communes.crs
    assert sorted(scenario.loc[scenario["hypothetical"], "venue_id"]) == sorted([vid, other])
    assert first not in scenario["venue_id"].tolist()
    assert len(scenario) == len(venues) + 1
    assert set(venues.columns) - {"geometry"} <= set(scenario.columns)
    assert scenario.set_index("venue_id").loc[other, "code_insee"] == "19261"  # Sornac
    scenario.to_file(tmp_path / "scenario.gpkg")  # saved as a census, read back as one
    again, rejected = maillage.load_venues(tmp_path / "scenario.gpkg", errors="report")
    assert len(again) == len(scenario) and len(rejected) == 0
    assert (
        again.set_index("venue_id").loc[other, "name"]
        == scenario.set_index("venue_id").loc[other, "name"]
    )
    assert widget.headline["share_within_threshold"] == pytest.approx(
        full_share(communes, scenario, model), rel=1e-12
    )
    assert "share_within_threshold_low" not in widget.headline  # the range of the start only
    span = widget.compute_range()
    assert span["share_within_threshold_low"] <= widget.headline["share_within_threshold"]
    assert [h.split(" : ")[0] for h in widget.panel["history"]] == [
        "ouverture", "ouverture", "fermeture", "déplacement",
    ]  # fmt: skip
    assert widget.undo() and widget.undo()
    assert widget.scenario["hypothetical"].sum() == 2
    widget.reset()
    assert not widget.undo()
    assert widget.headline == start  # the range of the start too


def test_front_end_messages_and_payload(correze, widget):
    communes, _, _ = correze
    sent = []
    widget.send = sent.append
    widget._on_message(widget, {"type": "ping"}, [])
    assert sent == [{"type": "pong"}]
    assert len(widget.fills) == len(widget.white) == len(communes) == len(widget.shapes["codes"])
    before = sum(widget.white)
    widget._on_message(widget, {"type": "add", "lon": 2.25, "lat": 45.62}, [])
    assert widget.headline["venues_open"] == len(widget.venue_marks)
    fresh = payload.fills(widget.state.commune_figures())  # texts updated in place = anew
    assert (widget.fills, widget.white, widget.titles) == (fresh[0], fresh[1], fresh[2])
    assert sum(widget.white) < before
    rows = {r[0]: r[1] for r in widget.panel["rows"]}
    share = f"{widget.headline['share_within_threshold'] * 100:.1f} %".replace(".", ",")
    assert rows["Part de la population à 20 min ou moins"] == share
    gained = widget.panel["changed"][0]
    assert gained[0].startswith("Communes passées sous le seuil") and gained[1]
    added = next(v for v in widget.venue_marks if v["hypothetical"])
    widget._on_message(
        widget, {"type": "move", "venue_id": added["venue_id"], "lon": 2.0, "lat": 45.5}, []
    )
    widget._on_message(widget, {"type": "close", "venue_id": added["venue_id"]}, [])
    assert not any(v["hypothetical"] for v in widget.venue_marks)
    widget._on_message(widget, {"type": "close", "venue_id": "nope"}, [])
    assert sent[-1]["type"] == "error" and "nope" in sent[-1]["text"]
    widget._on_message(widget, {"type": "reset"}, [])
    assert widget.panel["history"] == []
    json.dumps([widget.shapes, widget.fills, widget.panel, widget.venue_marks, widget.legend])


def test_threshold_slider_and_suggested_sites(correze, widget):
    communes, venues, model = correze
    widget.threshold_min = 30  # what the slider sets
    assert widget.headline["share_within_threshold"] == pytest.approx(
        full_share(communes, venues, model, 30)
    )
    assert widget.panel["rows"][0][0] == "Part de la population à 30 min ou moins"
    sites = widget.suggest(3)
    assert [p["rank"] for p in widget.proposals] == sites["rank"].tolist() == [1, 2, 3]
    gain = float(sites["gain_population"].iloc[0])
    before = widget.headline["population_within_threshold"]
    widget.accept(1)
    assert widget.headline["population_within_threshold"] - before == pytest.approx(gain, rel=1e-6)
    assert [p["rank"] for p in widget.proposals] == [2, 3]
    with pytest.raises(InputDataError, match="rank"):
        widget.accept(1)
    sent = []
    widget.send = sent.append
    widget.threshold_min = widget.horizon_min + 5
    assert sent[-1]["type"] == "error" and "horizon_min" in sent[-1]["text"]
    assert np.isclose(widget.state.threshold_min, 30) and widget.threshold_min == 30
