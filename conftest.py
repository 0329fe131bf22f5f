"""Shared pytest set-up: the data directory and a clean options object for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_SHARED = Path(__file__).resolve().parent.parent / "shared" / "data"
if not os.environ.get("MAILLAGE_DATA_DIR") and _SHARED.is_dir():
    os.environ["MAILLAGE_DATA_DIR"] = str(_SHARED)
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _reset_options():
    """Give every test (and doctest) the options from the environment."""
    from maillage import options

    options.reset()
    yield
    options.reset()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The offline data mirror; tests that need it are skipped with a reason when absent."""
    value = os.environ.get("MAILLAGE_DATA_DIR")
    if not value or not Path(value).is_dir():
        pytest.fail("MAILLAGE_DATA_DIR is not set to the data mirror (../shared/data)")
    return Path(value)
