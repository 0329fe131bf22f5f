"""Fault corpus, privacy of the machine: no absolute path of the user's files in any output."""

from __future__ import annotations

import shutil

import pytest

from maillage.cli import main
from maillage.options import options

VENUES = (
    "venue_id,name,latitude,longitude\n"
    "v1,Médiathèque,-20.88,55.45\nv2,Tiers-lieu du Sud,-21.28,55.50\nv3,Fab,-21.0,55.27\n"
)


@pytest.mark.filterwarnings("ignore::maillage.errors.MaillageWarning")  # modes unknown in 2010
def test_no_output_names_where_the_users_files_lie(tmp_path, capsys):
    inputs = tmp_path / "Documents de Jeanne" / "données"
    inputs.mkdir(parents=True)
    (inputs / "lieux.csv").write_text(VENUES, encoding="utf-8")
    commutes = options.data_dir / "commutes/mobpro-reunion-2010/reunion_ttw.rda"
    shutil.copy(commutes, inputs / "navettes.rda")
    out = tmp_path / "rapport"
    code = main(
        [
            "-q",
            "report",
            "--region",
            "04",
            "--venues",
            str(inputs / "lieux.csv"),
            "--commutes",
            str(inputs / "navettes.rda"),
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    written = sorted(out.iterdir())
    assert {"report.html", "summary.json", "commutes.csv", "map.html"} <= {p.name for p in written}
    for path in written:
        data = path.read_bytes()
        for form in (str(tmp_path), str(inputs), "Documents de Jeanne"):
            assert form.encode() not in data, f"{path.name} names {form}"
    assert b"navettes.rda" in (out / "summary.json").read_bytes()  # by its name only
