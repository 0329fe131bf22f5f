"""Options: validated names and values, environment variables, temporary settings."""

from __future__ import annotations

from pathlib import Path

import pytest

import maillage
from maillage import OptionError, options


def test_names_are_the_three_documented_options():
    assert set(options.names()) == {"data_dir", "cache_dir", "offline"}


def test_unknown_option_rejected_on_read_and_write():
    with pytest.raises(OptionError, match=r"unknown option 'cache'.*cache_dir, offline"):
        options.cache = "/tmp"
    with pytest.raises(OptionError, match="unknown option 'datadir'"):
        _ = options.datadir
    with pytest.raises(OptionError), options.set(ofline=True):
        pass


def test_unknown_option_is_also_a_value_error():
    with pytest.raises(ValueError, match="unknown option"):
        options.foo = 1


def test_wrong_types_rejected_with_the_value_found():
    with pytest.raises(OptionError, match="'offline' must be a bool, got str 'yes'"):
        options.offline = "yes"
    with pytest.raises(OptionError, match="'data_dir' must be a path or None, got int 3"):
        options.data_dir = 3


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_DATA_DIR", str(tmp_path))
    assert options.data_dir == tmp_path
    monkeypatch.delenv("MAILLAGE_DATA_DIR")
    assert options.data_dir is None


def test_value_set_in_code_wins_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_DATA_DIR", "/elsewhere")
    options.data_dir = tmp_path
    assert options.data_dir == tmp_path
    options.reset()
    assert options.data_dir == Path("/elsewhere")


def test_cache_dir_from_environment_and_default(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(tmp_path / "c"))
    assert options.cache_dir == tmp_path / "c"
    monkeypatch.delenv("MAILLAGE_CACHE_DIR")
    default = options.cache_dir
    assert isinstance(default, Path)
    assert "maillage" in default.parts
    options.cache_dir = None  # back to the OS default, never None
    assert options.cache_dir == default


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_offline_from_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("MAILLAGE_OFFLINE", raw)
    assert options.offline is expected


def test_offline_environment_not_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "maybe")
    with pytest.raises(OptionError, match=r"MAILLAGE_OFFLINE='maybe' is not a boolean; use 1 or 0"):
        _ = options.offline


def test_offline_defaults_to_false(monkeypatch):
    monkeypatch.delenv("MAILLAGE_OFFLINE", raising=False)
    assert options.offline is False


def test_set_is_temporary_even_after_an_error(tmp_path):
    before = options.data_dir
    with options.set(data_dir=tmp_path, offline=True):
        assert options.data_dir == tmp_path
        assert options.offline is True
    assert options.data_dir == before
    with pytest.raises(RuntimeError), options.set(data_dir=tmp_path / "x"):
        raise RuntimeError
    assert options.data_dir == before


def test_repr_lists_every_option():
    text = repr(options)
    assert text.startswith("Options(")
    for name in options.names():
        assert f"{name}=" in text


def test_reading_options_has_no_side_effect_on_disk(monkeypatch, tmp_path):
    cache = tmp_path / "not-created"
    monkeypatch.setenv("MAILLAGE_CACHE_DIR", str(cache))
    assert options.cache_dir == cache
    assert not cache.exists()


def test_public_options_object_and_class():
    assert isinstance(maillage.options, maillage.Options)
