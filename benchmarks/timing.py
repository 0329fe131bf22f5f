"""One way to time every engine in the benchmarks: warm-up, best of N, wall and CPU time.

Each engine's timed call is a zero-argument function that runs the query alone (graph
building, loading and conversions done before). It runs ``warmup`` times untimed (numba's
compiled kernels loaded, caches and OSRM's files paged in), then ``repeat`` times; the best
wall and the best CPU time are kept (CPU: the process's user + system time, every thread), with
every run and the 1-minute load average, since the machine is shared: compare ratios
within one run, not absolute times across runs.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


def timed(func: Callable[[], Any], *, repeat: int = 3, warmup: int = 1) -> tuple[dict, Any]:
    """Time ``func``: ``warmup`` untimed calls, then the best of ``repeat``; return (record, result)."""
    result = None
    for _ in range(warmup):
        result = func()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    record = {
        "wall_s": round(min(walls), 6),
        "cpu_s": round(min(cpus), 6),
        "runs_wall_s": [round(w, 6) for w in walls],
        "warmup": warmup,
        "repeat": repeat,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    return record, result


def machine() -> dict:
    """Load averages and cores when a benchmark starts (the machine is shared)."""
    return {"load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}
