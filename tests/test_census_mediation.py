"""The "lieux de médiation numérique" schema: its published example and a JSON list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from maillage.load.census_mediation import (
    KIND_MEDIATION,
    is_mediation_header,
    mediation_columns,
    mediation_fields,
    read_mediation_json,
)

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "mediation_exemple_valide.csv"  # LaMednum/standard-mediation-num, verbatim


def test_published_example_is_recognised_and_read_without_personal_columns():
    header = pd.read_csv(EXAMPLE, nrows=0).columns
    assert is_mediation_header(header)
    columns = mediation_columns(header)
    assert not {"telephone", "courriels"} & set(columns)
    table = pd.read_csv(EXAMPLE, usecols=list(columns), dtype=str).rename(columns=columns)
    raw = mediation_fields(table)
    row = raw.iloc[0]
    assert (row["venue_id"], row["name"], row["code_insee"]) == ("structure-1", "Anonymal", "51454")
    assert (row["latitude"], row["longitude"]) == ("43.52609", "5.41423")
    assert row["kind"] == "tiers-lieu"  # typologie "TIERS_LIEUX,ASSO"
    assert row["supported"] == "true"  # Aidants Connect, Conseillers numériques
    assert "laquincaillerie" not in raw.to_csv()


def test_json_list_of_the_national_api():
    raw = read_mediation_json(DATA / "mediation_lieux.json")
    assert raw["venue_id"].tolist() == ["med-1", "med-2", "med-3"]
    assert raw["kind"].tolist() == ["France services", "fablab", KIND_MEDIATION]
    assert raw["supported"].tolist()[0] == "true"
    assert raw["supported"].isna().tolist() == [False, True, True]  # Emmaüs Connect: unknown
    assert raw.loc[2, ["latitude", "longitude"]].isna().all()
    assert "exemple.invalid" not in raw.to_csv() and "+335" not in raw.to_csv()


def test_other_headers_are_not_the_schema(tmp_path):
    assert not is_mediation_header(["id", "nom", "latitude", "longitude"])
    path = tmp_path / "x.json"
    path.write_text('[{"id": "a", "name": "b"}]')
    assert read_mediation_json(path) is None
