"""The R data reader of the commute files (optional package ``rdata``), cached as Parquet.

The pure-Python reader ``rdata`` is slow on large files: a frame read once is cached in
``options.cache_dir`` under a hash of the file's content (never pickled).
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from pathlib import Path

import pandas as pd

from maillage.errors import InputDataError
from maillage.options import options
from maillage.sources import sha256_of
from maillage.sources.cache import ENTRY_FORMAT, load_frame, save_frame

__all__ = ["RDATA_INSTALL", "read_rdata"]

logger = logging.getLogger(__name__)

RDATA_INSTALL = "pip install rdata"
"""Install command of the optional R data reader."""
_RDATA_SCHEMA = "1"


def _rdata_module() -> object:
    try:
        import rdata  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        msg = (
            "reading R data files (.rda, .RData, .rds) needs the optional package rdata; "
            f"install it with: {RDATA_INSTALL} (or pip install 'maillage[commutes]')"
        )
        raise ImportError(msg) from exc
    return rdata


def _rdata_cache_path(path: Path) -> Path:
    text = f"{sha256_of(path)}:rdata-{_RDATA_SCHEMA}:entry-{ENTRY_FORMAT}"
    key = hashlib.sha256(text.encode()).hexdigest()[:20]
    return Path(options.cache_dir) / "commutes" / f"rdata-{key}.parquet"


def _write_atomic(frame: pd.DataFrame, target: Path) -> None:
    try:
        save_frame(target, frame, kind="rdata", schema=_RDATA_SCHEMA)  # with its content hash
    except OSError as exc:
        logger.warning("cannot cache %s: %s", target, exc)


def _parse_rdata(path: Path) -> pd.DataFrame:
    rdata = _rdata_module()
    with warnings.catch_warnings():
        # rdata names the R classes it falls back from (tbl_df -> data.frame): harmless
        warnings.simplefilter("ignore", UserWarning)
        try:
            if path.suffix.lower() == ".rds":
                objects = {"object": rdata.read_rds(path)}  # type: ignore[attr-defined]
            else:
                objects = rdata.read_rda(path)  # type: ignore[attr-defined]
        except Exception as exc:  # rdata raises bare errors on a damaged file
            msg = f"{path.name} cannot be read as R data: {exc}"
            raise InputDataError(msg) from exc
    frames = [v for v in objects.values() if isinstance(v, pd.DataFrame)]
    if not frames:
        msg = f"{path.name} holds no data frame (objects: {', '.join(objects)})"
        raise InputDataError(msg)
    return frames[0].reset_index(drop=True)


def read_rdata(path: Path | str) -> pd.DataFrame:
    """Return the first data frame of an R data file (``.rda``, ``.RData``, ``.rds``).

    The pure-Python reader ``rdata`` is slow on large files (about 50 s for the
    383,932 rows of Île-de-France 2014), so the frame is cached as Parquet in
    ``options.cache_dir`` under a hash of the file's content, and read from there next time.

    Parameters
    ----------
    path : path
        The R data file.

    Returns
    -------
    pandas.DataFrame
        Default index, the R columns as found.

    Raises
    ------
    ImportError
        When ``rdata`` is not installed (the message gives the install command).
    InputDataError
        When the file is not R data or holds no data frame.

    Examples
    --------
    >>> from maillage.sources import fetch
    >>> read_rdata(fetch("mobpro-reunion-2010")[0]).columns.tolist()
    ['HOME', 'WORK', 'FLOW', 'CONTI']
    """
    path = Path(path)
    cached = _rdata_cache_path(path)
    frame = load_frame(cached, kind="rdata", schema=_RDATA_SCHEMA)  # checked: hash and schema
    if frame is not None:
        return frame
    logger.info("reading R data %s (cached afterwards)", path.name)
    frame = _parse_rdata(path)
    _write_atomic(frame, cached)
    return frame
