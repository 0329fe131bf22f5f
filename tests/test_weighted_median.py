"""The communes' median time: one weighted median, all communes at once, as defined."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from maillage.analysis.coverage import grouped_weighted_median, weighted_median


def _reference(values: list[float], weights: list[float]) -> float:
    """The first value, in increasing order, where the running weight reaches half, exactly."""
    pairs = sorted(
        (v, Fraction(w))
        for v, w in zip(values, weights, strict=True)
        if not math.isnan(v) and w > 0
    )
    if not pairs:
        return float("nan")
    half = sum(w for _, w in pairs) / 2
    running = Fraction(0)
    for v, w in pairs:
        running += w
        if running >= half:
            return v
    raise AssertionError("unreachable")


@pytest.mark.parametrize("seed", range(5))
def test_grouped_median_equals_the_exact_definition_group_by_group(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    keys = rng.choice(list("abcdefghij"), n)
    values = np.where(
        rng.random(n) < 0.5, rng.choice([1.0, 2.0, np.inf, np.nan], n), rng.random(n) * 60
    )
    # weights that are exact in binary, so the exact reference and float sums agree on ties
    weights = rng.choice([0.0, 0.5, 1.0, 2.0, 4.0, 8.0], n)
    got = grouped_weighted_median(keys, values, weights)
    for key in np.unique(keys):
        mine = keys == key
        expected = _reference(values[mine].tolist(), weights[mine].tolist())
        if np.isnan(expected):
            assert key not in got.index
        else:
            assert got[key] == expected
            assert weighted_median(values[mine], weights[mine]) == expected


def test_a_commune_without_weight_has_no_median() -> None:
    assert np.isnan(weighted_median(np.array([3.0]), np.array([0.0])))
    assert grouped_weighted_median(np.array(["a"]), np.array([np.nan]), np.array([1.0])).empty
