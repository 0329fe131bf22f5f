"""Errors and warnings raised by maillage.

Every error derives from :class:`MaillageError` and from the builtin exception that
describes it best, so callers can catch either (``except ValueError`` keeps working).
"""

from __future__ import annotations

__all__ = [
    "ColumnError",
    "DataSourceError",
    "HashMismatchError",
    "InputDataError",
    "MaillageError",
    "MaillageWarning",
    "MissingDataError",
    "MissingDependencyError",
    "NetworkError",
    "OptionError",
    "UnknownCodeError",
]


class MaillageError(Exception):
    """Base class of every error raised by maillage."""


class OptionError(ValueError, MaillageError):
    """An option or argument has an unknown name or an invalid value."""


class UnknownCodeError(OptionError):
    """A région, département or EPCI code is not in the COG.

    Attributes
    ----------
    level : str
        ``"region"``, ``"departement"`` or ``"epci"``.
    unknown : list of str
        The unknown codes, as normalised.
    suggestions : dict
        Unknown code -> list of ``(code, name)`` it may have meant.
    other_level : dict
        Unknown code -> ``(level, name)`` when it is the code of another level (a département
        code given as a région).
    """

    def __init__(
        self,
        message: str,
        *,
        level: str,
        unknown: list[str],
        suggestions: dict[str, list[tuple[str, str]]],
        other_level: dict[str, tuple[str, str]],
    ) -> None:
        super().__init__(message)
        self.level = level
        self.unknown = unknown
        self.suggestions = suggestions
        self.other_level = other_level


class InputDataError(ValueError, MaillageError):
    """Input data cannot be used as given (wrong type, CRS, empty, out of area)."""


class ColumnError(KeyError, MaillageError):
    """A required column is missing; the message lists the columns found."""

    def __str__(self) -> str:
        # KeyError quotes its message; keep it readable.
        return str(self.args[0]) if self.args else ""


class DataSourceError(MaillageError):
    """A catalogued dataset cannot be found, fetched or read."""


class MissingDataError(FileNotFoundError, DataSourceError):
    """A dataset is not in the data directory nor the cache, and cannot be downloaded."""


class HashMismatchError(DataSourceError, ValueError):
    """A dataset file does not have the pinned sha256."""


class NetworkError(ValueError, MaillageError):
    """A road network cannot be built, parsed or used for the given places."""


class MissingDependencyError(ImportError, MaillageError):
    """An optional package, or a program it ships, is missing; the message says what to install."""


class MaillageWarning(UserWarning):
    """Warning category for data problems that do not stop the computation."""
