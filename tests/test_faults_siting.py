"""Fault corpus (issue 9): ``suggest_sites(method="exact")`` is exact.

The integer programme is solved with no optimality gap (``mip_rel_gap=0``), and its
objective equals that of spopt's maximal covering model (Church & ReVelle 1974, solved by
CBC) on small random cases. spopt is a test-only dependency (``pip install -e .[dev]``).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from maillage import CrowFlyModel
from maillage.analysis import _milp
from maillage.analysis.siting import suggest_sites

MODEL = CrowFlyModel(circuity=1, speed_kph=60, access_time_s=0)  # 1 km = 1 minute
THRESHOLD_MIN = 10.0
CASES = [  # (seed, origins, candidates, k)
    (0, 40, 12, 2),
    (1, 40, 15, 3),
    (2, 50, 20, 3),
    (3, 50, 20, 4),
    (4, 60, 25, 2),
    (5, 60, 25, 5),
    (6, 30, 10, 3),
    (7, 45, 18, 4),
    (8, 55, 22, 3),
    (9, 35, 14, 2),
    (10, 60, 30, 4),
]


def _case(seed: int, n_origins: int, n_candidates: int):
    """Origins all beyond the threshold, candidates anywhere in a 40 km square."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 40_000, size=(n_origins, 2))
    pop = rng.integers(10, 1000, size=n_origins).astype(float)
    origins = gpd.GeoDataFrame(
        {"code_insee": [f"{i:05d}" for i in range(n_origins)], "population": pop,
         "time_min": np.full(n_origins, 99.0)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        index=pd.Index([f"o{i}" for i in range(n_origins)], name="origin_id"),
        crs=2154,
    )  # fmt: skip
    cxy = rng.uniform(0, 40_000, size=(n_candidates, 2))
    candidates = gpd.GeoSeries(
        gpd.points_from_xy(cxy[:, 0], cxy[:, 1]),
        index=[f"c{j}" for j in range(n_candidates)],
        crs=2154,
    )
    minutes = np.hypot(xy[:, None, 0] - cxy[None, :, 0], xy[:, None, 1] - cxy[None, :, 1]) / 1000
    return origins, candidates, minutes, pop


def _spopt_objective(minutes: np.ndarray, pop: np.ndarray, k: int) -> float:
    pulp = pytest.importorskip("pulp")
    locate = pytest.importorskip("spopt.locate")
    with warnings.catch_warnings():  # PuLP 3 announces its 4.0 API on every variable
        warnings.simplefilter("ignore", DeprecationWarning)
        model = locate.MCLP.from_cost_matrix(minutes, pop, THRESHOLD_MIN, k)
        model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = [j for j, var in enumerate(model.fac_vars) if var.value() > 0.5]
    covered = (minutes[:, chosen] <= THRESHOLD_MIN).any(axis=1)
    return float(pop[covered].sum())


@pytest.mark.parametrize(("seed", "n_origins", "n_candidates", "k"), CASES)
def test_exact_equals_spopt_mclp(seed, n_origins, n_candidates, k):
    pytest.importorskip("spopt")
    origins, candidates, minutes, pop = _case(seed, n_origins, n_candidates)
    sites = suggest_sites(
        origins, candidates, k=k, model=MODEL, threshold_min=THRESHOLD_MIN, method="exact"
    )
    exact = float(sites["gain_population"].sum())
    assert exact == pytest.approx(_spopt_objective(minutes, pop, k), abs=1e-6)
    greedy = suggest_sites(
        origins, candidates, k=k, model=MODEL, threshold_min=THRESHOLD_MIN, method="greedy"
    )
    assert float(greedy["gain_population"].sum()) <= exact + 1e-6


def test_exact_asks_for_no_optimality_gap(monkeypatch):
    seen: dict[str, object] = {}
    solve = _milp.milp  # the one call of the solver, for both siting objectives

    def spy(*args, **kwargs):
        seen.update(kwargs.get("options") or {})
        return solve(*args, **kwargs)

    monkeypatch.setattr(_milp, "milp", spy)
    origins, candidates, _, _ = _case(0, 20, 8)
    suggest_sites(
        origins, candidates, k=2, model=MODEL, threshold_min=THRESHOLD_MIN, method="exact"
    )
    assert seen.get("mip_rel_gap") == 0
