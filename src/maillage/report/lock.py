"""The lock of a report folder: one run at a time, and never a file that maillage did not create.

The lock is the file ``.<name>.lock`` beside the report folder, holding ``maillage <pid>``.
It is opened without following links (``O_NOFOLLOW``), created with mode ``0o600``, and
used only when it is a regular file of the current user with no other name (one hard
link) that is empty or holds what a maillage run writes there: a link, a folder, a user's
file at that name is refused, named, and left untouched.

A run holds the lock with ``fcntl.flock`` (Linux, macOS...) or ``msvcrt.locking`` (Windows),
both imported only when a lock is taken; where neither exists, the lock file is created
exclusively and a leftover one must be removed by hand (the message says so). A lock held
by a killed run is released by the system, and the next run takes it over.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / ".r.lock"
>>> fd = take_lock(path, "r")
>>> path.read_text()
'maillage ...'
>>> release_lock(fd, path)
>>> path.exists()
False
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from typing import TYPE_CHECKING

from maillage.errors import OptionError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["release_lock", "take_lock"]

_CONTENT = re.compile(rb"(?:maillage )?\d*\n?")
"""What a lock may hold: nothing, or the process id a maillage run wrote (this layout or
the former one, a bare number)."""
_MOST = 64


def _locker() -> Callable[[int], bool] | None:
    """Return how to lock a file without waiting (True when taken), None where impossible."""
    try:
        import fcntl  # noqa: PLC0415 - Unix only: imported where a lock is taken
    except ImportError:
        pass
    else:

        def flock(fd: int) -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        return flock
    try:
        import msvcrt  # noqa: PLC0415 - Windows only: imported where a lock is taken
    except ImportError:
        return None

    def locking(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows only
        except OSError:
            return False
        return True

    return locking


def _refuse(path: Path, given: object, why: str) -> OptionError:
    msg = (
        f"out_dir {given} : {path} {why} ; maillage n'y touche pas : déplacez-le ou "
        "supprimez-le, ou donnez un autre out_dir"
    )
    return OptionError(msg)


def _open(path: Path, given: object, *, exclusive: bool) -> int:
    """Open the lock without following a link; refuse what maillage did not create."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_EXCL if exclusive else 0
    if not hasattr(os, "O_NOFOLLOW") and path.is_symlink():
        raise _refuse(path, given, "est un lien symbolique")
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        msg = (
            f"out_dir {given} est peut-être en cours d'écriture par une autre exécution de "
            f"maillage ({path} existe) ; si aucune ne tourne, supprimez {path}"
        )
        raise OptionError(msg) from None
    except OSError as exc:  # ELOOP: a link; EISDIR, EACCES...: not a file of ours
        why = "est un lien symbolique" if path.is_symlink() else f"ne s'ouvre pas ({exc.strerror})"
        raise _refuse(path, given, why) from None
    info = os.fstat(fd)
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = "n'est pas un fichier ordinaire"
    elif info.st_nlink != 1:
        problem = "a un autre nom (lien physique)"
    elif info.st_uid != owner:
        problem = "appartient à un autre utilisateur"
    if problem is not None:
        os.close(fd)
        raise _refuse(path, given, problem)
    return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), path.lstat())
    except FileNotFoundError:
        return False


def take_lock(path: Path, given: object) -> int:
    """Take the lock at ``path`` without waiting; return its file descriptor.

    Parameters
    ----------
    path : pathlib.Path
        The lock file, ``.<name>.lock`` beside the report folder.
    given : object
        The ``out_dir`` as given, named in the messages.

    Returns
    -------
    int
        The open file descriptor; give it to :func:`release_lock`.

    Raises
    ------
    OptionError
        In French: another run holds the lock (its process id is named), or ``path`` is a
        link, a folder, a file of another user or with another name, or a file that holds
        anything but a maillage process id.
    """
    locker = _locker()
    while True:  # without a lock call, the exclusive creation of the file is the lock
        fd = _open(path, given, exclusive=locker is None)
        if locker is not None and not locker(fd):
            try:
                holder = os.read(fd, _MOST).decode("ascii", "replace").split()[-1:] or ["?"]
            except OSError:  # Windows: the holder's locked byte cannot be read
                holder = ["?"]
            os.close(fd)
            msg = (
                f"out_dir {given} est en cours d'écriture par une autre exécution de maillage "
                f"(processus {holder[0]}) ; attendez qu'elle finisse ou donnez un autre out_dir"
            )
            raise OptionError(msg)
        if _same_file(fd, path):  # else its holder removed it meanwhile: take the new one
            break
        os.close(fd)
    content = os.read(fd, _MOST + 1)
    if len(content) > _MOST or not _CONTENT.fullmatch(content):
        os.close(fd)
        raise _refuse(path, given, "existe et n'a pas été écrit par maillage")
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"maillage {os.getpid()}\n".encode())
    return fd


def release_lock(fd: int, path: Path) -> None:
    """Remove the lock file and close it (in the order the system allows).

    Parameters
    ----------
    fd : int
        From :func:`take_lock`.
    path : pathlib.Path
        The lock file.
    """
    if sys.platform == "win32":  # an open file cannot be removed there
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return
    if _same_file(fd, path):
        path.unlink(missing_ok=True)
    os.close(fd)
