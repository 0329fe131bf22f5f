"""A synthetic road grid as a RoadNetwork, at any extent and spacing (tests and benchmarks)."""

from __future__ import annotations

import numpy as np

from maillage import RoadNetwork
from maillage.travel.graph.graph import graph_from_edges


def grid_network(bounds: tuple[float, float, float, float], step_m: float) -> RoadNetwork:
    """A road grid: local roads at 50 km/h, every fifth line at 90 km/h, a few one-way."""
    x0, y0, x1, y1 = bounds
    xs, ys = np.arange(x0, x1 + step_m, step_m), np.arange(y0, y1 + step_m, step_m)
    nx, ny = len(xs), len(ys)
    idx = np.arange(nx * ny).reshape(ny, nx)
    gx, gy = np.meshgrid(xs, ys)
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    a = np.r_[idx[:, :-1].ravel(), idx[:-1, :].ravel()]
    b = np.r_[idx[:, 1:].ravel(), idx[1:, :].ravel()]
    fast = np.r_[np.repeat(np.arange(ny) % 5 == 0, nx - 1), np.tile(np.arange(nx) % 5 == 0, ny - 1)]
    seconds = step_m / (np.where(fast, 90.0, 50.0) / 3.6)
    one_way = (np.arange(len(a)) % 17 == 0) & ~fast
    tails, heads = np.r_[a, b[~one_way]], np.r_[b, a[~one_way]]
    times = np.r_[seconds, seconds[~one_way]]
    graph = graph_from_edges(tails, heads, times, xy, np.arange(len(xy)))
    return RoadNetwork(graph, max_snap_m=step_m)
