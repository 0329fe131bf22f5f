"""Run Python in a real subprocess, for the fault tests that need real signals and limits."""

from __future__ import annotations

import subprocess
import sys
import textwrap

TOY_CLI = textwrap.dedent(
    """
    import sys
    import maillage.cli as cli
    from maillage.prepare.toy import toy_territory
    from maillage.report import write_report
    from maillage.travel import CrowFlyModel

    communes, venues = toy_territory()
    AREA = ["Exemple"]
    cli._run_report = lambda args, progress: write_report(
        args.out, communes=communes, venues=venues, model=CrowFlyModel(), area=AREA[0]
    )
    ARGS = cli.build_parser().parse_args(["report", "--venues", "x", "--out", sys.argv[1]])
    """
)
"""The command's run (lock, messages, exit codes) over the toy territory, in ``ARGS.out``:
``cli._run(ARGS, verbose=0, progress=False)`` runs it; ``AREA[0]`` names the report."""


def run_python(code: str, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with ``args`` in a new Python process; return it, its output as text."""
    return subprocess.run(  # noqa: PLW1510 - the caller asserts the return code
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,  # type: ignore[arg-type]
    )
