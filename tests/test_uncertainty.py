"""The honest headline: a range from per-trip errors drawn as measured on areas left out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import maillage
from maillage.analysis.uncertainty import simulate_headline
from maillage.report import write_report
from maillage.report.numbers import fr_residents
from maillage.schema import SUMMARY_KEYS, SUMMARY_RANGE_KEYS
from maillage.travel.calibrated import load_calibration


@pytest.fixture(scope="module")
def charente_maritime():
    communes = maillage.load_communes(departements="17")
    venues = maillage.load_venues("cget-tiers-lieux-2019", departements="17")
    return communes, venues


@pytest.fixture(scope="module")
def model(charente_maritime):
    return maillage.default_model(charente_maritime[0])


def test_range_is_reproducible_and_ordered(charente_maritime, model):
    communes, venues = charente_maritime
    cov = maillage.coverage(communes, venues, model=model, threshold_min=20)
    share = float(maillage.indicators(cov)["share_within_threshold"].iloc[0])
    span = maillage.headline_range(communes, venues, model=model, threshold_min=20)
    assert span == maillage.headline_range(communes, venues, model=model, threshold_min=20)
    low, high = span["share_within_threshold_low"], span["share_within_threshold_high"]
    assert 0 <= low < high <= 1
    assert low < share + 0.02 and share - 0.02 < high  # around the model's own figure
    assert span["white_zone_population_low"] <= span["white_zone_population_high"]
    assert span["white_zone_population_high"] <= communes["population"].sum()


def test_range_widens_with_the_level(charente_maritime, model):
    communes, venues = charente_maritime
    narrow = maillage.headline_range(communes, venues, model=model, threshold_min=20, level=0.5)
    wide = maillage.headline_range(communes, venues, model=model, threshold_min=20)
    assert narrow["share_within_threshold_low"] >= wide["share_within_threshold_low"]
    assert narrow["share_within_threshold_high"] <= wide["share_within_threshold_high"]


def test_errors_shared_by_a_commune_widen_the_range():
    """The same trips, one commune for all origins or one commune each: a shared part
    moves every trip together, so the headline spreads more."""
    errors = load_calibration()["errors"]
    rng = np.random.default_rng(3)
    n = 400
    trips = pd.DataFrame(
        {"origin": np.arange(n), "time_s": rng.uniform(600, 1800, n), "band": 3, "dclass": 0}
    )
    shared = pd.DataFrame({"population": 1.0, "commune": np.zeros(n, dtype=int)})
    alone = pd.DataFrame({"population": 1.0, "commune": np.arange(n)})
    spread = []
    for origins in (shared, alone):
        sim = simulate_headline(trips, origins, errors=errors, threshold_s=1200.0, draws=300)
        q = sim["share_within_threshold"].quantile([0.1, 0.9])
        spread.append(float(q.iloc[1] - q.iloc[0]))
    assert spread[0] > spread[1] > 0


def test_the_headline_range_was_measured_on_areas_left_out():
    measured = load_calibration()["headline_coverage"]
    assert measured["level"] == 0.8
    assert measured["share_inside"] >= 0.8
    assert measured["share_inside_by_nominal"]["0.8"] <= measured["share_inside"]
    assert {c["area"] for c in measured["cases"]} >= {"monaco-06", "paris-marais", "région 11"}


def test_uncertain_communes(charente_maritime, model):
    communes, venues = charente_maritime
    flags = maillage.uncertain_communes(communes, venues, model=model, threshold_min=20)
    assert flags.dtype == bool and flags.name == "uncertain"
    assert flags.index.equals(communes.index) and flags.index.name == "code_insee"
    assert 0 < flags.sum() < len(flags)
    cov = maillage.coverage(communes, venues, model=model, threshold_min=20)
    time_min = cov["time_min"].reindex(flags.index)
    assert not flags[time_min < 5].any()  # far inside the threshold: certain
    assert flags[(time_min - 20).abs() < 1].mean() > 0.5  # at the threshold: mostly not
    wider = maillage.uncertain_communes(communes, venues, model=model, threshold_min=20, level=0.9)
    assert wider.sum() >= flags.sum() and not (flags & ~wider).any()


def test_report_states_the_error_and_the_range(charente_maritime, model, tmp_path):
    communes, venues = charente_maritime
    out = write_report(tmp_path / "r", communes=communes, venues=venues, model=model)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[: len(SUMMARY_KEYS)] == list(SUMMARY_KEYS)
    assert set(SUMMARY_RANGE_KEYS) <= set(summary)
    assert summary["share_within_threshold_low"] < summary["share_within_threshold_high"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Précision des temps de trajet, mesurée hors calage" in page
    assert "laissé de côté" in page and "embouteillages" in page and "80\u00a0%" in page
    # the residents of the communes to confirm are a total next to ranges: rounded
    flagged = pd.read_csv(out / "communes.csv", sep=";", dtype={"code_insee": str})
    flagged = flagged[flagged["Temps incertain"] == "oui"]
    total = float(flagged["Population"].sum())
    assert len(flagged) > 0 and total % 10 != 0  # the exact total would show its last digits
    assert f"(environ {fr_residents(total, uncertain=True)} habitants)" in page
    assert "(colonne « Temps incertain »)" in page  # the column's name in the file


def test_models_without_measured_error_give_no_range(charente_maritime):
    communes, venues = charente_maritime
    crow = maillage.CrowFlyModel()
    assert maillage.headline_range(communes, venues, model=crow) is None
    assert maillage.uncertain_communes(communes, venues, model=crow, threshold_min=20) is None
