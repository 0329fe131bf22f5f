"""The loader boundary: what a parser raises on a malformed file becomes an :class:`~maillage.errors.InputDataError`.

pandas, pyogrio, pyarrow, openpyxl and zipfile each raise their own errors on an empty,
truncated or garbled file (``EmptyDataError``, ``ParserError``, ``ArrowInvalid``,
``DataSourceError``, ``BadZipFile``...). Every reader of a user's file runs inside
:func:`reading`, so a caller (and the command line) sees one error type whose message names
the file and what is wrong with it.

Examples
--------
>>> import pandas as pd, tempfile
>>> from pathlib import Path
>>> empty = Path(tempfile.mkdtemp()) / "lieux.csv"
>>> _ = empty.write_text("")
>>> with reading(empty, name="source"):  # doctest: +ELLIPSIS
...     pd.read_csv(empty)
Traceback (most recent call last):
...
maillage.errors.InputDataError: source '.../lieux.csv' is empty: no header, no rows
"""

from __future__ import annotations

import contextlib
import csv
import lzma
import zipfile
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

from maillage.errors import InputDataError, MaillageError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["parser_errors", "reading"]

_SHORT = 200


def parser_errors() -> tuple[type[BaseException], ...]:
    """Return the exception types that parsers raise on a malformed file.

    Returns
    -------
    tuple of exception types
        ``ValueError`` (pandas' ``EmptyDataError`` and ``ParserError``, pyarrow's
        ``ArrowInvalid``, ``UnicodeDecodeError``, JSON errors), pyarrow's
        ``ArrowException``, pyogrio's ``DataSourceError`` and ``DataLayerError``, openpyxl's
        ``InvalidFileException``, ``zipfile.BadZipFile``, ``lzma.LZMAError``, ``EOFError``,
        ``csv.Error``, XML ``ParseError``, and ``KeyError`` / ``IndexError`` raised while a
        garbled file is decoded.
    """
    found: list[type[BaseException]] = [
        ValueError,
        EOFError,
        KeyError,
        IndexError,
        zipfile.BadZipFile,
        lzma.LZMAError,
        csv.Error,
        ParseError,
    ]
    with contextlib.suppress(ImportError):
        import pyarrow  # type: ignore[import-untyped]  # noqa: PLC0415 - only its error type

        found.append(pyarrow.ArrowException)
    with contextlib.suppress(ImportError):
        import pyogrio.errors  # noqa: PLC0415 - optional here: only its error types are needed

        found += [pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError]
    with contextlib.suppress(ImportError):
        from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415 - optional

        found.append(InvalidFileException)
    return tuple(found)


def _what(exc: BaseException) -> str:
    if type(exc).__name__ == "EmptyDataError":
        return "is empty: no header, no rows"
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > _SHORT:
        text = text[: _SHORT - 1] + "…"
    return f"cannot be read ({type(exc).__name__}: {text})"


@contextlib.contextmanager
def reading(path: str | Path, *, name: str = "source", hint: str = "") -> Iterator[None]:
    """Turn a parser's error on ``path`` into an :class:`~maillage.errors.InputDataError`.

    Errors of maillage itself pass through unchanged.

    Parameters
    ----------
    path : str or pathlib.Path
        The file being read, named in the message.
    name : str
        The parameter that gave the file (``"source"``, ``"previous"``...).
    hint : str
        What to do about it, appended to the message.

    Yields
    ------
    None
        Run the reader inside the ``with`` block.

    Raises
    ------
    InputDataError
        When the reader raised one of :func:`parser_errors`; chained to it.
    """
    try:
        yield
    except MaillageError:
        raise
    except parser_errors() as exc:
        msg = f"{name} {str(path)!r} {_what(exc)}"
        if hint:
            msg += f"; {hint}"
        raise InputDataError(msg) from exc
