"""Sites matched across dated vintages: by id, by name in the commune, by place."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from maillage.analysis.vintages import CHANGE_COLUMNS, match_vintages, name_key
from maillage.errors import InputDataError, OptionError


def _census(rows):
    ids, names, codes, xs = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"venue_id": ids, "name": names, "code_insee": codes},
        geometry=[Point(x, 0) for x in xs],
        crs=2154,
    )


def test_rules_in_order_id_then_name_then_place():
    first = _census(
        [
            ("1", "Espace France services de Guise", "02361", 0),
            ("2", "Ribemont", "02648", 10_000),
            ("3", "Vailly", "02758", 20_000),
            ("4", "Fermée", "02001", 30_000),
        ]
    )
    second = _census(
        [
            ("9", "Maison France Services GUISE", "02361", 5_000),
            ("2", "Ribemont (nouvelle adresse)", "02648", 40_000),
            ("10", "Autre nom", "02758", 20_100),
            ("11", "Nouvelle", "02002", 50_000),
        ]
    )
    summary, changes = match_vintages({"2020-01": first, "2020-02": second})
    row = summary.loc["2020-02"]
    assert (row["by_id"], row["by_name"], row["by_place"]) == (1, 1, 1)
    assert (row["opened"], row["closed"], row["kept"]) == (1, 1, 3)
    assert list(changes.columns) == list(CHANGE_COLUMNS)
    assert changes.set_index("change")["name"].to_dict() == {
        "ouverture": "Nouvelle",
        "fermeture": "Fermée",
    }


def test_made_up_ids_are_not_matched_by_id():
    first = _census([("1", "A", "00001", 0)])
    second = _census([("1", "B", "00009", 90_000)])
    summary, _ = match_vintages({1: first, 2: second}, stable_ids={1: False, 2: True})
    assert summary.loc[2, "kept"] == 0
    summary, _ = match_vintages({1: first, 2: second})
    assert summary.loc[2, "by_id"] == 1


def test_sites_are_numbered_across_every_vintage():
    a = _census([("1", "A", "00001", 0)])
    b = _census([("1", "A", "00001", 0), ("2", "B", "00002", 9_000)])
    c = _census([("2", "B", "00002", 9_000), ("3", "C", "00003", 19_000)])
    _, changes = match_vintages({"c": c, "a": a, "b": b})  # keys are sorted
    assert changes[["vintage", "change", "site"]].values.tolist() == [
        ["b", "ouverture", 1],
        ["c", "ouverture", 2],
        ["c", "fermeture", 0],
    ]


def test_name_key():
    assert name_key("France Services d'Ébreuil") == name_key("EBREUIL")
    assert name_key(None) == ""


def test_bad_arguments():
    with pytest.raises(InputDataError, match="empty"):
        match_vintages({})
    with pytest.raises(OptionError, match="distance_m"):
        match_vintages({1: _census([("1", "A", "1", 0)])}, distance_m=-1)
    with pytest.raises(InputDataError, match="lacks"):
        match_vintages({1: gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(0, 0)], crs=2154)})
