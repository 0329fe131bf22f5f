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

import codecs
import contextlib
import csv
import lzma
import zipfile
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

import numpy as np

from maillage.errors import InputDataError, MaillageError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["parser_errors", "reading", "text_encoding"]

_SHORT = 200
_CHUNK = 1 << 20
_BOMS = (  # the UTF-32 marks first: the UTF-16 little-endian one starts them
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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


def _first_bad_byte(path: str | Path, encoding: str) -> tuple[int, int, str] | None:
    r"""Decode the whole file; return (line, byte offset, byte) of the first error, or None.

    The file is read by chunks, so a file of any size needs little memory. The line is
    counted from 1 by ``\n`` bytes (for UTF-16/32, by decoded line ends).
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    fed = lines = 0
    byte_lines = encoding.startswith("utf-8") or encoding == "cp1252"
    with open(path, "rb") as fh:  # noqa: PTH123 - a plain binary read
        while True:
            chunk = fh.read(_CHUNK)
            held = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = exc.object
                if byte_lines:
                    lines += data[: exc.start].count(b"\n") - data[:held].count(b"\n")
                bad = data[exc.start : exc.start + 1].hex()
                return lines + 1, fed - held + exc.start, bad
            lines += chunk.count(b"\n") if byte_lines else text.count("\n")
            fed += len(chunk)
            if not chunk:
                return None


def _has_utf8_letters(path: str | Path) -> bool:
    """Tell whether the file holds a UTF-8 accented Latin letter or French punctuation.

    In Windows-1252 these bytes read ``Ã©``, ``â€™``: never French text, so one of them
    proves the file is UTF-8 (vectorised: a 200 MB file in about a second).
    """
    with open(path, "rb") as fh:  # noqa: PTH123 - a plain binary read
        tail = b""
        while chunk := fh.read(_CHUNK):
            data = np.frombuffer(tail + chunk, dtype=np.uint8)
            follow = (data >= 0x80) & (data <= 0xBF)
            letter = (data[:-1] >= 0xC3) & (data[:-1] <= 0xC5) & follow[1:]
            mark = (data[:-2] == 0xE2) & (data[1:-1] <= 0x82) & follow[1:-1] & follow[2:]
            if letter.any() or mark.any():
                return True
            tail = chunk[-2:]
    return False


def text_encoding(path: str | Path, *, name: str = "source") -> str:
    r"""Return the encoding of a text file, having decoded all of it: never a silent guess.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); without one, the file is UTF-8 when
    all of it decodes as UTF-8, else Windows-1252 when it holds no UTF-8 accented letter
    and all of it decodes as Windows-1252. A UTF-8 file with a few bad bytes is refused,
    naming the first one: it is never read as Windows-1252, which would garble every
    accented name (``Café`` read ``CafÃ©``).

    Parameters
    ----------
    path : str or pathlib.Path
        The text file (CSV, TSV...).
    name : str
        The parameter that gave the file, named in the message.

    Returns
    -------
    str
        A codec name for :func:`open` and :func:`pandas.read_csv`: ``"utf-8"``,
        ``"utf-8-sig"``, ``"utf-16"``, ``"utf-32"`` or ``"cp1252"``.

    Raises
    ------
    InputDataError
        In French, naming the line and byte offset of the first byte that does not decode.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "lieux.csv"
    >>> _ = path.write_bytes("nom\nCafé\n".encode("cp1252"))
    >>> text_encoding(path)
    'cp1252'
    >>> _ = path.write_bytes(b"nom\nCaf\xc3\xa9\nBad\xff\n")
    >>> text_encoding(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: source '.../lieux.csv' : fichier en UTF-8 ... ligne 3 ...
    """
    with open(path, "rb") as fh:  # noqa: PTH123 - a plain binary read
        head = fh.read(4)
    marked = next((enc for bom, enc in _BOMS if head.startswith(bom)), None)
    bad = _first_bad_byte(path, marked or "utf-8")
    if bad is None:
        return marked or "utf-8"
    if marked:
        what = f"marqué {marked.removesuffix('-sig').upper()} par son en-tête (BOM)"
    elif _has_utf8_letters(path):
        what = "en UTF-8 (il contient des lettres accentuées UTF-8)"
    elif _first_bad_byte(path, "cp1252") is None:
        return "cp1252"
    else:
        what = "ni en UTF-8 ni en Windows-1252"
    line, offset, byte = bad
    msg = (
        f"{name} {str(path)!r} : fichier {what} dont la ligne {line} contient un octet "
        f"invalide (0x{byte}, octet {offset} du fichier) ; maillage ne devine pas "
        "l'encodage : corrigez cette ligne ou réenregistrez le fichier en UTF-8"
    )
    raise InputDataError(msg)
