"""The command line speaks French, once: bad inputs get French lines (the library's English
messages translated), a mistyped name gets "vouliez-vous dire", and no line comes twice."""

from __future__ import annotations

import re

import pytest

from maillage.cli import main
from maillage.cli.messages import french_line
from maillage.errors import InputDataError

ENGLISH = re.compile(
    r"\b(is|are|the|not|has|have|neither|nor|found|cannot|must|missing|give|expected|which|"
    r"there|rows?|columns?|file|unknown|empty|with|without|should|of|and|or|no|every|would)\b",
    re.IGNORECASE,
)


def _sentences(err: str) -> str:
    """What a person reads: without quoted values, flags and file names."""
    text = re.sub(r"«[^»]*»|'[^']*'|\"[^\"]*\"", " ", err)
    words = [w.lstrip("[") for w in text.split()]
    return " ".join(w for w in words if not w.startswith("--") and "/" not in w and "." not in w)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("entrees")
    (folder / "vide.csv").write_bytes(b"")
    (folder / "entete.csv").write_text("nom,latitude,longitude\n")
    (folder / "inconnues.csv").write_text("a,b\n1,2\n")
    (folder / "lieux.csv").write_text("nom,latitude,longitude\nA,abc,0.1\nB,45.65,0.16\n")
    (folder / "precedent").mkdir()
    return folder


CASES = {
    "catalogue": (["--venues", "cget-tiers-lieux-2018"], "vouliez-vous dire cget-tiers-lieux-2019"),
    "no file": (["--venues", "{}/absent.csv"], "ni un fichier existant"),
    "empty": (["--venues", "{}/vide.csv"], "est vide"),
    "header only": (["--venues", "{}/entete.csv"], "aucune ligne"),
    "no column": (["--venues", "{}/inconnues.csv"], "colonnes trouvées"),
    "bad --columns": (
        ["--venues", "{}/lieux.csv", "--columns", "nme=name"],
        "absent(s) du recensement",
    ),
    "labelled list": (
        ["--venues", "{}/lieux.csv", "--supported", "fabriques-territoire-2023"],
        "vouliez-vous dire fabriques-territoire-2024",
    ),
    "previous": (
        ["--venues", "{}/lieux.csv", "--previous", "{}/precedent"],
        "rapport maillage précédent",
    ),
    "grid": (["--venues", "{}/lieux.csv", "--grid", "{}/absent.gpkg"], "ni un fichier existant"),
    "years": (["--venues", "{}/lieux.csv", "--years", "2018-2020"], "aucune année d'ouverture"),
    "engine": (["--venues", "{}/lieux.csv", "--engine", "osrn"], "vouliez-vous dire osrm"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_inputs_get_french_lines_once(case, files, capsys, tmp_path):
    args, expected = CASES[case]
    argv = ["report", *(a.replace("{}", str(files)) for a in args), "--departement", "16"]
    code = main([*argv, "--out", str(tmp_path / "rapport")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert expected in err
    lines = [line for line in err.splitlines() if line.startswith("maillage")]
    assert len(lines) == len(set(lines)), err  # nothing said twice
    english = ENGLISH.findall(_sentences(err))
    assert english == [], err


def test_rejected_rows_are_explained_in_french(files, capsys, tmp_path):
    argv = [
        "report",
        "--venues",
        str(files / "lieux.csv"),
        "--departement",
        "16",
        "--years",
        "2020",
    ]
    main([*argv, "--out", str(tmp_path / "rapport")])
    err = capsys.readouterr().err
    assert "1 × coordonnées illisibles (latitude 'abc', longitude '0.1')" in err


def test_an_error_with_no_french_wording_is_named_in_french():
    line = french_line(InputDataError("venues frame has a strange layout"))
    assert line == "données d'entrée inutilisables : venues frame has a strange layout"
