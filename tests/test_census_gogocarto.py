"""GoGoCarto exports: the real 2018 sample and fake exports in every shape."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from maillage.errors import InputDataError, MaillageWarning
from maillage.load import census_json
from maillage.load.census_gogocarto import (
    CREATED_AT_FLAG,
    GOGOCARTO_COLUMNS,
    gogocarto_csv_mapping,
    gogocarto_layout,
    gogocarto_rows,
    read_gogocarto_json,
    read_taxonomy,
)
from maillage.options import options

GOGO = Path(__file__).parent / "data" / "gogocarto"
PERSONAL = ("05 00 00 00 01", "06 00 00 00 02", "contact@exemple.invalid", "private")


@pytest.fixture(scope="module")
def sample():
    folder = options.data_dir / "venues" / "gogocarto-sample-2018"
    return read_gogocarto_json(folder / "elements.json")


def _no_personal(raw: pd.DataFrame) -> None:
    assert not {"email", "telephone"} & set(raw.columns)
    text = raw.to_csv()
    assert not [value for value in PERSONAL if value in text]


def test_real_sample_gogofull_with_option_ids_resolved_through_the_taxonomy(sample):
    assert len(sample) == 12
    assert list(sample.columns) == [*GOGOCARTO_COLUMNS, "geom_type", "file"]
    assert sample["venue_id"].is_unique
    # every place has option ids; the first one the (truncated) taxonomy knows is the kind
    assert sample["kind"].notna().all()
    assert sample.loc[1, "kind"] == "Sortie & Culture"  # optionValues [10496, 10498, 10495, ...]
    assert sample["latitude"].astype(float).between(45, 47).all()
    assert sample["opened"].isna().all()  # 2018 exports carry no createdAt


def test_real_sample_never_reads_phones_nor_emails(sample):
    folder = options.data_dir / "venues" / "gogocarto-sample-2018"
    doc = census_json.load_json(folder / "elements.json")
    assert all("telephone" not in e and "email" not in e for e in doc["data"])
    assert "967556221" not in sample.to_csv()  # the first place's phone number


def test_json_parser_drops_personal_keys_while_parsing(monkeypatch):
    seen: list[dict] = []
    hook = census_json.without_personal

    def spy(obj):
        out = hook(obj)
        seen.append(out)
        return out

    monkeypatch.setattr(census_json, "without_personal", spy)
    read_gogocarto_json(GOGO / "full.json")
    assert seen
    assert not any(k in obj for obj in seen for k in ("telephone", "email"))


def test_gogofull_current_export(recwarn):
    raw = read_gogocarto_json(GOGO / "full.json")
    _no_personal(raw)
    assert raw["venue_id"].tolist() == ["tl-1", "tl-2", "tl-3", "tl-4", "tl-5"]
    # a typologie field beats the categories; else the first category
    assert raw["kind"].tolist() == [
        "Coworking",
        "Fablab",
        "Coworking",
        "Coworking",
        "Tiers-lieu nourricier",
    ]
    # a real opening date beats createdAt, which is flagged when used
    assert raw.loc[0, "opened"] == "2017" and pd.isna(raw.loc[0, "opened_flag"])
    assert (
        raw.loc[1, "opened"].startswith("2020-02-03")
        and raw.loc[1, "opened_flag"] == CREATED_AT_FLAG
    )
    assert raw.loc[2, "reject_reason"] == "GoGoCarto status -4 (deleted)"
    assert raw.loc[3, ["latitude", "longitude"]].isna().all()
    assert raw.loc[4, "code_insee"] == "79191"
    assert not [w for w in recwarn if issubclass(w.category, MaillageWarning)]


def test_gogocompact_with_taxonomy():
    raw = read_gogocarto_json(GOGO / "compact.json")
    _no_personal(raw)
    assert raw["kind"].tolist() == ["Coworking", "Fablab", "Coworking", "Tiers-lieu nourricier"]
    assert raw["opened_flag"].eq(CREATED_AT_FLAG).all()
    assert raw.loc[2, "reject_reason"].startswith("GoGoCarto status -2")
    assert raw["reject_reason"].notna().sum() == 1  # status 0 (pending) is kept


def test_gogocompact_without_taxonomy_warns_that_kinds_are_unknown(tmp_path):
    path = tmp_path / "elements.json"
    path.write_bytes((GOGO / "compact.json").read_bytes())
    with pytest.warns(MaillageWarning, match="taxonomy.json"):
        raw = read_gogocarto_json(path)
    assert raw["kind"].isna().all()


def test_taxonomy_nested_options():
    names = read_taxonomy(GOGO / "taxonomy.json")
    assert names == {
        "101": "Coworking",
        "102": "Fablab",
        "201": "Découpe laser",
        "202": "Impression 3D",
        "103": "Tiers-lieu nourricier",
    }


def test_geojson_export():
    raw = read_gogocarto_json(GOGO / "elements.geojson")
    _no_personal(raw)
    assert raw["venue_id"].tolist() == ["g-1", "g-2", "g-3", "g-4"]
    assert raw.loc[0, ["latitude", "longitude"]].tolist() == ["45.6484", "0.1562"]
    assert raw.loc[2, ["latitude", "longitude", "geom_type"]].isna().all()
    assert raw.loc[3, "geom_type"] == "LineString"


def test_csv_export_mapping_never_selects_personal_columns():
    header = pd.read_csv(GOGO / "export.csv", nrows=0).columns
    mapping = gogocarto_csv_mapping(header)
    assert mapping is not None
    assert not {"email", "telephone"} & set(mapping)
    table = pd.read_csv(GOGO / "export.csv", usecols=list(mapping), dtype=str).rename(
        columns=mapping
    )
    raw = gogocarto_rows(table.to_dict("records"))
    _no_personal(raw)
    assert raw["kind"].tolist() == ["Coworking", "Fablab", "Coworking", "Tiers-lieu nourricier"]
    assert raw["reject_reason"].notna().tolist() == [False, False, True, False]


def test_csv_header_of_another_census_is_not_gogocarto():
    assert (
        gogocarto_csv_mapping(["nom", "typologie", "cp", "Commune", "latitude", "longitude"])
        is None
    )
    assert gogocarto_csv_mapping(["ID", "NOM_TL", "LAT", "LONG"]) is None


def test_layout_detection():
    assert gogocarto_layout(json.loads((GOGO / "full.json").read_text())) == "gogofull"
    assert gogocarto_layout([1, 2]) is None
    plain = {"type": "FeatureCollection", "features": [{"properties": {"nom": "x"}}]}
    assert gogocarto_layout(plain) is None


def test_not_a_gogocarto_export(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"rows": []}))
    with pytest.raises(InputDataError, match="not a GoGoCarto export"):
        read_gogocarto_json(path)
