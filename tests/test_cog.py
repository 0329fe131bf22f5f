"""The committed COG 2026 tables: found from the package, consistent with the Etalab source."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from maillage.load.cog import (
    cog_table_path,
    read_cog_table,
    read_departements,
    read_epci,
    read_former_codes,
    read_regions,
)
from maillage.sources import fetch

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def etalab() -> dict[str, list[dict]]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in fetch("etalab-decoupage-administratif-6.0.0")
    }


def test_tables_are_found_through_the_package():
    import maillage

    package_dir = Path(maillage.__file__).parent
    path = cog_table_path("communes")
    assert path.parent == package_dir / "data"
    assert path.resolve() == (ROOT / "data" / "cog2026_communes.csv.gz").resolve()
    for table in ("former_codes", "departements", "regions", "epci"):
        assert cog_table_path(table).is_file()


def test_communes_match_etalab(etalab):
    cog = read_cog_table()
    actual = {r["code"]: r for r in etalab["communes"] if r["type"] == "commune-actuelle"}
    assert set(cog.index) == set(actual)
    assert cog.index.is_unique
    assert cog["population"].dtype == "Int64"
    for code in ("33063", "75056", "2A004", "97411", "01001"):
        assert cog.loc[code, "nom"] == actual[code]["nom"]
        assert cog.loc[code, "population"] == actual[code]["population"]
        assert cog.loc[code, "departement"] == actual[code]["departement"]
    assert cog["zone"].value_counts().to_dict() == {"metro": 34746, "drom": 129, "com": 94}


def test_region_75_counts():
    cog = read_cog_table()
    na = cog[cog["region"] == "75"]
    assert len(na) == 4293
    assert int(na["population"].sum()) == 6150451


def test_epci_membership(etalab):
    cog = read_cog_table()
    bordeaux = next(e for e in etalab["epci"] if e["code"] == "243300316")
    members = {m["code"] for m in bordeaux["membres"]}
    assert set(cog.index[cog["epci"] == "243300316"]) == members
    assert len(members) == 28
    metro_without = cog[(cog["zone"] == "metro") & cog["epci"].isna()]
    assert sorted(metro_without.index) == ["22016", "29083", "29155", "85113"]
    assert set(cog["epci"].dropna()) <= set(read_epci().index)


def test_former_codes_point_to_current_communes():
    cog = read_cog_table()
    former = read_former_codes()
    assert former.index.is_unique
    assert former.isin(cog.index).all()
    assert not former.index.isin(cog.index).any()
    # merged commune: Bouzillé and the other communes déléguées of Orée d'Anjou
    assert former["49040"] == "49126"
    # arrondissements municipaux kept at the commune level
    assert former["13201"] == "13055"
    assert former["69381"] == "69123"
    assert former["75120"] == "75056"
    # commune associée -> its chef-lieu wins over a stale anciensCodes entry
    assert former["55273"] == "55386"


def test_every_etalab_code_is_known(etalab):
    cog = read_cog_table()
    former = read_former_codes()
    known = set(cog.index) | set(former.index)
    codes = {r["code"] for r in etalab["communes"]}
    codes |= {c for r in etalab["communes"] for c in r.get("anciensCodes", [])}
    assert codes <= known


def test_departements_and_regions():
    deps = read_departements()
    regs = read_regions()
    assert len(deps) == 109
    assert len(regs) == 26
    assert deps.loc["2A", "nom"] == "Corse-du-Sud"
    assert set(deps["region"]) <= set(regs.index)
    assert set(read_cog_table()["departement"]) <= set(deps.index)


def test_readers_return_copies():
    cog = read_cog_table()
    cog.loc["33063", "nom"] = "changed"
    assert read_cog_table().loc["33063", "nom"] == "Bordeaux"
    former = read_former_codes()
    former.iloc[0] = "x"
    assert read_former_codes().iloc[0] != "x"


def test_build_script_is_reproducible(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_cog_table
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    counts = build_cog_table.build(tmp_path)
    assert counts["cog2026_communes.csv.gz"] == 34969
    for name in counts:
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name
