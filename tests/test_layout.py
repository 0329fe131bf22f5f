"""The package layout: floors, private names, public API and the deprecated aliases of 0.1."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import maillage

SRC = Path(maillage.__file__).parent


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_module_imports_a_private_name_of_another():
    offenders = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("maillage"):
                last = node.module.rsplit(".", 1)[-1]
                for alias in node.names:
                    # a package may use its own private module (maps._style, analysis._checks)
                    if alias.name.startswith("_") and not last.startswith("_"):
                        offenders.append(f"{path.relative_to(SRC)}: {node.module}.{alias.name}")
    assert offenders == []


def test_no_submodule_is_shadowed_by_an_exported_function():
    for info in pkgutil.walk_packages(maillage.__path__, "maillage."):
        module = importlib.import_module(info.name)
        parent, _, name = info.name.rpartition(".")
        found = getattr(importlib.import_module(parent), name)
        # maillage.options is the settings module and its instance, as STYLE.md names both
        assert found is module or info.name == "maillage.options", info.name
        assert not inspect.isfunction(found), info.name


def test_every_public_name_is_reachable_and_documented():
    for name in maillage.__all__:
        value = getattr(maillage, name)
        if callable(value) and not isinstance(value, type(maillage)):
            assert value.__doc__, name
    for name in ("plot_coverage", "explore_coverage", "plot_years", "plot_share_by_year"):
        assert callable(getattr(maillage.maps, name))
    for name in ("write_report", "build_report", "save_report", "Report", "read_previous"):
        assert hasattr(maillage.report, name)


def test_deprecated_names_still_work_for_one_release(tmp_path):
    with pytest.warns(DeprecationWarning, match="load_population_grid"):
        reader = maillage.read_population_grid
    assert reader is maillage.load_population_grid
    layer = Path(__file__).parent / "data" / "communes_user.geojson"
    with pytest.warns(DeprecationWarning, match="first argument"):
        old = maillage.load_communes(path=layer, columns={"INSEE_COM": "code_insee"})
    new = maillage.load_communes(layer, columns={"INSEE_COM": "code_insee"})
    assert old.index.tolist() == new.index.tolist()


def test_one_threshold_rule_everywhere():
    for name in (
        "coverage",
        "attribution",
        "coverage_by_year",
        "indicators",
        "white_zones",
        "suggest_sites",
    ):
        default = inspect.signature(getattr(maillage, name)).parameters["threshold_min"].default
        assert default is None, name


def test_every_import_inside_a_function_says_why():
    bare = [
        f"{path.relative_to(SRC)}:{number}"
        for path in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"noqa: PLC0415\s*$", line)
    ]
    assert not bare, f"noqa on an import without its reason (' - why'): {bare}"
