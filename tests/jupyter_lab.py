"""A JupyterLab server started for a browser test or benchmark, on 127.0.0.1, offline.

:func:`running_lab` writes a one-cell notebook (kernel: this interpreter, maillage from this
checkout) and starts JupyterLab on it, with the widget state saved in the notebook; the
JavaScript snippets drive the page over the DevTools protocol (tests/chromium.py).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

if TYPE_CHECKING:
    from collections.abc import Iterator

KERNEL = "maillage-tests"
SRC = Path(__file__).resolve().parent.parent / "src"
NOTEBOOK = (
    "(window.jupyterapp && Array.from(window.jupyterapp.shell.widgets('main'))"
    ".find((w) => w.sessionContext))"
)
KERNEL_READY = f"""(() => {{
    const nb = {NOTEBOOK};
    const kernel = nb && nb.sessionContext.session && nb.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}})()"""
RUN_ALL = f"""(() => {{
    const nb = {NOTEBOOK};
    window.jupyterapp.shell.activateById(nb.id);
    return window.jupyterapp.commands.execute('notebook:run-all-cells').then(() => true);
}})()"""
SAVE_AND_STOP = f"""(() => {{
    const nb = {NOTEBOOK};
    window.jupyterapp.shell.activateById(nb.id);
    return window.jupyterapp.commands.execute('docmanager:save')
        .then(() => nb.sessionContext.shutdown()).then(() => true);
}})()"""
ROOT = "document.querySelector('.maillage-whatif')"
HEADLINE = f"(() => {{ const r = {ROOT}; return r && r.dataset.headline ? JSON.parse(r.dataset.headline) : null; }})()"
# a point of a white-zone commune where the mouse hits that commune (no venue over it)
TARGET_JS = """((skip) => {
    document.querySelector('.maillage-whatif-map').scrollIntoView({block: 'center'});
    let seen = 0;
    for (const p of document.querySelectorAll('.maillage-whatif-map path.white-zone')) {
        const b = p.getBoundingClientRect();
        const x = b.left + b.width / 2, y = b.top + b.height / 2;
        if (b.width > 6 && document.elementFromPoint(x, y) === p && seen++ >= skip) {
            return [x, y, p.dataset.code];
        }
    }
    return null;
})"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(root: Path, cell: str) -> None:
    """The kernelspec (this interpreter), the notebook and the widget manager's settings."""
    spec = root / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(cell)]
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    nbformat.write(nb, root / "whatif.ipynb")
    settings = root / "settings" / "@jupyter-widgets" / "jupyterlab-manager"
    settings.mkdir(parents=True)
    settings.joinpath("plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))


@contextmanager
def running_lab(root: Path, cell: str, data_dir: Path) -> Iterator[tuple[str, str]]:
    """Start JupyterLab in ``root`` on a notebook ``whatif.ipynb`` of ``cell``; yield (URL, token)."""
    _prepare(root, cell)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.update(
        JUPYTER_PATH=str(root / "jupyter"),
        MAILLAGE_DATA_DIR=str(data_dir),
        PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]),
        PYTHONWARNINGS="ignore",
    )
    log = (root / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            "--allow-root",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={root / 'settings'}",
            f"--LabApp.workspaces_dir={root / 'workspaces'}",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    try:
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
