"""Validated options: data directory, cache directory, offline flag.

Options are read from the environment when first accessed (never at import) and can be
set in code. Unknown names are rejected.

Examples
--------
>>> from maillage import options
>>> sorted(options.names())
['cache_dir', 'data_dir', 'offline']
>>> options.offline = "yes"
Traceback (most recent call last):
...
maillage.errors.OptionError: option 'offline' must be a bool, got str 'yes'
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maillage.errors import OptionError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Options", "options"]

_ENV = {
    "data_dir": "MAILLAGE_DATA_DIR",
    "cache_dir": "MAILLAGE_CACHE_DIR",
    "offline": "MAILLAGE_OFFLINE",
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _default_cache_dir() -> Path:
    import platformdirs  # noqa: PLC0415 - only needed when the option is read

    return Path(platformdirs.user_cache_dir("maillage"))


def _as_path(name: str, value: object) -> Path | None:
    if value is None:
        return None
    if isinstance(value, str | os.PathLike):
        return Path(value).expanduser()
    msg = f"option {name!r} must be a path or None, got {type(value).__name__} {value!r}"
    raise OptionError(msg)


def _as_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    msg = f"option {name!r} must be a bool, got {type(value).__name__} {value!r}"
    raise OptionError(msg)


class Options:
    """Process-wide settings of maillage.

    Attributes
    ----------
    data_dir : pathlib.Path or None
        Folder laid out like the project's data mirror (``venues/...``, ``osm/...``).
        Files found there are used instead of downloading. Environment:
        ``MAILLAGE_DATA_DIR``.
    cache_dir : pathlib.Path
        Where downloads and parsed road graphs are cached. Default: the OS user cache
        folder. Environment: ``MAILLAGE_CACHE_DIR``.
    offline : bool
        Never download; a missing file is an error saying where to put it.
        Environment: ``MAILLAGE_OFFLINE`` (``1``/``0``).

    Examples
    --------
    >>> from maillage import options
    >>> with options.set(offline=True):
    ...     options.offline
    True
    >>> options.colour = "blue"
    Traceback (most recent call last):
    ...
    maillage.errors.OptionError: unknown option 'colour'; options are data_dir, cache_dir, offline
    """

    _NAMES = ("data_dir", "cache_dir", "offline")

    def __init__(self) -> None:
        object.__setattr__(self, "_values", {})

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Return the names of the options."""
        return cls._NAMES

    def _from_env(self, name: str) -> Any:
        raw = os.environ.get(_ENV[name])
        if name == "offline":
            if raw is None:
                return False
            if raw.strip().lower() in _TRUE:
                return True
            if raw.strip().lower() in _FALSE:
                return False
            msg = f"environment variable {_ENV[name]}={raw!r} is not a boolean; use 1 or 0"
            raise OptionError(msg)
        if raw:
            return Path(raw).expanduser()
        return _default_cache_dir() if name == "cache_dir" else None

    def __getattr__(self, name: str) -> Any:
        if name not in self._NAMES:
            msg = f"unknown option {name!r}; options are {', '.join(self._NAMES)}"
            raise OptionError(msg)
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        return self._from_env(name)

    def __setattr__(self, name: str, value: object) -> None:
        if name not in self._NAMES:
            msg = f"unknown option {name!r}; options are {', '.join(self._NAMES)}"
            raise OptionError(msg)
        checked = _as_bool(name, value) if name == "offline" else _as_path(name, value)
        if name == "cache_dir" and checked is None:
            checked = _default_cache_dir()
        self._values[name] = checked

    def reset(self) -> None:
        """Forget values set in code; fall back to the environment and defaults."""
        self._values.clear()

    @contextmanager
    def set(self, **values: object) -> Iterator[Options]:
        """Set options temporarily, within a ``with`` block.

        Parameters
        ----------
        **values
            Option names and values.

        Yields
        ------
        Options
            This object.
        """
        saved = dict(self._values)
        try:
            for name, value in values.items():
                setattr(self, name, value)
            yield self
        finally:
            self._values.clear()
            self._values.update(saved)

    def __repr__(self) -> str:
        items = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._NAMES)
        return f"Options({items})"


options = Options()
