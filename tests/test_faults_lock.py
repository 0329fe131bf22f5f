"""Fault corpus, the lock and the clean-up: never touch what maillage did not create."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

import pytest

from maillage.errors import OptionError
from maillage.report.folder import replace_folder, reserve_folder
from maillage.report.manifest import MANIFEST_NAME, manifest_bytes

if TYPE_CHECKING:
    from pathlib import Path

FILES = {"communes.csv": b"code_insee\n00001\n", "summary.json": b"{}\n"}


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ----------------------------------------------------------------------------------- lock
def test_a_symlink_at_the_lock_name_is_refused_and_its_file_untouched(tmp_path):
    shared = tmp_path / "team-notes.txt"
    shared.write_text("the team's notes\n")
    (tmp_path / ".r.lock").symlink_to(shared)
    with pytest.raises(OptionError, match=r"\.r\.lock est un lien symbolique ; maillage n'y"):
        replace_folder(tmp_path / "r", FILES)
    assert shared.read_text() == "the team's notes\n"  # neither emptied nor given a pid
    assert (tmp_path / ".r.lock").is_symlink() and not (tmp_path / "r").exists()


def test_a_dangling_symlink_at_the_lock_name_creates_nothing(tmp_path):
    (tmp_path / ".r.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OptionError, match="lien symbolique"):
        replace_folder(tmp_path / "r", FILES)
    assert not (tmp_path / "elsewhere").exists()


def test_a_user_file_at_the_lock_name_is_refused_and_kept(tmp_path):
    (tmp_path / ".r.lock").write_text("mes réglages\n")
    with pytest.raises(OptionError, match=r"\.r\.lock existe et n'a pas été écrit par maillage"):
        replace_folder(tmp_path / "r", FILES)
    assert (tmp_path / ".r.lock").read_text() == "mes réglages\n"


def test_a_hard_link_at_the_lock_name_is_refused(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("")
    os.link(mine, tmp_path / ".r.lock")
    with pytest.raises(OptionError, match="lien physique"):
        replace_folder(tmp_path / "r", FILES)
    assert mine.read_text() == ""


def test_a_folder_at_the_lock_name_is_refused(tmp_path):
    (tmp_path / ".r.lock").mkdir()
    with pytest.raises(OptionError, match=r"\.r\.lock"):
        replace_folder(tmp_path / "r", FILES)
    assert (tmp_path / ".r.lock").is_dir()


@pytest.mark.parametrize("left", ["maillage 4242\n", "4242\n", ""])
def test_the_lock_left_by_a_killed_run_is_taken_over(tmp_path, left):
    (tmp_path / ".r.lock").write_text(left)
    replace_folder(tmp_path / "r", FILES)
    assert _names(tmp_path) == {"r"}


def test_the_lock_is_private_and_names_its_run(tmp_path):
    with reserve_folder(tmp_path / "r"):
        lock = tmp_path / ".r.lock"
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600
        assert lock.read_text() == f"maillage {os.getpid()}\n"
    assert not lock.exists()


# ------------------------------------------------------------------------------ clean-up
def test_user_folders_named_like_leftovers_are_never_removed(tmp_path):
    kept = [".r.old-backup2023", ".r.partial-1a2b3c4d", ".r.old-0badc0de", ".r.old-ABCDEF12"]
    for name in kept:
        (tmp_path / name).mkdir()
        (tmp_path / name / "map.png").write_bytes(b"my own copy")
    (tmp_path / ".r.old-0badc0de" / ".maillage-partial").write_text(".r.partial-99999999\n")
    replace_folder(tmp_path / "r", FILES)
    replace_folder(tmp_path / "r", FILES)
    assert _names(tmp_path) == {"r", *kept}
    assert all((tmp_path / name / "map.png").read_bytes() == b"my own copy" for name in kept)


def test_a_report_copied_under_a_leftover_name_but_edited_is_kept(tmp_path):
    copy = tmp_path / ".r.old-1a2b3c4d"
    copy.mkdir()
    (copy / MANIFEST_NAME).write_bytes(manifest_bytes(FILES))
    for name, content in FILES.items():
        (copy / name).write_bytes(content)
    (copy / "notes.txt").write_text("added by hand")
    replace_folder(tmp_path / "r", FILES)
    assert (copy / "notes.txt").exists()


def test_leftovers_that_maillage_provably_wrote_are_removed(tmp_path):
    partial = tmp_path / ".r.partial-1a2b3c4d"  # killed while writing: its marker names it
    partial.mkdir()
    (partial / ".maillage-partial").write_text(".r.partial-1a2b3c4d\n")
    (partial / "map.png").write_bytes(b"half a pn")
    old = tmp_path / ".r.old-0f0f0f0f"  # a whole report left by the swap: its manifest
    old.mkdir()
    (old / MANIFEST_NAME).write_bytes(manifest_bytes(FILES))
    for name, content in FILES.items():
        (old / name).write_bytes(content)
    (tmp_path / ".r.partial-00000000").mkdir()  # killed just after mkdir: empty
    replace_folder(tmp_path / "r", {"a.txt": b"new"})  # r did not exist: the aside one is
    assert _names(tmp_path) == {"r"}  # put back first, then replaced
    assert _names(tmp_path / "r") == {"a.txt", MANIFEST_NAME}
