"""Fault corpus, user input: every bad input ends in one line naming a flag, and exit code 2."""

from __future__ import annotations

import json

import pytest

import maillage
from maillage.cli import main
from maillage.errors import InputDataError, MaillageError
from maillage.load.grid import read_grid_tile
from maillage.load.reading import reading
from maillage.prepare.toy import toy_territory
from maillage.sources import fetch

GARBAGE = bytes(range(256)) * 16


def _write(path, content: bytes | str):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _cli(capsys, tmp_path, *args: str) -> tuple[int, str]:
    code = main(["-q", "report", "--departement", "16", "--out", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert not (tmp_path / "out").exists()
    return code, lines[0]


VENUE_FILES = {
    "empty csv": ("lieux.csv", b"", "est vide"),
    "header only": ("lieux.csv", "nom,latitude,longitude\n", "n'a aucune ligne"),
    "unterminated quote": (
        "lieux.csv",
        'nom;latitude;longitude\n"La Grange;45;0\n',
        "cannot be read",
    ),
    "binary garbage": ("lieux.csv", GARBAGE, "UTF-8"),
    "garbage xlsx": ("lieux.xlsx", GARBAGE, "cannot be read"),
    "empty xlsx": ("lieux.xlsx", b"", "cannot be read"),
    "truncated geojson": ("lieux.geojson", '{"type": "FeatureCollection", "features": [', "JSON"),
    "empty geojson": ("lieux.geojson", b"", "JSON"),
    "garbage geopackage": ("lieux.gpkg", GARBAGE, "ne se lit pas"),
    "unknown type": ("lieux.odt", b"x", "type de fichier inconnu"),
}


@pytest.mark.parametrize("case", list(VENUE_FILES))
def test_bad_venue_file(case, tmp_path, capsys):
    name, content, expected = VENUE_FILES[case]
    path = _write(tmp_path / name, content)
    code, line = _cli(capsys, tmp_path, "--venues", str(path))
    assert code == 2
    assert expected in line and "--venues" in line and "source" not in line.split()[3:5]


def test_folder_given_as_venue_file(tmp_path, capsys):
    (tmp_path / "lieux.csv").mkdir()
    code, line = _cli(capsys, tmp_path, "--venues", str(tmp_path / "lieux.csv"))
    assert code == 2 and "--venues" in line


def test_empty_supported_list_names_its_flag(tmp_path, capsys):
    path = _write(tmp_path / "labels.csv", b"")
    code, line = _cli(
        capsys, tmp_path, "--venues", "fabriques-territoire-2024", "--supported", str(path)
    )
    assert code == 2 and "--supported" in line and "est vide" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "is empty"), (b'x,y,imputed,ind\n1,2,0,"3\n', "cannot be read"), (b"a,b\n1,2\n", "x")],
)
def test_bad_grid_tile(content, expected, tmp_path, capsys):
    path = _write(tmp_path / "grille_tile_4_11.csv", content)
    code, line = _cli(
        capsys, tmp_path, "--venues", "fabriques-territoire-2024", "--grid", str(path)
    )
    assert code == 2 and "--grid" in line and expected in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "not an OpenStreetMap PBF"),
        (GARBAGE, "not an OpenStreetMap PBF"),
        ("half", "truncated"),
    ],
)
def test_bad_network_file(content, expected, tmp_path, capsys):
    if content == "half":
        source = fetch("osm-saint-barthelemy-2015")[0].read_bytes()
        content = source[: len(source) // 2]
    path = _write(tmp_path / "reseau.osm.pbf", content)
    code, line = _cli(
        capsys, tmp_path, "--venues", "fabriques-territoire-2024", "--network", str(path)
    )
    assert code == 2 and "--network" in line and expected in line


def _previous(tmp_path, summary: str | None, communes: str | None):
    folder = tmp_path / "avant"
    folder.mkdir()
    if summary is not None:
        _write(folder / "summary.json", summary)
    if communes is not None:
        _write(folder / "communes.csv", communes)
    return folder


SUMMARY = {
    "area": "x",
    "threshold_min": 20,
    "venues": 3,
    "share_within_threshold": 0.5,
    "population_within_threshold": 10,
    "white_zone_communes": 1,
    "white_zone_population": 5,
    "median_time_min": 12.0,
    "travel_time_model": {"model": "CrowFlyModel"},
}
COMMUNES = "code_insee,nom,population,time_min,covered\n16015,Angoulême,41000,3.5,True\n"
PREVIOUS = {
    "garbage summary": (GARBAGE.decode("latin-1"), COMMUNES, "summary.json"),
    "summary not an object": ("[1, 2]", COMMUNES, "summary.json"),
    "non-numeric figure": (json.dumps({**SUMMARY, "venues": "many"}), COMMUNES, "venues"),
    "empty communes": (json.dumps(SUMMARY), "", "communes.csv"),
    "non-numeric time": (json.dumps(SUMMARY), COMMUNES.replace("3.5", "vite"), "time_min"),
    "no communes": (json.dumps(SUMMARY), None, "no communes.csv"),
}


@pytest.mark.parametrize("case", list(PREVIOUS))
def test_bad_previous_report_is_refused_before_computing(case, tmp_path, capsys, monkeypatch):
    summary, communes, expected = PREVIOUS[case]
    folder = _previous(tmp_path, summary, communes)
    monkeypatch.setattr(maillage, "load_communes", _not_reached)
    code, line = _cli(
        capsys, tmp_path, "--venues", "fabriques-territoire-2024", "--previous", str(folder)
    )
    assert code == 2 and "--previous" in line and "previous=" not in line and expected in line


def _not_reached(*_args, **_kwargs):
    raise AssertionError("computed before the input was checked")


# ------------------------------------------------------------------------ internal errors
def _bug(*_args, **_kwargs):
    raise ZeroDivisionError("a bug in maillage")


def test_internal_error_is_one_line_and_suggests_v(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(maillage, "load_communes", _bug)
    code = main(
        ["-q", "report", "--venues", "x", "--departement", "16", "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 2 and "a bug in maillage" in lines[0]
    assert "-v" in lines[1]  # "run with -v for details", in the language of the command


def test_internal_error_traceback_only_with_v(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(maillage, "load_communes", _bug)
    code = main(
        ["-v", "report", "--venues", "x", "--departement", "16", "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" in err and "ZeroDivisionError" in err
    assert "-v" not in err.splitlines()[-1]  # no advice to run with -v: it was given


# ----------------------------------------------------------------- flags, not parameters
def test_messages_name_flags_not_parameters(tmp_path, capsys):
    (tmp_path / "out").write_text("a file")
    code = main(
        ["-q", "report", "--venues", "x", "--departement", "16", "--out", str(tmp_path / "out")]
    )
    line = capsys.readouterr().err.strip()
    assert code == 2 and "--out" in line and "out_dir" not in line


# -------------------------------------------------------------- the Python API's errors
def test_empty_census_is_an_input_data_error_in_python(tmp_path):
    path = _write(tmp_path / "lieux.csv", b"")
    with pytest.raises(InputDataError, match=r"lieux\.csv' is empty") as info:
        maillage.load_venues(path)
    assert isinstance(info.value, ValueError) and isinstance(info.value, MaillageError)
    assert type(info.value.__cause__).__name__ == "EmptyDataError"  # kept for debugging


def test_garbage_commune_layer_is_an_input_data_error(tmp_path):
    path = _write(tmp_path / "communes.gpkg", GARBAGE)
    with pytest.raises(InputDataError, match="cannot be read as a commune layer"):
        maillage.load_communes(path)


def test_truncated_geoparquet_commune_layer_is_an_input_data_error(tmp_path):
    source = tmp_path / "full.parquet"
    toy_territory()[0].reset_index().to_parquet(source)
    truncated = _write(tmp_path / "communes.parquet", source.read_bytes()[:300])
    with pytest.raises(InputDataError, match="cannot be read as a commune layer"):
        maillage.load_communes(truncated)


def test_empty_grid_tile_is_an_input_data_error(tmp_path):
    path = _write(tmp_path / "g_tile_1_2.csv", b"")
    with pytest.raises(InputDataError, match="is empty"):
        read_grid_tile(path)


def test_reading_lets_maillage_errors_through_and_wraps_parser_errors(tmp_path):
    with (
        pytest.raises(InputDataError, match="ValueError: bad"),
        reading(tmp_path / "f", name="grid"),
    ):
        raise ValueError("bad")
    with pytest.raises(MaillageError, match="own"), reading(tmp_path / "f"):
        raise InputDataError("own")
    with pytest.raises(ZeroDivisionError), reading(tmp_path / "f"):  # a bug stays a bug
        raise ZeroDivisionError
