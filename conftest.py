"""Shared pytest set-up: the data directory and a clean options object for every test."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from maillage import options
from maillage.prepare.toy import toy_territory

if TYPE_CHECKING:
    from collections.abc import Iterator

    from geopandas import GeoDataFrame

_SHARED = Path(__file__).resolve().parent.parent / "shared" / "data"
if not os.environ.get("MAILLAGE_DATA_DIR") and _SHARED.is_dir():
    os.environ["MAILLAGE_DATA_DIR"] = str(_SHARED)
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _reset_options() -> Iterator[None]:
    """Give every test (and doctest) the options from the environment."""
    options.reset()
    yield
    options.reset()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Return the offline data mirror; fail with the fix when it is not configured."""
    value = os.environ.get("MAILLAGE_DATA_DIR")
    if not value or not Path(value).is_dir():
        pytest.fail("MAILLAGE_DATA_DIR is not set to the data mirror (../shared/data)")
    return Path(value)


@pytest.fixture
def toy() -> tuple[GeoDataFrame, GeoDataFrame]:
    """Return the shared toy territory (communes, venues) of :mod:`maillage.prepare.toy`."""
    return toy_territory()
