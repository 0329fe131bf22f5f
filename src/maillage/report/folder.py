"""The report folder on disk: never delete what maillage did not write, never lose a report.

Rules, checked before anything is computed (:func:`check_out_dir`) and again under the
lock, just before the folder is replaced (:func:`replace_folder`):

- ``~`` is expanded; symbolic links are followed: the report replaces the folder the link
  points to and the link stays as it is (a link to nothing is refused);
- the filesystem root, a top-level folder (``/home``, ``/tmp``...), a home folder, the
  current folder or one of its parents, and a mount point are never replaced;
- an existing folder is replaced only when it is empty or when everything in it is listed,
  unchanged, in its manifest (:mod:`maillage.report.manifest`); otherwise the run stops
  with one line naming the foreign entries;
- the parent folder must be writable.

One run at a time writes a given folder: a second one fails at once (:func:`reserve_folder`,
an ``fcntl`` lock on ``.<name>.lock`` beside the folder, removed afterwards). The files
are written into ``.<name>.partial-<hex>`` beside the folder, which is then exchanged with
the folder in one step (Linux ``renameat2(RENAME_EXCHANGE)``); where that is not available,
files are moved in one by one under a manifest that accepts both versions, so the folder
always exists and always passes the checks. An existing folder keeps its permissions.
Leftover ``.partial-*`` and ``.old-*`` folders of a killed run are removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import logging
import os
import pwd
import re
import secrets
import shutil
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from maillage.errors import OptionError
from maillage.report.manifest import MANIFEST_NAME, foreign_entries, manifest_bytes
from maillage.sources import sha256_of

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = ["MANIFEST_NAME", "check_out_dir", "replace_folder", "reserve_folder"]

logger = logging.getLogger(__name__)

_HELD: dict[str, tuple[int, int]] = {}
"""Locks held by this process: lock path -> (file descriptor, depth); makes them reentrant."""
_SHOWN = 8
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _target(out_dir: str | Path) -> Path:
    """Return the folder a report at ``out_dir`` replaces: ``~`` expanded, links followed."""
    path = Path(out_dir).expanduser()
    if path.is_symlink() and not path.exists():
        msg = (
            f"out_dir {path} is a symbolic link to {path.readlink()}, which does not exist; "
            "create that folder or give another out_dir"
        )
        raise OptionError(msg)
    return path.resolve()


def _homes() -> set[Path]:
    homes = {Path.home().resolve()}
    with contextlib.suppress(OSError, KeyError):
        homes |= {Path(p.pw_dir).resolve() for p in pwd.getpwall() if p.pw_dir not in ("", "/")}
    return homes


def _refuse_protected(target: Path, given: str | Path) -> None:
    cwd = Path.cwd().resolve()
    why = None
    if target in _homes():
        why = "is a home folder"
    elif target.parent in (target, Path(target.anchor)):
        why = "is the filesystem root or a top-level folder"
    elif target == cwd:
        why = "is the current folder"
    elif target in cwd.parents:
        why = "holds the current folder"
    elif target.is_dir() and os.path.ismount(target):
        why = "is a mount point"
    if why is not None:
        msg = (
            f"out_dir {given} {why}; maillage replaces the report folder as a whole, so give "
            "a folder of its own, e.g. rapport/"
        )
        raise OptionError(msg)


def _refuse_foreign(target: Path, given: str | Path) -> None:
    if target.exists() and not target.is_dir():
        msg = f"out_dir {given} is a file; give a folder for the report"
        raise OptionError(msg)
    if not target.is_dir():
        return
    foreign = foreign_entries(target)
    if foreign:
        more = f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
        msg = (
            f"out_dir {given} holds what maillage did not write there: "
            f"{', '.join(foreign[:_SHOWN])}{more}; maillage replaces only a folder that is "
            "empty or holds its own unchanged report: move these away or give another out_dir"
        )
        raise OptionError(msg)


def _refuse_unwritable(target: Path, given: str | Path) -> None:
    existing = target.parent
    while not existing.exists():
        existing = existing.parent
    problem = None
    if not existing.is_dir():
        problem = f"{existing} is a file"
    elif not os.access(existing, os.W_OK | os.X_OK):
        problem = f"{existing} is not writable"
    elif os.statvfs(existing).f_flag & os.ST_RDONLY:
        problem = f"{existing} is on a read-only filesystem"
    if problem is not None:
        msg = f"out_dir {given} cannot be written: {problem}; give another out_dir"
        raise OptionError(msg)


def check_out_dir(out_dir: str | Path) -> Path:
    """Refuse an ``out_dir`` that a report must not replace; return the folder it replaces.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The report folder (may not exist yet); ``~`` is expanded, links are followed.

    Returns
    -------
    pathlib.Path
        The absolute folder that will be replaced.

    Raises
    ------
    OptionError
        ``out_dir`` is a file, a link to nothing, a protected folder (root, top-level,
        home, current folder or its parents, mount point), holds anything maillage did not
        write there (the entries are named), or cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> check_out_dir(Path(tempfile.mkdtemp()) / "new").name
    'new'
    >>> check_out_dir("/")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    maillage.errors.OptionError: out_dir / is the filesystem root or a top-level folder; ...
    """
    target = _target(out_dir)
    _refuse_protected(target, out_dir)
    _refuse_foreign(target, out_dir)
    _refuse_unwritable(target, out_dir)
    return target


def _lock(path: Path, given: str | Path) -> int:
    """Take the lock at ``path`` without waiting; return its file descriptor."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            msg = (
                f"out_dir {given} is being written by another maillage run (process "
                f"{holder}); wait for it to end or give another out_dir"
            )
            raise OptionError(msg) from None
        try:
            same = os.fstat(fd).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:  # else the previous holder removed it meanwhile: take the new one
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)


def _clean_leftovers(target: Path) -> None:
    """Remove the ``.partial-*`` and ``.old-*`` folders a killed run left beside ``target``."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(partial|old)-[A-Za-z0-9_]{{6,}}")
    for path in target.parent.iterdir():
        if not pattern.fullmatch(path.name) or path.is_symlink() or not path.is_dir():
            continue
        if all(p.is_file() and not p.is_symlink() for p in path.iterdir()):
            logger.info("removing %s, left by an interrupted run", path)
            shutil.rmtree(path)


def _made_parents(target: Path) -> list[Path]:
    missing = [p for p in reversed(target.parents) if not p.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    return missing


@contextlib.contextmanager
def reserve_folder(out_dir: str | Path) -> Iterator[Path]:
    """Check ``out_dir`` and hold its lock for a whole run (reentrant within a process).

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The report folder, as for :func:`check_out_dir`.

    Yields
    ------
    pathlib.Path
        The folder that will be replaced (see :func:`check_out_dir`).

    Raises
    ------
    OptionError
        As :func:`check_out_dir`, or another run holds the lock (no waiting).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with reserve_folder(Path(tempfile.mkdtemp()) / "r") as target:
    ...     sorted(p.name for p in target.parent.iterdir())
    ['.r.lock']
    """
    target = _target(out_dir)
    lock = target.parent / f".{target.name}.lock"
    key = str(lock)
    if key in _HELD:  # this process holds it: the checks were made when it was taken
        fd, depth = _HELD[key]
        _HELD[key] = (fd, depth + 1)
        try:
            yield target
        finally:
            _HELD[key] = (fd, depth)
        return
    check_out_dir(out_dir)
    made = _made_parents(target)
    try:
        fd = _lock(lock, out_dir)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir()
        raise
    _HELD[key] = (fd, 1)
    try:
        _clean_leftovers(target)
        yield target
    finally:
        del _HELD[key]
        lock.unlink(missing_ok=True)
        os.close(fd)
        if not target.exists():
            for path in reversed(made):
                with contextlib.suppress(OSError):
                    path.rmdir()


def replace_folder(out_dir: str | Path, files: Mapping[str, bytes]) -> Path:
    """Write ``files`` and their manifest into a new folder that replaces ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The report folder (see :func:`check_out_dir`); its parents are created.
    files : mapping of str to bytes
        File name to content; names are plain file names.

    Returns
    -------
    pathlib.Path
        ``out_dir`` with ``~`` expanded.

    Raises
    ------
    OptionError
        As :func:`reserve_folder`; checked again just before the folder is replaced.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = replace_folder(Path(tempfile.mkdtemp()) / "r", {"a.txt": b"1"})
    >>> sorted(p.name for p in out.iterdir())
    ['.maillage-manifest.json', 'a.txt']
    """
    bad = [n for n in files if n in ("", ".", "..", MANIFEST_NAME) or "/" in n or "\0" in n]
    if bad:
        msg = f"files: {bad} cannot be written into a report folder"
        raise ValueError(msg)
    with reserve_folder(out_dir) as target:
        new = _write_partial(target, files)
        try:
            _refuse_foreign(target, out_dir)  # anything added while the report was computed
            _swap(new, target, files)
        finally:
            if new.exists():
                shutil.rmtree(new, ignore_errors=True)
    return Path(out_dir).expanduser()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_partial(target: Path, files: Mapping[str, bytes]) -> Path:
    """Write the files and the manifest into a new folder beside ``target``."""
    new = target.parent / f".{target.name}.partial-{secrets.token_hex(4)}"
    new.mkdir(0o777)  # the umask applies: the mode of a new report folder
    mode = (
        stat.S_IMODE(target.stat().st_mode) if target.is_dir() else stat.S_IMODE(new.stat().st_mode)
    )
    try:
        new.chmod(0o700)
        for name, content in [*files.items(), (MANIFEST_NAME, manifest_bytes(files))]:
            logger.info("writing %s", name)
            with (new / name).open("wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        new.chmod(mode)
        _fsync(new)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return new


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(new: Path, target: Path, files: Mapping[str, bytes]) -> None:
    """Put ``new`` in place of ``target``; ``target`` exists at every moment once it did."""
    if not target.exists():
        new.rename(target)
    elif _exchange(new, target):
        logger.debug("report folder exchanged in one step")
        shutil.rmtree(new)  # now the previous report
    else:
        _move_in(new, target, files)
    _fsync(target.parent)


def _move_in(new: Path, target: Path, files: Mapping[str, bytes]) -> None:
    """Replace the files of ``target`` one by one, under a manifest accepting both versions."""
    old = {p.name: sha256_of(p, memo=False) for p in target.iterdir() if p.name != MANIFEST_NAME}
    bridge = new / f"{MANIFEST_NAME}.bridge"
    bridge.write_bytes(manifest_bytes(files, replacing=old))
    bridge.replace(target / MANIFEST_NAME)
    for name in files:
        (new / name).replace(target / name)
    for name in set(old) - set(files):
        (target / name).unlink()
    (new / MANIFEST_NAME).replace(target / MANIFEST_NAME)
    new.rmdir()
