"""Fault corpus, replacing a report: a whole old or a whole new one after a kill at any moment."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from toy_runs import TOY_CLI, run_python

from maillage.report import folder as folder_module
from maillage.report.folder import replace_folder, reserve_folder
from maillage.report.manifest import MANIFEST_NAME, foreign_entries, read_manifest

_FILES = """
OLD = {f"old-{i}.csv": bytes([i]) * 40_000 for i in range(6)} | {"same.csv": b"old\\n"}
NEW = {f"new-{i}.csv": bytes([100 + i]) * 40_000 for i in range(4)} | {"same.csv": b"new\\n"}
"""
_SPACE: dict = {}
exec(_FILES, _SPACE)  # the same two reports here and in the killed processes
OLD, NEW = _SPACE["OLD"], _SPACE["NEW"]


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _which(folder: Path) -> str:
    """Say whether ``folder`` holds exactly OLD or NEW, each file as its manifest lists it."""
    listed = read_manifest(folder)
    assert listed is not None and foreign_entries(folder) == []
    for label, files in (("old", OLD), ("new", NEW)):
        if _names(folder) == {*files, MANIFEST_NAME}:
            digests = {n: hashlib.sha256(c).hexdigest() for n, c in files.items()}
            assert all(listed[n] == {d} for n, d in digests.items())
            assert all((folder / n).read_bytes() == c for n, c in files.items())
            return label
    raise AssertionError(f"a mix of old and new: {sorted(_names(folder))}")


@pytest.fixture
def no_exchange(monkeypatch):
    """Where the one-step exchange is missing (other systems, network filesystems)."""
    monkeypatch.setattr(folder_module, "_exchange", lambda _a, _b: False)


def test_without_the_exchange_the_folder_is_replaced_whole(tmp_path, no_exchange):
    out = replace_folder(tmp_path / "r", OLD)
    replace_folder(out, NEW)
    assert _which(out) == "new" and _names(tmp_path) == {"r"}


def test_a_stop_between_the_two_renames_puts_the_old_report_back(
    tmp_path, no_exchange, monkeypatch
):
    out = replace_folder(tmp_path / "r", OLD)
    real_rename, calls = Path.rename, []

    def rename(self, target):
        calls.append(target)
        if len(calls) == 2:  # the old report set aside, the new one not yet in place
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        replace_folder(out, NEW)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not out.exists()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(".r.old-")]
    assert len(aside) == 1 and _which(aside[0]) == "old"
    with reserve_folder(out):  # the next run puts it back before anything else
        assert _which(out) == "old"
    assert _names(tmp_path) == {"r"}


def test_a_link_to_a_report_stopped_between_the_renames_is_put_back(
    tmp_path, no_exchange, monkeypatch
):
    real = replace_folder(tmp_path / "real", OLD)
    (tmp_path / "link").symlink_to(real)
    monkeypatch.setattr(folder_module.Path, "rename", _stop_at_second_rename(monkeypatch))
    with pytest.raises(KeyboardInterrupt):
        replace_folder(tmp_path / "link", NEW)
    monkeypatch.undo()
    replace_folder(tmp_path / "link", NEW)  # not refused as a link to nothing
    assert _which(real) == "new" and (tmp_path / "link").is_symlink()


def _stop_at_second_rename(monkeypatch):
    real_rename, calls = Path.rename, []

    def rename(self, target):
        calls.append(target)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_rename(self, target)

    return rename


# --------------------------------------------------------------- real SIGKILLs at random
_KILLER = (
    _FILES
    + """
import os, signal, sys, time, warnings
from maillage.report import folder

warnings.simplefilter("ignore", DeprecationWarning)  # fork: the writers only write files

out, exchange = sys.argv[1], sys.argv[2] == "exchange"
if not exchange:
    folder._exchange = lambda _a, _b: False
for line in sys.stdin:  # one delay a line: fork a writer, kill it after that delay
    pid = os.fork()
    if pid == 0:
        try:
            for turn in range(1_000_000):
                folder.replace_folder(out, NEW if turn % 2 else OLD)
        finally:
            os._exit(0)
    time.sleep(float(line))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    print("killed", flush=True)
"""
)


@pytest.mark.parametrize("exchange", ["two-renames", "exchange"])
def test_sigkill_at_random_moments_leaves_a_whole_report(tmp_path, exchange):
    out = tmp_path / "r"
    replace_folder(out, OLD)
    killer = subprocess.Popen(
        [sys.executable, "-c", _KILLER, str(out), exchange],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    seen = []
    try:
        for seed in range(6 if exchange == "exchange" else 12):
            killer.stdin.write(f"{random.Random(seed).uniform(0.01, 0.3)}\n")
            killer.stdin.flush()
            assert killer.stdout.readline() == "killed\n"
            if not out.exists():  # killed between the renames: the old one aside, whole
                aside = [p for p in tmp_path.iterdir() if p.name.startswith(".r.old-")]
                assert exchange != "exchange" and len(aside) == 1 and _which(aside[0]) == "old"
                seen.append("aside")
            with reserve_folder(out):  # the next run: put back, leftovers removed
                seen.append(_which(out))
            assert _names(tmp_path) == {"r"}
    finally:
        killer.communicate(timeout=60)
    assert killer.returncode == 0 and {"old", "new"} <= set(seen)


# ------------------------------------------------------------------------------- SIGINT
_SIGINT_RUNS = TOY_CLI + textwrap.dedent(
    """
    import os, signal
    from maillage.report import folder

    real_swap = folder._swap

    def swap(new, target):
        if AREA[0] == "before":
            os.kill(os.getpid(), signal.SIGINT)
        real_swap(new, target)
        if AREA[0] == "after":
            os.kill(os.getpid(), signal.SIGINT)

    folder._swap = swap
    for step in ("first", "before", "after"):
        AREA[0] = step
        code = cli._run(ARGS, verbose=0, progress=False)
        print(f"== {step} {code}", file=sys.stderr, flush=True)
    """
)


def test_sigint_says_which_report_is_in_place(tmp_path):
    out = tmp_path / "r"
    run = run_python(_SIGINT_RUNS, str(out))
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.returncode == 0, run.stderr
    assert lines[0] == "== first 0"
    assert lines[1] == f"maillage : interrompu ; le rapport précédent est intact dans {out}/"
    assert lines[2] == "== before 130"
    assert lines[3] == (
        f"maillage : interrompu ; le nouveau rapport était déjà écrit : il est complet dans {out}/"
    )
    assert lines[4] == "== after 130" and len(lines) == 5
    assert '"area": "after"' in (out / "summary.json").read_text()  # what the line said
    assert foreign_entries(out) == [] and _names(tmp_path) == {"r"}
