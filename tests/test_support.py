"""Tests of maillage.prepare.support: matching labelled venues to a census and marking support."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

import maillage
from maillage.errors import ColumnError, InputDataError, OptionError
from maillage.prepare.support import (
    mark_supported,
    match_supported,
    name_similarity,
    split_labelled,
)

# Real commune codes (their names are left out of venue names): Mont-de-Marsan 40192,
# Saint-Pierre-du-Mont 40283 (next to it), Pau 64445, Bordeaux 33063.
MDM, SPDM, PAU, BDX = "40192", "40283", "64445", "33063"


def _frame(
    rows: list[tuple[str, str, str, float, float]], *, supported: object
) -> gpd.GeoDataFrame:
    ids, names, codes, xs, ys = zip(*rows, strict=True)
    quality = "commune_centroid" if supported is True else "address"
    frame = gpd.GeoDataFrame(
        {
            "venue_id": pd.array(ids, dtype="string"),
            "name": pd.array(names, dtype="string"),
            "kind": "coworking" if supported is not True else "fabrique de territoire",
            "code_insee": pd.array(codes, dtype="string"),
            "opened": pd.array([pd.NA] * len(ids), dtype="Int64"),
            "closed": pd.array([pd.NA] * len(ids), dtype="Int64"),
            "supported": pd.array([supported] * len(ids), dtype="boolean"),
            "location_quality": quality,
        },
        geometry=[Point(x, y) for x, y in zip(xs, ys, strict=True)],
        crs="EPSG:2154",
    )
    frame.attrs["data_credits"] = ["census" if supported is not True else "labels", "cog"]
    return frame


@pytest.fixture
def census() -> gpd.GeoDataFrame:
    return _frame(
        [
            ("c1", "L'établi", MDM, 0, 0),
            ("c2", "La Fontaine", MDM, 800, 300),
            ("c3", "Fablab Pau", PAU, 200_000, 0),
            ("c4", "La Smalah - Sauce Ouest", SPDM, 3_000, 0),
            ("c5", "Le Node", BDX, 100_000, 100_000),
        ],
        supported=pd.NA,
    )


@pytest.fixture
def labelled() -> gpd.GeoDataFrame:
    return _frame(
        [
            ("f-1", "L'ÉTABLI", MDM, 500, 0),  # accents and case
            ("f-2", "Tiers-lieu de la Fontaine", MDM, 500, 0),  # stop words
            ("f-3", "Tiers-lieu de Pau", PAU, 200_500, 0),  # only the commune's name
            ("f-4", "La Smalah", MDM, 500, 0),  # next commune, 2.5 km away
            ("f-5", "Le Node", PAU, 200_500, 0),  # same name, another commune far away
            ("f-6; f-7", "La Ruche; Nouveau Monde", BDX, 100_500, 100_000),  # merged row
        ],
        supported=True,
    )


def test_name_similarity_rule() -> None:
    assert name_similarity("L'Établi", "L'ETABLI") == 1.0
    assert name_similarity("Tiers-lieu de la Fontaine", "La Fontaine") == 1.0
    assert name_similarity("Association La Bêta-Pi", "le Bêta Lab") == 1.0
    assert name_similarity("Fablab Pau", "Tiers-lieu de Pau", ignore=["pau"]) == 0.0
    assert name_similarity("Le Tiers-Lieu", "Tiers lieux") == 0.0  # nothing distinctive
    assert name_similarity(pd.NA, "La Ruche") == 0.0
    assert name_similarity("Coeur de Bastide", "La Bastide Numérique") < 0.75


def test_split_labelled_keeps_one_venue_labelled_twice() -> None:
    lab = _frame(
        [("m-1; m-2; m-3", "Le Battement d'ailes; Battement d'ailes & Co.; La ManuCo", BDX, 0, 0)],
        supported=True,
    )
    split = split_labelled(lab, min_name_similarity=0.75)
    assert split["venue_id"].tolist() == ["m-1; m-2", "m-3"]
    assert split["name"].tolist() == ["Le Battement d'ailes", "La ManuCo"]
    assert (split["code_insee"] == BDX).all()


def test_match_supported_hand_made(census: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame) -> None:
    table = match_supported(census, labelled)
    pairs = table.dropna(subset=["venue_id"])
    assert dict(zip(pairs["labelled_id"], pairs["venue_id"], strict=True)) == {
        "f-1": "c1",
        "f-2": "c2",
        "f-4": "c4",
    }
    assert pairs.set_index("labelled_id")["match_method"].to_dict() == {
        "f-1": "name+commune",
        "f-2": "name+commune",
        "f-4": "name+distance",
    }
    unmatched = table.loc[table["venue_id"].isna(), "labelled_id"].tolist()
    assert unmatched == ["f-3", "f-5", "f-6", "f-7"]
    # a different commune beyond max_distance_km never matches, whatever the name
    assert match_supported(census, labelled, max_distance_km=1.0)["venue_id"].notna().sum() == 2


def test_mark_supported_hand_made(census: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame) -> None:
    before = census.copy(), labelled.copy()
    out = mark_supported(census, labelled, add_unmatched=True)
    pd.testing.assert_frame_equal(census, before[0])  # inputs untouched
    pd.testing.assert_frame_equal(labelled, before[1])
    counts = out.attrs["support_matching"]
    assert counts == {
        "labelled_rows": 6,
        "labelled": 7,
        "matched": 3,
        "unmatched": 4,
        "appended": 4,
        "census_marked": 3,
    }
    assert len(out) == len(census) + counts["appended"]
    assert out["venue_id"].tolist() == ["c1", "c2", "c3", "c4", "c5", "f-3", "f-5", "f-6", "f-7"]
    assert out["supported"].tolist() == [True, True, pd.NA, True, pd.NA, True, True, True, True]
    assert out.loc[0, "support_source"] == "labels:f-1"
    assert out["match_method"].iloc[5:].eq("appended").all()
    assert out["location_quality"].iloc[5:].eq("commune_centroid").all()
    assert out.attrs["data_credits"] == ["census", "cog", "labels"]
    assert out.crs == census.crs
    assert out.dtypes["supported"] == "boolean" and out.dtypes["opened"] == "Int64"


def test_mark_supported_options(census: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame) -> None:
    out = mark_supported(census, labelled, unmatched_supported=False)  # default: nothing added
    assert len(out) == len(census)
    assert out["supported"].tolist() == [True, True, False, True, False]
    assert out.attrs["support_matching"]["appended"] == 0
    # marking twice with two lists keeps both sources
    again = mark_supported(out, labelled.iloc[[0]], source="other", add_unmatched=False)
    assert again.loc[0, "support_source"] == "labels:f-1; other:f-1"
    assert again.loc[0, "match_method"] == "name+commune; name+commune"


def test_location_only_is_opt_in(census: gpd.GeoDataFrame) -> None:
    lab = _frame([("f-9", "Espace numérique", PAU, 200_500, 0)], supported=True)
    assert match_supported(census, lab)["venue_id"].isna().all()
    table = match_supported(census, lab, location_only=True)
    assert table[["venue_id", "match_method"]].to_numpy().tolist() == [["c3", "commune_only"]]


def test_bad_input(census: gpd.GeoDataFrame, labelled: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputDataError, match="labelled is in EPSG:4326"):
        mark_supported(census, labelled.to_crs(4326))
    with pytest.raises(ColumnError, match="labelled is missing column"):
        mark_supported(census, labelled.drop(columns="name"))
    with pytest.raises(OptionError, match=r"min_name_similarity must be a number in \(0, 1\]"):
        mark_supported(census, labelled, min_name_similarity=2)
    with pytest.raises(OptionError, match="max_distance_km"):
        mark_supported(census, labelled, max_distance_km=-1)
    doubled = pd.concat([census, census.iloc[[0]]])
    with pytest.raises(InputDataError, match="duplicate venue_id"):
        mark_supported(doubled, labelled)
    clash = census.assign(venue_id=census["venue_id"].replace({"c5": "f-5"}))
    with pytest.raises(InputDataError, match=r"\['f-5'\] already name census venues"):
        mark_supported(clash, labelled, add_unmatched=True)


@pytest.fixture(scope="module")
def nouvelle_aquitaine() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    census, _ = maillage.load_venues("cget-tiers-lieux-2019", region="75", errors="report")
    labelled, _ = maillage.load_venues("fabriques-territoire-2024", region="75", errors="report")
    return census, labelled


# Checked by hand: each labelled venue below is the census venue (same name, same commune).
KNOWN_NA = {
    "fabt-68": "166",  # Le 400 (Brive)
    "fabt-192": "280",  # La Quincaillerie (Guéret)
    "fabt-345": "161",  # L'Alzire (Jarnages)
    "fabt-289": "456",  # Cocotte Minute (Médoc)
    "fabt-145": "238",  # La Smalah
    "fabt-292": "1184",  # L'Établi
    "fabt-353": "752",  # Pôle numérique (Gourdon, Lot: in the border band)
    "fabt-201": "222",  # La Fontaine
    "fabt-114": "1427",  # La Bêta-Pi runs le Bêta Lab (Niort)
    "fabt-168": "255",  # Le Temps de Vivre
}


def test_nouvelle_aquitaine_matches(nouvelle_aquitaine) -> None:
    census, labelled = nouvelle_aquitaine
    assert int(labelled["in_area"].sum()) == 46  # 37 Fabriques + 9 Manufactures
    table = match_supported(census, labelled)
    pairs = table.dropna(subset=["venue_id"])
    print(pairs[["labelled_id", "labelled_name", "venue_id", "name", "name_similarity"]])
    assert dict(zip(pairs["labelled_id"], pairs["venue_id"], strict=True)) == KNOWN_NA
    assert (pairs["match_method"] == "name+commune").all()
    # the gap between true and false candidates: next best score is well below the threshold
    assert pairs["name_similarity"].min() == 1.0


def test_nouvelle_aquitaine_marked(nouvelle_aquitaine) -> None:
    census, labelled = nouvelle_aquitaine
    out = mark_supported(census, labelled, add_unmatched=True)
    counts = out.attrs["support_matching"]
    print(counts)
    # 52 rows in and around the region hold 55 venues (merged rows split)
    assert counts == {
        "labelled_rows": 52,
        "labelled": 55,
        "matched": 10,
        "unmatched": 45,
        "appended": 45,
        "census_marked": 10,
    }
    assert len(out) == len(census) + 45
    in_area = out[out["in_area"].fillna(False).to_numpy(dtype=bool)]
    assert in_area["match_method"].value_counts().to_dict() == {"appended": 40, "name+commune": 9}
    assert int(in_area["supported"].fillna(False).sum()) == 49
    assert out["venue_id"].is_unique
    assert "fabriques-territoire-2024" in out.attrs["data_credits"]


def test_nouvelle_aquitaine_attribution(nouvelle_aquitaine) -> None:
    census, labelled = nouvelle_aquitaine
    communes = maillage.load_communes(region="75")
    model = maillage.CrowFlyModel()
    marked = mark_supported(census, labelled, add_unmatched=True)
    att = maillage.attribution(communes, marked, model=model, threshold_min=20)
    share = att.attrs["supported_contribution"]
    print(share)
    base = maillage.attribution(communes, census, model=model, threshold_min=20)
    base_all = base.attrs["supported_contribution"]["population_covered_all"]
    assert share["supported_venues"] == 55
    # appending venues never lowers the coverage; marking alone changes nothing to it
    assert share["population_covered_all"] > base_all
    assert share["population_covered_without_supported"] < base_all
    thanks = share["population_thanks_to_supported"]
    assert thanks == pytest.approx(
        share["population_covered_all"] - share["population_covered_without_supported"]
    )
    assert 0.02 < thanks / 6_150_451 < 0.15
    only = att.loc[att["supported"].fillna(False).to_numpy(dtype=bool), "population_only_this"]
    assert only.sum() <= thanks + 1e-6
