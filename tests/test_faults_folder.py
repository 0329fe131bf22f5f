"""Fault corpus, report folder: never delete what maillage did not write, never lose a report."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import maillage
from maillage.cli import main
from maillage.errors import OptionError
from maillage.prepare.toy import toy_territory
from maillage.report import build_report, save_report, write_report
from maillage.report import folder as folder_module
from maillage.report import save as save_module
from maillage.report.folder import check_out_dir, replace_folder, reserve_folder
from maillage.report.manifest import MANIFEST_NAME, foreign_entries, read_manifest
from maillage.travel import CrowFlyModel

FILES = {"communes.csv": b"code_insee\n00001\n", "summary.json": b"{}\n", "map.png": b"\x89PNG"}
NEWER = {"communes.csv": b"code_insee\n00002\n", "report.html": b"<html></html>\n"}


@pytest.fixture(scope="module")
def territory():
    return toy_territory()


@pytest.fixture(scope="module")
def report(territory):
    communes, venues = territory
    return build_report(communes, venues, model=CrowFlyModel(), area="Exemple")


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _cli(capsys, *args: str) -> tuple[int, str]:
    code = main(["-q", "report", "--venues", "fabriques-territoire-2024", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def no_computation(monkeypatch):
    """Make any computation fail loudly: a refusal must come before it."""

    def computed(*_args, **_kwargs):
        raise AssertionError("computed before the folder was checked")

    monkeypatch.setattr(maillage, "load_communes", computed)
    monkeypatch.setattr(save_module, "build_report", computed)


# -------------------------------------------------------------- what maillage did not write
def test_user_communes_csv_is_refused_and_kept(tmp_path, report):
    out = tmp_path / "r"
    out.mkdir()
    (out / "communes.csv").write_text("my own table")
    with pytest.raises(
        OptionError, match=r"out_dir .* contient ce que maillage n.y a pas écrit.*communes\.csv"
    ):
        save_report(report, out)
    assert (out / "communes.csv").read_text() == "my own table"
    assert _names(tmp_path) == {"r"}  # no lock, no partial folder left


def test_subfolder_named_like_a_report_file_is_refused_and_kept(tmp_path):
    out = tmp_path / "r"
    (out / "report.html").mkdir(parents=True)
    (out / "report.html" / "notes.txt").write_text("mine")
    with pytest.raises(OptionError, match=r"report\.html/"):
        replace_folder(out, FILES)
    assert (out / "report.html" / "notes.txt").read_text() == "mine"


def test_file_added_to_a_report_is_refused(tmp_path):
    out = replace_folder(tmp_path / "r", FILES)
    (out / "notes.txt").write_text("mine")
    assert foreign_entries(out) == ["notes.txt"]
    with pytest.raises(OptionError, match=r"notes\.txt ;"):
        replace_folder(out, NEWER)
    assert (out / "notes.txt").exists() and (out / "map.png").exists()


def test_edited_report_file_is_refused(tmp_path):
    out = replace_folder(tmp_path / "r", FILES)
    (out / "communes.csv").write_text("edited by hand")
    with pytest.raises(OptionError, match=r"communes\.csv \(modifié\)"):
        replace_folder(out, NEWER)
    assert (out / "communes.csv").read_text() == "edited by hand"


def test_link_inside_a_report_is_refused(tmp_path):
    out = replace_folder(tmp_path / "r", FILES)
    (out / "map.png").unlink()
    (out / "map.png").symlink_to(tmp_path)
    with pytest.raises(OptionError, match=r"map\.png \(lien\)"):
        replace_folder(out, NEWER)


def test_broken_manifest_makes_everything_foreign(tmp_path):
    out = replace_folder(tmp_path / "r", FILES)
    (out / MANIFEST_NAME).write_text("{not json")
    assert read_manifest(out) is None
    with pytest.raises(OptionError, match=r"\.maillage-manifest\.json, communes\.csv"):
        replace_folder(out, NEWER)


def test_unchanged_report_is_replaced_whole(tmp_path):
    out = replace_folder(tmp_path / "r", FILES)
    replace_folder(out, NEWER)
    assert _names(out) == {*NEWER, MANIFEST_NAME}  # map.png and summary.json are gone
    assert (out / "communes.csv").read_bytes() == NEWER["communes.csv"]
    assert _names(tmp_path) == {"r"}


def test_empty_existing_folder_is_used(tmp_path):
    (tmp_path / "r").mkdir()
    replace_folder(tmp_path / "r", FILES)
    assert _names(tmp_path / "r") == {*FILES, MANIFEST_NAME}


def test_manifest_lists_every_file_with_its_hash_and_is_deterministic(tmp_path, report):
    first = save_report(report, tmp_path / "a")
    second = save_report(report, tmp_path / "b")
    manifest = json.loads((first / MANIFEST_NAME).read_text())
    assert set(manifest["files"]) == set(report.files)
    assert (first / MANIFEST_NAME).read_bytes() == (second / MANIFEST_NAME).read_bytes()
    save_report(report, first)  # a rerun over its own report
    assert (first / MANIFEST_NAME).read_bytes() == (second / MANIFEST_NAME).read_bytes()


def test_cli_names_every_foreign_entry_in_one_line(tmp_path, capsys, no_computation):
    out = tmp_path / "r"
    (out / "report.html").mkdir(parents=True)
    (out / "communes.csv").write_text("mine")
    code, err = _cli(capsys, "--departement", "16", "--out", str(out))
    line = _one_line(err)
    assert code == 2 and "--out" in line and "out_dir" not in line
    assert "communes.csv" in line and "report.html/" in line


# ------------------------------------------------------------------------ protected places
@pytest.mark.parametrize("given", [".", "./", "sub/.."])
def test_current_folder_is_never_replaced(tmp_path, monkeypatch, capsys, given, no_computation):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    code, err = _cli(capsys, "--departement", "16", "--out", given)
    line = _one_line(err)
    assert code == 2 and "is the current folder" in line and "--out" in line
    assert _names(tmp_path) == {"sub"}


def test_parent_of_the_current_folder_is_never_replaced(tmp_path, monkeypatch):
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    with pytest.raises(OptionError, match="holds the current folder"):
        check_out_dir(tmp_path / "a")


@pytest.mark.parametrize("given", ["~", "~/"])
def test_home_folder_is_never_replaced(tmp_path, monkeypatch, capsys, given, no_computation):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    code, err = _cli(capsys, "--departement", "16", "--out", given)
    assert code == 2 and "is a home folder" in _one_line(err)
    assert not list(home.iterdir())


def test_every_user_home_is_protected():
    import pwd

    homes = [Path(p.pw_dir) for p in pwd.getpwall() if len(Path(p.pw_dir).parts) > 2]
    homes = [home for home in homes if home.is_dir() and not home.is_symlink()]
    if not homes:
        pytest.skip("no user home below a top-level folder here")
    with pytest.raises(OptionError, match="is a home folder"):
        check_out_dir(homes[0])


@pytest.mark.parametrize("given", ["/", "/tmp", "/usr", "/home"])
def test_root_and_top_level_folders_are_never_replaced(given):
    with pytest.raises(OptionError, match=r"filesystem root or a top-level folder|home folder"):
        check_out_dir(given)


@pytest.mark.skipif(not os.path.ismount("/dev/shm"), reason="no /dev/shm mount point")
def test_mount_point_is_never_replaced():
    with pytest.raises(OptionError, match="mount point"):
        check_out_dir("/dev/shm")


# ------------------------------------------------------------------------- writability
def test_parent_that_is_a_file_is_refused_before_computing(tmp_path, territory, no_computation):
    (tmp_path / "file.txt").write_text("x")
    communes, venues = territory
    with pytest.raises(OptionError, match=r"cannot be written: .*file\.txt is a file"):
        write_report(
            tmp_path / "file.txt" / "r", communes=communes, venues=venues, model=CrowFlyModel()
        )


def test_unwritable_parent_is_refused_before_computing(
    tmp_path, monkeypatch, capsys, no_computation
):
    monkeypatch.setattr(folder_module.os, "access", lambda *_a, **_k: False)
    code, err = _cli(capsys, "--departement", "16", "--out", str(tmp_path / "r"))
    line = _one_line(err)
    assert code == 2 and "--out" in line and "is not writable" in line


def test_an_out_name_too_long_for_the_internal_names_is_refused_before_computing(
    tmp_path, capsys, no_computation
):
    out = tmp_path / ("r" * 245)  # fits, but ".rrr….partial-12345678" does not
    code = main(["-q", "report", "--venues", "fabriques-territoire-2024", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "--out" in err and "nom trop long" in err and "237 octets au plus" in err
    assert list(tmp_path.iterdir()) == []


def test_out_given_as_a_file_is_refused(tmp_path):
    (tmp_path / "r").write_text("x")
    with pytest.raises(OptionError, match="est un fichier"):
        check_out_dir(tmp_path / "r")


# ------------------------------------------------------------------------ one run at a time
def test_second_run_fails_fast_while_another_holds_the_folder(tmp_path, report):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from maillage.report.folder import reserve_folder
                with reserve_folder({str(tmp_path / "r")!r}):
                    print("held", flush=True)
                    sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(
            OptionError, match=rf"autre exécution de maillage \(processus {holder.pid}\)"
        ):
            save_report(report, tmp_path / "r")
        assert time.monotonic() - start < 5  # fails at once, does not wait
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0
    save_report(report, tmp_path / "r")  # free again once the other run ended
    assert _names(tmp_path) == {"r"}  # the lock file went with it


def test_lock_taken_by_another_open_file_is_respected(tmp_path):
    import fcntl

    lock = tmp_path / ".r.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(OptionError, match="en cours d'écriture par une autre exécution"):
            replace_folder(tmp_path / "r", FILES)
    assert not (tmp_path / "r").exists()


def test_the_lock_is_reentrant_within_a_run(tmp_path):
    with reserve_folder(tmp_path / "r") as target, reserve_folder(tmp_path / "r"):
        replace_folder(tmp_path / "r", FILES)
    assert _names(target) == {*FILES, MANIFEST_NAME}
    assert _names(tmp_path) == {"r"}


# ---------------------------------------------------------------------------- symbolic links
def test_link_is_followed_and_kept(tmp_path):
    real = replace_folder(tmp_path / "real", FILES)
    link = tmp_path / "link"
    link.symlink_to(real)
    replace_folder(link, NEWER)
    assert link.is_symlink() and link.resolve() == real
    assert (link / "communes.csv").read_bytes() == NEWER["communes.csv"]
    assert _names(tmp_path) == {"real", "link"}  # no dangling .old link


def test_link_to_nothing_is_refused(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    with pytest.raises(OptionError, match=r"symbolic link to .*nowhere, which does not exist"):
        replace_folder(tmp_path / "link", FILES)
    assert not (tmp_path / "nowhere").exists()


def test_link_to_a_foreign_folder_is_refused(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "mine")
    with pytest.raises(OptionError, match=r"thesis\.tex"):
        replace_folder(tmp_path / "link", FILES)


# ------------------------------------------------------------------------------ permissions
def test_permissions_of_an_existing_folder_are_kept(tmp_path):
    out = replace_folder(tmp_path / "r", FILES)
    out.chmod(0o700)
    replace_folder(out, NEWER)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_new_folder_follows_the_umask(tmp_path):
    before = os.umask(0o027)
    try:
        out = replace_folder(tmp_path / "r", FILES)
    finally:
        os.umask(before)
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


# ------------------------------------------------------------------------------------- tilde
def test_tilde_is_expanded(tmp_path, monkeypatch, report):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    out = save_report(report, "~/rapport")
    assert out == tmp_path / "rapport" and (out / "report.html").is_file()
    assert not (tmp_path / "~").exists()


def test_cli_expands_tilde_in_out_and_previous(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    args = maillage.cli.build_parser().parse_args(
        ["report", "--venues", "x", "--out=~/rapport", "--previous=~/avant"]
    )
    assert args.out == tmp_path / "rapport" and args.previous == tmp_path / "avant"


# ------------------------------------------------------------------ atomic swap, leftovers
def test_a_kill_after_the_swap_leaves_the_new_report(tmp_path, monkeypatch):
    out = replace_folder(tmp_path / "r", FILES)
    calls = []

    def killed(path, *args, **kwargs):
        calls.append(path)
        raise KeyboardInterrupt

    monkeypatch.setattr(folder_module, "_remove", killed)
    monkeypatch.setattr(folder_module.shutil, "rmtree", killed)
    with pytest.raises(KeyboardInterrupt):
        replace_folder(out, NEWER)
    monkeypatch.undo()
    assert (out / "communes.csv").read_bytes() == NEWER["communes.csv"]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "r"]
    assert all(name.startswith(".r.partial-") for name in leftovers)
    replace_folder(out, FILES)  # the next run removes what the killed one left
    assert _names(tmp_path) == {"r"}


def test_failed_render_leaves_no_trace(tmp_path, report, monkeypatch):
    from maillage.report import files

    def broken(_report):
        raise RuntimeError("disk full")

    monkeypatch.setitem(files.RENDERERS, "summary.json", broken)
    with pytest.raises(RuntimeError):
        save_report(report, tmp_path / "new" / "r")
    assert _names(tmp_path) == set()  # not even the parents it created
