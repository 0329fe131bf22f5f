"""The report folder on disk: refuse foreign folders, replace a previous report atomically.

The files are written into a temporary sibling folder which then replaces the report folder,
so a failed run leaves the previous report untouched and never a half-written file.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from maillage.errors import OptionError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["check_out_dir", "replace_folder"]

logger = logging.getLogger(__name__)


def check_out_dir(out_dir: Path, allowed: Iterable[str]) -> None:
    """Refuse an ``out_dir`` that is a file or holds files a report does not write.

    Parameters
    ----------
    out_dir : pathlib.Path
        The report folder (may not exist yet).
    allowed : iterable of str
        Names of the files a report writes.

    Raises
    ------
    OptionError
        ``out_dir`` is a file, or holds other files (the first five are named).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> check_out_dir(Path(tempfile.mkdtemp()) / "new", ["report.html"])
    """
    if out_dir.exists() and not out_dir.is_dir():
        msg = f"out_dir {out_dir} is a file; give a folder for the report"
        raise OptionError(msg)
    if not out_dir.is_dir():
        return
    foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in set(allowed))
    if foreign:
        msg = (
            f"out_dir {out_dir} holds files that are not part of a maillage report "
            f"({', '.join(foreign[:5])}); the report replaces the whole folder, so give an "
            "empty or new folder"
        )
        raise OptionError(msg)


def replace_folder(out_dir: Path, files: Mapping[str, bytes]) -> Path:
    """Write ``files`` into a new folder that replaces ``out_dir`` as a whole.

    Parameters
    ----------
    out_dir : pathlib.Path
        The report folder; its parent is created when missing.
    files : mapping of str to bytes
        File name to content.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = replace_folder(Path(tempfile.mkdtemp()) / "r", {"a.txt": b"1"})
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        for name, content in files.items():
            logger.info("writing %s", name)
            (tmp / name).write_bytes(content)
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _swap(new: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``new`` with two renames."""
    new.chmod(0o755)
    if not out_dir.exists():
        new.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    try:
        new.rename(out_dir)
    except OSError:
        old.rename(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
