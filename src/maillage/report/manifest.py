"""The manifest of a report folder: which files maillage wrote there, with their SHA-256.

Every report folder holds :data:`MANIFEST_NAME`, a small JSON file listing the files
maillage wrote and their hashes. A later run replaces the folder only when everything in
it is listed there, unchanged (:func:`foreign_entries`): a user's file, a sub-folder or an
edited report file stops the run instead of being deleted. The manifest holds no date, so
identical reports stay byte-identical.

Examples
--------
>>> text = manifest_bytes({"b.csv": b"1", "a.csv": b"2"})
>>> sorted(json.loads(text)["files"])
['a.csv', 'b.csv']
>>> manifest_bytes({"a.csv": b"2"}) == manifest_bytes({"a.csv": b"2"})
True
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from typing import TYPE_CHECKING

from maillage.sources import sha256_of

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = [
    "CHANGED",
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "foreign_entries",
    "manifest_bytes",
    "read_manifest",
]

MANIFEST_NAME = ".maillage-manifest.json"
"""Name of the manifest inside every report folder."""
MANIFEST_FORMAT = 1
"""Version of the manifest layout."""

_NOTE = (
    "Files written by maillage, with their SHA-256. maillage replaces this folder only "
    "while it holds nothing else and these files are unchanged."
)


def manifest_bytes(files: Mapping[str, bytes]) -> bytes:
    """Return the manifest of ``files`` (deterministic: sorted keys, no date).

    Parameters
    ----------
    files : mapping of str to bytes
        File name to content, as written.

    Returns
    -------
    bytes
        UTF-8 JSON ending with a newline.
    """
    body: dict[str, object] = {
        "files": {name: hashlib.sha256(files[name]).hexdigest() for name in sorted(files)},
        "format": MANIFEST_FORMAT,
        "note": _NOTE,
        "written_by": "maillage",
    }
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode("utf-8")


def read_manifest(folder: Path) -> dict[str, set[str]] | None:
    """Return the accepted hashes of each file listed in ``folder``'s manifest.

    Parameters
    ----------
    folder : pathlib.Path
        A report folder.

    Returns
    -------
    dict of str to set of str, or None
        File name to the SHA-256 values accepted for it (those of ``files``, and of
        ``replacing`` in a folder that an earlier version was updating file by file);
        None when the manifest is missing, is not a regular file or cannot be parsed.
    """
    path = folder / MANIFEST_NAME
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("written_by") != "maillage":
        return None
    accepted: dict[str, set[str]] = {}
    for key in ("files", "replacing"):
        listed = body.get(key, {})
        if not isinstance(listed, dict):
            return None
        for name, digest in listed.items():
            accepted.setdefault(str(name), set()).add(str(digest))
    return accepted


CHANGED = "(modifié)"
"""How :func:`foreign_entries` marks a file of the report that was edited."""


def _describe(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return f"{entry.name} (lien)"
    if entry.is_dir():
        return f"{entry.name}/"
    return entry.name


def foreign_entries(folder: Path) -> list[str]:
    """Return what ``folder`` holds that maillage did not write there, unchanged.

    Parameters
    ----------
    folder : pathlib.Path
        An existing folder.

    Returns
    -------
    list of str
        Sorted descriptions: ``name`` for a file not in the manifest, ``name/`` for a
        folder, ``name (lien)`` for a symbolic link, ``name (modifié)`` for a listed file
        whose content differs. Every entry is foreign when the folder has no valid
        manifest; an empty folder has none.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "notes.txt").write_text("mine")
    >>> foreign_entries(folder)
    ['notes.txt']
    """
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    accepted = read_manifest(folder)
    foreign = []
    for entry in entries:
        if accepted is None or (entry.name not in accepted and entry.name != MANIFEST_NAME):
            foreign.append(_describe(entry))
        elif entry.name == MANIFEST_NAME:
            continue
        elif entry.is_symlink() or not entry.is_file():
            foreign.append(_describe(entry))
        elif sha256_of(folder / entry.name, memo=False) not in accepted[entry.name]:
            foreign.append(f"{entry.name} {CHANGED}")
    return foreign
