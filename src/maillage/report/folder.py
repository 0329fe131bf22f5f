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
- the parent folder must be writable, and the filesystem must hold the internal names.

One run at a time writes a given folder: a second one fails at once (:func:`reserve_folder`,
the lock ``.<name>.lock`` beside the folder, :mod:`maillage.report.lock`: opened without
following links, refused when maillage did not create it, removed afterwards). The files
are written into ``.<name>.partial-<id>`` beside the folder (its marker file, naming it,
written first), which then replaces the folder:

- in one step where the system can (Linux ``renameat2(RENAME_EXCHANGE)``);
- elsewhere (other systems, some network filesystems) in two renames: the folder is set
  aside as ``.<name>.old-<id>``, the new one renamed in its place. A run killed between
  the two leaves no folder at ``out_dir``: the next run (or the interrupted command) puts
  the previous report back, whole. So after a kill at any moment ``out_dir`` holds a whole
  old or a whole new report, never a mix.

An existing folder keeps its permissions. Leftover ``.partial-<id>`` and ``.old-<id>``
folders of a killed run are removed by the next run only when maillage provably wrote them:
their marker names them, or their manifest lists everything in them, unchanged (a user's
``.rapport.old-backup2023`` is never touched). A name too long for the filesystem (with the
internal names' 18 more characters) is refused before anything is computed; a full disk or
a file-size limit is reported in French, the previous report left whole.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import re
import secrets
import shutil
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from maillage.errors import MaillageError, OptionError
from maillage.report.lock import release_lock, take_lock
from maillage.report.manifest import (
    CHANGED,
    MANIFEST_NAME,
    foreign_entries,
    manifest_bytes,
    read_manifest,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "MANIFEST_NAME",
    "check_out_dir",
    "put_back_aside",
    "replace_folder",
    "reserve_folder",
    "writing_errors",
]

logger = logging.getLogger(__name__)

_HELD: dict[str, tuple[int, int]] = {}
"""Locks held by this process: lock path -> (file descriptor, depth); makes them reentrant."""
_SHOWN = 8
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_ID_BYTES = 4
_MARKER = ".maillage-partial"
"""Written first into a folder being filled, holding its name: proof that maillage made it."""
_LONGEST = ".{}.partial-" + "0" * 2 * _ID_BYTES
_NAME_MAX = 255
_FULL = {
    errno.ENOSPC: "le disque est plein",
    errno.EFBIG: "la taille de fichier permise (ulimit -f) est dépassée",
    getattr(errno, "EDQUOT", -1): "le quota de disque est atteint",
}


def _target(out_dir: str | Path) -> Path:
    """Return the folder a report at ``out_dir`` replaces: ``~`` expanded, links followed."""
    path = Path(out_dir).expanduser()
    try:
        dangling = path.is_symlink() and not path.exists()
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        msg = f"out_dir {out_dir} : nom trop long pour ce système de fichiers ; donnez-en un plus court"
        raise OptionError(msg) from None
    if dangling and not _aside(path.resolve()):
        msg = (
            f"out_dir {path} is a symbolic link to {path.readlink()}, which does not exist; "
            "create that folder or give another out_dir"
        )
        raise OptionError(msg)
    return path.resolve()


def _homes() -> set[Path]:
    homes = {Path.home().resolve()}
    try:
        import pwd  # noqa: PLC0415 - Unix only: the other users' homes, where there are any
    except ImportError:
        return homes
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


EDIT_HINT = (
    "pour changer le texte de la page, ne modifiez pas report.html : donnez son titre, son "
    "sous-titre et son introduction (fichier Markdown) par --title, --subtitle et --intro "
    "en ligne de commande, ou write_report(title=..., subtitle=..., intro=...) en Python"
)
"""What the refusal of an edited report.html says: the official way to edit the page's text."""


def _refuse_foreign(target: Path, given: str | Path) -> None:
    if target.exists() and not target.is_dir():
        msg = f"out_dir {given} est un fichier : donnez un dossier pour le rapport"
        raise OptionError(msg)
    if not target.is_dir():
        return
    foreign = foreign_entries(target)
    if foreign:
        more = f" et {len(foreign) - _SHOWN} autres" if len(foreign) > _SHOWN else ""
        hint = f" ; {EDIT_HINT}" if f"report.html {CHANGED}" in foreign else ""
        msg = (
            f"out_dir {given} contient ce que maillage n'y a pas écrit : "
            f"{', '.join(foreign[:_SHOWN])}{more} ; maillage ne remplace qu'un dossier vide "
            "ou qui contient son propre rapport inchangé : déplacez ces fichiers ou donnez un "
            f"autre out_dir{hint}"
        )
        raise OptionError(msg)


def _refuse_long_names(target: Path, existing: Path, given: str | Path) -> None:
    """Refuse a name the filesystem cannot hold, the internal names beside it included."""
    try:
        limit = os.pathconf(existing, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no pathconf on Windows: its usual limit
        limit = _NAME_MAX
    missing = target.relative_to(existing).parts
    names = [*missing[:-1], _LONGEST.format(target.name)]
    longest = max(names, key=lambda name: len(os.fsencode(name)))
    if len(os.fsencode(longest)) > limit:
        spare = limit - len(os.fsencode(_LONGEST.format("")))
        msg = (
            f"out_dir {given} : nom trop long pour ce système de fichiers ({limit} octets "
            f"par nom au plus, et maillage écrit d'abord le rapport dans « {longest[:40]}… ») ; "
            f"donnez un nom de dossier de {spare} octets au plus"
        )
        raise OptionError(msg)


def _refuse_unwritable(target: Path, given: str | Path) -> None:
    existing = target.parent
    while not existing.exists():
        existing = existing.parent
    _refuse_long_names(target, existing, given)
    problem = None
    if not existing.is_dir():
        problem = f"{existing} is a file"
    elif not os.access(existing, os.W_OK | os.X_OK):
        problem = f"{existing} is not writable"
    elif hasattr(os, "statvfs") and os.statvfs(existing).f_flag & os.ST_RDONLY:
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
        write there (the entries are named), cannot be written, or has a name too long for
        its filesystem once the 18 characters of the internal ``.<name>.partial-<id>`` are
        added (in French, with the longest name that fits).

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


def _run_folders(target: Path, kind: str) -> list[Path]:
    """Return the ``.<name>.<kind>-<id>`` folders beside ``target`` (not links), by age."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.{kind}-[0-9a-f]{{{2 * _ID_BYTES}}}")
    with contextlib.suppress(FileNotFoundError):
        found = [
            path
            for path in target.parent.iterdir()
            if pattern.fullmatch(path.name) and path.is_dir() and not path.is_symlink()
        ]
        return sorted(found, key=lambda path: path.stat().st_mtime_ns)
    return []


def _written_by_maillage(folder: Path) -> bool:
    """Tell whether ``folder`` provably holds only what maillage wrote.

    Its marker names it (or, alone and empty, was being written), or its manifest lists
    everything in it, unchanged.
    """
    marker = folder / _MARKER
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if stat.S_ISREG(marker.lstat().st_mode):
            text = marker.read_text(encoding="utf-8")
            return text.strip() == folder.name or (text == "" and _names(folder) == [_MARKER])
    return read_manifest(folder) is not None and not foreign_entries(folder)


def _names(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir()]


def _aside(target: Path) -> list[Path]:
    """Return the whole reports set aside by a run killed while it replaced ``target``."""
    return [path for path in _run_folders(target, "old") if _written_by_maillage(path)]


def put_back_aside(target: Path) -> bool:
    """Put back the report that a killed run set aside, when ``target`` is missing.

    Parameters
    ----------
    target : pathlib.Path
        The report folder, as returned by :func:`check_out_dir`; call under its lock.

    Returns
    -------
    bool
        True when a report was put back.
    """
    if target.exists() or target.is_symlink():
        return False
    aside = _aside(target)
    if not aside:
        return False
    aside[-1].rename(target)
    _fsync(target.parent)
    logger.warning(
        "rapport précédent remis en place dans %s (une exécution avait été interrompue)",
        target.name,
    )
    return True


def _clean_leftovers(target: Path) -> None:
    """Remove the folders a killed run left beside ``target``, when maillage wrote them."""
    for path in _run_folders(target, "partial") + _run_folders(target, "old"):
        if not any(path.iterdir()):
            path.rmdir()
        elif _written_by_maillage(path):
            logger.info("removing %s, left by an interrupted run", path)
            _remove(path)


def _remove(folder: Path) -> None:
    """Remove a folder maillage wrote, its proof (marker, manifest) last.

    A kill meanwhile leaves a folder that the next run still knows as its own.
    """
    entries = sorted(folder.iterdir(), key=lambda path: path.name in (_MARKER, MANIFEST_NAME))
    for path in entries:
        path.unlink()
    folder.rmdir()


def _made_parents(target: Path) -> list[Path]:
    missing = [p for p in reversed(target.parents) if not p.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    return missing


@contextlib.contextmanager
def reserve_folder(out_dir: str | Path) -> Iterator[Path]:
    """Check ``out_dir`` and hold its lock for a whole run (reentrant within a process).

    Once the lock is taken, a report that a killed run set aside is put back
    (:func:`put_back_aside`) and the leftovers maillage provably wrote are removed.

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
        As :func:`check_out_dir`; or, in French, another run holds the lock (no waiting)
        or a link or a file that maillage did not write holds its name
        (:func:`maillage.report.lock.take_lock`).

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
        fd = take_lock(lock, out_dir)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir()
        raise
    _HELD[key] = (fd, 1)
    try:
        put_back_aside(target)
        _clean_leftovers(target)
        yield target
    finally:
        del _HELD[key]
        release_lock(fd, lock)
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
    with reserve_folder(out_dir) as target, writing_errors(out_dir):
        new = _write_partial(target, files)
        try:
            _refuse_foreign(target, out_dir)  # anything added while the report was computed
            _swap(new, target)
        finally:
            if new.exists():
                shutil.rmtree(new, ignore_errors=True)
    return Path(out_dir).expanduser()


@contextlib.contextmanager
def writing_errors(out_dir: str | Path) -> Iterator[None]:
    """Say in French that the disk is full or a file-size limit is reached, as ``OptionError``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The report folder, named in the message.

    Yields
    ------
    None
        Write inside the ``with`` block.

    Raises
    ------
    OptionError
        Chained to the ``OSError`` (``ENOSPC``, ``EFBIG``, ``EDQUOT``) raised in the block,
        or to an error of a library (not a Python built-in one) raised while a file-size
        limit (``ulimit -f``) is set: a library writing a file may lose the ``errno``.
    """
    try:
        yield
    except MaillageError:
        raise
    except Exception as exc:
        why = _FULL.get(exc.errno) if isinstance(exc, OSError) else None
        from_library = isinstance(exc, OSError) or type(exc).__module__ != "builtins"
        why = why or (_FULL[errno.EFBIG] if from_library and _size_limit_set() else None)
        if why is None:
            raise
        msg = (
            f"out_dir {out_dir} : {why} pendant l'écriture du rapport ; "
            "le dossier n'a pas été modifié : libérez de la place ou donnez un autre out_dir"
        )
        raise OptionError(msg) from exc


def _size_limit_set() -> bool:
    """Tell whether a file-size limit (``ulimit -f``) is set: a failed write then most likely hit it."""
    try:
        import resource  # noqa: PLC0415 - Unix only: read when a write failed
    except ImportError:
        return False
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return soft != resource.RLIM_INFINITY


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except PermissionError:  # Windows opens no folder: its renames are durable enough
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_partial(target: Path, files: Mapping[str, bytes]) -> Path:
    """Write the files and the manifest into a new folder beside ``target``, marked first."""
    new = target.parent / f".{target.name}.partial-{secrets.token_hex(_ID_BYTES)}"
    new.mkdir(0o777)  # the umask applies: the mode of a new report folder
    mode = (
        stat.S_IMODE(target.stat().st_mode) if target.is_dir() else stat.S_IMODE(new.stat().st_mode)
    )
    try:
        new.chmod(0o700)
        _write_file(new / _MARKER, f"{new.name}\n".encode())
        for name, content in [*files.items(), (MANIFEST_NAME, manifest_bytes(files))]:
            logger.info("writing %s", name)
            _write_file(new / name, content)
        (new / _MARKER).unlink()  # from here the complete manifest proves it
        new.chmod(mode)
        _fsync(new)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return new


def _write_file(path: Path, content: bytes) -> None:
    with path.open("wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # TypeError: no CDLL(None) on Windows
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


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``: a whole old or a whole new report at every moment."""
    if not target.exists():
        new.rename(target)
    elif _exchange(new, target):
        logger.debug("report folder exchanged in one step")
        _remove(new)  # now the previous report
    else:  # a kill between the renames leaves the old one aside: put back by the next run
        aside = target.parent / f".{target.name}.old-{new.name.rpartition('-')[2]}"
        target.rename(aside)
        new.rename(target)
        _fsync(target.parent)
        _remove(aside)
    _fsync(target.parent)
