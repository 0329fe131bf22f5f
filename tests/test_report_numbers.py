"""The rounding rules of the page, written once in maillage.report.numbers, and French dates."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maillage.report.numbers import (
    MONTHS,
    fr_date,
    fr_dates_in,
    fr_residents,
    fr_significant,
    residents_step,
    significant,
)


def _value(text: str) -> float:
    return float(text.replace("\u202f", "").replace(",", "."))


@pytest.mark.parametrize(
    ("count", "uncertain", "shown"),
    [
        (13_076, True, "13\u202f100"),
        (102_451, True, "102\u202f000"),
        (691_838, True, "692\u202f000"),
        (987, True, "990"),
        (5, True, "10"),
        (4, True, "0"),
        (13_076, False, "13\u202f076"),
        (float("nan"), True, "–"),
    ],
)
def test_residents_next_to_a_range_to_the_hundred_or_thousand(count, uncertain, shown):
    assert fr_residents(count, uncertain=uncertain) == shown


@given(st.integers(min_value=0, max_value=70_000_000))
def test_rounded_residents_are_a_multiple_of_their_step_and_close(count):
    step = residents_step(count, uncertain=True)
    assert step in (10, 100, 1000)
    shown = _value(fr_residents(count, uncertain=True))
    assert shown % step == 0 and abs(shown - count) <= step / 2
    assert step == (1000 if count >= 100_000 else 100 if count >= 1000 else 10)
    assert _value(fr_residents(count)) == count  # exact counts stay exact


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (691_838_515, "692\u202f000\u202f000"),  # km
        (149_160.4, "149\u202f000"),  # tonnes
        (4.567, "4,57"),
        (0.012345, "0,0123"),
        (999.7, "1\u202f000"),
        (-2_345.6, "-2\u202f350"),
        (0, "0"),
    ],
)
def test_kilometres_and_tonnes_to_three_significant_figures(value, shown):
    assert fr_significant(value) == shown


@given(st.floats(min_value=1e-6, max_value=1e12, allow_nan=False))
def test_three_significant_figures_are_within_half_a_unit_of_the_third(value):
    rounded = significant(value)
    unit = 10 ** (math.floor(math.log10(value)) - 2)
    assert abs(rounded - value) <= unit / 2 * (1 + 1e-9)
    digits = f"{rounded:.6e}".split("e")[0].replace(".", "").rstrip("0")
    assert len(digits) <= 3


def test_dates_in_words():
    assert fr_date("2020-01-02") == "2 janvier 2020"
    assert fr_date("2024-08-01") == "1er août 2024"
    assert fr_date(dt.date(2026, 12, 7)) == "7 décembre 2026"
    assert fr_date("2019-03") == "mars 2019"
    assert fr_date("COG 2025") == "COG 2025"  # not a date: unchanged
    assert fr_date("2020-13-01") == "2020-13-01"
    assert [fr_date(f"2021-{m:02d}-15").split()[1] for m in range(1, 13)] == list(MONTHS)
    assert fr_dates_in("liste au 2020-10-12 (2020-10-12)") == "liste au 12 octobre 2020"
    assert fr_dates_in("du 2020-01-02 au 2020-03-31") == "du 2 janvier 2020 au 31 mars 2020"
