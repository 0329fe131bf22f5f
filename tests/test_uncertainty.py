"""The honest headline: low and high values from the default model's measured error."""

from __future__ import annotations

import json

import pytest

import maillage
from maillage.report import write_report
from maillage.schema import SUMMARY_KEYS, SUMMARY_RANGE_KEYS


@pytest.fixture(scope="module")
def charente_maritime():
    communes = maillage.load_communes(departements="17")
    venues = maillage.load_venues("cget-tiers-lieux-2019", departements="17")
    return communes, venues


def test_range_brackets_the_headline(charente_maritime):
    communes, venues = charente_maritime
    model = maillage.default_model(communes)
    cov = maillage.coverage(communes, venues, model=model, threshold_min=20)
    share = float(maillage.indicators(cov)["share_within_threshold"].iloc[0])
    span = maillage.headline_range(communes, venues, model=model, threshold_min=20)
    assert span["share_within_threshold_low"] < share < span["share_within_threshold_high"]
    assert span["white_zone_population_low"] <= span["white_zone_population_high"]


def test_report_states_the_error_and_the_range(charente_maritime, tmp_path):
    communes, venues = charente_maritime
    out = write_report(
        tmp_path / "r", communes=communes, venues=venues, model=maillage.default_model(communes)
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[: len(SUMMARY_KEYS)] == list(SUMMARY_KEYS)
    assert set(SUMMARY_RANGE_KEYS) <= set(summary)
    low, high = summary["share_within_threshold_low"], summary["share_within_threshold_high"]
    assert low < summary["share_within_threshold"] < high
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Précision des temps de trajet" in page
    assert "trajets réels" in page and "entre" in page


def test_models_without_measured_error_give_no_range(charente_maritime):
    communes, venues = charente_maritime
    assert maillage.headline_range(communes, venues, model=maillage.CrowFlyModel()) is None
