"""Fault corpus, text encodings and JSON depth: a file is decoded whole, never guessed silently."""

from __future__ import annotations

import codecs
import json

import pytest

from maillage.cli import main
from maillage.errors import InputDataError
from maillage.load.census_gogocarto import read_taxonomy
from maillage.load.census_json import load_json
from maillage.load.census_readers import read_census
from maillage.load.reading import text_encoding

HEADER = "venue_id,name,latitude,longitude\n"
ROWS = "v1,Café de l'Église,46.16,-1.15\nv2,Œuvre « Là-bas »,46.0,-1.0\n"
NAMES = ["Café de l'Église", "Œuvre « Là-bas »"]
PRINTF = b"venue_id,name,latitude,longitude\nv1,Caf\xc3\xa9,46.16,-1.15\nv2,Bad\xff,46,-1\n"
"""The file of ``printf 'venue_id,...\\nv1,Caf\\xc3\\xa9,...\\nv2,Bad\\xff,46,-1\\n'``."""


def _read(path):
    raw, _ = read_census(path)
    return raw


def _cli(capsys, path, out):
    code = main(["-q", "report", "--venues", str(path), "--departement", "17", "--out", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "erreur interne" not in err
    return code, err


# ------------------------------------------------------------------- read right, whole file
@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ((HEADER + ROWS).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + (HEADER + ROWS).encode("utf-8"), "utf-8-sig"),
        ((HEADER + ROWS).encode("utf-16"), "utf-16"),  # little-endian, with its BOM
        (codecs.BOM_UTF16_BE + (HEADER + ROWS).encode("utf-16-be"), "utf-16"),
        ((HEADER + ROWS).encode("utf-32"), "utf-32"),
        ((HEADER + ROWS).replace("Œ", "Oe").encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be", "utf32", "cp1252"],
)
def test_each_encoding_is_read_right(tmp_path, data, encoding):
    path = tmp_path / "lieux.csv"
    path.write_bytes(data)
    assert text_encoding(path) == encoding
    raw = _read(path)
    assert list(raw["venue_id"]) == ["v1", "v2"]  # with a BOM too: ids, not "ligne N"
    assert list(raw["name"]) == [n.replace("Œ", "Oe") if encoding == "cp1252" else n for n in NAMES]


def test_cp1252_file_whose_first_accent_is_after_8_kb_reads_right(tmp_path):
    filler = "".join(f"v{i},Lieu {i},46.1,-1.1\n" for i in range(600))
    path = tmp_path / "lieux.csv"
    path.write_bytes((HEADER + filler + "w1,Médiathèque,46.2,-1.2\n").encode("cp1252"))
    assert path.read_bytes().index("é".encode("cp1252")) > 8192
    raw = _read(path)
    assert raw["name"].iloc[-1] == "Médiathèque" and len(raw) == 601


# -------------------------------------------------------------------- never a silent guess
def test_utf8_file_with_a_stray_byte_is_refused_naming_line_and_byte(tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_bytes(PRINTF)
    with pytest.raises(InputDataError, match=r"ligne 3 .*0xff, octet 60 du fichier"):
        _read(path)
    code, err = _cli(capsys, path, tmp_path / "r")
    assert code == 2 and "--venues" in err and "ligne 3" in err and "UTF-8" in err
    assert not (tmp_path / "r").exists()


def test_stray_byte_far_in_a_large_utf8_file_is_found(tmp_path):
    rows = "".join(f"v{i},Château {i},46.1,-1.1\n" for i in range(60_000))  # > 1 MiB
    data = (HEADER + rows).encode("utf-8") + b"v_end,Fin\xe9,46,-1\n"
    path = tmp_path / "lieux.csv"
    path.write_bytes(data)
    line, offset = 60_002, data.index(b"\xe9,46,-1")
    with pytest.raises(InputDataError, match=rf"ligne {line} .*0xe9, octet {offset} du"):
        text_encoding(path)


def test_bom_marked_utf8_with_a_bad_byte_is_refused(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes(codecs.BOM_UTF8 + HEADER.encode() + b"v1,Bad\xff,46,-1\n")
    with pytest.raises(InputDataError, match=r"marqué UTF-8 .*ligne 2"):
        text_encoding(path)


def test_bytes_that_no_encoding_reads_are_refused(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes(HEADER.encode() + b"v1,Lieu\x81,46,-1\n")  # 0x81: not in Windows-1252
    with pytest.raises(InputDataError, match=r"ni en UTF-8 ni en Windows-1252 .*ligne 2"):
        text_encoding(path)


# ----------------------------------------------------------------------------- JSON depth
def test_json_nested_200000_levels_is_refused_in_french(tmp_path, capsys):
    path = tmp_path / "lieux.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(InputDataError, match=r"imbriqué sur plus de \d+ niveaux"):
        load_json(path)
    code, err = _cli(capsys, path, tmp_path / "r")
    assert code == 2 and "imbriqué" in err and not (tmp_path / "r").exists()


def test_deep_objects_are_refused_too(tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text('{"a":' * 200_000 + "1" + "}" * 200_000)
    with pytest.raises(InputDataError, match="imbriqué"):
        read_taxonomy(path)


def test_a_taxonomy_nested_as_deep_as_the_parser_allows_is_walked(tmp_path):
    node: dict = {"id": 1, "name": "fond"}
    for depth in range(300):
        node = {"options": [node], "id": depth + 2, "name": f"n{depth}"}
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps({"options": [node]}))
    names = read_taxonomy(path)
    assert names["1"] == "fond" and len(names) == 301
