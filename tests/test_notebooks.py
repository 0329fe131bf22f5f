"""The notebooks are stored without outputs, in French, on the public API, and run top to bottom."""

from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import maillage

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "maillage-tests"
PUBLIC = {"maillage": maillage, "maillage.maps": maillage.maps, "maillage.report": maillage.report}
ENGLISH = re.compile(
    r"\b(the|and|with|this|which|is|are|we|you|of|for|to|from|each|every|share|within|"
    r"residents|venues?|rows?|rejected|kept)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory) -> Path:
    """A kernelspec running this very interpreter, whatever kernels the machine has."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    return root


def test_the_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {
        "00-votre-recensement.ipynb",
        "01-quickstart.ipynb",
        "02-yearly-report.ipynb",
        "03-where-to-open-next.ipynb",
    }


def _code(path: Path) -> ast.Module:
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return ast.parse(source)


def _maillage_chain(node: ast.Attribute) -> list[str] | None:
    """``maillage.a.b`` as ["a", "b"]; None when the chain does not start at ``maillage``."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    return names[::-1] if isinstance(node, ast.Name) and node.id == "maillage" else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_public_api_only(path):
    """Only ``import maillage`` and names of maillage, maillage.maps, maillage.report; no attrs."""
    for node in ast.walk(_code(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "maillage":
                    assert alias.name == "maillage" and alias.asname is None, alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "maillage":
            assert node.module in PUBLIC, f"from {node.module} import ..."
            for alias in node.names:
                assert alias.name in PUBLIC[node.module].__all__, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Attribute):
            assert node.attr != "attrs", f"{path.name} reads .attrs"
            chain = _maillage_chain(node)
            if chain:
                module = (
                    "maillage" if chain[0] not in {"maps", "report"} else f"maillage.{chain[0]}"
                )
                name = chain[0] if module == "maillage" else chain[1]
                assert name in PUBLIC[module].__all__, f"{module}.{name}"


def _printed_text(tree: ast.Module) -> list[str]:
    """The literal text of every ``print`` call (the fixed parts of f-strings)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            for arg in node.args:
                parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
                out += [p.value for p in parts if isinstance(p, ast.Constant)]
    return [text for text in out if isinstance(text, str)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_written_in_french(path):
    """Markdown (outside code spans) and printed text have no common English word."""
    nb = nbformat.read(path, as_version=4)
    prose = [
        re.sub(r"`[^`]*`", "", c.source) for c in nb.cells if c.cell_type == "markdown"
    ] + _printed_text(_code(path))
    found = sorted({m.group(0).lower() for text in prose for m in ENGLISH.finditer(text)})
    assert not found, f"{path.name}: {found}"
    assert any("é" in text or " les " in text for text in prose)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, kernel_dir, tmp_path, monkeypatch, data_dir):
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("MAILLAGE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PYTHONWARNINGS", "ignore::DeprecationWarning")
    shutil.copytree(NOTEBOOK_DIR / "data", tmp_path / "data")  # the analyst's own files
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name=KERNEL, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    assert any(c.outputs for c in nb.cells if c.cell_type == "code")
