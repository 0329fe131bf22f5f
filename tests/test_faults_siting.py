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

from maillage import CrowFlyModel, OptionError
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


def test_time_limit_and_progress_reach_highs(monkeypatch, capfd):
    seen: dict[str, object] = {}
    solve = _milp.milp

    def spy(*args, **kwargs):
        seen.update(kwargs.get("options") or {})
        return solve(*args, **kwargs)

    monkeypatch.setattr(_milp, "milp", spy)
    origins, candidates, minutes, pop = _case(2, 50, 20)
    sites = suggest_sites(
        origins, candidates, k=3, model=MODEL, threshold_min=THRESHOLD_MIN, method="exact",
        time_limit_s=60, progress=True,
    )  # fmt: skip
    assert seen["time_limit"] == 60.0 and seen["disp"] is True and seen["mip_rel_gap"] == 0
    assert "HiGHS" in capfd.readouterr().out  # the solver's log, as asked
    solved = sites.attrs["exact"]
    assert solved["optimal"] is True and solved["mip_gap"] == 0.0 and solved["kept"] == "exact"
    assert solved["time_limit_s"] == 60.0
    assert float(sites["gain_population"].sum()) == pytest.approx(
        _spopt_objective(minutes, pop, 3), abs=1e-6
    )


@pytest.mark.parametrize(("seed", "n_origins", "n_candidates", "k"), [(11, 400, 120, 8)])
def test_stopped_solve_keeps_the_best_choice_and_its_gap(seed, n_origins, n_candidates, k, caplog):
    origins, candidates, _, _ = _case(seed, n_origins, n_candidates)
    kwargs = {"k": k, "model": MODEL, "threshold_min": THRESHOLD_MIN}
    greedy = float(suggest_sites(origins, candidates, **kwargs)["gain_population"].sum())
    optimum = float(
        suggest_sites(origins, candidates, method="exact", **kwargs)["gain_population"].sum()
    )
    with caplog.at_level("WARNING", logger="maillage.analysis._milp"):
        sites = suggest_sites(origins, candidates, method="exact", time_limit_s=1e-6, **kwargs)
    solved = sites.attrs["exact"]
    got = float(sites["gain_population"].sum())
    assert solved["optimal"] is False and solved["kept"] in {"exact", "greedy"}
    assert got >= greedy - 1e-6  # never worse than the greedy choice
    assert len(sites) <= k and sites["rank"].tolist() == list(range(1, len(sites) + 1))
    # the gap reported bounds the real one, and is at most the greedy guarantee
    assert optimum <= got * (1 + solved["mip_gap"]) + 1e-6
    assert solved["mip_gap"] <= 1 / (1 - np.exp(-1)) - 1 + 1e-9
    assert "limite de 1e-06 s" in caplog.text and "apporterait au plus" in caplog.text


def test_time_limit_is_checked():
    origins, candidates, _, _ = _case(0, 20, 8)
    kwargs = {"k": 2, "model": MODEL, "threshold_min": THRESHOLD_MIN}
    with pytest.raises(OptionError, match="method='exact'"):
        suggest_sites(origins, candidates, time_limit_s=10, **kwargs)
    for bad in (0, -5.0, float("nan")):
        with pytest.raises(OptionError, match="secondes > 0"):
            suggest_sites(origins, candidates, method="exact", time_limit_s=bad, **kwargs)
    sites = suggest_sites(origins, candidates, **kwargs)
    assert "exact" not in sites.attrs and sites.attrs["method"] == "greedy"
