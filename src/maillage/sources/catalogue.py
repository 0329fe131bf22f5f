"""The catalogue file (package data ``data/catalogue.toml``), its tables, and where files are looked for.

The catalogue is data, not code: each ``[[dataset]]`` of the file becomes a
:class:`~maillage.sources.Dataset`, each ``[[insee_commute_file]]`` an
:class:`~maillage.sources.commutes.InseeCommuteFile`. Adding a dataset is adding a table to
the file (its comments say what each key means).

Examples
--------
>>> tables = catalogue_tables()
>>> [entry["name"] for entry in tables["dataset"]][:2]
['cget-tiers-lieux-2019', 'france-services-2024-08-01']
>>> tables["insee_commute_file"][0]["vintage"]
2017
"""

from __future__ import annotations

import copy
import functools
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maillage.errors import OptionError
from maillage.options import options

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["CATALOGUE_FILE", "catalogue_tables", "find_entry", "lookup_dirs"]

CATALOGUE_FILE = "catalogue.toml"
"""Name of the catalogue in the package's ``data`` folder."""


def catalogue_tables() -> dict[str, list[dict[str, Any]]]:
    """Return the catalogue file's arrays of tables by kind, entries in file order.

    Returns
    -------
    dict of str to list of dict
        ``"dataset"`` and ``"insee_commute_file"``: one dict per table, a copy of the file
        read once per process (the caller may keep or change it).

    Examples
    --------
    >>> sorted(catalogue_tables()["dataset"][0])  # doctest: +NORMALIZE_WHITESPACE
    ['attribution', 'files', 'licence', 'name', 'producer', 'reader', 'title', 'upstream',
     'vintage']
    """
    return copy.deepcopy(_parsed())


@functools.cache
def _parsed() -> dict[str, list[dict[str, Any]]]:
    text = (files("maillage") / "data" / CATALOGUE_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def find_entry[T](table: Mapping[str, T], name: str, what: str) -> T:
    """Return ``table[name]``; an unknown name is an :class:`~maillage.errors.OptionError`.

    Parameters
    ----------
    table : mapping of str to entry
        A catalogue table by name (:data:`~maillage.sources.CATALOGUE`, ...).
    name : str
        Key looked for.
    what : str
        What the table holds, for the message (``"dataset"``).

    Returns
    -------
    entry
        The entry called ``name``.

    Raises
    ------
    OptionError
        If no entry has that name; the message lists the known names, sorted.

    Examples
    --------
    >>> find_entry({"a": 1, "b": 2}, "c", "number")
    Traceback (most recent call last):
    ...
    maillage.errors.OptionError: unknown number 'c'; the catalogue knows: a, b
    """
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        msg = f"unknown {what} {name!r}; the catalogue knows: {known}"
        raise OptionError(msg) from None


def lookup_dirs(
    data_dir: Path | str | None, offline: bool | None
) -> tuple[Path | None, bool, Path]:
    """Return the data directory, the offline flag and the cache directory of one fetch.

    Parameters
    ----------
    data_dir : path or None
        Data directory given by the caller; None falls back to ``options.data_dir``.
    offline : bool or None
        Whether downloads are forbidden; None falls back to ``options.offline``.

    Returns
    -------
    tuple of (pathlib.Path or None, bool, pathlib.Path)
        Data directory (None when there is none), offline flag, ``options.cache_dir``.

    Examples
    --------
    >>> with options.set(data_dir=None, offline=False):
    ...     root, offline, cache_dir = lookup_dirs("mirror", None)
    >>> root.name, offline, cache_dir == options.cache_dir
    ('mirror', False, True)
    """
    root = Path(data_dir) if data_dir is not None else options.data_dir
    return root, options.offline if offline is None else offline, Path(options.cache_dir)
