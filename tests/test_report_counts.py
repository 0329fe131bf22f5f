"""Report tables: whole residents that add up, and the nearest venue named next to its id."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_report_page import MODEL, _territory

from maillage.report import build_report
from maillage.report.columns import read_table
from maillage.report.counts import largest_remainder
from maillage.report.files import render_file


@pytest.fixture(scope="module")
def report():
    communes, venues = _territory()
    # fractional residents: the grid-free lattice spreads each commune over several points
    return build_report(
        communes, venues, model=MODEL, threshold_min=15, years=[2018, 2021], k_sites=3
    )


def _table(report, name: str, **kwargs) -> pd.DataFrame:
    return read_table(render_file(report, name))


@pytest.mark.parametrize(
    "values",
    [[0.4, 0.4, 0.4, 1.8], [2.5, 2.5], [1 / 3] * 9, [0.0, 7.0], [10.49, 10.49, 0.02], []],
)
def test_largest_remainder_adds_up(values):
    whole = largest_remainder(values)
    assert whole.sum() == round(sum(values))
    assert (np.abs(whole - np.asarray(values, dtype=float)) < 1).all()


def test_communes_csv_names_the_nearest_venue_and_counts_whole_residents(report):
    table = _table(report, "communes.csv", dtype={"code_insee": str})
    columns = list(table.columns)
    assert columns[columns.index("nearest_venue") + 1] == "nearest_venue_name"
    names = {"v1": "Le Lieu", "v2": "La Fabrique"}
    assert (table["nearest_venue"].map(names) == table["nearest_venue_name"]).all()
    within = table["population_within_threshold"]
    assert within.dtype == np.int64
    assert within.sum() == report.summary["population_within_threshold"]
    fractional = report.communes.attrs  # the analysis counted fractions; the table does not
    assert fractional["origins"] == "lattice"
    assert (within <= table["population"]).all()


def test_indicators_add_up_to_the_communes_and_the_area(report):
    communes = _table(report, "communes.csv", dtype={"code_insee": str, "departement": str})
    indicators = _table(report, "indicators.csv", dtype={"code": str})
    for level, key in (("departement", "departement"), ("epci", "epci")):
        rows = indicators[indicators["level"] == level].set_index("code")
        sums = communes.groupby(communes[key].astype(str))["population_within_threshold"].sum()
        assert rows["population_within_threshold"].dtype == np.int64
        pd.testing.assert_series_equal(
            rows["population_within_threshold"].sort_index(),
            sums.sort_index(),
            check_names=False,
        )
        assert (
            rows["population_within_threshold"].sum()
            == (report.summary["population_within_threshold"])
        )
        assert rows["white_zone_population"].sum() == report.summary["white_zone_population"]


def test_sites_and_years_count_whole_residents(report):
    sites = _table(report, "sites.csv")
    assert sites["gain_population"].dtype == np.int64
    assert (sites["cumulative_population"] == sites["gain_population"].cumsum()).all()
    years = _table(report, "years.csv")
    for name in ("population", "population_within_threshold", "white_zone_population"):
        assert years[name].dtype == np.int64, name
    assert years["year"].tolist() == [2018, 2021]
