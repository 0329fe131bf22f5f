"""Fault corpus, resource limits and other systems: long names, a full disk, ``ulimit -f``, Windows."""

from __future__ import annotations

import ast
import errno
import hashlib
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from toy_runs import TOY_CLI, run_python

import maillage
from maillage.errors import OptionError
from maillage.report import folder as folder_module
from maillage.report.folder import check_out_dir, replace_folder

FILES = {"communes.csv": b"code_insee\n00001\n", "summary.json": b"{}\n", "map.png": b"\x89PNG"}
NEWER = {"communes.csv": b"code_insee\n00002\n", "report.html": b"<html></html>\n"}
SRC = Path(maillage.__file__).parent


def _state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ------------------------------------------------------------------------------ long names
def test_the_longest_name_that_fits_is_accepted(tmp_path):
    out = replace_folder(tmp_path / ("é" * 118 + "r"), FILES)  # 237 bytes in UTF-8
    assert (out / "map.png").is_file()
    with pytest.raises(OptionError, match="nom trop long"):
        check_out_dir(tmp_path / ("é" * 119))


def test_a_missing_parent_too_long_is_refused(tmp_path):
    with pytest.raises(OptionError, match="nom trop long"):
        check_out_dir(tmp_path / ("p" * 300) / "r")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------- a full disk, ulimit -f
def test_a_full_disk_is_reported_in_french_and_the_report_left_whole(tmp_path, monkeypatch):
    out = replace_folder(tmp_path / "r", FILES)
    before = _state(out)
    real_write, written = folder_module._write_file, []

    def write(path, content):
        if len(written) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        written.append(path)
        real_write(path, content)

    monkeypatch.setattr(folder_module, "_write_file", write)
    with pytest.raises(OptionError, match="le disque est plein pendant l'écriture du rapport"):
        replace_folder(out, NEWER)
    assert _state(out) == before and [p.name for p in tmp_path.iterdir()] == ["r"]


_UNDER_LIMIT = TOY_CLI + "sys.exit(cli._run(ARGS, verbose=0, progress=False))\n"


@pytest.mark.parametrize(
    "limit",
    [20_000, 180_000],  # the GeoPackage's own writer fails; then map.html, written by maillage
    ids=["while-rendering", "while-writing"],
)
def test_a_real_file_size_limit_is_reported_in_french(tmp_path, limit):
    out = replace_folder(tmp_path / "r", FILES)
    before = _state(out)

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run = subprocess.run(
        [sys.executable, "-c", _UNDER_LIMIT, str(out)],
        preexec_fn=limited,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == (
        f"maillage : erreur : --out {out} : la taille de fichier permise (ulimit -f) est "
        "dépassée pendant l'écriture du rapport ; le dossier n'a pas été modifié : libérez "
        "de la place ou donnez un autre --out"
    )
    assert _state(out) == before and [p.name for p in tmp_path.iterdir()] == ["r"]


# ------------------------------------------------------------------------------- Windows
_UNIX_ONLY = {"fcntl", "pwd", "grp", "resource", "termios", "msvcrt", "posix"}


def test_no_unix_only_module_is_imported_at_module_level():
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            found += [f"{path.relative_to(SRC)}: {n}" for n in names if n in _UNIX_ONLY]
    assert found == []


_WITHOUT_UNIX = textwrap.dedent(
    """
    import sys
    for name in ("fcntl", "pwd", "grp", "resource", "termios"):
        sys.modules[name] = None  # as on Windows: importing them fails
    from pathlib import Path
    import maillage
    from maillage.cli import main
    from maillage.report.folder import check_out_dir, replace_folder
    from maillage.errors import OptionError

    out = Path(sys.argv[1]) / "r"
    assert main(["--version"]) == 0
    check_out_dir(out)
    replace_folder(out, {"a.txt": b"1"})
    replace_folder(out, {"b.txt": b"2"})
    assert sorted(p.name for p in out.iterdir()) == [".maillage-manifest.json", "b.txt"]
    (out.parent / ".r.lock").write_text("maillage 1\\n")  # another run, or a killed one
    try:
        replace_folder(out, {"c.txt": b"3"})
    except OptionError as exc:  # without a lock call, the lock is the file created alone
        assert "si aucune ne tourne, supprimez" in str(exc), exc
    else:
        raise SystemExit("the lock was taken twice")
    (out.parent / ".r.lock").unlink()
    print("ok")
    """
)


def test_maillage_imports_and_writes_a_report_folder_without_unix_modules(tmp_path):
    run = run_python(_WITHOUT_UNIX, str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "ok"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
