"""Cache entries that are never silently wrong: each file carries a content hash and a schema.

maillage caches what is slow to rebuild (a parsed road graph, the harmonised communes). Each
entry is one file, written to a temporary name then renamed, that holds a *stamp*: the
entry's kind, the schema version of the code that wrote it, :data:`ENTRY_FORMAT` and the
SHA-256 of its content. Reading checks all of them. A truncated, emptied, garbled or
edited entry, or one from another schema, is reported in a
:class:`~maillage.errors.MaillageWarning`, deleted, and the caller rebuilds it from source.
Nothing is ever unpickled (``np.load(allow_pickle=False)``).

- numpy archives (:func:`save_arrays`, :func:`load_arrays`): the stamp is one more member,
  the hash covers every array (name, dtype, shape, bytes) and the metadata;
- frames as (Geo)Parquet (:func:`save_frame`, :func:`load_frame`): the stamp is stored in
  the frame's attributes (Parquet metadata), the hash covers the index, every column and the
  geometries as WKB (:func:`frame_digest`).

Examples
--------
>>> import tempfile
>>> import numpy as np
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "entry.npz"
>>> save_arrays(path, {"w": np.arange(3.0)}, kind="demo", schema=1, meta={"a": 1})
>>> arrays, meta = load_arrays(path, kind="demo", schema=1)
>>> arrays["w"].tolist(), meta
([0.0, 1.0, 2.0], {'a': 1})
>>> load_arrays(path.with_name("missing.npz"), kind="demo", schema=1) is None
True
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from maillage.errors import MaillageWarning

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    import geopandas as gpd
    import pandas as pd

__all__ = [
    "ENTRY_FORMAT",
    "arrays_digest",
    "discard_entry",
    "frame_digest",
    "load_arrays",
    "load_frame",
    "save_arrays",
    "save_frame",
]

logger = logging.getLogger(__name__)

ENTRY_FORMAT = 1
"""Version of the stamp layout; part of the cache keys, so older entries are never read."""

_STAMP = "__maillage_stamp__"


class _BadEntryError(Exception):
    """A cache entry that must not be used; the message says why."""


def _stamp(kind: str, schema: int | str, digest: str) -> dict[str, Any]:
    return {"kind": kind, "schema": str(schema), "format": ENTRY_FORMAT, "sha256": digest}


def _check_stamp(found: object, expected: dict[str, Any]) -> None:
    if not isinstance(found, dict):
        raise _BadEntryError("no integrity stamp")
    for key in ("kind", "schema", "format"):
        if found.get(key) != expected[key]:
            msg = f"{key} {found.get(key)!r} where {expected[key]!r} is expected"
            raise _BadEntryError(msg)
    if found.get("sha256") != expected["sha256"]:
        raise _BadEntryError("its content does not match its hash (truncated or edited)")


def discard_entry(path: Path, reason: str) -> None:
    """Warn that the cache entry at ``path`` is unusable, and delete it.

    Parameters
    ----------
    path : pathlib.Path
        The entry.
    reason : str
        Why it cannot be used.
    """
    warnings.warn(
        f"cache entry {path} is unusable ({reason}); deleted, it is rebuilt from source",
        MaillageWarning,
        stacklevel=3,
    )
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("cannot delete the unusable cache entry %s: %s", path, exc)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Create ``path`` (and its folder) through ``write`` on a temporary file, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_checked[T](path: Path, read: Callable[[Path], T]) -> T | None:
    """Return ``read(path)``; None when there is no entry or it is unusable (then discarded)."""
    if not path.is_file():
        return None
    try:
        return read(path)
    except _BadEntryError as exc:
        discard_entry(path, str(exc))
    except Exception as exc:  # whatever a broken file raises, it is rebuilt
        discard_entry(path, f"unreadable: {type(exc).__name__}")
    return None


def arrays_digest(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> str:
    """Return the SHA-256 of named arrays (name, dtype, shape, bytes) and JSON metadata.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        The arrays.
    meta : mapping
        JSON-serialisable metadata.

    Returns
    -------
    str
        Hex digest.

    Examples
    --------
    >>> a = arrays_digest({"w": np.array([1.0])}, {})
    >>> a == arrays_digest({"w": np.array([100.0])}, {})
    False
    """
    digest = hashlib.sha256(json.dumps(meta, sort_keys=True).encode())
    for name in sorted(arrays):
        values = np.ascontiguousarray(arrays[name])
        digest.update(f"|{name}|{values.dtype.str}|{values.shape}|".encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


def save_arrays(
    path: Path,
    arrays: Mapping[str, np.ndarray],
    *,
    kind: str,
    schema: int | str,
    meta: Mapping[str, Any],
) -> None:
    """Write arrays, metadata and their stamp to ``path`` (``.npz``), atomically.

    Parameters
    ----------
    path : pathlib.Path
        Target file; its folder is created.
    arrays : mapping of str to numpy.ndarray
        The arrays (no object arrays); ``meta`` is a reserved name.
    kind : str
        What the entry holds, e.g. ``"road-graph"``.
    schema : int or str
        Version of the code that builds the entry.
    meta : mapping
        JSON-serialisable metadata.
    """
    stamp = _stamp(kind, schema, arrays_digest(arrays, meta))
    members: dict[str, Any] = {
        _STAMP: np.array(json.dumps(stamp)),
        "meta": np.array(json.dumps(meta)),
        **arrays,
    }

    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            np.savez(fh, **members)

    _write_atomically(path, write)


def _read_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any], object]:
    with path.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    if _STAMP not in arrays or "meta" not in arrays:
        raise _BadEntryError("no integrity stamp")
    stamp = json.loads(str(arrays.pop(_STAMP)))
    meta = json.loads(str(arrays.pop("meta")))
    return arrays, meta, stamp


def load_arrays(
    path: Path, *, kind: str, schema: int | str
) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """Read an entry written by :func:`save_arrays`; None when missing or unusable.

    Parameters
    ----------
    path : pathlib.Path
        The entry.
    kind, schema
        What the caller expects (as given to :func:`save_arrays`).

    Returns
    -------
    tuple of (dict, dict) or None
        The arrays and the metadata. None when there is no entry, or when it is unusable
        (unreadable, no stamp, other kind or schema, content not matching its hash): it is
        then reported in a :class:`~maillage.errors.MaillageWarning` and deleted.
    """

    def read(entry: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays, meta, stamp = _read_arrays(entry)
        _check_stamp(stamp, _stamp(kind, schema, arrays_digest(arrays, meta)))
        return arrays, meta

    return _read_checked(path, read)


def frame_digest(frame: pd.DataFrame) -> str:
    """Return the SHA-256 of a frame's index, column names and values, geometries as WKB.

    It is the same for a frame and for that frame written to Parquet and read back.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The frame.

    Returns
    -------
    str
        Hex digest, the same after a Parquet round trip.

    Examples
    --------
    >>> import pandas as pd
    >>> frame_digest(pd.DataFrame({"a": [1]})) == frame_digest(pd.DataFrame({"a": [2]}))
    False
    """
    import pandas as pd  # noqa: PLC0415 - only the Parquet entries need it
    import shapely  # noqa: PLC0415 - only the Parquet entries need it

    digest = hashlib.sha256()
    columns = [("index", frame.index.to_series()), *((str(c), frame[c]) for c in frame.columns)]
    for name, values in columns:
        digest.update(f"|{name}|{len(values)}|".encode())
        if getattr(values.dtype, "name", "") == "geometry":
            wkb = shapely.to_wkb(np.asarray(values, dtype=object), include_srid=False)
            for blob in wkb:
                digest.update(b"-" if blob is None else len(blob).to_bytes(8, "little") + blob)
        else:
            digest.update(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def save_frame(
    path: Path, frame: pd.DataFrame | gpd.GeoDataFrame, *, kind: str, schema: int | str
) -> None:
    """Write a frame and its stamp to ``path`` (GeoParquet for a GeoDataFrame), atomically.

    Parameters
    ----------
    path, kind, schema
        As in :func:`save_arrays` (e.g. ``kind="communes"``).
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The frame; its ``attrs`` (JSON-serialisable) are stored too, outside the hash.
    """
    stored = frame.copy()
    stored.attrs = {**frame.attrs, _STAMP: _stamp(kind, schema, frame_digest(frame))}

    def write(tmp: Path) -> None:
        stored.to_parquet(tmp)
        tmp.chmod(0o644)

    _write_atomically(path, write)


def _read_frame(path: Path) -> pd.DataFrame:
    import geopandas as gpd  # noqa: PLC0415 - only the Parquet entries need it
    import pandas as pd  # noqa: PLC0415 - only the Parquet entries need it
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: PLC0415 - idem

    if b"geo" in (pq.read_schema(path).metadata or {}):
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def load_frame(path: Path, *, kind: str, schema: int | str) -> pd.DataFrame | None:
    """Read an entry written by :func:`save_frame`; None when missing or unusable.

    Parameters
    ----------
    path, kind, schema
        As in :func:`load_arrays`.

    Returns
    -------
    pandas.DataFrame, geopandas.GeoDataFrame or None
        The frame, with the ``attrs`` it was saved with. None when there is no entry, or
        when it is unusable: it is then reported in a
        :class:`~maillage.errors.MaillageWarning` and deleted.
    """

    def read(entry: Path) -> pd.DataFrame:
        frame = _read_frame(entry)
        _check_stamp(frame.attrs.pop(_STAMP, None), _stamp(kind, schema, frame_digest(frame)))
        return frame

    return _read_checked(path, read)
