"""The one French line of an error: command-line flags where a message names Python names.

A message about ``out_dir`` speaks of ``--out``, one about a given file names its flag, and
an unknown area code comes with what it may have meant (:func:`unknown_code_line`).

Examples
--------
>>> one_line(ValueError("threshold_min must be > 0"))
'--threshold must be > 0'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from maillage.errors import UnknownCodeError

__all__ = ["one_line", "unknown_code_line"]

_LEVEL_WORDS = {
    "region": ("--region", "code de région"),
    "departement": ("--departement", "code de département"),
    "epci": ("--epci", "code d'EPCI"),
}


def unknown_code_line(exc: UnknownCodeError) -> str:
    """Say in French which code is unknown and what it may have meant, never every code.

    Parameters
    ----------
    exc : UnknownCodeError
        The error of :func:`maillage.prepare.communes.check_area`.

    Returns
    -------
    str
        One line per unknown code, joined by `` ; ``.
    """
    from maillage.prepare.codes import normalise_area_code  # noqa: PLC0415 - keeps --help fast

    flag, what = _LEVEL_WORDS.get(exc.level, (f"--{exc.level}", "code"))
    lines = []
    for typed in exc.unknown:
        text = f"{flag} {typed} : {what} inconnu"
        if typed in exc.other_level:
            code = normalise_area_code(typed, "departement")
            text += (
                f" ; {code} est le département {exc.other_level[typed][1]} : --departement {code}"
            )
        near = exc.suggestions.get(typed) or []
        if near:
            text += " ; vouliez-vous dire " + ", ".join(f"{c} ({n})" for c, n in near) + " ?"
        lines.append(text)
    return " ; ".join(lines)


_PARAMETERS = {"out_dir": "--out", "threshold_min": "--threshold", "k_sites": "--sites"}
_KEYWORDS = {
    "previous": "--previous",
    "region": "--region",
    "departements": "--departement",
    "years": "--years",
    "year": "--year",
}
_FILE_FLAGS = ("venues", "supported", "grid", "network", "series", "commutes")


def _given_files(args: argparse.Namespace | None, name: str) -> list[str]:
    value = getattr(args, name, None)
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if v is not None]


def _mentions(text: str, value: str) -> re.Match[str] | None:
    """Where ``text`` names the file ``value`` (quoted, as a path, or by a file name)."""
    name = Path(value).name
    forms = [repr(value), repr(name)] + [v for v in (value, name) if "/" in v or "." in v]
    return re.search("|".join(rf"(?<![\w/.-]){re.escape(v)}(?![\w/-])" for v in forms), text)


def _flag_names(text: str, args: argparse.Namespace | None) -> str:
    """Name command-line flags where a message names Python parameters or a given file."""
    text = re.sub(r"\b(out_dir|threshold_min|k_sites)\b", lambda m: _PARAMETERS[m[1]], text)
    text = re.sub(
        r"\b(previous|region|departements|years|year)=", lambda m: _KEYWORDS[m[1]] + " ", text
    )
    files = {name: _given_files(args, name) for name in _FILE_FLAGS}
    found = [(f, m) for f, values in files.items() for v in values if (m := _mentions(text, v))]
    given = [name for name, values in files.items() if values]
    param = re.match(r"(?:source|path)(=|:| )", text)  # a loader's message about its file
    if param is not None:
        flag = found[0][0] if found else given[0] if len(given) == 1 else None
        if flag is not None:
            text = f"--{flag}{' ' if param[1] == '=' else param[1]}{text[param.end() :]}"
    elif found and not re.search(r"(?<!\w)--[a-z]", text):  # a file named, its flag not
        flag, match = found[0]
        text = f"{text[: match.end()]} (--{flag}){text[match.end() :]}"
    return text


def one_line(exc: BaseException, args: argparse.Namespace | None = None) -> str:
    """Return the message of ``exc`` on one line, naming the flags of ``args``.

    Parameters
    ----------
    exc : BaseException
        The error to report.
    args : argparse.Namespace, optional
        The parsed command line: the files it gives are named by their flag.

    Returns
    -------
    str
        One line, without the ``maillage : erreur :`` prefix.
    """
    text = str(exc) or type(exc).__name__
    return _flag_names(" ".join(text.split()), args)
